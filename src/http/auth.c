#include "http/auth.h"

#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"
#include "core/banned.h"

static const struct {
    Role role;
    const char *name;
    const char *label;
} roles[] = {
    { ROLE_RESIDENT, "resident", "居民" },
    { ROLE_GRID_WORKER, "grid_worker", "网格员" },
    { ROLE_STAFF, "staff", "社区工作者" },
    { ROLE_SECRETARY, "secretary", "社区书记" },
    { ROLE_STREET_ADMIN, "street_admin", "街道管理员" },
    { ROLE_PROPERTY, "property", "物业" },
    { ROLE_ADMIN, "admin", "系统管理员" },
    { ROLE_REPORTER, "reporter", "流动网格员" },
};

const char *role_name(Role r)
{
    for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "unknown";
}

const char *role_label(Role r)
{
    for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
        if (roles[i].role == r)
            return roles[i].label;
    return "未知";
}

bool role_parse(const char *s, Role *ret)
{
    for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
        if (strcmp(roles[i].name, s) == 0) {
            *ret = roles[i].role;
            return true;
        }
    }
    return false;
}

static const char *bearer_token(Request *req)
{
    const char *h = request_header(req, "Authorization");

    if (h && strncmp(h, "Bearer ", 7) == 0 && h[7])
        return h + 7;
    return request_cookie(req, AUTH_COOKIE);
}

Error *auth_authenticate(Request *req)
{
    const char *token = bearer_token(req);
    User *u = NULL;
    Error *err;

    if (!token || strlen(token) != CRYPTO_TOKEN_CHARS)
        return error_unauthorized(req->arena);
    err = auth_session_user(req->store, req->arena, token, time_now_ms(), &u);
    if (err)
        return err;
    if (!u)
        return error_new(req->arena, 401, NULL, "session_expired", "登录已过期，请重新登录");
    req->user = u;
    return NULL;
}

Error *auth_require(Request *req, unsigned mask)
{
    if (!req->user)
        return error_unauthorized(req->arena);
    if (!(req->user->role & mask))
        return error_forbidden(req->arena, NULL);
    return NULL;
}

bool auth_covers(const User *u, const char *code)
{
    size_t n;

    if (!u || !code)
        return false;
    if (u->role == ROLE_ADMIN)
        return true;
    if (u->role == ROLE_RESIDENT)
        return strcmp(u->scope, code) == 0;
    n = strlen(u->scope);
    return n > 0 && strncmp(u->scope, code, n) == 0;
}

Error *auth_require_scope(Request *req, const char *code)
{
    if (!auth_covers(req->user, code))
        return error_forbidden(req->arena, "该社区不在您的管辖范围内");
    return NULL;
}

void auth_scope_bounds(Arena *a, const char *prefix, const char **ret_lo, const char **ret_hi)
{
    *ret_lo = prefix;
    *ret_hi = arena_sprintf(a, "%s~", prefix); /* '~' sorts after every digit */
}

Error *auth_list_bounds(Request *req, const char **ret_lo, const char **ret_hi)
{
    const char *community = request_query(req, "community");
    const char *prefix;
    Error *err;

    if (community && *community) {
        err = validate_division_code(req->arena, "community", community, &prefix);
        if (err) {
            err->status = 400;
            return err;
        }
        err = auth_require_scope(req, prefix);
        if (err)
            return err;
    } else {
        prefix = req->user->role == ROLE_ADMIN ? "" : req->user->scope;
    }
    auth_scope_bounds(req->arena, prefix, ret_lo, ret_hi);
    return NULL;
}

bool auth_is_community_staff(const User *u, const char *community)
{
    return u && (u->role == ROLE_STAFF || u->role == ROLE_SECRETARY) && community &&
           strcmp(u->scope, community) == 0;
}

bool auth_is_staff_of(const User *u, const char *community)
{
    return u->role == ROLE_ADMIN || auth_is_community_staff(u, community);
}
