/*
 * Months of case history for `linli demo`, in every community of the
 * street, so that 案件统计, the street's comparison of its communities and
 * each community's monthly figures have a story to tell after `make run`.
 *
 * Each community gets a property company and its committee as units (the
 * staff's community already has its own), a few dozen residents' accounts
 * to report from (no password: nobody logs in with them), and some dozens
 * of reports a month, at the hours people report (weekday daytime and
 * evening, few at night), each filed under the building its text names.
 * Older cases went the whole way (dispatched, handled, completed, checked,
 * closed, mostly rated, a few late or reopened after a 不满意); recent ones
 * are at every stage, and a few are left past their deadline. Everything
 * goes through the same store functions as the API, so steps, notices and
 * the dashboard's counters are what they would be. A case's number of
 * reports scales with the communities, not with the residents.
 */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/rng.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_HISTORY_COMMUNITIES[] =
    "SELECT code, name FROM division WHERE parent_code = ?1 AND level = 5 ORDER BY code";

/* two households in three may have an account, as announce_demo.c gives them */
static const char SQL_HISTORY_REPORTERS_ADD[] =
    "INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name,"
    " created_at)"
    " SELECT 'hh' || h.id, '!', 'resident', h.community, h.id,"
    "  (SELECT r.name FROM resident r WHERE r.household_id = h.id AND r.status = 'active'"
    "   ORDER BY r.id LIMIT 1), ?2"
    " FROM household h WHERE h.community = ?1 AND h.id % 3 <> 0"
    " AND EXISTS (SELECT 1 FROM resident r WHERE r.household_id = h.id AND r.status = 'active')"
    " AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.household_id = h.id)"
    " ORDER BY h.id LIMIT 40";

static const char SQL_HISTORY_REPORTERS[] =
    "SELECT id, display_name FROM app_user WHERE role = 'resident' AND scope = ?1"
    " AND username LIKE 'hh%' ORDER BY id LIMIT 40";

static const char SQL_HISTORY_LAST_CASE[] = "SELECT coalesce(max(id), 0) FROM cases";

/* the demo's months are told in the past: their notices were read long ago */
static const char SQL_HISTORY_NOTICES_READ[] =
    "UPDATE notice SET read_at = created_at + 3600000 WHERE read_at IS NULL AND created_at < ?1"
    " AND link LIKE '/cases/%' AND CAST(substr(link, 8) AS INTEGER) BETWEEN ?2 AND ?3";

typedef struct HistoryKind {
    const char *category;
    const char *text;                /* %s the building, %d its unit */
    const char *reply;
    bool committee;                  /* the committee's business, not the property company's */
} HistoryKind;

static const HistoryKind KINDS[] = {
    { "corridor_clutter", "%s%d单元楼道堆放纸箱和旧家具，影响通行", "杂物已清运，楼道已畅通", false },
    { "illegal_charging", "%s%d单元有人从窗口拉电线给电动车充电", "已劝导拆除飞线，引导到充电棚充电", false },
    { "group_rental", "%s%d单元有一户疑似群租，进出人员很多", "已会同派出所上门核查，责令整改", true },
    { "noise", "%s%d单元楼上装修噪音大，中午也不停", "已与施工方沟通，按规定时间施工", false },
    { "sanitation", "%s旁垃圾箱房满溢，气味很大", "已加派清运车次，箱房已冲洗", false },
    { "facility_damage", "%s%d单元门禁坏了，门一直关不上", "门禁已更换闭门器，恢复正常", false },
    { "greenery", "%s前绿化带杂草丛生，蚊虫很多", "已修剪除草并喷洒灭蚊药", false },
    { "parking", "%s门口消防通道被私家车长期占用", "已联系车主挪车，并加装禁停标识", false },
    { "safety_hazard", "%s外墙瓷砖松动，有坠落危险", "已拉设警戒线并修复外墙", false },
    { "elevator", "%s%d单元电梯经常停运，老人上下楼困难", "维保单位已更换部件，电梯恢复运行", false },
    { "livelihood", "%s附近希望增设几张休息座椅", "已在楼前增设两张座椅", true },
    { "other", "%s%d单元信报箱损坏，信件丢失", "已更换信报箱", true },
};

typedef struct History {
    Store *st;
    Arena *a;
    Rng rng;
    int64_t now;
    int64_t property_unit, committee_unit;
    int64_t unit_user, grid_user, staff_user;   /* demo accounts, or 0 */
    const char *unit_name, *grid_name, *staff_name;
} History;

/* @t moved into office hours (08:30-19:30 local): a worker acts then. */
static int64_t office_time(History *h, int64_t t)
{
    int64_t day;
    int minute;

    time_local(t, TIME_OFFSET_SHANGHAI, &day, &minute);
    if (minute >= 8 * 60 + 30 && minute < 19 * 60 + 30)
        return t;
    if (minute >= 19 * 60 + 30)
        day++;
    return time_day_start_ms(day, TIME_OFFSET_SHANGHAI) +
           (int64_t)(8 * 60 + 30 + rng_int(&h->rng, 150)) * TIME_MINUTE_MS;
}

/* Step @action at @at, unless @at is not yet past: then *ret_stop and nothing. */
static Error *step(History *h, int64_t id, CaseAction action, int64_t unit, const char *reason,
                   const char *rating, int64_t actor, const char *name, int64_t at, bool *ret_stop)
{
    CaseStepInput in = { .t = case_transition(action), .unit_id = unit, .reason = reason,
                         .rating = rating, .actor_id = actor, .actor_name = name };
    CaseState to;

    if (*ret_stop || at >= h->now - TIME_MINUTE_MS) {
        *ret_stop = true;
        return NULL;
    }
    return cases_store_step(h->st, h->a, id, &in, at, &to);
}

/*
 * The life of case @c (inserted at c->created_at): dispatched when no rule
 * routed it, then handled, completed, checked, closed and rated, each a
 * plausible while after the last, stopping where "now" is. @late: the unit
 * takes longer than the deadline; @stall: it stops while being handled.
 */
static Error *live(History *h, Case *c, const HistoryKind *k, int64_t reporter,
                   const char *reporter_name, bool late, bool stall)
{
    int64_t t = c->created_at, unit = c->unit_id;
    bool stop = false;
    int x;
    Error *err = NULL;

    if (!unit) {
        unit = k->committee ? h->committee_unit : h->property_unit;
        t = office_time(h, t + (int64_t)(20 + rng_int(&h->rng, 100)) * TIME_MINUTE_MS);
        err = step(h, c->id, CASE_DISPATCH, unit, NULL, NULL, h->staff_user, h->staff_name, t, &stop);
    }
    t = office_time(h, t + (int64_t)(1 + rng_int(&h->rng, late ? 30 : 6)) * 3600 * 1000);
    if (!err)
        err = step(h, c->id, CASE_HANDLE, 0, "已到现场查看", NULL, h->unit_user, h->unit_name, t,
                   &stop);
    if (stall || err)
        return err;
    t = office_time(h, t + (late ? (c->resolve_due - c->created_at) + 2 * TIME_DAY_MS
                                 : (int64_t)(3 + rng_int(&h->rng, 40)) * 3600 * 1000));
    err = step(h, c->id, CASE_COMPLETE, 0, k->reply, NULL, h->unit_user, h->unit_name, t, &stop);
    t = office_time(h, t + (int64_t)(1 + rng_int(&h->rng, 20)) * 3600 * 1000);
    if (!err)
        err = step(h, c->id, CASE_VERIFY, 0, "现场核查，问题已解决", NULL, h->grid_user,
                   h->grid_name, t, &stop);
    t = office_time(h, t + (int64_t)(1 + rng_int(&h->rng, 8)) * 3600 * 1000);
    if (!err)
        err = step(h, c->id, CASE_CLOSE, 0, "办结", NULL, h->staff_user, h->staff_name, t, &stop);
    if (err || !reporter || rng_chance(&h->rng, 0.3))
        return err;
    x = rng_int(&h->rng, 100);
    t += (int64_t)(2 + rng_int(&h->rng, 30)) * 3600 * 1000;
    err = step(h, c->id, CASE_RATE, 0, x < 90 ? "处理得很及时，谢谢" : "问题没有彻底解决",
               x < 62 ? "satisfied" : x < 90 ? "basically_satisfied" : "unsatisfied", reporter,
               reporter_name, t, &stop);
    if (err || x < 90)
        return err;
    /* 不满意: the secretary sends it back to the unit, which finishes it properly */
    t = office_time(h, t + TIME_DAY_MS);
    err = step(h, c->id, CASE_DISPATCH, unit, "居民不满意，请重新处置", NULL, h->staff_user,
               h->staff_name, t, &stop);
    t = office_time(h, t + (int64_t)(2 + rng_int(&h->rng, 20)) * 3600 * 1000);
    if (!err)
        err = step(h, c->id, CASE_HANDLE, 0, "再次上门处置", NULL, h->unit_user, h->unit_name, t,
                   &stop);
    t = office_time(h, t + TIME_DAY_MS);
    if (!err)
        err = step(h, c->id, CASE_COMPLETE, 0, k->reply, NULL, h->unit_user, h->unit_name, t,
                   &stop);
    t = office_time(h, t + 4 * 3600 * 1000);
    if (!err)
        err = step(h, c->id, CASE_VERIFY, 0, "回访居民，已解决", NULL, h->grid_user, h->grid_name,
                   t, &stop);
    t = office_time(h, t + 2 * 3600 * 1000);
    if (!err)
        err = step(h, c->id, CASE_CLOSE, 0, "二次处置后办结", NULL, h->staff_user, h->staff_name,
                   t, &stop);
    return err;
}

/* The community's property company and committee, made when it has no units yet. */
static Error *units_of(History *h, const char *community, const char *name)
{
    CaseUnit *units = NULL;
    size_t n = 0;
    Error *err;

    h->property_unit = h->committee_unit = 0;
    err = cases_store_units(h->st, h->a, community, &units, &n);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        if (!h->property_unit && strcmp(units[i].kind, "property") == 0)
            h->property_unit = units[i].id;
        if (!h->committee_unit && strcmp(units[i].kind, "committee") == 0)
            h->committee_unit = units[i].id;
    }
    if (!h->property_unit) {
        CaseUnit u = { .community = community, .kind = "property", .active = true,
                       .name = arena_sprintf(h->a, "%s物业服务处", name) };

        err = cases_store_unit_insert(h->st, h->a, &u);
        if (err)
            return err;
        h->property_unit = u.id;
    }
    if (!h->committee_unit) {
        CaseUnit u = { .community = community, .kind = "committee", .active = true, .name = name };

        err = cases_store_unit_insert(h->st, h->a, &u);
        if (err)
            return err;
        h->committee_unit = u.id;
    }
    return NULL;
}

/* What a community's cases are made of, set up before any is reported. */
typedef struct Place {
    const char *community, *name;
    bool own;                        /* the demo staff's community */
    int64_t property_unit, committee_unit;
    int64_t buildings[64], reporters[40];
    const char *reporter_names[40];
    size_t n_buildings, n_reporters;
} Place;

/* One report to make: where and when. */
typedef struct Plan {
    size_t place;
    int64_t at;
} Plan;

static int plan_older_first(const void *x, const void *y)
{
    const Plan *a = x, *b = y;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return a->place < b->place ? -1 : a->place > b->place;
}

static Error *place_setup(History *h, Place *p)
{
    StoreStmt *s;
    StoreResult r;
    Error *err;

    s = store_prepare(h->st, h->a, SQL_HISTORY_REPORTERS_ADD);
    store_bind_text(s, 1, p->community);
    store_bind_int64(s, 2, h->now - 200 * TIME_DAY_MS);
    if (store_step(s) != STORE_DONE)
        return store_error(h->st, h->a);
    store_reset(s);
    s = store_prepare(h->st, h->a, SQL_HISTORY_REPORTERS);
    store_bind_text(s, 1, p->community);
    while ((r = store_step(s)) == STORE_ROW && p->n_reporters < ARRAY_SIZE(p->reporters)) {
        p->reporters[p->n_reporters] = store_column_int64(s, 0);
        p->reporter_names[p->n_reporters++] = store_column_text(s, h->a, 1);
    }
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(h->st, h->a);
    store_reset(s);
    err = units_of(h, p->community, p->name);
    p->property_unit = h->property_unit;
    p->committee_unit = h->committee_unit;
    if (!err)
        err = cases_store_buildings_of(h->st, h->a, p->community, p->buildings,
                                       ARRAY_SIZE(p->buildings), &p->n_buildings);
    return err;
}

/* Report a case in @p at @at and let it live its life up to now. */
static Error *report(History *h, const CryptoKeys *keys, const Place *p, int64_t at, int64_t today)
{
    const HistoryKind *k = &KINDS[rng_int(&h->rng, (int)ARRAY_SIZE(KINDS))];
    const char *bname = NULL, *bcomm = NULL, *who = "来电居民";
    CaseCategory *cat = NULL;
    int64_t units_n = 0, reporter = 0, day;
    Case c = { 0 };
    bool late, stall;
    int x, minute;
    Error *err;

    h->property_unit = p->property_unit;
    h->committee_unit = p->committee_unit;
    err = cases_store_category_find(h->st, h->a, p->community, k->category, &cat);
    if (err || !cat)
        return err;
    c.community = p->community;
    c.category_id = cat->id;
    c.created_at = at;
    c.building_id = p->buildings[rng_int(&h->rng, (int)p->n_buildings)];
    err = cases_store_building(h->st, h->a, c.building_id, &bcomm, &c.grid_id, &bname, &units_n);
    if (err)
        return err;
    c.unit_no = 1 + rng_int(&h->rng, units_n > 0 ? (int)units_n : 1);
    c.description = arena_sprintf(h->a, k->text, bname, (int)c.unit_no);
    if (p->n_reporters && rng_chance(&h->rng, 0.85)) {
        x = rng_int(&h->rng, (int)p->n_reporters);
        reporter = p->reporters[x];
        who = p->reporter_names[x] ? p->reporter_names[x] : "居民";
        c.source = "app";
        c.reporter_id = reporter;
        c.contact_ok = rng_chance(&h->rng, 0.7);
    } else {
        c.source = "phone";
        c.logged_by = h->staff_user;
        c.contact_name = who;
    }
    err = cases_deadlines(h->st, h->a, &c, cat);
    if (!err)
        err = cases_store_route_match(h->st, h->a, p->community, c.category_id, c.grid_id, &c.unit_id);
    if (!err)
        err = cases_store_insert(h->st, h->a, &c, NULL, 0, reporter, NULL, keys,
                                 reporter ? reporter : h->staff_user, who, c.created_at);
    if (err)
        return err;
    time_local(at, TIME_OFFSET_SHANGHAI, &day, &minute);
    x = rng_int(&h->rng, 100);
    late = x < 8;
    /* a few recent ones elsewhere are stuck with the unit (the sweep finds them overdue) */
    stall = !p->own && today - day < 40 && x >= 8 && x < 14;
    return live(h, &c, k, reporter, who, late, stall);
}

static Error *last_case(Store *st, Arena *a, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_HISTORY_LAST_CASE);

    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *cases_demo_history(Store *st, Arena *a, const CryptoKeys *keys, const char *own_community,
                          int days, uint64_t seed, int64_t now_ms, int64_t *ret_n)
{
    History h = { .st = st, .a = a, .rng = { seed ^ 0xCA5E5 }, .now = now_ms };
    const char *street = arena_strndup(a, own_community, 9);
    const char **codes = NULL, **names = NULL;
    int64_t first = 0, last = 0, unit_user = 0, grid_user = 0, staff_user = 0;
    const char *unit_name = "物业客服", *grid_name = "赵网格员", *staff_name = "李社工";
    size_t n = 0, cap = 0, n_plans = 0, cap_plans = 16;
    Place *places;
    Plan *plans = arena_alloc(a, cap_plans * sizeof(Plan));
    int64_t today;
    int minute;
    StoreStmt *s;
    StoreResult r;
    Error *err;

    *ret_n = 0;
    err = cases_store_user_id(st, a, "property", &unit_user, &unit_name);
    if (!err)
        err = cases_store_user_id(st, a, "grid", &grid_user, &grid_name);
    if (!err)
        err = cases_store_user_id(st, a, "staff", &staff_user, &staff_name);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_HISTORY_COMMUNITIES);
    store_bind_text(s, 1, street);
    while ((r = store_step(s)) == STORE_ROW) {
        if (n == cap) {
            const char **nc = arena_alloc(a, (cap ? cap * 2 : 32) * sizeof(char *));
            const char **nn = arena_alloc(a, (cap ? cap * 2 : 32) * sizeof(char *));

            if (n) {
                memcpy(nc, codes, n * sizeof(char *));
                memcpy(nn, names, n * sizeof(char *));
            }
            codes = nc;
            names = nn;
            cap = cap ? cap * 2 : 32;
        }
        codes[n] = store_column_text(s, a, 0);
        names[n++] = store_column_text(s, a, 1);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    err = last_case(st, a, &first);
    if (err)
        return err;
    places = arena_zalloc(a, (n ? n : 1) * sizeof(Place));
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &today, &minute);
    for (size_t i = 0; i < n; i++) {
        Place *p = &places[i];
        /* some dozens of reports a month, different in each community */
        int per_month = 5 + (int)(i * 7) % 9;
        /* the staff's community: only what is older than its scripted cases (cases_cli.c) */
        int min_age;

        p->community = codes[i];
        p->name = names[i];
        p->own = strcmp(codes[i], own_community) == 0;
        min_age = p->own ? 100 : 0;
        err = place_setup(&h, p);
        if (err)
            return err;
        if (!p->n_buildings || days <= min_age)
            continue;
        for (int k = 0; k < per_month * (days - min_age) / 30; k++) {
            int64_t day = today - min_age - rng_int(&h.rng, days - min_age);

            /* fewer reports at the weekend */
            if (time_weekday(day) >= 6 && rng_chance(&h.rng, 0.4))
                day -= time_weekday(day) - 5;
            plans = arena_grow(a, plans, n_plans, &cap_plans, sizeof(Plan));
            plans[n_plans].place = i;
            plans[n_plans++].at = time_day_start_ms(day, TIME_OFFSET_SHANGHAI) +
                (int64_t)rng_waking_minute(&h.rng, time_weekday(day) >= 6) * TIME_MINUTE_MS;
        }
    }
    /* reported in the order they happened: ids follow the dates, as the lists expect */
    if (n_plans)
        qsort(plans, n_plans, sizeof(Plan), plan_older_first);
    for (size_t i = 0; i < n_plans; i++) {
        const Place *p = &places[plans[i].place];

        if (plans[i].at >= now_ms - 3600 * 1000)
            continue;
        /* the demo's accounts work in their own community; elsewhere the work is unnamed */
        h.unit_user = p->own ? unit_user : 0;
        h.grid_user = p->own ? grid_user : 0;
        h.staff_user = p->own ? staff_user : 0;
        h.unit_name = p->own ? unit_name : "物业";
        h.grid_name = p->own ? grid_name : "网格员";
        h.staff_name = p->own ? staff_name : "社区工作人员";
        err = report(&h, keys, p, plans[i].at, today);
        if (err)
            return err;
        (*ret_n)++;
    }
    err = last_case(st, a, &last);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_HISTORY_NOTICES_READ);
    store_bind_int64(s, 1, now_ms - 3 * TIME_DAY_MS);
    store_bind_int64(s, 2, first + 1);
    store_bind_int64(s, 3, last);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}
