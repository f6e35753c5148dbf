/*
 * A community's portrait (社区画像): GET /api/v1/analytics/communities/{code}/portrait.
 * The indicators of its street are computed in bulk (analytics_compute on the
 * street's code), so the portrait can set the community beside its street's
 * mean and the mean of the street's communities of its type; the monthly
 * trend of its cases comes from the cases module's dashboard counters.
 * Arrays are [{label, value, …}] for charts; "list" says which existing list
 * route (and query) gives the rows behind a number, masked as that route
 * masks them.
 */
#include <math.h>
#include <string.h>

#include "analytics/analytics_routes.h"
#include "analytics/analytics_store.h"
#include "cases/cases.h"
#include "http/auth.h"
#include "lifecircle/lifecircle_routes.h"
#include "core/banned.h"

static json_t *lv(const char *label, int64_t value)
{
    return json_pack("{s:s, s:I}", "label", label, "value", (json_int_t)value);
}

static json_t *population_json(const AnalyticsSet *set, const AnalyticsCommunity *c)
{
    json_t *pyramid = json_array(), *tags = json_array();

    for (int b = 0; b < REGISTRY_AGE_BANDS; b++)
        json_array_append_new(pyramid, json_pack("{s:s, s:I, s:I, s:I}", "label",
                                                 registry_age_band_labels[b], "male",
                                                 (json_int_t)c->c.age[0][b], "female",
                                                 (json_int_t)c->c.age[1][b], "value",
                                                 (json_int_t)(c->c.age[0][b] + c->c.age[1][b])));
    for (size_t i = 0; i < set->tags.n; i++) {
        const CountRow *r = &set->tags.v[i];

        if (strcmp(r->community, c->code) != 0)
            continue;
        json_array_append_new(tags, json_pack("{s:s, s:I, s:b, s:o}", "label", r->key, "value",
                                              (json_int_t)r->n[0], "key_population",
                                              r->n[1] != 0, "list",
                                              analytics_list("/api/v1/residents", "community",
                                                             c->code, "tag", r->key, NULL)));
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "residents",
                     (json_int_t)c->c.residents, "male", (json_int_t)c->c.male, "female",
                     (json_int_t)c->c.female, "households", (json_int_t)c->c.households,
                     "living_alone", (json_int_t)c->c.living_alone, "key_population",
                     (json_int_t)c->c.key_population, "newcomers", (json_int_t)c->c.newcomers,
                     "pyramid", pyramid, "tags", tags, "list",
                     analytics_list("/api/v1/residents", "community", c->code, NULL),
                     "households_list",
                     analytics_list("/api/v1/households", "community", c->code, NULL),
                     "living_alone_list",
                     analytics_list("/api/v1/residents", "community", c->code, "living_alone",
                                    "1", NULL),
                     "key_population_list",
                     analytics_list("/api/v1/residents", "community", c->code, "key_population",
                                    "1", NULL));
}

static json_t *housing_json(const AnalyticsCommunity *c)
{
    return json_pack("{s:I, s:o, s:o, s:I, s:I, s:o}", "buildings", (json_int_t)c->c.buildings,
                     "households_per_building", analytics_number(c->v[AN_HOUSEHOLDS_PER_BUILDING]),
                     "avg_floors", analytics_number(c->v[AN_AVG_FLOORS]), "low_rise",
                     (json_int_t)c->c.low_rise, "high_rise", (json_int_t)c->c.high_rise, "list",
                     analytics_list("/api/v1/buildings", "community", c->code, NULL));
}

static Error *demand_json(Request *req, const AnalyticsSet *set, const AnalyticsCommunity *c,
                          json_t **ret)
{
    json_t *by_category = json_array(), *trend = json_array(), *by_section = json_array(),
           *by_kind = json_array();
    const char *lo, *hi;
    CaseStatRow *rows;
    size_t n;
    Error *err;

    for (size_t i = 0; i < set->cases.n; i++) {
        const CountRow *r = &set->cases.v[i];

        if (strcmp(r->community, c->code) == 0)
            json_array_append_new(
                by_category,
                json_pack("{s:s, s:s, s:I, s:I, s:o}", "key", r->key, "label", r->label, "value",
                          (json_int_t)r->n[0], "open", (json_int_t)r->n[1], "list",
                          analytics_list("/api/v1/cases", "community", c->code, "category",
                                         r->key, NULL)));
    }
    auth_scope_bounds(req->arena, c->code, &lo, &hi);
    err = cases_store_stats(req->store, req->arena, lo, hi, set->from_month, set->to_month,
                            "month", &rows, &n);
    if (err) {
        json_decref(by_category);
        json_decref(trend);
        json_decref(by_section);
        json_decref(by_kind);
        return err;
    }
    /* every month of the window, a month without cases as 0 */
    for (int ym = set->from_month, i = 0; ym <= set->to_month;
         ym = ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1) {
        const char *key = arena_sprintf(req->arena, "%04d-%02d", ym / 100, ym % 100);
        int64_t total = 0;

        for (size_t k = 0; k < n; k++)
            if (rows[k].key && strcmp(rows[k].key, key) == 0)
                total = rows[k].total;
        json_array_append_new(trend, lv(key, total));
        if (++i > 120)
            break; /* a window of ten years at most */
    }
    for (size_t i = 0; i < set->questions.n; i++) {
        const CountRow *r = &set->questions.v[i];

        if (strcmp(r->community, c->code) == 0)
            json_array_append_new(by_section, json_pack("{s:s, s:I, s:I}", "label", r->key,
                                                        "value", (json_int_t)r->n[0],
                                                        "unanswered", (json_int_t)r->n[1]));
    }
    for (size_t i = 0; i < set->bookings.n; i++) {
        const CountRow *r = &set->bookings.v[i];

        if (strcmp(r->community, c->code) == 0)
            json_array_append_new(by_kind, json_pack("{s:s, s:I, s:I, s:I}", "label",
                                                     *r->key ? r->key : "未分类", "value",
                                                     (json_int_t)r->n[0], "minutes",
                                                     (json_int_t)r->n[1], "checked_in",
                                                     (json_int_t)r->n[2]));
    }
    *ret = json_pack(
        "{s:{s:I, s:I, s:o, s:o, s:o}, s:{s:I, s:I, s:o, s:o}, s:{s:I, s:I, s:o, s:o}}", "cases",
        "total", (json_int_t)c->c.cases, "open", (json_int_t)c->c.cases_open, "by_category",
        by_category, "trend", trend, "list",
        analytics_list("/api/v1/cases", "community", c->code, NULL), "questions", "total",
        (json_int_t)c->c.questions, "unanswered", (json_int_t)c->c.unanswered, "by_section",
        by_section, "list",
        analytics_list("/api/v1/assistant/unanswered", "community", c->code, NULL), "bookings",
        "total", (json_int_t)c->c.bookings, "minutes", (json_int_t)c->c.booked_minutes, "by_kind",
        by_kind, "list", analytics_list("/api/v1/bookings", "community", c->code, NULL));
    return NULL;
}

/*
 * 15-minute life-circle coverage of the community's placed buildings, from
 * the life circle's own model (lifecircle_routes.h): per category, the share
 * of their residents within the farthest band's distance. NULL (JSON null)
 * when none of its buildings is on the map.
 */
static Error *lifecircle_json(Request *req, const char *code, json_t **ret)
{
    const char *lo, *hi;
    GeoModel *m = NULL;
    RegBuilding *bs = NULL;
    size_t nb = 0;
    Error *err;

    *ret = json_null();
    auth_scope_bounds(req->arena, code, &lo, &hi);
    err = geo_model_get(req->store, req->arena, &m);
    if (err)
        return err;
    err = geo_scope_buildings(req, m, lo, hi, &bs, &nb);
    if (!err && nb > 0) {
        double limit = m->set.meters[GEO_BANDS - 1];
        int64_t residents = 0;
        json_t *cats = json_array();

        for (size_t i = 0; i < nb; i++)
            residents += bs[i].residents;
        for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
            int64_t covered = 0, buildings = 0;

            for (size_t i = 0; i < nb; i++) {
                if (geo_building_distance(m, &bs[i], c) <= limit) {
                    covered += bs[i].residents;
                    buildings++;
                }
            }
            json_array_append_new(
                cats, json_pack("{s:s, s:s, s:o, s:I, s:I}", "key", geo_categories[c].key,
                                "label", geo_categories[c].name, "value",
                                analytics_number(residents ? 100.0 * (double)covered /
                                                                 (double)residents
                                                           : NAN),
                                "residents_covered", (json_int_t)covered, "buildings_covered",
                                (json_int_t)buildings));
        }
        json_decref(*ret);
        *ret = json_pack("{s:I, s:o, s:I, s:I, s:o, s:o}", "minutes",
                         (json_int_t)geo_band_minutes[GEO_BANDS - 1], "meters",
                         analytics_number(limit), "buildings", (json_int_t)nb, "residents",
                         (json_int_t)residents, "categories", cats, "list",
                         analytics_list("/api/v1/geo/coverage", "community", code, NULL));
    }
    geo_model_put(m);
    return err;
}

static json_t *supply_json(const AnalyticsSet *set, const AnalyticsCommunity *c, json_t *life)
{
    json_t *rooms = json_array();

    for (size_t i = 0; i < set->rooms.n; i++) {
        const CountRow *r = &set->rooms.v[i];

        if (strcmp(r->community, c->code) == 0)
            json_array_append_new(rooms, lv(*r->key ? r->key : "未分类", r->n[0]));
    }
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:o, s:o, s:o}", "staff",
        (json_int_t)c->c.staff, "secretaries", (json_int_t)c->c.secretaries, "grid_workers",
        (json_int_t)c->c.grid_workers, "workers",
        (json_int_t)(c->c.staff + c->c.secretaries + c->c.grid_workers), "volunteers",
        (json_int_t)c->c.volunteers, "rooms", (json_int_t)c->c.rooms, "rooms_by_kind", rooms,
        "lifecircle", life, "lifecircle_note",
        json_is_null(life) ? "本社区的楼栋尚未标注到地图上，暂无生活圈覆盖数据"
                           : "15分钟生活圈：各类设施步行可达的居民占比（%）",
        "rooms_list", analytics_list("/api/v1/rooms", "community", c->code, NULL),
        "volunteers_list", analytics_list("/api/v1/volunteers", "community", c->code, NULL),
        "workers_list", analytics_list("/api/v1/users", NULL));
}

static json_t *results_json(const AnalyticsCommunity *c)
{
    return json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "response_rate",
                     analytics_number(c->v[AN_RESPONSE_RATE]), "on_time_rate",
                     analytics_number(c->v[AN_ON_TIME_RATE]), "satisfaction_rate",
                     analytics_number(c->v[AN_SATISFACTION_RATE]), "resp_due",
                     (json_int_t)c->c.resp_due, "resp_ok", (json_int_t)c->c.resp_ok, "res_due",
                     (json_int_t)c->c.res_due, "res_ok", (json_int_t)c->c.res_ok, "rated",
                     (json_int_t)c->c.rated, "satisfied", (json_int_t)c->c.satisfied,
                     "basically_satisfied", (json_int_t)c->c.basically);
}

/* Beside the street's mean and the mean of the street's communities of @type. */
static json_t *comparison_json(const AnalyticsSet *set, const AnalyticsRule *rules,
                               size_t n_rules, const AnalyticsCommunity *c, const char *type)
{
    json_t *arr = json_array();

    for (int k = 0; k < _AN_INDICATOR_MAX; k++) {
        double sum = 0, v = c->v[k], sm = set->mean[k];
        size_t m = 0;

        for (size_t i = 0; type && i < set->n; i++) {
            const char *t = analytics_type_for(rules, n_rules, &set->c[i]);

            if (t && strcmp(t, type) == 0 && !isnan(set->c[i].v[k])) {
                sum += set->c[i].v[k];
                m++;
            }
        }
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "key",
                           analytics_indicators[k].key, "label", analytics_indicators[k].label,
                           "unit", analytics_indicators[k].unit, "value", analytics_number(v),
                           "type_mean", analytics_number(m ? sum / (double)m : NAN),
                           "street_mean", analytics_number(sm), "ratio_to_street",
                           analytics_number(!isnan(v) && sm > 0 ? v / sm : NAN)));
    }
    return arr;
}

static Error *analytics_handle_portrait(Request *req, Response *res)
{
    const char *code = req->params[0], *street, *source, *type, *m[ANALYTICS_RULES_MAX];
    json_t *community = NULL, *demand = NULL, *life = NULL, *matched;
    AnalyticsCommunity *c;
    AnalyticsRule *rules;
    size_t n_rules, n_match;
    AnalyticsSet set;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    if (strlen(code) != 12 || !analytics_scope_valid(code) || !auth_covers(req->user, code))
        return error_not_found(req->arena, "code", "找不到该社区");
    street = arena_strndup(req->arena, code, 9);
    err = registry_community_json(req, code, &community);
    if (err)
        return err;
    if (!community)
        return error_not_found(req->arena, "code", "找不到该社区");
    json_decref(community);
    err = analytics_store_rules(req->store, req->arena, street, &rules, &n_rules, &source);
    if (!err)
        err = analytics_compute_req(req, street, &set);
    if (err)
        return err;
    c = analytics_find(&set, code);
    if (!c)
        return error_not_found(req->arena, "code", "找不到该社区");
    err = registry_community_json(req, code, &community);
    if (!err)
        err = demand_json(req, &set, c, &demand);
    if (!err)
        err = lifecircle_json(req, code, &life);
    if (err) {
        json_decref(community);
        json_decref(demand);
        json_decref(life);
        return err;
    }
    n_match = analytics_match(rules, n_rules, c, m, ANALYTICS_RULES_MAX);
    type = c->c.residents > 0 ? analytics_type_of(m, n_match) : NULL;
    matched = json_array();
    for (size_t i = 0; i < n_match; i++)
        json_array_append_new(matched, json_string(m[i]));
    return response_json(
        res, 200,
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:o, s:s}, s:o, s:{s:o, s:o, s:s, s:o},"
                  " s:o, s:o}",
                  "community", community, "window", analytics_window_json(&set), "population",
                  population_json(&set, c), "housing", housing_json(c), "demand", demand,
                  "supply", supply_json(&set, c, life), "workload", "units",
                  (json_int_t)c->c.workload, "per_worker",
                  analytics_number(c->v[AN_WORKLOAD_PER_WORKER]), "formula",
                  ANALYTICS_WORKLOAD_FORMULA, "results", results_json(c), "type", "label",
                  type ? json_string(type) : json_null(), "matched", matched, "rules_scope",
                  source, "rules", analytics_rules_json(rules, n_rules), "comparison",
                  comparison_json(&set, rules, n_rules, c, type), "values",
                  analytics_values_json(c->v)));
}

void analytics_portrait_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/analytics/communities/{code}/portrait",
               analytics_handle_portrait, 0);
}
