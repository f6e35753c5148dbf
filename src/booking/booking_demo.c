/*
 * Demo function rooms for `linli demo`: the rooms a community's 党群服务站
 * usually lends out, so that the resident's 活动室 page and the console's
 * calendar have something to show on a fresh machine; and months of their
 * bookings (booking_demo_history), so that 使用统计 has a story to tell.
 */
#include <string.h>

#include "booking/booking.h"
#include "booking/booking_store.h"
#include "core/rng.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_DEMO_BOOKERS[] =
    "SELECT id FROM app_user WHERE role = 'resident' AND scope = ?1 AND household_id IS NOT NULL"
    " AND disabled = 0 ORDER BY id LIMIT 300";

typedef struct DemoRoom {
    const char *name, *type, *location;
    int capacity;
    bool open_24h, needs_approval;
    int open_min, close_min;   /* when not open all day: every day */
    const char *facilities[4];
} DemoRoom;

static const DemoRoom ROOMS[] = {
    { "多功能厅", "活动室", "服务站一楼", 60, false, true, 8 * 60, 21 * 60,
      { "投影仪", "音响", "话筒", "空调" } },
    { "舞蹈室", "活动室", "服务站二楼", 25, true, false, 0, 0, { "镜墙", "音响", "空调", NULL } },
    { "议事厅", "会议室", "服务站二楼", 20, false, false, 8 * 60, 20 * 60,
      { "会议桌", "白板", "投影仪", NULL } },
    { "共享书房", "阅览室", "服务站三楼", 12, true, false, 0, 0, { "书架", "台灯", "无线网络", NULL } },
};

Error *booking_demo(Store *st, Arena *a, const char *community, int *ret_n)
{
    int64_t now = time_now_ms(), id;
    Error *err;

    *ret_n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(ROOMS); i++) {
        const DemoRoom *d = &ROOMS[i];
        Room room = { 0 };

        room.community = community;
        room.name = d->name;
        room.type = d->type;
        room.location = d->location;
        room.capacity = d->capacity;
        for (int f = 0; f < 4 && d->facilities[f]; f++)
            room.facilities[room.n_facilities++] = d->facilities[f];
        booking_rules_default(&room.rules);
        room.rules.needs_approval = d->needs_approval;
        room.rules.open_24h = d->open_24h;
        if (!d->open_24h) {
            for (int day = 0; day < 7; day++) {
                room.rules.hours[day][0].open_min = d->open_min;
                room.rules.hours[day][0].close_min = d->close_min;
                room.rules.n_hours[day] = 1;
            }
        }
        room.created_at = room.updated_at = now;
        err = booking_store_room_insert(st, a, &room, &id);
        if (err)
            return err;
        (*ret_n)++;
    }
    return NULL;
}

/*
 * When each room is used, in local minutes of the day: weekday and weekend
 * candidates, each taken on a given day with the room's likelihood.
 */
typedef struct DemoUse {
    const char *room;
    int weekday[4][2], weekend[4][2];   /* start, end minute; {0, 0} ends the list */
    int chance_pct;
    const char *purposes[4];
} DemoUse;

static const DemoUse USES[] = {
    { "多功能厅", { { 14 * 60, 16 * 60 }, { 19 * 60, 21 * 60 } },
      { { 9 * 60, 11 * 60 }, { 14 * 60, 17 * 60 }, { 19 * 60, 21 * 60 } }, 35,
      { "老年合唱团排练", "社区健康讲座", "亲子手工活动", "楼组长例会" } },
    { "舞蹈室", { { 7 * 60, 8 * 60 + 30 }, { 18 * 60 + 30, 20 * 60 + 30 } },
      { { 9 * 60, 11 * 60 }, { 15 * 60, 17 * 60 }, { 19 * 60, 21 * 60 } }, 55,
      { "广场舞队排练", "太极拳晨练", "少儿舞蹈", "瑜伽" } },
    { "议事厅", { { 9 * 60 + 30, 11 * 60 + 30 }, { 14 * 60, 16 * 60 } },
      { { 10 * 60, 12 * 60 } }, 30,
      { "业委会会议", "加装电梯协调会", "居民议事会", "志愿者培训" } },
    { "共享书房", { { 9 * 60, 11 * 60 }, { 13 * 60 + 30, 16 * 60 + 30 }, { 19 * 60, 21 * 60 + 30 } },
      { { 9 * 60, 11 * 60 + 30 }, { 14 * 60, 17 * 60 }, { 19 * 60, 21 * 60 } }, 45,
      { "自习", "读书会", "学生作业辅导", "书法练习" } },
};

static const DemoUse *use_of(const Room *room)
{
    for (size_t i = 0; i < ARRAY_SIZE(USES); i++)
        if (strcmp(USES[i].room, room->name) == 0)
            return &USES[i];
    return NULL;
}

/*
 * One past booking of @room by @user from @start_ms to @end_ms, made a few
 * days ahead, approved when the room asks for it, then checked in, missed
 * (released as a no-show) or cancelled by the booker.
 */
static Error *past_booking(Store *st, Arena *a, Rng *rng, const Room *room, int64_t user,
                           int64_t start_ms, int64_t end_ms, const char *purpose,
                           int64_t staff_id)
{
    BookingInput in = { .room_id = room->id, .start_ms = start_ms, .end_ms = end_ms,
                        .purpose = purpose };
    int64_t made = start_ms - (int64_t)(1 + rng_int(rng, 6)) * TIME_DAY_MS -
                   (int64_t)rng_int(rng, 8 * 60) * TIME_MINUTE_MS;
    int fate = rng_int(rng, 100);
    bool changed = false;
    Booking *b = NULL;
    Error *err;

    err = booking_store_insert(st, a, room, &in, user, false, made, &b);
    if (err)
        return err->status == 409 ? NULL : err;   /* a clash with another demo booking: skip */
    if (b->state == BOOKING_PENDING) {
        err = booking_store_approve(st, a, b, staff_id, made + 3 * 3600 * 1000);
        if (err)
            return err;
    }
    if (fate < 82)
        return booking_store_checkin(st, a, b, start_ms - (int64_t)rng_int(rng, 10) * TIME_MINUTE_MS);
    if (fate < 90) {
        err = booking_store_set_ended(st, a, b->id, BOOKING_RELEASED, true,
                                      "未在签到时间内签到，已自动释放", 0, b->checkin_until,
                                      &changed);
        if (!err)
            err = booking_store_free_slots(st, a, room->id, start_ms, end_ms, b->id);
        return err;
    }
    return booking_store_end(st, a, b, BOOKING_CANCELLED, "临时有事，改天再约", user,
                             start_ms - (int64_t)(2 + rng_int(rng, 30)) * 3600 * 1000);
}

Error *booking_demo_history(Store *st, Arena *a, const char *community, int days, uint64_t seed,
                            int64_t now_ms, int64_t *ret_n)
{
    Rng rng = { seed ^ 0xB00C1};
    Room **rooms = NULL;
    int64_t bookers[300], today, staff_id = 0;
    const char *role, *scope, *name;
    size_t n_rooms = 0, n_bookers = 0;
    int minute;
    StoreStmt *s;
    StoreResult r;
    Error *err;

    *ret_n = 0;
    err = booking_store_rooms(st, a, community, arena_sprintf(a, "%s~", community), 50, &rooms,
                              &n_rooms);
    if (!err)
        err = booking_store_user_by_name(st, a, "staff", &staff_id, &role, &scope, &name);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_DEMO_BOOKERS);
    store_bind_text(s, 1, community);
    while ((r = store_step(s)) == STORE_ROW && n_bookers < ARRAY_SIZE(bookers))
        bookers[n_bookers++] = store_column_int64(s, 0);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (!n_bookers || !n_rooms)
        return NULL;
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &today, &minute);
    for (int64_t day = today - days; day < today; day++) {
        bool weekend = time_weekday(day) >= 6;
        int64_t midnight = time_day_start_ms(day, TIME_OFFSET_SHANGHAI);

        for (size_t i = 0; i < n_rooms; i++) {
            const DemoUse *u = use_of(rooms[i]);
            const int (*slots)[2];

            if (!u)
                continue;
            slots = weekend ? u->weekend : u->weekday;
            for (int k = 0; k < 4 && slots[k][1]; k++) {
                if (!rng_chance(&rng, u->chance_pct / 100.0))
                    continue;
                err = past_booking(st, a, &rng, rooms[i], bookers[rng_int(&rng, (int)n_bookers)],
                                   midnight + (int64_t)slots[k][0] * TIME_MINUTE_MS,
                                   midnight + (int64_t)slots[k][1] * TIME_MINUTE_MS,
                                   u->purposes[rng_int(&rng, 4)], staff_id);
                if (err)
                    return err;
                (*ret_n)++;
            }
        }
    }
    return NULL;
}
