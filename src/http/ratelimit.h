#pragma once
/*
 * RateLimit: counts failures per key (a user, a username and address) in a
 * fixed window, or as a back-off. Thread-safe; memory is bounded (the
 * entries failed longest ago are evicted).
 */
#include <stdbool.h>
#include <stdint.h>

typedef struct RateLimit RateLimit;

/* The window in which a user's whole-number resident searches that miss are counted. */
#define REGISTRY_SEARCH_WINDOW_MS (3600LL * 1000)
/* The window in which a user's read-aloud syntheses are counted (tts/tts.h). */
#define TTS_LIMIT_WINDOW_MS (10LL * 60 * 1000)

RateLimit *ratelimit_new(int64_t window_ms);
void ratelimit_free(RateLimit *rl);

/* True if @key has had @max_failures failures in the current window. */
bool ratelimit_blocked(RateLimit *rl, const char *key, int max_failures, int64_t now_ms);
void ratelimit_fail(RateLimit *rl, const char *key, int64_t now_ms);
void ratelimit_clear(RateLimit *rl, const char *key);

/*
 * Back-off: after @free failures of @key, each further attempt waits
 * @base_ms, doubled for every failure beyond @free, at most the window.
 * Failures are forgotten RATELIMIT_MEMORY windows after the latest one.
 * Returns how long @key must still wait (0: it may try now).
 */
#define RATELIMIT_MEMORY 4
int64_t ratelimit_backoff_ms(RateLimit *rl, const char *key, int free, int64_t base_ms, int64_t now_ms);
void ratelimit_backoff_fail(RateLimit *rl, const char *key, int64_t now_ms);
