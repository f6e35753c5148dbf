/*
 * What a reporter may do while her case is open: add information (补充:
 * text and photos) and urge it (催办, once a Beijing calendar day; a second
 * urge the same day is 429). Each is a step that leaves the state as it is,
 * written with its audit entry and a notice to whoever works on the case
 * now, in one write transaction.
 */
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

/* Her open case, or 403/404/409. */
static Error *reporter_case(Request *req, const char *what, Case **ret)
{
    unsigned bits = 0;
    Error *err;

    err = auth_require(req, ROLES_CASES_READ);
    if (!err)
        err = cases_visible_case(req, false, ret, &bits);
    if (err)
        return err;
    if (!(bits & ACTOR_REPORTER))
        return error_forbidden(req->arena,
                               arena_sprintf(req->arena, "只有上报人可以%s", what));
    if ((*ret)->state == CASE_CLOSED)
        return error_conflict(req->arena, "state", "case_closed",
                              arena_sprintf(req->arena, "该案件已结案，不能再%s；如问题仍在，请重新上报",
                                            what));
    return NULL;
}

/* The case after the step, as its reporter sees it. */
static Error *respond_case(Request *req, Response *res, int64_t id)
{
    Case *after = NULL;
    Error *err;

    err = cases_store_get(req->store, req->arena, id, true, &after);
    if (err)
        return err;
    if (!after)
        return error_internal(req->arena, "case %lld vanished", (long long)id);
    return response_json(res, 200, cases_out(req, after, true, ACTOR_REPORTER));
}

static Error *cases_handle_supplement(Request *req, Response *res)
{
    static const char *const fields[] = { "text", "photos", NULL };
    int64_t photos[CASES_MAX_PHOTOS], step_id = 0, now = time_now_ms();
    int n_photos = 0;
    const char *text = NULL;
    json_t *body;
    Case *c;
    Error *err;

    err = reporter_case(req, "补充信息", &c);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "text", true, 2, CASES_REPLY_MAX, &text);
    if (!err)
        err = cases_parse_photo_ids(req, body, photos, &n_photos);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_add_step(req->store, req->arena, c->id, "supplement",
                               case_state_name(c->state), req->user->id, req->user->display_name,
                               text, now, &step_id);
    if (!err)
        err = cases_store_attach_photos(req->store, req->arena, c->id, step_id, "supplement",
                                        photos, n_photos, req->user->id);
    if (!err)
        err = cases_notify_handlers(req->store, req->arena, c->id, "case.supplemented",
                                    "居民补充了信息", arena_sprintf(req->arena, "补充：%s", text),
                                    now);
    if (!err)
        err = audit_record(req, "case.supplement", "case", c->id, c->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return respond_case(req, res, c->id);
}

static Error *cases_handle_urge(Request *req, Response *res)
{
    static const char *const fields[] = { "note", NULL };
    int64_t now = time_now_ms(), day;
    int minute;
    char day_text[11];
    const char *note = NULL;
    json_t *body;
    Case *c;
    Error *err;

    err = reporter_case(req, "催办", &c);
    if (err)
        return err;
    if (req->body_len > 0) {
        err = request_json_fields(req, fields, &body);
        if (!err)
            err = request_field_string(req, body, "note", false, 1, 200, &note);
        if (err)
            return err;
    }
    time_local(now, TIME_OFFSET_SHANGHAI, &day, &minute);
    time_format_date(day_text, day);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = cases_store_urge(req->store, req->arena, c->id, req->user->id, day_text, now);
    if (!err)
        err = cases_store_add_step(req->store, req->arena, c->id, "urge",
                                   case_state_name(c->state), req->user->id,
                                   req->user->display_name, note, now, NULL);
    if (!err)
        err = cases_notify_handlers(req->store, req->arena, c->id, "case.urged", "居民催办",
                                    note ? arena_sprintf(req->arena, "居民催办：%s", note)
                                         : "居民催办，请尽快处理",
                                    now);
    if (!err)
        err = audit_record(req, "case.urge", "case", c->id, c->community, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return respond_case(req, res, c->id);
}

void cases_followup_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/cases/{id}/supplement", cases_handle_supplement, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/urge", cases_handle_urge, 0);
}
