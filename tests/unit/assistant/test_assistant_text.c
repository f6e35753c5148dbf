/* Folding, word breaks, pinyin, synonyms and terms (core/text.c, assistant_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "assistant/assistant_index.h"
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

static const struct {
    const char *in;
    const char *out;
} folds[] = {
    { "ＡＰＰ怎么用", "app怎么用" },                 /* full width, case */
    { "醫療保險怎麼報銷", "医疗保险怎么报销" },     /* Traditional -> Simplified */
    { "老公房裝電梯", "老公房装电梯" },
    { "  低保  ", "低保" },
    { "１２０急救", "120急救" },
    { "", "" },
};

static void test_text_fold_cases(void **state)
{
    Arena *a = *state;

    for (size_t i = 0; i < ARRAY_SIZE(folds); i++) {
        const char *got = text_fold(a, folds[i].in);

        if (!got || strcmp(got, folds[i].out) != 0)
            fail_msg("fold '%s': got '%s', want '%s'", folds[i].in, got ? got : "(null)",
                     folds[i].out);
    }
    assert_null(text_fold(a, "\xE4\xBD"));  /* cut in the middle of a character */
}

static bool has_word(const char *text, const TextWord *w, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++)
        if (w[i].len == strlen(word) && memcmp(text + w[i].off, word, w[i].len) == 0)
            return true;
    return false;
}

static void test_text_words_chinese(void **state)
{
    Arena *a = *state;
    const char *s = "我要申请低保，怎么办？";
    TextWord *w;
    size_t n = text_words(a, s, &w);

    assert_true(n >= 3);
    assert_true(has_word(s, w, n, "申请"));
    assert_true(has_word(s, w, n, "低保") || has_word(s, w, n, "低"));
    assert_false(has_word(s, w, n, "，"));  /* punctuation is not a word */
    for (size_t i = 0; i < n; i++)
        assert_true(w[i].off + w[i].len <= strlen(s));
}

static void test_text_words_mixed(void **state)
{
    Arena *a = *state;
    const char *s = "反诈APP 2024版";
    TextWord *w;
    size_t n = text_words(a, s, &w);
    bool letters = false, number = false;

    for (size_t i = 0; i < n; i++) {
        letters = letters || (w[i].kind == TEXT_WORD_LETTER && w[i].len == 3);
        number = number || w[i].kind == TEXT_WORD_NUMBER;
    }
    assert_true(letters);
    assert_true(number);
    assert_int_equal(text_words(a, "", &w), 0);
    assert_int_equal(text_words(a, "\xFF", &w), 0);
}

static void test_text_pinyin_homophones(void **state)
{
    (void)state;
    /* 低 and 底 sound alike: a pinyin keyboard puts one for the other */
    assert_string_equal(text_pinyin(0x4F4E), "di");   /* 低 */
    assert_string_equal(text_pinyin(0x5E95), "di");   /* 底 */
    assert_string_equal(text_pinyin(0x533B), "yi");   /* 医 */
    assert_string_equal(text_pinyin(0x4EE5), "yi");   /* 以 */
    assert_null(text_pinyin('a'));
    assert_true(text_is_han(0x4F4E));
    assert_false(text_is_han('a'));
    assert_true(text_is_alnum(0x4F4E));
    assert_false(text_is_alnum(0x1F600));             /* an emoji */
}

static bool has_term(const Term *t, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].len == strlen(key) && memcmp(t[i].key, key, t[i].len) == 0)
            return true;
    return false;
}

static const TermOptions FULL = { .words = true, .pinyin = true };

static void test_terms_kinds(void **state)
{
    Arena *a = *state;
    Term *t;
    size_t n = assistant_terms(a, "低保怎么申请", &FULL, &t);

    assert_true(has_term(t, n, "w低保") || has_term(t, n, "w申请"));
    assert_true(has_term(t, n, "b低保"));
    assert_true(has_term(t, n, "b申请"));
    assert_true(has_term(t, n, "u低"));
    assert_false(has_term(t, n, "u么"));   /* a function character is no term alone */
    assert_true(has_term(t, n, "b怎么"));  /* but stays in bigrams */
    assert_true(has_term(t, n, "pdi|bao"));
    assert_true(has_term(t, n, "pshen|qing"));
}

static void test_terms_weights(void **state)
{
    Arena *a = *state;
    Term *t;
    size_t n = assistant_terms(a, "低保怎么申请", &FULL, &t);
    double content = 0, function = 0;

    for (size_t i = 0; i < n; i++) {
        if (t[i].len == strlen("b低保") && memcmp(t[i].key, "b低保", t[i].len) == 0)
            content = t[i].weight;
        if (t[i].len == strlen("b保怎") && memcmp(t[i].key, "b保怎", t[i].len) == 0)
            function = t[i].weight;
    }
    assert_true(content > 0);
    assert_true(function > 0);
    assert_true(function < content);  /* across words, with a function character */
}

static bool is_pinyin(const void *ctx, const char *s, size_t len)
{
    static const char *const known[] = { "di", "bao", "gong", "zu", "fang", "xian" };

    (void)ctx;
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        if (strlen(known[i]) == len && memcmp(known[i], s, len) == 0)
            return true;
    return false;
}

static void test_terms_pinyin_typed(void **state)
{
    Arena *a = *state;
    const TermOptions opt = { .words = true, .pinyin = true, .is_syllable = is_pinyin };
    Term *t;
    size_t n;

    n = assistant_terms(a, "dibao", &opt, &t);
    assert_true(has_term(t, n, "adibao"));
    assert_true(has_term(t, n, "pdi|bao"));
    n = assistant_terms(a, "gong zu fang 申请", &opt, &t);
    assert_true(has_term(t, n, "pgong|zu"));
    assert_true(has_term(t, n, "pzu|fang"));
    n = assistant_terms(a, "hello", &opt, &t);
    assert_true(has_term(t, n, "ahello"));
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(t[i].kind, TERM_PINYIN);
}

static void test_terms_no_text(void **state)
{
    Arena *a = *state;
    Term *t;

    assert_int_equal(assistant_terms(a, "\xF0\x9F\x98\x80\xF0\x9F\x99\x8F", &FULL, &t), 0);  /* emoji */
    assert_int_equal(assistant_terms(a, "？！。", &FULL, &t), 0);
    assert_int_equal(assistant_terms(a, "", &FULL, &t), 0);
}

static void test_synonyms_rewrite(void **state)
{
    Arena *a = *state;
    const char *terms[] = { "医疗保险", "基本医疗保险", "app", "娃", "醫療保險" };
    const char *canon[] = { "医保", "医保", "应用", "孩子", "医保" };
    Synonyms *syn = synonyms_new(a, terms, canon, ARRAY_SIZE(terms));

    assert_string_equal(synonyms_rewrite(syn, a, "医疗保险怎么报销"), "医保怎么报销");
    assert_string_equal(synonyms_rewrite(syn, a, "基本医疗保险"), "医保");  /* the longest */
    assert_string_equal(synonyms_rewrite(syn, a, "娃上学"), "孩子上学");
    assert_string_equal(synonyms_rewrite(syn, a, "app怎么用"), "应用怎么用");
    assert_string_equal(synonyms_rewrite(syn, a, "happy"), "happy");      /* whole words only */
    assert_string_equal(synonyms_rewrite(NULL, a, "医疗保险"), "医疗保险");
    assert_string_equal(assistant_normalize(a, syn, "醫療保險", NULL), "医保");   /* folded first */
    assert_null(assistant_normalize(a, syn, "\xC3", NULL));
}

/* A canonical form holding its own variant is not rewritten again (在哪里 -> 在哪里里). */
static void test_synonyms_canonical_holds_variant(void **state)
{
    Arena *a = *state;
    const char *terms[] = { "在哪", "装电梯" };
    const char *canon[] = { "在哪里", "加装电梯" };
    Synonyms *syn = synonyms_new(a, terms, canon, ARRAY_SIZE(terms));

    assert_string_equal(synonyms_rewrite(syn, a, "在哪办"), "在哪里办");
    assert_string_equal(synonyms_rewrite(syn, a, "在哪里办"), "在哪里办");
    assert_string_equal(synonyms_rewrite(syn, a, "老楼想装电梯"), "老楼想加装电梯");
    assert_string_equal(synonyms_rewrite(syn, a, "老楼想加装电梯"), "老楼想加装电梯");
    /* rewriting is then stable: a second pass changes nothing */
    assert_string_equal(synonyms_rewrite(syn, a, synonyms_rewrite(syn, a, "在哪装电梯")),
                        "在哪里加装电梯");
}

static void test_synonyms_scale(void **state)
{
    Arena *a = *state;
    const char *terms[] = { "电动车", "医疗保险" };
    const char *canon[] = { "电动自行车", "医保" };
    Synonyms *syn = synonyms_new(a, terms, canon, ARRAY_SIZE(terms));
    float *scale = NULL;
    const char *out;

    out = synonyms_rewrite_scaled(syn, a, "电动车被偷", &scale);
    assert_string_equal(out, "电动自行车被偷");
    assert_non_null(scale);
    assert_true(scale[0] > 0.59f && scale[0] < 0.61f);   /* three characters for five */
    assert_true(scale[strlen("电动自行车")] == 1.0f);     /* 被 is the resident's own */
    out = synonyms_rewrite_scaled(syn, a, "医疗保险", &scale);
    assert_true(scale[0] == 1.0f);                        /* a shorter form weighs no more */
    out = synonyms_rewrite_scaled(syn, a, "低保", &scale);
    assert_null(scale);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_fold_cases),
        cmocka_unit_test(test_text_words_chinese),
        cmocka_unit_test(test_text_words_mixed),
        cmocka_unit_test(test_text_pinyin_homophones),
        cmocka_unit_test(test_terms_kinds),
        cmocka_unit_test(test_terms_weights),
        cmocka_unit_test(test_terms_pinyin_typed),
        cmocka_unit_test(test_terms_no_text),
        cmocka_unit_test(test_synonyms_rewrite),
        cmocka_unit_test(test_synonyms_canonical_holds_variant),
        cmocka_unit_test(test_synonyms_scale),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);

    text_shutdown();
    return rc;
}
