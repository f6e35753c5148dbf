/*
 * The waitlist (候补): people queue for a time that is taken; when a booking
 * there is cancelled, rejected or released, the freed time is offered to the
 * queue in order of arrival, inside the same transaction that freed it. A
 * promotion is an ordinary booking insert, so booking_slot guards it as it
 * guards every other booking.
 */
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "booking/booking_store.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define MAX_CANDIDATES 20

static const char SQL_WAIT_HOLDERS[] =
    "SELECT count(*), coalesce(sum(CASE WHEN b.user_id = ?4 THEN 1 ELSE 0 END), 0)"
    " FROM booking_slot s"
    " JOIN booking b ON b.id = s.booking_id"
    " WHERE s.room_id = ?1 AND s.slot_start >= ?2 AND s.slot_start < ?3";
static const char SQL_WAIT_INSERT[] =
    "INSERT INTO waitlist (room_id, community, user_id, start_ms, end_ms, purpose, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id";

#define WAIT_SELECT                                                                            \
    "SELECT w.id, w.room_id, r.name, w.community, w.user_id, w.start_ms, w.end_ms, w.purpose,"  \
    " w.state, w.booking_id, r.utc_offset_minutes, w.created_at,"                              \
    " (SELECT count(*) FROM waitlist x WHERE x.room_id = w.room_id AND x.state = 'waiting'"    \
    "  AND x.start_ms < w.end_ms AND x.end_ms > w.start_ms AND x.id <= w.id)"                  \
    " FROM waitlist w JOIN room r ON r.id = w.room_id"

static const char SQL_WAIT_GET[] = WAIT_SELECT " WHERE w.id = ?1";
static const char SQL_WAIT_BY_USER[] =
    WAIT_SELECT " WHERE w.user_id = ?1 ORDER BY w.start_ms DESC, w.id DESC LIMIT 200";
static const char SQL_WAIT_BY_ROOM[] =
    WAIT_SELECT " WHERE w.room_id = ?1 AND w.state = 'waiting' AND w.end_ms > ?2"
    " ORDER BY w.start_ms, w.id LIMIT 200";
static const char SQL_WAIT_CANCEL[] =
    "UPDATE waitlist SET state = 'cancelled', updated_at = ?2 WHERE id = ?1 AND state = 'waiting'";

static const char SQL_WAIT_CANDIDATES[] =
    "SELECT id, user_id, start_ms, end_ms, purpose FROM waitlist"
    " WHERE room_id = ?1 AND state = 'waiting' AND start_ms < ?3 AND end_ms > ?2"
    " ORDER BY created_at, id LIMIT 20";
static const char SQL_WAIT_SET[] =
    "UPDATE waitlist SET state = ?2, booking_id = ?3, updated_at = ?4 WHERE id = ?1";

Error *booking_store_wait_insert(Store *st, Arena *a, const Room *room, const BookingInput *in,
                                 int64_t user_id, int64_t now_ms, WaitEntry **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_WAIT_HOLDERS);
    int64_t held, mine, id;

    store_bind_int64(s, 1, room->id);
    store_bind_int64(s, 2, (in->start_ms / (BOOKING_UNIT_MIN * TIME_MINUTE_MS)) *
                               (BOOKING_UNIT_MIN * TIME_MINUTE_MS));
    store_bind_int64(s, 3, in->end_ms);
    store_bind_int64(s, 4, user_id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    held = store_column_int64(s, 0);
    mine = store_column_int64(s, 1);
    store_reset(s);
    if (held == 0)
        return error_conflict(a, "start", "slot_free", "该时段目前空闲，可以直接预约，无需候补");
    if (mine > 0)
        return error_conflict(a, "start", "already_booked", "您已预约了该时段的一部分，无需候补");

    s = store_prepare(st, a, SQL_WAIT_INSERT);
    store_bind_int64(s, 1, room->id);
    store_bind_text(s, 2, room->community);
    store_bind_int64(s, 3, user_id);
    store_bind_int64(s, 4, in->start_ms);
    store_bind_int64(s, 5, in->end_ms);
    store_bind_text(s, 6, in->purpose);
    store_bind_int64(s, 7, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        id = store_column_int64(s, 0);
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        return error_conflict(a, "start", "already_waiting", "您已在该时段的候补名单中");
    default:
        return store_error(st, a);
    }
    return booking_store_wait_get(st, a, id, ret);
}

static WaitEntry *read_wait(StoreStmt *s, Arena *a, int64_t now_ms)
{
    WaitEntry *w = arena_zalloc(a, sizeof(WaitEntry));

    w->id = store_column_int64(s, 0);
    w->room_id = store_column_int64(s, 1);
    w->room_name = store_column_text(s, a, 2);
    w->community = store_column_text(s, a, 3);
    w->user_id = store_column_int64(s, 4);
    w->start_ms = store_column_int64(s, 5);
    w->end_ms = store_column_int64(s, 6);
    w->purpose = store_column_text(s, a, 7);
    w->state = store_column_text(s, a, 8);
    w->booking_id = store_column_int64(s, 9);
    w->utc_offset_minutes = (int)store_column_int64(s, 10);
    w->created_at = store_column_int64(s, 11);
    w->position = store_column_int64(s, 12);
    if (strcmp(w->state, "waiting") == 0 && w->end_ms <= now_ms)
        w->state = "expired"; /* stored as such at the next promotion attempt */
    if (strcmp(w->state, "waiting") != 0)
        w->position = 0;
    return w;
}

Error *booking_store_wait_get(Store *st, Arena *a, int64_t id, WaitEntry **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_WAIT_GET);

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = read_wait(s, a, time_now_ms());
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

Error *booking_store_wait_list(Store *st, Arena *a, int64_t user_id, int64_t room_id,
                               WaitEntry ***ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, user_id ? SQL_WAIT_BY_USER : SQL_WAIT_BY_ROOM);
    WaitEntry **items = arena_alloc(a, 200 * sizeof(WaitEntry *));
    int64_t now = time_now_ms();
    size_t n = 0;
    StoreResult r;

    store_bind_int64(s, 1, user_id ? user_id : room_id);
    if (!user_id)
        store_bind_int64(s, 2, now);
    while ((r = store_step(s)) == STORE_ROW && n < 200)
        items[n++] = read_wait(s, a, now);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *booking_store_wait_cancel(Store *st, Arena *a, int64_t id)
{
    StoreStmt *s = store_prepare(st, a, SQL_WAIT_CANCEL);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (store_changes(st) != 1)
        return error_conflict(a, NULL, "not_waiting", "该候补已取消、已转为预约或已过期");
    return NULL;
}

static Error *wait_set(Store *st, Arena *a, int64_t id, const char *state, int64_t booking_id,
                       int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_WAIT_SET);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, state);
    if (booking_id)
        store_bind_int64(s, 3, booking_id);
    else
        store_bind_null(s, 3);
    store_bind_int64(s, 4, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

typedef struct Candidate {
    int64_t id, user_id;
    BookingInput in;
} Candidate;

/* One candidate in a savepoint: a booking, or nothing at all. */
static Error *promote_one(Store *st, Arena *a, const Room *room, const Candidate *c, int64_t now_ms)
{
    Booking *b = NULL;
    Error *err;

    err = store_savepoint(st, a, "promote");
    if (err)
        return err;
    err = booking_store_insert_checked(st, a, room, &c->in, c->user_id, true, c->id, now_ms, &b);
    if (err) {
        store_rollback_to(st, "promote");
        return err->status >= 500 ? err : NULL; /* still taken, or not allowed: keeps waiting */
    }
    err = wait_set(st, a, c->id, "promoted", b->id, now_ms);
    if (!err)
        err = audit_record_system(st, a, "system", "booking.promote", "booking", b->id,
                                  room->community, json_pack("{s:I}", "waitlist_id", (json_int_t)c->id));
    if (!err)
        err = booking_store_notify(st, a, b, "booking.promoted",
                                   b->state == BOOKING_PENDING ? "候补成功，等待审批" : "候补成功，已为您预约",
                                   "有人让出了时段，您候补的预约已生效");
    if (err) {
        store_rollback_to(st, "promote");
        return err;
    }
    return store_release(st, a, "promote");
}

Error *booking_store_promote(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                             int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_WAIT_CANDIDATES);
    Candidate c[MAX_CANDIDATES];
    Room *room = NULL;
    size_t n = 0;
    StoreResult r = STORE_DONE;
    Error *err;

    store_bind_int64(s, 1, room_id);
    store_bind_int64(s, 2, from_ms);
    store_bind_int64(s, 3, to_ms);
    while (n < MAX_CANDIDATES && (r = store_step(s)) == STORE_ROW) {
        c[n] = (Candidate){ 0 };
        c[n].id = store_column_int64(s, 0);
        c[n].user_id = store_column_int64(s, 1);
        c[n].in.room_id = room_id;
        c[n].in.start_ms = store_column_int64(s, 2);
        c[n].in.end_ms = store_column_int64(s, 3);
        c[n].in.purpose = store_column_text(s, a, 4);
        n++;
    }
    if (n < MAX_CANDIDATES && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (n == 0)
        return NULL;
    err = booking_store_room_get(st, a, room_id, &room);
    if (err || !room)
        return err;
    for (size_t i = 0; i < n; i++) {
        if (c[i].in.end_ms <= now_ms)
            err = wait_set(st, a, c[i].id, "expired", 0, now_ms);
        else
            err = promote_one(st, a, room, &c[i], now_ms);
        if (err)
            return err;
    }
    return NULL;
}
