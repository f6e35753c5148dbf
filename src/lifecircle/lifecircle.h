#pragma once
/*
 * The 15-minute life circle (15分钟社区生活圈): which homes reach which
 * services on foot, along a real street network imported from
 * OpenStreetMap (© OpenStreetMap contributors, ODbL).
 *
 * Import keeps the walkable ways (every highway but motorways, cycleways,
 * platforms, construction and the like; not foot=no, not private), every
 * node on them as a vertex, one undirected edge per consecutive pair with
 * its great-circle length in metres (walking ignores one-way streets);
 * the facilities of the 20 categories below from their tags (a node, or a
 * way's centre), and the residential buildings (a way's centre).
 *
 * Distance from a building to a facility: the straight line from the
 * building to its nearest vertex, the network between the two vertices,
 * and the straight line from the facility's nearest vertex to it. A point
 * farther than LIFECIRCLE_SNAP_MAX_M from every vertex is off the network:
 * it reaches nothing. Disconnected pieces reach nothing of each other.
 *
 * The server side (issue 19): lifecircle_model.h keeps the walking model
 * in memory per server, rebuilt when the 'geo' data version moves (an
 * import raises it); lifecircle_routes.c (/api/v1/geo/…: registry
 * buildings placed on the map, staff's facilities, coverage, nearby,
 * what-if, suggest, settings), lifecircle_checklist.c (完整社区),
 * lifecircle_geojson.c (map data) and lifecircle_demo.c (`linli demo` on
 * the Chengdu extract); docs/API.md, 生活圈.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

/* A point farther than this from any walkable way is off the network. */
#define LIFECIRCLE_SNAP_MAX_M 500.0

typedef enum GeoCategory {
    GEO_COMMUNITY_SERVICE, /* 社区综合服务站 */
    GEO_KINDERGARTEN,      /* 幼儿园 */
    GEO_NURSERY,           /* 托儿所 */
    GEO_ELDERLY_CARE,      /* 老年服务站/养老 */
    GEO_CLINIC,            /* 社区卫生服务站/诊所 */
    GEO_PHARMACY,          /* 药店 */
    GEO_PRIMARY_SCHOOL,    /* 小学 */
    GEO_MIDDLE_SCHOOL,     /* 中学 */
    GEO_SUPERMARKET,       /* 综合超市 */
    GEO_CONVENIENCE,       /* 便利店 */
    GEO_FRESH_MARKET,      /* 菜市场 */
    GEO_PARK,              /* 公园/绿地 */
    GEO_PLAYGROUND,        /* 儿童游乐场 */
    GEO_SPORTS,            /* 健身/运动场地 */
    GEO_BUS_STOP,          /* 公交站 */
    GEO_METRO,             /* 地铁站 */
    GEO_FOOD,              /* 餐饮 */
    GEO_BANK,              /* 银行 */
    GEO_POST,              /* 邮政/快递 */
    GEO_TOILETS,           /* 公共厕所 */
    _GEO_CATEGORY_MAX
} GeoCategory;

typedef struct GeoCategoryInfo {
    const char *key;   /* "kindergarten": the CSV's and the API's name */
    const char *name;  /* "幼儿园" */
} GeoCategoryInfo;

extern const GeoCategoryInfo geo_categories[_GEO_CATEGORY_MAX];

/* The category of @key, or -1. */
int geo_category_find(const char *key);

/* Great-circle distance in metres (haversine, mean Earth radius 6,371,008.8 m). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* ---- the walking graph, in memory ---- */

typedef struct GeoGraph GeoGraph;

typedef struct GeoPoint {
    double lat, lon;
} GeoPoint;

/* Built from vertices (any ids) and undirected edges between them. */
GeoGraph *geo_graph_new(size_t n_vertices, const int64_t *ids, const GeoPoint *points,
                        size_t n_edges, const int64_t *edge_a, const int64_t *edge_b,
                        const double *edge_m);
void geo_graph_free(GeoGraph *g);
size_t geo_graph_vertices(const GeoGraph *g);

/*
 * The vertex nearest to @p and the straight-line distance to it; -1 when
 * none is within LIFECIRCLE_SNAP_MAX_M.
 */
long geo_graph_snap(const GeoGraph *g, GeoPoint p, double *ret_m);

/*
 * For each vertex, how many vertices its connected piece of the network
 * has (n_vertices numbers, the caller frees them): a home snapped into a
 * piece of a few footpaths reaches nothing beyond it.
 */
uint32_t *geo_graph_piece_sizes(const GeoGraph *g);

/*
 * Multi-source walk: ret_dist[v] (n_vertices doubles, caller's) is the
 * shortest distance from any source, each source starting at its own
 * offset (the access line to its vertex), up to @limit_m; INFINITY beyond.
 */
void geo_graph_walk(const GeoGraph *g, size_t n_sources, const long *source_vertex,
                    const double *source_offset_m, double limit_m, double *ret_dist);

/* One walk of several: its sources and where its distances go (n_vertices doubles). */
typedef struct GeoWalkJob {
    size_t n_sources;
    const long *source_vertex;
    const double *source_offset_m;
    double *ret_dist;
} GeoWalkJob;

/*
 * The walks of @jobs, each as geo_graph_walk does it, shared out over up
 * to geo_walk_threads() threads (each walk wholly on one: the results do
 * not depend on which).
 */
void geo_graph_walks(const GeoGraph *g, size_t n_walks, const GeoWalkJob *jobs, double limit_m);

/* Threads for the walks: the processors, at most 2 (LINLI_GEO_THREADS=1 for one). */
int geo_walk_threads(void);

/* ---- what was imported ---- */

typedef struct GeoPlace {
    int64_t id;            /* OSM id (a building) or facility id */
    int category;          /* facilities: GeoCategory; buildings: -1 */
    GeoPoint p;
} GeoPlace;

typedef struct GeoImportCounts {
    int64_t nodes, ways, vertices, edges, facilities, buildings;
} GeoImportCounts;

/*
 * Reads an OSM XML file (streaming, libxml2), or a PBF file through
 * `osmium cat` (Debian's osmium-tool), and replaces the imported street
 * network, OSM facilities and buildings in one transaction; facilities
 * staff added stay.
 */
Error *geo_import_file(Store *st, Arena *a, const char *path, GeoImportCounts *ret);

/* The graph as stored; NULL with *ret_err on a store error (an empty graph when nothing is imported). */
GeoGraph *geo_store_graph(Store *st, Arena *a, Error **ret_err);
/* Residential buildings, and open facilities, as stored. */
Error *geo_store_buildings(Store *st, Arena *a, GeoPlace **ret, size_t *ret_n);
Error *geo_store_facilities(Store *st, Arena *a, GeoPlace **ret, size_t *ret_n);

/* Where geo_coverage's time went, in milliseconds of the wall clock. */
typedef struct GeoCoverageTimes {
    double snap_ms;  /* snapping every building and facility to its nearest vertex */
    double walks_ms; /* the 20 walks, and every building's distance from them */
} GeoCoverageTimes;

/*
 * For every category and building, the walking distance to the nearest
 * facility of the category within @limit_m, or INFINITY: *ret is
 * _GEO_CATEGORY_MAX columns of n_buildings doubles, building b's distance
 * to category c at (*ret)[c * n_buildings + b], freed with @a.
 * @ret_times may be NULL.
 */
void geo_coverage(Arena *a, const GeoGraph *g, const GeoPlace *buildings, size_t n_buildings,
                  const GeoPlace *facilities, size_t n_facilities, double limit_m, double **ret,
                  GeoCoverageTimes *ret_times);

/* `linli geo ...` */
int lifecircle_cli(int argc, char **argv);
