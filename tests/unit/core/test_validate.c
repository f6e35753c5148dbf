#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/validate.h"

static const struct {
    const char *in;
    bool ok;
} ids[] = {
    { "11010519491231002X", true },
    { "11010519491231002x", true },   /* lower-case x is normalised */
    { "310105195003021230", true },
    { "440304200002290014", true },   /* 29 February in a leap year */
    { "310105195003021231", false },  /* wrong check digit */
    { "11010519491231002", false },   /* 17 characters */
    { "1101051949123100201", false }, /* 19 characters */
    { "110105194912310A2X", false },  /* a letter in the body */
    { "990105194912310029", false },  /* no province 99 */
    { "310105195002301233", false },  /* 30 February */
    { "", false },
};

static const struct {
    const char *in;
    bool ok;
} phones[] = {
    { "13912345678", true },
    { "19912345678", true },
    { "1391234567", false },   /* ten digits */
    { "23912345678", false },  /* mobile numbers start with 1 */
    { "12912345678", false },  /* no 12x mobile numbers */
    { "1391234567a", false },
    { "021-12345678", true },  /* landline with area code */
    { "02112345678", true },
    { "0755-1234567", true },
    { "12345", false },
    { "021--1234567", false },
};

static const struct {
    const char *in;
    bool ok;
} dates[] = {
    { "1950-03-02", true },
    { "2000-02-29", true },
    { "1900-02-29", false },  /* 1900 was not a leap year */
    { "2023-02-29", false },
    { "2023-13-01", false },
    { "2023-1-01", false },
    { "20230101", false },
    { "1850-01-01", false },
};

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

static void test_validate_id_number_cases(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        const char *out = NULL;
        Error *err = validate_id_number(*state, "id_number", ids[i].in, &out);

        if ((err == NULL) != ids[i].ok)
            fail_msg("id number %s: expected %s", ids[i].in, ids[i].ok ? "valid" : "invalid");
        if (err) {
            assert_string_equal(err->field, "id_number");
            assert_int_equal(err->status, 422);
            assert_null(out);
        } else {
            assert_int_equal(strlen(out), 18);
            assert_true(out[17] != 'x');
        }
    }
}

static void test_id_number_birth_and_gender(void **state)
{
    char birth[11];

    (void)state;
    id_number_birth_date("11010519491231002X", birth);
    assert_string_equal(birth, "1949-12-31");
    assert_string_equal(id_number_gender("11010519491231002X"), "female"); /* 17th digit 2 */
    assert_string_equal(id_number_gender("310105195003021230"), "male");   /* 17th digit 3 */
    assert_int_equal(id_number_check_char("11010519491231002"), 'X');
    assert_int_equal(id_number_check_char("1101051949123100a"), '\0');
}

static void test_validate_phone_cases(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(phones); i++) {
        const char *out = NULL;
        Error *err = validate_phone(*state, "phone", phones[i].in, &out);

        if ((err == NULL) != phones[i].ok)
            fail_msg("phone %s: expected %s", phones[i].in, phones[i].ok ? "valid" : "invalid");
        if (err)
            assert_string_equal(err->field, "phone");
    }
}

static void test_validate_date_cases(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(dates); i++) {
        const char *out = NULL;
        Error *err = validate_date(*state, "birth_date", dates[i].in, &out);

        if ((err == NULL) != dates[i].ok)
            fail_msg("date %s: expected %s", dates[i].in, dates[i].ok ? "valid" : "invalid");
    }
}

static void test_validate_division_code(void **state)
{
    const char *out;

    assert_null(validate_division_code(*state, "community", "310105004017", &out));
    assert_null(validate_division_code(*state, "community", "310105004", &out));
    assert_null(validate_division_code(*state, "community", "310105", &out));
    assert_non_null(validate_division_code(*state, "community", "3101050040", &out));
    assert_non_null(validate_division_code(*state, "community", "31010500401x", &out));
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("张三abc", strlen("张三abc")));
    assert_false(utf8_valid("\xC0\xAF", 2));          /* overlong */
    assert_false(utf8_valid("\xE5\xBC", 2));          /* cut short */
    assert_false(utf8_valid("\xED\xA0\x80", 3));      /* surrogate */
    assert_false(utf8_valid("\xFF", 1));
    assert_int_equal(utf8_length("张三ab"), 4);
}

static void test_bidi_controls(void **state)
{
    static const char *const bad[] = {
        "\xE2\x80\xAE" "cod.exe",  /* U+202E RIGHT-TO-LEFT OVERRIDE */
        "张\xE2\x80\xAA三",        /* U+202A */
        "a\xE2\x81\xA6" "b",          /* U+2066 LRI */
        "a\xE2\x81\xA9",           /* U+2069 PDI */
        "\xE2\x80\x8F",            /* U+200F RLM */
        "x\xD8\x9C",                /* U+061C ALM */
    };
    static const char *const good[] = {
        "张三", "O'Brien", "\xE2\x80\x94",     /* U+2014 EM DASH shares the lead bytes */
        "\xE2\x81\xA5", "\xE2\x80\xAF",        /* U+2065, U+202F: just outside the ranges */
        "",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(text_has_bidi_control(bad[i]));
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_false(text_has_bidi_control(good[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validate_id_number_cases, setup, teardown),
        cmocka_unit_test(test_id_number_birth_and_gender),
        cmocka_unit_test_setup_teardown(test_validate_phone_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_date_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_division_code, setup, teardown),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_bidi_controls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
