/*
 * A grid worker's grids (网格), set from 账号管理:
 *
 *   GET /api/v1/users/{id}/grids    her grids (those who manage her, and she herself)
 *   PUT /api/v1/users/{id}/grids    {"grid_ids": [...]}: replaces them (audited)
 *
 * Her work queue and her phone's 网格工作台 show the cases, buildings and
 * households of these grids; with none assigned, her whole community.
 */
#include <string.h>

#include "account/account.h"
#include "account/account_store.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define ACCOUNT_GRIDS_MAX 50
/* as account_admin.c: who manage accounts (account_manages says whose) */
#define ROLES_ACCOUNT_ADMIN (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

/* User {id} whose grids the caller may read (@write: change): 404 otherwise. */
static Error *grid_user(Request *req, bool write, StoredUser **ret)
{
    StoredUser *u = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = account_store_user_get(req->store, req->arena, id, &u);
    if (err)
        return err;
    if (!u || !(account_manages(req->user, u->user.role, u->user.scope) ||
                (!write && u->user.id == req->user->id)))
        return error_not_found(req->arena, "id", "找不到该账号，或您无权管理它");
    *ret = u;
    return NULL;
}

static Error *grids_answer(Request *req, Response *res, const StoredUser *u)
{
    json_t *items = json_array();
    Error *err;

    err = account_store_user_grids(req->store, req->arena, u->user.id, u->user.scope, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:I, s:o}", "user_id", (json_int_t)u->user.id,
                                             "grids", items));
}

static Error *account_handle_grids(Request *req, Response *res)
{
    StoredUser *u = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL & ~ROLE_RESIDENT);
    if (!err)
        err = grid_user(req, false, &u);
    if (err)
        return err;
    return grids_answer(req, res, u);
}

/* {"grid_ids": [...]}: 0..ACCOUNT_GRIDS_MAX grids of the worker's community, repeats ignored. */
static Error *parse_grid_ids(Request *req, const StoredUser *u, int64_t **ret, size_t *ret_n)
{
    static const char *const fields[] = { "grid_ids", NULL };
    json_t *body, *arr, *v;
    int64_t *ids;
    size_t i, n = 0;
    Error *err;

    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    arr = json_object_get(body, "grid_ids");
    if (!arr || json_is_null(arr))
        return error_invalid(req->arena, "grid_ids", "missing_field", "缺少必填字段“grid_ids”");
    if (!json_is_array(arr))
        return error_invalid(req->arena, "grid_ids", "invalid_type", "字段“grid_ids”应为网格编号的数组");
    if (json_array_size(arr) > ACCOUNT_GRIDS_MAX)
        return error_invalid(req->arena, "grid_ids", "invalid_length",
                             arena_sprintf(req->arena, "一名网格员最多负责 %d 个网格", ACCOUNT_GRIDS_MAX));
    ids = arena_alloc(req->arena, sizeof(int64_t) * (json_array_size(arr) + 1));
    json_array_foreach(arr, i, v) {
        const char *field = arena_sprintf(req->arena, "grid_ids[%zu]", i);
        bool in = false, seen = false;

        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return error_invalid(req->arena, field, "invalid_type", "网格编号应为正整数");
        err = account_store_grid_in(req->store, req->arena, json_integer_value(v), u->user.scope, &in);
        if (err)
            return err;
        if (!in)
            return error_invalid(req->arena, field, "unknown_grid",
                                 "找不到该网格，或它不属于该网格员所在的社区");
        for (size_t k = 0; k < n; k++)
            seen = seen || ids[k] == json_integer_value(v);
        if (!seen)
            ids[n++] = json_integer_value(v);
    }
    *ret = ids;
    *ret_n = n;
    return NULL;
}

static Error *account_handle_grids_set(Request *req, Response *res)
{
    StoredUser *u = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    json_t *detail;
    Error *err;

    err = auth_require(req, ROLES_ACCOUNT_ADMIN);
    if (!err)
        err = grid_user(req, true, &u);
    if (err)
        return err;
    if (u->user.role != ROLE_GRID_WORKER)
        return error_invalid(req->arena, "grid_ids", "not_grid_worker",
                             "只有网格员账号可以分配网格；请先把角色改为网格员");
    err = parse_grid_ids(req, u, &ids, &n);
    if (err)
        return err;
    detail = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(detail, json_integer((json_int_t)ids[i]));
    err = store_begin(req->store, req->arena);
    if (!err)
        err = account_store_user_grids_set(req->store, req->arena, u->user.id, ids, n, time_now_ms());
    if (!err)
        err = audit_record(req, "account.grids", "user", u->user.id, u->user.scope,
                           json_pack("{s:o}", "grid_ids", detail));
    else
        json_decref(detail);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return grids_answer(req, res, u);
}

void account_grids_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/users/{id}/grids", account_handle_grids, 0);
    router_add(r, "PUT", "/api/v1/users/{id}/grids", account_handle_grids_set, 0);
}
