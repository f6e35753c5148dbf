#include "http/session_cache.h"

#include <pthread.h>
#include <string.h>

#include "core/banned.h"

#define SLOTS 4096 /* a power of two */

typedef struct Entry {
    uint8_t hash[CRYPTO_HASH_BYTES];
    bool used;
    int64_t expires_ms;       /* the session's own expiry */
    int64_t fresh_until_ms;   /* read it from the database again after this */
    int64_t version;          /* the sessions' data version it was read under */
    int64_t user_id;
    int64_t household_id;
    bool pending;
    Role role;
    char username[65];
    char display_name[129];
    char scope[24];
} Entry;

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static Entry entries[SLOTS];

static Entry *slot_of(const uint8_t hash[CRYPTO_HASH_BYTES])
{
    uint32_t i;

    memcpy(&i, hash, sizeof(i)); /* the hash is already uniform */
    return &entries[i & (SLOTS - 1)];
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

User *session_cache_get(const uint8_t hash[CRYPTO_HASH_BYTES], int64_t version, int64_t now_ms,
                        Arena *a)
{
    Entry *e = slot_of(hash);
    User *u = NULL;

    pthread_rwlock_rdlock(&lock);
    if (e->used && memcmp(e->hash, hash, CRYPTO_HASH_BYTES) == 0 && now_ms < e->expires_ms &&
        now_ms < e->fresh_until_ms && e->version == version) {
        u = arena_alloc(a, sizeof(User));
        u->id = e->user_id;
        u->household_id = e->household_id;
        u->pending = e->pending;
        u->role = e->role;
        u->username = arena_strdup(a, e->username);
        u->display_name = arena_strdup(a, e->display_name);
        u->scope = arena_strdup(a, e->scope);
    }
    pthread_rwlock_unlock(&lock);
    return u;
}

void session_cache_put(const uint8_t hash[CRYPTO_HASH_BYTES], const User *u, int64_t expires_ms,
                       int64_t version, int64_t now_ms)
{
    Entry *e = slot_of(hash);

    /* a value that would not fit is not cached: the database stays the truth */
    if (strlen(u->username) >= sizeof(e->username) || strlen(u->scope) >= sizeof(e->scope) ||
        strlen(u->display_name) >= sizeof(e->display_name))
        return;
    pthread_rwlock_wrlock(&lock);
    memcpy(e->hash, hash, CRYPTO_HASH_BYTES);
    e->used = true;
    e->expires_ms = expires_ms;
    e->fresh_until_ms = now_ms + SESSION_CACHE_FRESH_MS;
    e->version = version;
    e->user_id = u->id;
    e->household_id = u->household_id;
    e->pending = u->pending;
    e->role = u->role;
    copy(e->username, sizeof(e->username), u->username);
    copy(e->display_name, sizeof(e->display_name), u->display_name);
    copy(e->scope, sizeof(e->scope), u->scope);
    pthread_rwlock_unlock(&lock);
}

void session_cache_drop(const uint8_t hash[CRYPTO_HASH_BYTES])
{
    Entry *e = slot_of(hash);

    pthread_rwlock_wrlock(&lock);
    if (e->used && memcmp(e->hash, hash, CRYPTO_HASH_BYTES) == 0)
        e->used = false;
    pthread_rwlock_unlock(&lock);
}

void session_cache_drop_user(int64_t user_id)
{
    pthread_rwlock_wrlock(&lock);
    for (size_t i = 0; i < SLOTS; i++)
        if (entries[i].used && entries[i].user_id == user_id)
            entries[i].used = false;
    pthread_rwlock_unlock(&lock);
}
