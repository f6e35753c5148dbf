/*
 * The GB/T 42195-2022 ability assessment: reading one, scoring it, and its
 * report. The same code serves `linli care assess`, the API and the form.
 */
#include <ctype.h>
#include <string.h>

#include "care/care.h"
#include "core/strbuf.h"
#include "core/banned.h"

const CareItem care_items[CARE_ITEMS] = {
    { "B.1.1", "进食", 4 },
    { "B.1.2", "修饰", 4 },
    { "B.1.3", "洗澡", 4 },
    { "B.1.4", "穿/脱上衣", 4 },
    { "B.1.5", "穿/脱裤子和鞋袜", 4 },
    { "B.1.6", "小便控制", 4 },
    { "B.1.7", "大便控制", 4 },
    { "B.1.8", "如厕", 4 },
    { "B.2.1", "床上体位转移", 4 },
    { "B.2.2", "床椅转移", 4 },
    { "B.2.3", "平地行走", 4 },
    { "B.2.4", "上下楼梯", 3 },
    { "B.3.1", "时间定向", 4 },
    { "B.3.2", "空间定向", 4 },
    { "B.3.3", "人物定向", 4 },
    { "B.3.4", "记忆", 4 },
    { "B.3.5", "理解能力", 4 },
    { "B.3.6", "表达能力", 4 },
    { "B.3.7", "攻击行为", 1 },
    { "B.3.8", "抑郁症状", 1 },
    { "B.3.9", "意识水平", 2 },
    { "B.4.1", "视力", 2 },
    { "B.4.2", "听力", 2 },
    { "B.4.3", "执行日常事务", 4 },
    { "B.4.4", "使用交通工具外出", 3 },
    { "B.4.5", "社会交往能力", 4 },
};

const CareDimension care_dimensions[CARE_DIMENSIONS] = {
    { "B.1", "自理能力", 32 },
    { "B.2", "基础运动能力", 15 },
    { "B.3", "精神状态", 28 },
    { "B.4", "感知觉与社会参与", 15 },
};

static const struct {
    const char *key;
    const char *name;
} risk_events[_CARE_RISK_EVENT_MAX] = {
    [CARE_RISK_FALL] = { "fall", "跌倒" },
    [CARE_RISK_CHOKING] = { "choking", "噎食" },
    [CARE_RISK_SUICIDE] = { "suicide", "自杀" },
    [CARE_RISK_SELF_HARM] = { "self_harm", "自伤" },
    [CARE_RISK_WANDERING] = { "wandering", "走失" },
    [CARE_RISK_OTHER] = { "other", "其他" },
};

static const char *const level_names[CARE_LEVEL_MAX + 1] = {
    "能力完好",
    "能力轻度受损（轻度失能）",
    "能力中度受损（中度失能）",
    "能力重度受损（重度失能）",
    "能力完全丧失（完全失能）",
};

/* More events than this of one kind in 30 days is not a plausible record. */
#define RISK_EVENTS_MAX 99

void care_assess_rules_default(CareAssessRules *ret)
{
    ret->coma = CARE_COMA_COMPLETE;
    ret->risk_count = CARE_RISK_SUM;
    ret->stack = true;
}

int care_level_of_total(int total)
{
    if (total >= 90)
        return 0;
    if (total >= 66)
        return 1;
    if (total >= 46)
        return 2;
    if (total >= 30)
        return 3;
    return 4;
}

const char *care_level_name(int level)
{
    return level >= 0 && level <= CARE_LEVEL_MAX ? level_names[level] : "";
}

/* The dimension (0–3) of item @i: its code's second part. */
static int item_dimension(int i)
{
    return care_items[i].code[2] - '1';
}

/* ---- reading ---- */

static Error *field_error(Arena *a, const char *field, const char *code, const char *message)
{
    return error_invalid(a, arena_strdup(a, field), code, message);
}

static Error *parse_items(Arena *a, json_t *items, CareAssessInput *ret)
{
    const char *key;
    json_t *value;

    if (!json_is_object(items))
        return field_error(a, "items", "invalid_type", "评估项目（items）应为对象，如 {\"B.1.1\": 4, …}");

    json_object_foreach(items, key, value) {
        bool known = false;

        for (int i = 0; i < CARE_ITEMS; i++)
            known = known || strcmp(care_items[i].code, key) == 0;
        if (!known)
            return field_error(a, arena_sprintf(a, "items.%s", key), "unknown_item",
                               arena_sprintf(a, "不认识的评估项目“%s”：项目编号为 B.1.1 至 B.4.5", key));
    }
    for (int i = 0; i < CARE_ITEMS; i++) {
        const CareItem *it = &care_items[i];
        const char *field = arena_sprintf(a, "items.%s", it->code);
        json_t *v = json_object_get(items, it->code);
        json_int_t score;

        if (!v)
            return field_error(a, field, "missing_item",
                               arena_sprintf(a, "评估不完整：缺少“%s”（%s）的得分", it->name, it->code));
        if (!json_is_integer(v))
            return field_error(a, field, "invalid_type",
                               arena_sprintf(a, "“%s”（%s）的得分应为整数 0–%d", it->name, it->code, it->max));
        score = json_integer_value(v);
        if (score < 0 || score > it->max)
            return field_error(a, field, "invalid_option",
                               arena_sprintf(a, "“%s”（%s）没有 %lld 分这个选项：得分为 0–%d",
                                             it->name, it->code, (long long)score, it->max));
        ret->items[i] = (int)score;
    }
    return NULL;
}

/* An ICD-10 code: a letter, two digits, optionally a dot and 1–4 more. */
static bool icd10_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n < 3 || !isalpha((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]))
        return false;
    if (n == 3)
        return true;
    if (s[3] != '.' || n < 5 || n > 8)
        return false;
    for (i = 4; i < n; i++) {
        if (!isalnum((unsigned char)s[i]))
            return false;
    }
    return true;
}

static Error *parse_diagnoses(Arena *a, json_t *list, CareAssessInput *ret)
{
    size_t i;
    json_t *v;

    if (!json_is_array(list))
        return field_error(a, "diagnoses", "invalid_type", "疾病诊断（diagnoses）应为 ICD-10 编码的列表，如 [\"F01\"]");
    if (json_array_size(list) > CARE_DIAGNOSES_MAX)
        return field_error(a, "diagnoses", "too_many",
                           arena_sprintf(a, "疾病诊断最多 %d 项", CARE_DIAGNOSES_MAX));
    json_array_foreach(list, i, v) {
        const char *field = arena_sprintf(a, "diagnoses[%zu]", i);
        char *code;

        if (!json_is_string(v) || !icd10_ok(json_string_value(v)))
            return field_error(a, field, "invalid_diagnosis",
                               "疾病诊断应为 ICD-10 编码，如 F01 或 F03.9");
        code = arena_strdup(a, json_string_value(v));
        code[0] = (char)toupper((unsigned char)code[0]);
        ret->diagnoses[ret->n_diagnoses++] = code;
    }
    return NULL;
}

static Error *parse_risk_events(Arena *a, json_t *obj, CareAssessInput *ret)
{
    const char *key;
    json_t *value;

    if (!json_is_object(obj))
        return field_error(a, "risk_events_30d", "invalid_type",
                           "近30天照护风险事件（risk_events_30d）应为对象，如 {\"fall\": 1}");
    json_object_foreach(obj, key, value) {
        const char *field = arena_sprintf(a, "risk_events_30d.%s", key);
        int e;

        for (e = 0; e < _CARE_RISK_EVENT_MAX; e++) {
            if (strcmp(risk_events[e].key, key) == 0)
                break;
        }
        if (e == _CARE_RISK_EVENT_MAX)
            return field_error(a, field, "unknown_event",
                               arena_sprintf(a, "不认识的照护风险事件“%s”：可填 fall（跌倒）、choking（噎食）、"
                                                "suicide（自杀）、self_harm（自伤）、wandering（走失）、other（其他）",
                                             key));
        if (!json_is_integer(value) || json_integer_value(value) < 0 ||
            json_integer_value(value) > RISK_EVENTS_MAX)
            return field_error(a, field, "invalid_count",
                               arena_sprintf(a, "“%s”的次数应为 0–%d 的整数", risk_events[e].name,
                                             RISK_EVENTS_MAX));
        ret->risk_events[e] = (int)json_integer_value(value);
    }
    return NULL;
}

Error *care_assess_parse(Arena *a, json_t *obj, CareAssessInput *ret)
{
    static const char *const allowed[] = { "items", "coma", "diagnoses", "risk_events_30d", NULL };
    CareAssessInput in;
    const char *key;
    json_t *value, *v;
    Error *err;

    if (!json_is_object(obj))
        return error_bad_request(a, NULL, "invalid_type", "评估应为一个 JSON 对象");
    json_object_foreach(obj, key, value) {
        bool known = false;

        (void)value;
        for (const char *const *k = allowed; *k; k++)
            known = known || strcmp(*k, key) == 0;
        if (!known)
            return field_error(a, key, "unknown_field",
                               arena_sprintf(a, "不认识的字段“%s”，请检查字段名", key));
    }

    memset(&in, 0, sizeof(in));
    v = json_object_get(obj, "items");
    if (!v)
        return field_error(a, "items", "missing_field", "缺少必填字段“评估项目”（items）");
    err = parse_items(a, v, &in);
    if (err)
        return err;

    v = json_object_get(obj, "coma");
    if (v && !json_is_boolean(v))
        return field_error(a, "coma", "invalid_type", "是否昏迷（coma）应为 true 或 false");
    in.coma = v && json_is_true(v);

    v = json_object_get(obj, "diagnoses");
    if (v && !json_is_null(v)) {
        err = parse_diagnoses(a, v, &in);
        if (err)
            return err;
    }
    v = json_object_get(obj, "risk_events_30d");
    if (v && !json_is_null(v)) {
        err = parse_risk_events(a, v, &in);
        if (err)
            return err;
    }
    *ret = in;
    return NULL;
}

/* ---- scoring ---- */

/* F00–F03: dementia; F04–F99: another mental or behavioural disorder. */
static bool diagnosis_raises(const char *code, bool *ret_dementia)
{
    int n;

    if (code[0] != 'F')
        return false;
    n = (code[1] - '0') * 10 + (code[2] - '0');
    *ret_dementia = n <= 3;
    return true;
}

static void add_adjustment(CareAssessment *as, const char *rule, const char *reason)
{
    as->adjustments[as->n_adjustments].rule = rule;
    as->adjustments[as->n_adjustments].reason = reason;
    as->n_adjustments++;
}

/* "跌倒1次、噎食1次" */
static const char *risk_events_text(Arena *a, const CareAssessInput *in)
{
    StrBuf sb;

    strbuf_init(&sb, a, 256);
    for (int e = 0; e < _CARE_RISK_EVENT_MAX; e++) {
        if (!in->risk_events[e])
            continue;
        if (sb.len)
            strbuf_adds(&sb, "、");
        strbuf_addf(&sb, "%s%d次", risk_events[e].name, in->risk_events[e]);
    }
    return strbuf_finish(&sb, NULL);
}

void care_assess(Arena *a, const CareAssessInput *in, const CareAssessRules *rules,
                 CareAssessment *ret)
{
    CareAssessment as;
    const char *dementia = NULL, *psychiatric = NULL;
    int events = 0, most = 0, level, raised = 0;
    bool risk;

    memset(&as, 0, sizeof(as));
    for (int i = 0; i < CARE_ITEMS; i++) {
        as.dimensions[item_dimension(i)] += in->items[i];
        as.total += in->items[i];
    }
    as.preliminary_level = care_level_of_total(as.total);
    level = as.preliminary_level;

    for (int d = 0; d < in->n_diagnoses; d++) {
        bool is_dementia;

        if (!diagnosis_raises(in->diagnoses[d], &is_dementia))
            continue;
        if (is_dementia && !dementia)
            dementia = in->diagnoses[d];
        if (!is_dementia && !psychiatric)
            psychiatric = in->diagnoses[d];
    }
    if (dementia || psychiatric) {
        const char *what = dementia ? arena_sprintf(a, "确诊痴呆（%s）", dementia)
                                    : arena_sprintf(a, "诊断为精神和行为障碍（%s）", psychiatric);

        add_adjustment(&as, "diagnosis", arena_sprintf(a, "%s，在原有能力级别上提高一个级别", what));
        raised++;
    }

    for (int e = 0; e < _CARE_RISK_EVENT_MAX; e++) {
        events += in->risk_events[e];
        if (in->risk_events[e] > most)
            most = in->risk_events[e];
    }
    risk = rules->risk_count == CARE_RISK_SUM ? events >= 2 : most >= 2;
    if (risk && (rules->stack || !raised)) {
        add_adjustment(&as, "risk_events",
                       arena_sprintf(a, "近30天内发生照护风险事件%d次（%s），%s", events,
                                     risk_events_text(a, in), "在原有能力级别上提高一个级别"));
        raised++;
    }
    level += raised;

    if (in->coma) {
        int coma_level = rules->coma == CARE_COMA_COMPLETE ? 4 : 3;

        add_adjustment(&as, "coma",
                       rules->coma == CARE_COMA_COMPLETE
                           ? "处于昏迷状态，直接评定为能力完全丧失（附录C.4）"
                           : "处于昏迷状态，直接评定为重度失能（B.3.9 注；设置为按此执行）");
        if (level < coma_level)
            level = coma_level;
    }
    if (level > CARE_LEVEL_MAX) {
        level = CARE_LEVEL_MAX;
        for (int i = 0; i < as.n_adjustments; i++) {
            if (strcmp(as.adjustments[i].rule, "coma") != 0)
                as.adjustments[i].reason =
                    arena_sprintf(a, "%s（最高为 4 级）", as.adjustments[i].reason);
        }
    }
    as.final_level = level;
    *ret = as;
}

json_t *care_assessment_json(const CareAssessment *as)
{
    json_t *dims = json_object(), *adj = json_array();

    for (int d = 0; d < CARE_DIMENSIONS; d++)
        json_object_set_new(dims, care_dimensions[d].code, json_integer(as->dimensions[d]));
    for (int i = 0; i < as->n_adjustments; i++)
        json_array_append_new(adj, json_pack("{s:s, s:s}", "rule", as->adjustments[i].rule,
                                             "reason", as->adjustments[i].reason));
    return json_pack("{s:i, s:o, s:i, s:o, s:i}", "total", as->total, "dimensions", dims,
                     "preliminary_level", as->preliminary_level, "adjustments", adj,
                     "final_level", as->final_level);
}
