/*
 * Secret links, for what cannot log in:
 *
 *   - a room's door link, for the tablet by the door (the kiosk page: what
 *     is on now, by whom, masked, what is next, and a QR code to book the
 *     next free slot) and for the smart lock (it verifies access codes);
 *   - a resident's calendar subscription, since calendar clients send no
 *     Bearer token.
 *
 * Staff of the room's community make (and so rotate) or revoke door links;
 * a resident makes or revokes her own subscription. The token is in the
 * answer once; only its hash is stored (booking_links_store.c). A wrong or
 * revoked token gets 404 and nothing else.
 */
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "core/mask.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/ratelimit.h"
#include "http/response.h"
#include "core/banned.h"

#define DOOR_NEXT_MAX 4              /* bookings listed under "next" */
#define DOOR_FREE_DAYS 7             /* how far the next free slot is looked for */
#define VERIFY_MAX_FAILURES 20       /* wrong codes per room and window before 429 */
#define VERIFY_WINDOW_MS (15 * TIME_MINUTE_MS)

static const RateLimit verify_limit = { "door", VERIFY_WINDOW_MS };

static json_t *link_state_json(Arena *a, int64_t created_at)
{
    return json_pack("{s:b, s:o}", "active", created_at != 0, "created_at",
                     created_at ? json_string(time_format_rfc3339_at(a, created_at, TIME_OFFSET_SHANGHAI))
                                : json_null());
}

static Error *booking_handle_door_link_get(Request *req, Response *res)
{
    int64_t created = 0;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_MANAGE, &room);
    if (err)
        return err;
    err = booking_store_link_created(req->store, req->arena, LINK_DOOR, room->id, &created);
    if (err)
        return err;
    return response_json(res, 200, link_state_json(req->arena, created));
}

static Error *booking_handle_door_link_new(Request *req, Response *res)
{
    char token[CRYPTO_TOKEN_CHARS + 1];
    int64_t now = time_now_ms();
    const char *base;
    json_t *out;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_MANAGE, &room);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_link_new(req->store, req->arena, LINK_DOOR, room->id, req->user->id, now,
                                 token);
    if (!err)
        err = audit_record(req, "room.door_link", "room", room->id, room->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    base = booking_base_url(req);
    out = link_state_json(req->arena, now);
    json_object_set_new(out, "token", json_string(token));
    json_object_set_new(out, "kiosk_url",
                        json_string(arena_sprintf(req->arena, "%s/h5/#/kiosk/%s", base, token)));
    json_object_set_new(out, "verify_url",
                        json_string(arena_sprintf(req->arena, "%s/api/v1/door/%s/verify", base,
                                                  token)));
    return response_json(res, 201, out);
}

static Error *booking_handle_door_link_revoke(Request *req, Response *res)
{
    int64_t created = 0;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_MANAGE, &room);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_link_created(req->store, req->arena, LINK_DOOR, room->id, &created);
    if (!err && !created)
        err = error_not_found(req->arena, NULL, "该活动室没有门牌链接");
    if (!err)
        err = booking_store_link_revoke(req->store, req->arena, LINK_DOOR, room->id);
    if (!err)
        err = audit_record(req, "room.door_link_revoke", "room", room->id, room->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    return response_json(res, 200, link_state_json(req->arena, 0));
}

/* The room a door token opens; 404 when none does. */
static Error *door_room(Request *req, Room **ret)
{
    const char *token = req->n_params > 0 ? req->params[0] : NULL;
    int64_t room_id = 0;
    Room *room = NULL;
    Error *err;

    err = booking_store_link_find(req->store, req->arena, LINK_DOOR, token, &room_id);
    if (err)
        return err;
    if (room_id) {
        err = booking_store_room_get(req->store, req->arena, room_id, &room);
        if (err)
            return err;
    }
    if (!room)
        return error_not_found(req->arena, "token", "门牌链接无效或已被收回，请联系居委会");
    *ret = room;
    return NULL;
}

/*
 * The first slot from @now_ms within DOOR_FREE_DAYS days where the room's
 * shortest booking fits: *ret_start_ms 0 if none.
 */
static Error *next_free(Request *req, const Room *room, int64_t now_ms, int64_t *ret_start_ms)
{
    const RoomRules *r = &room->rules;
    int off = r->utc_offset_minutes, per_day = 1440 / r->slot_minutes;
    int need = r->min_minutes / r->slot_minutes, run = 0;
    int64_t today, from, to;
    GridBusy *busy;
    size_t n_busy;
    char *grid = arena_alloc(req->arena, 1440 / BOOKING_UNIT_MIN + 1);
    Error *err;
    int m;

    *ret_start_ms = 0;
    time_local(now_ms, off, &today, &m);
    from = time_day_start_ms(today, off);
    to = time_day_start_ms(today + DOOR_FREE_DAYS, off);
    err = booking_store_busy(req->store, req->arena, room->id, from, to, 0, &busy, &n_busy);
    if (err)
        return err;
    /* a run of free slots may cross midnight in a room open around the clock */
    for (int64_t d = today; d < today + DOOR_FREE_DAYS; d++) {
        booking_grid_day(r, d, now_ms, busy, n_busy, grid);
        for (int i = 0; i < per_day; i++) {
            run = grid[i] == GRID_FREE ? run + 1 : 0;
            if (run == need) {
                *ret_start_ms = time_day_start_ms(d, off) +
                                (int64_t)(i - need + 1) * r->slot_minutes * TIME_MINUTE_MS;
                return NULL;
            }
        }
    }
    return NULL;
}

static json_t *door_booking_json(Arena *a, const DoorBooking *b, int off)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "start",
                     time_format_rfc3339_at(a, b->start_ms, off), "end",
                     time_format_rfc3339_at(a, b->end_ms, off), "state", booking_state_name(b->state),
                     "name", mask_name(a, b->name && *b->name ? b->name : "居民"), "team",
                     json_string_or_null(b->team));
}

static Error *booking_handle_door(Request *req, Response *res)
{
    int64_t now = time_now_ms(), free_at = 0, day;
    DoorBooking *items;
    Blackout *closed;
    size_t n, k = 0, n_closed = 0;
    json_t *next, *out;
    Room *room = NULL;
    int off, minute;
    Error *err;

    err = door_room(req, &room);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    off = room->rules.utc_offset_minutes;
    time_local(now, off, &day, &minute);
    /* now and the rest of today (at least the next twelve hours) */
    err = booking_store_door(req->store, req->arena, room->id, now,
                             now + 12 * 60 * TIME_MINUTE_MS > time_day_start_ms(day + 1, off)
                                 ? now + 12 * 60 * TIME_MINUTE_MS
                                 : time_day_start_ms(day + 1, off),
                             DOOR_NEXT_MAX + 1, &items, &n);
    if (err)
        return err;
    err = next_free(req, room, now, &free_at);
    if (err)
        return err;
    err = booking_store_blackouts(req->store, req->arena, room->id, now, now + 1, &closed, &n_closed);
    if (err)
        return err;
    out = json_pack("{s:{s:I, s:s, s:o, s:o, s:b}, s:s, s:b, s:o}",
                    "room", "id", (json_int_t)room->id, "name", room->name,
                    "building_name", json_string_or_null(room->building_name),
                    "location", json_string_or_null(room->location),
                    "open_24h", room->rules.open_24h,
                    "generated_at", time_format_rfc3339_at(req->arena, now, off),
                    "open_now", !n_closed && booking_rules_open(&room->rules, now - now % TIME_MINUTE_MS, 1),
                    "closed_for", n_closed ? json_string(closed[0].reason) : json_null());
    if (n > 0 && items[0].start_ms <= now) {
        json_object_set_new(out, "now", door_booking_json(req->arena, &items[0], off));
        k = 1;
    } else {
        json_object_set_new(out, "now", json_null());
    }
    next = json_array();
    for (; k < n && json_array_size(next) < DOOR_NEXT_MAX; k++)
        json_array_append_new(next, door_booking_json(req->arena, &items[k], off));
    json_object_set_new(out, "next", next);
    if (free_at) {
        int64_t end = free_at + (int64_t)room->rules.min_minutes * TIME_MINUTE_MS;

        json_object_set_new(out, "next_free",
                            json_pack("{s:s, s:s}", "start",
                                      time_format_rfc3339_at(req->arena, free_at, off), "end",
                                      time_format_rfc3339_at(req->arena, end, off)));
    } else {
        json_object_set_new(out, "next_free", json_null());
    }
    return response_json(res, 200, out);
}

/* The QR code by the door: the resident page of the room, at the next free slot. */
static Error *booking_handle_door_qr(Request *req, Response *res)
{
    int64_t now = time_now_ms(), free_at = 0, day;
    const char *url, *svg, *caption = "扫码预约";
    size_t len;
    Room *room = NULL;
    int minute, off;
    Error *err;

    err = door_room(req, &room);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    err = next_free(req, room, now, &free_at);
    if (err)
        return err;
    off = room->rules.utc_offset_minutes;
    url = arena_sprintf(req->arena, "%s/h5/#/rooms/%lld", booking_base_url(req),
                        (long long)room->id);
    if (free_at) {
        char date[11];

        time_local(free_at, off, &day, &minute);
        time_format_date(date, day);
        url = arena_sprintf(req->arena, "%s?date=%s&at=%02d:%02d", url, date, minute / 60,
                            minute % 60);
        caption = arena_sprintf(req->arena, "扫码预约 %s", booking_time_text(req->arena, free_at, off));
    }
    svg = booking_qr_svg(req->arena, url, room->name, caption, &len);
    if (!svg)
        return error_internal(req->arena, "qrencode failed for room %lld", (long long)room->id);
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, "image/svg+xml; charset=utf-8", svg, len);
}

/* A smart lock asks whether @code opens the door now. */
static Error *booking_handle_door_verify(Request *req, Response *res)
{
    static const char *const fields[] = { "code", NULL };
    int64_t now = time_now_ms(), booking_id = 0, from = 0, to = 0;
    const char *code = NULL, *key;
    json_t *body;
    Room *room = NULL;
    bool blocked = false;
    Error *err;

    err = door_room(req, &room);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "code", true, 6, 6, &code);
    if (err)
        return err;
    if (strspn(code, "0123456789") != 6)
        return error_invalid(req->arena, "code", "invalid_code", "开门码应为6位数字");
    key = arena_sprintf(req->arena, "%lld", (long long)room->id);
    err = ratelimit_blocked(req->store, req->arena, &verify_limit, key, VERIFY_MAX_FAILURES, now,
                            &blocked);
    if (err)
        return err;
    if (blocked)
        return error_new(req->arena, 429, NULL, "too_many_attempts", "错误次数过多，请15分钟后再试");
    err = booking_store_code_check(req->store, req->arena, room->id, code, now, &booking_id, &from,
                                   &to);
    if (err)
        return err;
    if (!booking_id) {
        err = ratelimit_fail(req->store, req->arena, &verify_limit, key, now);
        if (err)
            return err;
        return response_json(res, 200, json_pack("{s:b, s:I}", "valid", 0, "room", (json_int_t)room->id));
    }
    return response_json(res, 200,
                         json_pack("{s:b, s:I, s:I, s:s, s:s}", "valid", 1, "room",
                                   (json_int_t)room->id, "booking_id", (json_int_t)booking_id,
                                   "valid_from", time_format_rfc3339_at(req->arena, from, room->rules.utc_offset_minutes),
                                   "valid_to", time_format_rfc3339_at(req->arena, to, room->rules.utc_offset_minutes)));
}

/* ---- calendar subscriptions ---- */

static Error *booking_handle_feed_get(Request *req, Response *res)
{
    int64_t created = 0;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = booking_store_link_created(req->store, req->arena, LINK_FEED, req->user->id, &created);
    if (err)
        return err;
    return response_json(res, 200, link_state_json(req->arena, created));
}

static Error *booking_handle_feed_new(Request *req, Response *res)
{
    char token[CRYPTO_TOKEN_CHARS + 1];
    int64_t now = time_now_ms();
    const char *url, *slash;
    json_t *out;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_link_new(req->store, req->arena, LINK_FEED, req->user->id, req->user->id,
                                 now, token);
    if (!err)
        err = audit_record(req, "booking.feed", "user", req->user->id, req->user->scope, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    url = arena_sprintf(req->arena, "%s/api/v1/feeds/%s/bookings.ics", booking_base_url(req), token);
    slash = strstr(url, "://");
    out = link_state_json(req->arena, now);
    json_object_set_new(out, "url", json_string(url));
    json_object_set_new(out, "webcal_url",
                        json_string(arena_sprintf(req->arena, "webcal%s", slash)));
    return response_json(res, 201, out);
}

static Error *booking_handle_feed_revoke(Request *req, Response *res)
{
    int64_t created = 0;
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = booking_store_link_created(req->store, req->arena, LINK_FEED, req->user->id, &created);
    if (!err && !created)
        err = error_not_found(req->arena, NULL, "您还没有开通日历订阅");
    if (!err)
        err = booking_store_link_revoke(req->store, req->arena, LINK_FEED, req->user->id);
    if (!err)
        err = audit_record(req, "booking.feed_revoke", "user", req->user->id, req->user->scope, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        return err;
    return response_json(res, 200, link_state_json(req->arena, 0));
}

static Error *booking_handle_feed(Request *req, Response *res)
{
    const char *token = req->n_params > 0 ? req->params[0] : NULL;
    int64_t user_id = 0;
    Error *err;

    err = booking_store_link_find(req->store, req->arena, LINK_FEED, token, &user_id);
    if (err)
        return err;
    if (!user_id)
        return error_not_found(req->arena, "token", "订阅链接无效或已被收回，请在“我的预约”中重新获取");
    return booking_ical_user(req, res, user_id);
}

void booking_links_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/rooms/{id}/door-link", booking_handle_door_link_get, 0);
    router_add(r, "POST", "/api/v1/rooms/{id}/door-link", booking_handle_door_link_new, 0);
    router_add(r, "DELETE", "/api/v1/rooms/{id}/door-link", booking_handle_door_link_revoke, 0);
    router_add(r, "GET", "/api/v1/door/{token}", booking_handle_door, ROUTE_PUBLIC);
    router_add(r, "GET", "/api/v1/door/{token}/qr.svg", booking_handle_door_qr, ROUTE_PUBLIC);
    router_add(r, "POST", "/api/v1/door/{token}/verify", booking_handle_door_verify, ROUTE_PUBLIC);
    router_add(r, "GET", "/api/v1/bookings/feed", booking_handle_feed_get, 0);
    router_add(r, "POST", "/api/v1/bookings/feed", booking_handle_feed_new, 0);
    router_add(r, "DELETE", "/api/v1/bookings/feed", booking_handle_feed_revoke, 0);
    router_add(r, "GET", "/api/v1/feeds/{token}/bookings.ics", booking_handle_feed, ROUTE_PUBLIC);
}
