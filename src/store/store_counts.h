#pragma once
/*
 * Grouped counts across modules: the rows a module's "counts by community"
 * function returns (registry's residents by age band, cases by category,
 * bookings by room kind ...), read by src/analytics without reaching into
 * the module's tables. Each function documents what its key and counts mean.
 */
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define COUNT_ROW_MAX 12

typedef struct CountRow {
    const char *community;   /* 12-digit code ("" when the row is not a community's) */
    const char *key;         /* what is counted: a gender, a tag, a category code; "" when one */
    const char *label;       /* the key for people, or "" */
    int64_t n[COUNT_ROW_MAX]; /* the counts, in the function's order */
} CountRow;

typedef struct CountRows {
    CountRow *v;
    size_t n, cap;
} CountRows;

/* Appends a zeroed row (in @a) and returns it. */
CountRow *count_rows_add(Arena *a, CountRows *rows);

/*
 * Steps @s to its end, a row per result row: column 0 the community, 1 the
 * key, 2 the label (NULL reads as ""), the rest (at most COUNT_ROW_MAX)
 * integer counts. Resets @s.
 */
Error *store_count_rows(Store *st, Arena *a, StoreStmt *s, CountRows *out);
