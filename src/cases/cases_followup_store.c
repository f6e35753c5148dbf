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

/*
 * Open cases of a community inside a box, with their points: a map point,
 * or (where the registry has building coordinates) the building's. Whether
 * building.lat exists is asked once per query, so the same binary serves a
 * database migrated before and after building coordinates came.
 */
#define NEARBY_SELECT(LAT, LON)                                                              \
    "SELECT c.id, k.name, coalesce(b.name, c.address, '地图选点'), c.state, c.created_at,"   \
    " " LAT ", " LON ", substr(c.description, 1, 60), coalesce(c.reporter_id, 0)"            \
    " FROM cases c JOIN case_category k ON k.id = c.category_id"                            \
    " LEFT JOIN building b ON b.id = c.building_id"                                         \
    " WHERE c.community = ?1 AND c.state <> 'closed'"                                       \
    " AND " LAT " BETWEEN ?2 AND ?3 AND " LON " BETWEEN ?4 AND ?5"                          \
    " ORDER BY c.id DESC LIMIT 500"

static const char SQL_NEARBY_POINTS[] = NEARBY_SELECT("c.lat", "c.lon");
static const char SQL_NEARBY_BUILDINGS[] =
    NEARBY_SELECT("coalesce(c.lat, b.lat)", "coalesce(c.lon, b.lon)");
/* each dialect has its own catalogue */
static const char SQL_BUILDING_HAS_POINT[] =
    "SELECT count(*) FROM pragma_table_info('building') WHERE name IN ('lat', 'lon')";
static const char SQL_BUILDING_HAS_POINT_PG[] =
    "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = 'building' AND column_name IN ('lat', 'lon')";

Error *cases_store_nearby(Store *st, Arena *a, const char *community, double min_lat,
                          double max_lat, double min_lon, double max_lon, CaseNearby **ret,
                          size_t *ret_n)
{
    StoreStmt *s =
        store_prepare(st, a, store_sql(st, SQL_BUILDING_HAS_POINT, SQL_BUILDING_HAS_POINT_PG));
    bool buildings;
    size_t n = 0, cap = 32;
    CaseNearby *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;

    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    buildings = store_column_int64(s, 0) == 2;
    store_reset(s);
    s = store_prepare(st, a, buildings ? SQL_NEARBY_BUILDINGS : SQL_NEARBY_POINTS);
    store_bind_text(s, 1, community);
    store_bind_double(s, 2, min_lat);
    store_bind_double(s, 3, max_lat);
    store_bind_double(s, 4, min_lon);
    store_bind_double(s, 5, max_lon);
    while ((r = store_step(s)) == STORE_ROW) {
        CaseNearby *x;

        items = arena_grow(a, items, n, &cap, sizeof(*items));
        x = &items[n++];
        x->id = store_column_int64(s, 0);
        x->category_name = store_column_text(s, a, 1);
        x->place = store_column_text(s, a, 2);
        if (!case_state_parse(store_column_text(s, a, 3), &x->state))
            x->state = CASE_ACCEPTED;
        x->created_at = store_column_int64(s, 4);
        x->lat = store_column_double(s, 5);
        x->lon = store_column_double(s, 6);
        x->description = store_column_text(s, a, 7);
        x->reporter_id = store_column_int64(s, 8);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}
