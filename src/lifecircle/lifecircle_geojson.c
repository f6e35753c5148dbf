/*
 * GeoJSON for a Leaflet map page (RFC 7946: coordinates are [lon, lat]):
 * the walkable network to draw the streets from the imported data itself
 * (no tile server needed), and the registry buildings of the scope coloured
 * by coverage for a category and minute band. © OpenStreetMap contributors
 * goes with both.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth.h"
#include "http/response.h"
#include "lifecircle/lifecircle_routes.h"
#include "core/banned.h"

#define EDGES_MAX 60000
#define ATTRIBUTION "© OpenStreetMap contributors"

static const char SQL_NETWORK[] =
    "SELECT va.lat, va.lon, vb.lat, vb.lon FROM geo_edge e"
    " JOIN geo_vertex va ON va.id = e.a JOIN geo_vertex vb ON vb.id = e.b"
    " WHERE (va.lat >= ?1 AND va.lat <= ?2 AND va.lon >= ?3 AND va.lon <= ?4)"
    " OR (vb.lat >= ?1 AND vb.lat <= ?2 AND vb.lon >= ?3 AND vb.lon <= ?4)"
    " ORDER BY e.a, e.b LIMIT ?5";

static json_t *lonlat(double lat, double lon)
{
    return json_pack("[f, f]", lon, lat);
}

static Error *handle_network(Request *req, Response *res)
{
    double box[4];
    json_t *lines, *props;
    StoreStmt *s;
    StoreResult r;
    size_t n = 0;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = geo_bbox_query(req, box);
    if (err)
        return err;
    s = store_prepare(req->store, req->arena, SQL_NETWORK);
    store_bind_double(s, 1, box[1]);
    store_bind_double(s, 2, box[3]);
    store_bind_double(s, 3, box[0]);
    store_bind_double(s, 4, box[2]);
    store_bind_int64(s, 5, EDGES_MAX + 1);
    lines = json_array();
    while ((r = store_step(s)) == STORE_ROW) {
        if (++n > EDGES_MAX)
            continue;
        json_array_append_new(lines, json_pack("[o, o]",
                                               lonlat(store_column_double(s, 0), store_column_double(s, 1)),
                                               lonlat(store_column_double(s, 2), store_column_double(s, 3))));
    }
    store_reset(s);
    if (r != STORE_DONE) {
        json_decref(lines);
        return store_error(req->store, req->arena);
    }
    props = json_pack("{s:s, s:I, s:b}", "attribution", ATTRIBUTION, "edges",
                      (json_int_t)json_array_size(lines), "truncated", n > EDGES_MAX);
    return response_json(
        res, 200,
        json_pack("{s:s, s:[{s:s, s:o, s:{s:s, s:o}}]}", "type", "FeatureCollection", "features",
                  "type", "Feature", "properties", props, "geometry", "type", "MultiLineString",
                  "coordinates", lines));
}

static Error *handle_buildings(Request *req, Response *res)
{
    const char *lo, *hi, *cat_key = request_query(req, "category");
    int64_t minutes = 15;
    int band = 0, cat = -1;
    GeoModel *m = NULL;
    RegBuilding *bs = NULL;
    size_t nb = 0;
    json_t *features;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_GRID_WORKER | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = geo_scope_bounds(req, &lo, &hi);
    if (!err && cat_key && *cat_key) {
        cat = geo_category_find(cat_key);
        if (cat < 0)
            err = error_bad_request(req->arena, "category", "unknown_category",
                                    "未知的设施类别，请从 GET /api/v1/geo/categories 列出的类别中选择");
    }
    if (!err)
        err = request_query_int(req, "minutes", 15, 0, 1000, &minutes);
    if (!err)
        err = geo_band_arg(req, minutes, "minutes", true, &band);
    if (!err)
        err = geo_model_get(req->store, req->arena, &m);
    if (err)
        return err;
    err = geo_scope_buildings(req, m, lo, hi, &bs, &nb);
    if (err) {
        geo_model_put(m);
        return err;
    }
    features = json_array();
    for (size_t i = 0; i < nb; i++) {
        json_t *props = json_pack("{s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)bs[i].id, "name",
                                  bs[i].name, "community", bs[i].community, "residents",
                                  (json_int_t)bs[i].residents, "on_network", bs[i].vertex >= 0);

        if (cat >= 0) {
            double d = geo_building_distance(m, &bs[i], cat);

            json_object_set_new(props, "meters",
                                isfinite(d) ? json_real(round(d * 10) / 10) : json_null());
            json_object_set_new(props, "covered", json_boolean(d <= m->set.meters[band]));
        }
        json_array_append_new(features,
                              json_pack("{s:s, s:o, s:{s:s, s:o}}", "type", "Feature", "properties",
                                        props, "geometry", "type", "Point", "coordinates",
                                        lonlat(bs[i].p.lat, bs[i].p.lon)));
    }
    {
        json_t *o = json_pack("{s:s, s:o, s:{s:s?, s:i, s:f, s:s}}", "type", "FeatureCollection",
                              "features", features, "properties", "category",
                              cat >= 0 ? geo_categories[cat].key : NULL, "minutes", (int)minutes,
                              "meters", m->set.meters[band], "attribution", ATTRIBUTION);

        geo_model_put(m);
        return response_json(res, 200, o);
    }
}

void lifecircle_geojson_register(Router *r)
{
    router_add(r, "GET", "/api/v1/geo/network.geojson", handle_network, 0);
    router_add(r, "GET", "/api/v1/geo/buildings.geojson", handle_buildings, 0);
}
