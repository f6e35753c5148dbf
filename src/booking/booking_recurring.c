/*
 * Recurring bookings: the same time every week for N weeks (a weekly class
 * for 12 weeks). Each week is an ordinary booking in a savepoint of one
 * transaction, so booking_slot guards each; a week that cannot be booked is
 * reported with the rule or the conflict that stopped it, never skipped
 * silently. Community workers book on behalf of the community, so for them
 * the booking horizon does not cut the series short; residents keep every rule.
 */
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define MAX_WEEKS 52

static const char *const recurring_fields[] = { "room_id", "start", "end", "purpose", "weeks",
                                                "for_username", "team",
                                                NULL };

Error *booking_parse_recurring(Request *req, json_t *body, BookingInput *ret, int *ret_weeks)
{
    json_t *copy;
    int64_t weeks = 0;
    Error *err;

    err = request_reject_unknown(req, body, recurring_fields);
    if (err)
        return err;
    err = request_field_int(req, body, "weeks", true, 2, MAX_WEEKS, &weeks, NULL);
    if (err)
        return err;
    copy = json_copy(body);
    json_object_del(copy, "weeks");
    err = booking_parse_booking(req, copy, ret);
    json_decref(copy);
    if (err)
        return err;
    *ret_weeks = (int)weeks;
    return NULL;
}

static json_t *conflict_json(Arena *a, const BookingInput *in, int offset_min, const Error *err)
{
    return json_pack("{s:s, s:s, s:s, s:s}",
                     "start", time_format_rfc3339_at(a, in->start_ms, offset_min),
                     "end", time_format_rfc3339_at(a, in->end_ms, offset_min),
                     "code", err->code, "message", err->message);
}

/* One week of the series in a savepoint: *ret_b on success, *ret_refused for a 4xx. */
static Error *book_week(Request *req, const Room *room, const BookingInput *in, int64_t user_id,
                        bool resident, int64_t now, Booking **ret_b, Error **ret_refused)
{
    Error *err;

    *ret_b = NULL;
    *ret_refused = booking_rules_check(req->arena, &room->rules, in->start_ms, in->end_ms, now);
    if (*ret_refused)
        return NULL;
    err = store_savepoint(req->store, req->arena, "week");
    if (err)
        return err;
    err = booking_store_insert(req->store, req->arena, room, in, user_id, resident, now, ret_b);
    if (err) {
        store_rollback_to(req->store, "week");
        *ret_b = NULL;
        if (err->status >= 500)
            return err;
        *ret_refused = err;
        return NULL;
    }
    return store_release(req->store, req->arena, "week");
}

static Error *booking_handle_recurring(Request *req, Response *res)
{
    bool resident = req->user && req->user->role == ROLE_RESIDENT;
    json_t *body, *created, *conflicts;
    int64_t now = time_now_ms();
    BookingInput in;
    Room *room = NULL, series;
    const char *user_name = NULL;
    int64_t user_id = 0;
    int weeks = 0;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_BOOK);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = booking_parse_recurring(req, body, &in, &weeks);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_room_get(req->store, req->arena, in.room_id, &room);
    if (err)
        return err;
    if (!room || !auth_covers(req->user, room->community))
        return error_invalid(req->arena, "room_id", "unknown_room", "找不到该活动室，或它不属于您所在的社区");
    err = booking_on_behalf(req, room, &in, &user_id, &user_name);
    if (err)
        return err;
    series = *room;
    if (!resident)
        series.rules.horizon_days = 365;
    created = json_array();
    conflicts = json_array();
    for (int w = 0; w < weeks && !err; w++) {
        BookingInput week = in;
        Booking *b = NULL;
        Error *refused = NULL;

        week.start_ms += w * 7 * TIME_DAY_MS;
        week.end_ms += w * 7 * TIME_DAY_MS;
        err = book_week(req, &series, &week, user_id, resident, now, &b, &refused);
        if (b) {
            b->user_name = user_name;
            json_array_append_new(created, booking_json(req->arena, b, user_id == req->user->id));
        } else if (refused) {
            json_array_append_new(conflicts, conflict_json(req->arena, &week,
                                                           room->rules.utc_offset_minutes, refused));
        }
    }
    if (!err)
        err = audit_record(req, "booking.create_recurring", "room", room->id, room->community,
                           json_pack("{s:i, s:I, s:I}", "weeks", weeks,
                                     "created", (json_int_t)json_array_size(created),
                                     "conflicts", (json_int_t)json_array_size(conflicts)));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        json_decref(created);
        json_decref(conflicts);
        return err;
    }
    return response_json(res, json_array_size(created) ? 201 : 200,
                         json_pack("{s:o, s:o}", "created", created, "conflicts", conflicts));
}

void booking_recurring_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/bookings/recurring", booking_handle_recurring, 0);
}
