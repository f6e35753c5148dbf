#include <string.h>

#include "account/account.h"
#include "account/account_store.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "core/banned.h"

static const char SQL_USER_INSERT[] =
    "INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name,"
    " created_at, state, resident_id, shared, created_by, updated_at, password_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?2 = '' THEN 'inactive' ELSE 'active' END,"
    " ?8, ?9, ?10, ?7, CASE WHEN ?2 = '' THEN NULL ELSE ?7 END) RETURNING id";
/* 1: the resident has an account; 2: the household has a shared one */
static const char SQL_USER_TAKEN[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM app_user WHERE resident_id = ?1) THEN 1"
    " WHEN EXISTS (SELECT 1 FROM app_user WHERE household_id = ?2 AND shared = 1) THEN 2"
    " ELSE 0 END";
static const char SQL_META_DEMO[] = "SELECT 1 FROM app_meta WHERE name = 'demo' AND value = '1'";
static const char SQL_META_SET_DEMO[] =
    "INSERT INTO app_meta (name, value) VALUES ('demo', '1')"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
static const char SQL_DIVISION_EXISTS[] = "SELECT 1 FROM division WHERE code = ?1";
#define USER_COLUMNS                                                                         \
    "id, password_hash, role, scope, coalesce(household_id, 0), display_name, disabled, state," \
    " coalesce(resident_id, 0), shared, created_at, username"
static const char SQL_USER_BY_NAME[] = "SELECT " USER_COLUMNS " FROM app_user WHERE username = ?1";
static const char SQL_USER_BY_ID[] = "SELECT " USER_COLUMNS " FROM app_user WHERE id = ?1";
#define USER_FILTER                                                                          \
    " FROM app_user WHERE ((scope >= ?1 AND scope < ?2) OR ?1 = '')"                        \
    " AND (CASE role WHEN 'resident' THEN 1 WHEN 'grid_worker' THEN 2 WHEN 'staff' THEN 4"   \
    " WHEN 'secretary' THEN 8 WHEN 'street_admin' THEN 16 WHEN 'property' THEN 32"            \
    " WHEN 'admin' THEN 64 WHEN 'reporter' THEN 128 ELSE 0 END) & ?3 != 0"                   \
    " AND (CAST(?4 AS TEXT) IS NULL OR instr(username, ?4) > 0 OR instr(display_name, ?4) > 0)"
/* staff accounts first (a community has a handful among hundreds of residents'), newest first */
static const char SQL_USER_LIST[] =
    "SELECT " USER_COLUMNS USER_FILTER " ORDER BY role = 'resident', id DESC LIMIT ?5 OFFSET ?6";
static const char SQL_USER_COUNT[] = "SELECT count(*)" USER_FILTER;
static const char SQL_USER_UPDATE[] =
    "UPDATE app_user SET role = ?2, scope = ?3, display_name = ?4, disabled = ?5, updated_at = ?6"
    " WHERE id = ?1";
static const char SQL_RESIDENT[] =
    "SELECT household_id, community, name, status = 'active' FROM resident WHERE id = ?1";
static const char SQL_CODE_PUT[] =
    "INSERT INTO account_code (user_id, code_hash, purpose, created_by, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id) DO UPDATE SET"
    " code_hash = excluded.code_hash, purpose = excluded.purpose,"
    " created_by = excluded.created_by, created_at = excluded.created_at,"
    " expires_at = excluded.expires_at";
static const char SQL_CODE_TAKE[] =
    "DELETE FROM account_code WHERE code_hash = ?1 AND expires_at > ?2 RETURNING user_id";
static const char SQL_SET_PASSWORD[] =
    "UPDATE app_user SET password_hash = ?2, username = coalesce(?3, username), state = 'active',"
    " password_at = ?4, updated_at = ?4 WHERE id = ?1 AND state IN ('active', 'inactive')";

static StoredUser *user_row(StoreStmt *s, Arena *a)
{
    StoredUser *u = arena_zalloc(a, sizeof(StoredUser));

    u->user.id = store_column_int64(s, 0);
    u->password_hash = store_column_text(s, a, 1);
    u->role_name = store_column_text(s, a, 2);
    if (!role_parse(u->role_name, &u->user.role))
        u->user.role = ROLE_RESIDENT;
    u->user.scope = store_column_text(s, a, 3);
    u->user.household_id = store_column_int64(s, 4);
    u->user.display_name = store_column_text(s, a, 5);
    u->disabled = store_column_int64(s, 6) != 0;
    u->state = store_column_text(s, a, 7);
    u->resident_id = store_column_int64(s, 8);
    u->shared = store_column_int64(s, 9) != 0;
    u->created_at = store_column_int64(s, 10);
    u->user.username = store_column_text(s, a, 11);
    return u;
}

static Error *account_exists_error(Arena *a, int64_t taken)
{
    if (taken == 1)
        return error_conflict(a, NULL, "account_exists", "该居民已开通账号；如忘记密码，请为其重置密码");
    return error_conflict(a, "shared", "account_exists", "该户已开通共用账号；如忘记密码，请为其重置密码");
}

/*
 * The resident's or the household's account asked for first: a new account
 * that also repeats a username breaks two unique indexes, and SQLite and
 * PostgreSQL name different ones first.
 */
static Error *user_taken(Store *st, Arena *a, const UserInput *in)
{
    StoreStmt *s;
    int64_t taken;

    if (!in->resident_id && !(in->shared && in->household_id))
        return NULL;
    s = store_prepare(st, a, SQL_USER_TAKEN);
    store_bind_int64(s, 1, in->resident_id);
    store_bind_int64(s, 2, in->shared ? in->household_id : 0);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    taken = store_column_int64(s, 0);
    store_reset(s);
    return taken ? account_exists_error(a, taken) : NULL;
}

Error *account_store_user_insert(Store *st, Arena *a, const UserInput *in, const char *hash,
                                 const char *role, int64_t *ret_id)
{
    StoreStmt *s;
    Error *err;

    err = user_taken(st, a, in);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_USER_INSERT);
    store_bind_text(s, 1, in->username);
    store_bind_text(s, 2, hash);
    store_bind_text(s, 3, role);
    store_bind_text(s, 4, in->scope);
    if (in->household_id)
        store_bind_int64(s, 5, in->household_id);
    store_bind_text(s, 6, in->display_name ? in->display_name : in->username);
    store_bind_int64(s, 7, time_now_ms());
    if (in->resident_id)
        store_bind_int64(s, 8, in->resident_id);
    store_bind_int64(s, 9, in->shared);
    if (in->created_by)
        store_bind_int64(s, 10, in->created_by);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "app_user.resident_id"))
            return account_exists_error(a, 1);
        if (store_error_mentions(st, "app_user.household_id"))
            return account_exists_error(a, 2);
        if (store_error_mentions(st, "UNIQUE"))
            return error_conflict(a, "username", "duplicate_username", "该用户名已被使用");
        return error_invalid(a, "household_id", "unknown_household", "找不到该住户");
    default:
        return store_error(st, a);
    }
}

Error *account_store_user_by_name(Store *st, Arena *a, const char *username, StoredUser **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_BY_NAME);
    StoredUser *u;

    store_bind_text(s, 1, username);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
    u = user_row(s, a);
    store_reset(s);
    *ret = u;
    return NULL;
}

Error *account_store_user_get(Store *st, Arena *a, int64_t id, StoredUser **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_BY_ID);
    StoredUser *u;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
    u = user_row(s, a);
    store_reset(s);
    *ret = u;
    return NULL;
}

static void bind_filter(StoreStmt *s, const UserFilter *f)
{
    store_bind_text(s, 1, f->lo);
    store_bind_text(s, 2, f->hi);
    store_bind_int64(s, 3, f->roles);
    if (f->q)
        store_bind_text(s, 4, f->q);
}

Error *account_store_user_list(Store *st, Arena *a, const UserFilter *f, StoredUser ***ret,
                               size_t *ret_n, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_COUNT);
    StoredUser **items;
    size_t n = 0;
    int r;

    bind_filter(s, f);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    items = arena_alloc(a, sizeof(*items) * (size_t)(f->limit > 0 ? f->limit : 1));
    s = store_prepare(st, a, SQL_USER_LIST);
    bind_filter(s, f);
    store_bind_int64(s, 5, f->limit);
    store_bind_int64(s, 6, f->offset);
    while ((r = store_step(s)) == STORE_ROW && n < (size_t)f->limit)
        items[n++] = user_row(s, a);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *account_store_user_update(Store *st, Arena *a, const StoredUser *u)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_UPDATE);

    store_bind_int64(s, 1, u->user.id);
    store_bind_text(s, 2, u->role_name);
    store_bind_text(s, 3, u->user.scope);
    store_bind_text(s, 4, u->user.display_name);
    store_bind_int64(s, 5, u->disabled);
    store_bind_int64(s, 6, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_store_resident(Store *st, Arena *a, int64_t id, AccountResident **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT);
    AccountResident *r;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
    r = arena_zalloc(a, sizeof(*r));
    r->id = id;
    r->household_id = store_column_int64(s, 0);
    r->community = store_column_text(s, a, 1);
    r->name = store_column_text(s, a, 2);
    r->active = store_column_int64(s, 3) != 0;
    store_reset(s);
    *ret = r;
    return NULL;
}

Error *account_store_code_put(Store *st, Arena *a, int64_t user_id, const uint8_t *hash,
                              const char *purpose, int64_t created_by, int64_t now_ms,
                              int64_t expires_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_CODE_PUT);

    store_bind_int64(s, 1, user_id);
    store_bind_blob(s, 2, hash, CRYPTO_HASH_BYTES);
    store_bind_text(s, 3, purpose);
    if (created_by)
        store_bind_int64(s, 4, created_by);
    store_bind_int64(s, 5, now_ms);
    store_bind_int64(s, 6, expires_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_store_code_take(Store *st, Arena *a, const uint8_t *hash, int64_t now_ms,
                               int64_t *ret_user_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_CODE_TAKE);

    store_bind_blob(s, 1, hash, CRYPTO_HASH_BYTES);
    store_bind_int64(s, 2, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_user_id = store_column_int64(s, 0);
        break;
    case STORE_DONE:
        *ret_user_id = 0;
        break;
    default:
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

Error *account_store_set_password(Store *st, Arena *a, int64_t id, const char *hash,
                                  const char *username)
{
    StoreStmt *s = store_prepare(st, a, SQL_SET_PASSWORD);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, hash);
    if (username)
        store_bind_text(s, 3, username);
    store_bind_int64(s, 4, time_now_ms());
    switch (store_step(s)) {
    case STORE_DONE:
        break;
    case STORE_CONSTRAINT:
        return error_conflict(a, "username", "duplicate_username", "该用户名已被使用，请换一个");
    default:
        return store_error(st, a);
    }
    store_reset(s);
    if (store_changes(st) != 1)
        return error_conflict(a, NULL, "account_pending", "该账号正在等待社区确认，暂不能设置密码");
    return NULL;
}

Error *account_store_division_exists(Store *st, Arena *a, const char *code, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_DIVISION_EXISTS);

    store_bind_text(s, 1, code);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = true;
        break;
    case STORE_DONE:
        *ret = false;
        break;
    default:
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

Error *account_store_is_demo(Store *st, Arena *a, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_META_DEMO);

    switch (store_step(s)) {
    case STORE_ROW:
        *ret = true;
        break;
    case STORE_DONE:
        *ret = false;
        break;
    default:
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

Error *account_store_set_demo(Store *st, Arena *a)
{
    StoreStmt *s = store_prepare(st, a, SQL_META_SET_DEMO);

    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_ACCOUNT_PREFS_GET[] =
    "SELECT elder_mode FROM user_pref WHERE user_id = ?1";

static const char SQL_ACCOUNT_PREFS_PUT[] =
    "INSERT INTO user_pref (user_id, elder_mode, updated_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (user_id) DO UPDATE SET elder_mode = excluded.elder_mode,"
    " updated_at = excluded.updated_at";

Error *account_store_prefs_get(Store *st, Arena *a, int64_t user_id, AccountPrefs *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_ACCOUNT_PREFS_GET);

    store_bind_int64(s, 1, user_id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = (AccountPrefs){ .elder_chosen = true, .elder_mode = store_column_int64(s, 0) != 0 };
        return NULL;
    case STORE_DONE:
        *ret = (AccountPrefs){ 0 };
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *account_store_prefs_put(Store *st, Arena *a, int64_t user_id, const AccountPrefs *p,
                               int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_ACCOUNT_PREFS_PUT);

    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, p->elder_mode);
    store_bind_int64(s, 3, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    return NULL;
}

static const char SQL_WORKERS_BY_COMMUNITY[] =
    "SELECT scope, role, '', count(*) FROM app_user"
    " WHERE role IN ('staff', 'secretary', 'grid_worker') AND disabled = 0 AND state = 'active'"
    " AND scope >= ?1 AND scope < ?2 AND length(scope) = 12 GROUP BY scope, role";

Error *account_store_workers_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                          CountRows *out)
{
    return store_count_rows(st, a,
                            store_prepare_bind(st, a, SQL_WORKERS_BY_COMMUNITY, "tt", lo, hi), out);
}
