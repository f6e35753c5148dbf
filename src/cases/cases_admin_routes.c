/*
 * What staff configure for cases: categories and time limits, responsible
 * units and their users, routing rules, the working-day calendar and the
 * community's settings (duplicate window, map area); and the dashboard.
 * Everyone in a community may read its categories (the report form needs
 * them); staff and secretaries of the community (and admins) change them.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define ROLES_CASES_CONFIG (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)
#define ROLES_CASES_DASHBOARD \
    (ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

/* 403 unless the user configures @community: its staff or secretary, or an admin. */
static Error *require_config(Request *req, const char *community)
{
    if (req->user->role == ROLE_ADMIN || auth_is_community_staff(req->user, community))
        return NULL;
    return error_forbidden(req->arena, "只有本社区的工作人员可以修改案件设置");
}

/* 403 unless the user has one of @roles; then the ?community= she asks about. */
static Error *require_community(Request *req, unsigned roles, const char **ret_community)
{
    Error *err = auth_require(req, roles);

    return err ? err : cases_query_community(req, ret_community);
}

/* An object's community when the request names none: the staff's own, which must be one. */
static Error *default_community(Request *req, const char **community)
{
    if (*community)
        return NULL;
    if (strlen(req->user->scope) != 12)
        return error_invalid(req->arena, "community", "missing_community", "请指定社区 community");
    *community = req->user->scope;
    return NULL;
}

/*
 * The object route parameter 0 names lies in @community (NULL: there is
 * none): 404 unless the user's scope covers it, 403 unless she configures it.
 */
static Error *require_config_found(Request *req, const char *community, const char *not_found)
{
    if (!community || !auth_covers(req->user, community))
        return error_not_found(req->arena, "id", not_found);
    return require_config(req, community);
}

/* {"items": @arr, "total": its length} */
static Error *list_response(Response *res, json_t *arr)
{
    return response_json(res, 200, json_pack("{s:o, s:I}", "items", arr, "total",
                                             (json_int_t)json_array_size(arr)));
}

/* Runs @fn's writes in one transaction with an audit entry. */
static Error *commit_audited(Request *req, Error *err, const char *action, const char *type,
                             int64_t id, const char *community)
{
    if (!err && action) /* NULL: the caller wrote its own entry */
        err = audit_record(req, action, type, id, community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

/* ---- categories ---- */

static Error *cases_handle_categories(Request *req, Response *res)
{
    const char *community;
    const char *all = request_query(req, "all");
    CaseCategory *items;
    size_t n;
    json_t *arr;
    Error *err;

    err = require_community(req, ROLES_CASES_READ, &community);
    if (!err)
        err = cases_store_categories(req->store, req->arena, community,
                                     !(all && strcmp(all, "1") == 0), &items, &n);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, cases_category_json(&items[i]));
    return list_response(res, arr);
}

static Error *cases_handle_category_create(Request *req, Response *res)
{
    CaseCategory c = { .sort = 100, .active = true };
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_CASES_CONFIG);
    if (!err)
        err = request_json_object(req, &body);
    if (!err)
        err = cases_parse_category(req, body, false, &c);
    if (err)
        return err;
    err = default_community(req, &c.community);
    if (!err)
        err = require_config(req, c.community);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_category_insert(req->store, req->arena, &c);
    err = commit_audited(req, err, "case_category.create", "case_category", c.id, c.community);
    if (err)
        return err;
    return response_json(res, 201, cases_category_json(&c));
}

static Error *cases_handle_category_update(Request *req, Response *res)
{
    CaseCategory *c = NULL;
    int64_t id;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_CASES_CONFIG);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = cases_store_category_get(req->store, req->arena, id, &c);
    if (err)
        return err;
    err = require_config_found(req, c ? c->community : NULL, "找不到该类别");
    if (!err)
        err = request_json_object(req, &body);
    if (!err)
        err = cases_parse_category(req, body, true, c);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_category_update(req->store, req->arena, c);
    err = commit_audited(req, err, "case_category.update", "case_category", c->id, c->community);
    if (err)
        return err;
    return response_json(res, 200, cases_category_json(c));
}

/* ---- units ---- */

static Error *cases_handle_units(Request *req, Response *res)
{
    const char *community;
    CaseUnit *items;
    size_t n;
    json_t *arr;
    Error *err;

    err = require_community(req, ROLES_CASES_DASHBOARD, &community);
    if (!err)
        err = cases_store_units(req->store, req->arena, community, &items, &n);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, cases_unit_json(&items[i]));
    return list_response(res, arr);
}

/* The buildings a report may name: anyone who reports in the community reads them. */
static Error *cases_handle_buildings(Request *req, Response *res)
{
    const char *community;
    json_t *arr;
    Error *err;

    err = require_community(req, ROLES_CASES_READ, &community);
    if (err)
        return err;
    arr = json_array();
    err = cases_store_buildings(req->store, req->arena, community, arr);
    if (err) {
        json_decref(arr);
        return err;
    }
    return list_response(res, arr);
}

/* The building view of the dashboard: every building with its open and overdue cases. */
static Error *cases_handle_by_building(Request *req, Response *res)
{
    const char *community;
    json_t *arr, *unplaced = NULL;
    Error *err;

    err = require_community(req, ROLES_CASES_DASHBOARD, &community);
    if (!err)
        err = cases_sweep(req, time_now_ms());
    if (err)
        return err;
    arr = json_array();
    err = cases_store_by_building(req->store, req->arena, community, arr, &unplaced);
    if (err) {
        json_decref(arr);
        return err;
    }
    return response_json(res, 200, json_pack("{s:s, s:o, s:o}", "community", community, "items",
                                             arr, "unplaced", unplaced));
}

static Error *save_unit(Request *req, Response *res, bool create)
{
    CaseUnit *u = arena_zalloc(req->arena, sizeof(CaseUnit));
    int64_t users[50], id = 0;
    size_t n_users = 0;
    bool users_set = false;
    json_t *body;
    Error *err;

    u->active = true;
    err = auth_require(req, ROLES_CASES_CONFIG);
    if (err)
        return err;
    if (!create) {
        err = request_param_id(req, 0, &id);
        if (!err)
            err = cases_store_unit_get(req->store, req->arena, id, &u);
        if (err)
            return err;
        if (!u || !auth_covers(req->user, u->community))
            return error_not_found(req->arena, "id", "找不到该责任单位");
    }
    err = request_json_object(req, &body);
    if (!err)
        err = cases_parse_unit(req, body, !create, u, users, &n_users, &users_set);
    if (err)
        return err;
    err = default_community(req, &u->community);
    if (!err)
        err = require_config(req, u->community);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = create ? cases_store_unit_insert(req->store, req->arena, u)
                 : cases_store_unit_update(req->store, req->arena, u);
    if (!err && users_set)
        err = cases_store_unit_set_users(req->store, req->arena, u, users, n_users);
    err = commit_audited(req, err, create ? "case_unit.create" : "case_unit.update", "case_unit",
                         u->id, u->community);
    if (!err)
        err = cases_store_unit_get(req->store, req->arena, u->id, &u);
    if (err)
        return err;
    return response_json(res, create ? 201 : 200, cases_unit_json(u));
}

static Error *cases_handle_unit_create(Request *req, Response *res)
{
    return save_unit(req, res, true);
}

static Error *cases_handle_unit_update(Request *req, Response *res)
{
    return save_unit(req, res, false);
}

/* ---- routing rules ---- */

static Error *cases_handle_routes(Request *req, Response *res)
{
    const char *community;
    CaseRoute *items;
    size_t n;
    json_t *arr;
    Error *err;

    err = require_community(req, ROLES_CASES_DASHBOARD, &community);
    if (!err)
        err = cases_store_routes(req->store, req->arena, community, &items, &n);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, cases_route_json(&items[i]));
    return list_response(res, arr);
}

static Error *cases_handle_route_create(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "category", "grid_id", "unit_id", NULL };
    CaseRoute *r = arena_zalloc(req->arena, sizeof(CaseRoute));
    const char *category = NULL, *community = NULL;
    CaseCategory *cat = NULL;
    CaseUnit *unit = NULL;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_CASES_CONFIG);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "community", false, 12, 12, &community);
    if (!err)
        err = request_field_string(req, body, "category", false, 1, 40, &category);
    if (!err)
        err = request_field_int(req, body, "grid_id", false, 1, INT64_MAX, &r->grid_id, NULL);
    if (!err)
        err = request_field_int(req, body, "unit_id", true, 1, INT64_MAX, &r->unit_id, NULL);
    if (err)
        return err;
    if (!community)
        community = req->user->scope;
    err = require_config(req, community);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_unit_get(req->store, req->arena, r->unit_id, &unit);
    if (!err && (!unit || strcmp(unit->community, community) != 0))
        err = error_invalid(req->arena, "unit_id", "unknown_unit", "找不到该责任单位，或它不属于本社区");
    if (!err && category) {
        err = cases_store_category_find(req->store, req->arena, community, category, &cat);
        if (!err && !cat)
            err = error_invalid(req->arena, "category", "unknown_category", "找不到该问题类别");
        if (!err)
            r->category_id = cat->id;
    }
    if (!err && r->grid_id) {
        bool ok = false;

        err = cases_store_grid_in(req->store, req->arena, r->grid_id, community, &ok);
        if (!err && !ok)
            err = error_invalid(req->arena, "grid_id", "unknown_grid", "找不到该网格，或它不属于本社区");
    }
    r->community = community;
    if (!err)
        err = cases_store_route_insert(req->store, req->arena, r);
    err = commit_audited(req, err, "case_route.create", "case_route", r->id, community);
    if (!err)
        err = cases_store_route_get(req->store, req->arena, r->id, &r);
    if (err)
        return err;
    return response_json(res, 201, cases_route_json(r));
}

static Error *cases_handle_route_delete(Request *req, Response *res)
{
    CaseRoute *r = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_CASES_CONFIG);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = cases_store_route_get(req->store, req->arena, id, &r);
    if (err)
        return err;
    err = require_config_found(req, r ? r->community : NULL, "找不到该派单规则");
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_route_delete(req->store, req->arena, id);
    err = commit_audited(req, err, "case_route.delete", "case_route", id, r->community);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:b}", "deleted", 1));
}

/* ---- calendar ---- */

static Error *cases_handle_calendar(Request *req, Response *res)
{
    int64_t year, from, to;
    Calendar cal;
    const char **names;
    json_t *days;
    char date[11];
    Error *err;

    err = auth_require(req, ROLES_CASES_READ);
    if (!err)
        err = request_query_int(req, "year", case_month(time_now_ms()) / 100, 2000, 2100, &year);
    if (err)
        return err;
    from = days_from_civil((int)year, 1, 1);
    to = days_from_civil((int)year, 12, 31);
    err = cases_store_calendar(req->store, req->arena, from, to, &cal, &names);
    if (err)
        return err;
    days = json_array();
    for (size_t i = 0; i < cal.n; i++) {
        time_format_date(date, cal.days[i]);
        json_array_append_new(days, json_pack("{s:s, s:b, s:s, s:i}", "date", date, "working",
                                              cal.working[i], "name", names[i] ? names[i] : "",
                                              "weekday", time_weekday(cal.days[i])));
    }
    return response_json(res, 200, json_pack("{s:I, s:s, s:o}", "year", (json_int_t)year,
                                             "rule", "周一至周五为工作日，以下日期除外",
                                             "days", days));
}

static Error *calendar_date(Request *req, const char **ret)
{
    const char *d = req->params[0];
    int64_t day;

    if (!d || !time_parse_date(d, &day))
        return error_not_found(req->arena, "date", "日期应为 YYYY-MM-DD");
    *ret = d;
    return NULL;
}

static Error *require_calendar_editor(Request *req)
{
    /*
     * One national calendar moves every community's deadlines: the admin
     * keeps it, and each change shows in every community's audit view.
     */
    return auth_require(req, ROLE_ADMIN);
}

static Error *cases_handle_calendar_set(Request *req, Response *res)
{
    static const char *const fields[] = { "working", "name", NULL };
    const char *date = NULL, *name = NULL;
    json_t *body, *w;
    Error *err;

    err = require_calendar_editor(req);
    if (!err)
        err = calendar_date(req, &date);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", false, 0, 30, &name);
    if (err)
        return err;
    w = json_object_get(body, "working");
    if (!json_is_boolean(w))
        return error_invalid(req->arena, "working", "invalid_type",
                             "字段“working”应为 true（调休上班）或 false（放假）");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_calendar_set(req->store, req->arena, date, json_is_true(w), name);
    if (!err)
        err = audit_record(req, "case_calendar.set", "case_calendar", 0, AUDIT_EVERY_COMMUNITY,
                           json_pack("{s:s, s:b, s:s}", "date", date, "working", json_is_true(w),
                                     "name", name ? name : ""));
    err = commit_audited(req, err, NULL, NULL, 0, NULL);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:s, s:b, s:s}", "date", date, "working",
                                             json_is_true(w), "name", name ? name : ""));
}

static Error *cases_handle_calendar_delete(Request *req, Response *res)
{
    const char *date = NULL;
    bool found = false;
    Error *err;

    err = require_calendar_editor(req);
    if (!err)
        err = calendar_date(req, &date);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_calendar_delete(req->store, req->arena, date, &found);
    if (!err && !found)
        err = error_not_found(req->arena, "date", "该日期没有特别安排");
    if (!err)
        err = audit_record(req, "case_calendar.delete", "case_calendar", 0, AUDIT_EVERY_COMMUNITY,
                           json_pack("{s:s}", "date", date));
    err = commit_audited(req, err, NULL, NULL, 0, NULL);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:b}", "deleted", 1));
}

/* ---- settings ---- */

static json_t *settings_json(const char *community, const CaseSettings *s)
{
    return json_pack("{s:s, s:i, s:o}", "community", community, "dup_window_hours",
                     s->dup_window_hours,
                     "area", s->has_area ? json_pack("{s:f, s:f, s:f, s:f}", "min_lat", s->min_lat,
                                                     "min_lon", s->min_lon, "max_lat", s->max_lat,
                                                     "max_lon", s->max_lon)
                                         : json_null());
}

static Error *cases_handle_settings(Request *req, Response *res)
{
    const char *community;
    CaseSettings s;
    Error *err;

    err = require_community(req, ROLES_CASES_READ, &community);
    if (!err)
        err = cases_store_settings(req->store, req->arena, community, &s);
    if (err)
        return err;
    return response_json(res, 200, settings_json(community, &s));
}

static Error *cases_handle_settings_set(Request *req, Response *res)
{
    const char *community;
    CaseSettings s;
    json_t *body;
    Error *err;

    err = require_community(req, ROLES_CASES_CONFIG, &community);
    if (!err)
        err = require_config(req, community);
    if (!err)
        err = cases_store_settings(req->store, req->arena, community, &s);
    if (!err)
        err = request_json_object(req, &body);
    if (!err)
        err = cases_parse_settings(req, body, &s);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_settings_set(req->store, req->arena, community, &s);
    err = commit_audited(req, err, "case_setting.update", "case_setting", 0, community);
    if (err)
        return err;
    return response_json(res, 200, settings_json(community, &s));
}

/* ---- dashboard ---- */

/* ?from=&to= as YYYY-MM; default: the last twelve months. */
static Error *query_month(Request *req, const char *name, int def, int *ret)
{
    const char *s = request_query(req, name);
    int y, m;
    char tail;

    *ret = def;
    if (!s || !*s)
        return NULL;
    if (sscanf(s, "%4d-%2d%c", &y, &m, &tail) != 2 || strlen(s) != 7 || y < 2000 || y > 2100 ||
        m < 1 || m > 12)
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "参数“%s”应为月份 YYYY-MM", name));
    *ret = y * 100 + m;
    return NULL;
}

static Error *stats_scope(Request *req, const char **ret_code)
{
    const char *q = request_query(req, "community");
    const char *code = q && *q ? q : req->user->scope;
    size_t n = strlen(code);

    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            n = 1;
    if (q && *q && n != 9 && n != 12)
        return error_bad_request(req->arena, "community", "invalid_query",
                                 "参数“community”应为 12 位社区代码或 9 位街道代码");
    if (!auth_covers(req->user, code))
        return error_not_found(req->arena, "community", "找不到该社区，或它不在您的管辖范围内");
    *ret_code = code;
    return NULL;
}

static Error *cases_handle_stats(Request *req, Response *res)
{
    static const char *const groups[] = { "unit", "category", "grid", "month" };
    int now_month = case_month(time_now_ms());
    int def_from = (now_month % 100 == 12) ? now_month - 11 : now_month - 100 + 1;
    int from, to;
    const char *code = NULL, *lo, *hi;
    CaseStatRow *rows;
    size_t n;
    json_t *out;
    Error *err;

    err = auth_require(req, ROLES_CASES_DASHBOARD);
    if (!err)
        err = stats_scope(req, &code);
    if (!err)
        err = query_month(req, "from", def_from, &from);
    if (!err)
        err = query_month(req, "to", now_month, &to);
    if (!err)
        err = cases_sweep(req, time_now_ms());
    if (err)
        return err;
    auth_scope_bounds(req->arena, code, &lo, &hi);
    err = cases_store_stats(req->store, req->arena, lo, hi, from, to, "", &rows, &n);
    if (err)
        return err;
    out = json_pack("{s:s, s:s, s:s, s:o}", "community", code,
                    "from", arena_sprintf(req->arena, "%04d-%02d", from / 100, from % 100),
                    "to", arena_sprintf(req->arena, "%04d-%02d", to / 100, to % 100),
                    "total", cases_stat_json(&rows[0]));
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        json_t *arr = json_array();

        err = cases_store_stats(req->store, req->arena, lo, hi, from, to, groups[g], &rows, &n);
        if (err) {
            json_decref(arr);
            json_decref(out);
            return err;
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, cases_stat_json(&rows[i]));
        json_object_set_new(out, arena_sprintf(req->arena, "by_%s", groups[g]), arr);
    }
    return response_json(res, 200, out);
}

void cases_admin_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/case-categories", cases_handle_categories, 0);
    router_add(r, "POST", "/api/v1/case-categories", cases_handle_category_create, 0);
    router_add(r, "PATCH", "/api/v1/case-categories/{id}", cases_handle_category_update, 0);
    router_add(r, "GET", "/api/v1/case-buildings", cases_handle_buildings, 0);
    router_add(r, "GET", "/api/v1/case-units", cases_handle_units, 0);
    router_add(r, "POST", "/api/v1/case-units", cases_handle_unit_create, 0);
    router_add(r, "PATCH", "/api/v1/case-units/{id}", cases_handle_unit_update, 0);
    router_add(r, "GET", "/api/v1/case-routes", cases_handle_routes, 0);
    router_add(r, "POST", "/api/v1/case-routes", cases_handle_route_create, 0);
    router_add(r, "DELETE", "/api/v1/case-routes/{id}", cases_handle_route_delete, 0);
    router_add(r, "GET", "/api/v1/case-calendar", cases_handle_calendar, 0);
    router_add(r, "PUT", "/api/v1/case-calendar/{date}", cases_handle_calendar_set, 0);
    router_add(r, "DELETE", "/api/v1/case-calendar/{date}", cases_handle_calendar_delete, 0);
    router_add(r, "GET", "/api/v1/case-settings", cases_handle_settings, 0);
    router_add(r, "PUT", "/api/v1/case-settings", cases_handle_settings_set, 0);
    router_add(r, "GET", "/api/v1/cases/stats", cases_handle_stats, 0);
    router_add(r, "GET", "/api/v1/cases/by-building", cases_handle_by_building, 0);
    cases_export_routes_register(r);
}
