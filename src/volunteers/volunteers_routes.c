/*
 * Volunteers routes (/api/v1/volunteers…): registration (a resident
 * herself, or staff for her), the staff's list and a volunteer's page,
 * teams with their members and leads, and the posts (岗位) of activities
 * (/api/v1/activities/{id}/posts…). The hours ledger is in
 * volunteers_hours_routes.c, the certificate in volunteers_certificate.c.
 * validate -> authorize -> store, every write one transaction with its
 * audit entry; see volunteers.h for the design.
 */
#include <string.h>

#include "activities/activities_routes.h"
#include "activities/activities_store.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "volunteers/volunteers_routes.h"
#include "core/banned.h"

#define PAGE_MAX 200

Error *volunteers_me(Request *req, int64_t *ret_id)
{
    int64_t rid = 0;
    Error *err;

    *ret_id = 0;
    if (req->user->role != ROLE_RESIDENT)
        return NULL;
    err = activities_store_user_resident(req->store, req->arena, req->user->id, &rid);
    if (!err && rid)
        err = volunteers_store_by_resident(req->store, req->arena, rid, ret_id);
    return err;
}

Error *volunteers_load(Request *req, int idx, Volunteer **ret, bool *ret_staff)
{
    Volunteer *v = NULL;
    int64_t id, me = 0;
    bool lead = false;
    Error *err;

    err = request_param_id(req, idx, &id);
    if (!err)
        err = volunteers_store_get(req->store, req->arena, id, &v);
    if (!err && v)
        err = volunteers_me(req, &me);
    if (!err && v && me && me != v->id)
        err = volunteers_store_leads(req->store, req->arena, me, v->id, &lead);
    if (err)
        return err;
    if (!v || !auth_covers(req->user, v->community) ||
        (req->user->role == ROLE_RESIDENT && me != v->id && !lead) ||
        !(req->user->role & (ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN |
                             ROLE_ADMIN)))
        return error_not_found(req->arena, "id", "找不到这位志愿者");
    *ret = v;
    if (ret_staff)
        *ret_staff = auth_is_staff_of(req->user, v->community);
    return NULL;
}

/* Commits, or rolls back and passes @err on. */
static Error *finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

static Error *begin(Request *req)
{
    request_end_read(req);
    return store_begin(req->store, req->arena);
}

static Error *respond_volunteer(Request *req, Response *res, int status, int64_t id)
{
    json_t *o = NULL;
    Error *err = volunteers_store_json(req->store, req->arena, id, &o);

    if (err)
        return err;
    if (!o)
        return error_not_found(req->arena, "id", "找不到这位志愿者");
    return response_json(res, status, o);
}

static json_t *codes_json(const VolunteersCode *list)
{
    json_t *arr = json_array();

    for (; list->code; list++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "code", list->code, "label",
                                             list->label));
    return arr;
}

static Error *volunteers_handle_options(Request *req, Response *res)
{
    Error *err = auth_require(req, ROLES_ALL);

    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o, s:o}", "skills", codes_json(volunteers_skills),
                                             "availability", codes_json(volunteers_slots)));
}

/* ---- herself ---- */

static Error *volunteers_handle_me(Request *req, Response *res)
{
    json_t *v = NULL, *led = NULL;
    int64_t me = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = volunteers_me(req, &me);
    if (!err && me)
        err = volunteers_store_json(req->store, req->arena, me, &v);
    if (!err && me)
        err = volunteers_store_teams_led(req->store, req->arena, me, &led);
    if (err) {
        json_decref(v);
        return err;
    }
    return response_json(res, 200,
                         json_pack("{s:o, s:o}", "volunteer", v ? v : json_null(), "leads",
                                   led ? led : json_array()));
}

static Error *volunteers_handle_register_me(Request *req, Response *res)
{
    static const char *const fields[] = { "skills", "skills_other", "availability", NULL };
    ActivityResident *who = NULL;
    VolunteerInput in = { 0 };
    int64_t rid = 0, id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = volunteers_parse(req, body, false, &in);
    if (!err)
        err = activities_store_user_resident(req->store, req->arena, req->user->id, &rid);
    if (!err && rid)
        err = activities_store_resident(req->store, req->arena, rid, &who);
    if (err)
        return err;
    if (!who || !who->active)
        return error_forbidden(req->arena,
                               "您的账号还没有关联居民信息，请联系社区工作人员核实后再报名志愿者");
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_insert(req->store, req->arena, who->community, who->id, &in,
                                  req->user->id, time_now_ms(), &id);
    err = finish(req, err);
    if (err)
        return err;
    return respond_volunteer(req, res, 201, id);
}

static Error *volunteers_handle_update_me(Request *req, Response *res)
{
    static const char *const fields[] = { "skills", "skills_other", "availability", "status",
                                          NULL };
    VolunteerInput in = { 0 };
    int64_t me = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = volunteers_parse(req, body, true, &in);
    if (!err)
        err = volunteers_me(req, &me);
    if (err)
        return err;
    if (!me)
        return error_not_found(req->arena, NULL, "您还没有注册志愿者");
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_update(req->store, req->arena, me, &in, time_now_ms());
    err = finish(req, err);
    if (err)
        return err;
    return respond_volunteer(req, res, 200, me);
}

/* ---- staff ---- */

static Error *volunteers_handle_list(Request *req, Response *res)
{
    VolunteersFilter f = { 0 };
    const char *skill = request_query(req, "skill"), *q = request_query(req, "q"),
               *status = request_query(req, "status");
    int64_t page = 1, per_page = 50, total = 0;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &f.lo, &f.hi);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 50, 1, PAGE_MAX, &per_page);
    if (!err)
        err = request_query_int(req, "team", 0, 0, INT64_MAX, &f.team_id);
    if (!err && skill && *skill && !volunteers_code_label(volunteers_skills, skill))
        err = error_bad_request(req->arena, "skill", "invalid_query", "未知的技能代码");
    if (!err && status && *status && strcmp(status, "active") != 0 &&
        strcmp(status, "paused") != 0)
        err = error_bad_request(req->arena, "status", "invalid_query",
                                "“status”应为 active 或 paused");
    if (!err && q && (strlen(q) > 60 || !request_text_ok(q)))
        err = error_bad_request(req->arena, "q", "invalid_query", "搜索文字过长或含有不可用的字符");
    if (err)
        return err;
    f.skill = skill && *skill ? skill : NULL;
    f.q = q && *q ? q : NULL;
    f.status = status && *status ? status : NULL;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    err = volunteers_store_list(req->store, req->arena, &f, &items, &total);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

static Error *volunteers_handle_create(Request *req, Response *res)
{
    static const char *const fields[] = { "resident_id", "skills", "skills_other",
                                          "availability", "status", NULL };
    ActivityResident *who = NULL;
    VolunteerInput in = { 0 };
    int64_t rid = 0, id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "resident_id", true, 1, INT64_MAX, &rid, NULL);
    if (!err)
        err = volunteers_parse(req, body, true, &in);
    if (!err)
        err = activities_store_resident(req->store, req->arena, rid, &who);
    if (err)
        return err;
    if (!who || !who->active || !auth_covers(req->user, who->community))
        return error_invalid(req->arena, "resident_id", "unknown_resident", "找不到这位居民");
    if (!auth_is_staff_of(req->user, who->community))
        return error_forbidden(req->arena, "只有本社区工作人员可以登记志愿者");
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_insert(req->store, req->arena, who->community, who->id, &in,
                                  req->user->id, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "volunteer.create", "volunteer", id, who->community,
                           json_pack("{s:I}", "resident_id", (json_int_t)who->id));
    err = finish(req, err);
    if (err)
        return err;
    return respond_volunteer(req, res, 201, id);
}

static Error *volunteers_handle_get(Request *req, Response *res)
{
    Volunteer *v = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = volunteers_load(req, 0, &v, NULL);
    if (err)
        return err;
    return respond_volunteer(req, res, 200, v->id);
}

static Error *volunteers_handle_update(Request *req, Response *res)
{
    static const char *const fields[] = { "skills", "skills_other", "availability", "status",
                                          NULL };
    VolunteerInput in = { 0 };
    Volunteer *v = NULL;
    bool staff = false;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = volunteers_load(req, 0, &v, &staff);
    if (!err && !staff)
        err = error_forbidden(req->arena, "只有本社区工作人员可以修改志愿者信息");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = volunteers_parse(req, body, true, &in);
    if (err)
        return err;
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_update(req->store, req->arena, v->id, &in, time_now_ms());
    if (!err && in.status)
        err = audit_record(req, "volunteer.update", "volunteer", v->id, v->community,
                           json_pack("{s:s}", "status", in.status));
    err = finish(req, err);
    if (err)
        return err;
    return respond_volunteer(req, res, 200, v->id);
}

/* ---- teams ---- */

/* Team {id} (parameter 0) in the user's scope: its community; 403 unless @staff of it. */
static Error *load_team(Request *req, bool staff, int64_t *ret_id, const char **ret_community)
{
    const char *community = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = volunteers_store_team_community(req->store, req->arena, id, &community);
    if (err)
        return err;
    if (!community || !auth_covers(req->user, community))
        return error_not_found(req->arena, "id", "找不到这个志愿队");
    if (staff && !auth_is_staff_of(req->user, community))
        return error_forbidden(req->arena, "只有本社区工作人员可以管理志愿队");
    *ret_id = id;
    *ret_community = community;
    return NULL;
}

static Error *respond_team(Request *req, Response *res, int status, int64_t id)
{
    json_t *o = NULL;
    Error *err = volunteers_store_team_json(req->store, req->arena, id, &o);

    if (err)
        return err;
    if (!o)
        return error_not_found(req->arena, "id", "找不到这个志愿队");
    return response_json(res, status, o);
}

static Error *volunteers_handle_teams(Request *req, Response *res)
{
    const char *lo, *hi;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = volunteers_store_teams(req->store, req->arena, lo, hi, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

static Error *volunteers_handle_team_create(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "name", "description", NULL };
    const char *community = NULL, *name = NULL, *description = NULL;
    int64_t id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "community", true, 12, 12, &community);
    if (!err)
        err = request_field_string(req, body, "name", true, 1, 30, &name);
    if (!err)
        err = request_field_string(req, body, "description", false, 0, 500, &description);
    if (err)
        return err;
    if (!auth_is_staff_of(req->user, community))
        return error_forbidden(req->arena, "只有本社区工作人员可以建立志愿队");
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_team_insert(req->store, req->arena, community, name, description,
                                       time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "volunteer.team_create", "volunteer_team", id, community,
                           json_pack("{s:s}", "name", name));
    err = finish(req, err);
    if (err)
        return err;
    return respond_team(req, res, 201, id);
}

static Error *volunteers_handle_team_get(Request *req, Response *res)
{
    const char *community = NULL;
    int64_t id = 0, me = 0, lead = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_team(req, false, &id, &community);
    if (!err && req->user->role == ROLE_RESIDENT) {
        json_t *led = NULL;
        size_t i;
        json_t *t;

        err = volunteers_me(req, &me);
        if (!err && me)
            err = volunteers_store_teams_led(req->store, req->arena, me, &led);
        json_array_foreach(led, i, t) {
            if (json_integer_value(json_object_get(t, "id")) == id)
                lead = 1;
        }
        json_decref(led);
        if (!err && !lead)
            err = error_not_found(req->arena, "id", "找不到这个志愿队");
    }
    if (err)
        return err;
    return respond_team(req, res, 200, id);
}

static Error *volunteers_handle_team_update(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "description", NULL };
    const char *community = NULL, *name = NULL, *description = NULL;
    int64_t id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_team(req, true, &id, &community);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", false, 1, 30, &name);
    if (!err)
        err = request_field_string(req, body, "description", false, 0, 500, &description);
    if (err)
        return err;
    err = begin(req);
    if (!err) {
        err = volunteers_store_team_update(req->store, req->arena, id, name, description,
                                           time_now_ms());
        err = finish(req, err);
    }
    if (err)
        return err;
    return respond_team(req, res, 200, id);
}

static Error *volunteers_handle_member_set(Request *req, Response *res)
{
    static const char *const fields[] = { "lead", NULL };
    const char *community = NULL;
    Volunteer *v = NULL;
    int64_t id = 0;
    json_t *body, *lead;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_team(req, true, &id, &community);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = volunteers_load(req, 1, &v, NULL);
    if (err)
        return err;
    lead = json_object_get(body, "lead");
    if (lead && !json_is_boolean(lead) && !json_is_null(lead))
        return error_invalid(req->arena, "lead", "invalid_type", "“lead”应为 true 或 false");
    if (strcmp(v->community, community) != 0)
        return error_invalid(req->arena, "volunteer_id", "other_community",
                             "只能把本社区的志愿者加入志愿队");
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_member_set(req->store, req->arena, id, v->id, json_is_true(lead),
                                      time_now_ms());
    if (!err)
        err = audit_record(req, "volunteer.team_member", "volunteer_team", id, community,
                           json_pack("{s:I, s:b}", "volunteer_id", (json_int_t)v->id, "lead",
                                     json_is_true(lead)));
    err = finish(req, err);
    if (err)
        return err;
    return respond_team(req, res, 200, id);
}

static Error *volunteers_handle_member_remove(Request *req, Response *res)
{
    const char *community = NULL;
    int64_t id = 0, vid = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_team(req, true, &id, &community);
    if (!err)
        err = request_param_id(req, 1, &vid);
    if (err)
        return err;
    err = begin(req);
    if (err)
        return err;
    err = volunteers_store_member_remove(req->store, req->arena, id, vid);
    if (!err)
        err = audit_record(req, "volunteer.team_member_remove", "volunteer_team", id, community,
                           json_pack("{s:I}", "volunteer_id", (json_int_t)vid));
    err = finish(req, err);
    if (err)
        return err;
    return respond_team(req, res, 200, id);
}

/* ---- posts of an activity ---- */

/* The activity's keyed transaction (the posts' counters are its rows). */
static Error *begin_activity(Request *req, int64_t id)
{
    request_end_read(req);
    return store_begin_keyed(req->store, req->arena, STORE_LOCK_ACTIVITY, id);
}

/* The post {post_id} (parameter 1) of @act, 404 otherwise. */
static Error *load_post(Request *req, const Activity *act, VolunteerPost **ret)
{
    int64_t pid;
    Error *err = request_param_id(req, 1, &pid);

    if (!err)
        err = volunteers_store_post_get(req->store, req->arena, pid, ret);
    if (!err && (!*ret || (*ret)->activity_id != act->id))
        err = error_not_found(req->arena, "post_id", "找不到这个岗位");
    return err;
}

static Error *respond_posts(Request *req, Response *res, int status, const Activity *act)
{
    bool staff = auth_is_staff_of(req->user, act->community);
    json_t *posts = NULL;
    int64_t me = 0;
    Error *err;

    err = volunteers_me(req, &me);
    if (!err)
        err = volunteers_store_posts(req->store, req->arena, act->id, me, staff, &posts);
    if (err)
        return err;
    return response_json(res, status, json_pack("{s:I, s:o, s:b}", "activity_id",
                                                (json_int_t)act->id, "items", posts,
                                                "volunteer", me != 0));
}

static Error *volunteers_handle_posts(Request *req, Response *res)
{
    Activity *act = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_GRID_WORKER |
                                ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, false, &act);
    if (err)
        return err;
    return respond_posts(req, res, 200, act);
}

static Error *volunteers_handle_post_create(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "needed", NULL };
    const char *name = NULL;
    Activity *act = NULL;
    int64_t needed = 0, id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", true, 1, 30, &name);
    if (!err)
        err = request_field_int(req, body, "needed", true, 1, 1000, &needed, NULL);
    if (err)
        return err;
    if (act->cancelled)
        return error_conflict(req->arena, NULL, "cancelled", "活动已取消");
    err = begin_activity(req, act->id);
    if (err)
        return err;
    err = volunteers_store_post_insert(req->store, req->arena, act->id, name, needed,
                                       time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "activity.post_create", "activity", act->id, act->community,
                           json_pack("{s:I, s:s, s:I}", "post_id", (json_int_t)id, "name", name,
                                     "needed", (json_int_t)needed));
    err = finish(req, err);
    if (err)
        return err;
    return respond_posts(req, res, 201, act);
}

static Error *volunteers_handle_post_update(Request *req, Response *res)
{
    static const char *const fields[] = { "name", "needed", NULL };
    VolunteerPost *post = NULL;
    const char *name = NULL;
    Activity *act = NULL;
    int64_t needed = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = load_post(req, act, &post);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "name", false, 1, 30, &name);
    needed = post ? post->needed : 0;
    if (!err)
        err = request_field_int(req, body, "needed", false, 1, 1000, &needed, NULL);
    if (err)
        return err;
    err = begin_activity(req, act->id);
    if (err)
        return err;
    err = volunteers_store_post_update(req->store, req->arena, post->id, name, needed);
    err = finish(req, err);
    if (err)
        return err;
    return respond_posts(req, res, 200, act);
}

static Error *volunteers_handle_post_delete(Request *req, Response *res)
{
    VolunteerPost *post = NULL;
    Activity *act = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = load_post(req, act, &post);
    if (err)
        return err;
    err = begin_activity(req, act->id);
    if (err)
        return err;
    err = volunteers_store_post_delete(req->store, req->arena, post->id);
    err = finish(req, err);
    if (err)
        return err;
    return respond_posts(req, res, 200, act);
}

/*
 * POST …/posts/{post_id}/volunteers: a volunteer takes the post herself (no
 * body), or staff assign {"volunteer_id"}.
 */
static Error *volunteers_handle_post_take(Request *req, Response *res)
{
    static const char *const fields[] = { "volunteer_id", NULL };
    VolunteerPost *post = NULL;
    Activity *act = NULL;
    Volunteer *v = NULL;
    int64_t vid = 0;
    bool staff;
    json_t *body = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = load_post(req, act, &post);
    if (err)
        return err;
    staff = auth_is_staff_of(req->user, act->community);
    if (req->body_len || staff)
        err = request_json_fields(req, fields, &body);
    if (!err && staff)
        err = request_field_int(req, body, "volunteer_id", true, 1, INT64_MAX, &vid, NULL);
    else if (!err && body && json_object_get(body, "volunteer_id"))
        err = error_forbidden(req->arena, "只有本社区工作人员可以为他人安排岗位");
    else if (!err) {
        err = volunteers_me(req, &vid);
        if (!err && !vid)
            err = error_new(req->arena, 403, NULL, "not_volunteer",
                            "请先在志愿者中心注册成为志愿者，再报名岗位");
    }
    if (!err)
        err = volunteers_store_get(req->store, req->arena, vid, &v);
    if (err)
        return err;
    if (!v || strcmp(v->community, act->community) != 0)
        return error_invalid(req->arena, "volunteer_id", "unknown_volunteer",
                             "找不到本社区的这位志愿者");
    if (strcmp(v->status, "active") != 0)
        return error_conflict(req->arena, "volunteer_id", "paused",
                              arena_sprintf(req->arena, "%s 的志愿者状态为暂停，不能报名岗位",
                                            v->name));
    if (act->cancelled)
        return error_conflict(req->arena, NULL, "cancelled", "活动已取消");
    if (time_now_ms() >= act->end)
        return error_conflict(req->arena, NULL, "ended", "活动已结束");
    err = begin_activity(req, act->id);
    if (err)
        return err;
    err = volunteers_store_post_get(req->store, req->arena, post->id, &post);
    if (!err && !post)
        err = error_not_found(req->arena, "post_id", "找不到这个岗位");
    if (!err)
        err = volunteers_store_post_take(req->store, req->arena, post, v->id, req->user->id,
                                         time_now_ms());
    if (!err && staff)
        err = audit_record(req, "activity.post_assign", "activity", act->id, act->community,
                           json_pack("{s:I, s:I}", "post_id", (json_int_t)post->id,
                                     "volunteer_id", (json_int_t)v->id));
    err = finish(req, err);
    if (err)
        return err;
    return respond_posts(req, res, 201, act);
}

static Error *volunteers_handle_post_leave(Request *req, Response *res)
{
    VolunteerPost *post = NULL;
    Activity *act = NULL;
    int64_t vid = 0, me = 0;
    bool staff;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = load_post(req, act, &post);
    if (!err)
        err = request_param_id(req, 2, &vid);
    if (!err)
        err = volunteers_me(req, &me);
    if (err)
        return err;
    staff = auth_is_staff_of(req->user, act->community);
    if (!staff && vid != me)
        return error_forbidden(req->arena, "只能退出自己报名的岗位");
    err = begin_activity(req, act->id);
    if (err)
        return err;
    err = volunteers_store_post_get(req->store, req->arena, post->id, &post);
    if (!err && !post)
        err = error_not_found(req->arena, "post_id", "找不到这个岗位");
    if (!err)
        err = volunteers_store_post_leave(req->store, req->arena, post, vid);
    if (!err && staff && vid != me)
        err = audit_record(req, "activity.post_unassign", "activity", act->id, act->community,
                           json_pack("{s:I, s:I}", "post_id", (json_int_t)post->id,
                                     "volunteer_id", (json_int_t)vid));
    err = finish(req, err);
    if (err)
        return err;
    return respond_posts(req, res, 200, act);
}

static Error *volunteers_handle_open_posts(Request *req, Response *res)
{
    json_t *items = NULL;
    int64_t me = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = volunteers_me(req, &me);
    if (!err)
        err = volunteers_store_open_posts(req->store, req->arena, req->user->scope, me,
                                          time_now_ms(), &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

void volunteers_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/volunteers/options", volunteers_handle_options, 0);
    router_add(r, "GET", "/api/v1/volunteers/me", volunteers_handle_me, 0);
    router_add(r, "POST", "/api/v1/volunteers/me", volunteers_handle_register_me, 0);
    router_add(r, "PUT", "/api/v1/volunteers/me", volunteers_handle_update_me, 0);
    router_add(r, "GET", "/api/v1/volunteers/posts", volunteers_handle_open_posts, 0);
    router_add(r, "GET", "/api/v1/volunteers/teams", volunteers_handle_teams, 0);
    router_add(r, "POST", "/api/v1/volunteers/teams", volunteers_handle_team_create, 0);
    router_add(r, "GET", "/api/v1/volunteers/teams/{id}", volunteers_handle_team_get, 0);
    router_add(r, "PUT", "/api/v1/volunteers/teams/{id}", volunteers_handle_team_update, 0);
    router_add(r, "PUT", "/api/v1/volunteers/teams/{id}/members/{volunteer_id}",
               volunteers_handle_member_set, 0);
    router_add(r, "DELETE", "/api/v1/volunteers/teams/{id}/members/{volunteer_id}",
               volunteers_handle_member_remove, 0);
    volunteers_hours_routes_register(r);
    volunteers_certificate_routes_register(r);
    router_add(r, "GET", "/api/v1/volunteers", volunteers_handle_list, 0);
    router_add(r, "POST", "/api/v1/volunteers", volunteers_handle_create, 0);
    router_add(r, "GET", "/api/v1/volunteers/{id}", volunteers_handle_get, 0);
    router_add(r, "PUT", "/api/v1/volunteers/{id}", volunteers_handle_update, 0);
    router_add(r, "GET", "/api/v1/activities/{id}/posts", volunteers_handle_posts, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/posts", volunteers_handle_post_create, 0);
    router_add(r, "PUT", "/api/v1/activities/{id}/posts/{post_id}", volunteers_handle_post_update,
               0);
    router_add(r, "DELETE", "/api/v1/activities/{id}/posts/{post_id}",
               volunteers_handle_post_delete, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/posts/{post_id}/volunteers",
               volunteers_handle_post_take, 0);
    router_add(r, "DELETE", "/api/v1/activities/{id}/posts/{post_id}/volunteers/{volunteer_id}",
               volunteers_handle_post_leave, 0);
}
