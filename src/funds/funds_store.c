/*
 * Funds' SQL, written once for SQLite and PostgreSQL (docs/POSTGRESQL.md).
 * Money moves only by "total = total + ?" updates on rows whose CHECK
 * constraints bound them (schema 29), so two approvals racing for the same
 * line cannot both pass its budget on either database.
 */
#include <string.h>

#include "funds/funds_store.h"
#include "store/store_json.h"
#include "core/banned.h"

/* One int64 from the first row of @s (@def when there is none); resets @s. */
static Error *one_int(Store *st, Arena *a, StoreStmt *s, int64_t def, int64_t *ret)
{
    StoreResult r = store_step(s);

    if (r == STORE_ROW)
        *ret = store_column_int64(s, 0);
    else if (r == STORE_DONE)
        *ret = def;
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/* ---- budgets and lines ---- */

static const char SQL_BUDGET_INSERT[] =
    "INSERT INTO fund_budget (community, year, street_min_fen, change_pct, note, created_by,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id";
static const char SQL_LINE_INSERT[] =
    "INSERT INTO fund_line (budget_id, community, year, position, name, budget_fen)"
    " VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1 FROM fund_line WHERE budget_id = ?1),"
    " ?4, ?5) RETURNING id";

Error *funds_store_budget_insert(Store *st, Arena *a, const char *community, int year,
                                 int64_t street_min_fen, int change_pct, const char *note,
                                 const FundsLineInput *lines, int n_lines, int64_t user_id,
                                 int64_t now_ms, int64_t *ret_id)
{
    FundsBudget b = { .community = community, .year = year };
    Error *err;

    err = store_insert(st, a, SQL_BUDGET_INSERT, "year", "budget_exists",
                       "该社区这一年度已有自治金预算，请修改原预算", &b.id, "tiiitIi", community,
                       (int64_t)year, street_min_fen, (int64_t)change_pct, note, user_id, now_ms);
    if (err)
        return err;
    for (int i = 0; i < n_lines; i++) {
        int64_t id;

        err = funds_store_line_insert(st, a, &b, lines[i].name, lines[i].budget_fen, &id);
        if (err) {
            if (err->field && strcmp(err->field, "name") == 0)
                err->field = arena_sprintf(a, "lines[%d].name", i);
            return err;
        }
    }
    *ret_id = b.id;
    return NULL;
}

static const char SQL_BUDGET_GET[] =
    "SELECT id, community, year, street_min_fen, change_pct FROM fund_budget WHERE id = ?1";

static FundsBudget *budget_row(StoreStmt *s, Arena *a)
{
    FundsBudget *b = arena_alloc(a, sizeof(*b));

    b->id = store_column_int64(s, 0);
    b->community = store_column_text(s, a, 1);
    b->year = (int)store_column_int64(s, 2);
    b->street_min_fen = store_column_int64(s, 3);
    b->change_pct = (int)store_column_int64(s, 4);
    return b;
}

Error *funds_store_budget_get(Store *st, Arena *a, int64_t id, FundsBudget **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_BUDGET_GET, "i", id);
    StoreResult r = store_step(s);

    *ret = r == STORE_ROW ? budget_row(s, a) : NULL;
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_LINE_BUDGET_GET[] =
    "SELECT b.id, b.community, b.year, b.street_min_fen, b.change_pct"
    " FROM fund_line l JOIN fund_budget b ON b.id = l.budget_id WHERE l.id = ?1";

Error *funds_store_line_get_budget(Store *st, Arena *a, int64_t line_id, FundsBudget **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_LINE_BUDGET_GET, "i", line_id);
    StoreResult r = store_step(s);

    *ret = r == STORE_ROW ? budget_row(s, a) : NULL;
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_BUDGET_UPDATE[] =
    "UPDATE fund_budget SET street_min_fen = ?2, change_pct = ?3, note = ?4, updated_at = ?5"
    " WHERE id = ?1";

Error *funds_store_budget_update(Store *st, Arena *a, int64_t id, int64_t street_min_fen,
                                 int change_pct, const char *note, int64_t now_ms)
{
    return store_run(st, a, SQL_BUDGET_UPDATE, NULL, NULL, NULL, NULL, "iiiti", id, street_min_fen,
                     (int64_t)change_pct, note, now_ms);
}

static const char SQL_BUDGET_LIST[] =
    "SELECT b.id, b.community, d.name AS community_name, b.year, b.street_min_fen, b.change_pct,"
    " b.note FROM fund_budget b LEFT JOIN division d ON d.code = b.community"
    " WHERE b.community >= ?1 AND b.community < ?2 AND (?3 = 0 OR b.year = ?3)"
    " ORDER BY b.year DESC, b.community";
static const char SQL_BUDGET_LINES[] =
    "SELECT id, name, budget_fen, approved_fen, spent_fen, returned_fen,"
    " budget_fen - approved_fen AS available_fen, approved_fen - spent_fen - returned_fen AS"
    " committed_fen FROM fund_line WHERE budget_id = ?1 ORDER BY position";

Error *funds_store_budget_list(Store *st, Arena *a, const char *lo, const char *hi, int year,
                               json_t **ret)
{
    json_t *arr = NULL, *b;
    size_t i;
    Error *err;

    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_BUDGET_LIST, "tti", lo, hi, (int64_t)year),
                    "ittiiit", &arr);
    json_array_foreach (arr, i, b) {
        json_t *lines = NULL;

        if (!err)
            err = store_rows_json(st, a,
                            store_prepare_bind(st, a, SQL_BUDGET_LINES, "i",
                                               (int64_t)json_integer_value(json_object_get(b, "id"))),
                            "itiiiiii", &lines);
        if (lines)
            json_object_set_new(b, "lines", lines);
    }
    if (err) {
        json_decref(arr);
        return err;
    }
    *ret = arr;
    return NULL;
}

Error *funds_store_line_insert(Store *st, Arena *a, const FundsBudget *b, const char *name,
                               int64_t budget_fen, int64_t *ret_id)
{
    return store_insert(st, a, SQL_LINE_INSERT, "name", "line_exists",
                        "该预算已有同名科目，请换一个名称", ret_id, "ititi", b->id, b->community,
                        (int64_t)b->year, name, budget_fen);
}

static const char SQL_LINE_BUDGET_ID[] = "SELECT budget_id FROM fund_line WHERE id = ?1";

Error *funds_store_line_budget(Store *st, Arena *a, int64_t line_id, int64_t *ret_budget_id)
{
    return one_int(st, a, store_prepare_bind(st, a, SQL_LINE_BUDGET_ID, "i", line_id), 0,
                   ret_budget_id);
}

static const char SQL_LINE_UPDATE[] =
    "UPDATE fund_line SET name = coalesce(?2, name), budget_fen = ?3 WHERE id = ?1";

Error *funds_store_line_update(Store *st, Arena *a, int64_t line_id, const char *name,
                               int64_t budget_fen)
{
    Error *err = store_run(st, a, SQL_LINE_UPDATE, "budget_fen", "below_approved",
                           "预算不能低于该科目已批准的金额", NULL, "iti", line_id, name, budget_fen);

    if (err && err->status == 409 && store_error_mentions(st, "UNIQUE")) {
        err->field = "name";
        err->code = "line_exists";
        err->message = "该预算已有同名科目，请换一个名称";
    }
    return err;
}

/* ---- teams ---- */

static const char SQL_TEAM_INSERT[] =
    "INSERT INTO fund_team (community, name, lead_resident_id, members, note, created_by,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";

Error *funds_store_team_insert(Store *st, Arena *a, const char *community, const char *name,
                               int64_t lead_resident_id, int64_t members, const char *note,
                               int64_t user_id, int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_TEAM_INSERT, "name", "team_exists",
                        "本社区已有同名团队，请换一个名称", ret_id, "ttiitIi", community, name,
                        lead_resident_id, members, note, user_id, now_ms);
}

static const char SQL_TEAM_LIST[] =
    "SELECT t.id, t.community, t.name, t.lead_resident_id, r.name AS lead_name, t.members, t.note"
    " FROM fund_team t JOIN resident r ON r.id = t.lead_resident_id"
    " WHERE t.community >= ?1 AND t.community < ?2 AND (?3 = 0 OR t.lead_resident_id = ?3)"
    " ORDER BY t.community, t.name";

Error *funds_store_team_list(Store *st, Arena *a, const char *lo, const char *hi, int64_t lead,
                             json_t **ret)
{
    return store_rows_json(st, a, store_prepare_bind(st, a, SQL_TEAM_LIST, "tti", lo, hi, lead),
                     "ittitit", ret);
}

static const char SQL_TEAM_GET[] = "SELECT community, lead_resident_id FROM fund_team WHERE id = ?1";

Error *funds_store_team_get(Store *st, Arena *a, int64_t id, const char **ret_community,
                            int64_t *ret_lead)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_TEAM_GET, "i", id);
    StoreResult r = store_step(s);

    *ret_community = NULL;
    if (r == STORE_ROW) {
        *ret_community = store_column_text(s, a, 0);
        *ret_lead = store_column_int64(s, 1);
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_RESIDENT_COMMUNITY[] =
    "SELECT community FROM resident WHERE id = ?1 AND status = 'active'";

Error *funds_store_resident_community(Store *st, Arena *a, int64_t resident_id, const char **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_RESIDENT_COMMUNITY, "i", resident_id);
    StoreResult r = store_step(s);

    *ret = r == STORE_ROW ? store_column_text(s, a, 0) : NULL;
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/*
 * The resident an account is; an account without one (a household's
 * account) acts for a team lead who lives in its household.
 */
static const char SQL_USER_RESIDENT[] =
    "SELECT coalesce(u.resident_id,"
    " (SELECT min(r.id) FROM resident r JOIN fund_team t ON t.lead_resident_id = r.id"
    "  WHERE r.household_id = u.household_id AND r.status = 'active'), 0)"
    " FROM app_user u WHERE u.id = ?1";

Error *funds_store_user_resident(Store *st, Arena *a, int64_t user_id, int64_t *ret)
{
    return one_int(st, a, store_prepare_bind(st, a, SQL_USER_RESIDENT, "i", user_id), 0, ret);
}

/* ---- applications ---- */

static const char SQL_APP_INSERT[] =
    "INSERT INTO fund_application (budget_id, line_id, community, year, team_id, applicant_id,"
    " title, purpose, beneficiaries, starts_on, ends_on, total_fen, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13) RETURNING id";
static const char SQL_ITEM_INSERT[] =
    "INSERT INTO fund_item (application_id, position, name, unit, quantity, unit_fen, amount_fen)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_ITEMS_DELETE[] = "DELETE FROM fund_item WHERE application_id = ?1";

static Error *items_insert(Store *st, Arena *a, int64_t app_id, const FundsAppInput *in)
{
    Error *err = NULL;

    for (int i = 0; !err && i < in->n_items; i++) {
        const FundsItemInput *it = &in->items[i];

        err = store_run(st, a, SQL_ITEM_INSERT, NULL, NULL, NULL, NULL, "iittiii", app_id,
                        (int64_t)i + 1, it->name, it->unit, it->quantity, it->unit_fen,
                        it->amount_fen);
    }
    return err;
}

Error *funds_store_app_insert(Store *st, Arena *a, const FundsBudget *b, const FundsAppInput *in,
                              int64_t applicant_id, int64_t now_ms, int64_t *ret_id)
{
    Error *err = store_insert(st, a, SQL_APP_INSERT, NULL, NULL, NULL, ret_id, "iitiIitttttii",
                              b->id, in->line_id, b->community, (int64_t)b->year, in->team_id,
                              applicant_id, in->title, in->purpose, in->beneficiaries,
                              in->starts_on, in->ends_on, in->total_fen, now_ms);

    return err ? err : items_insert(st, a, *ret_id, in);
}

static const char SQL_APP_UPDATE[] =
    "UPDATE fund_application SET line_id = ?2, team_id = ?3, title = ?4, purpose = ?5,"
    " beneficiaries = ?6, starts_on = ?7, ends_on = ?8, total_fen = ?9, updated_at = ?10"
    " WHERE id = ?1 AND state IN ('draft', 'returned')";

Error *funds_store_app_update(Store *st, Arena *a, int64_t id, const FundsAppInput *in,
                              int64_t now_ms)
{
    int64_t n = 0;
    Error *err;

    err = store_run(st, a, SQL_APP_UPDATE, NULL, NULL, NULL, &n, "iiItttttii", id, in->line_id,
                    in->team_id, in->title, in->purpose, in->beneficiaries, in->starts_on,
                    in->ends_on, in->total_fen, now_ms);
    if (err)
        return err;
    if (n == 0)
        return error_conflict(a, NULL, "state_changed", "申请已提交或已处理，不能再修改");
    err = store_run(st, a, SQL_ITEMS_DELETE, NULL, NULL, NULL, NULL, "i", id);
    if (!err)
        err = items_insert(st, a, id, in);
    return err;
}

static const char SQL_APP_DELETE_FILES[] =
    "DELETE FROM fund_file WHERE application_id = ?1"
    " AND EXISTS (SELECT 1 FROM fund_application WHERE id = ?1 AND state = 'draft')";
static const char SQL_APP_DELETE[] =
    "DELETE FROM fund_application WHERE id = ?1 AND state = 'draft'";

Error *funds_store_app_delete(Store *st, Arena *a, int64_t id)
{
    int64_t n = 0;
    Error *err = store_run(st, a, SQL_APP_DELETE_FILES, NULL, NULL, NULL, NULL, "i", id);

    if (!err)
        err = store_run(st, a, SQL_ITEMS_DELETE, NULL, NULL, NULL, NULL, "i", id);
    if (!err)
        err = store_run(st, a, SQL_APP_DELETE, NULL, NULL, NULL, &n, "i", id);
    if (!err && n == 0)
        err = error_conflict(a, NULL, "not_draft", "只有草稿可以删除");
    return err;
}

static const char SQL_APP_GET[] =
    "SELECT a.id, a.budget_id, a.line_id, a.community, a.year, coalesce(a.team_id, 0),"
    " a.applicant_id, a.title, a.state, a.total_fen, a.approved_fen, a.spent_fen, a.returned_fen,"
    " b.street_min_fen, b.change_pct, a.change_json"
    " FROM fund_application a JOIN fund_budget b ON b.id = a.budget_id WHERE a.id = ?1";

Error *funds_store_app_get(Store *st, Arena *a, int64_t id, FundsApp **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_APP_GET, "i", id);
    StoreResult r = store_step(s);
    FundsApp *x = NULL;

    if (r == STORE_ROW) {
        x = arena_alloc(a, sizeof(*x));
        x->id = store_column_int64(s, 0);
        x->budget_id = store_column_int64(s, 1);
        x->line_id = store_column_int64(s, 2);
        x->community = store_column_text(s, a, 3);
        x->year = (int)store_column_int64(s, 4);
        x->team_id = store_column_int64(s, 5);
        x->applicant_id = store_column_int64(s, 6);
        x->title = store_column_text(s, a, 7);
        if (!funds_state_parse(store_column_text(s, a, 8), &x->state))
            x->state = FUNDS_DRAFT;
        x->total_fen = store_column_int64(s, 9);
        x->approved_fen = store_column_int64(s, 10);
        x->spent_fen = store_column_int64(s, 11);
        x->returned_fen = store_column_int64(s, 12);
        x->street_min_fen = store_column_int64(s, 13);
        x->change_pct = (int)store_column_int64(s, 14);
        x->change_json = store_column_text(s, a, 15);
    }
    store_reset(s);
    *ret = x;
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_APP_DETAIL[] =
    "SELECT a.id, a.budget_id, a.line_id, l.name AS line_name, a.community, d.name AS"
    " community_name, a.year, a.team_id, t.name AS team_name, a.applicant_id, u.display_name AS"
    " applicant_name, a.title, a.purpose, a.beneficiaries, a.starts_on, a.ends_on, a.total_fen,"
    " a.state, a.approved_fen, a.spent_fen, a.returned_fen, a.final_report, a.change_json,"
    " a.submitted_at, a.approved_at, a.closed_at, a.created_at, a.updated_at, b.street_min_fen,"
    " b.change_pct"
    " FROM fund_application a JOIN fund_line l ON l.id = a.line_id"
    " JOIN fund_budget b ON b.id = a.budget_id"
    " LEFT JOIN division d ON d.code = a.community LEFT JOIN fund_team t ON t.id = a.team_id"
    " LEFT JOIN app_user u ON u.id = a.applicant_id WHERE a.id = ?1";
static const char APP_DETAIL_TYPES[] = "iiitttiitittttttitiiittiiiiiii";
static const char SQL_APP_ITEMS[] =
    "SELECT id, position, name, unit, quantity, unit_fen, amount_fen, spent_fen FROM fund_item"
    " WHERE application_id = ?1 ORDER BY position";
static const char SQL_APP_STEPS[] =
    "SELECT id, kind, decision, reason, amount_fen, meeting_on, attendees, actor_name, created_at"
    " FROM fund_step WHERE application_id = ?1 ORDER BY id";
static const char SQL_APP_MILESTONES[] =
    "SELECT id, title, due_on, report, reported_at, created_at FROM fund_milestone"
    " WHERE application_id = ?1 ORDER BY due_on, id";
static const char SQL_APP_SPENDING[] =
    "SELECT s.id, s.item_id, i.name AS item_name, s.amount_fen, s.spent_on, s.note, s.receipt_id,"
    " s.created_at FROM fund_spending s JOIN fund_item i ON i.id = s.item_id"
    " WHERE s.application_id = ?1 ORDER BY s.spent_on, s.id";
static const char SQL_APP_FILES[] =
    "SELECT id, kind, name, mime, size, milestone_id, created_at FROM fund_file"
    " WHERE application_id = ?1 ORDER BY id";
static const char SQL_APP_EVALUATION[] =
    "SELECT count(*) AS count, coalesce(sum(score), 0) AS score_sum FROM fund_evaluation"
    " WHERE application_id = ?1";

Error *funds_store_app_json(Store *st, Arena *a, int64_t id, bool public_view, json_t **ret)
{
    static const struct {
        const char *key, *sql, *types;
        bool in_public;
    } parts[] = {
        { "items", SQL_APP_ITEMS, "iittiiii", true },
        { "steps", SQL_APP_STEPS, "itttititi", false },
        { "milestones", SQL_APP_MILESTONES, "itttii", true },
        { "spending", SQL_APP_SPENDING, "iitittii", true },
        { "files", SQL_APP_FILES, "itttiii", true },
    };
    json_t *rows = NULL, *o, *ev = NULL;
    Error *err;

    *ret = NULL;
    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_APP_DETAIL, "i", id), APP_DETAIL_TYPES,
                    &rows);
    if (err)
        return err;
    o = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (!o)
        return NULL;
    for (size_t i = 0; !err && i < sizeof(parts) / sizeof(parts[0]); i++) {
        json_t *part = NULL;

        if (public_view && !parts[i].in_public)
            continue;
        err = store_rows_json(st, a, store_prepare_bind(st, a, parts[i].sql, "i", id), parts[i].types,
                        &part);
        if (!err)
            json_object_set_new(o, parts[i].key, part);
    }
    if (!err)
        err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_APP_EVALUATION, "i", id), "ii", &ev);
    if (err) {
        json_decref(o);
        return err;
    }
    json_object_set(o, "evaluation", json_array_get(ev, 0));
    json_decref(ev);
    {
        FundsState state = FUNDS_DRAFT;

        funds_state_parse(json_string_value(json_object_get(o, "state")), &state);
        json_object_set_new(o, "state_label", json_string(funds_state_label(state)));
    }
    if (public_view)
        json_object_del(o, "change_json");
    *ret = o;
    return NULL;
}

static const char SQL_APP_LIST[] =
    "SELECT a.id, a.community, d.name AS community_name, a.year, a.line_id, l.name AS line_name,"
    " a.team_id, t.name AS team_name, a.title, a.state, a.total_fen, a.approved_fen, a.spent_fen,"
    " a.returned_fen, a.submitted_at, a.updated_at"
    " FROM fund_application a JOIN fund_line l ON l.id = a.line_id"
    " LEFT JOIN division d ON d.code = a.community LEFT JOIN fund_team t ON t.id = a.team_id"
    " WHERE a.community >= ?1 AND a.community < ?2 AND (?3 = 0 OR a.year = ?3)"
    " AND (CAST(?4 AS TEXT) IS NULL OR a.state = ?4)"
    " AND (?5 = 0 OR a.applicant_id = ?5 OR t.lead_resident_id = ?6)"
    " AND (?7 = 0 OR a.state IN ('approved', 'change', 'closed'))"
    " ORDER BY a.updated_at DESC, a.id DESC LIMIT ?8 OFFSET ?9";
static const char SQL_APP_COUNT[] =
    "SELECT count(*) FROM fund_application a LEFT JOIN fund_team t ON t.id = a.team_id"
    " WHERE a.community >= ?1 AND a.community < ?2 AND (?3 = 0 OR a.year = ?3)"
    " AND (CAST(?4 AS TEXT) IS NULL OR a.state = ?4)"
    " AND (?5 = 0 OR a.applicant_id = ?5 OR t.lead_resident_id = ?6)"
    " AND (?7 = 0 OR a.state IN ('approved', 'change', 'closed'))";

Error *funds_store_app_list(Store *st, Arena *a, const FundsListFilter *f, json_t **ret_items,
                            int64_t *ret_total)
{
    int64_t lead = f->team_lead ? f->team_lead : -1;
    Error *err;

    err = store_rows_json(st, a,
                    store_prepare_bind(st, a, SQL_APP_LIST, "ttitiiiii", f->lo, f->hi,
                                       (int64_t)f->year, f->state, f->applicant_id, lead,
                                       (int64_t)f->public_only, f->limit, f->offset),
                    "ittiititttiiiiii", ret_items);
    if (err)
        return err;
    err = one_int(st, a,
                  store_prepare_bind(st, a, SQL_APP_COUNT, "ttitiii", f->lo, f->hi,
                                     (int64_t)f->year, f->state, f->applicant_id, lead,
                                     (int64_t)f->public_only),
                  0, ret_total);
    if (err)
        json_decref(*ret_items);
    return err;
}

static const char SQL_APP_SET_STATE[] =
    "UPDATE fund_application SET state = ?3, updated_at = ?4,"
    " submitted_at = CASE WHEN ?3 = 'review' THEN ?4 ELSE submitted_at END"
    " WHERE id = ?1 AND state = ?2";

Error *funds_store_app_set_state(Store *st, Arena *a, const FundsApp *app, FundsState to,
                                 int64_t now_ms)
{
    int64_t n = 0;
    Error *err = store_run(st, a, SQL_APP_SET_STATE, NULL, NULL, NULL, &n, "itti", app->id,
                           funds_state_name(app->state), funds_state_name(to), now_ms);

    if (!err && n == 0)
        err = error_conflict(a, NULL, "state_changed", "申请状态已被他人改变，请刷新后再试");
    return err;
}

static const char SQL_STEP_INSERT[] =
    "INSERT INTO fund_step (application_id, kind, decision, reason, amount_fen, meeting_on,"
    " attendees, actor_id, actor_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

Error *funds_store_step_insert(Store *st, Arena *a, int64_t app_id, FundsStepKind kind,
                               FundsDecision decision, const char *reason, int64_t amount_fen,
                               const char *meeting_on, int64_t attendees, int64_t actor_id,
                               const char *actor_name, int64_t now_ms)
{
    return store_run(st, a, SQL_STEP_INSERT, NULL, NULL, NULL, NULL, "itttitIIti", app_id,
                     funds_step_name(kind), decision ? funds_decision_name(decision) : NULL,
                     reason ? reason : "", amount_fen, meeting_on, attendees > 0 ? attendees : 0,
                     actor_id, actor_name ? actor_name : "", now_ms);
}

static const char SQL_LINE_RESERVE[] =
    "UPDATE fund_line SET approved_fen = approved_fen + ?2"
    " WHERE id = ?1 AND approved_fen + ?2 <= budget_fen";
static const char SQL_APP_APPROVED[] =
    "UPDATE fund_application SET state = 'approved', approved_fen = total_fen, approved_at = ?2,"
    " updated_at = ?2 WHERE id = ?1 AND state = ?3";

Error *funds_store_approve(Store *st, Arena *a, const FundsApp *app, int64_t now_ms)
{
    int64_t n = 0;
    Error *err;

    err = store_run(st, a, SQL_LINE_RESERVE, "total_fen", "over_budget",
                    "该预算科目余额不足，不能批准", &n, "ii", app->line_id, app->total_fen);
    if (!err && n == 0)
        err = error_conflict(a, "total_fen", "over_budget",
                             "该预算科目余额不足，不能批准：请退回申请人调整金额或由街道追加预算");
    if (!err)
        err = store_run(st, a, SQL_APP_APPROVED, NULL, NULL, NULL, &n, "iit", app->id, now_ms,
                        funds_state_name(app->state));
    if (!err && n == 0)
        err = error_conflict(a, NULL, "state_changed", "申请状态已被他人改变，请刷新后再试");
    return err;
}

/* ---- execution ---- */

static const char SQL_ITEM_GET[] =
    "SELECT id, amount_fen, spent_fen FROM fund_item WHERE application_id = ?1 AND id = ?2";
static const char SQL_ITEMS_GET[] =
    "SELECT id, amount_fen, spent_fen FROM fund_item WHERE application_id = ?1 ORDER BY position";

Error *funds_store_item_get(Store *st, Arena *a, int64_t app_id, int64_t item_id, FundsItem **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_ITEM_GET, "ii", app_id, item_id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        *ret = arena_alloc(a, sizeof(**ret));
        (*ret)->id = store_column_int64(s, 0);
        (*ret)->amount_fen = store_column_int64(s, 1);
        (*ret)->spent_fen = store_column_int64(s, 2);
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *funds_store_items(Store *st, Arena *a, int64_t app_id, FundsItem *ret, int *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_ITEMS_GET, "i", app_id);
    StoreResult r;
    int n = 0;

    while ((r = store_step(s)) == STORE_ROW && n < FUNDS_MAX_ITEMS) {
        ret[n].id = store_column_int64(s, 0);
        ret[n].amount_fen = store_column_int64(s, 1);
        ret[n].spent_fen = store_column_int64(s, 2);
        n++;
    }
    store_reset(s);
    *ret_n = n;
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_ITEM_SPEND[] =
    "UPDATE fund_item SET spent_fen = spent_fen + ?2 WHERE id = ?1";
static const char SQL_APP_SPEND[] =
    "UPDATE fund_application SET spent_fen = spent_fen + ?2, updated_at = ?3"
    " WHERE id = ?1 AND state IN ('approved', 'change')";
static const char SQL_LINE_SPEND[] = "UPDATE fund_line SET spent_fen = spent_fen + ?2 WHERE id = ?1";
static const char SQL_SPENDING_INSERT[] =
    "INSERT INTO fund_spending (application_id, item_id, line_id, community, year, amount_fen,"
    " spent_on, note, receipt_id, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id";

Error *funds_store_spend(Store *st, Arena *a, const FundsApp *app, int64_t item_id,
                         int64_t amount_fen, const char *spent_on, const char *note,
                         int64_t receipt_id, int64_t user_id, int64_t now_ms, int64_t *ret_id)
{
    int64_t n = 0;
    Error *err;

    err = store_run(st, a, SQL_APP_SPEND, "amount_fen", "over_approval",
                    "支出超过了项目批准的金额，不能记账", &n, "iii", app->id, amount_fen, now_ms);
    if (!err && n == 0)
        err = error_conflict(a, NULL, "state_changed", "项目不在执行中，不能记账");
    if (!err)
        err = store_run(st, a, SQL_ITEM_SPEND, NULL, NULL, NULL, NULL, "ii", item_id, amount_fen);
    if (!err)
        err = store_run(st, a, SQL_LINE_SPEND, "amount_fen", "over_approval",
                        "支出超过了科目批准的金额", NULL, "ii", app->line_id, amount_fen);
    if (err)
        return err;
    return store_insert(st, a, SQL_SPENDING_INSERT, NULL, NULL, NULL, ret_id, "iiitiittIii", app->id,
                        item_id, app->line_id, app->community, (int64_t)app->year, amount_fen,
                        spent_on, note ? note : "", receipt_id, user_id, now_ms);
}

static const char SQL_ITEM_CHANGE[] =
    "UPDATE fund_item SET position = ?3, name = ?4, unit = ?5, quantity = ?6, unit_fen = ?7,"
    " amount_fen = ?8 WHERE id = ?2 AND application_id = ?1";
static const char SQL_ITEM_SHIFT[] =
    "UPDATE fund_item SET position = position + 1000 WHERE application_id = ?1";
static const char SQL_ITEMS_DELETE_UNLISTED[] =
    "DELETE FROM fund_item WHERE application_id = ?1 AND position > 1000 AND spent_fen = 0";
static const char SQL_LINE_MOVE[] =
    "UPDATE fund_line SET approved_fen = approved_fen + ?2 WHERE id = ?1"
    " AND approved_fen + ?2 <= budget_fen";
static const char SQL_APP_CHANGED[] =
    "UPDATE fund_application SET total_fen = ?2, approved_fen = ?2, change_json = NULL,"
    " updated_at = ?3 WHERE id = ?1";

Error *funds_store_apply_change(Store *st, Arena *a, const FundsApp *app, const FundsAppInput *in,
                                int64_t now_ms)
{
    int64_t n = 0;
    Error *err;

    err = store_run(st, a, SQL_LINE_MOVE, "total_fen", "over_budget",
                    "该预算科目余额不足，不能批准变更", &n, "ii", app->line_id,
                    in->total_fen - app->approved_fen);
    if (!err && n == 0)
        err = error_conflict(a, "total_fen", "over_budget", "该预算科目余额不足，不能批准变更");
    if (!err)
        err = store_run(st, a, SQL_ITEM_SHIFT, NULL, NULL, NULL, NULL, "i", app->id);
    for (int i = 0; !err && i < in->n_items; i++) {
        const FundsItemInput *it = &in->items[i];

        if (it->id)
            err = store_run(st, a, SQL_ITEM_CHANGE, arena_sprintf(a, "items[%d].amount_fen", i),
                            "below_spent", "该项已支出的金额超过了新的预算", NULL, "iiittiii",
                            app->id, it->id, (int64_t)i + 1, it->name, it->unit, it->quantity,
                            it->unit_fen, it->amount_fen);
        else
            err = store_run(st, a, SQL_ITEM_INSERT, NULL, NULL, NULL, NULL, "iittiii", app->id,
                            (int64_t)i + 1, it->name, it->unit, it->quantity, it->unit_fen,
                            it->amount_fen);
    }
    if (!err)
        err = store_run(st, a, SQL_ITEMS_DELETE_UNLISTED, NULL, NULL, NULL, NULL, "i", app->id);
    if (!err)
        err = store_run(st, a, SQL_APP_CHANGED, "total_fen", "below_spent",
                        "项目已支出的金额超过了新的预算", NULL, "iii", app->id, in->total_fen,
                        now_ms);
    return err;
}

static const char SQL_APP_SET_CHANGE[] =
    "UPDATE fund_application SET change_json = ?2 WHERE id = ?1";

Error *funds_store_set_change(Store *st, Arena *a, int64_t app_id, const char *change_json)
{
    return store_run(st, a, SQL_APP_SET_CHANGE, NULL, NULL, NULL, NULL, "it", app_id, change_json);
}

static const char SQL_MILESTONE_INSERT[] =
    "INSERT INTO fund_milestone (application_id, title, due_on, created_at)"
    " VALUES (?1, ?2, ?3, ?4) RETURNING id";

Error *funds_store_milestone_insert(Store *st, Arena *a, int64_t app_id, const char *title,
                                    const char *due_on, int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_MILESTONE_INSERT, NULL, NULL, NULL, ret_id, "itti", app_id, title,
                        due_on, now_ms);
}

static const char SQL_MILESTONE_APP[] = "SELECT application_id FROM fund_milestone WHERE id = ?1";

Error *funds_store_milestone_app(Store *st, Arena *a, int64_t id, int64_t *ret_app_id)
{
    return one_int(st, a, store_prepare_bind(st, a, SQL_MILESTONE_APP, "i", id), 0, ret_app_id);
}

static const char SQL_MILESTONE_REPORT[] =
    "UPDATE fund_milestone SET report = ?2, reported_by = ?3, reported_at = ?4 WHERE id = ?1";

Error *funds_store_milestone_report(Store *st, Arena *a, int64_t id, const char *report,
                                    int64_t user_id, int64_t now_ms)
{
    return store_run(st, a, SQL_MILESTONE_REPORT, NULL, NULL, NULL, NULL, "itii", id, report,
                     user_id, now_ms);
}

static const char SQL_APP_CLOSE[] =
    "UPDATE fund_application SET state = 'closed', returned_fen = approved_fen - spent_fen,"
    " final_report = ?2, closed_at = ?3, updated_at = ?3 WHERE id = ?1 AND state = 'approved'";
static const char SQL_LINE_RETURN[] =
    "UPDATE fund_line SET returned_fen = returned_fen + ?2 WHERE id = ?1";

Error *funds_store_close(Store *st, Arena *a, const FundsApp *app, const char *final_report,
                         int64_t now_ms)
{
    int64_t n = 0;
    Error *err = store_run(st, a, SQL_APP_CLOSE, NULL, NULL, NULL, &n, "iti", app->id,
                           final_report, now_ms);

    if (!err && n == 0)
        err = error_conflict(a, NULL, "state_changed", "项目不在执行中，不能结项");
    if (!err)
        err = store_run(st, a, SQL_LINE_RETURN, NULL, NULL, NULL, NULL, "ii", app->line_id,
                        app->approved_fen - app->spent_fen);
    return err;
}

static const char SQL_EVALUATE[] =
    "INSERT INTO fund_evaluation (application_id, user_id, score, comment, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";

Error *funds_store_evaluate(Store *st, Arena *a, int64_t app_id, int64_t user_id, int64_t score,
                            const char *comment, int64_t now_ms)
{
    return store_run(st, a, SQL_EVALUATE, NULL, "already_evaluated", "您已经评价过这个项目", NULL,
                     "iiiti", app_id, user_id, score, comment ? comment : "", now_ms);
}

/* ---- files ---- */

static const char SQL_FILE_INSERT[] =
    "INSERT INTO fund_file (application_id, kind, name, mime, size, data, uploader_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";

Error *funds_store_file_insert(Store *st, Arena *a, int64_t app_id, const char *kind,
                               const char *name, const char *mime, const void *data, size_t len,
                               int64_t user_id, int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_FILE_INSERT, "ittting", app_id, kind, name, mime,
                                      (int64_t)len);
    StoreResult r;

    store_bind_blob(s, 6, data, len);
    store_bind_int64(s, 7, user_id);
    store_bind_int64(s, 8, now_ms);
    r = store_step(s);
    if (r == STORE_ROW)
        *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return r == STORE_ROW ? NULL : store_error(st, a);
}

static const char SQL_FILE_GET[] =
    "SELECT application_id, kind, mime, data FROM fund_file WHERE id = ?1";

Error *funds_store_file_get(Store *st, Arena *a, int64_t id, int64_t *ret_app_id,
                            const char **ret_kind, const char **ret_mime, const void **ret_data,
                            size_t *ret_len)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_FILE_GET, "i", id);
    StoreResult r = store_step(s);

    *ret_data = NULL;
    if (r == STORE_ROW) {
        *ret_app_id = store_column_int64(s, 0);
        *ret_kind = store_column_text(s, a, 1);
        *ret_mime = store_column_text(s, a, 2);
        *ret_data = store_column_blob(s, a, 3, ret_len);
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_FILE_ATTACH[] =
    "UPDATE fund_file SET milestone_id = ?3 WHERE id = ?1 AND application_id = ?2";

Error *funds_store_file_attach(Store *st, Arena *a, int64_t file_id, int64_t app_id,
                               int64_t milestone_id, int64_t *ret_changes)
{
    return store_run(st, a, SQL_FILE_ATTACH, NULL, NULL, NULL, ret_changes, "iii", file_id, app_id,
                     milestone_id);
}

/* ---- ledger and report ---- */

/*
 * Per line: its budget and running totals from fund_line; approved,
 * committed and returned summed from its projects; spent summed from its
 * spending lines. Each sum is a correlated subquery on a covering index
 * by line (schema 29), so a street's year reads only its own lines' rows,
 * in index order, with no grouping.
 */
static const char SQL_LEDGER[] =
    "SELECT l.id, l.community, d.name, l.year, l.name, l.budget_fen, l.approved_fen, l.spent_fen,"
    " l.returned_fen,"
    " (SELECT coalesce(sum(a.approved_fen), 0) FROM fund_application a WHERE a.line_id = l.id),"
    " (SELECT coalesce(sum(a.approved_fen - a.spent_fen), 0) FROM fund_application a"
    "   WHERE a.line_id = l.id AND a.state IN ('approved', 'change')),"
    " (SELECT coalesce(sum(a.returned_fen), 0) FROM fund_application a WHERE a.line_id = l.id),"
    " (SELECT coalesce(sum(s.amount_fen), 0) FROM fund_spending s WHERE s.line_id = l.id)"
    " FROM fund_line l LEFT JOIN division d ON d.code = l.community"
    " WHERE l.year = ?3 AND l.community >= ?1 AND l.community < ?2"
    " ORDER BY l.community, l.position";

Error *funds_store_ledger(Store *st, Arena *a, const char *lo, const char *hi, int year,
                          FundsLedgerLine **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_LEDGER, "tti", lo, hi, (int64_t)year);
    FundsLedgerLine *v = NULL;
    size_t n = 0, cap = 0;
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        FundsLedgerLine *x;

        if (n == cap) {
            FundsLedgerLine *w;

            cap = cap ? cap * 2 : 64;
            w = arena_alloc(a, cap * sizeof(*w));
            if (n)
                memcpy(w, v, n * sizeof(*w));
            v = w;
        }
        x = &v[n++];
        x->line_id = store_column_int64(s, 0);
        x->community = store_column_text(s, a, 1);
        x->community_name = store_column_text(s, a, 2);
        x->year = (int)store_column_int64(s, 3);
        x->name = store_column_text(s, a, 4);
        x->l.budget = store_column_int64(s, 5);
        x->l.total_approved = store_column_int64(s, 6);
        x->l.total_spent = store_column_int64(s, 7);
        x->l.total_returned = store_column_int64(s, 8);
        x->l.available = x->l.budget - x->l.total_approved;
        x->l.approved = store_column_int64(s, 9);
        x->l.committed = store_column_int64(s, 10);
        x->l.returned = store_column_int64(s, 11);
        x->l.spent = store_column_int64(s, 12);
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret = v;
    *ret_n = n;
    return NULL;
}

static const char SQL_REPORT_STATES[] =
    "SELECT state, count(*) AS count, coalesce(sum(approved_fen), 0) AS approved_fen,"
    " coalesce(sum(spent_fen), 0) AS spent_fen FROM fund_application"
    " WHERE year = ?3 AND community >= ?1 AND community < ?2 GROUP BY state ORDER BY state";
static const char SQL_REPORT_MONTHS[] =
    "SELECT substr(spent_on, 1, 7) AS month, count(*) AS count, sum(amount_fen) AS amount_fen"
    " FROM fund_spending WHERE year = ?3 AND community >= ?1 AND community < ?2"
    " GROUP BY substr(spent_on, 1, 7) ORDER BY month";
static const char SQL_REPORT_EVALUATIONS[] =
    "SELECT count(*) AS count, coalesce(sum(e.score), 0) AS score_sum FROM fund_evaluation e"
    " JOIN fund_application a ON a.id = e.application_id"
    " WHERE a.year = ?3 AND a.community >= ?1 AND a.community < ?2";
static const char SQL_REPORT_TEAMS[] =
    "SELECT count(DISTINCT team_id) FROM fund_application"
    " WHERE year = ?3 AND community >= ?1 AND community < ?2 AND team_id IS NOT NULL"
    " AND state IN ('approved', 'change', 'closed')";

Error *funds_store_report(Store *st, Arena *a, const char *lo, const char *hi, int year,
                          json_t **ret)
{
    json_t *states = NULL, *months = NULL, *ev = NULL;
    int64_t teams = 0;
    Error *err;

    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_REPORT_STATES, "tti", lo, hi, (int64_t)year),
                    "tiii", &states);
    if (!err)
        err = store_rows_json(st, a,
                        store_prepare_bind(st, a, SQL_REPORT_MONTHS, "tti", lo, hi, (int64_t)year),
                        "tii", &months);
    if (!err)
        err = store_rows_json(st, a,
                        store_prepare_bind(st, a, SQL_REPORT_EVALUATIONS, "tti", lo, hi,
                                           (int64_t)year),
                        "ii", &ev);
    if (!err)
        err = one_int(st, a,
                      store_prepare_bind(st, a, SQL_REPORT_TEAMS, "tti", lo, hi, (int64_t)year), 0,
                      &teams);
    if (err) {
        json_decref(states);
        json_decref(months);
        json_decref(ev);
        return err;
    }
    *ret = json_pack("{s:o, s:o, s:O, s:I}", "states", states, "months", months, "evaluations",
                     json_array_get(ev, 0), "teams", (json_int_t)teams);
    json_decref(ev);
    return NULL;
}

/* ---- demo ---- */

static const char SQL_DEMO_USER[] = "SELECT id FROM app_user WHERE username = ?1";
static const char SQL_DEMO_HEAD[] =
    "SELECT r.id FROM app_user u JOIN resident r ON r.household_id = u.household_id"
    " WHERE u.username = 'resident' AND r.status = 'active' ORDER BY r.id LIMIT 1";
static const char SQL_DEMO_RESIDENTS[] =
    "SELECT id FROM resident WHERE community = ?1 AND status = 'active' ORDER BY id LIMIT 8";

Error *funds_store_demo_people(Store *st, Arena *a, const char *community, FundsDemoPeople *ret)
{
    StoreStmt *s;
    StoreResult r;
    Error *err;

    memset(ret, 0, sizeof(*ret));
    err = one_int(st, a, store_prepare_bind(st, a, SQL_DEMO_USER, "t", "staff"), 0, &ret->staff);
    if (!err)
        err = one_int(st, a, store_prepare_bind(st, a, SQL_DEMO_USER, "t", "street"), 0,
                      &ret->street);
    if (!err)
        err = one_int(st, a, store_prepare_bind(st, a, SQL_DEMO_USER, "t", "resident"), 0,
                      &ret->resident_user);
    if (!err)
        err = one_int(st, a, store_prepare(st, a, SQL_DEMO_HEAD), 0, &ret->resident);
    if (err)
        return err;
    s = store_prepare_bind(st, a, SQL_DEMO_RESIDENTS, "t", community);
    while ((r = store_step(s)) == STORE_ROW && ret->n_others < 8)
        ret->others[ret->n_others++] = store_column_int64(s, 0);
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_LINE_IDS[] = "SELECT id FROM fund_line WHERE budget_id = ?1 ORDER BY position";

Error *funds_store_line_ids(Store *st, Arena *a, int64_t budget_id, int64_t *ret, int max)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_LINE_IDS, "i", budget_id);
    StoreResult r;
    int n = 0;

    while ((r = store_step(s)) == STORE_ROW && n < max)
        ret[n++] = store_column_int64(s, 0);
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/* ---- who decides ---- */

/* A staff member's or secretary's scope is her community's code; a street admin's a prefix of it. */
static const char SQL_DECIDERS[] =
    "SELECT id FROM app_user WHERE disabled = 0 AND state = 'active' AND id <> ?2"
    " AND ((?3 = 0 AND role IN ('staff', 'secretary') AND scope = ?1)"
    " OR (?3 = 1 AND role = 'street_admin' AND length(scope) > 0"
    " AND substr(?1, 1, length(scope)) = scope))"
    " ORDER BY id LIMIT ?4";

Error *funds_store_decider_ids(Store *st, Arena *a, const char *community, bool street,
                               int64_t except_user, int64_t limit, int64_t **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_DECIDERS);

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, except_user);
    store_bind_int64(s, 3, street ? 1 : 0);
    store_bind_int64(s, 4, limit);
    return store_run_ids(st, a, s, ret, ret_n);
}
