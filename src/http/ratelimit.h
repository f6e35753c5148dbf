#pragma once
/*
 * RateLimit: counts failures per key (a username, an address) in a fixed
 * window. Thread-safe; memory is bounded (the oldest windows are evicted).
 */
#include <stdbool.h>
#include <stdint.h>

typedef struct RateLimit RateLimit;

RateLimit *ratelimit_new(int64_t window_ms);
void ratelimit_free(RateLimit *rl);

/* True if @key has had @max_failures failures in the current window. */
bool ratelimit_blocked(RateLimit *rl, const char *key, int max_failures, int64_t now_ms);
void ratelimit_fail(RateLimit *rl, const char *key, int64_t now_ms);
void ratelimit_clear(RateLimit *rl, const char *key);
