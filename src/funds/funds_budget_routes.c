/*
 * Funds routes for the money's frame: budgets and their lines (the
 * street), resident teams (the community's staff), the ledger and the
 * yearly report (funds.h tells what the ledger is).
 */
#include <string.h>

#include "audit/audit.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "funds/funds_routes.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

/* ---- budgets ---- */

/* The first budget of @list (which it releases). */
static Error *respond_first(Request *req, Response *res, int status, json_t *list)
{
    json_t *o = json_incref(json_array_get(list, 0));

    json_decref(list);
    if (!o)
        return error_not_found(req->arena, "id", "找不到该预算");
    return response_json(res, status, o);
}

static Error *funds_handle_budget_create(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "year", "street_min_fen", "change_pct",
                                          "note", "lines", NULL };
    FundsLineInput lines[FUNDS_MAX_LINES];
    const char *community = NULL, *note = NULL;
    int64_t year = 0, street_min = 500000, pct = 10, id = 0;
    int n_lines = 0;
    json_t *body, *out = NULL;
    Error *err;

    err = auth_require(req, ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "community", true, 12, 12, &community);
    if (!err)
        err = validate_division_code(req->arena, "community", community, &community);
    if (!err && strlen(community) != 12)
        err = error_invalid(req->arena, "community", "invalid_community", "请填写 12 位社区代码");
    if (!err)
        err = request_field_int(req, body, "year", true, 2000, 2100, &year, NULL);
    if (!err)
        err = funds_money_field(req, body, "street_min_fen", false, false, &street_min, NULL);
    if (!err)
        err = request_field_int(req, body, "change_pct", false, 0, 100, &pct, NULL);
    if (!err)
        err = request_field_string(req, body, "note", false, 0, 500, &note);
    if (!err)
        err = funds_parse_lines(req, body, lines, &n_lines);
    if (!err && !funds_is_street_of(req->user, community))
        err = error_forbidden(req->arena, "只有所属街道可以设定社区的自治金预算");
    if (err)
        return err;
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_budget_insert(req->store, req->arena, community, (int)year, street_min,
                                    (int)pct, note ? note : "", lines, n_lines, req->user->id,
                                    time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "funds.budget_create", "fund_budget", id, community, NULL);
    err = funds_finish(req, err);
    if (!err)
        err = funds_store_budget_list(req->store, req->arena, community,
                                      arena_sprintf(req->arena, "%s~", community), (int)year, &out);
    if (err)
        return err;
    return respond_first(req, res, 201, out);
}

static Error *funds_handle_budget_list(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t year = 0;
    json_t *items = NULL;
    Error *err;

    /* residents too: a community's budget is public, and an applicant picks her line in it */
    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN | ROLE_RESIDENT);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = funds_year_query(req, false, &year);
    if (!err)
        err = funds_store_budget_list(req->store, req->arena, lo, hi, (int)year, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Budget {id} (route parameter 0), for its street. */
static Error *load_budget(Request *req, FundsBudget **ret)
{
    int64_t id;
    Error *err;

    err = auth_require(req, ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = funds_store_budget_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || !auth_covers(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该预算");
    return NULL;
}

static Error *respond_budget(Request *req, Response *res, int status, const FundsBudget *b)
{
    json_t *out = NULL;
    Error *err = funds_store_budget_list(req->store, req->arena, b->community,
                                         arena_sprintf(req->arena, "%s~", b->community), b->year,
                                         &out);

    if (err)
        return err;
    return respond_first(req, res, status, out);
}

/* Commits the transaction @err leaves (or rolls it back) and answers with budget @b. */
static Error *commit_respond(Request *req, Response *res, Error *err, int status,
                             const FundsBudget *b)
{
    err = funds_finish(req, err);
    if (err)
        return err;
    return respond_budget(req, res, status, b);
}

static Error *funds_handle_budget_update(Request *req, Response *res)
{
    static const char *const fields[] = { "street_min_fen", "change_pct", "note", NULL };
    FundsBudget *b = NULL;
    const char *note = NULL;
    int64_t street_min, pct;
    json_t *body;
    Error *err;

    err = load_budget(req, &b);
    if (err)
        return err;
    street_min = b->street_min_fen;
    pct = b->change_pct;
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = funds_money_field(req, body, "street_min_fen", false, false, &street_min, NULL);
    if (!err)
        err = request_field_int(req, body, "change_pct", false, 0, 100, &pct, NULL);
    if (!err)
        err = request_field_string(req, body, "note", false, 0, 500, &note);
    if (err)
        return err;
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_budget_update(req->store, req->arena, b->id, street_min, (int)pct,
                                    note ? note : "", time_now_ms());
    if (!err)
        err = audit_record(req, "funds.budget_update", "fund_budget", b->id, b->community, NULL);
    return commit_respond(req, res, err, 200, b);
}

static Error *funds_handle_line_create(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "budget_fen", NULL };
    FundsBudget *b = NULL;
    const char *name = NULL;
    int64_t budget = 0, id = 0;
    json_t *body;
    Error *err;

    err = load_budget(req, &b);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", true, 1, 20, &name);
    if (!err)
        err = funds_money_field(req, body, "budget_fen", true, false, &budget, NULL);
    if (err)
        return err;
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_line_insert(req->store, req->arena, b, name, budget, &id);
    if (!err)
        err = audit_record(req, "funds.line_create", "fund_line", id, b->community,
                           json_pack("{s:I}", "budget_fen", (json_int_t)budget));
    return commit_respond(req, res, err, 201, b);
}

static Error *funds_handle_line_update(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "budget_fen", NULL };
    FundsBudget *b = NULL;
    const char *name = NULL;
    int64_t id, budget_id = 0, budget = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = funds_store_line_budget(req->store, req->arena, id, &budget_id);
    if (!err && budget_id)
        err = funds_store_budget_get(req->store, req->arena, budget_id, &b);
    if (err)
        return err;
    if (!b || !auth_covers(req->user, b->community))
        return error_not_found(req->arena, "id", "找不到该预算科目");
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", false, 1, 20, &name);
    if (!err)
        err = funds_money_field(req, body, "budget_fen", true, false, &budget, NULL);
    if (err)
        return err;
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_line_update(req->store, req->arena, id, name, budget);
    if (!err)
        err = audit_record(req, "funds.line_update", "fund_line", id, b->community,
                           json_pack("{s:I}", "budget_fen", (json_int_t)budget));
    return commit_respond(req, res, err, 200, b);
}

/* ---- teams ---- */

static Error *funds_handle_team_create(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "lead_resident_id", "members", "note", NULL };
    const char *name = NULL, *note = NULL, *community = NULL;
    int64_t lead = 0, members = 1, id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", true, 2, 30, &name);
    if (!err)
        err = request_field_int(req, body, "lead_resident_id", true, 1, INT64_MAX, &lead, NULL);
    if (!err)
        err = request_field_int(req, body, "members", false, 1, 10000, &members, NULL);
    if (!err)
        err = request_field_string(req, body, "note", false, 0, 500, &note);
    if (!err)
        err = funds_store_resident_community(req->store, req->arena, lead, &community);
    if (err)
        return err;
    if (!community || strcmp(community, req->user->scope) != 0)
        return error_invalid(req->arena, "lead_resident_id", "unknown_resident",
                             "团队负责人应为本社区登记在册的居民");
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_team_insert(req->store, req->arena, community, name, lead, members,
                                  note ? note : "", req->user->id, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "funds.team_create", "fund_team", id, community, NULL);
    err = funds_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)id,
                                             "community", community, "name", name,
                                             "lead_resident_id", (json_int_t)lead, "members",
                                             (json_int_t)members));
}

static Error *funds_handle_team_list(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t lead = 0;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN | ROLE_RESIDENT);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err && req->user->role == ROLE_RESIDENT) {
        /* a resident sees the teams she leads (those she may apply for) */
        err = funds_store_user_resident(req->store, req->arena, req->user->id, &lead);
        if (!lead)
            lead = -1;
    }
    if (!err)
        err = funds_store_team_list(req->store, req->arena, lo, hi, lead, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* ---- ledger and report ---- */

static Error *funds_handle_ledger(Request *req, Response *res)
{
    FundsLedgerLine *lines = NULL;
    const char *lo, *hi, *scope = request_query(req, "community");
    int64_t year = 0;
    size_t n = 0;
    bool ok;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = funds_year_query(req, true, &year);
    if (!err)
        err = funds_store_ledger(req->store, req->arena, lo, hi, (int)year, &lines, &n);
    if (err)
        return err;
    return response_json(res, 200, funds_ledger_report(lines, n, (int)year,
                                                       scope && *scope ? scope : req->user->scope,
                                                       &ok));
}

static Error *funds_handle_report(Request *req, Response *res)
{
    FundsLedgerLine *lines = NULL;
    const char *lo, *hi, *scope = request_query(req, "community");
    int64_t year = 0;
    size_t n = 0;
    json_t *o = NULL, *ledger;
    bool ok;
    Error *err;

    err = auth_require(req, ROLES_ALL & ~ROLE_PROPERTY);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = funds_year_query(req, true, &year);
    if (!err)
        err = funds_store_ledger(req->store, req->arena, lo, hi, (int)year, &lines, &n);
    if (!err)
        err = funds_store_report(req->store, req->arena, lo, hi, (int)year, &o);
    if (err)
        return err;
    ledger = funds_ledger_report(lines, n, (int)year, scope && *scope ? scope : req->user->scope,
                                 &ok);
    json_object_set(o, "lines", json_object_get(ledger, "lines"));
    json_object_set(o, "totals", json_object_get(ledger, "totals"));
    json_object_set_new(o, "year", json_integer(year));
    json_decref(ledger);
    return response_json(res, 200, o);
}

void funds_budget_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/funds/budgets", funds_handle_budget_list, 0);
    router_add(r, "POST", "/api/v1/funds/budgets", funds_handle_budget_create, 0);
    router_add(r, "PUT", "/api/v1/funds/budgets/{id}", funds_handle_budget_update, 0);
    router_add(r, "POST", "/api/v1/funds/budgets/{id}/lines", funds_handle_line_create, 0);
    router_add(r, "PUT", "/api/v1/funds/lines/{id}", funds_handle_line_update, 0);
    router_add(r, "GET", "/api/v1/funds/teams", funds_handle_team_list, 0);
    router_add(r, "POST", "/api/v1/funds/teams", funds_handle_team_create, 0);
    router_add(r, "GET", "/api/v1/funds/ledger", funds_handle_ledger, 0);
    router_add(r, "GET", "/api/v1/funds/report", funds_handle_report, 0);
}
