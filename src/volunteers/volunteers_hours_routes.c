/*
 * The hours ledger's routes: a volunteer's ledger, the entries to review
 * (a lead sees her teams', staff their community's), confirming and
 * rejecting a pending entry, corrections, and the totals by team, month
 * and kind. Every change of a volunteer's ledger runs in her keyed
 * transaction (STORE_LOCK_VOLUNTEER), so confirmations and corrections of
 * different volunteers run side by side on PostgreSQL and those of one
 * volunteer one at a time; the balance moves with the entry, under its
 * CHECK.
 */
#include <stdlib.h>
#include <string.h>

#include "activities/activities.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "volunteers/volunteers_routes.h"
#include "core/banned.h"

#define MONTHS_MAX 120
#define LEDGER_PAGE_MAX 500
#define TEAMS_MAX 200

/*
 * The volunteer and a page of her ledger (?page=&per_page=, newest first,
 * LEDGER_PAGE_MAX a page and by default: a ledger of ten years is paged,
 * never cut) with its total.
 */
static Error *ledger_response(Request *req, Response *res, int status, int64_t id)
{
    json_t *v = NULL, *items = NULL;
    int64_t page = 1, per_page = LEDGER_PAGE_MAX, total = 0;
    Error *err;

    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", LEDGER_PAGE_MAX, 1, LEDGER_PAGE_MAX, &per_page);
    if (!err)
        err = volunteers_store_json(req->store, req->arena, id, &v);
    if (!err && !v)
        err = error_not_found(req->arena, "id", "找不到这位志愿者");
    if (!err)
        err = volunteers_store_ledger(req->store, req->arena, id, per_page, (page - 1) * per_page,
                                      &items, &total);
    if (err) {
        json_decref(v);
        return err;
    }
    return response_json(res, status,
                         json_pack("{s:o, s:o, s:I, s:I, s:I}", "volunteer", v, "items", items,
                                   "total", (json_int_t)total, "page", (json_int_t)page,
                                   "per_page", (json_int_t)per_page));
}

static Error *volunteers_handle_ledger(Request *req, Response *res)
{
    Volunteer *v = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = volunteers_load(req, 0, &v, NULL);
    if (err)
        return err;
    return ledger_response(req, res, 200, v->id);
}

static Error *volunteers_handle_my_ledger(Request *req, Response *res)
{
    int64_t me = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = volunteers_me(req, &me);
    if (err)
        return err;
    if (!me)
        return error_not_found(req->arena, NULL, "您还没有注册志愿者");
    return ledger_response(req, res, 200, me);
}

static Error *volunteers_handle_entries(Request *req, Response *res)
{
    const char *state = request_query(req, "state"), *lo = "", *hi = "";
    json_t *items = NULL;
    int64_t me = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err && state && *state && strcmp(state, "pending") != 0 &&
        strcmp(state, "confirmed") != 0 && strcmp(state, "rejected") != 0)
        err = error_bad_request(req->arena, "state", "invalid_query",
                                "“state”应为 pending、confirmed 或 rejected");
    if (!err && req->user->role == ROLE_RESIDENT) {
        err = volunteers_me(req, &me);
        if (!err && !me)
            err = error_forbidden(req->arena, "只有志愿队队长可以审核时长");
    } else if (!err) {
        err = auth_list_bounds(req, &lo, &hi);
    }
    if (!err)
        err = volunteers_store_entries(req->store, req->arena, lo, hi, me,
                                       state && *state ? state : NULL, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/*
 * Whether the user may review or correct @v's hours: her community's
 * staff, or a lead of one of her teams (not for herself); 403 otherwise.
 */
static Error *may_review(Request *req, const Volunteer *v)
{
    int64_t me = 0;
    bool lead = false;
    Error *err;

    if (auth_is_staff_of(req->user, v->community))
        return NULL;
    err = volunteers_me(req, &me);
    if (!err && me && me != v->id)
        err = volunteers_store_leads(req->store, req->arena, me, v->id, &lead);
    if (err)
        return err;
    if (me && me == v->id)
        return error_forbidden(req->arena, "不能审核或更正自己的志愿时长");
    if (!lead)
        return error_forbidden(req->arena,
                               "只有这位志愿者所在志愿队的队长或社区工作人员可以审核她的时长");
    return NULL;
}

static Error *begin_volunteer(Request *req, int64_t id)
{
    request_end_read(req);
    return store_begin_keyed(req->store, req->arena, STORE_LOCK_VOLUNTEER, id);
}

static Error *finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

static Error *review(Request *req, Response *res, bool confirm)
{
    static const char *const fields[] = { "note", NULL };
    VolunteerEntry *e = NULL;
    Volunteer *v = NULL;
    const char *note = NULL;
    int64_t id = 0, minutes = 0, now = time_now_ms();
    json_t *body = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err && (req->body_len || !confirm))
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "note", !confirm, confirm ? 0 : 1, 200, &note);
    if (!err)
        err = volunteers_store_entry(req->store, req->arena, id, &e);
    if (!err && e)
        err = volunteers_store_get(req->store, req->arena, e->volunteer_id, &v);
    if (!err && (!e || !v || !auth_covers(req->user, e->community)))
        err = error_not_found(req->arena, "id", "找不到这条时长记录");
    if (!err)
        err = may_review(req, v);
    if (err)
        return err;
    if (strcmp(e->state, "pending") != 0)
        return error_conflict(req->arena, NULL, "already_reviewed", "这条时长记录已经审核过了");
    err = begin_volunteer(req, v->id);
    if (err)
        return err;
    if (confirm)
        err = volunteers_hours_confirm(req->store, req->arena, id, req->user->id, now, &minutes);
    else
        err = volunteers_store_entry_review(req->store, req->arena, id, "rejected", note,
                                            req->user->id, now);
    if (!err)
        err = audit_record(req, confirm ? "volunteer.hours_confirm" : "volunteer.hours_reject",
                           "volunteer_hours", id, e->community,
                           json_pack("{s:I, s:I}", "volunteer_id", (json_int_t)v->id, "minutes",
                                     (json_int_t)e->minutes));
    err = finish(req, err);
    if (err)
        return err;
    return ledger_response(req, res, 200, v->id);
}

static Error *volunteers_handle_confirm(Request *req, Response *res)
{
    return review(req, res, true);
}

static Error *volunteers_handle_reject(Request *req, Response *res)
{
    return review(req, res, false);
}

static Error *volunteers_handle_correct(Request *req, Response *res)
{
    static const char *const fields[] = { "minutes", "reason", "corrects_id", "kind", NULL };
    const char *reason = NULL, *kind = NULL;
    Volunteer *v = NULL;
    int64_t minutes = 0, corrects = 0, id = 0;
    ActivityKind k;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = volunteers_load(req, 0, &v, NULL);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "minutes", true, -VOLUNTEERS_MAX_CORRECTION_MIN,
                                VOLUNTEERS_MAX_CORRECTION_MIN, &minutes, NULL);
    if (!err && minutes == 0)
        err = error_invalid(req->arena, "minutes", "zero", "更正的分钟数不能为 0");
    if (!err)
        err = request_field_string(req, body, "reason", true, 2, 200, &reason);
    if (!err)
        err = request_field_int(req, body, "corrects_id", false, 1, INT64_MAX, &corrects, NULL);
    if (!err)
        err = request_field_string(req, body, "kind", false, 1, 20, &kind);
    if (!err && kind && strcmp(kind, "other") != 0 && !activities_kind_parse(kind, &k))
        err = error_invalid(req->arena, "kind", "invalid_kind",
                            "“kind”应为 volunteer、course、market、sports、civic 或 other");
    if (!err)
        err = may_review(req, v);
    if (err)
        return err;
    err = begin_volunteer(req, v->id);
    if (err)
        return err;
    err = volunteers_store_correction(req->store, req->arena, v, minutes, reason, kind, corrects,
                                      req->user->id, time_now_ms(), &id);
    if (!err)
        err = volunteers_store_balance_add(req->store, req->arena, v->id, minutes);
    if (!err)
        err = audit_record(req, "volunteer.hours_correct", "volunteer_hours", id, v->community,
                           json_pack("{s:I, s:I, s:s}", "volunteer_id", (json_int_t)v->id,
                                     "minutes", (json_int_t)minutes, "reason", reason));
    err = finish(req, err);
    if (err)
        return err;
    return ledger_response(req, res, 201, v->id);
}

/* ---- totals ---- */

static const char *kind_label(const char *kind)
{
    ActivityKind k;

    return activities_kind_parse(kind, &k) ? activities_kind_label(k) : "其他";
}

/* The object in @arr whose @key is the string @value, appended with minutes 0 if absent. */
static json_t *slot(json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o) {
        if (strcmp(json_string_value(json_object_get(o, key)), value) == 0)
            return o;
    }
    o = json_pack("{s:s, s:I}", key, value, "minutes", (json_int_t)0);
    json_array_append_new(arr, o);
    return o;
}

static void add_minutes(json_t *o, const char *key, int64_t m)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + m));
}

static int by_month(const void *x, const void *y)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)x, "month")),
                  json_string_value(json_object_get(*(json_t *const *)y, "month")));
}

static Error *volunteers_handle_totals(Request *req, Response *res)
{
    const char *from = request_query(req, "from"), *to = request_query(req, "to"), *lo, *hi;
    VolunteersServed *sv = NULL;
    VolunteersMembership *ms = NULL;
    size_t n = 0, n_ms = 0;
    int64_t day, f = 0, t = 0, total = 0;
    json_t *kinds = json_array(), *months = json_array(), *teams = json_array(), *people;
    json_t *sorted, *none;
    Error *err;

    arena_defer(req->arena, (ArenaCleanup)json_decref, kinds);
    arena_defer(req->arena, (ArenaCleanup)json_decref, months);
    arena_defer(req->arena, (ArenaCleanup)json_decref, teams);
    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err && from && !time_parse_date(from, &day))
        err = error_bad_request(req->arena, "from", "invalid_query", "日期应为 YYYY-MM-DD");
    if (!err && from)
        f = time_day_start_ms(day, VOLUNTEERS_UTC_OFFSET_MIN);
    if (!err && to && !time_parse_date(to, &day))
        err = error_bad_request(req->arena, "to", "invalid_query", "日期应为 YYYY-MM-DD");
    if (!err && to)
        t = time_day_start_ms(day + 1, VOLUNTEERS_UTC_OFFSET_MIN);
    if (!err && f && t && t <= f)
        err = error_bad_request(req->arena, "to", "invalid_query", "结束日期应不早于开始日期");
    if (!err)
        err = volunteers_store_served(req->store, req->arena, 0, lo, hi, f, t, &sv, &n);
    if (!err)
        err = volunteers_store_memberships(req->store, req->arena, lo, hi, &ms, &n_ms);
    if (err)
        return err;
    people = json_object();
    arena_defer(req->arena, (ArenaCleanup)json_decref, people);
    for (size_t j = 0; j < n_ms; j++) {
        json_t *o = slot(teams, "name", ms[j].team);

        json_object_set_new(o, "team_id", json_integer(ms[j].team_id));
    }
    none = NULL;
    for (size_t i = 0; i < n; i++) {
        int y, m;
        bool in_team = false;
        json_t *mo;

        total += sv[i].minutes;
        json_object_set_new(people, arena_sprintf(req->arena, "%lld", (long long)sv[i].volunteer_id),
                            json_true());
        add_minutes(slot(kinds, "kind", sv[i].kind), "minutes", sv[i].minutes);
        volunteers_year_month(sv[i].served_at, &y, &m);
        mo = slot(months, "month", arena_sprintf(req->arena, "%04d-%02d", y, m));
        add_minutes(mo, "minutes", sv[i].minutes);
        add_minutes(mo, sv[i].kind, sv[i].minutes);
        for (size_t j = 0; j < n_ms; j++)
            if (ms[j].volunteer_id == sv[i].volunteer_id) {
                add_minutes(slot(teams, "name", ms[j].team), "minutes", sv[i].minutes);
                in_team = true;
            }
        if (!in_team) {
            if (!none)
                none = json_pack("{s:n, s:s, s:I}", "team_id", "name", "未加入志愿队", "minutes",
                                 (json_int_t)0);
            add_minutes(none, "minutes", sv[i].minutes);
        }
    }
    if (none)
        json_array_append_new(teams, none);
    {
        size_t i;
        json_t *o;

        json_array_foreach(kinds, i, o) {
            json_object_set_new(o, "label",
                                json_string(kind_label(json_string_value(json_object_get(o, "kind")))));
        }
    }
    sorted = json_array();
    {
        size_t nm = json_array_size(months);
        json_t **v = arena_alloc(req->arena, (nm + 1) * sizeof(*v));

        for (size_t i = 0; i < nm; i++)
            v[i] = json_array_get(months, i);
        qsort(v, nm, sizeof(*v), by_month);
        for (size_t i = 0; i < nm; i++)
            json_array_append(sorted, v[i]);
    }
    return response_json(res, 200,
                         json_pack("{s:I, s:I, s:O, s:o, s:O}", "total_minutes", (json_int_t)total,
                                   "volunteers", (json_int_t)json_object_size(people), "by_kind",
                                   kinds, "by_month", sorted, "by_team", teams));
}

void volunteers_hours_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/volunteers/me/hours", volunteers_handle_my_ledger, 0);
    router_add(r, "GET", "/api/v1/volunteers/hours", volunteers_handle_entries, 0);
    router_add(r, "POST", "/api/v1/volunteers/hours/{id}/confirm", volunteers_handle_confirm, 0);
    router_add(r, "POST", "/api/v1/volunteers/hours/{id}/reject", volunteers_handle_reject, 0);
    router_add(r, "GET", "/api/v1/volunteers/totals", volunteers_handle_totals, 0);
    router_add(r, "GET", "/api/v1/volunteers/{id}/hours", volunteers_handle_ledger, 0);
    router_add(r, "POST", "/api/v1/volunteers/{id}/corrections", volunteers_handle_correct, 0);
}
