/* The queries of registration by phone: phone_code, phone_code_ip, registration (schema 18). */
#include <string.h>

#include "account/account_register.h"
#include "core/mask.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_REG_CODE_GET[] =
    "SELECT code_hash, sent_at, expires_at, attempts, day, sent_today FROM phone_code"
    " WHERE phone_hash = ?1";
static const char SQL_REG_CODE_PUT[] =
    "INSERT INTO phone_code (phone_hash, code_hash, sent_at, expires_at, attempts, day, sent_today)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (phone_hash) DO UPDATE SET"
    " code_hash = excluded.code_hash, sent_at = excluded.sent_at, expires_at = excluded.expires_at,"
    " attempts = excluded.attempts, day = excluded.day, sent_today = excluded.sent_today";
static const char SQL_REG_CODE_DELETE[] = "DELETE FROM phone_code WHERE phone_hash = ?1";
static const char SQL_REG_CODE_ATTEMPT[] =
    "UPDATE phone_code SET attempts = attempts + 1 WHERE phone_hash = ?1";
static const char SQL_REG_CODE_USED[] =
    "UPDATE phone_code SET expires_at = 0 WHERE phone_hash = ?1";
static const char SQL_REG_IP_ADD[] =
    "INSERT INTO phone_code_ip (ip, hour, n) VALUES (?1, ?2, CASE WHEN ?3 > 0 THEN ?3 ELSE 0 END)"
    " ON CONFLICT (ip, hour) DO UPDATE SET"
    " n = CASE WHEN phone_code_ip.n + ?3 > 0 THEN phone_code_ip.n + ?3 ELSE 0 END RETURNING n";
static const char SQL_REG_IP_PURGE[] = "DELETE FROM phone_code_ip WHERE hour < ?1";
static const char SQL_REG_RESIDENT_BY_PHONE[] =
    "SELECT r.id, r.household_id, r.community, r.name,"
    " EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id)"
    " FROM resident r WHERE r.phone_hash = ?1 AND r.status = 'active'"
    " ORDER BY EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id), r.id LIMIT 1";
static const char SQL_REG_PENDING_USER[] =
    "INSERT INTO app_user (username, password_hash, role, scope, display_name, created_at, state,"
    " updated_at, password_at) VALUES (?1, ?2, 'resident', ?3, ?4, ?5, 'pending', ?5, ?5)"
    " RETURNING id";
static const char SQL_REG_PENDING_MOVE[] =
    "UPDATE app_user SET scope = ?2, display_name = ?3, updated_at = ?4"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_REG_INSERT[] =
    "INSERT INTO registration (user_id, community, name, address, phone_hash, phone_enc,"
    " phone_masked, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
#define REG_COLUMNS                                                                              \
    " g.id, coalesce(g.user_id, 0), coalesce(u.username, ''), g.community, g.name, g.address,"   \
    " g.phone_masked, g.status, coalesce(g.household_id, 0), g.reason, g.created_at,"            \
    " coalesce(g.decided_at, 0), g.phone_enc"                                                   \
    " FROM registration g LEFT JOIN app_user u ON u.id = g.user_id"
static const char SQL_REG_LIST[] =
    "SELECT" REG_COLUMNS " WHERE g.community >= ?1 AND g.community < ?2 AND g.status = ?3"
    " ORDER BY g.id LIMIT ?4";
static const char SQL_REG_GET[] = "SELECT" REG_COLUMNS " WHERE g.id = ?1";
static const char SQL_REG_OF_USER[] =
    "SELECT" REG_COLUMNS " WHERE g.user_id = ?1 ORDER BY g.id DESC LIMIT 1";
static const char SQL_REG_DECIDE[] =
    "UPDATE registration SET status = ?2, household_id = ?3, reason = ?4, decided_by = ?5,"
    " decided_at = ?6 WHERE id = ?1 AND status = 'pending'";
static const char SQL_REG_USER_ACTIVATE[] =
    "UPDATE app_user SET state = 'active', scope = ?2, household_id = ?3, resident_id = ?4,"
    " updated_at = ?5 WHERE id = ?1 AND state = 'pending'";
static const char SQL_REG_HOUSEHOLD[] = "SELECT community FROM household WHERE id = ?1";
static const char SQL_REG_COMMUNITIES[] =
    "SELECT c.code, c.name, coalesce(s.name, '') FROM division c"
    " LEFT JOIN division s ON s.code = c.parent_code WHERE c.level = 5 ORDER BY c.code LIMIT 2000";

Error *account_reg_store_code_get(Store *st, Arena *a, const uint8_t *phone_hash,
                                  PhoneCodeRow *ret, uint8_t ret_code_hash[CRYPTO_HASH_BYTES])
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_CODE_GET);
    const void *hash;
    size_t len = 0;

    memset(ret, 0, sizeof(*ret));
    memset(ret_code_hash, 0, CRYPTO_HASH_BYTES);
    store_bind_blob(s, 1, phone_hash, CRYPTO_HASH_BYTES);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        return NULL;
    default:
        return store_error(st, a);
    }
    ret->exists = true;
    hash = store_column_blob(s, a, 0, &len);
    if (hash && len == CRYPTO_HASH_BYTES)
        memcpy(ret_code_hash, hash, CRYPTO_HASH_BYTES);
    ret->sent_at = store_column_int64(s, 1);
    ret->expires_at = store_column_int64(s, 2);
    ret->attempts = (int)store_column_int64(s, 3);
    snprintf(ret->day, sizeof(ret->day), "%s", store_column_text(s, a, 4));
    ret->sent_today = (int)store_column_int64(s, 5);
    store_reset(s);
    return NULL;
}

Error *account_reg_store_code_put(Store *st, Arena *a, const uint8_t *phone_hash,
                                  const uint8_t *code_hash, const PhoneCodeRow *row)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_CODE_PUT);

    store_bind_blob(s, 1, phone_hash, CRYPTO_HASH_BYTES);
    store_bind_blob(s, 2, code_hash, CRYPTO_HASH_BYTES);
    store_bind_int64(s, 3, row->sent_at);
    store_bind_int64(s, 4, row->expires_at);
    store_bind_int64(s, 5, row->attempts);
    store_bind_text(s, 6, row->day);
    store_bind_int64(s, 7, row->sent_today);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static Error *exec_phone(Store *st, Arena *a, const char *sql, const uint8_t *phone_hash)
{
    StoreStmt *s = store_prepare(st, a, sql);

    store_bind_blob(s, 1, phone_hash, CRYPTO_HASH_BYTES);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_reg_store_code_delete(Store *st, Arena *a, const uint8_t *phone_hash)
{
    return exec_phone(st, a, SQL_REG_CODE_DELETE, phone_hash);
}

Error *account_reg_store_code_attempt(Store *st, Arena *a, const uint8_t *phone_hash)
{
    return exec_phone(st, a, SQL_REG_CODE_ATTEMPT, phone_hash);
}

Error *account_reg_store_code_used(Store *st, Arena *a, const uint8_t *phone_hash)
{
    return exec_phone(st, a, SQL_REG_CODE_USED, phone_hash);
}

Error *account_reg_store_ip_add(Store *st, Arena *a, const char *ip, int64_t hour, int delta,
                                int64_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_IP_ADD);

    store_bind_text(s, 1, ip);
    store_bind_int64(s, 2, hour);
    store_bind_int64(s, 3, delta);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_n = store_column_int64(s, 0);
    store_reset(s);
    /* yesterday's counts are of no use any more */
    s = store_prepare(st, a, SQL_REG_IP_PURGE);
    store_bind_int64(s, 1, hour - 24);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_reg_store_resident_by_phone(Store *st, Arena *a, const uint8_t *phone_hash,
                                           AccountResident **ret, bool *ret_has_account)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_RESIDENT_BY_PHONE);
    AccountResident *r;

    store_bind_blob(s, 1, phone_hash, CRYPTO_HASH_BYTES);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        *ret = NULL;
        *ret_has_account = false;
        return NULL;
    default:
        return store_error(st, a);
    }
    r = arena_zalloc(a, sizeof(*r));
    r->id = store_column_int64(s, 0);
    r->household_id = store_column_int64(s, 1);
    r->community = store_column_text(s, a, 2);
    r->name = store_column_text(s, a, 3);
    r->active = true;
    *ret_has_account = store_column_int64(s, 4) != 0;
    store_reset(s);
    *ret = r;
    return NULL;
}

Error *account_reg_store_pending_move(Store *st, Arena *a, int64_t user_id, const char *community,
                                      const char *display_name, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_PENDING_MOVE);

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    store_bind_text(s, 3, display_name);
    store_bind_int64(s, 4, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_reg_store_pending_user(Store *st, Arena *a, const char *username,
                                      const char *pw_hash, const char *community,
                                      const char *display_name, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_PENDING_USER);

    store_bind_text(s, 1, username);
    store_bind_text(s, 2, pw_hash);
    store_bind_text(s, 3, community);
    store_bind_text(s, 4, display_name);
    store_bind_int64(s, 5, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        return error_conflict(a, "username", "duplicate_username", "该用户名已被使用，请换一个");
    default:
        return store_error(st, a);
    }
}

Error *account_reg_store_insert(Store *st, Arena *a, const RegistrationInput *in, int64_t now_ms,
                                int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_INSERT);

    store_bind_int64(s, 1, in->user_id);
    store_bind_text(s, 2, in->community);
    store_bind_text(s, 3, in->name);
    store_bind_text(s, 4, in->address);
    store_bind_blob(s, 5, in->phone_hash, CRYPTO_HASH_BYTES);
    store_bind_blob(s, 6, in->phone_enc, in->phone_enc_len);
    store_bind_text(s, 7, in->phone_masked);
    store_bind_int64(s, 8, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "phone_hash"))
            return error_conflict(a, "phone", "registration_pending",
                                  "该手机号的注册申请正在等待居委会确认，请耐心等待或直接登录查看");
        return error_invalid(a, "community", "unknown_division", "请选择所在社区");
    default:
        return store_error(st, a);
    }
}

static Registration *registration_row(StoreStmt *s, Arena *a)
{
    Registration *g = arena_zalloc(a, sizeof(*g));

    g->id = store_column_int64(s, 0);
    g->user_id = store_column_int64(s, 1);
    g->username = store_column_text(s, a, 2);
    g->community = store_column_text(s, a, 3);
    g->name = store_column_text(s, a, 4);
    g->address = store_column_text(s, a, 5);
    g->phone_masked = store_column_text(s, a, 6);
    g->status = store_column_text(s, a, 7);
    g->household_id = store_column_int64(s, 8);
    g->reason = store_column_is_null(s, 9) ? NULL : store_column_text(s, a, 9);
    g->created_at = store_column_int64(s, 10);
    g->decided_at = store_column_int64(s, 11);
    g->phone_enc = store_column_blob(s, a, 12, &g->phone_enc_len);
    return g;
}

Error *account_reg_store_list(Store *st, Arena *a, const char *lo, const char *hi,
                              const char *status, int64_t limit, Registration ***ret,
                              size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_LIST);
    Registration **v = arena_alloc(a, sizeof(*v) * (size_t)(limit > 0 ? limit : 1));
    size_t n = 0;
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_text(s, 3, status);
    store_bind_int64(s, 4, limit);
    while ((r = store_step(s)) == STORE_ROW && n < (size_t)limit)
        v[n++] = registration_row(s, a);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret = v;
    *ret_n = n;
    return NULL;
}

static Error *one_registration(Store *st, Arena *a, const char *sql, int64_t id,
                               Registration **ret)
{
    StoreStmt *s = store_prepare(st, a, sql);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = registration_row(s, a);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *account_reg_store_get(Store *st, Arena *a, int64_t id, Registration **ret)
{
    return one_registration(st, a, SQL_REG_GET, id, ret);
}

Error *account_reg_store_of_user(Store *st, Arena *a, int64_t user_id, Registration **ret)
{
    return one_registration(st, a, SQL_REG_OF_USER, user_id, ret);
}

Error *account_reg_store_decide(Store *st, Arena *a, int64_t id, const char *status,
                                int64_t household_id, const char *reason, int64_t by,
                                int64_t now_ms, bool *ret_changed)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_DECIDE);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, status);
    if (household_id)
        store_bind_int64(s, 3, household_id);
    if (reason)
        store_bind_text(s, 4, reason);
    store_bind_int64(s, 5, by);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_changed = store_changes(st) == 1;
    return NULL;
}

Error *account_reg_store_user_activate(Store *st, Arena *a, int64_t user_id,
                                       const char *community, int64_t household_id,
                                       int64_t resident_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_USER_ACTIVATE);

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    store_bind_int64(s, 3, household_id);
    if (resident_id)
        store_bind_int64(s, 4, resident_id);
    store_bind_int64(s, 5, now_ms);
    switch (store_step(s)) {
    case STORE_DONE:
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        return error_conflict(a, "resident_id", "account_exists",
                              "该居民已有自己的账号，请选择其他居民或不选居民");
    default:
        return store_error(st, a);
    }
}

Error *account_reg_store_household_community(Store *st, Arena *a, int64_t id, const char **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_HOUSEHOLD);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = store_column_text(s, a, 0);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *account_reg_store_communities(Store *st, Arena *a, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_REG_COMMUNITIES);
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code",
                                               store_column_text(s, a, 0), "name",
                                               store_column_text(s, a, 1), "street",
                                               store_column_text(s, a, 2)));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_register_demo(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                             const char *password)
{
    static const struct {
        const char *username, *name, *address, *phone;
        int64_t ago_ms;
    } demo[] = {
        { "wangxl", "王秀兰", "5号楼2单元301室（租住，2026年10月搬入）", "13761234508", 26 * 3600 * 1000LL },
        { "zhaomin88", "赵敏", "12号楼1单元602室", "15821907713", 3 * 3600 * 1000LL },
    };
    char pw_hash[128];
    int64_t now = time_now_ms();
    Error *err;

    if (!crypto_password_hash(password, pw_hash, sizeof(pw_hash)))
        return error_internal(a, "password hashing failed");
    for (size_t i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
        uint8_t phone_hash[CRYPTO_HASH_BYTES];
        RegistrationInput g = { 0 };
        int64_t reg_id;

        err = account_reg_store_pending_user(st, a, demo[i].username, pw_hash, community,
                                             demo[i].name, &g.user_id);
        if (err)
            return err;
        crypto_lookup_hash(k, demo[i].phone, phone_hash);
        g.community = community;
        g.name = demo[i].name;
        g.address = demo[i].address;
        g.phone_hash = phone_hash;
        g.phone_enc = crypto_seal(k, a, demo[i].phone, &g.phone_enc_len);
        g.phone_masked = mask_phone(a, demo[i].phone);
        err = account_reg_store_insert(st, a, &g, now - demo[i].ago_ms, &reg_id);
        if (err)
            return err;
    }
    return NULL;
}
