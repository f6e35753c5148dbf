/*
 * The case workflow as a table, and the working-day calendar, as pure
 * functions: nothing here does I/O, so the unit tests cover it directly.
 * The table is what the store's conditional UPDATE is built from; it is
 * also what the API reports as a case's next possible steps.
 */
#include <math.h>
#include <string.h>

#include "cases/cases.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char *const state_names[_CASE_STATE_MAX] = {
    [CASE_ACCEPTED] = "accepted", [CASE_DISPATCHED] = "dispatched", [CASE_HANDLING] = "handling",
    [CASE_VERIFIED] = "verified", [CASE_CLOSED] = "closed",         [CASE_RETURNED] = "returned",
    [CASE_ON_HOLD] = "on_hold",   [CASE_REOPENED] = "reopened",
};

static const char *const state_labels[_CASE_STATE_MAX] = {
    [CASE_ACCEPTED] = "已受理", [CASE_DISPATCHED] = "已派遣", [CASE_HANDLING] = "处置中",
    [CASE_VERIFIED] = "已核查", [CASE_CLOSED] = "已结案",     [CASE_RETURNED] = "已退单",
    [CASE_ON_HOLD] = "已挂起",  [CASE_REOPENED] = "已重启",
};

#define B(s) CASE_STATE_BIT(CASE_##s)

static const CaseTransition transitions[_CASE_ACTION_MAX] = {
    [CASE_DISPATCH] = { CASE_DISPATCH, "dispatch", "派遣",
                        B(ACCEPTED) | B(DISPATCHED) | B(RETURNED) | B(REOPENED), CASE_DISPATCHED,
                        ACTOR_MANAGER },
    [CASE_HANDLE] = { CASE_HANDLE, "handle", "处置", B(DISPATCHED), CASE_HANDLING,
                      ACTOR_UNIT | ACTOR_MANAGER },
    [CASE_VERIFY] = { CASE_VERIFY, "verify", "核查", B(HANDLING), CASE_VERIFIED,
                      ACTOR_GRID | ACTOR_MANAGER },
    [CASE_CLOSE] = { CASE_CLOSE, "close", "结案", B(VERIFIED), CASE_CLOSED, ACTOR_MANAGER },
    [CASE_RETURN] = { CASE_RETURN, "return", "退单", B(DISPATCHED) | B(HANDLING) | B(VERIFIED),
                      CASE_RETURNED, ACTOR_UNIT | ACTOR_MANAGER },
    [CASE_HOLD] = { CASE_HOLD, "hold", "挂起",
                    B(ACCEPTED) | B(DISPATCHED) | B(HANDLING) | B(RETURNED) | B(REOPENED),
                    CASE_ON_HOLD, ACTOR_MANAGER },
    [CASE_RESUME] = { CASE_RESUME, "resume", "恢复", B(ON_HOLD), CASE_TO_HELD, ACTOR_MANAGER },
    [CASE_MERGE] = { CASE_MERGE, "merge", "并单",
                     B(ACCEPTED) | B(DISPATCHED) | B(HANDLING) | B(RETURNED) | B(ON_HOLD),
                     CASE_CLOSED, ACTOR_MANAGER },
    [CASE_RATE] = { CASE_RATE, "rate", "评价", B(CLOSED), CASE_TO_RATED, ACTOR_REPORTER },
    [CASE_COMPLETE] = { CASE_COMPLETE, "complete", "处置完成", B(HANDLING), CASE_HANDLING,
                        ACTOR_UNIT | ACTOR_MANAGER },
};

#undef B

const char *case_state_name(CaseState s)
{
    return (unsigned)s < _CASE_STATE_MAX ? state_names[s] : "unknown";
}

const char *case_state_label(CaseState s)
{
    return (unsigned)s < _CASE_STATE_MAX ? state_labels[s] : "未知";
}

bool case_state_parse(const char *s, CaseState *ret)
{
    for (int i = 0; s && i < _CASE_STATE_MAX; i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *ret = (CaseState)i;
            return true;
        }
    }
    return false;
}

const CaseTransition *case_transition(CaseAction a)
{
    return (unsigned)a < _CASE_ACTION_MAX ? &transitions[a] : NULL;
}

const CaseTransition *case_transition_find(const char *name)
{
    for (int i = 0; name && i < _CASE_ACTION_MAX; i++)
        if (strcmp(name, transitions[i].name) == 0)
            return &transitions[i];
    return NULL;
}

bool case_transition_allowed(const CaseTransition *t, CaseState s)
{
    return (unsigned)s < _CASE_STATE_MAX && (t->from & CASE_STATE_BIT(s)) != 0;
}

const char *case_transition_from_list(Arena *a, const CaseTransition *t)
{
    StrBuf sb;

    strbuf_init(&sb, a, 256);
    strbuf_addc(&sb, ',');
    for (int i = 0; i < _CASE_STATE_MAX; i++)
        if (t->from & CASE_STATE_BIT(i))
            strbuf_addf(&sb, "%s,", state_names[i]);
    return strbuf_finish(&sb, NULL);
}

bool case_rating_valid(const char *rating)
{
    return rating && (strcmp(rating, "satisfied") == 0 ||
                      strcmp(rating, "basically_satisfied") == 0 ||
                      strcmp(rating, "unsatisfied") == 0);
}

const char *case_rating_label(const char *rating)
{
    if (!rating)
        return NULL;
    if (strcmp(rating, "satisfied") == 0)
        return "满意";
    if (strcmp(rating, "basically_satisfied") == 0)
        return "基本满意";
    if (strcmp(rating, "unsatisfied") == 0)
        return "不满意";
    return NULL;
}

/* ---- the working-day calendar ---- */

bool calendar_is_working(const Calendar *c, int64_t day)
{
    size_t lo = 0, hi = c ? c->n : 0;

    while (lo < hi) {                /* the exceptions are sorted: binary search */
        size_t mid = lo + (hi - lo) / 2;

        if (c->days[mid] == day)
            return c->working[mid];
        if (c->days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return time_weekday(day) <= 5;
}

int64_t calendar_add_work_ms(const Calendar *c, int64_t from_ms, int64_t ms)
{
    const int64_t open = CASES_DAY_START_MIN * TIME_MINUTE_MS, close = CASES_DAY_END_MIN * TIME_MINUTE_MS;
    int64_t day, start, pos, left = ms;
    int minute;

    if (ms <= 0)
        return from_ms;
    time_local(from_ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    start = time_day_start_ms(day, TIME_OFFSET_SHANGHAI);
    pos = from_ms - start < open ? open : from_ms - start;
    /* a calendar with no working day at all would loop: give up after ten years */
    for (int guard = 0; guard < 3660; guard++) {
        if (calendar_is_working(c, day) && pos < close) {
            if (left <= close - pos)
                return start + pos + left;
            left -= close - pos;
        }
        day++;
        start = time_day_start_ms(day, TIME_OFFSET_SHANGHAI);
        pos = open;
    }
    return start + close;
}

int64_t calendar_add_work_hours(const Calendar *c, int64_t from_ms, int hours)
{
    /* whole minutes: the seconds of the start do not count */
    int64_t from = from_ms - ((from_ms % TIME_MINUTE_MS) + TIME_MINUTE_MS) % TIME_MINUTE_MS;

    return calendar_add_work_ms(c, from, (int64_t)hours * 60 * TIME_MINUTE_MS);
}

int64_t calendar_work_ms(const Calendar *c, int64_t from_ms, int64_t to_ms)
{
    const int64_t open = CASES_DAY_START_MIN * TIME_MINUTE_MS, close = CASES_DAY_END_MIN * TIME_MINUTE_MS;
    int64_t day, last, total = 0;
    int minute;

    if (to_ms <= from_ms)
        return 0;
    time_local(from_ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    time_local(to_ms, TIME_OFFSET_SHANGHAI, &last, &minute);
    for (; day <= last; day++) {
        int64_t start = time_day_start_ms(day, TIME_OFFSET_SHANGHAI);
        int64_t lo = start + open > from_ms ? start + open : from_ms;
        int64_t hi = start + close < to_ms ? start + close : to_ms;

        if (hi > lo && calendar_is_working(c, day))
            total += hi - lo;
    }
    return total;
}

int64_t calendar_add_work_days(const Calendar *c, int64_t from_ms, int days)
{
    int64_t day;
    int minute, counted = 0;

    time_local(from_ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    for (int guard = 0; counted < days && guard < 3660; guard++) {
        day++;
        if (calendar_is_working(c, day))
            counted++;
    }
    return time_day_start_ms(day, TIME_OFFSET_SHANGHAI) + CASES_DAY_END_MIN * TIME_MINUTE_MS;
}

int case_month(int64_t ms)
{
    int64_t day;
    int minute, y, m, d;

    time_local(ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    civil_from_days(day, &y, &m, &d);
    return y * 100 + m;
}

bool case_point_inside(const CaseSettings *s, double lat, double lon)
{
    return s->has_area && lat >= s->min_lat && lat <= s->max_lat && lon >= s->min_lon &&
           lon <= s->max_lon;
}

double case_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);

    return 2 * 6371008.8 * asin(sqrt(h < 1 ? h : 1));
}
