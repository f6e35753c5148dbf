/*
 * The area a facility reaches on foot (issue 19, the map's isochrone
 * outlines): GET /api/v1/geo/facilities/{id}/isochrone walks from the
 * facility along the network with the same walking model as coverage
 * (its snap, its walk, its minute bands) and answers GeoJSON: for each
 * band the reached stretches of street (a street reached from both ends
 * whole, else the part within the band's distance from each end) and
 * their convex hull as an outline. Edges come from the store around the
 * facility (no farther than the farthest band in a straight line); their
 * vertices are found in the model's graph by snapping their own points.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth.h"
#include "http/request.h"
#include "http/response.h"
#include "lifecircle/lifecircle_routes.h"
#include "core/banned.h"

#define ATTRIBUTION "© OpenStreetMap contributors"
#define M_PER_DEG_LAT 111320.0
#define SAME_VERTEX_M 0.5

static const char SQL_ISO_FACILITY[] =
    "SELECT name, category, lat, lon, community, status FROM geo_facility WHERE id = ?1";
static const char SQL_ISO_EDGES[] =
    "SELECT va.lat, va.lon, vb.lat, vb.lon, e.meters FROM geo_edge e"
    " JOIN geo_vertex va ON va.id = e.a JOIN geo_vertex vb ON vb.id = e.b"
    " WHERE (va.lat >= ?1 AND va.lat <= ?2 AND va.lon >= ?3 AND va.lon <= ?4)"
    " OR (vb.lat >= ?1 AND vb.lat <= ?2 AND vb.lon >= ?3 AND vb.lon <= ?4)";

typedef struct Pts {
    GeoPoint *p;
    size_t n, cap;
} Pts;

static void pts_add(Arena *a, Pts *s, GeoPoint p)
{
    s->p = arena_grow(a, s->p, s->n, &s->cap, sizeof(*s->p));
    s->p[s->n++] = p;
}

static GeoPoint along(GeoPoint a, GeoPoint b, double t)
{
    return (GeoPoint){ a.lat + (b.lat - a.lat) * t, a.lon + (b.lon - a.lon) * t };
}

static json_t *lonlat(GeoPoint p)
{
    return json_pack("[f, f]", round(p.lon * 1e7) / 1e7, round(p.lat * 1e7) / 1e7);
}

static int cmp_point(const void *x, const void *y)
{
    const GeoPoint *a = x, *b = y;

    if (a->lon != b->lon)
        return a->lon < b->lon ? -1 : 1;
    if (a->lat != b->lat)
        return a->lat < b->lat ? -1 : 1;
    return 0;
}

static double cross(GeoPoint o, GeoPoint a, GeoPoint b)
{
    return (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon);
}

/* The convex hull of @s (sorted in place), a closed ring of [lon, lat]; NULL under 3 points. */
static json_t *hull_ring(Arena *a, Pts *s)
{
    GeoPoint *h;
    size_t k = 0;
    json_t *ring;

    if (s->n < 3)
        return NULL;
    qsort(s->p, s->n, sizeof(*s->p), cmp_point);
    h = arena_alloc(a, (2 * s->n + 1) * sizeof(*h));
    for (size_t i = 0; i < s->n; i++) { /* Andrew's monotone chain */
        while (k >= 2 && cross(h[k - 2], h[k - 1], s->p[i]) <= 0)
            k--;
        h[k++] = s->p[i];
    }
    for (size_t i = s->n - 1, t = k + 1; i-- > 0;) {
        while (k >= t && cross(h[k - 2], h[k - 1], s->p[i]) <= 0)
            k--;
        h[k++] = s->p[i];
    }
    if (k < 4) /* 3 distinct corners and the first again */
        return NULL;
    ring = json_array();
    for (size_t i = 0; i < k; i++)
        json_array_append_new(ring, lonlat(h[i]));
    return ring;
}

/* Adds the parts of edge @pa–@pb (@len m, ends at @da and @db from the facility) within @limit. */
static void reach_edge(Arena *a, json_t *lines, Pts *pts, GeoPoint pa, GeoPoint pb, double len,
                       double da, double db, double limit)
{
    if (da > limit && db > limit)
        return;
    if (len <= 0 || (da + db + len) / 2 <= limit) { /* the whole street */
        json_array_append_new(lines, json_pack("[o, o]", lonlat(pa), lonlat(pb)));
        pts_add(a, pts, pa);
        pts_add(a, pts, pb);
        return;
    }
    if (da <= limit) {
        GeoPoint q = along(pa, pb, fmin(1, (limit - da) / len));

        json_array_append_new(lines, json_pack("[o, o]", lonlat(pa), lonlat(q)));
        pts_add(a, pts, pa);
        pts_add(a, pts, q);
    }
    if (db <= limit) {
        GeoPoint q = along(pb, pa, fmin(1, (limit - db) / len));

        json_array_append_new(lines, json_pack("[o, o]", lonlat(pb), lonlat(q)));
        pts_add(a, pts, pb);
        pts_add(a, pts, q);
    }
}

/* The model's distance at the vertex standing at @p (INFINITY when none stands there). */
static double vertex_distance(const GeoModel *m, const double *dist, GeoPoint p)
{
    double off = INFINITY;
    long v = geo_graph_snap(m->g, p, &off);

    return v >= 0 && off <= SAME_VERTEX_M ? dist[v] : INFINITY;
}

static Error *handle_isochrone(Request *req, Response *res)
{
    const char *name = NULL, *category = NULL, *community = NULL, *status = NULL;
    GeoPoint p = { 0, 0 };
    GeoModel *m = NULL;
    double access = INFINITY, *dist = NULL, box[4];
    json_t *features, *o;
    Pts pts[GEO_BANDS];
    json_t *lines[GEO_BANDS];
    StoreStmt *s;
    StoreResult r;
    int64_t id;
    long v;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (err)
        return err;
    s = store_prepare_bind(req->store, req->arena, SQL_ISO_FACILITY, "i", id);
    r = store_step(s);
    if (r == STORE_ROW) {
        name = store_column_text(s, req->arena, 0);
        category = store_column_text(s, req->arena, 1);
        p = (GeoPoint){ store_column_double(s, 2), store_column_double(s, 3) };
        community = store_column_text(s, req->arena, 4);
        status = store_column_text(s, req->arena, 5);
    }
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(req->store, req->arena);
    if (r != STORE_ROW || (community && !auth_covers(req->user, community)))
        return error_not_found(req->arena, "id", "找不到该设施");
    err = geo_model_get(req->store, req->arena, &m);
    if (err)
        return err;
    features = json_array();
    v = geo_graph_snap(m->g, p, &access);
    for (int b = 0; b < GEO_BANDS; b++) {
        pts[b] = (Pts){ arena_alloc(req->arena, 64 * sizeof(GeoPoint)), 0, 64 };
        lines[b] = json_array();
    }
    if (v >= 0) {
        double dlat = m->limit_m / M_PER_DEG_LAT;
        double dlon = m->limit_m / (M_PER_DEG_LAT * fmax(0.01, cos(p.lat * (3.14159265358979323846 / 180))));

        dist = malloc((m->n_vertices + 1) * sizeof(*dist));
        if (!dist)
            abort();
        geo_graph_walk(m->g, 1, &v, &access, m->limit_m, dist);
        box[0] = p.lat - dlat;
        box[1] = p.lat + dlat;
        box[2] = p.lon - dlon;
        box[3] = p.lon + dlon;
        s = store_prepare(req->store, req->arena, SQL_ISO_EDGES);
        for (int i = 0; i < 4; i++)
            store_bind_double(s, i + 1, box[i]);
        while ((r = store_step(s)) == STORE_ROW) {
            GeoPoint pa = { store_column_double(s, 0), store_column_double(s, 1) };
            GeoPoint pb = { store_column_double(s, 2), store_column_double(s, 3) };
            double len = store_column_double(s, 4);
            double da = vertex_distance(m, dist, pa), db = vertex_distance(m, dist, pb);

            for (int b = 0; b < GEO_BANDS; b++)
                reach_edge(req->arena, lines[b], &pts[b], pa, pb, len, da, db, m->set.meters[b]);
        }
        store_reset(s);
        free(dist);
        if (r != STORE_DONE) {
            for (int b = 0; b < GEO_BANDS; b++)
                json_decref(lines[b]);
            json_decref(features);
            geo_model_put(m);
            return store_error(req->store, req->arena);
        }
    }
    for (int b = 0; b < GEO_BANDS; b++) {
        json_t *ring = hull_ring(req->arena, &pts[b]);

        json_array_append_new(
            features, json_pack("{s:s, s:{s:s, s:i, s:f, s:I}, s:{s:s, s:o}}", "type", "Feature",
                                "properties", "kind", "streets", "minutes", geo_band_minutes[b],
                                "meters", m->set.meters[b], "segments",
                                (json_int_t)json_array_size(lines[b]), "geometry", "type",
                                "MultiLineString", "coordinates", lines[b]));
        if (ring)
            json_array_append_new(
                features, json_pack("{s:s, s:{s:s, s:i, s:f}, s:{s:s, s:[o]}}", "type", "Feature",
                                    "properties", "kind", "outline", "minutes",
                                    geo_band_minutes[b], "meters", m->set.meters[b], "geometry",
                                    "type", "Polygon", "coordinates", ring));
    }
    o = json_pack("{s:s, s:o, s:{s:I, s:s?, s:s?, s:s?, s:f, s:f, s:b, s:o, s:s}}", "type",
                  "FeatureCollection", "features", features, "properties", "facility_id",
                  (json_int_t)id, "name", name, "category", category, "status", status, "lat",
                  p.lat, "lon", p.lon, "on_network", v >= 0, "access_meters",
                  v >= 0 ? json_real(round(access * 10) / 10) : json_null(), "attribution",
                  ATTRIBUTION);
    geo_model_put(m);
    return response_json(res, 200, o);
}

void lifecircle_isochrone_register(Router *r)
{
    router_add(r, "GET", "/api/v1/geo/facilities/{id}/isochrone", handle_isochrone, 0);
}
