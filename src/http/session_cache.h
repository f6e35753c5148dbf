#pragma once
/*
 * A process-wide cache of recently used sessions, so that most requests
 * authenticate without touching the database. An entry is trusted for
 * SESSION_CACHE_FRESH_MS, then read again from the database (a session
 * ended by another process is honoured within that time); logout drops it
 * at once; a session's expiry is always honoured exactly. Thread-safe.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/crypto.h"
#include "http/request.h"

#define SESSION_CACHE_FRESH_MS 30000

/* A copy of the cached user in @a, or NULL on a miss or a stale entry. */
User *session_cache_get(const uint8_t hash[CRYPTO_HASH_BYTES], int64_t now_ms, Arena *a);
void session_cache_put(const uint8_t hash[CRYPTO_HASH_BYTES], const User *u, int64_t expires_ms,
                       int64_t now_ms);
void session_cache_drop(const uint8_t hash[CRYPTO_HASH_BYTES]);
/* Drops every entry of @user_id. */
void session_cache_drop_user(int64_t user_id);
