#include "http/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/hash.h"
#include "core/banned.h"

#define SLOTS 1024 /* a power of two; filled to 3/4 at most */

typedef struct Entry {
    uint64_t hash;
    int64_t version;
    bool used; /* given back since the clock hand last passed */
    char day[11];
    size_t key_len;
    size_t len;
    char data[]; /* the key, then the body */
} Entry;

typedef struct Cache {
    Entry *slots[SLOTS];
    size_t n;
    size_t bytes;
    size_t hand; /* the clock's hand: the next slot looked at for eviction */
} Cache;

static _Thread_local Cache *tl_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    Cache *c = p;

    for (size_t i = 0; i < SLOTS; i++)
        free(c->slots[i]);
    free(c);
}

static void cache_key_init(void)
{
    pthread_key_create(&cache_key, cache_free);
}

static Cache *cache_of_thread(bool create)
{
    if (tl_cache || !create)
        return tl_cache;
    tl_cache = calloc(1, sizeof(Cache));
    if (!tl_cache)
        abort();
    pthread_once(&cache_once, cache_key_init);
    pthread_setspecific(cache_key, tl_cache); /* freed when the thread ends */
    return tl_cache;
}

/* The slot holding @key, or the empty slot where it would go. */
static size_t find(const Cache *c, const char *key, size_t key_len, uint64_t h)
{
    size_t i = (size_t)h & (SLOTS - 1);

    while (c->slots[i]) {
        const Entry *e = c->slots[i];

        if (e->hash == h && e->key_len == key_len && memcmp(e->data, key, key_len) == 0)
            break;
        i = (i + 1) & (SLOTS - 1);
    }
    return i;
}

bool cache_get(const char *key, size_t key_len, int64_t version, const char day[11], Arena *a,
               const void **ret_body, size_t *ret_len)
{
    Cache *c = cache_of_thread(false);
    Entry *e;

    if (!c)
        return false;
    e = c->slots[find(c, key, key_len, hash_bytes(key, key_len))];
    if (!e || e->version != version || memcmp(e->day, day, sizeof(e->day)) != 0)
        return false;
    e->used = true;
    *ret_body = arena_memdup(a, e->data + e->key_len, e->len);
    *ret_len = e->len;
    return true;
}

size_t cache_count(size_t *ret_bytes)
{
    Cache *c = cache_of_thread(false);

    if (ret_bytes)
        *ret_bytes = c ? c->bytes : 0;
    return c ? c->n : 0;
}

void cache_clear(void)
{
    Cache *c = cache_of_thread(false);

    if (!c)
        return;
    for (size_t i = 0; i < SLOTS; i++) {
        free(c->slots[i]);
        c->slots[i] = NULL;
    }
    c->n = 0;
    c->bytes = 0;
    c->hand = 0;
}

static size_t entry_size(const Entry *e)
{
    return sizeof(Entry) + e->key_len + e->len;
}

/*
 * Empties slot @i and closes the gap (backward-shift deletion): each entry
 * after it in the run moves back unless its home slot lies between the gap
 * and where it sits, so that every probe chain stays whole.
 */
static void remove_at(Cache *c, size_t i)
{
    size_t j = i;

    c->bytes -= entry_size(c->slots[i]);
    c->n--;
    free(c->slots[i]);
    c->slots[i] = NULL;
    for (;;) {
        size_t home;

        j = (j + 1) & (SLOTS - 1);
        if (!c->slots[j])
            return;
        home = (size_t)c->slots[j]->hash & (SLOTS - 1);
        /* stays when home is cyclically within (i, j] */
        if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
        c->slots[i] = c->slots[j];
        c->slots[j] = NULL;
        i = j;
    }
}

/*
 * Forgets one answer, the clock way: the hand passes over answers given back
 * since it last came by (and clears their mark) and takes the first one that
 * was not, so that answers in use stay while one-off ones go.
 */
static void evict_one(Cache *c)
{
    for (size_t step = 0; step < 2 * SLOTS + 1; step++) {
        Entry *e = c->slots[c->hand];

        if (e && !e->used) {
            remove_at(c, c->hand); /* an entry may move into the hand's slot: looked at next */
            return;
        }
        if (e)
            e->used = false;
        c->hand = (c->hand + 1) & (SLOTS - 1);
    }
}

void cache_put(const char *key, size_t key_len, int64_t version, const char day[11],
               const void *body, size_t len)
{
    Cache *c;
    uint64_t h = hash_bytes(key, key_len);
    size_t i, size = sizeof(Entry) + key_len + len;
    Entry *e;

    if (len > CACHE_MAX_BODY)
        return;
    c = cache_of_thread(true);
    i = find(c, key, key_len, h);
    if (c->slots[i]) /* an older answer to the same request */
        remove_at(c, i);
    while (c->n > 0 && (c->n + 1 > SLOTS * 3 / 4 || c->bytes + size > CACHE_MAX_BYTES))
        evict_one(c);
    i = find(c, key, key_len, h);
    e = malloc(size);
    if (!e)
        return;
    e->hash = h;
    e->version = version;
    e->used = false;
    memcpy(e->day, day, sizeof(e->day));
    e->key_len = key_len;
    e->len = len;
    memcpy(e->data, key, key_len);
    memcpy(e->data + key_len, body, len);
    c->slots[i] = e;
    c->n++;
    c->bytes += size;
}
