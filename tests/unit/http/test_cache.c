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
    assert_true(found < 1024); /* forgot when full */
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
