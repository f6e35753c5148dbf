#pragma once
/*
 * The walking graph's insides, shared by lifecircle_graph.c (building it,
 * snapping points) and lifecircle_walk.c (the walks); other code sees
 * only lifecircle.h.
 */
#include <pthread.h>

#include "lifecircle/lifecircle.h"

/* One direction of an edge: 8 bytes, so a vertex's arcs share a cache line. */
typedef struct GeoArc {
    uint32_t to;
    float meters;
} GeoArc;

typedef struct GeoWalk GeoWalk;

struct GeoGraph {
    size_t n;             /* vertices */
    int64_t *ids;         /* sorted ascending: a vertex's number is its rank */
    GeoPoint *points;
    uint32_t *first;      /* n + 1: the arcs of v are arcs[first[v] .. first[v + 1]) */
    GeoArc *arcs;
    /* the grid: cell c holds vertices cell_vertex[cell_first[c] .. cell_first[c + 1]] */
    double lat0, lon0, cos0;
    size_t cols, rows;
    double cell_m;
    size_t *cell_first;
    uint32_t *cell_vertex;
    /* a walk's scratch kept for the next one (geo_graph_walk), under the lock */
    pthread_mutex_t spare_lock;
    GeoWalk *spare;
};

/* lifecircle_walk.c */
void geo_walk_free(GeoWalk *w);
