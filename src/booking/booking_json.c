/*
 * Rooms, rules, bookings, blackouts and waitlist entries as JSON. Times are
 * RFC 3339 in the room's local offset ("2026-11-24T14:00:00+08:00").
 */
#include "booking/booking.h"
#include "core/timeutil.h"
#include "http/response.h"
#include "core/banned.h"

static const char *const weekday_keys[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static json_t *time_json(Arena *a, int64_t ms, int offset_min)
{
    return ms ? json_string(time_format_rfc3339_at(a, ms, offset_min)) : json_null();
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer((json_int_t)id) : json_null();
}

json_t *booking_rules_json(Arena *a, const RoomRules *r)
{
    json_t *hours = json_object();

    for (int d = 0; d < 7; d++) {
        json_t *day = json_array();

        for (int i = 0; i < r->n_hours[d]; i++)
            json_array_append_new(day, json_string(booking_format_interval(a, &r->hours[d][i])));
        json_object_set_new(hours, weekday_keys[d], day);
    }
    return json_pack("{s:b, s:o, s:i, s:i, s:i, s:i, s:i, s:b, s:i, s:i, s:i}",
                     "open_24h", r->open_24h, "opening_hours", hours,
                     "slot_minutes", r->slot_minutes, "min_minutes", r->min_minutes,
                     "max_minutes", r->max_minutes, "horizon_days", r->horizon_days,
                     "weekly_quota", r->weekly_quota, "needs_approval", r->needs_approval,
                     "checkin_before_minutes", r->checkin_before_minutes,
                     "checkin_after_minutes", r->checkin_after_minutes,
                     "utc_offset_minutes", r->utc_offset_minutes);
}

json_t *booking_room_json(Arena *a, const Room *room)
{
    json_t *facilities = json_array();
    int off = room->rules.utc_offset_minutes;

    for (int i = 0; i < room->n_facilities; i++)
        json_array_append_new(facilities, json_string(room->facilities[i]));
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "id", (json_int_t)room->id, "community", room->community, "name", room->name,
                     "type", room->type ? room->type : "", "capacity", (json_int_t)room->capacity,
                     "facilities", facilities, "building_id", id_or_null(room->building_id),
                     "building_name", json_string_or_null(room->building_name),
                     "location", json_string_or_null(room->location),
                     "photo", json_string_or_null(room->photo),
                     "rules", booking_rules_json(a, &room->rules),
                     "created_at", time_json(a, room->created_at, off),
                     "updated_at", time_json(a, room->updated_at, off));
}

json_t *booking_json(Arena *a, const Booking *b, bool show_code)
{
    int off = b->utc_offset_minutes;
    bool code = show_code && b->state == BOOKING_CHECKED_IN && b->access_code;
    json_t *j;

    j = json_pack("{s:I, s:I, s:o, s:s, s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:o,"
                  " s:o, s:o}",
                  "id", (json_int_t)b->id, "room_id", (json_int_t)b->room_id,
                  "room_name", json_string_or_null(b->room_name), "community", b->community,
                  "user_id", (json_int_t)b->user_id, "user_name", json_string_or_null(b->user_name),
                  "start", time_json(a, b->start_ms, off), "end", time_json(a, b->end_ms, off),
                  "state", booking_state_name(b->state), "purpose", json_string_or_null(b->purpose),
                  "checkin_from", time_json(a, b->checkin_from, off),
                  "checkin_until", time_json(a, b->checkin_until, off),
                  "checked_in_at", time_json(a, b->checked_in_at, off), "no_show", b->no_show,
                  "reason", json_string_or_null(b->reason),
                  "waitlist_id", id_or_null(b->waitlist_id),
                  "created_at", time_json(a, b->created_at, off));
    json_object_set_new(j, "team", json_string_or_null(b->team));
    json_object_set_new(j, "booked_by", id_or_null(b->booked_by));
    if (code) {
        /* the door code is valid from check-in to the end of the booking, for this room only */
        json_object_set_new(j, "access", json_pack("{s:s, s:o, s:o}", "code", b->access_code,
                                                   "valid_from", time_json(a, b->checked_in_at, off),
                                                   "valid_until", time_json(a, b->end_ms, off)));
    }
    return j;
}

json_t *booking_blackout_json(Arena *a, const Blackout *b, int offset_min)
{
    return json_pack("{s:I, s:I, s:o, s:o, s:s}", "id", (json_int_t)b->id, "room_id",
                     (json_int_t)b->room_id, "start", time_json(a, b->start_ms, offset_min), "end",
                     time_json(a, b->end_ms, offset_min), "reason", b->reason);
}

json_t *booking_wait_json(Arena *a, const WaitEntry *w)
{
    int off = w->utc_offset_minutes;

    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:o}",
                     "id", (json_int_t)w->id, "room_id", (json_int_t)w->room_id,
                     "room_name", w->room_name, "community", w->community,
                     "user_id", (json_int_t)w->user_id, "start", time_json(a, w->start_ms, off),
                     "end", time_json(a, w->end_ms, off), "purpose", json_string_or_null(w->purpose),
                     "state", w->state, "booking_id", id_or_null(w->booking_id),
                     "position", w->position ? json_integer((json_int_t)w->position) : json_null(),
                     "created_at", time_json(a, w->created_at, off));
}
