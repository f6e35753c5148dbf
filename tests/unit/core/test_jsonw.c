#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/jsonw.h"

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

/* what jansson writes for @j, compact */
static void assert_same_as_jansson(const char *ours, json_t *j)
{
    char *theirs = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

    assert_non_null(theirs);
    assert_non_null(ours);
    assert_string_equal(ours, theirs);
    free(theirs);
    json_decref(j);
}

static void test_jsonw_nested_matches_jansson(void **state)
{
    JsonW w;

    jsonw_init(&w, *state, 1 << 16);
    jsonw_object(&w);
    jsonw_kint(&w, "id", 5000);
    jsonw_kint(&w, "neg", INT64_MIN);
    jsonw_kint(&w, "max", INT64_MAX);
    jsonw_kint(&w, "zero", 0);
    jsonw_kstring(&w, "name", "张三");
    jsonw_kstring(&w, "none", NULL);
    jsonw_key(&w, "empty");
    jsonw_array(&w);
    jsonw_array_end(&w);
    jsonw_key(&w, "obj");
    jsonw_object(&w);
    jsonw_object_end(&w);
    jsonw_key(&w, "list");
    jsonw_array(&w);
    jsonw_string(&w, "a");
    jsonw_int(&w, -7);
    jsonw_bool(&w, true);
    jsonw_bool(&w, false);
    jsonw_null(&w);
    jsonw_object(&w);
    jsonw_kstring(&w, "k", "v");
    jsonw_key(&w, "in");
    jsonw_array(&w);
    jsonw_array(&w);
    jsonw_int(&w, 1);
    jsonw_array_end(&w);
    jsonw_int(&w, 2);
    jsonw_array_end(&w);
    jsonw_object_end(&w);
    jsonw_stringn(&w, "abcdef", 3);
    jsonw_array_end(&w);
    jsonw_kint(&w, "last", 1);
    jsonw_object_end(&w);
    assert_same_as_jansson(
        jsonw_finish(&w, NULL),
        json_pack("{s:i, s:I, s:I, s:i, s:s, s:n, s:[], s:{}, s:[s, i, b, b, n, {s:s, s:[[i], i]}, s#], s:i}",
                  "id", 5000, "neg", (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX, "zero", 0,
                  "name", "张三", "none", "empty", "obj", "list", "a", -7, 1, 0, "k", "v", "in", 1, 2,
                  "abcdef", (size_t)3, "last", 1));
}

static void test_jsonw_escapes_match_jansson(void **state)
{
    static const char *const cases[] = {
        "", "plain", "quote \" and back\\slash", "/slash/", "tab\there\nnew\rline\b\f",
        "\x01\x02\x1f\x7f", "中文、标点：“引号”", "emoji \xF0\x9F\x98\x80 end", "\xC2\xA0nbsp",
        "\xE2\x80\xA8 line separator", "\xEF\xBF\xBF max bmp", "\xF4\x8F\xBF\xBF max",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        JsonW w;

        jsonw_init(&w, *state, 4096);
        jsonw_array(&w);
        jsonw_string(&w, cases[i]);
        jsonw_array_end(&w);
        assert_same_as_jansson(jsonw_finish(&w, NULL), json_pack("[s]", cases[i]));
    }
}

/*
 * Random byte strings, biased towards what the fast paths look at (three-byte
 * characters, E0/ED leads, continuation bytes, escapes): ours equals
 * jansson's text when jansson takes the string, and fails when it refuses it;
 * the same string as a key too.
 */
static void test_jsonw_random_strings_match_jansson(void **state)
{
    static const unsigned char pool[] = {
        'a', 'Z', ' ', '"', '\\', '/', '\n', 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xA0, 0x9F,
        0xC2, 0xDF, 0xE0, 0xE1, 0xE4, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xB8, 0xAD,
    };
    unsigned seed = 12345;
    int accepted = 0, refused = 0;

    for (int round = 0; round < 20000; round++) {
        char str[24];
        size_t len;
        json_t *js;
        JsonW w;
        const char *ours;

        seed = seed * 1103515245u + 12345u;
        len = (seed >> 16) % (sizeof(str) - 1);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            str[i] = (char)pool[(seed >> 16) % sizeof(pool)];
        }
        str[len] = '\0';
        js = json_string(str);
        jsonw_init(&w, *state, 4096);
        jsonw_object(&w);
        jsonw_kstring(&w, str, str);
        jsonw_object_end(&w);
        ours = jsonw_finish(&w, NULL);
        if (!js) {
            assert_null(ours);
            refused++;
            continue;
        }
        accepted++;
        assert_same_as_jansson(ours, json_pack("{s:o}", str, js));
    }
    assert_true(accepted > 1000);
    assert_true(refused > 1000);
}

/* every string jansson refuses, we refuse: the whole text is NULL */
static void test_jsonw_invalid_utf8_fails(void **state)
{
    static const char *const cases[] = {
        "\x80", "a\xBF", "\xC0\xAF", "\xC1\xBF", "\xC3", "\xE0\x80\xAF", "\xE4\xB8",
        "\xED\xA0\x80" /* a surrogate */, "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
        "\xFF", "ok then \xE4\xB8 bad",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        JsonW w;

        assert_null(json_string(cases[i])); /* the reference agrees it is invalid */
        jsonw_init(&w, *state, 4096);
        jsonw_object(&w);
        jsonw_kstring(&w, "k", cases[i]);
        jsonw_object_end(&w);
        assert_null(jsonw_finish(&w, NULL));
    }
}

static void test_jsonw_overflow_fails(void **state)
{
    JsonW w;

    jsonw_init(&w, *state, 16);
    jsonw_array(&w);
    for (int i = 0; i < 10; i++)
        jsonw_int(&w, 123456);
    jsonw_array_end(&w);
    assert_null(jsonw_finish(&w, NULL));
}

static void test_jsonw_too_deep_fails(void **state)
{
    JsonW w;

    jsonw_init(&w, *state, 4096);
    for (int i = 0; i < JSONW_MAX_DEPTH + 2; i++)
        jsonw_array(&w);
    for (int i = 0; i < JSONW_MAX_DEPTH + 2; i++)
        jsonw_array_end(&w);
    assert_null(jsonw_finish(&w, NULL));
}

static void test_jsonw_format_int(void **state)
{
    char buf[24];
    size_t n;

    (void)state;
    n = jsonw_format_int(buf, -9223372036854775807LL - 1);
    buf[n] = '\0';
    assert_string_equal(buf, "-9223372036854775808");
    n = jsonw_format_int(buf, 0);
    buf[n] = '\0';
    assert_string_equal(buf, "0");
    n = jsonw_format_int(buf, 42);
    buf[n] = '\0';
    assert_string_equal(buf, "42");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jsonw_nested_matches_jansson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonw_escapes_match_jansson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonw_invalid_utf8_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonw_random_strings_match_jansson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonw_overflow_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonw_too_deep_fails, setup, teardown),
        cmocka_unit_test(test_jsonw_format_int),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
