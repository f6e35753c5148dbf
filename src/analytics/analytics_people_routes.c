/*
 * Key populations (重点人群) and the staffing suggestion:
 * GET /api/v1/analytics/key-populations and GET /api/v1/analytics/staffing.
 * Tag counts come from the registry's counters, their last 12 month-ends
 * from its tag history (registry_store_count_tag_months), who was visited from the
 * care module's open records (care_store_last_visits); the people listed
 * show what the registry's resident list shows (name, community, tags),
 * never an ID number or a phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_routes.h"
#include "care/care_store.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "core/banned.h"

#define NOT_CONTACTED_MAX 500

typedef struct Person {
    int64_t id, last_visit;
    const char *community, *name;
    json_t *tags;
    bool in_care;
} Person;

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const CountRow *)a)->n[0], y = ((const CountRow *)b)->n[0];

    return (x > y) - (x < y);
}

static json_t *tag_totals(const AnalyticsSet *set, const char *scope)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < set->tags.n; i++) {
        const CountRow *r = &set->tags.v[i];
        json_t *found = NULL, *it;
        size_t j;

        if (!r->n[1])
            continue;
        json_array_foreach(arr, j, it) {
            if (strcmp(json_string_value(json_object_get(it, "label")), r->key) == 0)
                found = it;
        }
        if (found) {
            json_object_set_new(found, "value",
                                json_integer(json_integer_value(json_object_get(found, "value")) +
                                             r->n[0]));
            continue;
        }
        json_array_append_new(arr, json_pack("{s:s, s:I, s:o}", "label", r->key, "value",
                                             (json_int_t)r->n[0], "list",
                                             strlen(scope) == 12
                                                 ? analytics_list("/api/v1/residents", "community",
                                                                  scope, "tag", r->key, NULL)
                                                 : analytics_list("/api/v1/residents", "tag",
                                                                  r->key, NULL)));
    }
    return arr;
}

/*
 * The key populations month by month (registry_store_count_tag_months):
 * {months, tags [{label, values, change, change_pct}], by_community [{code,
 * name, values {tag: [..]}}]}, the last month this one.
 */
#define TREND_MONTHS 12

static json_t *trend_json(const AnalyticsSet *set, const CountRows *rows)
{
    json_t *months = json_array(), *tags = json_array(), *by_community = json_array();
    int first = (set->to_month / 100) * 12 + (set->to_month % 100 - 1) - (TREND_MONTHS - 1);

    for (int i = 0; i < TREND_MONTHS; i++) {
        char buf[40];

        snprintf(buf, sizeof(buf), "%04d-%02d", (first + i) / 12, (first + i) % 12 + 1);
        json_array_append_new(months, json_string(buf));
    }
    /* rows come by tag: sum each tag's communities */
    for (size_t i = 0; i < rows->n;) {
        const char *tag = rows->v[i].key;
        int64_t sum[TREND_MONTHS] = { 0 };
        json_t *values = json_array();
        double pct;

        for (; i < rows->n && strcmp(rows->v[i].key, tag) == 0; i++)
            for (int j = 0; j < TREND_MONTHS; j++)
                sum[j] += rows->v[i].n[j];
        for (int j = 0; j < TREND_MONTHS; j++)
            json_array_append_new(values, json_integer(sum[j]));
        pct = sum[0] ? 100.0 * (double)(sum[TREND_MONTHS - 1] - sum[0]) / (double)sum[0] : 0;
        json_array_append_new(
            tags, json_pack("{s:s, s:o, s:I, s:o}", "label", tag, "values", values, "change",
                            (json_int_t)(sum[TREND_MONTHS - 1] - sum[0]), "change_pct",
                            sum[0] ? json_real((double)(int64_t)(pct * 10 + (pct < 0 ? -0.5 : 0.5)) / 10)
                                   : json_null()));
    }
    for (size_t c = 0; c < set->n; c++) {
        json_t *values = json_object();

        for (size_t i = 0; i < rows->n; i++) {
            const CountRow *r = &rows->v[i];
            json_t *arr;

            if (strcmp(r->community, set->c[c].code) != 0)
                continue;
            arr = json_array();
            for (int j = 0; j < TREND_MONTHS; j++)
                json_array_append_new(arr, json_integer(r->n[j]));
            json_object_set_new(values, r->key, arr);
        }
        json_array_append_new(by_community, json_pack("{s:s, s:s, s:o}", "code", set->c[c].code,
                                                      "name", set->c[c].name, "values", values));
    }
    return json_pack("{s:o, s:o, s:o}", "months", months, "tags", tags, "by_community",
                     by_community);
}

static Error *analytics_handle_key_populations(Request *req, Response *res)
{
    const char *scope;
    CountRows people = { 0 }, visits = { 0 }, months = { 0 };
    AnalyticsSet set;
    json_t *by_community, *items;
    Person *ps;
    size_t np = 0, total = 0;
    int64_t days, cutoff;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = request_query_int(req, "days", 30, 1, 3650, &days);
    if (!err)
        err = analytics_compute_req(req, scope, &set);
    if (!err)
        err = registry_store_count_key_people(req->store, req->arena, set.lo, set.hi, &people);
    if (!err)
        err = care_store_last_visits(req->store, req->arena, set.lo, set.hi, &visits);
    if (!err)
        err = registry_store_count_tag_months(req->store, req->arena, set.lo, set.hi, set.to_month,
                                              TREND_MONTHS, &months);
    if (err)
        return err;
    cutoff = set.now_ms - days * TIME_DAY_MS;
    if (visits.n)
        qsort(visits.v, visits.n, sizeof(*visits.v), by_id);

    by_community = json_array();
    for (size_t i = 0; i < set.n; i++) {
        const AnalyticsCommunity *c = &set.c[i];
        json_t *values = json_object();

        for (size_t j = 0; j < set.tags.n; j++) {
            const CountRow *r = &set.tags.v[j];

            if (r->n[1] && strcmp(r->community, c->code) == 0)
                json_object_set_new(values, r->key, json_integer(r->n[0]));
        }
        json_array_append_new(by_community,
                              json_pack("{s:s, s:s, s:I, s:o}", "code", c->code, "name", c->name,
                                        "total", (json_int_t)c->c.key_population, "values",
                                        values));
    }

    /* the people: rows come by community and id, a row per tag */
    ps = arena_zalloc(req->arena, (people.n + 1) * sizeof(*ps));
    for (size_t i = 0; i < people.n; i++) {
        const CountRow *r = &people.v[i];

        if (!np || ps[np - 1].id != r->n[0]) {
            CountRow key = { .n = { r->n[0] } };
            const CountRow *v = visits.n ? bsearch(&key, visits.v, visits.n, sizeof(*visits.v), by_id)
                                         : NULL;
            Person *p = &ps[np++];

            p->id = r->n[0];
            p->community = r->community;
            p->name = r->label;
            p->tags = json_array();
            p->in_care = v != NULL;
            p->last_visit = v ? v->n[1] : 0;
        }
        json_array_append_new(ps[np - 1].tags, json_string(r->key));
    }
    items = json_array();
    for (size_t i = 0; i < np; i++) {
        Person *p = &ps[i];
        const AnalyticsCommunity *c;

        if (p->last_visit > 0 && p->last_visit >= cutoff) {
            json_decref(p->tags);
            continue;
        }
        total++;
        if (json_array_size(items) >= NOT_CONTACTED_MAX) {
            json_decref(p->tags);
            continue;
        }
        c = analytics_find(&set, p->community);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o, s:s}", "id", (json_int_t)p->id,
                             "name", p->name, "community", p->community, "community_name",
                             c ? c->name : "", "tags", p->tags, "in_care", p->in_care,
                             "last_visit",
                             p->last_visit ? json_string(time_format_rfc3339(req->arena,
                                                                             p->last_visit))
                                           : json_null(),
                             "resident", arena_sprintf(req->arena, "/api/v1/residents/%lld",
                                                       (long long)p->id)));
    }
    return response_json(
        res, 200,
        json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:s, s:{s:I, s:I, s:I, s:o}}", "scope", scope,
                  "days", (json_int_t)days, "today", set.today, "tags", tag_totals(&set, scope),
                  "by_community", by_community, "trend", trend_json(&set, &months), "trend_note",
                  "各月月末持有该标签的在册居民人数（本月为今天）；迁出、删除的居民自其日期起不再计入",
                  "not_contacted", "total", (json_int_t)total, "people", (json_int_t)np, "limit",
                  (json_int_t)NOT_CONTACTED_MAX, "items", items));
}

static Error *analytics_handle_staffing(Request *req, Response *res)
{
    const char *scope;
    AnalyticsSet set;
    int64_t *weight, *suggested, total = 0;
    json_t *items;
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err)
        err = analytics_compute_req(req, scope, &set);
    if (err)
        return err;
    weight = arena_zalloc(req->arena, (set.n + 1) * sizeof(int64_t));
    suggested = arena_zalloc(req->arena, (set.n + 1) * sizeof(int64_t));
    for (size_t i = 0; i < set.n; i++) {
        const AnalyticsCounts *c = &set.c[i].c;

        weight[i] = c->workload;
        total += c->staff + c->secretaries + c->grid_workers;
    }
    analytics_allocate(weight, set.n, total, suggested);
    items = json_array();
    for (size_t i = 0; i < set.n; i++) {
        const AnalyticsCommunity *c = &set.c[i];
        int64_t now = c->c.staff + c->c.secretaries + c->c.grid_workers;

        json_array_append_new(
            items, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "code", c->code,
                             "name", c->name, "workload", (json_int_t)c->c.workload, "workers",
                             (json_int_t)now, "staff", (json_int_t)(c->c.staff + c->c.secretaries),
                             "grid_workers", (json_int_t)c->c.grid_workers, "suggested",
                             (json_int_t)suggested[i], "difference",
                             (json_int_t)(suggested[i] - now), "per_worker",
                             analytics_number(c->v[AN_WORKLOAD_PER_WORKER])));
    }
    return response_json(
        res, 200,
        json_pack("{s:s, s:s, s:I, s:b, s:s, s:o}", "scope", scope, "formula",
                  ANALYTICS_WORKLOAD_FORMULA, "workers_total", (json_int_t)total,
                  "short", total < (int64_t)set.n, "method",
                  "每个社区至少 1 人，其余按工作量比例分配（最大余数法）", "items", items));
}

void analytics_people_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/analytics/key-populations", analytics_handle_key_populations, 0);
    router_add(r, "GET", "/api/v1/analytics/staffing", analytics_handle_staffing, 0);
}
