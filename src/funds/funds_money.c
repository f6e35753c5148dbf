/*
 * Funds' arithmetic: amounts in fen, item overruns, changes, the approval
 * chain's next state and the ledger's reconciliation. No SQL, no HTTP.
 */
#include <stdio.h>
#include <string.h>

#include "funds/funds.h"
#include "core/banned.h"

#define SUM_MAX (FUNDS_MAX_FEN * FUNDS_MAX_LINES * 100)

static const char *const state_names[] = { "draft",    "review",   "council",  "street", "returned",
                                           "rejected", "approved", "change",   "closed" };
static const char *const state_labels[] = { "草稿", "居委会审核", "议事会审议", "街道审批", "退回修改",
                                            "未通过", "执行中", "变更审批中", "已结项" };
static const char *const step_names[] = { "submit", "review", "council", "street",
                                          "change", "change_review", "close" };
static const char *const decision_names[] = { "", "approve", "return", "reject" };

static bool parse_name(const char *s, const char *const *names, int n, int *ret)
{
    for (int i = 0; s && i < n; i++) {
        if (names[i][0] && strcmp(s, names[i]) == 0) {
            *ret = i;
            return true;
        }
    }
    return false;
}

const char *funds_state_name(FundsState s)
{
    return s < _FUNDS_STATE_MAX ? state_names[s] : "";
}

const char *funds_state_label(FundsState s)
{
    return s < _FUNDS_STATE_MAX ? state_labels[s] : "";
}

bool funds_state_parse(const char *s, FundsState *ret)
{
    int i;

    if (!parse_name(s, state_names, _FUNDS_STATE_MAX, &i))
        return false;
    *ret = (FundsState)i;
    return true;
}

const char *funds_step_name(FundsStepKind k)
{
    return k < _FUNDS_STEP_MAX ? step_names[k] : "";
}

bool funds_step_parse(const char *s, FundsStepKind *ret)
{
    int i;

    if (!parse_name(s, step_names, _FUNDS_STEP_MAX, &i))
        return false;
    *ret = (FundsStepKind)i;
    return true;
}

const char *funds_decision_name(FundsDecision d)
{
    return d < _FUNDS_DECISION_MAX ? decision_names[d] : "";
}

bool funds_decision_parse(const char *s, FundsDecision *ret)
{
    int i;

    if (!parse_name(s, decision_names, _FUNDS_DECISION_MAX, &i))
        return false;
    *ret = (FundsDecision)i;
    return true;
}

Error *funds_money_from_json(Arena *a, const char *field, json_t *v, bool positive, int64_t *ret)
{
    json_int_t n;

    if (!json_is_integer(v))
        return error_invalid(a, field, "invalid_amount",
                             json_is_real(v) ? "金额以分为单位，应为整数（如 12.50 元填 1250）"
                                             : "金额应为以分为单位的整数");
    n = json_integer_value(v);
    if (n < 0)
        return error_invalid(a, field, "negative_amount", "金额不能为负数");
    if (positive && n == 0)
        return error_invalid(a, field, "invalid_amount", "金额应大于 0");
    if (n > FUNDS_MAX_FEN)
        return error_invalid(a, field, "amount_too_large", "金额超出上限（10 亿元），请检查是否多输了位数");
    *ret = (int64_t)n;
    return NULL;
}

bool funds_money_mul(int64_t quantity, int64_t unit_fen, int64_t *ret)
{
    int64_t r;

    if (quantity < 0 || unit_fen < 0)
        return false;
    if (__builtin_mul_overflow(quantity, unit_fen, &r) || r > FUNDS_MAX_FEN)
        return false;
    *ret = r;
    return true;
}

bool funds_money_add(int64_t x, int64_t y, int64_t *ret)
{
    int64_t r;

    if (x < 0 || y < 0 || __builtin_add_overflow(x, y, &r) || r > SUM_MAX)
        return false;
    *ret = r;
    return true;
}

const char *funds_money_text(Arena *a, int64_t fen)
{
    char digits[32], out[48];
    int64_t yuan = (fen < 0 ? -fen : fen) / 100;
    int cents = (int)((fen < 0 ? -fen : fen) % 100);
    size_t n, o = 0;

    n = (size_t)snprintf(digits, sizeof(digits), "%lld", (long long)yuan);
    if (fen < 0)
        out[o++] = '-';
    out[o++] = (char)0xc2; /* ¥ */
    out[o++] = (char)0xa5;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, sizeof(out) - o, ".%02d", cents);
    return arena_strdup(a, out);
}

bool funds_item_may_spend(int64_t amount_fen, int64_t spent_fen, int64_t add_fen, int pct)
{
    int64_t limit, extra, after;

    if (amount_fen < 0 || spent_fen < 0 || add_fen <= 0 || pct < 0 || pct > 100)
        return false;
    extra = amount_fen / 100 * pct + amount_fen % 100 * pct / 100; /* no overflow: amount ≤ 10^11 */
    limit = amount_fen + extra;
    if (__builtin_add_overflow(spent_fen, add_fen, &after))
        return false;
    return after <= limit;
}

bool funds_change_within(int64_t old_total, int64_t new_total, int64_t moved_fen, int pct)
{
    int64_t allowed;

    if (old_total < 0 || new_total < 0 || moved_fen < 0 || pct < 0 || pct > 100)
        return false;
    if (new_total > old_total)
        return false; /* more money is a new approval, whatever the percentage */
    allowed = old_total / 100 * pct + old_total % 100 * pct / 100;
    return moved_fen <= allowed;
}

bool funds_step_next(FundsState state, FundsStepKind kind, FundsDecision decision,
                     int64_t total_fen, int64_t street_min_fen, FundsState *ret)
{
    FundsState next;

    if (kind == FUNDS_STEP_SUBMIT) {
        if (state != FUNDS_DRAFT && state != FUNDS_RETURNED)
            return false;
        *ret = FUNDS_REVIEW;
        return true;
    }
    if (decision == FUNDS_NONE || decision >= _FUNDS_DECISION_MAX)
        return false;
    switch (kind) {
    case FUNDS_STEP_REVIEW:
        if (state != FUNDS_REVIEW)
            return false;
        next = FUNDS_COUNCIL;
        break;
    case FUNDS_STEP_COUNCIL:
        if (state != FUNDS_COUNCIL)
            return false;
        next = total_fen > street_min_fen ? FUNDS_STREET : FUNDS_APPROVED;
        break;
    case FUNDS_STEP_STREET:
        if (state != FUNDS_STREET)
            return false;
        next = FUNDS_APPROVED;
        break;
    case FUNDS_STEP_CHANGE_REVIEW:
        if (state != FUNDS_CHANGE)
            return false;
        *ret = FUNDS_APPROVED; /* approved or not, the project goes on */
        return true;
    default:
        return false;
    }
    if (decision == FUNDS_RETURN)
        next = FUNDS_RETURNED;
    else if (decision == FUNDS_REJECT)
        next = FUNDS_REJECTED;
    *ret = next;
    return true;
}

void funds_ledger_add(FundsLedger *sum, const FundsLedger *x)
{
    sum->budget += x->budget;
    sum->approved += x->approved;
    sum->spent += x->spent;
    sum->committed += x->committed;
    sum->returned += x->returned;
    sum->available += x->available;
    sum->total_approved += x->total_approved;
    sum->total_spent += x->total_spent;
    sum->total_returned += x->total_returned;
}

const char *funds_ledger_problem(const FundsLedger *l)
{
    if (l->available < 0)
        return "approvals pass the budget (available < 0)";
    if (l->budget != l->approved + l->available)
        return "budget != approved + available (the line's total of approvals is not the sum of its"
               " projects')";
    if (l->approved != l->spent + l->committed + l->returned)
        return "approved != spent + committed + returned (the projects' spending is not the sum of"
               " their spending lines)";
    if (l->total_approved != l->approved || l->total_spent != l->spent ||
        l->total_returned != l->returned)
        return "the line's running totals differ from its projects and spending lines";
    return NULL;
}

json_t *funds_ledger_json(const FundsLedger *l)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "budget", (json_int_t)l->budget, "approved",
                     (json_int_t)l->approved, "spent", (json_int_t)l->spent, "committed",
                     (json_int_t)l->committed, "returned", (json_int_t)l->returned, "available",
                     (json_int_t)l->available);
}

static json_t *ledger_line_json(const FundsLedgerLine *x)
{
    json_t *o = funds_ledger_json(&x->l);

    json_object_set_new(o, "line_id", json_integer(x->line_id));
    json_object_set_new(o, "community", json_string(x->community));
    json_object_set_new(o, "community_name",
                        x->community_name ? json_string(x->community_name) : json_null());
    json_object_set_new(o, "name", json_string(x->name));
    return o;
}

json_t *funds_ledger_report(const FundsLedgerLine *lines, size_t n, int year, const char *scope,
                            bool *ret_ok)
{
    FundsLedger total = { 0 };
    json_t *arr = json_array(), *problems = json_array(), *o;
    bool ok = true;

    for (size_t i = 0; i < n; i++) {
        const char *why = funds_ledger_problem(&lines[i].l);

        o = ledger_line_json(&lines[i]);
        json_object_set_new(o, "reconciles", json_boolean(!why));
        json_array_append_new(arr, o);
        funds_ledger_add(&total, &lines[i].l);
        if (why) {
            ok = false;
            json_array_append_new(problems, json_pack("{s:I, s:s}", "line_id",
                                                      (json_int_t)lines[i].line_id, "problem", why));
        }
    }
    *ret_ok = ok;
    return json_pack("{s:s, s:i, s:s, s:o, s:o, s:b, s:o}", "scope", scope, "year", year, "unit",
                     "fen", "lines", arr, "totals", funds_ledger_json(&total), "reconciles", ok,
                     "problems", problems);
}

