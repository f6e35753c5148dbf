/*
 * Room routes: rooms and their rules, the availability grid, blackouts and
 * the community's no-show policy. validate -> authorize -> store, one
 * handler per route. Rooms outside the user's scope answer 404.
 */
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "registry/registry.h"
#include "core/banned.h"

Error *booking_sweep(Request *req, int64_t now_ms)
{
    bool due = false;
    Error *err;

    err = booking_store_sweep_due(req->store, req->arena, now_ms, &due);
    if (err || !due)
        return err;
    request_end_read(req);
    return booking_store_sweep_if_due(req->store, req->arena, now_ms);
}

Error *booking_room_in_scope(Request *req, int64_t id, Room **ret)
{
    Room *room = NULL;
    Error *err;

    err = booking_store_room_get(req->store, req->arena, id, &room);
    if (err)
        return err;
    if (!room || !auth_covers(req->user, room->community))
        return error_not_found(req->arena, "id", "找不到该活动室");
    *ret = room;
    return NULL;
}

Error *booking_room_param(Request *req, unsigned roles, Room **ret)
{
    int64_t id;
    Error *err;

    err = auth_require(req, roles);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    return booking_room_in_scope(req, id, ret);
}

/* A room's community must be in scope and known; its building must be in that community. */
static Error *check_room_places(Request *req, const Room *room, unsigned set)
{
    bool ok = false;
    Error *err;

    if (set & ROOM_COMMUNITY) {
        err = auth_require_scope(req, room->community);
        if (err)
            return err;
        err = registry_store_community_exists(req->store, req->arena, room->community, &ok);
        if (err)
            return err;
        if (!ok)
            return error_invalid(req->arena, "community", "unknown_community", "找不到该社区，请先导入行政区划");
    }
    if ((set & ROOM_BUILDING) && room->building_id) {
        err = booking_store_building_in(req->store, req->arena, room->building_id, room->community,
                                        &ok);
        if (err)
            return err;
        if (!ok)
            return error_invalid(req->arena, "building_id", "unknown_building", "找不到该楼栋，或不在活动室所在社区");
    }
    return NULL;
}

/* A room as JSON; staff who manage it also see where its smart lock is told about codes. */
static json_t *room_json_for(Request *req, const Room *room)
{
    json_t *j = booking_room_json(req->arena, room);

    if ((req->user->role & ROLES_BOOKING_MANAGE) && auth_covers(req->user, room->community))
        json_object_set_new(j, "lock_webhook", json_string_or_null(room->lock_webhook));
    return j;
}

static Error *booking_handle_rooms(Request *req, Response *res)
{
    const char *lo, *hi;
    Room **rooms;
    size_t n;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    err = booking_store_rooms(req->store, req->arena, lo, hi, 500, &rooms, &n);
    if (err)
        return err;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, room_json_for(req, rooms[i]));
    return response_json(res, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

static Error *booking_handle_room_create(Request *req, Response *res)
{
    Room room = { .type = "" };
    Room *made = NULL;
    unsigned set = 0;
    json_t *body;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_MANAGE);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    booking_rules_default(&room.rules);
    err = booking_parse_room(req, body, false, &room, &set);
    if (err)
        return err;
    err = check_room_places(req, &room, set);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_room_insert(req->store, req->arena, &room, &id);
    if (!err)
        err = audit_record(req, "room.create", "room", id, room.community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_room_get(req->store, req->arena, id, &made);
    if (err)
        return err;
    return response_json(res, 201, room_json_for(req, made));
}

static Error *booking_handle_room_get(Request *req, Response *res)
{
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_READ, &room);
    if (err)
        return err;
    return response_json(res, 200, room_json_for(req, room));
}

static Error *booking_handle_room_update(Request *req, Response *res)
{
    Room *room, *updated = NULL;
    unsigned set = 0;
    json_t *body;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_MANAGE, &room);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = booking_parse_room(req, body, true, room, &set);
    if (err)
        return err;
    err = check_room_places(req, room, set);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_room_update(req->store, req->arena, room, (set & ROOM_HOURS) != 0);
    if (!err)
        err = audit_record(req, "room.update", "room", room->id, room->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_room_get(req->store, req->arena, room->id, &updated);
    if (err)
        return err;
    return response_json(res, 200, room_json_for(req, updated));
}

static Error *booking_handle_availability(Request *req, Response *res)
{
    int64_t from_day, to_day, now = time_now_ms();
    int off;
    GridBusy *busy;
    size_t n_busy;
    json_t *days;
    char *grid;
    char date[11], to[11];
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_READ, &room);
    if (err)
        return err;
    err = booking_query_days(req, &room->rules, &from_day, &to_day);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    off = room->rules.utc_offset_minutes;
    err = booking_store_busy(req->store, req->arena, room->id, time_day_start_ms(from_day, off),
                             time_day_start_ms(to_day + 1, off), req->user->id, &busy, &n_busy);
    if (err)
        return err;
    days = json_array();
    grid = arena_alloc(req->arena, 1440 / BOOKING_UNIT_MIN + 1);
    for (int64_t d = from_day; d <= to_day; d++) {
        booking_grid_day(&room->rules, d, now, busy, n_busy, grid);
        time_format_date(date, d);
        json_array_append_new(days, json_pack("{s:s, s:i, s:s}", "date", date, "weekday",
                                              time_weekday(d), "slots", grid));
    }
    time_format_date(date, from_day);
    time_format_date(to, to_day);
    return response_json(res, 200, json_pack("{s:I, s:s, s:s, s:i, s:i, s:o}", "room_id",
                                             (json_int_t)room->id, "from", date, "to", to,
                                             "slot_minutes", room->rules.slot_minutes,
                                             "utc_offset_minutes", off, "days", days));
}

static Error *booking_handle_blackouts(Request *req, Response *res)
{
    Blackout *items;
    size_t n;
    json_t *arr;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_READ, &room);
    if (err)
        return err;
    err = booking_store_blackouts(req->store, req->arena, room->id, time_now_ms(), INT64_MAX, &items, &n);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, booking_blackout_json(req->arena, &items[i],
                                                         room->rules.utc_offset_minutes));
    return response_json(res, 200, json_pack("{s:o, s:I}", "items", arr, "total", (json_int_t)n));
}

/* Cancels the active bookings of @room within @b (whose row is already written). */
static Error *cancel_covered(Request *req, const Room *room, const Blackout *b, int64_t now,
                             size_t *ret_n)
{
    BookingFilter f = { .room_id = room->id, .from_ms = b->start_ms, .to_ms = b->end_ms,
                        .state = BOOKING_FILTER_ACTIVE, .limit = 1000 };
    const char *reason = arena_sprintf(req->arena, "活动室暂停开放：%s", b->reason);
    Booking **items;
    size_t n;
    int64_t total;
    Error *err;

    err = booking_store_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    if (total > (int64_t)n)
        return error_invalid(req->arena, "end", "too_many_bookings", "该时段内预约过多，请分段设置暂停开放");
    for (size_t i = 0; i < n; i++) {
        err = booking_store_end(req->store, req->arena, items[i], BOOKING_CANCELLED, reason,
                                req->user->id, now);
        if (!err)
            err = audit_record(req, "booking.cancel", "booking", items[i]->id, room->community,
                               json_pack("{s:I}", "blackout_id", (json_int_t)b->id));
        if (err)
            return err;
    }
    *ret_n = n;
    return NULL;
}

static Error *booking_handle_blackout_create(Request *req, Response *res)
{
    BookingFilter f = { .state = BOOKING_FILTER_ACTIVE, .limit = 1 };
    Blackout b;
    bool cancel = false;
    size_t cancelled = 0, n;
    int64_t total = 0, now = time_now_ms();
    Booking **items;
    json_t *body, *out;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_MANAGE, &room);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = booking_parse_blackout(req, body, &b, &cancel);
    if (err)
        return err;
    b.room_id = room->id;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    f.room_id = room->id;
    f.from_ms = b.start_ms;
    f.to_ms = b.end_ms;
    err = booking_store_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    if (total > 0 && !cancel)
        return error_conflict(req->arena, "start", "bookings_in_blackout",
                              arena_sprintf(req->arena, "该时段内已有%lld个预约；如需暂停开放并取消这些预约，请设置 cancel_bookings 为 true",
                                            (long long)total));
    /* the blackout first, so that the waitlist is not offered the time it closes */
    err = booking_store_blackout_insert(req->store, req->arena, &b, req->user->id);
    if (!err && total > 0)
        err = cancel_covered(req, room, &b, now, &cancelled);
    if (!err)
        err = audit_record(req, "blackout.create", "room", room->id, room->community,
                           json_pack("{s:I, s:I}", "blackout_id", (json_int_t)b.id,
                                     "cancelled", (json_int_t)cancelled));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    out = booking_blackout_json(req->arena, &b, room->rules.utc_offset_minutes);
    json_object_set_new(out, "cancelled_bookings", json_integer((json_int_t)cancelled));
    return response_json(res, 201, out);
}

static Error *booking_handle_blackout_delete(Request *req, Response *res)
{
    Blackout *b = NULL;
    int64_t id;
    Room *room = NULL;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_MANAGE);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = booking_store_blackout_get(req->store, req->arena, id, &b);
    if (err)
        return err;
    if (!b)
        return error_not_found(req->arena, "id", "找不到该暂停开放时段");
    err = booking_room_in_scope(req, b->room_id, &room);
    if (err)
        return error_not_found(req->arena, "id", "找不到该暂停开放时段");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_blackout_delete(req->store, req->arena, id);
    if (!err)
        err = audit_record(req, "blackout.delete", "room", room->id, room->community,
                           json_pack("{s:I}", "blackout_id", (json_int_t)id));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    return response_json(res, 200,
                         booking_blackout_json(req->arena, b, room->rules.utc_offset_minutes));
}

/* The {community} of a policy route: 12 digits within the scope, else 404. */
static Error *policy_community(Request *req, const char **ret)
{
    const char *code = req->n_params > 0 ? req->params[0] : NULL;
    bool exists = false;
    Error *err;

    if (!code || strlen(code) != 12 ||
        validate_division_code(req->arena, "community", code, &code) ||
        !auth_covers(req->user, code))
        return error_not_found(req->arena, "community", "找不到该社区");
    err = registry_store_community_exists(req->store, req->arena, code, &exists);
    if (err)
        return err;
    if (!exists)
        return error_not_found(req->arena, "community", "找不到该社区");
    *ret = code;
    return NULL;
}

static json_t *policy_json(const char *community, const BookingPolicy *p)
{
    return json_pack("{s:s, s:i, s:i, s:i}", "community", community, "no_show_limit",
                     p->no_show_limit, "window_days", p->window_days, "suspend_days",
                     p->suspend_days);
}

static Error *booking_handle_policy_get(Request *req, Response *res)
{
    const char *community;
    BookingPolicy p;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = policy_community(req, &community);
    if (err)
        return err;
    err = booking_store_policy(req->store, req->arena, community, &p);
    if (err)
        return err;
    return response_json(res, 200, policy_json(community, &p));
}

static Error *booking_handle_policy_update(Request *req, Response *res)
{
    const char *community;
    BookingPolicy p;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_MANAGE);
    if (err)
        return err;
    err = policy_community(req, &community);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = booking_store_policy(req->store, req->arena, community, &p);
    if (err)
        return err;
    err = booking_parse_policy(req, body, &p);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_policy_set(req->store, req->arena, community, &p);
    if (!err)
        err = audit_record(req, "booking_policy.update", "community", 0, community,
                           policy_json(community, &p));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    return response_json(res, 200, policy_json(community, &p));
}

void booking_room_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/rooms", booking_handle_rooms, 0);
    router_add(r, "POST", "/api/v1/rooms", booking_handle_room_create, 0);
    router_add(r, "GET", "/api/v1/rooms/{id}", booking_handle_room_get, 0);
    router_add(r, "PATCH", "/api/v1/rooms/{id}", booking_handle_room_update, 0);
    router_add(r, "GET", "/api/v1/rooms/{id}/availability", booking_handle_availability, 0);
    router_add(r, "GET", "/api/v1/rooms/{id}/blackouts", booking_handle_blackouts, 0);
    router_add(r, "POST", "/api/v1/rooms/{id}/blackouts", booking_handle_blackout_create, 0);
    router_add(r, "DELETE", "/api/v1/blackouts/{id}", booking_handle_blackout_delete, 0);
    router_add(r, "GET", "/api/v1/booking-policy/{community}", booking_handle_policy_get, 0);
    router_add(r, "PATCH", "/api/v1/booking-policy/{community}", booking_handle_policy_update, 0);
}
