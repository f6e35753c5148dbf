/*
 * Care routes (/api/v1/care/…): validate -> authorize -> store, every
 * write one transaction with its audit entry.
 *
 * Who sees a person in care: the staff and secretary of her community (who
 * also change everything about her), the admins of her street (read),
 * admins, and the helpers paired with her (结对): a grid worker, a
 * volunteer, a neighbour or a relative sees only the people paired with
 * her, and records visits for them. The person herself (her own H5
 * account) and a paired relative press 我很好. Every full view of a person
 * is audited (care.view_full); lists show levels and grades only.
 */
#include <string.h>

#include "audit/audit.h"
#include "care/care.h"
#include "care/care_http.h"
#include "care/care_store.h"
#include "cases/cases.h"
#include "core/photo.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "http/router.h"
#include "core/banned.h"

#define VISITS_SHOWN 100
#define CHECK_DAYS_SHOWN 60
#define FUTURE_SKEW_MS (5 * TIME_MINUTE_MS)

typedef enum CareAccess {
    ACCESS_NONE,
    ACCESS_HELPER, /* paired with her */
    ACCESS_READ,   /* her street's admin */
    ACCESS_MANAGE, /* her community's staff and secretary, admins */
} CareAccess;

static const char *const living_values[] = { "alone", "with_spouse", "with_family", "with_carer",
                                             "other", "unknown", NULL };
static const char *const close_reasons[] = { "moved", "care_home", "deceased", "other", NULL };
static const char *const pair_kinds[] = { "volunteer", "grid_worker", "neighbour", "relative", NULL };
static const char *const away_reasons[] = { "hospital", "travel", "other", NULL };

static const struct {
    const char *key, *label;
} checklist[] = {
    { "body", "身体" }, { "mind", "精神" }, { "safety", "居住安全" }, { "utilities", "用电用气" },
    { "needs", "需求" },
};
#define N_CHECKLIST (sizeof(checklist) / sizeof(checklist[0]))

static bool one_of(const char *s, const char *const *values)
{
    for (; s && *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

static void today_of(int64_t now_ms, char buf[11])
{
    care_day(now_ms, buf);
}

/* "YYYY-MM-DD" @years before @today, into @a. */
static const char *years_before(Arena *a, const char *today, int years)
{
    int y, m, d;

    if (!date_parse(today, &y, &m, &d))
        return today;
    if (m == 2 && d == 29)
        d = 28;
    return arena_sprintf(a, "%04d-%02d-%02d", y - years, m, d);
}

static bool may_manage(const User *u, const char *community)
{
    return u->role == ROLE_ADMIN || auth_is_community_staff(u, community);
}

static Error *access_of(Request *req, const CarePerson *p, CareAccess *ret, const char **ret_kind)
{
    const User *u = req->user;

    *ret_kind = NULL;
    if (may_manage(u, p->community)) {
        *ret = ACCESS_MANAGE;
        return NULL;
    }
    if (u->role == ROLE_STREET_ADMIN && auth_covers(u, p->community)) {
        *ret = ACCESS_READ;
        return NULL;
    }
    *ret = ACCESS_NONE;
    if (!p->id)
        return NULL;
    {
        Error *err = care_store_pair_kind(req->store, req->arena, p->id, u->id, ret_kind);

        if (err)
            return err;
    }
    if (*ret_kind)
        *ret = ACCESS_HELPER;
    return NULL;
}

/*
 * Person {id} (route parameter 0) and what the user is to her. 404 when
 * she may not see her at all; @need is the least access the route wants:
 * 403 otherwise, saying why.
 */
static Error *load_person_id(Request *req, int64_t id, CareAccess need, CarePerson **ret,
                             CareAccess *ret_access, const char **ret_kind)
{
    char today[11];
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    Error *err;

    today_of(time_now_ms(), today);
    err = care_store_get(req->store, req->arena, id, today, &p);
    if (!err && p)
        err = access_of(req, p, &acc, ret_kind);
    if (err)
        return err;
    if (!p || (acc == ACCESS_NONE && !auth_covers(req->user, p->community)))
        return error_not_found(req->arena, "id", "找不到该关爱对象，或其不在您的管辖范围内");
    if (acc < need) {
        Error *e = need == ACCESS_HELPER
                       ? error_forbidden(req->arena,
                                         "您未与这位老人结对，只能为与您结对的老人记录走访或查看档案")
                       : error_forbidden(req->arena, "只有本社区的工作人员或书记可以进行此操作");

        e->code = need == ACCESS_HELPER ? "not_paired" : "forbidden";
        e->field = "id";
        return e;
    }
    *ret = p;
    *ret_access = acc;
    return NULL;
}

static Error *load_person(Request *req, CareAccess need, CarePerson **ret, CareAccess *ret_access,
                          const char **ret_kind)
{
    int64_t id;
    Error *err = request_param_id(req, 0, &id);

    if (err)
        return err;
    return load_person_id(req, id, need, ret, ret_access, ret_kind);
}

Error *care_person_for(Request *req, int64_t care_id, bool write, CarePerson **ret,
                       const char **ret_as)
{
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL;
    Error *err = load_person_id(req, care_id, ACCESS_HELPER, ret, &acc, &kind);

    if (!err && write && acc == ACCESS_READ)
        err = error_forbidden(req->arena, "街道管理员只能查看，走访请由结对的帮扶人或本社区工作人员记录");
    if (!err)
        *ret_as = acc == ACCESS_HELPER ? kind : "staff";
    return err;
}

/* ---- JSON ---- */

static json_t *time_json(Arena *a, int64_t ms)
{
    return ms ? json_string(time_format_rfc3339(a, ms)) : json_null();
}

static json_t *person_list_json(Arena *a, const CarePerson *p, int64_t now_ms)
{
    bool in_care = p->id != 0;
    bool visit_overdue = in_care && !p->away_today && p->visit_due_at && p->visit_due_at < now_ms;
    json_t *o = json_pack("{s:o, s:I, s:s, s:s, s:i, s:s, s:{s:I, s:o}, s:I, s:o, s:o, s:b,"
                          " s:b, s:b}",
                          "care_id", in_care ? json_integer(p->id) : json_null(), "resident_id",
                          (json_int_t)p->resident_id, "name", p->name, "gender", p->gender, "age",
                          p->age, "community", p->community, "building", "id",
                          (json_int_t)p->building_id, "name", json_string_or_null(p->building_name),
                          "unit", (json_int_t)p->unit, "room", json_string_or_null(p->room), "grid",
                          p->grid_id ? json_pack("{s:I, s:o}", "id", (json_int_t)p->grid_id, "name",
                                                 json_string_or_null(p->grid_name))
                                     : json_null(),
                          "in_care", in_care, "lives_alone", p->lives_alone, "household_alone",
                          p->household_alone);

    json_object_set_new(o, "living", json_string_or_null(p->living));
    if (!in_care)
        return o;
    json_object_set_new(o, "ability_level",
                        p->ability_level >= 0 ? json_integer(p->ability_level) : json_null());
    json_object_set_new(o, "ability_label",
                        p->ability_level >= 0 ? json_string(care_level_name(p->ability_level))
                                              : json_null());
    json_object_set_new(o, "grade", json_integer(p->grade));
    json_object_set_new(o, "grade_label", json_string(care_grade_label(p->grade)));
    json_object_set_new(o, "grade_overridden", json_boolean(p->grade_override != 0));
    json_object_set_new(o, "daily_check", json_boolean(p->daily_check));
    json_object_set_new(o, "visit_days", json_integer(p->visit_days));
    json_object_set_new(o, "last_visit_at", time_json(a, p->last_visit_at));
    json_object_set_new(o, "visit_due_at", time_json(a, p->visit_due_at));
    json_object_set_new(o, "visit_overdue", json_boolean(visit_overdue));
    json_object_set_new(o, "visit_overdue_days",
                        json_integer(visit_overdue ? (now_ms - p->visit_due_at) / TIME_DAY_MS : 0));
    json_object_set_new(o, "last_check_day", json_string_or_null(p->last_check_day));
    json_object_set_new(o, "check_missed", json_boolean(p->check_missed && !p->away_today));
    json_object_set_new(o, "away_today", json_boolean(p->away_today));
    json_object_set_new(o, "helpers", json_integer(p->n_helpers));
    json_object_set_new(o, "opened_at", time_json(a, p->opened_at));
    json_object_set_new(o, "closed_at", time_json(a, p->closed_at));
    return o;
}

static json_t *string_array(const char *const *v, int n)
{
    json_t *out = json_array();

    for (int i = 0; i < n; i++)
        json_array_append_new(out, json_string(v[i]));
    return out;
}

/* The person's page: everything about her that @acc may see. */
static Error *page_json(Request *req, const CarePerson *p, CareAccess acc, json_t **ret)
{
    Arena *a = req->arena;
    const CryptoKeys *k = req->app->keys;
    int64_t now = time_now_ms();
    json_t *o = person_list_json(a, p, now), *data, *grade_reasons, *arr, *tags;
    char today[11];
    CareData d;
    Error *err;

    today_of(now, today);
    data = care_open_json(k, a, p->data_enc, p->data_len);
    care_data_from_json(a, data, &d);
    json_decref(data);
    tags = json_array();
    for (int t = 0; t < _CARE_TAG_MAX; t++)
        if (d.tags[t])
            json_array_append_new(tags, json_pack("{s:s, s:s}", "tag", care_tag_name((CareTag)t),
                                                  "label", care_tag_label((CareTag)t)));
    json_object_set_new(o, "birth_date", json_string(p->birth_date));
    json_object_set_new(o, "reasons", string_array(d.reasons, d.n_reasons));
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "note", json_string(d.note));
    json_object_set_new(o, "close_reason", json_string_or_null(p->close_reason));
    json_object_set_new(o, "close_note", json_string_or_null(p->close_note));

    grade_reasons = care_open_json(k, a, p->grade_enc, p->grade_len);
    {
        json_t *ov = json_null();

        if (p->grade_override) {
            json_t *why = care_open_json(k, a, p->override_enc, p->override_len);

            ov = json_pack("{s:i, s:o, s:I, s:o}", "grade", p->grade_override, "reason",
                           why ? why : json_null(), "by", (json_int_t)p->override_by, "at",
                           time_json(a, p->override_at));
        }
        json_object_set_new(o, "grading",
                            json_pack("{s:i, s:s, s:i, s:o, s:o}", "grade", p->grade, "label",
                                      care_grade_label(p->grade), "computed", p->grade_computed,
                                      "reasons", grade_reasons ? grade_reasons : json_array(),
                                      "override", ov));
    }

    arr = json_array();
    json_object_set_new(o, "assessments", arr);
    err = care_store_assessments(req->store, a, k, p->id, acc != ACCESS_HELPER, arr);
    if (!err) {
        arr = json_array();
        json_object_set_new(o, "pairs", arr);
        err = care_store_pairs(req->store, a, p->id, arr);
    }
    if (!err) {
        arr = json_array();
        json_object_set_new(o, "visits", arr);
        err = care_store_visits(req->store, a, k, p->id, VISITS_SHOWN, arr);
        if (!err)
            err = care_store_visit_photos(req->store, a, p->id, arr);
    }
    if (!err) {
        int64_t day;

        arr = json_array();
        json_object_set_new(o, "checks", arr);
        if (time_parse_date(today, &day)) {
            char since[11];

            time_format_date(since, day - CHECK_DAYS_SHOWN);
            err = care_store_checks(req->store, a, p->id, since, arr);
        }
    }
    if (!err) {
        arr = json_array();
        json_object_set_new(o, "away", arr);
        err = care_store_aways(req->store, a, p->id, today, arr);
    }
    if (!err) {
        arr = json_array();
        json_object_set_new(o, "episodes", arr);
        err = care_store_episodes(req->store, a, p->resident_id, arr);
    }
    if (err) {
        json_decref(o);
        return err;
    }
    json_object_set_new(o, "checked_today",
                        json_boolean(p->last_check_day && strcmp(p->last_check_day, today) == 0));
    json_object_set_new(o, "may_manage", json_boolean(acc == ACCESS_MANAGE));
    *ret = o;
    return NULL;
}

/* ---- reading bodies ---- */

static Error *parse_strings(Request *req, json_t *body, const char *name, int max_n,
                            size_t max_chars, const char **out, int *ret_n)
{
    json_t *arr = json_object_get(body, name), *v;
    size_t i;

    *ret_n = 0;
    if (!arr || json_is_null(arr))
        return NULL;
    if (!json_is_array(arr) || json_array_size(arr) > (size_t)max_n)
        return error_invalid(req->arena, name, "invalid_list",
                             arena_sprintf(req->arena, "“%s”应为最多 %d 项的文字列表", name, max_n));
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        size_t n = s ? strlen(s) : 0;

        if (!s || n == 0 || n > max_chars * 3 || !request_text_ok(s))
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s[%zu]", name, i),
                                 "invalid_text",
                                 arena_sprintf(req->arena, "每一项应为 1 到 %zu 个字的文字", max_chars));
        out[(*ret_n)++] = arena_strdup(req->arena, s);
    }
    return NULL;
}

static Error *parse_tags(Request *req, json_t *body, bool tags[_CARE_TAG_MAX], bool *ret_present)
{
    json_t *arr = json_object_get(body, "tags"), *v;
    size_t i;

    *ret_present = arr && !json_is_null(arr);
    if (!*ret_present)
        return NULL;
    if (!json_is_array(arr))
        return error_invalid(req->arena, "tags", "invalid_list", "标签（tags）应为数组");
    memset(tags, 0, sizeof(bool) * _CARE_TAG_MAX);
    json_array_foreach(arr, i, v) {
        CareTag t;

        if (!json_is_string(v) || !care_tag_parse(json_string_value(v), &t))
            return error_invalid(req->arena, arena_sprintf(req->arena, "tags[%zu]", i),
                                 "unknown_tag",
                                 "标签应为 chronic（慢性病）、fall（近期跌倒）、hospital（近期住院）、"
                                 "no_relative（子女不在身边）或 low_income（低收入）");
        tags[t] = true;
    }
    return NULL;
}

static Error *parse_living(Request *req, json_t *body, const char **ret)
{
    json_t *v = json_object_get(body, "living");

    if (!v || json_is_null(v))
        return NULL;
    if (!one_of(json_string_value(v), living_values))
        return error_invalid(req->arena, "living", "invalid_option",
                             "居住情况（living）应为 alone（独居）、with_spouse（与配偶同住）、"
                             "with_family（与子女等同住）、with_carer（与护工同住）、other 或 unknown");
    *ret = json_string_value(v);
    return NULL;
}

/* Reasons, living, tags and note of a body onto @d / *living (absent: unchanged). */
static Error *parse_person_fields(Request *req, json_t *body, CareData *d, const char **living)
{
    const char *reasons[CARE_REASONS_MAX];
    const char *note = NULL;
    bool tags[_CARE_TAG_MAX], has_tags;
    int n;
    Error *err;

    err = parse_strings(req, body, "reasons", CARE_REASONS_MAX, 50, reasons, &n);
    if (err)
        return err;
    if (json_object_get(body, "reasons") && !json_is_null(json_object_get(body, "reasons"))) {
        memcpy(d->reasons, reasons, sizeof(reasons));
        d->n_reasons = n;
    }
    err = parse_living(req, body, living);
    if (!err)
        err = parse_tags(req, body, tags, &has_tags);
    if (!err)
        err = request_field_string(req, body, "note", false, 0, CARE_NOTE_MAX, &note);
    if (err)
        return err;
    if (has_tags)
        memcpy(d->tags, tags, sizeof(tags));
    if (note)
        d->note = note;
    return NULL;
}

/* ---- the list ---- */

static Error *query_choice(Request *req, const char *name, int lo, int hi, int none, int *ret)
{
    int64_t v;
    Error *err = request_query_int(req, name, none, lo, hi, &v);

    if (!err)
        *ret = (int)v;
    return err;
}

/* The community whose settings apply to a list: ?community= when it names one, else the user's. */
static const char *settings_community(Request *req)
{
    const char *c = request_query(req, "community");

    if (c && strlen(c) == 12)
        return c;
    if (strlen(req->user->scope) == 12)
        return req->user->scope;
    return NULL;
}

Error *care_list_query(Request *req, bool overdue_only, CareFilter *f, CareSettings *cs,
                       int64_t *ret_page, int64_t *ret_per_page)
{
    const char *in_care = request_query(req, "in_care"), *overdue = request_query(req, "overdue");
    const char *community;
    int64_t page, per_page, age_min = 0, age_max = 0, now = time_now_ms();
    char *today = arena_alloc(req->arena, 11);
    bool helper;
    Error *err;

    memset(f, 0, sizeof(*f));
    f->in_care = 1;
    f->alone = -1;
    today_of(now, today);
    f->today = today;
    f->now_ms = now;
    helper = !(req->user->role & (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN));
    if (helper) {
        /* a helper's list: the people paired with her, wherever they live */
        f->lo = "";
        f->hi = "~";
        f->helper_id = req->user->id;
    } else {
        err = auth_list_bounds(req, &f->lo, &f->hi);
        if (err)
            return err;
    }
    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, CARE_PAGE_MAX, &per_page);
    if (!err)
        err = request_query_int(req, "grid", 0, 0, INT64_MAX, &f->grid_id);
    if (!err)
        err = request_query_int(req, "building", 0, 0, INT64_MAX, &f->building_id);
    if (!err)
        err = request_query_int(req, "age_min", 0, 0, 130, &age_min);
    if (!err)
        err = request_query_int(req, "age_max", 0, 0, 130, &age_max);
    if (!err)
        err = query_choice(req, "grade", 1, 3, 0, &f->grade);
    if (!err)
        err = query_choice(req, "alone", 0, 1, -1, &f->alone);
    if (err) {
        err->status = 400;
        return err;
    }
    if (in_care && *in_care) {
        if (strcmp(in_care, "all") == 0)
            f->in_care = -1;
        else if (strcmp(in_care, "0") == 0)
            f->in_care = 0;
        else if (strcmp(in_care, "1") != 0)
            return error_bad_request(req->arena, "in_care", "invalid_query",
                                     "参数“in_care”应为 1（关爱对象）、0（未纳入关爱的老人）或 all");
    }
    if (helper)
        f->in_care = 1;
    f->overdue = overdue_only || (overdue && (strcmp(overdue, "1") == 0 || strcmp(overdue, "true") == 0));
    community = settings_community(req);
    care_settings_default(cs);
    if (community) {
        err = care_store_settings(req->store, req->arena, community, cs);
        if (err)
            return err;
    }
    f->elderly_before = years_before(req->arena, today, cs->age_threshold);
    f->born_before = age_min ? years_before(req->arena, today, (int)age_min) : "9999-12-31";
    f->born_after = age_max ? years_before(req->arena, today, (int)age_max + 1) : "";
    f->limit = per_page;
    f->offset = (page - 1) * per_page;
    *ret_page = page;
    *ret_per_page = per_page;
    return NULL;
}

static Error *list(Request *req, Response *res, bool overdue_only)
{
    CareFilter f;
    CareSettings cs;
    int64_t page, per_page, total = 0;
    CarePerson *rows;
    size_t n;
    json_t *items;
    Error *err;

    err = care_list_query(req, overdue_only, &f, &cs, &page, &per_page);
    if (!err)
        err = care_store_list(req->store, req->arena, &f, &rows, &n, &total);
    if (err)
        return err;
    items = json_array();
    for (size_t i = 0; i < n && !err; i++) {
        json_t *o = person_list_json(req->arena, &rows[i], f.now_ms), *pairs;

        json_array_append_new(items, o);
        if (!overdue_only)
            continue;
        /* the board groups by helper: who is to visit her */
        pairs = json_array();
        json_object_set_new(o, "pairs", pairs);
        err = care_store_pairs(req->store, req->arena, rows[i].id, pairs);
    }
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200,
                         json_pack("{s:o, s:I, s:I, s:I, s:i}", "items", items, "total",
                                   (json_int_t)total, "page", (json_int_t)page, "per_page",
                                   (json_int_t)per_page, "age_threshold", cs.age_threshold));
}

static Error *care_handle_list(Request *req, Response *res)
{
    return list(req, res, false);
}

static Error *care_handle_overdue(Request *req, Response *res)
{
    return list(req, res, true);
}

/* ---- a person ---- */

static Error *care_handle_get(Request *req, Response *res)
{
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL;
    json_t *o;
    Error *err;

    err = load_person(req, ACCESS_HELPER, &p, &acc, &kind);
    if (!err)
        err = page_json(req, p, acc, &o);
    if (err)
        return err;
    err = audit_record(req, "care.view_full", "care", p->id, p->community,
                       json_pack("{s:s}", "as", acc == ACCESS_HELPER ? kind : "staff"));
    if (err) {
        json_decref(o);
        return err;
    }
    return response_json(res, 200, o);
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

/* The person's page after a write (the writer sees what she wrote; not audited as a view). */
static Error *respond_page(Request *req, Response *res, int status, int64_t id)
{
    char today[11];
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL;
    json_t *o;
    Error *err;

    today_of(time_now_ms(), today);
    err = care_store_get(req->store, req->arena, id, today, &p);
    if (!err && !p)
        err = error_internal(req->arena, "care %lld gone after writing", (long long)id);
    if (!err)
        err = access_of(req, p, &acc, &kind);
    if (!err)
        err = page_json(req, p, acc, &o);
    if (err)
        return err;
    return response_json(res, status, o);
}

static Error *care_handle_open(Request *req, Response *res)
{
    static const char *const fields[] = { "resident_id", "reasons", "living", "tags", "note", NULL };
    CareData d = { .note = "" };
    const char *living = "unknown";
    CareResident r;
    CareSettings cs;
    int64_t rid = 0, id = 0, now = time_now_ms();
    bool present;
    json_t *body;
    size_t enc_len;
    void *enc;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "resident_id", true, 1, INT64_MAX, &rid, &present);
    if (!err)
        err = parse_person_fields(req, body, &d, &living);
    if (err)
        return err;
    if (d.n_reasons == 0)
        return error_invalid(req->arena, "reasons", "missing_field",
                             "请写明纳入关爱的原因（reasons），如“独居”“高龄”“失能”");
    err = care_store_resident(req->store, req->arena, rid, &r);
    if (err)
        return err;
    if (!r.community || !auth_covers(req->user, r.community))
        return error_invalid(req->arena, "resident_id", "unknown_resident",
                             "找不到该居民，或其不在您的管辖范围内");
    if (!may_manage(req->user, r.community))
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以将居民纳入关爱");
    if (strcmp(r.status, "active") != 0)
        return error_invalid(req->arena, "resident_id", "moved_out", "该居民已迁出，不能纳入关爱");
    request_end_read(req);
    err = care_store_settings(req->store, req->arena, r.community, &cs);
    if (err)
        return err;
    enc = care_seal_json(req->app->keys, req->arena, care_data_json(&d), &enc_len);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_open(req->store, req->arena, &r, living, enc, enc_len, req->user->id, now, &id);
    if (!err)
        err = care_store_regrade(req->store, req->arena, req->app->keys, &cs, id, now, NULL);
    if (!err)
        err = audit_record(req, "care.open", "care", id, r.community,
                           json_pack("{s:I}", "resident_id", (json_int_t)rid));
    err = finish(req, err);
    if (err)
        return err;
    return respond_page(req, res, 201, id);
}

static Error *care_handle_update(Request *req, Response *res)
{
    static const char *const fields[] = { "reasons", "living", "tags", "note", NULL };
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    CareSettings cs;
    CareData d;
    const char *kind = NULL, *living;
    json_t *body, *data, *changed;
    size_t enc_len;
    void *enc;
    const char *key;
    json_t *v;
    int64_t now = time_now_ms();
    Error *err;

    err = load_person(req, ACCESS_MANAGE, &p, &acc, &kind);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    if (p->closed_at)
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束，不能再修改");
    data = care_open_json(req->app->keys, req->arena, p->data_enc, p->data_len);
    care_data_from_json(req->arena, data, &d);
    json_decref(data);
    living = p->living;
    err = parse_person_fields(req, body, &d, &living);
    if (err)
        return err;
    if (json_object_get(body, "reasons") && d.n_reasons == 0)
        return error_invalid(req->arena, "reasons", "missing_field", "纳入关爱的原因（reasons）不能为空");
    request_end_read(req);
    err = care_store_settings(req->store, req->arena, p->community, &cs);
    if (err)
        return err;
    enc = care_seal_json(req->app->keys, req->arena, care_data_json(&d), &enc_len);
    changed = json_array();
    json_object_foreach(body, key, v) {
        (void)v;
        json_array_append_new(changed, json_string(key));
    }
    err = store_begin(req->store, req->arena);
    if (err) {
        json_decref(changed);
        return err;
    }
    err = care_store_update(req->store, req->arena, p->id, living, enc, enc_len, now);
    if (!err)
        err = care_store_regrade(req->store, req->arena, req->app->keys, &cs, p->id, now, NULL);
    if (!err)
        err = audit_record(req, "care.update", "care", p->id, p->community,
                           json_pack("{s:o}", "fields", changed));
    else
        json_decref(changed);
    err = finish(req, err);
    if (err)
        return err;
    return respond_page(req, res, 200, p->id);
}

static Error *care_handle_close(Request *req, Response *res)
{
    static const char *const fields[] = { "reason", "note", NULL };
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL, *reason = NULL, *note = NULL;
    json_t *body;
    Error *err;

    err = load_person(req, ACCESS_MANAGE, &p, &acc, &kind);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "reason", true, 1, 20, &reason);
    if (!err && !one_of(reason, close_reasons))
        err = error_invalid(req->arena, "reason", "invalid_option",
                            "结束关爱的原因（reason）应为 moved（迁出）、care_home（入住养老机构）、"
                            "deceased（去世）或 other（其他）");
    if (!err)
        err = request_field_string(req, body, "note", false, 0, CARE_NOTE_MAX, &note);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_close(req->store, req->arena, p->id, reason, note ? note : "", req->user->id,
                           time_now_ms());
    if (!err)
        err = audit_record(req, "care.close", "care", p->id, p->community,
                           json_pack("{s:s}", "reason", reason));
    err = finish(req, err);
    if (err)
        return err;
    return respond_page(req, res, 200, p->id);
}

static Error *care_handle_grade(Request *req, Response *res)
{
    static const char *const fields[] = { "grade", "reason", NULL };
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    CareSettings cs;
    const char *kind = NULL, *reason = NULL;
    int64_t grade = 0, now = time_now_ms();
    bool present;
    size_t enc_len = 0;
    void *enc = NULL;
    json_t *body;
    Error *err;

    err = load_person(req, ACCESS_MANAGE, &p, &acc, &kind);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    if (!json_object_get(body, "grade"))
        return error_invalid(req->arena, "grade", "missing_field",
                             "请给出等级（grade）：1、2、3，或 null 取消人工调整");
    if (!json_is_null(json_object_get(body, "grade"))) {
        err = request_field_int(req, body, "grade", true, 1, 3, &grade, &present);
        if (!err)
            err = request_field_string(req, body, "reason", true, 2, 200, &reason);
        if (err) {
            if (strcmp(err->field ? err->field : "", "reason") == 0)
                err->message = "人工调整关爱等级须写明理由（reason），2 到 200 个字";
            return err;
        }
    }
    if (p->closed_at)
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束，不能再调整等级");
    request_end_read(req);
    err = care_store_settings(req->store, req->arena, p->community, &cs);
    if (err)
        return err;
    if (grade)
        enc = care_seal_json(req->app->keys, req->arena, json_string(reason), &enc_len);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_override(req->store, req->arena, p->id, (int)grade, enc, enc_len,
                              req->user->id, now);
    if (!err)
        err = care_store_regrade(req->store, req->arena, req->app->keys, &cs, p->id, now, NULL);
    if (!err)
        err = audit_record(req, grade ? "care.grade_override" : "care.grade_override_lift", "care",
                           p->id, p->community,
                           json_pack("{s:o, s:i}", "grade",
                                     grade ? json_integer(grade) : json_null(), "computed",
                                     p->grade_computed));
    err = finish(req, err);
    if (err)
        return err;
    return respond_page(req, res, 200, p->id);
}

/* An RFC 3339 time field, not in the future; absent: *ret = @def. */
static Error *time_field(Request *req, json_t *body, const char *name, bool required,
                         int64_t def, int64_t now, const char *label, int64_t *ret)
{
    const char *s = NULL;
    Error *err = request_field_string(req, body, name, required, 1, 40, &s);

    if (err)
        return err;
    if (!s) {
        *ret = def;
        return NULL;
    }
    if (!time_parse_rfc3339(s, ret, NULL))
        return error_invalid(req->arena, name, "invalid_time",
                             arena_sprintf(req->arena, "%s（%s）应为 RFC 3339 时间，如 2026-12-07T09:30:00+08:00",
                                           label, name));
    if (*ret > now + FUTURE_SKEW_MS)
        return error_invalid(req->arena, name, "in_future",
                             arena_sprintf(req->arena, "%s不能晚于现在", label));
    if (*ret < now - 366 * TIME_DAY_MS)
        return error_invalid(req->arena, name, "too_old",
                             arena_sprintf(req->arena, "%s不能早于一年前", label));
    return NULL;
}

static Error *care_handle_assess(Request *req, Response *res)
{
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    CareSettings cs;
    CareAssessInput in;
    CareAssessment as;
    const char *kind = NULL;
    int64_t at, id = 0, now = time_now_ms();
    json_t *body, *copy, *result, *rules;
    size_t enc_len;
    void *enc;
    Error *err;

    err = load_person(req, ACCESS_MANAGE, &p, &acc, &kind);
    if (!err)
        err = request_json_object(req, &body);
    if (!err)
        err = time_field(req, body, "assessed_at", false, now, now, "评估时间", &at);
    if (err)
        return err;
    if (p->closed_at)
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束，不能再评估");
    copy = json_deep_copy(body);
    json_object_del(copy, "assessed_at");
    arena_defer(req->arena, (ArenaCleanup)json_decref, copy);
    err = care_assess_parse(req->arena, copy, &in);
    if (err)
        return err;
    request_end_read(req);
    err = care_store_settings(req->store, req->arena, p->community, &cs);
    if (err)
        return err;
    care_assess(req->arena, &in, &cs.assess, &as);
    result = care_assessment_json(&as);
    {
        json_t *all_settings = care_settings_json(&cs);

        rules = json_object_get(all_settings, "assess");
        json_incref(rules);
        json_decref(all_settings);
    }
    {
        json_t *all = json_pack("{s:O, s:O, s:O}", "input", copy, "result", result, "rules", rules);

        enc = care_seal_json(req->app->keys, req->arena, all, &enc_len);
    }
    err = store_begin(req->store, req->arena);
    if (!err)
        err = care_store_assessment_insert(req->store, req->arena, p->id, p->community, at,
                                           req->user->id, req->user->display_name, as.final_level,
                                           enc, enc_len, now, &id);
    if (!err)
        err = care_store_regrade(req->store, req->arena, req->app->keys, &cs, p->id, now, NULL);
    if (!err)
        err = audit_record(req, "care.assess", "care", p->id, p->community,
                           json_pack("{s:I}", "assessment_id", (json_int_t)id));
    err = finish(req, err);
    if (err) {
        json_decref(result);
        json_decref(rules);
        return err;
    }
    return response_json(res, 201,
                         json_pack("{s:I, s:I, s:o, s:i, s:s, s:o, s:o}", "id", (json_int_t)id,
                                   "care_id", (json_int_t)p->id, "assessed_at",
                                   time_json(req->arena, at), "final_level", as.final_level,
                                   "final_label", care_level_name(as.final_level), "result",
                                   result, "rules", rules));
}

/* ---- pairs ---- */

static Error *care_handle_pair_add(Request *req, Response *res)
{
    static const char *const fields[] = { "user_id", "kind", NULL };
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    CareUser u;
    const char *kind = NULL, *pkind = NULL;
    int64_t uid = 0, id = 0;
    bool present, ok;
    json_t *body;
    Error *err;

    err = load_person(req, ACCESS_MANAGE, &p, &acc, &kind);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "user_id", true, 1, INT64_MAX, &uid, &present);
    if (!err)
        err = request_field_string(req, body, "kind", true, 1, 20, &pkind);
    if (!err && !one_of(pkind, pair_kinds))
        err = error_invalid(req->arena, "kind", "invalid_option",
                            "结对类型（kind）应为 volunteer（志愿者）、grid_worker（网格员）、"
                            "neighbour（邻居）或 relative（亲属）");
    if (err)
        return err;
    if (p->closed_at)
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束，不能再结对");
    err = care_store_user(req->store, req->arena, uid, &u);
    if (err)
        return err;
    if (!u.id || !u.active)
        return error_invalid(req->arena, "user_id", "unknown_user", "找不到该账号，或账号未启用");
    if (strcmp(pkind, "grid_worker") == 0)
        ok = strcmp(u.role, "grid_worker") == 0 && strcmp(u.scope, p->community) == 0;
    else if (strcmp(pkind, "volunteer") == 0)
        ok = (strcmp(u.role, "resident") == 0 || strcmp(u.role, "reporter") == 0 ||
              strcmp(u.role, "grid_worker") == 0 || strcmp(u.role, "staff") == 0) &&
             strncmp(u.scope, p->community, 9) == 0;
    else
        ok = strcmp(u.role, "resident") == 0; /* a neighbour or relative: her own H5 account */
    if (!ok)
        return error_invalid(req->arena, "user_id", "unfit_helper",
                             strcmp(pkind, "grid_worker") == 0
                                 ? "结对网格员须是本社区的网格员账号"
                                 : strcmp(pkind, "volunteer") == 0
                                       ? "志愿者须是本街道的居民、网格员或社工账号"
                                       : "邻居或亲属须使用其本人的居民账号");
    if (u.resident_id && u.resident_id == p->resident_id)
        return error_invalid(req->arena, "user_id", "self_pair", "老人本人不能作为自己的帮扶人");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_pair_insert(req->store, req->arena, p->id, uid, pkind, req->user->id,
                                 time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "care.pair", "care", p->id, p->community,
                           json_pack("{s:I, s:I, s:s}", "pair_id", (json_int_t)id, "user_id",
                                     (json_int_t)uid, "kind", pkind));
    err = finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:I, s:I, s:s, s:s}", "id", (json_int_t)id,
                                             "care_id", (json_int_t)p->id, "user_id",
                                             (json_int_t)uid, "name", u.name, "kind", pkind));
}

static Error *care_handle_pair_end(Request *req, Response *res)
{
    char today[11];
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL;
    int64_t id, care_id = 0;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = care_store_pair_care(req->store, req->arena, id, &care_id);
    today_of(time_now_ms(), today);
    if (!err && care_id)
        err = care_store_get(req->store, req->arena, care_id, today, &p);
    if (!err && p)
        err = access_of(req, p, &acc, &kind);
    if (err)
        return err;
    if (!p || (acc == ACCESS_NONE && !auth_covers(req->user, p->community)))
        return error_not_found(req->arena, "id", "找不到该结对，或已经解除");
    if (acc != ACCESS_MANAGE)
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以解除结对");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_pair_end(req->store, req->arena, id, req->user->id, time_now_ms());
    if (!err)
        err = audit_record(req, "care.unpair", "care", p->id, p->community,
                           json_pack("{s:I}", "pair_id", (json_int_t)id));
    err = finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "ended", 1));
}

/* ---- visits ---- */

static Error *parse_checklist(Request *req, json_t *body, json_t **ret, bool *ret_concern)
{
    json_t *c = json_object_get(body, "checklist"), *out;
    const char *key;
    json_t *v;

    *ret_concern = false;
    if (!json_is_object(c))
        return error_invalid(req->arena, "checklist", "missing_field",
                             "请填写走访情况（checklist）：身体、精神、居住安全、用电用气、需求，每项 ok 或 concern");
    json_object_foreach(c, key, v) {
        bool known = false;

        (void)v;
        for (size_t i = 0; i < N_CHECKLIST; i++)
            known = known || strcmp(checklist[i].key, key) == 0;
        if (!known)
            return error_invalid(req->arena, arena_sprintf(req->arena, "checklist.%s", key),
                                 "unknown_field",
                                 arena_sprintf(req->arena, "不认识的检查项“%s”：应为 body、mind、safety、utilities、needs", key));
    }
    out = json_object();
    for (size_t i = 0; i < N_CHECKLIST; i++) {
        const char *s = json_string_value(json_object_get(c, checklist[i].key));

        if (!s || (strcmp(s, "ok") != 0 && strcmp(s, "concern") != 0)) {
            json_decref(out);
            return error_invalid(req->arena,
                                 arena_sprintf(req->arena, "checklist.%s", checklist[i].key),
                                 s ? "invalid_option" : "missing_field",
                                 arena_sprintf(req->arena, "检查项“%s”应为 ok（正常）或 concern（需关注）",
                                               checklist[i].label));
        }
        if (strcmp(s, "concern") == 0)
            *ret_concern = true;
        json_object_set_new(out, checklist[i].key, json_string(s));
    }
    *ret = out;
    return NULL;
}

typedef struct CareNeed {
    const char *text;
    const char *category; /* NULL: no case */
} CareNeed;

static Error *parse_needs(Request *req, json_t *body, CareNeed *out, int *ret_n)
{
    json_t *arr = json_object_get(body, "needs"), *v;
    size_t i;

    *ret_n = 0;
    if (!arr || json_is_null(arr))
        return NULL;
    if (!json_is_array(arr) || json_array_size(arr) > CARE_NEEDS_MAX)
        return error_invalid(req->arena, "needs", "invalid_list",
                             arena_sprintf(req->arena, "发现的需求（needs）最多 %d 项", CARE_NEEDS_MAX));
    json_array_foreach(arr, i, v) {
        const char *f = arena_sprintf(req->arena, "needs[%zu]", i);
        const char *text = json_string_value(json_object_get(v, "text"));
        json_t *cat = json_object_get(v, "case_category");
        const char *key;
        json_t *x;

        if (!json_is_object(v))
            return error_invalid(req->arena, f, "invalid_type",
                                 "每项需求应为对象：{\"text\": \"…\", \"case_category\": \"…\"}");
        json_object_foreach(v, key, x) {
            (void)x;
            if (strcmp(key, "text") != 0 && strcmp(key, "case_category") != 0)
                return error_invalid(req->arena, arena_sprintf(req->arena, "%s.%s", f, key),
                                     "unknown_field",
                                     arena_sprintf(req->arena, "不认识的字段“%s”", key));
        }
        if (!text || !*text || strlen(text) > 600 || !request_text_ok(text))
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.text", f),
                                 "invalid_text", "需求的描述（text）为 1 到 200 个字");
        if (cat && !json_is_null(cat) && (!json_is_string(cat) || !*json_string_value(cat)))
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.case_category", f),
                                 "invalid_type", "报事类别（case_category）应为本社区报事类别的代码或名称");
        out[i].text = arena_strdup(req->arena, text);
        out[i].category =
            json_is_string(cat) ? arena_strdup(req->arena, json_string_value(cat)) : NULL;
    }
    *ret_n = (int)json_array_size(arr);
    return NULL;
}

static Error *care_handle_visit(Request *req, Response *res)
{
    static const char *const fields[] = { "visited_at", "mode", "checklist", "notes", "needs",
                                          "photos", NULL };
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    CareSettings cs;
    CareNeed needs[CARE_NEEDS_MAX];
    const char *kind = NULL, *mode = NULL, *notes = NULL;
    int64_t at = 0, id = 0, now = time_now_ms(), photos[CARE_VISIT_PHOTOS_MAX];
    int n_needs = 0, n_photos = 0;
    bool concern = false;
    json_t *body, *list = NULL, *needs_json, *case_ids;
    size_t enc_len;
    void *enc;
    Error *err;

    err = load_person(req, ACCESS_HELPER, &p, &acc, &kind);
    if (!err && acc == ACCESS_READ)
        err = error_forbidden(req->arena, "街道管理员只能查看，走访请由结对的帮扶人或本社区工作人员记录");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = time_field(req, body, "visited_at", true, now, now, "走访时间", &at);
    if (!err)
        err = request_field_string(req, body, "mode", true, 1, 20, &mode);
    if (!err && strcmp(mode, "in_person") != 0 && strcmp(mode, "phone") != 0)
        err = error_invalid(req->arena, "mode", "invalid_option",
                            "走访方式（mode）应为 in_person（上门）或 phone（电话）");
    if (!err)
        err = parse_checklist(req, body, &list, &concern);
    if (!err)
        err = request_field_string(req, body, "notes", false, 0, CARE_NOTE_MAX, &notes);
    if (!err)
        err = parse_needs(req, body, needs, &n_needs);
    if (!err)
        err = photo_parse_ids(req->arena, body, CARE_VISIT_PHOTOS_MAX, photos, &n_photos);
    if (err) {
        json_decref(list);
        return err;
    }
    if (p->closed_at) {
        json_decref(list);
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束，不能再记录走访");
    }
    request_end_read(req);
    err = care_store_settings(req->store, req->arena, p->community, &cs);
    if (err) {
        json_decref(list);
        return err;
    }
    case_ids = json_array();
    arena_defer(req->arena, (ArenaCleanup)json_decref, case_ids);
    err = store_begin(req->store, req->arena);
    if (err) {
        json_decref(list);
        return err;
    }
    /* the needs that become cases, in this transaction: all written, or nothing */
    for (int i = 0; !err && i < n_needs; i++) {
        CaseInput ci = { .category = needs[i].category, .building_id = p->building_id,
                         .source = "app",
                         .description = arena_sprintf(req->arena, "走访发现（%s）：%s", p->name,
                                                      needs[i].text) };
        Case *c;

        if (!needs[i].category)
            continue;
        c = arena_zalloc(req->arena, sizeof(*c));
        err = cases_create_in_tx(req, &ci, 0, NULL, NULL, c);
        if (err && err->status < 500) {
            err->field = arena_sprintf(req->arena, "needs[%d].case_category", i);
            if (strcmp(err->code, "unknown_category") != 0)
                err->message = arena_sprintf(req->arena, "无法为这项需求生成报事：%s", err->message);
        }
        if (!err)
            json_array_append_new(case_ids, json_integer(c->id));
    }
    needs_json = json_array();
    for (int i = 0; i < n_needs; i++)
        json_array_append_new(needs_json, json_pack("{s:s, s:o}", "text", needs[i].text,
                                                    "case_category",
                                                    json_string_or_null(needs[i].category)));
    enc = care_seal_json(req->app->keys, req->arena,
                         json_pack("{s:o, s:s, s:o}", "checklist", list, "notes",
                                   notes ? notes : "", "needs", needs_json),
                         &enc_len);
    if (!err) {
        char *ids = json_dumps(case_ids, JSON_COMPACT);
        const char *text = arena_strdup(req->arena, ids ? ids : "[]");

        free(ids);
        err = care_store_visit_insert(req->store, req->arena, p->id, p->community, req->user->id,
                                      req->user->display_name, at, mode, concern, enc, enc_len,
                                      text, p->visit_due_at, now, &id);
    }
    if (!err)
        err = care_store_photos_attach(req->store, req->arena, p->id, id, req->user->id, photos,
                                       n_photos);
    if (!err)
        err = care_store_regrade(req->store, req->arena, req->app->keys, &cs, p->id, now, NULL);
    if (!err)
        err = audit_record(req, "care.visit", "care", p->id, p->community,
                           json_pack("{s:I, s:O, s:i}", "visit_id", (json_int_t)id, "case_ids",
                                     case_ids, "photos", n_photos));
    err = finish(req, err);
    if (err)
        return err;
    {
        char today[11];
        CarePerson *now_p = NULL;

        today_of(now, today);
        err = care_store_get(req->store, req->arena, p->id, today, &now_p);
        if (err)
            return err;
        return response_json(res, 201,
                             json_pack("{s:I, s:I, s:o, s:s, s:b, s:b, s:O, s:o}", "id",
                                       (json_int_t)id, "care_id", (json_int_t)p->id, "visited_at",
                                       time_json(req->arena, at), "mode", mode, "on_time",
                                       at <= p->visit_due_at, "concern", concern, "case_ids",
                                       case_ids, "visit_due_at",
                                       time_json(req->arena, now_p ? now_p->visit_due_at : 0)));
    }
}

/* ---- days away ---- */

static Error *care_handle_away(Request *req, Response *res)
{
    static const char *const fields[] = { "from", "to", "reason", NULL };
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL, *from = NULL, *to = NULL, *reason = NULL;
    int64_t id = 0, d_from, d_to, d_today;
    char today[11];
    json_t *body;
    Error *err;

    err = load_person(req, ACCESS_HELPER, &p, &acc, &kind);
    if (!err && acc == ACCESS_READ)
        err = error_forbidden(req->arena, "街道管理员只能查看");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "from", true, 10, 10, &from);
    if (!err)
        err = validate_date(req->arena, "from", from, &from);
    if (!err)
        err = request_field_string(req, body, "to", true, 10, 10, &to);
    if (!err)
        err = validate_date(req->arena, "to", to, &to);
    if (!err)
        err = request_field_string(req, body, "reason", true, 1, 20, &reason);
    if (!err && !one_of(reason, away_reasons))
        err = error_invalid(req->arena, "reason", "invalid_option",
                            "外出原因（reason）应为 hospital（住院）、travel（外出）或 other（其他）");
    if (err)
        return err;
    today_of(time_now_ms(), today);
    time_parse_date(from, &d_from);
    time_parse_date(to, &d_to);
    time_parse_date(today, &d_today);
    if (d_to < d_from)
        return error_invalid(req->arena, "to", "before_from", "结束日期（to）不能早于开始日期（from）");
    if (d_to < d_today)
        return error_invalid(req->arena, "to", "in_past", "结束日期（to）已经过去");
    if (d_to - d_from > 366)
        return error_invalid(req->arena, "to", "too_long", "一次最多登记一年");
    if (p->closed_at)
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_away_insert(req->store, req->arena, p->id, from, to, reason, req->user->id,
                                 time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "care.away", "care", p->id, p->community,
                           json_pack("{s:I}", "away_id", (json_int_t)id));
    err = finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)id,
                                             "care_id", (json_int_t)p->id, "from", from, "to", to,
                                             "reason", reason));
}

static Error *care_handle_away_cancel(Request *req, Response *res)
{
    char today[11];
    CarePerson *p = NULL;
    CareAccess acc = ACCESS_NONE;
    const char *kind = NULL;
    int64_t id, care_id = 0;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = care_store_away_care(req->store, req->arena, id, &care_id);
    today_of(time_now_ms(), today);
    if (!err && care_id)
        err = care_store_get(req->store, req->arena, care_id, today, &p);
    if (!err && p)
        err = access_of(req, p, &acc, &kind);
    if (err)
        return err;
    if (!p || acc == ACCESS_NONE || acc == ACCESS_READ)
        return error_not_found(req->arena, "id", "找不到该外出登记，或已经取消");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_away_cancel(req->store, req->arena, id, time_now_ms());
    if (!err)
        err = audit_record(req, "care.away_cancel", "care", p->id, p->community,
                           json_pack("{s:I}", "away_id", (json_int_t)id));
    err = finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "cancelled", 1));
}

/* ---- 平安打卡 ---- */

static Error *care_handle_check(Request *req, Response *res)
{
    static const char *const fields[] = { "care_id", NULL };
    char today[11];
    CarePerson *p = NULL;
    CareSettings cs;
    CareUser me;
    const char *by = NULL, *kind = NULL;
    int64_t care_id = 0, now = time_now_ms();
    bool present = false, fresh = false;
    json_t *body = NULL;
    Error *err;

    if (req->body_len > 0) {
        err = request_json_fields(req, fields, &body);
        if (!err)
            err = request_field_int(req, body, "care_id", false, 1, INT64_MAX, &care_id, &present);
        if (err)
            return err;
    }
    err = care_store_user(req->store, req->arena, req->user->id, &me);
    if (err)
        return err;
    if (!present) {
        if (me.resident_id)
            err = care_store_open_of(req->store, req->arena, me.resident_id, &care_id);
        if (err)
            return err;
        if (!care_id)
            return error_invalid(req->arena, "care_id", "not_in_care",
                                 "您不在关爱名单中；为家人打卡请给出家人的关爱编号（care_id）");
    }
    today_of(now, today);
    err = care_store_get(req->store, req->arena, care_id, today, &p);
    if (err)
        return err;
    if (!p || p->closed_at)
        return error_invalid(req->arena, "care_id", "not_in_care", "这位老人不在关爱名单中，无法打卡");
    if (me.resident_id && me.resident_id == p->resident_id) {
        by = "self";
    } else {
        err = care_store_pair_kind(req->store, req->arena, p->id, req->user->id, &kind);
        if (err)
            return err;
        if (kind && strcmp(kind, "relative") == 0)
            by = "relative";
    }
    if (!by)
        return error_forbidden(req->arena, "只有老人本人或结对的亲属可以报平安");
    request_end_read(req);
    err = care_store_settings(req->store, req->arena, p->community, &cs);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = care_store_check(req->store, req->arena, p->id, today, req->user->id, by, now, &fresh);
    if (!err && fresh)
        err = care_store_regrade(req->store, req->arena, req->app->keys, &cs, p->id, now, NULL);
    err = finish(req, err);
    if (err)
        return err;
    return response_json(res, fresh ? 201 : 200,
                         json_pack("{s:I, s:s, s:s, s:b}", "care_id", (json_int_t)p->id, "day",
                                   today, "by", by, "already", !fresh));
}

static const char *care_status_day(const CarePerson *p)
{
    return p->last_check_day;
}

static Error *care_handle_mine(Request *req, Response *res)
{
    char today[11];
    CareUser me;
    int64_t care_id = 0;
    CarePerson *p = NULL;
    json_t *self = json_null(), *pairs = json_array();
    Error *err;

    today_of(time_now_ms(), today);
    err = care_store_user(req->store, req->arena, req->user->id, &me);
    if (!err && me.resident_id)
        err = care_store_open_of(req->store, req->arena, me.resident_id, &care_id);
    if (!err && care_id)
        err = care_store_get(req->store, req->arena, care_id, today, &p);
    if (!err)
        err = care_store_pairs_of(req->store, req->arena, req->user->id, pairs);
    if (err) {
        json_decref(pairs);
        return err;
    }
    if (p)
        self = json_pack("{s:I, s:b, s:o, s:b}", "care_id", (json_int_t)p->id, "checked_today",
                         p->last_check_day && strcmp(p->last_check_day, today) == 0,
                         "last_check_day", json_string_or_null(care_status_day(p)), "daily_check",
                         p->daily_check);
    return response_json(res, 200, json_pack("{s:o, s:o, s:s}", "self", self, "pairs", pairs,
                                             "today", today));
}

/* ---- settings, statistics, the form ---- */

static Error *settings_target(Request *req, const char **ret)
{
    const char *c = request_query(req, "community");

    if (!c || !*c) {
        if (strlen(req->user->scope) != 12)
            return error_bad_request(req->arena, "community", "missing_community",
                                     "请用参数 community 指定社区（12 位代码）");
        c = req->user->scope;
    }
    if (strlen(c) != 12 || strspn(c, "0123456789") != 12)
        return error_bad_request(req->arena, "community", "invalid_query", "社区代码应为 12 位数字");
    if (!auth_covers(req->user, c))
        return error_forbidden(req->arena, "该社区不在您的管辖范围内");
    *ret = c;
    return NULL;
}

static Error *care_handle_settings_get(Request *req, Response *res)
{
    CareSettings cs;
    const char *community;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = settings_target(req, &community);
    if (!err)
        err = care_store_settings(req->store, req->arena, community, &cs);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:s, s:o}", "community", community, "settings",
                                             care_settings_json(&cs)));
}

static Error *care_handle_settings_put(Request *req, Response *res)
{
    CareSettings cs;
    const char *community, *key;
    int64_t now = time_now_ms();
    json_t *body, *v, *changed;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN);
    if (!err)
        err = settings_target(req, &community);
    if (!err && !may_manage(req->user, community))
        err = error_forbidden(req->arena, "只有本社区的工作人员或书记可以修改关爱设置");
    if (!err)
        err = request_json_object(req, &body);
    if (!err)
        err = care_store_settings(req->store, req->arena, community, &cs);
    if (!err)
        err = care_settings_parse(req->arena, body, &cs);
    if (err)
        return err;
    request_end_read(req);
    changed = json_array();
    json_object_foreach(body, key, v) {
        (void)v;
        json_array_append_new(changed, json_string(key));
    }
    err = store_begin(req->store, req->arena);
    if (err) {
        json_decref(changed);
        return err;
    }
    err = care_store_settings_put(req->store, req->arena, community, &cs, req->user->id, now);
    if (!err)
        err = care_store_regrade_all(req->store, req->arena, req->app->keys, &cs, community, now);
    if (!err)
        err = audit_record(req, "care.settings", "community", 0, community,
                           json_pack("{s:o}", "fields", changed));
    else
        json_decref(changed);
    err = finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:s, s:o}", "community", community, "settings",
                                             care_settings_json(&cs)));
}

static Error *care_handle_helpers(Request *req, Response *res)
{
    const char *community, *q = request_query(req, "q");
    json_t *items;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN);
    if (!err)
        err = settings_target(req, &community);
    if (!err && !may_manage(req->user, community))
        err = error_forbidden(req->arena, "只有本社区的工作人员或书记可以安排结对");
    if (!err && q && (strlen(q) > 60 || !request_text_ok(q)))
        err = error_bad_request(req->arena, "q", "invalid_query", "搜索词最多 20 个字");
    if (err)
        return err;
    items = json_array();
    err = care_store_helpers(req->store, req->arena, community, q, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:s, s:o}", "community", community, "items", items));
}

static Error *month_query(Request *req, const char *name, int def, int *ret)
{
    const char *s = request_query(req, name);
    int y, m, d;

    *ret = def;
    if (!s || !*s)
        return NULL;
    if (strlen(s) != 7 || !date_parse(arena_sprintf(req->arena, "%s-01", s), &y, &m, &d))
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "参数“%s”应为月份，如 2026-11", name));
    *ret = y * 100 + m;
    return NULL;
}

static Error *care_handle_stats(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t now = time_now_ms();
    int to_month = care_month(now), from_month;
    char today[11];
    json_t *out;
    Error *err;

    {
        int y = to_month / 100, m = to_month % 100 - 5; /* the last six months by default */

        if (m <= 0) {
            m += 12;
            y--;
        }
        from_month = y * 100 + m;
    }
    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = month_query(req, "from", from_month, &from_month);
    if (!err)
        err = month_query(req, "to", to_month, &to_month);
    if (err)
        return err;
    today_of(now, today);
    out = json_object();
    err = care_store_stats(req->store, req->arena, lo, hi, today, now, from_month, to_month, out);
    if (err) {
        json_decref(out);
        return err;
    }
    json_object_set_new(out, "from", json_string(arena_sprintf(req->arena, "%04d-%02d",
                                                               from_month / 100, from_month % 100)));
    json_object_set_new(out, "to", json_string(arena_sprintf(req->arena, "%04d-%02d",
                                                             to_month / 100, to_month % 100)));
    return response_json(res, 200, out);
}

static Error *care_handle_form(Request *req, Response *res)
{
    static const int bands[][2] = { { 90, 90 }, { 66, 89 }, { 46, 65 }, { 30, 45 }, { 0, 29 } };
    json_t *items = json_array(), *dims = json_array(), *levels = json_array(), *tags = json_array();

    (void)req;
    for (int i = 0; i < CARE_ITEMS; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:i}", "code", care_items[i].code,
                                               "name", care_items[i].name, "max",
                                               care_items[i].max));
    for (int i = 0; i < CARE_DIMENSIONS; i++)
        json_array_append_new(dims, json_pack("{s:s, s:s, s:i}", "code", care_dimensions[i].code,
                                              "name", care_dimensions[i].name, "max",
                                              care_dimensions[i].max));
    for (int l = 0; l <= CARE_LEVEL_MAX; l++)
        json_array_append_new(levels, json_pack("{s:i, s:s, s:i, s:i}", "level", l, "name",
                                                care_level_name(l), "min", bands[l][0], "max",
                                                bands[l][1]));
    for (int t = 0; t < _CARE_TAG_MAX; t++)
        json_array_append_new(tags, json_pack("{s:s, s:s}", "tag", care_tag_name((CareTag)t),
                                              "label", care_tag_label((CareTag)t)));
    return response_json(
        res, 200,
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:[s, s, s]}", "standard", "GB/T 42195-2022", "items",
                  items, "dimensions", dims, "levels", levels, "tags", tags, "conflicts",
                  "昏迷：C.4 为“能力完全丧失”（默认），B.3.9 注为“重度失能”，见设置 assess.coma",
                  "“近30天2次及以上照护风险事件”：默认各类合计，可设为同一类，见设置 assess.risk_count",
                  "B.1.7 与 B.4.4 个别选项的文字各版本不同，分值相同"));
}

void care_routes_register(Router *r)
{
    care_export_routes_register(r); /* before /care/people/{id}: "export" is not an id */
    router_add(r, "GET", "/api/v1/care/people", care_handle_list, 0);
    router_add(r, "POST", "/api/v1/care/people", care_handle_open, 0);
    router_add(r, "GET", "/api/v1/care/people/{id}", care_handle_get, 0);
    router_add(r, "PATCH", "/api/v1/care/people/{id}", care_handle_update, 0);
    router_add(r, "POST", "/api/v1/care/people/{id}/close", care_handle_close, 0);
    router_add(r, "PUT", "/api/v1/care/people/{id}/grade", care_handle_grade, 0);
    router_add(r, "POST", "/api/v1/care/people/{id}/assessments", care_handle_assess, 0);
    router_add(r, "POST", "/api/v1/care/people/{id}/pairs", care_handle_pair_add, 0);
    router_add(r, "DELETE", "/api/v1/care/pairs/{id}", care_handle_pair_end, 0);
    router_add(r, "POST", "/api/v1/care/people/{id}/visits", care_handle_visit, 0);
    router_add(r, "POST", "/api/v1/care/people/{id}/away", care_handle_away, 0);
    router_add(r, "DELETE", "/api/v1/care/away/{id}", care_handle_away_cancel, 0);
    router_add(r, "POST", "/api/v1/care/checks", care_handle_check, 0);
    router_add(r, "GET", "/api/v1/care/mine", care_handle_mine, 0);
    router_add(r, "GET", "/api/v1/care/overdue", care_handle_overdue, 0);
    router_add(r, "GET", "/api/v1/care/settings", care_handle_settings_get, 0);
    router_add(r, "PUT", "/api/v1/care/settings", care_handle_settings_put, 0);
    router_add(r, "GET", "/api/v1/care/stats", care_handle_stats, 0);
    router_add(r, "GET", "/api/v1/care/form", care_handle_form, 0);
    router_add(r, "GET", "/api/v1/care/helpers", care_handle_helpers, 0);
}
