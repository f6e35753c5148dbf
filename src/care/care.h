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
#include "core/error.h"

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
