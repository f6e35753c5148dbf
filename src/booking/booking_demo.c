/*
 * Demo function rooms for `linli demo`: the rooms a community's 党群服务站
 * usually lends out, so that the resident's 活动室 page and the console's
 * calendar have something to show on a fresh machine.
 */
#include "booking/booking.h"
#include "core/timeutil.h"
#include "core/banned.h"

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
