#include <pthread.h>
#include <string.h>

#include "account/account.h"
#include "account/account_store.h"
#include "audit/audit.h"
#include "community/community.h"
#include "core/password.h"
#include "core/netaddr.h"
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

bool account_username_ok(const char *s)
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

    if (!in->username || !account_username_ok(in->username))
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

static json_t *account_user_json(const User *u);

Error *account_mark_demo(Store *st, Arena *a)
{
    return account_store_set_demo(st, a);
}

json_t *account_stored_user_json(const StoredUser *u)
{
    json_t *j = account_user_json(&u->user);

    json_object_set_new(j, "state", json_string(u->state));
    json_object_set_new(j, "disabled", json_boolean(u->disabled));
    json_object_set_new(j, "shared", json_boolean(u->shared));
    json_object_set_new(j, "household_id", u->user.household_id ? json_integer(u->user.household_id) : json_null());
    json_object_set_new(j, "resident_id", u->resident_id ? json_integer(u->resident_id) : json_null());
    return j;
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

/* The first wait once an (account, address) has used its free failures; doubled each time. */
#define LOGIN_BACKOFF_MS (30LL * 1000)

/*
 * A failed login in the audit log, under the username tried: in the
 * account's community (its secretary sees who is being tried) when the
 * account exists, else only in the admin's view.
 */
static Error *login_failure_audit(Request *req, const char *username, const StoredUser *su)
{
    const char *reason = !su                               ? "unknown_user"
                         : su->disabled                    ? "disabled"
                         : strcmp(su->state, "active") != 0 ? "not_activated"
                                                            : "wrong_password";
    const char *community = su && su->user.scope && *su->user.scope ? su->user.scope : NULL;

    return audit_record_attempt(req, username, "auth.login_failed", "user", su ? su->user.id : 0,
                                community, json_pack("{s:s}", "reason", reason));
}

Error *account_start_session(Request *req, Response *res, StoredUser *su, const char *action)
{
    char token[CRYPTO_TOKEN_CHARS + 1];
    int64_t expires;
    Role role;
    Error *err;

    if (!role_parse(su->role_name, &role))
        return error_internal(req->arena, "user %lld has unknown role", (long long)su->user.id);
    su->user.role = role;
    su->user.pending = strcmp(su->state, "pending") == 0;
    err = auth_session_create(req->store, req->arena, su->user.id, req->app->cfg->session_ttl_ms,
                              token, &expires);
    if (err)
        return err;
    req->user = &su->user;
    err = audit_record(req, action, "user", su->user.id,
                       role == ROLE_ADMIN || role == ROLE_PROPERTY ? NULL : su->user.scope, NULL);
    if (err)
        return err;
    response_header(res, "Set-Cookie", cookie_header(req, token, req->app->cfg->session_ttl_ms / 1000));
    return response_json(res, 200, json_pack("{s:s, s:s, s:o}", "token", token, "expires_at",
                                             time_format_rfc3339(req->arena, expires), "user",
                                             account_user_json(&su->user)));
}

static Error *account_handle_login(Request *req, Response *res)
{
    static const char *const fields[] = { "username", "password", NULL };
    const char *username, *password, *key;
    StoredUser *su = NULL;
    int64_t now = time_now_ms(), wait_ms;
    json_t *body;
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

    /*
     * A back-off per (account, address): a stranger elsewhere cannot lock
     * the real user out, and an office behind one address is not locked
     * out by one person's typing. The address is the client's, told by
     * X-Forwarded-For only through a trusted proxy (trusted_proxies).
     */
    key = arena_sprintf(req->arena, "%s\x1f%s", username,
                        netaddr_limit_key(req->arena, req->client_ip));
    err = ratelimit_backoff_ms(req->store, req->arena, &req->app->login_limit, key,
                               req->app->cfg->login_max_failures, LOGIN_BACKOFF_MS, now, &wait_ms);
    if (err)
        return err;
    if (wait_ms > 0) {
        int64_t wait_s = (wait_ms + 999) / 1000;

        response_header(res, "Retry-After", arena_sprintf(req->arena, "%lld", (long long)wait_s));
        return error_new(req->arena, 429, NULL, "too_many_attempts",
                         wait_s >= 60
                             ? arena_sprintf(req->arena, "登录失败次数过多，请%lld分钟后再试",
                                             (long long)((wait_s + 59) / 60))
                             : arena_sprintf(req->arena, "登录失败次数过多，请%lld秒后再试",
                                             (long long)wait_s));
    }
    err = account_store_user_by_name(req->store, req->arena, username, &su);
    if (err)
        return err;
    /* a registration that waits for staff signs in to the pages it may use */
    if (!su || su->disabled ||
        (strcmp(su->state, "active") != 0 && strcmp(su->state, "pending") != 0) ||
        !crypto_password_verify(su->password_hash, password)) {
        if (!su || !*su->password_hash) {
            pthread_once(&dummy_once, make_dummy_hash);
            crypto_password_verify(dummy_hash, password);
        }
        err = ratelimit_backoff_fail(req->store, req->arena, &req->app->login_limit, key, now);
        if (!err)
            err = login_failure_audit(req, username, su);
        if (err)
            return err;
        return error_new(req->arena, 401, NULL, "invalid_credentials", "用户名或密码不正确");
    }
    err = ratelimit_clear(req->store, req->arena, &req->app->login_limit, key);
    if (err)
        return err;
    return account_start_session(req, res, su, "auth.login");
}

/* A password field of 1..128 bytes (the policy is checked where it is set). */
static Error *password_field(Request *req, json_t *body, const char *name, const char **ret)
{
    json_t *v = json_object_get(body, name);

    if (!json_is_string(v))
        return error_invalid(req->arena, name, v ? "invalid_type" : "missing_field", "请填写密码");
    *ret = json_string_value(v);
    if (strlen(*ret) == 0 || strlen(*ret) > PASSWORD_MAX_BYTES)
        return error_invalid(req->arena, name, "weak_password", "密码至少8位，最多128位");
    return NULL;
}

/*
 * Sets a password with a one-time code (an account staff opened, or a
 * reset), optionally choosing a new username, and logs in. The code is
 * taken (deleted) in the transaction that sets the password, so it works
 * once; a wrong code counts as a failed login of the address.
 */
static Error *account_handle_activate(Request *req, Response *res)
{
    static const char *const fields[] = { "code", "username", "password", NULL };
    const char *code = NULL, *username = NULL, *password = NULL, *ip_key;
    uint8_t hash[CRYPTO_HASH_BYTES];
    char pw_hash[128];
    int64_t now = time_now_ms(), user_id = 0;
    StoredUser *su = NULL;
    json_t *body;
    bool demo = false, blocked = false, bad_code = false;
    Error *err;

    err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "code", true, 1, 40, &code);
    if (!err)
        err = request_field_string(req, body, "username", false, 1, 64, &username);
    if (!err)
        err = password_field(req, body, "password", &password);
    if (err)
        return err;
    if (username && !account_username_ok(username))
        return error_invalid(req->arena, "username", "invalid_username",
                             "用户名应为2到32位字母、数字、下划线、点或减号");
    ip_key = arena_sprintf(req->arena, "ip:%s", netaddr_limit_key(req->arena, req->client_ip));
    err = ratelimit_blocked(req->store, req->arena, &req->app->login_limit, ip_key,
                            req->app->cfg->login_max_failures * 10, now, &blocked);
    if (err)
        return err;
    if (blocked) {
        response_header(res, "Retry-After", "900");
        return error_new(req->arena, 429, NULL, "too_many_attempts", "尝试次数过多，请15分钟后再试");
    }
    crypto_lookup_hash(req->app->keys, account_code_normalize(req->arena, code), hash);
    err = account_store_is_demo(req->store, req->arena, &demo);
    if (!err)
        err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = account_store_code_take(req->store, req->arena, hash, now, &user_id);
    if (!err && user_id)
        err = account_store_user_get(req->store, req->arena, user_id, &su);
    if (!err && (!user_id || !su)) {
        bad_code = true;
        err = error_invalid(req->arena, "code", "invalid_code",
                            "激活码无效、已用过或已过期，请联系居委会重新获取");
    }
    if (!err)
        err = password_check(req->arena, "password", password,
                             username ? username : su->user.username, demo);
    if (!err && !crypto_password_hash(password, pw_hash, sizeof(pw_hash)))
        err = error_internal(req->arena, "password hashing failed");
    if (!err)
        err = account_store_set_password(req->store, req->arena, user_id, pw_hash, username);
    if (!err)
        err = auth_session_delete_user(req->store, req->arena, user_id, NULL);
    if (!err)
        err = account_store_user_get(req->store, req->arena, user_id, &su);
    if (!err)
        err = account_start_session(req, res, su, "account.activate");
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        /* counted after the rollback, which would take the count with it */
        if (bad_code) {
            Error *e = ratelimit_fail(req->store, req->arena, &req->app->login_limit, ip_key, now);

            if (e)
                return e;
        }
        return err;
    }
    return NULL;
}

/* Every user changes her own password; her other sessions end. */
static Error *account_handle_password(Request *req, Response *res)
{
    static const char *const fields[] = { "old_password", "new_password", NULL };
    const char *old_pw = NULL, *new_pw = NULL, *user_key, *h, *token;
    char pw_hash[128];
    int64_t now = time_now_ms();
    StoredUser *su = NULL;
    json_t *body;
    bool demo = false, blocked = false;
    Error *err;

    err = request_json_fields(req, fields, &body);
    if (!err)
        err = password_field(req, body, "old_password", &old_pw);
    if (!err)
        err = password_field(req, body, "new_password", &new_pw);
    if (err)
        return err;
    user_key = arena_sprintf(req->arena, "u:%s", req->user->username);
    err = ratelimit_blocked(req->store, req->arena, &req->app->login_limit, user_key,
                            req->app->cfg->login_max_failures, now, &blocked);
    if (err)
        return err;
    if (blocked) {
        response_header(res, "Retry-After", "900");
        return error_new(req->arena, 429, NULL, "too_many_attempts", "密码错误次数过多，请15分钟后再试");
    }
    err = account_store_user_get(req->store, req->arena, req->user->id, &su);
    if (err)
        return err;
    if (!su || !crypto_password_verify(su->password_hash, old_pw)) {
        err = ratelimit_fail(req->store, req->arena, &req->app->login_limit, user_key, now);
        if (err)
            return err;
        return error_invalid(req->arena, "old_password", "wrong_password", "原密码不正确");
    }
    if (strcmp(old_pw, new_pw) == 0)
        return error_invalid(req->arena, "new_password", "same_password", "新密码不能与原密码相同");
    err = account_store_is_demo(req->store, req->arena, &demo);
    if (!err)
        err = password_check(req->arena, "new_password", new_pw, su->user.username, demo);
    if (err)
        return err;
    if (!crypto_password_hash(new_pw, pw_hash, sizeof(pw_hash)))
        return error_internal(req->arena, "password hashing failed");
    h = request_header(req, "Authorization");
    token = h && strncmp(h, "Bearer ", 7) == 0 ? h + 7 : request_cookie(req, AUTH_COOKIE);
    err = store_begin(req->store, req->arena);
    if (!err)
        err = account_store_set_password(req->store, req->arena, su->user.id, pw_hash, NULL);
    if (!err)
        err = auth_session_delete_user(req->store, req->arena, su->user.id, token);
    if (!err)
        err = audit_record(req, "account.password", "user", su->user.id,
                           strlen(su->user.scope) == 12 ? su->user.scope : NULL, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 200, json_pack("{s:b}", "ok", 1));
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
    json_t *community = NULL, *household = NULL, *prefs;
    Error *err;

    if (strlen(u->scope) == 12) {
        CommunityProfile *profile = NULL;

        err = registry_community_json(req, u->scope, &community);
        if (!err && community)
            err = community_store_profile_get(req->store, req->arena, u->scope, &profile);
        if (err) {
            json_decref(community);
            json_decref(out);
            return err;
        }
        /* how to reach the 居委会: "phone" for the H5's 呼叫居委会 tile */
        if (community && profile) {
            json_object_set_new(community, "phone", json_string(profile->office_phone));
            json_object_set_new(community, "profile", community_profile_json(profile));
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
    /* registered by phone, waiting for staff: what she sent and what became of it */
    json_object_set_new(out, "pending", json_boolean(u->pending));
    if (u->pending) {
        json_t *reg = NULL;

        err = account_register_me_json(req, u->id, &reg);
        if (err) {
            json_decref(out);
            return err;
        }
        json_object_set_new(out, "registration", reg ? reg : json_null());
    }
    prefs = account_prefs_json(req, &err);
    if (!prefs) {
        json_decref(out);
        return err;
    }
    json_object_set_new(out, "preferences", prefs);
    return response_json(res, 200, out);
}

void account_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/auth/login", account_handle_login, ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/auth/logout", account_handle_logout, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/me", account_handle_me, ROUTE_PENDING);
    router_add(r, "POST", "/api/v1/auth/activate", account_handle_activate, ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/account/password", account_handle_password, ROUTE_PENDING);
    account_admin_routes_register(r);
    account_register_routes_register(r);
    account_prefs_routes_register(r);
}
