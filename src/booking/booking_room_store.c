/*
 * Rooms, their opening hours, blackouts and the community's no-show policy:
 * the SQL that does not touch bookings. A Room comes back as a struct
 * (rules and all), because the rules are used by C, not only shown.
 */
#include <stdlib.h>
#include <string.h>

#include "booking/booking.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_ROOM_INSERT[] =
    "INSERT INTO room (community, name, type, capacity, facilities, building_id, location, photo,"
    " open_24h, slot_minutes, min_minutes, max_minutes, horizon_days, weekly_quota,"
    " needs_approval, checkin_before_minutes, checkin_after_minutes, utc_offset_minutes,"
    " created_at, updated_at, lock_webhook)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?19, ?21) RETURNING id";

static const char SQL_ROOM_UPDATE[] =
    "UPDATE room SET community = ?1, name = ?2, type = ?3, capacity = ?4, facilities = ?5,"
    " building_id = ?6, location = ?7, photo = ?8, open_24h = ?9, slot_minutes = ?10,"
    " min_minutes = ?11, max_minutes = ?12, horizon_days = ?13, weekly_quota = ?14,"
    " needs_approval = ?15, checkin_before_minutes = ?16, checkin_after_minutes = ?17,"
    " utc_offset_minutes = ?18, updated_at = ?19, lock_webhook = ?21 WHERE id = ?20";

#define ROOM_SELECT                                                                           \
    "SELECT r.id, r.community, r.name, r.type, r.capacity, r.facilities, r.building_id,"      \
    " b.name, r.location, r.photo, r.open_24h, r.slot_minutes, r.min_minutes, r.max_minutes," \
    " r.horizon_days, r.weekly_quota, r.needs_approval, r.checkin_before_minutes,"            \
    " r.checkin_after_minutes, r.utc_offset_minutes, r.created_at, r.updated_at,"            \
    " r.lock_webhook"                                                                          \
    " FROM room r LEFT JOIN building b ON b.id = r.building_id"

static const char SQL_ROOM_GET[] = ROOM_SELECT " WHERE r.id = ?1";
static const char SQL_ROOM_LIST[] =
    ROOM_SELECT " WHERE r.community >= ?1 AND r.community < ?2"
    " ORDER BY r.community, r.name LIMIT ?3";

static const char SQL_HOURS_GET[] =
    "SELECT room_id, weekday, open_min, close_min FROM room_hours WHERE room_id = ?1"
    " ORDER BY weekday, open_min";
static const char SQL_HOURS_LIST[] =
    "SELECT h.room_id, h.weekday, h.open_min, h.close_min FROM room_hours h"
    " JOIN room r ON r.id = h.room_id WHERE r.community >= ?1 AND r.community < ?2"
    " ORDER BY h.room_id, h.weekday, h.open_min";
static const char SQL_HOURS_DELETE[] = "DELETE FROM room_hours WHERE room_id = ?1";
static const char SQL_HOURS_INSERT[] =
    "INSERT INTO room_hours (room_id, weekday, open_min, close_min) VALUES (?1, ?2, ?3, ?4)";

static const char SQL_BUILDING_IN[] = "SELECT 1 FROM building WHERE id = ?1 AND community = ?2";

static const char SQL_BLACKOUT_INSERT[] =
    "INSERT INTO room_blackout (room_id, start_ms, end_ms, reason, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_BLACKOUT_LIST[] =
    "SELECT id, room_id, start_ms, end_ms, reason FROM room_blackout"
    " WHERE room_id = ?1 AND end_ms > ?2 AND start_ms < ?3 ORDER BY start_ms LIMIT 500";
static const char SQL_BLACKOUT_GET[] =
    "SELECT id, room_id, start_ms, end_ms, reason FROM room_blackout WHERE id = ?1";
static const char SQL_BLACKOUT_DELETE[] = "DELETE FROM room_blackout WHERE id = ?1";

static const char SQL_POLICY_GET[] =
    "SELECT no_show_limit, window_days, suspend_days FROM booking_policy WHERE community = ?1";
static const char SQL_POLICY_SET[] =
    "INSERT INTO booking_policy (community, no_show_limit, window_days, suspend_days, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (community) DO UPDATE SET"
    " no_show_limit = excluded.no_show_limit, window_days = excluded.window_days,"
    " suspend_days = excluded.suspend_days, updated_at = excluded.updated_at";

static const char *facilities_text(Arena *a, const Room *room)
{
    json_t *arr = json_array();
    char *text, *out;

    for (int i = 0; i < room->n_facilities; i++)
        json_array_append_new(arr, json_string(room->facilities[i]));
    text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    out = arena_strdup(a, text ? text : "[]");
    free(text);
    return out;
}

static void read_facilities(Arena *a, const char *text, Room *room)
{
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    size_t i;
    json_t *v;

    room->n_facilities = 0;
    json_array_foreach(arr, i, v) {
        if (json_is_string(v) && room->n_facilities < BOOKING_MAX_FACILITIES)
            room->facilities[room->n_facilities++] = arena_strdup(a, json_string_value(v));
    }
    json_decref(arr);
}

static void bind_room(StoreStmt *s, Arena *a, const Room *room)
{
    const RoomRules *r = &room->rules;

    store_bind_text(s, 1, room->community);
    store_bind_text(s, 2, room->name);
    store_bind_text(s, 3, room->type ? room->type : "");
    store_bind_int64(s, 4, room->capacity);
    store_bind_text(s, 5, facilities_text(a, room));
    if (room->building_id)
        store_bind_int64(s, 6, room->building_id);
    else
        store_bind_null(s, 6);
    store_bind_text(s, 7, room->location);
    store_bind_text(s, 8, room->photo);
    store_bind_int64(s, 9, r->open_24h);
    store_bind_int64(s, 10, r->slot_minutes);
    store_bind_int64(s, 11, r->min_minutes);
    store_bind_int64(s, 12, r->max_minutes);
    store_bind_int64(s, 13, r->horizon_days);
    store_bind_int64(s, 14, r->weekly_quota);
    store_bind_int64(s, 15, r->needs_approval);
    store_bind_int64(s, 16, r->checkin_before_minutes);
    store_bind_int64(s, 17, r->checkin_after_minutes);
    store_bind_int64(s, 18, r->utc_offset_minutes);
    store_bind_int64(s, 19, time_now_ms());
    store_bind_text(s, 21, room->lock_webhook);
}

static Room *read_room(StoreStmt *s, Arena *a)
{
    Room *room = arena_zalloc(a, sizeof(Room));
    RoomRules *r = &room->rules;

    room->id = store_column_int64(s, 0);
    room->community = store_column_text(s, a, 1);
    room->name = store_column_text(s, a, 2);
    room->type = store_column_text(s, a, 3);
    room->capacity = store_column_int64(s, 4);
    read_facilities(a, store_column_text(s, a, 5), room);
    room->building_id = store_column_int64(s, 6);
    room->building_name = store_column_text(s, a, 7);
    room->location = store_column_text(s, a, 8);
    room->photo = store_column_text(s, a, 9);
    r->open_24h = store_column_int64(s, 10) != 0;
    r->slot_minutes = (int)store_column_int64(s, 11);
    r->min_minutes = (int)store_column_int64(s, 12);
    r->max_minutes = (int)store_column_int64(s, 13);
    r->horizon_days = (int)store_column_int64(s, 14);
    r->weekly_quota = (int)store_column_int64(s, 15);
    r->needs_approval = store_column_int64(s, 16) != 0;
    r->checkin_before_minutes = (int)store_column_int64(s, 17);
    r->checkin_after_minutes = (int)store_column_int64(s, 18);
    r->utc_offset_minutes = (int)store_column_int64(s, 19);
    room->created_at = store_column_int64(s, 20);
    room->updated_at = store_column_int64(s, 21);
    room->lock_webhook = store_column_text(s, a, 22);
    return room;
}

static void add_hours(Room *room, int wd, int open_min, int close_min)
{
    RoomRules *r = &room->rules;

    if (wd < 1 || wd > 7 || r->n_hours[wd - 1] >= BOOKING_MAX_INTERVALS)
        return;
    r->hours[wd - 1][r->n_hours[wd - 1]].open_min = open_min;
    r->hours[wd - 1][r->n_hours[wd - 1]].close_min = close_min;
    r->n_hours[wd - 1]++;
}

static Error *insert_hours(Store *st, Arena *a, int64_t room_id, const RoomRules *r)
{
    for (int d = 0; d < 7; d++) {
        for (int i = 0; i < r->n_hours[d]; i++) {
            StoreStmt *s = store_prepare(st, a, SQL_HOURS_INSERT);

            store_bind_int64(s, 1, room_id);
            store_bind_int64(s, 2, d + 1);
            store_bind_int64(s, 3, r->hours[d][i].open_min);
            store_bind_int64(s, 4, r->hours[d][i].close_min);
            if (store_step(s) != STORE_DONE)
                return store_error(st, a);
            store_reset(s);
        }
    }
    return NULL;
}

static Error *duplicate_room(Arena *a)
{
    return error_conflict(a, "name", "duplicate_room", "本社区已有同名活动室，请换一个名称");
}

Error *booking_store_room_insert(Store *st, Arena *a, const Room *room, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROOM_INSERT);
    int64_t id;

    bind_room(s, a, room);
    switch (store_step(s)) {
    case STORE_ROW:
        id = store_column_int64(s, 0);
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "UNIQUE"))
            return duplicate_room(a);
        return error_internal(a, "room insert: %s", store_errmsg(st));
    default:
        return store_error(st, a);
    }
    *ret_id = id;
    return insert_hours(st, a, id, &room->rules);
}

Error *booking_store_room_update(Store *st, Arena *a, const Room *room, bool hours_changed)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROOM_UPDATE);

    bind_room(s, a, room);
    store_bind_int64(s, 20, room->id);
    switch (store_step(s)) {
    case STORE_DONE:
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        if (store_error_mentions(st, "UNIQUE"))
            return duplicate_room(a);
        return error_internal(a, "room update: %s", store_errmsg(st));
    default:
        return store_error(st, a);
    }
    if (!hours_changed)
        return NULL;
    s = store_prepare(st, a, SQL_HOURS_DELETE);
    store_bind_int64(s, 1, room->id);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return insert_hours(st, a, room->id, &room->rules);
}

Error *booking_store_room_get(Store *st, Arena *a, int64_t id, Room **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROOM_GET);
    StoreResult r;
    Room *room;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        room = read_room(s, a);
        store_reset(s);
        break;
    case STORE_DONE:
        store_reset(s);
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
    s = store_prepare(st, a, SQL_HOURS_GET);
    store_bind_int64(s, 1, id);
    while ((r = store_step(s)) == STORE_ROW)
        add_hours(room, (int)store_column_int64(s, 1), (int)store_column_int64(s, 2),
                  (int)store_column_int64(s, 3));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = room;
    return NULL;
}

Error *booking_store_rooms(Store *st, Arena *a, const char *lo, const char *hi, size_t limit,
                           Room ***ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROOM_LIST);
    Room **rooms = arena_alloc(a, (limit ? limit : 1) * sizeof(Room *));
    size_t n = 0;
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, (int64_t)limit);
    while ((r = store_step(s)) == STORE_ROW && n < limit)
        rooms[n++] = read_room(s, a);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    s = store_prepare(st, a, SQL_HOURS_LIST);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t room_id = store_column_int64(s, 0);

        for (size_t i = 0; i < n; i++)
            if (rooms[i]->id == room_id)
                add_hours(rooms[i], (int)store_column_int64(s, 1), (int)store_column_int64(s, 2),
                          (int)store_column_int64(s, 3));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = rooms;
    *ret_n = n;
    return NULL;
}

Error *booking_store_building_in(Store *st, Arena *a, int64_t building_id, const char *community,
                                 bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING_IN);
    StoreResult r;

    store_bind_int64(s, 1, building_id);
    store_bind_text(s, 2, community);
    r = store_step(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = r == STORE_ROW;
    store_reset(s);
    return NULL;
}

static void read_blackout(StoreStmt *s, Arena *a, Blackout *b)
{
    b->id = store_column_int64(s, 0);
    b->room_id = store_column_int64(s, 1);
    b->start_ms = store_column_int64(s, 2);
    b->end_ms = store_column_int64(s, 3);
    b->reason = store_column_text(s, a, 4);
    b->room_name = NULL;
}

Error *booking_store_blackout_insert(Store *st, Arena *a, Blackout *b, int64_t actor_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_BLACKOUT_INSERT);

    store_bind_int64(s, 1, b->room_id);
    store_bind_int64(s, 2, b->start_ms);
    store_bind_int64(s, 3, b->end_ms);
    store_bind_text(s, 4, b->reason);
    store_bind_int64(s, 5, actor_id);
    store_bind_int64(s, 6, time_now_ms());
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    b->id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *booking_store_blackouts(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                               Blackout **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_BLACKOUT_LIST);
    Blackout *items = arena_alloc(a, 500 * sizeof(Blackout));
    size_t n = 0;
    StoreResult r;

    store_bind_int64(s, 1, room_id);
    store_bind_int64(s, 2, from_ms);
    store_bind_int64(s, 3, to_ms);
    while ((r = store_step(s)) == STORE_ROW && n < 500)
        read_blackout(s, a, &items[n++]);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *booking_store_blackout_get(Store *st, Arena *a, int64_t id, Blackout **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_BLACKOUT_GET);
    Blackout *b;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        b = arena_zalloc(a, sizeof(Blackout));
        read_blackout(s, a, b);
        store_reset(s);
        *ret = b;
        return NULL;
    case STORE_DONE:
        store_reset(s);
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *booking_store_blackout_delete(Store *st, Arena *a, int64_t id)
{
    StoreStmt *s = store_prepare(st, a, SQL_BLACKOUT_DELETE);

    store_bind_int64(s, 1, id);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *booking_store_policy(Store *st, Arena *a, const char *community, BookingPolicy *ret)
{
    static const BookingPolicy defaults = BOOKING_POLICY_DEFAULT;
    StoreStmt *s = store_prepare(st, a, SQL_POLICY_GET);

    store_bind_text(s, 1, community);
    switch (store_step(s)) {
    case STORE_ROW:
        ret->no_show_limit = (int)store_column_int64(s, 0);
        ret->window_days = (int)store_column_int64(s, 1);
        ret->suspend_days = (int)store_column_int64(s, 2);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        *ret = defaults;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *booking_store_policy_set(Store *st, Arena *a, const char *community, const BookingPolicy *p)
{
    StoreStmt *s = store_prepare(st, a, SQL_POLICY_SET);

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, p->no_show_limit);
    store_bind_int64(s, 3, p->window_days);
    store_bind_int64(s, 4, p->suspend_days);
    store_bind_int64(s, 5, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}
