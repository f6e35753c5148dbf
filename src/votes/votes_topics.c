/*
 * Topics (议题) and meetings (议事会): /api/v1/topics/…, /api/v1/meetings/….
 *
 * A resident raises a topic in her community (or her building, her 单元);
 * staff raise them too. Residents of the community support it (once each)
 * and comment. The community's staff moderate — hide a topic or a comment
 * with a reason (hidden topics leave residents' lists; the author and staff
 * still see them), merge a duplicate into another (its supporters support
 * the other) — and move it one step at a time through 征集 → 协商 → 表决 →
 * 公示 → 实施 → 完结, each step recorded with who and when (表决 may name the
 * vote). Staff schedule meetings for a topic with residents invited from the
 * registry, mark attendance, and publish minutes and decisions to the topic.
 *
 * A meeting may book a function room: the booking is the booking module's
 * (booking_store_insert: its slots, blackouts and the room's rules), made in
 * the meeting's own transaction, so a taken room leaves neither. Residents
 * sign in by scanning the meeting's QR code (/meetings/{id}/qr.png), which
 * opens the H5 page /meetings/{id}/checkin with the meeting's token.
 */
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "core/qrpng.h"
#include "core/photo.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "votes/votes_routes.h"
#include "core/banned.h"

#define TEXT_MAX 4000
#define PARTICIPANTS_MAX 200
#define MEETING_DEFAULT_MS (2 * 60 * TIME_MINUTE_MS)
#define TOPIC_PHOTOS_MAX 3
#define TOPIC_PHOTO_MAX_BYTES (8 * 1024 * 1024)

static const char *user_name(const User *u)
{
    return u->display_name && *u->display_name ? u->display_name : u->username;
}

/* Topic {id} that the user may read: 404 otherwise (a hidden one: staff and its author). */
static Error *load_topic(Request *req, Topic **ret)
{
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_topic_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || !votes_may_read(req->user, (*ret)->community) ||
        ((*ret)->hidden_reason && !votes_may_manage(req->user, (*ret)->community) &&
         (*ret)->created_by != req->user->id))
        return error_not_found(req->arena, "id", "找不到该议题，或其不在您的管辖范围内");
    return NULL;
}

static Error *require_manage(Request *req, const char *community)
{
    if (votes_may_manage(req->user, community))
        return NULL;
    return error_forbidden(req->arena, "只有本社区的工作人员或书记可以管理议题和议事会");
}

static Error *topic_page(Request *req, Response *res, int status, int64_t id)
{
    Topic *t = NULL;
    TopicState ts = TOPIC_COLLECTING;
    bool manage, supported = false;
    json_t *o, *steps = json_array(), *comments = json_array(), *meetings = json_array();
    json_t *photos = json_array();
    Error *err;

    err = votes_topic_get(req->store, req->arena, id, &t);
    if (!err && !t)
        err = error_not_found(req->arena, "id", "找不到该议题");
    if (err)
        goto fail;
    manage = votes_may_manage(req->user, t->community);
    err = votes_topic_steps(req->store, req->arena, id, steps);
    if (!err)
        err = votes_topic_comments(req->store, req->arena, id, manage, comments);
    if (!err)
        err = votes_topic_meetings(req->store, req->arena, id, meetings);
    if (!err)
        err = votes_topic_supported(req->store, req->arena, id, req->user->id, &supported);
    if (!err)
        err = votes_topic_photos(req->store, req->arena, id, photos);
    if (err)
        goto fail;
    votes_topic_state_parse(t->state, &ts);
    o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, s:s, s:s,"
                  " s:o, s:o, s:o, s:b, s:b}",
                  "id", (json_int_t)t->id, "community", t->community, "scope", t->scope,
                  "building_id", t->building_id ? json_integer(t->building_id) : json_null(),
                  "unit", t->unit ? json_integer(t->unit) : json_null(), "title", t->title, "body",
                  t->body, "state", t->state, "state_label", votes_topic_state_label(ts),
                  "supports", (json_int_t)t->supports, "comments_count", (json_int_t)t->comments,
                  "hidden", t->hidden_reason != NULL, "merged_into",
                  t->merged_into ? json_integer(t->merged_into) : json_null(), "author", t->author,
                  "created_at", time_format_rfc3339(req->arena, t->created_at), "steps", steps,
                  "comments", comments, "meetings", meetings, "supported", supported,
                  "may_manage", manage);
    json_object_set_new(o, "hidden_reason", json_string_or_null(t->hidden_reason));
    json_object_set_new(o, "vote_id", t->vote_id ? json_integer(t->vote_id) : json_null());
    json_object_set_new(o, "photos", photos);
    json_object_set_new(o, "next_state",
                        ts + 1 < _TOPIC_STATE_MAX ? json_string(votes_topic_state_name(ts + 1))
                                                  : json_null());
    return response_json(res, status, o);

fail:
    json_decref(steps);
    json_decref(comments);
    json_decref(meetings);
    json_decref(photos);
    return err;
}

static Error *votes_handle_topic_create(Request *req, Response *res)
{
    static const char *const fields[] = { "title", "body", "scope", "building_id", "unit",
                                          "community", "photo_ids", NULL };
    int64_t photo_ids[TOPIC_PHOTOS_MAX];
    int n_photos = 0;
    Topic t;
    VotesHousehold h = { 0 };
    const char *scope = "community", *community = NULL, *bcommunity = NULL;
    int64_t now = time_now_ms(), units = 0;
    bool present;
    json_t *body;
    Error *err;

    memset(&t, 0, sizeof(t));
    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "title", true, 4, 60, &t.title);
    if (!err)
        err = request_field_string(req, body, "body", true, 10, TEXT_MAX, &t.body);
    if (!err)
        err = request_field_string(req, body, "scope", false, 1, 12, &scope);
    if (!err && !scope)
        scope = "community";
    if (!err && !votes_one_of(scope, (const char *const[]){ "community", "building", "unit", NULL }))
        err = error_invalid(req->arena, "scope", "invalid_option",
                            "范围（scope）应为 community（全社区）、building（本楼）或 unit（本单元）");
    if (!err)
        err = request_field_string(req, body, "community", false, 12, 12, &community);
    if (!err)
        err = request_field_int(req, body, "building_id", false, 1, INT64_MAX, &t.building_id,
                                &present);
    if (!err)
        err = request_field_int(req, body, "unit", false, 1, 50, &t.unit, &present);
    if (!err)
        err = photo_parse_ids_named(req->arena, body, "photo_ids", TOPIC_PHOTOS_MAX, photo_ids,
                                    &n_photos);
    for (int i = 0; !err && i < n_photos; i++) {
        TopicPhoto p;

        err = votes_topic_photo_get(req->store, req->arena, photo_ids[i], &p);
        if (!err && (!p.id || p.uploader_id != req->user->id || p.topic_id))
            err = error_invalid(req->arena, arena_sprintf(req->arena, "photo_ids[%d]", i),
                                "unknown_photo",
                                "找不到这张照片，或它不是您上传的、已附在其他议题上；请重新上传");
    }
    if (err)
        return err;
    if (req->user->role == ROLE_RESIDENT) {
        /* hers: her community, her building, her 单元 */
        if (community || t.building_id || t.unit)
            return error_invalid(req->arena, community ? "community" : t.building_id ? "building_id" : "unit",
                                 "staff_only", "居民的议题范围就是本社区、本楼或本单元，只需选择 scope");
        community = req->user->scope;
        if (strcmp(scope, "community") != 0) {
            err = votes_store_household(req->store, req->arena, req->user->household_id, &h);
            if (err)
                return err;
            if (!h.id)
                return error_invalid(req->arena, "scope", "no_household", "您的账号没有登记住户，只能发起全社区议题");
            t.building_id = h.building_id;
            t.unit = strcmp(scope, "unit") == 0 ? h.unit : 0;
        }
    } else if (strcmp(scope, "community") != 0) {
        if (!t.building_id || (strcmp(scope, "unit") == 0 && !t.unit))
            return error_invalid(req->arena, t.building_id ? "unit" : "building_id", "missing_field",
                                 "楼栋或单元范围的议题须写明 building_id（和 unit）");
        err = votes_store_building(req->store, req->arena, t.building_id, &bcommunity, &units);
        if (err)
            return err;
        if (!bcommunity || !auth_covers(req->user, bcommunity))
            return error_invalid(req->arena, "building_id", "unknown_building", "找不到该楼栋，或其不在您的管辖范围内");
        if (t.unit > units)
            return error_invalid(req->arena, "unit", "unknown_unit", "该楼没有这个单元");
        community = bcommunity;
        if (strcmp(scope, "building") == 0)
            t.unit = 0;
    } else {
        if (!community && strlen(req->user->scope) == 12)
            community = req->user->scope;
        if (!community)
            return error_invalid(req->arena, "community", "missing_field", "请写明社区代码（community）");
        t.building_id = t.unit = 0;
    }
    if (req->user->role != ROLE_RESIDENT) {
        err = require_manage(req, community);
        if (err)
            return err;
    }
    t.community = community;
    t.scope = scope;
    t.created_by = req->user->id;
    t.author = user_name(req->user);
    t.created_at = now;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_topic_insert(req->store, req->arena, &t);
    for (int i = 0; !err && i < n_photos; i++) {
        bool taken = false;

        /* checked above; taken here only if no other topic took it meanwhile */
        err = votes_topic_photo_take(req->store, req->arena, t.id, photo_ids[i], req->user->id,
                                     &taken);
        if (!err && !taken)
            err = error_invalid(req->arena, arena_sprintf(req->arena, "photo_ids[%d]", i),
                                "unknown_photo", "这张照片已附在其他议题上，请重新上传");
    }
    if (!err)
        err = votes_topic_step(req->store, req->arena, t.id, "raised", "collecting", "", 0,
                               req->user->id, now);
    if (!err)
        err = audit_record(req, "topic.create", "topic", t.id, community, NULL);
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, 201, t.id);
}

static Error *votes_handle_topic_list(Request *req, Response *res)
{
    const char *community = request_query(req, "community"), *state = request_query(req, "state");
    int64_t page, per_page, total = 0;
    TopicState ts;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, 200, &per_page);
    if (err)
        return err;
    if (!community || req->user->role == ROLE_RESIDENT)
        community = req->user->scope;
    if (strlen(community) != 12 || !votes_may_read(req->user, community))
        return error_bad_request(req->arena, "community", "invalid_query",
                                 "请用 community 写明您管辖范围内的一个社区（12 位代码）");
    if (state && !votes_topic_state_parse(state, &ts))
        return error_bad_request(req->arena, "state", "invalid_query",
                                 "state 应为 collecting、consulting、voting、publicity、implementing 或 done");
    items = json_array();
    err = votes_topic_list(req->store, req->arena, community, state,
                           votes_may_manage(req->user, community), per_page, (page - 1) * per_page,
                           items, &total);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

static Error *votes_handle_topic_get(Request *req, Response *res)
{
    Topic *t;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (err)
        return err;
    return topic_page(req, res, 200, t->id);
}

static Error *support(Request *req, Response *res, bool add)
{
    Topic *t;
    bool changed = false;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (err)
        return err;
    if (add && (t->merged_into || t->hidden_reason))
        return error_conflict(req->arena, NULL, "closed_topic",
                              t->merged_into ? "该议题已合并到其他议题，请支持合并后的议题"
                                             : "该议题已被隐藏");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_topic_support(req->store, req->arena, t->id, req->user->id, add, time_now_ms(),
                              &changed);
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, add && changed ? 201 : 200, t->id);
}

static Error *votes_handle_support_add(Request *req, Response *res)
{
    return support(req, res, true);
}

static Error *votes_handle_support_del(Request *req, Response *res)
{
    return support(req, res, false);
}

static Error *votes_handle_comment(Request *req, Response *res)
{
    static const char *const fields[] = { "text", NULL };
    const char *text = NULL;
    int64_t cid = 0;
    Topic *t;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "text", true, 1, 1000, &text);
    if (err)
        return err;
    if (t->merged_into)
        return error_conflict(req->arena, NULL, "closed_topic", "该议题已合并到其他议题，请在合并后的议题下评论");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_topic_comment_add(req->store, req->arena, t->id, req->user->id,
                                  user_name(req->user), text, time_now_ms(), &cid);
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, 201, t->id);
}

/* {"reason"}: hides a topic (staff); {"reason": null} shows it again. */
static Error *votes_handle_topic_hide(Request *req, Response *res)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    int64_t now = time_now_ms();
    Topic *t;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (!err)
        err = require_manage(req, t->community);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err && !json_object_get(body, "reason"))
        err = error_invalid(req->arena, "reason", "missing_field",
                            "请写明隐藏的原因（reason），如“含个人信息”“与本社区无关”；恢复显示时为 null");
    if (!err)
        err = request_field_string(req, body, "reason", false, 2, 200, &reason);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_topic_hide(req->store, req->arena, t->id, reason, now);
    if (!err)
        err = votes_topic_step(req->store, req->arena, t->id, reason ? "hidden" : "shown", NULL,
                               reason, 0, req->user->id, now);
    if (!err)
        err = audit_record(req, reason ? "topic.hide" : "topic.show", "topic", t->id, t->community,
                           reason ? json_pack("{s:s}", "reason", reason) : NULL);
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, 200, t->id);
}

static Error *votes_handle_comment_hide(Request *req, Response *res)
{
    static const char *const fields[] = { "reason", NULL };
    const char *reason = NULL;
    int64_t cid, topic_id = 0;
    Topic *t = NULL;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &cid);
    if (!err)
        err = votes_topic_comment_topic(req->store, req->arena, cid, &topic_id);
    if (!err && topic_id)
        err = votes_topic_get(req->store, req->arena, topic_id, &t);
    if (err)
        return err;
    if (!t || !auth_covers(req->user, t->community))
        return error_not_found(req->arena, "id", "找不到该评论");
    err = require_manage(req, t->community);
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
    err = votes_topic_comment_hide(req->store, req->arena, cid, reason);
    if (!err)
        err = audit_record(req, "topic.comment_hide", "topic", t->id, t->community,
                           json_pack("{s:I, s:s}", "comment_id", (json_int_t)cid, "reason", reason));
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, 200, t->id);
}

static Error *votes_handle_topic_merge(Request *req, Response *res)
{
    static const char *const fields[] = { "into", "note", NULL };
    const char *note = NULL;
    int64_t into = 0, now = time_now_ms();
    bool present;
    Topic *t, *target = NULL;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (!err)
        err = require_manage(req, t->community);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "into", true, 1, INT64_MAX, &into, &present);
    if (!err)
        err = request_field_string(req, body, "note", false, 0, 200, &note);
    if (!err)
        err = votes_topic_get(req->store, req->arena, into, &target);
    if (err)
        return err;
    if (!target || into == t->id || strcmp(target->community, t->community) != 0)
        return error_invalid(req->arena, "into", "unknown_topic", "只能合并到本社区的另一个议题");
    if (target->merged_into)
        return error_invalid(req->arena, "into", "merged_topic", "目标议题本身已被合并，请合并到最终的议题");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_topic_merge(req->store, req->arena, t->id, into, now);
    if (!err)
        err = votes_topic_step(req->store, req->arena, t->id, "merged", NULL, note, into,
                               req->user->id, now);
    if (!err)
        err = audit_record(req, "topic.merge", "topic", t->id, t->community,
                           json_pack("{s:I}", "into", (json_int_t)into));
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, 200, t->id);
}

/* {"state": the next one, "note"?, "vote_id"? (表决)}: one step forward, recorded. */
static Error *votes_handle_topic_state(Request *req, Response *res)
{
    static const char *const fields[] = { "state", "note", "vote_id", NULL };
    const char *state = NULL, *note = NULL;
    int64_t vote_id = 0, now = time_now_ms();
    TopicState from = TOPIC_COLLECTING, to;
    bool present;
    Topic *t;
    Vote *v = NULL;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (!err)
        err = require_manage(req, t->community);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "state", true, 1, 20, &state);
    if (!err && !votes_topic_state_parse(state, &to))
        err = error_invalid(req->arena, "state", "invalid_option",
                            "阶段（state）应为 consulting（协商）、voting（表决）、publicity（公示）、"
                            "implementing（实施）或 done（完结）");
    if (!err)
        err = request_field_string(req, body, "note", false, 0, 500, &note);
    if (!err)
        err = request_field_int(req, body, "vote_id", false, 1, INT64_MAX, &vote_id, &present);
    if (!err && vote_id)
        err = votes_store_get(req->store, req->arena, vote_id, &v);
    if (err)
        return err;
    votes_topic_state_parse(t->state, &from);
    if (t->merged_into || t->hidden_reason)
        return error_conflict(req->arena, NULL, "closed_topic", "已合并或已隐藏的议题不能推进");
    if (to != from + 1)
        return error_conflict(req->arena, "state", "invalid_transition",
                              arena_sprintf(req->arena, "议题现在处于“%s”阶段，下一步只能是“%s”",
                                            votes_topic_state_label(from),
                                            from + 1 < _TOPIC_STATE_MAX
                                                ? votes_topic_state_label(from + 1)
                                                : "（已完结）"));
    if (vote_id && (!v || strcmp(v->community, t->community) != 0 || to != TOPIC_VOTING))
        return error_invalid(req->arena, "vote_id", "unknown_vote",
                             "进入表决阶段时可关联本社区的一个表决（vote_id）");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_topic_set_state(req->store, req->arena, t->id, t->state, state, vote_id, now);
    if (!err)
        err = votes_topic_step(req->store, req->arena, t->id, "state", state, note, vote_id,
                               req->user->id, now);
    if (!err)
        err = audit_record(req, "topic.state", "topic", t->id, t->community,
                           json_pack("{s:s, s:s}", "from", t->state, "to", state));
    err = votes_finish(req, err);
    if (err)
        return err;
    return topic_page(req, res, 200, t->id);
}

/* ---- meetings ---- */

static const char *meeting_checkin_url(Request *req, const Meeting *m);

static Error *meeting_page(Request *req, Response *res, int status, int64_t id)
{
    Meeting *m = NULL;
    json_t *people = json_array(), *out;
    Error *err;

    err = votes_meeting_get(req->store, req->arena, id, &m);
    if (!err && !m)
        err = error_not_found(req->arena, "id", "找不到该议事会");
    if (!err)
        err = votes_meeting_participants(req->store, req->arena, id, people);
    if (err) {
        json_decref(people);
        return err;
    }
    out = json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                                   "id", (json_int_t)m->id, "topic_id", (json_int_t)m->topic_id,
                                   "community", m->community, "starts_at",
                                   time_format_rfc3339(req->arena, m->starts_at), "ends_at",
                                   votes_time_json(req->arena, m->ends_at), "place", m->place,
                                   "room",
                                   m->room_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)m->room_id,
                                                          "name", m->room_name)
                                              : json_null(),
                                   "booking_id",
                                   m->booking_id ? json_integer(m->booking_id) : json_null(),
                                   "minutes", json_string_or_null(m->minutes), "decisions",
                                   json_string_or_null(m->decisions), "minutes_at",
                                   votes_time_json(req->arena, m->minutes_at), "participants",
                                   people);
    /* what the sign-in QR code opens, for those who print it */
    json_object_set_new(out, "checkin_url",
                        votes_may_manage(req->user, m->community) && m->checkin_token
                            ? json_string(meeting_checkin_url(req, m))
                            : json_null());
    return response_json(res, status, out);
}

static Error *load_meeting(Request *req, bool manage, Meeting **ret)
{
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_meeting_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || !votes_may_read(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该议事会，或其不在您的管辖范围内");
    return manage ? require_manage(req, (*ret)->community) : NULL;
}

/* A booking error renamed to the meeting's fields: the room's rules name its times, the rest the room. */
static Error *meeting_booking_error(Request *req, Error *err)
{
    if (!err || err->status >= 500)
        return err;
    if (err->status == 409)
        return error_conflict(req->arena, "room_id", err->code,
                              arena_sprintf(req->arena, "该功能室在这段时间已被占用：%s", err->message));
    err->field = err->field && strcmp(err->field, "end") == 0 ? "ends_at"
                 : err->field && strcmp(err->field, "start") == 0 &&
                         strcmp(err->code, "blackout") != 0 ? "starts_at"
                                                            : "room_id";
    return err;
}

/* Inside the meeting's transaction: books @room_id for meeting @m (its place defaults to the room). */
static Error *meeting_book_room(Request *req, Meeting *m, const Topic *t, int64_t now)
{
    BookingInput in;
    Booking *b = NULL;
    Room *room = NULL;
    Error *err;

    err = booking_store_room_get(req->store, req->arena, m->room_id, &room);
    if (err)
        return err;
    if (!room || strcmp(room->community, t->community) != 0)
        return error_invalid(req->arena, "room_id", "unknown_room", "找不到该功能室，或它不属于议题所在的社区");
    err = booking_rules_check(req->arena, &room->rules, m->starts_at, m->ends_at, now);
    if (!err) {
        memset(&in, 0, sizeof(in));
        in.room_id = room->id;
        in.start_ms = m->starts_at;
        in.end_ms = m->ends_at;
        in.purpose = arena_sprintf(req->arena, "议事会：%s", t->title);
        err = booking_store_insert(req->store, req->arena, room, &in, req->user->id, false, now, &b);
    }
    if (err)
        return meeting_booking_error(req, err);
    m->booking_id = b->id;
    m->room_name = room->name;
    if (!m->place)
        m->place = room->name;
    return audit_record(req, "booking.create", "booking", b->id, room->community,
                        json_pack("{s:s}", "for", "meeting"));
}

static Error *votes_handle_meeting_create(Request *req, Response *res)
{
    static const char *const fields[] = { "starts_at", "ends_at", "place", "participants",
                                          "room_id", NULL };
    char token[CRYPTO_TOKEN_CHARS + 1];
    int64_t now = time_now_ms();
    bool present;
    Meeting m;
    Topic *t;
    json_t *body, *people, *x;
    size_t i;
    Error *err;

    memset(&m, 0, sizeof(m));
    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_topic(req, &t);
    if (!err)
        err = require_manage(req, t->community);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = votes_time_field(req, body, "starts_at", true, &m.starts_at);
    if (!err)
        err = votes_time_field(req, body, "ends_at", false, &m.ends_at);
    if (!err)
        err = request_field_int(req, body, "room_id", false, 1, INT64_MAX, &m.room_id, &present);
    if (!err)
        err = request_field_string(req, body, "place", !m.room_id, 2, 100, &m.place);
    if (err)
        return err;
    if (!m.ends_at)
        m.ends_at = m.starts_at + MEETING_DEFAULT_MS;
    if (m.ends_at <= m.starts_at)
        return error_invalid(req->arena, "ends_at", "invalid_range", "结束时间应晚于开始时间");
    people = json_object_get(body, "participants");
    if (people && (!json_is_array(people) || json_array_size(people) > PARTICIPANTS_MAX))
        return error_invalid(req->arena, "participants", "invalid_type",
                             "参加人（participants）应为居民编号的列表，最多 200 人");
    json_array_foreach(people, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) <= 0)
            return error_invalid(req->arena, arena_sprintf(req->arena, "participants[%zu]", i),
                                 "invalid_type", "参加人应为居民编号");
    }
    crypto_token_new(token);
    m.checkin_token = token;
    m.topic_id = t->id;
    m.community = t->community;
    m.created_by = req->user->id;
    m.created_at = now;
    request_end_read(req);
    if (m.room_id) {
        /* no-shows first give their time back, as before any booking */
        err = booking_sweep(req, now);
        if (!err)
            err = store_begin_keyed(req->store, req->arena, STORE_LOCK_ROOM, m.room_id);
    } else {
        err = store_begin(req->store, req->arena);
    }
    if (err)
        return err;
    if (m.room_id)
        err = meeting_book_room(req, &m, t, now);
    if (!err)
        err = votes_meeting_insert(req->store, req->arena, &m);
    json_array_foreach(people, i, x) {
        if (!err)
            err = votes_meeting_invite(req->store, req->arena, m.id, t->community,
                                       json_integer_value(x),
                                       arena_sprintf(req->arena, "participants[%zu]", i));
    }
    if (!err)
        err = votes_topic_step(req->store, req->arena, t->id, "meeting", NULL,
                               arena_sprintf(req->arena, "%s %s",
                                             time_format_rfc3339(req->arena, m.starts_at), m.place),
                               m.id, req->user->id, m.created_at);
    if (!err)
        err = audit_record(req, "meeting.create", "meeting", m.id, t->community,
                           m.room_id ? json_pack("{s:I, s:I, s:I}", "topic_id", (json_int_t)t->id,
                                                 "room_id", (json_int_t)m.room_id, "booking_id",
                                                 (json_int_t)m.booking_id)
                                     : json_pack("{s:I}", "topic_id", (json_int_t)t->id));
    err = votes_finish(req, err);
    if (err)
        return err;
    return meeting_page(req, res, 201, m.id);
}

static Error *votes_handle_meeting_get(Request *req, Response *res)
{
    Meeting *m;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_meeting(req, false, &m);
    if (err)
        return err;
    return meeting_page(req, res, 200, m->id);
}

static Error *votes_handle_meeting_attend(Request *req, Response *res)
{
    static const char *const fields[] = { "resident_id", "attended", NULL };
    int64_t rid = 0;
    bool present;
    Meeting *m;
    json_t *body, *att;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_meeting(req, true, &m);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "resident_id", true, 1, INT64_MAX, &rid, &present);
    if (err)
        return err;
    att = json_object_get(body, "attended");
    if (att && !json_is_boolean(att))
        return error_invalid(req->arena, "attended", "invalid_type", "是否出席（attended）应为 true 或 false");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_meeting_attend(req->store, req->arena, m->id, rid, !att || json_is_true(att),
                               req->user->id, time_now_ms());
    err = votes_finish(req, err);
    if (err)
        return err;
    return meeting_page(req, res, 200, m->id);
}

static Error *votes_handle_meeting_minutes(Request *req, Response *res)
{
    static const char *const fields[] = { "minutes", "decisions", NULL };
    const char *minutes = NULL, *decisions = NULL;
    int64_t now = time_now_ms();
    Meeting *m;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_meeting(req, true, &m);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "minutes", true, 10, 20000, &minutes);
    if (!err)
        err = request_field_string(req, body, "decisions", false, 0, TEXT_MAX, &decisions);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_meeting_minutes(req->store, req->arena, m->id, minutes, decisions ? decisions : "",
                                now);
    if (!err)
        err = votes_topic_step(req->store, req->arena, m->topic_id, "minutes", NULL,
                               decisions ? decisions : "", m->id, req->user->id, now);
    if (!err)
        err = audit_record(req, "meeting.minutes", "meeting", m->id, m->community, NULL);
    err = votes_finish(req, err);
    if (err)
        return err;
    return meeting_page(req, res, 200, m->id);
}

/* @a and @b equal, in time independent of where they differ. */
static bool token_equal(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    unsigned char diff = n != m;

    for (size_t i = 0; i < n && i < m; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* What the meeting's QR code opens: the H5 sign-in page with its token. */
static const char *meeting_checkin_url(Request *req, const Meeting *m)
{
    return arena_sprintf(req->arena, "%s/h5/#/meetings/%lld/checkin?t=%s", booking_base_url(req),
                         (long long)m->id, m->checkin_token);
}

static Error *votes_handle_meeting_qr(Request *req, Response *res)
{
    const char *png;
    size_t len;
    Meeting *m;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_meeting(req, true, &m);
    if (!err && !m->checkin_token) {
        /* a meeting from before schema 31 gets its token now */
        request_end_read(req);
        err = store_begin(req->store, req->arena);
        if (!err)
            err = votes_finish(req, votes_meeting_token(req->store, req->arena, m));
    }
    if (err)
        return err;
    png = qr_poster_png(req->arena, meeting_checkin_url(req, m), "议事会签到",
                        arena_sprintf(req->arena, "%s · %s", m->place,
                                      booking_time_text(req->arena, m->starts_at, TIME_OFFSET_SHANGHAI)),
                        &len);
    if (!png)
        return error_internal(req->arena, "cannot draw the sign-in code of meeting %lld",
                              (long long)m->id);
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"meeting-%lld.png\"", (long long)m->id));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, "image/png", png, len);
}

static Error *votes_handle_meeting_checkin(Request *req, Response *res)
{
    static const char *const fields[] = { "token", NULL };
    const char *token = NULL;
    int64_t id, rid = 0, now = time_now_ms();
    bool walk_in = false;
    Meeting *m = NULL;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "token", true, 1, 100, &token);
    if (!err)
        err = votes_meeting_get(req->store, req->arena, id, &m);
    if (err)
        return err;
    /* the token is the proof of being in the room: without it the meeting is not named */
    if (!m || !m->checkin_token || !token_equal(m->checkin_token, token))
        return error_invalid(req->arena, "token", "bad_token",
                             "签到码无效，请重新扫描会场的二维码");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_meeting_checkin(req->store, req->arena, m, req->user->id, req->user->household_id,
                                now, &rid, &walk_in);
    if (!err)
        err = audit_record(req, "meeting.checkin", "meeting", m->id, m->community,
                           json_pack("{s:I, s:b}", "resident_id", (json_int_t)rid, "walk_in",
                                     walk_in));
    err = votes_finish(req, err);
    if (err)
        return err;
    return response_json(res, 200,
                         json_pack("{s:I, s:I, s:s, s:s, s:I, s:b, s:b}", "meeting_id",
                                   (json_int_t)m->id, "topic_id", (json_int_t)m->topic_id, "place", m->place,
                                   "starts_at", time_format_rfc3339(req->arena, m->starts_at),
                                   "resident_id", (json_int_t)rid, "attended", true, "walk_in",
                                   walk_in));
}

/* ---- photos ---- */

/* A topic's photos are for its community to see: kept as they came, not sealed. */
static const char *topic_photo_dir(Request *req)
{
    return photo_dir(req->arena, req->app->cfg->files_base, "topics");
}

static Error *votes_handle_topic_photo_upload(Request *req, Response *res)
{
    PhotoFile pf;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (err)
        return err;
    if (req->body_len == 0)
        return error_invalid(req->arena, "photo", "empty_photo", "请上传照片（请求体为图片本身）");
    err = photo_save(req->arena, NULL, topic_photo_dir(req), "photo", req->body, req->body_len,
                     TOPIC_PHOTO_MAX_BYTES, &pf);
    if (err)
        return err;
    err = votes_topic_photo_insert(req->store, req->arena, req->user->id, pf.file, pf.mime,
                                   pf.size, time_now_ms(), &id);
    if (err) {
        unlink(pf.path);
        return err;
    }
    return response_json(res, 201,
                         json_pack("{s:I, s:s}", "id", (json_int_t)id, "url",
                                   arena_sprintf(req->arena, "/api/v1/topic-photos/%lld",
                                                 (long long)id)));
}

/* To those who may see its topic (a hidden one's: its author and staff); untaken, to its uploader. */
static Error *votes_handle_topic_photo_get(Request *req, Response *res)
{
    TopicPhoto p;
    Topic *t = NULL;
    int64_t id;
    bool ok;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_topic_photo_get(req->store, req->arena, id, &p);
    if (!err && p.topic_id)
        err = votes_topic_get(req->store, req->arena, p.topic_id, &t);
    if (err)
        return err;
    if (!p.id)
        ok = false;
    else if (!t)
        ok = p.uploader_id == req->user->id;
    else
        ok = votes_may_read(req->user, t->community) &&
             (!t->hidden_reason || votes_may_manage(req->user, t->community) ||
              t->created_by == req->user->id);
    if (!ok)
        return error_not_found(req->arena, "id", "找不到该照片，或您无权查看");
    return response_photo(req, res, NULL, topic_photo_dir(req), p.file, p.mime);
}

void votes_topic_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/topics", votes_handle_topic_list, 0);
    router_add(r, "POST", "/api/v1/topics", votes_handle_topic_create, 0);
    router_add(r, "GET", "/api/v1/topics/{id}", votes_handle_topic_get, 0);
    router_add(r, "POST", "/api/v1/topics/{id}/support", votes_handle_support_add, 0);
    router_add(r, "DELETE", "/api/v1/topics/{id}/support", votes_handle_support_del, 0);
    router_add(r, "POST", "/api/v1/topics/{id}/comments", votes_handle_comment, 0);
    router_add(r, "POST", "/api/v1/topics/{id}/hide", votes_handle_topic_hide, 0);
    router_add(r, "POST", "/api/v1/topics/{id}/merge", votes_handle_topic_merge, 0);
    router_add(r, "POST", "/api/v1/topics/{id}/state", votes_handle_topic_state, 0);
    router_add(r, "POST", "/api/v1/topics/{id}/meetings", votes_handle_meeting_create, 0);
    router_add(r, "POST", "/api/v1/topic-comments/{id}/hide", votes_handle_comment_hide, 0);
    router_add(r, "POST", "/api/v1/topic-photos", votes_handle_topic_photo_upload, ROUTE_FILE_BODY);
    router_add(r, "GET", "/api/v1/topic-photos/{id}", votes_handle_topic_photo_get, 0);
    router_add(r, "GET", "/api/v1/meetings/{id}", votes_handle_meeting_get, 0);
    router_add(r, "POST", "/api/v1/meetings/{id}/attendance", votes_handle_meeting_attend, 0);
    router_add(r, "POST", "/api/v1/meetings/{id}/minutes", votes_handle_meeting_minutes, 0);
    router_add(r, "GET", "/api/v1/meetings/{id}/qr.png", votes_handle_meeting_qr, 0);
    router_add(r, "POST", "/api/v1/meetings/{id}/checkin", votes_handle_meeting_checkin, 0);
}
