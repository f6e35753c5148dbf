#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/ratelimit.h"

#define WINDOW (15LL * 60 * 1000)
#define BASE (30LL * 1000)

static void test_ratelimit_backoff_doubles(void **state)
{
    RateLimit *rl = ratelimit_new(WINDOW);
    int64_t t = 1000000;

    (void)state;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t), 0);
        ratelimit_backoff_fail(rl, "grid\x1f" "1.2.3.4", t);
    }
    /* the fifth failure starts the back-off: 30 s, then 60 s, 120 s ... */
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t), BASE);
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t + 10000), BASE - 10000);
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t + BASE), 0);
    /* another address, another account: untouched */
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "5.6.7.8", 5, BASE, t), 0);
    assert_int_equal(ratelimit_backoff_ms(rl, "staff\x1f" "1.2.3.4", 5, BASE, t), 0);
    t += BASE;
    ratelimit_backoff_fail(rl, "grid\x1f" "1.2.3.4", t);
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t), 2 * BASE);
    for (int i = 0; i < 20; i++)
        ratelimit_backoff_fail(rl, "grid\x1f" "1.2.3.4", t);
    /* never longer than the window */
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t), WINDOW);
    /* a success clears it */
    ratelimit_clear(rl, "grid\x1f" "1.2.3.4");
    assert_int_equal(ratelimit_backoff_ms(rl, "grid\x1f" "1.2.3.4", 5, BASE, t), 0);
    ratelimit_free(rl);
}

static void test_ratelimit_backoff_forgets(void **state)
{
    RateLimit *rl = ratelimit_new(WINDOW);
    int64_t t = 5000000;

    (void)state;
    for (int i = 0; i < 6; i++)
        ratelimit_backoff_fail(rl, "k", t);
    assert_true(ratelimit_backoff_ms(rl, "k", 5, BASE, t) > 0);
    /* waited out, the next failure still counts (one more try, then a longer wait) */
    t += WINDOW;
    assert_int_equal(ratelimit_backoff_ms(rl, "k", 5, BASE, t), 0);
    ratelimit_backoff_fail(rl, "k", t);
    assert_int_equal(ratelimit_backoff_ms(rl, "k", 5, BASE, t), 4 * BASE);
    /* long quiet: forgotten, the free failures come back */
    t += RATELIMIT_MEMORY * WINDOW;
    ratelimit_backoff_fail(rl, "k", t);
    assert_int_equal(ratelimit_backoff_ms(rl, "k", 5, BASE, t), 0);
    ratelimit_free(rl);
}

static void test_ratelimit_window(void **state)
{
    RateLimit *rl = ratelimit_new(1000);

    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_false(ratelimit_blocked(rl, "u1", 3, 100));
        ratelimit_fail(rl, "u1", 100);
    }
    assert_true(ratelimit_blocked(rl, "u1", 3, 500));
    assert_false(ratelimit_blocked(rl, "u2", 3, 500));
    assert_false(ratelimit_blocked(rl, "u1", 3, 1100)); /* a new window */
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratelimit_backoff_doubles),
        cmocka_unit_test(test_ratelimit_backoff_forgets),
        cmocka_unit_test(test_ratelimit_window),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
