#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http/cache.h"

static const char DAY[11] = "2026-11-23";
static const char NEXT_DAY[11] = "2026-11-24";

static int setup(void **state)
{
    *state = arena_new(0);
    cache_clear();
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    cache_clear();
    return 0;
}

static bool get(Arena *a, const char *key, int64_t version, const char day[11], const char **ret)
{
    const void *body = NULL;
    size_t len = 0;

    if (!cache_get(key, strlen(key), version, day, a, &body, &len))
        return false;
    *ret = arena_strndup(a, body, len);
    return true;
}

static void put(const char *key, int64_t version, const char day[11], const char *body)
{
    cache_put(key, strlen(key), version, day, body, strlen(body));
}

static void test_hit_only_for_same_key_version_and_day(void **state)
{
    const char *got = NULL;

    assert_false(get(*state, "u1/a", 7, DAY, &got));
    put("u1/a", 7, DAY, "{\"a\":1}");
    assert_true(get(*state, "u1/a", 7, DAY, &got));
    assert_string_equal(got, "{\"a\":1}");
    assert_false(get(*state, "u1/a", 8, DAY, &got));      /* the data changed */
    assert_false(get(*state, "u1/a", 7, NEXT_DAY, &got)); /* ages move at midnight */
    assert_false(get(*state, "u2/a", 7, DAY, &got));      /* another user */
    assert_false(get(*state, "u1/a?x", 7, DAY, &got));    /* another request */
}

static void test_newer_answer_replaces_older(void **state)
{
    const char *got = NULL;

    put("k", 1, DAY, "old");
    put("k", 2, DAY, "new");
    assert_false(get(*state, "k", 1, DAY, &got));
    assert_true(get(*state, "k", 2, DAY, &got));
    assert_string_equal(got, "new");
}

static void test_many_keys_and_bytes_stay_bounded(void **state)
{
    char key[32], body[32];
    const char *got = NULL;
    int found = 0;

    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        snprintf(body, sizeof(body), "body-%d", i);
        put(key, 1, DAY, body);
        assert_true(get(*state, key, 1, DAY, &got)); /* the one just put is always there */
        assert_string_equal(got, body);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        found += get(*state, key, 1, DAY, &got);
    }
    assert_true(found > 0);
    assert_true(found <= 768); /* forgot when full */
    assert_int_equal(cache_count(NULL), (size_t)found);
}

/* When full, the clock forgets answers nobody asked for again before one in use. */
static void test_answers_in_use_outlive_one_off_ones(void **state)
{
    char key[32], body[32];
    const char *got = NULL;

    put("hot", 1, DAY, "kept");
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "once-%d", i);
        snprintf(body, sizeof(body), "body-%d", i);
        put(key, 1, DAY, body);
        if (i % 200 == 0) {
            assert_true(get(*state, "hot", 1, DAY, &got));
            assert_string_equal(got, "kept");
        }
    }
    assert_true(get(*state, "hot", 1, DAY, &got));
    assert_true(cache_count(NULL) <= 768);
}

/*
 * Random puts of random sizes over a few thousand keys, against a model of
 * the last body put under each key: a hit always gives that body, and every
 * answer the cache says it keeps can still be found (forgetting one in the
 * middle of a probe run must not hide those after it).
 */
static void test_random_puts_keep_every_chain_whole(void **state)
{
    enum { KEYS = 3000 };
    static char bodies[KEYS][64];
    static int64_t versions[KEYS];
    static char big[40000];
    char key[32];
    const char *got = NULL;
    uint64_t x = 88172645463325252ULL;
    size_t bytes = 0;

    memset(big, 'b', sizeof(big) - 1);
    for (int round = 0; round < 60000; round++) {
        int k;
        size_t n;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        k = (int)(x % KEYS);
        snprintf(key, sizeof(key), "user-%d/residents?page=%d", k % 7, k);
        versions[k] = 1 + (int64_t)(x >> 40) % 3;
        snprintf(bodies[k], sizeof(bodies[k]), "%d:%d:", k, round);
        n = strlen(bodies[k]);
        if (x % 5 == 0) { /* now and then a big page, so that bytes run out before slots */
            char *b = arena_alloc(*state, sizeof(big) + n);

            memcpy(b, bodies[k], n);
            memcpy(b + n, big, sizeof(big));
            cache_put(key, strlen(key), versions[k], DAY, b, n + sizeof(big) - 1);
        } else {
            put(key, versions[k], DAY, bodies[k]);
        }
        if (round % 7 == 0) { /* some keys are asked for again */
            int j = (int)((x >> 20) % KEYS);

            snprintf(key, sizeof(key), "user-%d/residents?page=%d", j % 7, j);
            if (versions[j] && get(*state, key, versions[j], DAY, &got))
                assert_memory_equal(got, bodies[j], strlen(bodies[j]));
        }
    }
    {
        size_t found = 0;

        for (int k = 0; k < KEYS; k++) {
            snprintf(key, sizeof(key), "user-%d/residents?page=%d", k % 7, k);
            if (versions[k] && get(*state, key, versions[k], DAY, &got)) {
                assert_memory_equal(got, bodies[k], strlen(bodies[k]));
                found++;
            }
        }
        assert_int_equal(found, cache_count(&bytes));
        assert_true(found > 100);
        assert_true(bytes <= CACHE_MAX_BYTES);
    }
}

static void test_large_bodies_not_kept(void **state)
{
    static char big[CACHE_MAX_BODY + 2];
    const char *got = NULL;

    memset(big, 'x', sizeof(big) - 1);
    put("big", 1, DAY, big);
    assert_false(get(*state, "big", 1, DAY, &got));
    big[CACHE_MAX_BODY - 1] = '\0';
    for (int i = 0; i < 40; i++) { /* 40 x 512 KB > CACHE_MAX_BYTES: the oldest are forgotten */
        char key[16];

        snprintf(key, sizeof(key), "big%d", i);
        big[0] = (char)('A' + i % 26);
        put(key, 1, DAY, big);
        assert_true(get(*state, key, 1, DAY, &got));
        assert_int_equal(got[0], 'A' + i % 26);
    }
    assert_false(get(*state, "big0", 1, DAY, &got));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_only_for_same_key_version_and_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_answer_replaces_older, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_keys_and_bytes_stay_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_bodies_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers_in_use_outlive_one_off_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_puts_keep_every_chain_whole, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
