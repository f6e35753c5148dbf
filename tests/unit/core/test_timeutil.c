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
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_round_trip),
        cmocka_unit_test(test_age_on),
        cmocka_unit_test(test_rfc3339_in_shanghai_time),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
