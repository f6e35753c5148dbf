/*
 * Work queue routes: the landing page's sections, the street's comparison
 * of its communities, and the import log. Read only but for the import
 * log, whose errors staff mark dealt with.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "workqueue/workqueue.h"
#include "core/banned.h"

#define ROLES_STAFF_ANY (ROLES_ALL & ~ROLE_RESIDENT)
#define ROLES_BOOKINGS (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)
#define ROLES_HANDOFFS (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)
#define ROLES_IMPORT (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)
#define ROLES_REGISTRATIONS (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)
#define ROLES_IMPORT_READ (ROLES_IMPORT | ROLE_STREET_ADMIN)
#define ROLES_STREET (ROLE_STREET_ADMIN | ROLE_ADMIN)

typedef Error *(*SectionFn)(Store *st, Arena *a, const WorkqueueScope *w, WorkqueueSection *ret);

static Error *add_section(Request *req, const WorkqueueScope *w, json_t *sections, SectionFn fn,
                          const char *key, const char *title, const char *link, const char *empty,
                          int64_t *total)
{
    WorkqueueSection s = { 0 };
    Error *err;

    err = fn(req->store, req->arena, w, &s);
    if (err) {
        json_decref(s.items);
        return err;
    }
    *total += s.count;
    json_array_append_new(sections, json_pack("{s:s, s:s, s:I, s:s, s:s, s:o}", "key", key,
                                              "title", title, "count", (json_int_t)s.count,
                                              "link", link, "empty", empty, "items", s.items));
    return NULL;
}

static Error *workqueue_handle_get(Request *req, Response *res)
{
    WorkqueueScope w = { 0 };
    Role role;
    int64_t total = 0;
    json_t *sections;
    Error *err;

    err = auth_require(req, ROLES_STAFF_ANY);
    if (!err)
        err = auth_list_bounds(req, &w.lo, &w.hi);
    if (err)
        return err;
    role = req->user->role;
    w.mode = role == ROLE_GRID_WORKER ? WORKQUEUE_GRID
             : role == ROLE_PROPERTY  ? WORKQUEUE_UNIT
                                      : WORKQUEUE_MANAGER;
    w.user_id = req->user->id;
    w.now_ms = time_now_ms();
    sections = json_array();
    err = add_section(req, &w, sections, workqueue_store_cases_waiting, "cases_waiting",
                      w.mode == WORKQUEUE_GRID   ? "待核查的案件"
                      : w.mode == WORKQUEUE_UNIT ? "本单位待处置的案件"
                                                 : "待我处理的案件",
                      w.mode == WORKQUEUE_GRID ? "/cases?state=handling&grid=mine" : "/cases?state=open",
                      "没有等您处理的案件", &total);
    if (!err)
        err = add_section(req, &w, sections, workqueue_store_cases_overdue, "cases_overdue",
                          "超期案件",
                          w.mode == WORKQUEUE_GRID ? "/cases?state=open&overdue=1&grid=mine"
                                                   : "/cases?state=open&overdue=1",
                          "没有超期的案件", &total);
    if (!err && (role & ROLES_BOOKINGS))
        err = add_section(req, &w, sections, workqueue_store_bookings_pending, "bookings_pending",
                          "待审批的预约", "/approvals", "没有待审批的预约", &total);
    if (!err && (role & ROLES_HANDOFFS))
        err = add_section(req, &w, sections, workqueue_store_handoffs, "handoffs",
                          "转人工请求", "/assistant/unanswered?tab=handoffs",
                          "没有等待回电的居民", &total);
    if (!err && (role & ROLES_REGISTRATIONS))
        err = add_section(req, &w, sections, workqueue_store_registrations, "registrations",
                          "待确认的注册", "/registrations", "没有等待确认的注册", &total);
    if (!err && (role & ROLES_IMPORT))
        err = add_section(req, &w, sections, workqueue_store_imports, "imports", "导入有误",
                          "/import", "最近的导入都已处理", &total);
    if (err) {
        json_decref(sections);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o, s:I}", "sections", sections, "total",
                                             (json_int_t)total));
}

static Error *workqueue_handle_communities(Request *req, Response *res)
{
    const char *street = request_query(req, "street"), *lo, *hi;
    int64_t now = time_now_ms(), day;
    int minute, y, m, d, from_month;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_STREET);
    if (err)
        return err;
    if (!street || !*street)
        street = strlen(req->user->scope) == 9 ? req->user->scope : NULL;
    if (!street)
        return error_bad_request(req->arena, "street", "missing_street", "请指定街道：?street=9位街道代码");
    if (strlen(street) != 9 || strspn(street, "0123456789") != 9)
        return error_bad_request(req->arena, "street", "invalid_code", "街道代码应为9位数字");
    err = auth_require_scope(req, street);
    if (err)
        return err;
    /* the rates over the last twelve months, this one included (Beijing time) */
    time_local(now, TIME_OFFSET_SHANGHAI, &day, &minute);
    civil_from_days(day, &y, &m, &d);
    y -= m == 12 ? 0 : 1;
    m = m == 12 ? 1 : m + 1;
    from_month = y * 100 + m;
    auth_scope_bounds(req->arena, street, &lo, &hi);
    items = json_array();
    err = workqueue_store_communities(req->store, req->arena, lo, hi, from_month, now, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:s, s:s, s:o}", "street", street, "from_month",
                                             arena_sprintf(req->arena, "%04d-%02d", y, m),
                                             "items", items));
}

static Error *workqueue_handle_imports(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t errors_only, limit;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_IMPORT_READ);
    if (!err)
        err = request_query_int(req, "errors", 0, 0, 1, &errors_only);
    if (!err)
        err = request_query_int(req, "limit", 20, 1, 100, &limit);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    items = json_array();
    err = workqueue_store_import_list(req->store, req->arena, lo, hi, errors_only != 0, limit,
                                      items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Import {id} if it lies in the user's scope; 404 otherwise. */
static Error *visible_import(Request *req, json_t **ret, int64_t *ret_id, const char **ret_community)
{
    const char *community = NULL;
    json_t *log = NULL;
    Error *err;

    err = request_param_id(req, 0, ret_id);
    if (!err)
        err = workqueue_store_import_get(req->store, req->arena, *ret_id, &log, &community);
    if (err)
        return err;
    if (!log || !auth_covers(req->user, community)) {
        json_decref(log);
        return error_not_found(req->arena, "id", "找不到该导入记录");
    }
    *ret = log;
    *ret_community = community;
    return NULL;
}

static Error *workqueue_handle_import(Request *req, Response *res)
{
    const char *community;
    json_t *log = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_IMPORT_READ);
    if (!err)
        err = visible_import(req, &log, &id, &community);
    if (err)
        return err;
    return response_json(res, 200, log);
}

static Error *workqueue_handle_import_resolve(Request *req, Response *res)
{
    const char *community;
    json_t *log = NULL;
    bool found = false;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_IMPORT);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = visible_import(req, &log, &id, &community);
    if (!err)
        err = workqueue_store_import_resolve(req->store, req->arena, id, req->user->id,
                                             time_now_ms(), &found);
    if (!err && !found)
        err = error_conflict(req->arena, NULL, "already_resolved", "这次导入的问题已标记为处理完毕");
    if (!err)
        err = audit_record(req, "import.resolve", "import", id, community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    json_decref(log);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = visible_import(req, &log, &id, &community);
    if (err)
        return err;
    return response_json(res, 200, log);
}

Error *workqueue_import_record(Request *req, const char *community, const char *file_name,
                               json_t *report)
{
    const User *u = req->user;
    int64_t id;

    if (file_name && (!request_text_ok(file_name) || utf8_length(file_name) > 100))
        file_name = NULL;
    return workqueue_store_import_insert(req->store, req->arena, community, file_name, u->id,
                                         u->display_name && *u->display_name ? u->display_name
                                                                             : u->username,
                                         report, time_now_ms(), &id);
}

void workqueue_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/workqueue", workqueue_handle_get, 0);
    router_add(r, "GET", "/api/v1/stats/communities", workqueue_handle_communities, 0);
    router_add(r, "GET", "/api/v1/imports", workqueue_handle_imports, 0);
    router_add(r, "GET", "/api/v1/imports/{id}", workqueue_handle_import, 0);
    router_add(r, "POST", "/api/v1/imports/{id}/resolve", workqueue_handle_import_resolve, 0);
}
