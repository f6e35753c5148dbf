#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/mask.h"

static const struct {
    const char *in;
    const char *out;
} ids[] = {
    { "110105194912311234", "110***********1234" },
    { "11010519491231002X", "110***********002X" },
};

static const struct {
    const char *in;
    const char *out;
} phones[] = {
    { "13812345678", "138****5678" },
    { "021-12345678", "021****5678" },
    { "02112345678", "021****5678" },
};

static const struct {
    const char *in;
    const char *out;
} names[] = {
    { "张三", "张*" },
    { "欧阳小明", "欧***" },
    { "李", "李*" },
    { "Anna", "A***" },
};

static void test_mask_cases(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
        assert_string_equal(mask_id_number(a, ids[i].in), ids[i].out);
    for (size_t i = 0; i < ARRAY_SIZE(phones); i++)
        assert_string_equal(mask_phone(a, phones[i].in), phones[i].out);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        assert_string_equal(mask_name(a, names[i].in), names[i].out);
    assert_null(mask_phone(a, NULL));
    assert_null(mask_id_number(a, NULL));
    arena_free(a);
}

static void test_mask_never_shows_middle(void **state)
{
    Arena *a = arena_new(0);
    const char *m = mask_id_number(a, "310105195003021230");

    (void)state;
    assert_int_equal(strlen(m), 18);
    assert_null(strstr(m, "19500302"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_cases),
        cmocka_unit_test(test_mask_never_shows_middle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
