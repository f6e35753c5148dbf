/*
 * Utilisation of function rooms, for the staff console's charts:
 *
 *   GET /api/v1/booking-stats?community=&room_id=&from=&to=
 *
 * Per room: hours open (from its opening hours, or 24 a day, less the time
 * blackouts closed it), hours booked (bookings that held their time:
 * confirmed, checked in, or released as a no-show, clipped to the range),
 * bookings, check-ins and no-shows. Over all: a weekday x hour heat map of
 * booked hours in each room's local time. The no-show rate counts bookings
 * whose check-in window has closed: no-shows / (check-ins + no-shows).
 *
 * And the blackouts of every room in a range, for the console's calendar:
 *
 *   GET /api/v1/blackouts?community=&room_id=&from=&to=
 */
#include <stdlib.h>
#include <string.h>

#include "booking/booking.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define ROLES_BOOKING_STATS (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)
#define ROLES_BOOKING_WORKERS (ROLE_GRID_WORKER | ROLES_BOOKING_STATS)

typedef struct RoomStat {
    int64_t open_ms, closed_ms;      /* opening hours in the range; the part blackouts took */
    int64_t booked_min;
    int64_t bookings, checked_in, no_shows;
} RoomStat;

typedef struct Span {
    int64_t s, e;
} Span;

/*
 * The union of @b[0..@n) (sorted by start) clipped to [@from_ms, @to_ms),
 * as disjoint spans in start order, in @a; their number in *ret_n.
 */
static Span *merge_blackouts(Arena *a, const Blackout *b, size_t n, int64_t from_ms, int64_t to_ms,
                             size_t *ret_n)
{
    Span *out = arena_alloc(a, (n ? n : 1) * sizeof(Span));
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        int64_t s = b[i].start_ms > from_ms ? b[i].start_ms : from_ms;
        int64_t e = b[i].end_ms < to_ms ? b[i].end_ms : to_ms;

        if (s >= e)
            continue;
        if (m && s <= out[m - 1].e) {
            if (e > out[m - 1].e)
                out[m - 1].e = e;
            continue;
        }
        out[m++] = (Span){ s, e };
    }
    *ret_n = m;
    return out;
}

/*
 * Opening hours of @r in [@from_ms, @to_ms) into st->open_ms, and the part
 * of them inside @closed (disjoint, in order) into st->closed_ms: a
 * blackout over part of an opening takes only the overlap, and one that
 * covers closed hours takes nothing.
 */
static void open_time(const RoomRules *r, int64_t from_ms, int64_t to_ms, const Span *closed,
                      size_t n_closed, RoomStat *st)
{
    int off = r->utc_offset_minutes;
    int64_t first, last;
    size_t j = 0;
    int minute;

    time_local(from_ms, off, &first, &minute);
    time_local(to_ms - 1, off, &last, &minute);
    for (int64_t d = first; d <= last; d++) {
        int64_t day = time_day_start_ms(d, off);
        int wd = time_weekday(d) - 1;
        int n = r->open_24h ? 1 : r->n_hours[wd];

        for (int i = 0; i < n; i++) {
            int64_t s = day + (r->open_24h ? 0 : r->hours[wd][i].open_min) * TIME_MINUTE_MS;
            int64_t e = day + (r->open_24h ? 1440 : r->hours[wd][i].close_min) * TIME_MINUTE_MS;

            if (s < from_ms)
                s = from_ms;
            if (e > to_ms)
                e = to_ms;
            if (s >= e)
                continue;
            st->open_ms += e - s;
            while (j < n_closed && closed[j].e <= s)
                j++;
            for (size_t k = j; k < n_closed && closed[k].s < e; k++)
                st->closed_ms += (closed[k].e < e ? closed[k].e : e) -
                                 (closed[k].s > s ? closed[k].s : s);
        }
    }
}

/* Adds [@s, @e) to @heat (weekday x hour, minutes) in local time at @off. */
static void heat_add(int64_t heat[7][24], int64_t s, int64_t e, int off)
{
    while (s < e) {
        int64_t day, next;
        int minute;

        int64_t local = s + (int64_t)off * TIME_MINUTE_MS;

        time_local(s, off, &day, &minute);
        /* the next local hour boundary */
        next = s + 3600000 - ((local % 3600000) + 3600000) % 3600000;
        if (next > e)
            next = e;
        heat[time_weekday(day) - 1][minute / 60] += next - s;
        s = next;
    }
}

static int by_id(const void *x, const void *y)
{
    const Room *a = *(Room *const *)x, *b = *(Room *const *)y;

    return (a->id > b->id) - (a->id < b->id);
}

/* The index in @rooms (sorted by id) of @id, or -1. */
static long room_index(Room **rooms, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (rooms[mid]->id == id)
            return (long)mid;
        if (rooms[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static double ratio(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : 0.0;
}

static double hours(int64_t minutes_or_ms, bool ms)
{
    return (double)minutes_or_ms / (ms ? 3600000.0 : 60.0);
}

static json_t *stat_json(const RoomStat *st)
{
    int64_t open_ms = st->open_ms - st->closed_ms, booked_ms = st->booked_min * TIME_MINUTE_MS;

    return json_pack("{s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:f}", "open_hours",
                     hours(open_ms, true), "closed_hours", hours(st->closed_ms, true),
                     "booked_hours", hours(st->booked_min, false), "utilisation",
                     ratio(booked_ms, open_ms), "bookings", (json_int_t)st->bookings,
                     "checked_in", (json_int_t)st->checked_in, "no_shows",
                     (json_int_t)st->no_shows, "no_show_rate",
                     ratio(st->no_shows, st->checked_in + st->no_shows));
}

typedef struct RangeQuery {
    int64_t room_id;                 /* 0: every room in the range of communities */
    int64_t from_day, to_day;        /* Beijing days, inclusive */
    const char *lo, *hi;             /* community range */
} RangeQuery;

/*
 * Reads ?room_id= (in scope) or ?community= (else the user's scope), and
 * ?from=&to= (by default @def_days days from @def_back days ago, at most
 * @max_days), for a user of @roles.
 */
static Error *range_query(Request *req, unsigned roles, int def_back, int def_days, int max_days,
                          RangeQuery *q)
{
    int64_t today;
    int minute;
    Room *room;
    Error *err;

    err = auth_require(req, roles);
    if (err)
        return err;
    err = request_query_int(req, "room_id", 0, 0, INT64_MAX, &q->room_id);
    if (err)
        return err;
    time_local(time_now_ms(), TIME_OFFSET_SHANGHAI, &today, &minute);
    err = booking_query_range(req, today - def_back, def_days, max_days, &q->from_day, &q->to_day);
    if (err)
        return err;
    if (!q->room_id)
        return auth_list_bounds(req, &q->lo, &q->hi);
    err = booking_room_in_scope(req, q->room_id, &room);
    if (err)
        return err;
    auth_scope_bounds(req->arena, room->community, &q->lo, &q->hi);
    return NULL;
}

static Error *booking_handle_stats(Request *req, Response *res)
{
    int64_t from_ms, to_ms, now = time_now_ms();
    int64_t heat[7][24] = { { 0 } };
    RoomStat total = { 0 };
    RangeQuery q;
    Room **rooms;
    RoomStat *stat;
    StatBooking *items;
    Blackout *closed;
    size_t n_rooms, n, n_closed, j = 0;
    json_t *arr, *grid, *out;
    char from_text[11], to_text[11];
    Error *err;

    err = range_query(req, ROLES_BOOKING_STATS, 29, 30, BOOKING_STATS_MAX_DAYS, &q);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = booking_store_rooms(req->store, req->arena, q.lo, q.hi, 500, &rooms, &n_rooms);
    if (err)
        return err;
    from_ms = time_day_start_ms(q.from_day, TIME_OFFSET_SHANGHAI);
    to_ms = time_day_start_ms(q.to_day + 1, TIME_OFFSET_SHANGHAI);
    err = booking_store_stats(req->store, req->arena, q.lo, q.hi, q.room_id, from_ms, to_ms,
                              BOOKING_STATS_MAX_BOOKINGS, &items, &n);
    if (err)
        return err;
    err = booking_store_blackouts_in(req->store, req->arena, q.lo, q.hi, q.room_id, from_ms, to_ms,
                                     BOOKING_MAX_BLACKOUTS_IN, &closed, &n_closed);
    if (err)
        return err;
    stat = arena_zalloc(req->arena, (n_rooms ? n_rooms : 1) * sizeof(RoomStat));
    qsort(rooms, n_rooms, sizeof(Room *), by_id);
    for (size_t i = 0; i < n; i++) {
        const StatBooking *b = &items[i];
        int64_t s = b->start_ms > from_ms ? b->start_ms : from_ms;
        int64_t e = b->end_ms < to_ms ? b->end_ms : to_ms;
        long k = room_index(rooms, n_rooms, b->room_id);

        if (k < 0)
            continue; /* a room past the list's limit */
        stat[k].booked_min += (e - s) / TIME_MINUTE_MS;
        stat[k].bookings++;
        stat[k].checked_in += b->checked_in;
        stat[k].no_shows += b->no_show;
        heat_add(heat, s, e, rooms[k]->rules.utc_offset_minutes);
    }
    arr = json_array();
    for (size_t k = 0; k < n_rooms; k++) {
        const Room *room = rooms[k];
        RoomStat *st = &stat[k];
        size_t first, n_spans;
        Span *spans;

        /* the blackouts come by room id, as the rooms now are */
        while (j < n_closed && closed[j].room_id < room->id)
            j++;
        for (first = j; j < n_closed && closed[j].room_id == room->id; j++)
            ;
        if (q.room_id && room->id != q.room_id)
            continue;
        spans = merge_blackouts(req->arena, closed + first, j - first, from_ms, to_ms, &n_spans);
        open_time(&room->rules, from_ms, to_ms, spans, n_spans, st);
        total.open_ms += st->open_ms;
        total.closed_ms += st->closed_ms;
        total.booked_min += st->booked_min;
        total.checked_in += st->checked_in;
        total.no_shows += st->no_shows;
        total.bookings += st->bookings;
        out = stat_json(st);
        json_object_set_new(out, "id", json_integer((json_int_t)room->id));
        json_object_set_new(out, "name", json_string(room->name));
        json_object_set_new(out, "community", json_string(room->community));
        json_array_append_new(arr, out);
    }
    grid = json_array();
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            if (heat[d][h])
                json_array_append_new(grid, json_pack("[i, i, f]", d, h, hours(heat[d][h], true)));
    time_format_date(from_text, q.from_day);
    time_format_date(to_text, q.to_day);
    return response_json(res, 200,
                         json_pack("{s:s, s:s, s:o, s:o, s:o}", "from", from_text, "to", to_text,
                                   "rooms", arr, "total", stat_json(&total), "heatmap", grid));
}

/* The blackouts of the rooms in scope over a range of days, for the calendar of all rooms. */
static Error *booking_handle_blackouts_in(Request *req, Response *res)
{
    RangeQuery q;
    Blackout *items;
    size_t n;
    json_t *arr;
    char from_text[11], to_text[11];
    Error *err;

    err = range_query(req, ROLES_BOOKING_WORKERS, 0, 7, BOOKING_MAX_RANGE_DAYS, &q);
    if (err)
        return err;
    err = booking_store_blackouts_in(req->store, req->arena, q.lo, q.hi, q.room_id,
                                     time_day_start_ms(q.from_day, TIME_OFFSET_SHANGHAI),
                                     time_day_start_ms(q.to_day + 1, TIME_OFFSET_SHANGHAI),
                                     BOOKING_MAX_BLACKOUTS_IN, &items, &n);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *b = booking_blackout_json(req->arena, &items[i], items[i].utc_offset_minutes);

        json_object_set_new(b, "room_name", json_string(items[i].room_name));
        json_array_append_new(arr, b);
    }
    time_format_date(from_text, q.from_day);
    time_format_date(to_text, q.to_day);
    return response_json(res, 200, json_pack("{s:s, s:s, s:o, s:I}", "from", from_text, "to",
                                             to_text, "items", arr, "total", (json_int_t)n));
}

void booking_stats_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/booking-stats", booking_handle_stats, 0);
    router_add(r, "GET", "/api/v1/blackouts", booking_handle_blackouts_in, 0);
}
