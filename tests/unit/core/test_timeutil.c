#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/timeutil.h"

static void test_days_round_trip(void **state)
{
    (void)state;
    assert_int_equal(days_from_civil(1970, 1, 1), 0);
    assert_int_equal(days_from_civil(2000, 3, 1), 11017);
    for (int64_t z = -30000; z < 60000; z += 37) {
        int y, m, d;

        civil_from_days(z, &y, &m, &d);
        assert_int_equal(days_from_civil(y, m, d), z);
        assert_true(date_valid(y, m, d) || y < 1900 || y > 2100);
    }
}

static void test_age_on(void **state)
{
    (void)state;
    assert_int_equal(age_on("1950-03-02", "2026-03-01"), 75);
    assert_int_equal(age_on("1950-03-02", "2026-03-02"), 76);
    assert_int_equal(age_on("2000-02-29", "2025-02-28"), 24);
    assert_int_equal(age_on("bad", "2026-03-02"), -1);
}

static void test_rfc3339_in_shanghai_time(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    assert_string_equal(time_format_rfc3339(a, 0), "1970-01-01T08:00:00+08:00");
    assert_string_equal(time_format_rfc3339(a, 1795334400000LL), "2026-11-22T16:00:00+08:00");
    assert_string_equal(time_format_rfc3339(a, 1795371845999LL), "2026-11-23T02:24:05+08:00");
    assert_string_equal(time_format_rfc3339(a, 946655999000LL), "1999-12-31T23:59:59+08:00");
    assert_string_equal(time_format_rfc3339(a, -1000LL), "1970-01-01T07:59:59+08:00");
    assert_string_equal(time_format_rfc3339(a, 253402271999000LL), "9999-12-31T23:59:59+08:00");
    arena_free(a);
}

static const struct {
    const char *in;
    bool ok;
    int64_t ms;
    int offset;
} rfc3339[] = {
    { "2026-11-24T14:00:00+08:00", true, 1795500000000LL, 480 },
    { "2026-11-24T06:00:00Z", true, 1795500000000LL, 0 },
    { "2026-11-24t06:00:00z", true, 1795500000000LL, 0 },
    { "2026-11-24T01:00:00-05:00", true, 1795500000000LL, -300 },
    { "2026-11-24T06:00:00.250Z", true, 1795500000250LL, 0 },
    { "2026-11-24T06:00:00.5Z", true, 1795500000500LL, 0 },
    { "2026-11-24T06:00:00.123456789Z", true, 1795500000123LL, 0 },
    { "2026-11-24T05:30:00-00:30", true, 1795500000000LL, -30 },
    { "1969-12-31T23:59:59Z", true, -1000LL, 0 },
    { "2026-11-24T14:00:00", false, 0, 0 },                 /* no offset */
    { "2026-11-24 14:00:00+08:00", false, 0, 0 },           /* space instead of T */
    { "2026-11-24T14:00+08:00", false, 0, 0 },              /* no seconds */
    { "2026-11-24T24:00:00+08:00", false, 0, 0 },
    { "2026-11-24T14:60:00+08:00", false, 0, 0 },
    { "2026-11-24T14:00:60+08:00", false, 0, 0 },           /* no leap seconds */
    { "2026-02-29T14:00:00+08:00", false, 0, 0 },           /* not a leap year */
    { "2026-11-24T14:00:00+0800", false, 0, 0 },
    { "2026-11-24T14:00:00+24:00", false, 0, 0 },
    { "2026-11-24T14:00:00.+08:00", false, 0, 0 },
    { "2026-11-24T14:00:00.1234567890Z", false, 0, 0 },
    { "2026-11-24T14:00:00+08:00x", false, 0, 0 },
    { "2026-1-24T14:00:00+08:00", false, 0, 0 },
    { "", false, 0, 0 },
};

static void test_rfc3339_parse_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rfc3339) / sizeof(rfc3339[0]); i++) {
        int64_t ms = -1;
        int offset = -1;
        bool ok = time_parse_rfc3339(rfc3339[i].in, &ms, &offset);

        if (ok != rfc3339[i].ok)
            fail_msg("case %zu '%s': got %d", i, rfc3339[i].in, ok);
        if (ok) {
            assert_int_equal(ms, rfc3339[i].ms);
            assert_int_equal(offset, rfc3339[i].offset);
        }
    }
    assert_false(time_parse_rfc3339(NULL, NULL, NULL));
}

static void test_rfc3339_round_trip_at_offsets(void **state)
{
    static const int offsets[] = { 480, 0, -300, 345, -720, 840 };
    Arena *a = arena_new(0);

    (void)state;
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        for (int64_t ms = -2208902400000LL; ms < 4102444800000LL; ms += 7777777777LL) {
            int64_t back = 0;
            int off = 0;
            const char *s = time_format_rfc3339_at(a, ms - ms % 1000, offsets[i]);

            assert_true(time_parse_rfc3339(s, &back, &off));
            assert_int_equal(back, ms - ms % 1000);
            assert_int_equal(off, offsets[i]);
        }
    }
    assert_string_equal(time_format_rfc3339_at(a, 1795500000000LL, 480), "2026-11-24T14:00:00+08:00");
    assert_string_equal(time_format_rfc3339_at(a, 1795500000000LL, -90), "2026-11-24T04:30:00-01:30");
    assert_string_equal(time_format_rfc3339_at(a, -1000, 0), "1969-12-31T23:59:59+00:00");
    arena_free(a);
}

static void test_local_day_and_weekday(void **state)
{
    int64_t day;
    int minute;
    char buf[11];

    (void)state;
    /* 2026-11-24 14:00 in Shanghai is a Tuesday */
    time_local(1795500000000LL, TIME_OFFSET_SHANGHAI, &day, &minute);
    assert_int_equal(day, days_from_civil(2026, 11, 24));
    assert_int_equal(minute, 14 * 60);
    assert_int_equal(time_weekday(day), 2);
    assert_int_equal(time_day_start_ms(day, TIME_OFFSET_SHANGHAI), 1795500000000LL - 14 * 3600000LL);
    /* 23:30 UTC is already the next day in Shanghai */
    time_local(1795563000000LL, TIME_OFFSET_SHANGHAI, &day, &minute);
    assert_int_equal(day, days_from_civil(2026, 11, 25));
    assert_int_equal(minute, 7 * 60 + 30);
    time_local(-1, 0, &day, &minute);
    assert_int_equal(day, -1);
    assert_int_equal(minute, 1439);
    assert_int_equal(time_weekday(0), 4);
    assert_int_equal(time_weekday(-1), 3);
    assert_int_equal(time_weekday(days_from_civil(2026, 11, 29)), 7);
    assert_int_equal(time_weekday(days_from_civil(2026, 11, 30)), 1);
    time_format_date(buf, days_from_civil(2026, 2, 28));
    assert_string_equal(buf, "2026-02-28");
    assert_true(time_parse_date("2028-02-29", &day));
    assert_int_equal(day, days_from_civil(2028, 2, 29));
    assert_false(time_parse_date("2027-02-29", &day));
}

static void test_format_local(void **state)
{
    Arena *a = arena_new(0);
    int64_t ms;

    (void)state;
    /* 2026-12-06T23:30:00Z is the next morning in Shanghai */
    assert_true(time_parse_rfc3339("2026-12-06T23:30:00Z", &ms, NULL));
    assert_string_equal(time_format_local(a, ms, TIME_OFFSET_SHANGHAI, true), "2026-12-07 07:30");
    assert_string_equal(time_format_local(a, ms, TIME_OFFSET_SHANGHAI, false), "2026-12-07");
    assert_string_equal(time_format_local(a, ms, 0, true), "2026-12-06 23:30");
    assert_string_equal(time_format_local(a, 0, TIME_OFFSET_SHANGHAI, true), "");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_round_trip),
        cmocka_unit_test(test_age_on),
        cmocka_unit_test(test_rfc3339_in_shanghai_time),
        cmocka_unit_test(test_rfc3339_parse_cases),
        cmocka_unit_test(test_rfc3339_round_trip_at_offsets),
        cmocka_unit_test(test_local_day_and_weekday),
        cmocka_unit_test(test_format_local),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
