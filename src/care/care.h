#pragma once
/*
 * Care of the elderly: the ability assessment of GB/T 42195-2022
 * 《老年人能力评估规范》, as ../shared/standards/STANDARDS.md §1 gives it.
 *
 * 26 items (B.1.1 … B.4.5) in four dimensions: 自理能力 B.1 (32),
 * 基础运动能力 B.2 (15), 精神状态 B.3 (28), 感知觉与社会参与 B.4 (15);
 * total 90, higher = more able. The preliminary level comes from the total
 * alone (C.3): 0 能力完好 90, 1 轻度 66–89, 2 中度 46–65, 3 重度 30–45,
 * 4 完全丧失 0–29. Annex C.4 then adjusts it: coma → level 4; dementia
 * (F00–F03) or another psychiatric diagnosis (F04–F99) → one level up;
 * 2 or more care-risk events in the last 30 days → one level up; never
 * above 4.
 *
 * What the found transcriptions leave open or contradict is a setting
 * (CareAssessRules), with the C.4 reading as the default:
 *  - coma: C.4 says 完全丧失 (level 4); the B.3.9 note of the same form
 *    says 重度失能 (level 3), carried over from the 2013 standard;
 *  - "2 次及以上" risk events: summed over the event types, or of one type;
 *  - whether the diagnosis and risk-event rules stack (up to two levels)
 *    or raise the level by one at most together.
 * The option wording of B.1.7 and B.4.4 also differs between
 * transcriptions; the scores do not, so scoring is unaffected.
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/error.h"
#include "http/router.h"
#include "store/store.h"

#define CARE_ITEMS 26
#define CARE_DIMENSIONS 4
#define CARE_LEVEL_MAX 4
#define CARE_DIAGNOSES_MAX 32

typedef struct CareItem {
    const char *code;  /* "B.1.1" */
    const char *name;  /* "进食" */
    int max;           /* highest score; options are 0 … max */
} CareItem;

typedef struct CareDimension {
    const char *code;  /* "B.1" */
    const char *name;  /* "自理能力" */
    int max;
} CareDimension;

/* The 26 items in the standard's order, and the four dimensions. */
extern const CareItem care_items[CARE_ITEMS];
extern const CareDimension care_dimensions[CARE_DIMENSIONS];

/* The care-risk events of A.2.14 (近30天内照护风险事件). */
typedef enum CareRiskEvent {
    CARE_RISK_FALL,        /* fall: 跌倒 */
    CARE_RISK_CHOKING,     /* choking: 噎食 */
    CARE_RISK_SUICIDE,     /* suicide: 自杀 */
    CARE_RISK_SELF_HARM,   /* self_harm: 自伤 */
    CARE_RISK_WANDERING,   /* wandering: 走失 */
    CARE_RISK_OTHER,       /* other: 其他 */
    _CARE_RISK_EVENT_MAX
} CareRiskEvent;

typedef enum CareComaRule {
    CARE_COMA_COMPLETE, /* C.4: 直接评定为能力完全丧失 (level 4); the default */
    CARE_COMA_SEVERE,   /* the B.3.9 note: 重度失能 (at least level 3) */
    _CARE_COMA_RULE_MAX
} CareComaRule;

typedef enum CareRiskCount {
    CARE_RISK_SUM,      /* 2 or more events in all; the default */
    CARE_RISK_PER_TYPE, /* 2 or more events of one type */
    _CARE_RISK_COUNT_MAX
} CareRiskCount;

typedef struct CareAssessRules {
    CareComaRule coma;
    CareRiskCount risk_count;
    bool stack;         /* diagnosis and risk events each raise one level (default true) */
} CareAssessRules;

typedef struct CareAssessInput {
    int items[CARE_ITEMS];           /* scores in care_items' order */
    bool coma;
    int n_diagnoses;
    const char *diagnoses[CARE_DIAGNOSES_MAX];  /* ICD-10 codes, upper case */
    int risk_events[_CARE_RISK_EVENT_MAX];
} CareAssessInput;

typedef struct CareAdjustment {
    const char *rule;    /* "coma", "diagnosis", "risk_events" */
    const char *reason;  /* Chinese, naming what triggered it */
} CareAdjustment;

typedef struct CareAssessment {
    int total;
    int dimensions[CARE_DIMENSIONS];
    int preliminary_level;
    int n_adjustments;
    CareAdjustment adjustments[3];
    int final_level;
} CareAssessment;

/* The C.4 reading: coma → 4, count events summed over types, rules stack. */
void care_assess_rules_default(CareAssessRules *ret);

/* The level (0–4) of a total score (0–90), by C.3. */
int care_level_of_total(int total);
/* "能力完好", "能力轻度受损（轻度失能）", … for levels 0–4. */
const char *care_level_name(int level);

/*
 * Reads an assessment: {"items": {"B.1.1": 4, …, "B.4.5": 3}, "coma": false,
 * "diagnoses": ["F01"], "risk_events_30d": {"fall": 1, "choking": 1}}.
 * Every item is required; "coma", "diagnoses" and "risk_events_30d" may be
 * left out. A 422 naming the field (items.B.1.1, diagnoses[0],
 * risk_events_30d.fall) for a missing item, an option that does not exist,
 * an unknown field or event type, or a malformed diagnosis code.
 */
Error *care_assess_parse(Arena *a, json_t *obj, CareAssessInput *ret);

/* Scores @in: the four dimensions, the total, the levels and the adjustments. */
void care_assess(Arena *a, const CareAssessInput *in, const CareAssessRules *rules,
                 CareAssessment *ret);

/* {"total", "dimensions": {"B.1", …}, "preliminary_level", "adjustments", "final_level"} */
json_t *care_assessment_json(const CareAssessment *as);

/* `linli care ...` */
int care_cli(int argc, char **argv);

/*
 * ---- The server side (issue 15): people in care on the registry ----
 *
 * A person in care is a care episode of a resident (care_person): opened by
 * staff with reasons, closed (moved, care home, deceased) with a reason,
 * the history kept. Each has every ability assessment made (care_assess,
 * the code the CLI runs), a community risk grade (关爱等级: 一级 重点,
 * 二级 关注, 三级 一般) computed by readable rules the community may change
 * (care_grade), perhaps overridden by staff with a reason, helpers paired
 * with her (结对), visits on the grade's rhythm, daily 平安 checks and days
 * away. The overdue sweep (care_sweep.c) tells helpers, then staff, then
 * the secretary, once per (person, kind, day).
 *
 * Health and care data are sealed at rest with core/crypto (as the registry
 * seals ID numbers); lists show only levels, grades and dates; every full
 * view of a person is audited (care.view_full).
 */

/* Risk tags staff set on a person (sealed at rest). */
typedef enum CareTag {
    CARE_TAG_CHRONIC,     /* chronic: 慢性病 */
    CARE_TAG_FALL,        /* fall: 近期跌倒 */
    CARE_TAG_HOSPITAL,    /* hospital: 近期住院 */
    CARE_TAG_NO_RELATIVE, /* no_relative: 子女不在身边 */
    CARE_TAG_LOW_INCOME,  /* low_income: 低收入 */
    _CARE_TAG_MAX
} CareTag;

/* What a grade rule's condition looks at. */
typedef enum CareFactor {
    CARE_FACTOR_ABILITY,       /* ability_level >= min (the last assessment's) */
    CARE_FACTOR_ALONE,         /* lives_alone: marked 独居, or the only active resident of her household */
    CARE_FACTOR_AGE,           /* age >= min */
    CARE_FACTOR_TAG,           /* tag: one of the CareTags is set */
    CARE_FACTOR_MISSED_CHECKS, /* missed_checks >= min: daily checks missed in the last 30 days */
    _CARE_FACTOR_MAX
} CareFactor;

#define CARE_GRADES 3          /* 1 重点, 2 关注, 3 一般 */
#define CARE_RULES_MAX 30
#define CARE_CONDS_MAX 5
#define CARE_RULE_NAME_MAX 40

typedef struct CareCond {
    CareFactor factor;
    int min;                   /* ability_level, age, missed_checks */
    CareTag tag;               /* tag */
} CareCond;

/* "When all of @conds hold, the grade is at least @grade" (1 or 2). */
typedef struct CareGradeRule {
    const char *name;          /* "独居且高龄", shown as the reason */
    int grade;
    int n_conds;
    CareCond conds[CARE_CONDS_MAX];
} CareGradeRule;

typedef struct CareRhythm {
    int visit_days;            /* a visit at least every N days */
    bool daily_check;          /* a 平安 check expected every day */
} CareRhythm;

typedef struct CareSettings {
    int age_threshold;         /* who counts as elderly: age >= this (default 60) */
    int n_rules;
    CareGradeRule rules[CARE_RULES_MAX];
    CareRhythm rhythm[CARE_GRADES + 1]; /* [1] … [3] */
    int check_hour;            /* no check by this hour (Beijing) tells the helpers (default 10) */
    int staff_after_hours;     /* …and this many hours later the community's staff (default 2) */
    int check_escalate_days;   /* checks missed this many days running: the secretary (default 2) */
    int visit_escalate_days;   /* a visit this many days overdue: the secretary (default 7) */
    CareAssessRules assess;    /* how C.4's adjustments read (care.h above) */
} CareSettings;

/* What the grade is computed from. */
typedef struct CareFacts {
    int ability_level;         /* -1: never assessed */
    bool lives_alone;
    int age;
    bool tags[_CARE_TAG_MAX];
    int missed_checks;
} CareFacts;

typedef struct CareGrade {
    int grade;                 /* 1 … 3 */
    int n_reasons;
    const CareGradeRule *reasons[CARE_RULES_MAX]; /* every rule that held, most severe first */
} CareGrade;

/* ---- rules (care_rules.c): pure, no I/O ---- */

const char *care_tag_name(CareTag t);          /* "chronic" */
const char *care_tag_label(CareTag t);         /* "慢性病" */
bool care_tag_parse(const char *s, CareTag *ret);
const char *care_grade_label(int grade);       /* "一级（重点）" */

/* The defaults: age 60, the rules of docs/API.md, 7/14/30 days, daily check for 一级, 10 点. */
void care_settings_default(CareSettings *ret);
/*
 * Reads settings from @obj onto @inout (keys left out keep their value;
 * "rules" replaces the whole list). 422 naming the field ("rules[2].when[0].min")
 * for an unknown key, factor or tag, a value out of range, or a rule list
 * that is empty. Strings are copied into @a.
 */
Error *care_settings_parse(Arena *a, json_t *obj, CareSettings *inout);
/* The settings as care_settings_parse reads them; new reference. */
json_t *care_settings_json(const CareSettings *s);
/* The grade of @f under @s's rules, with every rule that held. */
void care_grade(const CareSettings *s, const CareFacts *f, CareGrade *ret);
/* [{"rule","grade"}] of @g; for no rule, one line saying so; new reference. */
json_t *care_grade_reasons_json(const CareGrade *g);
/* yyyymm (Beijing) of @ms. */
int care_month(int64_t ms);
/* "YYYY-MM-DD" (Beijing) of @ms into @buf. */
void care_day(int64_t ms, char buf[11]);

/* ---- the server (care_routes.c, care_sweep.c, care_demo.c) ---- */

/*
 * The overdue sweep at @now_ms in one write transaction of its own (rolled
 * back on failure): alerts and their notices, once per (person, kind, day)
 * whatever runs at once (care_sweep.c). *ret_n (may be NULL): alerts raised.
 */
Error *care_sweep(Store *st, Arena *a, const CryptoKeys *k, int64_t now_ms, int64_t *ret_n);
/* What the sweep thread of `linli serve` needs (cases_serve_also's context). */
typedef struct CareSweepCtx {
    const CryptoKeys *keys;
    const char *files_base;  /* visit photos lie in "<files_base>.files/care" */
} CareSweepCtx;
/* care_sweep and the visit photo purge for the sweep thread; @ctx: a CareSweepCtx. */
Error *care_sweep_hook(Store *st, Arena *a, int64_t now_ms, void *ctx);
/*
 * Deletes up to a batch of orphan visit photos (taken by no visit a day
 * after their upload): rows in one write transaction with their audit
 * entries, then the files (care_photo.c). *ret_n (may be NULL): how many.
 */
Error *care_photo_purge(Store *st, Arena *a, const char *files_base, int64_t now_ms,
                        const char *rid, size_t *ret_n);
void care_routes_register(Router *r);
/* POST /care/people/{id}/photos, GET /care/photos/{id} (care_photo.c). */
void care_photo_routes_register(Router *r);
/*
 * Inside a write transaction: `linli demo`'s care in @community (seeded by
 * @seed), with the accounts volunteer and elder (@password). *ret_n: people.
 */
Error *care_demo(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                 const char *password, uint64_t seed, int64_t now_ms, int64_t *ret_n);
/*
 * `linli care generate` (benchmarks): up to @per_community elderly of each
 * community of @street in care as the demo's, paired with the demo's grid
 * worker, one write transaction per community. *ret_n: people.
 */
Error *care_generate(Store *st, Arena *a, const CryptoKeys *k, const char *street,
                     int64_t per_community, uint64_t seed, int64_t now_ms, int64_t *ret_n);
