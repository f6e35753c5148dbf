#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "activities/activities.h"
#include "core/timeutil.h"

#define ARRAY_LEN(x) (sizeof(x) / sizeof((x)[0]))
#define MIN_MS (60LL * 1000)
#define DAY_MS (24LL * 3600 * 1000)

/* Local (UTC+8) midnight of y-m-d, in ms. */
static int64_t local_day(int y, int m, int d)
{
    return time_day_start_ms(days_from_civil(y, m, d), ACTIVITIES_UTC_OFFSET_MIN);
}

static void test_activities_kinds(void **state)
{
    static const char *const names[] = { "volunteer", "course", "market", "sports", "civic" };
    static const char *const labels[] = { "志愿服务", "公益课程", "便民集市", "文体活动", "议事/宣传" };
    ActivityKind k;

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        assert_true(activities_kind_parse(names[i], &k));
        assert_int_equal(k, (int)i);
        assert_string_equal(activities_kind_name(k), names[i]);
        assert_string_equal(activities_kind_label(k), labels[i]);
    }
    assert_false(activities_kind_parse("志愿服务", &k)); /* codes, not labels */
    assert_false(activities_kind_parse("", &k));
    assert_false(activities_kind_parse(NULL, &k));
    assert_false(activities_kind_parse("Volunteer", &k));
}

static void test_activities_age(void **state)
{
    (void)state;
    /* the birthday counts from local midnight: 2026-03-10 00:00 +08:00 is 2026-03-09 16:00 UTC */
    assert_int_equal(activities_age_at("1956-03-10", local_day(2026, 3, 10)), 70);
    assert_int_equal(activities_age_at("1956-03-10", local_day(2026, 3, 10) - 1), 69);
    assert_int_equal(activities_age_at("2020-02-29", local_day(2026, 2, 28)), 5);
    assert_int_equal(activities_age_at("2020-02-29", local_day(2026, 3, 1)), 6);
    assert_int_equal(activities_age_at("not a date", local_day(2026, 3, 1)), -1);
    assert_int_equal(activities_age_at(NULL, local_day(2026, 3, 1)), -1);

    assert_int_equal(activities_age_fit(60, 60, -1), 0);
    assert_int_equal(activities_age_fit(59, 60, -1), -1);
    assert_int_equal(activities_age_fit(12, -1, 12), 0);
    assert_int_equal(activities_age_fit(13, -1, 12), 1);
    assert_int_equal(activities_age_fit(40, -1, -1), 0);
    assert_int_equal(activities_age_fit(6, 6, 12), 0);
    assert_int_equal(activities_age_fit(5, 6, 12), -1);
}

static void test_activities_windows(void **state)
{
    const int64_t t = local_day(2026, 12, 1);

    (void)state;
    assert_int_equal(activities_signup_window(0, t, t - 1), WINDOW_OPEN);
    assert_int_equal(activities_signup_window(0, t, t), WINDOW_CLOSED); /* closes at the instant */
    assert_int_equal(activities_signup_window(t - DAY_MS, t, t - DAY_MS - 1), WINDOW_NOT_YET);
    assert_int_equal(activities_signup_window(t - DAY_MS, t, t - DAY_MS), WINDOW_OPEN);

    /* a session's QR code: 30 minutes either side */
    assert_true(activities_token_live(t, t + 60 * MIN_MS, t - 30 * MIN_MS));
    assert_false(activities_token_live(t, t + 60 * MIN_MS, t - 30 * MIN_MS - 1));
    assert_true(activities_token_live(t, t + 60 * MIN_MS, t + 90 * MIN_MS));
    assert_false(activities_token_live(t, t + 60 * MIN_MS, t + 90 * MIN_MS + 1));
}

static void test_activities_suspension(void **state)
{
    const ActivitiesPolicy p = { 3, 90, 30 };
    const int64_t now = local_day(2026, 12, 1);
    int64_t ends[4];

    (void)state;
    assert_int_equal(activities_suspended_until(&p, NULL, 0, now), 0);
    /* two no-shows: under the limit */
    ends[0] = now - 10 * DAY_MS;
    ends[1] = now - 5 * DAY_MS;
    assert_int_equal(activities_suspended_until(&p, ends, 2, now), 0);
    /* the third within 90 days suspends for 30 days from it */
    ends[2] = now - 1 * DAY_MS;
    assert_int_equal(activities_suspended_until(&p, ends, 3, now), ends[2] + 30 * DAY_MS);
    /* ... which ends */
    assert_int_equal(activities_suspended_until(&p, ends, 3, ends[2] + 30 * DAY_MS), 0);
    /* three spread over more than 90 days do not */
    ends[0] = now - 95 * DAY_MS;
    assert_int_equal(activities_suspended_until(&p, ends, 3, now), 0);
    /* a fourth makes three within the window again */
    ends[3] = now - DAY_MS / 2;
    assert_int_equal(activities_suspended_until(&p, ends, 4, now), ends[3] + 30 * DAY_MS);
    /* a limit of one: any no-show suspends */
    {
        const ActivitiesPolicy one = { 1, 30, 7 };
        int64_t e = now - 2 * DAY_MS;

        assert_int_equal(activities_suspended_until(&one, &e, 1, now), e + 7 * DAY_MS);
        assert_int_equal(activities_suspended_until(&one, &e, 1, e + 7 * DAY_MS + 1), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activities_kinds),
        cmocka_unit_test(test_activities_age),
        cmocka_unit_test(test_activities_windows),
        cmocka_unit_test(test_activities_suspension),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
