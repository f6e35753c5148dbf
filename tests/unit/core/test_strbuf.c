#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/strbuf.h"

static int setup(void **state)
{
    *state = arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static void test_strbuf_grows(void **state)
{
    StrBuf sb;
    size_t len;
    const char *s;

    strbuf_init(&sb, *state, 1 << 20);
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&sb, "%d,", i);
    s = strbuf_finish(&sb, &len);
    assert_non_null(s);
    assert_int_equal(len, strlen(s));
    assert_memory_equal(s, "0,1,2,", 6);
    assert_non_null(strstr(s, "999,"));
}

static void test_strbuf_overflow_is_sticky(void **state)
{
    StrBuf sb;

    strbuf_init(&sb, *state, 8);
    strbuf_adds(&sb, "12345");
    strbuf_adds(&sb, "6789");  /* passes 8 */
    strbuf_adds(&sb, "a");     /* would fit, but the flag stays */
    assert_true(sb.overflow);
    assert_null(strbuf_finish(&sb, NULL));
}

static void test_strbuf_exact_max(void **state)
{
    StrBuf sb;

    strbuf_init(&sb, *state, 4);
    strbuf_adds(&sb, "abcd");
    assert_string_equal(strbuf_finish(&sb, NULL), "abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_strbuf_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strbuf_overflow_is_sticky, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strbuf_exact_max, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
