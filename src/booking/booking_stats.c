/*
 * Utilisation of function rooms, for the staff console's charts:
 *
 *   GET /api/v1/booking-stats?community=&room_id=&from=&to=
 *
 * Per room: hours open (from its opening hours, or 24 a day), hours booked
 * (bookings that held their time: confirmed, checked in, or released as a
 * no-show, clipped to the range), bookings, check-ins and no-shows. Over
 * all: a weekday x hour heat map of booked hours in each room's local time.
 * The no-show rate counts bookings whose check-in window has closed:
 * no-shows / (check-ins + no-shows).
 */
#include <stdlib.h>
#include <string.h>

#include "booking/booking.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define ROLES_BOOKING_STATS (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

typedef struct RoomStat {
    int64_t open_min, booked_min;
    int64_t bookings, checked_in, no_shows;
} RoomStat;

static int64_t open_minutes(const RoomRules *r, int64_t from_day, int64_t to_day)
{
    int64_t total = 0;

    for (int64_t d = from_day; d <= to_day; d++) {
        int wd = time_weekday(d) - 1;

        if (r->open_24h) {
            total += 1440;
            continue;
        }
        for (int i = 0; i < r->n_hours[wd]; i++)
            total += r->hours[wd][i].close_min - r->hours[wd][i].open_min;
    }
    return total;
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

static Error *booking_handle_stats(Request *req, Response *res)
{
    int64_t room_id = 0, from_day, to_day, today, from_ms, to_ms, now = time_now_ms();
    int64_t heat[7][24] = { { 0 } };
    int64_t tot_open = 0, tot_booked = 0, tot_in = 0, tot_ns = 0, tot_n = 0;
    const char *lo, *hi;
    Room **rooms;
    RoomStat *stat;
    StatBooking *items;
    size_t n_rooms, n;
    json_t *arr, *grid;
    char from_text[11], to_text[11];
    int minute;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_STATS);
    if (err)
        return err;
    err = request_query_int(req, "room_id", 0, 0, INT64_MAX, &room_id);
    if (err)
        return err;
    time_local(now, TIME_OFFSET_SHANGHAI, &today, &minute);
    err = booking_query_range(req, today - 29, 30, BOOKING_STATS_MAX_DAYS, &from_day, &to_day);
    if (err)
        return err;
    if (room_id) {
        Room *room;

        err = booking_room_in_scope(req, room_id, &room);
        if (err)
            return err;
        auth_scope_bounds(req->arena, room->community, &lo, &hi);
    } else {
        err = auth_list_bounds(req, &lo, &hi);
        if (err)
            return err;
    }
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = booking_store_rooms(req->store, req->arena, lo, hi, 500, &rooms, &n_rooms);
    if (err)
        return err;
    from_ms = time_day_start_ms(from_day, TIME_OFFSET_SHANGHAI);
    to_ms = time_day_start_ms(to_day + 1, TIME_OFFSET_SHANGHAI);
    err = booking_store_stats(req->store, req->arena, lo, hi, room_id, from_ms, to_ms,
                              BOOKING_STATS_MAX_BOOKINGS, &items, &n);
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

        if (room_id && room->id != room_id)
            continue;
        st->open_min = open_minutes(&room->rules, from_day, to_day);
        tot_open += st->open_min;
        tot_booked += st->booked_min;
        tot_in += st->checked_in;
        tot_ns += st->no_shows;
        tot_n += st->bookings;
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:f, s:f, s:f, s:I, s:I, s:I, s:f}", "id",
                           (json_int_t)room->id, "name", room->name, "community", room->community,
                           "open_hours", hours(st->open_min, false), "booked_hours",
                           hours(st->booked_min, false), "utilisation",
                           ratio(st->booked_min, st->open_min), "bookings", (json_int_t)st->bookings,
                           "checked_in", (json_int_t)st->checked_in, "no_shows",
                           (json_int_t)st->no_shows, "no_show_rate",
                           ratio(st->no_shows, st->checked_in + st->no_shows)));
    }
    grid = json_array();
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            if (heat[d][h])
                json_array_append_new(grid, json_pack("[i, i, f]", d, h, hours(heat[d][h], true)));
    time_format_date(from_text, from_day);
    time_format_date(to_text, to_day);
    return response_json(
        res, 200,
        json_pack("{s:s, s:s, s:o, s:{s:f, s:f, s:f, s:I, s:I, s:I, s:f}, s:o}", "from", from_text,
                  "to", to_text, "rooms", arr, "total", "open_hours", hours(tot_open, false),
                  "booked_hours", hours(tot_booked, false), "utilisation",
                  ratio(tot_booked, tot_open), "bookings", (json_int_t)tot_n, "checked_in",
                  (json_int_t)tot_in, "no_shows", (json_int_t)tot_ns, "no_show_rate",
                  ratio(tot_ns, tot_in + tot_ns), "heatmap", grid));
}

void booking_stats_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/booking-stats", booking_handle_stats, 0);
}
