/*
 * Accounts opened and managed by staff: an account for a resident from her
 * record (开通账号), a password reset, and the list of accounts with their
 * roles and scopes.
 *
 * Staff never choose a resident's password. Opening an account or resetting
 * a password gives a one-time code (printed on a slip with its QR code, or
 * shown on screen); whoever holds it sets the password at POST
 * /api/v1/auth/activate. Only a keyed hash of the code is stored, it expires
 * after ACCOUNT_CODE_TTL_MS, and a new code replaces the old one.
 *
 * Who manages whom (manages() below): an admin everyone; a street admin the
 * community accounts of her street; a secretary her community's staff, grid
 * workers, reporters, property users and residents; staff her community's
 * reporters and residents. The checks of `linli user add` apply to every
 * account made here.
 */
#include <string.h>

#include "account/account.h"
#include "account/account_store.h"
#include "audit/audit.h"
#include "booking/booking.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define ACCOUNT_CODE_TTL_MS (14 * 24 * 3600 * INT64_C(1000))
#define ACCOUNT_CODE_CHARS 12
#define ROLES_ACCOUNT_ADMIN (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

/* Letters and digits nobody confuses (no 0/O, 1/I/L). */
static const char CODE_ALPHABET[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

bool account_manages(const User *actor, Role role, const char *scope)
{
    switch (actor->role) {
    case ROLE_ADMIN:
        return true;
    case ROLE_STREET_ADMIN:
        return role != ROLE_ADMIN && role != ROLE_STREET_ADMIN && scope &&
               strlen(scope) == 12 && auth_covers(actor, scope);
    case ROLE_SECRETARY:
        return (role & (ROLE_STAFF | ROLE_GRID_WORKER | ROLE_REPORTER | ROLE_PROPERTY |
                        ROLE_RESIDENT)) &&
               scope && strcmp(scope, actor->scope) == 0;
    case ROLE_STAFF:
        return (role & (ROLE_REPORTER | ROLE_RESIDENT)) && scope &&
               strcmp(scope, actor->scope) == 0;
    default:
        return false;
    }
}

const char *account_code_normalize(Arena *a, const char *in)
{
    size_t n = strlen(in), k = 0;
    char *out = arena_alloc(a, n + 1);

    for (size_t i = 0; i < n; i++) {
        char c = in[i];

        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        out[k++] = c;
    }
    out[k] = '\0';
    return out;
}

/*
 * A new code for @u in the open transaction; *ret_out gets the response
 * fields (the code, its expiry, the H5 activation page and its QR code).
 */
static Error *issue_code(Request *req, const StoredUser *u, const char *purpose, json_t **ret_out)
{
    char raw[ACCOUNT_CODE_CHARS + 1];
    uint8_t hash[CRYPTO_HASH_BYTES];
    int64_t now = time_now_ms(), expires = now + ACCOUNT_CODE_TTL_MS;
    const char *code, *url, *svg;
    size_t len;
    Error *err;

    crypto_random_code(raw, ACCOUNT_CODE_CHARS, CODE_ALPHABET);
    crypto_lookup_hash(req->app->keys, raw, hash);
    err = account_store_code_put(req->store, req->arena, u->user.id, hash, purpose,
                                 req->user->id, now, expires);
    if (err)
        return err;
    code = arena_sprintf(req->arena, "%.4s-%.4s-%.4s", raw, raw + 4, raw + 8);
    url = arena_sprintf(req->arena, "%s/h5/#/activate?code=%s", booking_base_url(req), raw);
    svg = booking_qr_svg(req->arena, url, u->user.display_name,
                         strcmp(purpose, "reset") == 0 ? "扫码重设密码" : "扫码激活账号", &len);
    if (!svg)
        return error_internal(req->arena, "qrencode failed for user %lld", (long long)u->user.id);
    *ret_out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "activation_code", code, "expires_at",
                         time_format_rfc3339(req->arena, expires), "activation_url", url,
                         "qr_svg", svg, "user", account_stored_user_json(u));
    return NULL;
}

/* Runs @issue_code for the user @id in a write transaction with its audit line. */
static Error *issue_in_tx(Request *req, int64_t id, const char *purpose, const char *action,
                          const char *community, json_t **ret_out)
{
    StoredUser *u = NULL;
    Error *err;

    err = account_store_user_get(req->store, req->arena, id, &u);
    if (!err && !u)
        err = error_internal(req->arena, "user %lld vanished", (long long)id);
    if (!err)
        err = issue_code(req, u, purpose, ret_out);
    if (!err)
        err = audit_record(req, action, "user", id, community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        if (*ret_out)
            json_decref(*ret_out);
    }
    return err;
}

static Error *bool_field(Request *req, json_t *body, const char *name, bool *ret)
{
    json_t *v = json_object_get(body, name);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_boolean(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "“%s”应为 true 或 false", name));
    *ret = json_is_true(v);
    return NULL;
}

static Error *account_handle_open(Request *req, Response *res)
{
    static const char *const fields[] = { "shared", "username", NULL };
    UserInput in = { .role = ROLE_RESIDENT };
    AccountResident *r = NULL;
    json_t *body = NULL, *out = NULL;
    int64_t id, user_id;
    Error *err;

    err = auth_require(req, ROLES_ACCOUNT_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (err)
        return err;
    if (req->body_len > 0) {
        err = request_json_fields(req, fields, &body);
        if (!err)
            err = bool_field(req, body, "shared", &in.shared);
        if (!err)
            err = request_field_string(req, body, "username", false, 2, 32, &in.username);
        if (err)
            return err;
    }
    err = account_store_resident(req->store, req->arena, id, &r);
    if (err)
        return err;
    if (!r || !auth_covers(req->user, r->community))
        return error_not_found(req->arena, "id", "找不到该居民");
    if (!account_manages(req->user, ROLE_RESIDENT, r->community))
        return error_forbidden(req->arena, "您无权为居民开通账号");
    if (!r->active)
        return error_conflict(req->arena, NULL, "moved_out", "该居民已迁出，不能开通账号");
    in.scope = r->community;
    in.household_id = r->household_id;
    in.created_by = req->user->id;
    if (in.shared) {
        in.display_name = arena_sprintf(req->arena, "%s家", r->name);
        if (!in.username)
            in.username = arena_sprintf(req->arena, "h%lld", (long long)r->household_id);
    } else {
        in.resident_id = r->id;
        in.display_name = r->name;
        if (!in.username)
            in.username = arena_sprintf(req->arena, "r%lld", (long long)r->id);
    }
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = account_user_add(req->store, req->arena, &in, &user_id);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = issue_in_tx(req, user_id, "activate", "account.open", r->community, &out);
    if (err)
        return err;
    return response_json(res, 201, out);
}

/* User {id} (parameter 0) if the caller manages her; 404 otherwise. */
static Error *managed_user(Request *req, StoredUser **ret)
{
    StoredUser *u = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = account_store_user_get(req->store, req->arena, id, &u);
    if (err)
        return err;
    if (!u || !account_manages(req->user, u->user.role, u->user.scope))
        return error_not_found(req->arena, "id", "找不到该账号，或您无权管理它");
    *ret = u;
    return NULL;
}

static Error *account_handle_reset(Request *req, Response *res)
{
    StoredUser *u = NULL;
    json_t *out = NULL;
    Error *err;

    err = auth_require(req, ROLES_ACCOUNT_ADMIN);
    if (!err)
        err = managed_user(req, &u);
    if (err)
        return err;
    if (strcmp(u->state, "pending") == 0)
        return error_conflict(req->arena, NULL, "account_pending",
                              "该账号正在等待社区确认住址，请先在“注册申请”中处理");
    if (u->user.id == req->user->id)
        return error_forbidden(req->arena, "请在“修改密码”中修改自己的密码");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = issue_in_tx(req, u->user.id, strcmp(u->state, "inactive") == 0 ? "activate" : "reset",
                      "account.reset", strlen(u->user.scope) == 12 ? u->user.scope : NULL, &out);
    if (err)
        return err;
    return response_json(res, 200, out);
}

/* ---- the list of accounts ---- */

static unsigned managed_roles(const User *actor)
{
    switch (actor->role) {
    case ROLE_ADMIN:
        return ROLES_ALL;
    case ROLE_STREET_ADMIN:
        return ROLES_ALL & ~(unsigned)(ROLE_ADMIN | ROLE_STREET_ADMIN);
    case ROLE_SECRETARY:
        return ROLE_STAFF | ROLE_GRID_WORKER | ROLE_REPORTER | ROLE_PROPERTY | ROLE_RESIDENT;
    case ROLE_STAFF:
        return ROLE_REPORTER | ROLE_RESIDENT;
    default:
        return 0;
    }
}

static Error *account_handle_list(Request *req, Response *res)
{
    UserFilter f = { 0 };
    const char *role = request_query(req, "role"), *q = request_query(req, "q");
    StoredUser **items;
    int64_t page, total;
    size_t n;
    json_t *arr;
    Role r;
    Error *err;

    err = auth_require(req, ROLES_ACCOUNT_ADMIN);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, 100, &f.limit);
    if (err)
        return err;
    f.roles = managed_roles(req->user);
    if (role && *role) {
        if (!role_parse(role, &r))
            return error_bad_request(req->arena, "role", "invalid_query", "参数“role”不是已知的角色");
        f.roles &= (unsigned)r;
    }
    if (q && *q) {
        if (strlen(q) > 64 || !request_text_ok(q))
            return error_bad_request(req->arena, "q", "invalid_query", "搜索词最多64个字符");
        f.q = q;
    }
    auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope, &f.lo,
                      &f.hi);
    if (req->user->role == ROLE_STREET_ADMIN)
        f.lo = req->user->scope; /* never the admins' "" */
    f.offset = (page - 1) * f.limit;
    err = account_store_user_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *row = account_stored_user_json(items[i]);

        json_array_append_new(arr, row);
        if (items[i]->user.role != ROLE_GRID_WORKER)
            continue;
        /* her grids, so 账号管理 shows who walks which grid (none: the whole community) */
        json_t *grids = json_array();
        json_object_set_new(row, "grids", grids);
        err = account_store_user_grids(req->store, req->arena, items[i]->user.id,
                                       items[i]->user.scope, grids);
        if (err) {
            json_decref(arr);
            return err;
        }
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)f.limit));
}

static Error *role_field(Request *req, json_t *body, bool required, Role *ret, bool *ret_set)
{
    const char *name = NULL;
    Error *err;

    err = request_field_string(req, body, "role", required, 1, 32, &name);
    if (err || !name)
        return err;
    if (!role_parse(name, ret))
        return error_invalid(req->arena, "role", "invalid_role",
                             "角色应为 staff、secretary、grid_worker、reporter、property、street_admin 或 admin");
    if (ret_set)
        *ret_set = true;
    return NULL;
}

static Error *account_handle_create(Request *req, Response *res)
{
    static const char *const fields[] = { "username", "password", "role", "scope",
                                          "display_name", NULL };
    UserInput in = { 0 };
    json_t *body, *out = NULL;
    int64_t id;
    StoredUser *u = NULL;
    Error *err;

    err = auth_require(req, ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN | ROLE_STAFF);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "username", true, 1, 64, &in.username);
    if (!err && json_object_get(body, "password") && !json_is_null(json_object_get(body, "password"))) {
        if (!json_is_string(json_object_get(body, "password")))
            err = error_invalid(req->arena, "password", "invalid_type", "“password”应为字符串");
        else
            in.password = json_string_value(json_object_get(body, "password"));
    }
    if (!err)
        err = role_field(req, body, true, &in.role, NULL);
    if (!err)
        err = request_field_string(req, body, "scope", in.role != ROLE_ADMIN, 0, 12, &in.scope);
    if (!err)
        err = request_field_string(req, body, "display_name", false, 1, 50, &in.display_name);
    if (err)
        return err;
    if (!in.scope)
        in.scope = "";
    if (in.role == ROLE_RESIDENT)
        return error_invalid(req->arena, "role", "use_resident_record",
                             "居民账号请在居民档案中“开通账号”，以关联其住户");
    if (!account_manages(req->user, in.role, in.scope))
        return error_forbidden(req->arena, "您无权在该范围内开通这种角色的账号");
    in.created_by = req->user->id;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = account_user_add(req->store, req->arena, &in, &id);
    if (!err && !in.password) {
        /* no password: she sets one with the activation code */
        err = issue_in_tx(req, id, "activate", "account.create",
                          strlen(in.scope) == 12 ? in.scope : NULL, &out);
        if (err)
            return err;
        return response_json(res, 201, out);
    }
    if (!err)
        err = audit_record(req, "account.create", "user", id,
                           strlen(in.scope) == 12 ? in.scope : NULL, NULL);
    if (!err)
        err = account_store_user_get(req->store, req->arena, id, &u);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 201, json_pack("{s:o}", "user", account_stored_user_json(u)));
}

static Error *account_handle_update(Request *req, Response *res)
{
    static const char *const fields[] = { "role", "scope", "display_name", "disabled", NULL };
    StoredUser *u = NULL, *after = NULL;
    const char *scope = NULL, *name = NULL, *code;
    bool role_set = false, disabled;
    json_t *body;
    Role role;
    bool known;
    Error *err;

    err = auth_require(req, ROLES_ACCOUNT_ADMIN);
    if (!err)
        err = managed_user(req, &u);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    role = u->user.role;
    disabled = u->disabled;
    err = role_field(req, body, false, &role, &role_set);
    if (!err)
        err = request_field_string(req, body, "scope", false, 0, 12, &scope);
    if (!err)
        err = request_field_string(req, body, "display_name", false, 1, 50, &name);
    if (!err)
        err = bool_field(req, body, "disabled", &disabled);
    if (err)
        return err;
    if (u->user.id == req->user->id && (role != u->user.role || disabled ||
                                        (scope && strcmp(scope, u->user.scope) != 0)))
        return error_forbidden(req->arena, "不能修改自己的角色、范围或停用自己的账号");
    if ((role == ROLE_RESIDENT) != (u->user.role == ROLE_RESIDENT))
        return error_invalid(req->arena, "role", "invalid_role", "居民账号与工作账号不能互相转换");
    if (!scope)
        scope = u->user.scope;
    if (!account_manages(req->user, role, scope))
        return error_forbidden(req->arena, "您无权在该范围内设置这种角色");
    if (role == ROLE_ADMIN && *scope)
        return error_invalid(req->arena, "scope", "invalid_scope", "系统管理员的范围应为空");
    if (role != ROLE_ADMIN) {
        err = validate_division_code(req->arena, "scope", scope, &code);
        if (err)
            return err;
        if ((role == ROLE_STREET_ADMIN && strlen(code) != 9) ||
            ((role & (ROLE_STAFF | ROLE_SECRETARY | ROLE_GRID_WORKER | ROLE_RESIDENT |
                      ROLE_REPORTER)) && strlen(code) != 12))
            return error_invalid(req->arena, "scope", "invalid_scope",
                                 "街道管理员的范围应为9位街道代码，社区人员的范围应为12位社区代码");
        if (role == ROLE_RESIDENT && strcmp(code, u->user.scope) != 0)
            return error_invalid(req->arena, "scope", "invalid_scope", "居民账号的社区随其住户，不能在此修改");
        err = account_store_division_exists(req->store, req->arena, code, &known);
        if (err)
            return err;
        if (!known)
            return error_invalid(req->arena, "scope", "unknown_division", "数据库中没有该行政区划代码，请核对");
    }
    after = arena_zalloc(req->arena, sizeof(*after));
    *after = *u;
    after->user.role = role;
    after->role_name = role_name(role);
    after->user.scope = scope;
    after->user.display_name = name ? name : u->user.display_name;
    after->disabled = disabled;
    err = store_begin(req->store, req->arena);
    if (!err)
        err = account_store_user_update(req->store, req->arena, after);
    if (!err && (role != u->user.role || disabled || strcmp(scope, u->user.scope) != 0))
        err = auth_session_delete_user(req->store, req->arena, u->user.id, NULL);
    if (!err) {
        json_t *detail = json_pack("{s:s, s:s, s:b}", "role", role_name(role), "scope", scope,
                                   "disabled", disabled);

        err = audit_record(req, "account.update", "user", u->user.id,
                           strlen(scope) == 12 ? scope : NULL, detail);
    }
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o}", "user", account_stored_user_json(after)));
}

void account_admin_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/residents/{id}/account", account_handle_open, 0);
    router_add(r, "POST", "/api/v1/users/{id}/password-reset", account_handle_reset, 0);
    router_add(r, "GET", "/api/v1/users", account_handle_list, 0);
    router_add(r, "POST", "/api/v1/users", account_handle_create, 0);
    router_add(r, "PATCH", "/api/v1/users/{id}", account_handle_update, 0);
    account_grids_routes_register(r);
}
