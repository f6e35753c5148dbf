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
        json_array_append_new(
            lines, json_pack("[o, o]", lonlat(store_column_double(s, 0), store_column_double(s, 1)),
                             lonlat(store_column_double(s, 2), store_column_double(s, 3))));
    }
    store_reset(s);
    if (r != STORE_DONE) {
        json_decref(lines);
        return store_error(req->store, req->arena);
    }
    props = json_pack("{s:s, s:I, s:b}", "attribution", ATTRIBUTION, "edges",
                      (json_int_t)json_array_size(lines), "truncated", n > EDGES_MAX);
    return response_json(res, 200,
                         json_pack("{s:s, s:[{s:s, s:o, s:{s:s, s:o}}]}", "type",
                                   "FeatureCollection", "features", "type", "Feature", "properties",
                                   props, "geometry", "type", "MultiLineString", "coordinates",
                                   lines));
}

static Error *handle_buildings(Request *req, Response *res)
{
    GeoCoverageQuery q;
    json_t *features;
    Error *err = geo_coverage_query(req, &q);
    const GeoModel *m = q.m;
    const RegBuilding *bs = q.bs;
    size_t nb = q.nb;
    int cat = q.cat, band = q.band, minutes = q.minutes;

    if (err)
        return err;
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
        json_array_append_new(features, json_pack("{s:s, s:o, s:{s:s, s:o}}", "type", "Feature",
                                                  "properties", props, "geometry", "type", "Point",
                                                  "coordinates", lonlat(bs[i].p.lat, bs[i].p.lon)));
    }
    {
        json_t *o = json_pack("{s:s, s:o, s:{s:s?, s:i, s:f, s:s}}", "type", "FeatureCollection",
                              "features", features, "properties", "category",
                              cat >= 0 ? geo_categories[cat].key : NULL, "minutes", (int)minutes,
                              "meters", m->set.meters[band], "attribution", ATTRIBUTION);

        geo_model_put(q.m);
        return response_json(res, 200, o);
    }
}

void lifecircle_geojson_register(Router *r)
{
    router_add(r, "GET", "/api/v1/geo/network.geojson", handle_network, 0);
    router_add(r, "GET", "/api/v1/geo/buildings.geojson", handle_buildings, 0);
}
