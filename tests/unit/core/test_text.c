#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/text.h"

static const struct {
    const char *in;
    const char *out;
} initials[] = {
    { "张三", "zs" },
    { "李小明", "lxm" },
    { "王建国", "wjg" },
    { "欧阳娜娜", "oynn" },
    { "陈 Anna", "canna" },
    { "赵1号", "z1h" },
    { "", "" },
};

static void test_text_pinyin_initials(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(initials); i++) {
        const char *got = text_pinyin_initials(a, initials[i].in);

        if (strcmp(got, initials[i].out) != 0)
            fail_msg("initials of '%s': got '%s', want '%s'", initials[i].in, got, initials[i].out);
    }
    /* cached second lookup gives the same answer */
    assert_string_equal(text_pinyin_initials(a, "张三"), "zs");
    arena_free(a);
}

static void test_text_normalize_query(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    assert_string_equal(text_normalize_query(a, "ＺＳ"), "zs");
    assert_string_equal(text_normalize_query(a, "  １３９８ "), "1398");
    assert_string_equal(text_normalize_query(a, "\xE3\x80\x80张三\xE3\x80\x80"), "张三");
    assert_null(text_normalize_query(a, "\xFF\xFE"));
    arena_free(a);
}

static void test_text_trim(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    assert_string_equal(text_trim(a, " \t张三 \n"), "张三");
    assert_string_equal(text_trim(a, "   "), "");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_pinyin_initials),
        cmocka_unit_test(test_text_normalize_query),
        cmocka_unit_test(test_text_trim),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    text_shutdown();
    return rc;
}
