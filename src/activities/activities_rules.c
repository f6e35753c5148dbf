/*
 * Activities' pure rules: kinds, audience ages, the sign-up window, a
 * session's QR window and the no-show suspension. No I/O; unit-tested in
 * tests/unit/activities/test_activities_rules.c.
 */
#include <string.h>

#include "activities/activities.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

static const char *const kind_names[_ACTIVITY_KIND_MAX] = {
    [ACTIVITY_VOLUNTEER] = "volunteer", [ACTIVITY_COURSE] = "course", [ACTIVITY_MARKET] = "market",
    [ACTIVITY_SPORTS] = "sports",       [ACTIVITY_CIVIC] = "civic",
};

static const char *const kind_labels[_ACTIVITY_KIND_MAX] = {
    [ACTIVITY_VOLUNTEER] = "志愿服务", [ACTIVITY_COURSE] = "公益课程",
    [ACTIVITY_MARKET] = "便民集市",    [ACTIVITY_SPORTS] = "文体活动",
    [ACTIVITY_CIVIC] = "议事/宣传",
};

const char *activities_kind_name(ActivityKind k)
{
    return (unsigned)k < _ACTIVITY_KIND_MAX ? kind_names[k] : "";
}

const char *activities_kind_label(ActivityKind k)
{
    return (unsigned)k < _ACTIVITY_KIND_MAX ? kind_labels[k] : "";
}

bool activities_kind_parse(const char *s, ActivityKind *ret)
{
    for (int k = 0; s && k < _ACTIVITY_KIND_MAX; k++)
        if (strcmp(s, kind_names[k]) == 0) {
            *ret = (ActivityKind)k;
            return true;
        }
    return false;
}

int activities_age_at(const char *birth, int64_t at_ms)
{
    int y, m, d;
    int64_t day;
    int minute;
    char today[11];

    if (!birth || !date_parse(birth, &y, &m, &d))
        return -1;
    time_local(at_ms, ACTIVITIES_UTC_OFFSET_MIN, &day, &minute);
    time_format_date(today, day);
    return age_on(birth, today);
}

int activities_age_fit(int age, int age_min, int age_max)
{
    if (age_min >= 0 && age < age_min)
        return -1;
    if (age_max >= 0 && age > age_max)
        return 1;
    return 0;
}

ActivitiesWindow activities_signup_window(int64_t opens, int64_t closes, int64_t now_ms)
{
    if (opens > 0 && now_ms < opens)
        return WINDOW_NOT_YET;
    if (now_ms >= closes)
        return WINDOW_CLOSED;
    return WINDOW_OPEN;
}

bool activities_token_live(int64_t start, int64_t end, int64_t now_ms)
{
    const int64_t margin = ACTIVITIES_TOKEN_MARGIN_MIN * 60LL * 1000;

    return now_ms >= start - margin && now_ms <= end + margin;
}

int64_t activities_suspended_until(const ActivitiesPolicy *p, const int64_t *ends, size_t n,
                                   int64_t now_ms)
{
    const int64_t window = p->window_days * DAY_MS, suspend = p->suspend_days * DAY_MS;
    size_t limit = p->no_show_limit > 0 ? (size_t)p->no_show_limit : 1;

    for (size_t i = n; i-- > 0;) {
        if (i + 1 < limit)
            break;
        if (ends[i] > now_ms || ends[i] + suspend <= now_ms)
            continue;
        if (ends[i] - ends[i + 1 - limit] < window)
            return ends[i] + suspend;
    }
    return 0;
}
