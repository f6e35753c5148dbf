#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "analytics/analytics.h"

/*
 * Three groups of 20 points in 3 dimensions around far-apart centres, the
 * points of a group spread by a fixed pattern (no randomness in the data).
 */
#define PER 20
#define D 3
static const double centres[3][D] = { { 0, 0, 0 }, { 10, 10, 0 }, { -10, 5, 10 } };

static void make_groups(double *x, int *truth)
{
    for (int g = 0; g < 3; g++)
        for (int i = 0; i < PER; i++) {
            int r = g * PER + i;

            for (int j = 0; j < D; j++)
                x[r * D + j] = centres[g][j] + 0.5 * sin(r * 1.7 + j * 2.3);
            truth[r] = g;
        }
}

static void test_analytics_kmeans_finds_known_groups(void **state)
{
    double x[3 * PER * D], centre[3 * D];
    int truth[3 * PER], group[3 * PER];
    Arena *a = arena_new(0);

    (void)state;
    make_groups(x, truth);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        int map[3] = { -1, -1, -1 };
        int it = analytics_kmeans(a, x, 3 * PER, D, 3, seed, group, centre);

        assert_true(it >= 1 && it <= ANALYTICS_KMEANS_ITERATIONS);
        /* the same partition as the truth, whatever the groups' numbers */
        for (int r = 0; r < 3 * PER; r++) {
            assert_in_range(group[r], 0, 2);
            if (map[truth[r]] < 0)
                map[truth[r]] = group[r];
            assert_int_equal(group[r], map[truth[r]]);
        }
        assert_true(map[0] != map[1] && map[1] != map[2] && map[0] != map[2]);
        /* each centre is its group's mean, near the true centre */
        for (int g = 0; g < 3; g++)
            for (int j = 0; j < D; j++)
                assert_true(fabs(centre[map[g] * D + j] - centres[g][j]) < 0.5);
    }
    arena_free(a);
}

static void test_analytics_kmeans_same_seed_same_groups(void **state)
{
    double x[3 * PER * D], c1[4 * D], c2[4 * D];
    int truth[3 * PER], g1[3 * PER], g2[3 * PER];
    bool differ = false;
    Arena *a = arena_new(0);

    (void)state;
    make_groups(x, truth);
    /* four groups of three clusters: the split depends on the seed, but not run to run */
    for (uint64_t seed = 0; seed < 30; seed++) {
        analytics_kmeans(a, x, 3 * PER, D, 4, seed, g1, c1);
        analytics_kmeans(a, x, 3 * PER, D, 4, seed, g2, c2);
        assert_memory_equal(g1, g2, sizeof(g1));
        assert_memory_equal(c1, c2, sizeof(c1));
    }
    /* and the seed is used: some seeds give another split */
    analytics_kmeans(a, x, 3 * PER, D, 4, 0, g2, c2);
    for (uint64_t seed = 1; seed < 30 && !differ; seed++) {
        analytics_kmeans(a, x, 3 * PER, D, 4, seed, g1, c1);
        differ = memcmp(g1, g2, sizeof(g1)) != 0;
    }
    assert_true(differ);
    arena_free(a);
}

static void test_analytics_kmeans_edges(void **state)
{
    double x[4 * 2] = { 1, 1, 1, 1, 1, 1, 5, 5 }, centre[4 * 2];
    int group[4] = { 7, 7, 7, 7 };
    Arena *a = arena_new(0);

    (void)state;
    assert_int_equal(analytics_kmeans(a, x, 4, 2, 0, 1, group, centre), 0);
    assert_int_equal(analytics_kmeans(a, x, 4, 2, 5, 1, group, centre), 0); /* k > n */
    assert_int_equal(group[0], 7);                                           /* untouched */
    /* identical points: no group is left empty, the odd one is alone */
    assert_true(analytics_kmeans(a, x, 4, 2, 2, 3, group, centre) >= 1);
    assert_int_equal(group[0], group[1]);
    assert_int_equal(group[1], group[2]);
    assert_true(group[3] != group[0]);
    /* one group: everyone in it, the centre is the mean */
    analytics_kmeans(a, x, 4, 2, 1, 3, group, centre);
    assert_int_equal(group[0] + group[1] + group[2] + group[3], 0);
    assert_true(fabs(centre[0] - 2.0) < 1e-9);
    arena_free(a);
}

static AnalyticsCommunity community(double e65, double floors)
{
    AnalyticsCommunity c;

    memset(&c, 0, sizeof(c));
    for (int k = 0; k < _AN_INDICATOR_MAX; k++)
        c.v[k] = NAN;
    c.c.residents = 100;
    c.v[AN_ELDERLY_65_SHARE] = e65;
    c.v[AN_AVG_FLOORS] = floors;
    return c;
}

static void test_analytics_rules_types(void **state)
{
    const AnalyticsRule rules[] = {
        { "老龄化型", AN_ELDERLY_65_SHARE, AN_OP_GE, 20 },
        { "高层型", AN_AVG_FLOORS, AN_OP_GT, 12 },
        { "老旧低层型", AN_AVG_FLOORS, AN_OP_LE, 6 },
        { "老旧低层型", AN_ELDERLY_65_SHARE, AN_OP_GE, 15 },
    };
    static const struct {
        double e65, floors;
        const char *type;
    } cases[] = {
        { 20, 10, "老龄化型" },      /* >= holds at the threshold */
        { 19.9, 12, ANALYTICS_GENERAL }, /* > does not */
        { 10, 12.5, "高层型" },
        { 25, 18, ANALYTICS_MIXED },  /* two types */
        { 16, 6, "老旧低层型" },     /* both of its rules */
        { 14, 6, ANALYTICS_GENERAL }, /* only one of them */
        { 25, 5, ANALYTICS_MIXED },   /* 老龄化型 and 老旧低层型 */
        { NAN, 13, "高层型" },       /* an unknown value holds no rule */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        AnalyticsCommunity c = community(cases[i].e65, cases[i].floors);
        const char *types[8];
        size_t n = analytics_match(rules, 4, &c, types, 8);

        assert_string_equal(analytics_type_of(types, n), cases[i].type);
    }
}

static void test_analytics_ops(void **state)
{
    AnalyticsOp op;

    (void)state;
    assert_true(analytics_op_parse(">=", &op) && op == AN_OP_GE);
    assert_true(analytics_op_parse("<", &op) && op == AN_OP_LT);
    assert_false(analytics_op_parse("=>", &op));
    assert_false(analytics_op_parse("", &op));
    assert_false(analytics_op_parse(NULL, &op));
    assert_string_equal(analytics_op_name(AN_OP_LE), "<=");
    assert_int_equal(analytics_indicator_find("elderly_65_share"), AN_ELDERLY_65_SHARE);
    assert_int_equal(analytics_indicator_find("nope"), -1);
    assert_true(analytics_scope_valid("310105004"));
    assert_true(analytics_scope_valid(""));
    assert_false(analytics_scope_valid("3101050"));
    assert_false(analytics_scope_valid("31010500a"));
}

static void test_analytics_allocate(void **state)
{
    static const struct {
        int64_t w[5];
        size_t n;
        int64_t total;
        int64_t want[5];
    } cases[] = {
        { { 10, 10, 10 }, 3, 9, { 3, 3, 3 } },
        { { 1, 2, 3, 4 }, 4, 14, { 2, 3, 4, 5 } },   /* 10 left: 1, 2, 3, 4 */
        { { 5, 5, 0 }, 3, 4, { 2, 1, 1 } },          /* 1 left, tie: the earlier */
        { { 0, 0, 0 }, 3, 7, { 3, 2, 2 } },          /* no workload: evenly, ties to the earlier */
        { { 100, 1, 1 }, 3, 2, { 1, 1, 1 } },        /* fewer workers than communities */
        { { 3, 1 }, 2, 6, { 4, 2 } },                /* 4 left: 3, 1 */
        { { 1, 1, 1, 1, 1 }, 5, 8, { 2, 2, 2, 1, 1 } },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got[5] = { 0 }, sum = 0;

        analytics_allocate(cases[i].w, cases[i].n, cases[i].total, got);
        for (size_t j = 0; j < cases[i].n; j++) {
            assert_true(got[j] >= 1);
            sum += got[j];
        }
        if (cases[i].total >= (int64_t)cases[i].n)
            assert_int_equal(sum, cases[i].total);
        assert_memory_equal(got, cases[i].want, cases[i].n * sizeof(int64_t));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analytics_kmeans_finds_known_groups),
        cmocka_unit_test(test_analytics_kmeans_same_seed_same_groups),
        cmocka_unit_test(test_analytics_kmeans_edges),
        cmocka_unit_test(test_analytics_rules_types),
        cmocka_unit_test(test_analytics_ops),
        cmocka_unit_test(test_analytics_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
