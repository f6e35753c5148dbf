#pragma once
/*
 * JsonW: writes JSON text straight into a StrBuf, for hot read paths where
 * building jansson objects and dumping them costs more than the query. The
 * output is byte for byte what json_dumps(..., JSON_COMPACT) writes for the
 * same values in the same order (tests/unit/test_jsonw.c checks it): UTF-8
 * passed through, `"` `\` and control characters escaped. Parsing stays with
 * jansson.
 *
 * Like StrBuf no call fails: a string that is not valid UTF-8 (which jansson
 * refuses too) or output past the maximum makes jsonw_finish() return NULL.
 * Nesting is at most JSONW_MAX_DEPTH levels.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/strbuf.h"

#define JSONW_MAX_DEPTH 32

typedef struct JsonW {
    StrBuf sb;
    uint32_t has_member;  /* bit d: the container at depth d already has a member */
    int depth;
    bool after_key;       /* the next value follows "key": */
    bool bad;             /* invalid UTF-8 or nesting */
} JsonW;

void jsonw_init(JsonW *w, Arena *a, size_t max);

void jsonw_object(JsonW *w);
void jsonw_object_end(JsonW *w);
void jsonw_array(JsonW *w);
void jsonw_array_end(JsonW *w);
/* The key of the next member of the current object. */
void jsonw_key(JsonW *w, const char *key);

/* Values: in an array or after jsonw_key. A NULL string writes null. */
void jsonw_string(JsonW *w, const char *s);
void jsonw_stringn(JsonW *w, const char *s, size_t n);
void jsonw_int(JsonW *w, int64_t v);
void jsonw_bool(JsonW *w, bool v);
void jsonw_null(JsonW *w);

/* A key and its value in one call. */
void jsonw_kstring(JsonW *w, const char *key, const char *s);
void jsonw_kint(JsonW *w, const char *key, int64_t v);

/* The text, owned by the arena; NULL if a string was invalid or it overflowed. */
const char *jsonw_finish(JsonW *w, size_t *ret_len);

/* Decimal digits of @v into @buf (at least 21 bytes), not terminated; returns the length. */
size_t jsonw_format_int(char *buf, int64_t v);
