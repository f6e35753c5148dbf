/*
 * The grids (网格) a grid worker is assigned: user_grid rows, read and
 * replaced as a whole. Only grids of the worker's own community count, so a
 * change of her community leaves no stale assignment in effect.
 */
#include "account/account_store.h"
#include "core/banned.h"

static const char SQL_GRIDS_OF[] =
    "SELECT g.id, g.name, g.community FROM user_grid ug JOIN grid g ON g.id = ug.grid_id"
    " WHERE ug.user_id = ?1 AND g.community = ?2 ORDER BY g.name, g.id";
static const char SQL_GRID_IN[] = "SELECT 1 FROM grid WHERE id = ?1 AND community = ?2";
static const char SQL_GRIDS_CLEAR[] = "DELETE FROM user_grid WHERE user_id = ?1";
static const char SQL_GRID_ADD[] =
    "INSERT INTO user_grid (user_id, grid_id, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT DO NOTHING";

Error *account_store_user_grids(Store *st, Arena *a, int64_t user_id, const char *community,
                                json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_GRIDS_OF);
    StoreResult r;

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "id",
                                               (json_int_t)store_column_int64(s, 0), "name",
                                               store_column_text(s, a, 1), "community",
                                               store_column_text(s, a, 2)));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *account_store_grid_in(Store *st, Arena *a, int64_t grid_id, const char *community, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_GRID_IN);
    StoreResult r;

    store_bind_int64(s, 1, grid_id);
    store_bind_text(s, 2, community);
    r = store_step(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = r == STORE_ROW;
    store_reset(s);
    return NULL;
}

Error *account_store_user_grids_set(Store *st, Arena *a, int64_t user_id, const int64_t *grid_ids,
                                    size_t n, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_GRIDS_CLEAR);

    store_bind_int64(s, 1, user_id);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    for (size_t i = 0; i < n; i++) {
        s = store_prepare(st, a, SQL_GRID_ADD);
        store_bind_int64(s, 1, user_id);
        store_bind_int64(s, 2, grid_ids[i]);
        store_bind_int64(s, 3, now_ms);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
    }
    return NULL;
}
