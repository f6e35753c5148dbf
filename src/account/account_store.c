#include <string.h>

#include "account/account.h"
#include "account/account_store.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_USER_INSERT[] =
    "INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name,"
    " created_at, state, resident_id, shared, created_by, updated_at, password_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?2 = '' THEN 'inactive' ELSE 'active' END,"
    " ?8, ?9, ?10, ?7, CASE WHEN ?2 = '' THEN NULL ELSE ?7 END) RETURNING id";
static const char SQL_META_DEMO[] = "SELECT 1 FROM app_meta WHERE name = 'demo' AND value = '1'";
static const char SQL_META_SET_DEMO[] =
    "INSERT INTO app_meta (name, value) VALUES ('demo', '1')"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
static const char SQL_DIVISION_EXISTS[] = "SELECT 1 FROM division WHERE code = ?1";
static const char SQL_USER_BY_NAME[] =
    "SELECT id, password_hash, role, scope, coalesce(household_id, 0), display_name, disabled,"
    " state FROM app_user WHERE username = ?1";

Error *account_store_user_insert(Store *st, Arena *a, const UserInput *in, const char *hash,
                                 const char *role, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_INSERT);

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
            return error_conflict(a, NULL, "account_exists", "该居民已开通账号；如忘记密码，请为其重置密码");
        if (store_error_mentions(st, "app_user.household_id"))
            return error_conflict(a, "shared", "account_exists", "该户已开通共用账号；如忘记密码，请为其重置密码");
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
    u = arena_zalloc(a, sizeof(StoredUser));
    u->user.id = store_column_int64(s, 0);
    u->user.username = arena_strdup(a, username);
    u->password_hash = store_column_text(s, a, 1);
    u->role_name = store_column_text(s, a, 2);
    u->user.scope = store_column_text(s, a, 3);
    u->user.household_id = store_column_int64(s, 4);
    u->user.display_name = store_column_text(s, a, 5);
    u->disabled = store_column_int64(s, 6) != 0;
    u->state = store_column_text(s, a, 7);
    store_reset(s);
    *ret = u;
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
