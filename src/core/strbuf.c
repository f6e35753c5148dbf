#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/banned.h"


void strbuf_init(StrBuf *sb, Arena *a, size_t max)
{
    sb->arena = a;
    sb->cap = max < 64 ? max : 64;
    sb->buf = arena_alloc(a, sb->cap + 1);
    sb->buf[0] = '\0';
    sb->len = 0;
    sb->max = max;
    sb->overflow = false;
}

static bool reserve(StrBuf *sb, size_t n)
{
    size_t want = sb->len + n;
    size_t cap;
    char *nb;

    if (want <= sb->cap)
        return true;
    if (want > sb->max) {
        sb->overflow = true;
        return false;
    }
    cap = sb->cap ? sb->cap : 64;
    while (cap < want)
        cap *= 2;
    if (cap > sb->max)
        cap = sb->max;
    nb = arena_alloc(sb->arena, cap + 1);
    memcpy(nb, sb->buf, sb->len + 1);
    sb->buf = nb;
    sb->cap = cap;
    return true;
}

void strbuf_add_grow(StrBuf *sb, const char *s, size_t n)
{
    if (sb->overflow || !reserve(sb, n))
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_adds(StrBuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (sb->overflow)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *strbuf_finish(StrBuf *sb, size_t *ret_len)
{
    if (sb->overflow)
        return NULL;
    if (ret_len)
        *ret_len = sb->len;
    return sb->buf;
}
