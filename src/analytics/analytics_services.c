/*
 * 服务清单 (service lists): per scope and community type, the services of
 * three kinds with their provider and frequency, built by staff
 * (/api/v1/analytics/services…), and suggestions from demand: what the
 * communities of that type report (cases by category, per 1,000 of their
 * residents) and ask the assistant (by section, with the unanswered). A
 * resident reads her community's list (/api/v1/analytics/services/mine):
 * the services of her community's rule type at her community and every
 * scope above it.
 */
#include <math.h>
#include <string.h>

#include "analytics/analytics_routes.h"
#include "analytics/analytics_store.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "core/banned.h"

#define SERVICE_WRITERS (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)

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
    /* most first (insertion order on ties) */
    for (size_t i = 1; i < json_array_size(arr); i++) {
        for (size_t j = i; j > 0; j--) {
            json_t *p = json_array_get(arr, j - 1), *q = json_array_get(arr, j);

            if (json_integer_value(json_object_get(p, "value")) >=
                json_integer_value(json_object_get(q, "value")))
                break;
            json_incref(p);
            json_array_set(arr, j - 1, q);
            json_array_set_new(arr, j, p);
        }
    }
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

static Error *analytics_handle_service_suggestions(Request *req, Response *res)
{
    const char *scope, *type, *source;
    AnalyticsRule *rules;
    size_t n_rules, n = 0;
    int64_t residents = 0;
    AnalyticsSet set;
    json_t *codes;
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
    return response_json(
        res, 200,
        json_pack("{s:s, s:o, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s}", "scope", scope, "type",
                  type ? json_string(type) : json_null(), "rules_scope", source, "communities",
                  (json_int_t)n, "residents", (json_int_t)residents, "members", codes, "cases",
                  sum_by_key(&set, &set.cases, member, residents, true, "open"), "questions",
                  sum_by_key(&set, &set.questions, member, residents, true, "unanswered"),
                  "bookings", sum_by_key(&set, &set.bookings, member, residents, true, "minutes"),
                  "note",
                  "近12个月这类社区居民报事最多的类别、向助手咨询最多（含未答）的领域和活动室预约，供编制服务清单参考"));
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
