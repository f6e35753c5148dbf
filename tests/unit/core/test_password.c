#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/password.h"

static const struct {
    const char *password;
    const char *username;
    bool demo;
    bool ok;
} cases[] = {
    { "secret-123", "wang", false, true },
    { "Tz9!kq2#Lm", NULL, false, true },
    { "春眠不觉晓处处闻啼鸟", NULL, false, true },    /* Chinese characters count as bytes */
    { "short1!", NULL, false, false },                /* seven bytes */
    { "", NULL, false, false },
    { "password", NULL, false, false },               /* the list */
    { "PassWord1", NULL, false, false },              /* the list, case-insensitively */
    { "woaini1314", NULL, false, false },
    { "1qaz2wsx", NULL, false, false },
    { "12345678", NULL, false, false },               /* a run of digits */
    { "87654321", NULL, false, false },               /* backwards */
    { "qwertyuiop", NULL, false, false },             /* a keyboard row */
    { "HIJKLMNOP", NULL, false, false },              /* the alphabet */
    { "88888888", NULL, false, false },               /* one character */
    { "abababab1", NULL, false, false },              /* three different characters */
    { "linli2026", NULL, false, false },              /* the demo password */
    { "LINLI2026", NULL, false, false },
    { "linli2027", NULL, false, false },
    { "linli2026", NULL, true, true },                /* allowed in the demo */
    { "linli-garden-7", NULL, false, true },          /* "linli" with more than digits */
    { "password", NULL, true, false },                /* common ones are refused in the demo too */
    { "zhangsan-2024", "zhangsan", false, false },    /* contains the username */
    { "x-ZhangSan-9", "zhangsan", false, false },
    { "ab-cd-ef-12", "ab", false, true },             /* too short a username to matter */
    { "tab\there-123", NULL, false, false },          /* a control character */
    { "bad\xC0\xAF-utf8-1", NULL, false, false },     /* not UTF-8 */
};

static void test_password_check_cases(void **state)
{
    Arena *a = arena_new(0);
    char longest[PASSWORD_MAX_BYTES + 2];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        Error *err = password_check(a, "password", cases[i].password, cases[i].username,
                                    cases[i].demo);

        if ((err == NULL) != cases[i].ok)
            fail_msg("case %zu (%s): expected %s", i, cases[i].password,
                     cases[i].ok ? "ok" : "refused");
        if (err) {
            assert_string_equal(err->field, "password");
            assert_string_equal(err->code, "weak_password");
            assert_int_equal(err->status, 422);
            assert_non_null(err->message);
        }
    }
    memset(longest, 'k', sizeof(longest) - 1);
    memcpy(longest, "Ab3$x", 5);
    longest[PASSWORD_MAX_BYTES] = '\0';
    assert_null(password_check(a, "p", longest, NULL, false));
    longest[PASSWORD_MAX_BYTES] = 'k';
    longest[PASSWORD_MAX_BYTES + 1] = '\0';
    assert_non_null(password_check(a, "p", longest, NULL, false));
    assert_non_null(password_check(a, "p", NULL, NULL, false));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_check_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
