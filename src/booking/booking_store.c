/*
 * Bookings: reads, inserts guarded by booking_slot, and state changes (the
 * no-show sweep is in booking_sweep_store.c).
 *
 * Functions that write expect the caller's write transaction (store_begin,
 * BEGIN IMMEDIATE): SQLite runs one writer at a time, so the checks made
 * inside it (blackouts, quota, suspension) and the rows written after them
 * are one atomic step. Whether a slot is free is never checked at all: the
 * slots are inserted, and the primary key of booking_slot refuses a second
 * holder. That is the whole no-double-booking guarantee.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "booking/booking_store.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "notice/notice.h"
#include "core/banned.h"

#define ACTIVE_STATES "('pending', 'confirmed', 'checked_in')"
#define UNIT_MS "300000" /* BOOKING_UNIT_MIN in ms, for the SQL below */
_Static_assert(BOOKING_UNIT_MIN * 60000 == 300000, "UNIT_MS");

static const char SQL_BOOKING_END[] =
    "UPDATE booking SET state = ?2, no_show = ?3, reason = ?4, decided_by = ?5, updated_at = ?6"
    " WHERE id = ?1 AND state IN ('pending', 'confirmed')";
static const char SQL_BOOKING_REJECT[] =
    "UPDATE booking SET state = ?2, no_show = ?3, reason = ?4, decided_by = ?5, updated_at = ?6"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_BOOKING_APPROVE[] =
    "UPDATE booking SET state = 'confirmed', decided_by = ?2, updated_at = ?3"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_BOOKING_CHECKIN[] =
    "UPDATE booking SET state = 'checked_in', checked_in_at = ?2, access_code = ?3, updated_at = ?2"
    " WHERE id = ?1 AND state = 'confirmed' AND checkin_from <= ?2 AND checkin_until > ?2";

static const char SQL_SLOTS_TAKE[] =
    "INSERT INTO booking_slot (room_id, slot_start, booking_id)"
    " WITH RECURSIVE s(t) AS (SELECT (?2 / " UNIT_MS ") * " UNIT_MS
    "  UNION ALL SELECT t + " UNIT_MS " FROM s WHERE t + " UNIT_MS " < ?3)"
    " SELECT ?1, t, ?4 FROM s";
static const char SQL_SLOTS_FREE[] =
    "DELETE FROM booking_slot WHERE room_id = ?1 AND slot_start >= (?2 / " UNIT_MS ") * " UNIT_MS
    " AND slot_start < ?3 AND booking_id = ?4";

static const char SQL_BOOKING_INSERT[] =
    "INSERT INTO booking (room_id, community, user_id, start_ms, end_ms, state, purpose,"
    " checkin_from, checkin_until, waitlist_id, created_at, updated_at, booked_by, team)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13) RETURNING id";

/*
 * The room's first blackout over the new booking and the user's current
 * suspension, in one statement (one round trip on PostgreSQL): NULLs where
 * there is none.
 */
static const char SQL_BLACKOUT_SUSPENSION[] =
    "SELECT bo.reason, bo.start_ms, bo.end_ms, su.until_ms, su.no_shows FROM (SELECT 1 AS one) AS o"
    " LEFT JOIN (SELECT reason, start_ms, end_ms FROM room_blackout"
    "  WHERE room_id = ?1 AND end_ms > ?2 AND start_ms < ?3 ORDER BY start_ms LIMIT 1) AS bo ON 1 = 1"
    " LEFT JOIN (SELECT until_ms, no_shows FROM booking_suspension"
    "  WHERE user_id = ?4 AND until_ms > ?5 ORDER BY until_ms DESC LIMIT 1) AS su ON 1 = 1";
static const char SQL_QUOTA_COUNT[] =
    "SELECT count(*) FROM booking WHERE user_id = ?1 AND room_id = ?2"
    " AND start_ms >= ?3 AND start_ms < ?4 AND state IN " ACTIVE_STATES;

static const char SQL_BUSY[] =
    "SELECT start_ms, end_ms, state, user_id FROM booking"
    " WHERE room_id = ?1 AND start_ms >= ?2 AND start_ms < ?3 AND end_ms > ?4"
    " AND state IN " ACTIVE_STATES " ORDER BY start_ms";

#define BOOKING_SELECT                                                                          \
    "SELECT b.id, b.room_id, r.name, b.community, b.user_id, u.display_name, b.start_ms,"       \
    " b.end_ms, b.state, b.purpose, b.checkin_from, b.checkin_until, b.checked_in_at,"          \
    " b.access_code, b.no_show, b.reason, b.waitlist_id, r.utc_offset_minutes, b.created_at,"  \
    " b.team, b.booked_by"                                                                      \
    " FROM booking b JOIN room r ON r.id = b.room_id JOIN app_user u ON u.id = b.user_id"
/* ?5: NULL (any state), 'active', or a state */
#define BOOKING_FILTER                                                                          \
    " AND b.end_ms > ?3 AND b.start_ms < ?4 AND (CAST(?5 AS TEXT) IS NULL OR b.state = ?5"     \
    " OR (?5 = 'active' AND b.state IN " ACTIVE_STATES "))"

static const char SQL_BOOKING_GET[] = BOOKING_SELECT " WHERE b.id = ?1";
static const char SQL_LIST_USER[] =
    BOOKING_SELECT " WHERE b.user_id = ?1" BOOKING_FILTER " ORDER BY b.start_ms DESC, b.id DESC"
    " LIMIT ?6 OFFSET ?7";
static const char SQL_COUNT_USER[] =
    "SELECT count(*) FROM booking b WHERE b.user_id = ?1" BOOKING_FILTER;
static const char SQL_LIST_ROOM[] =
    BOOKING_SELECT " WHERE b.room_id = ?1" BOOKING_FILTER " ORDER BY b.start_ms DESC, b.id DESC"
    " LIMIT ?6 OFFSET ?7";
static const char SQL_COUNT_ROOM[] =
    "SELECT count(*) FROM booking b WHERE b.room_id = ?1" BOOKING_FILTER;
static const char SQL_LIST_COMMUNITY[] =
    BOOKING_SELECT " WHERE b.community >= ?1 AND b.community < ?2" BOOKING_FILTER
    " ORDER BY b.start_ms DESC, b.id DESC LIMIT ?6 OFFSET ?7";
static const char SQL_COUNT_COMMUNITY[] =
    "SELECT count(*) FROM booking b WHERE b.community >= ?1 AND b.community < ?2" BOOKING_FILTER;

/* ---- reading ---- */

static Booking *read_booking(StoreStmt *s, Arena *a)
{
    Booking *b = arena_zalloc(a, sizeof(Booking));

    b->id = store_column_int64(s, 0);
    b->room_id = store_column_int64(s, 1);
    b->room_name = store_column_text(s, a, 2);
    b->community = store_column_text(s, a, 3);
    b->user_id = store_column_int64(s, 4);
    b->user_name = store_column_text(s, a, 5);
    b->start_ms = store_column_int64(s, 6);
    b->end_ms = store_column_int64(s, 7);
    if (!booking_state_parse(store_column_text(s, a, 8), &b->state))
        b->state = BOOKING_CANCELLED;
    b->purpose = store_column_text(s, a, 9);
    b->checkin_from = store_column_int64(s, 10);
    b->checkin_until = store_column_int64(s, 11);
    b->checked_in_at = store_column_int64(s, 12);
    b->access_code = store_column_text(s, a, 13);
    b->no_show = store_column_int64(s, 14) != 0;
    b->reason = store_column_text(s, a, 15);
    b->waitlist_id = store_column_int64(s, 16);
    b->utc_offset_minutes = (int)store_column_int64(s, 17);
    b->created_at = store_column_int64(s, 18);
    b->team = store_column_text(s, a, 19);
    b->booked_by = store_column_int64(s, 20);
    return b;
}

Error *booking_store_get(Store *st, Arena *a, int64_t id, Booking **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_BOOKING_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = read_booking(s, a);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        *ret = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

static void bind_filter(StoreStmt *s, const BookingFilter *f, bool paging)
{
    if (f->user_id)
        store_bind_int64(s, 1, f->user_id);
    else if (f->room_id)
        store_bind_int64(s, 1, f->room_id);
    else {
        store_bind_text(s, 1, f->lo);
        store_bind_text(s, 2, f->hi);
    }
    store_bind_int64(s, 3, f->from_ms);
    store_bind_int64(s, 4, f->to_ms ? f->to_ms : INT64_MAX);
    if (f->state == BOOKING_FILTER_ACTIVE)
        store_bind_text(s, 5, "active");
    else if (f->state >= 0 && f->state < _BOOKING_STATE_MAX)
        store_bind_text(s, 5, booking_state_name((BookingState)f->state));
    else
        store_bind_null(s, 5);
    if (paging) {
        store_bind_int64(s, 6, f->limit);
        store_bind_int64(s, 7, f->offset);
    }
}

Error *booking_store_list(Store *st, Arena *a, const BookingFilter *f, Booking ***ret,
                          size_t *ret_n, int64_t *ret_total)
{
    const char *list = f->user_id   ? SQL_LIST_USER
                       : f->room_id ? SQL_LIST_ROOM
                                    : SQL_LIST_COMMUNITY;
    const char *count = f->user_id   ? SQL_COUNT_USER
                        : f->room_id ? SQL_COUNT_ROOM
                                     : SQL_COUNT_COMMUNITY;
    Booking **items = arena_alloc(a, (size_t)(f->limit > 0 ? f->limit : 1) * sizeof(Booking *));
    StoreStmt *s = store_prepare(st, a, list);
    size_t n = 0;
    StoreResult r;

    bind_filter(s, f, true);
    while ((r = store_step(s)) == STORE_ROW && (int64_t)n < f->limit)
        items[n++] = read_booking(s, a);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    s = store_prepare(st, a, count);
    bind_filter(s, f, false);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *booking_store_busy(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                          int64_t viewer_id, GridBusy **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUSY);
    size_t n = 0, cap = 64;
    GridBusy *busy = arena_alloc(a, cap * sizeof(GridBusy));
    Blackout *blackouts;
    size_t n_blackouts;
    StoreResult r;
    Error *err;

    store_bind_int64(s, 1, room_id);
    store_bind_int64(s, 2, from_ms - TIME_DAY_MS); /* no booking is longer than a day */
    store_bind_int64(s, 3, to_ms);
    store_bind_int64(s, 4, from_ms);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *state = store_column_text(s, a, 2);

        busy = arena_grow(a, busy, n, &cap, sizeof(GridBusy));
        busy[n].start_ms = store_column_int64(s, 0);
        busy[n].end_ms = store_column_int64(s, 1);
        if (viewer_id && store_column_int64(s, 3) == viewer_id)
            busy[n].mark = GRID_MINE;
        else
            busy[n].mark = strcmp(state, "pending") == 0 ? GRID_PENDING : GRID_TAKEN;
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    err = booking_store_blackouts(st, a, room_id, from_ms, to_ms, &blackouts, &n_blackouts);
    if (err)
        return err;
    if (n_blackouts) {
        GridBusy *all = arena_alloc(a, (n + n_blackouts) * sizeof(GridBusy));

        memcpy(all, busy, n * sizeof(GridBusy));
        for (size_t i = 0; i < n_blackouts; i++)
            all[n++] = (GridBusy){ blackouts[i].start_ms, blackouts[i].end_ms, GRID_BLACKOUT };
        busy = all;
    }
    *ret = busy;
    *ret_n = n;
    return NULL;
}

/* ---- writing, inside the caller's transaction ---- */

Error *booking_store_count(Store *st, Arena *a, StoreStmt *s, int64_t *ret)
{
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

/* A blackout over the booking (400), else a suspension of the user (403), else NULL. */
static Error *check_blackout_suspension(Store *st, Arena *a, const Room *room,
                                        const BookingInput *in, int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_BLACKOUT_SUSPENSION);
    int off = room->rules.utc_offset_minutes;
    Error *err = NULL;

    store_bind_int64(s, 1, room->id);
    store_bind_int64(s, 2, in->start_ms);
    store_bind_int64(s, 3, in->end_ms);
    store_bind_int64(s, 4, user_id);
    store_bind_int64(s, 5, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    if (!store_column_is_null(s, 1))
        err = error_invalid(a, "start", "blackout",
                            arena_sprintf(a, "该活动室在 %s 至 %s 暂停开放（%s），请选择其他时段",
                                          booking_time_text(a, store_column_int64(s, 1), off),
                                          booking_time_text(a, store_column_int64(s, 2), off),
                                          store_column_text(s, a, 0)));
    else if (!store_column_is_null(s, 3) && store_column_int64(s, 3))
        err = error_new(a, 403, NULL, "booking_suspended",
                        arena_sprintf(a, "您近期有%lld次预约未按时签到，预约功能已暂停至 %s，届时可再次预约",
                                      (long long)store_column_int64(s, 4),
                                      booking_time_text(a, store_column_int64(s, 3), off)));
    store_reset(s);
    return err;
}

static Error *check_quota(Store *st, Arena *a, const Room *room, const BookingInput *in,
                          int64_t user_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_QUOTA_COUNT);
    int64_t from, to, n = 0;
    Error *err;

    booking_rules_week(&room->rules, in->start_ms, &from, &to);
    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, room->id);
    store_bind_int64(s, 3, from);
    store_bind_int64(s, 4, to);
    err = booking_store_count(st, a, s, &n);
    if (err)
        return err;
    if (n >= room->rules.weekly_quota)
        return error_invalid(a, "start", "over_quota",
                             arena_sprintf(a, "每人每周最多预约该活动室%d次，该周您已预约%lld次",
                                           room->rules.weekly_quota, (long long)n));
    return NULL;
}

Error *booking_store_insert_checked(Store *st, Arena *a, const Room *room, const BookingInput *in,
                                    int64_t user_id, bool check_quota_, int64_t waitlist_id,
                                    int64_t now_ms, Booking **ret)
{
    Booking *b = arena_zalloc(a, sizeof(Booking));
    StoreStmt *s;
    Error *err;

    err = check_blackout_suspension(st, a, room, in, user_id, now_ms);
    if (err)
        return err;
    if (check_quota_ && room->rules.weekly_quota > 0) {
        err = check_quota(st, a, room, in, user_id);
        if (err)
            return err;
    }
    b->room_id = room->id;
    b->room_name = room->name;
    b->community = room->community;
    b->user_id = user_id;
    b->start_ms = in->start_ms;
    b->end_ms = in->end_ms;
    b->state = room->rules.needs_approval ? BOOKING_PENDING : BOOKING_CONFIRMED;
    b->purpose = in->purpose;
    b->waitlist_id = waitlist_id;
    b->utc_offset_minutes = room->rules.utc_offset_minutes;
    b->created_at = now_ms;
    b->team = in->team;
    b->booked_by = in->booked_by;
    booking_rules_checkin_window(&room->rules, in->start_ms, in->end_ms, now_ms, &b->checkin_from,
                                 &b->checkin_until);

    s = store_prepare(st, a, SQL_BOOKING_INSERT);
    store_bind_int64(s, 1, room->id);
    store_bind_text(s, 2, room->community);
    store_bind_int64(s, 3, user_id);
    store_bind_int64(s, 4, b->start_ms);
    store_bind_int64(s, 5, b->end_ms);
    store_bind_text(s, 6, booking_state_name(b->state));
    store_bind_text(s, 7, b->purpose);
    store_bind_int64(s, 8, b->checkin_from);
    store_bind_int64(s, 9, b->checkin_until);
    if (waitlist_id)
        store_bind_int64(s, 10, waitlist_id);
    else
        store_bind_null(s, 10);
    store_bind_int64(s, 11, now_ms);
    if (in->booked_by)
        store_bind_int64(s, 12, in->booked_by);
    else
        store_bind_null(s, 12);
    store_bind_text(s, 13, in->team);
    switch (store_step(s)) {
    case STORE_ROW:
        break;
    case STORE_CONSTRAINT:
        /* PostgreSQL's exclusion constraint (schema/pg/0002) refuses an overlap itself */
        if (store_error_mentions(st, "booking_no_overlap"))
            return error_conflict(a, "start", "slot_taken",
                                  "该时段已被预约，请选择其他时段，或加入候补");
        return store_error(st, a);
    default:
        return store_error(st, a);
    }
    b->id = store_column_int64(s, 0);
    store_reset(s);

    s = store_prepare(st, a, SQL_SLOTS_TAKE);
    store_bind_int64(s, 1, room->id);
    store_bind_int64(s, 2, b->start_ms);
    store_bind_int64(s, 3, b->end_ms);
    store_bind_int64(s, 4, b->id);
    switch (store_step(s)) {
    case STORE_DONE:
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        /* the booking row goes with the caller's rollback */
        return error_conflict(a, "start", "slot_taken", "该时段已被预约，请选择其他时段，或加入候补");
    default:
        return store_error(st, a);
    }
    *ret = b;
    return NULL;
}

Error *booking_store_insert(Store *st, Arena *a, const Room *room, const BookingInput *in,
                            int64_t user_id, bool check_quota_, int64_t now_ms, Booking **ret)
{
    return booking_store_insert_checked(st, a, room, in, user_id, check_quota_, 0, now_ms, ret);
}

static const char SQL_BOOKING_HOLD[] =
    "UPDATE booking SET state = 'checked_in', checked_in_at = ?2, updated_at = ?2"
    " WHERE id = ?1 AND state IN ('pending', 'confirmed')";

Error *booking_store_hold(Store *st, Arena *a, int64_t id, int64_t now_ms)
{
    int64_t n = 0;
    Error *err = store_run(st, a, SQL_BOOKING_HOLD, NULL, NULL, NULL, &n, "ii", id, now_ms);

    if (!err && n == 0)
        err = error_conflict(a, "room_id", "slot_taken", "该功能室的预约已变化，请刷新后再试");
    return err;
}

static const char SQL_BOOKING_UNHOLD[] =
    "UPDATE booking SET state = 'confirmed', checked_in_at = NULL, updated_at = ?2"
    " WHERE id = ?1 AND state = 'checked_in' AND access_code IS NULL";

Error *booking_store_end_held(Store *st, Arena *a, Booking *b, const char *reason,
                              int64_t actor_id, int64_t now_ms)
{
    Error *err = store_run(st, a, SQL_BOOKING_UNHOLD, NULL, NULL, NULL, NULL, "ii", b->id, now_ms);

    if (err)
        return err;
    return booking_store_end(st, a, b, BOOKING_CANCELLED, reason, actor_id, now_ms);
}

Error *booking_store_free_slots(Store *st, Arena *a, int64_t room_id, int64_t start_ms, int64_t end_ms,
                         int64_t booking_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_SLOTS_FREE);

    store_bind_int64(s, 1, room_id);
    store_bind_int64(s, 2, start_ms);
    store_bind_int64(s, 3, end_ms);
    store_bind_int64(s, 4, booking_id);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *booking_store_set_ended(Store *st, Arena *a, int64_t id, BookingState to, bool no_show,
                        const char *reason, int64_t actor_id, int64_t now_ms, bool *ret_changed)
{
    /* only a booking awaiting approval can be rejected */
    StoreStmt *s =
        store_prepare(st, a, to == BOOKING_REJECTED ? SQL_BOOKING_REJECT : SQL_BOOKING_END);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, booking_state_name(to));
    store_bind_int64(s, 3, no_show);
    store_bind_text(s, 4, reason);
    if (actor_id)
        store_bind_int64(s, 5, actor_id);
    else
        store_bind_null(s, 5);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_changed = store_changes(st) == 1;
    return NULL;
}

Error *booking_store_end(Store *st, Arena *a, Booking *b, BookingState to, const char *reason,
                         int64_t actor_id, int64_t now_ms)
{
    bool changed = false;
    Error *err;

    err = booking_store_set_ended(st, a, b->id, to, false, reason, actor_id, now_ms, &changed);
    if (err)
        return err;
    if (!changed && to == BOOKING_REJECTED)
        return error_conflict(a, NULL, "not_pending", "该预约不在待审批状态");
    if (!changed)
        return error_conflict(a, NULL, "not_active", "该预约已签到、已取消或已结束，不能再更改");
    err = booking_store_free_slots(st, a, b->room_id, b->start_ms, b->end_ms, b->id);
    if (err)
        return err;
    b->state = to;
    b->reason = reason;
    return booking_store_promote(st, a, b->room_id, b->start_ms, b->end_ms, now_ms);
}

Error *booking_store_approve(Store *st, Arena *a, Booking *b, int64_t actor_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_BOOKING_APPROVE);

    store_bind_int64(s, 1, b->id);
    store_bind_int64(s, 2, actor_id);
    store_bind_int64(s, 3, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (store_changes(st) != 1)
        return error_conflict(a, NULL, "not_pending", "该预约不在待审批状态");
    b->state = BOOKING_CONFIRMED;
    return NULL;
}

Error *booking_store_checkin(Store *st, Arena *a, Booking *b, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_BOOKING_CHECKIN);
    char hex[9], code[8];
    Booking *now;
    Error *err;

    crypto_random_hex(hex, 4);
    snprintf(code, sizeof(code), "%06lu", strtoul(hex, NULL, 16) % 1000000UL);
    store_bind_int64(s, 1, b->id);
    store_bind_int64(s, 2, now_ms);
    store_bind_text(s, 3, code);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    err = booking_store_get(st, a, b->id, &now);
    if (err)
        return err;
    *b = *now;
    switch (now->state) {
    case BOOKING_CHECKED_IN:
        return NULL; /* just now, or before: the same code again */
    case BOOKING_PENDING:
        return error_conflict(a, NULL, "awaiting_approval", "该预约尚未审批通过，暂不能签到");
    case BOOKING_CONFIRMED:
        if (now_ms < now->checkin_from)
            return error_conflict(a, NULL, "checkin_not_open",
                                  arena_sprintf(a, "签到时间为 %s 至 %s，请到时再签到",
                                                booking_time_text(a, now->checkin_from, now->utc_offset_minutes),
                                                booking_time_text(a, now->checkin_until, now->utc_offset_minutes)));
        return error_conflict(a, NULL, "checkin_closed", "签到时间已过，该预约已释放");
    case BOOKING_RELEASED:
        return error_conflict(a, NULL, "checkin_closed", "签到时间已过，该预约已自动释放");
    default:
        return error_conflict(a, NULL, "not_active", "该预约已取消，不能签到");
    }
}

Error *booking_store_notify(Store *st, Arena *a, const Booking *b, const char *kind,
                            const char *title, const char *detail)
{
    const char *body = arena_sprintf(a, "%s，%s%s%s", b->room_name ? b->room_name : "活动室",
                                     booking_time_text(a, b->start_ms, b->utc_offset_minutes),
                                     detail ? "。" : "", detail ? detail : "");

    if (b->user_id <= 0)
        return NULL;
    return notice_add(st, a, b->user_id, kind, title, body,
                      arena_sprintf(a, "/bookings?id=%lld", (long long)b->id));
}
