#include "core/mask.h"

#include <string.h>
#include "core/banned.h"


static char *mask_middle(Arena *a, const char *s, size_t keep_head, size_t keep_tail)
{
    size_t len = strlen(s);
    char *out;

    if (len <= keep_head + keep_tail) {
        out = arena_strndup(a, "****", len < 4 ? (len ? len : 1) : 4);
        return out;
    }
    out = arena_alloc(a, len + 1);
    memcpy(out, s, keep_head);
    memset(out + keep_head, '*', len - keep_head - keep_tail);
    memcpy(out + len - keep_tail, s + len - keep_tail, keep_tail);
    out[len] = '\0';
    return out;
}

char *mask_id_number(Arena *a, const char *id)
{
    return id ? mask_middle(a, id, 3, 4) : NULL;
}

char *mask_phone(Arena *a, const char *phone)
{
    char digits[16];
    size_t n = 0;

    if (!phone)
        return NULL;
    for (const char *p = phone; *p && n < sizeof(digits) - 1; p++)
        if (*p != '-')
            digits[n++] = *p;
    digits[n] = '\0';
    if (n <= 7)
        return mask_middle(a, digits, 0, n > 2 ? 2 : 0);
    return arena_sprintf(a, "%.3s****%s", digits, digits + n - 4);
}

char *mask_name(Arena *a, const char *name)
{
    size_t first;
    size_t rest = 0;
    char *out;

    if (!name || !*name)
        return arena_strdup(a, name ? name : "");
    first = 1;
    while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    for (const char *p = name + first; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            rest++;
    if (rest == 0)
        rest = 1;
    out = arena_alloc(a, first + rest + 1);
    memcpy(out, name, first);
    memset(out + first, '*', rest);
    out[first + rest] = '\0';
    return out;
}
