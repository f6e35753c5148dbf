/*
 * Registration by phone: the routes (see account_register.h for the design).
 *
 * Asking for a code reserves it first (limits counted, code stored) in one
 * write transaction, then calls the SMS gateway outside it; when the gateway
 * fails, a second transaction puts the phone's row and the address's count
 * back as they were, so that a failure the resident did not cause costs her
 * nothing. The registry is not read on that path at all.
 */
#include <string.h>

#include "account/account.h"
#include "account/account_register.h"
#include "audit/audit.h"
#include "core/mask.h"
#include "core/netaddr.h"
#include "core/password.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "registry/registry.h"
#include "core/banned.h"

#define ROLES_CONFIRM (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)
#define ROLES_REGISTRATIONS (ROLES_CONFIRM | ROLE_STREET_ADMIN)
#define HOUR_MS (3600LL * 1000)

static PhoneCodeLimits limits_of(const Config *cfg)
{
    PhoneCodeLimits lim = {
        .ttl_ms = cfg->sms_code_ttl_ms,
        .resend_ms = cfg->sms_resend_ms,
        .daily_max = cfg->sms_daily_max,
        .max_attempts = cfg->sms_code_attempts,
    };

    return lim;
}

/* A mobile number, 11 digits starting with 1. */
static Error *phone_field(Request *req, json_t *body, const char **ret)
{
    const char *in = NULL, *phone = NULL;
    Error *err;

    err = request_field_string(req, body, "phone", true, 1, 20, &in);
    if (err)
        return err;
    err = validate_phone(req->arena, "phone", in, &phone);
    if (!err && !phone_is_mobile(phone))
        err = error_invalid(req->arena, "phone", "invalid_phone", "请填写11位手机号码");
    if (err)
        return err;
    *ret = phone;
    return NULL;
}

static void code_hash_of(Request *req, const char *phone, const char *code,
                         uint8_t out[CRYPTO_HASH_BYTES])
{
    crypto_lookup_hash(req->app->keys, arena_sprintf(req->arena, "sms:%s:%s", phone, code), out);
}

static bool same_hash(const uint8_t *x, const uint8_t *y)
{
    unsigned char d = 0;

    for (size_t i = 0; i < CRYPTO_HASH_BYTES; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}

static Error *too_many(Request *req, Response *res, int64_t wait_ms, const char *code,
                       const char *what)
{
    int64_t wait_s = (wait_ms + 999) / 1000;
    const char *when;

    if (wait_s < 1)
        wait_s = 1;
    response_header(res, "Retry-After", arena_sprintf(req->arena, "%lld", (long long)wait_s));
    when = wait_s >= 3600 ? arena_sprintf(req->arena, "%lld小时", (long long)((wait_s + 3599) / 3600))
           : wait_s >= 60 ? arena_sprintf(req->arena, "%lld分钟", (long long)((wait_s + 59) / 60))
                          : arena_sprintf(req->arena, "%lld秒", (long long)wait_s);
    return error_new(req->arena, 429, NULL, code, arena_sprintf(req->arena, "%s，请%s后再试", what, when));
}

static Error *account_register_handle_communities(Request *req, Response *res)
{
    json_t *items = json_array();
    Error *err;

    err = account_reg_store_communities(req->store, req->arena, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Puts back the phone's row and the address's count after the gateway failed. */
static void undo_reservation(Request *req, const uint8_t *phone_hash, const PhoneCodeRow *prev,
                             const uint8_t *prev_code_hash, const char *ip, int64_t hour)
{
    int64_t n;
    Error *err;

    err = store_begin(req->store, req->arena);
    if (!err)
        err = prev->exists ? account_reg_store_code_put(req->store, req->arena, phone_hash,
                                                        prev_code_hash, prev)
                           : account_reg_store_code_delete(req->store, req->arena, phone_hash);
    if (!err)
        err = account_reg_store_ip_add(req->store, req->arena, ip, hour, -1, &n);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
}

static Error *account_register_handle_code(Request *req, Response *res)
{
    static const char *const fields[] = { "phone", NULL };
    const Config *cfg = req->app->cfg;
    PhoneCodeLimits lim = limits_of(cfg);
    PhoneCodeRow prev, row;
    uint8_t phone_hash[CRYPTO_HASH_BYTES], prev_code[CRYPTO_HASH_BYTES], code_hash[CRYPTO_HASH_BYTES];
    char code[PHONE_CODE_DIGITS + 1], today[11];
    int64_t now = time_now_ms(), hour = now / HOUR_MS, wait_ms = 0, n_ip = 0;
    const char *phone = NULL, *ip;
    PhoneCodeSend verdict;
    json_t *body;
    Error *err;

    err = request_json_fields(req, fields, &body);
    if (!err)
        err = phone_field(req, body, &phone);
    if (err)
        return err;
    ip = netaddr_limit_key(req->arena, req->client_ip);
    date_today(today);
    crypto_lookup_hash(req->app->keys, phone, phone_hash);
    crypto_random_code(code, PHONE_CODE_DIGITS, "0123456789");
    code_hash_of(req, phone, code, code_hash);

    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = account_reg_store_code_get(req->store, req->arena, phone_hash, &prev, prev_code);
    if (err)
        goto fail;
    verdict = phone_code_may_send(&prev, &lim, today, now, &wait_ms);
    if (verdict == PHONE_CODE_SEND_COOLDOWN) {
        err = too_many(req, res, wait_ms, "code_cooldown", "验证码已发送，请勿频繁获取");
        goto fail;
    }
    if (verdict == PHONE_CODE_SEND_DAILY) {
        err = too_many(req, res, wait_ms, "code_daily_limit", "该手机号今天获取验证码次数已达上限");
        goto fail;
    }
    err = account_reg_store_ip_add(req->store, req->arena, ip, hour, 1, &n_ip);
    if (err)
        goto fail;
    if (n_ip > cfg->sms_ip_hourly_max) {
        err = too_many(req, res, (hour + 1) * HOUR_MS - now, "too_many_requests",
                       "此网络获取验证码过于频繁");
        goto fail;
    }
    row = prev;
    phone_code_sent(&row, &lim, today, now);
    err = account_reg_store_code_put(req->store, req->arena, phone_hash, code_hash, &row);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        goto fail;

    err = account_sms_send(req, phone,
                           arena_sprintf(req->arena,
                                         "【邻里】您的注册验证码是%s，%lld分钟内有效。如非本人操作，请忽略本短信。",
                                         code, (long long)((lim.ttl_ms + 59999) / 60000)));
    if (err) {
        undo_reservation(req, phone_hash, &prev, prev_code, ip, hour);
        return err;
    }
    return response_json(res, 202, json_pack("{s:b, s:I, s:I}", "sent", 1, "expires_in",
                                             (json_int_t)(lim.ttl_ms / 1000), "resend_after",
                                             (json_int_t)(lim.resend_ms / 1000)));
fail:
    store_rollback(req->store);
    return err;
}

/* Checks @code against @phone's; counts a wrong one (its own commit). Inside no transaction. */
static Error *check_code(Request *req, Response *res, const char *phone, const char *code,
                         const uint8_t *phone_hash)
{
    PhoneCodeLimits lim = limits_of(req->app->cfg);
    uint8_t stored[CRYPTO_HASH_BYTES], typed[CRYPTO_HASH_BYTES];
    int64_t now = time_now_ms();
    PhoneCodeRow row;
    Error *err;

    code_hash_of(req, phone, code, typed);
    err = account_reg_store_code_get(req->store, req->arena, phone_hash, &row, stored);
    if (err)
        return err;
    switch (phone_code_check(&row, &lim, now, same_hash(stored, typed))) {
    case PHONE_CODE_OK:
        return NULL;
    case PHONE_CODE_NONE:
        return error_invalid(req->arena, "code", "invalid_code", "验证码无效，请先获取验证码");
    case PHONE_CODE_EXPIRED:
        return error_invalid(req->arena, "code", "code_expired", "验证码已过期，请重新获取");
    case PHONE_CODE_LOCKED:
        return too_many(req, res, row.sent_at + lim.resend_ms - now, "too_many_attempts",
                        "验证码错误次数过多，已失效，请重新获取验证码");
    case PHONE_CODE_WRONG:
    default:
        err = account_reg_store_code_attempt(req->store, req->arena, phone_hash);
        if (!err)
            err = store_commit(req->store, req->arena);
        if (err)
            return err;
        /* committed: the caller's rollback finds nothing to undo */
        if (row.attempts + 1 >= lim.max_attempts)
            return error_invalid(req->arena, "code", "wrong_code",
                                 "验证码不正确，错误次数过多，请重新获取验证码");
        return error_invalid(req->arena, "code", "wrong_code",
                             arena_sprintf(req->arena, "验证码不正确，还可以再试%d次",
                                           lim.max_attempts - row.attempts - 1));
    }
}

typedef struct RegisterInput {
    const char *phone, *code, *username, *password;
    const char *community, *name, *address;  /* needed when the registry lacks the phone */
} RegisterInput;

static Error *register_parse(Request *req, RegisterInput *in)
{
    static const char *const fields[] = { "phone", "code", "username", "password",
                                          "community", "name", "address", NULL };
    json_t *body, *pw;
    Error *err;

    memset(in, 0, sizeof(*in));
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = phone_field(req, body, &in->phone);
    if (!err)
        err = request_field_string(req, body, "code", true, 1, 12, &in->code);
    if (!err && !phone_code_well_formed(in->code))
        err = error_invalid(req->arena, "code", "invalid_code", "请填写短信中的6位数字验证码");
    if (!err)
        err = request_field_string(req, body, "username", true, 1, 64, &in->username);
    if (!err && !account_username_ok(in->username))
        err = error_invalid(req->arena, "username", "invalid_username",
                            "用户名应为2到32位字母、数字、下划线、点或减号");
    if (err)
        return err;
    pw = json_object_get(body, "password");
    if (!json_is_string(pw))
        return error_invalid(req->arena, "password", pw ? "invalid_type" : "missing_field",
                             "请设置密码");
    in->password = json_string_value(pw);
    if (strlen(in->password) == 0 || strlen(in->password) > PASSWORD_MAX_BYTES)
        return error_invalid(req->arena, "password", "weak_password", "密码至少8位，最多128位");
    err = request_field_string(req, body, "community", false, 1, 12, &in->community);
    if (!err && in->community &&
        (strlen(in->community) != 12 || strspn(in->community, "0123456789") != 12))
        err = error_invalid(req->arena, "community", "invalid_code", "请从列表中选择所在社区");
    if (!err)
        err = request_field_string(req, body, "name", false, 1, 20, &in->name);
    if (!err)
        err = request_field_string(req, body, "address", false, 2, 100, &in->address);
    return err;
}

/* The registry holds the phone: her own active account, in her household. */
static Error *register_linked(Request *req, const RegisterInput *in, const AccountResident *r,
                              int64_t *ret_id)
{
    UserInput u = {
        .username = in->username,
        .password = in->password,
        .role = ROLE_RESIDENT,
        .scope = r->community,
        .household_id = r->household_id,
        .display_name = r->name,
        .resident_id = r->id,
    };

    return account_user_add(req->store, req->arena, &u, ret_id);
}

/* The registry lacks the phone: a pending account and the address she typed. */
static Error *register_pending(Request *req, const RegisterInput *in, const uint8_t *phone_hash,
                               int64_t *ret_id)
{
    RegistrationInput g = { 0 };
    char pw_hash[128];
    int64_t reg_id;
    bool known = false, demo = false;
    Error *err;

    if (!in->community || !in->name || !in->address) {
        const char *field = !in->community ? "community" : !in->name ? "name" : "address";

        return error_invalid(req->arena, field, "address_required",
                             "居民登记中没有这个手机号：请选择所在社区，填写姓名和住址（楼栋、单元、房号），提交后由居委会确认");
    }
    err = validate_no_bidi(req->arena, "address", in->address);
    if (!err)
        err = account_store_division_exists(req->store, req->arena, in->community, &known);
    if (!err && !known)
        err = error_invalid(req->arena, "community", "unknown_division", "请从列表中选择所在社区");
    if (!err)
        err = account_store_is_demo(req->store, req->arena, &demo);
    if (!err)
        err = password_check(req->arena, "password", in->password, in->username, demo);
    if (err)
        return err;
    if (!crypto_password_hash(in->password, pw_hash, sizeof(pw_hash)))
        return error_internal(req->arena, "password hashing failed");
    err = account_reg_store_pending_user(req->store, req->arena, in->username, pw_hash,
                                         in->community, in->name, ret_id);
    if (err)
        return err;
    g.user_id = *ret_id;
    g.community = in->community;
    g.name = in->name;
    g.address = in->address;
    g.phone_hash = phone_hash;
    g.phone_enc = crypto_seal(req->app->keys, req->arena, in->phone, &g.phone_enc_len);
    g.phone_masked = mask_phone(req->arena, in->phone);
    return account_reg_store_insert(req->store, req->arena, &g, time_now_ms(), &reg_id);
}

static Error *account_register_handle_register(Request *req, Response *res)
{
    uint8_t phone_hash[CRYPTO_HASH_BYTES];
    AccountResident *r = NULL;
    StoredUser *su = NULL;
    RegisterInput in;
    int64_t user_id = 0;
    bool has_account = false;
    Error *err;

    err = register_parse(req, &in);
    if (err)
        return err;
    crypto_lookup_hash(req->app->keys, in.phone, phone_hash);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = check_code(req, res, in.phone, in.code, phone_hash);
    if (err)
        goto fail;
    /* she holds the phone: from here the answer may tell what the registry knows */
    err = account_reg_store_resident_by_phone(req->store, req->arena, phone_hash, &r, &has_account);
    if (!err && r && has_account)
        err = error_conflict(req->arena, "phone", "account_exists",
                             "这个手机号的居民已开通账号，请直接登录；忘记密码请联系居委会重置");
    if (!err)
        err = r ? register_linked(req, &in, r, &user_id)
                : register_pending(req, &in, phone_hash, &user_id);
    if (!err)
        err = account_reg_store_code_used(req->store, req->arena, phone_hash);
    if (!err)
        err = account_store_user_get(req->store, req->arena, user_id, &su);
    if (!err && !su)
        err = error_internal(req->arena, "registered user %lld is gone", (long long)user_id);
    if (!err)
        err = account_start_session(req, res, su, r ? "account.register" : "account.register_pending");
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        goto fail;
    json_object_set_new(res->json, "status", json_string(r ? "linked" : "pending"));
    json_object_set_new(res->json, "message",
                        json_string(r ? "注册成功，已关联您的住户"
                                      : "注册已提交，等待居委会确认住址"));
    res->status = 201;
    return NULL;
fail:
    store_rollback(req->store);
    return err;
}

static json_t *registration_json(Arena *a, const Registration *g)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)g->id,
                          "username", g->username, "community", g->community, "name", g->name,
                          "address", g->address, "phone_masked", g->phone_masked, "status",
                          g->status, "created_at",
                          time_format_rfc3339_at(a, g->created_at, TIME_OFFSET_SHANGHAI));

    json_object_set_new(j, "household_id", g->household_id ? json_integer(g->household_id) : json_null());
    json_object_set_new(j, "reason", g->reason ? json_string(g->reason) : json_null());
    json_object_set_new(j, "decided_at", g->decided_at
                                             ? json_string(time_format_rfc3339_at(a, g->decided_at, TIME_OFFSET_SHANGHAI))
                                             : json_null());
    return j;
}

Error *account_register_me_json(Request *req, int64_t user_id, json_t **ret)
{
    Registration *g = NULL;
    Error *err;

    *ret = NULL;
    err = account_reg_store_of_user(req->store, req->arena, user_id, &g);
    if (err || !g)
        return err;
    *ret = json_pack("{s:s, s:s, s:s, s:o, s:s}", "status", g->status, "community", g->community,
                     "address", g->address, "reason", g->reason ? json_string(g->reason) : json_null(),
                     "created_at", time_format_rfc3339_at(req->arena, g->created_at, TIME_OFFSET_SHANGHAI));
    return NULL;
}

/*
 * A pending account whose registration staff rejected sends it again,
 * corrected (another community, her name, the address): a new registration
 * with the phone she proved, waiting for staff.
 */
static Error *account_register_handle_resubmit(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "name", "address", NULL };
    uint8_t phone_hash[CRYPTO_HASH_BYTES];
    RegistrationInput in = { 0 };
    Registration *g = NULL, *again = NULL;
    StoredUser *su = NULL;
    const char *phone;
    json_t *body;
    int64_t id;
    bool known = false;
    Error *err;

    if (!req->user->pending)
        return error_conflict(req->arena, NULL, "not_pending", "您的账号已经确认，不需要重新提交");
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "community", true, 12, 12, &in.community);
    if (!err && strspn(in.community, "0123456789") != 12)
        err = error_invalid(req->arena, "community", "invalid_code", "请从列表中选择所在社区");
    if (!err)
        err = request_field_string(req, body, "name", true, 1, 20, &in.name);
    if (!err)
        err = request_field_string(req, body, "address", true, 2, 100, &in.address);
    if (!err)
        err = validate_no_bidi(req->arena, "address", in.address);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = account_store_division_exists(req->store, req->arena, in.community, &known);
    if (!err && !known)
        err = error_invalid(req->arena, "community", "unknown_division", "请从列表中选择所在社区");
    if (!err)
        err = account_reg_store_of_user(req->store, req->arena, req->user->id, &g);
    if (!err && !g)
        err = error_not_found(req->arena, NULL, "没有找到您的注册申请");
    if (!err && strcmp(g->status, "rejected") != 0)
        err = error_conflict(req->arena, NULL, "registration_pending",
                             "您的注册正在等待居委会确认，请耐心等待");
    phone = !err && g->phone_enc ? crypto_open(req->app->keys, req->arena, g->phone_enc, g->phone_enc_len)
                                 : NULL;
    if (!err && !phone)
        err = error_internal(req->arena, "registration %lld: phone unreadable", (long long)g->id);
    if (err)
        goto fail;
    crypto_lookup_hash(req->app->keys, phone, phone_hash);
    in.user_id = req->user->id;
    in.phone_hash = phone_hash;
    in.phone_enc = g->phone_enc;
    in.phone_enc_len = g->phone_enc_len;
    in.phone_masked = g->phone_masked;
    err = account_reg_store_pending_move(req->store, req->arena, req->user->id, in.community, in.name,
                                         time_now_ms());
    if (!err)
        err = account_reg_store_insert(req->store, req->arena, &in, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "account.register_resubmit", "registration", id, in.community, NULL);
    /* her session's scope follows the community she chose: a new session replaces the old ones */
    if (!err)
        err = auth_session_delete_user(req->store, req->arena, req->user->id, NULL);
    if (!err)
        err = account_store_user_get(req->store, req->arena, req->user->id, &su);
    if (!err && !su)
        err = error_internal(req->arena, "user %lld is gone", (long long)req->user->id);
    if (!err)
        err = account_start_session(req, res, su, "account.login");
    if (!err)
        err = account_reg_store_get(req->store, req->arena, id, &again);
    if (!err && !again)
        err = error_internal(req->arena, "registration %lld is gone", (long long)id);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        goto fail;
    json_object_set_new(res->json, "registration", registration_json(req->arena, again));
    res->status = 201;
    return NULL;
fail:
    store_rollback(req->store);
    return err;
}

static Error *account_register_handle_list(Request *req, Response *res)
{
    const char *lo, *hi, *status = request_query(req, "status");
    Registration **v = NULL;
    size_t n = 0;
    int64_t limit;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_REGISTRATIONS);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = request_query_int(req, "limit", 100, 1, 500, &limit);
    if (err)
        return err;
    if (!status || !*status)
        status = "pending";
    if (strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
        strcmp(status, "rejected") != 0)
        return error_bad_request(req->arena, "status", "invalid_status",
                                 "status 应为 pending、approved 或 rejected");
    err = account_reg_store_list(req->store, req->arena, lo, hi, status, limit, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, registration_json(req->arena, v[i]));
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/*
 * Her record in the registry, made from what staff checked ({"gender",
 * "birth_date","relation"?}), the name she gave and the phone she proved;
 * in @h, inside the caller's transaction.
 */
static Error *new_resident(Request *req, json_t *spec, const Registration *g, const Household *h,
                           int64_t *ret_id)
{
    static const char *const fields[] = { "gender", "birth_date", "relation", NULL };
    static const char *const names[] = { "gender", "birth_date", "relation" };
    ResidentInput in;
    char today[11];
    const char *phone;
    Error *err;

    memset(&in, 0, sizeof(in));
    if (!json_is_object(spec))
        return error_invalid(req->arena, "resident", "invalid_type",
                             "resident 应为对象：{\"gender\",\"birth_date\",\"relation\"}");
    err = request_reject_unknown(req, spec, fields);
    if (err) {
        err->field = arena_sprintf(req->arena, "resident.%s", err->field);
        return err;
    }
    in.household_id = h->id;
    err = registry_resident_set_field(req->arena, &in, "name", g->name);
    for (size_t i = 0; !err && i < sizeof(names) / sizeof(names[0]); i++) {
        json_t *v = json_object_get(spec, names[i]);

        if (!v)
            continue;
        if (!json_is_string(v))
            err = error_invalid(req->arena, names[i], "invalid_type", "应为文本");
        else
            err = registry_resident_set_field(req->arena, &in, names[i], json_string_value(v));
    }
    if (!err)
        err = registry_check_resident(req->arena, &in);
    if (err) {
        if (err->field && strcmp(err->field, "name") != 0)
            err->field = arena_sprintf(req->arena, "resident.%s", err->field);
        return err;
    }
    phone = g->phone_enc ? crypto_open(req->app->keys, req->arena, g->phone_enc, g->phone_enc_len) : NULL;
    if (phone) {
        in.phone = phone;
        in.set |= RES_PHONE;
    }
    date_today(today);
    in.moved_in = arena_strdup(req->arena, today);
    return registry_store_resident_insert(req->store, req->arena, req->app->keys, &in, h,
                                          req->user->id, ret_id);
}

/* The pending registration {id} in the user's scope, for a decision. */
static Error *registration_for_decision(Request *req, Registration **ret)
{
    Registration *g = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_CONFIRM);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = account_reg_store_get(req->store, req->arena, id, &g);
    if (!err && !g)
        err = error_not_found(req->arena, NULL, "找不到该注册申请");
    if (!err)
        err = auth_require_scope(req, g->community);
    if (!err && strcmp(g->status, "pending") != 0)
        err = error_conflict(req->arena, NULL, "already_decided", "该注册申请已处理过");
    if (err)
        return err;
    *ret = g;
    return NULL;
}

static Error *account_register_handle_approve(Request *req, Response *res)
{
    static const char *const fields[] = { "household_id", "resident_id", "resident", NULL };
    int64_t household_id = 0, resident_id = 0, now = time_now_ms();
    const char *community = NULL;
    AccountResident *r = NULL;
    Registration *g = NULL;
    Household *h = NULL;
    bool changed = false;
    json_t *body, *spec;
    Error *err;

    err = registration_for_decision(req, &g);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "household_id", true, 1, INT64_MAX, &household_id, NULL);
    if (!err)
        err = request_field_int(req, body, "resident_id", false, 1, INT64_MAX, &resident_id, NULL);
    if (!err)
        err = account_reg_store_household_community(req->store, req->arena, household_id, &community);
    if (!err && (!community || strcmp(community, g->community) != 0))
        err = error_invalid(req->arena, "household_id", "unknown_household", "请选择本社区的住户");
    if (!err && resident_id)
        err = account_store_resident(req->store, req->arena, resident_id, &r);
    if (!err && resident_id && (!r || r->household_id != household_id || !r->active))
        err = error_invalid(req->arena, "resident_id", "unknown_resident", "请选择该户的在住居民");
    spec = err ? NULL : json_object_get(body, "resident");
    if (!err && spec && resident_id)
        err = error_invalid(req->arena, "resident", "conflicting_fields",
                            "选了该户的居民就不必再新建居民记录");
    if (!err && spec)
        err = registry_store_household_get(req->store, req->arena, household_id, &h);
    if (!err && spec && !h)
        err = error_invalid(req->arena, "household_id", "unknown_household", "请选择本社区的住户");
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    /* no record of her yet: staff make one from what they checked */
    if (spec) {
        err = new_resident(req, spec, g, h, &resident_id);
        if (!err)
            err = audit_record(req, "resident.create", "resident", resident_id, g->community,
                               json_pack("{s:s, s:I}", "source", "registration", "registration_id",
                                         (json_int_t)g->id));
        if (err) {
            store_rollback(req->store);
            return err;
        }
    }
    err = account_reg_store_decide(req->store, req->arena, g->id, "approved", household_id, NULL,
                                   req->user->id, now, &changed);
    if (!err && !changed)
        err = error_conflict(req->arena, NULL, "already_decided", "该注册申请已处理过");
    if (!err && g->user_id)
        err = account_reg_store_user_activate(req->store, req->arena, g->user_id, g->community,
                                              household_id, resident_id, now);
    /* her sessions end: she signs in again as a resident of her household */
    if (!err && g->user_id)
        err = auth_session_delete_user(req->store, req->arena, g->user_id, NULL);
    if (!err)
        err = audit_record(req, "registration.approve", "registration", g->id, g->community,
                           json_pack("{s:I, s:I, s:I}", "household_id", (json_int_t)household_id,
                                     "user_id", (json_int_t)g->user_id, "resident_id",
                                     (json_int_t)resident_id));
    if (!err)
        err = account_reg_store_get(req->store, req->arena, g->id, &g);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 200, registration_json(req->arena, g));
}

static Error *account_register_handle_reject(Request *req, Response *res)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    Registration *g = NULL;
    bool changed = false;
    json_t *body;
    Error *err;

    err = registration_for_decision(req, &g);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "reason", true, 1, 200, &reason);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = account_reg_store_decide(req->store, req->arena, g->id, "rejected", 0, reason,
                                   req->user->id, time_now_ms(), &changed);
    if (!err && !changed)
        err = error_conflict(req->arena, NULL, "already_decided", "该注册申请已处理过");
    if (!err)
        err = audit_record(req, "registration.reject", "registration", g->id, g->community,
                           json_pack("{s:I}", "user_id", (json_int_t)g->user_id));
    if (!err)
        err = account_reg_store_get(req->store, req->arena, g->id, &g);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 200, registration_json(req->arena, g));
}

void account_register_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/register/communities", account_register_handle_communities,
               ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/register/code", account_register_handle_code, ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/register", account_register_handle_register, ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/register/resubmit", account_register_handle_resubmit, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/registrations", account_register_handle_list, 0);
    router_add(r, "POST", "/api/v1/registrations/{id}/approve", account_register_handle_approve, 0);
    router_add(r, "POST", "/api/v1/registrations/{id}/reject", account_register_handle_reject, 0);
}
