/*
 * Demo activities of the demo community: upcoming ones with sign-ups (one
 * full with a waitlist, a course of eight sessions for older residents, a
 * market open to walk-ins) and past ones with attendance (sign-in and
 * sign-out), a few no-shows and ratings. Written through activities_store,
 * as the routes write, so the places counted match the sign-ups.
 */
#include <string.h>

#include "activities/activities.h"
#include "activities/activities_store.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define HOUR_MS (3600LL * 1000)

typedef struct DemoActivity {
    const char *title, *body, *place, *tags;
    ActivityKind kind;
    int day;              /* days from today (negative: past) */
    int hour, minutes;    /* local start and length */
    int n_sessions;       /* weekly sessions */
    int capacity;
    int signups;          /* sign-ups wanted (beyond capacity: waitlisted) */
    int age_min;          /* -1: none */
    bool waitlist, walk_in;
    bool resident_too;    /* the demo resident signs up first (past ones: and comes, unrated) */
    bool kin_waits;       /* one of her household signs up last, on the waitlist */
    int attend_pct;       /* past ones: how many of the confirmed came */
} DemoActivity;

static const DemoActivity demos[] = {
    { "周六楼道清洁志愿行动", "清理楼道堆物、擦拭扶手，手套和工具由社区提供。", "社区党群服务中心门口集合",
      "[\"志愿者\"]", ACTIVITY_VOLUNTEER, 3, 9, 120, 1, 20, 12, 16, true, false, true, false, 0 },
    { "书法入门（8 节）", "每周一节，从握笔和基本笔画学起，笔墨纸砚由社区提供。", "社区活动室 201",
      "[\"老年人\"]", ACTIVITY_COURSE, 2, 14, 90, 8, 15, 19, 50, true, false, false, false, 0 },
    { "冬季便民集市", "理发、量血压、修伞、磨刀，周边商户现场服务。", "小区中心广场", "[]",
      ACTIVITY_MARKET, 10, 9, 180, 1, 200, 40, -1, false, true, false, false, 0 },
    { "亲子阅读会：冬天的故事", "绘本共读和手工，一位家长带一个孩子报名。", "社区图书角",
      "[\"儿童+家长\"]", ACTIVITY_SPORTS, 6, 10, 90, 1, 10, 12, -1, true, false, true, true, 0 },
    { "垃圾分类议事会", "讨论小区垃圾箱房改造方案，欢迎居民代表参加。", "社区会议室", "[]",
      ACTIVITY_CIVIC, 5, 19, 90, 1, 30, 8, 18, true, false, false, false, 0 },
    { "重阳敬老志愿服务", "为高龄老人上门送餐、陪聊。", "社区党群服务中心", "[\"志愿者\"]",
      ACTIVITY_VOLUNTEER, -20, 9, 180, 1, 20, 15, 16, true, false, true, false, 80 },
    { "广场舞交流赛", "各楼组广场舞队交流展示。", "小区中心广场", "[\"老年人\"]", ACTIVITY_SPORTS,
      -40, 18, 120, 1, 40, 30, -1, true, false, false, false, 85 },
    { "秋季便民集市", "理发、量血压、家电小修。", "小区中心广场", "[]", ACTIVITY_MARKET, -60, 9, 180,
      1, 200, 35, -1, false, true, false, false, 90 },
};

static const char *const comments[] = { "组织得很好，下次还来", "时间有点紧", "志愿者很热情",
                                        "希望多办几次", "" };

/* Past activity @id: the confirmed come (@pct of them), sign in and out, and rate it. */
static Error *demo_attend(Store *st, Arena *a, const DemoActivity *d, int64_t id,
                          const ActivitiesDemoPeople *p, const int64_t *who, size_t n)
{
    ActivitySession *sessions = NULL;
    size_t n_sessions = 0;
    Error *err = activities_store_sessions(st, a, id, &sessions, &n_sessions);

    for (size_t i = 0; !err && i < n; i++) {
        ActivitySignup *s = NULL;
        json_t *row = NULL;

        if ((int)(i * 100 / n) >= d->attend_pct)
            break; /* the rest did not come: no-shows */
        err = activities_store_signup_live(st, a, id, who[i], &s);
        for (size_t k = 0; !err && s && k < n_sessions; k++) {
            err = activities_store_attend(st, a, &sessions[k], who[i], s->id, true, p->staff_id,
                                          sessions[k].start + (int64_t)(i % 10) * 60000, &row);
            json_decref(row);
            row = NULL;
            if (!err)
                err = activities_store_attend(st, a, &sessions[k], who[i], s->id, false,
                                              p->staff_id, sessions[k].end - (int64_t)(i % 7) * 60000,
                                              &row);
            json_decref(row);
            row = NULL;
        }
        if (!err && i % 3 != 2)
            err = activities_store_rate(st, a, id, who[i], p->staff_id, i % 5 == 4 ? 3 : 4 + (int)(i % 2),
                                        comments[i % 5], sessions[0].end + HOUR_MS);
    }
    return err;
}

/* The demo resident came to past activity @id (signed in and out) and has not rated it yet. */
static Error *demo_resident_came(Store *st, Arena *a, int64_t id, const ActivitiesDemoPeople *p)
{
    ActivitySession *sessions = NULL;
    ActivitySignup *s = NULL;
    size_t n_sessions = 0;
    Error *err = activities_store_sessions(st, a, id, &sessions, &n_sessions);

    if (!err)
        err = activities_store_signup_live(st, a, id, p->resident_self, &s);
    for (size_t k = 0; !err && s && k < n_sessions; k++) {
        json_t *row = NULL;

        err = activities_store_attend(st, a, &sessions[k], p->resident_self, s->id, true,
                                      p->resident_user, sessions[k].start + 5 * 60000, &row);
        json_decref(row);
        row = NULL;
        if (!err)
            err = activities_store_attend(st, a, &sessions[k], p->resident_self, s->id, false,
                                          p->resident_user, sessions[k].end - 10 * 60000, &row);
        json_decref(row);
    }
    return err;
}

Error *activities_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n)
{
    ActivitiesDemoPeople *p = arena_zalloc(a, sizeof(*p));
    int64_t today;
    int minute;
    Error *err;

    *ret_n = 0;
    err = activities_store_demo_people(st, a, community, p);
    if (err || !p->staff_id || p->n < 10)
        return err;
    time_local(now_ms, ACTIVITIES_UTC_OFFSET_MIN, &today, &minute);
    for (size_t i = 0; i < sizeof(demos) / sizeof(demos[0]); i++) {
        const DemoActivity *d = &demos[i];
        ActivityInput *in = arena_zalloc(a, sizeof(*in));
        int64_t start = time_day_start_ms(today + d->day, ACTIVITIES_UTC_OFFSET_MIN) +
                        d->hour * HOUR_MS, created, id = 0;
        int64_t *who = arena_alloc(a, (size_t)d->signups * sizeof(int64_t));
        size_t n_who = 0;
        Activity *act = NULL;

        in->community = community;
        in->title = d->title;
        in->kind = d->kind;
        in->body = d->body;
        in->place = d->place;
        in->tags_json = d->tags;
        in->capacity = d->capacity;
        in->waitlist = d->waitlist;
        in->walk_in = d->walk_in;
        in->age_min = d->age_min;
        in->age_max = -1;
        in->n_sessions = d->n_sessions;
        for (int k = 0; k < d->n_sessions; k++) {
            in->sessions[k].start = start + k * 7 * 24 * HOUR_MS;
            in->sessions[k].end = in->sessions[k].start + d->minutes * 60000LL;
        }
        in->start = in->sessions[0].start;
        in->end = in->sessions[d->n_sessions - 1].end;
        in->signup_closes = in->start - HOUR_MS;
        in->cancel_until = in->start - 24 * HOUR_MS;
        created = (d->day < 0 ? in->start : now_ms) - 7 * 24 * HOUR_MS;
        err = activities_store_insert(st, a, in, p->staff_id, created, &id);
        if (!err)
            err = activities_store_get(st, a, id, &act);
        if (!err && d->resident_too && p->resident_self) {
            ActivitySignup *s = NULL;

            err = activities_store_signup(st, a, act, p->resident_self, p->resident_user, created, &s);
        }
        for (size_t k = 0; !err && k < p->n && (int)n_who < d->signups; k++) {
            size_t r = (k + i * 23) % p->n;
            ActivitySignup *s = NULL;

            if (p->residents[r] == p->resident_self || p->residents[r] == p->resident_kin ||
                activities_age_fit(activities_age_at(p->births[r], in->start), d->age_min, -1) != 0)
                continue;
            err = activities_store_signup(st, a, act, p->residents[r], p->staff_id, created, &s);
            who[n_who++] = p->residents[r];
        }
        if (!err && d->kin_waits && p->resident_kin) {
            ActivitySignup *s = NULL;

            err = activities_store_get(st, a, id, &act); /* its places taken now */
            if (!err)
                err = activities_store_signup(st, a, act, p->resident_kin, p->resident_user,
                                              created, &s);
        }
        if (!err)
            err = activities_store_demo_dates(st, a, id, created);
        if (!err && d->day < 0)
            err = demo_attend(st, a, d, id, p, who, n_who);
        if (!err && d->day < 0 && d->resident_too && p->resident_self)
            err = demo_resident_came(st, a, id, p);
        if (err)
            return err;
        (*ret_n)++;
    }
    return NULL;
}
