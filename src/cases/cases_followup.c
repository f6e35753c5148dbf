/*
 * What a reporter may do while her case is open: add information (补充:
 * text and photos) and urge it (催办, once a Beijing calendar day; a second
 * urge the same day is 429). Each is a step that leaves the state as it is,
 * written with its audit entry and a notice to whoever works on the case
 * now, in one write transaction.
 */
#include <math.h>
#include <stdlib.h>
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

/* ?@name= as degrees in [@min, @max]: required, a plain decimal number. */
static Error *query_degrees(Request *req, const char *name, double min, double max, double *ret)
{
    const char *q = request_query(req, name);
    char *end = NULL;
    double v;

    if (!q || !*q)
        return error_bad_request(req->arena, name, "missing_query",
                                 arena_sprintf(req->arena, "请提供参数“%s”（十进制度数）", name));
    v = strtod(q, &end);
    if (*end || !isfinite(v) || v < min || v > max)
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "参数“%s”应为 %g 到 %g 之间的度数", name,
                                               min, max));
    *ret = v;
    return NULL;
}

static int by_distance(const void *x, const void *y)
{
    const CaseNearby *a = x, *b = y;

    return (a->distance_m > b->distance_m) - (a->distance_m < b->distance_m);
}

/*
 * GET /cases/nearby?lat=&long=&radius=&community=: the open reports within
 * @radius metres (default 300, at most 2000) of a point, nearest first, at
 * most 20, so that a reporter sees them before she sends a new one. A
 * resident sees each one's category, place, state and time, not others'
 * descriptions; workers see the start of the description too.
 */
static Error *cases_handle_nearby(Request *req, Response *res)
{
    const char *community = NULL;
    double lat = 0, lon = 0, dlat, dlon;
    int64_t radius = 300;
    bool worker;
    CaseNearby *items = NULL;
    size_t n = 0, kept = 0;
    json_t *arr;
    Error *err;

    err = auth_require(req, ROLES_CASES_REPORT | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = query_degrees(req, "lat", -90, 90, &lat);
    if (!err)
        err = query_degrees(req, "long", -180, 180, &lon);
    if (!err)
        err = request_query_int(req, "radius", 300, 10, 2000, &radius);
    if (!err)
        err = cases_query_community(req, &community);
    if (err)
        return err;
    worker = req->user->role != ROLE_RESIDENT;
    dlat = (double)radius / 111000.0;
    dlon = dlat / fmax(cos(lat * 3.14159265358979323846 / 180.0), 0.01);
    err = cases_store_nearby(req->store, req->arena, community, lat - dlat, lat + dlat, lon - dlon,
                             lon + dlon, &items, &n);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        items[i].distance_m = case_distance_m(lat, lon, items[i].lat, items[i].lon);
        if (items[i].distance_m <= (double)radius)
            items[kept++] = items[i];
    }
    qsort(items, kept, sizeof(*items), by_distance);
    arr = json_array();
    for (size_t i = 0; i < kept && i < 20; i++) {
        const CaseNearby *x = &items[i];
        bool mine = x->reporter_id == req->user->id;
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:f, s:f, s:i, s:b}", "id",
                              (json_int_t)x->id, "category_name", x->category_name, "place",
                              x->place, "state", case_state_name(x->state), "state_label",
                              case_state_label(x->state), "created_at",
                              cases_time_json(req->arena, x->created_at), "lat", x->lat, "long",
                              x->lon, "distance_m", (int)lround(x->distance_m), "mine", mine);

        json_object_set_new(o, "description",
                            json_string_or_null(worker || mine ? x->description : NULL));
        json_array_append_new(arr, o);
    }
    return response_json(res, 200, json_pack("{s:o, s:s, s:I, s:I}", "items", arr, "community",
                                             community, "radius", (json_int_t)radius, "total",
                                             (json_int_t)kept));
}

void cases_followup_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/cases/nearby", cases_handle_nearby, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/supplement", cases_handle_supplement, 0);
    router_add(r, "POST", "/api/v1/cases/{id}/urge", cases_handle_urge, 0);
}
