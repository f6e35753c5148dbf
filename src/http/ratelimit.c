/*
 * Rate limits counted in the database (ratelimit.h). Every count is one
 * upsert whose SET reads the row as it was, so two servers failing the same
 * key at once make two failures, never one; a reader sees every failure
 * committed before it asked.
 */
#include "http/ratelimit.h"

#include <string.h>

#include "core/banned.h"

static const char SQL_RATELIMIT_GET[] =
    "SELECT failures, window_start, last_at FROM rate_limit WHERE key = ?1";

/* ?2 now, ?3 the window: a failure after the window starts a new one */
static const char SQL_RATELIMIT_FAIL[] =
    "INSERT INTO rate_limit (key, failures, window_start, last_at, forget_at)"
    " VALUES (?1, 1, ?2, ?2, ?2 + ?3)"
    " ON CONFLICT (key) DO UPDATE SET"
    " failures = CASE WHEN ?2 - rate_limit.window_start >= ?3 THEN 1"
    "                 ELSE rate_limit.failures + 1 END,"
    " window_start = CASE WHEN ?2 - rate_limit.window_start >= ?3 THEN ?2"
    "                     ELSE rate_limit.window_start END,"
    " last_at = ?2,"
    " forget_at = CASE WHEN ?2 - rate_limit.window_start >= ?3 THEN ?2 + ?3"
    "                  ELSE rate_limit.window_start + ?3 END";

/* ?2 now, ?3 how long failures are remembered after the latest */
static const char SQL_RATELIMIT_BACKOFF_FAIL[] =
    "INSERT INTO rate_limit (key, failures, window_start, last_at, forget_at)"
    " VALUES (?1, 1, ?2, ?2, ?2 + ?3)"
    " ON CONFLICT (key) DO UPDATE SET"
    " failures = CASE WHEN ?2 - rate_limit.last_at >= ?3 THEN 1"
    "                 WHEN rate_limit.failures < 1000 THEN rate_limit.failures + 1"
    "                 ELSE rate_limit.failures END,"
    " last_at = ?2, forget_at = ?2 + ?3";

static const char SQL_RATELIMIT_CLEAR[] = "DELETE FROM rate_limit WHERE key = ?1";
static const char SQL_RATELIMIT_PURGE[] = "DELETE FROM rate_limit WHERE forget_at < ?1";

/* "name<US>key", cut to RATELIMIT_KEY_MAX bytes on a UTF-8 boundary. */
static const char *row_key(Arena *a, const RateLimit *rl, const char *key)
{
    char *k = arena_sprintf(a, "%s\x1f%s", rl->name, key);
    size_t n = strlen(k);

    if (n > RATELIMIT_KEY_MAX) {
        n = RATELIMIT_KEY_MAX;
        while (n > 0 && ((unsigned char)k[n] & 0xC0) == 0x80)
            n--;
        k[n] = '\0';
    }
    return k;
}

typedef struct Row {
    bool exists;
    int64_t failures, window_start, last_at;
} Row;

static Error *row_get(Store *st, Arena *a, const RateLimit *rl, const char *key, Row *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_RATELIMIT_GET);

    memset(ret, 0, sizeof(*ret));
    store_bind_text(s, 1, row_key(a, rl, key));
    switch (store_step(s)) {
    case STORE_ROW:
        ret->exists = true;
        ret->failures = store_column_int64(s, 0);
        ret->window_start = store_column_int64(s, 1);
        ret->last_at = store_column_int64(s, 2);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

/* Counts a failure; rows nobody failed for a while go at the same time (no sweep needed). */
static Error *upsert(Store *st, Arena *a, const char *sql, const char *key, int64_t now_ms,
                     int64_t span_ms)
{
    StoreStmt *s = store_prepare(st, a, sql);

    store_bind_text(s, 1, key);
    store_bind_int64(s, 2, now_ms);
    store_bind_int64(s, 3, span_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (ratelimit_purge(st, a, now_ms) < 0)
        return store_error(st, a);
    return NULL;
}

Error *ratelimit_blocked(Store *st, Arena *a, const RateLimit *rl, const char *key,
                         int max_failures, int64_t now_ms, bool *ret)
{
    Row r;
    Error *err = row_get(st, a, rl, key, &r);

    if (err)
        return err;
    *ret = r.exists && now_ms - r.window_start < rl->window_ms && r.failures >= max_failures;
    return NULL;
}

Error *ratelimit_fail(Store *st, Arena *a, const RateLimit *rl, const char *key, int64_t now_ms)
{
    return upsert(st, a, SQL_RATELIMIT_FAIL, row_key(a, rl, key), now_ms, rl->window_ms);
}

Error *ratelimit_clear(Store *st, Arena *a, const RateLimit *rl, const char *key)
{
    StoreStmt *s;
    Row r;
    Error *err = row_get(st, a, rl, key, &r);

    /* every good sign-in clears: a read, not a write, when there is nothing to clear */
    if (err || !r.exists)
        return err;
    s = store_prepare(st, a, SQL_RATELIMIT_CLEAR);
    store_bind_text(s, 1, row_key(a, rl, key));
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* The wait after @failures failures, @free of them without one. */
static int64_t backoff_wait_ms(int64_t failures, int free, int64_t base_ms, int64_t cap_ms)
{
    int64_t wait = base_ms;

    if (failures < free)
        return 0;
    for (int64_t i = free; i < failures && wait < cap_ms; i++)
        wait *= 2;
    return wait < cap_ms ? wait : cap_ms;
}

Error *ratelimit_backoff_ms(Store *st, Arena *a, const RateLimit *rl, const char *key, int free,
                            int64_t base_ms, int64_t now_ms, int64_t *ret_wait_ms)
{
    Row r;
    Error *err = row_get(st, a, rl, key, &r);

    if (err)
        return err;
    *ret_wait_ms = 0;
    if (r.exists && now_ms - r.last_at < RATELIMIT_MEMORY * rl->window_ms) {
        int64_t until = r.last_at + backoff_wait_ms(r.failures, free, base_ms, rl->window_ms);

        *ret_wait_ms = until > now_ms ? until - now_ms : 0;
    }
    return NULL;
}

Error *ratelimit_backoff_fail(Store *st, Arena *a, const RateLimit *rl, const char *key,
                              int64_t now_ms)
{
    return upsert(st, a, SQL_RATELIMIT_BACKOFF_FAIL, row_key(a, rl, key), now_ms,
                  RATELIMIT_MEMORY * rl->window_ms);
}

int64_t ratelimit_purge(Store *st, Arena *a, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_RATELIMIT_PURGE);

    store_bind_int64(s, 1, now_ms);
    if (store_step(s) != STORE_DONE)
        return -1;
    store_reset(s);
    return store_changes(st);
}
