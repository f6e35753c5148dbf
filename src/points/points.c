/*
 * points.c - the rules' names and points_award, which other modules call
 * (see points.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "points/points_store.h"
#include "core/banned.h"

#define CHINA_OFFSET_MIN 480

static const char *const names[_POINTS_RULE_MAX] = {
    "volunteer_hour", "attend_volunteer", "attend_course",
    "attend_market",  "attend_sports",    "attend_civic",
};
static const char *const labels[_POINTS_RULE_MAX] = {
    "志愿服务（每小时）", "参加志愿服务活动", "参加公益课程",
    "参加便民集市",       "参加文体活动",     "参加议事/宣传活动",
};

const char *points_rule_name(PointsRule r)
{
    return r >= 0 && r < _POINTS_RULE_MAX ? names[r] : "";
}

const char *points_rule_label(PointsRule r)
{
    return r >= 0 && r < _POINTS_RULE_MAX ? labels[r] : "";
}

bool points_rule_parse(const char *s, PointsRule *ret)
{
    for (int i = 0; s && i < _POINTS_RULE_MAX; i++)
        if (strcmp(s, names[i]) == 0) {
            *ret = (PointsRule)i;
            return true;
        }
    return false;
}

bool points_rule_for_activity(const char *activity_kind, PointsRule *ret)
{
    char name[40];

    if (!activity_kind || strlen(activity_kind) > 20)
        return false;
    snprintf(name, sizeof(name), "attend_%s", activity_kind);
    return points_rule_parse(name, ret) && *ret != POINTS_VOLUNTEER_HOUR;
}

Error *points_award(Store *st, Arena *a, int64_t resident_id, const char *community,
                    PointsRule rule, double quantity, const char *ref_kind, int64_t ref_id,
                    int64_t actor_id, int64_t now_ms, int64_t *ret_points)
{
    PointsRules rules;
    int64_t points, day, from, to, earned = 0;
    int minute, y, m, d;
    bool done = false;
    Error *err;

    if (ret_points)
        *ret_points = 0;
    if (rule < 0 || rule >= _POINTS_RULE_MAX || !(quantity > 0) || quantity > 1e6)
        return error_internal(a, "points_award: rule %d, quantity %g", (int)rule, quantity);
    err = points_store_rules(st, a, community, &rules);
    if (err)
        return err;
    points = (int64_t)floor((double)rules.points[rule] * quantity + 1e-9);
    if (points <= 0)
        return NULL;
    /* the account's row lock first: awards of one resident run one at a time */
    err = points_store_account_lock(st, a, resident_id, community, now_ms);
    if (!err)
        err = points_store_awarded(st, a, resident_id, names[rule], ref_kind, ref_id, &done);
    if (err || done)
        return err;
    if (rules.cap[rule] > 0) {
        time_local(now_ms, CHINA_OFFSET_MIN, &day, &minute);
        civil_from_days(day, &y, &m, &d);
        from = time_day_start_ms(days_from_civil(y, 1, 1), CHINA_OFFSET_MIN);
        to = time_day_start_ms(days_from_civil(y + 1, 1, 1), CHINA_OFFSET_MIN);
        err = points_store_earned(st, a, resident_id, names[rule], from, to, &earned);
        if (err)
            return err;
        if (points > rules.cap[rule] - earned)
            points = rules.cap[rule] - earned;
        if (points <= 0)
            return NULL;
    }
    err = points_store_move(st, a,
                            &(PointsMove){ .resident_id = resident_id,
                                           .community = community,
                                           .kind = "earn",
                                           .delta = points,
                                           .rule = names[rule],
                                           .ref_kind = ref_kind,
                                           .ref_id = ref_id,
                                           .reason = "",
                                           .actor_id = actor_id,
                                           .now_ms = now_ms },
                            NULL, NULL);
    if (!err && ret_points)
        *ret_points = points;
    return err;
}
