/*
 * Demo volunteers of the demo community: about 20 volunteers (the demo
 * accounts "volunteer", a team lead, and "resident" among them), three
 * teams with leads, six months of monthly service days (past volunteer
 * activities and markets with posts) whose hours are confirmed, the last
 * one's still pending, one correction, and posts in the upcoming volunteer
 * activities and market. Written through volunteers_store, so that every
 * balance is the sum of its confirmed entries.
 */
#include <string.h>

#include "activities/activities_store.h"
#include "core/timeutil.h"
#include "volunteers/volunteers_store.h"
#include "core/banned.h"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)
#define N_VOLUNTEERS 20
#define N_MONTHS 6

static const char *const skill_sets[] = {
    "[\"elder_care\",\"medical\"]", "[\"repair\"]",          "[\"sorting\",\"patrol\"]",
    "[\"teaching\",\"digital\"]",   "[\"haircut\"]",         "[\"culture\",\"photo\"]",
    "[\"legal\"]",                  "[\"sorting\"]",         "[\"driving\",\"elder_care\"]",
    "[\"counseling\"]",
};
static const char *const slot_sets[] = {
    "[\"weekend_morning\",\"weekend_afternoon\"]", "[\"weekday_morning\"]",
    "[\"weekday_evening\",\"weekend_morning\"]",   "[\"weekend_afternoon\"]",
};
static const char *const team_names[] = { "红旗手志愿队", "楼组长队", "垃圾分类督导队" };
static const char *const team_notes[] = { "党员和热心居民为主，承担社区重大活动的服务保障。",
                                          "各楼组长，负责楼道宣传和邻里联络。",
                                          "早晚在垃圾箱房值守，指导居民分类投放。" };

/* A volunteer of resident @rid (index @i picks her skills), with her Volunteer. */
static Error *demo_volunteer(Store *st, Arena *a, const char *community, int64_t rid, size_t i,
                             int64_t staff_id, int64_t at, Volunteer **ret)
{
    VolunteerInput in = { .status = i % 11 == 10 ? "paused" : "active",
                          .skills_json = skill_sets[i % 10],
                          .skills_other = i % 4 == 0 ? "会开车，可以接送老人" : "",
                          .availability_json = slot_sets[i % 4] };
    int64_t id = 0;
    Error *err = volunteers_store_insert(st, a, community, rid, &in, staff_id, at, &id);

    if (!err)
        err = volunteers_store_get(st, a, id, ret);
    return err;
}

/* A past service day @day (from today) of @kind with post @post_name: its id, session and post. */
static Error *demo_past_day(Store *st, Arena *a, const char *community, int64_t today, int day,
                            ActivityKind kind, const char *title, const char *post_name,
                            int64_t staff_id, int64_t *ret_act, int64_t *ret_session,
                            int64_t *ret_post)
{
    ActivityInput *in = arena_zalloc(a, sizeof(*in));
    ActivitySession *sessions = NULL;
    size_t n = 0;
    int64_t start = time_day_start_ms(today + day, VOLUNTEERS_UTC_OFFSET_MIN) + 9 * HOUR_MS;
    Error *err;

    in->community = community;
    in->title = title;
    in->kind = kind;
    in->body = "社区志愿服务日：各志愿队按岗位服务，签到签退记录志愿时长。";
    in->place = "社区党群服务中心";
    in->tags_json = "[\"志愿者\"]";
    in->capacity = 30;
    in->age_min = in->age_max = -1;
    in->n_sessions = 1;
    in->sessions[0].start = in->start = start;
    in->sessions[0].end = in->end = start + 3 * HOUR_MS;
    in->signup_closes = start - HOUR_MS;
    in->cancel_until = start - DAY_MS;
    err = activities_store_insert(st, a, in, staff_id, start - 10 * DAY_MS, ret_act);
    if (!err)
        err = activities_store_sessions(st, a, *ret_act, &sessions, &n);
    if (!err && n != 1)
        err = error_internal(a, "demo service day without its session");
    if (!err)
        *ret_session = sessions[0].id;
    if (!err)
        err = volunteers_store_post_insert(st, a, *ret_act, post_name, 12, start - 10 * DAY_MS,
                                           ret_post);
    return err;
}

Error *volunteers_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n)
{
    ActivitiesDemoPeople *p = arena_zalloc(a, sizeof(*p));
    Volunteer *vols[N_VOLUNTEERS + 2];
    int64_t teams[3], lead_rid = 0, elder_rid = 0, today, *up = NULL;
    size_t n = 0, n_up = 0;
    int minute;
    Error *err;

    *ret_n = 0;
    err = activities_store_demo_people(st, a, community, p);
    if (!err)
        err = volunteers_store_demo_account(st, a, "volunteer", &lead_rid);
    if (!err) /* the "elder" account stays no volunteer: the register page has someone to show */
        err = volunteers_store_demo_account(st, a, "elder", &elder_rid);
    if (err || !p->staff_id || p->n < 60)
        return err;
    time_local(now_ms, VOLUNTEERS_UTC_OFFSET_MIN, &today, &minute);

    /* the volunteers: the lead's account, the demo resident, then residents from the list's end */
    if (lead_rid)
        err = demo_volunteer(st, a, community, lead_rid, 0, p->staff_id, now_ms - 200 * DAY_MS,
                             &vols[n++]);
    if (!err && p->resident_self && p->resident_self != lead_rid)
        err = demo_volunteer(st, a, community, p->resident_self, 3, p->staff_id,
                             now_ms - 190 * DAY_MS, &vols[n++]);
    for (size_t i = p->n - 1; !err && n < N_VOLUNTEERS && i > 40; i--) {
        int64_t rid = p->residents[i];

        if (rid == lead_rid || rid == elder_rid || rid == p->resident_self || rid == p->resident_kin)
            continue;
        err = demo_volunteer(st, a, community, rid, n, p->staff_id,
                             now_ms - (int64_t)(180 - n) * DAY_MS, &vols[n]);
        n++;
    }

    /* teams: the "volunteer" account leads the first, each volunteer in one or two */
    for (int t = 0; !err && t < 3; t++)
        err = volunteers_store_team_insert(st, a, community, team_names[t], team_notes[t],
                                           now_ms - 200 * DAY_MS, &teams[t]);
    for (size_t i = 0; !err && i < n; i++) {
        err = volunteers_store_member_set(st, a, teams[i % 3], vols[i]->id, i < 3 || i == 5,
                                          now_ms - 180 * DAY_MS);
        if (!err && i % 4 == 1)
            err = volunteers_store_member_set(st, a, teams[(i + 1) % 3], vols[i]->id, false,
                                              now_ms - 150 * DAY_MS);
    }

    /* a service day a month for six months; the last one's hours still pending */
    for (int m = N_MONTHS - 1; !err && m >= 0; m--) {
        bool market = m % 2 == 1;
        int64_t act = 0, session = 0, post = 0;
        int day = -12 - 30 * m;
        int64_t served = time_day_start_ms(today + day, VOLUNTEERS_UTC_OFFSET_MIN) + 9 * HOUR_MS;

        err = demo_past_day(st, a, community, today, day,
                            market ? ACTIVITY_MARKET : ACTIVITY_VOLUNTEER,
                            market ? "便民集市志愿服务" : "社区志愿服务日",
                            market ? "秩序引导" : "环境清洁", p->staff_id, &act, &session, &post);
        for (size_t i = 0; !err && i < n; i++) {
            int64_t minutes = 150 + (int64_t)((i * 7 + (size_t)m * 13) % 40);

            if ((i + (size_t)m) % 3 == 2 || strcmp(vols[i]->status, "active") != 0)
                continue; /* not every volunteer comes every month */
            err = volunteers_store_demo_entry(st, a, vols[i], act, session, post,
                                              market ? "market" : "volunteer", served + (int64_t)(i % 5) * 60000,
                                              minutes, m > 0, p->staff_id, now_ms);
        }
    }

    /* a correction: a sign-out forgotten at a service day */
    if (!err && n > 4) {
        int64_t id = 0;

        err = volunteers_store_correction(st, a, vols[4], 30, "补录：协助搬运物资，签退时忘记扫码",
                                          "volunteer", 0, p->staff_id, now_ms - 20 * DAY_MS, &id);
        if (!err)
            err = volunteers_store_balance_add(st, a, vols[4]->id, 30);
    }

    /* posts in the upcoming volunteer activities and market, a few taken */
    if (!err)
        err = volunteers_store_demo_upcoming(st, a, community, "volunteer", now_ms, &up, &n_up);
    for (size_t k = 0; !err && k < n_up && k < 2; k++) {
        static const char *const names[] = { "清扫组", "物资发放", "拍照记录" };
        static const int needed[] = { 6, 3, 1 };

        for (int j = 0; !err && j < 3; j++) {
            VolunteerPost *post = NULL;
            int64_t pid = 0;

            err = volunteers_store_post_insert(st, a, up[k], names[j], needed[j], now_ms, &pid);
            if (!err)
                err = volunteers_store_post_get(st, a, pid, &post);
            for (size_t i = (size_t)j * 3 + 2; !err && i < (size_t)j * 3 + 4 && i < n &&
                                               post->taken < post->needed;
                 i++) {
                if (strcmp(vols[i]->status, "active") != 0)
                    continue;
                err = volunteers_store_post_take(st, a, post, vols[i]->id, p->staff_id, now_ms);
                post->taken++;
            }
        }
    }
    if (!err)
        err = volunteers_store_demo_upcoming(st, a, community, "market", now_ms, &up, &n_up);
    for (size_t k = 0; !err && k < n_up && k < 1; k++) {
        static const char *const names[] = { "理发", "量血压", "秩序引导" };
        static const int needed[] = { 2, 2, 4 };

        for (int j = 0; !err && j < 3; j++) {
            int64_t pid = 0;

            err = volunteers_store_post_insert(st, a, up[k], names[j], needed[j], now_ms, &pid);
        }
    }
    if (!err)
        *ret_n = (int64_t)n;
    return err;
}
