/*
 * Sign-ups, attendance and ratings of an activity
 * (/api/v1/activities/{id}/signups, checkin, attendance, ratings).
 *
 * A resident signs up herself or one of her household (a child): the
 * checks that need no lock (audience, window, no-shows) come first, then
 * the activity's keyed write transaction takes a place with the counter's
 * conditional update (activities_store_signup), so that capacity holds
 * whatever the races. A cancellation frees the place and promotes the
 * first on the waitlist in the same transaction, with a notice.
 */
#include <string.h>

#include "activities/activities_routes.h"
#include "audit/audit.h"
#include "booking/booking.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "volunteers/volunteers.h"
#include "core/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

static json_t *signup_json(const ActivitySignup *s, int promoted)
{
    json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:b}", "id", (json_int_t)s->id, "activity_id",
                          (json_int_t)s->activity_id, "resident_id", (json_int_t)s->resident_id,
                          "state", s->state, "waitlisted", strcmp(s->state, "waitlisted") == 0);

    if (s->position)
        json_object_set_new(o, "position", json_integer(s->position));
    if (promoted >= 0)
        json_object_set_new(o, "promoted", json_integer(promoted));
    return o;
}

/*
 * The resident a resident's request concerns: "resident_id" of @body (one
 * of her household) or herself. 403 when her account is no resident's or
 * the other is not of her household.
 */
static Error *whom(Request *req, json_t *body, const char *query, ActivityResident **ret)
{
    ActivityResident *me_res = NULL, *who = NULL;
    int64_t me = 0, rid = 0;
    Error *err;

    err = activities_store_user_resident(req->store, req->arena, req->user->id, &me);
    if (err)
        return err;
    if (!me)
        return error_forbidden(req->arena,
                               "您的账号还没有关联居民信息，请联系社区工作人员核实后再报名");
    rid = me;
    if (body)
        err = request_field_int(req, body, "resident_id", false, 1, INT64_MAX, &rid, NULL);
    else if (query)
        err = request_query_int(req, "resident_id", me, 1, INT64_MAX, &rid);
    if (!err)
        err = activities_store_resident(req->store, req->arena, me, &me_res);
    if (!err && rid != me)
        err = activities_store_resident(req->store, req->arena, rid, &who);
    if (err)
        return err;
    if (!me_res)
        return error_forbidden(req->arena, "找不到您的居民信息，请联系社区工作人员");
    if (rid == me)
        who = me_res;
    else if (!who || who->household_id != me_res->household_id || !who->active)
        return error_new(req->arena, 403, "resident_id", "not_household",
                                     "只能为同一户的家庭成员报名");
    *ret = who;
    return NULL;
}

/* The audience, window and no-show rules for @who to sign up for @act at @now. */
static Error *may_sign_up(Request *req, const Activity *act, const ActivityResident *who,
                          int64_t now)
{
    ActivitiesPolicy p;
    int64_t *ends = NULL, until;
    size_t n = 0;
    int age, fit;
    Error *err;

    if (act->cancelled)
        return error_conflict(req->arena, NULL, "cancelled", "活动已取消");
    if (!who->active || strcmp(who->community, act->community) != 0)
        return error_new(req->arena, 403, "community", "not_in_community",
                                     "本活动只面向本社区的居民");
    age = activities_age_at(who->birth_date, act->start);
    fit = activities_age_fit(age, act->age_min, act->age_max);
    if (fit < 0)
        return error_invalid(req->arena, "age_min", "audience_age",
                             arena_sprintf(req->arena, "本活动面向 %d 岁及以上的居民，%s 不符合年龄要求",
                                           act->age_min, who->name));
    if (fit > 0)
        return error_invalid(req->arena, "age_max", "audience_age",
                             arena_sprintf(req->arena, "本活动面向 %d 岁及以下的居民，%s 不符合年龄要求",
                                           act->age_max, who->name));
    switch (activities_signup_window(act->signup_opens, act->signup_closes, now)) {
    case WINDOW_NOT_YET:
        return error_conflict(req->arena, "signup_opens", "signup_closed",
                              arena_sprintf(req->arena, "报名还没开始，%s 开始报名",
                                            booking_time_text(req->arena, act->signup_opens,
                                                              ACTIVITIES_UTC_OFFSET_MIN)));
    case WINDOW_CLOSED:
        return error_conflict(req->arena, "signup_closes", "signup_closed", "报名已截止");
    case WINDOW_OPEN:
        break;
    }
    err = activities_store_policy(req->store, req->arena, act->community, &p);
    if (!err)
        err = activities_store_no_shows(req->store, req->arena, who->id,
                                        now - (int64_t)(p.window_days + p.suspend_days) * DAY_MS,
                                        now, &ends, &n);
    if (err)
        return err;
    until = activities_suspended_until(&p, ends, n, now);
    if (until)
        return error_new(
            req->arena, 403, "resident_id", "too_many_no_shows",
            arena_sprintf(req->arena,
                          "%s 在 %d 天内有 %d 次报名后未到场，%s 之前暂不能报名活动",
                          who->name, p.window_days, p.no_show_limit,
                          booking_time_text(req->arena, until, ACTIVITIES_UTC_OFFSET_MIN)));
    return NULL;
}

static Error *activities_handle_signup(Request *req, Response *res)
{
    static const char *const fields[] = { "resident_id", NULL };
    ActivityResident *who = NULL;
    ActivitySignup *s = NULL;
    Activity *act = NULL;
    int64_t now = time_now_ms();
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = whom(req, body, NULL, &who);
    if (!err)
        err = may_sign_up(req, act, who, now);
    if (err)
        return err;
    err = activities_begin(req, act->id, &act);
    if (err)
        return err;
    if (act->cancelled)
        err = error_conflict(req->arena, NULL, "cancelled", "活动已取消");
    else if (activities_signup_window(act->signup_opens, act->signup_closes, now) != WINDOW_OPEN)
        err = error_conflict(req->arena, "signup_closes", "signup_closed", "报名已截止");
    if (!err)
        err = activities_store_signup(req->store, req->arena, act, who->id, req->user->id, now, &s);
    err = activities_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, signup_json(s, -1));
}

/*
 * Cancels sign-up @s of activity @act (read before the transaction):
 * before cancel_until unless @staff; promotes the waitlist.
 */
static Error *cancel_signup(Request *req, Response *res, Activity *act, int64_t signup_id,
                            bool staff)
{
    ActivitySignup *s = NULL;
    int64_t now = time_now_ms();
    int promoted = 0;
    Error *err;

    err = activities_begin(req, act->id, &act);
    if (err)
        return err;
    err = activities_store_signup_get(req->store, req->arena, signup_id, &s);
    if (!err && (!s || s->activity_id != act->id))
        err = error_not_found(req->arena, "signup_id", "找不到这个报名");
    if (!err && !staff && s->user_id != req->user->id)
        err = error_forbidden(req->arena, "只能取消自己或家人的报名");
    if (!err && !staff && now >= act->cancel_until)
        err = error_conflict(req->arena, "cancel_until", "cancel_closed",
                             arena_sprintf(req->arena, "已过取消报名的截止时间（%s），如有变化请联系社区",
                                           booking_time_text(req->arena, act->cancel_until,
                                                             ACTIVITIES_UTC_OFFSET_MIN)));
    if (!err)
        err = activities_store_signup_cancel(req->store, req->arena, s, req->user->id, now);
    if (!err && !act->cancelled && strcmp(s->state, "confirmed") == 0)
        err = activities_store_promote(req->store, req->arena, act, now, &promoted);
    if (!err && staff && s->user_id != req->user->id)
        err = audit_record(req, "activity.signup_cancel", "activity_signup", s->id, act->community,
                           json_pack("{s:I}", "activity_id", (json_int_t)act->id));
    err = activities_finish(req, err);
    if (err)
        return err;
    s->state = "cancelled";
    s->position = 0;
    return response_json(res, 200, signup_json(s, promoted));
}

static Error *activities_handle_cancel_mine(Request *req, Response *res)
{
    ActivityResident *who = NULL;
    ActivitySignup *s = NULL;
    Activity *act = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = whom(req, NULL, "resident_id", &who);
    if (!err)
        err = activities_store_signup_live(req->store, req->arena, act->id, who->id, &s);
    if (!err && !s)
        err = error_not_found(req->arena, "signup_id", "没有找到这个活动的报名");
    if (err)
        return err;
    return cancel_signup(req, res, act, s->id, false);
}

static Error *activities_handle_cancel_one(Request *req, Response *res)
{
    Activity *act = NULL;
    int64_t sid;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = request_param_id(req, 1, &sid);
    if (err)
        return err;
    return cancel_signup(req, res, act, sid, auth_is_staff_of(req->user, act->community));
}

static Error *activities_handle_mine(Request *req, Response *res)
{
    json_t *items = NULL;
    int64_t me = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = activities_store_user_resident(req->store, req->arena, req->user->id, &me);
    if (!err)
        err = activities_store_mine(req->store, req->arena, req->user->id, me, time_now_ms(),
                                    &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

static Error *activities_handle_signups(Request *req, Response *res)
{
    Activity *act = NULL;
    json_t *o = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = activities_store_signups_json(req->store, req->arena, act->id, &o);
    if (err)
        return err;
    return response_json(res, 200, o);
}

/* ---- attendance ---- */

static Error *action_field(Request *req, json_t *body, bool *ret_in)
{
    const char *action = NULL;
    Error *err = request_field_string(req, body, "action", true, 1, 10, &action);

    if (err)
        return err;
    if (strcmp(action, "in") != 0 && strcmp(action, "out") != 0)
        return error_invalid(req->arena, "action", "invalid_action",
                             "“action”应为 in（签到）或 out（签退）");
    *ret_in = strcmp(action, "in") == 0;
    return NULL;
}

/*
 * Inside the activity's transaction: the confirmed sign-up of @resident_id
 * (its id into *ret_signup_id), or 0 for a walk-in or a volunteer on one
 * of its posts (volunteers.h); 403 not_signed_up.
 */
static Error *signed_up(Request *req, const Activity *act, int64_t resident_id,
                        int64_t *ret_signup_id)
{
    ActivitySignup *s = NULL;
    bool on_post = false;
    Error *err = activities_store_signup_live(req->store, req->arena, act->id, resident_id, &s);

    if (err)
        return err;
    *ret_signup_id = s && strcmp(s->state, "confirmed") == 0 ? s->id : 0;
    if (!*ret_signup_id && !act->walk_in) /* a volunteer on one of its posts needs no sign-up */
        err = volunteers_on_post(req->store, req->arena, act->id, resident_id, &on_post);
    if (err)
        return err;
    if (!*ret_signup_id && !act->walk_in && !on_post)
        return error_new(req->arena, 403, "resident_id", "not_signed_up",
                                     s ? "还在候补名单中，没有获得名额，不能签到"
                                       : "没有报名这个活动，不能签到");
    return NULL;
}

static Error *activities_handle_checkin(Request *req, Response *res)
{
    static const char *const fields[] = { "token", "action", "resident_id", NULL };
    ActivityResident *who = NULL;
    ActivitySession *sess = NULL;
    Activity *act = NULL;
    const char *token = NULL;
    int64_t signup_id = 0, now = time_now_ms();
    bool in = true;
    json_t *body, *row = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "token", true, 1, 100, &token);
    if (!err)
        err = action_field(req, body, &in);
    if (!err)
        err = whom(req, body, NULL, &who);
    if (!err)
        err = activities_store_session_by_token(req->store, req->arena, token, &sess);
    if (err)
        return err;
    if (!sess || sess->activity_id != act->id)
        return error_invalid(req->arena, "token", "bad_token",
                             "这个二维码不是本活动的签到码，请扫描活动现场的二维码");
    if (!activities_token_live(sess->start, sess->end, now))
        return error_invalid(req->arena, "token", "bad_token",
                             arena_sprintf(req->arena,
                                           "签到码已过期或还未生效：只在活动开始前后 %d 分钟内有效",
                                           ACTIVITIES_TOKEN_MARGIN_MIN));
    if (act->cancelled)
        return error_conflict(req->arena, NULL, "cancelled", "活动已取消");
    err = activities_begin(req, act->id, &act);
    if (err)
        return err;
    err = signed_up(req, act, who->id, &signup_id);
    if (!err)
        err = activities_store_attend(req->store, req->arena, sess, who->id, signup_id, in,
                                      req->user->id, now, &row);
    if (!err && !in) /* a volunteer on a post: her hours, pending */
        err = volunteers_hours_from_attendance(req->store, req->arena, sess->id, who->id, now);
    err = activities_finish(req, err);
    if (err) {
        json_decref(row);
        return err;
    }
    return response_json(res, 200, row);
}

static Error *activities_handle_attendance(Request *req, Response *res)
{
    static const char *const fields[] = { "resident_id", "action", "session", NULL };
    ActivitySession *sessions = NULL, *sess = NULL;
    ActivityResident *who = NULL;
    Activity *act = NULL;
    int64_t rid = 0, seq = 0, signup_id = 0, now = time_now_ms();
    bool in = true, has_seq = false;
    size_t n = 0;
    json_t *body, *row = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = activities_load(req, true, &act);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "resident_id", true, 1, INT64_MAX, &rid, NULL);
    if (!err)
        err = action_field(req, body, &in);
    if (!err)
        err = request_field_int(req, body, "session", false, 1, ACTIVITIES_MAX_SESSIONS, &seq,
                                &has_seq);
    if (!err)
        err = activities_store_sessions(req->store, req->arena, act->id, &sessions, &n);
    if (!err)
        err = activities_store_resident(req->store, req->arena, rid, &who);
    if (err)
        return err;
    if (!who || strcmp(who->community, act->community) != 0)
        return error_invalid(req->arena, "resident_id", "unknown_resident", "找不到本社区的这位居民");
    if (has_seq && (size_t)seq > n)
        return error_invalid(req->arena, "session", "unknown_session",
                             arena_sprintf(req->arena, "这个活动只有 %zu 节", n));
    if (has_seq)
        sess = &sessions[seq - 1];
    for (size_t i = 0; !sess && i < n; i++)
        if (activities_token_live(sessions[i].start, sessions[i].end, now))
            sess = &sessions[i];
    if (!sess && n == 1)
        sess = &sessions[0];
    if (!sess)
        return error_invalid(req->arena, "session", "missing_field",
                             "现在不在任何一节课的时间内，请指定第几节（session）");
    if (now < sess->start - ACTIVITIES_TOKEN_MARGIN_MIN * 60LL * 1000)
        return error_conflict(req->arena, "session", "not_started", "这节活动还没开始，不能签到");
    if (act->cancelled)
        return error_conflict(req->arena, NULL, "cancelled", "活动已取消");
    err = activities_begin(req, act->id, &act);
    if (err)
        return err;
    err = signed_up(req, act, who->id, &signup_id);
    if (!err)
        err = activities_store_attend(req->store, req->arena, sess, who->id, signup_id, in,
                                      req->user->id, now, &row);
    if (!err && !in) /* a volunteer on a post: her hours, pending */
        err = volunteers_hours_from_attendance(req->store, req->arena, sess->id, who->id, now);
    if (!err)
        err = audit_record(req, in ? "activity.sign_in" : "activity.sign_out", "activity",
                           act->id, act->community,
                           json_pack("{s:I, s:i}", "resident_id", (json_int_t)who->id, "session",
                                     sess->seq));
    err = activities_finish(req, err);
    if (err) {
        json_decref(row);
        return err;
    }
    return response_json(res, 200, row);
}

/* ---- ratings ---- */

static Error *activities_handle_rate(Request *req, Response *res)
{
    static const char *const fields[] = { "score", "comment", NULL };
    const char *comment = NULL;
    Activity *act = NULL;
    int64_t me = 0, score = 0;
    bool attended = false;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = activities_load(req, false, &act);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "score", true, 1, 5, &score, NULL);
    if (!err)
        err = request_field_string(req, body, "comment", false, 0, 500, &comment);
    if (!err)
        err = activities_store_user_resident(req->store, req->arena, req->user->id, &me);
    if (!err && me)
        err = activities_store_attended(req->store, req->arena, act->id, me, &attended);
    if (err)
        return err;
    if (time_now_ms() < act->start)
        return error_conflict(req->arena, NULL, "not_started", "活动开始后才能评价");
    if (!attended)
        return error_new(req->arena, 403, NULL, "not_attended", "参加（签到）了活动才能评价");
    err = activities_begin(req, act->id, &act);
    if (err)
        return err;
    err = activities_store_rate(req->store, req->arena, act->id, me, req->user->id, (int)score,
                                comment, time_now_ms());
    err = activities_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:I, s:i, s:s}", "activity_id",
                                             (json_int_t)act->id, "resident_id", (json_int_t)me,
                                             "score", (int)score, "comment",
                                             comment ? comment : ""));
}

void activities_signup_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/activities/mine", activities_handle_mine, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/signups", activities_handle_signup, 0);
    router_add(r, "GET", "/api/v1/activities/{id}/signups", activities_handle_signups, 0);
    router_add(r, "DELETE", "/api/v1/activities/{id}/signups/mine", activities_handle_cancel_mine,
               0);
    router_add(r, "DELETE", "/api/v1/activities/{id}/signups/{signup_id}",
               activities_handle_cancel_one, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/checkin", activities_handle_checkin, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/attendance", activities_handle_attendance, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/ratings", activities_handle_rate, 0);
}
