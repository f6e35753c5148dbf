/*
 * Cases on the command line: `linli open311 key` (a new Open311 API key,
 * only its hash stored), `linli cases generate` (bulk synthetic cases for
 * benchmarks), and the demo cases `linli demo` adds to the staff's
 * community.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cli_util.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* ---- linli open311 key ---- */

static int open311_key(int argc, char **argv)
{
    const char *db = NULL, *community = NULL, *name = NULL;
    const CliOption opts[] = { { "db", &db }, { "community", &community }, { 0 } };
    char key[CRYPTO_TOKEN_CHARS + 1];
    Arena *a;
    Store *st;
    Error *err;
    int rc = 1;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli open311 key --db FILE --community CODE\n\n"
             "Prints a new Open311 API key for posting service requests to the community\n"
             "CODE (its jurisdiction_id). Only a hash of the key is stored: keep what is\n"
             "printed, it cannot be shown again.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !community) {
        fprintf(stderr, "linli open311 key: --db and --community are required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    err = cases_store_community_name(st, a, community, &name);
    if (!err && !name)
        err = error_invalid(a, "community", "unknown_community", "找不到该社区（需要 12 位社区代码）");
    if (!err) {
        crypto_token_new(key);
        err = cases_store_api_key_insert(st, a, community, key, time_now_ms());
    }
    if (err) {
        cli_print_error(err);
    } else {
        printf("%s\n", key);
        fprintf(stderr, "Open311 API key for %s %s (jurisdiction_id=%s); store it safely\n",
                community, name, community);
        rc = 0;
    }
    arena_free(a);
    store_close(st);
    return rc;
}

int cases_cli_open311(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "key", open311_key }, { 0 } };

    return cli_subcommand(argc, argv, cmds, "usage: linli open311 key --db FILE --community CODE");
}

/* ---- linli cases generate ---- */

static int cases_generate(int argc, char **argv)
{
    const char *db = NULL, *street = "310105004", *count_s = NULL, *years_s = NULL;
    const CliOption opts[] = { { "db", &db }, { "street", &street }, { "count", &count_s },
                               { "years", &years_s }, { 0 } };
    long long count = 100000, years = 3;
    int64_t t0, made = 0;
    Arena *a;
    Store *st;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli cases generate --db FILE [--street CODE] [--count N] [--years Y]\n\n"
             "Adds N synthetic cases (default 100000, at most 5000000) spread over the last\n"
             "Y years (default 3) across the buildings of street CODE (default 310105004),\n"
             "most of them closed and rated, for benchmarks. Run `linli demo` first.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (count_s)
        count = strtoll(count_s, NULL, 10);
    if (years_s)
        years = strtoll(years_s, NULL, 10);
    if (!db || count < 1 || count > 5000000 || years < 1 || years > 20) {
        fprintf(stderr, "linli cases generate: --db is required; --count 1..5000000, --years 1..20\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    t0 = time_mono_us();
    if (store_dialect(st) == STORE_SQLITE)
        store_exec(st, a, "PRAGMA cache_size=-400000");
    err = store_begin(st, a);
    if (!err)
        err = cases_store_generate(st, a, street, count, (int)years, time_now_ms(), &made);
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        cli_print_error(err);
    } else {
        printf("generated %lld cases in %.1f s\n", (long long)made,
               (double)(time_mono_us() - t0) / 1e6);
    }
    arena_free(a);
    store_close(st);
    return err ? 1 : 0;
}

int cases_cli_cases(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "generate", cases_generate }, { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli cases generate --db FILE [--street CODE] [--count N] [--years Y]");
}

/* ---- demo ---- */

typedef struct DemoCase {
    const char *category;
    const char *text;
    const char *reporter;            /* username */
    int days_ago;
    int hour;
    const char *steps;               /* letters: d dispatch(to route unit) h handle v verify c close
                                      * r return  o hold  u resume  s/b/n rate */
} DemoCase;

static const DemoCase demo_cases[] = {
    { "corridor_clutter", "3号楼2单元楼道堆放旧家具和纸箱，堵住了消防通道", "resident", 40, 9, "hvcs" },
    { "illegal_charging", "5号楼一楼窗口拉出电线给电动车充电，晚上一直插着", "grid", 38, 20, "hvcs" },
    { "group_rental", "12号楼602室疑似群租，进出人员很多，隔了好几间", "grid", 35, 15, "hvcb" },
    { "noise", "楼上装修周末早上七点就开始电钻，影响休息", "resident", 33, 8, "hvcn" },
    { "sanitation", "小区东门垃圾箱房满溢，气味很大", "resident", 30, 7, "hvc" },
    { "facility_damage", "7号楼单元门禁坏了，门一直关不上", "resident", 28, 19, "hvcs" },
    { "greenery", "中心花园杂草长得很高，有蚊虫", "grid", 27, 10, "hvcs" },
    { "parking", "消防通道上长期停着一辆白色轿车", "staff", 25, 14, "hvc" },
    { "safety_hazard", "8号楼外墙瓷砖松动，有掉落危险", "grid", 24, 11, "hvcs" },
    { "elevator", "我们单元想加装电梯，想了解怎么征求意见", "resident", 22, 16, "hvc" },
    { "livelihood", "小区里老人多，希望有个遮阳的地方坐坐", "resident", 21, 10, "hvcs" },
    { "corridor_clutter", "2号楼顶楼平台堆了很多杂物", "grid", 18, 9, "hvc" },
    { "noise", "底商饭店排风扇噪音很大，晚上十点后还开着", "resident", 16, 22, "rd" },
    { "illegal_charging", "地下车库有人私拉电线充电", "grid", 14, 13, "hv" },
    { "sanitation", "宠物粪便无人清理，主要在4号楼前草坪", "resident", 12, 8, "h" },
    { "facility_damage", "路灯不亮，晚上走路看不清", "resident", 10, 20, "h" },
    { "greenery", "行道树树枝挡住了二楼窗户", "resident", 9, 9, "" },
    { "parking", "非机动车乱停放，占了盲道", "grid", 8, 17, "o" },
    { "group_rental", "地下室有人居住，不安全", "grid", 7, 10, "" },
    { "safety_hazard", "燃气管道有异味，请尽快检查", "resident", 6, 7, "h" },
    { "other", "小区公告栏内容过期，希望更新", "resident", 5, 11, "" },
    { "livelihood", "希望社区组织老年智能手机课程", "resident", 4, 15, "" },
    { "corridor_clutter", "1号楼三楼楼道有电瓶车停放", "grid", 3, 9, "" },
    { "noise", "广场舞音响声音太大", "resident", 2, 19, "" },
    { "sanitation", "垃圾分类点没有按时清运", "grid", 1, 8, "" },
    { "facility_damage", "健身器材螺丝松了，有安全隐患", "resident", 1, 16, "" },
    { "other", "小区门口快递堆放影响通行", "staff", 0, 9, "" },
    { "illegal_charging", "6号楼楼道里有人给电瓶充电", "grid", 0, 10, "" },
    { "greenery", "草坪被踩出小路，希望补种", "resident", 45, 10, "hvcs" },
    { "parking", "访客车辆停在人行道上", "resident", 50, 18, "hvcs" },
    { "corridor_clutter", "5号楼楼道堆放装修垃圾", "grid", 55, 9, "hvcb" },
    { "sanitation", "雨水井堵塞，下雨积水", "resident", 60, 7, "hvcs" },
};

/* The decimal number in [@p, @end), at most 4 digits (banned.h has no atoi). */
static int atoi_safe(const char *p, const char *end)
{
    int n = 0;

    for (int k = 0; p < end && k < 4; p++, k++)
        n = n * 10 + (*p - '0');
    return n;
}

/* The number before 号楼 in @text ("3号楼2单元…" gives 3), or 0; @ret_at is where it starts. */
static int building_number(const char *text, const char **ret_at)
{
    const char *p = strstr(text, "号楼");
    const char *q = p;

    if (!p)
        return 0;
    while (q > text && q[-1] >= '0' && q[-1] <= '9')
        q--;
    if (q == p)
        return 0;
    *ret_at = q;
    return atoi_safe(q, p);
}

/*
 * The building a demo case is filed under, and its text: the building its
 * text names ("5号楼…") when the community has it; otherwise one of the
 * community's, by turn, and a text naming that one instead, so that a case
 * always sits under the building it describes.
 */
static Error *demo_case_building(Store *st, Arena *a, const int64_t *buildings, size_t n, size_t turn,
                                 const char *text, int64_t *ret_id, const char **ret_text)
{
    const char *at = NULL, *comm, *name;
    int64_t grid, units;
    int number = building_number(text, &at);
    Error *err;

    *ret_id = buildings[(turn * 5) % n];
    *ret_text = text;
    if (!number)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        err = cases_store_building(st, a, buildings[i], &comm, &grid, &name, &units);
        if (err)
            return err;
        if (strcmp(name, arena_sprintf(a, "%d号楼", number)) == 0) {
            *ret_id = buildings[i];
            return NULL;
        }
    }
    err = cases_store_building(st, a, *ret_id, &comm, &grid, &name, &units);
    if (err)
        return err;
    *ret_text = arena_sprintf(a, "%.*s%s%s", (int)(at - text), text, name, strstr(at, "号楼") + strlen("号楼"));
    return NULL;
}

static int older_first(const void *x, const void *y)
{
    const DemoCase *a = &demo_cases[*(const size_t *)x], *b = &demo_cases[*(const size_t *)y];

    if (a->days_ago != b->days_ago)
        return a->days_ago > b->days_ago ? -1 : 1;
    if (a->hour != b->hour)
        return a->hour < b->hour ? -1 : 1;
    return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

/* @t, or the next 09:00-ish when it falls outside 08:30-19:30 local time: people work then. */
static int64_t office_hours(int64_t t)
{
    int64_t day;
    int minute;

    time_local(t, TIME_OFFSET_SHANGHAI, &day, &minute);
    if (minute >= 8 * 60 + 30 && minute < 19 * 60 + 30)
        return t;
    if (minute >= 19 * 60 + 30)
        day++;
    return time_day_start_ms(day, TIME_OFFSET_SHANGHAI) + (int64_t)(9 * 60 + minute % 37) * 60000;
}

static Error *demo_step(Store *st, Arena *a, int64_t id, CaseAction action, int64_t unit,
                        const char *reason, const char *rating, int64_t actor, const char *name,
                        int64_t at)
{
    CaseStepInput in = { .t = case_transition(action), .unit_id = unit, .reason = reason,
                         .rating = rating, .actor_id = actor, .actor_name = name };
    CaseState to;

    return cases_store_step(st, a, id, &in, at, &to);
}

Error *cases_demo(Store *st, Arena *a, const CryptoKeys *keys, const char *community, int days,
                  uint64_t seed)
{
    static const struct {
        const char *name, *kind, *phone;
    } units[] = {
        { "幸福物业服务中心", "property", "021-62000001" },
        { "幸福居委会", "committee", "021-62000002" },
        { "新华路街道城管中队", "city_management", "021-62000003" },
        { "新华路派出所", "police", "021-62000004" },
        { "新华路街道网格化管理中心", "street_grid", "021-62000005" },
    };
    static const struct {
        const char *category;
        int unit;                    /* index into units */
    } routes[] = {
        { "corridor_clutter", 0 }, { "illegal_charging", 0 }, { "group_rental", 3 },
        { "noise", 0 },            { "sanitation", 0 },       { "facility_damage", 0 },
        { "greenery", 0 },         { "parking", 2 },          { "safety_hazard", 4 },
        { "elevator", 1 },         { "livelihood", 1 },
    };
    CaseSettings settings = { 72, true, 31.2040, 121.4180, 31.2120, 121.4290 };
    int64_t unit_ids[5], property = 0, staff = 0, now = time_now_ms();
    int64_t buildings[32], n_history = 0, step_at = 0;
    size_t order[ARRAY_SIZE(demo_cases)];
    size_t n_buildings = 0;
    const char *staff_name = "", *property_name = "";
    Error *err;

    (void)keys;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        CaseUnit u = { .community = community, .name = units[i].name, .kind = units[i].kind,
                       .phone = units[i].phone, .active = true };

        err = cases_store_unit_insert(st, a, &u);
        if (err)
            return err;
        unit_ids[i] = u.id;
    }
    err = cases_store_user_id(st, a, "property", &property, &property_name);
    if (!err && property) {
        CaseUnit u = { .id = unit_ids[0], .community = community };

        err = cases_store_unit_set_users(st, a, &u, &property, 1);
    }
    if (!err)
        err = cases_store_user_id(st, a, "staff", &staff, &staff_name);
    for (size_t i = 0; !err && i < sizeof(routes) / sizeof(routes[0]); i++) {
        CaseCategory *cat = NULL;
        CaseRoute r = { .community = community, .unit_id = unit_ids[routes[i].unit] };

        err = cases_store_category_find(st, a, community, routes[i].category, &cat);
        if (!err && cat) {
            r.category_id = cat->id;
            err = cases_store_route_insert(st, a, &r);
        }
    }
    if (!err)
        err = cases_store_settings_set(st, a, community, &settings);
    /* months of history first: the scripted cases below are the newest, as their ids say */
    if (!err)
        err = cases_demo_history(st, a, keys, community, days, seed, now, &n_history);
    if (!err)
        err = cases_store_buildings_of(st, a, community, buildings, 32, &n_buildings);
    if (err || n_buildings == 0)
        return err;
    /* oldest first, so that ids (the lists' newest-first order) follow the demo's dates */
    for (size_t k = 0; k < ARRAY_SIZE(demo_cases); k++)
        order[k] = k;
    qsort(order, ARRAY_SIZE(demo_cases), sizeof(order[0]), older_first);
    for (size_t k = 0; k < ARRAY_SIZE(demo_cases); k++) {
        size_t i = order[k];
        const DemoCase *d = &demo_cases[i];
        Case c = { 0 };
        CaseCategory *cat = NULL;
        const char *who_name = "", *bname = NULL, *bcomm = NULL;
        int64_t who = 0, at, units_n = 0;
        int64_t day;
        int minute;

        time_local(now, TIME_OFFSET_SHANGHAI, &day, &minute);
        at = time_day_start_ms(day - d->days_ago, TIME_OFFSET_SHANGHAI) +
             (int64_t)d->hour * 3600000 + (int64_t)(i * 7 % 50) * 60000;
        while (at > now) /* later today than now: the same hour a day earlier, still a waking one */
            at -= 86400000;
        err = cases_store_user_id(st, a, d->reporter, &who, &who_name);
        if (!err)
            err = cases_store_category_find(st, a, community, d->category, &cat);
        if (err)
            return err;
        if (!cat || !who)
            continue;
        c.community = community;
        c.category_id = cat->id;
        err = demo_case_building(st, a, buildings, n_buildings, i, d->text, &c.building_id,
                                 &c.description);
        if (!err)
            err = cases_store_building(st, a, c.building_id, &bcomm, &c.grid_id, &bname, &units_n);
        if (err)
            return err;
        c.unit_no = 1 + (int64_t)(i % (size_t)(units_n ? units_n : 1));
        {
            /* "2单元" in the text: that unit, when the building has it */
            const char *u = strstr(c.description, "单元");

            if (u && u > c.description && u[-1] >= '1' && u[-1] <= '9' && u[-1] - '0' <= units_n)
                c.unit_no = u[-1] - '0';
        }
        c.source = strcmp(d->reporter, "staff") == 0 ? "phone" : "app";
        c.reporter_id = strcmp(d->reporter, "staff") == 0 ? 0 : who;
        c.logged_by = strcmp(d->reporter, "staff") == 0 ? who : 0;
        c.contact_ok = i % 3 != 0;
        if (strcmp(d->reporter, "staff") == 0)
            c.contact_name = "来电居民";
        c.created_at = at;
        err = cases_deadlines(st, a, &c, cat);
        if (!err)
            err = cases_store_route_match(st, a, community, c.category_id, c.grid_id, &c.unit_id);
        if (!err)
            err = cases_store_insert(st, a, &c, NULL, 0, who,
                                     strcmp(d->reporter, "staff") == 0 ? "13800138000" : NULL,
                                     keys, who, who_name, at);
        if (err)
            return err;
        if (!c.unit_id && d->steps[0]) {
            /* no rule: the community dispatches it to its own committee */
            err = demo_step(st, a, c.id, CASE_DISPATCH, unit_ids[1], NULL, NULL, staff, staff_name,
                            at + 1800000);
            if (err)
                return err;
        }
        step_at = at;
        for (const char *p = d->steps; *p; p++) {
            /* five hours after the last step, in office hours */
            int64_t t = office_hours(step_at + (int64_t)5 * 3600000);

            step_at = t;
            if (t > now)
                t = now - 1000 * (int64_t)(strlen(d->steps) - (size_t)(p - d->steps));
            switch (*p) {
            case 'h':
                err = demo_step(st, a, c.id, CASE_HANDLE, 0, "已到现场处置", NULL,
                                property ? property : staff, property ? property_name : staff_name, t);
                break;
            case 'v':
                err = demo_step(st, a, c.id, CASE_VERIFY, 0, "现场核查已解决", NULL, staff,
                                staff_name, t);
                break;
            case 'c':
                err = demo_step(st, a, c.id, CASE_CLOSE, 0, NULL, NULL, staff, staff_name, t);
                break;
            case 'r':
                err = demo_step(st, a, c.id, CASE_RETURN, 0, "不属于物业职责，请改派城管", NULL,
                                property ? property : staff, property ? property_name : staff_name, t);
                break;
            case 'd':
                err = demo_step(st, a, c.id, CASE_DISPATCH, unit_ids[2], "改派城管中队", NULL,
                                staff, staff_name, t);
                break;
            case 'o':
                err = demo_step(st, a, c.id, CASE_HOLD, 0, "等待业委会讨论停车方案", NULL, staff,
                                staff_name, t);
                break;
            case 's':
            case 'b':
            case 'n':
                if (!c.reporter_id)
                    break;
                err = demo_step(st, a, c.id, CASE_RATE, 0,
                                *p == 'n' ? "晚上还是很吵" : "处理得很及时，谢谢",
                                *p == 's' ? "satisfied" : *p == 'b' ? "basically_satisfied" : "unsatisfied",
                                c.reporter_id, who_name, t);
                break;
            default:
                break;
            }
            if (err)
                return err;
        }
    }
    return cases_store_sweep(st, a, now, NULL);
}
