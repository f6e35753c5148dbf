/*
 * Demo work for `linli demo`, so that every section of the landing page has
 * something after `make run`: the demo resident's booking of a room that
 * needs approval (tomorrow evening), her 转人工 request to the assistant, and
 * an import of a building's register with two rows not imported.
 */
#include <string.h>

#include "assistant/assistant.h"
#include "booking/booking.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "workqueue/workqueue.h"
#include "core/banned.h"

static Error *demo_booking(Store *st, Arena *a, const char *community, int64_t user_id,
                           int64_t now)
{
    const char *lo, *hi;
    Room **rooms = NULL, *room = NULL;
    BookingInput in = { 0 };
    Booking *b = NULL;
    size_t n = 0;
    int64_t day;
    int minute;
    Error *err;

    lo = community;
    hi = arena_sprintf(a, "%s~", community);
    err = booking_store_rooms(st, a, lo, hi, 50, &rooms, &n);
    if (err)
        return err;
    for (size_t i = 0; i < n && !room; i++)
        if (rooms[i]->rules.needs_approval)
            room = rooms[i];
    if (!room)
        return NULL;
    time_local(now, TIME_OFFSET_SHANGHAI, &day, &minute);
    in.room_id = room->id;
    in.start_ms = time_day_start_ms(day + 1, TIME_OFFSET_SHANGHAI) + 19 * 3600 * 1000;
    in.end_ms = in.start_ms + 2 * 3600 * 1000;
    in.purpose = "老年合唱团排练";
    return booking_store_insert(st, a, room, &in, user_id, false, now, &b);
}

static Error *demo_handoff(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                           int64_t user_id)
{
    AskRecord q = { .asked = "家里老人行动不便，想申请上门助浴服务，找谁办？",
                    .answered = false,
                    .score = 0.0,
                    .user_id = user_id,
                    .community = community };
    Handoff h = { .user_id = user_id, .name = "李阿姨", .note = "工作日下午在家" };
    Error *err;

    err = assistant_store_question_insert(st, a, &q, &h.question_id);
    if (err)
        return err;
    h.phone_enc = crypto_seal(k, a, "13812345678", &h.phone_len);
    return assistant_store_handoff(st, a, &h);
}

static Error *demo_import(Store *st, Arena *a, const char *community, int64_t now)
{
    json_t *report = json_pack(
        "{s:I, s:I, s:[{s:i, s:s, s:s, s:s}, {s:i, s:s, s:s, s:s}]}", "total_rows",
        (json_int_t)48, "imported", (json_int_t)46, "rejected",
        "line", 17, "field", "id_number", "code", "invalid_id_number", "message",
        "身份证号校验位不正确，请核对后重新填写", "line", 31, "field", "phone", "code",
        "invalid_phone", "message", "手机号应为11位数字");
    int64_t id;
    Error *err;

    err = workqueue_store_import_insert(st, a, community, "3号楼住户信息.xlsx", 0, "社区工作者",
                                        report, now - 20 * 3600 * 1000, &id);
    json_decref(report);
    return err;
}

Error *workqueue_demo(Store *st, Arena *a, const CryptoKeys *k, const char *community)
{
    const char *role = NULL, *scope = NULL, *name = NULL;
    int64_t now = time_now_ms(), resident = 0;
    Error *err;

    err = booking_store_user_by_name(st, a, "resident", &resident, &role, &scope, &name);
    if (err)
        return err;
    if (resident) {
        err = demo_booking(st, a, community, resident, now);
        if (!err)
            err = demo_handoff(st, a, k, community, resident);
        if (err)
            return err;
    }
    return demo_import(st, a, community, now);
}
