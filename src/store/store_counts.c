/*
 * CountRows: the shape grouped counts travel in between a module's store
 * and src/analytics (store_counts.h).
 */
#include <string.h>

#include "store/store_counts.h"
#include "core/banned.h"

CountRow *count_rows_add(Arena *a, CountRows *rows)
{
    CountRow *r;

    if (!rows->cap) {
        rows->cap = 64;
        rows->v = arena_alloc(a, rows->cap * sizeof(*rows->v));
    }
    rows->v = arena_grow(a, rows->v, rows->n, &rows->cap, sizeof(*rows->v));
    r = &rows->v[rows->n++];
    memset(r, 0, sizeof(*r));
    r->community = r->key = r->label = "";
    return r;
}

static const char *text_or_empty(StoreStmt *s, Arena *a, int col)
{
    const char *t = store_column_is_null(s, col) ? NULL : store_column_text(s, a, col);

    return t ? t : "";
}

Error *store_count_rows(Store *st, Arena *a, StoreStmt *s, CountRows *out)
{
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        CountRow *row = count_rows_add(a, out);
        int cols = store_column_count(s);

        row->community = text_or_empty(s, a, 0);
        row->key = text_or_empty(s, a, 1);
        row->label = text_or_empty(s, a, 2);
        for (int c = 3; c < cols && c - 3 < COUNT_ROW_MAX; c++)
            row->n[c - 3] = store_column_is_null(s, c) ? 0 : store_column_int64(s, c);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}
