/*
 * Blocks are chained; a request that allocates little uses only the first
 * one, so a request costs one malloc. Large allocations get a block of their
 * own so the current block's free space is not wasted.
 */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/banned.h"


#define ALIGN 16

typedef struct Block {
    struct Block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    max_align_t data[];
} Block;

typedef struct Cleanup {
    struct Cleanup *next;
    ArenaCleanup fn;
    void *data;
} Cleanup;

struct Arena {
    Block *head;      /* current block, newest first */
    Block *first;     /* kept by arena_reset */
    Cleanup *cleanups;
    size_t total;     /* bytes handed out */
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (!p) {
        fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"out of memory allocating %zu bytes\"}\n", n);
        abort();
    }
    return p;
}

static Block *block_new(size_t size)
{
    Block *b = xmalloc(sizeof(Block) + size);

    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

Arena *arena_new(size_t first_block)
{
    Arena *a = xmalloc(sizeof(Arena));

    if (first_block == 0)
        first_block = 8192;
    a->first = block_new(first_block);
    a->head = a->first;
    a->cleanups = NULL;
    a->total = 0;
    return a;
}

static void run_cleanups(Arena *a)
{
    while (a->cleanups) {
        Cleanup *c = a->cleanups;

        a->cleanups = c->next;
        c->fn(c->data);
    }
}

void arena_free(Arena *a)
{
    if (!a)
        return;
    run_cleanups(a);
    for (Block *b = a->head; b;) {
        Block *next = b->next;

        free(b);
        b = next;
    }
    free(a);
}

void arena_reset(Arena *a)
{
    run_cleanups(a);
    for (Block *b = a->head; b;) {
        Block *next = b->next;

        if (b != a->first)
            free(b);
        b = next;
    }
    a->head = a->first;
    a->first->next = NULL;
    a->first->used = 0;
    a->total = 0;
}

void *arena_alloc(Arena *a, size_t size)
{
    Block *b = a->head;
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);

    if (need < size) {
        fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"arena allocation overflow\"}\n");
        abort();
    }
    if (b->size - b->used < need) {
        size_t grow = b->size * 2;

        if (need > grow / 2) {
            /* a big one gets a block of its own behind the current one */
            Block *big = block_new(need);

            big->used = need;
            big->next = b->next;
            b->next = big;
            a->total += need;
            return big->data;
        }
        if (grow > 1024 * 1024)
            grow = 1024 * 1024;
        if (grow < need)
            grow = need;
        b = block_new(grow);
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;

    b->used += need;
    a->total += need;
    return p;
}

void *arena_zalloc(Arena *a, size_t size)
{
    void *p = arena_alloc(a, size);

    memset(p, 0, size);
    return p;
}

void *arena_grow(Arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    void *more;

    if (n < *cap)
        return items;
    more = arena_alloc(a, 2 * *cap * size);
    memcpy(more, items, n * size);
    *cap *= 2;
    return more;
}

void *arena_memdup(Arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n ? n : 1);

    if (n)
        memcpy(q, p, n);
    return q;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *q;

    if (!s)
        return NULL;
    q = arena_alloc(a, n + 1);
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *arena_strdup(Arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vsprintf(Arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *s;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return arena_strdup(a, "");
    s = arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *arena_sprintf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

void arena_defer(Arena *a, ArenaCleanup fn, void *data)
{
    Cleanup *c = arena_alloc(a, sizeof(Cleanup));

    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t arena_used(const Arena *a)
{
    return a->total;
}
