/*
 * Activities routes (/api/v1/activities…): publishing, the list, editing,
 * cancelling, the QR poster of a session, the no-show policy and the staff's
 * figures (sign-ups, attendance and ratings are in
 * activities_signup_routes.c). validate -> authorize -> store, every write
 * one transaction with its audit entry; see activities.h for the design.
 *
 * Who: a community's staff and secretary (and admins) publish and manage
 * its activities; the street's admins read them and their figures; every
 * resident of the community sees them and signs up.
 */
#include <stdlib.h>
#include <string.h>

#include "activities/activities_routes.h"
#include "audit/audit.h"
#include "booking/booking.h"
#include "core/qrpng.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "notice/notice.h"
#include "core/banned.h"

#define PAGE_MAX 200
#define DAY_MS (24LL * 3600 * 1000)

Error *activities_load(Request *req, bool staff, Activity **ret)
{
    Activity *act = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = activities_store_get(req->store, req->arena, id, &act);
    if (err)
        return err;
    if (!act || req->user->role == ROLE_PROPERTY || !auth_covers(req->user, act->community))
        return error_not_found(req->arena, "id", "找不到该活动");
    if (staff && !auth_is_staff_of(req->user, act->community))
        return error_forbidden(req->arena, "只有本社区工作人员可以管理这个活动");
    *ret = act;
    return NULL;
}

Error *activities_begin(Request *req, int64_t id, Activity **ret)
{
    Error *err;

    request_end_read(req);
    err = store_begin_keyed(req->store, req->arena, STORE_LOCK_ACTIVITY, id);
    if (err)
        return err;
    err = activities_store_get(req->store, req->arena, id, ret);
    if (!err && !*ret)
        err = error_not_found(req->arena, "id", "找不到该活动");
    if (err)
        store_rollback(req->store);
    return err;
}

Error *activities_finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

/* Activity @id as JSON with @status; the staff see the sessions' tokens. */
static Error *respond_activity(Request *req, Response *res, int status, int64_t id, bool staff)
{
    json_t *o = NULL;
    Error *err = activities_store_json(req->store, req->arena, id, staff, time_now_ms(), &o);

    if (err)
        return err;
    if (!o)
        return error_not_found(req->arena, "id", "找不到该活动");
    return response_json(res, status, o);
}

/*
 * Books function room @room for every session of activity @id (held: the
 * sweep leaves them alone); 409 room_taken naming room_id when any session's
 * time is taken.
 */
static Error *book_room(Request *req, const Room *room, int64_t id, const char *title)
{
    ActivitySession *sessions = NULL;
    size_t n = 0;
    Error *err;

    err = activities_store_sessions(req->store, req->arena, id, &sessions, &n);
    for (size_t i = 0; !err && i < n; i++) {
        BookingInput bi = { .room_id = room->id,
                            .start_ms = sessions[i].start,
                            .end_ms = sessions[i].end,
                            .purpose = arena_sprintf(req->arena, "活动：%s", title) };
        Booking *b = NULL;

        err = booking_store_insert(req->store, req->arena, room, &bi, req->user->id, false,
                                   time_now_ms(), &b);
        if (err && err->status == 409)
            return error_conflict(
                req->arena, "room_id", "room_taken",
                n > 1 ? arena_sprintf(req->arena,
                                      "所选功能室在第 %d 节课的时间已被占用，请换一个时间或场地",
                                      sessions[i].seq)
                      : "所选功能室在活动时间已被占用，请换一个时间或场地");
        if (!err)
            err = booking_store_hold(req->store, req->arena, b->id, time_now_ms());
        if (!err)
            err = activities_store_session_set_booking(req->store, req->arena, sessions[i].id,
                                                       b->id);
    }
    return err;
}

static Error *activities_handle_create(Request *req, Response *res)
{
    ActivityInput *in = arena_zalloc(req->arena, sizeof(*in));
    Room *room = NULL;
    int64_t id = 0, now = time_now_ms();
    Error *err;

    in->waitlist = true;
    in->age_min = in->age_max = -1;
    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_parse(req, true, in);
    if (err)
        return err;
    if (!auth_is_staff_of(req->user, in->community))
        return error_forbidden(req->arena, "只有本社区工作人员可以发布活动");
    if (in->start <= now)
        return error_invalid(req->arena, "start", "in_past", "活动开始时间已过，请重新选择");
    if (in->room_id) {
        err = booking_store_room_get(req->store, req->arena, in->room_id, &room);
        if (err)
            return err;
        if (!room || strcmp(room->community, in->community) != 0)
            return error_invalid(req->arena, "room_id", "unknown_room", "找不到本社区的这个功能室");
        if (!*in->place)
            in->place = room->name;
    }
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = activities_store_insert(req->store, req->arena, in, req->user->id, now, &id);
    if (!err && room)
        err = book_room(req, room, id, in->title);
    if (!err)
        err = audit_record(req, "activity.create", "activity", id, in->community,
                           json_pack("{s:s, s:I, s:i}", "kind", activities_kind_name(in->kind),
                                     "capacity", (json_int_t)in->capacity, "sessions",
                                     in->n_sessions));
    err = activities_finish(req, err);
    if (err)
        return err;
    return respond_activity(req, res, 201, id, true);
}

static Error *activities_handle_list(Request *req, Response *res)
{
    ActivitiesFilter f = { 0 };
    const char *kind = request_query(req, "kind"), *from = request_query(req, "from"),
               *to = request_query(req, "to");
    int64_t page = 1, per_page = 50, total = 0, day;
    ActivityKind k;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_GRID_WORKER |
                                ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &f.lo, &f.hi);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 50, 1, PAGE_MAX, &per_page);
    if (!err && kind && !activities_kind_parse(kind, &k))
        err = error_bad_request(req->arena, "kind", "invalid_query",
                                "未知的活动类型，应为 volunteer、course、market、sports 或 civic");
    if (!err && from && !time_parse_date(from, &day))
        err = error_bad_request(req->arena, "from", "invalid_query", "日期应为 YYYY-MM-DD");
    if (!err && from)
        f.from = time_day_start_ms(day, ACTIVITIES_UTC_OFFSET_MIN);
    if (!err && to && !time_parse_date(to, &day))
        err = error_bad_request(req->arena, "to", "invalid_query", "日期应为 YYYY-MM-DD");
    if (!err && to)
        f.to = time_day_start_ms(day + 1, ACTIVITIES_UTC_OFFSET_MIN);
    if (err)
        return err;
    f.kind = kind;
    f.now = time_now_ms();
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    err = activities_store_list(req->store, req->arena, &f, &items, &total);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

static Error *activities_handle_get(Request *req, Response *res)
{
    Activity *act = NULL;
    bool staff;
    json_t *o = NULL, *mine = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = activities_load(req, false, &act);
    if (err)
        return err;
    staff = auth_is_staff_of(req->user, act->community);
    err = activities_store_json(req->store, req->arena, act->id, staff, time_now_ms(), &o);
    if (!err && !o)
        err = error_not_found(req->arena, "id", "找不到该活动");
    if (!err)
        err = activities_store_signups_of_user(req->store, req->arena, act->id, req->user->id,
                                               &mine);
    if (err) {
        json_decref(o);
        return err;
    }
    json_object_set_new(o, "my_signups", mine);
    json_object_set_new(o, "may_manage", json_boolean(staff));
    return response_json(res, 200, o);
}

/* The input as the activity now is, for a PUT to change. */
static Error *current_input(Request *req, const Activity *act, ActivityInput *in)
{
    json_t *o = NULL;
    Error *err = activities_store_json(req->store, req->arena, act->id, false, 0, &o);

    if (err)
        return err;
    in->community = act->community;
    in->kind = act->kind;
    in->title = arena_strdup(req->arena, json_string_value(json_object_get(o, "title")));
    in->body = arena_strdup(req->arena, json_string_value(json_object_get(o, "body")));
    in->place = arena_strdup(req->arena, json_string_value(json_object_get(o, "place")));
    {
        char *tags = json_dumps(json_object_get(o, "tags"), JSON_COMPACT);

        in->tags_json = arena_strdup(req->arena, tags ? tags : "[]");
        free(tags);
    }
    json_decref(o);
    in->room_id = act->room_id;
    in->start = act->start;
    in->end = act->end;
    in->capacity = act->capacity;
    in->waitlist = act->waitlist;
    in->walk_in = act->walk_in;
    in->age_min = act->age_min;
    in->age_max = act->age_max;
    in->signup_opens = act->signup_opens;
    in->signup_closes = act->signup_closes;
    in->cancel_until = act->cancel_until;
    return NULL;
}

static Error *activities_handle_update(Request *req, Response *res)
{
    ActivityInput *in = arena_zalloc(req->arena, sizeof(*in));
    Activity *act = NULL;
    int promoted = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err && act->cancelled)
        err = error_conflict(req->arena, NULL, "cancelled", "活动已取消，不能修改");
    if (!err)
        err = current_input(req, act, in);
    if (!err)
        err = activities_parse(req, false, in);
    if (err)
        return err;
    err = activities_begin(req, act->id, &act);
    if (err)
        return err;
    if (in->capacity < act->taken)
        err = error_conflict(req->arena, "capacity", "capacity_below_signups",
                             arena_sprintf(req->arena, "已有 %lld 人报名，名额不能少于这个数",
                                           (long long)act->taken));
    if (!err)
        err = activities_store_update(req->store, req->arena, act->id, in, time_now_ms());
    if (!err)
        err = activities_store_get(req->store, req->arena, act->id, &act);
    if (!err && act->waitlist)
        err = activities_store_promote(req->store, req->arena, act, time_now_ms(), &promoted);
    if (!err)
        err = audit_record(req, "activity.edit", "activity", act->id, act->community,
                           json_pack("{s:I, s:i}", "capacity", (json_int_t)in->capacity,
                                     "promoted", promoted));
    err = activities_finish(req, err);
    if (err)
        return err;
    return respond_activity(req, res, 200, act->id, true);
}

static Error *activities_handle_cancel(Request *req, Response *res)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    Activity *act = NULL;
    ActivitySession *sessions = NULL;
    int64_t *users = NULL;
    size_t n_sessions = 0, n_users = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "reason", true, 2, 200, &reason);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = activities_store_cancel(req->store, req->arena, act->id, reason, time_now_ms());
    if (!err)
        err = activities_store_sessions(req->store, req->arena, act->id, &sessions, &n_sessions);
    for (size_t i = 0; !err && i < n_sessions; i++) {
        Booking *b = NULL;

        if (!sessions[i].booking_id)
            continue;
        err = booking_store_get(req->store, req->arena, sessions[i].booking_id, &b);
        if (!err && b && booking_state_active(b->state))
            err = booking_store_end_held(req->store, req->arena, b,
                                         arena_sprintf(req->arena, "活动取消：%s", reason),
                                         req->user->id, time_now_ms());
    }
    if (!err)
        err = activities_store_signup_users(req->store, req->arena, act->id, &users, &n_users);
    for (size_t i = 0; !err && i < n_users; i++)
        err = notice_add(req->store, req->arena, users[i], "activity.cancelled",
                         arena_sprintf(req->arena, "活动取消：%s", act->title), reason,
                         arena_sprintf(req->arena, "/activities/%lld", (long long)act->id));
    if (!err)
        err = audit_record(req, "activity.cancel", "activity", act->id, act->community,
                           json_pack("{s:s, s:I}", "reason", reason, "notified",
                                     (json_int_t)n_users));
    err = activities_finish(req, err);
    if (err)
        return err;
    return respond_activity(req, res, 200, act->id, true);
}

/* ---- the QR poster of a session ---- */

static Error *activities_handle_qr(Request *req, Response *res)
{
    ActivitySession *sessions = NULL;
    Activity *act = NULL;
    size_t n = 0, len = 0;
    int64_t seq = 1;
    const char *url, *png, *caption;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = request_query_int(req, "session", 1, 1, ACTIVITIES_MAX_SESSIONS, &seq);
    if (!err)
        err = activities_store_sessions(req->store, req->arena, act->id, &sessions, &n);
    if (err)
        return err;
    if ((size_t)seq > n)
        return error_bad_request(req->arena, "session", "invalid_query",
                                 arena_sprintf(req->arena, "这个活动只有 %zu 节", n));
    url = arena_sprintf(req->arena, "%s/h5/#/activities/%lld/checkin?token=%s",
                        booking_base_url(req), (long long)act->id, sessions[seq - 1].token);
    caption = n > 1 ? arena_sprintf(req->arena, "第 %lld 节 · 扫码签到 / 签退", (long long)seq)
                    : "扫码签到 / 签退";
    png = qr_poster_png(req->arena, url, act->title, caption, &len);
    if (!png)
        return error_internal(req->arena, "cannot draw the poster of activity %lld",
                              (long long)act->id);
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"activity-%lld-%lld.png\"",
                                  (long long)act->id, (long long)seq));
    return response_bytes(res, 200, "image/png", png, len);
}

/* ---- no-show policy and figures ---- */

/* ?community= of a staff route: a community the user manages. */
static Error *community_query(Request *req, bool manage, const char **ret)
{
    const char *c = request_query(req, "community");

    if (!c && req->user->role != ROLE_ADMIN && strlen(req->user->scope) == 12)
        c = req->user->scope;
    if (!c)
        return error_bad_request(req->arena, "community", "missing_query", "请指定社区（community）");
    if (strlen(c) != 12 || strspn(c, "0123456789") != 12)
        return error_bad_request(req->arena, "community", "invalid_query", "社区代码应为 12 位数字");
    if (manage ? !auth_is_staff_of(req->user, c) : !auth_covers(req->user, c))
        return error_forbidden(req->arena, "您不能管理这个社区的活动");
    *ret = c;
    return NULL;
}

static json_t *policy_json(const char *community, const ActivitiesPolicy *p)
{
    return json_pack("{s:s, s:i, s:i, s:i}", "community", community, "no_show_limit",
                     p->no_show_limit, "window_days", p->window_days, "suspend_days",
                     p->suspend_days);
}

static Error *activities_handle_policy_get(Request *req, Response *res)
{
    ActivitiesPolicy p;
    const char *community = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = community_query(req, false, &community);
    if (!err)
        err = activities_store_policy(req->store, req->arena, community, &p);
    if (err)
        return err;
    return response_json(res, 200, policy_json(community, &p));
}

static Error *activities_handle_policy_put(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "no_show_limit", "window_days",
                                          "suspend_days", NULL };
    ActivitiesPolicy p;
    const char *community = NULL;
    int64_t limit, window, suspend;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "community", true, 12, 12, &community);
    if (!err && !auth_is_staff_of(req->user, community))
        err = error_forbidden(req->arena, "您不能管理这个社区的活动");
    if (!err)
        err = activities_store_policy(req->store, req->arena, community, &p);
    if (err)
        return err;
    limit = p.no_show_limit;
    window = p.window_days;
    suspend = p.suspend_days;
    err = request_field_int(req, body, "no_show_limit", false, 1, 100, &limit, NULL);
    if (!err)
        err = request_field_int(req, body, "window_days", false, 1, 365, &window, NULL);
    if (!err)
        err = request_field_int(req, body, "suspend_days", false, 1, 365, &suspend, NULL);
    if (err)
        return err;
    p.no_show_limit = (int)limit;
    p.window_days = (int)window;
    p.suspend_days = (int)suspend;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = activities_store_policy_set(req->store, req->arena, community, &p, time_now_ms());
    if (!err)
        err = audit_record(req, "activity.policy", "activity_policy", 0, community,
                           policy_json(community, &p));
    err = activities_finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, policy_json(community, &p));
}

static Error *activities_handle_stats(Request *req, Response *res)
{
    const char *lo, *hi, *from = request_query(req, "from"), *to = request_query(req, "to");
    int64_t now = time_now_ms(), day, today, from_ms, to_ms;
    int minute;
    json_t *o = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    time_local(now, ACTIVITIES_UTC_OFFSET_MIN, &today, &minute);
    day = today - 89;
    if (from && !time_parse_date(from, &day))
        return error_bad_request(req->arena, "from", "invalid_query", "日期应为 YYYY-MM-DD");
    from_ms = time_day_start_ms(day, ACTIVITIES_UTC_OFFSET_MIN);
    day = today;
    if (to && !time_parse_date(to, &day))
        return error_bad_request(req->arena, "to", "invalid_query", "日期应为 YYYY-MM-DD");
    to_ms = time_day_start_ms(day + 1, ACTIVITIES_UTC_OFFSET_MIN);
    if (to_ms <= from_ms || to_ms - from_ms > 3700 * DAY_MS)
        return error_bad_request(req->arena, "to", "invalid_range",
                                 "结束日期应不早于开始日期，且区间最长十年");
    err = activities_store_stats(req->store, req->arena, lo, hi, from_ms, to_ms, now, &o);
    if (err)
        return err;
    json_object_set_new(o, "from", json_string(time_format_rfc3339_at(
                                       req->arena, from_ms, ACTIVITIES_UTC_OFFSET_MIN)));
    json_object_set_new(o, "to", json_string(time_format_rfc3339_at(req->arena, to_ms,
                                                                    ACTIVITIES_UTC_OFFSET_MIN)));
    return response_json(res, 200, o);
}

void activities_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/activities", activities_handle_create, 0);
    router_add(r, "GET", "/api/v1/activities", activities_handle_list, 0);
    router_add(r, "GET", "/api/v1/activities/stats", activities_handle_stats, 0);
    router_add(r, "GET", "/api/v1/activities/policy", activities_handle_policy_get, 0);
    router_add(r, "PUT", "/api/v1/activities/policy", activities_handle_policy_put, 0);
    activities_signup_routes_register(r); /* /activities/mine before /activities/{id} */
    router_add(r, "GET", "/api/v1/activities/{id}", activities_handle_get, 0);
    router_add(r, "PUT", "/api/v1/activities/{id}", activities_handle_update, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/cancel", activities_handle_cancel, 0);
    router_add(r, "GET", "/api/v1/activities/{id}/qr.png", activities_handle_qr, 0);
}
