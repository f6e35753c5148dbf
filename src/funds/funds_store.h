#pragma once
/*
 * Funds' SQL (funds_store.c), for funds_routes.c, funds_cli.c and
 * funds_demo.c. Errors: store_error's, and the 409s named below. JSON
 * results are new references owned by the caller.
 */
#include <jansson.h>

#include "funds/funds.h"

typedef struct FundsBudget {
    int64_t id;
    const char *community;
    int year;
    int64_t street_min_fen;
    int change_pct;
} FundsBudget;

typedef struct FundsLineInput {
    const char *name;
    int64_t budget_fen;
} FundsLineInput;

typedef struct FundsItemInput {
    int64_t id;        /* a change: the item it changes; 0 for a new one */
    const char *name;
    const char *unit;
    int64_t quantity;
    int64_t unit_fen;
    int64_t amount_fen; /* quantity × unit_fen */
} FundsItemInput;

typedef struct FundsAppInput {
    int64_t line_id;
    int64_t team_id;   /* 0: applied by staff */
    const char *title;
    const char *purpose;
    const char *beneficiaries;
    const char *starts_on;
    const char *ends_on;
    FundsItemInput items[FUNDS_MAX_ITEMS];
    int n_items;
    int64_t total_fen;
} FundsAppInput;

typedef struct FundsApp {
    int64_t id;
    int64_t budget_id;
    int64_t line_id;
    const char *community;
    int year;
    int64_t team_id;
    int64_t applicant_id;
    const char *title;
    FundsState state;
    int64_t total_fen;
    int64_t approved_fen;
    int64_t spent_fen;
    int64_t returned_fen;
    int64_t street_min_fen; /* its budget's */
    int change_pct;         /* its budget's */
    const char *change_json; /* the change waiting for re-approval, or NULL */
} FundsApp;

typedef struct FundsItem {
    int64_t id;
    int64_t amount_fen;
    int64_t spent_fen;
} FundsItem;

/* ---- budgets and lines ---- */

/* 409 budget_exists when @community has a fund for @year. */
Error *funds_store_budget_insert(Store *st, Arena *a, const char *community, int year,
                                 int64_t street_min_fen, int change_pct, const char *note,
                                 const FundsLineInput *lines, int n_lines, int64_t user_id,
                                 int64_t now_ms, int64_t *ret_id);
/* *ret NULL when there is none. */
Error *funds_store_budget_get(Store *st, Arena *a, int64_t id, FundsBudget **ret);
Error *funds_store_budget_update(Store *st, Arena *a, int64_t id, int64_t street_min_fen,
                                 int change_pct, const char *note, int64_t now_ms);
/* The budgets of communities in [@lo, @hi) (@year 0: every year), each with its lines' ledger. */
Error *funds_store_budget_list(Store *st, Arena *a, const char *lo, const char *hi, int year,
                               json_t **ret);
/* 409 line_exists for a name the budget has. */
Error *funds_store_line_insert(Store *st, Arena *a, const FundsBudget *b, const char *name,
                               int64_t budget_fen, int64_t *ret_id);
/* The ids of @budget_id's lines in order, at most @max, into @ret. */
Error *funds_store_line_ids(Store *st, Arena *a, int64_t budget_id, int64_t *ret, int max);
/* *ret_budget_id 0 when there is no such line. */
Error *funds_store_line_budget(Store *st, Arena *a, int64_t line_id, int64_t *ret_budget_id);
/* 409 below_approved when @budget_fen is below what the line has approved. */
Error *funds_store_line_update(Store *st, Arena *a, int64_t line_id, const char *name,
                               int64_t budget_fen);

/* ---- teams ---- */

Error *funds_store_team_insert(Store *st, Arena *a, const char *community, const char *name,
                               int64_t lead_resident_id, int64_t members, const char *note,
                               int64_t user_id, int64_t now_ms, int64_t *ret_id);
/* Teams of communities in [@lo, @hi); @lead not 0: only those that resident leads. */
Error *funds_store_team_list(Store *st, Arena *a, const char *lo, const char *hi, int64_t lead,
                             json_t **ret);
/* The team's community and lead (resident id); *ret_community NULL when there is none. */
Error *funds_store_team_get(Store *st, Arena *a, int64_t id, const char **ret_community,
                            int64_t *ret_lead);
/* A resident's community, NULL when she is not an active resident. */
Error *funds_store_resident_community(Store *st, Arena *a, int64_t resident_id,
                                      const char **ret);
/*
 * The resident @user_id is (app_user.resident_id), or for an account
 * without one (a household's) the team lead living in its household; 0.
 */
Error *funds_store_user_resident(Store *st, Arena *a, int64_t user_id, int64_t *ret);

/* ---- applications ---- */

Error *funds_store_app_insert(Store *st, Arena *a, const FundsBudget *b, const FundsAppInput *in,
                              int64_t applicant_id, int64_t now_ms, int64_t *ret_id);
/* A draft or returned application's fields and items, all replaced. */
Error *funds_store_app_update(Store *st, Arena *a, int64_t id, const FundsAppInput *in,
                              int64_t now_ms);
Error *funds_store_app_delete(Store *st, Arena *a, int64_t id);
/* *ret NULL when there is none. */
Error *funds_store_app_get(Store *st, Arena *a, int64_t id, FundsApp **ret);
/* The budget of @line_id, NULL if none. */
Error *funds_store_line_get_budget(Store *st, Arena *a, int64_t line_id, FundsBudget **ret);
/* The whole page of an application: fields, items, steps, milestones, spending, files, evaluations. */
Error *funds_store_app_json(Store *st, Arena *a, int64_t id, bool public_view, json_t **ret);

typedef struct FundsListFilter {
    const char *lo, *hi;     /* communities in [lo, hi) */
    int year;                /* 0: any */
    const char *state;       /* NULL: any */
    int64_t applicant_id;    /* 0: anyone's */
    int64_t team_lead;       /* a resident id: also the applications of her teams */
    bool public_only;        /* approved and closed only */
    int64_t limit, offset;
} FundsListFilter;
Error *funds_store_app_list(Store *st, Arena *a, const FundsListFilter *f, json_t **ret_items,
                            int64_t *ret_total);

/* Moves @app from its state to @to; 409 state_changed if another request moved it first. */
Error *funds_store_app_set_state(Store *st, Arena *a, const FundsApp *app, FundsState to,
                                 int64_t now_ms);
Error *funds_store_step_insert(Store *st, Arena *a, int64_t app_id, FundsStepKind kind,
                               FundsDecision decision, const char *reason, int64_t amount_fen,
                               const char *meeting_on, int64_t attendees, int64_t actor_id,
                               const char *actor_name, int64_t now_ms);
/*
 * The final approval: reserves @app's total on its line and moves it to
 * approved. 409 over_budget when the line has not that much left (the
 * database's CHECK refuses it too).
 */
Error *funds_store_approve(Store *st, Arena *a, const FundsApp *app, int64_t now_ms);

/* ---- execution ---- */

/* *ret NULL when @item_id is not one of @app_id's items. */
Error *funds_store_item_get(Store *st, Arena *a, int64_t app_id, int64_t item_id, FundsItem **ret);
/* The items of @app_id, in order (at most FUNDS_MAX_ITEMS). */
Error *funds_store_items(Store *st, Arena *a, int64_t app_id, FundsItem *ret, int *ret_n);
/*
 * Records spending: the item's, the application's and the line's totals
 * raised. 409 over_approval when the project would pass its approval.
 */
Error *funds_store_spend(Store *st, Arena *a, const FundsApp *app, int64_t item_id,
                         int64_t amount_fen, const char *spent_on, const char *note,
                         int64_t receipt_id, int64_t user_id, int64_t now_ms, int64_t *ret_id);
/*
 * Applies a new budget table to an approved project: items updated, added
 * or removed (removed ones never spent), the approval and the line's total
 * moved by the difference. 409 over_budget when the line cannot take it.
 */
Error *funds_store_apply_change(Store *st, Arena *a, const FundsApp *app, const FundsAppInput *in,
                                int64_t now_ms);
/* Stores @change_json (NULL clears) on @app_id. */
Error *funds_store_set_change(Store *st, Arena *a, int64_t app_id, const char *change_json);
Error *funds_store_milestone_insert(Store *st, Arena *a, int64_t app_id, const char *title,
                                    const char *due_on, int64_t now_ms, int64_t *ret_id);
/* *ret_app_id 0 when there is no such milestone. */
Error *funds_store_milestone_app(Store *st, Arena *a, int64_t id, int64_t *ret_app_id);
Error *funds_store_milestone_report(Store *st, Arena *a, int64_t id, const char *report,
                                    int64_t user_id, int64_t now_ms);
/* Closes @app: the unspent rest returned to its line. */
Error *funds_store_close(Store *st, Arena *a, const FundsApp *app, const char *final_report,
                         int64_t now_ms);
/* 409 already_evaluated for a second evaluation by @user_id. */
Error *funds_store_evaluate(Store *st, Arena *a, int64_t app_id, int64_t user_id, int64_t score,
                            const char *comment, int64_t now_ms);

/* ---- files ---- */

Error *funds_store_file_insert(Store *st, Arena *a, int64_t app_id, const char *kind,
                               const char *name, const char *mime, const void *data, size_t len,
                               int64_t user_id, int64_t now_ms, int64_t *ret_id);
/* *ret_data NULL when there is none. */
Error *funds_store_file_get(Store *st, Arena *a, int64_t id, int64_t *ret_app_id,
                            const char **ret_kind, const char **ret_mime, const void **ret_data,
                            size_t *ret_len);
/* Links a receipt or photo to a milestone of the same application. */
Error *funds_store_file_attach(Store *st, Arena *a, int64_t file_id, int64_t app_id,
                               int64_t milestone_id, int64_t *ret_changes);

/*
 * The accounts that decide a step of @community's applications, at most
 * @limit, without @except_user: its staff and secretaries, or (@street)
 * the street admins over it. Active and not disabled, in id order.
 */
Error *funds_store_decider_ids(Store *st, Arena *a, const char *community, bool street,
                               int64_t except_user, int64_t limit, int64_t **ret, size_t *ret_n);

/* ---- ledger and report ---- */

/*
 * The ledger of every line of communities in [@lo, @hi) for @year, in
 * community and line order, in @a.
 */
Error *funds_store_ledger(Store *st, Arena *a, const char *lo, const char *hi, int year,
                          FundsLedgerLine **ret, size_t *ret_n);
/* A year's report data: counts by state and line, evaluations, monthly spending. */
Error *funds_store_report(Store *st, Arena *a, const char *lo, const char *hi, int year,
                          json_t **ret);

/* ---- demo ---- */

typedef struct FundsDemoPeople {
    int64_t staff, street;   /* the demo accounts' ids (0 if missing) */
    int64_t resident_user;   /* the demo resident's account */
    int64_t resident;        /* the first resident of her household: the demo team's lead */
    int64_t others[8];       /* residents of the community, to lead other teams */
    int n_others;
} FundsDemoPeople;
Error *funds_store_demo_people(Store *st, Arena *a, const char *community, FundsDemoPeople *ret);
