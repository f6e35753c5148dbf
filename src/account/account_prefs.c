/*
 * A user's preferences (账号偏好): for now whether she reads the H5 as 长辈版,
 * kept on the server so that it follows her to every phone she signs in on.
 *
 *   GET /api/v1/account/preferences          {"elder_mode":null}
 *   PUT /api/v1/account/preferences          {"elder_mode":true} -> the same
 *
 * PUT replaces the whole object. Until she chooses, elder_mode is null and
 * each of her phones keeps its own setting.
 */
#include <jansson.h>

#include "account/account_store.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

static json_t *prefs_json(const AccountPrefs *p)
{
    return json_pack("{s:o}", "elder_mode", p->elder_chosen ? json_boolean(p->elder_mode) : json_null());
}

static Error *account_handle_prefs_get(Request *req, Response *res)
{
    AccountPrefs p;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = account_store_prefs_get(req->store, req->arena, req->user->id, &p);
    if (err)
        return err;
    return response_json(res, 200, prefs_json(&p));
}

static Error *account_handle_prefs_put(Request *req, Response *res)
{
    static const char *const fields[] = { "elder_mode", NULL };
    AccountPrefs p = { 0 };
    json_t *body, *v;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    v = json_object_get(body, "elder_mode");
    if (!v)
        return error_invalid(req->arena, "elder_mode", "missing_field", "请说明是否使用长辈版");
    if (!json_is_boolean(v))
        return error_invalid(req->arena, "elder_mode", "invalid_type", "长辈版的设置应为 true 或 false");
    p.elder_chosen = true;
    p.elder_mode = json_is_true(v);
    err = account_store_prefs_put(req->store, req->arena, req->user->id, &p, time_now_ms());
    if (err)
        return err;
    return response_json(res, 200, prefs_json(&p));
}

json_t *account_prefs_json(Request *req, Error **ret_err)
{
    AccountPrefs p;

    *ret_err = account_store_prefs_get(req->store, req->arena, req->user->id, &p);
    return *ret_err ? NULL : prefs_json(&p);
}

void account_prefs_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/account/preferences", account_handle_prefs_get, 0);
    router_add(r, "PUT", "/api/v1/account/preferences", account_handle_prefs_put, 0);
}
