#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "care/care.h"

static int setup(void **state)
{
    *state = arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static bool has_reason(const CareGrade *g, const char *name)
{
    for (int i = 0; i < g->n_reasons; i++)
        if (strcmp(g->reasons[i]->name, name) == 0)
            return true;
    return false;
}

/* The default rules, fact by fact: the grade and the reason it gives. */
static void test_care_grade_defaults(void **state)
{
    static const struct {
        int ability;
        bool alone;
        int age;
        int tag;          /* a CareTag, or -1 */
        int missed;
        int grade;
        const char *reason; /* NULL: none */
    } cases[] = {
        { -1, false, 65, -1, 0, 3, NULL },                     /* nothing holds */
        { 0, false, 79, -1, 0, 3, NULL },                      /* 能力完好, 79 */
        { 1, false, 65, -1, 0, 2, "能力轻度或中度受损（能力等级 1–2）" },
        { 2, false, 65, -1, 0, 2, "能力轻度或中度受损（能力等级 1–2）" },
        { 3, false, 65, -1, 0, 1, "能力重度受损或完全丧失（能力等级 3–4）" },
        { 4, false, 65, -1, 0, 1, "能力重度受损或完全丧失（能力等级 3–4）" },
        { -1, true, 79, -1, 0, 2, "独居" },
        { -1, false, 80, -1, 0, 2, "高龄（80 岁及以上）" },
        { -1, true, 80, -1, 0, 1, "独居且高龄（80 岁及以上）" },
        { -1, true, 70, CARE_TAG_FALL, 0, 1, "独居且近期跌倒" },
        { -1, false, 70, CARE_TAG_FALL, 0, 2, "近期跌倒" },
        { -1, true, 70, CARE_TAG_HOSPITAL, 0, 1, "独居且近期住院" },
        { -1, false, 70, CARE_TAG_CHRONIC, 0, 2, "慢性病" },
        { -1, false, 70, CARE_TAG_NO_RELATIVE, 0, 2, "子女不在身边" },
        { -1, false, 70, CARE_TAG_LOW_INCOME, 0, 2, "低收入" },
        { -1, false, 70, -1, 1, 2, "近 30 天漏打卡" },
        { -1, false, 70, -1, 2, 2, "近 30 天漏打卡" },
        { -1, false, 70, -1, 3, 1, "近 30 天漏打卡 3 次及以上" },
    };
    CareSettings s;

    (void)state;
    care_settings_default(&s);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CareFacts f = { .ability_level = cases[i].ability, .lives_alone = cases[i].alone,
                        .age = cases[i].age, .missed_checks = cases[i].missed };
        CareGrade g;

        if (cases[i].tag >= 0)
            f.tags[cases[i].tag] = true;
        care_grade(&s, &f, &g);
        assert_int_equal(g.grade, cases[i].grade);
        if (cases[i].reason)
            assert_true(has_reason(&g, cases[i].reason));
        else
            assert_int_equal(g.n_reasons, 0);
    }
}

/* Every rule that holds is a reason, the most severe first. */
static void test_care_grade_reasons(void **state)
{
    CareSettings s;
    CareFacts f = { .ability_level = 3, .lives_alone = true, .age = 85 };
    CareGrade g;
    json_t *j;

    (void)state;
    care_settings_default(&s);
    care_grade(&s, &f, &g);
    assert_int_equal(g.grade, 1);
    assert_true(has_reason(&g, "独居且高龄（80 岁及以上）"));
    assert_true(has_reason(&g, "独居"));
    assert_true(has_reason(&g, "高龄（80 岁及以上）"));
    for (int i = 1; i < g.n_reasons; i++)
        assert_true(g.reasons[i - 1]->grade <= g.reasons[i]->grade);
    j = care_grade_reasons_json(&g);
    assert_int_equal(json_array_size(j), (size_t)g.n_reasons);
    json_decref(j);

    f = (CareFacts){ .ability_level = 0, .age = 70 };
    care_grade(&s, &f, &g);
    j = care_grade_reasons_json(&g);
    assert_int_equal(json_array_size(j), 1); /* says that no rule held */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "grade")), 3);
    json_decref(j);
}

/* Settings survive a round trip; a partial document changes only its keys. */
static void test_care_settings_round_trip(void **state)
{
    Arena *a = *state;
    CareSettings s, t;
    json_t *j, *k, *patch;

    care_settings_default(&s);
    j = care_settings_json(&s);
    care_settings_default(&t);
    t.check_hour = 3;
    assert_null(care_settings_parse(a, j, &t));
    k = care_settings_json(&t);
    assert_true(json_equal(j, k));
    json_decref(k);
    json_decref(j);

    patch = json_loads("{\"check_hour\": 8, \"rhythm\": {\"3\": {\"visit_days\": 60}},"
                       " \"rules\": [{\"name\": \"独居\", \"grade\": 1,"
                       " \"when\": [{\"factor\": \"lives_alone\"}]}],"
                       " \"assess\": {\"coma\": \"severe\"}}",
                       0, NULL);
    assert_null(care_settings_parse(a, patch, &s));
    json_decref(patch);
    assert_int_equal(s.check_hour, 8);
    assert_int_equal(s.rhythm[3].visit_days, 60);
    assert_int_equal(s.rhythm[1].visit_days, 7);
    assert_int_equal(s.n_rules, 1);
    assert_int_equal(s.assess.coma, CARE_COMA_SEVERE);
    assert_int_equal(s.age_threshold, 60);
    {
        CareFacts f = { .ability_level = -1, .lives_alone = true, .age = 61 };
        CareGrade g;

        care_grade(&s, &f, &g);
        assert_int_equal(g.grade, 1);
    }
}

static void test_care_settings_bad(void **state)
{
    static const struct {
        const char *json, *field, *code;
    } bad[] = {
        { "{\"color\": 1}", "color", "unknown_field" },
        { "{\"age_threshold\": 49}", "age_threshold", "out_of_range" },
        { "{\"check_hour\": 24}", "check_hour", "out_of_range" },
        { "{\"check_hour\": \"10\"}", "check_hour", "out_of_range" },
        { "{\"rules\": []}", "rules", "invalid_rules" },
        { "{\"rules\": [{\"name\": \"\", \"grade\": 1, \"when\": [{\"factor\": \"lives_alone\"}]}]}",
          "rules[0].name", "invalid_name" },
        { "{\"rules\": [{\"name\": \"x\", \"grade\": 3, \"when\": [{\"factor\": \"lives_alone\"}]}]}",
          "rules[0].grade", "out_of_range" },
        { "{\"rules\": [{\"name\": \"x\", \"grade\": 1, \"when\": []}]}", "rules[0].when",
          "invalid_conditions" },
        { "{\"rules\": [{\"name\": \"x\", \"grade\": 1, \"when\": [{\"factor\": \"height\"}]}]}",
          "rules[0].when[0].factor", "unknown_factor" },
        { "{\"rules\": [{\"name\": \"x\", \"grade\": 1, \"when\": [{\"factor\": \"age\"}]}]}",
          "rules[0].when[0].min", "out_of_range" },
        { "{\"rules\": [{\"name\": \"x\", \"grade\": 1, \"when\": [{\"factor\": \"lives_alone\", \"min\": 1}]}]}",
          "rules[0].when[0].min", "unknown_field" },
        { "{\"rules\": [{\"name\": \"x\", \"grade\": 1, \"when\": [{\"factor\": \"tag\", \"tag\": \"rich\"}]}]}",
          "rules[0].when[0].tag", "unknown_tag" },
        { "{\"rhythm\": {\"4\": {\"visit_days\": 7}}}", "rhythm.4", "unknown_field" },
        { "{\"rhythm\": {\"1\": {\"visit_days\": 0}}}", "rhythm.1.visit_days", "out_of_range" },
        { "{\"rhythm\": {\"1\": {\"daily_check\": 1}}}", "rhythm.1.daily_check", "invalid_type" },
        { "{\"assess\": {\"risk_count\": \"max\"}}", "assess.risk_count", "invalid_option" },
    };
    Arena *a = *state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CareSettings s, before;
        json_t *j = json_loads(bad[i].json, 0, NULL);
        Error *err;

        assert_non_null(j);
        care_settings_default(&s);
        before = s;
        err = care_settings_parse(a, j, &s);
        json_decref(j);
        assert_non_null(err);
        assert_int_equal(err->status, 422);
        assert_string_equal(err->field, bad[i].field);
        assert_string_equal(err->code, bad[i].code);
        assert_memory_equal(&s, &before, sizeof(s)); /* untouched on failure */
    }
}

static void test_care_month_and_day(void **state)
{
    char day[11];

    (void)state;
    /* 2026-11-30T16:30:00Z is 2026-12-01 00:30 in Beijing */
    assert_int_equal(care_month(INT64_C(1796056200000)), 202612);
    care_day(INT64_C(1796056200000), day);
    assert_string_equal(day, "2026-12-01");
    care_day(INT64_C(1796056200000) - 3600000, day);
    assert_string_equal(day, "2026-11-30");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_care_grade_defaults),
        cmocka_unit_test(test_care_grade_reasons),
        cmocka_unit_test_setup_teardown(test_care_settings_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_settings_bad, setup, teardown),
        cmocka_unit_test(test_care_month_and_day),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
