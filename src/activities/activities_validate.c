/*
 * Activities' request bodies -> ActivityInput (POST and PUT
 * /api/v1/activities), each error naming its field in Chinese.
 */
#include <stdlib.h>
#include <string.h>

#include "activities/activities_routes.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "core/banned.h"

#define TITLE_MAX 60
#define BODY_MAX 4000
#define PLACE_MAX 100
#define TAG_MAX 20

/* A time field in RFC 3339 with an offset: absent and optional leaves *ret. */
Error *activities_time_field(Request *req, json_t *body, const char *name, bool required,
                             int64_t *ret)
{
    json_t *v = json_object_get(body, name);

    if (!v || json_is_null(v)) {
        if (!required)
            return NULL;
        return error_invalid(req->arena, name, "missing_field",
                             arena_sprintf(req->arena, "缺少必填字段“%s”", name));
    }
    if (!json_is_string(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为 RFC 3339 时间文本", name));
    if (!time_parse_rfc3339(json_string_value(v), ret, NULL))
        return error_invalid(req->arena, name, "invalid_time",
                             "时间应为带时区的 RFC 3339 格式，如 2026-11-24T14:00:00+08:00");
    return NULL;
}

static Error *bool_field(Request *req, json_t *body, const char *name, bool *ret)
{
    json_t *v = json_object_get(body, name);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_boolean(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为 true 或 false", name));
    *ret = json_is_true(v);
    return NULL;
}

/* "tags": an array of short texts, stored as JSON. */
static Error *tags_field(Request *req, json_t *body, const char **ret)
{
    json_t *v = json_object_get(body, "tags"), *t;
    size_t i;
    char *s;

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v))
        return error_invalid(req->arena, "tags", "invalid_type", "“tags”应为文本数组，如 [\"老年人\"]");
    if (json_array_size(v) > ACTIVITIES_MAX_TAGS)
        return error_invalid(req->arena, "tags", "too_many",
                             arena_sprintf(req->arena, "人群标签最多 %d 个", ACTIVITIES_MAX_TAGS));
    json_array_foreach (v, i, t) {
        const char *field = arena_sprintf(req->arena, "tags[%zu]", i);
        size_t n;

        if (!json_is_string(t))
            return error_invalid(req->arena, field, "invalid_type", "人群标签应为文本");
        n = utf8_length(json_string_value(t));
        if (n < 1 || n > TAG_MAX || !request_text_ok(json_string_value(t)))
            return error_invalid(req->arena, field, "invalid_length",
                                 arena_sprintf(req->arena, "人群标签应为 1 到 %d 个字", TAG_MAX));
    }
    s = json_dumps(v, JSON_COMPACT);
    *ret = arena_strdup(req->arena, s);
    free(s);
    return NULL;
}

/* "sessions": [{"start","end"}], in order, not overlapping, within [start, end]. */
static Error *sessions_field(Request *req, json_t *body, ActivityInput *in)
{
    static const char *const fields[] = { "start", "end", NULL };
    json_t *v = json_object_get(body, "sessions"), *x;
    size_t i;
    Error *err;

    if (!v || json_is_null(v)) {
        in->sessions[0].start = in->start;
        in->sessions[0].end = in->end;
        in->n_sessions = 1;
        return NULL;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return error_invalid(req->arena, "sessions", "invalid_type",
                             "“sessions”应为课程各节的时间数组，至少一节");
    if (json_array_size(v) > ACTIVITIES_MAX_SESSIONS)
        return error_invalid(req->arena, "sessions", "too_many",
                             arena_sprintf(req->arena, "课程最多 %d 节", ACTIVITIES_MAX_SESSIONS));
    in->n_sessions = 0;
    json_array_foreach (v, i, x) {
        ActivitySessionInput *s = &in->sessions[in->n_sessions];
        const char *prefix = arena_sprintf(req->arena, "sessions[%zu]", i);

        if (!json_is_object(x))
            return error_invalid(req->arena, prefix, "invalid_type", "每节课应为 {\"start\",\"end\"}");
        err = request_reject_unknown(req, x, fields);
        if (!err)
            err = activities_time_field(req, x, "start", true, &s->start);
        if (!err)
            err = activities_time_field(req, x, "end", true, &s->end);
        if (err) {
            err->field = arena_sprintf(req->arena, "%s.%s", prefix, err->field ? err->field : "");
            return err;
        }
        if (s->end <= s->start)
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.end", prefix),
                                 "invalid_range", "每节课的结束时间应晚于开始时间");
        if (s->start < in->start || s->end > in->end)
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.start", prefix),
                                 "outside_activity", "每节课都应在活动的开始和结束时间之内");
        if (in->n_sessions > 0 && s->start < in->sessions[in->n_sessions - 1].end)
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.start", prefix),
                                 "sessions_overlap", "各节课应按时间先后排列，且不能重叠");
        in->n_sessions++;
    }
    return NULL;
}

Error *activities_parse(Request *req, bool create, ActivityInput *in)
{
    static const char *const create_fields[] = {
        "community", "title",    "kind",         "start",         "end",          "capacity",
        "body",      "place",    "room_id",      "age_min",       "age_max",      "tags",
        "waitlist",  "walk_in",  "signup_opens", "signup_closes", "cancel_until", "sessions",
        NULL
    };
    static const char *const fixed[] = { "community", "kind", "start", "end", "room_id",
                                         "sessions",  NULL };
    const char *kind = NULL;
    int64_t age_min = in->age_min, age_max = in->age_max;
    bool present = false;
    json_t *body;
    Error *err;

    err = request_json_fields(req, create_fields, &body);
    if (err)
        return err;
    if (!create)
        for (int i = 0; fixed[i]; i++)
            if (json_object_get(body, fixed[i]))
                return error_invalid(req->arena, fixed[i], "not_editable",
                                     "活动的社区、类型、时间和场地发布后不能修改；请取消后重新发布");
    if (create) {
        err = request_field_string(req, body, "community", true, 12, 12, &in->community);
        if (!err)
            err = validate_division_code(req->arena, "community", in->community, &in->community);
        if (!err && strlen(in->community) != 12)
            err = error_invalid(req->arena, "community", "invalid_community", "请填写 12 位社区代码");
        if (!err)
            err = request_field_string(req, body, "kind", true, 1, 20, &kind);
        if (!err && !activities_kind_parse(kind, &in->kind))
            err = error_invalid(req->arena, "kind", "invalid_kind",
                                "活动类型应为 volunteer（志愿服务）、course（公益课程）、"
                                "market（便民集市）、sports（文体活动）或 civic（议事/宣传）");
        if (!err)
            err = activities_time_field(req, body, "start", true, &in->start);
        if (!err)
            err = activities_time_field(req, body, "end", true, &in->end);
        if (!err && in->end <= in->start)
            err = error_invalid(req->arena, "end", "invalid_range", "结束时间应晚于开始时间");
        if (!err && in->end - in->start > 366LL * 24 * 3600 * 1000)
            err = error_invalid(req->arena, "end", "invalid_range", "一个活动最长一年");
        if (!err)
            err = request_field_int(req, body, "room_id", false, 1, INT64_MAX, &in->room_id, NULL);
        if (!err)
            err = sessions_field(req, body, in);
        if (err)
            return err;
    }
    if (create || json_object_get(body, "title"))
        err = request_field_string(req, body, "title", true, 2, TITLE_MAX, &in->title);
    if (!err)
        err = request_field_int(req, body, "capacity", create, 1, ACTIVITIES_MAX_CAPACITY,
                                &in->capacity, NULL);
    if (!err && json_object_get(body, "body")) {
        const char *s = NULL;

        err = request_field_string(req, body, "body", false, 0, BODY_MAX, &s);
        in->body = s ? s : "";
    }
    if (!err && json_object_get(body, "place")) {
        const char *s = NULL;

        err = request_field_string(req, body, "place", false, 0, PLACE_MAX, &s);
        in->place = s ? s : "";
    }
    if (!err && json_object_get(body, "age_min")) {
        age_min = -1;
        err = request_field_int(req, body, "age_min", false, 0, 150, &age_min, &present);
    }
    if (!err && json_object_get(body, "age_max")) {
        age_max = -1;
        err = request_field_int(req, body, "age_max", false, 0, 150, &age_max, &present);
    }
    if (!err && age_min >= 0 && age_max >= 0 && age_max < age_min)
        err = error_invalid(req->arena, "age_max", "invalid_range", "年龄上限不能小于下限");
    if (!err)
        err = tags_field(req, body, &in->tags_json);
    if (!err)
        err = bool_field(req, body, "waitlist", &in->waitlist);
    if (!err)
        err = bool_field(req, body, "walk_in", &in->walk_in);
    if (!err && json_object_get(body, "signup_opens")) {
        in->signup_opens = 0;
        err = activities_time_field(req, body, "signup_opens", false, &in->signup_opens);
    }
    if (!err && create)
        in->signup_closes = in->cancel_until = in->start;
    if (!err)
        err = activities_time_field(req, body, "signup_closes", false, &in->signup_closes);
    if (!err)
        err = activities_time_field(req, body, "cancel_until", false, &in->cancel_until);
    if (err)
        return err;
    in->age_min = (int)age_min;
    in->age_max = (int)age_max;
    if (in->signup_closes > in->end)
        return error_invalid(req->arena, "signup_closes", "invalid_range",
                             "报名截止时间不能晚于活动结束时间");
    if (in->signup_opens && in->signup_opens >= in->signup_closes)
        return error_invalid(req->arena, "signup_opens", "invalid_range",
                             "报名开始时间应早于报名截止时间");
    if (in->cancel_until > in->end)
        return error_invalid(req->arena, "cancel_until", "invalid_range",
                             "取消报名的截止时间不能晚于活动结束时间");
    if (!in->body)
        in->body = "";
    if (!in->place)
        in->place = "";
    if (!in->tags_json)
        in->tags_json = "[]";
    return NULL;
}
