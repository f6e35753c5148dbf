/*
 * Booking routes: book, list, cancel, check in, approve or reject, and the
 * waitlist. validate -> authorize -> store, one handler per route.
 *
 * Every handler first releases no-shows that are due (in a transaction of
 * its own, so a request that then fails does not undo the release), and
 * writes in one BEGIN IMMEDIATE transaction with its audit entry. A booking
 * is visible to its booker and to workers of its community; anyone else
 * gets 404.
 */
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "booking/booking_store.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

static bool is_owner(const Request *req, const Booking *b)
{
    return b->user_id == req->user->id;
}

static bool is_manager(const Request *req, const char *community)
{
    return (req->user->role & ROLES_BOOKING_MANAGE) && auth_covers(req->user, community);
}

/* Booking @id if the user may see it: hers, or her community's when she is not a resident. */
static Error *visible_booking(Request *req, Booking **ret)
{
    Booking *b = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = booking_sweep(req, time_now_ms());
    if (err)
        return err;
    err = booking_store_get(req->store, req->arena, id, &b);
    if (err)
        return err;
    if (!b || !(is_owner(req, b) ||
                (req->user->role != ROLE_RESIDENT && auth_covers(req->user, b->community))))
        return error_not_found(req->arena, "id", "找不到该预约");
    *ret = b;
    return NULL;
}

/* The room a request names in "room_id": 422 unknown_room when it is not the user's to book. */
static Error *bookable_room(Request *req, int64_t room_id, Room **ret)
{
    Room *room = NULL;
    Error *err;

    err = booking_store_room_get(req->store, req->arena, room_id, &room);
    if (err)
        return err;
    if (!room || !auth_covers(req->user, room->community))
        return error_invalid(req->arena, "room_id", "unknown_room", "找不到该活动室，或它不属于您所在的社区");
    *ret = room;
    return NULL;
}

static Error *optional_reason(Request *req, const char *fallback, bool required, const char **ret)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    json_t *body;
    Error *err;

    if (!required && req->body_len == 0) {
        *ret = fallback;
        return NULL;
    }
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "reason", required, 1, 100, &reason);
    if (err)
        return err;
    *ret = reason ? reason : fallback;
    return NULL;
}

static Error *query_state(Request *req, int *ret)
{
    const char *s = request_query(req, "state");
    BookingState state;

    if (!s || !*s) {
        *ret = BOOKING_FILTER_ALL;
        return NULL;
    }
    if (strcmp(s, "active") == 0) {
        *ret = BOOKING_FILTER_ACTIVE;
        return NULL;
    }
    if (!booking_state_parse(s, &state))
        return error_bad_request(req->arena, "state", "invalid_query",
                                 "参数“state”应为 active、pending、confirmed、checked_in、cancelled、released 或 rejected");
    *ret = (int)state;
    return NULL;
}

/* ?from=&to= as dates in Beijing time (either may be absent). */
static Error *query_range(Request *req, int64_t *ret_from, int64_t *ret_to)
{
    const char *from = request_query(req, "from"), *to = request_query(req, "to");
    int64_t day;

    *ret_from = 0;
    *ret_to = 0;
    if (from && *from) {
        if (!time_parse_date(from, &day))
            return error_bad_request(req->arena, "from", "invalid_query", "参数“from”应为日期 YYYY-MM-DD");
        *ret_from = time_day_start_ms(day, TIME_OFFSET_SHANGHAI);
    }
    if (to && *to) {
        if (!time_parse_date(to, &day))
            return error_bad_request(req->arena, "to", "invalid_query", "参数“to”应为日期 YYYY-MM-DD");
        *ret_to = time_day_start_ms(day + 1, TIME_OFFSET_SHANGHAI);
    }
    return NULL;
}

static Error *booking_handle_list(Request *req, Response *res)
{
    BookingFilter f = { .state = BOOKING_FILTER_ALL };
    const char *mine = request_query(req, "mine");
    int64_t page, per_page, total = 0, until = 0, no_shows = 0, now = time_now_ms();
    Booking **items;
    size_t n;
    json_t *arr, *out;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, 200, &per_page);
    if (!err)
        err = query_state(req, &f.state);
    if (!err)
        err = query_range(req, &f.from_ms, &f.to_ms);
    if (!err)
        err = request_query_int(req, "room_id", 0, 0, INT64_MAX, &f.room_id);
    if (err)
        return err;
    if ((mine && strcmp(mine, "1") == 0) || req->user->role == ROLE_RESIDENT) {
        f.user_id = req->user->id;
        f.room_id = 0;
    } else if (f.room_id) {
        Room *room;

        err = booking_room_in_scope(req, f.room_id, &room);
        if (err)
            return err;
    } else {
        err = auth_list_bounds(req, &f.lo, &f.hi);
        if (err)
            return err;
    }
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = booking_store_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, booking_json(req->arena, items[i], is_owner(req, items[i])));
    out = json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total", (json_int_t)total, "page",
                    (json_int_t)page, "per_page", (json_int_t)per_page);
    if (f.user_id) {
        /* a suspended resident sees why and until when */
        err = booking_store_suspension(req->store, req->arena, req->user->id, now, &until,
                                       &no_shows);
        if (err) {
            json_decref(out);
            return err;
        }
        json_object_set_new(out, "suspension",
                            until ? json_pack("{s:s, s:I}", "until",
                                              time_format_rfc3339_at(req->arena, until, TIME_OFFSET_SHANGHAI),
                                              "no_shows", (json_int_t)no_shows)
                                  : json_null());
    }
    return response_json(res, 200, out);
}

Error *booking_on_behalf(Request *req, const Room *room, BookingInput *in, int64_t *ret_user_id,
                         const char **ret_user_name)
{
    const char *role = NULL, *scope = NULL, *name = NULL;
    int64_t id = 0;
    Error *err;

    *ret_user_id = req->user->id;
    *ret_user_name = req->user->display_name;
    in->booked_by = 0;
    if (!in->for_username && !in->team)
        return NULL;
    if (!is_manager(req, room->community))
        return error_forbidden(req->arena, "只有本社区工作人员可以代居民或团队预约");
    in->booked_by = req->user->id;
    if (!in->for_username)
        return NULL;
    err = booking_store_user_by_name(req->store, req->arena, in->for_username, &id, &role, &scope,
                                     &name);
    if (err)
        return err;
    if (!id || strcmp(role, "resident") != 0 || strcmp(scope, room->community) != 0)
        return error_invalid(req->arena, "for_username", "unknown_resident",
                             "找不到该居民账号，或该居民不属于活动室所在社区");
    *ret_user_id = id;
    *ret_user_name = name;
    return NULL;
}

/*
 * The booking in one write transaction with its audit entry; rolled back on
 * failure. What it reads before writing is the room's (its rules,
 * blackouts, the user's bookings of it for the quota) or what only
 * store_begin transactions change (users, suspensions), so on PostgreSQL
 * it locks the room alone (store_begin_keyed) and bookings of other rooms
 * commit beside it; the exclusion constraint booking_no_overlap and
 * booking_slot's key still refuse an overlap whatever the locks.
 */
static Error *create_once(Request *req, BookingInput *in, int64_t now, Booking **ret)
{
    const char *name = NULL;
    int64_t user_id = 0;
    Room *room = NULL;
    Error *err;

    err = store_begin_keyed(req->store, req->arena, STORE_LOCK_ROOM, in->room_id);
    if (err)
        return err;
    /* the room is read in the write transaction: one lock instead of three */
    err = bookable_room(req, in->room_id, &room);
    if (!err)
        err = booking_on_behalf(req, room, in, &user_id, &name);
    if (!err)
        err = booking_rules_check(req->arena, &room->rules, in->start_ms, in->end_ms, now);
    if (!err)
        err = booking_store_insert(req->store, req->arena, room, in, user_id,
                                   req->user->role == ROLE_RESIDENT, now, ret);
    if (!err) {
        (*ret)->user_name = name;
        err = audit_record(req, in->booked_by ? "booking.create_for" : "booking.create", "booking",
                           (*ret)->id, room->community,
                           in->booked_by ? json_pack("{s:I, s:s?}", "user_id", (json_int_t)user_id,
                                                     "team", in->team)
                                         : NULL);
    }
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

/* A transaction that lost a deadlock or serialization conflict (503 busy) runs again, twice at most. */
static Error *create_in_tx(Request *req, BookingInput *in, int64_t now, Booking **ret)
{
    Error *err = NULL;

    for (int attempt = 0; attempt < 3; attempt++) {
        err = create_once(req, in, now, ret);
        if (!err || err->status != 503)
            break;
    }
    return err;
}

static Error *booking_handle_create(Request *req, Response *res)
{
    BookingInput in;
    Booking *b = NULL;
    int64_t now = time_now_ms();
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_BOOK);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = booking_parse_booking(req, body, &in);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = create_in_tx(req, &in, now, &b);
    if (err)
        return err;
    return response_json(res, 201, booking_json(req->arena, b, is_owner(req, b)));
}

static Error *booking_handle_get(Request *req, Response *res)
{
    Booking *b;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = visible_booking(req, &b);
    if (err)
        return err;
    return response_json(res, 200, booking_json(req->arena, b, is_owner(req, b)));
}

/* Cancel, approve, reject: one shape, one transaction with its audit entry. */
typedef enum Change { CHANGE_CANCEL, CHANGE_APPROVE, CHANGE_REJECT } Change;

static Error *change_booking(Request *req, Response *res, Change change)
{
    static const char *const actions[] = { "booking.cancel", "booking.approve", "booking.reject" };
    const char *reason = NULL;
    int64_t now = time_now_ms();
    Booking *b, *after = NULL;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = visible_booking(req, &b);
    if (err)
        return err;
    if (change == CHANGE_CANCEL ? !(is_owner(req, b) || is_manager(req, b->community))
                                : !is_manager(req, b->community))
        return error_forbidden(req->arena, change == CHANGE_CANCEL ? "只能取消自己的预约"
                                                                   : "只有本社区工作人员可以审批预约");
    if (change == CHANGE_CANCEL)
        err = optional_reason(req, is_owner(req, b) ? "本人取消" : "工作人员取消", false, &reason);
    else if (change == CHANGE_REJECT)
        err = optional_reason(req, NULL, true, &reason);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    if (change == CHANGE_APPROVE)
        err = booking_store_approve(req->store, req->arena, b, req->user->id, now);
    else
        err = booking_store_end(req->store, req->arena, b,
                                change == CHANGE_CANCEL ? BOOKING_CANCELLED : BOOKING_REJECTED,
                                reason, req->user->id, now);
    if (!err)
        err = audit_record(req, actions[change], "booking", b->id, b->community, NULL);
    if (!err && change == CHANGE_APPROVE)
        err = booking_store_notify(req->store, req->arena, b, "booking.approved", "预约已通过审批",
                                   NULL);
    else if (!err && change == CHANGE_REJECT)
        err = booking_store_notify(req->store, req->arena, b, "booking.rejected", "预约未通过审批",
                                   arena_sprintf(req->arena, "原因：%s", reason));
    else if (!err && change == CHANGE_CANCEL && !is_owner(req, b))
        err = booking_store_notify(req->store, req->arena, b, "booking.cancelled",
                                   "预约已被工作人员取消", arena_sprintf(req->arena, "原因：%s", reason));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_get(req->store, req->arena, b->id, &after);
    if (err)
        return err;
    return response_json(res, 200, booking_json(req->arena, after, is_owner(req, after)));
}

static Error *booking_handle_cancel(Request *req, Response *res)
{
    return change_booking(req, res, CHANGE_CANCEL);
}

static Error *booking_handle_approve(Request *req, Response *res)
{
    return change_booking(req, res, CHANGE_APPROVE);
}

static Error *booking_handle_reject(Request *req, Response *res)
{
    return change_booking(req, res, CHANGE_REJECT);
}

static Error *booking_handle_checkin(Request *req, Response *res)
{
    int64_t now = time_now_ms();
    const char *lock;
    Booking *b;
    Room *room = NULL;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_BOOK);
    if (err)
        return err;
    err = visible_booking(req, &b);
    if (err)
        return err;
    if (!is_owner(req, b))
        return error_forbidden(req->arena, "只能为自己的预约签到");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_checkin(req->store, req->arena, b, now);
    if (!err)
        err = booking_store_room_get(req->store, req->arena, b->room_id, &room);
    if (!err)
        err = audit_record(req, "booking.checkin", "booking", b->id, b->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    /* a first check-in (not a second look at the code) tells the lock */
    lock = room ? booking_lock_url(req, room) : NULL;
    if (lock && b->checked_in_at == now)
        booking_lock_notify(req->arena, lock, room, b, req->id);
    return response_json(res, 200, booking_json(req->arena, b, true));
}

static Error *booking_handle_waitlist(Request *req, Response *res)
{
    int64_t room_id = 0;
    WaitEntry **items;
    size_t n;
    json_t *arr;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = request_query_int(req, "room_id", 0, 0, INT64_MAX, &room_id);
    if (err)
        return err;
    if (room_id) {
        Room *room;

        err = booking_room_in_scope(req, room_id, &room);
        if (err)
            return err;
        if (!is_manager(req, room->community))
            return error_forbidden(req->arena, "只有本社区工作人员可以查看活动室的候补名单");
    }
    err = booking_sweep(req, time_now_ms());
    if (err)
        return err;
    err = booking_store_wait_list(req->store, req->arena, room_id ? 0 : req->user->id, room_id,
                                  &items, &n);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, booking_wait_json(req->arena, items[i]));
    return response_json(res, 200, json_pack("{s:o, s:I}", "items", arr, "total", (json_int_t)n));
}

static Error *booking_handle_wait_create(Request *req, Response *res)
{
    BookingInput in;
    WaitEntry *w = NULL;
    int64_t now = time_now_ms();
    json_t *body;
    Room *room = NULL;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_BOOK);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = booking_parse_booking(req, body, &in);
    if (err)
        return err;
    if (in.for_username || in.team)
        return error_invalid(req->arena, in.team ? "team" : "for_username", "unsupported_field",
                             "候补只能为自己登记，不能代他人候补");
    err = bookable_room(req, in.room_id, &room);
    if (err)
        return err;
    err = booking_rules_check(req->arena, &room->rules, in.start_ms, in.end_ms, now);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_wait_insert(req->store, req->arena, room, &in, req->user->id, now, &w);
    if (!err)
        err = audit_record(req, "waitlist.join", "waitlist", w->id, room->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    return response_json(res, 201, booking_wait_json(req->arena, w));
}

static Error *booking_handle_wait_cancel(Request *req, Response *res)
{
    WaitEntry *w = NULL, *after = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_BOOK);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = booking_store_wait_get(req->store, req->arena, id, &w);
    if (err)
        return err;
    if (!w || w->user_id != req->user->id)
        return error_not_found(req->arena, "id", "找不到该候补");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_wait_cancel(req->store, req->arena, id);
    if (!err)
        err = audit_record(req, "waitlist.cancel", "waitlist", id, w->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_wait_get(req->store, req->arena, id, &after);
    if (err)
        return err;
    return response_json(res, 200, booking_wait_json(req->arena, after));
}

void booking_routes_register(Router *r)
{
    booking_room_routes_register(r);
    booking_ical_routes_register(r); /* before /bookings/{id}: it holds /bookings/calendar.ics */
    booking_recurring_routes_register(r);
    booking_links_routes_register(r); /* also before /bookings/{id}: /bookings/feed */
    booking_stats_routes_register(r);
    booking_poster_routes_register(r);
    router_add(r, "GET", "/api/v1/bookings", booking_handle_list, 0);
    router_add(r, "POST", "/api/v1/bookings", booking_handle_create, 0);
    router_add(r, "GET", "/api/v1/bookings/{id}", booking_handle_get, 0);
    router_add(r, "POST", "/api/v1/bookings/{id}/cancel", booking_handle_cancel, 0);
    router_add(r, "POST", "/api/v1/bookings/{id}/checkin", booking_handle_checkin, 0);
    router_add(r, "POST", "/api/v1/bookings/{id}/approve", booking_handle_approve, 0);
    router_add(r, "POST", "/api/v1/bookings/{id}/reject", booking_handle_reject, 0);
    router_add(r, "GET", "/api/v1/waitlist", booking_handle_waitlist, 0);
    router_add(r, "POST", "/api/v1/waitlist", booking_handle_wait_create, 0);
    router_add(r, "POST", "/api/v1/waitlist/{id}/cancel", booking_handle_wait_cancel, 0);
}
