#pragma once
/*
 * A process-wide cache of recently used sessions, so that most requests
 * authenticate with one look at a version number instead of the session
 * and its user. An entry is kept under the sessions' data version (the
 * 'session' row of data_version, schema 26), which every ended session and
 * every change to what a user may do raises in its own transaction, on any
 * server: an entry is given back only while that version is unchanged, so
 * a sign-out, a disabled account or a new role on one server holds on
 * every other at the next request. Entries are also read again after
 * SESSION_CACHE_FRESH_MS; a session's expiry is always honoured exactly.
 * Thread-safe.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/crypto.h"
#include "http/request.h"

#define SESSION_CACHE_FRESH_MS 30000

/*
 * A copy of the cached user in @a, or NULL on a miss, a stale entry or one
 * put under another @version.
 */
User *session_cache_get(const uint8_t hash[CRYPTO_HASH_BYTES], int64_t version, int64_t now_ms,
                        Arena *a);
/* Keeps @u under @version, which the caller read before it read @u. */
void session_cache_put(const uint8_t hash[CRYPTO_HASH_BYTES], const User *u, int64_t expires_ms,
                       int64_t version, int64_t now_ms);
void session_cache_drop(const uint8_t hash[CRYPTO_HASH_BYTES]);
/* Drops every entry of @user_id. */
void session_cache_drop_user(int64_t user_id);
