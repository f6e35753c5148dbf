/*
 * The life circle's routes (/api/v1/geo/…, issue 19, the server side):
 * registry buildings placed on the map, facilities kept by staff,
 * coverage per community, the nearest services of a building (我家附近),
 * what-if and suggested sites, the settings and the 完整社区 checklist.
 * Distances come from the walking model every server keeps in memory
 * (lifecircle_model.h); every write is one transaction with its audit
 * entry and raises the 'geo' data version when the model must change.
 *
 * Who: a community's staff and secretary (and the street's admins, and
 * admins) place their buildings, keep facilities and read coverage; grid
 * workers read coverage; every signed-in user reads facilities; a
 * resident reads the services near her own building.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "lifecircle/lifecircle_model.h"
#include "lifecircle/lifecircle_routes.h"
#include "lifecircle/lifecircle_store.h"
#include "core/banned.h"

#define FACILITIES_MAX 5000
#define CANDIDATES_MAX 500
#define NEARBY_LIMIT_M 3000.0

#define ROLES_GEO_READ (ROLES_COMMUNITY_STAFF | ROLE_GRID_WORKER | ROLE_STREET_ADMIN | ROLE_ADMIN)
#define ROLES_GEO_WRITE (ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN)

/* ---- helpers ---- */

/* Staff of @community (its staff or secretary), the street's admin over it, or an admin. */
bool geo_may_manage(const User *u, const char *community)
{
    if (u->role == ROLE_ADMIN)
        return true;
    if (u->role == ROLE_STREET_ADMIN)
        return auth_covers(u, community);
    return auth_is_community_staff(u, community);
}

Error *geo_finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

static json_t *meters_json(double d)
{
    return isfinite(d) ? json_real(round(d * 10) / 10) : json_null();
}

static json_t *minutes_json(const GeoSettings *s, double d)
{
    return isfinite(d) ? json_real(round(d / s->walk_m_per_min * 10) / 10) : json_null();
}

static Error *category_field(Request *req, const char *value, const char *field, int *ret)
{
    int c = value ? geo_category_find(value) : -1;

    if (c < 0)
        return error_invalid(req->arena, field, "unknown_category",
                             "未知的设施类别，请从 GET /api/v1/geo/categories 列出的类别中选择");
    *ret = c;
    return NULL;
}

static Error *category_query(Request *req, bool required, int *ret)
{
    const char *v = request_query(req, "category");
    Error *err;

    *ret = -1;
    if (!v || !*v) {
        if (required)
            return error_bad_request(req->arena, "category", "missing_query",
                                     "请指定设施类别 category");
        return NULL;
    }
    err = category_field(req, v, "category", ret);
    if (err)
        err->status = 400;
    return err;
}

Error *geo_band_arg(Request *req, int64_t minutes, const char *field, bool query, int *ret)
{
    int b = geo_band_of((int)minutes);

    if (b < 0)
        return error_new(req->arena, query ? 400 : 422, field,
                         query ? "invalid_query" : "out_of_range", "步行分钟数应为 5、10 或 15");
    *ret = b;
    return NULL;
}

/*
 * The scope a coverage question is about: ?community=CODE (a community, or
 * any code prefix in her scope), or "street" / absent for her whole scope.
 */
Error *geo_scope_bounds(Request *req, const char **ret_lo, const char **ret_hi)
{
    const char *community = request_query(req, "community");

    if (community && !strcmp(community, "street")) {
        auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope, ret_lo,
                          ret_hi);
        return NULL;
    }
    return auth_list_bounds(req, ret_lo, ret_hi);
}

static const char SQL_SCOPE_BUILDINGS[] =
    "SELECT p.building_id, b.community, b.name, p.lat, p.lon,"
    " (SELECT count(*) FROM resident r WHERE r.building_id = p.building_id AND r.status = 'active')"
    " FROM geo_building_point p JOIN building b ON b.id = p.building_id"
    " WHERE p.community >= ?1 AND p.community < ?2 ORDER BY p.building_id";

/* The registry buildings with a point in [@lo, @hi), snapped to the model's graph. */
static Error *scope_buildings(Store *st, Arena *a, const GeoModel *m, const char *lo,
                              const char *hi, RegBuilding **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SCOPE_BUILDINGS, "tt", lo, hi);
    size_t n = 0, cap = 16;
    RegBuilding *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        RegBuilding *b;

        items = arena_grow(a, items, n, &cap, sizeof(*items));
        b = &items[n++];
        b->id = store_column_int64(s, 0);
        b->community = store_column_text(s, a, 1);
        b->name = store_column_text(s, a, 2);
        b->p = (GeoPoint){ store_column_double(s, 3), store_column_double(s, 4) };
        b->residents = store_column_int64(s, 5);
        b->vertex = geo_graph_snap(m->g, b->p, &b->access);
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *geo_scope_buildings(Request *req, const GeoModel *m, const char *lo, const char *hi,
                           RegBuilding **ret, size_t *ret_n)
{
    return scope_buildings(req->store, req->arena, m, lo, hi, ret, ret_n);
}

/* The model's distance for building @b to category @c. */
double geo_building_distance(const GeoModel *m, const RegBuilding *b, int c)
{
    double d;

    if (b->vertex < 0)
        return INFINITY;
    d = b->access + m->dist[c][b->vertex];
    return d <= m->limit_m ? d : INFINITY;
}

/* ---- categories and settings ---- */

static Error *handle_categories(Request *req, Response *res)
{
    json_t *items = json_array();

    (void)req;
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++)
        json_array_append_new(items, json_pack("{s:s, s:s}", "key", geo_categories[c].key, "name",
                                               geo_categories[c].name));
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

static json_t *settings_json(const GeoSettings *s)
{
    json_t *bands = json_array();

    for (int b = 0; b < GEO_BANDS; b++)
        json_array_append_new(
            bands, json_pack("{s:i, s:f}", "minutes", geo_band_minutes[b], "meters", s->meters[b]));
    return json_pack("{s:f, s:f, s:f, s:f, s:o}", "meters_5", s->meters[0], "meters_10",
                     s->meters[1], "meters_15", s->meters[2], "walk_m_per_min", s->walk_m_per_min,
                     "bands", bands);
}

static Error *handle_settings_get(Request *req, Response *res)
{
    GeoSettings s;
    Error *err = auth_require(req, ROLES_GEO_READ);

    if (!err)
        err = geo_settings_read(req->store, req->arena, &s);
    if (err)
        return err;
    return response_json(res, 200, settings_json(&s));
}

static const char SQL_SETTING_PUT[] = "INSERT INTO geo_setting (name, value) VALUES (?1, ?2)"
                                      " ON CONFLICT (name) DO UPDATE SET value = excluded.value";

static Error *handle_settings_put(Request *req, Response *res)
{
    static const char *const fields[] = { "meters_5", "meters_10", "meters_15", "walk_m_per_min",
                                          NULL };
    GeoSettings s;
    json_t *body = NULL;
    double v[4];
    bool present[4];
    Error *err;

    err = auth_require(req, ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = geo_settings_read(req->store, req->arena, &s);
    v[0] = s.meters[0];
    v[1] = s.meters[1];
    v[2] = s.meters[2];
    v[3] = s.walk_m_per_min;
    for (int i = 0; !err && i < 3; i++)
        err = request_field_number(req, body, fields[i], false, 50, 5000, &v[i], &present[i]);
    if (!err)
        err = request_field_number(req, body, "walk_m_per_min", false, 20, 200, &v[3], &present[3]);
    if (err)
        return err;
    if (!(v[0] <= v[1] && v[1] <= v[2]))
        return error_invalid(req->arena, "meters_10", "not_ordered",
                             "5、10、15 分钟的步行距离应依次不减少");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    for (int i = 0; !err && i < 4; i++) {
        StoreStmt *st = store_prepare(req->store, req->arena, SQL_SETTING_PUT);

        store_bind_text(st, 1, fields[i]);
        store_bind_double(st, 2, v[i]);
        err = store_run_stmt(req->store, req->arena, st);
    }
    if (!err)
        err = geo_touch(req->store, req->arena);
    if (!err)
        err = audit_record(req, "geo.settings", "geo_setting", 0, NULL,
                           json_pack("{s:f, s:f, s:f, s:f}", "meters_5", v[0], "meters_10", v[1],
                                     "meters_15", v[2], "walk_m_per_min", v[3]));
    err = geo_finish(req, err);
    if (err)
        return err;
    s = (GeoSettings){ { v[0], v[1], v[2] }, v[3] };
    return response_json(res, 200, settings_json(&s));
}

/* ---- registry buildings on the map ---- */

static const char SQL_BUILDING_COMMUNITY[] = "SELECT community, name FROM building WHERE id = ?1";
static const char SQL_OSM_BUILDING[] = "SELECT lat, lon FROM geo_building WHERE osm_id = ?1";
static const char SQL_POINT_PUT[] =
    "INSERT INTO geo_building_point (building_id, community, lat, lon, osm_building, updated_at,"
    " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (building_id) DO UPDATE SET community = excluded.community, lat = excluded.lat,"
    " lon = excluded.lon, osm_building = excluded.osm_building, updated_at = excluded.updated_at,"
    " updated_by = excluded.updated_by";
static const char SQL_POINT_GET[] =
    "SELECT lat, lon, osm_building FROM geo_building_point WHERE building_id = ?1";

/* Registry building {id} in her scope (404 otherwise): its community and name. */
static Error *load_building(Request *req, int64_t id, const char **ret_community,
                            const char **ret_name)
{
    StoreStmt *s = store_prepare_bind(req->store, req->arena, SQL_BUILDING_COMMUNITY, "i", id);
    StoreResult r = store_step(s);
    const char *community = NULL, *name = NULL;

    if (r == STORE_ROW) {
        community = store_column_text(s, req->arena, 0);
        name = store_column_text(s, req->arena, 1);
    }
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(req->store, req->arena);
    if (!community || !auth_covers(req->user, community))
        return error_not_found(req->arena, "id", "找不到该楼栋");
    *ret_community = community;
    if (ret_name)
        *ret_name = name;
    return NULL;
}

static json_t *point_json(Request *req, int64_t id)
{
    StoreStmt *s = store_prepare_bind(req->store, req->arena, SQL_POINT_GET, "i", id);
    json_t *o = json_null();

    if (store_step(s) == STORE_ROW)
        o = json_pack("{s:I, s:f, s:f, s:o}", "building_id", (json_int_t)id, "lat",
                      store_column_double(s, 0), "lon", store_column_double(s, 1), "osm_building",
                      store_column_is_null(s, 2) ? json_null()
                                                 : json_integer(store_column_int64(s, 2)));
    store_reset(s);
    return o;
}

static Error *handle_point_put(Request *req, Response *res)
{
    static const char *const fields[] = { "lat", "lon", "osm_building", NULL };
    const char *community = NULL;
    json_t *body = NULL;
    double lat = 0, lon = 0;
    int64_t id, osm = 0;
    bool has_lat = false, has_lon = false, has_osm = false;
    Error *err;

    err = auth_require(req, ROLES_GEO_WRITE);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = load_building(req, id, &community, NULL);
    if (!err && !geo_may_manage(req->user, community))
        err = error_forbidden(req->arena, "只有本社区工作人员可以标注楼栋位置");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_number(req, body, "lat", false, -90, 90, &lat, &has_lat);
    if (!err)
        err = request_field_number(req, body, "lon", false, -180, 180, &lon, &has_lon);
    if (!err)
        err = request_field_int(req, body, "osm_building", false, 1, INT64_MAX, &osm, &has_osm);
    if (err)
        return err;
    if (has_osm) {
        StoreStmt *s = store_prepare_bind(req->store, req->arena, SQL_OSM_BUILDING, "i", osm);
        bool found = store_step(s) == STORE_ROW;

        if (found && !has_lat && !has_lon) {
            lat = store_column_double(s, 0);
            lon = store_column_double(s, 1);
            has_lat = has_lon = true;
        }
        store_reset(s);
        if (!found)
            return error_invalid(req->arena, "osm_building", "unknown_osm_building",
                                 "找不到这个 OSM 建筑，请先导入地图数据");
    }
    if (!has_lat)
        return error_invalid(req->arena, "lat", "missing_field",
                             "请填写纬度 lat（或给出 osm_building）");
    if (!has_lon)
        return error_invalid(req->arena, "lon", "missing_field",
                             "请填写经度 lon（或给出 osm_building）");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (!err) {
        StoreStmt *s = store_prepare(req->store, req->arena, SQL_POINT_PUT);

        store_bind_int64(s, 1, id);
        store_bind_text(s, 2, community);
        store_bind_double(s, 3, lat);
        store_bind_double(s, 4, lon);
        store_bind_id_or_null(s, 5, has_osm ? osm : 0);
        store_bind_int64(s, 6, time_now_ms());
        store_bind_int64(s, 7, req->user->id);
        err = store_run_stmt(req->store, req->arena, s);
    }
    if (!err)
        err = audit_record(req, "geo.building_point", "building", id, community,
                           json_pack("{s:f, s:f}", "lat", lat, "lon", lon));
    err = geo_finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, point_json(req, id));
}

/* ---- facilities ---- */

static const char SQL_FACILITY_GET[] =
    "SELECT id, category, name, lat, lon, source, status, community, station FROM geo_facility"
    " WHERE id = ?1";
static const char SQL_FACILITY_INSERT[] =
    "INSERT INTO geo_facility (category, name, lat, lon, source, status, community, updated_at,"
    " updated_by) VALUES (?1, ?2, ?3, ?4, 'staff', 'open', ?5, ?6, ?7) RETURNING id";
static const char SQL_FACILITY_UPDATE[] =
    "UPDATE geo_facility SET category = ?2, name = ?3, lat = ?4, lon = ?5, updated_at = ?6,"
    " updated_by = ?7 WHERE id = ?1";
static const char SQL_FACILITY_STATUS[] =
    "UPDATE geo_facility SET status = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1";
/* with the function rooms placed (GEO_ROOM_FACILITIES, negative ids) */
static const char SQL_FACILITY_LIST[] =
    "SELECT id, category, name, lat, lon, source, status, community, station FROM ("
    "SELECT id, category, name, lat, lon, source, status, community, station FROM geo_facility"
    " UNION ALL " GEO_ROOM_FACILITIES ") f"
    " WHERE (?1 = '' OR category = ?1) AND lat >= ?2 AND lat <= ?3 AND lon >= ?4 AND lon <= ?5"
    " AND (?6 = 'all' OR status = ?6)"
    " AND (community IS NULL OR (community >= ?7 AND community < ?8))"
    " ORDER BY id LIMIT ?9";

static json_t *facility_row_json(Request *req, StoreStmt *s)
{
    const char *cat = store_column_text(s, req->arena, 1);
    int c = cat ? geo_category_find(cat) : -1;
    const char *name = store_column_text(s, req->arena, 2);
    const char *community = store_column_text(s, req->arena, 7);

    return json_pack("{s:I, s:s, s:s, s:s?, s:f, s:f, s:s, s:s, s:s?, s:b}", "id",
                     (json_int_t)store_column_int64(s, 0), "category", cat ? cat : "",
                     "category_name", c >= 0 ? geo_categories[c].name : "", "name", name, "lat",
                     store_column_double(s, 3), "lon", store_column_double(s, 4), "source",
                     store_column_text(s, req->arena, 5), "status",
                     store_column_text(s, req->arena, 6), "community", community, "station",
                     store_column_int64(s, 8) != 0);
}

/* A facility's JSON, with room_id for a function room (GEO_ROOM_FACILITIES). */
static json_t *facility_item_json(Request *req, StoreStmt *s)
{
    json_t *o = facility_row_json(req, s);
    int64_t id = store_column_int64(s, 0);

    if (id < 0)
        json_object_set_new(o, "room_id", json_integer(-id));
    return o;
}

typedef struct Facility {
    int64_t id;
    int category;
    const char *name;
    double lat, lon;
    const char *source, *status, *community;
} Facility;

/* Facility {id} (route parameter 0) she may see; 404 otherwise. */
static Error *load_facility(Request *req, Facility *ret, json_t **ret_json)
{
    StoreStmt *s;
    StoreResult r;
    int64_t id;
    Error *err = request_param_id(req, 0, &id);

    if (err)
        return err;
    s = store_prepare_bind(req->store, req->arena, SQL_FACILITY_GET, "i", id);
    r = store_step(s);
    if (r == STORE_ROW) {
        const char *cat = store_column_text(s, req->arena, 1);

        ret->id = id;
        ret->category = cat ? geo_category_find(cat) : -1;
        ret->name = store_column_text(s, req->arena, 2);
        ret->lat = store_column_double(s, 3);
        ret->lon = store_column_double(s, 4);
        ret->source = store_column_text(s, req->arena, 5);
        ret->status = store_column_text(s, req->arena, 6);
        ret->community = store_column_text(s, req->arena, 7);
        if (ret_json)
            *ret_json = facility_row_json(req, s);
    }
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(req->store, req->arena);
    if (r != STORE_ROW || (ret->community && !auth_covers(req->user, ret->community)))
        return error_not_found(req->arena, "id", "找不到该设施");
    return NULL;
}

static Error *respond_facility(Request *req, Response *res, int status, int64_t id)
{
    StoreStmt *s = store_prepare_bind(req->store, req->arena, SQL_FACILITY_GET, "i", id);
    json_t *o = NULL;

    if (store_step(s) == STORE_ROW)
        o = facility_row_json(req, s);
    store_reset(s);
    if (!o)
        return error_not_found(req->arena, "id", "找不到该设施");
    return response_json(res, status, o);
}

/* "minLon,minLat,maxLon,maxLat" (Leaflet's toBBoxString) into @box. */
Error *geo_bbox_query(Request *req, double box[4])
{
    const char *v = request_query(req, "bbox");
    char *end;

    box[0] = -180;
    box[1] = -90;
    box[2] = 180;
    box[3] = 90;
    if (!v || !*v)
        return NULL;
    for (int i = 0; i < 4; i++) {
        box[i] = strtod(v, &end);
        if (end == v || !isfinite(box[i]) || (i < 3 ? *end != ',' : *end != 0))
            return error_bad_request(req->arena, "bbox", "invalid_query",
                                     "范围 bbox 应为“西经度,南纬度,东经度,北纬度”四个数字");
        v = end + 1;
    }
    if (box[0] > box[2] || box[1] > box[3] || fabs(box[1]) > 90 || fabs(box[3]) > 90 ||
        fabs(box[0]) > 180 || fabs(box[2]) > 180)
        return error_bad_request(
            req->arena, "bbox", "invalid_query",
            "范围 bbox 应为“西经度,南纬度,东经度,北纬度”，且西小于东、南小于北");
    return NULL;
}

static Error *handle_facilities_list(Request *req, Response *res)
{
    const char *status = request_query(req, "status");
    const char *lo, *hi;
    double box[4];
    int c = -1;
    json_t *items;
    StoreStmt *s;
    StoreResult r;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = category_query(req, false, &c);
    if (!err)
        err = geo_bbox_query(req, box);
    if (!err && status && strcmp(status, "open") && strcmp(status, "closed") &&
        strcmp(status, "all"))
        err = error_bad_request(req->arena, "status", "invalid_query",
                                "状态 status 应为 open、closed 或 all");
    if (err)
        return err;
    auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope, &lo, &hi);
    s = store_prepare(req->store, req->arena, SQL_FACILITY_LIST);
    store_bind_text(s, 1, c >= 0 ? geo_categories[c].key : "");
    store_bind_double(s, 2, box[1]);
    store_bind_double(s, 3, box[3]);
    store_bind_double(s, 4, box[0]);
    store_bind_double(s, 5, box[2]);
    store_bind_text(s, 6, status ? status : "open");
    store_bind_text(s, 7, lo);
    store_bind_text(s, 8, hi);
    store_bind_int64(s, 9, FACILITIES_MAX + 1);
    items = json_array();
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, facility_item_json(req, s));
    store_reset(s);
    if (r != STORE_DONE) {
        json_decref(items);
        return store_error(req->store, req->arena);
    }
    {
        bool truncated = json_array_size(items) > FACILITIES_MAX;

        if (truncated)
            json_array_remove(items, FACILITIES_MAX);
        return response_json(res, 200,
                             json_pack("{s:o, s:b, s:s}", "items", items, "truncated", truncated,
                                       "attribution", "© OpenStreetMap contributors"));
    }
}

static Error *handle_facility_create(Request *req, Response *res)
{
    static const char *const fields[] = { "category", "name", "lat", "lon", "community", NULL };
    const char *cat = NULL, *name = NULL, *community = NULL, *prefix = NULL;
    json_t *body = NULL;
    double lat = 0, lon = 0;
    int c = -1;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_GEO_WRITE);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "category", true, 1, 40, &cat);
    if (!err)
        err = category_field(req, cat, "category", &c);
    if (!err)
        err = request_field_string(req, body, "name", true, 1, 100, &name);
    if (!err)
        err = request_field_number(req, body, "lat", true, -90, 90, &lat, NULL);
    if (!err)
        err = request_field_number(req, body, "lon", true, -180, 180, &lon, NULL);
    if (!err)
        err = request_field_string(req, body, "community", false, 1, 12, &community);
    if (err)
        return err;
    if (!community && (req->user->role == ROLE_STAFF || req->user->role == ROLE_SECRETARY))
        community = req->user->scope;
    if (!community)
        return error_invalid(req->arena, "community", "missing_field",
                             "请指定设施所属社区 community");
    err = validate_division_code(req->arena, "community", community, &prefix);
    if (err)
        return err;
    if (strlen(prefix) != 12)
        return error_invalid(req->arena, "community", "invalid", "社区代码应为 12 位");
    if (!geo_may_manage(req->user, prefix))
        return error_forbidden(req->arena, "只有本社区工作人员可以添加本社区的设施");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (!err) {
        StoreStmt *s = store_prepare(req->store, req->arena, SQL_FACILITY_INSERT);

        store_bind_text(s, 1, geo_categories[c].key);
        store_bind_text(s, 2, name);
        store_bind_double(s, 3, lat);
        store_bind_double(s, 4, lon);
        store_bind_text(s, 5, prefix);
        store_bind_int64(s, 6, time_now_ms());
        store_bind_int64(s, 7, req->user->id);
        err = store_run_int64(req->store, req->arena, s, &id);
    }
    if (!err)
        err = geo_touch(req->store, req->arena);
    if (!err)
        err = audit_record(req, "geo.facility_create", "geo_facility", id, prefix,
                           json_pack("{s:s, s:s, s:f, s:f}", "category", geo_categories[c].key,
                                     "name", name, "lat", lat, "lon", lon));
    err = geo_finish(req, err);
    if (err)
        return err;
    return respond_facility(req, res, 201, id);
}

static const char SQL_STATION_GET[] =
    "SELECT id FROM geo_facility WHERE community = ?1 AND station = 1";
static const char SQL_STATION_INSERT[] =
    "INSERT INTO geo_facility (category, name, lat, lon, source, status, community, station,"
    " updated_at, updated_by) VALUES ('community_service', ?1, ?2, ?3, 'staff', 'open', ?4, 1, ?5, "
    "?6)"
    " RETURNING id";
static const char SQL_STATION_MOVE[] =
    "UPDATE geo_facility SET name = ?2, lat = ?3, lon = ?4, status = 'open', updated_at = ?5,"
    " updated_by = ?6 WHERE id = ?1";
static const char SQL_DIVISION_NAME[] = "SELECT name FROM division WHERE code = ?1 AND level = 5";

/*
 * PUT /api/v1/geo/communities/{code}/station: the community's point, where
 * its 社区综合服务站 stands: one facility of category community_service
 * marked as the station, made or moved (and reopened) here.
 */
static Error *handle_station_put(Request *req, Response *res)
{
    static const char *const fields[] = { "lat", "lon", "name", NULL };
    const char *code = NULL, *name = NULL, *cname = NULL;
    json_t *body = NULL;
    double lat = 0, lon = 0;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_GEO_WRITE);
    if (!err)
        err = validate_division_code(req->arena, "code", req->params[0], &code);
    if (!err && strlen(code) != 12)
        err = error_not_found(req->arena, "code", "找不到该社区");
    if (!err && !auth_covers(req->user, code))
        err = error_not_found(req->arena, "code", "找不到该社区");
    if (err)
        return err;
    {
        StoreStmt *s = store_prepare_bind(req->store, req->arena, SQL_DIVISION_NAME, "t", code);

        if (store_step(s) == STORE_ROW)
            cname = store_column_text(s, req->arena, 0);
        store_reset(s);
    }
    if (!cname)
        return error_not_found(req->arena, "code", "找不到该社区");
    if (!geo_may_manage(req->user, code))
        return error_forbidden(req->arena, "只有本社区工作人员可以标注社区综合服务站");
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_number(req, body, "lat", true, -90, 90, &lat, NULL);
    if (!err)
        err = request_field_number(req, body, "lon", true, -180, 180, &lon, NULL);
    if (!err)
        err = request_field_string(req, body, "name", false, 1, 100, &name);
    if (err)
        return err;
    if (!name)
        name = arena_sprintf(req->arena, "%s社区综合服务站", cname);
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (!err)
        err = store_run_int64(
            req->store, req->arena,
            store_prepare_bind(req->store, req->arena, SQL_STATION_GET, "t", code), &id);
    if (!err) {
        StoreStmt *s =
            store_prepare(req->store, req->arena, id ? SQL_STATION_MOVE : SQL_STATION_INSERT);
        int k = 1;

        if (id)
            store_bind_int64(s, k++, id);
        store_bind_text(s, k++, name);
        store_bind_double(s, k++, lat);
        store_bind_double(s, k++, lon);
        if (!id)
            store_bind_text(s, k++, code);
        store_bind_int64(s, k++, time_now_ms());
        store_bind_int64(s, k++, req->user->id);
        if (id)
            err = store_run_stmt(req->store, req->arena, s);
        else
            err = store_run_int64(req->store, req->arena, s, &id);
    }
    if (!err)
        err = geo_touch(req->store, req->arena);
    if (!err)
        err = audit_record(req, "geo.station", "geo_facility", id, code,
                           json_pack("{s:f, s:f}", "lat", lat, "lon", lon));
    err = geo_finish(req, err);
    if (err)
        return err;
    return respond_facility(req, res, 200, id);
}

/* May she change facility @f: a staff one of her community, or close an OSM one in her scope. */
static Error *may_change_facility(Request *req, const Facility *f)
{
    if (f->community ? geo_may_manage(req->user, f->community)
                     : (req->user->role == ROLE_ADMIN || req->user->role == ROLE_STREET_ADMIN ||
                        req->user->role == ROLE_STAFF || req->user->role == ROLE_SECRETARY))
        return NULL;
    return error_forbidden(req->arena, "只有该设施所属社区的工作人员可以修改它");
}

static Error *handle_facility_update(Request *req, Response *res)
{
    static const char *const fields[] = { "category", "name", "lat", "lon", NULL };
    Facility f = { 0 };
    const char *cat = NULL, *name = NULL;
    json_t *body = NULL;
    double lat, lon;
    int c;
    Error *err;

    err = auth_require(req, ROLES_GEO_WRITE);
    if (!err)
        err = load_facility(req, &f, NULL);
    if (!err)
        err = may_change_facility(req, &f);
    if (!err && strcmp(f.source, "staff") != 0)
        err = error_invalid(req->arena, "id", "not_editable",
                            "OpenStreetMap 导入的设施不能移动或改名，只能关闭；请另行添加一个设施");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    c = f.category;
    name = f.name;
    lat = f.lat;
    lon = f.lon;
    err = request_field_string(req, body, "category", false, 1, 40, &cat);
    if (!err && cat)
        err = category_field(req, cat, "category", &c);
    if (!err) {
        const char *n = NULL;

        err = request_field_string(req, body, "name", false, 1, 100, &n);
        if (n)
            name = n;
    }
    if (!err)
        err = request_field_number(req, body, "lat", false, -90, 90, &lat, NULL);
    if (!err)
        err = request_field_number(req, body, "lon", false, -180, 180, &lon, NULL);
    if (!err && c < 0)
        err = category_field(req, NULL, "category", &c);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (!err) {
        StoreStmt *s = store_prepare(req->store, req->arena, SQL_FACILITY_UPDATE);

        store_bind_int64(s, 1, f.id);
        store_bind_text(s, 2, geo_categories[c].key);
        store_bind_text(s, 3, name);
        store_bind_double(s, 4, lat);
        store_bind_double(s, 5, lon);
        store_bind_int64(s, 6, time_now_ms());
        store_bind_int64(s, 7, req->user->id);
        err = store_run_stmt(req->store, req->arena, s);
    }
    if (!err)
        err = geo_touch(req->store, req->arena);
    if (!err)
        err = audit_record(req, "geo.facility_update", "geo_facility", f.id, f.community,
                           json_pack("{s:s, s:s?, s:f, s:f}", "category", geo_categories[c].key,
                                     "name", name, "lat", lat, "lon", lon));
    err = geo_finish(req, err);
    if (err)
        return err;
    return respond_facility(req, res, 200, f.id);
}

static Error *set_status(Request *req, Response *res, const char *status)
{
    Facility f = { 0 };
    Error *err;

    err = auth_require(req, ROLES_GEO_WRITE);
    if (!err)
        err = load_facility(req, &f, NULL);
    if (!err)
        err = may_change_facility(req, &f);
    if (err)
        return err;
    if (!strcmp(f.status, status))
        return respond_facility(req, res, 200, f.id); /* already so: nothing to write */
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (!err)
        err = store_run(req->store, req->arena, SQL_FACILITY_STATUS, NULL, NULL, NULL, NULL, "itii",
                        f.id, status, time_now_ms(), req->user->id);
    if (!err)
        err = geo_touch(req->store, req->arena);
    if (!err)
        err = audit_record(
            req, strcmp(status, "closed") ? "geo.facility_reopen" : "geo.facility_close",
            "geo_facility", f.id,
            f.community ? f.community : (req->user->role == ROLE_ADMIN ? NULL : req->user->scope),
            json_pack("{s:s, s:s}", "source", f.source, "category",
                      f.category >= 0 ? geo_categories[f.category].key : ""));
    err = geo_finish(req, err);
    if (err)
        return err;
    return respond_facility(req, res, 200, f.id);
}

static Error *handle_facility_close(Request *req, Response *res)
{
    return set_status(req, res, "closed");
}

static Error *handle_facility_reopen(Request *req, Response *res)
{
    return set_status(req, res, "open");
}

/* ---- coverage ---- */

static const char SQL_SCOPE_COMMUNITIES[] =
    "SELECT code, name FROM division WHERE level = 5 AND code >= ?1 AND code < ?2 ORDER BY code";

Error *geo_coverage_query(Request *req, GeoCoverageQuery *q)
{
    int64_t minutes = 15;
    Error *err;

    memset(q, 0, sizeof(*q));
    err = auth_require(req, ROLES_GEO_READ);
    if (!err)
        err = geo_scope_bounds(req, &q->lo, &q->hi);
    if (!err)
        err = category_query(req, false, &q->cat);
    if (!err)
        err = request_query_int(req, "minutes", 15, 0, 1000, &minutes);
    if (!err)
        err = geo_band_arg(req, minutes, "minutes", true, &q->band);
    if (!err)
        err = geo_model_get(req->store, req->arena, &q->m);
    if (err)
        return err;
    q->minutes = (int)minutes;
    q->meters = q->m->set.meters[q->band];
    err = geo_scope_buildings(req, q->m, q->lo, q->hi, &q->bs, &q->nb);
    if (err) {
        geo_model_put(q->m);
        q->m = NULL;
    }
    return err;
}

/*
 * Counts building @b as covered for category @c (into @cov_b, its residents
 * into @cov_r) when its distance @d is within @limit; whether it was. The
 * coverage route and geo_coverage_by_community count alike.
 */
static bool coverage_add(const RegBuilding *b, int c, double d, double limit, int64_t *cov_b,
                         int64_t *cov_r)
{
    if (!(d <= limit))
        return false;
    cov_b[c]++;
    cov_r[c] += b->residents;
    return true;
}

static int building_by_community(const void *x, const void *y)
{
    const RegBuilding *p = x, *q = y;
    int k = strcmp(p->community, q->community);

    return k ? k : (p->id > q->id) - (p->id < q->id);
}

Error *geo_coverage_by_community(Store *st, Arena *a, const char *lo, const char *hi, int minutes,
                                 CountRows *out)
{
    int band = geo_band_of(minutes);
    RegBuilding *bs = NULL;
    size_t nb = 0;
    GeoModel *m;
    Error *err;

    if (band < 0)
        band = GEO_BANDS - 1;
    err = geo_model_get(st, a, &m);
    if (err)
        return err;
    err = scope_buildings(st, a, m, lo, hi, &bs, &nb);
    if (!err && nb > 1)
        qsort(bs, nb, sizeof(*bs), building_by_community);
    for (size_t i = 0; !err && i < nb;) {
        int64_t n_b = 0, n_r = 0, cov_b[_GEO_CATEGORY_MAX] = { 0 },
                cov_r[_GEO_CATEGORY_MAX] = { 0 };
        double limit = m->set.meters[band];
        size_t j = i;

        for (; j < nb && strcmp(bs[j].community, bs[i].community) == 0; j++) {
            n_b++;
            n_r += bs[j].residents;
            for (int c = 0; c < _GEO_CATEGORY_MAX; c++)
                coverage_add(&bs[j], c, geo_building_distance(m, &bs[j], c), limit, cov_b, cov_r);
        }
        for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
            CountRow *row = count_rows_add(a, out);

            row->community = bs[i].community;
            row->key = geo_categories[c].key;
            row->label = geo_categories[c].name;
            row->n[0] = n_b;
            row->n[1] = cov_b[c];
            row->n[2] = n_r;
            row->n[3] = cov_r[c];
        }
        i = j;
    }
    geo_model_put(m);
    return err;
}

static Error *handle_coverage(Request *req, Response *res)
{
    GeoCoverageQuery q;
    const char *lo, *hi;
    int band, cat;
    int64_t minutes;
    GeoModel *m;
    RegBuilding *bs;
    size_t nb;
    json_t *communities;
    StoreStmt *s;
    StoreResult r;
    Error *err = geo_coverage_query(req, &q);

    if (err)
        return err;
    lo = q.lo;
    hi = q.hi;
    band = q.band;
    cat = q.cat;
    minutes = q.minutes;
    m = q.m;
    bs = q.bs;
    nb = q.nb;
    communities = json_array();
    s = store_prepare_bind(req->store, req->arena, SQL_SCOPE_COMMUNITIES, "tt", lo, hi);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *code = store_column_text(s, req->arena, 0);
        int64_t n_b = 0, n_r = 0, cov_b[_GEO_CATEGORY_MAX] = { 0 },
                cov_r[_GEO_CATEGORY_MAX] = { 0 };
        json_t *cats = json_array(), *uncovered = json_array();
        double limit = m->set.meters[band];

        for (size_t i = 0; i < nb; i++) {
            if (strcmp(bs[i].community, code) != 0)
                continue;
            n_b++;
            n_r += bs[i].residents;
            for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
                double d = geo_building_distance(m, &bs[i], c);

                if (!coverage_add(&bs[i], c, d, limit, cov_b, cov_r) && c == cat) {
                    json_array_append_new(uncovered,
                                          json_pack("{s:I, s:s, s:f, s:f, s:I, s:o}", "id",
                                                    (json_int_t)bs[i].id, "name", bs[i].name, "lat",
                                                    bs[i].p.lat, "lon", bs[i].p.lon, "residents",
                                                    (json_int_t)bs[i].residents, "meters",
                                                    meters_json(d)));
                }
            }
        }
        for (int c = 0; c < _GEO_CATEGORY_MAX; c++)
            json_array_append_new(
                cats,
                json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "key", geo_categories[c].key, "name",
                          geo_categories[c].name, "buildings_covered", (json_int_t)cov_b[c],
                          "residents_covered", (json_int_t)cov_r[c], "building_share",
                          n_b ? json_real((double)cov_b[c] / (double)n_b) : json_null(),
                          "resident_share",
                          n_r ? json_real((double)cov_r[c] / (double)n_r) : json_null()));
        {
            json_t *o = json_pack("{s:s, s:s?, s:I, s:I, s:o}", "code", code, "name",
                                  store_column_text(s, req->arena, 1), "buildings", (json_int_t)n_b,
                                  "residents", (json_int_t)n_r, "categories", cats);

            if (cat >= 0)
                json_object_set_new(o, "uncovered", uncovered);
            else
                json_decref(uncovered);
            json_array_append_new(communities, o);
        }
    }
    store_reset(s);
    {
        json_t *o =
            json_pack("{s:i, s:f, s:s?, s:o, s:o}", "minutes", (int)minutes, "meters",
                      m->set.meters[band], "category", cat >= 0 ? geo_categories[cat].key : NULL,
                      "settings", settings_json(&m->set), "communities", communities);

        geo_model_put(m);
        if (r != STORE_DONE) {
            json_decref(o);
            return store_error(req->store, req->arena);
        }
        return response_json(res, 200, o);
    }
}

/* ---- nearby ---- */

static const char SQL_FACILITY_NAME[] =
    "SELECT name FROM geo_facility WHERE id = ?1"
    " UNION ALL SELECT name FROM (" GEO_ROOM_FACILITIES ") rf WHERE id = ?1";
static const char SQL_RESIDENT_BUILDING[] = "SELECT building_id FROM household WHERE id = ?1";

/* The nearest open facility of each category from building @id, within NEARBY_LIMIT_M. */
static Error *respond_nearby(Request *req, Response *res, int64_t id, const char *name)
{
    StoreStmt *s = store_prepare_bind(req->store, req->arena, SQL_POINT_GET, "i", id);
    GeoPoint p = { 0, 0 };
    bool placed = store_step(s) == STORE_ROW;
    GeoModel *m = NULL;
    double access = INFINITY, *dist = NULL, best[_GEO_CATEGORY_MAX];
    long v = -1, best_f[_GEO_CATEGORY_MAX];
    json_t *items;
    Error *err;

    if (placed)
        p = (GeoPoint){ store_column_double(s, 0), store_column_double(s, 1) };
    store_reset(s);
    if (!placed)
        return error_new(req->arena, 404, "building_id", "not_placed",
                         "该楼栋尚未在地图上标注位置，请联系社区工作人员");
    err = geo_model_get(req->store, req->arena, &m);
    if (err)
        return err;
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        best[c] = INFINITY;
        best_f[c] = -1;
    }
    v = geo_graph_snap(m->g, p, &access);
    if (v >= 0) {
        dist = malloc((m->n_vertices + 1) * sizeof(*dist));
        if (!dist)
            abort();
        geo_graph_walk(m->g, 1, &v, &access, NEARBY_LIMIT_M, dist);
        for (size_t f = 0; f < m->n_fac; f++) {
            long fv = m->fac_vertex[f];
            int c = m->fac[f].category;
            double d;

            if (fv < 0)
                continue;
            d = dist[fv] + m->fac_access[f];
            if (d <= NEARBY_LIMIT_M && d < best[c]) {
                best[c] = d;
                best_f[c] = (long)f;
            }
        }
        free(dist);
    }
    items = json_array();
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        json_t *o = json_pack("{s:s, s:s}", "category", geo_categories[c].key, "category_name",
                              geo_categories[c].name);

        if (best_f[c] >= 0) {
            const GeoPlace *f = &m->fac[best_f[c]];
            StoreStmt *q =
                store_prepare_bind(req->store, req->arena, SQL_FACILITY_NAME, "i", f->id);
            const char *fname =
                store_step(q) == STORE_ROW ? store_column_text(q, req->arena, 0) : NULL;
            int band = -1;

            store_reset(q);
            for (int b = GEO_BANDS - 1; b >= 0; b--)
                if (best[c] <= m->set.meters[b])
                    band = b;
            json_object_set_new(o, "facility",
                                json_pack("{s:I, s:s?, s:f, s:f}", "id", (json_int_t)f->id, "name",
                                          fname, "lat", f->p.lat, "lon", f->p.lon));
            json_object_set_new(o, "meters", meters_json(best[c]));
            json_object_set_new(o, "minutes", minutes_json(&m->set, best[c]));
            json_object_set_new(o, "within_minutes",
                                band >= 0 ? json_integer(geo_band_minutes[band]) : json_null());
        } else {
            json_object_set_new(o, "facility", json_null());
            json_object_set_new(o, "meters", json_null());
            json_object_set_new(o, "minutes", json_null());
            json_object_set_new(o, "within_minutes", json_null());
        }
        json_array_append_new(items, o);
    }
    {
        json_t *o = json_pack("{s:I, s:s?, s:f, s:f, s:b, s:f, s:f, s:o, s:s}", "building_id",
                              (json_int_t)id, "building_name", name, "lat", p.lat, "lon", p.lon,
                              "on_network", v >= 0, "limit_meters", NEARBY_LIMIT_M,
                              "walk_m_per_min", m->set.walk_m_per_min, "items", items,
                              "attribution", "© OpenStreetMap contributors");

        geo_model_put(m);
        return response_json(res, 200, o);
    }
}

static Error *handle_building_nearby(Request *req, Response *res)
{
    const char *community = NULL, *name = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_GEO_READ | ROLE_RESIDENT);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = load_building(req, id, &community, &name);
    if (!err && req->user->role == ROLE_RESIDENT) {
        /* a resident: her own building only */
        int64_t own = 0;

        err = store_run_int64(req->store, req->arena,
                              store_prepare_bind(req->store, req->arena, SQL_RESIDENT_BUILDING, "i",
                                                 req->user->household_id),
                              &own);
        if (!err && own != id)
            err = error_not_found(req->arena, "id", "找不到该楼栋");
    }
    if (err)
        return err;
    return respond_nearby(req, res, id, name);
}

static Error *handle_my_nearby(Request *req, Response *res)
{
    const char *community = NULL, *name = NULL;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err && req->user->household_id > 0)
        err = store_run_int64(req->store, req->arena,
                              store_prepare_bind(req->store, req->arena, SQL_RESIDENT_BUILDING, "i",
                                                 req->user->household_id),
                              &id);
    if (!err && id <= 0)
        err =
            error_not_found(req->arena, "building_id", "您的账号还没有关联住户，无法查看附近设施");
    if (!err)
        err = load_building(req, id, &community, &name);
    if (err)
        return err;
    return respond_nearby(req, res, id, name);
}

/* ---- what if, and suggested sites ---- */

/* Gains of a facility of category @c at @p for @bs within @limit: buildings and residents. */
static void candidate_gain(const GeoModel *m, int c, GeoPoint p, const RegBuilding *bs, size_t nb,
                           double limit, double *dist, bool *ret_on_network, bool *newly)
{
    double access = INFINITY;
    long v = geo_graph_snap(m->g, p, &access);

    *ret_on_network = v >= 0;
    if (v >= 0)
        geo_graph_walk(m->g, 1, &v, &access, limit, dist);
    for (size_t i = 0; i < nb; i++) {
        double now = geo_building_distance(m, &bs[i], c), then = INFINITY;

        if (v >= 0 && bs[i].vertex >= 0)
            then = bs[i].access + dist[bs[i].vertex];
        newly[i] = now > limit && then <= limit;
    }
}

/* The body's "category" and "minutes", and the scope's placed buildings. */
static Error *whatif_common(Request *req, json_t *body, int *ret_c, int *ret_band, GeoModel **ret_m,
                            RegBuilding **ret_bs, size_t *ret_nb)
{
    const char *cat = NULL, *lo, *hi;
    int64_t minutes = 15;
    Error *err;

    err = request_field_string(req, body, "category", true, 1, 40, &cat);
    if (!err)
        err = category_field(req, cat, "category", ret_c);
    if (!err)
        err = request_field_int(req, body, "minutes", false, 1, 60, &minutes, NULL);
    if (!err)
        err = geo_band_arg(req, minutes, "minutes", false, ret_band);
    if (!err)
        err = geo_scope_bounds(req, &lo, &hi);
    if (!err)
        err = geo_model_get(req->store, req->arena, ret_m);
    if (err)
        return err;
    err = geo_scope_buildings(req, *ret_m, lo, hi, ret_bs, ret_nb);
    if (err) {
        geo_model_put(*ret_m);
        *ret_m = NULL;
    }
    return err;
}

static void count_covered(const GeoModel *m, int c, const RegBuilding *bs, size_t nb, double limit,
                          int64_t *ret_b, int64_t *ret_r)
{
    *ret_b = *ret_r = 0;
    for (size_t i = 0; i < nb; i++) {
        if (geo_building_distance(m, &bs[i], c) <= limit) {
            (*ret_b)++;
            *ret_r += bs[i].residents;
        }
    }
}

static Error *handle_whatif(Request *req, Response *res)
{
    static const char *const fields[] = { "category", "lat", "lon", "minutes", NULL };
    json_t *body = NULL, *o;
    GeoModel *m = NULL;
    RegBuilding *bs = NULL;
    size_t nb = 0;
    double lat = 0, lon = 0, *dist, limit;
    int c = -1, band = 0;
    int64_t gain_b = 0, gain_r = 0, cov_b, cov_r, t0 = time_mono_us();
    bool on_network, *newly;
    Error *err;

    err = auth_require(req, ROLES_GEO_READ);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_number(req, body, "lat", true, -90, 90, &lat, NULL);
    if (!err)
        err = request_field_number(req, body, "lon", true, -180, 180, &lon, NULL);
    if (!err)
        err = whatif_common(req, body, &c, &band, &m, &bs, &nb);
    if (err)
        return err;
    limit = m->set.meters[band];
    dist = malloc((m->n_vertices + 1) * sizeof(*dist));
    newly = arena_zalloc(req->arena, nb + 1);
    if (!dist)
        abort();
    candidate_gain(m, c, (GeoPoint){ lat, lon }, bs, nb, limit, dist, &on_network, newly);
    free(dist);
    for (size_t i = 0; i < nb; i++) {
        if (newly[i]) {
            gain_b++;
            gain_r += bs[i].residents;
        }
    }
    count_covered(m, c, bs, nb, limit, &cov_b, &cov_r);
    {
        json_t *ids = json_array();

        for (size_t i = 0; i < nb; i++)
            if (newly[i])
                json_array_append_new(ids, json_integer(bs[i].id));
        o = json_pack("{s:s, s:i, s:f, s:f, s:f, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:f}",
                      "category", geo_categories[c].key, "minutes", geo_band_minutes[band],
                      "meters", limit, "lat", lat, "lon", lon, "on_network", on_network,
                      "buildings", (json_int_t)nb, "buildings_covered", (json_int_t)cov_b,
                      "residents_covered", (json_int_t)cov_r, "gain_buildings", (json_int_t)gain_b,
                      "gain_residents", (json_int_t)gain_r, "residents", (json_int_t)0,
                      "newly_covered", ids, "elapsed_ms", (double)(time_mono_us() - t0) / 1000.0);
    }
    {
        int64_t total_r = 0;

        for (size_t i = 0; i < nb; i++)
            total_r += bs[i].residents;
        json_object_set_new(o, "residents", json_integer(total_r));
    }
    geo_model_put(m);
    return response_json(res, 200, o);
}

static Error *handle_suggest(Request *req, Response *res)
{
    static const char *const fields[] = { "category", "minutes", "candidates", NULL };
    json_t *body = NULL, *cands, *order;
    GeoModel *m = NULL;
    RegBuilding *bs = NULL;
    size_t nb = 0, nc = 0;
    GeoPoint *pts;
    int64_t *from_building;
    bool **newly, *taken, *covered, on_network, exhausted;
    double *dist, limit;
    int c = -1, band = 0;
    Error *err;

    err = auth_require(req, ROLES_GEO_READ);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    cands = json_object_get(body, "candidates");
    if (cands && !json_is_null(cands)) {
        if (!json_is_array(cands) || json_array_size(cands) == 0)
            return error_invalid(req->arena, "candidates", "invalid",
                                 "候选点 candidates 应为非空数组，每项含 lat、lon");
        if (json_array_size(cands) > CANDIDATES_MAX)
            return error_invalid(req->arena, "candidates", "too_many",
                                 arena_sprintf(req->arena, "候选点最多 %d 个", CANDIDATES_MAX));
    } else {
        cands = NULL;
    }
    nc = cands ? json_array_size(cands) : 0;
    pts = arena_alloc(req->arena, (nc + 1) * sizeof(*pts));
    for (size_t k = 0; k < nc; k++) {
        json_t *x = json_array_get(cands, k), *la = json_object_get(x, "lat"),
               *lo = json_object_get(x, "lon");
        const char *field = arena_sprintf(req->arena, "candidates[%zu]", k);

        if (!json_is_object(x) || json_object_size(x) != 2 || !json_is_number(la) ||
            !json_is_number(lo) || fabs(json_number_value(la)) > 90 ||
            fabs(json_number_value(lo)) > 180)
            return error_invalid(req->arena, field, "invalid",
                                 "每个候选点应只含 lat（-90 到 90）和 lon（-180 到 180）两个数字");
        pts[k] = (GeoPoint){ json_number_value(la), json_number_value(lo) };
    }
    err = whatif_common(req, body, &c, &band, &m, &bs, &nb);
    if (err)
        return err;
    from_building = arena_zalloc(req->arena, (CANDIDATES_MAX + 1) * sizeof(*from_building));
    if (!cands) {
        /* the scope's placed buildings not yet covered, as sites */
        pts = arena_alloc(req->arena, (CANDIDATES_MAX + 1) * sizeof(*pts));
        for (size_t i = 0; i < nb && nc < CANDIDATES_MAX; i++) {
            if (geo_building_distance(m, &bs[i], c) <= m->set.meters[band])
                continue;
            from_building[nc] = bs[i].id;
            pts[nc++] = bs[i].p;
        }
    }
    limit = m->set.meters[band];
    dist = malloc((m->n_vertices + 1) * sizeof(*dist));
    if (!dist)
        abort();
    newly = arena_alloc(req->arena, (nc + 1) * sizeof(*newly));
    for (size_t k = 0; k < nc; k++) {
        newly[k] = arena_zalloc(req->arena, nb + 1);
        candidate_gain(m, c, pts[k], bs, nb, limit, dist, &on_network, newly[k]);
    }
    free(dist);
    taken = arena_zalloc(req->arena, nc + 1);
    covered = arena_zalloc(req->arena, nb + 1);
    order = json_array();
    exhausted = false;
    /* greedy maximum coverage: most residents newly covered, then buildings, then the first */
    for (size_t step = 0; step < nc; step++) {
        long best = -1;
        int64_t best_r = -1, best_b = -1;

        for (size_t k = 0; k < nc; k++) {
            int64_t gr = 0, gb = 0;

            if (taken[k])
                continue;
            if (exhausted) {
                /* nothing left to gain: the rest follow in their order */
                best = (long)k;
                best_r = best_b = 0;
                break;
            }
            for (size_t i = 0; i < nb; i++) {
                if (newly[k][i] && !covered[i]) {
                    gb++;
                    gr += bs[i].residents;
                }
            }
            if (gr > best_r || (gr == best_r && gb > best_b)) {
                best = (long)k;
                best_r = gr;
                best_b = gb;
            }
        }
        taken[best] = true;
        exhausted = best_r == 0 && best_b == 0;
        for (size_t i = 0; i < nb; i++)
            if (newly[best][i])
                covered[i] = true;
        {
            json_t *o = json_pack("{s:I, s:f, s:f, s:I, s:I}", "index", (json_int_t)best, "lat",
                                  pts[best].lat, "lon", pts[best].lon, "gain_buildings",
                                  (json_int_t)best_b, "gain_residents", (json_int_t)best_r);

            if (from_building[best])
                json_object_set_new(o, "building_id", json_integer(from_building[best]));
            json_array_append_new(order, o);
        }
    }
    {
        int64_t cov_b, cov_r;
        json_t *o;

        count_covered(m, c, bs, nb, limit, &cov_b, &cov_r);
        o = json_pack("{s:s, s:i, s:f, s:I, s:I, s:I, s:o}", "category", geo_categories[c].key,
                      "minutes", geo_band_minutes[band], "meters", limit, "buildings",
                      (json_int_t)nb, "buildings_covered", (json_int_t)cov_b, "residents_covered",
                      (json_int_t)cov_r, "order", order);
        geo_model_put(m);
        return response_json(res, 200, o);
    }
}

void lifecircle_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/geo/categories", handle_categories, 0);
    router_add(r, "GET", "/api/v1/geo/settings", handle_settings_get, 0);
    router_add(r, "PUT", "/api/v1/geo/settings", handle_settings_put, 0);
    router_add(r, "PUT", "/api/v1/geo/buildings/{id}/point", handle_point_put, 0);
    router_add(r, "GET", "/api/v1/geo/buildings/{id}/nearby", handle_building_nearby, 0);
    router_add(r, "GET", "/api/v1/geo/nearby", handle_my_nearby, 0);
    router_add(r, "GET", "/api/v1/geo/facilities", handle_facilities_list, 0);
    router_add(r, "POST", "/api/v1/geo/facilities", handle_facility_create, 0);
    router_add(r, "PUT", "/api/v1/geo/facilities/{id}", handle_facility_update, 0);
    router_add(r, "POST", "/api/v1/geo/facilities/{id}/close", handle_facility_close, 0);
    router_add(r, "POST", "/api/v1/geo/facilities/{id}/reopen", handle_facility_reopen, 0);
    router_add(r, "PUT", "/api/v1/geo/communities/{code}/station", handle_station_put, 0);
    router_add(r, "GET", "/api/v1/geo/coverage", handle_coverage, 0);
    router_add(r, "POST", "/api/v1/geo/whatif", handle_whatif, 0);
    router_add(r, "POST", "/api/v1/geo/suggest", handle_suggest, 0);
    lifecircle_checklist_register(r);
    lifecircle_geojson_register(r);
    lifecircle_isochrone_register(r);
}
