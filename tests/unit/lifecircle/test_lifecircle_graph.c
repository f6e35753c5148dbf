#include <math.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lifecircle/lifecircle.h"

/* A metre north is this many degrees of latitude. */
#define M (1.0 / 111195.08)

/*
 *   1 --100-- 2 --100-- 3        7 --50-- 8   (another piece)
 *   |                   |
 *  300                 50
 *   |                   |
 *   4 --------30------- 5 --10-- 6
 * Points on a line of latitude 30°, spaced as the ids say (roughly).
 */
static GeoGraph *sample(void)
{
    static const int64_t ids[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const GeoPoint pts[] = {
        { 30.0, 104.0 },          { 30.0, 104.001 },        { 30.0, 104.002 },
        { 30.0 - 300 * M, 104.0 }, { 30.0 - 50 * M, 104.002 }, { 30.0 - 50 * M, 104.0021 },
        { 30.1, 104.1 },          { 30.1 + 50 * M, 104.1 },
    };
    static const int64_t a[] = { 1, 2, 1, 3, 4, 5, 7, 2 };
    static const int64_t b[] = { 2, 3, 4, 5, 5, 6, 8, 2 };
    static const double m[] = { 100, 100, 300, 50, 30, 10, 50, 5 };

    return geo_graph_new(8, ids, pts, 8, a, b, m);
}

static long v(const GeoGraph *g, GeoPoint p)
{
    double d;

    return geo_graph_snap(g, p, &d);
}

static void test_lifecircle_walk_shortest(void **state)
{
    GeoGraph *g = sample();
    double dist[8];
    long src[1];
    double off[1] = { 0 };

    (void)state;
    assert_int_equal(geo_graph_vertices(g), 8);
    src[0] = v(g, (GeoPoint){ 30.0, 104.0 }); /* vertex 1 */
    geo_graph_walk(g, 1, src, off, 10000, dist);
    assert_true(fabs(dist[0] - 0) < 1e-9);
    assert_true(fabs(dist[1] - 100) < 1e-9);
    assert_true(fabs(dist[2] - 200) < 1e-9);
    assert_true(fabs(dist[4] - 250) < 1e-9);  /* 1-2-3-5, not 1-4-5 (330) */
    assert_true(fabs(dist[3] - 280) < 1e-9);  /* 1-2-3-5-4 beats the direct 300 */
    assert_true(fabs(dist[5] - 260) < 1e-9);
    assert_true(isinf(dist[6]) && isinf(dist[7])); /* another piece */
    geo_graph_free(g);
}

static void test_lifecircle_walk_limit_and_sources(void **state)
{
    GeoGraph *g = sample();
    double dist[8];
    long src[2];
    double off[2] = { 40, 0 };

    (void)state;
    src[0] = 0; /* vertex 1, 40 m off the network */
    src[1] = 5; /* vertex 6 */
    geo_graph_walk(g, 2, src, off, 150, dist);
    assert_true(fabs(dist[0] - 40) < 1e-9);
    assert_true(fabs(dist[1] - 140) < 1e-9);
    assert_true(fabs(dist[4] - 10) < 1e-9);
    assert_true(fabs(dist[3] - 40) < 1e-9);
    assert_true(fabs(dist[2] - 60) < 1e-9);
    assert_true(isinf(dist[6]));
    geo_graph_walk(g, 2, src, off, 50, dist); /* beyond the limit: not reached */
    assert_true(isinf(dist[1]));
    assert_true(fabs(dist[2] - 60) > 1 && isinf(dist[2]));
    geo_graph_free(g);
}

static void test_lifecircle_snap(void **state)
{
    GeoGraph *g = sample();
    double d;

    (void)state;
    assert_int_equal(geo_graph_snap(g, (GeoPoint){ 30.0 + 20 * M, 104.001 }, &d), 1);
    assert_true(fabs(d - 20) < 0.1);
    /* 600 m from every vertex: off the network */
    assert_int_equal(geo_graph_snap(g, (GeoPoint){ 30.0 + 600 * M, 104.001 }, &d), -1);
    geo_graph_free(g);
}

static void test_lifecircle_pieces(void **state)
{
    GeoGraph *g = sample();
    uint32_t *size = geo_graph_piece_sizes(g);

    (void)state;
    for (int i = 0; i < 6; i++)
        assert_int_equal(size[i], 6); /* 1..6 */
    assert_int_equal(size[6], 2);     /* 7-8, another piece */
    assert_int_equal(size[7], 2);
    free(size);
    geo_graph_free(g);
}

static void test_lifecircle_coverage(void **state)
{
    Arena *a = arena_new(0);
    GeoGraph *g = sample();
    GeoPlace buildings[] = {
        { 100, -1, { 30.0 + 10 * M, 104.0 } },          /* 10 m from vertex 1 */
        { 101, -1, { 30.1 + 60 * M, 104.1 } },          /* beside vertex 8, the other piece */
        { 102, -1, { 31.0, 105.0 } },                   /* far from every way */
    };
    GeoPlace facilities[] = {
        { 1, GEO_KINDERGARTEN, { 30.0 - 50 * M, 104.0021 } },  /* on vertex 6 */
        { 2, GEO_KINDERGARTEN, { 30.0, 104.002 } },            /* on vertex 3 */
        { 3, GEO_PARK, { 30.1, 104.1 } },                      /* vertex 7 */
    };
    double *d;

    (void)state;
    geo_coverage(a, g, buildings, 3, facilities, 3, 1000, &d, NULL);
    assert_true(fabs(d[(size_t)GEO_KINDERGARTEN * 3 + 0] - 210) < 0.2); /* 10 + 200 */
    assert_true(isinf(d[(size_t)GEO_PARK * 3 + 0]));
    assert_true(isinf(d[(size_t)GEO_BANK * 3 + 0]));
    assert_true(fabs(d[(size_t)GEO_PARK * 3 + 1] - 60) < 0.2); /* 10 + 50 */
    assert_true(isinf(d[(size_t)GEO_KINDERGARTEN * 3 + 1]));
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++)
        assert_true(isinf(d[(size_t)c * 3 + 2]));
    geo_coverage(a, g, buildings, 3, facilities, 3, 200, &d, NULL); /* 210 > 200 */
    assert_true(isinf(d[(size_t)GEO_KINDERGARTEN * 3 + 0]));
    geo_graph_free(g);
    arena_free(a);
}

static void test_lifecircle_haversine(void **state)
{
    (void)state;
    /* a degree of latitude on the mean sphere */
    assert_true(fabs(geo_distance_m(30, 104, 31, 104) - 111195.08) < 0.1);
    assert_true(geo_distance_m(30, 104, 30, 104) == 0);
    assert_int_equal(geo_category_find("kindergarten"), GEO_KINDERGARTEN);
    assert_int_equal(geo_category_find("toilets"), GEO_TOILETS);
    assert_int_equal(geo_category_find("casino"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecircle_walk_shortest),
        cmocka_unit_test(test_lifecircle_walk_limit_and_sources),
        cmocka_unit_test(test_lifecircle_snap),
        cmocka_unit_test(test_lifecircle_pieces),
        cmocka_unit_test(test_lifecircle_coverage),
        cmocka_unit_test(test_lifecircle_haversine),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
