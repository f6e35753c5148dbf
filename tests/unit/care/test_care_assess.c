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

/* Every item at its best: 90. */
static void all_best(CareAssessInput *in)
{
    memset(in, 0, sizeof(*in));
    for (int i = 0; i < CARE_ITEMS; i++)
        in->items[i] = care_items[i].max;
}

/* Items lowered from the last one back until the total is @total. */
static void with_total(CareAssessInput *in, int total)
{
    int drop = 90 - total;

    all_best(in);
    for (int i = CARE_ITEMS - 1; i >= 0 && drop > 0; i--) {
        int d = drop < in->items[i] ? drop : in->items[i];

        in->items[i] -= d;
        drop -= d;
    }
    assert_int_equal(drop, 0);
}

static CareAssessment score(Arena *a, const CareAssessInput *in, const CareAssessRules *r)
{
    CareAssessRules def;
    CareAssessment as;

    care_assess_rules_default(&def);
    care_assess(a, in, r ? r : &def, &as);
    return as;
}

static bool has_rule(const CareAssessment *as, const char *rule)
{
    for (int i = 0; i < as->n_adjustments; i++) {
        if (strcmp(as->adjustments[i].rule, rule) == 0)
            return true;
    }
    return false;
}

/* The form's structure: 26 items, the four dimensions' maxima, 90 in all. */
static void test_care_form_structure(void **state)
{
    int dims[CARE_DIMENSIONS] = { 0 }, n[CARE_DIMENSIONS] = { 0 }, total = 0;

    (void)state;
    for (int i = 0; i < CARE_ITEMS; i++) {
        int d = care_items[i].code[2] - '1';

        assert_true(d >= 0 && d < CARE_DIMENSIONS);
        assert_memory_equal(care_items[i].code, care_dimensions[d].code, 3);
        dims[d] += care_items[i].max;
        n[d]++;
        total += care_items[i].max;
    }
    assert_int_equal(dims[0], 32);
    assert_int_equal(dims[1], 15);
    assert_int_equal(dims[2], 28);
    assert_int_equal(dims[3], 15);
    assert_int_equal(n[0], 8);
    assert_int_equal(n[1], 4);
    assert_int_equal(n[2], 9);
    assert_int_equal(n[3], 5);
    assert_int_equal(total, 90);
    for (int d = 0; d < CARE_DIMENSIONS; d++)
        assert_int_equal(care_dimensions[d].max, dims[d]);
    /* the short scales */
    assert_int_equal(care_items[11].max, 3); /* B.2.4 上下楼梯 */
    assert_string_equal(care_items[11].code, "B.2.4");
    assert_int_equal(care_items[18].max, 1); /* B.3.7 攻击行为 */
    assert_int_equal(care_items[19].max, 1); /* B.3.8 抑郁症状 */
    assert_int_equal(care_items[20].max, 2); /* B.3.9 意识水平 */
    assert_int_equal(care_items[21].max, 2); /* B.4.1 视力 */
    assert_int_equal(care_items[22].max, 2); /* B.4.2 听力 */
    assert_int_equal(care_items[24].max, 3); /* B.4.4 使用交通工具外出 */
}

/* Item by item: each option lowers its dimension and the total by its score. */
static void test_care_item_by_item(void **state)
{
    Arena *a = *state;

    for (int i = 0; i < CARE_ITEMS; i++) {
        int d = care_items[i].code[2] - '1';

        for (int s = 0; s <= care_items[i].max; s++) {
            CareAssessInput in;
            CareAssessment as;

            all_best(&in);
            in.items[i] = s;
            as = score(a, &in, NULL);
            assert_int_equal(as.total, 90 - (care_items[i].max - s));
            assert_int_equal(as.dimensions[d], care_dimensions[d].max - (care_items[i].max - s));
            for (int o = 0; o < CARE_DIMENSIONS; o++) {
                if (o != d)
                    assert_int_equal(as.dimensions[o], care_dimensions[o].max);
            }
        }
    }
}

/* C.3 at every boundary: 90 | 89 66 | 65 46 | 45 30 | 29 0. */
static void test_care_level_boundaries(void **state)
{
    static const int totals[] = { 90, 89, 66, 65, 46, 45, 30, 29, 0 };
    static const int levels[] = { 0, 1, 1, 2, 2, 3, 3, 4, 4 };
    Arena *a = *state;

    for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
        CareAssessInput in;
        CareAssessment as;

        with_total(&in, totals[i]);
        as = score(a, &in, NULL);
        assert_int_equal(as.total, totals[i]);
        assert_int_equal(as.preliminary_level, levels[i]);
        assert_int_equal(as.final_level, levels[i]);
        assert_int_equal(as.n_adjustments, 0);
        assert_int_equal(care_level_of_total(totals[i]), levels[i]);
    }
    assert_string_equal(care_level_name(0), "能力完好");
    assert_string_equal(care_level_name(4), "能力完全丧失（完全失能）");
}

static void test_care_diagnoses(void **state)
{
    static const struct {
        const char *code;
        int up;
    } cases[] = {
        { "F00", 1 }, { "F01", 1 }, { "F02.3", 1 }, { "F03", 1 }, { "F03.9", 1 },
        { "F04", 1 }, { "F20", 1 }, { "F99", 1 }, { "G30", 0 }, { "I10", 0 }, { "E11.9", 0 },
    };
    Arena *a = *state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CareAssessInput in;
        CareAssessment as;

        with_total(&in, 70);
        in.diagnoses[0] = cases[i].code;
        in.n_diagnoses = 1;
        as = score(a, &in, NULL);
        assert_int_equal(as.preliminary_level, 1);
        assert_int_equal(as.final_level, 1 + cases[i].up);
        assert_int_equal(has_rule(&as, "diagnosis"), cases[i].up == 1);
        if (cases[i].up) {
            bool dementia = strncmp(cases[i].code, "F04", 3) < 0;

            assert_non_null(strstr(as.adjustments[0].reason, cases[i].code));
            assert_non_null(strstr(as.adjustments[0].reason, dementia ? "痴呆" : "精神"));
        }
    }
}

/* Dementia and another psychiatric diagnosis are one rule: one level. */
static void test_care_two_diagnoses_one_level(void **state)
{
    CareAssessInput in;
    CareAssessment as;

    with_total(&in, 50);
    in.diagnoses[0] = "F20";
    in.diagnoses[1] = "F01";
    in.n_diagnoses = 2;
    as = score(*state, &in, NULL);
    assert_int_equal(as.preliminary_level, 2);
    assert_int_equal(as.final_level, 3);
    assert_int_equal(as.n_adjustments, 1);
    assert_non_null(strstr(as.adjustments[0].reason, "痴呆"));
}

static void test_care_risk_events(void **state)
{
    Arena *a = *state;
    CareAssessRules per_type;
    CareAssessInput in;
    CareAssessment as;

    care_assess_rules_default(&per_type);
    per_type.risk_count = CARE_RISK_PER_TYPE;

    with_total(&in, 80);
    in.risk_events[CARE_RISK_FALL] = 1;
    as = score(a, &in, NULL);
    assert_int_equal(as.final_level, 1); /* one event: nothing */

    in.risk_events[CARE_RISK_CHOKING] = 1;
    as = score(a, &in, NULL);
    assert_int_equal(as.final_level, 2); /* two in all: up by the sum */
    assert_true(has_rule(&as, "risk_events"));
    assert_non_null(strstr(as.adjustments[0].reason, "跌倒1次"));
    assert_non_null(strstr(as.adjustments[0].reason, "噎食1次"));
    as = score(a, &in, &per_type);
    assert_int_equal(as.final_level, 1); /* not two of one type */

    in.risk_events[CARE_RISK_CHOKING] = 0;
    in.risk_events[CARE_RISK_FALL] = 2;
    as = score(a, &in, &per_type);
    assert_int_equal(as.final_level, 2);
    as = score(a, &in, NULL);
    assert_int_equal(as.final_level, 2);
}

/* Both rules: two levels when they stack (default), one when not. */
static void test_care_rules_stack(void **state)
{
    Arena *a = *state;
    CareAssessRules once;
    CareAssessInput in;
    CareAssessment as;

    care_assess_rules_default(&once);
    once.stack = false;
    with_total(&in, 70);
    in.diagnoses[0] = "F01";
    in.n_diagnoses = 1;
    in.risk_events[CARE_RISK_WANDERING] = 3;
    as = score(a, &in, NULL);
    assert_int_equal(as.final_level, 3);
    assert_int_equal(as.n_adjustments, 2);
    as = score(a, &in, &once);
    assert_int_equal(as.final_level, 2);
    assert_int_equal(as.n_adjustments, 1);
}

/* Never above 4, and the reason says so. */
static void test_care_capped_at_four(void **state)
{
    CareAssessInput in;
    CareAssessment as;

    with_total(&in, 40);
    in.diagnoses[0] = "F01";
    in.n_diagnoses = 1;
    in.risk_events[CARE_RISK_FALL] = 2;
    as = score(*state, &in, NULL);
    assert_int_equal(as.preliminary_level, 3);
    assert_int_equal(as.final_level, 4);

    with_total(&in, 20);
    in.diagnoses[0] = "F01";
    in.n_diagnoses = 1;
    as = score(*state, &in, NULL);
    assert_int_equal(as.preliminary_level, 4);
    assert_int_equal(as.final_level, 4);
    assert_non_null(strstr(as.adjustments[0].reason, "最高"));
}

static void test_care_coma(void **state)
{
    Arena *a = *state;
    CareAssessRules severe;
    CareAssessInput in;
    CareAssessment as;

    care_assess_rules_default(&severe);
    severe.coma = CARE_COMA_SEVERE;

    with_total(&in, 80);
    in.coma = true;
    as = score(a, &in, NULL);
    assert_int_equal(as.preliminary_level, 1);
    assert_int_equal(as.final_level, 4); /* C.4 */
    assert_true(has_rule(&as, "coma"));
    as = score(a, &in, &severe);
    assert_int_equal(as.final_level, 3); /* the B.3.9 note */

    with_total(&in, 20); /* already 4: the note never lowers it */
    in.coma = true;
    as = score(a, &in, &severe);
    assert_int_equal(as.final_level, 4);

    with_total(&in, 50); /* 2, +1 diagnosis, +1 events: 4 beats severe's 3 */
    in.coma = true;
    in.diagnoses[0] = "F02";
    in.n_diagnoses = 1;
    in.risk_events[CARE_RISK_FALL] = 2;
    as = score(a, &in, &severe);
    assert_int_equal(as.final_level, 4);
    assert_int_equal(as.n_adjustments, 3);
}

static Error *parse(Arena *a, const char *text, CareAssessInput *ret)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    Error *err;

    assert_non_null(j);
    err = care_assess_parse(a, j, ret);
    json_decref(j);
    return err;
}

/* {"items": {every item at @score but @skip}, @extra} */
static const char *doc(Arena *a, int score, const char *skip, const char *override, const char *extra)
{
    char *s = arena_strdup(a, "{\"items\":{");

    for (int i = 0; i < CARE_ITEMS; i++) {
        int v = score < care_items[i].max ? score : care_items[i].max;

        if (skip && strcmp(skip, care_items[i].code) == 0)
            continue;
        s = arena_sprintf(a, "%s%s\"%s\":%d", s, s[strlen(s) - 1] == '{' ? "" : ",", care_items[i].code, v);
    }
    if (override)
        s = arena_sprintf(a, "%s,%s", s, override);
    return arena_sprintf(a, "%s}%s%s}", s, extra ? "," : "", extra ? extra : "");
}

static void expect_error(Arena *a, const char *text, const char *field, const char *code)
{
    CareAssessInput in;
    Error *err = parse(a, text, &in);

    assert_non_null(err);
    assert_int_equal(err->status, 422);
    assert_string_equal(err->code, code);
    assert_string_equal(err->field, field);
}

static void test_care_parse(void **state)
{
    Arena *a = *state;
    CareAssessInput in;
    CareAssessment as;

    assert_null(parse(a, doc(a, 4, NULL, NULL, "\"coma\":false,\"diagnoses\":[\"f01\"],"
                                              "\"risk_events_30d\":{\"fall\":1,\"choking\":1}"), &in));
    as = score(a, &in, NULL);
    assert_int_equal(as.total, 90);
    assert_int_equal(as.final_level, 2); /* 0, +1 F01 (lower case read), +1 two events */

    expect_error(a, doc(a, 4, "B.3.4", NULL, NULL), "items.B.3.4", "missing_item");
    expect_error(a, "{\"items\":{\"B.1.1\":4}}", "items.B.1.2", "missing_item");
    /* B.2.4 has no option 4, B.3.7 none of 2 */
    expect_error(a, doc(a, 4, "B.2.4", "\"B.2.4\":4", NULL), "items.B.2.4", "invalid_option");
    expect_error(a, doc(a, 4, "B.3.7", "\"B.3.7\":2", NULL), "items.B.3.7", "invalid_option");
    expect_error(a, doc(a, 4, "B.1.1", "\"B.1.1\":-1", NULL), "items.B.1.1", "invalid_option");
    expect_error(a, doc(a, 4, "B.1.1", "\"B.1.1\":3.5", NULL), "items.B.1.1", "invalid_type");
    expect_error(a, doc(a, 4, "B.1.1", "\"B.1.1\":\"4\"", NULL), "items.B.1.1", "invalid_type");
    expect_error(a, doc(a, 4, NULL, "\"B.5.1\":1", NULL), "items.B.5.1", "unknown_item");
    expect_error(a, doc(a, 4, NULL, NULL, "\"age\":80"), "age", "unknown_field");
    expect_error(a, doc(a, 4, NULL, NULL, "\"coma\":1"), "coma", "invalid_type");
    expect_error(a, doc(a, 4, NULL, NULL, "\"diagnoses\":[\"F01\",\"dementia\"]"), "diagnoses[1]",
                 "invalid_diagnosis");
    expect_error(a, doc(a, 4, NULL, NULL, "\"risk_events_30d\":{\"flood\":1}"),
                 "risk_events_30d.flood", "unknown_event");
    expect_error(a, doc(a, 4, NULL, NULL, "\"risk_events_30d\":{\"fall\":-1}"),
                 "risk_events_30d.fall", "invalid_count");
    expect_error(a, "{\"coma\":true}", "items", "missing_field");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_care_form_structure),
        cmocka_unit_test_setup_teardown(test_care_item_by_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_level_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_diagnoses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_two_diagnoses_one_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_risk_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_rules_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_capped_at_four, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_coma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_care_parse, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
