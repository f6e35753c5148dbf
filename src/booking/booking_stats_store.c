/*
 * What utilisation is computed from: the bookings of a set of rooms that
 * held their time (confirmed, checked in, or released as a no-show) in a
 * range, and the blackouts that closed them. Summing is done in C
 * (booking_stats.c), where the rooms' opening hours and time zone are.
 */
#include "booking/booking.h"
#include "booking/booking_store.h"
#include "core/banned.h"

static const char SQL_STATS_BOOKINGS[] =
    "SELECT room_id, start_ms, end_ms, state, no_show FROM booking"
    " WHERE community >= ?1 AND community < ?2 AND end_ms > ?3 AND start_ms < ?4"
    " AND state IN ('confirmed', 'checked_in', 'released') AND (?5 = 0 OR room_id = ?5)"
    " ORDER BY room_id LIMIT ?6";

static const char SQL_BLACKOUTS_IN[] =
    "SELECT b.id, b.room_id, b.start_ms, b.end_ms, b.reason, r.name, r.utc_offset_minutes"
    " FROM room r JOIN room_blackout b ON b.room_id = r.id"
    " WHERE r.community >= ?1 AND r.community < ?2 AND (?5 = 0 OR r.id = ?5)"
    " AND b.end_ms > ?3 AND b.start_ms < ?4"
    " ORDER BY b.room_id, b.start_ms, b.id LIMIT ?6";

/* @sql with both queries' parameters bound: communities, range, room, one row past @limit. */
static StoreStmt *prepare_range(Store *st, Arena *a, const char *sql, const char *lo,
                                const char *hi, int64_t room_id, int64_t from_ms, int64_t to_ms,
                                size_t limit)
{
    StoreStmt *s = store_prepare(st, a, sql);

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, from_ms);
    store_bind_int64(s, 4, to_ms);
    store_bind_int64(s, 5, room_id);
    store_bind_int64(s, 6, (int64_t)limit + 1);
    return s;
}

Error *booking_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int64_t room_id,
                           int64_t from_ms, int64_t to_ms, size_t limit, StatBooking **ret,
                           size_t *ret_n)
{
    StoreStmt *s = prepare_range(st, a, SQL_STATS_BOOKINGS, lo, hi, room_id, from_ms, to_ms, limit);
    size_t n = 0, cap = 256;
    StatBooking *items = arena_alloc(a, cap * sizeof(StatBooking));
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        const char *state;

        if (n == limit) {
            store_reset(s);
            return error_bad_request(a, "from", "too_many_bookings", "该时间范围内预约过多，请缩小日期范围");
        }
        items = arena_grow(a, items, n, &cap, sizeof(StatBooking));
        items[n].room_id = store_column_int64(s, 0);
        items[n].start_ms = store_column_int64(s, 1);
        items[n].end_ms = store_column_int64(s, 2);
        state = store_column_text(s, a, 3);
        items[n].checked_in = state[0] == 'c' && state[1] == 'h';
        items[n].no_show = store_column_int64(s, 4) != 0;
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *booking_store_blackouts_in(Store *st, Arena *a, const char *lo, const char *hi,
                                  int64_t room_id, int64_t from_ms, int64_t to_ms, size_t limit,
                                  Blackout **ret, size_t *ret_n)
{
    StoreStmt *s = prepare_range(st, a, SQL_BLACKOUTS_IN, lo, hi, room_id, from_ms, to_ms, limit);
    size_t n = 0, cap = 64;
    Blackout *items = arena_alloc(a, cap * sizeof(Blackout));
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        if (n == limit) {
            store_reset(s);
            return error_bad_request(a, "from", "too_many_blackouts", "该时间范围内暂停开放的时段过多，请缩小日期范围");
        }
        items = arena_grow(a, items, n, &cap, sizeof(Blackout));
        items[n].id = store_column_int64(s, 0);
        items[n].room_id = store_column_int64(s, 1);
        items[n].start_ms = store_column_int64(s, 2);
        items[n].end_ms = store_column_int64(s, 3);
        items[n].reason = store_column_text(s, a, 4);
        items[n].room_name = store_column_text(s, a, 5);
        items[n].utc_offset_minutes = (int)store_column_int64(s, 6);
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

static const char SQL_ROOMS_BY_COMMUNITY[] =
    "SELECT community, type, '', count(*) FROM room WHERE community >= ?1 AND community < ?2"
    " GROUP BY community, type";
static const char SQL_BOOKINGS_BY_COMMUNITY[] =
    "SELECT b.community, r.type, '', count(*), sum((b.end_ms - b.start_ms) / 60000),"
    " sum(CASE WHEN b.state = 'checked_in' THEN 1 ELSE 0 END)"
    " FROM booking b JOIN room r ON r.id = b.room_id"
    " WHERE b.community >= ?1 AND b.community < ?2 AND b.start_ms >= ?3 AND b.start_ms < ?4"
    " AND b.state IN ('pending', 'confirmed', 'checked_in') GROUP BY b.community, r.type";

Error *booking_store_rooms_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                        CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_ROOMS_BY_COMMUNITY, "tt", lo, hi),
                            out);
}

Error *booking_store_bookings_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                           int64_t from_ms, int64_t to_ms, CountRows *out)
{
    return store_count_rows(st, a,
                            store_prepare_bind(st, a, SQL_BOOKINGS_BY_COMMUNITY, "ttii", lo, hi,
                                               from_ms, to_ms),
                            out);
}
