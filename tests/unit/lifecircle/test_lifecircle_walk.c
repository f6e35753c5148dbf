/*
 * The bucket-queue walks (lifecircle_walk.c) against a naive Dijkstra
 * written here: an O(n²) scan for the nearest unsettled vertex over an
 * adjacency matrix, unbounded, then cut at the limit. Edge lengths are
 * multiples of 1/16 m below 4,096 m, so the graph's float lengths hold them
 * exactly and both sides add the same numbers: distances must be equal,
 * not merely close.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lifecircle/lifecircle.h"

#define NMAX 160

typedef struct TestGraph {
    size_t n, m;
    int64_t ids[NMAX];
    GeoPoint pts[NMAX];
    int64_t a[NMAX * 8], b[NMAX * 8];
    double len[NMAX * 8];
} TestGraph;

static uint64_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* Vertex i has id 1000 + 7i (sorted, not consecutive) and lies on a line. */
static void tg_init(TestGraph *t, size_t n)
{
    memset(t, 0, sizeof(*t));
    t->n = n;
    for (size_t i = 0; i < n; i++) {
        t->ids[i] = 1000 + 7 * (int64_t)i;
        t->pts[i] = (GeoPoint){ 30.0 + (double)i * 1e-4, 104.0 };
    }
}

static void tg_edge(TestGraph *t, size_t a, size_t b, double len)
{
    t->a[t->m] = t->ids[a];
    t->b[t->m] = t->ids[b];
    t->len[t->m++] = len;
}

/* The naive reference: every source at its offset, no bound, then cut at @limit. */
static void naive(const TestGraph *t, size_t ns, const long *sv, const double *so, double limit,
                  double *dist)
{
    static double w[NMAX][NMAX];
    bool done[NMAX] = { false };

    for (size_t i = 0; i < t->n; i++)
        for (size_t j = 0; j < t->n; j++)
            w[i][j] = INFINITY;
    for (size_t e = 0; e < t->m; e++) {
        size_t a = (size_t)(t->a[e] - 1000) / 7, b = (size_t)(t->b[e] - 1000) / 7;

        if (a != b && t->len[e] < w[a][b])
            w[a][b] = w[b][a] = t->len[e];
    }
    for (size_t i = 0; i < t->n; i++)
        dist[i] = INFINITY;
    for (size_t s = 0; s < ns; s++)
        if (sv[s] >= 0 && so[s] <= limit && so[s] < dist[sv[s]])
            dist[sv[s]] = so[s];
    for (;;) {
        size_t best = t->n;

        for (size_t i = 0; i < t->n; i++)
            if (!done[i] && isfinite(dist[i]) && (best == t->n || dist[i] < dist[best]))
                best = i;
        if (best == t->n)
            break;
        done[best] = true;
        for (size_t j = 0; j < t->n; j++)
            if (dist[best] + w[best][j] < dist[j])
                dist[j] = dist[best] + w[best][j];
    }
    for (size_t i = 0; i < t->n; i++)
        if (dist[i] > limit)
            dist[i] = INFINITY;
}

static GeoGraph *tg_graph(const TestGraph *t)
{
    return geo_graph_new(t->n, t->ids, t->pts, t->m, t->a, t->b, t->len);
}

static void assert_same(const double *want, const double *got, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (isinf(want[i]))
            assert_true(isinf(got[i]));
        else
            assert_true(want[i] == got[i]);
    }
}

static void check_walk(const TestGraph *t, size_t ns, const long *sv, const double *so,
                       double limit)
{
    GeoGraph *g = tg_graph(t);
    double want[NMAX], got[NMAX];

    naive(t, ns, sv, so, limit, want);
    geo_graph_walk(g, ns, sv, so, limit, got);
    assert_same(want, got, t->n);
    geo_graph_free(g);
}

/* A random graph: @pieces separate pieces, lengths from a few values (ties) or any sixteenth. */
static void random_graph(TestGraph *t, size_t n, size_t pieces, bool ties, unsigned zero_in)
{
    tg_init(t, n);
    for (size_t i = 1; i < n; i++) {
        size_t piece = i % pieces, extra = 1 + rng() % 3;

        for (size_t k = 0; k < extra; k++) {
            size_t j = (size_t)rng() % i;
            double len;

            if (j % pieces != piece)
                continue; /* stays in its own piece */
            if (zero_in && rng() % zero_in == 0)
                len = 0;
            else if (ties)
                len = (double)(10 * (1 + rng() % 4));
            else
                len = (double)(rng() % (16 * 400)) / 16.0;
            tg_edge(t, i, j, len);
        }
    }
}

static void test_lifecircle_walk_random(void **state)
{
    static TestGraph t;
    long sv[8];
    double so[8];

    (void)state;
    rng_state = 19;
    for (int round = 0; round < 300; round++) {
        size_t n = 2 + rng() % (NMAX - 2), ns = 1 + rng() % 8, pieces = 1 + rng() % 3;
        bool ties = rng() % 2;
        double limits[] = { 0, 37.5, 100, 250.0625, 1000, 5000, INFINITY };

        random_graph(&t, n, pieces, ties, rng() % 3 ? 0 : 4);
        for (size_t s = 0; s < ns; s++) {
            sv[s] = (long)(rng() % n);
            so[s] = rng() % 4 ? 0 : (double)(rng() % 800) / 16.0;
        }
        check_walk(&t, ns, sv, so, limits[rng() % 7]);
    }
}

/* Equal lengths everywhere: a 12 × 12 grid of 40 m streets, many paths of one length. */
static void test_lifecircle_walk_ties_grid(void **state)
{
    static TestGraph t;
    long sv[3] = { 0, 77, 143 };
    double so[3] = { 0, 12.5, 40 };

    (void)state;
    tg_init(&t, 144);
    for (size_t r = 0; r < 12; r++)
        for (size_t c = 0; c < 12; c++) {
            if (c + 1 < 12)
                tg_edge(&t, r * 12 + c, r * 12 + c + 1, 40);
            if (r + 1 < 12)
                tg_edge(&t, r * 12 + c, (r + 1) * 12 + c, 40);
        }
    check_walk(&t, 3, sv, so, 1000);
    check_walk(&t, 3, sv, so, 200);
    check_walk(&t, 1, sv, so, 39.9375);
}

/* Zero-length edges, and an edge far shorter than a bucket found late. */
static void test_lifecircle_walk_zero_and_short(void **state)
{
    static TestGraph t;
    GeoGraph *g;
    double d[6];
    long sv[1] = { 0 };
    double so[1] = { 0 };

    (void)state;
    /*
     * 0 --0-- 1 --0.5-- 2 --0-- 3, and 0 --0.75-- 4 --0.0625-- 2: vertex 2 is
     * first reached at 0.5 through 1 and must stay 0.5 (0.8125 the other way);
     * 5 hangs off 3 by 0 and is reached at 0.5 too.
     */
    tg_init(&t, 6);
    tg_edge(&t, 0, 1, 0);
    tg_edge(&t, 1, 2, 0.5);
    tg_edge(&t, 2, 3, 0);
    tg_edge(&t, 0, 4, 0.75);
    tg_edge(&t, 4, 2, 0.0625);
    tg_edge(&t, 3, 5, 0);
    g = tg_graph(&t);
    geo_graph_walk(g, 1, sv, so, 10, d);
    assert_true(d[0] == 0 && d[1] == 0 && d[2] == 0.5 && d[3] == 0.5 && d[5] == 0.5);
    assert_true(d[4] == 0.5625); /* back from 2: 0.5 + 0.0625 beats 0.75 */
    geo_graph_free(g);
    check_walk(&t, 1, sv, so, 0);   /* the limit 0 keeps the zero-length ones */
    check_walk(&t, 1, sv, so, 0.5); /* and exactly 0.5 */
}

/* A vertex exactly at the limit is reached, one a sixteenth beyond it is not. */
static void test_lifecircle_walk_limit_boundary(void **state)
{
    static TestGraph t;
    GeoGraph *g;
    double d[4];
    long sv[2] = { 0, 3 };
    double so[2] = { 0, 1000.0625 };

    (void)state;
    tg_init(&t, 4);
    tg_edge(&t, 0, 1, 999.5);
    tg_edge(&t, 1, 2, 0.5);
    tg_edge(&t, 2, 3, 0.0625);
    g = tg_graph(&t);
    geo_graph_walk(g, 2, sv, so, 1000, d); /* the second source starts beyond the limit */
    assert_true(d[0] == 0 && d[1] == 999.5 && d[2] == 1000);
    assert_true(isinf(d[3]));
    geo_graph_walk(g, 2, sv, so, 1000.0625, d);
    assert_true(d[3] == 1000.0625);
    /* beyond 65,536 m the buckets widen: still exact */
    so[1] = 0;
    geo_graph_walk(g, 2, sv, so, 100000, d);
    assert_true(d[0] == 0 && d[1] == 0.5625 && d[2] == 0.0625 && d[3] == 0);
    geo_graph_free(g);
}

/* Several walks on the threads give what each walk alone gives, on one thread or two. */
static void test_lifecircle_walks_threads(void **state)
{
    static TestGraph t;
    static double one[12][NMAX], many[12][NMAX];
    long sv[12][4];
    double so[12][4];
    GeoWalkJob jobs[12];
    GeoGraph *g;

    (void)state;
    rng_state = 7;
    random_graph(&t, NMAX, 2, false, 0);
    g = tg_graph(&t);
    for (int j = 0; j < 12; j++) {
        size_t ns = (size_t)j % 4; /* some walks have no source at all */

        for (size_t s = 0; s < ns; s++) {
            sv[j][s] = (long)(rng() % NMAX);
            so[j][s] = (double)(rng() % 160) / 16.0;
        }
        geo_graph_walk(g, ns, sv[j], so[j], 800, one[j]);
        jobs[j] = (GeoWalkJob){ ns, sv[j], so[j], many[j] };
    }
    for (int threads = 1; threads <= 2; threads++) {
        setenv("LINLI_GEO_THREADS", threads == 1 ? "1" : "2", 1);
        assert_int_equal(geo_walk_threads(), threads);
        memset(many, 0, sizeof(many));
        geo_graph_walks(g, 12, jobs, 800);
        for (int j = 0; j < 12; j++)
            assert_same(one[j], many[j], NMAX);
    }
    unsetenv("LINLI_GEO_THREADS");
    geo_graph_free(g);
}

/*
 * Coverage with enough buildings to snap on two threads: each building's
 * distance is its access line plus the walk from the category's facilities
 * to its vertex, the same on one thread and on two.
 */
static void test_lifecircle_coverage_threads(void **state)
{
    static TestGraph t;
    enum { NB = 5000, NF = 30 };
    static GeoPlace bs[NB], fs[NF];
    Arena *a = arena_new(0);
    double *d1, *d2;
    GeoGraph *g;

    (void)state;
    rng_state = 3;
    random_graph(&t, NMAX, 1, false, 0);
    g = tg_graph(&t);
    for (size_t i = 0; i < NB; i++)
        bs[i] = (GeoPlace){ (int64_t)i, -1,
                            { 30.0 + (double)(rng() % 16000) * 1e-6, 104.0 + (rng() % 50) * 1e-6 } };
    for (size_t f = 0; f < NF; f++)
        fs[f] = (GeoPlace){ (int64_t)f, (int)(f % _GEO_CATEGORY_MAX),
                            { 30.0 + (double)(rng() % 16000) * 1e-6, 104.0 } };
    setenv("LINLI_GEO_THREADS", "1", 1);
    geo_coverage(a, g, bs, NB, fs, NF, 1500, &d1, NULL);
    setenv("LINLI_GEO_THREADS", "2", 1);
    geo_coverage(a, g, bs, NB, fs, NF, 1500, &d2, NULL);
    unsetenv("LINLI_GEO_THREADS");
    assert_same(d1, d2, (size_t)NB * _GEO_CATEGORY_MAX);
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        long sv[NF];
        double so[NF], dist[NMAX];
        size_t ns = 0;

        for (size_t f = 0; f < NF; f++) {
            if (fs[f].category != c)
                continue;
            sv[ns] = geo_graph_snap(g, fs[f].p, &so[ns]);
            ns++;
        }
        naive(&t, ns, sv, so, 1500, dist);
        for (size_t i = 0; i < NB; i += 7) {
            double access, want;
            long v = geo_graph_snap(g, bs[i].p, &access);

            want = v >= 0 ? access + dist[v] : INFINITY;
            want = want <= 1500 ? want : INFINITY;
            if (isinf(want))
                assert_true(isinf(d1[(size_t)c * NB + i]));
            else
                assert_true(fabs(d1[(size_t)c * NB + i] - want) < 1e-6);
        }
    }
    geo_graph_free(g);
    arena_free(a);
}

/*
 * Coverage snaps its points in the order of their grid cells (a sort):
 * buildings given in scattered order, some beyond the graph's box on every
 * side (their cells clamped into the grid: the nearer ones still snap, the
 * ones more than 500 m away reach nothing), must get what snapping each
 * alone and walking gives, to the last bit, on one thread and on two.
 */
static void test_lifecircle_coverage_snap_order(void **state)
{
    static TestGraph t;
    enum { NB = 6000, NF = 40 };
    static GeoPlace bs[NB], fs[NF];
    static const GeoPoint outside[] = {
        { 29.998, 104.0 },  /* 220 m south of vertex 0 */
        { 30.0 + 0.0159 + 0.002, 104.0 }, /* 220 m north of the last */
        { 30.005, 104.003 }, /* 290 m east */
        { 30.005, 103.997 }, /* 290 m west */
        { 30.005, 104.01 },  /* 960 m east: off the network */
        { 29.99, 103.99 },   /* 1.4 km south-west: off */
    };
    size_t n_out = sizeof(outside) / sizeof(outside[0]), n_reached = 0, n_off = 0;
    Arena *a = arena_new(0);
    double *d[2];

    (void)state;
    rng_state = 11;
    random_graph(&t, NMAX, 2, false, 0);
    GeoGraph *g = tg_graph(&t);

    for (size_t i = 0; i < NB; i++) {
        GeoPoint p = { 30.0 + (double)(rng() % 16000) * 1e-6, 104.0 + ((double)(rng() % 200) - 100) * 1e-6 };

        if (i % 10 == 0)
            p = outside[(i / 10) % n_out];
        bs[i] = (GeoPlace){ (int64_t)(NB - i), -1, p };
    }
    for (size_t f = 0; f < NF; f++)
        fs[f] = (GeoPlace){ (int64_t)f, (int)(f % _GEO_CATEGORY_MAX),
                            { 30.0 + (double)(rng() % 16000) * 1e-6, 104.0 } };
    for (int threads = 1; threads <= 2; threads++) {
        setenv("LINLI_GEO_THREADS", threads == 1 ? "1" : "2", 1);
        geo_coverage(a, g, bs, NB, fs, NF, 3000, &d[threads - 1], NULL);
    }
    unsetenv("LINLI_GEO_THREADS");
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        long sv[NF];
        double so[NF], dist[NMAX];
        size_t ns = 0;

        for (size_t f = 0; f < NF; f++) {
            if (fs[f].category != c)
                continue;
            sv[ns] = geo_graph_snap(g, fs[f].p, &so[ns]);
            ns++;
        }
        geo_graph_walk(g, ns, sv, so, 3000, dist);
        for (size_t i = 0; i < NB; i++) {
            double access, want = INFINITY;
            long v = geo_graph_snap(g, bs[i].p, &access);

            if (v >= 0 && access + dist[v] <= 3000)
                want = access + dist[v];
            for (int k = 0; k < 2; k++) {
                double got = d[k][(size_t)c * NB + i];

                assert_true(isinf(want) ? isinf(got) : got == want);
            }
            if (i % 10 == 0) {
                n_reached += isfinite(want);
                n_off += c == 0 && v < 0;
            }
        }
    }
    /* 4 of the 6 outside points snap and some of them reach a facility; 2 are off */
    assert_int_equal(n_off, (NB / 10) * 2 / n_out);
    assert_true(n_reached > 0);
    geo_graph_free(g);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecircle_walk_random),
        cmocka_unit_test(test_lifecircle_walk_ties_grid),
        cmocka_unit_test(test_lifecircle_walk_zero_and_short),
        cmocka_unit_test(test_lifecircle_walk_limit_boundary),
        cmocka_unit_test(test_lifecircle_walks_threads),
        cmocka_unit_test(test_lifecircle_coverage_threads),
        cmocka_unit_test(test_lifecircle_coverage_snap_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
