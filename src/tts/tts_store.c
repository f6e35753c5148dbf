/*
 * The read-aloud cache: audio by the hash of what was spoken, least
 * recently used dropped first once the table passes TTS_CACHE_MAX_BYTES.
 */
#include "tts/tts.h"

#include "store/store.h"
#include "core/banned.h"

static const char SQL_TTS_GET[] =
    "UPDATE tts_audio SET used_at = ?1 WHERE key = ?2 RETURNING audio";

static const char SQL_TTS_PUT[] =
    "INSERT INTO tts_audio (key, mime, audio, bytes, duration_ms, created_at, used_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
    " ON CONFLICT (key) DO UPDATE SET used_at = excluded.used_at";

static const char SQL_TTS_TRIM[] =
    "DELETE FROM tts_audio WHERE key IN (SELECT key FROM (SELECT key, SUM(bytes) OVER"
    " (ORDER BY used_at DESC, key) AS total FROM tts_audio) AS t WHERE total > ?1)";

Error *tts_store_get(Store *st, Arena *a, const char *key, int64_t now_ms, void **ret_audio,
                     size_t *ret_len)
{
    StoreStmt *s = store_prepare(st, a, SQL_TTS_GET);

    store_bind_int64(s, 1, now_ms);
    store_bind_text(s, 2, key);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_audio = store_column_blob(s, a, 0, ret_len);
        store_reset(s); /* the UPDATE ends with its statement */
        return NULL;
    case STORE_DONE:
        *ret_audio = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *tts_store_put(Store *st, Arena *a, const char *key, const char *mime, const void *audio,
                     size_t len, int64_t duration_ms, int64_t now_ms)
{
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_TTS_PUT);
    store_bind_text(s, 1, key);
    store_bind_text(s, 2, mime);
    store_bind_blob(s, 3, audio, len);
    store_bind_int64(s, 4, (int64_t)len);
    store_bind_int64(s, 5, duration_ms);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_DONE)
        goto fail;
    s = store_prepare(st, a, SQL_TTS_TRIM);
    store_bind_int64(s, 1, TTS_CACHE_MAX_BYTES);
    if (store_step(s) != STORE_DONE)
        goto fail;
    return store_commit(st, a);
fail:
    err = store_error(st, a);
    store_rollback(st);
    return err;
}
