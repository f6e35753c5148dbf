/* The rules of SMS verification codes (account/account_phone_code.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "account/account_phone_code.h"
#include "core/timeutil.h"

#define SEC 1000LL
#define T0 (1796000000000LL) /* 2026-12-01 08:53:20 Beijing */

static const PhoneCodeLimits lim = {
    .ttl_ms = 300 * SEC, .resend_ms = 60 * SEC, .daily_max = 3, .max_attempts = 5,
};

static PhoneCodeRow sent_at(int64_t now, const char *day)
{
    PhoneCodeRow row = { 0 };

    phone_code_sent(&row, &lim, day, now);
    return row;
}

static void test_phone_code_first_code_may_be_sent(void **state)
{
    PhoneCodeRow none = { 0 };
    int64_t wait = -1;

    (void)state;
    assert_int_equal(phone_code_may_send(&none, &lim, "2026-12-01", T0, &wait), PHONE_CODE_SEND_OK);
}

static void test_phone_code_cooldown(void **state)
{
    PhoneCodeRow row = sent_at(T0, "2026-12-01");
    int64_t wait = 0;

    (void)state;
    assert_int_equal(phone_code_may_send(&row, &lim, "2026-12-01", T0 + 15 * SEC, &wait),
                     PHONE_CODE_SEND_COOLDOWN);
    assert_int_equal(wait, 45 * SEC);
    assert_int_equal(phone_code_may_send(&row, &lim, "2026-12-01", T0 + 60 * SEC, &wait),
                     PHONE_CODE_SEND_OK);
}

static void test_phone_code_daily_cap_and_new_day(void **state)
{
    PhoneCodeRow row = { 0 };
    int64_t wait = 0, now = T0;

    (void)state;
    for (int i = 0; i < lim.daily_max; i++) {
        assert_int_equal(phone_code_may_send(&row, &lim, "2026-12-01", now, &wait), PHONE_CODE_SEND_OK);
        phone_code_sent(&row, &lim, "2026-12-01", now);
        now += 61 * SEC;
    }
    assert_int_equal(row.sent_today, 3);
    assert_int_equal(phone_code_may_send(&row, &lim, "2026-12-01", now, &wait), PHONE_CODE_SEND_DAILY);
    /* until midnight in Beijing: the wait ends on a day boundary of UTC+8 */
    assert_int_equal((now + wait + 8 * 3600 * SEC) % TIME_DAY_MS, 0);
    assert_true(wait > 0 && wait <= TIME_DAY_MS);
    /* the next day counts afresh */
    assert_int_equal(phone_code_may_send(&row, &lim, "2026-12-02", now, &wait), PHONE_CODE_SEND_OK);
    phone_code_sent(&row, &lim, "2026-12-02", now);
    assert_int_equal(row.sent_today, 1);
    assert_string_equal(row.day, "2026-12-02");
}

static void test_phone_code_check_cases(void **state)
{
    static const struct {
        int64_t after_ms;
        int attempts;
        bool used;
        bool matches;
        PhoneCodeCheck want;
    } cases[] = {
        { 10 * SEC, 0, false, true, PHONE_CODE_OK },
        { 10 * SEC, 0, false, false, PHONE_CODE_WRONG },
        { 299 * SEC, 4, false, true, PHONE_CODE_OK },       /* the last try may be right */
        { 300 * SEC, 0, false, true, PHONE_CODE_EXPIRED },  /* expiry is exclusive */
        { 10 * SEC, 5, false, true, PHONE_CODE_LOCKED },    /* void, even when right */
        { 10 * SEC, 0, true, true, PHONE_CODE_NONE },       /* used once already */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PhoneCodeRow row = sent_at(T0, "2026-12-01");

        row.attempts = cases[i].attempts;
        if (cases[i].used)
            row.expires_at = 0;
        assert_int_equal(phone_code_check(&row, &lim, T0 + cases[i].after_ms, cases[i].matches),
                         cases[i].want);
    }
}

static void test_phone_code_check_never_sent(void **state)
{
    PhoneCodeRow none = { 0 };

    (void)state;
    assert_int_equal(phone_code_check(&none, &lim, T0, true), PHONE_CODE_NONE);
}

static void test_phone_code_sent_resets_attempts(void **state)
{
    PhoneCodeRow row = sent_at(T0, "2026-12-01");

    (void)state;
    row.attempts = 5;
    phone_code_sent(&row, &lim, "2026-12-01", T0 + 61 * SEC);
    assert_int_equal(row.attempts, 0);
    assert_int_equal(row.expires_at, T0 + 61 * SEC + lim.ttl_ms);
    assert_int_equal(row.sent_today, 2);
}

static void test_phone_code_well_formed(void **state)
{
    (void)state;
    assert_true(phone_code_well_formed("012345"));
    assert_false(phone_code_well_formed("12345"));
    assert_false(phone_code_well_formed("1234567"));
    assert_false(phone_code_well_formed("12a456"));
    assert_false(phone_code_well_formed(" 12345"));
    assert_false(phone_code_well_formed(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_code_first_code_may_be_sent),
        cmocka_unit_test(test_phone_code_cooldown),
        cmocka_unit_test(test_phone_code_daily_cap_and_new_day),
        cmocka_unit_test(test_phone_code_check_cases),
        cmocka_unit_test(test_phone_code_check_never_sent),
        cmocka_unit_test(test_phone_code_sent_resets_attempts),
        cmocka_unit_test(test_phone_code_well_formed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
