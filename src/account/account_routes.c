#include <pthread.h>
#include <string.h>

#include "account/account.h"
#include "account/account_store.h"
#include "audit/audit.h"
#include "core/password.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/ratelimit.h"
#include "http/response.h"
#include "registry/registry.h"
#include "core/banned.h"

/*
 * A hash to verify against when the username is unknown, so that a login
 * for a missing user takes as long as one with a wrong password.
 */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    crypto_password_hash("not-a-password", dummy_hash, sizeof(dummy_hash));
}

static bool username_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

Error *account_user_add(Store *st, Arena *a, const UserInput *in, int64_t *ret_id)
{
    char hash[128];
    const char *code;
    bool known, demo = false;
    Error *err;

    if (!in->username || !username_ok(in->username))
        return error_invalid(a, "username", "invalid_username", "用户名应为2到32位字母、数字、下划线、点或减号");
    if (in->password) {
        err = account_store_is_demo(st, a, &demo);
        if (err)
            return err;
        err = password_check(a, "password", in->password, in->username, demo);
        if (err)
            return err;
    }
    if (in->role == ROLE_ADMIN) {
        if (in->scope && *in->scope)
            return error_invalid(a, "scope", "invalid_scope", "系统管理员的范围应为空");
    } else {
        err = validate_division_code(a, "scope", in->scope, &code);
        if (err)
            return err;
        if ((in->role == ROLE_STREET_ADMIN && strlen(code) != 9) ||
            ((in->role == ROLE_STAFF || in->role == ROLE_SECRETARY || in->role == ROLE_GRID_WORKER ||
              in->role == ROLE_RESIDENT || in->role == ROLE_REPORTER) && strlen(code) != 12))
            return error_invalid(a, "scope", "invalid_scope",
                                 "街道管理员的范围应为9位街道代码，社区人员的范围应为12位社区代码");
        /* a mistyped code would make an account that sees nothing */
        err = account_store_division_exists(st, a, code, &known);
        if (err)
            return err;
        if (!known)
            return error_invalid(a, "scope", "unknown_division",
                                 arena_sprintf(a, "数据库中没有行政区划代码 %s：请核对，或先用 linli import divisions 导入", code));
    }
    if (in->role == ROLE_RESIDENT && in->household_id <= 0)
        return error_invalid(a, "household_id", "missing_field", "居民账号需要关联住户");
    /* without a password the account waits for its activation code */
    hash[0] = '\0';
    if (in->password && !crypto_password_hash(in->password, hash, sizeof(hash)))
        return error_internal(a, "password hashing failed");
    return account_store_user_insert(st, a, in, hash, role_name(in->role), ret_id);
}

Error *account_mark_demo(Store *st, Arena *a)
{
    return account_store_set_demo(st, a);
}

static const char *cookie_header(Request *req, const char *token, int64_t max_age_s)
{
    return arena_sprintf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                         AUTH_COOKIE, token, (long long)max_age_s,
                         req->app->cfg->cookie_secure ? "; Secure" : "");
}

static json_t *account_user_json(const User *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)u->id,
                     "username", u->username, "display_name", u->display_name,
                     "role", role_name(u->role), "role_label", role_label(u->role),
                     "scope", json_string(u->scope));
}

static Error *account_handle_login(Request *req, Response *res)
{
    static const char *const fields[] = { "username", "password", NULL };
    const char *username, *password, *user_key, *ip_key;
    char token[CRYPTO_TOKEN_CHARS + 1];
    StoredUser *su = NULL;
    int64_t now = time_now_ms(), expires;
    json_t *body, *user;
    Role role;
    Error *err;

    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "username", true, 1, 64, &username);
    if (err)
        return err;
    if (!json_is_string(json_object_get(body, "password")))
        return error_invalid(req->arena, "password", json_object_get(body, "password") ? "invalid_type" : "missing_field",
                             "请填写密码");
    password = json_string_value(json_object_get(body, "password"));
    if (strlen(password) == 0 || strlen(password) > 128)
        return error_invalid(req->arena, "password", "invalid_password", "请填写密码（最多128位）");

    user_key = arena_sprintf(req->arena, "u:%s", username);
    ip_key = arena_sprintf(req->arena, "ip:%s", req->client_ip ? req->client_ip : "");
    /* an address may fail more often than one account: several people share an office */
    if (ratelimit_blocked(req->app->login_limit, user_key, req->app->cfg->login_max_failures, now) ||
        ratelimit_blocked(req->app->login_limit, ip_key, req->app->cfg->login_max_failures * 10, now)) {
        Error *e = error_new(req->arena, 429, NULL, "too_many_attempts",
                             "登录失败次数过多，请15分钟后再试");

        response_header(res, "Retry-After", "900");
        return e;
    }
    err = account_store_user_by_name(req->store, req->arena, username, &su);
    if (err)
        return err;
    if (!su || su->disabled || strcmp(su->state, "active") != 0 ||
        !crypto_password_verify(su->password_hash, password)) {
        if (!su || !*su->password_hash) {
            pthread_once(&dummy_once, make_dummy_hash);
            crypto_password_verify(dummy_hash, password);
        }
        ratelimit_fail(req->app->login_limit, user_key, now);
        ratelimit_fail(req->app->login_limit, ip_key, now);
        return error_new(req->arena, 401, NULL, "invalid_credentials", "用户名或密码不正确");
    }
    ratelimit_clear(req->app->login_limit, user_key);
    if (!role_parse(su->role_name, &role))
        return error_internal(req->arena, "user %lld has unknown role", (long long)su->user.id);
    su->user.role = role;
    err = auth_session_create(req->store, req->arena, su->user.id, req->app->cfg->session_ttl_ms,
                              token, &expires);
    if (err)
        return err;
    req->user = &su->user;
    err = audit_record(req, "auth.login", "user", su->user.id,
                       role == ROLE_ADMIN || role == ROLE_PROPERTY ? NULL : su->user.scope, NULL);
    if (err)
        return err;
    response_header(res, "Set-Cookie", cookie_header(req, token, req->app->cfg->session_ttl_ms / 1000));
    user = account_user_json(&su->user);
    return response_json(res, 200, json_pack("{s:s, s:s, s:o}", "token", token, "expires_at",
                                             time_format_rfc3339(req->arena, expires), "user", user));
}

static Error *account_handle_logout(Request *req, Response *res)
{
    const char *h = request_header(req, "Authorization");
    const char *token = h && strncmp(h, "Bearer ", 7) == 0 ? h + 7 : request_cookie(req, AUTH_COOKIE);
    Error *err;

    err = auth_session_delete(req->store, req->arena, token);
    if (err)
        return err;
    response_header(res, "Set-Cookie", cookie_header(req, "", 0));
    return response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static Error *account_handle_me(Request *req, Response *res)
{
    const User *u = req->user;
    json_t *out = json_pack("{s:o}", "user", account_user_json(u));
    json_t *community = NULL, *household = NULL;
    Error *err;

    if (strlen(u->scope) == 12) {
        err = registry_community_json(req, u->scope, &community);
        if (err) {
            json_decref(out);
            return err;
        }
    }
    json_object_set_new(out, "community", community ? community : json_null());
    if (u->role == ROLE_RESIDENT && u->household_id) {
        err = registry_household_json(req, u->household_id, &household);
        if (err) {
            json_decref(out);
            return err;
        }
    }
    json_object_set_new(out, "household", household ? household : json_null());
    return response_json(res, 200, out);
}

void account_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/auth/login", account_handle_login, ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/auth/logout", account_handle_logout, 0);
    router_add(r, "GET", "/api/v1/me", account_handle_me, 0);
}
