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

static json_t *request_json(Arena *a, const Case *c, const char *community_name)
{
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
                            : json_string_or_null(c->address));
    json_object_set_new(o, "address_id", c->building_id ? json_integer((json_int_t)c->building_id) : json_null());
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat", c->has_point ? coord_json(c->lat) : json_null());
    json_object_set_new(o, "long", c->has_point ? coord_json(c->lon) : json_null());
    json_object_set_new(o, "media_url", json_null());
    return o;
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
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, request_json(req->arena, items[i], name));
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
    if (err)
        return send_error(req, res, fmt, err);
    return send(req, res, 200, fmt, "service_requests",
                json_pack("[o]", request_json(req->arena, c, name)));
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

static Error *post_input(Request *req, const RequestForm *form, const char *community,
                         CaseInput *in)
{
    const char *address_id = request_form_value(form, "address_id");
    const char *address = request_form_value(form, "address_string");
    const char *first = request_form_value(form, "first_name");
    const char *last = request_form_value(form, "last_name");
    const char *phone = request_form_value(form, "phone");
    bool has_lat = false, has_lon = false;
    Error *err;

    memset(in, 0, sizeof(*in));
    in->source = "open311";
    in->community = community;
    in->category = request_form_value(form, "service_code");
    in->description = request_form_value(form, "description");
    if (!in->category || !*in->category)
        return error_bad_request(req->arena, "service_code", "missing_service_code", "缺少 service_code");
    if (in->description && utf8_length(in->description) > 4000)
        return error_bad_request(req->arena, "description", "too_long", "description 不能超过 4000 字");
    err = form_number(req, form, "lat", -90, 90, &in->lat, &has_lat);
    if (!err)
        err = form_number(req, form, "long", -180, 180, &in->lon, &has_lon);
    if (err)
        return err;
    if (has_lat != has_lon)
        return error_bad_request(req->arena, "lat", "incomplete_point", "lat 和 long 须同时提供");
    in->has_point = has_lat;
    if (!in->has_point && address_id && *address_id) {
        char *end;

        in->building_id = strtoll(address_id, &end, 10);
        if (*end || in->building_id < 1)
            return error_bad_request(req->arena, "address_id", "invalid_field", "address_id 应为楼栋编号");
    }
    if (!in->has_point && !in->building_id && address && *address) {
        err = cases_store_building_by_name(req->store, req->arena, community, address,
                                           &in->building_id);
        if (err)
            return err;
        if (!in->building_id)
            return error_bad_request(req->arena, "address_string", "unknown_address",
                                     "address_string 应为本社区的楼栋名称（如“3号楼”），或改用 lat/long");
    }
    if (!in->has_point && !in->building_id)
        return error_bad_request(req->arena, "lat", "missing_location",
                                 "需要位置：lat 和 long、address_id 或 address_string");
    if (in->has_point)
        in->address = address && *address ? address : NULL;
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
        err = post_input(req, &form, community, &in);
    if (err)
        return send_error(req, res, fmt, err);
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

void cases_open311_routes_register(Router *r)
{
    router_add(r, "GET", "/open311/v2/discovery.json", open311_discovery, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/discovery.xml", open311_discovery, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/services.json", open311_services, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/services.xml", open311_services, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/services/{service_file}", open311_service, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/requests.json", open311_requests, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/requests.xml", open311_requests, ROUTE_PUBLIC);
    router_add(r, "POST", "/open311/v2/requests.json", open311_post, ROUTE_PUBLIC);
    router_add(r, "POST", "/open311/v2/requests.xml", open311_post, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/requests/{request_file}", open311_request, ROUTE_PUBLIC);
    router_add(r, "GET", "/open311/v2/tokens/{token_file}", open311_token, ROUTE_PUBLIC);
    router_set_fallback(r, "/open311/v2/", open311_unknown);
}
