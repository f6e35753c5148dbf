/*
 * Case routes: report, list, read, and one route per workflow step.
 * validate -> authorize -> store; every write is one BEGIN IMMEDIATE
 * transaction with its audit entry.
 *
 * Who sees a case: its reporter; the community's workers (grid workers,
 * staff, secretary), its street admin and admins; a property/department
 * user when the case is dispatched to her unit. Anyone else gets 404.
 * Every request first flags overdue cases (cases_sweep), as booking
 * releases no-shows, so that nobody sees a case's state before a sweep;
 * `linli serve` also sweeps in the background (cases_sweeper.c), so that a
 * case escalates on time when nobody opens the cases pages. The same sweep
 * deletes orphan photos.
 */
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

Error *cases_sweep(Request *req, int64_t now_ms)
{
    bool due = false;
    Error *err;

    err = cases_store_sweep_due(req->store, req->arena, now_ms, &due);
    if (err)
        return err;
    if (due) {
        request_end_read(req);
        err = cases_sweep_overdue(req->store, req->arena, now_ms, NULL);
        if (err)
            return err;
    }
    return cases_photo_sweep(req, now_ms);
}

/* What the user is to case @c (ACTOR_* bits); 0: she may not see it. */
static unsigned actor_bits(const Request *req, const Case *c, int64_t user_unit)
{
    const User *u = req->user;
    unsigned bits = 0;
    bool own = strcmp(u->scope, c->community) == 0;

    if (c->reporter_id && c->reporter_id == u->id)
        bits |= ACTOR_REPORTER;
    switch (u->role) {
    case ROLE_ADMIN:
        bits |= ACTOR_MANAGER | ACTOR_SECRETARY;
        break;
    case ROLE_STREET_ADMIN:
        if (auth_covers(u, c->community))
            bits |= ACTOR_MANAGER | ACTOR_SECRETARY;
        break;
    case ROLE_SECRETARY:
        if (own)
            bits |= ACTOR_MANAGER | ACTOR_SECRETARY;
        break;
    case ROLE_STAFF:
        if (own)
            bits |= ACTOR_MANAGER;
        break;
    case ROLE_GRID_WORKER:
        if (own)
            bits |= ACTOR_GRID;
        break;
    case ROLE_PROPERTY:
        if (user_unit && user_unit == c->unit_id)
            bits |= ACTOR_UNIT;
        break;
    default:
        break;
    }
    return bits;
}

bool cases_visible(Request *req, const Case *c, int64_t user_unit)
{
    return actor_bits(req, c, user_unit) != 0;
}

/* The steps the user may take on @c now, as bits of CaseAction. */
static unsigned allowed_actions(const Case *c, unsigned bits)
{
    unsigned out = 0;

    for (int i = 0; i < _CASE_ACTION_MAX; i++) {
        const CaseTransition *t = case_transition((CaseAction)i);

        if (!(t->actors & bits) || !case_transition_allowed(t, c->state))
            continue;
        if (t->action == CASE_DISPATCH && c->state == CASE_REOPENED && !(bits & ACTOR_SECRETARY))
            continue;
        if (t->action == CASE_RATE && !c->rateable)
            continue;
        out |= 1u << i;
    }
    return out;
}

/* Contact details: managers, and the unit when the reporter agreed to be contacted. */
static bool shows_contact(const Case *c, unsigned bits)
{
    return (bits & (ACTOR_MANAGER | ACTOR_REPORTER)) || ((bits & ACTOR_UNIT) && c->contact_ok);
}

/*
 * Case @c as the user may see it: a reporter who has no other part in it
 * sees only the steps that concern her (cases_json_for_reporter); she may
 * add information and urge while it is open.
 */
json_t *cases_out(Request *req, const Case *c, bool full, unsigned bits)
{
    json_t *o = cases_json(req->arena, c, full, shows_contact(c, bits), allowed_actions(c, bits));

    if (full)
        json_object_set_new(o, "progress", cases_progress_json(req->arena, c));
    if ((bits & ACTOR_REPORTER) && c->state != CASE_CLOSED) {
        json_array_append_new(json_object_get(o, "actions"), json_string("supplement"));
        json_array_append_new(json_object_get(o, "actions"), json_string("urge"));
    }
    if (!(bits & (ACTOR_MANAGER | ACTOR_GRID | ACTOR_UNIT)))
        cases_json_for_reporter(req->arena, o, c);
    return o;
}

static Error *user_unit(Request *req, int64_t *ret)
{
    *ret = 0;
    if (req->user->role != ROLE_PROPERTY)
        return NULL;
    return cases_store_user_unit(req->store, req->arena, req->user->id, ret);
}

Error *cases_visible_case(Request *req, bool full, Case **ret, unsigned *ret_bits)
{
    int64_t id, unit = 0;
    Case *c = NULL;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = cases_sweep(req, time_now_ms());
    if (!err)
        err = user_unit(req, &unit);
    if (!err)
        err = cases_store_get(req->store, req->arena, id, full, &c);
    if (err)
        return err;
    if (!c || !actor_bits(req, c, unit))
        return error_not_found(req->arena, "id", "找不到该案件");
    *ret = c;
    *ret_bits = actor_bits(req, c, unit);
    return NULL;
}

static Error *load_calendar(Store *st, Arena *a, int64_t from_ms, int span_days, Calendar *ret)
{
    int64_t day;
    int minute;

    time_local(from_ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    return cases_store_calendar(st, a, day, day + span_days, ret, NULL);
}

Error *cases_deadlines(Store *st, Arena *a, Case *c, const CaseCategory *cat)
{
    Calendar cal;
    int span = (cat->resolve_days > cat->respond_hours / 8 + 1 ? cat->resolve_days
                                                               : cat->respond_hours / 8 + 1);
    Error *err;

    err = load_calendar(st, a, c->created_at, span * 2 + 60, &cal);
    if (err)
        return err;
    c->respond_due = calendar_add_work_hours(&cal, c->created_at, cat->respond_hours);
    c->resolve_due = calendar_add_work_days(&cal, c->created_at, cat->resolve_days);
    return NULL;
}

/* Where the case is: its community, building (in that community) or point (inside its area). */
static bool covers(const Request *req, const char *key_community, const char *code)
{
    return key_community ? strcmp(key_community, code) == 0 : auth_covers(req->user, code);
}

static Error *locate(Request *req, const CaseInput *in, const char *key_community, Case *c)
{
    const char *community = NULL, *name = NULL;
    int64_t grid = 0, units = 0;
    Error *err;

    if (in->building_id) {
        err = cases_store_building(req->store, req->arena, in->building_id, &community, &grid,
                                   &name, &units);
        if (err)
            return err;
        if (!community || (in->community && strcmp(in->community, community) != 0) ||
            !covers(req, key_community, community))
            return error_invalid(req->arena, "building_id", "unknown_building",
                                 "找不到该楼栋，或它不属于您所在的社区");
        if (in->unit_no > units)
            return error_invalid(req->arena, "unit", "unknown_unit_no",
                                 arena_sprintf(req->arena, "该楼栋只有 %lld 个单元", (long long)units));
        c->community = community;
        c->building_id = in->building_id;
        c->building_name = name;
        c->grid_id = grid;
        c->unit_no = in->unit_no;
        return NULL;
    }
    community = in->community ? in->community : key_community;
    if (!community && req->user && strlen(req->user->scope) == 12)
        community = req->user->scope;
    if (!community)
        return error_invalid(req->arena, "community", "missing_community",
                             "地图选点上报请用 community 指定社区");
    if (!covers(req, key_community, community))
        return error_invalid(req->arena, "community", "unknown_community",
                             "找不到该社区，或它不在您的管辖范围内");
    c->community = community;
    c->has_point = true;
    c->lat = in->lat;
    c->lon = in->lon;
    {
        CaseSettings s;

        err = cases_store_settings(req->store, req->arena, community, &s);
        if (err)
            return err;
        if (in->provisional_point)
            return NULL;             /* Open311 free text: staff place it (cases/{id}/place) */
        if (!s.has_area)
            return error_invalid(req->arena, "lat", "no_area",
                                 "本社区尚未设置地图范围，请改为选择楼栋");
        if (!case_point_inside(&s, in->lat, in->lon))
            return error_invalid(req->arena, "lat", "point_outside",
                                 "该位置不在本社区范围内，请确认地点或选择楼栋");
    }
    return NULL;
}

/* Who reports: the user herself, or (staff logging a call) a resident or a named caller. */
static Error *reporter(Request *req, const CaseInput *in, Case *c)
{
    bool staff = req->user->role == ROLE_STAFF || req->user->role == ROLE_SECRETARY ||
                 req->user->role == ROLE_ADMIN || req->user->role == ROLE_STREET_ADMIN;

    c->source = in->source;
    c->contact_ok = in->contact_ok;
    c->contact_name = in->contact_name;
    if (strcmp(in->source, "app") != 0 || in->reporter_id || in->contact_name || in->contact_phone) {
        if (!staff)
            return error_forbidden(req->arena, "只有社区工作人员可以代为登记电话或当面反映的问题");
        if (strcmp(in->source, "app") == 0)
            return error_invalid(req->arena, "source", "missing_source",
                                 "代为登记时请注明来源：phone（电话）或 in_person（当面）");
        c->logged_by = req->user->id;
        if (in->reporter_id) {
            bool ok = false;
            Error *err = cases_store_is_resident(req->store, req->arena, in->reporter_id,
                                                 c->community, &ok);

            if (err)
                return err;
            if (!ok)
                return error_invalid(req->arena, "reporter_id", "unknown_reporter",
                                     "找不到该居民账号，或其不属于本社区");
            c->reporter_id = in->reporter_id;
        }
        return NULL;
    }
    c->reporter_id = req->user->id;
    return NULL;
}

Error *cases_create_in_tx(Request *req, const CaseInput *in, int64_t api_key_id,
                          const char *key_community, const char *token, Case *c)
{
    CaseCategory *cat = NULL;
    int64_t now = time_now_ms();
    Error *err;

    err = locate(req, in, api_key_id ? key_community : NULL, c);
    if (!err && !api_key_id)
        err = reporter(req, in, c);
    if (!err && api_key_id) {
        c->source = "open311";
        c->open311_token = token;
        c->contact_name = in->contact_name;
    }
    if (!err)
        err = cases_store_category_find(req->store, req->arena, c->community, in->category, &cat);
    if (!err && (!cat || !cat->active))
        err = error_invalid(req->arena, api_key_id ? "service_code" : "category",
                            "unknown_category", "找不到该问题类别，请从本社区的类别中选择");
    if (!err) {
        c->category_id = cat->id;
        c->category_code = cat->code;
        c->category_name = cat->name;
        c->description = in->description;
        c->address = in->address;
        c->created_at = now;
        err = cases_deadlines(req->store, req->arena, c, cat);
    }
    if (!err)
        err = cases_store_route_match(req->store, req->arena, c->community, c->category_id,
                                      c->grid_id, &c->unit_id);
    if (!err)
        err = cases_store_insert(req->store, req->arena, c, in->photos, in->n_photos,
                                 req->user ? req->user->id : 0, in->contact_phone, req->app->keys,
                                 req->user ? req->user->id : 0,
                                 req->user ? req->user->display_name : "Open311", now);
    if (!err && in->open311)
        err = cases_open311_insert(req->store, req->arena, c->id, in->open311, req->app->keys, now);
    if (!err && req->user)
        err = audit_record(req, "case.create", "case", c->id, c->community, NULL);
    if (!err && !req->user)
        err = audit_record_system(req->store, req->arena, "open311", "case.create", "case", c->id,
                                  c->community, json_pack("{s:I}", "api_key", (json_int_t)api_key_id));
    return err;
}

Error *cases_create(Request *req, const CaseInput *in, int64_t api_key_id,
                    const char *key_community, const char *token, Case **ret)
{
    Case *c = arena_zalloc(req->arena, sizeof(Case));
    CaseSettings settings;
    Error *err;

    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_create_in_tx(req, in, api_key_id, key_community, token, c);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = cases_store_get(req->store, req->arena, c->id, true, ret);
    if (!err && *ret) {
        err = cases_store_settings(req->store, req->arena, c->community, &settings);
        if (!err)
            err = cases_store_duplicates(req->store, req->arena, *ret,
                                         (int64_t)settings.dup_window_hours * 3600000,
                                         &(*ret)->duplicates, &(*ret)->n_duplicates);
    }
    return err;
}

static Error *cases_handle_create(Request *req, Response *res)
{
    CaseInput in;
    Case *c = NULL;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_CASES_REPORT | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = cases_parse_case(req, body, &in);
    if (err)
        return err;
    err = cases_create(req, &in, 0, NULL, NULL, &c);
    if (err)
        return err;
    if (!c)
        return error_internal(req->arena, "case vanished after insert");
    {
        unsigned bits = actor_bits(req, c, 0);

        return response_json(res, 201, cases_out(req, c, true, bits));
    }
}

static Error *query_state(Request *req, int *ret)
{
    const char *s = request_query(req, "state");
    CaseState state;

    *ret = -1;
    if (!s || !*s)
        return NULL;
    if (strcmp(s, "open") == 0) {
        *ret = -2;
        return NULL;
    }
    if (!case_state_parse(s, &state))
        return error_bad_request(req->arena, "state", "invalid_query",
                                 "参数“state”应为 open、accepted、dispatched、handling、verified、closed、returned、on_hold 或 reopened");
    *ret = (int)state;
    return NULL;
}

/* ?community= (a community or street in the scope) or the user's whole scope. */
static Error *list_scope(Request *req, const char **ret_lo, const char **ret_hi)
{
    const char *q = request_query(req, "community");

    if (q && *q) {
        size_t n = strlen(q);

        for (size_t i = 0; i < n; i++)
            if (q[i] < '0' || q[i] > '9')
                n = 0;
        if (n != 9 && n != 12)
            return error_bad_request(req->arena, "community", "invalid_query",
                                     "参数“community”应为 12 位社区代码或 9 位街道代码");
        if (!auth_covers(req->user, q))
            return error_not_found(req->arena, "community", "找不到该社区，或它不在您的管辖范围内");
        auth_scope_bounds(req->arena, q, ret_lo, ret_hi);
        return NULL;
    }
    auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope, ret_lo,
                      ret_hi);
    return NULL;
}

static Error *cases_handle_list(Request *req, Response *res)
{
    CaseFilter f = { .state = -1, .overdue = -1 };
    int64_t page, per_page, total = 0, unit = 0;
    const char *category = request_query(req, "category"), *unit_q = request_query(req, "unit");
    int mine = -1;
    Case **items;
    size_t n;
    json_t *arr;
    Error *err;

    err = auth_require(req, ROLES_CASES_READ);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, 200, &per_page);
    if (!err)
        err = query_state(req, &f.state);
    if (!err)
        err = request_query_flag(req, "overdue", &f.overdue);
    if (!err)
        err = request_query_flag(req, "mine", &mine);
    if (!err) {
        const char *grid = request_query(req, "grid");

        if (grid && strcmp(grid, "mine") == 0)
            f.grid_user_id = req->user->id; /* a grid worker's own grids (her work queue's link) */
        else
            err = request_query_int(req, "grid", 0, 0, INT64_MAX, &f.grid_id);
    }
    if (!err)
        err = request_query_int(req, "building", 0, 0, INT64_MAX, &f.building_id);
    if (err)
        return err;
    if (category && *category) {
        f.codes = &category;
        f.n_codes = 1;
    }
    if (unit_q && *unit_q) {
        if (strcmp(unit_q, "community") == 0) {
            f.unit_id = -1;
        } else {
            err = request_query_int(req, "unit", 0, 1, INT64_MAX, &f.unit_id);
            if (err)
                return err;
        }
    }
    err = cases_sweep(req, time_now_ms());
    if (!err)
        err = user_unit(req, &unit);
    if (err)
        return err;
    if (mine == 1 || req->user->role == ROLE_RESIDENT || req->user->role == ROLE_REPORTER) {
        f.reporter_id = req->user->id;
    } else if (req->user->role == ROLE_PROPERTY) {
        /* a property or department user sees her unit's inbox and nothing else */
        f.unit_id = unit ? unit : INT64_MAX;
        auth_scope_bounds(req->arena, req->user->scope, &f.lo, &f.hi);
    } else {
        err = list_scope(req, &f.lo, &f.hi);
        if (err)
            return err;
    }
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    err = cases_store_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        unsigned bits = actor_bits(req, items[i], unit);

        json_array_append_new(arr, cases_out(req, items[i], false, bits));
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

/* A case for its reader, with what an Open311 client sent beside it. */
static Error *case_answer(Request *req, Response *res, const Case *c, unsigned bits)
{
    json_t *j = cases_out(req, c, true, bits);
    CaseOpen311 *x = NULL;
    Error *err = cases_open311_get(req->store, req->arena, c->id, &x);

    if (err) {
        json_decref(j);
        return err;
    }
    json_object_set_new(j, "open311", x ? cases_open311_json(x, shows_contact(c, bits)) : json_null());
    return response_json(res, 200, j);
}

static Error *cases_handle_get(Request *req, Response *res)
{
    Case *c;
    CaseSettings s;
    unsigned bits;
    Error *err;

    err = auth_require(req, ROLES_CASES_READ);
    if (!err)
        err = cases_visible_case(req, true, &c, &bits);
    if (err)
        return err;
    if (bits & (ACTOR_MANAGER | ACTOR_GRID)) {
        err = cases_store_settings(req->store, req->arena, c->community, &s);
        if (!err)
            err = cases_store_duplicates(req->store, req->arena, c,
                                         (int64_t)s.dup_window_hours * 3600000, &c->duplicates,
                                         &c->n_duplicates);
        if (err)
            return err;
    }
    return case_answer(req, res, c, bits);
}

/*
 * POST /api/v1/cases/{id}/place {"building_id", "unit"?} or {"lat", "lon"}:
 * staff (a manager of the case) place a case that an Open311 client sent
 * with a free-text address only (open311.to_place). Once only: 409 after.
 */
static Error *cases_handle_place(Request *req, Response *res)
{
    static const char *const allowed[] = { "building_id", "unit", "lat", "lon", NULL };
    Case *c = NULL;
    CaseOpen311 *x = NULL;
    json_t *body;
    unsigned bits = 0;
    int64_t building = 0, unit = 0, grid = 0, units = 0;
    double lat = 0, lon = 0;
    bool has_b = false, has_u = false, has_lat = false, has_lon = false, done = false;
    const char *community = NULL, *name = NULL;
    Error *err;

    err = auth_require(req, ROLES_CASES_MANAGE);
    if (!err)
        err = request_json_fields(req, allowed, &body);
    if (!err)
        err = cases_visible_case(req, false, &c, &bits);
    if (!err && !(bits & ACTOR_MANAGER))
        err = error_forbidden(req->arena, "只有本社区的工作人员可以为案件定位");
    if (!err)
        err = cases_open311_get(req->store, req->arena, c->id, &x);
    if (!err && (!x || !x->to_place))
        err = error_new(req->arena, 409, NULL, "already_placed", "该案件已有位置，无需再定位");
    if (!err)
        err = request_field_int(req, body, "building_id", false, 1, INT64_MAX, &building, &has_b);
    if (!err)
        err = request_field_int(req, body, "unit", false, 1, 50, &unit, &has_u);
    if (!err)
        err = request_field_number(req, body, "lat", false, -90, 90, &lat, &has_lat);
    if (!err)
        err = request_field_number(req, body, "lon", false, -180, 180, &lon, &has_lon);
    if (err)
        return err;
    if (has_b) {
        err = cases_store_building(req->store, req->arena, building, &community, &grid, &name, &units);
        if (err)
            return err;
        if (!community || strcmp(community, c->community) != 0)
            return error_invalid(req->arena, "building_id", "unknown_building", "找不到该楼栋，或它不属于本案件所在的社区");
        if (has_u && unit > units)
            return error_invalid(req->arena, "unit", "unknown_unit_no",
                                 arena_sprintf(req->arena, "该楼栋只有 %lld 个单元", (long long)units));
    } else if (has_lat && has_lon) {
        CaseSettings set;

        err = cases_store_settings(req->store, req->arena, c->community, &set);
        if (err)
            return err;
        if (!set.has_area)
            return error_invalid(req->arena, "lat", "no_area", "本社区尚未设置地图范围，请改为选择楼栋");
        if (!case_point_inside(&set, lat, lon))
            return error_invalid(req->arena, "lat", "point_outside", "该位置不在本社区范围内，请确认地点或选择楼栋");
    } else {
        return error_invalid(req->arena, "building_id", "missing_location", "请选择楼栋（building_id），或提供 lat 和 lon");
    }
    err = store_begin(req->store, req->arena);
    if (!err)
        err = cases_open311_place(req->store, req->arena, c->id, building, grid, has_u ? unit : 0,
                                  lat, lon, req->user->id, time_now_ms(), &done);
    if (!err && !done)
        err = error_new(req->arena, 409, NULL, "already_placed", "该案件已有位置，无需再定位");
    if (!err)
        err = audit_record(req, "case.place", "case", c->id, c->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = cases_visible_case(req, true, &c, &bits);
    if (err)
        return err;
    return case_answer(req, res, c, bits);
}

/* ---- steps ---- */

static const char *const step_fields[_CASE_ACTION_MAX][4] = {
    [CASE_DISPATCH] = { "unit", "reason", NULL },
    [CASE_HANDLE] = { "reason", NULL },
    [CASE_VERIFY] = { "note", "photos", "reason", NULL },
    [CASE_CLOSE] = { "note", "reason", NULL },
    [CASE_COMPLETE] = { "reply", "photos", NULL },
    [CASE_RETURN] = { "reason", NULL },
    [CASE_HOLD] = { "reason", NULL },
    [CASE_RESUME] = { "reason", NULL },
    [CASE_MERGE] = { "into", "reason", NULL },
    [CASE_RATE] = { "rating", "comment", NULL },
};

/* 核查 and 结案 carry a note ("note"; "reason" as before, not both); 核查 photos on the spot. */
static Error *parse_note(Request *req, json_t *body, CaseStepInput *in, int64_t *photos)
{
    Error *err;

    if (json_object_get(body, "note") && json_object_get(body, "reason"))
        return error_invalid(req->arena, "note", "ambiguous_note", "请只用 note 填写说明");
    err = request_field_string(req, body, json_object_get(body, "note") ? "note" : "reason",
                               false, 1, CASES_REPLY_MAX, &in->reason);
    if (!err && in->t->action == CASE_VERIFY) {
        err = cases_parse_photo_ids(req, body, photos, &in->n_photos);
        in->photos = photos;
    }
    return err;
}

/* 处置完成: a reply to the reporter, and photos after the work where the category asks. */
static Error *parse_complete(Request *req, json_t *body, const Case *c, CaseStepInput *in,
                             int64_t *photos)
{
    Error *err;

    err = request_field_string(req, body, "reply", true, 2, CASES_REPLY_MAX, &in->reason);
    if (!err)
        err = cases_parse_photo_ids(req, body, photos, &in->n_photos);
    if (err)
        return err;
    in->photos = photos;
    if (c->after_photos_required && in->n_photos == 0)
        return error_invalid(req->arena, "photos", "photos_required",
                             arena_sprintf(req->arena, "“%s”类问题处置完成时须上传处置后的照片",
                                           c->category_name));
    return NULL;
}

static Error *parse_step(Request *req, const CaseTransition *t, const Case *c, CaseStepInput *in,
                         int64_t *photos)
{
    bool reason_required = t->action == CASE_RETURN || t->action == CASE_HOLD;
    bool body_required = reason_required || t->action == CASE_DISPATCH ||
                         t->action == CASE_MERGE || t->action == CASE_RATE ||
                         t->action == CASE_COMPLETE;
    json_t *body;
    Error *err;

    if (!body_required && req->body_len == 0)
        return NULL;
    err = request_json_fields(req, step_fields[t->action], &body);
    if (err)
        return err;
    switch (t->action) {
    case CASE_DISPATCH:
        err = request_field_int(req, body, "unit", true, 1, INT64_MAX, &in->unit_id, NULL);
        break;
    case CASE_MERGE:
        err = request_field_int(req, body, "into", true, 1, INT64_MAX, &in->merged_into, NULL);
        break;
    case CASE_RATE:
        err = request_field_string(req, body, "rating", true, 1, 30, &in->rating);
        if (!err && !case_rating_valid(in->rating))
            err = error_invalid(req->arena, "rating", "invalid_rating",
                                "评价应为 satisfied（满意）、basically_satisfied（基本满意）或 unsatisfied（不满意）");
        if (!err)
            err = request_field_string(req, body, "comment", false, 0, 500, &in->reason);
        return err;
    case CASE_VERIFY:
    case CASE_CLOSE:
        return parse_note(req, body, in, photos);
    case CASE_COMPLETE:
        return parse_complete(req, body, c, in, photos);
    default:
        break;
    }
    if (!err)
        err = request_field_string(req, body, "reason", reason_required, 1, 200, &in->reason);
    return err;
}

static Error *take_step(Request *req, Response *res, CaseAction action)
{
    const CaseTransition *t = case_transition(action);
    CaseStepInput in = { .t = t };
    int64_t photos[CASES_MAX_PHOTOS];
    CaseState to;
    Case *c, *after = NULL;
    unsigned bits;
    int64_t unit = 0;
    Error *err;

    err = auth_require(req, ROLES_CASES_READ);
    if (!err)
        err = cases_visible_case(req, false, &c, &bits);
    if (err)
        return err;
    if (!(t->actors & bits)) {
        if (action == CASE_RATE)
            return error_forbidden(req->arena, "只能评价自己上报的案件");
        return error_forbidden(req->arena,
                               arena_sprintf(req->arena, "您无权对该案件执行“%s”", t->label));
    }
    if (action == CASE_DISPATCH && c->state == CASE_REOPENED && !(bits & ACTOR_SECRETARY))
        return error_forbidden(req->arena, "评价不满意而重启的案件由社区书记派遣");
    err = parse_step(req, t, c, &in, photos);
    if (err)
        return err;
    in.actor_id = req->user->id;
    in.actor_name = req->user->display_name;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_step(req->store, req->arena, c->id, &in, time_now_ms(), &to);
    if (!err)
        err = audit_record(req, arena_sprintf(req->arena, "case.%s", t->name), "case", c->id,
                           c->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = user_unit(req, &unit);
    if (!err)
        err = cases_store_get(req->store, req->arena, c->id, true, &after);
    if (err)
        return err;
    bits = actor_bits(req, after, unit);
    return response_json(res, 200, cases_out(req, after, true, bits));
}

#define STEP_HANDLER(name, action)                                 \
    static Error *cases_handle_##name(Request *req, Response *res) \
    {                                                              \
        return take_step(req, res, action);                        \
    }

STEP_HANDLER(dispatch, CASE_DISPATCH)
STEP_HANDLER(handle, CASE_HANDLE)
STEP_HANDLER(verify, CASE_VERIFY)
STEP_HANDLER(close, CASE_CLOSE)
STEP_HANDLER(return, CASE_RETURN)
STEP_HANDLER(hold, CASE_HOLD)
STEP_HANDLER(resume, CASE_RESUME)
STEP_HANDLER(merge, CASE_MERGE)
STEP_HANDLER(rate, CASE_RATE)
STEP_HANDLER(complete, CASE_COMPLETE)

void cases_routes_register(Router *r)
{
    cases_admin_routes_register(r);  /* before /cases/{id}: it holds /cases/stats, /cases/export */
    cases_followup_routes_register(r);  /* /cases/nearby */
    cases_photo_routes_register(r);
    router_add(r, "GET", "/api/v1/cases", cases_handle_list, 0);
    router_add(r, "POST", "/api/v1/cases", cases_handle_create, 0);
    router_add(r, "GET", "/api/v1/cases/{id}", cases_handle_get, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/place", cases_handle_place, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/dispatch", cases_handle_dispatch, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/handle", cases_handle_handle, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/verify", cases_handle_verify, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/close", cases_handle_close, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/return", cases_handle_return, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/hold", cases_handle_hold, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/resume", cases_handle_resume, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/merge", cases_handle_merge, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/rate", cases_handle_rate, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/complete", cases_handle_complete, 0);
    cases_open311_routes_register(r);
}
