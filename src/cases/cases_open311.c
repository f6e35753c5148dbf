/*
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at
 * /open311/v2/: discovery, services (our categories; service_code is the
 * category code), service requests (our cases; service_request_id is the
 * case id), and tokens. jurisdiction_id is the 12-digit community code.
 * Reading is public, as the standard expects; posting needs an API key
 * made with `linli open311 key`. Public answers carry no personal data:
 * no reporter, no contact, no photos.
 *
 * Every answer is JSON or XML by the path's extension. Each response is
 * built once as JSON and, for .xml, written out with libxml2 under the
 * element names of the standard. Errors use the standard's shape,
 * [{"code": 400, "description": "..."}] or <errors><error>...</error></errors>,
 * with Chinese descriptions.
 */
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define OPEN311_MAX_RESULTS 1000
#define OPEN311_DEFAULT_DAYS 90
#define OPEN311_MAX_IDS 50
#define OPEN311_MAX_CODES 20
#define OPEN311_SPEC "http://wiki.open311.org/GeoReport_v2"
#define OPEN311_CHANGESET "2026-12-06T00:00:00+08:00"

typedef enum Format { FORMAT_JSON, FORMAT_XML } Format;

/* ---- output: JSON, or XML written from the same JSON ---- */

/* The element name of one item of the array @key. */
static const char *item_name(const char *key)
{
    static const char *const map[][2] = {
        { "services", "service" },          { "service_requests", "request" },
        { "endpoints", "endpoint" },        { "formats", "format" },
        { "attributes", "attribute" },      { "values", "value" },
        { "errors", "error" },              { "keywords", "keyword" },
        { "service_request_updates", "request_update" },
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], key) == 0)
            return map[i][1];
    return "item";
}

/* A coordinate to 7 decimals (about 1 cm), without trailing zeros: 31.208, not 31.207999999999998. */
static const char *coord_text(Arena *a, double v)
{
    char *t = arena_sprintf(a, "%.7f", v);
    char *end = t + strlen(t);

    while (end > t && end[-1] == '0')
        *--end = '\0';
    if (end > t && end[-1] == '.')
        *--end = '\0';
    return strcmp(t, "-0") == 0 ? "0" : t;
}

/* A coordinate as a JSON number that prints as coord_text() does (see send()). */
static json_t *coord_json(double v)
{
    return json_real(round(v * 1e7) / 1e7);
}

static void xml_add(xmlNodePtr parent, const char *name, json_t *v, Arena *a)
{
    xmlNodePtr node;
    const char *key;
    json_t *x;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        node = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
        json_object_foreach (v, key, x)
            xml_add(node, key, x, a);
        break;
    case JSON_ARRAY:
        node = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
        json_array_foreach (v, i, x)
            xml_add(node, item_name(name), x, a);
        break;
    case JSON_STRING:
        xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST json_string_value(v));
        break;
    case JSON_INTEGER:
        xmlNewTextChild(parent, NULL, BAD_CAST name,
                        BAD_CAST arena_sprintf(a, "%lld", (long long)json_integer_value(v)));
        break;
    case JSON_REAL:
        xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST coord_text(a, json_real_value(v)));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST(json_is_true(v) ? "true" : "false"));
        break;
    default:
        xmlNewChild(parent, NULL, BAD_CAST name, NULL);
        break;
    }
}

/* Sends @j (stolen) as JSON, or as XML under <@root> (an array's items under item_name(root)). */
static Error *send(Request *req, Response *res, int status, Format fmt, const char *root, json_t *j)
{
    xmlDocPtr doc;
    xmlNodePtr top;
    xmlChar *buf = NULL;
    int len = 0;
    const char *key;
    json_t *x;
    size_t i;
    char *out;

    if (fmt == FORMAT_JSON) {
        /* 12 significant digits: every coordinate (coord_json) prints short and exact */
        char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));

        json_decref(j);
        if (!text)
            return error_internal(req->arena, "cannot write Open311 JSON");
        out = arena_strdup(req->arena, text);
        free(text);
        response_json_bytes(res, status, out, strlen(out));
        return NULL;
    }
    doc = xmlNewDoc(BAD_CAST "1.0");
    top = xmlNewNode(NULL, BAD_CAST root);
    xmlDocSetRootElement(doc, top);
    if (json_is_array(j)) {
        json_array_foreach (j, i, x)
            xml_add(top, item_name(root), x, req->arena);
    } else {
        json_object_foreach (j, key, x)
            xml_add(top, key, x, req->arena);
    }
    json_decref(j);
    xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
    xmlFreeDoc(doc);
    if (!buf)
        return error_internal(req->arena, "cannot write Open311 XML");
    out = arena_memdup(req->arena, buf, (size_t)len);
    xmlFree(buf);
    return response_bytes(res, status, "text/xml; charset=utf-8", out, (size_t)len);
}

/* An Error in the Open311 shape, as the response (the handler then returns NULL). */
static Error *send_error(Request *req, Response *res, Format fmt, Error *err)
{
    json_t *arr = json_array();

    if (err->status >= 500)
        return err;                  /* logged and rendered by the server */
    json_array_append_new(arr, json_pack("{s:i, s:s}", "code", err->status, "description",
                                         err->message ? err->message : ""));
    return send(req, res, err->status, fmt, "errors", arr);
}

static Error *fail(Request *req, Response *res, Format fmt, int status, const char *message)
{
    return send_error(req, res, fmt, error_new(req->arena, status, NULL, "open311", message));
}

/* "name.json" -> "name" and its format; false for any other extension. */
static bool split_ext(Arena *a, const char *seg, const char **ret_name, Format *ret_fmt)
{
    const char *dot = seg ? strrchr(seg, '.') : NULL;

    if (!dot || dot == seg)
        return false;
    if (strcmp(dot, ".json") == 0)
        *ret_fmt = FORMAT_JSON;
    else if (strcmp(dot, ".xml") == 0)
        *ret_fmt = FORMAT_XML;
    else
        return false;
    *ret_name = arena_strndup(a, seg, (size_t)(dot - seg));
    return true;
}

static Format path_format(const Request *req)
{
    size_t n = strlen(req->path);

    return n > 4 && strcmp(req->path + n - 4, ".xml") == 0 ? FORMAT_XML : FORMAT_JSON;
}

/* ?jurisdiction_id= (a community): 400 when required and absent, 404 when unknown. */
static Error *jurisdiction(Request *req, const char *given, bool required, const char **ret)
{
    const char *name = NULL;
    Error *err;

    *ret = NULL;
    if (!given || !*given) {
        if (required)
            return error_bad_request(req->arena, "jurisdiction_id", "missing_jurisdiction",
                                     "缺少 jurisdiction_id（12 位社区代码）");
        return NULL;
    }
    err = cases_store_community_name(req->store, req->arena, given, &name);
    if (err)
        return err;
    if (!name)
        return error_not_found(req->arena, "jurisdiction_id", "找不到该 jurisdiction_id 对应的社区");
    *ret = given;
    return NULL;
}

/* ---- discovery and services ---- */

/*
 * Discovery lists the one v2 endpoint twice: by the bare format names the
 * spec uses, and by the exact Content-Types the answers carry
 * ("text/xml; charset=utf-8"). Validators that compare the two find a match
 * either way, and a client that expects a list of endpoints (SeeClickFix's
 * validator fails on a single one, which XML-to-dict readers turn into an
 * object) gets a list. Both entries describe the same server.
 */
static Error *open311_discovery(Request *req, Response *res)
{
    Format fmt = path_format(req);
    const char *host = request_header(req, "Host");
    const char *url = arena_sprintf(req->arena, "http://%s/open311/v2", host ? host : "localhost");
    json_t *endpoints = json_array();

    json_array_append_new(endpoints,
                          json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "specification", OPEN311_SPEC,
                                    "url", url, "changeset", OPEN311_CHANGESET, "type", "production",
                                    "formats", "text/xml", "application/json"));
    json_array_append_new(endpoints,
                          json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "specification", OPEN311_SPEC,
                                    "url", url, "changeset", OPEN311_CHANGESET, "type", "production",
                                    "formats", "text/xml; charset=utf-8",
                                    "application/json; charset=utf-8"));
    return send(req, res, 200, fmt, "discovery",
                json_pack("{s:s, s:s, s:s, s:o}", "changeset", OPEN311_CHANGESET,
                          "contact", "请联系所在社区居委会", "key_service",
                          "API 密钥由社区管理员用 `linli open311 key` 生成", "endpoints",
                          endpoints));
}

/* Any other path under /open311/v2/: the spec's error, in the format the path asks for. */
static Error *open311_unknown(Request *req, Response *res)
{
    Format fmt = path_format(req);

    if (req->status == 405)
        return fail(req, res, fmt, 405, "该地址不支持这种请求方法");
    return fail(req, res, fmt, 404,
                "找不到该 Open311 接口；可用的有 discovery、services、requests、tokens、servicerequestupdates（.json 或 .xml）");
}

static json_t *service_json(const CaseCategory *c)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", c->code,
                     "service_name", c->name, "description", c->description ? c->description : "",
                     "metadata", 0, "type", "realtime", "keywords", c->name, "group", "社区治理");
}

static Error *open311_services(Request *req, Response *res)
{
    Format fmt = path_format(req);
    const char *community;
    CaseCategory *items;
    size_t n;
    json_t *arr;
    Error *err;

    err = jurisdiction(req, request_query(req, "jurisdiction_id"), true, &community);
    if (!err)
        err = cases_store_categories(req->store, req->arena, community, true, &items, &n);
    if (err)
        return send_error(req, res, fmt, err);
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, service_json(&items[i]));
    return send(req, res, 200, fmt, "services", arr);
}

static Error *open311_service(Request *req, Response *res)
{
    Format fmt = FORMAT_JSON;
    const char *code, *community;
    CaseCategory *c = NULL;
    Error *err;

    if (!split_ext(req->arena, req->params[0], &code, &fmt))
        return fail(req, res, fmt, 404, "地址应为 services/{service_code}.json 或 .xml");
    err = jurisdiction(req, request_query(req, "jurisdiction_id"), true, &community);
    if (!err)
        err = cases_store_category_find(req->store, req->arena, community, code, &c);
    if (!err && (!c || !c->active || strcmp(c->code, code) != 0))
        err = error_not_found(req->arena, "service_code", "找不到该 service_code");
    if (err)
        return send_error(req, res, fmt, err);
    /* no extra attributes: every service takes the standard fields only */
    return send(req, res, 200, fmt, "service_definition",
                json_pack("{s:s, s:[]}", "service_code", c->code, "attributes"));
}

/* ---- service requests ---- */

/* ---- what Open311 posts keep (table case_open311, schema 16) ---- */

static const char SQL_O311_INSERT[] =
    "INSERT INTO case_open311 (case_id, address_string, to_place, email_enc, email_masked,"
    " device_id, account_id, attributes, media_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_O311_PHOTO[] =
    "INSERT INTO case_photo (uploader_id, case_id, file, mime, size, created_at)"
    " VALUES (NULL, ?1, ?2, ?3, ?4, ?5)";
static const char SQL_O311_GET[] =
    "SELECT address_string, to_place, email_masked, device_id, account_id, attributes, media_url"
    " FROM case_open311 WHERE case_id = ?1";
static const char SQL_BUILDING_POINT[] =
    "SELECT lat, lon FROM building WHERE id = ?1 AND lat IS NOT NULL AND lon IS NOT NULL";
static const char SQL_BUILDINGS_CENTRE[] =
    "SELECT avg(lat), avg(lon), count(*) FROM building"
    " WHERE community = ?1 AND lat IS NOT NULL AND lon IS NOT NULL";
static const char SQL_UPDATES[] =
    "SELECT s.id, s.case_id, s.action, s.to_state, s.reason, s.at FROM case_step s"
    " JOIN cases c ON c.id = s.case_id"
    " WHERE c.community = ?1 AND s.at >= ?2 AND s.at < ?3 ORDER BY s.id LIMIT ?4 OFFSET ?5";

/* a***@example.com */
static const char *mask_email(Arena *a, const char *email)
{
    const char *at = strchr(email, '@');

    return at && at > email ? arena_sprintf(a, "%.1s***%s", email, at) : "***";
}

Error *cases_open311_insert(Store *st, Arena *a, int64_t case_id, const CaseOpen311 *o,
                            const CryptoKeys *keys, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_O311_INSERT);
    void *sealed = NULL;
    size_t sealed_len = 0;

    if (o->email && keys)
        sealed = crypto_seal(keys, a, o->email, &sealed_len);
    store_bind_int64(s, 1, case_id);
    store_bind_text(s, 2, o->address_string);
    store_bind_int64(s, 3, o->to_place ? 1 : 0);
    if (sealed)
        store_bind_blob(s, 4, sealed, sealed_len);
    else
        store_bind_null(s, 4);
    store_bind_text(s, 5, o->email ? mask_email(a, o->email) : NULL);
    store_bind_text(s, 6, o->device_id);
    store_bind_text(s, 7, o->account_id);
    store_bind_text(s, 8, o->attributes);
    store_bind_text(s, 9, o->media_url);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (o->media) {
        s = store_prepare(st, a, SQL_O311_PHOTO);
        store_bind_int64(s, 1, case_id);
        store_bind_text(s, 2, o->media->file);
        store_bind_text(s, 3, o->media->mime);
        store_bind_int64(s, 4, o->media->size);
        store_bind_int64(s, 5, now_ms);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
    }
    return NULL;
}

Error *cases_open311_get(Store *st, Arena *a, int64_t case_id, CaseOpen311 **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_O311_GET);
    CaseOpen311 *o;

    *ret = NULL;
    store_bind_int64(s, 1, case_id);
    switch (store_step(s)) {
    case STORE_ROW:
        o = arena_zalloc(a, sizeof(*o));
        o->address_string = store_column_text(s, a, 0);
        o->to_place = store_column_int64(s, 1) != 0;
        o->email_masked = store_column_text(s, a, 2);
        o->device_id = store_column_text(s, a, 3);
        o->account_id = store_column_text(s, a, 4);
        o->attributes = store_column_text(s, a, 5);
        o->media_url = store_column_text(s, a, 6);
        store_reset(s);
        *ret = o;
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

json_t *cases_open311_json(const CaseOpen311 *o, bool contact)
{
    json_t *attrs = o->attributes ? json_loads(o->attributes, 0, NULL) : NULL;
    json_t *j = json_pack("{s:o, s:b, s:o, s:o, s:o}", "address_string",
                          json_string_or_null(o->address_string), "to_place", o->to_place,
                          "media_url", json_string_or_null(o->media_url), "device_id",
                          json_string_or_null(o->device_id), "attributes",
                          attrs ? attrs : json_object());

    json_object_set_new(j, "email", json_string_or_null(contact ? o->email_masked : NULL));
    json_object_set_new(j, "account_id", json_string_or_null(contact ? o->account_id : NULL));
    return j;
}

static const char SQL_O311_UNPLACE[] =
    "UPDATE case_open311 SET to_place = 0, placed_by = ?2, placed_at = ?3"
    " WHERE case_id = ?1 AND to_place = 1";
static const char SQL_PLACE_BUILDING[] =
    "UPDATE cases SET building_id = ?2, grid_id = nullif(?3, 0), unit_no = nullif(?4, 0),"
    " lat = NULL, lon = NULL, updated_at = ?5 WHERE id = ?1";
static const char SQL_PLACE_POINT[] =
    "UPDATE cases SET building_id = NULL, grid_id = NULL, unit_no = NULL, lat = ?2, lon = ?3,"
    " updated_at = ?4 WHERE id = ?1";

Error *cases_open311_place(Store *st, Arena *a, int64_t case_id, int64_t building_id,
                           int64_t grid_id, int64_t unit_no, double lat, double lon,
                           int64_t user_id, int64_t now_ms, bool *ret_done)
{
    StoreStmt *s = store_prepare(st, a, SQL_O311_UNPLACE);

    *ret_done = false;
    store_bind_int64(s, 1, case_id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (store_changes(st) != 1)
        return NULL;
    if (building_id) {
        s = store_prepare(st, a, SQL_PLACE_BUILDING);
        store_bind_int64(s, 1, case_id);
        store_bind_int64(s, 2, building_id);
        store_bind_int64(s, 3, grid_id);
        store_bind_int64(s, 4, unit_no);
        store_bind_int64(s, 5, now_ms);
    } else {
        s = store_prepare(st, a, SQL_PLACE_POINT);
        store_bind_int64(s, 1, case_id);
        store_bind_double(s, 2, lat);
        store_bind_double(s, 3, lon);
        store_bind_int64(s, 4, now_ms);
    }
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_done = true;
    return NULL;
}

/* The building's point, if it has one. */
static Error *building_point(Store *st, Arena *a, int64_t id, bool *ret_has, double *lat, double *lon)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING_POINT);

    *ret_has = false;
    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *lat = store_column_double(s, 0);
        *lon = store_column_double(s, 1);
        *ret_has = true;
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

/*
 * A case as a service request. lat/long: the case's point, else its
 * building's; none while the case waits to be placed (its point only stands
 * in). media_url: the one the client sent, never a photo of ours.
 */
static Error *request_json(Request *req, const Case *c, const char *community_name, json_t **ret)
{
    Arena *a = req->arena;
    CaseOpen311 *x = NULL;
    bool has = c->has_point;
    double lat = c->lat, lon = c->lon;
    Error *err = cases_open311_get(req->store, a, c->id, &x);

    if (!err && x && x->to_place)
        has = false;
    else if (!err && !has && c->building_id)
        err = building_point(req->store, a, c->building_id, &has, &lat, &lon);
    if (err)
        return err;

    json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:o}", "service_request_id",
                          (json_int_t)c->id, "status", c->state == CASE_CLOSED ? "closed" : "open",
                          "status_notes", json_string_or_null(c->last_reason), "service_name",
                          c->category_name, "service_code", c->category_code, "description",
                          c->description, "agency_responsible",
                          c->unit_name ? c->unit_name : (community_name ? community_name : c->community),
                          "service_notice", json_null());

    json_object_set_new(o, "service_notice",
                        c->state == CASE_CLOSED
                            ? json_string("已办结")
                            : json_string(arena_sprintf(a, "已受理，将在 %s 前办结",
                                                        time_format_rfc3339_at(a, c->resolve_due,
                                                                               TIME_OFFSET_SHANGHAI))));
    json_object_set_new(o, "requested_datetime", cases_time_json(a, c->created_at));
    json_object_set_new(o, "updated_datetime", cases_time_json(a, c->updated_at));
    json_object_set_new(o, "expected_datetime", cases_time_json(a, c->resolve_due));
    json_object_set_new(o, "address",
                        c->building_name
                            ? json_string(c->unit_no ? arena_sprintf(a, "%s%lld单元", c->building_name,
                                                                     (long long)c->unit_no)
                                                     : c->building_name)
                            : json_string_or_null(x && x->address_string ? x->address_string : c->address));
    json_object_set_new(o, "address_id", c->building_id ? json_integer((json_int_t)c->building_id) : json_null());
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat", has ? coord_json(lat) : json_null());
    json_object_set_new(o, "long", has ? coord_json(lon) : json_null());
    json_object_set_new(o, "media_url", json_string_or_null(x ? x->media_url : NULL));
    *ret = o;
    return NULL;
}

/* Splits "a,b,c" into at most @max non-empty parts; false if there are more. */
static bool split_list(Arena *a, const char *s, size_t max, const char ***ret, size_t *ret_n)
{
    const char **parts = arena_alloc(a, (max + 1) * sizeof(*parts));
    size_t n = 0;

    while (s && *s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);

        if (len) {
            if (n == max)
                return false;
            parts[n++] = arena_strndup(a, s, len);
        }
        s = comma ? comma + 1 : NULL;
    }
    *ret = parts;
    *ret_n = n;
    return true;
}

static Error *query_time(Request *req, const char *name, int64_t *ret)
{
    const char *s = request_query(req, name);

    *ret = 0;
    if (!s || !*s)
        return NULL;
    if (!time_parse_rfc3339(s, ret, NULL))
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "%s 应为 W3C 日期时间，如 2026-11-23T09:00:00+08:00", name));
    return NULL;
}

static Error *requests_filter(Request *req, const char *community, CaseFilter *f)
{
    const char *ids = request_query(req, "service_request_id");
    const char *codes = request_query(req, "service_code");
    const char *status = request_query_all(req, "status");   /* ?status=open&status=closed too */
    const char **parts;
    size_t n;
    Error *err;

    int64_t page, page_size;

    memset(f, 0, sizeof(*f));
    f->state = -1;
    f->overdue = -1;
    /* page and page_size: not in the spec, but sent by clients (`three` maps count= to page_size) */
    err = request_query_int(req, "page_size", OPEN311_MAX_RESULTS, 1, OPEN311_MAX_RESULTS, &page_size);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (err)
        return err;
    f->limit = page_size;
    f->offset = (page - 1) * page_size;
    auth_scope_bounds(req->arena, community, &f->lo, &f->hi);
    if (ids && *ids) {
        /* the standard: with service_request_id, every other filter is ignored */
        int64_t *v;

        if (!split_list(req->arena, ids, OPEN311_MAX_IDS, &parts, &n))
            return error_bad_request(req->arena, "service_request_id", "too_many_ids",
                                     "service_request_id 一次最多 50 个");
        v = arena_alloc(req->arena, (n ? n : 1) * sizeof(*v));
        for (size_t i = 0; i < n; i++) {
            char *end;

            v[i] = strtoll(parts[i], &end, 10);
            if (*end || v[i] < 1)
                return error_bad_request(req->arena, "service_request_id", "invalid_query",
                                         "service_request_id 应为以逗号分隔的编号");
        }
        f->ids = v;
        f->n_ids = n;
        return NULL;
    }
    if (codes && *codes) {
        if (!split_list(req->arena, codes, OPEN311_MAX_CODES, &parts, &n))
            return error_bad_request(req->arena, "service_code", "too_many_codes",
                                     "service_code 一次最多 20 个");
        f->codes = parts;
        f->n_codes = n;
    }
    if (status && *status) {
        bool open = false, closed = false;

        if (!split_list(req->arena, status, 4, &parts, &n))
            return error_bad_request(req->arena, "status", "invalid_query", "status 应为 open 或 closed");
        for (size_t i = 0; i < n; i++) {
            if (strcmp(parts[i], "open") == 0)
                open = true;
            else if (strcmp(parts[i], "closed") == 0)
                closed = true;
            else
                return error_bad_request(req->arena, "status", "invalid_query",
                                         "status 应为 open 或 closed");
        }
        if (open != closed)
            f->state = open ? -2 : CASE_CLOSED;
    }
    err = query_time(req, "start_date", &f->from_ms);
    if (!err)
        err = query_time(req, "end_date", &f->to_ms);
    if (err)
        return err;
    if (!f->from_ms && !f->to_ms)
        f->from_ms = time_now_ms() - (int64_t)OPEN311_DEFAULT_DAYS * TIME_DAY_MS;
    else if (!f->from_ms)
        f->from_ms = f->to_ms - (int64_t)OPEN311_DEFAULT_DAYS * TIME_DAY_MS;
    if (f->to_ms && f->to_ms <= f->from_ms)
        return error_bad_request(req->arena, "end_date", "invalid_query", "end_date 应晚于 start_date");
    if (f->to_ms)
        f->to_ms += 1;               /* end_date is inclusive */
    return NULL;
}

static Error *list_json(Request *req, const CaseFilter *f, const char *community, json_t **ret)
{
    const char *name = NULL;
    Case **items;
    size_t n;
    json_t *arr;
    Error *err;

    err = cases_store_community_name(req->store, req->arena, community, &name);
    if (!err)
        err = cases_store_list(req->store, req->arena, f, &items, &n, NULL);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o;

        err = request_json(req, items[i], name, &o);
        if (err) {
            json_decref(arr);
            return err;
        }
        json_array_append_new(arr, o);
    }
    *ret = arr;
    return NULL;
}

static Error *open311_requests(Request *req, Response *res)
{
    Format fmt = path_format(req);
    const char *community;
    CaseFilter f;
    json_t *arr = NULL;
    Error *err;

    err = jurisdiction(req, request_query(req, "jurisdiction_id"), true, &community);
    if (!err)
        err = requests_filter(req, community, &f);
    if (!err)
        err = cases_sweep(req, time_now_ms());
    if (!err)
        err = list_json(req, &f, community, &arr);
    if (err)
        return send_error(req, res, fmt, err);
    return send(req, res, 200, fmt, "service_requests", arr);
}

static Error *open311_request(Request *req, Response *res)
{
    Format fmt = FORMAT_JSON;
    const char *id_text, *community = NULL, *name = NULL;
    int64_t id;
    char *end;
    Case *c = NULL;
    json_t *one = NULL;
    Error *err;

    if (!split_ext(req->arena, req->params[0], &id_text, &fmt))
        return fail(req, res, fmt, 404, "地址应为 requests/{service_request_id}.json 或 .xml");
    id = strtoll(id_text, &end, 10);
    if (*end || id < 1)
        return fail(req, res, fmt, 404, "找不到该服务请求");
    err = jurisdiction(req, request_query(req, "jurisdiction_id"), false, &community);
    if (!err)
        err = cases_sweep(req, time_now_ms());
    if (!err)
        err = cases_store_get(req->store, req->arena, id, false, &c);
    if (!err && (!c || (community && strcmp(community, c->community) != 0)))
        err = error_not_found(req->arena, "service_request_id", "找不到该服务请求");
    if (!err)
        err = cases_store_community_name(req->store, req->arena, c->community, &name);
    if (!err)
        err = request_json(req, c, name, &one);
    if (err)
        return send_error(req, res, fmt, err);
    return send(req, res, 200, fmt, "service_requests", json_pack("[o]", one));
}

static Error *open311_token(Request *req, Response *res)
{
    Format fmt = FORMAT_JSON;
    const char *token;
    int64_t id = 0;
    Error *err;

    if (!split_ext(req->arena, req->params[0], &token, &fmt))
        return fail(req, res, fmt, 404, "地址应为 tokens/{token}.json 或 .xml");
    err = cases_store_token_case(req->store, req->arena, token, &id);
    if (!err && !id)
        err = error_not_found(req->arena, "token", "找不到该 token");
    if (err)
        return send_error(req, res, fmt, err);
    return send(req, res, 200, fmt, "service_requests",
                json_pack("[{s:I, s:s}]", "service_request_id", (json_int_t)id, "token", token));
}

/* A number field of the form; 400 if present and not a number in [@min, @max]. */
static Error *form_number(Request *req, const RequestForm *form, const char *name, double min,
                          double max, double *ret, bool *ret_present)
{
    const char *s = request_form_value(form, name);
    char *end;

    *ret_present = false;
    if (!s || !*s)
        return NULL;
    *ret = strtod(s, &end);
    if (*end || !(*ret >= min && *ret <= max))
        return error_bad_request(req->arena, name, "invalid_field",
                                 arena_sprintf(req->arena, "%s 应为 %g 到 %g 之间的数", name, min, max));
    *ret_present = true;
    return NULL;
}

/*
 * The spec's phone is free text. Spaces, dashes, dots and brackets are
 * dropped and a +86 / 0086 prefix taken off; what is left must be a
 * mainland mobile or landline number. Numbers of other countries are
 * refused with a message that says so (contacts are called from China).
 */
static Error *open311_phone(Request *req, const char *phone, const char **ret)
{
    char *d = arena_alloc(req->arena, strlen(phone) + 1);
    size_t n = 0;
    Error *err;

    for (const char *p = phone; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')')
            continue;
        d[n++] = *p;
    }
    d[n] = '\0';
    if (strncmp(d, "+86", 3) == 0)
        d += 3;
    else if (strncmp(d, "0086", 4) == 0)
        d += 4;
    else if (d[0] == '+' || strncmp(d, "00", 2) == 0)
        return error_bad_request(req->arena, "phone", "foreign_phone",
                                 "phone 只接受中国大陆号码（手机如 13712345678，固话如 021-12345678，可带 +86）；"
                                 "境外号码请写在 description 里");
    err = validate_phone(req->arena, "phone", d, ret);
    if (err)
        return error_bad_request(req->arena, "phone", "invalid_phone",
                                 "phone 应为中国大陆手机号（11 位，如 13712345678）或固话（如 021-12345678），可带 +86");
    return NULL;
}

/* An optional short text field of the form: at most @max characters. */
static Error *form_text(Request *req, const RequestForm *form, const char *name, size_t max,
                        const char **ret)
{
    const char *v = request_form_value(form, name);

    *ret = NULL;
    if (!v || !*v)
        return NULL;
    if (utf8_length(v) > max)
        return error_bad_request(req->arena, name, "too_long",
                                 arena_sprintf(req->arena, "%s 不能超过 %zu 字", name, max));
    *ret = v;
    return NULL;
}

/*
 * attribute[code]=v (and attribute[code][]=v, repeated, for multi-value
 * lists) as a JSON object {"code": "v"} or {"code": ["v", "w"]}; NULL if none.
 */
static Error *form_attributes(Request *req, const RequestForm *form, const char **ret)
{
    json_t *o = json_object();
    char *text;

    *ret = NULL;
    for (size_t i = 0; i < form->n; i++) {
        const char *k = form->keys[i];
        size_t len = strlen(k);
        const char *name;
        bool many;
        json_t *have;

        if (form->filenames[i] || strncmp(k, "attribute[", 10) != 0 || k[len - 1] != ']')
            continue;
        many = len > 12 && strcmp(k + len - 3, "][]") == 0;
        name = arena_strndup(req->arena, k + 10, len - 10 - (many ? 3 : 1));
        if (!*name || strchr(name, '[') || strchr(name, ']') || utf8_length(name) > 100 ||
            utf8_length(form->values[i]) > 1000) {
            json_decref(o);
            return error_bad_request(req->arena, "attribute", "invalid_attribute",
                                     "attribute[代码] 的代码不能为空或含方括号，代码不超过 100 字、值不超过 1000 字");
        }
        have = json_object_get(o, name);
        if (many || have) {
            if (!have) {
                have = json_array();
                json_object_set_new(o, name, have);
            } else if (!json_is_array(have)) {
                json_t *arr = json_pack("[O]", have);

                json_object_set_new(o, name, arr);
                have = arr;
            }
            json_array_append_new(have, json_string(form->values[i]));
        } else {
            json_object_set_new(o, name, json_string(form->values[i]));
        }
    }
    if (json_object_size(o)) {
        text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        *ret = text ? arena_strdup(req->arena, text) : NULL;
        free(text);
    }
    json_decref(o);
    return NULL;
}

/* Where a case that came with free text only stands until staff place it. */
static Error *standin_point(Request *req, const char *community, CaseInput *in)
{
    CaseSettings set;
    StoreStmt *s;
    Error *err = cases_store_settings(req->store, req->arena, community, &set);

    if (err)
        return err;
    if (set.has_area) {
        in->lat = (set.min_lat + set.max_lat) / 2;
        in->lon = (set.min_lon + set.max_lon) / 2;
        return NULL;
    }
    s = store_prepare(req->store, req->arena, SQL_BUILDINGS_CENTRE);
    store_bind_text(s, 1, community);
    if (store_step(s) != STORE_ROW)
        return store_error(req->store, req->arena);
    if (store_column_int64(s, 2) > 0) {
        in->lat = store_column_double(s, 0);
        in->lon = store_column_double(s, 1);
        store_reset(s);
        return NULL;
    }
    store_reset(s);
    return error_bad_request(req->arena, "address_string", "no_area",
                             "本社区尚未设置地图范围，只有文字地址的上报无法受理；请提供 lat/long 或 address_id（楼栋编号）");
}

static Error *post_input(Request *req, const RequestForm *form, const char *community,
                         CaseInput *in, CaseOpen311 *x)
{
    const char *address_id = request_form_value(form, "address_id");
    const char *address = request_form_value(form, "address_string");
    const char *first = request_form_value(form, "first_name");
    const char *last = request_form_value(form, "last_name");
    const char *phone = request_form_value(form, "phone");
    bool has_lat = false, has_lon = false;
    Error *err;

    memset(in, 0, sizeof(*in));
    memset(x, 0, sizeof(*x));
    in->source = "open311";
    in->community = community;
    in->open311 = x;
    in->category = request_form_value(form, "service_code");
    in->description = request_form_value(form, "description");
    if (!in->category || !*in->category)
        return error_bad_request(req->arena, "service_code", "missing_service_code", "缺少 service_code");
    if (in->description && utf8_length(in->description) > 4000)
        return error_bad_request(req->arena, "description", "too_long", "description 不能超过 4000 字");
    err = form_number(req, form, "lat", -90, 90, &in->lat, &has_lat);
    if (!err)
        err = form_number(req, form, "long", -180, 180, &in->lon, &has_lon);
    if (!err)
        err = form_text(req, form, "address_string", 200, &address);
    if (!err)
        err = form_text(req, form, "device_id", 200, &x->device_id);
    if (!err)
        err = form_text(req, form, "account_id", 200, &x->account_id);
    if (!err)
        err = form_text(req, form, "email", 254, &x->email);
    if (!err)
        err = form_text(req, form, "media_url", 2000, &x->media_url);
    if (!err)
        err = form_attributes(req, form, &x->attributes);
    if (err)
        return err;
    if (x->email && (!strchr(x->email, '@') || strchr(x->email, ' ')))
        return error_bad_request(req->arena, "email", "invalid_email", "email 应为电子邮件地址，如 name@example.com");
    if (x->media_url && strncmp(x->media_url, "http://", 7) != 0 && strncmp(x->media_url, "https://", 8) != 0)
        return error_bad_request(req->arena, "media_url", "invalid_media_url", "media_url 应为 http:// 或 https:// 开头的网址");
    if (has_lat != has_lon)
        return error_bad_request(req->arena, "lat", "incomplete_point", "lat 和 long 须同时提供");
    in->has_point = has_lat;
    x->address_string = address;
    if (!in->has_point && address_id && *address_id) {
        char *end;

        in->building_id = strtoll(address_id, &end, 10);
        if (*end || in->building_id < 1)
            return error_bad_request(req->arena, "address_id", "invalid_field", "address_id 应为楼栋编号");
    }
    if (!in->has_point && !in->building_id && address) {
        /* a building's name places the case; any other text is kept for staff to place it */
        err = cases_store_building_by_name(req->store, req->arena, community, address,
                                           &in->building_id);
        if (!err && !in->building_id) {
            err = standin_point(req, community, in);
            in->has_point = in->provisional_point = x->to_place = true;
        }
        if (err)
            return err;
    }
    if (!in->has_point && !in->building_id)
        return error_bad_request(req->arena, "lat", "missing_location",
                                 "需要位置：lat 和 long、address_id 或 address_string");
    if (in->has_point)
        in->address = address;
    if (first || last)
        in->contact_name = arena_sprintf(req->arena, "%s%s", last ? last : "", first ? first : "");
    if (phone && *phone) {
        err = open311_phone(req, phone, &in->contact_phone);
        if (err)
            return err;
    }
    return NULL;
}

/* A field of the form body, else the same argument of the query string. */
static const char *form_or_query(Request *req, const RequestForm *form, const char *name)
{
    const char *v = request_form_value(form, name);

    return v && *v ? v : request_query(req, name);
}

static Error *open311_post(Request *req, Response *res)
{
    Format fmt = path_format(req);
    RequestForm form;
    const char *key, *key_community = NULL, *community = NULL, *desc;
    char token[33];
    int64_t key_id = 0;
    CaseInput in;
    CaseOpen311 x;
    CasePhoto media = { 0 };
    const char *media_data, *media_path = NULL;
    size_t media_len = 0;
    Case *c = NULL;
    Error *err;

    err = request_form(req, &form);
    if (err)
        return send_error(req, res, fmt, err);
    /* the spec's clients differ: `three` sends these in the body, `open311` in the query */
    key = form_or_query(req, &form, "api_key");
    if (!key || !*key)
        return fail(req, res, fmt, 403, "缺少 api_key");
    err = cases_store_api_key_community(req->store, req->arena, key, &key_id, &key_community);
    if (!err && !key_id)
        err = error_forbidden(req->arena, "api_key 无效或已停用");
    if (!err)
        err = jurisdiction(req, form_or_query(req, &form, "jurisdiction_id"), true, &community);
    if (!err && strcmp(community, key_community) != 0)
        err = error_forbidden(req->arena, "该 api_key 不能向这个 jurisdiction_id 提交");
    if (!err)
        err = post_input(req, &form, community, &in, &x);
    if (err)
        return send_error(req, res, fmt, err);
    /* a photo as multipart `media`: checked as /case-photos checks an upload */
    media_data = request_form_file(&form, "media", &media_len);
    if (media_data && media_len) {
        err = cases_photo_write(req, "media", media_data, media_len, &media, &media_path);
        if (err)
            return send_error(req, res, fmt, err);
        x.media = &media;
    }
    desc = in.description && *in.description ? in.description : NULL;
    if (!desc || utf8_length(desc) < 2) {
        CaseCategory *cat = NULL;

        err = cases_store_category_find(req->store, req->arena, community, in.category, &cat);
        if (err)
            return send_error(req, res, fmt, err);
        in.description = desc ? arena_sprintf(req->arena, "%s：%s", cat ? cat->name : "", desc)
                              : (cat ? cat->name : in.category);
    }
    crypto_random_hex(token, 16);
    err = cases_create(req, &in, key_id, key_community, arena_strdup(req->arena, token), &c);
    if (err && media_path)
        unlink(media_path);
    if (err) {
        if (err->status == 422)
            err->status = err->code && strcmp(err->code, "unknown_category") == 0 ? 404 : 400;
        return send_error(req, res, fmt, err);
    }
    return send(req, res, 201, fmt, "service_requests",
                json_pack("[{s:I, s:s, s:s, s:n}]", "service_request_id", (json_int_t)c->id,
                          "token", token, "service_notice",
                          arena_sprintf(req->arena, "已受理，将在 %s 前办结",
                                        time_format_rfc3339_at(req->arena, c->resolve_due,
                                                               TIME_OFFSET_SHANGHAI)),
                          "account_id"));
}

/* ---- service request updates (the GeoReport v2 extension of FixMyStreet) ---- */

/* A step's state in the extension's words. */
static const char *update_status(const char *action, const char *to_state)
{
    static const char *const map[][2] = {
        { "accepted", "OPEN" },         { "dispatched", "ACTION_SCHEDULED" },
        { "handling", "IN_PROGRESS" },  { "verified", "FIXED" },
        { "closed", "CLOSED" },         { "returned", "INTERNAL_REFERRAL" },
        { "on_hold", "INVESTIGATING" }, { "reopened", "OPEN" },
    };

    if (strcmp(action, "merge") == 0)
        return "DUPLICATE";
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], to_state) == 0)
            return map[i][1];
    return "OPEN";
}

/*
 * GET servicerequestupdates.{json,xml}?jurisdiction_id=&start_date=&end_date=
 * every step of the community's cases in the window (the last 90 days by
 * default), oldest first: update_id (the step), service_request_id, status,
 * updated_datetime, description (the step's reason, or what the step was),
 * media_url. Public, as the requests are; an api_key is not needed.
 */
static Error *open311_updates(Request *req, Response *res)
{
    Format fmt = path_format(req);
    const char *community;
    int64_t from = 0, to = 0, page, page_size;
    StoreStmt *s;
    json_t *arr;
    Error *err;

    err = jurisdiction(req, request_query(req, "jurisdiction_id"), true, &community);
    if (!err)
        err = query_time(req, "start_date", &from);
    if (!err)
        err = query_time(req, "end_date", &to);
    if (!err)
        err = request_query_int(req, "page_size", OPEN311_MAX_RESULTS, 1, OPEN311_MAX_RESULTS, &page_size);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err && from && to && to <= from)
        err = error_bad_request(req->arena, "end_date", "invalid_query", "end_date 应晚于 start_date");
    if (!err)
        err = cases_sweep(req, time_now_ms());
    if (err)
        return send_error(req, res, fmt, err);
    if (!from)
        from = (to ? to : time_now_ms()) - (int64_t)OPEN311_DEFAULT_DAYS * TIME_DAY_MS;
    s = store_prepare(req->store, req->arena, SQL_UPDATES);
    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, from);
    store_bind_int64(s, 3, to ? to + 1 : INT64_MAX);
    store_bind_int64(s, 4, page_size);
    store_bind_int64(s, 5, (page - 1) * page_size);
    arr = json_array();
    for (;;) {
        StoreResult r = store_step(s);
        const char *action, *to_state, *reason;
        CaseState st;
        json_t *o;

        if (r == STORE_DONE)
            break;
        if (r != STORE_ROW) {
            json_decref(arr);
            return send_error(req, res, fmt, store_error(req->store, req->arena));
        }
        action = store_column_text(s, req->arena, 2);
        to_state = store_column_text(s, req->arena, 3);
        reason = store_column_text(s, req->arena, 4);
        o = json_pack("{s:I, s:I, s:s}", "update_id", (json_int_t)store_column_int64(s, 0),
                      "service_request_id", (json_int_t)store_column_int64(s, 1), "status",
                      update_status(action, to_state));
        json_object_set_new(o, "updated_datetime",
                            cases_time_json(req->arena, store_column_int64(s, 5)));
        json_object_set_new(o, "description",
                            json_string(reason && *reason ? reason
                                        : case_state_parse(to_state, &st) ? case_state_label(st)
                                                                          : to_state));
        json_object_set_new(o, "media_url", json_null());
        json_array_append_new(arr, o);
    }
    store_reset(s);
    return send(req, res, 200, fmt, "service_request_updates", arr);
}

void cases_open311_routes_register(Router *r)
{
    router_add(r, "GET", "/open311/v2/discovery.json", open311_discovery, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/discovery.xml", open311_discovery, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/services.json", open311_services, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/services.xml", open311_services, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/services/{service_file}", open311_service, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/requests.json", open311_requests, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/requests.xml", open311_requests, ROUTE_PUBLIC);
    router_add(r, "POST", "/open311/v2/requests.json", open311_post, ROUTE_PUBLIC | ROUTE_LARGE_BODY);
    router_add(r, "POST", "/open311/v2/requests.xml", open311_post, ROUTE_PUBLIC | ROUTE_LARGE_BODY);
    router_add(r, "GET", "/open311/v2/requests/{request_file}", open311_request, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/tokens/{token_file}", open311_token, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/servicerequestupdates.json", open311_updates, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/servicerequestupdates.xml", open311_updates, ROUTE_PUBLIC);
    router_set_fallback(r, "/open311/v2/", open311_unknown);
}
