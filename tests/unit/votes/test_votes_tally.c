#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "votes/votes.h"

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

/* Parses and counts @text; the error, if any. */
static Error *count(Arena *a, const char *text, VotesTally *ret)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    VotesInput in;
    Error *err;

    assert_non_null(j);
    arena_defer(a, (ArenaCleanup)json_decref, j);
    err = votes_tally_parse(a, j, &in);
    if (!err)
        err = votes_tally(a, &in, ret);
    return err;
}

/*
 * @n units of 100 m², each its own owner; the first @yes vote yes, the
 * next @no vote no, the rest do not vote.
 */
static const char *units_doc(Arena *a, const char *matter, int n, int yes, int no)
{
    char *s = arena_sprintf(a, "{\"matter\":\"%s\",\"units\":[", matter);

    for (int i = 0; i < n; i++)
        s = arena_sprintf(a, "%s%s{\"id\":\"u%d\",\"area_m2\":100,\"owner\":\"o%d\"}", s, i ? "," : "", i, i);
    s = arena_sprintf(a, "%s],\"ballots\":[", s);
    for (int i = 0; i < yes + no; i++)
        s = arena_sprintf(a, "%s%s{\"unit\":\"u%d\",\"choice\":\"%s\"}", s, i ? "," : "", i, i < yes ? "yes" : "no");
    return arena_sprintf(a, "%s]}", s);
}

static const VotesCondition *cond(const VotesTally *t, const char *name)
{
    for (int i = 0; i < t->n_conditions; i++) {
        if (strcmp(t->conditions[i].name, name) == 0)
            return &t->conditions[i];
    }
    fail();
    return NULL;
}

/* 2/3 exactly is a quorum; one short is not. */
static void test_votes_quorum_boundary(void **state)
{
    Arena *a = *state;
    VotesTally t;

    assert_null(count(a, units_doc(a, "special", 12, 8, 0), &t)); /* 8/12 = 2/3 */
    assert_true(cond(&t, "quorum_area")->holds);
    assert_true(cond(&t, "quorum_owners")->holds);
    assert_true(t.quorum);
    assert_null(count(a, units_doc(a, "special", 12, 7, 0), &t)); /* 7/12 < 2/3 */
    assert_false(t.quorum);
    assert_false(t.approved); /* all 7 said yes, but too few took part */
    assert_true(cond(&t, "approval_owners")->holds);
}

/* Special: 3/4 of the participants exactly approves; ordinary: half exactly does not. */
static void test_votes_approval_boundaries(void **state)
{
    Arena *a = *state;
    VotesTally t;

    assert_null(count(a, units_doc(a, "special", 12, 9, 3), &t)); /* 9/12 */
    assert_true(t.quorum);
    assert_true(cond(&t, "approval_area")->holds);
    assert_true(t.approved);
    assert_null(count(a, units_doc(a, "special", 12, 8, 4), &t)); /* 8/12 < 3/4 */
    assert_false(t.approved);

    assert_null(count(a, units_doc(a, "ordinary", 12, 6, 6), &t)); /* 6/12: not more than half */
    assert_true(t.quorum);
    assert_false(cond(&t, "approval_owners")->holds);
    assert_true(cond(&t, "approval_owners")->strict);
    assert_false(t.approved);
    assert_null(count(a, units_doc(a, "ordinary", 12, 7, 5), &t));
    assert_true(t.approved);
}

/* Area in exact hundredths: 75.00 of 100.00 holds at 3/4, 74.99 does not. */
static void test_votes_area_exact(void **state)
{
    Arena *a = *state;
    VotesTally t;
    const char *fmt = "{\"matter\":\"special\",\"units\":["
                      "{\"id\":1,\"area_m2\":%s,\"owner\":\"a\"},{\"id\":2,\"area_m2\":%s,\"owner\":\"b\"},"
                      "{\"id\":3,\"area_m2\":%s,\"owner\":\"c\"},{\"id\":4,\"area_m2\":%s,\"owner\":\"d\"}],"
                      "\"ballots\":[{\"unit\":1,\"choice\":\"yes\"},{\"unit\":2,\"choice\":\"yes\"},"
                      "{\"unit\":3,\"choice\":\"yes\"},{\"unit\":4,\"choice\":\"no\"}]}";

    assert_null(count(a, arena_sprintf(a, fmt, "25", "\"25.00\"", "25.0", "25"), &t));
    assert_int_equal(t.area_total, 10000);
    assert_int_equal(t.area_yes, 7500);
    assert_true(cond(&t, "approval_area")->holds);
    assert_null(count(a, arena_sprintf(a, fmt, "24.99", "25", "25", "25.01"), &t));
    assert_int_equal(t.area_yes, 7499);
    assert_false(cond(&t, "approval_area")->holds);
    /* 0.1 + 0.2 is 0.3 here: 30 hundredths of 45 is 2/3 exactly */
    assert_null(count(a, arena_sprintf(a, fmt, "0.1", "0.2", "0.1", "0.05"), &t));
    assert_int_equal(t.area_total, 45);
    assert_int_equal(t.area_participating, 45);
    assert_null(count(a, "{\"matter\":\"special\",\"units\":[{\"id\":1,\"area_m2\":0.1,\"owner\":\"a\"},"
                         "{\"id\":2,\"area_m2\":0.2,\"owner\":\"b\"},{\"id\":3,\"area_m2\":0.15,\"owner\":\"c\"}],"
                         "\"ballots\":[{\"unit\":1,\"choice\":\"yes\"},{\"unit\":2,\"choice\":\"yes\"}]}", &t));
    assert_int_equal(t.area_participating, 30);
    assert_true(cond(&t, "quorum_area")->holds); /* 30/45 = 2/3 */
    assert_string_equal(cond(&t, "quorum_area")->name, "quorum_area");
}

/* One owner of three units is one person; the developer's unsold units one more. */
static void test_votes_owner_counting(void **state)
{
    Arena *a = *state;
    VotesTally t;

    assert_null(count(a, "{\"matter\":\"special\",\"units\":["
                         "{\"id\":\"101\",\"area_m2\":80,\"owner\":\"张\"},{\"id\":\"102\",\"area_m2\":80,\"owner\":\"张\"},"
                         "{\"id\":\"103\",\"area_m2\":80,\"owner\":\"张\"},{\"id\":\"201\",\"area_m2\":90,\"owner\":\"李\"},"
                         "{\"id\":\"202\",\"area_m2\":70,\"unsold\":true},{\"id\":\"203\",\"area_m2\":70,\"unsold\":true,\"owner\":null}],"
                         "\"ballots\":[{\"unit\":\"102\",\"choice\":\"yes\"},{\"unit\":\"202\",\"choice\":\"abstain\"}]}",
                      &t));
    assert_int_equal(t.owners_total, 3);
    assert_int_equal(t.owners_participating, 2);
    assert_int_equal(t.owners_yes, 1);
    assert_int_equal(t.area_total, 47000);
    assert_int_equal(t.area_participating, 38000); /* 张 with all three units, the developer with both */
    assert_int_equal(t.area_yes, 24000);
    assert_true(t.quorum);      /* 2/3 owners, 380/470 area */
    assert_false(t.approved);   /* 1 of 2 participating owners */
}

static void expect_error(Arena *a, const char *text, const char *field, const char *code)
{
    VotesTally t;
    Error *err = count(a, text, &t);

    assert_non_null(err);
    assert_int_equal(err->status, 422);
    assert_string_equal(err->code, code);
    assert_string_equal(err->field, field);
}

static void test_votes_bad_input(void **state)
{
    Arena *a = *state;
    const char *two = "{\"matter\":\"special\",\"units\":[{\"id\":\"1\",\"area_m2\":50,\"owner\":\"a\"},"
                      "{\"id\":\"2\",\"area_m2\":50,\"owner\":\"a\"}],\"ballots\":%s}";

    expect_error(a, "{\"units\":[]}", "matter", "missing_field");
    expect_error(a, "{\"matter\":\"urgent\",\"units\":[]}", "matter", "invalid_matter");
    expect_error(a, "{\"matter\":\"special\",\"units\":[],\"quorum\":1}", "quorum", "unknown_field");
    expect_error(a, "{\"matter\":\"special\",\"units\":[{\"id\":\"1\",\"area_m2\":-5,\"owner\":\"a\"}]}",
                 "units[0].area_m2", "invalid_area");
    expect_error(a, "{\"matter\":\"special\",\"units\":[{\"id\":\"1\",\"area_m2\":89.555,\"owner\":\"a\"}]}",
                 "units[0].area_m2", "invalid_area");
    expect_error(a, "{\"matter\":\"special\",\"units\":[{\"id\":\"1\",\"area_m2\":\"89.5.5\",\"owner\":\"a\"}]}",
                 "units[0].area_m2", "invalid_area");
    expect_error(a, "{\"matter\":\"special\",\"units\":[{\"id\":\"1\",\"area_m2\":89}]}", "units[0].owner",
                 "missing_field");
    expect_error(a, "{\"matter\":\"special\",\"units\":[{\"id\":\"1\",\"area_m2\":89,\"owner\":\"a\"},"
                    "{\"id\":\"1\",\"area_m2\":89,\"owner\":\"b\"}]}",
                 "units[1].id", "duplicate_unit");
    expect_error(a, arena_sprintf(a, two, "[{\"unit\":\"3\",\"choice\":\"yes\"}]"), "ballots[0].unit",
                 "unknown_unit");
    expect_error(a, arena_sprintf(a, two, "[{\"unit\":\"1\",\"choice\":\"yes\"},{\"unit\":\"1\",\"choice\":\"no\"}]"),
                 "ballots[1].unit", "double_vote");
    expect_error(a, arena_sprintf(a, two, "[{\"unit\":\"1\",\"choice\":\"yes\"},{\"unit\":\"2\",\"choice\":\"no\"}]"),
                 "ballots[1].choice", "conflicting_ballots");
    expect_error(a, arena_sprintf(a, two, "[{\"unit\":\"1\",\"choice\":\"maybe\"}]"), "ballots[0].choice",
                 "invalid_choice");
}

/* Nobody votes: nothing holds, nothing divides by zero. */
/* A city's thresholds for 加装电梯 replace art. 278's: 2/3 of those taking part, at least. */
static void test_votes_rule_override(void **state)
{
    Arena *a = *state;
    json_t *j = json_loads(units_doc(a, "special", 9, 4, 2), 0, NULL);
    VotesInput in;
    VotesTally t;

    assert_non_null(j);
    arena_defer(a, (ArenaCleanup)json_decref, j);
    assert_null(votes_tally_parse(a, j, &in));
    assert_null(votes_tally(a, &in, &t));
    assert_false(t.approved); /* 4/6 < 3/4 */
    in.rule = (VotesRule){ 2, 3, 2, 3, false };
    assert_null(votes_tally(a, &in, &t));
    assert_true(cond(&t, "approval_owners")->holds); /* 4/6 = 2/3 exactly */
    assert_int_equal(cond(&t, "approval_owners")->t_d, 3);
    assert_true(t.approved);
    /* one more condition that fails holds approval back */
    votes_tally_require(&t, "occupied_consent", "占用专有部分的业主同意", 0, 1, 1, 1);
    assert_int_equal(t.n_conditions, 5);
    assert_false(t.approved);
}

/* A poll: more than half by default, half exactly not enough; a quorum when set. */
static void test_votes_poll(void **state)
{
    VotesRule none = { 0 }, third = { 1, 3, 0, 0, false };
    VotesTally t;

    (void)state;
    votes_poll_tally(10, 3, 3, 0, &none, &t);
    assert_false(t.approved);
    votes_poll_tally(10, 4, 3, 1, &none, &t);
    assert_false(t.approved); /* 4/8 */
    votes_poll_tally(10, 5, 3, 0, &none, &t);
    assert_true(t.approved);
    assert_int_equal(t.n_conditions, 1);
    votes_poll_tally(10, 2, 0, 0, &third, &t);
    assert_false(t.quorum); /* 2/10 < 1/3 */
    assert_false(t.approved);
    votes_poll_tally(9, 3, 0, 0, &third, &t);
    assert_true(t.quorum); /* 3/9 = 1/3 exactly */
    assert_true(t.approved);
}

static void test_votes_empty(void **state)
{
    Arena *a = *state;
    VotesTally t;

    assert_null(count(a, units_doc(a, "ordinary", 3, 0, 0), &t));
    assert_false(t.quorum);
    assert_false(t.approved);
    assert_string_equal(votes_area_text(a, 12345), "123.45");
    assert_string_equal(votes_area_text(a, 5), "0.05");
    assert_null(count(a, "{\"matter\":\"ordinary\",\"units\":[]}", &t));
    assert_int_equal(t.owners_total, 0);
    assert_false(t.quorum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_votes_quorum_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_approval_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_area_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_owner_counting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_rule_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_votes_poll, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
