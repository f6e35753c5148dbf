/*
 * Registry routes: validate -> authorize -> store, one handler per route.
 * Scope: objects outside the user's scope answer 404 (their existence is
 * not confirmed); an explicit ?community= outside it answers 403.
 */
#include <ctype.h>
#include <string.h>

#include "audit/audit.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/ratelimit.h"
#include "http/response.h"
#include "registry/registry.h"
#include "registry/registry_store.h"
#include "core/banned.h"

/* Roles that may change the registry. Grid workers register people (人员排摸) but do not move them out. */
#define ROLES_REGISTRY_WRITE (ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)
#define ROLES_REGISTRY_MOVE_OUT (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)

static json_t *page_json(json_t *items, int64_t total, int64_t page, int64_t per_page)
{
    return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
                     (json_int_t)page, "per_page", (json_int_t)per_page);
}

static Error *paging(Request *req, int64_t *ret_page, int64_t *ret_per_page)
{
    Error *err = request_query_int(req, "page", 1, 1, 1000000, ret_page);

    if (err)
        return err;
    return request_query_int(req, "per_page", 20, 1, 200, ret_per_page);
}

typedef Error *ListFn(Store *st, Arena *a, const char *lo, const char *hi, json_t *items);

/* All that @list finds between @lo and @hi, as one page. */
static Error *list_page(Request *req, Response *res, ListFn *list, const char *lo, const char *hi)
{
    json_t *items = json_array();
    Error *err = list(req->store, req->arena, lo, hi, items);

    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, page_json(items, (int64_t)json_array_size(items), 1,
                                             (int64_t)json_array_size(items)));
}

/* For the register's readers: all that @list finds in ?community= or, without it, their scope. */
static Error *list_readable(Request *req, Response *res, ListFn *list)
{
    const char *lo, *hi;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    return list_page(req, res, list, lo, hi);
}

/*
 * Pages of 200 by default (at most 1000): with the country's divisions
 * imported an admin's scope holds 600,000 communities.
 */
static Error *registry_handle_communities(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t page, per_page, total = 0;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ | ROLE_RESIDENT | ROLE_PROPERTY);
    if (err)
        return err;
    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 200, 1, 1000, &per_page);
    if (err)
        return err;
    auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope, &lo, &hi);
    items = json_array();
    err = registry_store_communities(req->store, req->arena, lo, hi, per_page, (page - 1) * per_page,
                                     items, &total);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, page_json(items, total, page, per_page));
}

static Error *require_community(Request *req, const char *field, const char *code)
{
    bool exists = false;
    Error *err;

    err = auth_require_scope(req, code);
    if (err)
        return err;
    err = registry_store_community_exists(req->store, req->arena, code, &exists);
    if (err)
        return err;
    if (!exists)
        return error_invalid(req->arena, field, "unknown_community", "找不到该社区，请先导入行政区划");
    return NULL;
}

static Error *registry_handle_grids(Request *req, Response *res)
{
    return list_readable(req, res, registry_store_grids);
}

static Error *registry_handle_grid_create(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "name", NULL };
    const char *community, *name;
    int64_t id;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "community", true, 12, 12, &community);
    if (err)
        return err;
    err = validate_division_code(req->arena, "community", community, &community);
    if (err)
        return err;
    err = request_field_string(req, body, "name", true, 1, 30, &name);
    if (err)
        return err;
    err = require_community(req, "community", community);
    if (err)
        return err;
    err = registry_store_grid_insert(req->store, req->arena, community, name, &id);
    if (err)
        return err;
    err = audit_record(req, "grid.create", "grid", id, community, NULL);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
                                             "community", community, "name", name));
}

static Error *registry_handle_buildings(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t page, per_page, total = 0;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    err = paging(req, &page, &per_page);
    if (err)
        return err;
    err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    items = json_array();
    err = registry_store_buildings(req->store, req->arena, lo, hi, per_page, (page - 1) * per_page,
                                   items, &total);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, page_json(items, total, page, per_page));
}

static Error *registry_handle_building_create(Request *req, Response *res)
{
    BuildingInput in;
    int64_t id;
    json_t *b = NULL;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_WRITE);
    if (err)
        return err;
    err = registry_parse_building(req, &in);
    if (err)
        return err;
    err = require_community(req, "community", in.community);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_building_insert(req->store, req->arena, &in, &id);
    if (!err)
        err = audit_record(req, "building.create", "building", id, in.community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_building_get(req->store, req->arena, id, &b);
    if (err)
        return err;
    return response_json(res, 201, b);
}

static Error *registry_handle_building_get(Request *req, Response *res)
{
    HouseholdFilter f = { 0 };
    int64_t id, total;
    json_t *b = NULL, *households;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = registry_store_building_get(req->store, req->arena, id, &b);
    if (err)
        return err;
    if (!b || !auth_covers(req->user, json_string_value(json_object_get(b, "community")))) {
        json_decref(b);
        return error_not_found(req->arena, "id", "找不到该楼栋");
    }
    households = json_array();
    json_object_set_new(b, "household_list", households);
    auth_scope_bounds(req->arena, json_string_value(json_object_get(b, "community")), &f.lo, &f.hi);
    f.building_id = id;
    f.limit = 10000;
    err = registry_store_households(req->store, req->arena, &f, households, &total);
    if (err) {
        json_decref(b);
        return err;
    }
    return response_json(res, 200, b);
}

static Error *registry_handle_households(Request *req, Response *res)
{
    HouseholdFilter f = { 0 };
    int64_t page, per_page, total = 0;
    json_t *items;
    Error *err;

    if (req->user && req->user->role == ROLE_RESIDENT) {
        /* a resident's list is her own household */
        json_t *h = NULL;

        err = registry_store_household_get_json(req->store, req->arena, req->user->household_id, &h);
        if (err)
            return err;
        items = json_array();
        if (h)
            json_array_append_new(items, h);
        return response_json(res, 200, page_json(items, (int64_t)json_array_size(items), 1, 20));
    }
    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    err = paging(req, &page, &per_page);
    if (err)
        return err;
    err = auth_list_bounds(req, &f.lo, &f.hi);
    if (err)
        return err;
    err = request_query_int(req, "building_id", 0, 0, INT64_MAX, &f.building_id);
    if (err)
        return err;
    err = request_query_int(req, "unit", 0, 0, 50, &f.unit);
    if (err)
        return err;
    if (request_query(req, "floor")) {
        err = request_query_int(req, "floor", 0, -5, 200, &f.floor);
        if (err)
            return err;
        f.has_floor = true;
    }
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    items = json_array();
    err = registry_store_households(req->store, req->arena, &f, items, &total);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, page_json(items, total, page, per_page));
}

static Error *registry_handle_household_create(Request *req, Response *res)
{
    HouseholdInput in;
    json_t *b = NULL, *h = NULL;
    const char *community;
    int64_t id, floors;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_WRITE);
    if (err)
        return err;
    err = registry_parse_household(req, &in);
    if (err)
        return err;
    err = registry_store_building_get(req->store, req->arena, in.building_id, &b);
    if (err)
        return err;
    if (!b || !auth_covers(req->user, json_string_value(json_object_get(b, "community")))) {
        json_decref(b);
        return error_invalid(req->arena, "building_id", "unknown_building", "找不到该楼栋");
    }
    community = arena_strdup(req->arena, json_string_value(json_object_get(b, "community")));
    floors = json_integer_value(json_object_get(b, "floors"));
    if (in.unit > json_integer_value(json_object_get(b, "units"))) {
        json_decref(b);
        return error_invalid(req->arena, "unit", "unit_out_of_range", "单元号超出该楼栋的单元数");
    }
    json_decref(b);
    if (in.floor > floors || in.floor == 0)
        return error_invalid(req->arena, "floor", "floor_out_of_range", "楼层超出该楼栋的层数");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_household_insert(req->store, req->arena, &in, community, &id);
    if (!err)
        err = audit_record(req, "household.create", "household", id, community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_household_get_json(req->store, req->arena, id, &h);
    if (err)
        return err;
    return response_json(res, 201, h);
}

/* JSON written by @w as a jansson value, for responses that add to it; a failed writer is a 500. */
static Error *parse_written(Request *req, JsonW *w, json_t **ret)
{
    size_t len;
    const char *text = jsonw_finish(w, &len);

    *ret = text ? json_loadb(text, len, 0, NULL) : NULL;
    if (!*ret)
        return error_internal(req->arena, "resident JSON: invalid UTF-8 or too large");
    return NULL;
}

Error *registry_household_json(Request *req, int64_t id, json_t **ret)
{
    ResidentFilter f = { 0 };
    json_t *h = NULL, *residents;
    int64_t total;
    JsonW w;
    Error *err;

    err = registry_store_household_get_json(req->store, req->arena, id, &h);
    if (err || !h) {
        *ret = NULL;
        return err;
    }
    auth_scope_bounds(req->arena, json_string_value(json_object_get(h, "community")), &f.lo, &f.hi);
    f.household_id = id;
    f.status = "active";
    f.limit = 200;
    jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
    jsonw_array(&w);
    err = registry_store_residents(req->store, req->arena, &f, &w, &total);
    jsonw_array_end(&w);
    if (!err)
        err = parse_written(req, &w, &residents);
    if (err) {
        json_decref(h);
        return err;
    }
    json_object_set_new(h, "members", residents);
    *ret = h;
    return NULL;
}

static Error *registry_handle_household_get(Request *req, Response *res)
{
    json_t *h = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ | ROLE_RESIDENT);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    if (req->user->role == ROLE_RESIDENT && id != req->user->household_id)
        return error_not_found(req->arena, "id", "找不到该住户");
    err = registry_household_json(req, id, &h);
    if (err)
        return err;
    if (!h || !auth_covers(req->user, json_string_value(json_object_get(h, "community")))) {
        json_decref(h);
        return error_not_found(req->arena, "id", "找不到该住户");
    }
    return response_json(res, 200, h);
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool all_letters(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalpha((unsigned char)*s))
            return false;
    return true;
}

static const char *like_escape(Arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 2 + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            out[j++] = '\\';
        out[j++] = s[i];
    }
    out[j] = '\0';
    return out;
}

/*
 * Reads q: a name, pinyin initials, the last 4 digits of a phone, or a whole
 * phone or ID number (then *ret_whole names the field: "phone", "id_number").
 */
static Error *search_terms(Request *req, ResidentFilter *f, const char **ret_whole)
{
    const char *raw = request_query(req, "q");
    const char *q;
    const char *id_number;

    *ret_whole = NULL;
    if (!raw || !*raw)
        return NULL;
    if (strlen(raw) > 100)
        return error_bad_request(req->arena, "q", "invalid_query", "搜索内容太长，请不要超过100个字符");
    q = text_normalize_query(req->arena, raw);
    if (!q)
        return error_bad_request(req->arena, "q", "invalid_query", "搜索内容含有无法识别的字符");
    if (!*q)
        return NULL;
    if (all_digits(q, 4)) {
        f->last4 = q;
    } else if (all_digits(q, 11) && phone_is_mobile(q)) {
        uint8_t *h = arena_alloc(req->arena, CRYPTO_HASH_BYTES);

        crypto_lookup_hash(req->app->keys, q, h);
        f->hash = h;
        *ret_whole = "phone";
    } else if (strlen(q) == 18 && !validate_id_number(req->arena, "q", q, &id_number)) {
        uint8_t *h = arena_alloc(req->arena, CRYPTO_HASH_BYTES);

        crypto_lookup_hash(req->app->keys, id_number, h);
        f->hash = h;
        *ret_whole = "id_number";
    } else {
        char *hi = arena_strdup(req->arena, q);

        /* a prefix range ends at the query with its last byte raised: "zs" -> "zt" */
        hi[strlen(hi) - 1]++;
        if (all_letters(q)) {
            f->initials_lo = q;
            f->initials_hi = hi;
        } else {
            f->name_lo = q;
            f->name_hi = hi;
        }
    }
    return NULL;
}

/*
 * A search by a whole phone or ID number answers "is this the number?" for
 * every masked value a list shows (the mask and a birth date leave 1,000
 * candidates): only staff of the user's own community, who may see the
 * numbers in full, may ask it, and only so often without a hit.
 */
static Error *whole_number_allowed(Request *req, const char *field)
{
    const User *u = req->user;
    const char *key;
    bool blocked = false;
    Error *err;

    if (!auth_is_community_staff(u, u->scope))
        return error_new(req->arena, 403, "q", "whole_number_search_forbidden",
                         "只有本社区的工作人员可以按完整的手机号或身份证号查找，请改用姓名或手机号后四位");
    key = arena_sprintf(req->arena, "%lld", (long long)u->id);
    err = ratelimit_blocked(req->store, req->arena, &req->app->search_limit, key,
                            req->app->cfg->search_max_misses, time_now_ms(), &blocked);
    if (err)
        return err;
    if (blocked) {
        err = audit_record(req, "resident.search_refused", "resident", 0, u->scope,
                           json_pack("{s:s, s:i}", "field", field, "max_misses",
                                     req->app->cfg->search_max_misses));
        if (err)
            return err;
        return error_new(req->arena, 429, "q", "too_many_searches",
                         "按完整号码查找未找到的次数过多，请一小时后再试；此情况已记入审计日志");
    }
    return NULL;
}

/*
 * A whole-number search is a full view: one entry for the search (hit or
 * miss), and one resident.view_full per resident it found; a miss counts
 * towards the user's limit.
 */
static Error *whole_number_audit(Request *req, const char *field, JsonW *w, int64_t total)
{
    const User *u = req->user;
    size_t len;
    const char *text = jsonw_finish(w, &len);
    json_t *page = text ? json_loadb(text, len, 0, NULL) : NULL;
    json_t *items = json_object_get(page, "items"), *item;
    size_t i;
    Error *err;

    err = NULL;
    if (total == 0) {
        request_end_read(req); /* a write, like the audit entry below */
        err = ratelimit_fail(req->store, req->arena, &req->app->search_limit,
                             arena_sprintf(req->arena, "%lld", (long long)u->id), time_now_ms());
    }
    if (!err)
        err = audit_record(req, "resident.search_full", "resident", 0, u->scope,
                           json_pack("{s:s, s:I}", "field", field, "matches", (json_int_t)total));
    json_array_foreach(items, i, item) {
        if (err)
            break;
        err = audit_record(req, "resident.view_full", "resident",
                           json_integer_value(json_object_get(item, "id")), u->scope,
                           json_pack("{s:[s], s:s}", "fields", field, "via", "search"));
    }
    json_decref(page);
    return err;
}

static Error *registry_handle_residents(Request *req, Response *res)
{
    ResidentFilter f = { 0 };
    int64_t page, per_page, total = 0;
    const char *status, *whole = NULL;
    int flag;
    JsonW w;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ | ROLE_RESIDENT);
    if (err)
        return err;
    err = paging(req, &page, &per_page);
    if (err)
        return err;
    if (req->user->role == ROLE_RESIDENT) {
        auth_scope_bounds(req->arena, req->user->scope, &f.lo, &f.hi);
        f.household_id = req->user->household_id;
    } else {
        err = auth_list_bounds(req, &f.lo, &f.hi);
        if (err)
            return err;
        err = request_query_int(req, "household_id", 0, 0, INT64_MAX, &f.household_id);
        if (err)
            return err;
    }
    err = request_query_int(req, "building_id", 0, 0, INT64_MAX, &f.building_id);
    if (err)
        return err;
    f.tag = request_query(req, "tag");
    if (f.tag && !*f.tag)
        f.tag = NULL;
    err = request_query_flag(req, "key_population", &flag);
    if (err)
        return err;
    f.key_population = flag == 1;
    err = request_query_flag(req, "living_alone", &flag);
    if (err)
        return err;
    f.living_alone = flag == 1;
    status = request_query(req, "status");
    if (!status || !*status || strcmp(status, "active") == 0)
        f.status = "active";
    else if (strcmp(status, "moved_out") == 0)
        f.status = "moved_out";
    else if (strcmp(status, "all") == 0)
        f.status = NULL;
    else
        return error_bad_request(req->arena, "status", "invalid_query", "status 应为 active、moved_out 或 all");
    err = search_terms(req, &f, &whole);
    if (!err && whole)
        err = whole_number_allowed(req, whole);
    if (err)
        return err;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    /* written as text: the hot list (core/jsonw.h); the shape of page_json() */
    jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
    jsonw_object(&w);
    jsonw_key(&w, "items");
    jsonw_array(&w);
    err = registry_store_residents(req->store, req->arena, &f, &w, &total);
    if (!err && total == 0 && f.name_lo) {
        /* no name starts with it: look inside names ("三" finds 张三), a slower scan */
        f.name_like = arena_sprintf(req->arena, "%%%s%%", like_escape(req->arena, f.name_lo));
        f.name_lo = f.name_hi = NULL;
        err = registry_store_residents(req->store, req->arena, &f, &w, &total);
    }
    if (err)
        return err;
    jsonw_array_end(&w);
    jsonw_kint(&w, "total", total);
    jsonw_kint(&w, "page", page);
    jsonw_kint(&w, "per_page", per_page);
    jsonw_object_end(&w);
    if (whole) {
        err = whole_number_audit(req, whole, &w, total);
        if (err)
            return err;
    }
    return response_json_text(req, res, 200, &w);
}

/* The household a request may place a resident in, or a 422 naming household_id. */
static Error *writable_household(Request *req, int64_t id, Household **ret)
{
    Household *h = NULL;
    Error *err;

    err = registry_store_household_get(req->store, req->arena, id, &h);
    if (err)
        return err;
    if (!h || !auth_covers(req->user, h->community))
        return error_invalid(req->arena, "household_id", "unknown_household", "找不到该住户，请先登记房屋");
    *ret = h;
    return NULL;
}

static json_t *changed_fields(unsigned set)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        { RES_HOUSEHOLD, "household_id" }, { RES_NAME, "name" }, { RES_GENDER, "gender" },
        { RES_BIRTH, "birth_date" }, { RES_ID_NUMBER, "id_number" }, { RES_PHONE, "phone" },
        { RES_RELATION, "relation" }, { RES_TAGS, "tags" }, { RES_MOVED_IN, "moved_in" },
    };
    json_t *arr = json_array();

    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (set & names[i].bit)
            json_array_append_new(arr, json_string(names[i].name));
    return arr;
}

static Error *registry_handle_resident_create(Request *req, Response *res)
{
    ResidentInput in;
    Household *h = NULL;
    json_t *r = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_WRITE);
    if (err)
        return err;
    err = registry_parse_resident(req, false, &in);
    if (err)
        return err;
    err = writable_household(req, in.household_id, &h);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_resident_insert(req->store, req->arena, req->app->keys, &in, h,
                                         req->user->id, &id);
    if (!err)
        err = audit_record(req, "resident.create", "resident", id, h->community,
                           json_pack("{s:o}", "fields", changed_fields(in.set)));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = registry_resident_json(req, id, &r);
    if (err)
        return err;
    return response_json(res, 201, r);
}

/* Resident @id into @w if the user may see it (scope; a resident: her household); 404 otherwise. */
static Error *write_visible_resident(Request *req, int64_t id, const ResidentSecrets *full, JsonW *w,
                                     ResidentRef *ref)
{
    Error *err = registry_store_resident_write(req->store, req->arena, id, full, w, ref);

    if (err)
        return err;
    if (!ref->community || !auth_covers(req->user, ref->community) ||
        (req->user->role == ROLE_RESIDENT && ref->household_id != req->user->household_id))
        return error_not_found(req->arena, "id", "找不到该居民");
    return NULL;
}

/* The community of a resident the user may see; 404 otherwise. */
static Error *visible_resident(Request *req, int64_t id, const char **ret_community)
{
    ResidentRef ref;
    JsonW w;
    Error *err;

    jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
    err = write_visible_resident(req, id, NULL, &w, &ref);
    *ret_community = ref.community;
    return err;
}

Error *registry_resident_json(Request *req, int64_t id, json_t **ret)
{
    ResidentRef ref;
    JsonW w;
    Error *err;

    *ret = NULL;
    jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
    err = registry_store_resident_write(req->store, req->arena, id, NULL, &w, &ref);
    if (err || !ref.community)
        return err;
    return parse_written(req, &w, ret);
}

static Error *registry_handle_resident_get(Request *req, Response *res)
{
    const char *reveal_q = request_query(req, "reveal");
    bool reveal = reveal_q && strcmp(reveal_q, "1") == 0;
    ResidentSecrets full;
    ResidentRef ref;
    int64_t id;
    JsonW w;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ | ROLE_RESIDENT);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
    err = write_visible_resident(req, id, NULL, &w, &ref);
    if (err)
        return err;
    if (reveal) {
        const char *community = ref.community;

        if (!auth_is_community_staff(req->user, community))
            return error_forbidden(req->arena, "只有本社区的工作人员可以查看完整的身份证号和手机号");
        err = registry_store_resident_reveal(req->store, req->arena, req->app->keys, id,
                                             &full.id_number, &full.phone);
        if (err)
            return err;
        jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
        err = write_visible_resident(req, id, &full, &w, &ref);
        if (err)
            return err;
        err = audit_record(req, "resident.view_full", "resident", id, community,
                           json_pack("{s:[s,s]}", "fields", "id_number", "phone"));
        if (err)
            return err;
    }
    return response_json_text(req, res, 200, &w);
}

/*
 * GET /residents/{id}/phone: the whole phone number, to call her: grid
 * workers, staff and secretaries of her community (the 网格员 on her round
 * needs the number, not the ID number). Every view is audited.
 */
static Error *registry_handle_resident_phone(Request *req, Response *res)
{
    const char *id_number = NULL, *phone = NULL;
    ResidentRef ref;
    int64_t id;
    JsonW w;
    Error *err;

    err = auth_require(req, ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (err)
        return err;
    jsonw_init(&w, req->arena, RESPONSE_JSON_MAX);
    err = write_visible_resident(req, id, NULL, &w, &ref);
    if (err)
        return err;
    if (strcmp(req->user->scope, ref.community) != 0)
        return error_forbidden(req->arena, "只有本社区的网格员和工作人员可以查看完整手机号");
    err = registry_store_resident_reveal(req->store, req->arena, req->app->keys, id, &id_number,
                                         &phone);
    if (!err)
        err = audit_record(req, "resident.view_full", "resident", id, ref.community,
                           json_pack("{s:[s]}", "fields", "phone"));
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:o}", "id", (json_int_t)id, "phone",
                                             json_string_or_null(phone)));
}

static Error *registry_handle_resident_update(Request *req, Response *res)
{
    ResidentInput in;
    Household *target = NULL;
    json_t *r = NULL;
    const char *community;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_WRITE);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = visible_resident(req, id, &community);
    if (err)
        return err;
    err = registry_parse_resident(req, true, &in);
    if (err)
        return err;
    if (in.set & RES_HOUSEHOLD) {
        err = writable_household(req, in.household_id, &target);
        if (err)
            return err;
    }
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_resident_update(req->store, req->arena, req->app->keys, id, &in, target,
                                         req->user->id);
    if (!err)
        err = audit_record(req, "resident.update", "resident", id, community,
                           json_pack("{s:o}", "fields", changed_fields(in.set)));
    if (!err && target && strcmp(target->community, community) != 0)
        err = audit_record(req, "resident.transfer_in", "resident", id, target->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = registry_resident_json(req, id, &r);
    if (err)
        return err;
    return response_json(res, 200, r);
}

static Error *registry_handle_resident_move_out(Request *req, Response *res)
{
    static const char *const fields[] = { "date", "reason", NULL };
    const char *date = NULL, *reason = NULL, *community;
    json_t *r = NULL, *body;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_MOVE_OUT);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    if (req->body_len > 0) {
        err = request_json_fields(req, fields, &body);
        if (err)
            return err;
        err = request_field_string(req, body, "date", false, 10, 10, &date);
        if (err)
            return err;
        if (date) {
            err = validate_date(req->arena, "date", date, &date);
            if (err)
                return err;
        }
        err = request_field_string(req, body, "reason", false, 1, 200, &reason);
        if (err)
            return err;
    }
    err = visible_resident(req, id, &community);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = registry_store_resident_move_out(req->store, req->arena, id, date, reason, req->user->id);
    if (!err)
        err = audit_record(req, "resident.move_out", "resident", id, community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = registry_resident_json(req, id, &r);
    if (err)
        return err;
    return response_json(res, 200, r);
}

static Error *registry_handle_tags(Request *req, Response *res)
{
    return list_readable(req, res, registry_store_tags);
}

static Error *registry_handle_tag_create(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "key_population", NULL };
    const char *name;
    json_t *body, *kp;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "name", true, 1, 20, &name);
    if (err)
        return err;
    if (registry_tag_name_splits(name))
        return error_invalid(req->arena, "name", "invalid_tag",
                             "标签名不能含有逗号、顿号、分号、空格或竖线（导入时用它们分隔多个标签）");
    kp = json_object_get(body, "key_population");
    if (kp && !json_is_boolean(kp))
        return error_invalid(req->arena, "key_population", "invalid_type", "字段“key_population”应为 true 或 false");
    err = registry_store_tag_insert(req->store, req->arena, name, kp && json_is_true(kp));
    if (err)
        return err;
    err = audit_record(req, "tag.create", "tag", 0, req->user->role == ROLE_ADMIN ? NULL : req->user->scope,
                       json_pack("{s:s}", "name", name));
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:s, s:b, s:b}", "name", name, "key_population",
                                             kp && json_is_true(kp), "builtin", 0));
}

static Error *registry_handle_stats(Request *req, Response *res)
{
    const char *code, *lo, *hi;
    json_t *out = NULL;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    err = validate_division_code(req->arena, "code", req->params[0], &code);
    if (err)
        return error_not_found(req->arena, "code", "找不到该社区");
    if (!auth_covers(req->user, code))
        return error_not_found(req->arena, "code", "找不到该社区");
    if (strlen(code) == 12) {
        err = registry_store_community_get(req->store, req->arena, code, &out);
        if (err)
            return err;
        if (!out)
            return error_not_found(req->arena, "code", "找不到该社区");
    } else {
        out = json_pack("{s:s}", "code", code);
    }
    auth_scope_bounds(req->arena, code, &lo, &hi);
    err = registry_store_stats(req->store, req->arena, lo, hi, out);
    if (err) {
        json_decref(out);
        return err;
    }
    return response_json(res, 200, out);
}

Error *registry_community_json(Request *req, const char *code, json_t **ret)
{
    return registry_store_community_get(req->store, req->arena, code, ret);
}

void registry_io_routes_register(Router *r);

void registry_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/communities", registry_handle_communities, ROUTE_CACHED);
    router_add(r, "GET", "/api/v1/grids", registry_handle_grids, ROUTE_CACHED);
    router_add(r, "POST", "/api/v1/grids", registry_handle_grid_create, 0);
    router_add(r, "GET", "/api/v1/buildings", registry_handle_buildings, ROUTE_CACHED);
    router_add(r, "POST", "/api/v1/buildings", registry_handle_building_create, 0);
    router_add(r, "GET", "/api/v1/buildings/{id}", registry_handle_building_get, ROUTE_CACHED);
    router_add(r, "GET", "/api/v1/households", registry_handle_households, ROUTE_CACHED);
    router_add(r, "POST", "/api/v1/households", registry_handle_household_create, 0);
    router_add(r, "GET", "/api/v1/households/{id}", registry_handle_household_get, ROUTE_CACHED);
    registry_io_routes_register(r); /* before /residents/{id}: "import" and "export" are not ids */
    router_add(r, "GET", "/api/v1/residents", registry_handle_residents, ROUTE_CACHED);
    router_add(r, "POST", "/api/v1/residents", registry_handle_resident_create, 0);
    router_add(r, "GET", "/api/v1/residents/{id}", registry_handle_resident_get, ROUTE_CACHED);
    router_add(r, "GET", "/api/v1/residents/{id}/phone", registry_handle_resident_phone, 0);
    router_add(r, "PATCH", "/api/v1/residents/{id}", registry_handle_resident_update, 0);
    router_add(r, "DELETE", "/api/v1/residents/{id}", registry_handle_resident_move_out, 0);
    router_add(r, "GET", "/api/v1/tags", registry_handle_tags, ROUTE_CACHED);
    router_add(r, "POST", "/api/v1/tags", registry_handle_tag_create, 0);
    router_add(r, "GET", "/api/v1/stats/community/{code}", registry_handle_stats, ROUTE_CACHED);
}
