/*
 * 服务清单 (service lists): per scope and community type, the services of
 * three kinds with their provider and frequency, built by staff
 * (/api/v1/analytics/services…), and suggestions from demand: what the
 * communities of that type report (cases by category, per 1,000 of their
 * residents) and ask the assistant (by section, with the unanswered). A
 * resident reads her community's list (/api/v1/analytics/services/mine):
 * the services of her community's rule type at her community and every
 * scope above it.
 *
 * The suggestions also read activities (activities_store_demand_by_community:
 * per kind, sign-ups and waitlisted sign-ups, the full activities, and the
 * titles most in demand) and the 15-minute life circle's gaps
 * (geo_coverage_by_community, the coverage route's own count from the
 * server's walking model, which is built once per 'geo' data version and
 * shared: the suggestions add a pass over the placed buildings, no walk).
 * A category is a gap when fewer than ANALYTICS_GAP_SHARE of the member
 * communities' placed buildings reach it within 15 minutes.
 */
#include <math.h>
#include <string.h>

#include "activities/activities_store.h"
#include "analytics/analytics_routes.h"
#include "analytics/analytics_store.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "lifecircle/lifecircle_model.h"
#include "core/banned.h"

#define SERVICE_WRITERS (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

/* A life-circle category is a gap below this share of placed buildings reaching it in 15 minutes. */
#define ANALYTICS_GAP_SHARE 0.8
#define ANALYTICS_GAP_MINUTES 15
#define ANALYTICS_TITLES_MAX 3

/*
 * What a service list could offer for a missing life-circle category: the
 * kind (a school or a clinic the government's, a market's shop the
 * market's) and a service that answers it until one is built.
 */
static const struct {
    const char *category, *kind, *service;
} gap_services[] = {
    { "community_service", "basic", "社区事务代办服务点" },
    { "kindergarten", "basic", "社区托育服务点" },
    { "nursery", "basic", "社区托育服务点" },
    { "elderly_care", "basic", "社区养老服务点（助餐、日间照料）" },
    { "clinic", "basic", "家庭医生上门巡诊" },
    { "pharmacy", "market", "送药上门服务" },
    { "primary_school", "basic", "课后服务和上下学接送" },
    { "middle_school", "basic", "课后服务和上下学接送" },
    { "supermarket", "market", "便民购物点" },
    { "convenience", "market", "便民购物点" },
    { "fresh_market", "market", "流动菜市场进社区" },
    { "park", "basic", "口袋公园和健身步道" },
    { "playground", "basic", "儿童游戏场地开放" },
    { "sports", "basic", "公共健身场地开放" },
    { "bus_stop", "basic", "社区微循环公交" },
    { "metro", "basic", "社区微循环公交（接驳地铁）" },
    { "food", "market", "社区食堂" },
    { "bank", "market", "金融服务进社区" },
    { "post", "market", "快递代收点" },
    { "toilets", "basic", "公共厕所对外开放" },
};

static json_t *kinds_json(void)
{
    static const char *const keys[] = { "basic", "welfare", "market" };
    json_t *arr = json_array();

    for (size_t i = 0; i < 3; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "key", keys[i], "label",
                                             analytics_service_kind_label(keys[i])));
    return arr;
}

static Error *type_arg(Request *req, const char **ret)
{
    const char *t = request_query(req, "type");

    *ret = NULL;
    if (!t || !*t)
        return NULL;
    if (strlen(t) > 60)
        return error_bad_request(req->arena, "type", "invalid_query", "类型名最多 20 个字");
    *ret = t;
    return NULL;
}

static Error *analytics_handle_services(Request *req, Response *res)
{
    const char *scope, *type;
    json_t *items;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = type_arg(req, &type);
    if (err)
        return err;
    items = json_array();
    err = analytics_store_services(req->store, req->arena, scope, type, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200,
                         json_pack("{s:s, s:o, s:o, s:o}", "scope", scope, "type",
                                   type ? json_string(type) : json_null(), "kinds", kinds_json(),
                                   "items", items));
}

static Error *analytics_handle_service_create(Request *req, Response *res)
{
    static const char *const allowed[] = { "type", "kind", "name", "provider", "frequency", NULL };
    AnalyticsService x = { 0 };
    const char *scope;
    json_t *body;
    int64_t id;
    Error *err;

    err = auth_require(req, SERVICE_WRITERS);
    if (!err)
        err = analytics_scope_arg(req, &scope);
    if (!err)
        err = request_json_fields(req, allowed, &body);
    if (!err)
        err = request_field_string(req, body, "type", true, 1, ANALYTICS_TYPE_MAX, &x.type);
    if (!err)
        err = request_field_string(req, body, "kind", true, 1, 20, &x.kind);
    if (!err && !analytics_service_kind_label(x.kind))
        err = error_invalid(req->arena, "kind", "invalid_kind",
                            "服务类别应为 basic（基本公共服务）、welfare（公益服务）或 market（便民利民服务）");
    if (!err)
        err = request_field_string(req, body, "name", true, 1, 60, &x.name);
    if (!err)
        err = request_field_string(req, body, "provider", false, 0, 60, &x.provider);
    if (!err)
        err = request_field_string(req, body, "frequency", false, 0, 40, &x.frequency);
    if (err)
        return err;
    x.scope = scope;
    if (!x.provider)
        x.provider = "";
    if (!x.frequency)
        x.frequency = "";
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = analytics_store_service_insert(req->store, req->arena, &x, req->user->id, time_now_ms(),
                                         &id);
    if (!err)
        err = audit_record(req, "analytics.service_create", "analytics_service", id,
                           *scope ? scope : NULL,
                           json_pack("{s:s, s:s, s:s}", "type", x.type, "kind", x.kind, "name",
                                     x.name));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    x.id = id;
    return response_json(res, 201, analytics_service_json(&x));
}

static Error *analytics_handle_service_delete(Request *req, Response *res)
{
    AnalyticsService *x = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, SERVICE_WRITERS);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = analytics_store_service_get(req->store, req->arena, id, &x);
    if (err)
        return err;
    if (!x || !(req->user->role == ROLE_ADMIN || (*x->scope && auth_covers(req->user, x->scope))))
        return error_not_found(req->arena, "id", "找不到这项服务，或其不在您的管辖范围内");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = analytics_store_service_delete(req->store, req->arena, id);
    if (!err)
        err = audit_record(req, "analytics.service_delete", "analytics_service", id,
                           *x->scope ? x->scope : NULL,
                           json_pack("{s:s, s:s, s:s}", "type", x->type, "kind", x->kind, "name",
                                     x->name));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 200, json_pack("{s:I}", "deleted", (json_int_t)id));
}

/*
 * The list of the caller's own community (a resident's, or a community
 * worker's: what her residents see): its rule type under the rules that
 * apply to it, and the services of that type at the community and above.
 * No community (a scope that is not one) or no residents yet: type null,
 * no items.
 */
static Error *analytics_handle_services_mine(Request *req, Response *res)
{
    const char *code = req->user ? req->user->scope : NULL, *type = NULL, *source = "";
    json_t *community = json_null(), *items;
    AnalyticsRule *rules;
    size_t n_rules;
    AnalyticsSet set;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    items = json_array();
    if (code && strlen(code) == 12 && analytics_scope_valid(code)) {
        AnalyticsCommunity *c;

        err = analytics_store_rules(req->store, req->arena, code, &rules, &n_rules, &source);
        if (!err)
            err = analytics_compute_req(req, code, &set);
        c = err ? NULL : analytics_find(&set, code);
        if (c) {
            community = json_pack("{s:s, s:s}", "code", c->code, "name", c->name);
            type = analytics_type_for(rules, n_rules, c);
        }
        if (!err && type)
            err = analytics_store_services_for(req->store, req->arena, code, type, items);
    }
    if (err) {
        json_decref(community);
        json_decref(items);
        return err;
    }
    return response_json(res, 200,
                         json_pack("{s:o, s:o, s:s, s:o, s:o}", "community", community, "type",
                                   type ? json_string(type) : json_null(), "rules_scope", source,
                                   "kinds", kinds_json(), "items", items));
}

static int64_t int_of(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* Stable insertion sort of @arr: @q moves ahead of @p while before(q, p). */
static void sort_stable(json_t *arr, bool (*before)(const json_t *q, const json_t *p))
{
    for (size_t i = 1; i < json_array_size(arr); i++) {
        for (size_t j = i; j > 0; j--) {
            json_t *p = json_array_get(arr, j - 1), *q = json_array_get(arr, j);

            if (!before(q, p))
                break;
            json_incref(p);
            json_array_set(arr, j - 1, q);
            json_array_set_new(arr, j, p);
        }
    }
}

static bool more_value(const json_t *q, const json_t *p)
{
    return int_of(q, "value") > int_of(p, "value");
}

/* Sums @rows (key, n[0], n[1]) of the communities @member marks, by key, into a new array. */
static json_t *sum_by_key(const AnalyticsSet *set, const CountRows *rows, const bool *member,
                          int64_t residents, bool per_1000, const char *second)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < rows->n; i++) {
        const CountRow *r = &rows->v[i];
        AnalyticsCommunity *c = analytics_find(set, r->community);
        json_t *found = NULL, *it;
        size_t j;

        if (!c || !member[c - set->c])
            continue;
        json_array_foreach(arr, j, it) {
            if (strcmp(json_string_value(json_object_get(it, "key")), r->key) == 0)
                found = it;
        }
        if (!found) {
            found = json_pack("{s:s, s:s, s:I, s:I}", "key", r->key, "label",
                              *r->label ? r->label : r->key, "value", (json_int_t)0, second,
                              (json_int_t)0);
            json_array_append_new(arr, found);
        }
        json_object_set_new(found, "value",
                            json_integer(json_integer_value(json_object_get(found, "value")) +
                                         r->n[0]));
        json_object_set_new(found, second,
                            json_integer(json_integer_value(json_object_get(found, second)) +
                                         r->n[1]));
    }
    sort_stable(arr, more_value); /* most first (insertion order on ties) */
    if (per_1000) {
        size_t i;
        json_t *it;

        json_array_foreach(arr, i, it)
            json_object_set_new(it, "per_1000",
                                analytics_number(residents > 0
                                                     ? 1000.0 * (double)json_integer_value(
                                                                    json_object_get(it, "value")) /
                                                           (double)residents
                                                     : NAN));
    }
    return arr;
}

/* @extra's members set into @o (both new references; @o returned). */
static json_t *analytics_merge(json_t *extra, json_t *o)
{
    json_object_update(o, extra);
    json_decref(extra);
    return o;
}

/* Demand first: more waitlisted sign-ups, then more sign-ups. */
static bool demand_before(const json_t *p, const json_t *q)
{
    if (int_of(p, "waitlisted") != int_of(q, "waitlisted"))
        return int_of(p, "waitlisted") > int_of(q, "waitlisted");
    return int_of(p, "signups") > int_of(q, "signups");
}

/* Less covered: covered / buildings compared without division. */
static bool less_covered(const json_t *q, const json_t *p)
{
    return int_of(q, "covered") * int_of(p, "buildings") <
           int_of(p, "covered") * int_of(q, "buildings");
}

/* The entry of @arr whose @field is @value, or a new one from @make. */
static json_t *entry(json_t *arr, const char *field, const char *value, json_t *make)
{
    size_t i;
    json_t *it;

    json_array_foreach(arr, i, it) {
        if (strcmp(json_string_value(json_object_get(it, field)), value) == 0) {
            json_decref(make);
            return it;
        }
    }
    json_array_append_new(arr, make);
    return make;
}

static void add_int(json_t *o, const char *key, int64_t n)
{
    json_object_set_new(o, key, json_integer(int_of(o, key) + n));
}

/*
 * Activities of the member communities by kind (rows: activities'
 * demand_by_community), each with its titles most in demand, sorted by
 * demand.
 */
static json_t *activities_json(const AnalyticsSet *set, const CountRows *rows, const bool *member,
                               int64_t residents)
{
    json_t *arr = json_array(), *it;
    size_t i;

    for (i = 0; i < rows->n; i++) {
        const CountRow *r = &rows->v[i];
        AnalyticsCommunity *c = analytics_find(set, r->community);
        ActivityKind k = ACTIVITY_VOLUNTEER;
        json_t *o, *t;

        if (!c || !member[c - set->c])
            continue;
        if (!activities_kind_parse(r->key, &k))
            continue;
        o = entry(arr, "key", r->key,
                  json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:[]}", "key", r->key, "label",
                            activities_kind_label(k), "activities", (json_int_t)0, "signups",
                            (json_int_t)0, "waitlisted", (json_int_t)0, "full", (json_int_t)0,
                            "titles"));
        t = entry(json_object_get(o, "titles"), "title", r->label,
                  json_pack("{s:s, s:I, s:I, s:I, s:I}", "title", r->label, "activities",
                            (json_int_t)0, "signups", (json_int_t)0, "waitlisted", (json_int_t)0,
                            "full", (json_int_t)0));
        add_int(o, "activities", r->n[0]);
        add_int(o, "signups", r->n[1]);
        add_int(o, "waitlisted", r->n[2]);
        add_int(o, "full", r->n[3]);
        add_int(t, "activities", r->n[0]);
        add_int(t, "signups", r->n[1]);
        add_int(t, "waitlisted", r->n[2]);
        add_int(t, "full", r->n[3]);
    }
    sort_stable(arr, demand_before);
    json_array_foreach(arr, i, it) {
        json_t *titles = json_object_get(it, "titles");

        sort_stable(titles, demand_before);
        while (json_array_size(titles) > ANALYTICS_TITLES_MAX)
            json_array_remove(titles, json_array_size(titles) - 1);
        json_object_set_new(it, "per_1000",
                            analytics_number(residents > 0 ? 1000.0 *
                                                                 (double)int_of(it, "signups") /
                                                                 (double)residents
                                                           : NAN));
        json_object_set_new(it, "service_kind", json_string("welfare"));
    }
    return arr;
}

static json_t *share_json(int64_t part, int64_t whole)
{
    return whole > 0 ? json_real(round(1000.0 * (double)part / (double)whole) / 1000.0)
                     : json_null();
}

/*
 * The life circle's categories over the member communities' placed
 * buildings (rows: geo_coverage_by_community), least covered first, each
 * marked a gap below ANALYTICS_GAP_SHARE, with the service that could
 * answer it; *ret_placed counts the member communities with a placed
 * building.
 */
static json_t *gaps_json(const AnalyticsSet *set, const CountRows *rows, const bool *member,
                         int64_t *ret_placed)
{
    json_t *arr = json_array(), *it;
    size_t i;

    *ret_placed = 0;
    for (i = 0; i < rows->n; i++) {
        const CountRow *r = &rows->v[i];
        AnalyticsCommunity *c = analytics_find(set, r->community);
        const char *kind = "basic", *service = r->label;
        json_t *o;

        if (!c || !member[c - set->c])
            continue;
        if (i == 0 || strcmp(rows->v[i - 1].community, r->community) != 0)
            (*ret_placed)++;
        for (size_t g = 0; g < sizeof(gap_services) / sizeof(gap_services[0]); g++) {
            if (strcmp(gap_services[g].category, r->key) == 0) {
                kind = gap_services[g].kind;
                service = gap_services[g].service;
            }
        }
        o = entry(arr, "key", r->key,
                  json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "key", r->key, "label",
                            r->label, "buildings", (json_int_t)0, "covered", (json_int_t)0,
                            "residents", (json_int_t)0, "residents_covered", (json_int_t)0,
                            "service_kind", kind, "service", service));
        add_int(o, "buildings", r->n[0]);
        add_int(o, "covered", r->n[1]);
        add_int(o, "residents", r->n[2]);
        add_int(o, "residents_covered", r->n[3]);
    }
    json_array_foreach(arr, i, it) {
        int64_t b = int_of(it, "buildings"), cov = int_of(it, "covered");

        json_object_set_new(it, "uncovered", json_integer(b - cov));
        json_object_set_new(it, "share", share_json(cov, b));
        json_object_set_new(it, "resident_share",
                            share_json(int_of(it, "residents_covered"), int_of(it, "residents")));
        json_object_set_new(it, "gap",
                            json_boolean(b > 0 && (double)cov < ANALYTICS_GAP_SHARE * (double)b));
    }
    sort_stable(arr, less_covered); /* the categories' order on ties */
    return arr;
}

static Error *analytics_handle_service_suggestions(Request *req, Response *res)
{
    const char *scope, *type, *source;
    AnalyticsRule *rules;
    size_t n_rules, n = 0;
    int64_t residents = 0;
    AnalyticsSet set;
    CountRows demand = { 0 }, coverage = { 0 };
    json_t *codes, *activities, *gaps, *o;
    int64_t placed = 0;
    bool *member;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = type_arg(req, &type);
    if (!err)
        err = analytics_store_rules(req->store, req->arena, scope, &rules, &n_rules, &source);
    if (!err)
        err = analytics_compute_req(req, scope, &set);
    if (err)
        return err;
    member = arena_zalloc(req->arena, (set.n + 1) * sizeof(bool));
    codes = json_array();
    for (size_t i = 0; i < set.n; i++) {
        const char *t = analytics_type_for(rules, n_rules, &set.c[i]);

        if (!t || (type && strcmp(t, type) != 0))
            continue;
        member[i] = true;
        n++;
        residents += set.c[i].c.residents;
        json_array_append_new(codes, json_string(set.c[i].code));
    }
    if (n > 0)
        err = activities_store_demand_by_community(req->store, req->arena, set.lo, set.hi,
                                                   set.since_ms, set.now_ms + 366 * TIME_DAY_MS,
                                                   &demand);
    if (!err && n > 0)
        err = geo_coverage_by_community(req->store, req->arena, set.lo, set.hi,
                                        ANALYTICS_GAP_MINUTES, &coverage);
    if (err) {
        json_decref(codes);
        return err;
    }
    activities = activities_json(&set, &demand, member, residents);
    gaps = gaps_json(&set, &coverage, member, &placed);
    o = json_pack(
        "{s:o, s:I, s:i, s:f, s:s, s:o}", "activities", activities, "gap_communities",
        (json_int_t)placed, "gap_minutes", ANALYTICS_GAP_MINUTES, "gap_threshold",
        ANALYTICS_GAP_SHARE, "gap_note",
        "已在地图上标注的楼栋中，步行15分钟可达各类设施的比例；低于80%的列为短板",
        "gaps", gaps);
    return response_json(
        res, 200,
        analytics_merge(o, json_pack("{s:s, s:o, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s}", "scope", scope, "type",
                  type ? json_string(type) : json_null(), "rules_scope", source, "communities",
                  (json_int_t)n, "residents", (json_int_t)residents, "members", codes, "cases",
                  sum_by_key(&set, &set.cases, member, residents, true, "open"), "questions",
                  sum_by_key(&set, &set.questions, member, residents, true, "unanswered"),
                  "bookings", sum_by_key(&set, &set.bookings, member, residents, true, "minutes"),
                  "note",
                  "近12个月这类社区居民报事最多的类别、向助手咨询最多（含未答）的领域、活动室预约和活动报名（含候补），以及15分钟生活圈的短板，供编制服务清单参考")));
}

void analytics_services_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/analytics/services/suggestions",
               analytics_handle_service_suggestions, 0);
    router_add(r, "GET", "/api/v1/analytics/services/mine", analytics_handle_services_mine, 0);
    router_add(r, "GET", "/api/v1/analytics/services", analytics_handle_services, 0);
    router_add(r, "POST", "/api/v1/analytics/services", analytics_handle_service_create, 0);
    router_add(r, "DELETE", "/api/v1/analytics/services/{id}", analytics_handle_service_delete, 0);
}
