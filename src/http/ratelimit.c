#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/banned.h"


#define SLOTS 4096
#define KEY_MAX 96

typedef struct Entry {
    char key[KEY_MAX];
    int failures;
    int64_t window_start_ms;
    int64_t last_ms;         /* the latest failure */
} Entry;

struct RateLimit {
    pthread_mutex_t lock;
    int64_t window_ms;
    Entry entries[SLOTS];
};

RateLimit *ratelimit_new(int64_t window_ms)
{
    RateLimit *rl = calloc(1, sizeof(RateLimit));

    if (!rl)
        abort();
    pthread_mutex_init(&rl->lock, NULL);
    rl->window_ms = window_ms;
    return rl;
}

void ratelimit_free(RateLimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

/* The entry for @key, or the slot to reuse for it (probing 8 slots, evicting the oldest). */
static Entry *find(RateLimit *rl, const char *key, bool create, int64_t now_ms)
{
    size_t base = hash_string(key) % SLOTS;
    Entry *oldest = NULL;

    for (size_t i = 0; i < 8; i++) {
        Entry *e = &rl->entries[(base + i) % SLOTS];

        if (e->key[0] && strncmp(e->key, key, KEY_MAX - 1) == 0)
            return e;
        if (!oldest || !e->key[0] || (oldest->key[0] && e->last_ms < oldest->last_ms))
            oldest = e;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    strncpy(oldest->key, key, KEY_MAX - 1);
    oldest->window_start_ms = now_ms;
    oldest->last_ms = now_ms;
    return oldest;
}

bool ratelimit_blocked(RateLimit *rl, const char *key, int max_failures, int64_t now_ms)
{
    bool blocked = false;
    Entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key, false, now_ms);
    if (e && now_ms - e->window_start_ms < rl->window_ms)
        blocked = e->failures >= max_failures;
    pthread_mutex_unlock(&rl->lock);
    return blocked;
}

void ratelimit_fail(RateLimit *rl, const char *key, int64_t now_ms)
{
    Entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key, true, now_ms);
    if (now_ms - e->window_start_ms >= rl->window_ms) {
        e->window_start_ms = now_ms;
        e->failures = 0;
    }
    e->failures++;
    e->last_ms = now_ms;
    pthread_mutex_unlock(&rl->lock);
}

/* The wait after @failures failures, @free of them without one. */
static int64_t backoff_wait_ms(int failures, int free, int64_t base_ms, int64_t cap_ms)
{
    int64_t wait = base_ms;

    if (failures < free)
        return 0;
    for (int i = free; i < failures && wait < cap_ms; i++)
        wait *= 2;
    return wait < cap_ms ? wait : cap_ms;
}

int64_t ratelimit_backoff_ms(RateLimit *rl, const char *key, int free, int64_t base_ms, int64_t now_ms)
{
    int64_t left = 0;
    Entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key, false, now_ms);
    if (e && now_ms - e->last_ms < RATELIMIT_MEMORY * rl->window_ms) {
        int64_t until = e->last_ms + backoff_wait_ms(e->failures, free, base_ms, rl->window_ms);

        left = until > now_ms ? until - now_ms : 0;
    }
    pthread_mutex_unlock(&rl->lock);
    return left;
}

void ratelimit_backoff_fail(RateLimit *rl, const char *key, int64_t now_ms)
{
    Entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key, true, now_ms);
    if (now_ms - e->last_ms >= RATELIMIT_MEMORY * rl->window_ms)
        e->failures = 0;
    if (e->failures < 1000)
        e->failures++;
    e->last_ms = now_ms;
    pthread_mutex_unlock(&rl->lock);
}

void ratelimit_clear(RateLimit *rl, const char *key)
{
    Entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key, false, 0);
    if (e)
        memset(e, 0, sizeof(*e));
    pthread_mutex_unlock(&rl->lock);
}
