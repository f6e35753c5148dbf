/*
 * The life circle in `linli demo`: the Chengdu extract of ../shared/geo
 * (© OpenStreetMap contributors, ODbL) as the street network, and the demo
 * street's registry buildings placed on its real residential buildings,
 * the demo community's first, each on the imported building nearest the
 * middle of them all not yet taken (deterministic), with the community's
 * 社区综合服务站 beside them, so that coverage and "我家附近" answer
 * something after `make run`. Without the extract the demo goes on without
 * a street network and says so.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "lifecircle/lifecircle_demo.h"
#include "lifecircle/lifecircle_model.h"
#include "core/banned.h"

#define DEMO_EXTRACT "../shared/geo/chengdu-central-2018.osm"

static const char SQL_OSM_BUILDINGS[] = "SELECT osm_id, lat, lon FROM geo_building ORDER BY osm_id";
static const char SQL_STREET_BUILDINGS[] =
    "SELECT id, community FROM building WHERE community >= ?1 AND community < ?2"
    " ORDER BY CASE WHEN community = ?3 THEN 0 ELSE 1 END, community, id";
static const char SQL_POINT_INSERT[] =
    "INSERT INTO geo_building_point (building_id, community, lat, lon, osm_building, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_STATION_INSERT[] =
    "INSERT INTO geo_facility (category, name, lat, lon, source, status, community, station,"
    " updated_at) VALUES ('community_service', ?1, ?2, ?3, 'staff', 'open', ?4, 1, ?5)";
static const char SQL_COMMUNITY_NAME[] = "SELECT name FROM division WHERE code = ?1";

typedef struct Spot {
    int64_t osm_id;
    GeoPoint p;
    double d; /* from the middle */
} Spot;

static int cmp_spot(const void *x, const void *y)
{
    const Spot *a = x, *b = y;

    if (a->d != b->d)
        return (a->d > b->d) - (a->d < b->d);
    return (a->osm_id > b->osm_id) - (a->osm_id < b->osm_id);
}

/*
 * Keeps the buildings whose nearest street is on the extract's main
 * network: a home whose footpaths OSM left unjoined (a piece of a few
 * vertices) reaches nothing, which is true to the data but no street to
 * show a demo on.
 */
static Error *keep_on_main_network(Store *st, Arena *a, Spot *spots, size_t *n)
{
    GeoModel *m = NULL;
    uint32_t *piece, largest = 0;
    size_t kept = 0;
    Error *err = geo_model_get(st, a, &m);

    if (err)
        return err;
    piece = geo_graph_piece_sizes(m->g);
    for (size_t v = 0; v < m->n_vertices; v++)
        if (piece[v] > largest)
            largest = piece[v];
    for (size_t i = 0; i < *n; i++) {
        double off;
        long v = geo_graph_snap(m->g, spots[i].p, &off);

        if (v >= 0 && piece[v] * 2 >= largest)
            spots[kept++] = spots[i];
    }
    free(piece);
    geo_model_put(m);
    *n = kept;
    return NULL;
}

const char *lifecircle_demo_extract(void)
{
    const char *env = getenv("LINLI_GEO_DEMO");

    return env && *env ? env : DEMO_EXTRACT;
}

Error *lifecircle_demo(Store *st, Arena *a, const char *street, const char *community,
                       LifecircleDemoCounts *ret)
{
    const char *path = lifecircle_demo_extract(), *hi, *name = NULL;
    Spot *spots = NULL;
    size_t n = 0, cap = 64, placed = 0;
    GeoPoint mid = { 0, 0 }, station = { 0, 0 };
    StoreStmt *s;
    Error *err;

    memset(ret, 0, sizeof(*ret));
    if (access(path, R_OK) != 0) {
        ret->skipped = true;
        return NULL;
    }
    err = geo_import_file(st, a, path, &ret->import);
    if (err)
        return err;
    spots = arena_alloc(a, cap * sizeof(*spots));
    s = store_prepare(st, a, SQL_OSM_BUILDINGS);
    while (store_step(s) == STORE_ROW) {
        spots = arena_grow(a, spots, n, &cap, sizeof(*spots));
        spots[n].osm_id = store_column_int64(s, 0);
        spots[n].p = (GeoPoint){ store_column_double(s, 1), store_column_double(s, 2) };
        n++;
    }
    store_reset(s);
    err = keep_on_main_network(st, a, spots, &n);
    if (err || !n)
        return err;
    mid.lat = mid.lon = 0;
    for (size_t i = 0; i < n; i++) {
        mid.lat += spots[i].p.lat;
        mid.lon += spots[i].p.lon;
    }
    mid.lat /= (double)n;
    mid.lon /= (double)n;
    for (size_t i = 0; i < n; i++)
        spots[i].d = geo_distance_m(mid.lat, mid.lon, spots[i].p.lat, spots[i].p.lon);
    qsort(spots, n, sizeof(*spots), cmp_spot);

    err = store_begin(st, a);
    if (err)
        return err;
    hi = arena_sprintf(a, "%s~", street);
    s = store_prepare_bind(st, a, SQL_STREET_BUILDINGS, "ttt", street, hi, community);
    {
        int64_t *ids = arena_alloc(a, (n + 1) * sizeof(*ids));
        const char **coms = arena_alloc(a, (n + 1) * sizeof(*coms));
        size_t k = 0, n_mine = 0;

        while (k < n && store_step(s) == STORE_ROW) {
            ids[k] = store_column_int64(s, 0);
            coms[k] = store_column_text(s, a, 1);
            k++;
        }
        store_reset(s);
        for (size_t i = 0; !err && i < k; i++) {
            StoreStmt *q = store_prepare(st, a, SQL_POINT_INSERT);

            store_bind_int64(q, 1, ids[i]);
            store_bind_text(q, 2, coms[i]);
            store_bind_double(q, 3, spots[i].p.lat);
            store_bind_double(q, 4, spots[i].p.lon);
            store_bind_int64(q, 5, spots[i].osm_id);
            store_bind_int64(q, 6, time_now_ms());
            err = store_run_stmt(st, a, q);
            if (!strcmp(coms[i], community)) {
                station.lat += spots[i].p.lat;
                station.lon += spots[i].p.lon;
                n_mine++;
            }
            placed++;
        }
        if (!err && n_mine) {
            StoreStmt *q = store_prepare_bind(st, a, SQL_COMMUNITY_NAME, "t", community);

            if (store_step(q) == STORE_ROW)
                name = store_column_text(q, a, 0);
            store_reset(q);
            /* the station stands among the community's buildings */
            q = store_prepare(st, a, SQL_STATION_INSERT);
            store_bind_text(q, 1, arena_sprintf(a, "%s社区综合服务站", name ? name : ""));
            store_bind_double(q, 2, station.lat / (double)n_mine);
            store_bind_double(q, 3, station.lon / (double)n_mine);
            store_bind_text(q, 4, community);
            store_bind_int64(q, 5, time_now_ms());
            err = store_run_stmt(st, a, q);
        }
    }
    if (!err)
        err = geo_touch(st, a);
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        return err;
    }
    ret->placed = (int64_t)placed;
    return NULL;
}
