/*
 * A small seeded random stream (splitmix64) for synthetic data: the demo's
 * months of history come out the same for the same seed, on every machine.
 * Not for anything secret: core/crypto makes tokens and codes.
 */
#ifndef LINLI_CORE_RNG_H
#define LINLI_CORE_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Rng {
    uint64_t s;
} Rng;

static inline uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* 0 .. @n - 1 (@n > 0) */
static inline int rng_int(Rng *r, int n)
{
    return (int)(rng_next(r) % (uint64_t)n);
}

/* true with probability @p */
static inline bool rng_chance(Rng *r, double p)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0 < p;
}

/*
 * A minute of the day (0..1439, local time) at which people report a
 * problem or ask a question: mostly the working day and the evening, fewer
 * early in the morning and late in the evening, none from 23:00 to 07:00;
 * on a weekend (@weekend) later mornings and more of the afternoon.
 */
static inline int rng_waking_minute(Rng *r, bool weekend)
{
    /* weights per hour 0..23, out of their sum */
    static const unsigned char weekday[24] = { 0, 0, 0, 0, 0, 0, 0, 6, 12, 14, 12, 9,
                                               6, 7, 10, 10, 9, 8, 9, 11, 10, 7, 4, 0 };
    static const unsigned char weekend_w[24] = { 0, 0, 0, 0, 0, 0, 0, 2, 7, 11, 12, 10,
                                                 8, 8, 10, 11, 10, 9, 8, 9, 9, 7, 4, 0 };
    const unsigned char *w = weekend ? weekend_w : weekday;
    int sum = 0, x, h;

    for (h = 0; h < 24; h++)
        sum += w[h];
    x = rng_int(r, sum);
    for (h = 0; h < 23 && x >= w[h]; h++)
        x -= w[h];
    return h * 60 + rng_int(r, 60);
}

#endif
