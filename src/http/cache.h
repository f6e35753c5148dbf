#pragma once
/*
 * A per-thread cache of GET answers for the routes marked ROUTE_CACHED.
 *
 * An answer is stored under a key made by the server from the user (id,
 * role, scope, household) and the request (path and query arguments), with
 * the data version and the day it was made under; it is given back only
 * while both are still current. Nothing is shared between threads, so there
 * is no lock; each thread keeps at most CACHE_MAX_BYTES (and 768 answers),
 * and when full forgets answers by the clock algorithm: first those not
 * given back since the clock's hand last passed them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define CACHE_MAX_BYTES (8u * 1024 * 1024)
#define CACHE_MAX_BODY (512u * 1024)

/* The cached body for @key, copied into @a; false when absent or out of date. */
bool cache_get(const char *key, size_t key_len, int64_t version, const char day[11], Arena *a,
               const void **ret_body, size_t *ret_len);
/* Stores a copy of @body (larger than CACHE_MAX_BODY: not stored). */
void cache_put(const char *key, size_t key_len, int64_t version, const char day[11],
               const void *body, size_t len);
/* How many answers this thread keeps, and their bytes (for tests). */
size_t cache_count(size_t *ret_bytes);
/* Forgets this thread's entries (also done when the thread ends). */
void cache_clear(void);
