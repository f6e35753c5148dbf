/*
 * The indicators of every community of a scope (analytics.h): a dozen
 * grouped queries, each through the module that owns the rows, folded
 * into one AnalyticsCommunity per community by binary search on its code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account_store.h"
#include "analytics/analytics.h"
#include "assistant/assistant.h"
#include "booking/booking_store.h"
#include "cases/cases.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "volunteers/volunteers_store.h"
#include "core/banned.h"

const AnalyticsIndicatorDef analytics_indicators[_AN_INDICATOR_MAX] = {
    [AN_RESIDENTS] = { "residents", "常住人口", "人", "population", false },
    [AN_HOUSEHOLDS] = { "households", "户数", "户", "population", false },
    [AN_BUILDINGS] = { "buildings", "楼栋数", "栋", "housing", false },
    [AN_HOUSEHOLDS_PER_BUILDING] = { "households_per_building", "栋均户数", "户", "housing", true },
    [AN_AVG_FLOORS] = { "avg_floors", "平均层数", "层", "housing", true },
    [AN_LOW_RISE_SHARE] = { "low_rise_share", "6层及以下楼栋占比", "%", "housing", true },
    [AN_CHILDREN_SHARE] = { "children_share", "18岁以下占比", "%", "population", true },
    [AN_ELDERLY_60_SHARE] = { "elderly_60_share", "60岁以上占比", "%", "population", false },
    [AN_ELDERLY_65_SHARE] = { "elderly_65_share", "65岁以上占比", "%", "population", true },
    [AN_ELDERLY_80_SHARE] = { "elderly_80_share", "80岁以上占比", "%", "population", false },
    [AN_LIVING_ALONE_SHARE] = { "living_alone_share", "独居户占比", "%", "population", true },
    [AN_KEY_POPULATION_PER_1000] = { "key_population_per_1000", "重点人群（每千人）", "‰",
                                     "population", true },
    [AN_NEWCOMER_SHARE] = { "newcomer_share", "近一年迁入占比", "%", "population", true },
    [AN_CASES_PER_1000] = { "cases_per_1000", "近12个月报事（每千人）", "‰", "demand", true },
    [AN_QUESTIONS_PER_1000] = { "questions_per_1000", "近12个月咨询（每千人）", "‰", "demand",
                                false },
    [AN_UNANSWERED_SHARE] = { "unanswered_share", "未答咨询占比", "%", "demand", false },
    [AN_BOOKINGS_PER_1000] = { "bookings_per_1000", "近12个月及待用的活动室预约（每千人）", "‰", "demand",
                               false },
    [AN_WORKERS_PER_1000] = { "workers_per_1000", "社区工作者（每千人）", "‰", "supply", false },
    [AN_VOLUNTEERS_PER_1000] = { "volunteers_per_1000", "志愿者（每千人）", "‰", "supply", false },
    [AN_RESPONSE_RATE] = { "response_rate", "响应率", "%", "results", false },
    [AN_ON_TIME_RATE] = { "on_time_rate", "按时办结率", "%", "results", false },
    [AN_SATISFACTION_RATE] = { "satisfaction_rate", "满意率", "%", "results", false },
    [AN_WORKLOAD_PER_WORKER] = { "workload_per_worker", "人均工作量", "单位", "supply", false },
};

int analytics_indicator_find(const char *key)
{
    for (int i = 0; key && i < _AN_INDICATOR_MAX; i++)
        if (strcmp(analytics_indicators[i].key, key) == 0)
            return i;
    return -1;
}

const char *analytics_scope_word(const char *scope)
{
    switch (strlen(scope)) {
    case 12:
        return "本社区";
    case 9:
        return "全街道";
    case 6:
        return "全区（县）";
    case 4:
        return "全市";
    case 2:
        return "全省";
    default:
        return "全部社区";
    }
}

bool analytics_scope_valid(const char *s)
{
    size_t n = strlen(s);

    if (!(n == 0 || n == 2 || n == 4 || n == 6 || n == 9 || n == 12))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int64_t analytics_workload(const AnalyticsCounts *c)
{
    return c->households + 2 * c->key_population + c->cases;
}

static int by_code(const void *key, const void *elem)
{
    return strcmp(key, ((const AnalyticsCommunity *)elem)->code);
}

AnalyticsCommunity *analytics_find(const AnalyticsSet *set, const char *code)
{
    if (!set->n || !code)
        return NULL;
    return bsearch(code, set->c, set->n, sizeof(*set->c), by_code);
}

static double ratio(int64_t num, int64_t den, double scale)
{
    return den > 0 ? (double)num * scale / (double)den : NAN;
}

static void derive(AnalyticsCommunity *m)
{
    AnalyticsCounts *c = &m->c;
    double *v = m->v;
    int64_t children = 0, e60 = 0, e65 = 0, e80 = 0, workers;

    for (int g = 0; g < 2; g++) {
        children += c->age[g][0] + c->age[g][1];
        e60 += c->age[g][4] + c->age[g][5] + c->age[g][6];
        e65 += c->age[g][5] + c->age[g][6];
        e80 += c->age[g][6];
    }
    workers = c->staff + c->secretaries + c->grid_workers;
    c->workload = analytics_workload(c);
    v[AN_RESIDENTS] = (double)c->residents;
    v[AN_HOUSEHOLDS] = (double)c->households;
    v[AN_BUILDINGS] = (double)c->buildings;
    v[AN_HOUSEHOLDS_PER_BUILDING] = ratio(c->households, c->buildings, 1);
    v[AN_AVG_FLOORS] = ratio(c->floors, c->buildings, 1);
    v[AN_LOW_RISE_SHARE] = ratio(c->low_rise, c->buildings, 100);
    v[AN_CHILDREN_SHARE] = ratio(children, c->residents, 100);
    v[AN_ELDERLY_60_SHARE] = ratio(e60, c->residents, 100);
    v[AN_ELDERLY_65_SHARE] = ratio(e65, c->residents, 100);
    v[AN_ELDERLY_80_SHARE] = ratio(e80, c->residents, 100);
    v[AN_LIVING_ALONE_SHARE] = ratio(c->living_alone, c->households, 100);
    v[AN_KEY_POPULATION_PER_1000] = ratio(c->key_population, c->residents, 1000);
    v[AN_NEWCOMER_SHARE] = ratio(c->newcomers, c->residents, 100);
    v[AN_CASES_PER_1000] = ratio(c->cases, c->residents, 1000);
    v[AN_QUESTIONS_PER_1000] = ratio(c->questions, c->residents, 1000);
    v[AN_UNANSWERED_SHARE] = ratio(c->unanswered, c->questions, 100);
    v[AN_BOOKINGS_PER_1000] = ratio(c->bookings, c->residents, 1000);
    v[AN_WORKERS_PER_1000] = ratio(workers, c->residents, 1000);
    v[AN_VOLUNTEERS_PER_1000] = ratio(c->volunteers, c->residents, 1000);
    v[AN_RESPONSE_RATE] = ratio(c->resp_ok, c->resp_due, 100);
    v[AN_ON_TIME_RATE] = ratio(c->res_ok, c->res_due, 100);
    v[AN_SATISFACTION_RATE] = ratio(c->satisfied + c->basically, c->rated, 100);
    v[AN_WORKLOAD_PER_WORKER] = ratio(c->workload, workers, 1);
}

/* yyyymm of @months before the month of @today. */
static int month_back(const char *today, int months)
{
    int y, m, d, k;

    date_parse(today, &y, &m, &d);
    k = y * 12 + (m - 1) - months;
    return (k / 12) * 100 + k % 12 + 1;
}

static void fold(const AnalyticsSet *set, const CountRows *rows,
                 void (*fn)(AnalyticsCommunity *m, const CountRow *r))
{
    for (size_t i = 0; i < rows->n; i++) {
        AnalyticsCommunity *m = analytics_find(set, rows->v[i].community);

        if (m)
            fn(m, &rows->v[i]);
    }
}

static void fold_age(AnalyticsCommunity *m, const CountRow *r)
{
    int g = strcmp(r->key, "male") == 0 ? 0 : 1;

    if (r->n[0] < 0 || r->n[0] >= REGISTRY_AGE_BANDS)
        return;
    m->c.age[g][r->n[0]] += r->n[1];
    m->c.residents += r->n[1];
    if (g == 0)
        m->c.male += r->n[1];
    else
        m->c.female += r->n[1];
}

static void fold_alone(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.living_alone += r->n[0];
}

static void fold_buildings(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.floors += r->n[1];
    m->c.low_rise += r->n[2];
    m->c.high_rise += r->n[3];
}

static void fold_newcomers(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.newcomers += r->n[0];
}

static void fold_cases(AnalyticsCommunity *m, const CountRow *r)
{
    AnalyticsCounts *c = &m->c;

    c->cases += r->n[0];
    c->cases_open += r->n[1];
    c->resp_due += r->n[3];
    c->resp_ok += r->n[4];
    c->res_due += r->n[5];
    c->res_ok += r->n[6];
    c->rated += r->n[7];
    c->satisfied += r->n[8];
    c->basically += r->n[9];
}

static void fold_questions(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.questions += r->n[0];
    m->c.unanswered += r->n[1];
}

static void fold_rooms(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.rooms += r->n[0];
}

static void fold_bookings(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.bookings += r->n[0];
    m->c.booked_minutes += r->n[1];
}

static void fold_workers(AnalyticsCommunity *m, const CountRow *r)
{
    if (strcmp(r->key, "staff") == 0)
        m->c.staff += r->n[0];
    else if (strcmp(r->key, "secretary") == 0)
        m->c.secretaries += r->n[0];
    else if (strcmp(r->key, "grid_worker") == 0)
        m->c.grid_workers += r->n[0];
}

static void fold_volunteers(AnalyticsCommunity *m, const CountRow *r)
{
    m->c.volunteers += r->n[0];
}

Error *analytics_compute(Store *st, Arena *a, const char *scope, int64_t now_ms,
                         AnalyticsSet *ret)
{
    CountRows communities = { 0 }, ages = { 0 }, alone = { 0 }, buildings = { 0 },
              newcomers = { 0 }, workers = { 0 }, volunteers = { 0 };
    AnalyticsSet *set = ret;
    int y, m, d;
    Error *err;

    memset(set, 0, sizeof(*set));
    set->scope = scope;
    auth_scope_bounds(a, scope, &set->lo, &set->hi);
    set->now_ms = now_ms;
    date_today(set->today);
    date_parse(set->today, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    {
        char buf[40];

        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y - 1, m, d);
        memcpy(set->since_date, buf, sizeof(set->since_date) - 1);
        set->since_date[sizeof(set->since_date) - 1] = '\0';
    }
    set->to_month = month_back(set->today, 0);
    set->from_month = month_back(set->today, 11);
    set->since_ms = now_ms - 365 * TIME_DAY_MS;

    err = registry_store_count_communities(st, a, set->lo, set->hi, &communities);
    if (err)
        return err;
    set->n = communities.n;
    set->c = arena_zalloc(a, (communities.n ? communities.n : 1) * sizeof(*set->c));
    for (size_t i = 0; i < communities.n; i++) {
        AnalyticsCommunity *c = &set->c[i];
        const CountRow *r = &communities.v[i];

        c->code = r->community;
        c->street_code = r->key;
        c->name = r->label;
        c->c.buildings = r->n[0];
        c->c.households = r->n[1];
        c->c.key_population = r->n[2];
    }
    err = registry_store_count_ages(st, a, set->lo, set->hi, set->today, &ages);
    if (!err)
        err = registry_store_count_living_alone(st, a, set->lo, set->hi, &alone);
    if (!err)
        err = registry_store_count_buildings(st, a, set->lo, set->hi, &buildings);
    if (!err)
        err = registry_store_count_newcomers(st, a, set->lo, set->hi, set->since_date, &newcomers);
    if (!err)
        err = registry_store_count_tags(st, a, set->lo, set->hi, &set->tags);
    if (!err)
        err = cases_store_counts_by_community(st, a, set->lo, set->hi, set->from_month,
                                              set->to_month, &set->cases);
    if (!err)
        err = assistant_store_counts_by_community(st, a, set->lo, set->hi, set->since_ms,
                                                  &set->questions);
    if (!err)
        err = booking_store_rooms_by_community(st, a, set->lo, set->hi, &set->rooms);
    if (!err)
        err = booking_store_bookings_by_community(st, a, set->lo, set->hi, set->since_ms,
                                                  now_ms + 366 * TIME_DAY_MS,
                                                  &set->bookings);
    if (!err)
        err = account_store_workers_by_community(st, a, set->lo, set->hi, &workers);
    if (!err)
        err = volunteers_store_counts_by_community(st, a, set->lo, set->hi, &volunteers);
    if (err)
        return err;
    fold(set, &ages, fold_age);
    fold(set, &alone, fold_alone);
    fold(set, &buildings, fold_buildings);
    fold(set, &newcomers, fold_newcomers);
    fold(set, &set->cases, fold_cases);
    fold(set, &set->questions, fold_questions);
    fold(set, &set->rooms, fold_rooms);
    fold(set, &set->bookings, fold_bookings);
    fold(set, &workers, fold_workers);
    fold(set, &volunteers, fold_volunteers);

    for (int k = 0; k < _AN_INDICATOR_MAX; k++) {
        double sum = 0;
        size_t n = 0;

        for (size_t i = 0; i < set->n; i++) {
            if (k == 0)
                derive(&set->c[i]);
            if (set->c[i].c.residents > 0 && !isnan(set->c[i].v[k])) {
                sum += set->c[i].v[k];
                n++;
            }
        }
        set->mean[k] = n ? sum / (double)n : NAN;
    }
    return NULL;
}
