/*
 * No-shows and suspensions. A confirmed booking not checked in by
 * the end of its check-in window is released (its time goes to the
 * waitlist) and counted; a pending one not approved by then is rejected.
 * The sweep runs lazily, at the start of every booking request, inside a
 * write transaction (see booking_sweep() in booking_room_routes.c): no
 * thread, and nothing to miss, because nobody can see a booking without a
 * request that sweeps first.
 */
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "booking/booking_store.h"
#include "core/timeutil.h"
#include "notice/notice.h"
#include "core/banned.h"

/*
 * ORDER BY keeps this on the partial index booking_due: PostgreSQL's generic
 * plan for a prepared statement expects a third of the rows to be due and
 * scans the table, finding none (3.4 ms at 30,000 bookings against 0.1 ms;
 * bench/pg saw a booking's cost grow with the bookings).
 */
static const char SQL_DUE_ANY[] =
    "SELECT 1 FROM booking WHERE state IN ('pending', 'confirmed') AND checkin_until <= ?1"
    " ORDER BY checkin_until LIMIT 1";

static const char SQL_DUE_LIST[] =
    "SELECT id, room_id, user_id, community, state, start_ms, end_ms FROM booking"
    " WHERE state IN ('pending', 'confirmed') AND checkin_until <= ?1"
    " ORDER BY checkin_until, id LIMIT 100";

static const char SQL_NO_SHOWS[] =
    "SELECT count(*) FROM booking WHERE user_id = ?1 AND community = ?2 AND no_show = 1"
    " AND checkin_until > ?3";

static const char SQL_SUSPENSION_LAST[] =
    "SELECT coalesce(max(from_ms), 0) FROM booking_suspension WHERE user_id = ?1 AND community = ?2";

static const char SQL_SUSPENSION_INSERT[] =
    "INSERT INTO booking_suspension (user_id, community, from_ms, until_ms, no_shows)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";

static const char SQL_SUSPENSION_ACTIVE[] =
    "SELECT until_ms, no_shows FROM booking_suspension WHERE user_id = ?1 AND until_ms > ?2"
    " ORDER BY until_ms DESC LIMIT 1";

Error *booking_store_suspension(Store *st, Arena *a, int64_t user_id, int64_t now_ms,
                                int64_t *ret_until_ms, int64_t *ret_no_shows)
{
    StoreStmt *s = store_prepare(st, a, SQL_SUSPENSION_ACTIVE);

    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_until_ms = store_column_int64(s, 0);
        *ret_no_shows = store_column_int64(s, 1);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        *ret_until_ms = 0;
        *ret_no_shows = 0;
        return NULL;
    default:
        return store_error(st, a);
    }
}

/* ---- the no-show sweep ---- */

typedef struct Due {
    int64_t id, room_id, user_id, start_ms, end_ms;
    const char *community;
    bool pending;
} Due;

/* After a no-show: suspends @user_id when the community's limit is reached. */
static Error *maybe_suspend(Store *st, Arena *a, int64_t user_id, const char *community,
                            int64_t now_ms)
{
    BookingPolicy p;
    int64_t last = 0, since, n = 0;
    StoreStmt *s;
    Error *err;

    err = booking_store_policy(st, a, community, &p);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_SUSPENSION_LAST);
    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    err = booking_store_count(st, a, s, &last);
    if (err)
        return err;
    /* no-shows already punished do not count again */
    since = now_ms - p.window_days * TIME_DAY_MS;
    if (last > since)
        since = last;
    s = store_prepare(st, a, SQL_NO_SHOWS);
    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    store_bind_int64(s, 3, since);
    err = booking_store_count(st, a, s, &n);
    if (err)
        return err;
    if (n < p.no_show_limit)
        return NULL;
    s = store_prepare(st, a, SQL_SUSPENSION_INSERT);
    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, community);
    store_bind_int64(s, 3, now_ms);
    store_bind_int64(s, 4, now_ms + p.suspend_days * TIME_DAY_MS);
    store_bind_int64(s, 5, n);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    err = notice_add(st, a, user_id, "booking.suspended", "预约资格已暂停",
                     arena_sprintf(a, "近期爽约 %lld 次，%d 天内不能预约活动室，至%s恢复",
                                   (long long)n, p.suspend_days,
                                   booking_time_text(a, now_ms + p.suspend_days * TIME_DAY_MS,
                                                     TIME_OFFSET_SHANGHAI)),
                     "/bookings");
    if (err)
        return err;
    return audit_record_system(st, a, "system", "booking.suspend", "user", user_id, community,
                               json_pack("{s:I}", "no_shows", (json_int_t)n));
}

Error *booking_store_sweep_due(Store *st, Arena *a, int64_t now_ms, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_DUE_ANY);
    StoreResult r;

    store_bind_int64(s, 1, now_ms);
    r = store_step(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = r == STORE_ROW;
    store_reset(s);
    return NULL;
}

static Error *sweep_one(Store *st, Arena *a, const Due *d, int64_t now_ms)
{
    bool changed = false;
    Booking *b = NULL;
    Error *err;

    err = booking_store_set_ended(st, a, d->id, d->pending ? BOOKING_REJECTED : BOOKING_RELEASED, !d->pending,
                    d->pending ? "未在开始前完成审批，已自动取消" : "未在签到时间内签到，已自动释放",
                    0, now_ms, &changed);
    if (err || !changed)
        return err;
    err = booking_store_free_slots(st, a, d->room_id, d->start_ms, d->end_ms, d->id);
    if (err)
        return err;
    err = audit_record_system(st, a, "system", d->pending ? "booking.expire" : "booking.release",
                              "booking", d->id, d->community, NULL);
    if (!err)
        err = booking_store_get(st, a, d->id, &b);
    if (!err && b)
        err = booking_store_notify(st, a, b, d->pending ? "booking.expired" : "booking.released",
                                   d->pending ? "预约未获审批，已自动取消" : "未签到，预约已自动释放",
                                   b->reason);
    if (err)
        return err;
    err = booking_store_promote(st, a, d->room_id, d->start_ms, d->end_ms, now_ms);
    if (err)
        return err;
    return d->pending ? NULL : maybe_suspend(st, a, d->user_id, d->community, now_ms);
}

Error *booking_store_sweep(Store *st, Arena *a, int64_t now_ms)
{
    /* bounded: each round ends what it found, so the next finds others */
    for (int round = 0; round < 1000; round++) {
        StoreStmt *s = store_prepare(st, a, SQL_DUE_LIST);
        Due due[100];
        size_t n = 0;
        StoreResult r = STORE_DONE;

        store_bind_int64(s, 1, now_ms);
        while (n < ARRAY_SIZE(due) && (r = store_step(s)) == STORE_ROW) {
            due[n].id = store_column_int64(s, 0);
            due[n].room_id = store_column_int64(s, 1);
            due[n].user_id = store_column_int64(s, 2);
            due[n].community = store_column_text(s, a, 3);
            due[n].pending = strcmp(store_column_text(s, a, 4), "pending") == 0;
            due[n].start_ms = store_column_int64(s, 5);
            due[n].end_ms = store_column_int64(s, 6);
            n++;
        }
        if (n < ARRAY_SIZE(due) && r != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        for (size_t i = 0; i < n; i++) {
            Error *err = sweep_one(st, a, &due[i], now_ms);

            if (err)
                return err;
        }
        if (n < ARRAY_SIZE(due))
            return NULL;
    }
    return NULL;
}

Error *booking_store_sweep_if_due(Store *st, Arena *a, int64_t now_ms)
{
    bool due = false;
    Error *err;

    err = booking_store_sweep_due(st, a, now_ms, &due);
    if (err || !due)
        return err;
    err = store_begin(st, a);
    if (err)
        return err;
    err = booking_store_sweep(st, a, now_ms);
    if (err) {
        store_rollback(st);
        return err;
    }
    return store_commit(st, a);
}
