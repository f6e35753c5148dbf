#pragma once
/*
 * RateLimit: counts failures per key (a user, a username and address) in a
 * fixed window, or as a back-off. The counts live in the database's
 * rate_limit table (schema 26), not in the process, so that a limit holds
 * however many `linli serve` processes share the database: five wrong
 * passwords spread over two servers are five. Each call is one statement
 * on the caller's connection; the writes are single upserts that need no
 * transaction of their own (two servers counting at once both count).
 *
 * A write inside a transaction the caller later rolls back is lost with
 * it: count a failure after the rollback. A write inside a request's read
 * snapshot must end the read first (request_end_read).
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

/* A limiter: its name (part of every key it stores) and its window. */
typedef struct RateLimit {
    const char *name;
    int64_t window_ms;
} RateLimit;

/* The window in which a user's whole-number resident searches that miss are counted. */
#define REGISTRY_SEARCH_WINDOW_MS (3600LL * 1000)
/* The window in which a user's read-aloud syntheses are counted (tts/tts.h). */
#define TTS_LIMIT_WINDOW_MS (10LL * 60 * 1000)
/* Keys are cut to this many bytes. */
#define RATELIMIT_KEY_MAX 160

/* *@ret: true if @key has had @max_failures failures in the current window. */
Error *ratelimit_blocked(Store *st, Arena *a, const RateLimit *rl, const char *key,
                         int max_failures, int64_t now_ms, bool *ret);
/* Counts a failure of @key (a new window starts when the last one has passed). */
Error *ratelimit_fail(Store *st, Arena *a, const RateLimit *rl, const char *key, int64_t now_ms);
/* Forgets @key's failures. */
Error *ratelimit_clear(Store *st, Arena *a, const RateLimit *rl, const char *key);

/*
 * Back-off: after @free failures of @key, each further attempt waits
 * @base_ms, doubled for every failure beyond @free, at most the window.
 * Failures are forgotten RATELIMIT_MEMORY windows after the latest one.
 * *@ret_wait_ms: how long @key must still wait (0: it may try now).
 */
#define RATELIMIT_MEMORY 4
Error *ratelimit_backoff_ms(Store *st, Arena *a, const RateLimit *rl, const char *key, int free,
                            int64_t base_ms, int64_t now_ms, int64_t *ret_wait_ms);
Error *ratelimit_backoff_fail(Store *st, Arena *a, const RateLimit *rl, const char *key,
                              int64_t now_ms);

/* Deletes the rows that no longer matter at @now_ms (every failure counted does); how many, or -1. */
int64_t ratelimit_purge(Store *st, Arena *a, int64_t now_ms);
