#include "core/jsonw.h"

#include <string.h>
#include "core/banned.h"

void jsonw_init(JsonW *w, Arena *a, size_t max)
{
    strbuf_init(&w->sb, a, max);
    w->has_member = 0;
    w->depth = 0;
    w->after_key = false;
    w->bad = false;
}

/* The separator before a value: none after a key, a comma after a sibling. */
static void value_start(JsonW *w)
{
    uint32_t bit = 1u << w->depth;

    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0 && (w->has_member & bit))
        strbuf_addc(&w->sb, ',');
    w->has_member |= bit;
}

static void container_open(JsonW *w, char c)
{
    value_start(w);
    strbuf_addc(&w->sb, c);
    if (w->depth + 1 >= JSONW_MAX_DEPTH) {
        w->bad = true;
        return;
    }
    w->depth++;
    w->has_member &= ~(1u << w->depth);
}

static void container_close(JsonW *w, char c)
{
    strbuf_addc(&w->sb, c);
    if (w->depth > 0)
        w->depth--;
}

void jsonw_object(JsonW *w)
{
    container_open(w, '{');
}

void jsonw_object_end(JsonW *w)
{
    container_close(w, '}');
}

void jsonw_array(JsonW *w)
{
    container_open(w, '[');
}

void jsonw_array_end(JsonW *w)
{
    container_close(w, ']');
}

/* The length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;

    if (c < 0xC2 || c > 0xF4)
        return 0; /* continuation byte, overlong 2-byte lead, or beyond U+10FFFF */
    len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > n)
        return 0;
    cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* 1 for the ASCII bytes that JSON writes as they are. */
static const unsigned char plain_ascii[128] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7F] = 1,
};

static void escaped(JsonW *w, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF"; /* as jansson writes them */
    const unsigned char *s = (const unsigned char *)str;
    size_t done = 0; /* s[done .. i) needs no escape and is not yet copied */
    size_t i = 0;

    strbuf_addc(&w->sb, '"');
    while (i < n) {
        unsigned char c = s[i];
        char esc[6];
        size_t k;

        if (c < 0x80) {
            if (plain_ascii[c]) {
                i++;
                continue;
            }
        } else {
            /* the common case in Chinese text: a well-formed three-byte character */
            if (c >= 0xE1 && c <= 0xEC && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 &&
                (s[i + 2] & 0xC0) == 0x80) {
                i += 3;
                continue;
            }
            k = utf8_seq(s + i, n - i);
            if (!k) {
                w->bad = true;
                return;
            }
            i += k;
            continue;
        }
        strbuf_add(&w->sb, str + done, i - done);
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; k = 2; break;
        case '\\': esc[1] = '\\'; k = 2; break;
        case '\b': esc[1] = 'b'; k = 2; break;
        case '\f': esc[1] = 'f'; k = 2; break;
        case '\n': esc[1] = 'n'; k = 2; break;
        case '\r': esc[1] = 'r'; k = 2; break;
        case '\t': esc[1] = 't'; k = 2; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        strbuf_add(&w->sb, esc, k);
        i++;
        done = i;
    }
    strbuf_add(&w->sb, str + done, n - done);
    strbuf_addc(&w->sb, '"');
}

void jsonw_key(JsonW *w, const char *key)
{
    uint32_t bit = 1u << w->depth;
    size_t n = strlen(key);
    size_t i = 0;

    if (w->has_member & bit)
        strbuf_addc(&w->sb, ',');
    w->has_member |= bit;
    /* keys are nearly always plain ASCII names: written whole */
    while (i < n && (unsigned char)key[i] < 0x80 && plain_ascii[(unsigned char)key[i]])
        i++;
    if (i == n) {
        strbuf_addc(&w->sb, '"');
        strbuf_add(&w->sb, key, n);
        strbuf_add(&w->sb, "\":", 2);
    } else {
        escaped(w, key, n);
        strbuf_addc(&w->sb, ':');
    }
    w->after_key = true;
}

void jsonw_stringn(JsonW *w, const char *s, size_t n)
{
    value_start(w);
    escaped(w, s, n);
}

void jsonw_string(JsonW *w, const char *s)
{
    if (!s) {
        jsonw_null(w);
        return;
    }
    jsonw_stringn(w, s, strlen(s));
}

size_t jsonw_format_int(char *buf, int64_t v)
{
    char tmp[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    return len;
}

void jsonw_int(JsonW *w, int64_t v)
{
    char buf[24];

    value_start(w);
    strbuf_add(&w->sb, buf, jsonw_format_int(buf, v));
}

void jsonw_bool(JsonW *w, bool v)
{
    value_start(w);
    strbuf_adds(&w->sb, v ? "true" : "false");
}

void jsonw_null(JsonW *w)
{
    value_start(w);
    strbuf_add(&w->sb, "null", 4);
}

void jsonw_kstring(JsonW *w, const char *key, const char *s)
{
    jsonw_key(w, key);
    jsonw_string(w, s);
}

void jsonw_kint(JsonW *w, const char *key, int64_t v)
{
    jsonw_key(w, key);
    jsonw_int(w, v);
}

const char *jsonw_finish(JsonW *w, size_t *ret_len)
{
    if (w->bad)
        return NULL;
    return strbuf_finish(&w->sb, ret_len);
}
