/*
 * Funds routes (/api/v1/funds/…), the applications: the chain, execution
 * and 公示 (budgets, teams, the ledger and the report are in
 * funds_budget_routes.c, request bodies read in funds_validate.c).
 * validate -> authorize -> store, every write one transaction with its
 * audit entry; see funds.h for the design.
 *
 * Who does what: the street's admins set budgets and lines and approve
 * above the budget's amount; a community's staff and secretary register
 * teams, review applications, record the 议事会's opinion, and carry
 * projects out with the applicant; a resident applies for a team she leads
 * and follows her team's applications; every account of a community sees
 * its approved and closed projects (公示) and evaluates closed ones.
 *
 * A write that moves an application's money runs in a transaction keyed
 * on the application (store_begin_keyed): the application's rows are read
 * and written by one request at a time, while the line's running totals
 * are raised by conditional updates under CHECK constraints, so approvals
 * of different applications on one line run side by side on PostgreSQL and
 * still never pass the line's budget.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/filetype.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "funds/funds.h"
#include "funds/funds_routes.h"
#include "funds/funds_store.h"
#include "http/auth.h"
#include "http/response.h"
#include "http/router.h"
#include "notice/notice.h"
#include "core/banned.h"

#define TEXT_MAX 2000
#define TITLE_MAX 60
#define PAGE_MAX 200

/* ---- who ---- */

bool funds_is_street_of(const User *u, const char *community)
{
    return u->role == ROLE_ADMIN || (u->role == ROLE_STREET_ADMIN && auth_covers(u, community));
}

/* The resident the user is (0 if none): a team lead is one. */
static Error *user_resident(Request *req, int64_t *ret)
{
    *ret = 0;
    if (req->user->role != ROLE_RESIDENT)
        return NULL;
    return funds_store_user_resident(req->store, req->arena, req->user->id, ret);
}

/* True if the user applied for @app or leads its team. */
static Error *is_applicant(Request *req, const FundsApp *app, bool *ret)
{
    const char *community;
    int64_t me = 0, lead = 0;
    Error *err;

    *ret = app->applicant_id == req->user->id;
    if (*ret || !app->team_id)
        return NULL;
    err = user_resident(req, &me);
    if (!err && me)
        err = funds_store_team_get(req->store, req->arena, app->team_id, &community, &lead);
    if (!err)
        *ret = me && lead == me;
    return err;
}

typedef enum Access { ACCESS_NONE, ACCESS_PUBLIC, ACCESS_APPLICANT, ACCESS_STAFF } Access;

static bool is_public(FundsState s)
{
    return s == FUNDS_APPROVED || s == FUNDS_CHANGE || s == FUNDS_CLOSED;
}

/*
 * Application {id} (route parameter 0) and what the user may do with it:
 * 404 when she may not see it at all, 403 when she sees it but @need is more.
 */
static Error *load_app(Request *req, Access need, FundsApp **ret, Access *ret_access)
{
    const User *u = req->user;
    FundsApp *app = NULL;
    Access acc = ACCESS_NONE;
    bool mine = false;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = funds_store_app_get(req->store, req->arena, id, &app);
    if (err)
        return err;
    if (app) {
        if (auth_is_staff_of(u, app->community) || funds_is_street_of(u, app->community)) {
            acc = ACCESS_STAFF;
        } else {
            err = is_applicant(req, app, &mine);
            if (err)
                return err;
            if (mine)
                acc = ACCESS_APPLICANT;
            else if (is_public(app->state) && u->role != ROLE_PROPERTY &&
                     auth_covers(u, app->community))
                acc = ACCESS_PUBLIC;
        }
    }
    if (acc == ACCESS_NONE)
        return error_not_found(req->arena, "id", "找不到该自治金申请");
    if (acc < need)
        return error_forbidden(req->arena, "您没有处理这个自治金申请的权限");
    *ret = app;
    if (ret_access)
        *ret_access = acc;
    return NULL;
}

Error *funds_load_visible(Request *req, FundsApp **ret)
{
    return load_app(req, ACCESS_PUBLIC, ret, NULL);
}

/* A write transaction of its own, after the request's read (if any). */
Error *funds_begin(Request *req)
{
    request_end_read(req);
    return store_begin(req->store, req->arena);
}

/* Commits, or rolls back and passes @err on. */
Error *funds_finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

/*
 * Begins the write transaction of application @id and reads it again
 * inside it (the state another request may have moved).
 */
static Error *begin_app(Request *req, int64_t id, FundsApp **ret)
{
    Error *err;

    request_end_read(req);
    err = store_begin_keyed(req->store, req->arena, STORE_LOCK_FUND_APPLICATION, id);
    if (err)
        return err;
    err = funds_store_app_get(req->store, req->arena, id, ret);
    if (!err && !*ret)
        err = error_not_found(req->arena, "id", "找不到该自治金申请");
    if (err)
        store_rollback(req->store);
    return err;
}

/* Application {id} for a user with @need (load_app), then its transaction (begin_app). */
static Error *load_and_begin(Request *req, Access need, FundsApp **ret)
{
    Error *err = auth_require(req, ROLES_ALL);

    if (!err)
        err = load_app(req, need, ret, NULL);
    if (!err)
        err = begin_app(req, (*ret)->id, ret);
    return err;
}

static Error *respond_app(Request *req, Response *res, int status, int64_t id)
{
    json_t *o = NULL;
    Error *err = funds_store_app_json(req->store, req->arena, id, false, &o);

    if (err)
        return err;
    if (!o)
        return error_not_found(req->arena, "id", "找不到该自治金申请");
    return response_json(res, status, o);
}

/* Commits the transaction @err leaves (or rolls it back) and answers with application @id. */
static Error *commit_respond(Request *req, Response *res, Error *err, int status, int64_t id)
{
    err = funds_finish(req, err);
    if (err)
        return err;
    return respond_app(req, res, status, id);
}

/* Tells the applicant of a step (a notice fails only with the database). */
static Error *notify_applicant(Request *req, const FundsApp *app, const char *title)
{
    if (app->applicant_id == req->user->id)
        return NULL;
    return notice_add(req->store, req->arena, app->applicant_id, "funds.step", title, app->title,
                      arena_sprintf(req->arena, "/funds/%lld", (long long)app->id));
}

#define FUNDS_NOTIFY_MAX_USERS 200 /* staff of a community, admins of a street */

/*
 * Tells those who decide @app's next step that it waits for them (notice
 * @kind, linking to the console's page of the application): the
 * community's staff and secretaries, or (@street) the street's admins; not
 * the user who made it wait.
 */
static Error *notify_deciders(Request *req, const FundsApp *app, bool street, const char *kind,
                              const char *title)
{
    int64_t *ids = NULL;
    size_t n = 0;
    const char *link = arena_sprintf(req->arena, "/funds/applications/%lld", (long long)app->id);
    const char *body = arena_sprintf(req->arena, "%s（%s）", app->title,
                                     funds_money_text(req->arena, app->total_fen));
    Error *err = funds_store_decider_ids(req->store, req->arena, app->community, street,
                                         req->user->id, FUNDS_NOTIFY_MAX_USERS, &ids, &n);

    for (size_t i = 0; !err && i < n; i++)
        err = notice_add(req->store, req->arena, ids[i], kind, title, body, link);
    return err;
}

/*
 * The body of a new or edited application. The budget of its line, and
 * whether the user may apply there: the line's community's staff, or a
 * resident for a team of that community that she leads.
 */
static Error *parse_app(Request *req, FundsAppInput *in, FundsBudget **ret_budget)
{
    static const char *const fields[] = { "line_id", "team_id",  "title",    "purpose",
                                          "beneficiaries", "starts_on", "ends_on", "items",
                                          "total_fen", NULL };
    const char *team_community = NULL;
    FundsBudget *b = NULL;
    int64_t lead = 0, me = 0;
    json_t *body;
    Error *err;

    memset(in, 0, sizeof(*in));
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "line_id", true, 1, INT64_MAX, &in->line_id, NULL);
    if (!err)
        err = request_field_int(req, body, "team_id", false, 1, INT64_MAX, &in->team_id, NULL);
    if (!err)
        err = request_field_string(req, body, "title", true, 2, TITLE_MAX, &in->title);
    if (!err)
        err = request_field_string(req, body, "purpose", false, 0, TEXT_MAX, &in->purpose);
    if (!err)
        err = request_field_string(req, body, "beneficiaries", false, 0, 500,
                                   &in->beneficiaries);
    if (!err)
        err = funds_date_field(req, body, "starts_on", false, &in->starts_on);
    if (!err)
        err = funds_date_field(req, body, "ends_on", false, &in->ends_on);
    if (!err && in->starts_on && in->ends_on && strcmp(in->ends_on, in->starts_on) < 0)
        err = error_invalid(req->arena, "ends_on", "invalid_range", "结束日期不能早于开始日期");
    if (!err)
        err = funds_parse_items(req, body, false, false, in);
    if (err)
        return err;
    if (!in->purpose)
        in->purpose = "";
    if (!in->beneficiaries)
        in->beneficiaries = "";
    err = funds_store_line_get_budget(req->store, req->arena, in->line_id, &b);
    if (err)
        return err;
    if (!b || !auth_covers(req->user, b->community))
        return error_invalid(req->arena, "line_id", "unknown_line", "找不到该预算科目");
    if (in->team_id) {
        err = funds_store_team_get(req->store, req->arena, in->team_id, &team_community, &lead);
        if (err)
            return err;
        if (!team_community || strcmp(team_community, b->community) != 0)
            return error_invalid(req->arena, "team_id", "unknown_team", "找不到本社区的这个团队");
    }
    if (req->user->role == ROLE_RESIDENT) {
        err = user_resident(req, &me);
        if (err)
            return err;
        if (!in->team_id)
            return error_invalid(req->arena, "team_id", "missing_field",
                                 "请选择以哪个居民团队的名义申请");
        if (!me || me != lead)
            return error_forbidden(req->arena, "只有团队负责人可以以团队名义申请自治金");
    } else if (!auth_is_staff_of(req->user, b->community)) {
        return error_forbidden(req->arena, "只有本社区工作人员或居民团队负责人可以申请自治金");
    }
    *ret_budget = b;
    return NULL;
}

/* ---- applications ---- */

static Error *funds_handle_app_create(Request *req, Response *res)
{
    FundsAppInput *in = arena_alloc(req->arena, sizeof(*in));
    FundsBudget *b = NULL;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_RESIDENT | ROLE_ADMIN);
    if (!err)
        err = parse_app(req, in, &b);
    if (err)
        return err;
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_app_insert(req->store, req->arena, b, in, req->user->id, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "funds.apply", "fund_application", id, b->community,
                           json_pack("{s:I}", "total_fen", (json_int_t)in->total_fen));
    return commit_respond(req, res, err, 201, id);
}

static Error *funds_handle_app_list(Request *req, Response *res)
{
    FundsListFilter f = { 0 };
    const char *state = request_query(req, "state"), *mine = request_query(req, "mine");
    FundsState st;
    int64_t year = 0, page = 1, per_page = 50, total = 0, me = 0;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN | ROLE_RESIDENT);
    if (!err)
        err = auth_list_bounds(req, &f.lo, &f.hi);
    if (!err)
        err = funds_year_query(req, false, &year);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 50, 1, PAGE_MAX, &per_page);
    if (!err && state && !funds_state_parse(state, &st))
        err = error_bad_request(req->arena, "state", "invalid_query", "未知的申请状态");
    if (!err)
        err = user_resident(req, &me);
    if (err)
        return err;
    f.year = (int)year;
    f.state = state;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    if (req->user->role == ROLE_RESIDENT || (mine && strcmp(mine, "1") == 0)) {
        f.applicant_id = req->user->id;
        f.team_lead = me;
    }
    err = funds_store_app_list(req->store, req->arena, &f, &items, &total);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

/* What a draft still lacks before it can be submitted: [{field, message}]. */
static json_t *missing_json(json_t *o)
{
    static const struct {
        const char *field, *message;
    } need[] = {
        { "purpose", "请填写项目目的" },
        { "beneficiaries", "请填写受益对象" },
        { "starts_on", "请填写开始日期" },
        { "ends_on", "请填写结束日期" },
    };
    json_t *out = json_array(), *v;

    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        v = json_object_get(o, need[i].field);
        if (!json_is_string(v) || !*json_string_value(v))
            json_array_append_new(out, json_pack("{s:s, s:s}", "field", need[i].field, "message",
                                                 need[i].message));
    }
    if (json_array_size(json_object_get(o, "items")) == 0 ||
        json_integer_value(json_object_get(o, "total_fen")) <= 0)
        json_array_append_new(out, json_pack("{s:s, s:s}", "field", "items", "message",
                                             "请填写预算明细（合计应大于 0）"));
    return out;
}

static Error *funds_handle_app_get(Request *req, Response *res)
{
    FundsApp *app = NULL;
    Access acc = ACCESS_NONE;
    json_t *o = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = load_app(req, ACCESS_PUBLIC, &app, &acc);
    if (!err)
        err = funds_store_app_json(req->store, req->arena, app->id, acc == ACCESS_PUBLIC, &o);
    if (err)
        return err;
    if (app->state == FUNDS_DRAFT || app->state == FUNDS_RETURNED)
        json_object_set_new(o, "missing", missing_json(o));
    json_object_set_new(o, "may_edit", json_boolean(acc >= ACCESS_APPLICANT));
    return response_json(res, 200, o);
}

static Error *funds_handle_app_update(Request *req, Response *res)
{
    FundsAppInput *in = arena_alloc(req->arena, sizeof(*in));
    FundsApp *app = NULL;
    FundsBudget *b = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = load_app(req, ACCESS_APPLICANT, &app, NULL);
    if (!err && app->state != FUNDS_DRAFT && app->state != FUNDS_RETURNED)
        err = error_conflict(req->arena, NULL, "not_editable",
                             "申请已提交，不能修改；被退回后可修改再提交");
    if (!err)
        err = parse_app(req, in, &b);
    if (!err && b->id != app->budget_id)
        err = error_invalid(req->arena, "line_id", "other_budget",
                            "只能换成同一年度预算中的科目");
    if (err)
        return err;
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    err = funds_store_app_update(req->store, req->arena, app->id, in, time_now_ms());
    if (!err)
        err = audit_record(req, "funds.edit", "fund_application", app->id, app->community,
                           json_pack("{s:I}", "total_fen", (json_int_t)in->total_fen));
    return commit_respond(req, res, err, 200, app->id);
}

static Error *funds_handle_app_delete(Request *req, Response *res)
{
    FundsApp *app = NULL;
    Error *err;

    err = load_and_begin(req, ACCESS_APPLICANT, &app);
    if (err)
        return err;
    err = funds_store_app_delete(req->store, req->arena, app->id);
    if (!err)
        err = audit_record(req, "funds.delete", "fund_application", app->id, app->community, NULL);
    err = funds_finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:b}", "id", (json_int_t)app->id, "deleted", 1));
}

static Error *funds_handle_submit(Request *req, Response *res)
{
    FundsApp *app = NULL;
    FundsState next;
    json_t *o = NULL, *missing;
    Error *err;

    err = load_and_begin(req, ACCESS_APPLICANT, &app);
    if (err)
        return err;
    if (!funds_step_next(app->state, FUNDS_STEP_SUBMIT, FUNDS_NONE, app->total_fen,
                         app->street_min_fen, &next))
        return funds_finish(req, error_conflict(req->arena, NULL, "step_out_of_order",
                                          "申请已提交，不能重复提交"));
    err = funds_store_app_json(req->store, req->arena, app->id, false, &o);
    if (err)
        return funds_finish(req, err);
    missing = missing_json(o);
    json_decref(o);
    if (json_array_size(missing)) {
        const char *field = arena_strdup(req->arena, json_string_value(json_object_get(
                                                             json_array_get(missing, 0), "field")));
        const char *msg = arena_strdup(req->arena, json_string_value(json_object_get(
                                                           json_array_get(missing, 0), "message")));

        json_decref(missing);
        return funds_finish(req, error_invalid(req->arena, field, "incomplete", msg));
    }
    json_decref(missing);
    err = funds_store_app_set_state(req->store, req->arena, app, next, time_now_ms());
    if (!err)
        err = funds_store_step_insert(req->store, req->arena, app->id, FUNDS_STEP_SUBMIT,
                                      FUNDS_NONE, "", app->total_fen, NULL, 0, req->user->id,
                                      req->user->display_name, time_now_ms());
    if (!err)
        err = audit_record(req, "funds.submit", "fund_application", app->id, app->community, NULL);
    if (!err)
        err = notify_deciders(req, app, false, "funds.submitted",
                              app->state == FUNDS_RETURNED ? "自治金申请修改后重新提交，待居委会审核"
                                                           : "新的自治金申请，待居委会审核");
    return commit_respond(req, res, err, 200, app->id);
}

/* Applies the change waiting on @app (its change_json) with the new items. */
static Error *apply_pending_change(Request *req, const FundsApp *app)
{
    FundsAppInput *in = arena_alloc(req->arena, sizeof(*in));
    json_t *j = json_loads(app->change_json ? app->change_json : "", 0, NULL), *v;
    size_t i;

    memset(in, 0, sizeof(*in));
    json_array_foreach (json_object_get(j, "items"), i, v) {
        FundsItemInput *it;

        if (in->n_items == FUNDS_MAX_ITEMS)
            break; /* never: change_json is written from a checked table */
        it = &in->items[in->n_items++];
        it->id = json_integer_value(json_object_get(v, "id"));
        it->name = arena_strdup(req->arena, json_string_value(json_object_get(v, "name")));
        it->unit = arena_strdup(req->arena, json_string_value(json_object_get(v, "unit")));
        it->quantity = json_integer_value(json_object_get(v, "quantity"));
        it->unit_fen = json_integer_value(json_object_get(v, "unit_fen"));
        it->amount_fen = json_integer_value(json_object_get(v, "amount_fen"));
    }
    in->total_fen = json_integer_value(json_object_get(j, "total_fen"));
    json_decref(j);
    return funds_store_apply_change(req->store, req->arena, app, in, time_now_ms());
}

static Error *funds_handle_step(Request *req, Response *res)
{
    static const char *const fields[] = { "kind", "decision", "reason", "meeting_on",
                                          "attendees", NULL };
    const char *kind_s = NULL, *decision_s = NULL, *reason = NULL, *meeting_on = NULL;
    FundsStepKind kind;
    FundsDecision decision;
    FundsState next;
    FundsApp *app = NULL;
    int64_t attendees = 0;
    bool street;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_app(req, ACCESS_STAFF, &app, NULL);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "kind", true, 1, 20, &kind_s);
    if (!err && (!funds_step_parse(kind_s, &kind) || kind == FUNDS_STEP_SUBMIT ||
                 kind == FUNDS_STEP_CHANGE || kind == FUNDS_STEP_CLOSE))
        err = error_invalid(req->arena, "kind", "invalid_kind",
                            "步骤应为 review（居委会审核）、council（议事会意见）、street（街道审批）"
                            "或 change_review（变更审批）");
    if (!err)
        err = request_field_string(req, body, "decision", true, 1, 10, &decision_s);
    if (!err && !funds_decision_parse(decision_s, &decision))
        err = error_invalid(req->arena, "decision", "invalid_decision",
                            "决定应为 approve（同意）、return（退回修改）或 reject（不同意）");
    if (!err)
        err = request_field_string(req, body, "reason", false, 0, TEXT_MAX, &reason);
    if (!err && decision != FUNDS_APPROVE && (!reason || !*reason))
        err = error_invalid(req->arena, "reason", "missing_field", "退回或不同意时请写明理由");
    if (!err && kind == FUNDS_STEP_COUNCIL) {
        if (!reason || !*reason)
            err = error_invalid(req->arena, "reason", "missing_field", "请记录议事会的意见");
        if (!err)
            err = funds_date_field(req, body, "meeting_on", true, &meeting_on);
        if (!err)
            err = request_field_int(req, body, "attendees", false, 1, 1000, &attendees, NULL);
    }
    if (err)
        return err;
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    if (!funds_step_next(app->state, kind, decision, app->total_fen, app->street_min_fen, &next))
        return funds_finish(req, error_conflict(req->arena, "kind", "step_out_of_order",
                                          arena_sprintf(req->arena,
                                                        "申请当前处于“%s”，不能进行这一步",
                                                        funds_state_label(app->state))));
    /* the street decides its step, and a change that makes the project pass its amount */
    street = kind == FUNDS_STEP_STREET;
    if (kind == FUNDS_STEP_CHANGE_REVIEW) {
        json_t *j = json_loads(app->change_json ? app->change_json : "{}", 0, NULL);

        street = json_integer_value(json_object_get(j, "total_fen")) > app->street_min_fen;
        json_decref(j);
    }
    if (street ? !funds_is_street_of(req->user, app->community)
               : !auth_is_staff_of(req->user, app->community))
        return funds_finish(req, error_forbidden(req->arena, street ? "这一步应由街道审批"
                                                              : "这一步应由本社区居委会处理"));
    if (kind == FUNDS_STEP_CHANGE_REVIEW) {
        if (decision == FUNDS_APPROVE)
            err = apply_pending_change(req, app);
        else
            err = funds_store_set_change(req->store, req->arena, app->id, NULL);
        if (!err)
            err = funds_store_app_set_state(req->store, req->arena, app, next, time_now_ms());
    } else if (next == FUNDS_APPROVED) {
        err = funds_store_approve(req->store, req->arena, app, time_now_ms());
    } else {
        err = funds_store_app_set_state(req->store, req->arena, app, next, time_now_ms());
    }
    if (!err)
        err = funds_store_step_insert(req->store, req->arena, app->id, kind, decision, reason,
                                      app->total_fen, meeting_on, attendees, req->user->id,
                                      req->user->display_name, time_now_ms());
    if (!err)
        err = audit_record(req, arena_sprintf(req->arena, "funds.%s", kind_s), "fund_application",
                           app->id, app->community, json_pack("{s:s}", "decision", decision_s));
    if (!err)
        err = notify_applicant(req, app,
                               arena_sprintf(req->arena, "自治金申请：%s",
                                             decision == FUNDS_APPROVE
                                                 ? (next == FUNDS_APPROVED ? "已批准" : "已通过本步审核")
                                                 : decision == FUNDS_RETURN ? "被退回修改"
                                                                             : "未获同意"));
    if (!err && next == FUNDS_STREET && app->state != FUNDS_STREET)
        err = notify_deciders(req, app, true, "funds.street", "自治金申请待街道审批");
    return commit_respond(req, res, err, 200, app->id);
}

/* ---- execution ---- */

/* The applicant or the community's staff, on an approved (executing) project. */
static Error *load_running(Request *req, FundsApp **ret)
{
    Error *err = auth_require(req, ROLES_ALL);

    if (!err)
        err = load_app(req, ACCESS_APPLICANT, ret, NULL);
    if (!err && (*ret)->state != FUNDS_APPROVED && (*ret)->state != FUNDS_CHANGE)
        err = error_conflict(req->arena, NULL, "not_running", "项目不在执行中");
    return err;
}

static Error *funds_handle_milestone_create(Request *req, Response *res)
{
    static const char *const fields[] = { "title", "due_on", NULL };
    const char *title = NULL, *due_on = NULL;
    FundsApp *app = NULL;
    int64_t id = 0;
    json_t *body;
    Error *err;

    err = load_running(req, &app);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "title", true, 2, TITLE_MAX, &title);
    if (!err)
        err = funds_date_field(req, body, "due_on", true, &due_on);
    if (err)
        return err;
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    err = funds_store_milestone_insert(req->store, req->arena, app->id, title, due_on,
                                       time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "funds.milestone", "fund_milestone", id, app->community, NULL);
    return commit_respond(req, res, err, 201, app->id);
}

static Error *funds_handle_milestone_report(Request *req, Response *res)
{
    static const char *const fields[] = { "report", "file_ids", NULL };
    const char *report = NULL;
    FundsApp *app = NULL;
    int64_t id, app_id = 0;
    json_t *body, *files, *v;
    size_t i;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = funds_store_milestone_app(req->store, req->arena, id, &app_id);
    if (err)
        return err;
    if (!app_id)
        return error_not_found(req->arena, "id", "找不到该里程碑");
    req->params[0] = arena_sprintf(req->arena, "%lld", (long long)app_id);
    err = load_running(req, &app);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "report", true, 2, TEXT_MAX, &report);
    if (err)
        return err;
    files = json_object_get(body, "file_ids");
    if (files && !json_is_array(files))
        return error_invalid(req->arena, "file_ids", "invalid_type", "file_ids 应为附件编号的数组");
    json_array_foreach (files, i, v)
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return error_invalid(req->arena, arena_sprintf(req->arena, "file_ids[%zu]", i),
                                 "invalid_type", "附件编号应为正整数");
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    err = funds_store_milestone_report(req->store, req->arena, id, report, req->user->id,
                                       time_now_ms());
    json_array_foreach (files, i, v) {
        int64_t n = 0;

        if (!err)
            err = funds_store_file_attach(req->store, req->arena, json_integer_value(v), app->id,
                                          id, &n);
        if (!err && n == 0)
            err = error_invalid(req->arena, arena_sprintf(req->arena, "file_ids[%zu]", i),
                                "unknown_file", "找不到该项目的这个附件，请先上传");
    }
    if (!err)
        err = audit_record(req, "funds.milestone_report", "fund_milestone", id, app->community,
                           NULL);
    return commit_respond(req, res, err, 200, app->id);
}

static Error *funds_handle_file_upload(Request *req, Response *res)
{
    const char *name = request_query(req, "name"), *kind = request_query(req, "kind");
    const FileType *type;
    FundsApp *app = NULL;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = load_app(req, ACCESS_APPLICANT, &app, NULL);
    if (err)
        return err;
    if (!kind)
        kind = "receipt";
    if (strcmp(kind, "receipt") != 0 && strcmp(kind, "photo") != 0 &&
        strcmp(kind, "attachment") != 0)
        return error_bad_request(req->arena, "kind", "invalid_query",
                                 "kind 应为 receipt（票据）、photo（照片）或 attachment（附件）");
    if (!name || !*name)
        name = strcmp(kind, "receipt") == 0 ? "票据" : "附件";
    if (!request_text_ok(name) || utf8_length(name) > 100)
        return error_bad_request(req->arena, "name", "invalid_query", "文件名应为不超过 100 个字的文本");
    if (req->body_len > FUNDS_FILE_MAX)
        return error_new(req->arena, 413, "file", "file_too_large", "文件不能超过 5 MB，请压缩后再上传");
    type = filetype_sniff(req->body, req->body_len, FILETYPE_IMAGES_PDF, FILETYPE_N_IMAGES_PDF);
    if (!type)
        return error_new(req->arena, 415, "file", "unsupported_file",
                         "票据和附件只能是图片（JPEG、PNG、WebP）或 PDF 文件");
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_file_insert(req->store, req->arena, app->id, kind, name, type->mime,
                                  req->body, req->body_len, req->user->id, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "funds.file_upload", "fund_file", id, app->community, NULL);
    err = funds_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)id,
                                             "kind", kind, "name", name, "mime", type->mime, "size",
                                             (json_int_t)req->body_len, "url",
                                             arena_sprintf(req->arena, "/api/v1/funds/files/%lld",
                                                           (long long)id)));
}

static Error *funds_handle_file_get(Request *req, Response *res)
{
    const char *kind = NULL, *mime = NULL;
    const void *data = NULL;
    FundsApp *app = NULL;
    int64_t id, app_id = 0;
    size_t len = 0;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = funds_store_file_get(req->store, req->arena, id, &app_id, &kind, &mime, &data, &len);
    if (err)
        return err;
    if (!data)
        return error_not_found(req->arena, "id", "找不到该文件");
    req->params[0] = arena_sprintf(req->arena, "%lld", (long long)app_id);
    err = load_app(req, ACCESS_PUBLIC, &app, NULL);
    if (err)
        return err;
    response_header(res, "Cache-Control", "private, max-age=3600");
    response_header(res, "X-Content-Type-Options", "nosniff");
    return response_bytes(res, 200, mime, data, len);
}

static Error *funds_handle_spend(Request *req, Response *res)
{
    static const char *const fields[] = { "item_id", "amount_fen", "spent_on", "note",
                                          "receipt_id", NULL };
    const char *spent_on = NULL, *note = NULL, *kind = NULL, *mime = NULL;
    const void *data = NULL;
    FundsApp *app = NULL;
    FundsItem *item = NULL;
    int64_t item_id = 0, amount = 0, receipt = 0, file_app = 0, id = 0;
    size_t len = 0;
    json_t *body;
    Error *err;

    err = load_running(req, &app);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "item_id", true, 1, INT64_MAX, &item_id, NULL);
    if (!err)
        err = funds_money_field(req, body, "amount_fen", true, true, &amount, NULL);
    if (!err)
        err = funds_date_field(req, body, "spent_on", true, &spent_on);
    if (!err)
        err = request_field_string(req, body, "note", false, 0, 500, &note);
    if (!err)
        err = request_field_int(req, body, "receipt_id", true, 1, INT64_MAX, &receipt, NULL);
    if (!err)
        err = funds_store_file_get(req->store, req->arena, receipt, &file_app, &kind, &mime, &data,
                                   &len);
    if (!err && (!data || file_app != app->id || strcmp(kind, "receipt") != 0))
        err = error_invalid(req->arena, "receipt_id", "unknown_receipt",
                            "找不到该项目的这张票据，请先上传票据（图片或 PDF）");
    if (err)
        return err;
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    err = funds_store_item_get(req->store, req->arena, app->id, item_id, &item);
    if (!err && !item)
        err = error_invalid(req->arena, "item_id", "unknown_item", "找不到该项目的这项预算明细");
    if (!err && app->spent_fen + amount > app->approved_fen)
        err = error_conflict(req->arena, "amount_fen", "over_approval",
                             arena_sprintf(req->arena, "支出超过了项目批准的金额：还可支出 %s",
                                           funds_money_text(req->arena,
                                                            app->approved_fen - app->spent_fen)));
    if (!err && !funds_item_may_spend(item->amount_fen, item->spent_fen, amount, app->change_pct))
        err = error_conflict(req->arena, "amount_fen", "needs_change",
                             arena_sprintf(req->arena,
                                           "这一项的支出将超出预算 %d%% 以上，请先申请变更预算明细",
                                           app->change_pct));
    if (!err)
        err = funds_store_spend(req->store, req->arena, app, item_id, amount, spent_on,
                                note ? note : "", receipt, req->user->id, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "funds.spend", "fund_spending", id, app->community,
                           json_pack("{s:I}", "amount_fen", (json_int_t)amount));
    return commit_respond(req, res, err, 201, app->id);
}

/* The change's items as stored in change_json. */
static json_t *change_json(const FundsAppInput *in, const char *reason)
{
    json_t *items = json_array();

    for (int i = 0; i < in->n_items; i++) {
        const FundsItemInput *it = &in->items[i];

        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I}", "id",
                                               (json_int_t)it->id, "name", it->name, "unit",
                                               it->unit, "quantity", (json_int_t)it->quantity,
                                               "unit_fen", (json_int_t)it->unit_fen, "amount_fen",
                                               (json_int_t)it->amount_fen));
    }
    return json_pack("{s:o, s:I, s:s}", "items", items, "total_fen", (json_int_t)in->total_fen,
                     "reason", reason);
}

static Error *funds_handle_change(Request *req, Response *res)
{
    static const char *const fields[] = { "items", "total_fen", "reason", NULL };
    FundsAppInput *in = arena_alloc(req->arena, sizeof(*in));
    FundsItem old[FUNDS_MAX_ITEMS];
    const char *reason = NULL;
    FundsApp *app = NULL;
    int64_t moved = 0;
    int n_old = 0;
    bool within;
    json_t *body;
    char *text;
    Error *err;

    memset(in, 0, sizeof(*in));
    err = load_running(req, &app);
    if (!err && app->state == FUNDS_CHANGE)
        err = error_conflict(req->arena, NULL, "change_pending", "上一次变更还在审批中");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = funds_parse_items(req, body, true, true, in);
    if (!err)
        err = request_field_string(req, body, "reason", true, 2, TEXT_MAX, &reason);
    if (err)
        return err;
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    if (app->state != FUNDS_APPROVED)
        return funds_finish(req, error_conflict(req->arena, NULL, "not_running", "项目不在执行中或变更在审批中"));
    err = funds_store_items(req->store, req->arena, app->id, old, &n_old);
    if (err)
        return funds_finish(req, err);
    /* every item kept or dropped: how much money moves, and nothing below what is spent */
    for (int j = 0; j < n_old; j++) {
        int64_t now_fen = 0;
        bool kept = false;

        for (int i = 0; i < in->n_items; i++) {
            if (in->items[i].id == old[j].id) {
                kept = true;
                now_fen = in->items[i].amount_fen;
                if (now_fen < old[j].spent_fen)
                    return funds_finish(req, error_invalid(req->arena,
                                                     arena_sprintf(req->arena, "items[%d].quantity", i),
                                                     "below_spent", "这一项已支出的金额超过了新的预算"));
            }
        }
        if (!kept && old[j].spent_fen > 0)
            return funds_finish(req, error_invalid(req->arena, "items", "below_spent",
                                             "已有支出的明细不能删除"));
        moved += now_fen > old[j].amount_fen ? now_fen - old[j].amount_fen
                                             : old[j].amount_fen - now_fen;
    }
    for (int i = 0; i < in->n_items; i++) {
        bool known = !in->items[i].id;

        for (int j = 0; !known && j < n_old; j++)
            known = old[j].id == in->items[i].id;
        if (!known)
            return funds_finish(req, error_invalid(req->arena,
                                             arena_sprintf(req->arena, "items[%d].id", i),
                                             "unknown_item", "找不到该项目的这项预算明细"));
        if (!in->items[i].id)
            moved += in->items[i].amount_fen;
    }
    if (in->total_fen < app->spent_fen)
        return funds_finish(req, error_invalid(req->arena, "items", "below_spent",
                                         "新的预算合计低于已支出的金额"));
    within = funds_change_within(app->approved_fen, in->total_fen, moved, app->change_pct);
    if (within) {
        err = funds_store_apply_change(req->store, req->arena, app, in, time_now_ms());
    } else {
        json_t *cj = change_json(in, reason);

        text = json_dumps(cj, JSON_COMPACT);
        json_decref(cj);
        err = funds_store_set_change(req->store, req->arena, app->id,
                                     text ? arena_strdup(req->arena, text) : NULL);
        free(text);
        if (!err)
            err = funds_store_app_set_state(req->store, req->arena, app, FUNDS_CHANGE, time_now_ms());
        if (!err)
            err = notify_deciders(req, app, in->total_fen > app->street_min_fen, "funds.change",
                                  "自治金项目申请变更预算，待审批");
    }
    if (!err)
        err = funds_store_step_insert(req->store, req->arena, app->id, FUNDS_STEP_CHANGE,
                                      within ? FUNDS_APPROVE : FUNDS_NONE, reason, in->total_fen,
                                      NULL, 0, req->user->id, req->user->display_name,
                                      time_now_ms());
    if (!err)
        err = audit_record(req, "funds.change", "fund_application", app->id, app->community,
                           json_pack("{s:I, s:b}", "total_fen", (json_int_t)in->total_fen,
                                     "needs_approval", !within));
    return commit_respond(req, res, err, within ? 200 : 202, app->id);
}

static Error *funds_handle_close(Request *req, Response *res)
{
    static const char *const fields[] = { "final_report", NULL };
    const char *report = NULL;
    FundsApp *app = NULL;
    json_t *body;
    Error *err;

    err = load_running(req, &app);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "final_report", true, 10, TEXT_MAX, &report);
    if (err)
        return err;
    err = begin_app(req, app->id, &app);
    if (err)
        return err;
    if (app->state != FUNDS_APPROVED)
        return funds_finish(req, error_conflict(req->arena, NULL, "not_running",
                                          "项目不在执行中（变更审批中的项目请先完成审批）"));
    err = funds_store_close(req->store, req->arena, app, report, time_now_ms());
    if (!err)
        err = funds_store_step_insert(req->store, req->arena, app->id, FUNDS_STEP_CLOSE,
                                      FUNDS_NONE, report, app->spent_fen, NULL, 0, req->user->id,
                                      req->user->display_name, time_now_ms());
    if (!err)
        err = audit_record(req, "funds.close", "fund_application", app->id, app->community,
                           json_pack("{s:I, s:I}", "spent_fen", (json_int_t)app->spent_fen,
                                     "returned_fen",
                                     (json_int_t)(app->approved_fen - app->spent_fen)));
    return commit_respond(req, res, err, 200, app->id);
}

static Error *funds_handle_evaluate(Request *req, Response *res)
{
    static const char *const fields[] = { "score", "comment", NULL };
    const char *comment = NULL;
    FundsApp *app = NULL;
    int64_t score = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = load_app(req, ACCESS_PUBLIC, &app, NULL);
    if (!err && app->state != FUNDS_CLOSED)
        err = error_conflict(req->arena, NULL, "not_closed", "项目结项后才能评价");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "score", true, 1, 5, &score, NULL);
    if (!err)
        err = request_field_string(req, body, "comment", false, 0, 500, &comment);
    if (err)
        return err;
    err = funds_begin(req);
    if (err)
        return err;
    err = funds_store_evaluate(req->store, req->arena, app->id, req->user->id, score, comment,
                               time_now_ms());
    err = funds_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:I}", "application_id", (json_int_t)app->id,
                                             "score", (json_int_t)score));
}

/* ---- 公示 ---- */

static Error *funds_handle_public_list(Request *req, Response *res)
{
    FundsListFilter f = { .public_only = true };
    int64_t year = 0, page = 1, per_page = 50, total = 0;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL & ~ROLE_PROPERTY);
    if (!err)
        err = auth_list_bounds(req, &f.lo, &f.hi);
    if (!err)
        err = funds_year_query(req, false, &year);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 50, 1, PAGE_MAX, &per_page);
    if (err)
        return err;
    f.year = (int)year;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    err = funds_store_app_list(req->store, req->arena, &f, &items, &total);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

void funds_routes_register(Router *r)
{
    funds_export_routes_register(r);
    funds_budget_routes_register(r);
    router_add(r, "GET", "/api/v1/funds/applications", funds_handle_app_list, 0);
    router_add(r, "POST", "/api/v1/funds/applications", funds_handle_app_create, 0);
    router_add(r, "GET", "/api/v1/funds/applications/{id}", funds_handle_app_get, 0);
    router_add(r, "PUT", "/api/v1/funds/applications/{id}", funds_handle_app_update, 0);
    router_add(r, "DELETE", "/api/v1/funds/applications/{id}", funds_handle_app_delete, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/submit", funds_handle_submit, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/steps", funds_handle_step, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/milestones",
               funds_handle_milestone_create, 0);
    router_add(r, "POST", "/api/v1/funds/milestones/{id}/report", funds_handle_milestone_report, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/files", funds_handle_file_upload,
               ROUTE_FILE_BODY);
    router_add(r, "GET", "/api/v1/funds/files/{id}", funds_handle_file_get, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/spending", funds_handle_spend, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/change", funds_handle_change, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/close", funds_handle_close, 0);
    router_add(r, "POST", "/api/v1/funds/applications/{id}/evaluations", funds_handle_evaluate, 0);
    router_add(r, "GET", "/api/v1/funds/public", funds_handle_public_list, 0);
}
