#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "funds/funds.h"

#define ARRAY_LEN(x) (sizeof(x) / sizeof((x)[0]))

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

static const struct {
    const char *json;
    bool positive;
    bool ok;
    int64_t fen;
    const char *code;
} amounts[] = {
    { "0", false, true, 0, NULL },
    { "0", true, false, 0, "invalid_amount" },
    { "1", true, true, 1, NULL },
    { "123456", false, true, 123456, NULL },
    { "100000000000", false, true, 100000000000LL, NULL }, /* FUNDS_MAX_FEN */
    { "100000000001", false, false, 0, "amount_too_large" },
    { "-1", false, false, 0, "negative_amount" },
    { "12.5", false, false, 0, "invalid_amount" },   /* yuan with a fraction, not fen */
    { "1.0", false, false, 0, "invalid_amount" },
    { "\"100\"", false, false, 0, "invalid_amount" }, /* a string */
    { "null", false, false, 0, "invalid_amount" },
    { "true", false, false, 0, "invalid_amount" },
    { "9223372036854775807", false, false, 0, "amount_too_large" },
};

static void test_funds_money_from_json(void **state)
{
    Arena *a = *state;

    for (size_t i = 0; i < ARRAY_LEN(amounts); i++) {
        json_t *v = json_loads(amounts[i].json, JSON_DECODE_ANY, NULL);
        int64_t fen = -7;
        Error *err;

        assert_non_null(v);
        err = funds_money_from_json(a, "amount_fen", v, amounts[i].positive, &fen);
        json_decref(v);
        assert_int_equal(err == NULL, amounts[i].ok);
        if (err) {
            assert_string_equal(err->field, "amount_fen");
            assert_string_equal(err->code, amounts[i].code);
            assert_int_equal(err->status, 422);
            assert_int_equal(fen, -7); /* untouched on failure */
        } else {
            assert_int_equal(fen, amounts[i].fen);
        }
    }
}

static void test_funds_money_mul_add(void **state)
{
    int64_t r = -1;

    (void)state;
    assert_true(funds_money_mul(3, 1999, &r));
    assert_int_equal(r, 5997);
    assert_true(funds_money_mul(0, 1999, &r));
    assert_int_equal(r, 0);
    assert_true(funds_money_mul(1000000, 100000, &r)); /* exactly FUNDS_MAX_FEN */
    assert_int_equal(r, FUNDS_MAX_FEN);
    assert_false(funds_money_mul(1000000, 100001, &r));
    assert_false(funds_money_mul(INT64_MAX, 2, &r)); /* overflow, not a wrapped number */
    assert_false(funds_money_mul(-1, 5, &r));
    assert_true(funds_money_add(FUNDS_MAX_FEN, FUNDS_MAX_FEN, &r));
    assert_int_equal(r, 2 * FUNDS_MAX_FEN);
    assert_false(funds_money_add(INT64_MAX, 1, &r));
    assert_false(funds_money_add(-1, 1, &r));
}

static void test_funds_money_text(void **state)
{
    Arena *a = *state;

    assert_string_equal(funds_money_text(a, 0), "¥0.00");
    assert_string_equal(funds_money_text(a, 5), "¥0.05");
    assert_string_equal(funds_money_text(a, 123456), "¥1,234.56");
    assert_string_equal(funds_money_text(a, 100000000000LL), "¥1,000,000,000.00");
    assert_string_equal(funds_money_text(a, -250), "-¥2.50");
}

/* An item may pass its amount by pct percent, rounded down, never more. */
static void test_funds_item_may_spend(void **state)
{
    (void)state;
    assert_true(funds_item_may_spend(20000, 0, 22000, 10));
    assert_false(funds_item_may_spend(20000, 0, 22001, 10));
    assert_true(funds_item_may_spend(20000, 21000, 1000, 10));
    assert_false(funds_item_may_spend(20000, 21000, 1001, 10));
    assert_true(funds_item_may_spend(199, 0, 218, 10)); /* 199 + 19.9 → 218 */
    assert_false(funds_item_may_spend(199, 0, 219, 10));
    assert_true(funds_item_may_spend(100, 0, 100, 0));
    assert_false(funds_item_may_spend(100, 0, 101, 0));
    assert_false(funds_item_may_spend(100, 0, 0, 10));  /* nothing is not spending */
    assert_false(funds_item_may_spend(100, 0, -5, 10));
    assert_true(funds_item_may_spend(FUNDS_MAX_FEN, 0, FUNDS_MAX_FEN * 2, 100));
    assert_false(funds_item_may_spend(100, INT64_MAX, 1, 10)); /* no overflow */
}

static void test_funds_change_within(void **state)
{
    (void)state;
    assert_true(funds_change_within(20000, 19000, 1000, 10));
    assert_true(funds_change_within(20000, 20000, 2000, 10));  /* 2000 moved between items */
    assert_false(funds_change_within(20000, 20000, 2001, 10));
    assert_false(funds_change_within(20000, 20001, 1, 10));    /* more money: re-approval */
    assert_true(funds_change_within(0, 0, 0, 10));
}

static const struct {
    FundsState from;
    FundsStepKind kind;
    FundsDecision decision;
    int64_t total;
    bool ok;
    FundsState to;
} steps[] = {
    { FUNDS_DRAFT, FUNDS_STEP_SUBMIT, FUNDS_NONE, 100, true, FUNDS_REVIEW },
    { FUNDS_RETURNED, FUNDS_STEP_SUBMIT, FUNDS_NONE, 100, true, FUNDS_REVIEW },
    { FUNDS_REVIEW, FUNDS_STEP_SUBMIT, FUNDS_NONE, 100, false, 0 },
    { FUNDS_REJECTED, FUNDS_STEP_SUBMIT, FUNDS_NONE, 100, false, 0 },
    { FUNDS_REVIEW, FUNDS_STEP_REVIEW, FUNDS_APPROVE, 100, true, FUNDS_COUNCIL },
    { FUNDS_REVIEW, FUNDS_STEP_REVIEW, FUNDS_RETURN, 100, true, FUNDS_RETURNED },
    { FUNDS_REVIEW, FUNDS_STEP_REVIEW, FUNDS_REJECT, 100, true, FUNDS_REJECTED },
    { FUNDS_REVIEW, FUNDS_STEP_REVIEW, FUNDS_NONE, 100, false, 0 },
    { FUNDS_REVIEW, FUNDS_STEP_COUNCIL, FUNDS_APPROVE, 100, false, 0 }, /* out of order */
    { FUNDS_COUNCIL, FUNDS_STEP_COUNCIL, FUNDS_APPROVE, 1000, true, FUNDS_APPROVED }, /* at the amount */
    { FUNDS_COUNCIL, FUNDS_STEP_COUNCIL, FUNDS_APPROVE, 1001, true, FUNDS_STREET },   /* above it */
    { FUNDS_COUNCIL, FUNDS_STEP_COUNCIL, FUNDS_RETURN, 1001, true, FUNDS_RETURNED },
    { FUNDS_COUNCIL, FUNDS_STEP_STREET, FUNDS_APPROVE, 1001, false, 0 },
    { FUNDS_STREET, FUNDS_STEP_STREET, FUNDS_APPROVE, 1001, true, FUNDS_APPROVED },
    { FUNDS_STREET, FUNDS_STEP_STREET, FUNDS_REJECT, 1001, true, FUNDS_REJECTED },
    { FUNDS_APPROVED, FUNDS_STEP_STREET, FUNDS_APPROVE, 1001, false, 0 },
    { FUNDS_CHANGE, FUNDS_STEP_CHANGE_REVIEW, FUNDS_APPROVE, 1001, true, FUNDS_APPROVED },
    { FUNDS_CHANGE, FUNDS_STEP_CHANGE_REVIEW, FUNDS_REJECT, 1001, true, FUNDS_APPROVED },
    { FUNDS_APPROVED, FUNDS_STEP_CHANGE_REVIEW, FUNDS_APPROVE, 1001, false, 0 },
    { FUNDS_CLOSED, FUNDS_STEP_REVIEW, FUNDS_APPROVE, 100, false, 0 },
};

static void test_funds_step_next(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
        FundsState to = _FUNDS_STATE_MAX;
        bool ok = funds_step_next(steps[i].from, steps[i].kind, steps[i].decision, steps[i].total,
                                  1000, &to);

        assert_int_equal(ok, steps[i].ok);
        if (ok)
            assert_int_equal(to, steps[i].to);
    }
}

static void test_funds_names(void **state)
{
    FundsState s;
    FundsStepKind k;
    FundsDecision d;

    (void)state;
    for (int i = 0; i < _FUNDS_STATE_MAX; i++) {
        assert_true(funds_state_parse(funds_state_name((FundsState)i), &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < _FUNDS_STEP_MAX; i++) {
        assert_true(funds_step_parse(funds_step_name((FundsStepKind)i), &k));
        assert_int_equal(k, i);
    }
    assert_false(funds_state_parse("approve", &s));
    assert_false(funds_decision_parse("", &d)); /* FUNDS_NONE is not a decision one sends */
    assert_true(funds_decision_parse("return", &d));
    assert_int_equal(d, FUNDS_RETURN);
}

/* The ledger's two equations and the running totals, each broken in turn. */
static void test_funds_ledger_problem(void **state)
{
    FundsLedger ok = { .budget = 100000, .approved = 30000, .spent = 20000, .committed = 9000,
                       .returned = 1000, .available = 70000, .total_approved = 30000,
                       .total_spent = 20000, .total_returned = 1000 };
    FundsLedger x, sum = { 0 };

    (void)state;
    assert_null(funds_ledger_problem(&ok));
    x = ok;
    x.available = 69999; /* the line's total of approvals is not its projects' */
    assert_non_null(funds_ledger_problem(&x));
    x = ok;
    x.spent = 20001; /* a spending line the project's total missed */
    assert_non_null(funds_ledger_problem(&x));
    x = ok;
    x.total_spent = 19999;
    assert_non_null(funds_ledger_problem(&x));
    x = ok;
    x.available = -1;
    x.budget = 29999;
    assert_non_null(funds_ledger_problem(&x));
    funds_ledger_add(&sum, &ok);
    funds_ledger_add(&sum, &ok);
    assert_int_equal(sum.budget, 200000);
    assert_int_equal(sum.committed, 18000);
    assert_null(funds_ledger_problem(&sum));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_funds_money_from_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_money_mul_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_money_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_item_may_spend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_change_within, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_step_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds_ledger_problem, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
