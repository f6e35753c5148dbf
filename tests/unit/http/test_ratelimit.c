#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/ratelimit.h"

#define WINDOW (15LL * 60 * 1000)
#define BASE (30LL * 1000)

/* The limiter's table as schema 26 makes it, in a database of its own. */
typedef struct Fixture {
    char dir[64];
    char path[96];
    Store *st;
    Arena *a;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(Fixture));
    const char *errmsg = NULL;

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/linli-test-ratelimit-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    f->a = arena_new(4096);
    f->st = store_open(f->path, &errmsg);
    assert_non_null(f->st);
    assert_null(store_exec(f->st, f->a,
                           "CREATE TABLE rate_limit (key TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
                           " window_start INTEGER NOT NULL, last_at INTEGER NOT NULL,"
                           " forget_at INTEGER NOT NULL) WITHOUT ROWID"));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char cmd[128];

    arena_free(f->a); /* its cleanups reset statements of the store */
    store_close(f->st);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t wait_of(Fixture *f, const RateLimit *rl, const char *key, int free, int64_t t)
{
    int64_t w = -1;

    assert_null(ratelimit_backoff_ms(f->st, f->a, rl, key, free, BASE, t, &w));
    return w;
}

static void fail_at(Fixture *f, const RateLimit *rl, const char *key, int64_t t)
{
    assert_null(ratelimit_backoff_fail(f->st, f->a, rl, key, t));
}

static bool blocked_at(Fixture *f, const RateLimit *rl, const char *key, int max, int64_t t)
{
    bool b = false;

    assert_null(ratelimit_blocked(f->st, f->a, rl, key, max, t, &b));
    return b;
}

static void test_ratelimit_backoff_doubles(void **state)
{
    Fixture *f = *state;
    const RateLimit login = { "login", WINDOW }, other = { "other", WINDOW };
    int64_t t = 1000000;

    for (int i = 0; i < 5; i++) {
        assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t), 0);
        fail_at(f, &login, "grid\x1f" "1.2.3.4", t);
    }
    /* the fifth failure starts the back-off: 30 s, then 60 s, 120 s ... */
    assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t), BASE);
    assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t + 10000), BASE - 10000);
    assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t + BASE), 0);
    /* another address, another account, another limiter: untouched */
    assert_int_equal(wait_of(f, &login, "grid\x1f" "5.6.7.8", 5, t), 0);
    assert_int_equal(wait_of(f, &login, "staff\x1f" "1.2.3.4", 5, t), 0);
    assert_int_equal(wait_of(f, &other, "grid\x1f" "1.2.3.4", 5, t), 0);
    t += BASE;
    fail_at(f, &login, "grid\x1f" "1.2.3.4", t);
    assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t), 2 * BASE);
    for (int i = 0; i < 20; i++)
        fail_at(f, &login, "grid\x1f" "1.2.3.4", t);
    /* never longer than the window */
    assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t), WINDOW);
    /* a success clears it */
    assert_null(ratelimit_clear(f->st, f->a, &login, "grid\x1f" "1.2.3.4"));
    assert_int_equal(wait_of(f, &login, "grid\x1f" "1.2.3.4", 5, t), 0);
}

static void test_ratelimit_backoff_forgets(void **state)
{
    Fixture *f = *state;
    const RateLimit rl = { "login", WINDOW };
    int64_t t = 5000000;

    for (int i = 0; i < 6; i++)
        fail_at(f, &rl, "k", t);
    assert_true(wait_of(f, &rl, "k", 5, t) > 0);
    /* waited out, the next failure still counts (one more try, then a longer wait) */
    t += WINDOW;
    assert_int_equal(wait_of(f, &rl, "k", 5, t), 0);
    fail_at(f, &rl, "k", t);
    assert_int_equal(wait_of(f, &rl, "k", 5, t), 4 * BASE);
    /* long quiet: forgotten, the free failures come back */
    t += RATELIMIT_MEMORY * WINDOW;
    fail_at(f, &rl, "k", t);
    assert_int_equal(wait_of(f, &rl, "k", 5, t), 0);
}

static void test_ratelimit_window(void **state)
{
    Fixture *f = *state;
    const RateLimit rl = { "search", 1000 };

    for (int i = 0; i < 3; i++) {
        assert_false(blocked_at(f, &rl, "u1", 3, 100));
        assert_null(ratelimit_fail(f->st, f->a, &rl, "u1", 100));
    }
    assert_true(blocked_at(f, &rl, "u1", 3, 500));
    assert_false(blocked_at(f, &rl, "u2", 3, 500));
    assert_false(blocked_at(f, &rl, "u1", 3, 1100)); /* a new window */
    /* a failure in the new window counts from one */
    assert_null(ratelimit_fail(f->st, f->a, &rl, "u1", 1100));
    assert_false(blocked_at(f, &rl, "u1", 2, 1200));
}

/* Two connections (two servers) count into one row. */
static void test_ratelimit_shared(void **state)
{
    Fixture *f = *state;
    const RateLimit rl = { "login", WINDOW };
    const char *errmsg = NULL;
    Store *other = store_open(f->path, &errmsg);

    assert_non_null(other);
    for (int i = 0; i < 4; i++) {
        fail_at(f, &rl, "both", 100);
        assert_null(ratelimit_backoff_fail(other, f->a, &rl, "both", 100));
    }
    /* eight failures, five of them free: 30 s doubled three times */
    assert_int_equal(wait_of(f, &rl, "both", 5, 100), 8 * BASE);
    arena_reset(f->a);
    store_close(other);
}

/* Rows past their use are deleted by the next failure; a key too long is cut, not refused. */
static void test_ratelimit_purge(void **state)
{
    Fixture *f = *state;
    const RateLimit rl = { "tts", 1000 };
    char longkey[400];

    memset(longkey, 'x', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    assert_null(ratelimit_fail(f->st, f->a, &rl, "old", 0));
    assert_null(ratelimit_fail(f->st, f->a, &rl, longkey, 0));
    assert_true(blocked_at(f, &rl, longkey, 1, 10));
    assert_null(ratelimit_fail(f->st, f->a, &rl, "new", 5000));
    assert_int_equal(ratelimit_purge(f->st, f->a, 5000), 0); /* the failure at 5000 did it */
    assert_false(blocked_at(f, &rl, "old", 1, 500));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ratelimit_backoff_doubles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_backoff_forgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit_purge, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
