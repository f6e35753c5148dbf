/*
 * Cases, steps, categories, units, routes and dashboard rows as JSON. Times
 * are RFC 3339 in Beijing time; absent times are null.
 */
#include <string.h>

#include "cases/cases.h"
#include "core/timeutil.h"
#include "http/response.h"
#include "core/banned.h"

json_t *cases_time_json(Arena *a, int64_t ms)
{
    return ms ? json_string(time_format_rfc3339_at(a, ms, TIME_OFFSET_SHANGHAI)) : json_null();
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer((json_int_t)id) : json_null();
}

/* The label of a step: a workflow action, or one of the steps the system records. */
static const char *step_label(const char *action)
{
    static const char *const extra[][2] = {
        { "report", "上报" }, { "reopen", "重启（转社区书记）" },
        { "escalate", "超期上报街道" }, { "merged_from", "他案并入" },
        { "supplement", "居民补充" }, { "urge", "居民催办" },
    };
    const CaseTransition *t = case_transition_find(action);

    if (t)
        return t->label;
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        if (strcmp(action, extra[i][0]) == 0)
            return extra[i][1];
    return action;
}

static json_t *steps_json(Arena *a, const Case *c)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < c->n_steps; i++) {
        const CaseStep *s = &c->steps[i];
        CaseState to;
        const char *label = step_label(s->action);
        json_t *o;

        o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o}",
                      "id", (json_int_t)s->id, "action", s->action, "action_label", label,
                      "from_state", json_string_or_null(s->from_state), "to_state",
                      s->to_state, "to_state_label",
                      case_state_parse(s->to_state, &to) ? case_state_label(to) : "",
                      "actor_id", id_or_null(s->actor_id), "actor_name", s->actor_name,
                      "unit_id", id_or_null(s->unit_id), "unit_name",
                      json_string_or_null(s->unit_name), "reason",
                      json_string_or_null(s->reason), "at", cases_time_json(a, s->at));
        json_object_set_new(o, "actor_role",
                            json_string_or_null(s->actor_id ? s->actor_role : NULL));
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *cases_json(Arena *a, const Case *c, bool full, bool contact, unsigned actions)
{
    json_t *acts = json_array();
    json_t *o;

    for (int i = 0; i < _CASE_ACTION_MAX; i++)
        if (actions & (1u << i))
            json_array_append_new(acts, json_string(case_transition((CaseAction)i)->name));
    o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                  "id", (json_int_t)c->id, "community", c->community,
                  "category", c->category_code, "category_name", c->category_name,
                  "category_id", (json_int_t)c->category_id, "description", c->description,
                  "building_id", id_or_null(c->building_id),
                  "building_name", json_string_or_null(c->building_name),
                  "unit", id_or_null(c->unit_no), "grid_id", id_or_null(c->grid_id),
                  "grid_name", json_string_or_null(c->grid_name),
                  "lat", c->has_point ? json_real(c->lat) : json_null(),
                  "long", c->has_point ? json_real(c->lon) : json_null(),
                  "address", json_string_or_null(c->address));
    json_object_set_new(o, "source", json_string(c->source));
    json_object_set_new(o, "reporter_id", id_or_null(c->reporter_id));
    json_object_set_new(o, "reporter_name", json_string_or_null(contact ? c->reporter_name : NULL));
    json_object_set_new(o, "contact_ok", json_boolean(c->contact_ok));
    json_object_set_new(o, "contact_name", json_string_or_null(contact ? c->contact_name : NULL));
    json_object_set_new(o, "contact_phone",
                        json_string_or_null(contact ? c->contact_phone_masked : NULL));
    json_object_set_new(o, "state", json_string(case_state_name(c->state)));
    json_object_set_new(o, "state_label", json_string(case_state_label(c->state)));
    json_object_set_new(o, "unit_id", id_or_null(c->unit_id));
    json_object_set_new(o, "unit_name", json_string_or_null(c->unit_name));
    json_object_set_new(o, "merged_into", id_or_null(c->merged_into));
    json_object_set_new(o, "last_reason", json_string_or_null(c->last_reason));
    json_object_set_new(o, "created_at", cases_time_json(a, c->created_at));
    json_object_set_new(o, "updated_at", cases_time_json(a, c->updated_at));
    json_object_set_new(o, "respond_due", cases_time_json(a, c->respond_due));
    json_object_set_new(o, "resolve_due", cases_time_json(a, c->resolve_due));
    json_object_set_new(o, "responded_at", cases_time_json(a, c->responded_at));
    json_object_set_new(o, "closed_at", cases_time_json(a, c->closed_at));
    json_object_set_new(o, "overdue", json_boolean(c->overdue));
    json_object_set_new(o, "overdue_respond", json_boolean(c->overdue_respond));
    json_object_set_new(o, "escalated_at", cases_time_json(a, c->escalated_at));
    json_object_set_new(o, "to_secretary", json_boolean(c->to_secretary));
    json_object_set_new(o, "reopen_count", json_integer(c->reopen_count));
    json_object_set_new(o, "rating", json_string_or_null(c->rating));
    json_object_set_new(o, "rating_label", json_string_or_null(case_rating_label(c->rating)));
    json_object_set_new(o, "rating_comment", json_string_or_null(c->rating_comment));
    json_object_set_new(o, "rated_at", cases_time_json(a, c->rated_at));
    json_object_set_new(o, "photo_count", json_integer((json_int_t)c->n_photos));
    json_object_set_new(o, "after_photos_required", json_boolean(c->after_photos_required));
    json_object_set_new(o, "completed_at", cases_time_json(a, c->completed_at));
    json_object_set_new(o, "reply", json_string_or_null(c->reply));
    json_object_set_new(o, "actions", acts);
    if (full) {
        json_t *photos = json_array(), *dups = json_array();

        for (size_t i = 0; i < c->n_photos_list; i++)
            json_array_append_new(
                photos, json_pack("{s:I, s:s, s:s, s:I, s:s, s:o}", "id",
                                  (json_int_t)c->photos[i].id, "url",
                                  arena_sprintf(a, "/api/v1/case-photos/%lld",
                                                (long long)c->photos[i].id),
                                  "mime", c->photos[i].mime, "size",
                                  (json_int_t)c->photos[i].size, "kind",
                                  c->photos[i].kind ? c->photos[i].kind : "report", "step_id",
                                  id_or_null(c->photos[i].step_id)));
        for (size_t i = 0; i < c->n_duplicates; i++)
            json_array_append_new(dups, json_integer((json_int_t)c->duplicates[i]));
        json_object_set_new(o, "photos", photos);
        json_object_set_new(o, "history", steps_json(a, c));
        json_object_set_new(o, "possible_duplicates", dups);
    }
    return o;
}

json_t *cases_category_json(const CaseCategory *c)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:b}", "id",
                     (json_int_t)c->id, "community", c->community, "code", c->code, "name",
                     c->name, "description", c->description ? c->description : "",
                     "respond_hours", c->respond_hours, "resolve_days", c->resolve_days, "sort",
                     c->sort, "active", c->active, "after_photos_required",
                     c->after_photos_required);
}

json_t *cases_unit_json(const CaseUnit *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:I}", "id", (json_int_t)u->id, "community",
                     u->community, "name", u->name, "kind", u->kind, "phone",
                     json_string_or_null(u->phone), "active", u->active, "users",
                     (json_int_t)u->n_users);
}

json_t *cases_route_json(const CaseRoute *r)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:o}", "id", (json_int_t)r->id,
                     "community", r->community, "category_id", id_or_null(r->category_id),
                     "category_name", json_string_or_null(r->category_name), "grid_id",
                     id_or_null(r->grid_id), "grid_name", json_string_or_null(r->grid_name),
                     "unit_id", (json_int_t)r->unit_id, "unit_name",
                     json_string_or_null(r->unit_name));
}

static json_t *rate(int64_t num, int64_t den)
{
    return den ? json_real((double)(num * 10000 / den) / 10000.0) : json_null();
}

json_t *cases_stat_json(const CaseStatRow *r)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                          "key", r->key ? r->key : "", "label", r->label ? r->label : "",
                          "total", (json_int_t)r->total, "open", (json_int_t)r->open,
                          "overdue_open", (json_int_t)r->overdue_open,
                          "response_due", (json_int_t)r->resp_due,
                          "responded_on_time", (json_int_t)r->resp_ok,
                          "resolve_due", (json_int_t)r->res_due,
                          "closed_on_time", (json_int_t)r->res_ok, "rated", (json_int_t)r->rated,
                          "satisfied", (json_int_t)r->satisfied,
                          "basically_satisfied", (json_int_t)r->basically,
                          "unsatisfied", (json_int_t)r->unsatisfied);

    json_object_set_new(o, "response_rate", rate(r->resp_ok, r->resp_due));
    json_object_set_new(o, "on_time_rate", rate(r->res_ok, r->res_due));
    json_object_set_new(o, "satisfaction_rate", rate(r->satisfied + r->basically, r->rated));
    return o;
}

/* The steps a reporter is shown: hers, and those that tell her where her case stands. */
static bool step_public(const char *action)
{
    static const char *const shown[] = { "report", "handle", "complete", "close", "rate",
                                         "reopen", "supplement", "urge", "merge" };

    for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
        if (strcmp(action, shown[i]) == 0)
            return true;
    return false;
}

/* Where the case stands, in the reporter's words. */
static const char *public_label(const Case *c)
{
    switch (c->state) {
    case CASE_HANDLING:
        return c->completed_at ? "处置完成" : "处置中";
    case CASE_VERIFIED:
        return "处置完成";
    case CASE_CLOSED:
        return "已结案";
    case CASE_ON_HOLD:
        return "暂缓办理";
    case CASE_REOPENED:
        return "重新办理中";
    default:
        return "已受理";
    }
}

json_t *cases_progress_json(Arena *a, const Case *c)
{
    bool done = c->completed_at || c->state == CASE_VERIFIED || c->state == CASE_CLOSED;
    int64_t done_at = c->completed_at ? c->completed_at : (done ? c->closed_at : 0);
    json_t *arr = json_array();

    json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:o}", "key", "received", "label",
                                         "已受理", "done", 1, "at",
                                         cases_time_json(a, c->created_at)));
    json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:o}", "key", "handling", "label",
                                         "处置中", "done", c->responded_at != 0 || done, "at",
                                         cases_time_json(a, c->responded_at)));
    json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:o, s:o}", "key", "done", "label",
                                         "处置完成", "done", done, "at",
                                         cases_time_json(a, done_at), "reply",
                                         json_string_or_null(done ? c->reply : NULL)));
    return arr;
}

void cases_json_for_reporter(Arena *a, json_t *o, const Case *c)
{
    json_t *history = json_object_get(o, "history"), *kept;
    bool running = c->state != CASE_CLOSED && c->state != CASE_ON_HOLD;
    size_t i;
    json_t *v;

    json_object_set_new(o, "state_label", json_string(public_label(c)));
    /* the deadline now: none while the clock stands still or once closed */
    json_object_set_new(o, "due", running ? cases_time_json(a, c->resolve_due) : json_null());
    if (!history)
        return;
    kept = json_array();
    json_array_foreach (history, i, v)
        if (step_public(json_string_value(json_object_get(v, "action"))))
            json_array_append(kept, v);
    json_object_set_new(o, "history", kept);
}
