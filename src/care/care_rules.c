/*
 * Care's rules: the community's settings (who is elderly, the risk-grade
 * rules, the visit rhythm per grade, when a missed check tells whom, how
 * the assessment's C.4 adjustments read) and the grade they give.
 *
 * A grade rule reads as a sentence: "独居且高龄 → 一级" holds when every one
 * of its conditions holds. The grade is the most severe of the rules that
 * hold (三级 一般 when none does), and every rule that held is a reason
 * shown with it. Pure functions, no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "care/care.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "core/banned.h"

static const struct {
    const char *name, *label;
} tags[_CARE_TAG_MAX] = {
    [CARE_TAG_CHRONIC] = { "chronic", "慢性病" },
    [CARE_TAG_FALL] = { "fall", "近期跌倒" },
    [CARE_TAG_HOSPITAL] = { "hospital", "近期住院" },
    [CARE_TAG_NO_RELATIVE] = { "no_relative", "子女不在身边" },
    [CARE_TAG_LOW_INCOME] = { "low_income", "低收入" },
};

static const struct {
    const char *name;
    bool has_min;
    int lo, hi; /* the range of min */
} factors[_CARE_FACTOR_MAX] = {
    [CARE_FACTOR_ABILITY] = { "ability_level", true, 0, CARE_LEVEL_MAX },
    [CARE_FACTOR_ALONE] = { "lives_alone", false, 0, 0 },
    [CARE_FACTOR_AGE] = { "age", true, 50, 120 },
    [CARE_FACTOR_TAG] = { "tag", false, 0, 0 },
    [CARE_FACTOR_MISSED_CHECKS] = { "missed_checks", true, 1, 30 },
};

const char *care_tag_name(CareTag t)
{
    return t < _CARE_TAG_MAX ? tags[t].name : "";
}

const char *care_tag_label(CareTag t)
{
    return t < _CARE_TAG_MAX ? tags[t].label : "";
}

bool care_tag_parse(const char *s, CareTag *ret)
{
    for (int i = 0; i < _CARE_TAG_MAX; i++) {
        if (strcmp(tags[i].name, s) == 0) {
            *ret = (CareTag)i;
            return true;
        }
    }
    return false;
}

const char *care_grade_label(int grade)
{
    switch (grade) {
    case 1:
        return "一级（重点）";
    case 2:
        return "二级（关注）";
    default:
        return "三级（一般）";
    }
}

/* ---- defaults ---- */

#define C_ABILITY(n) { CARE_FACTOR_ABILITY, (n), 0 }
#define C_ALONE { CARE_FACTOR_ALONE, 0, 0 }
#define C_AGE(n) { CARE_FACTOR_AGE, (n), 0 }
#define C_TAG(t) { CARE_FACTOR_TAG, 0, (t) }
#define C_MISSED(n) { CARE_FACTOR_MISSED_CHECKS, (n), 0 }

static const CareGradeRule default_rules[] = {
    { "能力重度受损或完全丧失（能力等级 3–4）", 1, 1, { C_ABILITY(3) } },
    { "独居且高龄（80 岁及以上）", 1, 2, { C_ALONE, C_AGE(80) } },
    { "独居且近期跌倒", 1, 2, { C_ALONE, C_TAG(CARE_TAG_FALL) } },
    { "独居且近期住院", 1, 2, { C_ALONE, C_TAG(CARE_TAG_HOSPITAL) } },
    { "近 30 天漏打卡 3 次及以上", 1, 1, { C_MISSED(3) } },
    { "能力轻度或中度受损（能力等级 1–2）", 2, 1, { C_ABILITY(1) } },
    { "独居", 2, 1, { C_ALONE } },
    { "高龄（80 岁及以上）", 2, 1, { C_AGE(80) } },
    { "慢性病", 2, 1, { C_TAG(CARE_TAG_CHRONIC) } },
    { "近期跌倒", 2, 1, { C_TAG(CARE_TAG_FALL) } },
    { "近期住院", 2, 1, { C_TAG(CARE_TAG_HOSPITAL) } },
    { "子女不在身边", 2, 1, { C_TAG(CARE_TAG_NO_RELATIVE) } },
    { "低收入", 2, 1, { C_TAG(CARE_TAG_LOW_INCOME) } },
    { "近 30 天漏打卡", 2, 1, { C_MISSED(1) } },
};

void care_settings_default(CareSettings *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->age_threshold = 60;
    ret->n_rules = (int)(sizeof(default_rules) / sizeof(default_rules[0]));
    memcpy(ret->rules, default_rules, sizeof(default_rules));
    ret->rhythm[1] = (CareRhythm){ 7, true };
    ret->rhythm[2] = (CareRhythm){ 14, false };
    ret->rhythm[3] = (CareRhythm){ 30, false };
    ret->check_hour = 10;
    ret->staff_after_hours = 2;
    ret->check_escalate_days = 2;
    ret->visit_escalate_days = 7;
    care_assess_rules_default(&ret->assess);
}

/* ---- reading ---- */

static Error *bad(Arena *a, const char *field, const char *code, const char *message)
{
    return error_invalid(a, field, code, message);
}

static Error *reject_unknown(Arena *a, json_t *obj, const char *prefix, const char *const *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        bool known = false;

        (void)v;
        for (const char *const *k = allowed; *k; k++)
            known = known || strcmp(*k, key) == 0;
        if (!known)
            return bad(a, arena_sprintf(a, "%s%s", prefix, key), "unknown_field",
                       arena_sprintf(a, "不认识的字段“%s%s”，请检查字段名", prefix, key));
    }
    return NULL;
}

/* Integer @name of @obj in [@lo, @hi] into *ret; absent leaves it. */
static Error *int_field(Arena *a, json_t *obj, const char *prefix, const char *name,
                        const char *label, int lo, int hi, int *ret)
{
    json_t *v = json_object_get(obj, name);

    if (!v)
        return NULL;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return bad(a, arena_sprintf(a, "%s%s", prefix, name), "out_of_range",
                   arena_sprintf(a, "“%s”应为 %d 到 %d 之间的整数", label, lo, hi));
    *ret = (int)json_integer_value(v);
    return NULL;
}

static Error *parse_cond(Arena *a, json_t *c, const char *field, CareCond *ret)
{
    static const char *const allowed[] = { "factor", "min", "tag", NULL };
    const char *f;
    int i;
    Error *err;

    if (!json_is_object(c))
        return bad(a, field, "invalid_type", "条件应为对象，如 {\"factor\": \"age\", \"min\": 80}");
    err = reject_unknown(a, c, arena_sprintf(a, "%s.", field), allowed);
    if (err)
        return err;
    f = json_string_value(json_object_get(c, "factor"));
    for (i = 0; f && i < _CARE_FACTOR_MAX; i++)
        if (strcmp(factors[i].name, f) == 0)
            break;
    if (!f || i == _CARE_FACTOR_MAX)
        return bad(a, arena_sprintf(a, "%s.factor", field), "unknown_factor",
                   "条件（factor）应为 ability_level（能力等级）、lives_alone（独居）、age（年龄）、"
                   "tag（标签）或 missed_checks（漏打卡次数）");
    memset(ret, 0, sizeof(*ret));
    ret->factor = (CareFactor)i;
    if (factors[i].has_min) {
        json_t *m = json_object_get(c, "min");

        if (!json_is_integer(m) || json_integer_value(m) < factors[i].lo ||
            json_integer_value(m) > factors[i].hi)
            return bad(a, arena_sprintf(a, "%s.min", field), "out_of_range",
                       arena_sprintf(a, "条件“%s”需要下限 min：%d 到 %d 之间的整数", f,
                                     factors[i].lo, factors[i].hi));
        ret->min = (int)json_integer_value(m);
    } else if (json_object_get(c, "min")) {
        return bad(a, arena_sprintf(a, "%s.min", field), "unknown_field",
                   arena_sprintf(a, "条件“%s”没有下限 min", f));
    }
    if (ret->factor == CARE_FACTOR_TAG) {
        const char *t = json_string_value(json_object_get(c, "tag"));

        if (!t || !care_tag_parse(t, &ret->tag))
            return bad(a, arena_sprintf(a, "%s.tag", field), "unknown_tag",
                       "标签（tag）应为 chronic（慢性病）、fall（近期跌倒）、hospital（近期住院）、"
                       "no_relative（子女不在身边）或 low_income（低收入）");
    } else if (json_object_get(c, "tag")) {
        return bad(a, arena_sprintf(a, "%s.tag", field), "unknown_field",
                   arena_sprintf(a, "条件“%s”没有标签 tag", f));
    }
    return NULL;
}

static Error *parse_rule(Arena *a, json_t *r, const char *field, CareGradeRule *ret)
{
    static const char *const allowed[] = { "name", "grade", "when", NULL };
    const char *name;
    json_t *when, *g, *c;
    size_t i, len;
    Error *err;

    if (!json_is_object(r))
        return bad(a, field, "invalid_type", "规则应为对象：{\"name\", \"grade\", \"when\": […]}");
    err = reject_unknown(a, r, arena_sprintf(a, "%s.", field), allowed);
    if (err)
        return err;
    name = json_string_value(json_object_get(r, "name"));
    len = name ? strlen(name) : 0;
    if (!name || len == 0 || len > CARE_RULE_NAME_MAX * 3 || !request_text_ok(name))
        return bad(a, arena_sprintf(a, "%s.name", field), "invalid_name",
                   arena_sprintf(a, "规则名称（name）为 1 到 %d 个字，会作为定级理由显示",
                                 CARE_RULE_NAME_MAX));
    g = json_object_get(r, "grade");
    if (!json_is_integer(g) || json_integer_value(g) < 1 || json_integer_value(g) > 2)
        return bad(a, arena_sprintf(a, "%s.grade", field), "out_of_range",
                   "规则的等级（grade）应为 1（一级 重点）或 2（二级 关注）；都不满足即为三级");
    when = json_object_get(r, "when");
    if (!json_is_array(when) || json_array_size(when) == 0 ||
        json_array_size(when) > CARE_CONDS_MAX)
        return bad(a, arena_sprintf(a, "%s.when", field), "invalid_conditions",
                   arena_sprintf(a, "规则的条件（when）应为 1 到 %d 个条件的数组，全部满足时规则成立",
                                 CARE_CONDS_MAX));
    memset(ret, 0, sizeof(*ret));
    ret->name = arena_strdup(a, name);
    ret->grade = (int)json_integer_value(g);
    json_array_foreach(when, i, c) {
        err = parse_cond(a, c, arena_sprintf(a, "%s.when[%zu]", field, i), &ret->conds[i]);
        if (err)
            return err;
    }
    ret->n_conds = (int)json_array_size(when);
    return NULL;
}

static Error *parse_rhythm(Arena *a, json_t *obj, CareSettings *s)
{
    static const char *const allowed[] = { "1", "2", "3", NULL };
    static const char *const per[] = { "visit_days", "daily_check", NULL };
    Error *err;

    if (!json_is_object(obj))
        return bad(a, "rhythm", "invalid_type",
                   "走访频次（rhythm）应为对象：{\"1\": {\"visit_days\": 7, \"daily_check\": true}, …}");
    err = reject_unknown(a, obj, "rhythm.", allowed);
    if (err)
        return err;
    for (int g = 1; g <= CARE_GRADES; g++) {
        const char *prefix = arena_sprintf(a, "rhythm.%d.", g);
        json_t *r = json_object_get(obj, allowed[g - 1]), *d;

        if (!r)
            continue;
        if (!json_is_object(r))
            return bad(a, arena_sprintf(a, "rhythm.%d", g), "invalid_type",
                       "每个等级的频次应为对象：{\"visit_days\": 7, \"daily_check\": true}");
        err = reject_unknown(a, r, prefix, per);
        if (!err)
            err = int_field(a, r, prefix, "visit_days", "走访间隔天数", 1, 366,
                            &s->rhythm[g].visit_days);
        if (err)
            return err;
        d = json_object_get(r, "daily_check");
        if (d && !json_is_boolean(d))
            return bad(a, arena_sprintf(a, "%sdaily_check", prefix), "invalid_type",
                       "是否每日平安打卡（daily_check）应为 true 或 false");
        if (d)
            s->rhythm[g].daily_check = json_is_true(d);
    }
    return NULL;
}

static Error *parse_assess(Arena *a, json_t *obj, CareAssessRules *r)
{
    static const char *const allowed[] = { "coma", "risk_count", "stack", NULL };
    const char *v;
    json_t *j;
    Error *err;

    if (!json_is_object(obj))
        return bad(a, "assess", "invalid_type", "评估规则（assess）应为对象");
    err = reject_unknown(a, obj, "assess.", allowed);
    if (err)
        return err;
    j = json_object_get(obj, "coma");
    if (j) {
        v = json_string_value(j);
        if (v && strcmp(v, "complete") == 0)
            r->coma = CARE_COMA_COMPLETE;
        else if (v && strcmp(v, "severe") == 0)
            r->coma = CARE_COMA_SEVERE;
        else
            return bad(a, "assess.coma", "invalid_option",
                       "昏迷的判定（coma）应为 complete（C.4：完全丧失）或 severe（B.3.9 注：重度失能）");
    }
    j = json_object_get(obj, "risk_count");
    if (j) {
        v = json_string_value(j);
        if (v && strcmp(v, "sum") == 0)
            r->risk_count = CARE_RISK_SUM;
        else if (v && strcmp(v, "per_type") == 0)
            r->risk_count = CARE_RISK_PER_TYPE;
        else
            return bad(a, "assess.risk_count", "invalid_option",
                       "风险事件的计数（risk_count）应为 sum（各类合计）或 per_type（同一类）");
    }
    j = json_object_get(obj, "stack");
    if (j && !json_is_boolean(j))
        return bad(a, "assess.stack", "invalid_type", "两条提级规则是否叠加（stack）应为 true 或 false");
    if (j)
        r->stack = json_is_true(j);
    return NULL;
}

Error *care_settings_parse(Arena *a, json_t *obj, CareSettings *inout)
{
    static const char *const allowed[] = { "age_threshold", "rules", "rhythm", "check_hour",
                                           "staff_after_hours", "check_escalate_days",
                                           "visit_escalate_days", "assess", NULL };
    CareSettings s = *inout;
    json_t *v;
    Error *err;

    if (!json_is_object(obj))
        return error_bad_request(a, NULL, "expected_object", "设置应为一个 JSON 对象");
    err = reject_unknown(a, obj, "", allowed);
    if (!err)
        err = int_field(a, obj, "", "age_threshold", "老年人年龄起点", 50, 100, &s.age_threshold);
    if (!err)
        err = int_field(a, obj, "", "check_hour", "平安打卡截止时刻（点）", 0, 23, &s.check_hour);
    if (!err)
        err = int_field(a, obj, "", "staff_after_hours", "通知工作人员的延后小时数", 1, 12,
                        &s.staff_after_hours);
    if (!err)
        err = int_field(a, obj, "", "check_escalate_days", "连续漏打卡几天报书记", 1, 30,
                        &s.check_escalate_days);
    if (!err)
        err = int_field(a, obj, "", "visit_escalate_days", "走访超期几天报书记", 1, 90,
                        &s.visit_escalate_days);
    if (err)
        return err;
    v = json_object_get(obj, "rules");
    if (v) {
        size_t i;
        json_t *r;

        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > CARE_RULES_MAX)
            return bad(a, "rules", "invalid_rules",
                       arena_sprintf(a, "定级规则（rules）应为 1 到 %d 条规则的数组", CARE_RULES_MAX));
        json_array_foreach(v, i, r) {
            err = parse_rule(a, r, arena_sprintf(a, "rules[%zu]", i), &s.rules[i]);
            if (err)
                return err;
        }
        s.n_rules = (int)json_array_size(v);
    }
    v = json_object_get(obj, "rhythm");
    if (v) {
        err = parse_rhythm(a, v, &s);
        if (err)
            return err;
    }
    v = json_object_get(obj, "assess");
    if (v) {
        err = parse_assess(a, v, &s.assess);
        if (err)
            return err;
    }
    *inout = s;
    return NULL;
}

/* ---- writing ---- */

static json_t *cond_json(const CareCond *c)
{
    json_t *o = json_pack("{s:s}", "factor", factors[c->factor].name);

    if (factors[c->factor].has_min)
        json_object_set_new(o, "min", json_integer(c->min));
    if (c->factor == CARE_FACTOR_TAG)
        json_object_set_new(o, "tag", json_string(care_tag_name(c->tag)));
    return o;
}

static json_t *rule_json(const CareGradeRule *r)
{
    json_t *when = json_array();

    for (int i = 0; i < r->n_conds; i++)
        json_array_append_new(when, cond_json(&r->conds[i]));
    return json_pack("{s:s, s:i, s:o}", "name", r->name, "grade", r->grade, "when", when);
}

json_t *care_settings_json(const CareSettings *s)
{
    json_t *rules = json_array(), *rhythm = json_object();

    for (int i = 0; i < s->n_rules; i++)
        json_array_append_new(rules, rule_json(&s->rules[i]));
    for (int g = 1; g <= CARE_GRADES; g++) {
        char key[2] = { (char)('0' + g), 0 };

        json_object_set_new(rhythm, key,
                            json_pack("{s:i, s:b}", "visit_days", s->rhythm[g].visit_days,
                                      "daily_check", s->rhythm[g].daily_check));
    }
    return json_pack("{s:i, s:o, s:o, s:i, s:i, s:i, s:i, s:{s:s, s:s, s:b}}", "age_threshold",
                     s->age_threshold, "rules", rules, "rhythm", rhythm, "check_hour",
                     s->check_hour, "staff_after_hours", s->staff_after_hours,
                     "check_escalate_days", s->check_escalate_days, "visit_escalate_days",
                     s->visit_escalate_days, "assess", "coma",
                     s->assess.coma == CARE_COMA_SEVERE ? "severe" : "complete", "risk_count",
                     s->assess.risk_count == CARE_RISK_PER_TYPE ? "per_type" : "sum", "stack",
                     s->assess.stack);
}

/* ---- the grade ---- */

static bool cond_holds(const CareCond *c, const CareFacts *f)
{
    switch (c->factor) {
    case CARE_FACTOR_ABILITY:
        return f->ability_level >= 0 && f->ability_level >= c->min;
    case CARE_FACTOR_ALONE:
        return f->lives_alone;
    case CARE_FACTOR_AGE:
        return f->age >= c->min;
    case CARE_FACTOR_TAG:
        return c->tag < _CARE_TAG_MAX && f->tags[c->tag];
    case CARE_FACTOR_MISSED_CHECKS:
        return f->missed_checks >= c->min;
    default:
        return false;
    }
}

void care_grade(const CareSettings *s, const CareFacts *f, CareGrade *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->grade = CARE_GRADES;
    for (int g = 1; g < CARE_GRADES; g++) {
        for (int i = 0; i < s->n_rules; i++) {
            const CareGradeRule *r = &s->rules[i];
            bool all = r->n_conds > 0;

            if (r->grade != g)
                continue;
            for (int k = 0; k < r->n_conds && all; k++)
                all = cond_holds(&r->conds[k], f);
            if (!all)
                continue;
            ret->reasons[ret->n_reasons++] = r;
            if (g < ret->grade)
                ret->grade = g;
        }
    }
}

json_t *care_grade_reasons_json(const CareGrade *g)
{
    json_t *out = json_array();

    for (int i = 0; i < g->n_reasons; i++)
        json_array_append_new(out, json_pack("{s:s, s:i}", "rule", g->reasons[i]->name, "grade",
                                             g->reasons[i]->grade));
    if (g->n_reasons == 0)
        json_array_append_new(out, json_pack("{s:s, s:i}", "rule", "未触发一级、二级规则", "grade",
                                             CARE_GRADES));
    return out;
}

int care_month(int64_t ms)
{
    int64_t day;
    int minute, y, m, d;

    time_local(ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    civil_from_days(day, &y, &m, &d);
    return y * 100 + m;
}

void care_day(int64_t ms, char buf[11])
{
    int64_t day;
    int minute;

    time_local(ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    time_format_date(buf, day);
}
