/*
 * What cases are configured with: categories and their time limits,
 * responsible units and their users, routing rules, the working-day
 * calendar, per-community settings, Open311 keys; plus the few registry
 * look-ups the module needs (buildings, community names).
 */
#include <string.h>

#include "cases/cases.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* Steps @s, which reads one count or id, into *ret (0 when no row); resets it. */
static Error *step_int(Store *st, Arena *a, StoreStmt *s, int64_t *ret)
{
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = 0;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

/* Runs a write; a constraint becomes 409 @code on @field with @message. */
static Error *step_write(Store *st, Arena *a, StoreStmt *s, const char *field, const char *code,
                         const char *message)
{
    switch (store_step(s)) {
    case STORE_DONE:
    case STORE_ROW:
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_conflict(a, field, code, message);
    default:
        return store_error(st, a);
    }
}

/* ---- categories ---- */

#define CATEGORY_SELECT                                                                     \
    "SELECT id, community, code, name, description, respond_hours, resolve_days, sort, active," \
    " after_photos_required FROM case_category"

static const char SQL_CATEGORIES[] =
    CATEGORY_SELECT " WHERE community = ?1 AND (?2 = 0 OR active = 1) ORDER BY sort, id";
static const char SQL_CATEGORY_FIND[] =
    CATEGORY_SELECT " WHERE community = ?1 AND (code = ?2 OR name = ?2) ORDER BY code = ?2 DESC LIMIT 1";
static const char SQL_CATEGORY_GET[] = CATEGORY_SELECT " WHERE id = ?1";
static const char SQL_CATEGORY_INSERT[] =
    "INSERT INTO case_category (community, code, name, description, respond_hours, resolve_days,"
    " sort, active, updated_at, after_photos_required)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id";
static const char SQL_CATEGORY_UPDATE[] =
    "UPDATE case_category SET name = ?2, description = ?3, respond_hours = ?4, resolve_days = ?5,"
    " sort = ?6, active = ?7, updated_at = ?8, after_photos_required = ?9 WHERE id = ?1";

static void read_category(StoreStmt *s, Arena *a, CaseCategory *c)
{
    c->id = store_column_int64(s, 0);
    c->community = store_column_text(s, a, 1);
    c->code = store_column_text(s, a, 2);
    c->name = store_column_text(s, a, 3);
    c->description = store_column_text(s, a, 4);
    c->respond_hours = (int)store_column_int64(s, 5);
    c->resolve_days = (int)store_column_int64(s, 6);
    c->sort = (int)store_column_int64(s, 7);
    c->active = store_column_int64(s, 8) != 0;
    c->after_photos_required = store_column_int64(s, 9) != 0;
}

Error *cases_store_categories(Store *st, Arena *a, const char *community, bool active_only,
                              CaseCategory **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_CATEGORIES);
    size_t n = 0, cap = 16;
    CaseCategory *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, active_only);
    while ((r = store_step(s)) == STORE_ROW) {
        items = arena_grow(a, items, n, &cap, sizeof(*items));
        read_category(s, a, &items[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

static Error *one_category(Store *st, Arena *a, StoreStmt *s, CaseCategory **ret)
{
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = arena_zalloc(a, sizeof(CaseCategory));
        read_category(s, a, *ret);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_category_find(Store *st, Arena *a, const char *community, const char *key,
                                 CaseCategory **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_CATEGORY_FIND);

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, key);
    return one_category(st, a, s, ret);
}

Error *cases_store_category_get(Store *st, Arena *a, int64_t id, CaseCategory **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_CATEGORY_GET);

    store_bind_int64(s, 1, id);
    return one_category(st, a, s, ret);
}

Error *cases_store_category_insert(Store *st, Arena *a, CaseCategory *c)
{
    StoreStmt *s = store_prepare(st, a, SQL_CATEGORY_INSERT);

    store_bind_text(s, 1, c->community);
    store_bind_text(s, 2, c->code);
    store_bind_text(s, 3, c->name);
    store_bind_text(s, 4, c->description ? c->description : "");
    store_bind_int64(s, 5, c->respond_hours);
    store_bind_int64(s, 6, c->resolve_days);
    store_bind_int64(s, 7, c->sort);
    store_bind_int64(s, 8, c->active);
    store_bind_int64(s, 9, time_now_ms());
    store_bind_int64(s, 10, c->after_photos_required);
    switch (store_step(s)) {
    case STORE_ROW:
        c->id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_conflict(a, "code", "category_exists", "本社区已有同样代码或名称的类别");
    default:
        return store_error(st, a);
    }
}

Error *cases_store_category_update(Store *st, Arena *a, const CaseCategory *c)
{
    StoreStmt *s = store_prepare(st, a, SQL_CATEGORY_UPDATE);

    store_bind_int64(s, 1, c->id);
    store_bind_text(s, 2, c->name);
    store_bind_text(s, 3, c->description ? c->description : "");
    store_bind_int64(s, 4, c->respond_hours);
    store_bind_int64(s, 5, c->resolve_days);
    store_bind_int64(s, 6, c->sort);
    store_bind_int64(s, 7, c->active);
    store_bind_int64(s, 8, time_now_ms());
    store_bind_int64(s, 9, c->after_photos_required);
    return step_write(st, a, s, "name", "category_exists", "本社区已有同名类别");
}

/* ---- units ---- */

#define UNIT_SELECT                                                                         \
    "SELECT u.id, u.community, u.name, u.kind, u.phone, u.active,"                          \
    " (SELECT count(*) FROM case_unit_user x WHERE x.unit_id = u.id) FROM case_unit u"

static const char SQL_UNITS[] = UNIT_SELECT " WHERE u.community = ?1 ORDER BY u.id";
static const char SQL_UNIT_GET[] = UNIT_SELECT " WHERE u.id = ?1";
static const char SQL_UNIT_INSERT[] =
    "INSERT INTO case_unit (community, name, kind, phone, active, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_UNIT_UPDATE[] =
    "UPDATE case_unit SET name = ?2, kind = ?3, phone = ?4, active = ?5 WHERE id = ?1";
static const char SQL_UNIT_USERS_CLEAR[] = "DELETE FROM case_unit_user WHERE unit_id = ?1";
static const char SQL_UNIT_USER_ADD[] =
    "INSERT INTO case_unit_user (user_id, unit_id)"
    " SELECT id, ?2 FROM app_user WHERE id = ?1 AND role = 'property' AND scope = ?3"
    " ON CONFLICT (user_id) DO UPDATE SET unit_id = excluded.unit_id";
static const char SQL_USER_UNIT[] = "SELECT unit_id FROM case_unit_user WHERE user_id = ?1";

static void read_unit(StoreStmt *s, Arena *a, CaseUnit *u)
{
    u->id = store_column_int64(s, 0);
    u->community = store_column_text(s, a, 1);
    u->name = store_column_text(s, a, 2);
    u->kind = store_column_text(s, a, 3);
    u->phone = store_column_text(s, a, 4);
    u->active = store_column_int64(s, 5) != 0;
    u->n_users = store_column_int64(s, 6);
}

Error *cases_store_units(Store *st, Arena *a, const char *community, CaseUnit **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNITS);
    size_t n = 0, cap = 16;
    CaseUnit *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;

    store_bind_text(s, 1, community);
    while ((r = store_step(s)) == STORE_ROW) {
        items = arena_grow(a, items, n, &cap, sizeof(*items));
        read_unit(s, a, &items[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

static const char SQL_BUILDINGS[] =
    "SELECT b.id, b.name, b.units, g.name FROM building b LEFT JOIN grid g ON g.id = b.grid_id"
    " WHERE b.community = ?1 ORDER BY b.id";

Error *cases_store_buildings(Store *st, Arena *a, const char *community, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDINGS);
    StoreResult r;

    store_bind_text(s, 1, community);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:o}", "id",
                                               (json_int_t)store_column_int64(s, 0), "name",
                                               store_column_text(s, a, 1), "units",
                                               (json_int_t)store_column_int64(s, 2), "grid_name",
                                               json_string_or_null(store_column_text(s, a, 3))));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* The open cases are few beside years of closed ones: the cases_open index reads only them. */
static const char SQL_BY_BUILDING[] =
    "WITH o AS (SELECT building_id AS bid, count(*) AS n, sum(overdue) AS late FROM cases"
    " WHERE community = ?1 AND state <> 'closed' GROUP BY building_id)"
    " SELECT b.id, b.name, g.name, coalesce(o.n, 0), coalesce(o.late, 0) FROM building b"
    " LEFT JOIN grid g ON g.id = b.grid_id LEFT JOIN o ON o.bid = b.id WHERE b.community = ?1"
    " UNION ALL SELECT 0, NULL, NULL, n, late FROM o WHERE bid IS NULL"
    " ORDER BY 1";

Error *cases_store_by_building(Store *st, Arena *a, const char *community, json_t *items,
                               json_t **ret_unplaced)
{
    StoreStmt *s = store_prepare(st, a, SQL_BY_BUILDING);
    int64_t unplaced = 0, unplaced_late = 0;
    StoreResult r;

    store_bind_text(s, 1, community);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t id = store_column_int64(s, 0);

        if (id == 0) {
            unplaced = store_column_int64(s, 3);
            unplaced_late = store_column_int64(s, 4);
            continue;
        }
        json_array_append_new(items, json_pack("{s:I, s:s, s:o, s:I, s:I}", "id", (json_int_t)id,
                                               "name", store_column_text(s, a, 1), "grid_name",
                                               json_string_or_null(store_column_text(s, a, 2)),
                                               "open", (json_int_t)store_column_int64(s, 3),
                                               "overdue", (json_int_t)store_column_int64(s, 4)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_unplaced = json_pack("{s:I, s:I}", "open", (json_int_t)unplaced, "overdue",
                              (json_int_t)unplaced_late);
    return NULL;
}

Error *cases_store_unit_get(Store *st, Arena *a, int64_t id, CaseUnit **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNIT_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = arena_zalloc(a, sizeof(CaseUnit));
        read_unit(s, a, *ret);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_unit_insert(Store *st, Arena *a, CaseUnit *u)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNIT_INSERT);

    store_bind_text(s, 1, u->community);
    store_bind_text(s, 2, u->name);
    store_bind_text(s, 3, u->kind);
    store_bind_text(s, 4, u->phone);
    store_bind_int64(s, 5, u->active);
    store_bind_int64(s, 6, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        u->id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_conflict(a, "name", "unit_exists", "本社区已有同名的责任单位");
    default:
        return store_error(st, a);
    }
}

Error *cases_store_unit_update(Store *st, Arena *a, const CaseUnit *u)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNIT_UPDATE);

    store_bind_int64(s, 1, u->id);
    store_bind_text(s, 2, u->name);
    store_bind_text(s, 3, u->kind);
    store_bind_text(s, 4, u->phone);
    store_bind_int64(s, 5, u->active);
    return step_write(st, a, s, "name", "unit_exists", "本社区已有同名的责任单位");
}

Error *cases_store_unit_set_users(Store *st, Arena *a, const CaseUnit *u, const int64_t *users,
                                  size_t n)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNIT_USERS_CLEAR);
    Error *err;

    store_bind_int64(s, 1, u->id);
    err = step_write(st, a, s, NULL, NULL, NULL);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        s = store_prepare(st, a, SQL_UNIT_USER_ADD);
        store_bind_int64(s, 1, users[i]);
        store_bind_int64(s, 2, u->id);
        store_bind_text(s, 3, u->community);
        err = step_write(st, a, s, NULL, NULL, NULL);
        if (err)
            return err;
        if (store_changes(st) != 1)
            return error_invalid(a, arena_sprintf(a, "user_ids[%zu]", i), "unknown_user",
                                 "只能关联本社区的物业（property）账号");
    }
    return NULL;
}

Error *cases_store_user_unit(Store *st, Arena *a, int64_t user_id, int64_t *ret_unit_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_UNIT);

    store_bind_int64(s, 1, user_id);
    return step_int(st, a, s, ret_unit_id);
}

/* ---- routing rules ---- */

#define ROUTE_SELECT                                                                        \
    "SELECT r.id, r.community, coalesce(r.category_id, 0), coalesce(r.grid_id, 0), r.unit_id," \
    " c.name, g.name, u.name FROM case_route r LEFT JOIN case_category c ON c.id = r.category_id" \
    " LEFT JOIN grid g ON g.id = r.grid_id JOIN case_unit u ON u.id = r.unit_id"

static const char SQL_ROUTES[] =
    ROUTE_SELECT " WHERE r.community = ?1 ORDER BY r.category_id IS NULL, c.sort, r.grid_id IS NULL, r.id";
static const char SQL_ROUTE_GET[] = ROUTE_SELECT " WHERE r.id = ?1";
static const char SQL_ROUTE_INSERT[] =
    "INSERT INTO case_route (community, category_id, grid_id, unit_id, created_at)"
    " VALUES (?1, nullif(?2, 0), nullif(?3, 0), ?4, ?5) RETURNING id";
static const char SQL_ROUTE_DELETE[] = "DELETE FROM case_route WHERE id = ?1";
/* the most specific rule: category and grid, then category, then grid, then any */
static const char SQL_ROUTE_MATCH[] =
    "SELECT r.unit_id FROM case_route r JOIN case_unit u ON u.id = r.unit_id AND u.active = 1"
    " WHERE r.community = ?1 AND (r.category_id = ?2 OR r.category_id IS NULL)"
    " AND (r.grid_id = ?3 OR r.grid_id IS NULL)"
    " ORDER BY r.category_id IS NULL, r.grid_id IS NULL LIMIT 1";

static void read_route(StoreStmt *s, Arena *a, CaseRoute *r)
{
    r->id = store_column_int64(s, 0);
    r->community = store_column_text(s, a, 1);
    r->category_id = store_column_int64(s, 2);
    r->grid_id = store_column_int64(s, 3);
    r->unit_id = store_column_int64(s, 4);
    r->category_name = store_column_text(s, a, 5);
    r->grid_name = store_column_text(s, a, 6);
    r->unit_name = store_column_text(s, a, 7);
}

Error *cases_store_routes(Store *st, Arena *a, const char *community, CaseRoute **ret,
                          size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROUTES);
    size_t n = 0, cap = 16;
    CaseRoute *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;

    store_bind_text(s, 1, community);
    while ((r = store_step(s)) == STORE_ROW) {
        items = arena_grow(a, items, n, &cap, sizeof(*items));
        read_route(s, a, &items[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *cases_store_route_get(Store *st, Arena *a, int64_t id, CaseRoute **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROUTE_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = arena_zalloc(a, sizeof(CaseRoute));
        read_route(s, a, *ret);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_route_insert(Store *st, Arena *a, CaseRoute *r)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROUTE_INSERT);

    store_bind_text(s, 1, r->community);
    store_bind_int64(s, 2, r->category_id);
    store_bind_int64(s, 3, r->grid_id);
    store_bind_int64(s, 4, r->unit_id);
    store_bind_int64(s, 5, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        r->id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_conflict(a, "category", "route_exists",
                              "该类别和网格已有派单规则，请先删除原规则");
    default:
        return store_error(st, a);
    }
}

Error *cases_store_route_delete(Store *st, Arena *a, int64_t id)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROUTE_DELETE);

    store_bind_int64(s, 1, id);
    return step_write(st, a, s, NULL, NULL, NULL);
}

Error *cases_store_route_match(Store *st, Arena *a, const char *community, int64_t category_id,
                               int64_t grid_id, int64_t *ret_unit_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROUTE_MATCH);

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, category_id);
    store_bind_int64(s, 3, grid_id);
    return step_int(st, a, s, ret_unit_id);
}

/* ---- calendar ---- */

static const char SQL_CALENDAR[] =
    "SELECT day, working, name FROM case_calendar WHERE day >= ?1 AND day <= ?2 ORDER BY day";
static const char SQL_CALENDAR_SET[] =
    "INSERT INTO case_calendar (day, working, name, updated_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (day) DO UPDATE SET working = excluded.working, name = excluded.name,"
    " updated_at = excluded.updated_at";
static const char SQL_CALENDAR_DELETE[] = "DELETE FROM case_calendar WHERE day = ?1";

Error *cases_store_calendar(Store *st, Arena *a, int64_t from_day, int64_t to_day, Calendar *ret,
                            const char ***ret_names)
{
    StoreStmt *s = store_prepare(st, a, SQL_CALENDAR);
    size_t n = 0, cap = 64;
    int64_t *days = arena_alloc(a, cap * sizeof(*days));
    bool *working = arena_alloc(a, cap * sizeof(*working));
    const char **names = arena_alloc(a, cap * sizeof(*names));
    char lo[11], hi[11];
    StoreResult r;

    time_format_date(lo, from_day);
    time_format_date(hi, to_day);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t day;

        if (!time_parse_date(store_column_text(s, a, 0), &day))
            continue;
        if (n == cap) {
            int64_t *d2 = arena_alloc(a, 2 * cap * sizeof(*days));
            bool *w2 = arena_alloc(a, 2 * cap * sizeof(*working));
            const char **n2 = arena_alloc(a, 2 * cap * sizeof(*names));

            memcpy(d2, days, n * sizeof(*days));
            memcpy(w2, working, n * sizeof(*working));
            memcpy(n2, names, n * sizeof(*names));
            days = d2;
            working = w2;
            names = n2;
            cap *= 2;
        }
        days[n] = day;
        working[n] = store_column_int64(s, 1) != 0;
        names[n] = store_column_text(s, a, 2);
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    ret->days = days;
    ret->working = working;
    ret->n = n;
    if (ret_names)
        *ret_names = names;
    return NULL;
}

Error *cases_store_calendar_set(Store *st, Arena *a, const char *day, bool working,
                                const char *name)
{
    StoreStmt *s = store_prepare(st, a, SQL_CALENDAR_SET);

    store_bind_text(s, 1, day);
    store_bind_int64(s, 2, working);
    store_bind_text(s, 3, name ? name : "");
    store_bind_int64(s, 4, time_now_ms());
    return step_write(st, a, s, NULL, NULL, NULL);
}

Error *cases_store_calendar_delete(Store *st, Arena *a, const char *day, bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_CALENDAR_DELETE);
    Error *err;

    store_bind_text(s, 1, day);
    err = step_write(st, a, s, NULL, NULL, NULL);
    if (!err)
        *ret_found = store_changes(st) > 0;
    return err;
}

/* ---- settings ---- */

static const char SQL_SETTINGS[] =
    "SELECT dup_window_hours, min_lat IS NOT NULL, coalesce(min_lat, 0), coalesce(min_lon, 0),"
    " coalesce(max_lat, 0), coalesce(max_lon, 0) FROM case_setting WHERE community = ?1";
static const char SQL_SETTINGS_SET[] =
    "INSERT INTO case_setting (community, dup_window_hours, min_lat, min_lon, max_lat, max_lon,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (community) DO UPDATE SET"
    " dup_window_hours = excluded.dup_window_hours, min_lat = excluded.min_lat,"
    " min_lon = excluded.min_lon, max_lat = excluded.max_lat, max_lon = excluded.max_lon,"
    " updated_at = excluded.updated_at";

Error *cases_store_settings(Store *st, Arena *a, const char *community, CaseSettings *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_SETTINGS);
    CaseSettings def = CASE_SETTINGS_DEFAULT;

    store_bind_text(s, 1, community);
    switch (store_step(s)) {
    case STORE_ROW:
        ret->dup_window_hours = (int)store_column_int64(s, 0);
        ret->has_area = store_column_int64(s, 1) != 0;
        ret->min_lat = store_column_double(s, 2);
        ret->min_lon = store_column_double(s, 3);
        ret->max_lat = store_column_double(s, 4);
        ret->max_lon = store_column_double(s, 5);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = def;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_settings_set(Store *st, Arena *a, const char *community, const CaseSettings *c)
{
    StoreStmt *s = store_prepare(st, a, SQL_SETTINGS_SET);

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, c->dup_window_hours);
    if (c->has_area) {
        store_bind_double(s, 3, c->min_lat);
        store_bind_double(s, 4, c->min_lon);
        store_bind_double(s, 5, c->max_lat);
        store_bind_double(s, 6, c->max_lon);
    } else {
        for (int i = 3; i <= 6; i++)
            store_bind_null(s, i);
    }
    store_bind_int64(s, 7, time_now_ms());
    return step_write(st, a, s, "area", "invalid_area", "地图范围无效：最小值须小于最大值");
}

/* ---- Open311 keys ---- */

static const char SQL_KEY_INSERT[] =
    "INSERT INTO case_api_key (community, key_hash, created_at) VALUES (?1, ?2, ?3)";
static const char SQL_KEY_FIND[] =
    "SELECT id, community FROM case_api_key WHERE key_hash = ?1 AND revoked_at IS NULL";
static const char SQL_TOKEN_CASE[] = "SELECT id FROM cases WHERE open311_token = ?1";

Error *cases_store_api_key_insert(Store *st, Arena *a, const char *community, const char *key,
                                  int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_KEY_INSERT);
    uint8_t hash[CRYPTO_HASH_BYTES];

    crypto_token_hash(key, hash);
    store_bind_text(s, 1, community);
    store_bind_blob(s, 2, hash, sizeof(hash));
    store_bind_int64(s, 3, now_ms);
    return step_write(st, a, s, "community", "unknown_community", "找不到该社区");
}

Error *cases_store_api_key_community(Store *st, Arena *a, const char *key, int64_t *ret_id,
                                     const char **ret_community)
{
    StoreStmt *s = store_prepare(st, a, SQL_KEY_FIND);
    uint8_t hash[CRYPTO_HASH_BYTES];

    crypto_token_hash(key, hash);
    store_bind_blob(s, 1, hash, sizeof(hash));
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        *ret_community = store_column_text(s, a, 1);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret_id = 0;
        *ret_community = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_token_case(Store *st, Arena *a, const char *token, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOKEN_CASE);

    store_bind_text(s, 1, token);
    return step_int(st, a, s, ret_id);
}

/* ---- registry look-ups ---- */

static const char SQL_BUILDING[] =
    "SELECT community, coalesce(grid_id, 0), name, units FROM building WHERE id = ?1";
static const char SQL_BUILDING_BY_NAME[] =
    "SELECT id FROM building WHERE community = ?1 AND name = ?2";
static const char SQL_USER_ID[] = "SELECT id, display_name FROM app_user WHERE username = ?1";
static const char SQL_BUILDINGS_OF[] =
    "SELECT id FROM building WHERE community = ?1 ORDER BY id LIMIT ?2";
static const char SQL_GRID_IN[] = "SELECT 1 FROM grid WHERE id = ?1 AND community = ?2";
static const char SQL_RESIDENT_OF[] =
    "SELECT 1 FROM app_user WHERE id = ?1 AND role = 'resident' AND scope = ?2 AND disabled = 0";
static const char SQL_COMMUNITY_NAME[] = "SELECT name FROM division WHERE code = ?1 AND level = 5";

Error *cases_store_building(Store *st, Arena *a, int64_t id, const char **ret_community,
                            int64_t *ret_grid_id, const char **ret_name, int64_t *ret_units)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_community = store_column_text(s, a, 0);
        *ret_grid_id = store_column_int64(s, 1);
        *ret_name = store_column_text(s, a, 2);
        *ret_units = store_column_int64(s, 3);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret_community = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_building_by_name(Store *st, Arena *a, const char *community, const char *name,
                                    int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING_BY_NAME);

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, name);
    return step_int(st, a, s, ret_id);
}

Error *cases_store_community_name(Store *st, Arena *a, const char *code, const char **ret_name)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMUNITY_NAME);

    store_bind_text(s, 1, code);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_name = store_column_text(s, a, 0);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret_name = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_is_resident(Store *st, Arena *a, int64_t user_id, const char *community,
                               bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_OF);
    int64_t one = 0;
    Error *err;

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    err = step_int(st, a, s, &one);
    *ret = one == 1;
    return err;
}

Error *cases_store_grid_in(Store *st, Arena *a, int64_t grid_id, const char *community, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_GRID_IN);
    int64_t one = 0;
    Error *err;

    store_bind_int64(s, 1, grid_id);
    store_bind_text(s, 2, community);
    err = step_int(st, a, s, &one);
    *ret = one == 1;
    return err;
}

Error *cases_store_user_id(Store *st, Arena *a, const char *username, int64_t *ret_id,
                           const char **ret_name)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_ID);

    store_bind_text(s, 1, username);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        *ret_name = store_column_text(s, a, 1);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret_id = 0;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *cases_store_buildings_of(Store *st, Arena *a, const char *community, int64_t *ret,
                                size_t max, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDINGS_OF);
    size_t n = 0;
    StoreResult r;

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, (int64_t)max);
    while ((r = store_step(s)) == STORE_ROW && n < max)
        ret[n++] = store_column_int64(s, 0);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret_n = n;
    return NULL;
}
