/* Questions and entries as people send them (assistant_validate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "assistant/assistant.h"
#include "core/text.h"

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

static char long_text[3 * 501 + 1];

static const struct {
    const char *in;
    const char *code;  /* NULL: accepted */
    const char *out;
} questions[] = {
    { "低保怎么申请", NULL, "低保怎么申请" },
    { "  低保怎么申请？ \n", NULL, "低保怎么申请？" },
    { "\xE3\x80\x80低保\xE3\x80\x80", NULL, "低保" },          /* ideographic spaces */
    { "第一行\n第二行", NULL, "第一行 第二行" },                  /* line breaks become spaces */
    { "", "empty_question", NULL },
    { "   \t  ", "empty_question", NULL },
    { "\xE3\x80\x80\xE3\x80\x80", "empty_question", NULL },
    { "\xF0\x9F\x98\x80\xF0\x9F\x99\x8F", "no_text", NULL },     /* emoji only */
    { "？？？！！", "no_text", NULL },
    { "低保\x07", "invalid_text", NULL },                        /* a control character */
    { "低\xFF保", "invalid_text", NULL },                         /* not UTF-8 */
    { "\xC0\xAF", "invalid_text", NULL },                         /* overlong */
};

static void test_check_question_cases(void **state)
{
    Arena *a = *state;

    for (size_t i = 0; i < ARRAY_SIZE(questions); i++) {
        const char *out = NULL;
        Error *err = assistant_check_question(a, "question", questions[i].in, &out);

        if (!questions[i].code) {
            if (err)
                fail_msg("'%s' rejected: %s", questions[i].in, err->code);
            assert_string_equal(out, questions[i].out);
            continue;
        }
        if (!err)
            fail_msg("case %zu accepted, want %s", i, questions[i].code);
        assert_string_equal(err->code, questions[i].code);
        assert_int_equal(err->status, 422);
        assert_string_equal(err->field, "question");
        assert_true((unsigned char)err->message[0] >= 0xE4);  /* a Chinese message */
    }
}

static void test_check_question_length(void **state)
{
    Arena *a = *state;
    const char *out;
    Error *err;

    for (int i = 0; i < 500; i++)
        memcpy(long_text + 3 * i, "问", 3);
    long_text[3 * 500] = '\0';
    err = assistant_check_question(a, "question", long_text, &out);
    assert_null(err);  /* 500 characters: fine */
    memcpy(long_text + 3 * 500, "问", 3);
    long_text[3 * 501] = '\0';
    err = assistant_check_question(a, "question", long_text, &out);
    assert_non_null(err);  /* 501: refused, not cut */
    assert_string_equal(err->code, "question_too_long");
}

static json_t *parse(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    assert_non_null(j);
    return j;
}

static const struct {
    const char *json;
    bool partial;
    const char *code;   /* NULL: accepted */
    const char *field;
} entries[] = {
    { "{\"id\":\"K001\",\"section\":\"便民服务\",\"question\":\"问\",\"answer\":\"答\"}", false, NULL, NULL },
    { "{\"section\":\"便民服务\",\"question\":\"问\",\"answer\":\"答\",\"alternatives\":[\"另一问\"],"
      "\"keywords\":\"低保\",\"valid_until\":\"2030-01-01\",\"scope\":\"310105004017\"}", false, NULL, NULL },
    { "{\"section\":\"便民服务\",\"question\":\"问\"}", false, "missing_field", "answer" },
    { "{\"section\":\"便民服务\",\"question\":\"  \",\"answer\":\"答\"}", false, "missing_field", "question" },
    { "{\"section\":\"s\",\"question\":\"问\",\"answer\":\"答\",\"colour\":1}", false, "unknown_field", "colour" },
    { "{\"id\":\"K 1\",\"section\":\"s\",\"question\":\"问\",\"answer\":\"答\"}", false, "invalid_id", "id" },
    { "{\"section\":\"s\",\"question\":\"问\",\"answer\":\"答\",\"scope\":\"3101\"}", false, "invalid_scope", "scope" },
    { "{\"section\":\"s\",\"question\":\"问\",\"answer\":\"答\",\"valid_until\":\"2030-02-30\"}", false, "invalid_date", "valid_until" },
    { "{\"section\":\"s\",\"question\":\"问\",\"answer\":\"答\",\"alternatives\":\"x\"}", false, "invalid_type", "alternatives" },
    { "{\"section\":\"s\",\"question\":\"问\",\"answer\":\"答\",\"alternatives\":[\"a\",3]}", false, "invalid_type", "alternatives[1]" },
    { "{\"section\":\"s\",\"question\":1,\"answer\":\"答\"}", false, "invalid_type", "question" },
    { "{\"answer\":\"新的回答\"}", true, NULL, NULL },
    { "{\"answer\":\"\"}", true, "missing_field", "answer" },
};

static void test_entry_from_json_cases(void **state)
{
    Arena *a = *state;

    for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
        json_t *j = parse(entries[i].json);
        KbEntry e = { 0 };
        unsigned set = 0;
        Error *err = assistant_entry_from_json(a, j, entries[i].partial, &e, &set);

        if (!entries[i].code) {
            if (err)
                fail_msg("case %zu rejected: %s %s", i, err->code, err->field ? err->field : "");
        } else {
            if (!err)
                fail_msg("case %zu accepted, want %s", i, entries[i].code);
            assert_string_equal(err->code, entries[i].code);
            assert_string_equal(err->field, entries[i].field);
        }
        json_decref(j);
    }
}

static void test_entry_json_round_trip(void **state)
{
    Arena *a = *state;
    json_t *j = parse("{\"id\":\"K9\",\"section\":\"便民服务\",\"question\":\"问\",\"answer\":\"答\","
                      "\"alternatives\":[\"甲\",\"乙\"],\"scope\":\"310105004\"}");
    KbEntry e = { 0 };
    json_t *out;

    assert_null(assistant_entry_from_json(a, j, false, &e, NULL));
    assert_int_equal(e.n_alternatives, 2);
    assert_string_equal(e.keywords, "");
    out = assistant_entry_json(a, &e);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "K9");
    assert_int_equal(json_array_size(json_object_get(out, "alternatives")), 2);
    assert_true(json_is_null(json_object_get(out, "valid_until")));
    assert_string_equal(json_string_value(json_object_get(out, "scope")), "310105004");
    json_decref(out);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_question_cases),
        cmocka_unit_test(test_check_question_length),
        cmocka_unit_test(test_entry_from_json_cases),
        cmocka_unit_test(test_entry_json_round_trip),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);

    text_shutdown();
    return rc;
}
