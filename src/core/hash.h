#pragma once
/*
 * The hash of linli's in-memory tables (terms, synonyms, rate limits):
 * FNV-1a's steps, each byte xored in and the FNV prime multiplied, from
 * linli's long-standing start value. Hashes are never stored or sent.
 */
#include <stddef.h>
#include <stdint.h>

#define HASH_START 1469598103934665603ull
#define HASH_PRIME 1099511628211ull

static inline uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = HASH_START;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * HASH_PRIME;
    return h;
}

/* hash_bytes() of NUL-terminated @s. */
static inline uint64_t hash_string(const char *s)
{
    uint64_t h = HASH_START;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * HASH_PRIME;
    return h;
}
