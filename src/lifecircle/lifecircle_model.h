#pragma once
/*
 * The walking model a server keeps in memory (issue 19, the server side):
 * the graph as imported, the open facilities snapped to it and, for each
 * category, every vertex's distance to the nearest open facility of the
 * category up to the farthest minute band. It is built once and shared by
 * every request until the 'geo' row of data_version moves (an import, a
 * facility added, moved, closed or reopened, the settings changed), as
 * any server on the database sees: the next request then builds it again.
 */
#include "lifecircle/lifecircle.h"
#include "store/store_counts.h"

/* The minute bands (5, 10, 15) and their distances, and the walking speed. */
#define GEO_BANDS 3
extern const int geo_band_minutes[GEO_BANDS];

typedef struct GeoSettings {
    double meters[GEO_BANDS]; /* 300, 500, 1000 by default (GB 50180-2018) */
    double walk_m_per_min;    /* 70 by default */
} GeoSettings;

typedef struct GeoModel {
    int64_t version;          /* the 'geo' data version it was built under */
    GeoGraph *g;
    size_t n_vertices;
    GeoSettings set;
    double limit_m;           /* the farthest band's distance */
    double *dist[_GEO_CATEGORY_MAX]; /* per vertex; INFINITY beyond limit_m */
    size_t n_fac;
    GeoPlace *fac;            /* the open facilities */
    long *fac_vertex;         /* their vertex, or -1 when off the network */
    double *fac_access;
    Arena *arena;
    int refs;
} GeoModel;

/* The current model (built when missing or stale): give it back with geo_model_put. */
Error *geo_model_get(Store *st, Arena *a, GeoModel **ret);
void geo_model_put(GeoModel *m);

/* Raises the 'geo' data version: inside the writing transaction. */
Error *geo_touch(Store *st, Arena *a);

Error *geo_settings_read(Store *st, Arena *a, GeoSettings *ret);

/* The band of @minutes (5, 10, 15), or -1. */
int geo_band_of(int minutes);

/*
 * Distance from @p to the nearest open facility of category @c along the
 * network (INFINITY beyond the model's limit or off the network); the snap
 * in *ret_vertex, *ret_access when not NULL.
 */
double geo_model_distance(const GeoModel *m, int c, GeoPoint p, long *ret_vertex,
                          double *ret_access);

/*
 * For src/analytics (服务清单's gaps): the registry buildings placed on the
 * map in communities [@lo, @hi) and which of them reach each category within
 * @minutes (5, 10, 15; another number reads as 15) on foot, counted as the
 * coverage route (GET /api/v1/geo/coverage) counts them, from the same
 * model: 20 rows (one per category, key its key, label its name) per
 * community with a placed building, n = {placed buildings, those covered,
 * their active residents, those covered}. In lifecircle_routes.c.
 */
Error *geo_coverage_by_community(Store *st, Arena *a, const char *lo, const char *hi, int minutes,
                                 CountRows *out);
