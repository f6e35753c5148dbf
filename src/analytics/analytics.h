#pragma once
/*
 * Analytics (issue 20): community portraits, indicators per 1,000
 * residents, a rule-based and a data-driven classification of the
 * communities of a scope, key populations and a staffing suggestion.
 *
 * The module owns no facts. It reads the other modules through named
 * aggregate functions of their own stores (registry_store_count_*,
 * cases_store_counts_by_community, assistant_store_counts_by_community,
 * booking_store_*_by_community, account_store_workers_by_community,
 * volunteers_store_counts_by_community, care_store_last_visits; for the
 * service lists' suggestions activities_store_demand_by_community and the
 * life circle's geo_coverage_by_community), each one
 * grouped query over the scope's code range, so the indicators of a whole
 * city cost a dozen queries whatever the number of communities
 * (analytics_compute). The rules of the rule-based types are its only table
 * (analytics_rule, schema 38): per scope, the nearest scope with rules wins,
 * the defaults live at scope ''.
 *
 * analytics_classify.c is pure: rules, k-means (k-means++ seeding from a
 * seeded splitmix64, Lloyd's iterations in a fixed order, so a seed gives
 * the same groups on every machine) on the standardised indicators, and the
 * words that explain each group.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "registry/registry.h"
#include "store/store.h"
#include "store/store_counts.h"

typedef enum AnalyticsIndicator {
    AN_RESIDENTS,
    AN_HOUSEHOLDS,
    AN_BUILDINGS,
    AN_HOUSEHOLDS_PER_BUILDING,
    AN_AVG_FLOORS,
    AN_LOW_RISE_SHARE,
    AN_CHILDREN_SHARE,
    AN_ELDERLY_60_SHARE,
    AN_ELDERLY_65_SHARE,
    AN_ELDERLY_80_SHARE,
    AN_LIVING_ALONE_SHARE,
    AN_KEY_POPULATION_PER_1000,
    AN_NEWCOMER_SHARE,
    AN_CASES_PER_1000,
    AN_QUESTIONS_PER_1000,
    AN_UNANSWERED_SHARE,
    AN_BOOKINGS_PER_1000,
    AN_WORKERS_PER_1000,
    AN_VOLUNTEERS_PER_1000,
    AN_RESPONSE_RATE,
    AN_ON_TIME_RATE,
    AN_SATISFACTION_RATE,
    AN_WORKLOAD_PER_WORKER,
    _AN_INDICATOR_MAX
} AnalyticsIndicator;

typedef struct AnalyticsIndicatorDef {
    const char *key;     /* "elderly_65_share" */
    const char *label;   /* "65岁以上占比" */
    const char *unit;    /* "%", "‰" (per 1,000 residents), "人", "户" ... */
    const char *group;   /* population, housing, demand, supply, results */
    bool cluster;        /* one of the standardised dimensions of k-means */
} AnalyticsIndicatorDef;

extern const AnalyticsIndicatorDef analytics_indicators[_AN_INDICATOR_MAX];
/* The indicator named @key, or -1. */
int analytics_indicator_find(const char *key);

/* The raw counts behind one community's indicators (the window: AnalyticsSet). */
typedef struct AnalyticsCounts {
    int64_t residents, male, female, households, buildings, floors, low_rise, high_rise;
    int64_t age[2][REGISTRY_AGE_BANDS];  /* [0] male, [1] female, by band */
    int64_t living_alone, key_population, newcomers;
    int64_t staff, secretaries, grid_workers, volunteers, rooms;
    int64_t bookings, booked_minutes, questions, unanswered;
    int64_t cases, cases_open, resp_due, resp_ok, res_due, res_ok, rated, satisfied, basically;
    int64_t workload;  /* analytics_workload */
} AnalyticsCounts;

typedef struct AnalyticsCommunity {
    const char *code, *name, *street_code;
    AnalyticsCounts c;
    double v[_AN_INDICATOR_MAX]; /* NAN when its denominator is 0 */
} AnalyticsCommunity;

/* The indicators of every community of a scope, with the rows behind them. */
typedef struct AnalyticsSet {
    const char *scope;             /* the code prefix ("" everything) */
    const char *lo, *hi;
    char today[11];                /* UTC+8 */
    char since_date[11];           /* a year before today: newcomers moved in since */
    int from_month, to_month;      /* yyyymm: the last 12 months, this one included */
    int64_t since_ms, now_ms;
    AnalyticsCommunity *c;         /* by code */
    size_t n;
    double mean[_AN_INDICATOR_MAX]; /* over the communities with residents (NAN: none) */
    CountRows tags, cases, questions, rooms, bookings; /* as the modules gave them */
} AnalyticsSet;

/*
 * Reads and computes the indicators of every community whose code starts
 * with @scope, as of @now_ms, in the caller's read transaction. Memory in @a.
 */
Error *analytics_compute(Store *st, Arena *a, const char *scope, int64_t now_ms,
                         AnalyticsSet *ret);
/* The community @code of @set, or NULL. */
AnalyticsCommunity *analytics_find(const AnalyticsSet *set, const char *code);
/* households + 2 × key population + cases of the last 12 months. */
int64_t analytics_workload(const AnalyticsCounts *c);
#define ANALYTICS_WORKLOAD_FORMULA "户数 + 2 × 重点人群人数 + 近12个月报事件数"

/* A scope: 2, 4, 6, 9 or 12 digits, or "". */
bool analytics_scope_valid(const char *s);
/* "全街道", "全区（县）", "全市", "全省", "全部社区", "本社区" for a scope's length. */
const char *analytics_scope_word(const char *scope);

/* ---- rules and types (analytics_classify.c) ---- */

typedef enum AnalyticsOp { AN_OP_GE, AN_OP_GT, AN_OP_LE, AN_OP_LT, _AN_OP_MAX } AnalyticsOp;

typedef struct AnalyticsRule {
    const char *type;      /* "老龄化型" */
    int indicator;         /* AnalyticsIndicator */
    AnalyticsOp op;
    double threshold;      /* in the indicator's unit */
} AnalyticsRule;

#define ANALYTICS_MIXED "混合型"   /* more than one type's rules hold */
#define ANALYTICS_GENERAL "一般型" /* none does */
#define ANALYTICS_RULES_MAX 64
#define ANALYTICS_TYPE_MAX 20       /* characters of a type's name */

const char *analytics_op_name(AnalyticsOp op); /* ">=" ... */
bool analytics_op_parse(const char *s, AnalyticsOp *ret);

/*
 * The types whose every rule holds for @c (a type's rules are those with
 * its name; an indicator that is NAN holds no rule), at most @max into
 * @ret_types (in the rules' order, each once); returns how many. The
 * community's type is the only one, ANALYTICS_MIXED for several,
 * ANALYTICS_GENERAL for none (analytics_type_of).
 */
size_t analytics_match(const AnalyticsRule *rules, size_t n_rules, const AnalyticsCommunity *c,
                       const char **ret_types, size_t max);
const char *analytics_type_of(const char *const *types, size_t n);

/* ---- k-means (analytics_classify.c) ---- */

#define ANALYTICS_K_MAX 12
#define ANALYTICS_KMEANS_ITERATIONS 100

/*
 * Groups @n points of @d dimensions (@x row-major, no NAN) into @k groups:
 * k-means++ seeding from splitmix64(@seed), then Lloyd's iterations (ties to
 * the lower group; a group left empty takes the point farthest from its
 * centre) until nothing moves or ANALYTICS_KMEANS_ITERATIONS. @ret_group
 * (n) and @ret_centre (k × d) are the caller's; scratch in @a. @k must be
 * 1..min(n, ANALYTICS_K_MAX) (else 0 is returned and nothing written).
 * Returns the iterations run.
 */
int analytics_kmeans(Arena *a, const double *x, size_t n, size_t d, size_t k, uint64_t seed,
                     int *ret_group, double *ret_centre);

/*
 * The standardised matrix of @set's communities with residents over the
 * indicators marked cluster (z-scores; NAN and constant columns give 0),
 * into *ret_x (rows × dims, in @a), the row's community index into
 * *ret_rows, the indicator of each column into *ret_dims.
 */
void analytics_standardise(Arena *a, const AnalyticsSet *set, double **ret_x, size_t **ret_rows,
                           size_t *ret_n, int **ret_dims, size_t *ret_d);

/*
 * Each group's profile in words: its indicators (the cluster ones) whose
 * mean differs most from the scope's mean, "65岁以上占比为全街道均值的 1.8 倍"
 * or "…仅为全街道均值的 40%", at most three, new JSON array of strings.
 */
json_t *analytics_profile_words(const AnalyticsSet *set, const double *group_mean);

/*
 * Suggested workers per community (analytics_classify.c): one each, and the
 * remaining @total - n shared in proportion to @weight by largest
 * remainders (ties to the earlier one; all weights 0: evenly). When @total
 * is below n everyone still gets one. @ret has n slots.
 */
void analytics_allocate(const int64_t *weight, size_t n, int64_t total, int64_t *ret);

/* ---- JSON (analytics_json.c) ---- */

/* {"key","label","unit","group","cluster"} of every indicator, new. */
json_t *analytics_indicators_json(void);
/* {key: value or null} of @v, values rounded to 0.1 (counts whole). */
json_t *analytics_values_json(const double *v);
json_t *analytics_number(double v);
/* Where the rows behind a number are: {"route": @route, "query": {…}} from NULL-ended pairs. */
json_t *analytics_list(const char *route, ...);

/* [{"type","indicator","label","op","threshold","unit"}] of @rules, new. */
json_t *analytics_rules_json(const AnalyticsRule *rules, size_t n);
/* @c's type under @rules (NULL when it has no residents). */
const char *analytics_type_for(const AnalyticsRule *rules, size_t n_rules,
                               const AnalyticsCommunity *c);
/*
 * The classification of @set (docs/API.md, 分析): rules, rule types per
 * community, k-means with @k groups (at most the communities with
 * residents) from @seed, each group's profile. New reference.
 */
json_t *analytics_classification_json(Arena *a, const AnalyticsSet *set,
                                      const AnalyticsRule *rules, size_t n_rules,
                                      const char *rules_scope, size_t k, uint64_t seed);

/* ---- the rest ---- */

void analytics_routes_register(Router *r);
int analytics_cli(int argc, char **argv);
/* The demo street's service lists (analytics_demo.c), in the caller's transaction. */
Error *analytics_demo(Store *st, Arena *a, const char *street, int64_t now_ms, int *ret_n);
