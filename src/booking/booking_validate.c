/*
 * Request JSON -> rooms, rules, bookings, blackouts and policies, or a 4xx
 * naming the field ("rules.slot_minutes" for a field inside "rules").
 * Unknown fields are rejected by name.
 */
#include <string.h>

#include "booking/booking.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "core/banned.h"

static const char *const room_fields[] = { "community", "name", "type", "capacity", "facilities",
                                           "building_id", "location", "photo", "rules",
                                           "lock_webhook", NULL };
static const char *const rule_fields[] = { "open_24h", "opening_hours", "slot_minutes",
                                           "min_minutes", "max_minutes", "horizon_days",
                                           "weekly_quota", "needs_approval",
                                           "checkin_before_minutes", "checkin_after_minutes",
                                           "utc_offset_minutes", NULL };
static const char *const weekday_keys[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const booking_fields[] = { "room_id", "start", "end", "purpose",
                                              "for_username", "team", NULL };
static const char *const blackout_fields[] = { "start", "end", "reason", "cancel_bookings", NULL };
static const char *const policy_fields[] = { "no_show_limit", "window_days", "suspend_days", NULL };

static Error *field_bool(Request *req, json_t *obj, const char *name, const char *field,
                         bool *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, name);

    *ret_present = false;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_boolean(v))
        return error_invalid(req->arena, field, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为 true 或 false", field));
    *ret = json_is_true(v);
    *ret_present = true;
    return NULL;
}

/* An integer rule; the error names "rules.<name>". */
static Error *rule_int(Request *req, json_t *rules, const char *name, int64_t min, int64_t max,
                       int *ret, unsigned *set)
{
    int64_t v = 0;
    bool present = false;
    Error *err = request_field_int(req, rules, name, false, min, max, &v, &present);

    if (err) {
        err->field = arena_sprintf(req->arena, "rules.%s", name);
        return err;
    }
    if (present) {
        *ret = (int)v;
        *set |= ROOM_RULES;
    }
    return NULL;
}

static Error *parse_hours(Request *req, json_t *obj, RoomRules *r)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        return error_invalid(req->arena, "rules.opening_hours", "invalid_type",
                             "开放时间应为对象，如 {\"mon\": [\"08:00-12:00\", \"13:30-21:00\"]}");
    json_object_foreach(obj, key, v) {
        bool known = false;

        for (int d = 0; d < 7; d++)
            known |= strcmp(key, weekday_keys[d]) == 0;
        if (!known)
            return error_invalid(req->arena, arena_sprintf(req->arena, "rules.opening_hours.%s", key),
                                 "unknown_field", "开放时间的键应为 mon、tue、wed、thu、fri、sat、sun");
    }
    for (int d = 0; d < 7; d++) {
        const char *field = arena_sprintf(req->arena, "rules.opening_hours.%s", weekday_keys[d]);
        json_t *day = json_object_get(obj, weekday_keys[d]);
        size_t i;

        r->n_hours[d] = 0;
        if (!day || json_is_null(day))
            continue;
        if (!json_is_array(day) || json_array_size(day) > BOOKING_MAX_INTERVALS)
            return error_invalid(req->arena, field, "invalid_hours",
                                 "每天的开放时间应为最多4段的数组，如 [\"08:00-12:00\", \"13:30-21:00\"]");
        json_array_foreach(day, i, v) {
            OpenInterval iv;

            if (!json_is_string(v) || !booking_parse_interval(json_string_value(v), &iv))
                return error_invalid(req->arena, field, "invalid_hours",
                                     "开放时间段应写成 \"08:00-12:00\"，结束晚于开始，最晚 24:00");
            r->hours[d][r->n_hours[d]++] = iv;
        }
        /* sort by opening time; booking_rules_validate rejects overlaps */
        for (int k = 1; k < r->n_hours[d]; k++)
            for (int j = k; j > 0 && r->hours[d][j].open_min < r->hours[d][j - 1].open_min; j--) {
                OpenInterval t = r->hours[d][j];

                r->hours[d][j] = r->hours[d][j - 1];
                r->hours[d][j - 1] = t;
            }
    }
    return NULL;
}

static Error *parse_rules(Request *req, json_t *rules, RoomRules *r, unsigned *set)
{
    const char *key;
    json_t *v, *hours;
    bool b, present;
    Error *err;

    if (!json_is_object(rules))
        return error_invalid(req->arena, "rules", "invalid_type", "字段“rules”应为对象");
    json_object_foreach(rules, key, v) {
        bool known = false;

        for (const char *const *f = rule_fields; *f; f++)
            known |= strcmp(*f, key) == 0;
        if (!known)
            return error_invalid(req->arena, arena_sprintf(req->arena, "rules.%s", key), "unknown_field",
                                 arena_sprintf(req->arena, "不认识的规则“%s”，请检查字段名", key));
    }
    hours = json_object_get(rules, "opening_hours");
    if (hours && !json_is_null(hours)) {
        err = parse_hours(req, hours, r);
        if (err)
            return err;
        r->open_24h = false;
        *set |= ROOM_RULES | ROOM_HOURS;
    }
    err = field_bool(req, rules, "open_24h", "rules.open_24h", &b, &present);
    if (err)
        return err;
    if (present) {
        r->open_24h = b;
        *set |= ROOM_RULES | ROOM_HOURS;
    }
    err = field_bool(req, rules, "needs_approval", "rules.needs_approval", &b, &present);
    if (err)
        return err;
    if (present) {
        r->needs_approval = b;
        *set |= ROOM_RULES;
    }
    err = rule_int(req, rules, "slot_minutes", 5, 240, &r->slot_minutes, set);
    if (!err)
        err = rule_int(req, rules, "min_minutes", 5, 1440, &r->min_minutes, set);
    if (!err)
        err = rule_int(req, rules, "max_minutes", 5, 1440, &r->max_minutes, set);
    if (!err)
        err = rule_int(req, rules, "horizon_days", 1, 365, &r->horizon_days, set);
    if (!err)
        err = rule_int(req, rules, "weekly_quota", 0, 100, &r->weekly_quota, set);
    if (!err)
        err = rule_int(req, rules, "checkin_before_minutes", 0, 240, &r->checkin_before_minutes, set);
    if (!err)
        err = rule_int(req, rules, "checkin_after_minutes", 1, 240, &r->checkin_after_minutes, set);
    if (!err)
        err = rule_int(req, rules, "utc_offset_minutes", -720, 840, &r->utc_offset_minutes, set);
    return err;
}

static Error *parse_facilities(Request *req, json_t *v, Room *room)
{
    size_t i;
    json_t *f;

    room->n_facilities = 0;
    if (json_is_null(v))
        return NULL;
    if (!json_is_array(v) || json_array_size(v) > BOOKING_MAX_FACILITIES)
        return error_invalid(req->arena, "facilities", "invalid_type", "设施应为最多20项的文字数组，如 [\"投影仪\", \"茶水\"]");
    json_array_foreach(v, i, f) {
        const char *field = arena_sprintf(req->arena, "facilities[%zu]", i);
        const char *s;
        size_t n;

        if (!json_is_string(f) || !request_text_ok(json_string_value(f)))
            return error_invalid(req->arena, field, "invalid_text", "设施名称应为文字");
        s = text_trim(req->arena, json_string_value(f));
        n = utf8_length(s);
        if (n < 1 || n > 20)
            return error_invalid(req->arena, field, "invalid_text", "设施名称应为1到20个字");
        room->facilities[room->n_facilities++] = s;
    }
    return NULL;
}

static bool photo_ok(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0 ||
           (s[0] == '/' && s[1] != '/');
}

Error *booking_parse_room(Request *req, json_t *body, bool partial, Room *room, unsigned *ret_set)
{
    unsigned set = 0;
    const char *s = NULL;
    json_t *v;
    bool present;
    Error *err;

    err = request_reject_unknown(req, body, room_fields);
    if (err)
        return err;
    if (partial && json_object_get(body, "community"))
        return error_invalid(req->arena, "community", "immutable", "活动室所属社区不能修改，请新建活动室");
    if (!partial) {
        err = request_field_string(req, body, "community", true, 1, 12, &s);
        if (err)
            return err;
        err = validate_division_code(req->arena, "community", s, &s);
        if (err)
            return err;
        if (strlen(s) != 12)
            return error_invalid(req->arena, "community", "invalid_code", "社区代码应为12位数字");
        room->community = s;
        set |= ROOM_COMMUNITY;
    }
    err = request_field_string(req, body, "name", !partial, 1, 30, &s);
    if (err)
        return err;
    if (s) {
        room->name = s;
        set |= ROOM_NAME;
    }
    if (json_object_get(body, "type")) {
        err = request_field_string(req, body, "type", false, 0, 20, &s);
        if (err)
            return err;
        room->type = s ? s : "";
        set |= ROOM_TYPE;
    }
    err = request_field_int(req, body, "capacity", !partial, 1, 1000, &room->capacity, &present);
    if (err)
        return err;
    set |= present ? ROOM_CAPACITY : 0;
    v = json_object_get(body, "facilities");
    if (v) {
        err = parse_facilities(req, v, room);
        if (err)
            return err;
        set |= ROOM_FACILITIES;
    }
    v = json_object_get(body, "building_id");
    if (v) {
        room->building_id = 0;
        err = request_field_int(req, body, "building_id", false, 1, INT64_MAX, &room->building_id,
                                NULL);
        if (err)
            return err;
        set |= ROOM_BUILDING;
    }
    if (json_object_get(body, "location")) {
        err = request_field_string(req, body, "location", false, 1, 50, &room->location);
        if (err)
            return err;
        set |= ROOM_LOCATION;
    }
    if (json_object_get(body, "photo")) {
        err = request_field_string(req, body, "photo", false, 1, 500, &room->photo);
        if (err)
            return err;
        if (room->photo && !photo_ok(room->photo))
            return error_invalid(req->arena, "photo", "invalid_url", "照片地址应以 https:// 或 / 开头");
        set |= ROOM_PHOTO;
    }
    if (json_object_get(body, "lock_webhook")) {
        err = request_field_string(req, body, "lock_webhook", false, 1, 500, &room->lock_webhook);
        if (err)
            return err;
        if (room->lock_webhook && strncmp(room->lock_webhook, "https://", 8) != 0 &&
            strncmp(room->lock_webhook, "http://", 7) != 0)
            return error_invalid(req->arena, "lock_webhook", "invalid_url", "门锁通知地址应以 http:// 或 https:// 开头");
        set |= ROOM_LOCK;
    }
    v = json_object_get(body, "rules");
    if (v && !json_is_null(v)) {
        err = parse_rules(req, v, &room->rules, &set);
        if (err)
            return err;
    }
    if (partial && set == 0)
        return error_invalid(req->arena, NULL, "empty_patch", "请至少修改一个字段");
    err = booking_rules_validate(req->arena, &room->rules);
    if (err)
        return err;
    *ret_set = set;
    return NULL;
}

Error *booking_field_time(Request *req, json_t *body, const char *name, int64_t *ret)
{
    json_t *v = json_object_get(body, name);

    if (!v || json_is_null(v))
        return error_invalid(req->arena, name, "missing_field",
                             arena_sprintf(req->arena, "缺少必填字段“%s”", name));
    if (!json_is_string(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为 RFC 3339 时间文本", name));
    if (!time_parse_rfc3339(json_string_value(v), ret, NULL))
        return error_invalid(req->arena, name, "invalid_time",
                             "时间应为带时区的 RFC 3339 格式，如 2026-11-24T14:00:00+08:00");
    return NULL;
}

Error *booking_parse_booking(Request *req, json_t *body, BookingInput *ret)
{
    BookingInput in = { 0 };
    Error *err;

    err = request_reject_unknown(req, body, booking_fields);
    if (err)
        return err;
    err = request_field_int(req, body, "room_id", true, 1, INT64_MAX, &in.room_id, NULL);
    if (err)
        return err;
    err = booking_field_time(req, body, "start", &in.start_ms);
    if (err)
        return err;
    err = booking_field_time(req, body, "end", &in.end_ms);
    if (err)
        return err;
    err = request_field_string(req, body, "purpose", false, 0, 50, &in.purpose);
    if (err)
        return err;
    err = request_field_string(req, body, "for_username", false, 1, 64, &in.for_username);
    if (err)
        return err;
    err = request_field_string(req, body, "team", false, 1, 30, &in.team);
    if (err)
        return err;
    if (in.for_username && in.team)
        return error_invalid(req->arena, "team", "conflicting_fields", "代居民预约与代团队预约只能选一种");
    if (in.end_ms <= in.start_ms)
        return error_invalid(req->arena, "end", "invalid_range", "结束时间应晚于开始时间");
    if (in.end_ms - in.start_ms > TIME_DAY_MS)
        return error_invalid(req->arena, "end", "too_long", "一次预约不能超过24小时");
    *ret = in;
    return NULL;
}

Error *booking_parse_blackout(Request *req, json_t *body, Blackout *ret, bool *ret_cancel)
{
    Blackout b = { 0 };
    bool cancel = false, present;
    Error *err;

    err = request_reject_unknown(req, body, blackout_fields);
    if (err)
        return err;
    err = booking_field_time(req, body, "start", &b.start_ms);
    if (err)
        return err;
    err = booking_field_time(req, body, "end", &b.end_ms);
    if (err)
        return err;
    if (b.end_ms <= b.start_ms)
        return error_invalid(req->arena, "end", "invalid_range", "结束时间应晚于开始时间");
    if (b.end_ms - b.start_ms > 366 * TIME_DAY_MS)
        return error_invalid(req->arena, "end", "too_long", "暂停开放时段不能超过一年，请分段设置");
    err = request_field_string(req, body, "reason", true, 1, 50, &b.reason);
    if (err)
        return err;
    err = field_bool(req, body, "cancel_bookings", "cancel_bookings", &cancel, &present);
    if (err)
        return err;
    *ret = b;
    *ret_cancel = cancel;
    return NULL;
}

Error *booking_parse_policy(Request *req, json_t *body, BookingPolicy *inout)
{
    BookingPolicy p = *inout;
    int64_t v;
    bool present, any = false;
    Error *err;

    err = request_reject_unknown(req, body, policy_fields);
    if (err)
        return err;
    err = request_field_int(req, body, "no_show_limit", false, 1, 100, &v, &present);
    if (err)
        return err;
    if (present)
        p.no_show_limit = (int)v;
    any |= present;
    err = request_field_int(req, body, "window_days", false, 1, 365, &v, &present);
    if (err)
        return err;
    if (present)
        p.window_days = (int)v;
    any |= present;
    err = request_field_int(req, body, "suspend_days", false, 1, 365, &v, &present);
    if (err)
        return err;
    if (present)
        p.suspend_days = (int)v;
    any |= present;
    if (!any)
        return error_invalid(req->arena, NULL, "empty_patch", "请至少修改一个字段");
    *inout = p;
    return NULL;
}

static Error *query_day(Request *req, const char *name, int64_t def, int64_t *ret)
{
    const char *s = request_query(req, name);

    if (!s || !*s) {
        *ret = def;
        return NULL;
    }
    if (!time_parse_date(s, ret))
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "参数“%s”应为日期 YYYY-MM-DD", name));
    return NULL;
}

Error *booking_query_range(Request *req, int64_t def_from, int64_t def_days, int max_days,
                           int64_t *ret_from_day, int64_t *ret_to_day)
{
    int64_t from, to;
    Error *err;

    err = query_day(req, "from", def_from, &from);
    if (err)
        return err;
    err = query_day(req, "to", from + def_days - 1, &to);
    if (err)
        return err;
    if (to < from)
        return error_bad_request(req->arena, "to", "invalid_query", "结束日期不能早于开始日期");
    if (to - from + 1 > max_days)
        return error_bad_request(req->arena, "to", "invalid_query",
                                 arena_sprintf(req->arena, "一次最多查询%d天", max_days));
    *ret_from_day = from;
    *ret_to_day = to;
    return NULL;
}

Error *booking_query_days(Request *req, const RoomRules *r, int64_t *ret_from_day,
                          int64_t *ret_to_day)
{
    int64_t today;
    int m;

    time_local(time_now_ms(), r->utc_offset_minutes, &today, &m);
    return booking_query_range(req, today, 7, BOOKING_MAX_RANGE_DAYS, ret_from_day, ret_to_day);
}
