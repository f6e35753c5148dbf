/*
 * Analytics routes (/api/v1/analytics/…; docs/API.md, 社区分析): the indicators
 * of a scope's communities, the classification, its rules, a community's
 * portrait (analytics_portrait.c), key populations and the staffing
 * suggestion (analytics_people_routes.c), the spreadsheet
 * (analytics_export.c), the service lists (analytics_services.c). Community workers, the street's admins and admins
 * read within their scope; a scope outside hers is 403.
 */
#include <math.h>
#include <string.h>

#include "analytics/analytics_routes.h"
#include "analytics/analytics_store.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "core/banned.h"

#define ANALYTICS_READ ROLES_REGISTRY_READ

Error *analytics_scope_arg(Request *req, const char **ret)
{
    const char *q = request_query(req, "scope");
    Error *err = auth_require(req, ANALYTICS_READ);

    if (err)
        return err;
    if (!q || !*q) {
        *ret = req->user->role == ROLE_ADMIN ? "" : req->user->scope;
        return NULL;
    }
    if (!analytics_scope_valid(q))
        return error_bad_request(req->arena, "scope", "invalid_scope",
                                 "scope 应为 2、4、6、9 或 12 位行政区划代码");
    if (!auth_covers(req->user, q))
        return error_forbidden(req->arena, "该范围不在您的管辖范围内");
    *ret = q;
    return NULL;
}

Error *analytics_compute_req(Request *req, const char *scope, AnalyticsSet *ret)
{
    return analytics_compute(req->store, req->arena, scope, time_now_ms(), ret);
}

static json_t *counts_json(const AnalyticsCounts *c)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
                     " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                     "residents", (json_int_t)c->residents, "male", (json_int_t)c->male,
                     "female", (json_int_t)c->female, "households", (json_int_t)c->households,
                     "buildings", (json_int_t)c->buildings, "floors", (json_int_t)c->floors,
                     "low_rise", (json_int_t)c->low_rise, "high_rise", (json_int_t)c->high_rise,
                     "living_alone", (json_int_t)c->living_alone, "key_population",
                     (json_int_t)c->key_population, "newcomers", (json_int_t)c->newcomers,
                     "staff", (json_int_t)c->staff, "secretaries", (json_int_t)c->secretaries,
                     "grid_workers", (json_int_t)c->grid_workers, "volunteers",
                     (json_int_t)c->volunteers, "rooms", (json_int_t)c->rooms, "bookings",
                     (json_int_t)c->bookings, "questions", (json_int_t)c->questions,
                     "unanswered", (json_int_t)c->unanswered, "cases", (json_int_t)c->cases,
                     "resp_due", (json_int_t)c->resp_due, "resp_ok", (json_int_t)c->resp_ok,
                     "res_due", (json_int_t)c->res_due, "res_ok", (json_int_t)c->res_ok,
                     "rated", (json_int_t)c->rated, "workload", (json_int_t)c->workload);
}

json_t *analytics_counts_json(const AnalyticsCommunity *c)
{
    json_t *o = counts_json(&c->c), *age = json_array();

    for (int b = 0; b < REGISTRY_AGE_BANDS; b++)
        json_array_append_new(age, json_pack("{s:s, s:I, s:I}", "label",
                                             registry_age_band_labels[b], "male",
                                             (json_int_t)c->c.age[0][b], "female",
                                             (json_int_t)c->c.age[1][b]));
    json_object_set_new(o, "age_bands", age);
    return o;
}

json_t *analytics_window_json(const AnalyticsSet *set)
{
    return json_pack("{s:s, s:I, s:I, s:s}", "today", set->today, "from_month",
                     (json_int_t)set->from_month, "to_month", (json_int_t)set->to_month,
                     "moved_in_since", set->since_date);
}

static Error *analytics_handle_indicators(Request *req, Response *res)
{
    const char *scope;
    AnalyticsSet set;
    json_t *items;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = analytics_compute_req(req, scope, &set);
    if (err)
        return err;
    items = json_array();
    for (size_t i = 0; i < set.n; i++) {
        const AnalyticsCommunity *c = &set.c[i];

        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", c->code,
                                               "name", c->name, "street_code", c->street_code,
                                               "values", analytics_values_json(c->v), "counts",
                                               analytics_counts_json(c)));
    }
    return response_json(res, 200,
                         json_pack("{s:s, s:o, s:o, s:o, s:o}", "scope", scope, "window",
                                   analytics_window_json(&set), "indicators",
                                   analytics_indicators_json(), "mean",
                                   analytics_values_json(set.mean), "items", items));
}

/* ?k= (1..12, default 4) and ?seed= (default 1). */
static Error *kmeans_args(Request *req, size_t *ret_k, uint64_t *ret_seed)
{
    int64_t k, seed;
    Error *err = request_query_int(req, "k", 4, 1, ANALYTICS_K_MAX, &k);

    if (!err)
        err = request_query_int(req, "seed", 1, 0, INT64_C(9007199254740991), &seed);
    if (err)
        return err;
    *ret_k = (size_t)k;
    *ret_seed = (uint64_t)seed;
    return NULL;
}

static Error *analytics_handle_classification(Request *req, Response *res)
{
    const char *scope, *source;
    AnalyticsRule *rules;
    size_t n_rules, k;
    uint64_t seed;
    AnalyticsSet set;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = kmeans_args(req, &k, &seed);
    if (!err)
        err = analytics_store_rules(req->store, req->arena, scope, &rules, &n_rules, &source);
    if (!err)
        err = analytics_compute_req(req, scope, &set);
    if (err)
        return err;
    return response_json(res, 200, analytics_classification_json(req->arena, &set, rules,
                                                                  n_rules, source, k, seed));
}

/* GET's and PUT's answer: the rules that apply to @scope, the indicators and operators to write them with. */
static json_t *rules_answer(Request *req, const char *scope, const AnalyticsRule *rules, size_t n,
                            const char *source)
{
    return json_pack("{s:s, s:s, s:b, s:o, s:o, s:o}", "scope", scope, "rules_scope", source,
                     "editable", (req->user->role & (ROLE_STREET_ADMIN | ROLE_ADMIN)) != 0, "rules",
                     analytics_rules_json(rules, n), "indicators", analytics_indicators_json(),
                     "ops", json_pack("[s, s, s, s]", ">=", ">", "<=", "<"));
}

static Error *analytics_handle_rules(Request *req, Response *res)
{
    const char *scope, *source;
    AnalyticsRule *rules;
    size_t n;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = analytics_store_rules(req->store, req->arena, scope, &rules, &n, &source);
    if (err)
        return err;
    return response_json(res, 200, rules_answer(req, scope, rules, n, source));
}

static Error *parse_rules(Request *req, json_t *body, AnalyticsRule **ret, size_t *ret_n)
{
    static const char *const allowed[] = { "type", "indicator", "op", "threshold", NULL };
    json_t *arr = json_object_get(body, "rules"), *item;
    AnalyticsRule *rules;
    size_t i;

    if (!arr)
        return error_invalid(req->arena, "rules", "missing_field", "请提供规则列表 rules");
    if (!json_is_array(arr))
        return error_invalid(req->arena, "rules", "invalid_type", "rules 应为数组");
    if (json_array_size(arr) > ANALYTICS_RULES_MAX)
        return error_invalid(req->arena, "rules", "too_many", "规则最多 64 条");
    rules = arena_zalloc(req->arena, (json_array_size(arr) + 1) * sizeof(*rules));
    json_array_foreach(arr, i, item) {
        const char *type, *ind, *op, *f;
        double threshold;
        Error *err;

        f = arena_sprintf(req->arena, "rules[%zu]", i);
        if (!json_is_object(item))
            return error_invalid(req->arena, f, "invalid_type", "每条规则应为对象");
        err = request_reject_unknown(req, item, allowed);
        if (err) {
            err->field = arena_sprintf(req->arena, "%s.%s", f, err->field ? err->field : "");
            return err;
        }
        err = request_field_string(req, item, "type", true, 1, ANALYTICS_TYPE_MAX, &type);
        if (!err)
            err = request_field_string(req, item, "indicator", true, 1, 64, &ind);
        if (!err)
            err = request_field_string(req, item, "op", true, 1, 2, &op);
        if (!err)
            err = request_field_number(req, item, "threshold", true, -1e9, 1e9, &threshold, NULL);
        if (err) {
            err->field = arena_sprintf(req->arena, "%s.%s", f, err->field ? err->field : "");
            return err;
        }
        if (strcmp(type, ANALYTICS_MIXED) == 0 || strcmp(type, ANALYTICS_GENERAL) == 0)
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.type", f),
                                 "reserved_type", "“混合型”和“一般型”由系统判定，不能作为规则的类型");
        rules[i].type = type;
        rules[i].indicator = analytics_indicator_find(ind);
        if (rules[i].indicator < 0)
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.indicator", f),
                                 "unknown_indicator", "没有这个指标，请从指标列表中选择");
        if (!analytics_op_parse(op, &rules[i].op))
            return error_invalid(req->arena, arena_sprintf(req->arena, "%s.op", f),
                                 "invalid_op", "比较方式应为 >=、>、<= 或 <");
        rules[i].threshold = threshold;
    }
    *ret = rules;
    *ret_n = json_array_size(arr);
    return NULL;
}

static Error *analytics_handle_rules_put(Request *req, Response *res)
{
    static const char *const allowed[] = { "rules", NULL };
    const char *scope, *source;
    AnalyticsRule *rules;
    size_t n;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = analytics_scope_arg(req, &scope);
    if (err)
        return err;
    if (!*scope)
        scope = ""; /* an admin's defaults */
    err = request_json_fields(req, allowed, &body);
    if (!err)
        err = parse_rules(req, body, &rules, &n);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = analytics_store_rules_replace(req->store, req->arena, scope, rules, n, req->user->id,
                                        time_now_ms());
    if (!err)
        err = audit_record(req, "analytics.rules_update", "analytics_rule", 0,
                           *scope ? scope : NULL, json_pack("{s:s, s:I}", "scope", scope,
                                                            "rules", (json_int_t)n));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = analytics_store_rules(req->store, req->arena, scope, &rules, &n, &source);
    if (err)
        return err;
    return response_json(res, 200, rules_answer(req, scope, rules, n, source));
}

void analytics_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/analytics/indicators", analytics_handle_indicators, 0);
    router_add(r, "GET", "/api/v1/analytics/classification", analytics_handle_classification, 0);
    router_add(r, "GET", "/api/v1/analytics/rules", analytics_handle_rules, 0);
    router_add(r, "PUT", "/api/v1/analytics/rules", analytics_handle_rules_put, 0);
    analytics_portrait_routes_register(r);
    analytics_people_routes_register(r);
    analytics_export_routes_register(r);
    analytics_services_routes_register(r);
}
