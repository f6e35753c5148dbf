/* The life circle's SQL: the imported network, facilities and buildings. */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "lifecircle/lifecircle_model.h"
#include "lifecircle/lifecircle_store.h"
#include "core/banned.h"

static const char SQL_GEO_CLEAR[] =
    "DELETE FROM geo_edge;"
    "DELETE FROM geo_vertex;"
    "DELETE FROM geo_way;"
    "DELETE FROM geo_building;"
    "DELETE FROM geo_facility WHERE source = 'osm';";

static const char SQL_GEO_VERTEX_INSERT[] = "INSERT INTO geo_vertex (id, lat, lon) VALUES (?1, ?2, ?3)";
static const char SQL_GEO_EDGE_INSERT[] = "INSERT INTO geo_edge (a, b, meters) VALUES (?1, ?2, ?3)";
static const char SQL_GEO_WAY_INSERT[] = "INSERT INTO geo_way (id, highway, name) VALUES (?1, ?2, ?3)";
static const char SQL_GEO_FACILITY_INSERT[] =
    "INSERT INTO geo_facility (category, name, lat, lon, source, osm_type, osm_id)"
    " VALUES (?1, ?2, ?3, ?4, 'osm', ?5, ?6)";
static const char SQL_GEO_BUILDING_INSERT[] =
    "INSERT INTO geo_building (osm_id, kind, name, lat, lon) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (osm_id) DO NOTHING";
/* facilities staff closed keep closed through a new import of the same extract */
static const char SQL_GEO_CLOSED_KEEP[] =
    "CREATE TEMP TABLE IF NOT EXISTS geo_closed_keep (osm_type TEXT, osm_id BIGINT, category TEXT);"
    "DELETE FROM geo_closed_keep;"
    "INSERT INTO geo_closed_keep SELECT osm_type, osm_id, category FROM geo_facility"
    " WHERE source = 'osm' AND status = 'closed';";
static const char SQL_GEO_CLOSED_RESTORE[] =
    "UPDATE geo_facility SET status = 'closed' WHERE source = 'osm' AND EXISTS"
    " (SELECT 1 FROM geo_closed_keep k WHERE k.osm_type = geo_facility.osm_type"
    "  AND k.osm_id = geo_facility.osm_id AND k.category = geo_facility.category);"
    "DELETE FROM geo_closed_keep;";
static const char SQL_GEO_IMPORT_INSERT[] =
    "INSERT INTO geo_import (file, imported_at, vertices, edges, facilities, buildings)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQL_GEO_VERTICES[] = "SELECT id, lat, lon FROM geo_vertex";
static const char SQL_GEO_VERTEX_COUNT[] = "SELECT count(*) FROM geo_vertex";
static const char SQL_GEO_EDGE_COUNT[] = "SELECT count(*) FROM geo_edge";
static const char SQL_GEO_EDGES[] = "SELECT a, b, meters FROM geo_edge";
static const char SQL_GEO_BUILDINGS[] = "SELECT osm_id, lat, lon FROM geo_building ORDER BY osm_id";
static const char SQL_GEO_BUILDING_COUNT[] = "SELECT count(*) FROM geo_building";
/* the open facilities, and the function rooms placed (GEO_ROOM_FACILITIES) */
static const char SQL_GEO_FACILITIES[] =
    "SELECT id, category, lat, lon FROM geo_facility WHERE status = 'open'"
    " UNION ALL SELECT id, category, lat, lon FROM (" GEO_ROOM_FACILITIES ") rf ORDER BY 1";
static const char SQL_GEO_FACILITY_COUNT[] =
    "SELECT (SELECT count(*) FROM geo_facility WHERE status = 'open')"
    " + (SELECT count(*) FROM (" GEO_ROOM_FACILITIES ") rf)";

static int cmp_edge(const void *x, const void *y)
{
    const GeoEdgeRow *a = x, *b = y;

    if (a->a != b->a)
        return (a->a > b->a) - (a->a < b->a);
    if (a->b != b->b)
        return (a->b > b->b) - (a->b < b->b);
    return (a->meters > b->meters) - (a->meters < b->meters);
}

static int cmp_id(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;

    return (*a > *b) - (*a < *b);
}

static long find_node(const int64_t *ids, size_t n, int64_t id)
{
    const int64_t *p = bsearch(&id, ids, n, sizeof(*ids), cmp_id);

    return p ? (long)(p - ids) : -1;
}

/* One row: prepared, bound by @bind, stepped, reset; @ra is reset after. */
#define INSERT_ROW(st, ra, sql, binds)                                                   \
    do {                                                                                 \
        StoreStmt *s_ = store_prepare((st), (ra), (sql));                                \
        binds;                                                                           \
        if (store_step(s_) != STORE_DONE) {                                              \
            err = store_error((st), a);                                                  \
            goto out;                                                                    \
        }                                                                                \
        store_reset(s_);                                                                 \
        arena_reset(ra);                                                                 \
    } while (0)

Error *geo_store_replace(Store *st, Arena *a, const char *file, const int64_t *node_id, const GeoPoint *node_p, size_t n_nodes,
                         GeoEdgeRow *edges, size_t n_edges, const GeoWayRow *ways, size_t n_ways,
                         const GeoFacilityRow *facilities, size_t n_facilities,
                         const GeoBuildingRow *buildings, size_t n_buildings, GeoImportCounts *ret)
{
    int64_t *used = malloc((2 * n_edges + 1) * sizeof(*used));
    size_t n_used = 0, n_kept = 0;
    Arena *ra = arena_new(0);
    GeoImportCounts counts = { 0 };
    Error *err;

    if (!used)
        abort();
    /* each undirected pair once, with its shortest length */
    for (size_t e = 0; e < n_edges; e++) {
        if (edges[e].a > edges[e].b) {
            int64_t t = edges[e].a;

            edges[e].a = edges[e].b;
            edges[e].b = t;
        }
    }
    qsort(edges, n_edges, sizeof(*edges), cmp_edge);
    for (size_t e = 0; e < n_edges; e++) {
        if (n_kept && edges[n_kept - 1].a == edges[e].a && edges[n_kept - 1].b == edges[e].b)
            continue;
        edges[n_kept++] = edges[e];
        used[n_used++] = edges[e].a;
        used[n_used++] = edges[e].b;
    }
    qsort(used, n_used, sizeof(*used), cmp_id);

    err = store_begin(st, a);
    if (err)
        goto out;
    err = store_exec(st, a, SQL_GEO_CLOSED_KEEP);
    if (!err)
        err = store_exec(st, a, SQL_GEO_CLEAR);
    if (err)
        goto out;
    for (size_t i = 0; i < n_used; i++) {
        long k;

        if (i && used[i] == used[i - 1])
            continue;
        k = find_node(node_id, n_nodes, used[i]);
        INSERT_ROW(st, ra, SQL_GEO_VERTEX_INSERT, {
            store_bind_int64(s_, 1, used[i]);
            store_bind_double(s_, 2, node_p[k].lat);
            store_bind_double(s_, 3, node_p[k].lon);
        });
        counts.vertices++;
    }
    for (size_t e = 0; e < n_kept; e++) {
        INSERT_ROW(st, ra, SQL_GEO_EDGE_INSERT, {
            store_bind_int64(s_, 1, edges[e].a);
            store_bind_int64(s_, 2, edges[e].b);
            store_bind_double(s_, 3, edges[e].meters);
        });
    }
    counts.edges = (int64_t)n_kept;
    for (size_t w = 0; w < n_ways; w++) {
        INSERT_ROW(st, ra, SQL_GEO_WAY_INSERT, {
            store_bind_int64(s_, 1, ways[w].id);
            store_bind_text(s_, 2, ways[w].highway);
            store_bind_text(s_, 3, ways[w].name);
        });
    }
    for (size_t f = 0; f < n_facilities; f++) {
        const GeoFacilityRow *x = &facilities[f];
        const char type[2] = { x->osm_type, 0 };

        INSERT_ROW(st, ra, SQL_GEO_FACILITY_INSERT, {
            store_bind_text(s_, 1, geo_categories[x->category].key);
            store_bind_text(s_, 2, x->name);
            store_bind_double(s_, 3, x->p.lat);
            store_bind_double(s_, 4, x->p.lon);
            store_bind_text(s_, 5, type);
            store_bind_int64(s_, 6, x->osm_id);
        });
    }
    counts.facilities = (int64_t)n_facilities;
    for (size_t b = 0; b < n_buildings; b++) {
        const GeoBuildingRow *x = &buildings[b];

        /* a building drawn twice (a node and a way of one id) is kept once */
        INSERT_ROW(st, ra, SQL_GEO_BUILDING_INSERT, {
            store_bind_int64(s_, 1, x->osm_id);
            store_bind_text(s_, 2, x->kind);
            store_bind_text(s_, 3, x->name);
            store_bind_double(s_, 4, x->p.lat);
            store_bind_double(s_, 5, x->p.lon);
        });
        counts.buildings += store_changes(st);
    }
    INSERT_ROW(st, ra, SQL_GEO_IMPORT_INSERT, {
        store_bind_text(s_, 1, file);
        store_bind_int64(s_, 2, time_now_ms());
        store_bind_int64(s_, 3, counts.vertices);
        store_bind_int64(s_, 4, counts.edges);
        store_bind_int64(s_, 5, counts.facilities);
        store_bind_int64(s_, 6, counts.buildings);
    });
    err = store_exec(st, a, SQL_GEO_CLOSED_RESTORE);
    if (!err)
        err = geo_touch(st, a); /* every server's walking model is stale now */
    if (!err)
        err = store_commit(st, a);
out:
    if (err && store_in_tx(st))
        store_rollback(st);
    if (!err)
        *ret = counts;
    arena_free(ra);
    free(used);
    return err;
}

static Error *count_rows(Store *st, Arena *a, const char *sql, size_t *ret)
{
    StoreStmt *s = store_prepare(st, a, sql);

    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret = (size_t)store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

GeoGraph *geo_store_graph(Store *st, Arena *a, Error **ret_err)
{
    size_t nv = 0, ne = 0, i;
    int64_t *ids = NULL, *ea = NULL, *eb = NULL;
    GeoPoint *pts = NULL;
    double *em = NULL;
    GeoGraph *g = NULL;
    StoreStmt *s;
    StoreResult r;
    Error *err;

    err = count_rows(st, a, SQL_GEO_VERTEX_COUNT, &nv);
    if (!err)
        err = count_rows(st, a, SQL_GEO_EDGE_COUNT, &ne);
    if (err)
        goto out;
    ids = malloc((nv + 1) * sizeof(*ids));
    pts = malloc((nv + 1) * sizeof(*pts));
    ea = malloc((ne + 1) * sizeof(*ea));
    eb = malloc((ne + 1) * sizeof(*eb));
    em = malloc((ne + 1) * sizeof(*em));
    if (!ids || !pts || !ea || !eb || !em)
        abort();
    s = store_prepare(st, a, SQL_GEO_VERTICES);
    for (i = 0; i < nv && (r = store_step(s)) == STORE_ROW; i++) {
        ids[i] = store_column_int64(s, 0);
        pts[i] = (GeoPoint){ store_column_double(s, 1), store_column_double(s, 2) };
    }
    nv = i;
    store_reset(s);
    s = store_prepare(st, a, SQL_GEO_EDGES);
    for (i = 0; i < ne && (r = store_step(s)) == STORE_ROW; i++) {
        ea[i] = store_column_int64(s, 0);
        eb[i] = store_column_int64(s, 1);
        em[i] = store_column_double(s, 2);
    }
    ne = i;
    store_reset(s);
    g = geo_graph_new(nv, ids, pts, ne, ea, eb, em);
out:
    free(ids);
    free(pts);
    free(ea);
    free(eb);
    free(em);
    *ret_err = err;
    return g;
}

Error *geo_store_buildings(Store *st, Arena *a, GeoPlace **ret, size_t *ret_n)
{
    size_t n = 0, i;
    GeoPlace *items;
    StoreStmt *s;
    Error *err;

    err = count_rows(st, a, SQL_GEO_BUILDING_COUNT, &n);
    if (err)
        return err;
    items = arena_alloc(a, (n + 1) * sizeof(*items));
    s = store_prepare(st, a, SQL_GEO_BUILDINGS);
    for (i = 0; i < n && store_step(s) == STORE_ROW; i++)
        items[i] = (GeoPlace){ store_column_int64(s, 0), -1,
                               { store_column_double(s, 1), store_column_double(s, 2) } };
    store_reset(s);
    *ret = items;
    *ret_n = i;
    return NULL;
}

Error *geo_store_facilities(Store *st, Arena *a, GeoPlace **ret, size_t *ret_n)
{
    size_t n = 0, i = 0;
    GeoPlace *items;
    StoreStmt *s;
    Error *err;

    err = count_rows(st, a, SQL_GEO_FACILITY_COUNT, &n);
    if (err)
        return err;
    items = arena_alloc(a, (n + 1) * sizeof(*items));
    s = store_prepare(st, a, SQL_GEO_FACILITIES);
    while (i < n && store_step(s) == STORE_ROW) {
        char *cat = store_column_text(s, a, 1);
        int c = cat ? geo_category_find(cat) : -1;

        if (c < 0)
            continue;
        items[i++] = (GeoPlace){ store_column_int64(s, 0), c,
                                 { store_column_double(s, 2), store_column_double(s, 3) } };
    }
    store_reset(s);
    *ret = items;
    *ret_n = i;
    return NULL;
}
