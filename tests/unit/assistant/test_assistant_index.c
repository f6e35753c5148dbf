/* Ranking, confidence, scope and validity of the assistant's index (assistant_index.c). */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "assistant/assistant_index.h"
#include "core/text.h"

static const char *const ALT_K3[] = { "老年人乘车卡" };

static const KbDoc KB[] = {
    { "K1", "福利帮扶", "家里收入很低，想申请低保，该怎么申请？",
      "低保向户籍所在地的街道社区事务受理服务中心申请，带身份证和户口簿。", NULL, NULL, 0, NULL, "" },
    { "K2", "健康医疗", "我要去外地长期居住，在外地看病医疗保险怎么办？",
      "出发前办理异地就医备案，备案后可以直接刷卡结算。", NULL, NULL, 0, NULL, "" },
    { "K3", "养老助残", "老人的敬老卡怎么办？", "满60周岁的老人带身份证到社区办理敬老卡。",
      "敬老卡 老年优待证", ALT_K3, 1, NULL, "" },
    { "K4", "物业与居住", "我们老小区想加装电梯，需要多少户同意？",
      "一般需要本单元三分之二以上业主同意。", NULL, NULL, 0, NULL, "" },
    { "K5", "就业社保", "我是自己主动辞职的，能领失业金吗？", "主动辞职一般不能领取失业保险金。",
      NULL, NULL, 0, NULL, "" },
    { "K6", "便民服务", "社区活动室怎么预约？", "幸福社区的活动室在居委会二楼，电话预约。",
      NULL, NULL, 0, NULL, "310105004017" },
    { "K7", "便民服务", "国庆节社区便民集市几点开始？", "国庆节当天上午九点开始。",
      NULL, NULL, 0, "2020-10-07", "" },
    { "K8", "政策法规", "反诈APP要不要装？怎么用？", "建议安装国家反诈中心APP。", NULL, NULL, 0, NULL, "" },
};

static AssistantIndex *ix;
static Arena *arena;

static int setup(void **state)
{
    Arena *syn_arena = arena_new(0);
    const char *terms[] = { "医疗保险", "居民身份证" };
    const char *canon[] = { "医保", "身份证" };
    Synonyms *syn = synonyms_new(syn_arena, terms, canon, 2);

    (void)state;
    ix = assistant_index_build(KB, ARRAY_SIZE(KB), syn_arena, syn);
    arena = arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assistant_index_free(ix);
    arena_free(arena);
    return 0;
}

static size_t ask(const char *q, const char *scope, const char *today, AssistantHit *hits)
{
    AssistantQuery query = { .scope = scope, .today = today, .top = ASSISTANT_TOP };

    return assistant_index_search(ix, arena, q, &query, hits);
}

/* Questions as residents type them, and the entry that answers each. */
static const struct {
    const char *q;
    const char *id;
} answered[] = {
    { "家里收入很低，想申请低保，该怎么申请？", "K1" },   /* the entry itself */
    { "低保咋申请", "K1" },                             /* short, colloquial */
    { "家裡收入很低，想申請低保", "K1" },                 /* Traditional characters */
    { "底保怎么申请", "K1" },                           /* a homophone typo: 底 for 低 */
    { "dibao 怎么申请", "K1" },                         /* pinyin typed in */
    { "我要去外地长期住，医保怎么办", "K2" },             /* 医保 = 医疗保险, a synonym */
    { "以保在外地能用吗 我要去外地长期居住", "K2" },       /* 以 for 医 */
    { "老年人乘车卡在哪办", "K3" },                      /* an alternative phrasing */
    { "老小区装电梯要多少户同意", "K4" },
    { "自己辞职的能拿失业金伐", "K5" },
    { "反诈ＡＰＰ怎么用", "K8" },                        /* full-width letters */
    { "我家是老小区，楼里好多老人腿脚不好，大家商量着想加装电梯，听说要业主同意，到底要多少户同意才行啊",
      "K4" },                                          /* long and rambling */
};

static void test_index_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(answered); i++) {
        AssistantHit hits[ASSISTANT_TOP];
        size_t n = ask(answered[i].q, NULL, NULL, hits);

        if (n == 0 || strcmp(hits[0].id, answered[i].id) != 0)
            fail_msg("'%s': got %s, want %s", answered[i].q, n ? hits[0].id : "nothing",
                     answered[i].id);
        if (assistant_confidence(hits, n) < ASSISTANT_THRESHOLD)
            fail_msg("'%s': confidence %.3f below the threshold", answered[i].q,
                     assistant_confidence(hits, n));
        assert_true(hits[0].score <= 1.0);
        for (size_t k = 1; k < n; k++)
            assert_string_not_equal(hits[k].id, hits[0].id);  /* one hit per entry */
    }
}

static const char *const unanswerable[] = {
    "明天会下雨吗",
    "附近哪家火锅店好吃",
    "股票什么时候涨",
    "hello",
};

static void test_index_says_it_does_not_know(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(unanswerable); i++) {
        AssistantHit hits[ASSISTANT_TOP];
        size_t n = ask(unanswerable[i], NULL, NULL, hits);

        if (n > 0 && assistant_confidence(hits, n) >= ASSISTANT_THRESHOLD)
            fail_msg("'%s': answered %s with confidence %.3f", unanswerable[i], hits[0].id,
                     assistant_confidence(hits, n));
    }
}

/* Spoken fillers (请问下, 俺, 打听一下, 哈, 那个, 呢) do not change the answer. */
static void test_index_fillers(void **state)
{
    static const struct {
        const char *plain, *padded;
    } pairs[] = {
        { "低保怎么申请", "请问下 俺想打听一下哈 那个低保怎么申请呢" },
        { "医保在外地怎么用", "麻烦问一下，咱们那个医保在外地到底怎么用啊" },
        { "反诈APP怎么用", "您好 请教一下 反诈APP具体怎么用哈" },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
        AssistantHit plain[ASSISTANT_TOP], padded[ASSISTANT_TOP];
        size_t n = ask(pairs[i].plain, NULL, NULL, plain);
        size_t m = ask(pairs[i].padded, NULL, NULL, padded);

        assert_true(n > 0 && m > 0);
        if (strcmp(plain[0].id, padded[0].id) != 0)
            fail_msg("'%s': %s, but '%s': %s", pairs[i].plain, plain[0].id, pairs[i].padded,
                     padded[0].id);
        /* still answered, where the bare question is answered clearly */
        if (assistant_confidence(plain, n) > 0.9 && assistant_confidence(padded, m) < ASSISTANT_THRESHOLD)
            fail_msg("'%s': confidence %.3f, '%s': %.3f", pairs[i].padded,
                     assistant_confidence(padded, m), pairs[i].plain, assistant_confidence(plain, n));
    }
}

/* The confidence adds half the best entry's lead over the next, within [0, 1]. */
static void test_index_confidence_margin(void **state)
{
    AssistantHit h[3] = { { .score = 0.5 }, { .score = 0.5 }, { .score = 0.1 } };

    (void)state;
    assert_true(fabs(assistant_confidence(h, 3) - 0.5) < 1e-9);   /* two alike: no lead */
    h[1].score = 0.1;
    assert_true(fabs(assistant_confidence(h, 3) - 0.7) < 1e-9);
    assert_true(fabs(assistant_confidence(h, 1) - 0.75) < 1e-9);  /* alone: leads by all */
    h[0].score = 0.9;
    assert_true(assistant_confidence(h, 2) == 1.0);
    h[0].score = 0.1;
    h[1].score = 0.9;                                             /* ranked first on BM25 */
    assert_true(assistant_confidence(h, 2) == 0.0);
    assert_true(assistant_confidence(h, 0) == 0.0);
    /* one below the threshold alone and one above it with a clear lead */
    h[0] = (AssistantHit){ .score = 0.36 };
    h[1] = (AssistantHit){ .score = 0.35 };
    assert_true(assistant_confidence(h, 2) < ASSISTANT_THRESHOLD);
    h[1].score = 0.15;
    assert_true(assistant_confidence(h, 2) >= ASSISTANT_THRESHOLD);
}

static void test_index_nothing_to_match(void **state)
{
    AssistantHit hits[ASSISTANT_TOP];

    (void)state;
    assert_int_equal(ask("\xF0\x9F\x98\x80", NULL, NULL, hits), 0);
    assert_int_equal(ask("", NULL, NULL, hits), 0);
    assert_int_equal(ask("\xFF\xFE", NULL, NULL, hits), 0);
}

static void test_index_scope(void **state)
{
    AssistantHit hits[ASSISTANT_TOP];
    size_t n;

    (void)state;
    n = ask("社区活动室怎么预约", "310105004017", NULL, hits);   /* in the community */
    assert_true(n > 0);
    assert_string_equal(hits[0].id, "K6");
    n = ask("社区活动室怎么预约", "310105004", NULL, hits);      /* its street sees no more */
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(hits[i].id, "K6");
    n = ask("社区活动室怎么预约", "310105004018", NULL, hits);   /* another community */
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(hits[i].id, "K6");
}

static void test_index_valid_until(void **state)
{
    AssistantHit hits[ASSISTANT_TOP];
    size_t n;

    (void)state;
    n = ask("国庆节便民集市几点开始", NULL, "2020-10-07", hits);
    assert_true(n > 0);
    assert_string_equal(hits[0].id, "K7");
    n = ask("国庆节便民集市几点开始", NULL, "2020-10-08", hits);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(hits[i].id, "K7");
}

static void test_index_empty(void **state)
{
    AssistantIndex *empty = assistant_index_build(NULL, 0, NULL, NULL);
    AssistantQuery q = { .top = ASSISTANT_TOP };
    AssistantHit hits[ASSISTANT_TOP];

    (void)state;
    assert_int_equal(assistant_index_entries(empty), 0);
    assert_int_equal(assistant_index_search(empty, arena, "低保", &q, hits), 0);
    assistant_index_free(empty);
    assistant_index_free(NULL);
}

/*
 * A knowledge base large enough to be built by several threads in batches:
 * the sample's entries spread among fillers, built twice. Every question
 * finds its entry, with the same scores both times (the index does not
 * depend on which thread made which batch).
 */
#define BIG 3000

static void test_index_big_build(void **state)
{
    KbDoc *docs = calloc(BIG, sizeof(KbDoc));
    Arena *a = arena_new(0);
    AssistantIndex *big[2];
    AssistantQuery q = { .top = ASSISTANT_TOP };

    (void)state;
    assert_non_null(docs);
    for (size_t i = 0; i < BIG; i++) {
        docs[i] = (KbDoc){ arena_sprintf(a, "F%zu", i), "便民服务",
                           arena_sprintf(a, "第%zu号仓库的登记表格第%zu页", i, i % 37),
                           arena_sprintf(a, "表格第%zu页由%zu号窗口收取。", i % 37, i % 11),
                           NULL, NULL, 0, NULL, "" };
    }
    /* the real entries at the start, in the middle and in the last batch */
    for (size_t k = 0; k < ARRAY_SIZE(KB); k++)
        docs[(k * 1231) % BIG] = KB[k];
    for (int b = 0; b < 2; b++)
        big[b] = assistant_index_build(docs, BIG, NULL, NULL);
    assert_int_equal(assistant_index_entries(big[0]), BIG);
    assert_int_equal(assistant_index_terms(big[0]), assistant_index_terms(big[1]));
    for (size_t i = 0; i < ARRAY_SIZE(answered); i++) {
        AssistantHit h0[ASSISTANT_TOP], h1[ASSISTANT_TOP];
        size_t n0 = assistant_index_search(big[0], a, answered[i].q, &q, h0);
        size_t n1 = assistant_index_search(big[1], a, answered[i].q, &q, h1);

        /* no synonyms here: 医保 in a question does not meet 医疗保险 */
        if (strcmp(answered[i].id, "K2") != 0 && (n0 == 0 || strcmp(h0[0].id, answered[i].id) != 0))
            fail_msg("'%s': got %s, want %s", answered[i].q, n0 ? h0[0].id : "nothing", answered[i].id);
        assert_int_equal(n0, n1);
        for (size_t k = 0; k < n0; k++) {
            assert_string_equal(h0[k].id, h1[k].id);
            assert_true(h0[k].score == h1[k].score);
        }
    }
    assistant_index_free(big[0]);
    assistant_index_free(big[1]);
    arena_free(a);
    free(docs);
}

/* Many threads search one index at once and all get the same answers. */
static void *search_many(void *arg)
{
    Arena *a = arena_new(0);
    AssistantQuery q = { .top = ASSISTANT_TOP };
    AssistantHit hits[ASSISTANT_TOP];
    intptr_t bad = 0;

    (void)arg;
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < ARRAY_SIZE(answered); i++) {
            size_t n = assistant_index_search(ix, a, answered[i].q, &q, hits);

            if (n == 0 || strcmp(hits[0].id, answered[i].id) != 0)
                bad++;
            arena_reset(a);
        }
    }
    arena_free(a);
    return (void *)bad;
}

static void test_index_concurrent(void **state)
{
    pthread_t threads[4];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(threads); i++)
        assert_int_equal(pthread_create(&threads[i], NULL, search_many, NULL), 0);
    for (size_t i = 0; i < ARRAY_SIZE(threads); i++) {
        void *bad;

        assert_int_equal(pthread_join(threads[i], &bad), 0);
        assert_int_equal((intptr_t)bad, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_answers),
        cmocka_unit_test(test_index_says_it_does_not_know),
        cmocka_unit_test(test_index_fillers),
        cmocka_unit_test(test_index_confidence_margin),
        cmocka_unit_test(test_index_nothing_to_match),
        cmocka_unit_test(test_index_scope),
        cmocka_unit_test(test_index_valid_until),
        cmocka_unit_test(test_index_empty),
        cmocka_unit_test(test_index_concurrent),
        cmocka_unit_test(test_index_big_build),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);

    text_shutdown();
    return rc;
}
