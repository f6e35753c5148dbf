/*
 * The work queue's SQL: counts and first items over other modules' tables
 * (cases, booking, assistant_question), read only, and import_log, its own.
 * Each section is one count and one short list on an index of its table
 * (cases_community_state, cases_overdue, booking_community,
 * assistant_question_handoff, import_log_open), so the landing page costs
 * a few milliseconds however long the history.
 */
#include <string.h>

#include "core/timeutil.h"
#include "http/response.h"
#include "workqueue/workqueue.h"
#include "core/banned.h"

/*
 * A grid worker's cases: those of the grids she is assigned (user_grid) in
 * her scope; with none assigned, all of her community's.
 */
#define IN_HER_GRIDS                                                                             \
    " (NOT EXISTS (SELECT 1 FROM user_grid ug JOIN grid g ON g.id = ug.grid_id"                  \
    "   WHERE ug.user_id = ?5 AND g.community >= ?1 AND g.community < ?2)"                       \
    "  OR c.grid_id IN (SELECT grid_id FROM user_grid WHERE user_id = ?5))"

/* ?1 lo, ?2 hi, ?4 mode (WorkqueueMode), ?5 user: the cases waiting for that user's step */
#define CASES_WAITING                                                                            \
    " c.community >= ?1 AND c.community < ?2 AND ("                                              \
    " (?4 = 0 AND c.state IN ('accepted', 'returned', 'verified', 'reopened'))"                  \
    " OR (?4 = 1 AND c.state = 'handling' AND" IN_HER_GRIDS ")"                                   \
    " OR (?4 = 2 AND c.state IN ('dispatched', 'handling')"                                      \
    "     AND c.unit_id IN (SELECT unit_id FROM case_unit_user WHERE user_id = ?5)))"

#define CASES_OVERDUE                                                                            \
    " c.community >= ?1 AND c.community < ?2 AND c.overdue = 1 AND c.state <> 'closed'"          \
    " AND (?4 <> 2 OR c.unit_id IN (SELECT unit_id FROM case_unit_user WHERE user_id = ?5))"     \
    " AND (?4 <> 1 OR" IN_HER_GRIDS ")"

#define CASE_COLUMNS                                                                             \
    "SELECT c.id, k.name, coalesce(b.name, c.address, ''), c.state, c.resolve_due, c.overdue"    \
    " FROM cases c JOIN case_category k ON k.id = c.category_id"                                 \
    " LEFT JOIN building b ON b.id = c.building_id WHERE"

/* ?3 (now) is not used by the case queries; binding it is harmless (?4 and ?5 are) */
static const char SQL_WQ_CASES_WAITING_COUNT[] =
    "SELECT count(*) FROM cases c WHERE" CASES_WAITING;
static const char SQL_WQ_CASES_WAITING[] =
    CASE_COLUMNS CASES_WAITING " ORDER BY c.overdue DESC, c.resolve_due, c.id LIMIT ?6";
static const char SQL_WQ_CASES_OVERDUE_COUNT[] =
    "SELECT count(*) FROM cases c WHERE" CASES_OVERDUE;
static const char SQL_WQ_CASES_OVERDUE[] =
    CASE_COLUMNS CASES_OVERDUE " ORDER BY c.resolve_due, c.id LIMIT ?6";

#define BOOKINGS_PENDING                                                                         \
    " b.community >= ?1 AND b.community < ?2 AND b.state = 'pending' AND b.end_ms > ?3"

static const char SQL_WQ_BOOKINGS_COUNT[] =
    "SELECT count(*) FROM booking b WHERE" BOOKINGS_PENDING;
static const char SQL_WQ_BOOKINGS[] =
    "SELECT b.id, r.name, coalesce(nullif(u.display_name, ''), u.username), b.start_ms, b.end_ms,"
    " coalesce(b.purpose, '')"
    " FROM booking b JOIN room r ON r.id = b.room_id JOIN app_user u ON u.id = b.user_id"
    " WHERE" BOOKINGS_PENDING " ORDER BY b.start_ms, b.id LIMIT ?4";

#define HANDOFFS_OPEN                                                                            \
    " q.community >= ?1 AND q.community < ?2 AND q.handoff_at IS NOT NULL"                       \
    " AND q.resolved_at IS NULL AND q.handoff_at > ?3"

static const char SQL_WQ_REGISTRATIONS_COUNT[] =
    "SELECT count(*) FROM registration WHERE community >= ?1 AND community < ?2"
    " AND status = 'pending'";
static const char SQL_WQ_REGISTRATIONS[] =
    "SELECT id, name, address, phone_masked, created_at FROM registration"
    " WHERE community >= ?1 AND community < ?2 AND status = 'pending' ORDER BY id LIMIT ?3";
static const char SQL_WQ_HANDOFFS_COUNT[] =
    "SELECT count(*) FROM assistant_question q WHERE" HANDOFFS_OPEN;
static const char SQL_WQ_HANDOFFS[] =
    "SELECT q.id, q.asked, coalesce(q.handoff_name, ''), q.handoff_at"
    " FROM assistant_question q WHERE" HANDOFFS_OPEN " ORDER BY q.handoff_at DESC, q.id DESC LIMIT ?4";

#define IMPORTS_OPEN                                                                             \
    " community >= ?1 AND community < ?2 AND rejected > 0 AND resolved_at IS NULL"

static const char SQL_WQ_IMPORTS_COUNT[] = "SELECT count(*) FROM import_log WHERE" IMPORTS_OPEN;
static const char SQL_WQ_IMPORTS[] =
    "SELECT id, file_name, imported, rejected, created_at, user_name FROM import_log"
    " WHERE" IMPORTS_OPEN " ORDER BY id DESC LIMIT ?3";

static const char SQL_WQ_COMMUNITIES[] =
    "SELECT d.code, d.name, coalesce(cc.buildings, 0), coalesce(cc.households, 0),"
    " coalesce(cc.key_population, 0),"
    " coalesce((SELECT sum(rc.n) FROM resident_count rc WHERE rc.community = d.code), 0),"
    " coalesce(cs.open, 0), coalesce(cs.overdue_open, 0), coalesce(cs.total, 0),"
    " coalesce(cs.resp_due, 0), coalesce(cs.resp_ok, 0), coalesce(cs.res_due, 0),"
    " coalesce(cs.res_ok, 0), coalesce(cs.rated, 0), coalesce(cs.content, 0),"
    " (SELECT count(*) FROM booking b WHERE b.community = d.code AND b.state = 'pending'"
    "  AND b.end_ms > ?4),"
    " (SELECT count(*) FROM assistant_question q WHERE q.community = d.code"
    "  AND q.handoff_at IS NOT NULL AND q.resolved_at IS NULL)"
    " FROM division d LEFT JOIN community_count cc ON cc.community = d.code"
    " LEFT JOIN (SELECT community, sum(open) AS open, sum(overdue_open) AS overdue_open,"
    "   sum(CASE WHEN month >= ?3 THEN total ELSE 0 END) AS total,"
    "   sum(CASE WHEN month >= ?3 THEN resp_due ELSE 0 END) AS resp_due,"
    "   sum(CASE WHEN month >= ?3 THEN resp_ok ELSE 0 END) AS resp_ok,"
    "   sum(CASE WHEN month >= ?3 THEN res_due ELSE 0 END) AS res_due,"
    "   sum(CASE WHEN month >= ?3 THEN res_ok ELSE 0 END) AS res_ok,"
    "   sum(CASE WHEN month >= ?3 THEN rated ELSE 0 END) AS rated,"
    "   sum(CASE WHEN month >= ?3 THEN satisfied + basically ELSE 0 END) AS content"
    "   FROM case_stat WHERE community >= ?1 AND community < ?2 GROUP BY community) cs"
    "   ON cs.community = d.code"
    " WHERE d.level = 5 AND d.code >= ?1 AND d.code < ?2 ORDER BY d.code";

static const char SQL_WQ_IMPORT_LIST[] =
    "SELECT id, community, kind, file_name, user_name, total_rows, imported, rejected,"
    " created_at, resolved_at FROM import_log"
    " WHERE community >= ?1 AND community < ?2"
    " AND (?3 = 0 OR (rejected > 0 AND resolved_at IS NULL)) ORDER BY id DESC LIMIT ?4";

static const char SQL_WQ_IMPORT_GET[] =
    "SELECT id, community, kind, file_name, user_name, total_rows, imported, rejected,"
    " created_at, resolved_at, errors FROM import_log WHERE id = ?1";

static const char SQL_WQ_IMPORT_RESOLVE[] =
    "UPDATE import_log SET resolved_at = ?3, resolved_by = ?2"
    " WHERE id = ?1 AND resolved_at IS NULL";

static const char SQL_WQ_IMPORT_INSERT[] =
    "INSERT INTO import_log (community, kind, file_name, user_id, user_name, total_rows,"
    " imported, rejected, errors, created_at)"
    " VALUES (?1, 'residents', ?2, nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id";

static const char *const CASE_STATES[][2] = {
    { "accepted", "已受理" }, { "dispatched", "已派遣" }, { "handling", "处置中" },
    { "verified", "已核查" }, { "closed", "已结案" },     { "returned", "已退单" },
    { "on_hold", "已挂起" },  { "reopened", "已重启" },
};

static const char *state_label(const char *state)
{
    for (size_t i = 0; i < ARRAY_SIZE(CASE_STATES); i++)
        if (strcmp(CASE_STATES[i][0], state) == 0)
            return CASE_STATES[i][1];
    return state;
}

static char *at(Arena *a, int64_t ms)
{
    return time_format_rfc3339_at(a, ms, TIME_OFFSET_SHANGHAI);
}

static void bind_scope(StoreStmt *s, const WorkqueueScope *w)
{
    store_bind_text(s, 1, w->lo);
    store_bind_text(s, 2, w->hi);
}

static Error *count_of(Store *st, Arena *a, StoreStmt *s, int64_t *ret)
{
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

static Error *cases_section(Store *st, Arena *a, const WorkqueueScope *w, const char *count_sql,
                            const char *list_sql, WorkqueueSection *ret)
{
    StoreStmt *s = store_prepare(st, a, count_sql);
    StoreResult r;
    Error *err;

    bind_scope(s, w);
    store_bind_int64(s, 3, w->now_ms);
    store_bind_int64(s, 4, w->mode);
    store_bind_int64(s, 5, w->user_id);
    err = count_of(st, a, s, &ret->count);
    if (err)
        return err;
    s = store_prepare(st, a, list_sql);
    bind_scope(s, w);
    store_bind_int64(s, 3, w->now_ms);
    store_bind_int64(s, 4, w->mode);
    store_bind_int64(s, 5, w->user_id);
    store_bind_int64(s, 6, WORKQUEUE_ITEMS);
    ret->items = json_array();
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t id = store_column_int64(s, 0);
        const char *place = store_column_text(s, a, 2);
        const char *state = store_column_text(s, a, 3);

        json_array_append_new(
            ret->items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", (json_int_t)id, "title",
                      arena_sprintf(a, "#%lld %s", (long long)id, store_column_text(s, a, 1)),
                      "detail",
                      *place ? arena_sprintf(a, "%s · %s", place, state_label(state))
                             : state_label(state),
                      "state", state, "at", at(a, store_column_int64(s, 4)), "overdue",
                      store_column_int64(s, 5) != 0, "at_label", "办结期限", "link",
                      arena_sprintf(a, "/cases/%lld", (long long)id)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *workqueue_store_cases_waiting(Store *st, Arena *a, const WorkqueueScope *w,
                                     WorkqueueSection *ret)
{
    return cases_section(st, a, w, SQL_WQ_CASES_WAITING_COUNT, SQL_WQ_CASES_WAITING, ret);
}

Error *workqueue_store_cases_overdue(Store *st, Arena *a, const WorkqueueScope *w,
                                     WorkqueueSection *ret)
{
    return cases_section(st, a, w, SQL_WQ_CASES_OVERDUE_COUNT, SQL_WQ_CASES_OVERDUE, ret);
}

Error *workqueue_store_bookings_pending(Store *st, Arena *a, const WorkqueueScope *w,
                                        WorkqueueSection *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_BOOKINGS_COUNT);
    StoreResult r;
    Error *err;

    bind_scope(s, w);
    store_bind_int64(s, 3, w->now_ms);
    err = count_of(st, a, s, &ret->count);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_WQ_BOOKINGS);
    bind_scope(s, w);
    store_bind_int64(s, 3, w->now_ms);
    store_bind_int64(s, 4, WORKQUEUE_ITEMS);
    ret->items = json_array();
    while ((r = store_step(s)) == STORE_ROW) {
        const char *purpose = store_column_text(s, a, 5);
        const char *who = store_column_text(s, a, 2);

        json_array_append_new(
            ret->items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                      (json_int_t)store_column_int64(s, 0), "title", store_column_text(s, a, 1),
                      "detail", *purpose ? arena_sprintf(a, "%s · %s", who, purpose) : who, "at",
                      at(a, store_column_int64(s, 3)), "ends_at", at(a, store_column_int64(s, 4)),
                      "at_label", "使用时间", "link", "/approvals"));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *workqueue_store_handoffs(Store *st, Arena *a, const WorkqueueScope *w,
                                WorkqueueSection *ret)
{
    /* a request nobody answered in 30 days is left to the assistant's own pages */
    int64_t since = w->now_ms - 30 * TIME_DAY_MS;
    StoreStmt *s = store_prepare(st, a, SQL_WQ_HANDOFFS_COUNT);
    StoreResult r;
    Error *err;

    bind_scope(s, w);
    store_bind_int64(s, 3, since);
    err = count_of(st, a, s, &ret->count);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_WQ_HANDOFFS);
    bind_scope(s, w);
    store_bind_int64(s, 3, since);
    store_bind_int64(s, 4, WORKQUEUE_ITEMS);
    ret->items = json_array();
    while ((r = store_step(s)) == STORE_ROW) {
        const char *name = store_column_text(s, a, 2);

        json_array_append_new(
            ret->items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_column_int64(s, 0),
                      "title", store_column_text(s, a, 1), "detail",
                      *name ? arena_sprintf(a, "%s 请求回电", name) : "居民请求回电", "at",
                      at(a, store_column_int64(s, 3)), "at_label", "提交时间", "link",
                      "/assistant/unanswered?tab=handoffs"));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *workqueue_store_registrations(Store *st, Arena *a, const WorkqueueScope *w,
                                     WorkqueueSection *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_REGISTRATIONS_COUNT);
    StoreResult r;
    Error *err;

    bind_scope(s, w);
    err = count_of(st, a, s, &ret->count);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_WQ_REGISTRATIONS);
    bind_scope(s, w);
    store_bind_int64(s, 3, WORKQUEUE_ITEMS);
    ret->items = json_array();
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(
            ret->items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)store_column_int64(s, 0),
                      "title", arena_sprintf(a, "%s 申请注册", store_column_text(s, a, 1)),
                      "detail", arena_sprintf(a, "%s · %s", store_column_text(s, a, 2),
                                              store_column_text(s, a, 3)),
                      "at", at(a, store_column_int64(s, 4)), "at_label", "提交时间", "link",
                      "/registrations"));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *workqueue_store_imports(Store *st, Arena *a, const WorkqueueScope *w,
                               WorkqueueSection *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_IMPORTS_COUNT);
    StoreResult r;
    Error *err;

    bind_scope(s, w);
    err = count_of(st, a, s, &ret->count);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_WQ_IMPORTS);
    bind_scope(s, w);
    store_bind_int64(s, 3, WORKQUEUE_ITEMS);
    ret->items = json_array();
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t id = store_column_int64(s, 0);
        const char *file = store_column_text(s, a, 1);

        json_array_append_new(
            ret->items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "title",
                      *file ? file : "居民台账导入", "detail",
                      arena_sprintf(a, "%lld 行未导入，已导入 %lld 人 · %s",
                                    (long long)store_column_int64(s, 3),
                                    (long long)store_column_int64(s, 2), store_column_text(s, a, 5)),
                      "at", at(a, store_column_int64(s, 4)), "at_label", "导入时间", "link",
                      arena_sprintf(a, "/import?log=%lld", (long long)id)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static json_t *rate(int64_t ok, int64_t due)
{
    return due ? json_real((double)ok / (double)due) : json_null();
}

Error *workqueue_store_communities(Store *st, Arena *a, const char *lo, const char *hi,
                                   int from_month, int64_t now_ms, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_COMMUNITIES);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, from_month);
    store_bind_int64(s, 4, now_ms);
    while ((r = store_step(s)) == STORE_ROW) {
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I}",
                      "code", store_column_text(s, a, 0),
                      "name", store_column_text(s, a, 1),
                      "buildings", (json_int_t)store_column_int64(s, 2),
                      "households", (json_int_t)store_column_int64(s, 3),
                      "key_population", (json_int_t)store_column_int64(s, 4),
                      "residents", (json_int_t)store_column_int64(s, 5),
                      "cases_open", (json_int_t)store_column_int64(s, 6),
                      "cases_overdue", (json_int_t)store_column_int64(s, 7),
                      "cases_year", (json_int_t)store_column_int64(s, 8),
                      "response_rate", rate(store_column_int64(s, 10), store_column_int64(s, 9)),
                      "on_time_rate", rate(store_column_int64(s, 12), store_column_int64(s, 11)),
                      "satisfaction_rate",
                      rate(store_column_int64(s, 14), store_column_int64(s, 13)),
                      "bookings_pending", (json_int_t)store_column_int64(s, 15),
                      "handoffs_open", (json_int_t)store_column_int64(s, 16)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static json_t *import_row(StoreStmt *s, Arena *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}",
                     "id", (json_int_t)store_column_int64(s, 0),
                     "community", store_column_text(s, a, 1),
                     "kind", store_column_text(s, a, 2),
                     "file_name", store_column_text(s, a, 3),
                     "user_name", store_column_text(s, a, 4),
                     "total_rows", (json_int_t)store_column_int64(s, 5),
                     "imported", (json_int_t)store_column_int64(s, 6),
                     "rejected", (json_int_t)store_column_int64(s, 7),
                     "created_at", at(a, store_column_int64(s, 8)),
                     "resolved_at", store_column_is_null(s, 9)
                                        ? json_null()
                                        : json_string(at(a, store_column_int64(s, 9))));
}

Error *workqueue_store_import_list(Store *st, Arena *a, const char *lo, const char *hi,
                                   bool errors_only, int64_t limit, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_IMPORT_LIST);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, errors_only);
    store_bind_int64(s, 4, limit);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, import_row(s, a));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *workqueue_store_import_get(Store *st, Arena *a, int64_t id, json_t **ret,
                                  const char **ret_community)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_IMPORT_GET);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        const char *errors = store_column_text(s, a, 10);
        json_t *rows = json_loads(errors, 0, NULL);

        *ret = import_row(s, a);
        *ret_community = store_column_text(s, a, 1);
        json_object_set_new(*ret, "errors", json_is_array(rows) ? rows : json_array());
        if (rows && !json_is_array(rows))
            json_decref(rows);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

Error *workqueue_store_import_resolve(Store *st, Arena *a, int64_t id, int64_t user_id,
                                      int64_t now_ms, bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_WQ_IMPORT_RESOLVE);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_found = store_changes(st) == 1;
    return NULL;
}

Error *workqueue_store_import_insert(Store *st, Arena *a, const char *community,
                                     const char *file_name, int64_t user_id,
                                     const char *user_name, json_t *report, int64_t now_ms,
                                     int64_t *ret_id)
{
    json_t *rejected = json_object_get(report, "rejected"), *kept = json_array(), *v;
    StoreStmt *s = store_prepare(st, a, SQL_WQ_IMPORT_INSERT);
    size_t i, n = json_array_size(rejected);
    char *errors;

    json_array_foreach (rejected, i, v) {
        if (i == WORKQUEUE_IMPORT_ERRORS)
            break;
        json_array_append(kept, v);
    }
    errors = json_dumps(kept, JSON_COMPACT);
    json_decref(kept);
    if (!errors)
        return error_internal(a, "cannot serialise import errors");
    arena_defer(a, free, errors);
    store_bind_text(s, 1, community);
    store_bind_text(s, 2, file_name ? file_name : "");
    store_bind_int64(s, 3, user_id);
    store_bind_text(s, 4, user_name);
    store_bind_int64(s, 5, json_integer_value(json_object_get(report, "total_rows")));
    store_bind_int64(s, 6, json_integer_value(json_object_get(report, "imported")));
    store_bind_int64(s, 7, (int64_t)n);
    store_bind_text(s, 8, errors);
    store_bind_int64(s, 9, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}
