#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/rng.h"

/* the same seed gives the same stream: the demo is the same on every machine */
static void test_rng_seeded(void **state)
{
    Rng a = { 42 }, b = { 42 }, c = { 43 };
    bool differ = false;

    (void)state;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_next(&a);

        assert_true(x == rng_next(&b));
        differ = differ || x != rng_next(&c);
    }
    assert_true(differ);
}

static void test_rng_int_in_range(void **state)
{
    Rng r = { 7 };
    int seen[5] = { 0 };

    (void)state;
    for (int i = 0; i < 1000; i++) {
        int x = rng_int(&r, 5);

        assert_in_range(x, 0, 4);
        seen[x]++;
    }
    for (int i = 0; i < 5; i++)
        assert_true(seen[i] > 0);
}

/* waking minutes: never 23:00-06:59, the morning busier than late evening, some evenings */
static void test_rng_waking_minute(void **state)
{
    int hours[24] = { 0 };

    (void)state;
    for (int weekend = 0; weekend < 2; weekend++) {
        Rng r = { 2026 };

        memset(hours, 0, sizeof(hours));
        for (int i = 0; i < 20000; i++) {
            int m = rng_waking_minute(&r, weekend);

            assert_in_range(m, 7 * 60, 23 * 60 - 1);
            hours[m / 60]++;
        }
        assert_true(hours[9] + hours[10] > hours[21] + hours[22]);
        assert_true(hours[19] > 0 && hours[22] > 0);
        /* weekend mornings start later */
        if (weekend)
            assert_true(hours[7] < hours[10] / 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_seeded),
        cmocka_unit_test(test_rng_int_in_range),
        cmocka_unit_test(test_rng_waking_minute),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
