#pragma once
/*
 * 自治金, community funds (issue 17). A community's yearly fund is split
 * into budget lines; a resident team (its lead a resident of the registry)
 * or the community's staff applies for a project with a budget table
 * (items × quantity × unit price); the application goes through the chain
 *
 *     draft → review (居委会) → council (议事会 opinion) → street (only when
 *     the total is above the budget's street_min_fen) → approved
 *
 * where each step approves, returns for changes (→ returned, which the
 * applicant edits and submits again) or rejects, with a reason, recorded
 * in fund_step. The final approval reserves the total on the line. An
 * approved project records milestones and spending against its items, each
 * with a receipt (an image or PDF, core/filetype); spending on an item may
 * pass the item's amount by the budget's change_pct, never the project's
 * approval; a changed budget table above that percentage waits for
 * re-approval (state change). Closing gives the unspent rest back to the
 * line (returned) with a final report; residents evaluate closed projects.
 * Approved and closed projects are public (公示) to their community.
 *
 * Money is int64_t fen everywhere. The running totals on fund_line and
 * fund_application carry CHECK constraints (schema 29), raised inside
 * one write transaction, so the database itself refuses an approval over
 * the line's budget or spending over the approval, whatever the races.
 *
 * The ledger of a line (funds_ledger_*): budget; approved (the sum of its
 * projects' approvals); spent (the sum of spending lines); committed
 * (approved and not yet spent, on open projects); returned (given back at
 * close); available (budget less the line's running total of approvals).
 * It reconciles when budget = approved + available and approved = spent +
 * committed + returned, and the running totals match the detail.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

struct Router;

#define FUNDS_MAX_FEN 100000000000LL /* ¥10亿: more is a typo */
#define FUNDS_MAX_QUANTITY 1000000
#define FUNDS_MAX_ITEMS 100
#define FUNDS_MAX_LINES 30
#define FUNDS_FILE_MAX (5 * 1024 * 1024)

typedef enum FundsState {
    FUNDS_DRAFT,
    FUNDS_REVIEW,   /* waits for the 居委会 */
    FUNDS_COUNCIL,  /* waits for the 议事会's opinion */
    FUNDS_STREET,   /* waits for the street */
    FUNDS_RETURNED, /* back with the applicant */
    FUNDS_REJECTED,
    FUNDS_APPROVED, /* being carried out */
    FUNDS_CHANGE,   /* approved; a change of its budget table waits for re-approval */
    FUNDS_CLOSED,
    _FUNDS_STATE_MAX
} FundsState;

typedef enum FundsStepKind {
    FUNDS_STEP_SUBMIT,
    FUNDS_STEP_REVIEW,
    FUNDS_STEP_COUNCIL,
    FUNDS_STEP_STREET,
    FUNDS_STEP_CHANGE,        /* a change applied (within change_pct) or asked for */
    FUNDS_STEP_CHANGE_REVIEW, /* the decision on an asked change */
    FUNDS_STEP_CLOSE,
    _FUNDS_STEP_MAX
} FundsStepKind;

typedef enum FundsDecision {
    FUNDS_NONE,
    FUNDS_APPROVE,
    FUNDS_RETURN,
    FUNDS_REJECT,
    _FUNDS_DECISION_MAX
} FundsDecision;

const char *funds_state_name(FundsState s);
const char *funds_state_label(FundsState s); /* Chinese */
bool funds_state_parse(const char *s, FundsState *ret);
const char *funds_step_name(FundsStepKind k);
bool funds_step_parse(const char *s, FundsStepKind *ret);
const char *funds_decision_name(FundsDecision d);
bool funds_decision_parse(const char *s, FundsDecision *ret);

/* ---- money (funds_money.c): pure arithmetic, unit-tested ---- */

/*
 * @v as an amount in fen: a JSON integer in [0, FUNDS_MAX_FEN] (@positive:
 * at least 1). 422 naming @field otherwise (a string, a fraction, a
 * negative number).
 */
Error *funds_money_from_json(Arena *a, const char *field, json_t *v, bool positive, int64_t *ret);
/* @quantity × @unit_fen into *ret, false if it overflows or passes FUNDS_MAX_FEN. */
bool funds_money_mul(int64_t quantity, int64_t unit_fen, int64_t *ret);
/* @x + @y into *ret, false past FUNDS_MAX_FEN × FUNDS_MAX_LINES × 100 or negative. */
bool funds_money_add(int64_t x, int64_t y, int64_t *ret);
/* "¥1,234.50" of @fen, in @a. */
const char *funds_money_text(Arena *a, int64_t fen);
/*
 * Whether an item of @amount_fen, @spent_fen spent so far, may take
 * @add_fen more: up to @amount_fen plus @pct percent of it (rounded down).
 */
bool funds_item_may_spend(int64_t amount_fen, int64_t spent_fen, int64_t add_fen, int pct);
/*
 * Whether a budget table changing from @old_total to @new_total, with items
 * changing by @moved_fen in all (the sum of each item's |new - old|), stays
 * within @pct percent of @old_total and needs no re-approval.
 */
bool funds_change_within(int64_t old_total, int64_t new_total, int64_t moved_fen, int pct);

/*
 * The state after step @kind with @decision on an application in @state
 * whose total is @total_fen and whose budget sends totals above
 * @street_min_fen to the street. False when the step is out of order.
 */
bool funds_step_next(FundsState state, FundsStepKind kind, FundsDecision decision,
                     int64_t total_fen, int64_t street_min_fen, FundsState *ret);

/* One line of the ledger, or the totals of several (funds_ledger_add). */
typedef struct FundsLedger {
    int64_t budget;            /* fen */
    int64_t approved;          /* the sum of its projects' approvals */
    int64_t spent;             /* the sum of its spending lines */
    int64_t committed;         /* approved, not yet spent, on open projects */
    int64_t returned;          /* given back at close */
    int64_t available;         /* budget less the running total of approvals */
    int64_t total_approved;    /* fund_line's running totals */
    int64_t total_spent;
    int64_t total_returned;
} FundsLedger;

/* Adds @x to @sum, field by field. */
void funds_ledger_add(FundsLedger *sum, const FundsLedger *x);
/*
 * NULL when @l reconciles; otherwise why not, in English (a static
 * string): the CLI prints it and exits 1.
 */
const char *funds_ledger_problem(const FundsLedger *l);
/* @l as {"budget","approved","spent","committed","returned","available"} (fen). */
json_t *funds_ledger_json(const FundsLedger *l);

/* A line of the ledger, with what names it. */
typedef struct FundsLedgerLine {
    int64_t line_id;
    const char *community;
    const char *community_name;
    int year;
    const char *name;
    FundsLedger l;
} FundsLedgerLine;

/*
 * The ledger of @lines as JSON: {"scope","year","unit":"fen","lines":[…],
 * "totals":{…},"reconciles","problems":[{"line_id","problem"}]}; *ret_ok
 * false when a line does not reconcile.
 */
json_t *funds_ledger_report(const FundsLedgerLine *lines, size_t n, int year, const char *scope,
                            bool *ret_ok);

/* ---- the rest of the module ---- */

void funds_routes_register(struct Router *r);
/* `linli funds ...` */
int funds_cli(int argc, char **argv);
/*
 * A year of demo projects in @community (this year, in every state, with
 * receipts and a closed, published report) and last year's closed fund;
 * *ret_n counts the projects. Inside the caller's transaction.
 */
Error *funds_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n);
