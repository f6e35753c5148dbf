/*
 * The registry's SQL for divisions, grids, buildings, households, tags and
 * statistics. Read queries append ready JSON objects to a caller's array:
 * the rows are flat and one shape each, so a struct in between would only
 * repeat the column list.
 */
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "registry/registry.h"
#include "registry/registry_store.h"
#include "core/banned.h"

static const char SQL_COMMUNITY_EXISTS[] = "SELECT 1 FROM division WHERE code = ?1 AND level = 5";

/* the counts come from the counters of schema 0009, kept by triggers */
static const char SQL_COMMUNITY_LIST[] =
    "SELECT d.code, d.name, d.parent_code, p.name, c.name,"
    " coalesce(n.buildings, 0), coalesce(n.households, 0),"
    " (SELECT coalesce(sum(rc.n), 0) FROM resident_count rc WHERE rc.community = d.code)"
    " FROM division d LEFT JOIN division p ON p.code = d.parent_code"
    " LEFT JOIN division c ON c.code = p.parent_code"
    " LEFT JOIN community_count n ON n.community = d.code"
    " WHERE d.level = 5 AND d.code >= ?1 AND d.code < ?2 ORDER BY d.code LIMIT ?3 OFFSET ?4";

static const char SQL_COMMUNITY_COUNT[] =
    "SELECT count(*) FROM division WHERE level = 5 AND code >= ?1 AND code < ?2";

static const char SQL_COMMUNITY_GET[] =
    "SELECT d.code, d.name, d.parent_code, p.name, c.name"
    " FROM division d LEFT JOIN division p ON p.code = d.parent_code"
    " LEFT JOIN division c ON c.code = p.parent_code WHERE d.code = ?1 AND d.level = 5";

static const char SQL_GRID_INSERT[] =
    "INSERT INTO grid (community, name, created_at) VALUES (?1, ?2, ?3) RETURNING id";
static const char SQL_GRID_LIST[] =
    "SELECT g.id, g.community, g.name, (SELECT count(*) FROM building b WHERE b.grid_id = g.id)"
    " FROM grid g WHERE g.community >= ?1 AND g.community < ?2 ORDER BY g.community, g.id";
static const char SQL_GRID_COMMUNITY[] = "SELECT community FROM grid WHERE id = ?1";

static const char SQL_BUILDING_INSERT[] =
    "INSERT INTO building (community, grid_id, name, units, floors, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";

#define BUILDING_SELECT                                                                       \
    "SELECT b.id, b.community, b.name, b.units, b.floors, b.grid_id, g.name,"                 \
    " (SELECT count(*) FROM household h WHERE h.building_id = b.id),"                         \
    " (SELECT count(*) FROM resident r WHERE r.building_id = b.id AND r.status = 'active')" \
    " FROM building b LEFT JOIN grid g ON g.id = b.grid_id"

static const char SQL_BUILDING_LIST[] =
    BUILDING_SELECT " WHERE b.community >= ?1 AND b.community < ?2"
    " ORDER BY b.community, b.id LIMIT ?3 OFFSET ?4";
static const char SQL_BUILDING_COUNT[] =
    "SELECT count(*) FROM building b WHERE b.community >= ?1 AND b.community < ?2";
static const char SQL_BUILDING_GET[] = BUILDING_SELECT " WHERE b.id = ?1";

#define HOUSEHOLD_SELECT                                                                  \
    "SELECT h.id, h.building_id, h.community, b.name, h.unit, h.floor, h.room, h.area_m2," \
    " (SELECT count(*) FROM resident r WHERE r.household_id = h.id AND r.status = 'active')" \
    " FROM household h JOIN building b ON b.id = h.building_id"

static const char SQL_HOUSEHOLD_INSERT[] =
    "INSERT INTO household (building_id, community, unit, floor, room, area_m2, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
static const char SQL_HOUSEHOLD_GET[] = HOUSEHOLD_SELECT " WHERE h.id = ?1";
static const char SQL_HOUSEHOLD_LIST[] =
    HOUSEHOLD_SELECT " WHERE h.community >= ?1 AND h.community < ?2"
    " AND (CAST(?3 AS BIGINT) IS NULL OR h.building_id = ?3)"
    " AND (CAST(?4 AS BIGINT) IS NULL OR h.unit = ?4)"
    " AND (CAST(?5 AS BIGINT) IS NULL OR h.floor = ?5)"
    " ORDER BY h.building_id, h.unit, h.floor, h.room LIMIT ?6 OFFSET ?7";
static const char SQL_HOUSEHOLD_COUNT[] =
    "SELECT count(*) FROM household h WHERE h.community >= ?1 AND h.community < ?2"
    " AND (CAST(?3 AS BIGINT) IS NULL OR h.building_id = ?3)"
    " AND (CAST(?4 AS BIGINT) IS NULL OR h.unit = ?4)"
    " AND (CAST(?5 AS BIGINT) IS NULL OR h.floor = ?5)";
static const char SQL_HOUSEHOLD_FIND[] =
    "SELECT id FROM household WHERE building_id = ?1 AND unit = ?2 AND room = ?3";
static const char SQL_BUILDING_FIND[] =
    "SELECT id, units, floors FROM building WHERE community = ?1 AND name = ?2";
static const char SQL_BUILDING_GROW[] =
    "UPDATE building SET units = CASE WHEN units > ?2 THEN units ELSE ?2 END,"
    " floors = CASE WHEN floors > ?3 THEN floors ELSE ?3 END WHERE id = ?1";

static const char SQL_TAG_LIST[] =
    "SELECT t.name, t.key_population, t.builtin,"
    " (SELECT coalesce(sum(c.n), 0) FROM tag_count c"
    "  WHERE c.tag = t.name AND c.community >= ?1 AND c.community < ?2)"
    " FROM tag t ORDER BY t.sort, t.name";
static const char SQL_TAG_INSERT[] =
    "INSERT INTO tag (name, key_population, builtin, sort) VALUES (?1, ?2, 0, 100)";

static const char SQL_STATS_COUNTS[] =
    "SELECT coalesce(sum(buildings), 0), coalesce(sum(households), 0),"
    " coalesce(sum(key_population), 0)"
    " FROM community_count WHERE community >= ?1 AND community < ?2";
/*
 * Active residents by gender and age band, counting a boundary's whole birth
 * month in the younger band; registry_store_stats moves those born on or
 * before the boundary day to the older band.
 */
static const char SQL_STATS_RESIDENTS[] =
    "SELECT gender, CASE WHEN birth_month >= ?3 THEN 0 WHEN birth_month >= ?4 THEN 1"
    " WHEN birth_month >= ?5 THEN 2 WHEN birth_month >= ?6 THEN 3 ELSE 4 END AS band, sum(n)"
    " FROM resident_count WHERE community >= ?1 AND community < ?2 GROUP BY gender, band";
/* active residents born in a month ('YYYY-MM' sorts before its days) up to a day */
static const char SQL_STATS_BORN_IN_MONTH_BY[] =
    "SELECT count(*) FROM resident WHERE status = 'active' AND birth_date >= ?3"
    " AND birth_date <= ?4 AND community >= ?1 AND community < ?2";

static json_t *int_or_null(StoreStmt *s, int col)
{
    return store_column_is_null(s, col) ? json_null() : json_integer(store_column_int64(s, col));
}

Error *registry_store_community_exists(Store *st, Arena *a, const char *community, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMUNITY_EXISTS);
    StoreResult r;

    store_bind_text(s, 1, community);
    r = store_step(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = r == STORE_ROW;
    store_reset(s);
    return NULL;
}

Error *registry_store_communities(Store *st, Arena *a, const char *lo, const char *hi, int64_t limit,
                                  int64_t offset, json_t *items, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMUNITY_COUNT);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    s = store_prepare(st, a, SQL_COMMUNITY_LIST);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, limit);
    store_bind_int64(s, 4, offset);
    while ((r = store_step(s)) == STORE_ROW) {
        json_array_append_new(items, json_pack(
            "{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I}",
            "code", store_column_text(s, a, 0),
            "name", store_column_text(s, a, 1),
            "street_code", json_string_or_null(store_column_text(s, a, 2)),
            "street_name", json_string_or_null(store_column_text(s, a, 3)),
            "county_name", json_string_or_null(store_column_text(s, a, 4)),
            "buildings", (json_int_t)store_column_int64(s, 5),
            "households", (json_int_t)store_column_int64(s, 6),
            "residents", (json_int_t)store_column_int64(s, 7)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    return NULL;
}

Error *registry_store_community_get(Store *st, Arena *a, const char *code, json_t **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMUNITY_GET);

    store_bind_text(s, 1, code);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = json_pack("{s:s, s:s, s:o, s:o, s:o}", "code", store_column_text(s, a, 0),
                         "name", store_column_text(s, a, 1),
                         "street_code", json_string_or_null(store_column_text(s, a, 2)),
                         "street_name", json_string_or_null(store_column_text(s, a, 3)),
                         "county_name", json_string_or_null(store_column_text(s, a, 4)));
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *registry_store_grid_insert(Store *st, Arena *a, const char *community, const char *name,
                                  int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_GRID_INSERT);

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, name);
    store_bind_int64(s, 3, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        return error_conflict(a, "name", "duplicate_grid", "本社区已有同名网格");
    default:
        return store_error(st, a);
    }
}

Error *registry_store_grids(Store *st, Arena *a, const char *lo, const char *hi, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_GRID_LIST);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I}",
                                               "id", (json_int_t)store_column_int64(s, 0),
                                               "community", store_column_text(s, a, 1),
                                               "name", store_column_text(s, a, 2),
                                               "buildings", (json_int_t)store_column_int64(s, 3)));
    return r == STORE_DONE ? NULL : store_error(st, a);
}

Error *registry_store_building_insert(Store *st, Arena *a, const BuildingInput *in, int64_t *ret_id)
{
    StoreStmt *s;

    if (in->grid_id) {
        s = store_prepare(st, a, SQL_GRID_COMMUNITY);
        store_bind_int64(s, 1, in->grid_id);
        switch (store_step(s)) {
        case STORE_ROW:
            if (strcmp(store_column_text(s, a, 0), in->community) != 0)
                return error_invalid(a, "grid_id", "grid_other_community", "该网格不属于这个社区");
            store_reset(s);
            break;
        case STORE_DONE:
            return error_invalid(a, "grid_id", "unknown_grid", "找不到该网格");
        default:
            return store_error(st, a);
        }
    }
    s = store_prepare(st, a, SQL_BUILDING_INSERT);
    store_bind_text(s, 1, in->community);
    if (in->grid_id)
        store_bind_int64(s, 2, in->grid_id);
    else
        store_bind_null(s, 2);
    store_bind_text(s, 3, in->name);
    store_bind_int64(s, 4, in->units);
    store_bind_int64(s, 5, in->floors);
    store_bind_int64(s, 6, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "FOREIGN KEY"))
            return error_invalid(a, "community", "unknown_community", "找不到该社区，请先导入行政区划");
        return error_conflict(a, "name", "duplicate_building", "本社区已有同名楼栋");
    default:
        return store_error(st, a);
    }
}

static json_t *building_row(StoreStmt *s, Arena *a)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:I, s:I}",
                     "id", (json_int_t)store_column_int64(s, 0),
                     "community", store_column_text(s, a, 1),
                     "name", store_column_text(s, a, 2),
                     "units", (json_int_t)store_column_int64(s, 3),
                     "floors", (json_int_t)store_column_int64(s, 4),
                     "grid_id", int_or_null(s, 5),
                     "grid_name", json_string_or_null(store_column_text(s, a, 6)),
                     "households", (json_int_t)store_column_int64(s, 7),
                     "residents", (json_int_t)store_column_int64(s, 8));
}

Error *registry_store_buildings(Store *st, Arena *a, const char *lo, const char *hi, int64_t limit,
                                int64_t offset, json_t *items, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING_COUNT);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    s = store_prepare(st, a, SQL_BUILDING_LIST);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, limit);
    store_bind_int64(s, 4, offset);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, building_row(s, a));
    return r == STORE_DONE ? NULL : store_error(st, a);
}

Error *registry_store_building_get(Store *st, Arena *a, int64_t id, json_t **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = building_row(s, a);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

static Household *household_from_row(StoreStmt *s, Arena *a)
{
    Household *h = arena_zalloc(a, sizeof(Household));

    h->id = store_column_int64(s, 0);
    h->building_id = store_column_int64(s, 1);
    h->community = store_column_text(s, a, 2);
    h->building_name = store_column_text(s, a, 3);
    h->unit = store_column_int64(s, 4);
    h->floor = store_column_int64(s, 5);
    h->room = store_column_text(s, a, 6);
    h->has_area = !store_column_is_null(s, 7);
    h->area_m2 = store_column_double(s, 7);
    h->address = registry_address(a, h->building_name, h->unit, h->room);
    return h;
}

static json_t *household_row(StoreStmt *s, Arena *a)
{
    Household *h = household_from_row(s, a);

    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:o, s:s, s:I}",
                     "id", (json_int_t)h->id,
                     "building_id", (json_int_t)h->building_id,
                     "community", h->community,
                     "building_name", h->building_name,
                     "unit", (json_int_t)h->unit,
                     "floor", (json_int_t)h->floor,
                     "room", h->room,
                     "area_m2", h->has_area ? json_real(h->area_m2) : json_null(),
                     "address", h->address,
                     "residents", (json_int_t)store_column_int64(s, 8));
}

Error *registry_store_household_get(Store *st, Arena *a, int64_t id, Household **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOUSEHOLD_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = household_from_row(s, a);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *registry_store_household_get_json(Store *st, Arena *a, int64_t id, json_t **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOUSEHOLD_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = household_row(s, a);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

static void bind_household_filter(StoreStmt *s, const HouseholdFilter *f)
{
    store_bind_text(s, 1, f->lo);
    store_bind_text(s, 2, f->hi);
    if (f->building_id)
        store_bind_int64(s, 3, f->building_id);
    if (f->unit)
        store_bind_int64(s, 4, f->unit);
    if (f->has_floor)
        store_bind_int64(s, 5, f->floor);
}

Error *registry_store_households(Store *st, Arena *a, const HouseholdFilter *f, json_t *items,
                                 int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOUSEHOLD_COUNT);
    StoreResult r;

    bind_household_filter(s, f);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    s = store_prepare(st, a, SQL_HOUSEHOLD_LIST);
    bind_household_filter(s, f);
    store_bind_int64(s, 6, f->limit);
    store_bind_int64(s, 7, f->offset);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, household_row(s, a));
    return r == STORE_DONE ? NULL : store_error(st, a);
}

Error *registry_store_household_insert(Store *st, Arena *a, const HouseholdInput *in,
                                       const char *community, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOUSEHOLD_INSERT);

    store_bind_int64(s, 1, in->building_id);
    store_bind_text(s, 2, community);
    store_bind_int64(s, 3, in->unit);
    store_bind_int64(s, 4, in->floor);
    store_bind_text(s, 5, in->room);
    if (in->has_area)
        store_bind_double(s, 6, in->area_m2);
    else
        store_bind_null(s, 6);
    store_bind_int64(s, 7, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        return error_conflict(a, "room", "duplicate_household", "该楼栋该单元已有这个室号");
    default:
        return store_error(st, a);
    }
}

Error *registry_store_place(Store *st, Arena *a, const char *community, const char *building,
                            int64_t unit, int64_t floor, const char *room, double area_m2,
                            bool has_area, Household **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING_FIND);
    int64_t building_id = 0, household_id = 0;
    Error *err;

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, building);
    switch (store_step(s)) {
    case STORE_ROW:
        building_id = store_column_int64(s, 0);
        store_reset(s);
        s = store_prepare(st, a, SQL_BUILDING_GROW);
        store_bind_int64(s, 1, building_id);
        store_bind_int64(s, 2, unit);
        store_bind_int64(s, 3, floor > 0 ? floor : 1);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        break;
    case STORE_DONE: {
        BuildingInput b = { .community = community, .name = building, .units = unit,
                            .floors = floor > 0 ? floor : 1 };

        store_reset(s);
        err = registry_store_building_insert(st, a, &b, &building_id);
        if (err)
            return err;
        break;
    }
    default:
        return store_error(st, a);
    }
    s = store_prepare(st, a, SQL_HOUSEHOLD_FIND);
    store_bind_int64(s, 1, building_id);
    store_bind_int64(s, 2, unit);
    store_bind_text(s, 3, room);
    switch (store_step(s)) {
    case STORE_ROW:
        household_id = store_column_int64(s, 0);
        store_reset(s);
        break;
    case STORE_DONE: {
        HouseholdInput h = { .building_id = building_id, .unit = unit, .floor = floor,
                             .room = room, .area_m2 = area_m2, .has_area = has_area };

        store_reset(s);
        err = registry_store_household_insert(st, a, &h, community, &household_id);
        if (err)
            return err;
        break;
    }
    default:
        return store_error(st, a);
    }
    return registry_store_household_get(st, a, household_id, ret);
}

Error *registry_store_tags(Store *st, Arena *a, const char *lo, const char *hi, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_TAG_LIST);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:s, s:b, s:b, s:I}",
                                               "name", store_column_text(s, a, 0),
                                               "key_population", (int)store_column_int64(s, 1),
                                               "builtin", (int)store_column_int64(s, 2),
                                               "residents", (json_int_t)store_column_int64(s, 3)));
    return r == STORE_DONE ? NULL : store_error(st, a);
}

Error *registry_store_tag_insert(Store *st, Arena *a, const char *name, bool key_population)
{
    StoreStmt *s = store_prepare(st, a, SQL_TAG_INSERT);

    store_bind_text(s, 1, name);
    store_bind_int64(s, 2, key_population);
    switch (store_step(s)) {
    case STORE_DONE:
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        return error_conflict(a, "name", "duplicate_tag", "已有同名标签");
    default:
        return store_error(st, a);
    }
}

static void years_before(char out[40], const char *today, int years)
{
    int y, m, d;

    date_parse(today, &y, &m, &d);
    y -= years;
    if (m == 2 && d == 29)
        d = 28;
    snprintf(out, 40, "%04d-%02d-%02d", y, m, d);
}

/*
 * The dashboard's counts for the communities in [@lo, @hi), read from the
 * counters that schema 0009's triggers keep. The counters know birth months,
 * not days, so for each age boundary (the day someone turns 7, 18, 60, 80)
 * the residents of that month born on or before the day move to the older
 * band, counted through the partial index resident_birth_active.
 */
Error *registry_store_stats(Store *st, Arena *a, const char *lo, const char *hi, json_t *out)
{
    static const char *const bands[] = { "0-6", "7-17", "18-59", "60-79", "80+" };
    static const int boundary_years[] = { 7, 18, 60, 80 };
    char today[11], boundary[ARRAY_SIZE(boundary_years)][40], month[ARRAY_SIZE(boundary_years)][8];
    int64_t by_band[ARRAY_SIZE(bands)] = { 0 }, buildings, households, key_population, residents = 0;
    json_t *by_gender = json_object(), *by_age = json_object(), *by_tag = json_object();
    json_t *tags = json_array();
    StoreStmt *s;
    StoreResult r;
    Error *err;
    size_t i;
    json_t *t;

    json_object_set_new(out, "by_gender", by_gender);
    json_object_set_new(out, "by_age_band", by_age);
    json_object_set_new(out, "by_tag", by_tag);
    json_object_set_new(out, "tags", tags);

    s = store_prepare(st, a, SQL_STATS_COUNTS);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    buildings = store_column_int64(s, 0);
    households = store_column_int64(s, 1);
    key_population = store_column_int64(s, 2);
    store_reset(s);

    date_today(today);
    for (i = 0; i < ARRAY_SIZE(boundary_years); i++) {
        years_before(boundary[i], today, boundary_years[i]);
        memcpy(month[i], boundary[i], 7);
        month[i][7] = '\0';
    }
    json_object_set_new(by_gender, "male", json_integer(0));
    json_object_set_new(by_gender, "female", json_integer(0));
    s = store_prepare(st, a, SQL_STATS_RESIDENTS);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    for (i = 0; i < ARRAY_SIZE(boundary_years); i++)
        store_bind_text(s, 3 + (int)i, month[i]);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *gender = store_column_text(s, a, 0);
        int64_t band = store_column_int64(s, 1), n = store_column_int64(s, 2);
        json_t *g = json_object_get(by_gender, gender);

        residents += n;
        json_object_set_new(by_gender, gender, json_integer(n + (g ? json_integer_value(g) : 0)));
        if (band >= 0 && band < (int64_t)ARRAY_SIZE(bands))
            by_band[band] += n;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    for (i = 0; i < ARRAY_SIZE(boundary_years); i++) {
        int64_t older;

        s = store_prepare(st, a, SQL_STATS_BORN_IN_MONTH_BY);
        store_bind_text(s, 1, lo);
        store_bind_text(s, 2, hi);
        store_bind_text(s, 3, month[i]);
        store_bind_text(s, 4, boundary[i]);
        if (store_step(s) != STORE_ROW)
            return store_error(st, a);
        older = store_column_int64(s, 0);
        store_reset(s);
        by_band[i] -= older;
        by_band[i + 1] += older;
    }
    for (i = 0; i < ARRAY_SIZE(bands); i++)
        json_object_set_new(by_age, bands[i], json_integer(by_band[i]));

    json_object_set_new(out, "buildings", json_integer(buildings));
    json_object_set_new(out, "households", json_integer(households));
    json_object_set_new(out, "residents", json_integer(residents));
    json_object_set_new(out, "key_population", json_integer(key_population));

    err = registry_store_tags(st, a, lo, hi, tags);
    if (err)
        return err;
    json_array_foreach(tags, i, t)
        json_object_set(by_tag, json_string_value(json_object_get(t, "name")),
                        json_object_get(t, "residents"));
    return NULL;
}

/*
 * The tag history summed by month: a row per (community, tag, month) with
 * the net change, the months before the first folded into one ('').
 */
static const char SQL_COUNT_TAG_MONTHS[] =
    "SELECT x.community, x.tag, x.m, sum(x.d) FROM"
    " (SELECT e.community, e.tag, t.sort,"
    "  CASE WHEN e.date < ?3 THEN '' ELSE substr(e.date, 1, 7) END AS m,"
    "  CASE WHEN e.op = 'add' THEN 1 ELSE -1 END AS d"
    "  FROM resident_tag_event e JOIN tag t ON t.name = e.tag"
    "  WHERE t.key_population = 1 AND e.community >= ?1 AND e.community < ?2 AND e.date <= ?4) x"
    " GROUP BY x.sort, x.tag, x.community, x.m ORDER BY x.sort, x.tag, x.community, x.m";

Error *registry_store_count_tag_months(Store *st, Arena *a, const char *lo, const char *hi,
                                       int to_month, int months, CountRows *out)
{
    int first = (to_month / 100) * 12 + (to_month % 100 - 1) - (months - 1);
    CountRows deltas = { 0 };
    CountRow *cur = NULL;
    char from[40], to[40];
    size_t w;
    Error *err;

    if (months < 1 || months > COUNT_ROW_MAX)
        return error_internal(a, "count_tag_months: months out of range");
    snprintf(from, sizeof(from), "%04d-%02d-01", first / 12, first % 12 + 1);
    snprintf(to, sizeof(to), "%04d-%02d-31", to_month / 100, to_month % 100);
    err = store_count_rows(
        st, a, store_prepare_bind(st, a, SQL_COUNT_TAG_MONTHS, "tttt", lo, hi, from, to), &deltas);
    if (err)
        return err;
    for (size_t i = 0; i < deltas.n; i++) {
        const CountRow *r = &deltas.v[i];
        int y, m, k = 0;

        if (!cur || strcmp(cur->key, r->key) != 0 || strcmp(cur->community, r->community) != 0) {
            cur = count_rows_add(a, out);
            cur->community = r->community;
            cur->key = r->key;
            cur->label = "";
        }
        /* '' (before the first month) adds to every month, a month to itself and the later */
        if (r->label[0]) {
            if (sscanf(r->label, "%d-%d", &y, &m) != 2)
                continue;
            k = y * 12 + m - 1 - first;
            if (k < 0 || k >= months)
                continue;
        }
        for (int j = k; j < months; j++)
            cur->n[j] += r->n[0];
    }
    /* a tag no one in the community held at any month's end says nothing */
    w = 0;
    for (size_t i = 0; i < out->n; i++) {
        bool any = false;

        for (int j = 0; j < months; j++)
            any = any || out->v[i].n[j] != 0;
        if (any)
            out->v[w++] = out->v[i];
    }
    out->n = w;
    return NULL;
}

/* ---- bulk loads ---- */

/* Each dialect lists its own catalogue: no common form exists. */
static const char SQL_VERSION_TRIGGERS[] =
    "SELECT 'DROP TRIGGER \"' || name || '\"', sql FROM sqlite_schema"
    " WHERE type = 'trigger' AND name LIKE '%\\_version' ESCAPE '\\'";
static const char SQL_VERSION_TRIGGERS_PG[] =
    "SELECT format('ALTER TABLE %I DISABLE TRIGGER %I', c.relname, t.tgname),"
    "       format('ALTER TABLE %I ENABLE TRIGGER %I', c.relname, t.tgname)"
    " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " WHERE NOT t.tgisinternal AND t.tgname LIKE '%\\_version' ESCAPE '\\'"
    "   AND c.relnamespace = current_schema()::regnamespace";
static const char SQL_VERSION_BUMP[] = "UPDATE data_version SET v = v + 1 WHERE name = 'registry'";

Error *registry_store_bulk_begin(Store *st, Arena *a, RegistryBulk *ret)
{
    StoreStmt *s =
        store_prepare(st, a, store_sql(st, SQL_VERSION_TRIGGERS, SQL_VERSION_TRIGGERS_PG));
    StoreResult r;
    Error *err;

    memset(ret, 0, sizeof(*ret));
    while ((r = store_step(s)) == STORE_ROW && ret->n < REGISTRY_BULK_MAX_TRIGGERS) {
        ret->off[ret->n] = store_column_text(s, a, 0);
        ret->sql[ret->n] = store_column_text(s, a, 1);
        ret->n++;
    }
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    for (size_t i = 0; i < ret->n; i++) {
        err = store_exec(st, a, ret->off[i]);
        if (err)
            return err;
    }
    return NULL;
}

Error *registry_store_bulk_end(Store *st, Arena *a, const RegistryBulk *bulk)
{
    StoreStmt *s;
    Error *err;

    for (size_t i = 0; i < bulk->n; i++) {
        err = store_exec(st, a, bulk->sql[i]);
        if (err)
            return err;
    }
    s = store_prepare(st, a, SQL_VERSION_BUMP);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- counts by community, for src/analytics (registry.h) ---- */

static const char SQL_COUNT_COMMUNITIES[] =
    "SELECT d.code, coalesce(d.parent_code, ''), d.name, coalesce(n.buildings, 0),"
    " coalesce(n.households, 0), coalesce(n.key_population, 0)"
    " FROM division d LEFT JOIN community_count n ON n.community = d.code"
    " WHERE d.level = 5 AND d.code >= ?1 AND d.code < ?2 ORDER BY d.code";

Error *registry_store_count_communities(Store *st, Arena *a, const char *lo, const char *hi,
                                        CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_COUNT_COMMUNITIES, "tt", lo, hi),
                            out);
}

/*
 * The birth-month counters of the scope in their key's order (community,
 * month, gender: no sort), folded into bands in C as they come, the
 * boundary months counted in the younger band; SQL_COUNT_AGE_BOUNDARY then
 * moves those born on or before each boundary day to the older band (as
 * registry_store_stats does). Grouping by band in SQL sorted the city's
 * 400,000 counter rows and took twice as long.
 */
static const char SQL_COUNT_AGE[] =
    "SELECT community, birth_month, gender, n FROM resident_count"
    " WHERE community >= ?1 AND community < ?2 AND n <> 0";
/*
 * One part per boundary, each a short range of the birth-date index (the
 * "|| ''" keeps SQLite from scanning the community index instead when the
 * scope is a whole city).
 */
static const char SQL_COUNT_AGE_BOUNDARY[] =
    "SELECT community, gender, '', 0, count(*) FROM resident WHERE status = 'active'"
    " AND birth_date >= ?3 AND birth_date <= ?9 AND community || '' >= ?1"
    " AND community || '' < ?2 GROUP BY community, gender"
    " UNION ALL "
    "SELECT community, gender, '', 1, count(*) FROM resident WHERE status = 'active'"
    " AND birth_date >= ?4 AND birth_date <= ?10 AND community || '' >= ?1"
    " AND community || '' < ?2 GROUP BY community, gender"
    " UNION ALL "
    "SELECT community, gender, '', 2, count(*) FROM resident WHERE status = 'active'"
    " AND birth_date >= ?5 AND birth_date <= ?11 AND community || '' >= ?1"
    " AND community || '' < ?2 GROUP BY community, gender"
    " UNION ALL "
    "SELECT community, gender, '', 3, count(*) FROM resident WHERE status = 'active'"
    " AND birth_date >= ?6 AND birth_date <= ?12 AND community || '' >= ?1"
    " AND community || '' < ?2 GROUP BY community, gender"
    " UNION ALL "
    "SELECT community, gender, '', 4, count(*) FROM resident WHERE status = 'active'"
    " AND birth_date >= ?7 AND birth_date <= ?13 AND community || '' >= ?1"
    " AND community || '' < ?2 GROUP BY community, gender"
    " UNION ALL "
    "SELECT community, gender, '', 5, count(*) FROM resident WHERE status = 'active'"
    " AND birth_date >= ?8 AND birth_date <= ?14 AND community || '' >= ?1"
    " AND community || '' < ?2 GROUP BY community, gender";

const int registry_age_boundaries[REGISTRY_AGE_BANDS - 1] = { 7, 18, 35, 60, 65, 80 };
const char *const registry_age_band_labels[REGISTRY_AGE_BANDS] = {
    "0-6", "7-17", "18-34", "35-59", "60-64", "65-79", "80+",
};

Error *registry_store_count_ages(Store *st, Arena *a, const char *lo, const char *hi,
                                 const char *today, CountRows *out)
{
    enum { NB = REGISTRY_AGE_BANDS - 1 };
    char boundary[NB][40], month[NB][8];
    CountRows fix = { 0 };
    StoreStmt *s;
    Error *err;
    int i;

    for (i = 0; i < NB; i++) {
        years_before(boundary[i], today, registry_age_boundaries[i]);
        memcpy(month[i], boundary[i], 7);
        month[i][7] = '\0';
    }
    s = store_prepare_bind(st, a, SQL_COUNT_AGE, "tt", lo, hi);
    {
        int64_t sum[2][REGISTRY_AGE_BANDS] = { { 0 } };
        const char *cur = NULL;
        StoreResult r;

        for (;;) {
            const char *community = NULL, *m = NULL, *gender = NULL;
            int band = 0, g;

            r = store_step(s);
            if (r == STORE_ROW)
                community = store_column_text(s, a, 0);
            if (cur && (r != STORE_ROW || strcmp(cur, community) != 0)) {
                for (g = 0; g < 2; g++)
                    for (int b = 0; b < REGISTRY_AGE_BANDS; b++) {
                        CountRow *row;

                        if (!sum[g][b])
                            continue;
                        row = count_rows_add(a, out);
                        row->community = cur;
                        row->key = g == 0 ? "male" : "female";
                        row->n[0] = b;
                        row->n[1] = sum[g][b];
                    }
                memset(sum, 0, sizeof(sum));
            }
            if (r != STORE_ROW)
                break;
            if (!cur || strcmp(cur, community) != 0)
                cur = community;
            m = store_column_text(s, a, 1);
            gender = store_column_text(s, a, 2);
            while (band < NB && strcmp(m, month[band]) < 0)
                band++;
            g = strcmp(gender, "male") == 0 ? 0 : 1;
            sum[g][band] += store_column_int64(s, 3);
        }
        if (r != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
    }
    s = store_prepare(st, a, SQL_COUNT_AGE_BOUNDARY);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    for (i = 0; i < NB; i++) {
        store_bind_text(s, 3 + i, month[i]);
        store_bind_text(s, 3 + NB + i, boundary[i]);
    }
    err = store_count_rows(st, a, s, &fix);
    if (err)
        return err;
    for (size_t k = 0; k < fix.n; k++) {
        const CountRow *f = &fix.v[k];
        CountRow *younger = count_rows_add(a, out), *older = count_rows_add(a, out);

        younger->community = older->community = f->community;
        younger->key = older->key = f->key;
        younger->n[0] = f->n[0];
        younger->n[1] = -f->n[1];
        older->n[0] = f->n[0] + 1;
        older->n[1] = f->n[1];
    }
    return NULL;
}

static const char SQL_COUNT_LIVING_ALONE[] =
    "SELECT h.community, '', '', count(*) FROM household h"
    " WHERE h.community >= ?1 AND h.community < ?2"
    " AND (SELECT count(*) FROM resident r WHERE r.household_id = h.id AND r.status = 'active') = 1"
    " GROUP BY h.community";

Error *registry_store_count_living_alone(Store *st, Arena *a, const char *lo, const char *hi,
                                         CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_COUNT_LIVING_ALONE, "tt", lo, hi),
                            out);
}

static const char SQL_COUNT_TAGS[] =
    "SELECT c.community, c.tag, '', c.n, t.key_population, t.sort"
    " FROM tag_count c JOIN tag t ON t.name = c.tag"
    " WHERE c.community >= ?1 AND c.community < ?2 AND c.n > 0 ORDER BY t.sort, c.tag";

Error *registry_store_count_tags(Store *st, Arena *a, const char *lo, const char *hi,
                                 CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_COUNT_TAGS, "tt", lo, hi), out);
}

static const char SQL_COUNT_BUILDINGS[] =
    "SELECT community, '', '', count(*), sum(floors),"
    " sum(CASE WHEN floors <= 6 THEN 1 ELSE 0 END), sum(CASE WHEN floors >= 12 THEN 1 ELSE 0 END)"
    " FROM building WHERE community >= ?1 AND community < ?2 GROUP BY community";

Error *registry_store_count_buildings(Store *st, Arena *a, const char *lo, const char *hi,
                                      CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_COUNT_BUILDINGS, "tt", lo, hi),
                            out);
}

static const char SQL_COUNT_NEWCOMERS[] =
    "SELECT community, '', '', count(*) FROM resident"
    " WHERE status = 'active' AND community >= ?1 AND community < ?2 AND moved_in >= ?3"
    " GROUP BY community";

Error *registry_store_count_newcomers(Store *st, Arena *a, const char *lo, const char *hi,
                                      const char *since, CountRows *out)
{
    return store_count_rows(
        st, a, store_prepare_bind(st, a, SQL_COUNT_NEWCOMERS, "ttt", lo, hi, since), out);
}

static const char SQL_COUNT_KEY_PEOPLE[] =
    "SELECT r.community, rt.tag, r.name, r.id, CAST(substr(r.birth_date, 1, 4) AS INTEGER)"
    " FROM resident r JOIN resident_tag rt ON rt.resident_id = r.id"
    " JOIN tag t ON t.name = rt.tag AND t.key_population = 1"
    " WHERE r.status = 'active' AND r.community >= ?1 AND r.community < ?2"
    " ORDER BY r.community, r.id, t.sort";

Error *registry_store_count_key_people(Store *st, Arena *a, const char *lo, const char *hi,
                                       CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_COUNT_KEY_PEOPLE, "tt", lo, hi),
                            out);
}
