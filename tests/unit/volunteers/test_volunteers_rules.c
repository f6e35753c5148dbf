#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "volunteers/volunteers.h"

#define MIN_MS (60LL * 1000)

/* Local (UTC+8) midnight of y-m-d, in ms. */
static int64_t local_day(int y, int m, int d)
{
    return time_day_start_ms(days_from_civil(y, m, d), VOLUNTEERS_UTC_OFFSET_MIN);
}

static void test_volunteers_attendance_minutes(void **state)
{
    int64_t t = local_day(2026, 5, 1) + 9 * 60 * MIN_MS;

    (void)state;
    assert_int_equal(volunteers_attendance_minutes(t, t + 90 * MIN_MS), 90);
    assert_int_equal(volunteers_attendance_minutes(t, t + 90 * MIN_MS + 29999), 90);
    assert_int_equal(volunteers_attendance_minutes(t, t + 90 * MIN_MS + 30000), 91); /* to the nearest minute */
    assert_int_equal(volunteers_attendance_minutes(t, t + 29999), 0);
    assert_int_equal(volunteers_attendance_minutes(t, t), 0);
    assert_int_equal(volunteers_attendance_minutes(t, t - MIN_MS), 0);
    assert_int_equal(volunteers_attendance_minutes(t, t + 3 * 24 * 60 * MIN_MS), VOLUNTEERS_MAX_ENTRY_MIN);
}

static void test_volunteers_year_month(void **state)
{
    int y = 0, m = 0;

    (void)state;
    volunteers_year_month(local_day(2026, 1, 1), &y, &m); /* local midnight: 2025-12-31 16:00 UTC */
    assert_int_equal(y, 2026);
    assert_int_equal(m, 1);
    volunteers_year_month(local_day(2026, 1, 1) - 1, &y, &m);
    assert_int_equal(y, 2025);
    assert_int_equal(m, 12);
    volunteers_year_month(local_day(2024, 2, 29) + 23 * 60 * MIN_MS, &y, &m);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
}

static void test_volunteers_hours_text(void **state)
{
    Arena *a = arena_new(1024);

    (void)state;
    assert_string_equal(volunteers_hours_text(a, 0), "0.0");
    assert_string_equal(volunteers_hours_text(a, 90), "1.5");
    assert_string_equal(volunteers_hours_text(a, 521), "8.7");
    assert_string_equal(volunteers_hours_text(a, 3), "0.1"); /* 0.05 h rounds up */
    assert_string_equal(volunteers_hours_text(a, 2), "0.0");
    assert_string_equal(volunteers_hours_text(a, -30), "-0.5");
    assert_string_equal(volunteers_hours_text(a, 60 * 1000), "1000.0");
    arena_free(a);
}

static void test_volunteers_codes(void **state)
{
    size_t n = 0;

    (void)state;
    assert_string_equal(volunteers_code_label(volunteers_skills, "repair"), "家电维修");
    assert_string_equal(volunteers_code_label(volunteers_slots, "weekend_morning"), "周末上午");
    assert_null(volunteers_code_label(volunteers_skills, "weekend_morning"));
    assert_null(volunteers_code_label(volunteers_skills, "家电维修")); /* codes, not labels */
    assert_null(volunteers_code_label(volunteers_skills, ""));
    assert_null(volunteers_code_label(volunteers_skills, NULL));
    for (const VolunteersCode *c = volunteers_skills; c->code; c++, n++)
        for (const VolunteersCode *d = c + 1; d->code; d++)
            assert_true(strcmp(c->code, d->code) != 0 && strcmp(c->label, d->label) != 0);
    assert_true(n >= 10 && n <= VOLUNTEERS_MAX_SKILLS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volunteers_attendance_minutes),
        cmocka_unit_test(test_volunteers_year_month),
        cmocka_unit_test(test_volunteers_hours_text),
        cmocka_unit_test(test_volunteers_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
