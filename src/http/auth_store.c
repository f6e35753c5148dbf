#include <string.h>

#include "core/timeutil.h"
#include "http/auth.h"
#include "http/session_cache.h"
#include "core/banned.h"

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO session (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_SESSION_DELETE[] = "DELETE FROM session WHERE token_hash = ?1";
static const char SQL_SESSION_USER[] =
    "SELECT u.id, u.username, u.display_name, u.role, u.scope, coalesce(u.household_id, 0),"
    " s.expires_at, u.state = 'pending' FROM session s JOIN app_user u ON u.id = s.user_id"
    " WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0"
    " AND u.state IN ('active', 'pending')";
static const char SQL_SESSION_DELETE_USER[] =
    "DELETE FROM session WHERE user_id = ?1 AND token_hash IS DISTINCT FROM ?2";
static const char SQL_SESSION_PURGE[] = "DELETE FROM session WHERE expires_at <= ?1";

Error *auth_session_create(Store *st, Arena *a, int64_t user_id, int64_t ttl_ms,
                           char ret_token[CRYPTO_TOKEN_CHARS + 1], int64_t *ret_expires_ms)
{
    uint8_t hash[CRYPTO_HASH_BYTES];
    int64_t now = time_now_ms();
    StoreStmt *s;

    crypto_token_new(ret_token);
    crypto_token_hash(ret_token, hash);
    s = store_prepare(st, a, SQL_SESSION_INSERT);
    store_bind_blob(s, 1, hash, sizeof(hash));
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, now);
    store_bind_int64(s, 4, now + ttl_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_expires_ms = now + ttl_ms;
    return NULL;
}

Error *auth_session_delete(Store *st, Arena *a, const char *token)
{
    uint8_t hash[CRYPTO_HASH_BYTES];
    StoreStmt *s;

    crypto_token_hash(token, hash);
    session_cache_drop(hash);
    s = store_prepare(st, a, SQL_SESSION_DELETE);
    store_bind_blob(s, 1, hash, sizeof(hash));
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *auth_session_user(Store *st, Arena *a, const char *token, int64_t now_ms, User **ret)
{
    uint8_t hash[CRYPTO_HASH_BYTES];
    int64_t version = 0;
    bool have_version;
    StoreStmt *s;
    User *u;
    Role role;

    crypto_token_hash(token, hash);
    /* read first: a change committed after it makes the entry put below stale, never current */
    have_version = store_data_version(st, a, "session", "", "", &version);
    u = have_version ? session_cache_get(hash, version, now_ms, a) : NULL;
    if (u) {
        *ret = u;
        return NULL;
    }
    s = store_prepare(st, a, SQL_SESSION_USER);
    store_bind_blob(s, 1, hash, sizeof(hash));
    store_bind_int64(s, 2, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
    u = arena_zalloc(a, sizeof(User));
    u->id = store_column_int64(s, 0);
    u->username = store_column_text(s, a, 1);
    u->display_name = store_column_text(s, a, 2);
    if (!role_parse(store_column_text(s, a, 3), &role))
        role = ROLE_RESIDENT;
    u->role = role;
    u->scope = store_column_text(s, a, 4);
    u->household_id = store_column_int64(s, 5);
    u->pending = store_column_int64(s, 7) != 0;
    if (have_version)
        session_cache_put(hash, u, store_column_int64(s, 6), version, now_ms);
    store_reset(s);
    *ret = u;
    return NULL;
}

Error *auth_session_delete_user(Store *st, Arena *a, int64_t user_id, const char *keep_token)
{
    uint8_t hash[CRYPTO_HASH_BYTES];
    StoreStmt *s = store_prepare(st, a, SQL_SESSION_DELETE_USER);

    store_bind_int64(s, 1, user_id);
    if (keep_token) {
        crypto_token_hash(keep_token, hash);
        store_bind_blob(s, 2, hash, sizeof(hash));
    }
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    session_cache_drop_user(user_id);
    return NULL;
}

int64_t auth_session_purge(Store *st, Arena *a, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_SESSION_PURGE);

    store_bind_int64(s, 1, now_ms);
    if (store_step(s) != STORE_DONE)
        return -1;
    store_reset(s);
    return store_changes(st);
}
