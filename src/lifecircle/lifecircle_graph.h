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

/*
 * Zeroed memory for the large arrays the walks read at random (the arcs,
 * the row index, a walk's distances), in 2 MB pages where the kernel
 * gives them on request (transparent huge pages in "madvise" mode): with
 * 4 KB pages nearly every step of a walk over a city of a million
 * vertices also missed the TLB, and the first touch of every 4 KB page
 * cost a page fault. Freed with geo_big_free; aborts when out of memory.
 */
void *geo_big_alloc(size_t size);
void geo_big_free(void *p);

/*
 * The grid cell of @p in row-major order (clamped into the grid): points
 * snapped in this order read the same few cells one after the other.
 */
uint32_t geo_graph_cell_key(const GeoGraph *g, GeoPoint p);

/* lifecircle_walk.c */
void geo_walk_free(GeoWalk *w);
