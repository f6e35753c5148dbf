#pragma once
/*
 * StrBuf: a string that grows inside an arena up to a maximum set at init.
 *
 * No append fails: passing the maximum sets a sticky flag that
 * strbuf_finish() reports once (SQLite's StrAccum, curl's dynbuf). The
 * contents are always NUL-terminated.
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct StrBuf {
    Arena *arena;
    char *buf;
    size_t len;
    size_t cap;
    size_t max;     /* bytes, not counting the NUL */
    bool overflow;  /* an append was cut at max */
} StrBuf;

void strbuf_init(StrBuf *sb, Arena *a, size_t max);
/* The growing path of strbuf_add; call strbuf_add. */
void strbuf_add_grow(StrBuf *sb, const char *s, size_t n);

/* Inline: writers such as core/jsonw append a few bytes at a time. */
static inline void strbuf_add(StrBuf *sb, const char *s, size_t n)
{
    if (__builtin_expect(!sb->overflow && n <= sb->cap - sb->len, 1)) {
        __builtin_memcpy(sb->buf + sb->len, s, n);
        sb->len += n;
        sb->buf[sb->len] = '\0';
        return;
    }
    strbuf_add_grow(sb, s, n);
}

static inline void strbuf_addc(StrBuf *sb, char c)
{
    if (__builtin_expect(!sb->overflow && sb->len < sb->cap, 1)) {
        sb->buf[sb->len++] = c;
        sb->buf[sb->len] = '\0';
        return;
    }
    strbuf_add_grow(sb, &c, 1);
}

void strbuf_adds(StrBuf *sb, const char *s);
void strbuf_addf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the string (owned by the arena), or NULL if it overflowed. */
const char *strbuf_finish(StrBuf *sb, size_t *ret_len);
