/*
 * 加装电梯 (/api/v1/lifts/…, /api/v1/lift-settings/{city}): an owners'
 * decision of one 单元 or 门栋, guided. Each city sets the thresholds (art.
 * 278's special ones by default), the 公示 period after the vote (calendar
 * or working days, on the cases' working-day calendar), whether the owners
 * of the units the lift occupies must all consent, and its objection
 * procedure; a project keeps the settings it started with. Objections are
 * recorded during the project and each resolved by 协调 with notes; the
 * result becomes final only after the close, the 公示 period and every
 * objection resolved.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "votes/votes_routes.h"
#include "core/banned.h"

#define AFFECTED_MAX 50
#define TEXT_MAX 2000

static const char DEFAULT_SETTINGS[] =
    "{\"quorum\":\"2/3\",\"approval\":\"3/4\",\"approval_strict\":false,\"notice_days\":10,"
    "\"notice_day_kind\":\"calendar\",\"occupied_consent\":true,"
    "\"objection_procedure\":\"公示期内书面提出异议，由社区居委会组织协调并记录协调意见\"}";

/* The city of a division code: its first four digits, then "00". */
static const char *city_of(Arena *a, const char *code)
{
    return arena_sprintf(a, "%.4s00", code);
}

/* The city's settings over the defaults (a new reference) and whether they are the city's own. */
static Error *settings_of(Request *req, const char *city, json_t **ret, bool *ret_own)
{
    const char *text = NULL;
    json_t *s = json_loads(DEFAULT_SETTINGS, 0, NULL), *own;
    Error *err;

    err = votes_store_lift_settings(req->store, req->arena, city, &text);
    if (err) {
        json_decref(s);
        return err;
    }
    own = text ? json_loads(text, 0, NULL) : NULL;
    if (own)
        json_object_update(s, own);
    json_decref(own);
    *ret = s;
    *ret_own = text != NULL;
    return NULL;
}

static Error *city_param(Request *req, const char **ret)
{
    const char *city = req->params[0];

    if (strlen(city) != 6 || strspn(city, "0123456789") != 6 || strcmp(city + 4, "00") != 0)
        return error_not_found(req->arena, "city", "城市代码应为 6 位数字、以 00 结尾，如 310100（上海市）");
    *ret = city;
    return NULL;
}

static Error *votes_handle_lift_settings_get(Request *req, Response *res)
{
    const char *city = NULL;
    json_t *s;
    bool own;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = city_param(req, &city);
    if (!err)
        err = settings_of(req, city, &s, &own);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:s, s:b, s:o}", "city", city, "default", !own,
                                             "settings", s));
}

static Error *votes_handle_lift_settings_put(Request *req, Response *res)
{
    static const char *const fields[] = { "quorum", "approval", "approval_strict", "notice_days",
                                          "notice_day_kind", "occupied_consent",
                                          "objection_procedure", NULL };
    const char *city = NULL, *kind = NULL, *proc = NULL;
    int qn = 0, qd = 0, an = 0, ad = 0;
    int64_t days = 0;
    bool present;
    json_t *body, *s, *x;
    char *text;
    Error *err;

    err = auth_require(req, ROLE_ADMIN);
    if (!err)
        err = city_param(req, &city);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = votes_fraction_field(req, body, "quorum", &qn, &qd);
    if (!err)
        err = votes_fraction_field(req, body, "approval", &an, &ad);
    if (!err)
        err = request_field_int(req, body, "notice_days", false, 0, 60, &days, &present);
    if (!err)
        err = request_field_string(req, body, "notice_day_kind", false, 1, 10, &kind);
    if (!err && kind && !votes_one_of(kind, (const char *const[]){ "calendar", "working", NULL }))
        err = error_invalid(req->arena, "notice_day_kind", "invalid_option",
                            "公示期的天数（notice_day_kind）应为 calendar（自然日）或 working（工作日）");
    if (!err)
        err = request_field_string(req, body, "objection_procedure", false, 2, 500, &proc);
    if (err)
        return err;
    for (const char *const *f = (const char *const[]){ "approval_strict", "occupied_consent", NULL };
         *f; f++) {
        x = json_object_get(body, *f);
        if (x && !json_is_boolean(x))
            return error_invalid(req->arena, *f, "invalid_type",
                                 arena_sprintf(req->arena, "%s 应为 true 或 false", *f));
    }
    /* the city's own settings are what it sent, over what it had */
    {
        bool own;

        err = settings_of(req, city, &s, &own);
        if (err)
            return err;
    }
    json_object_update(s, body);
    text = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(s);
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (!err) {
        err = votes_store_lift_settings_put(req->store, req->arena, city,
                                            arena_strdup(req->arena, text), req->user->id,
                                            time_now_ms());
        if (!err)
            err = audit_record(req, "lift.settings", "lift_settings", 0, city,
                               json_loads(text, 0, NULL));
        err = votes_finish(req, err);
    }
    free(text);
    if (err)
        return err;
    return votes_handle_lift_settings_get(req, res);
}

/* {"building_id", "unit", "affected": [household ids], "closes_at", ...} */
static Error *votes_handle_lift_create(Request *req, Response *res)
{
    static const char *const fields[] = { "building_id", "unit", "title", "body", "affected",
                                          "secret", "changeable", "opens_at", "closes_at", NULL };
    const char *community = NULL;
    int64_t bid = 0, unit = 0, units = 0, now = time_now_ms();
    Vote v;
    VotesLift l;
    json_t *body, *settings, *affected, *x;
    Vote *got = NULL;
    bool present, own;
    size_t i;
    char *text;
    Error *err;

    memset(&v, 0, sizeof(v));
    memset(&l, 0, sizeof(l));
    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "building_id", true, 1, INT64_MAX, &bid, &present);
    if (!err)
        err = request_field_int(req, body, "unit", true, 1, 50, &unit, &present);
    if (!err)
        err = votes_store_building(req->store, req->arena, bid, &community, &units);
    if (err)
        return err;
    if (!community || !auth_covers(req->user, community))
        return error_invalid(req->arena, "building_id", "unknown_building",
                             "找不到该楼栋，或其不在您的管辖范围内");
    if (!votes_may_manage(req->user, community))
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以发起加装电梯项目");
    if (unit > units)
        return error_invalid(req->arena, "unit", "unknown_unit",
                             arena_sprintf(req->arena, "该楼只有 %lld 个单元", (long long)units));
    affected = json_object_get(body, "affected");
    if (affected && (!json_is_array(affected) || json_array_size(affected) > AFFECTED_MAX))
        return error_invalid(req->arena, "affected", "invalid_type",
                             "占用专有部分的户（affected）应为户编号的列表，最多 50 户");
    json_array_foreach(affected, i, x) {
        bool in = false;

        if (json_is_integer(x) && json_integer_value(x) > 0)
            err = votes_store_household_in(req->store, req->arena, json_integer_value(x), bid,
                                           unit, &in);
        if (err)
            return err;
        if (!in)
            return error_invalid(req->arena, arena_sprintf(req->arena, "affected[%zu]", i),
                                 "unknown_household", "该户不在这个单元");
    }
    err = votes_parse_vote(req, body, true, &v);
    if (!err)
        err = settings_of(req, city_of(req->arena, community), &settings, &own);
    if (err)
        return err;
    v.community = community;
    v.scope = "unit";
    v.building_id = bid;
    v.unit = unit;
    v.matter = "special";
    if (!v.title)
        v.title = arena_sprintf(req->arena, "加装电梯意见征询（%lld 单元）", (long long)unit);
    /* the city's thresholds, written on the vote so its result shows them */
    sscanf(json_string_value(json_object_get(settings, "quorum")), "%d/%d", &v.rule.quorum_n,
           &v.rule.quorum_d);
    sscanf(json_string_value(json_object_get(settings, "approval")), "%d/%d", &v.rule.approval_n,
           &v.rule.approval_d);
    v.rule.approval_strict = json_is_true(json_object_get(settings, "approval_strict"));
    text = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
    l.settings = arena_strdup(req->arena, text);
    free(text);
    json_decref(settings);
    text = affected ? json_dumps(affected, JSON_COMPACT) : NULL;
    l.affected = arena_strdup(req->arena, text ? text : "[]");
    free(text);
    l.community = community;
    l.building_id = bid;
    l.unit = unit;

    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_store_create(req->store, req->arena, &v);
    if (!err) {
        l.vote_id = v.id;
        err = votes_store_lift_insert(req->store, req->arena, &l, now);
    }
    if (!err)
        err = audit_record(req, "lift.create", "lift", l.id, community,
                           json_pack("{s:I, s:I, s:I}", "vote_id", (json_int_t)v.id, "building_id",
                                     (json_int_t)bid, "unit", (json_int_t)unit));
    err = votes_finish(req, err);
    if (!err)
        err = votes_store_get(req->store, req->arena, v.id, &got);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:o}", "id", (json_int_t)l.id, "vote",
                                             votes_vote_json(req->arena, got, time_now_ms())));
}

static Error *load_lift(Request *req, VotesLift **ret)
{
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_store_lift_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || !votes_may_read(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该加装电梯项目，或其不在您的管辖范围内");
    return NULL;
}

static const char *today(char buf[11])
{
    time_format_date(buf, (time_now_ms() + 480 * TIME_MINUTE_MS) / TIME_DAY_MS);
    return buf;
}

/* Where the project stands, in order: voting, 公示, objections to resolve, ready, final. */
static const char *lift_state(const VotesLift *l, const Vote *v)
{
    char buf[11];

    if (l->final_at)
        return "final";
    if (!v->closed_at)
        return "voting";
    if (l->notice_until && strcmp(today(buf), l->notice_until) < 0)
        return "notice";
    if (l->open_objections)
        return "objections";
    return "ready";
}

static Error *lift_page(Request *req, Response *res, int status, int64_t id)
{
    VotesLift *l = NULL;
    Vote *v = NULL;
    json_t *o, *objections, *result;
    Error *err;

    err = votes_store_lift_get(req->store, req->arena, id, &l);
    if (!err && l)
        err = votes_store_get(req->store, req->arena, l->vote_id, &v);
    if (!err && (!l || !v))
        err = error_not_found(req->arena, "id", "找不到该加装电梯项目");
    if (err)
        return err;
    objections = json_array();
    err = votes_store_lift_objections(req->store, req->arena, l->id, objections);
    if (err) {
        json_decref(objections);
        return err;
    }
    o = json_pack("{s:I, s:s, s:I, s:I, s:o, s:o, s:o, s:s, s:b, s:o, s:I, s:o, s:o}", "id",
                  (json_int_t)l->id, "community", l->community, "building_id",
                  (json_int_t)l->building_id, "unit", (json_int_t)l->unit, "settings",
                  json_loads(l->settings, 0, NULL), "affected", json_loads(l->affected, 0, NULL),
                  "notice", l->notice_from ? json_pack("{s:s, s:s}", "from", l->notice_from,
                                                       "until", l->notice_until)
                                           : json_null(),
                  "state", lift_state(l, v), "final", l->final_at != 0, "final_at",
                  votes_time_json(req->arena, l->final_at), "open_objections",
                  (json_int_t)l->open_objections, "objections", objections, "vote",
                  votes_vote_json(req->arena, v, time_now_ms()));
    /* the result in words, each condition plainly */
    result = json_object_get(json_object_get(o, "vote"), "result");
    if (json_is_object(result)) {
        json_t *lines = json_array(), *c;
        size_t i;

        json_array_foreach(json_object_get(result, "conditions"), i, c)
            json_array_append(lines, json_object_get(c, "text"));
        json_object_set_new(o, "summary", lines);
    }
    return response_json(res, status, o);
}

static Error *votes_handle_lift_get(Request *req, Response *res)
{
    VotesLift *l;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_lift(req, &l);
    if (err)
        return err;
    return lift_page(req, res, 200, l->id);
}

static Error *votes_handle_objection_add(Request *req, Response *res)
{
    static const char *const fields[] = { "text", "by_name", "household_id", NULL };
    VotesLift *l;
    const char *text = NULL, *by = NULL;
    int64_t hid = 0, id = 0;
    bool present, in = false;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_lift(req, &l);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "text", true, 2, TEXT_MAX, &text);
    if (err)
        return err;
    if (req->user->role == ROLE_RESIDENT) {
        if (json_object_get(body, "by_name") || json_object_get(body, "household_id"))
            return error_invalid(req->arena, json_object_get(body, "by_name") ? "by_name" : "household_id",
                                 "staff_only", "居民只能以本户名义提出异议，只需填写异议内容（text）");
        hid = req->user->household_id;
        by = req->user->display_name && *req->user->display_name ? req->user->display_name
                                                                  : req->user->username;
    } else {
        if (!votes_may_manage(req->user, l->community))
            return error_forbidden(req->arena, "只有本社区的工作人员或书记可以代录异议");
        err = request_field_string(req, body, "by_name", true, 1, 50, &by);
        if (!err)
            err = request_field_int(req, body, "household_id", false, 1, INT64_MAX, &hid, &present);
        if (err)
            return err;
    }
    if (hid)
        err = votes_store_household_in(req->store, req->arena, hid, l->building_id, l->unit, &in);
    if (err)
        return err;
    if (!in)
        return req->user->role == ROLE_RESIDENT
                   ? error_new(req->arena, 403, NULL, "out_of_scope",
                               "只有本单元的住户可以对加装电梯提出异议")
                   : error_invalid(req->arena, "household_id", "out_of_scope",
                                   "请写明提出异议的本单元住户（household_id）");
    if (l->final_at)
        return error_conflict(req->arena, NULL, "final", "结果已经确定，不能再提出异议");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_store_objection_insert(req->store, req->arena, l->id, hid, by, text, req->user->id,
                                       time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "lift.objection", "lift", l->id, l->community,
                           json_pack("{s:I}", "objection_id", (json_int_t)id));
    err = votes_finish(req, err);
    if (err)
        return err;
    return lift_page(req, res, 201, l->id);
}

static Error *votes_handle_objection_resolve(Request *req, Response *res)
{
    static const char *const fields[] = { "notes", NULL };
    VotesLift *l = NULL;
    const char *notes = NULL;
    int64_t id, lift_id = 0;
    bool resolved;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_store_objection(req->store, req->arena, id, &lift_id, &resolved);
    if (!err && lift_id)
        err = votes_store_lift_get(req->store, req->arena, lift_id, &l);
    if (err)
        return err;
    if (!l || !auth_covers(req->user, l->community))
        return error_not_found(req->arena, "id", "找不到该异议");
    if (!votes_may_manage(req->user, l->community))
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以协调处理异议");
    err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "notes", true, 2, TEXT_MAX, &notes);
    if (err)
        return err;
    if (resolved)
        return error_conflict(req->arena, NULL, "already_resolved", "该异议已经协调处理过");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_store_objection_resolve(req->store, req->arena, id, notes, req->user->id,
                                        time_now_ms());
    if (!err)
        err = audit_record(req, "lift.objection_resolved", "lift", l->id, l->community,
                           json_pack("{s:I}", "objection_id", (json_int_t)id));
    err = votes_finish(req, err);
    if (err)
        return err;
    return lift_page(req, res, 200, l->id);
}

static Error *votes_handle_lift_finalize(Request *req, Response *res)
{
    VotesLift *l;
    Vote *v = NULL;
    const char *state;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_lift(req, &l);
    if (!err && !votes_may_manage(req->user, l->community))
        err = error_forbidden(req->arena, "只有本社区的工作人员或书记可以确定结果");
    if (!err)
        err = votes_store_get(req->store, req->arena, l->vote_id, &v);
    if (err)
        return err;
    state = lift_state(l, v);
    if (strcmp(state, "voting") == 0)
        return error_conflict(req->arena, NULL, "not_closed", "表决尚未结束计票，结果还不能确定");
    if (strcmp(state, "notice") == 0)
        return error_conflict(req->arena, NULL, "notice_running",
                              arena_sprintf(req->arena, "公示期到 %s，公示期满后才能确定结果",
                                            l->notice_until));
    if (strcmp(state, "final") == 0)
        return error_conflict(req->arena, NULL, "final", "结果已经确定");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    /* an objection recorded meanwhile keeps it open: the UPDATE checks in the transaction */
    err = votes_store_lift_finalize(req->store, req->arena, l->id, req->user->id, time_now_ms());
    if (!err)
        err = audit_record(req, "lift.final", "lift", l->id, l->community, NULL);
    err = votes_finish(req, err);
    if (err)
        return err;
    return lift_page(req, res, 200, l->id);
}

void votes_lift_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/lift-settings/{city}", votes_handle_lift_settings_get, 0);
    router_add(r, "PUT", "/api/v1/lift-settings/{city}", votes_handle_lift_settings_put, 0);
    router_add(r, "POST", "/api/v1/lifts", votes_handle_lift_create, 0);
    router_add(r, "GET", "/api/v1/lifts/{id}", votes_handle_lift_get, 0);
    router_add(r, "POST", "/api/v1/lifts/{id}/objections", votes_handle_objection_add, 0);
    router_add(r, "POST", "/api/v1/lifts/{id}/finalize", votes_handle_lift_finalize, 0);
    router_add(r, "POST", "/api/v1/lift-objections/{id}/resolve", votes_handle_objection_resolve, 0);
}
