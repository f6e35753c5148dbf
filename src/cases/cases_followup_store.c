/*
 * The reporter's follow-up: urges, at most one a case and Beijing day,
 * limited by case_urge's primary key inside the write transaction.
 */
#include "cases/cases.h"
#include "core/banned.h"

static const char SQL_URGE_INSERT[] =
    "INSERT INTO case_urge (case_id, day, user_id, at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_URGE_LAST[] = "SELECT coalesce(max(at), 0) FROM case_urge WHERE case_id = ?1";

Error *cases_store_urge(Store *st, Arena *a, int64_t id, int64_t user_id, const char *day,
                        int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_URGE_INSERT);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, day);
    store_bind_int64(s, 3, user_id);
    store_bind_int64(s, 4, now_ms);
    switch (store_step(s)) {
    case STORE_DONE:
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_new(a, 429, NULL, "urge_limited",
                         "今天已经催办过了，社区会尽快处理；每天只能催办一次，请明天再试");
    default:
        return store_error(st, a);
    }
}

Error *cases_store_last_urge(Store *st, Arena *a, int64_t id, int64_t *ret_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_URGE_LAST);

    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_ms = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}
