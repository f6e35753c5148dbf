/*
 * A room's rules as pure functions of times: what a booking must satisfy
 * before it reaches the database, the check-in window, and the availability
 * grid. Everything here is in the room's local time (utc_offset_minutes);
 * nothing here does I/O, so the unit tests cover it directly.
 */
#include <stdio.h>
#include <string.h>

#include "booking/booking.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char *const state_names[_BOOKING_STATE_MAX] = {
    [BOOKING_PENDING] = "pending",       [BOOKING_CONFIRMED] = "confirmed",
    [BOOKING_CHECKED_IN] = "checked_in", [BOOKING_CANCELLED] = "cancelled",
    [BOOKING_RELEASED] = "released",     [BOOKING_REJECTED] = "rejected",
};

static const char *const weekday_names[7] = { "周一", "周二", "周三", "周四", "周五", "周六", "周日" };

const char *booking_state_name(BookingState s)
{
    return s < _BOOKING_STATE_MAX ? state_names[s] : "unknown";
}

bool booking_state_parse(const char *s, BookingState *ret)
{
    for (int i = 0; i < _BOOKING_STATE_MAX; i++) {
        if (s && strcmp(s, state_names[i]) == 0) {
            *ret = (BookingState)i;
            return true;
        }
    }
    return false;
}

bool booking_state_active(BookingState s)
{
    return s == BOOKING_PENDING || s == BOOKING_CONFIRMED || s == BOOKING_CHECKED_IN;
}

void booking_rules_default(RoomRules *r)
{
    memset(r, 0, sizeof(*r));
    r->open_24h = true;
    r->slot_minutes = 30;
    r->min_minutes = 30;
    r->max_minutes = 240;
    r->horizon_days = 14;
    r->weekly_quota = 0;
    r->needs_approval = false;
    r->checkin_before_minutes = 15;
    r->checkin_after_minutes = 15;
    r->utc_offset_minutes = TIME_OFFSET_SHANGHAI;
}

/* "30分钟", "1小时", "1小时30分钟", in @a. */
static const char *minutes_text(Arena *a, int minutes)
{
    if (minutes < 60)
        return arena_sprintf(a, "%d分钟", minutes);
    if (minutes % 60 == 0)
        return arena_sprintf(a, "%d小时", minutes / 60);
    return arena_sprintf(a, "%d小时%d分钟", minutes / 60, minutes % 60);
}

const char *booking_time_text(Arena *a, int64_t ms, int offset_min)
{
    int64_t day;
    int minute, y, m, d;

    time_local(ms, offset_min, &day, &minute);
    civil_from_days(day, &y, &m, &d);
    return arena_sprintf(a, "%d月%d日 %02d:%02d", m, d, minute / 60, minute % 60);
}

static const char *clock_text(Arena *a, int minute)
{
    return arena_sprintf(a, "%02d:%02d", minute / 60, minute % 60);
}

Error *booking_rules_validate(Arena *a, const RoomRules *r)
{
    int s = r->slot_minutes;

    if (s < BOOKING_UNIT_MIN || s > 240 || s % BOOKING_UNIT_MIN != 0 || 1440 % s != 0)
        return error_invalid(a, "rules.slot_minutes", "invalid_slot",
                             "时段长度应为5的倍数且能整除一天，如15、30、60分钟");
    if (r->min_minutes < s || r->min_minutes % s != 0)
        return error_invalid(a, "rules.min_minutes", "invalid_min_minutes",
                             arena_sprintf(a, "最短预约时长应为时段长度（%d分钟）的整数倍", s));
    if (r->max_minutes < r->min_minutes || r->max_minutes > 1440 || r->max_minutes % s != 0)
        return error_invalid(a, "rules.max_minutes", "invalid_max_minutes",
                             arena_sprintf(a, "最长预约时长应在最短时长到24小时之间，且为%d分钟的整数倍", s));
    if (r->horizon_days < 1 || r->horizon_days > 365)
        return error_invalid(a, "rules.horizon_days", "out_of_range", "可提前预约的天数应在1到365之间");
    if (r->weekly_quota < 0 || r->weekly_quota > 100)
        return error_invalid(a, "rules.weekly_quota", "out_of_range", "每周预约次数上限应在0到100之间（0为不限）");
    if (r->checkin_before_minutes < 0 || r->checkin_before_minutes > 240)
        return error_invalid(a, "rules.checkin_before_minutes", "out_of_range", "提前签到时间应在0到240分钟之间");
    if (r->checkin_after_minutes < 1 || r->checkin_after_minutes > 240)
        return error_invalid(a, "rules.checkin_after_minutes", "out_of_range", "签到截止时间应在开始后1到240分钟之间");
    if (r->utc_offset_minutes < -720 || r->utc_offset_minutes > 840 ||
        r->utc_offset_minutes % BOOKING_UNIT_MIN != 0)
        return error_invalid(a, "rules.utc_offset_minutes", "out_of_range",
                             "时区偏移应在 -720 到 840 分钟之间，且为5的倍数（北京时间为480）");
    if (!r->open_24h) {
        int days = 0;

        for (int d = 0; d < 7; d++) {
            for (int i = 0; i < r->n_hours[d]; i++) {
                const OpenInterval *iv = &r->hours[d][i];

                if (iv->open_min < 0 || iv->close_min > 1440 || iv->open_min >= iv->close_min ||
                    (i > 0 && iv->open_min < r->hours[d][i - 1].close_min))
                    return error_invalid(a, "rules.opening_hours", "invalid_hours",
                                         arena_sprintf(a, "%s的开放时间段有重叠或顺序不对", weekday_names[d]));
            }
            days += r->n_hours[d] > 0;
        }
        if (days == 0)
            return error_invalid(a, "rules.opening_hours", "invalid_hours",
                                 "不是24小时开放时，请至少设置一天的开放时间");
    }
    return NULL;
}

/* The interval of weekday @wd (1..7) holding local minute @m, or NULL. */
static const OpenInterval *interval_at(const RoomRules *r, int wd, int m)
{
    for (int i = 0; i < r->n_hours[wd - 1]; i++) {
        const OpenInterval *iv = &r->hours[wd - 1][i];

        if (iv->open_min <= m && m < iv->close_min)
            return iv;
    }
    return NULL;
}

bool booking_rules_open(const RoomRules *r, int64_t start_ms, int minutes)
{
    int64_t t = start_ms, end = start_ms + (int64_t)minutes * TIME_MINUTE_MS;

    if (r->open_24h)
        return true;
    while (t < end) {
        const OpenInterval *iv;
        int64_t day, close_ms;
        int m;

        time_local(t, r->utc_offset_minutes, &day, &m);
        iv = interval_at(r, time_weekday(day), m);
        if (!iv)
            return false;
        /* an interval closing at 24:00 continues into the next day's 00:00 interval */
        close_ms = time_day_start_ms(day, r->utc_offset_minutes) +
                   (int64_t)iv->close_min * TIME_MINUTE_MS;
        t = close_ms;
    }
    return true;
}

bool booking_rules_too_late(const RoomRules *r, int64_t start_ms, int64_t end_ms, int64_t now_ms)
{
    int64_t last = start_ms + (int64_t)r->checkin_after_minutes * TIME_MINUTE_MS;

    return now_ms >= (last < end_ms ? last : end_ms);
}

void booking_rules_checkin_window(const RoomRules *r, int64_t start_ms, int64_t end_ms,
                                  int64_t now_ms, int64_t *ret_from, int64_t *ret_until)
{
    int64_t after = (int64_t)r->checkin_after_minutes * TIME_MINUTE_MS;
    int64_t until = start_ms + after;

    if (now_ms + after > until)
        until = now_ms + after; /* made late (a waitlist promotion): a full window from now */
    *ret_from = start_ms - (int64_t)r->checkin_before_minutes * TIME_MINUTE_MS;
    *ret_until = until < end_ms ? until : end_ms;
}

void booking_rules_week(const RoomRules *r, int64_t ms, int64_t *ret_from, int64_t *ret_to)
{
    int64_t day;
    int m;

    time_local(ms, r->utc_offset_minutes, &day, &m);
    day -= time_weekday(day) - 1;
    *ret_from = time_day_start_ms(day, r->utc_offset_minutes);
    *ret_to = *ret_from + 7 * TIME_DAY_MS;
}

static const char *hours_of_day(Arena *a, const RoomRules *r, int wd)
{
    const char *s = "";

    for (int i = 0; i < r->n_hours[wd - 1]; i++)
        s = arena_sprintf(a, "%s%s%s", s, i ? "、" : "",
                          booking_format_interval(a, &r->hours[wd - 1][i]));
    return s;
}

Error *booking_rules_check(Arena *a, const RoomRules *r, int64_t start_ms, int64_t end_ms,
                           int64_t now_ms)
{
    int64_t minutes = (end_ms - start_ms) / TIME_MINUTE_MS;
    int64_t day, end_day, today;
    int m, m_end;
    bool start_ok, end_ok;

    if (end_ms <= start_ms)
        return error_invalid(a, "end", "invalid_range", "结束时间应晚于开始时间");
    time_local(start_ms, r->utc_offset_minutes, &day, &m);
    time_local(end_ms, r->utc_offset_minutes, &end_day, &m_end);
    start_ok = start_ms % TIME_MINUTE_MS == 0 && m % r->slot_minutes == 0;
    end_ok = end_ms % TIME_MINUTE_MS == 0 && m_end % r->slot_minutes == 0;
    if (!start_ok || !end_ok)
        return error_invalid(a, start_ok ? "end" : "start", "off_grid",
                             arena_sprintf(a, "该活动室按%s一个时段预约，开始和结束时间应落在时段分界上（如 14:00、%s）",
                                           minutes_text(a, r->slot_minutes),
                                           clock_text(a, 14 * 60 + r->slot_minutes)));
    if (minutes < r->min_minutes)
        return error_invalid(a, "end", "too_short",
                             arena_sprintf(a, "每次预约至少%s", minutes_text(a, r->min_minutes)));
    if (minutes > r->max_minutes)
        return error_invalid(a, "end", "too_long",
                             arena_sprintf(a, "每次预约最多%s", minutes_text(a, r->max_minutes)));
    if (booking_rules_too_late(r, start_ms, end_ms, now_ms))
        return error_invalid(a, "start", "in_past", "该时段已经开始或已过去，请选择之后的时段");
    time_local(now_ms, r->utc_offset_minutes, &today, &m);
    if (start_ms >= time_day_start_ms(today + r->horizon_days + 1, r->utc_offset_minutes))
        return error_invalid(a, "start", "beyond_horizon",
                             arena_sprintf(a, "最多可提前%d天预约，请选择更近的日期", r->horizon_days));
    if (!booking_rules_open(r, start_ms, (int)minutes)) {
        int wd = time_weekday(day);

        if (r->n_hours[wd - 1] == 0)
            return error_invalid(a, "start", "outside_hours",
                                 arena_sprintf(a, "该活动室%s不开放，请选择其他日期", weekday_names[wd - 1]));
        return error_invalid(a, "start", "outside_hours",
                             arena_sprintf(a, "该时段不在开放时间内，%s的开放时间为 %s", weekday_names[wd - 1],
                                           hours_of_day(a, r, wd)));
    }
    return NULL;
}

static bool two_digits(const char *s, int *ret)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *ret = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

static bool parse_clock(const char *s, int *ret)
{
    int h, m;

    if (!two_digits(s, &h) || s[2] != ':' || !two_digits(s + 3, &m) || m > 59 || h > 24 ||
        (h == 24 && m != 0))
        return false;
    *ret = h * 60 + m;
    return true;
}

bool booking_parse_interval(const char *s, OpenInterval *ret)
{
    int open, close;

    if (!s || strlen(s) != 11 || s[5] != '-' || !parse_clock(s, &open) ||
        !parse_clock(s + 6, &close) || open >= close || open >= 1440)
        return false;
    ret->open_min = open;
    ret->close_min = close;
    return true;
}

char *booking_format_interval(Arena *a, const OpenInterval *iv)
{
    return arena_sprintf(a, "%02d:%02d-%02d:%02d", iv->open_min / 60, iv->open_min % 60,
                         iv->close_min / 60, iv->close_min % 60);
}

static int mark_rank(char c)
{
    switch (c) {
    case GRID_MINE:
        return 4;
    case GRID_TAKEN:
        return 3;
    case GRID_PENDING:
        return 2;
    case GRID_BLACKOUT:
        return 1;
    default:
        return 0;
    }
}

void booking_grid_day(const RoomRules *r, int64_t day, int64_t now_ms, const GridBusy *busy,
                      size_t n_busy, char *out)
{
    int off = r->utc_offset_minutes;
    int64_t slot_ms = (int64_t)r->slot_minutes * TIME_MINUTE_MS;
    int64_t day_start = time_day_start_ms(day, off);
    int n = 1440 / r->slot_minutes;
    int64_t today, horizon_end;
    int m;

    time_local(now_ms, off, &today, &m);
    horizon_end = time_day_start_ms(today + r->horizon_days + 1, off);
    memset(out, 0, (size_t)n + 1);
    for (size_t i = 0; i < n_busy; i++) {
        int64_t s = busy[i].start_ms - day_start, e = busy[i].end_ms - day_start;
        int first, last;

        if (e <= 0 || s >= (int64_t)n * slot_ms)
            continue;
        first = s <= 0 ? 0 : (int)(s / slot_ms);
        last = e >= (int64_t)n * slot_ms ? n : (int)((e + slot_ms - 1) / slot_ms);
        for (int k = first; k < last; k++)
            if (mark_rank(busy[i].mark) > mark_rank(out[k]))
                out[k] = busy[i].mark;
    }
    for (int k = 0; k < n; k++) {
        int64_t s = day_start + k * slot_ms;

        if (out[k] && out[k] != GRID_BLACKOUT)
            continue; /* a booking shows even outside today's hours */
        if (!booking_rules_open(r, s, r->slot_minutes))
            out[k] = GRID_CLOSED; /* closed anyway: a blackout changes nothing */
        else if (out[k])
            continue;
        else if (booking_rules_too_late(r, s, s + slot_ms, now_ms))
            out[k] = GRID_PAST;
        else if (s >= horizon_end)
            out[k] = GRID_HORIZON;
        else
            out[k] = GRID_FREE;
    }
    out[n] = '\0';
}
