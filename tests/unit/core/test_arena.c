#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"

static int cleanup_order[4];
static int n_cleanups;

static void record(void *p)
{
    cleanup_order[n_cleanups++] = (int)(intptr_t)p;
}

static void test_arena_alignment(void **state)
{
    Arena *a = arena_new(64);

    (void)state;
    for (int i = 1; i < 100; i++) {
        void *p = arena_alloc(a, (size_t)i);

        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)i);
    }
    arena_free(a);
}

static void test_arena_large_and_many(void **state)
{
    Arena *a = arena_new(128);
    char *big = arena_alloc(a, 5 * 1024 * 1024);
    char *small = arena_strdup(a, "邻里");

    (void)state;
    memset(big, 1, 5 * 1024 * 1024);
    assert_string_equal(small, "邻里");
    for (int i = 0; i < 10000; i++)
        arena_alloc(a, 100);
    assert_true(arena_used(a) >= 5 * 1024 * 1024 + 10000 * 100);
    arena_free(a);
}

static void test_arena_defer_runs_in_reverse(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    n_cleanups = 0;
    arena_defer(a, record, (void *)1);
    arena_defer(a, record, (void *)2);
    arena_defer(a, record, (void *)3);
    arena_free(a);
    assert_int_equal(n_cleanups, 3);
    assert_int_equal(cleanup_order[0], 3);
    assert_int_equal(cleanup_order[2], 1);
}

static void test_arena_reset_keeps_working(void **state)
{
    Arena *a = arena_new(256);

    (void)state;
    n_cleanups = 0;
    arena_alloc(a, 10000);
    arena_alloc(a, 200);
    arena_defer(a, record, (void *)7);
    arena_reset(a);
    assert_int_equal(n_cleanups, 1);
    assert_int_equal(arena_used(a), 0);
    assert_string_equal(arena_sprintf(a, "%d-%s", 42, "x"), "42-x");
    arena_free(a);
}

static void test_arena_strndup_and_null(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    arena_free(a);
    arena_free(NULL);
}

static void test_arena_grow_doubles_and_keeps(void **state)
{
    Arena *a = arena_new(0);
    size_t n, cap = 2;
    int *items = arena_alloc(a, cap * sizeof(*items)), *first = items;

    (void)state;
    for (n = 0; n < 100; n++) {
        int *before = items;

        items = arena_grow(a, items, n, &cap, sizeof(*items));
        /* the same array while there is room; a new one, twice the size, when full */
        if (n < 2)
            assert_ptr_equal(items, first);
        else if ((n & (n - 1)) == 0)
            assert_true(items != before && cap == 2 * n);
        else
            assert_ptr_equal(items, before);
        assert_true(n < cap);
        items[n] = (int)n * 3;
    }
    assert_int_equal(cap, 128);
    for (n = 0; n < 100; n++)
        assert_int_equal(items[n], (int)n * 3);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_large_and_many),
        cmocka_unit_test(test_arena_defer_runs_in_reverse),
        cmocka_unit_test(test_arena_reset_keeps_working),
        cmocka_unit_test(test_arena_strndup_and_null),
        cmocka_unit_test(test_arena_grow_doubles_and_keeps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
