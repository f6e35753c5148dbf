/*
 * JSON pieces the routes and the CLI share (analytics.h): numbers rounded
 * for people, NaN as null, and the "list" links that say which existing
 * list route gives the rows behind a number.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "analytics/analytics.h"
#include "core/banned.h"

json_t *analytics_number(double v)
{
    if (isnan(v) || isinf(v))
        return json_null();
    if (v == floor(v) && fabs(v) < 9e15)
        return json_integer((json_int_t)v);
    return json_real(round(v * 10) / 10);
}

json_t *analytics_indicators_json(void)
{
    json_t *arr = json_array();

    for (int k = 0; k < _AN_INDICATOR_MAX; k++) {
        const AnalyticsIndicatorDef *d = &analytics_indicators[k];

        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b}", "key", d->key, "label",
                                             d->label, "unit", d->unit, "group", d->group,
                                             "cluster", d->cluster));
    }
    return arr;
}

json_t *analytics_values_json(const double *v)
{
    json_t *o = json_object();

    for (int k = 0; k < _AN_INDICATOR_MAX; k++)
        json_object_set_new(o, analytics_indicators[k].key, analytics_number(v[k]));
    return o;
}

json_t *analytics_list(const char *route, ...)
{
    json_t *q = json_object();
    const char *name;
    va_list ap;

    va_start(ap, route);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);

        json_object_set_new(q, name, json_string(value));
    }
    va_end(ap);
    return json_pack("{s:s, s:o}", "route", route, "query", q);
}

json_t *analytics_rules_json(const AnalyticsRule *rules, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        const AnalyticsRule *r = &rules[i];
        bool known = r->indicator >= 0 && r->indicator < _AN_INDICATOR_MAX;

        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "type", r->type, "indicator",
                           known ? analytics_indicators[r->indicator].key : "", "label",
                           known ? analytics_indicators[r->indicator].label : "（未知指标）",
                           "op", analytics_op_name(r->op), "threshold",
                           analytics_number(r->threshold), "unit",
                           known ? analytics_indicators[r->indicator].unit : ""));
    }
    return arr;
}

/* Each community's type into @types[i], the types that hold into @matched[i] (new arrays). */
static void classify_rules(const AnalyticsSet *set, const AnalyticsRule *rules, size_t n_rules,
                           const char **types, json_t **matched)
{
    for (size_t i = 0; i < set->n; i++) {
        const char *m[ANALYTICS_RULES_MAX];
        size_t n = analytics_match(rules, n_rules, &set->c[i], m, ANALYTICS_RULES_MAX);

        matched[i] = json_array();
        for (size_t j = 0; j < n; j++)
            json_array_append_new(matched[i], json_string(m[j]));
        types[i] = set->c[i].c.residents > 0 ? analytics_type_of(m, n) : NULL;
    }
}

const char *analytics_type_for(const AnalyticsRule *rules, size_t n_rules,
                               const AnalyticsCommunity *c)
{
    const char *m[ANALYTICS_RULES_MAX];
    size_t n = analytics_match(rules, n_rules, c, m, ANALYTICS_RULES_MAX);

    return c->c.residents > 0 ? analytics_type_of(m, n) : NULL;
}

json_t *analytics_classification_json(Arena *a, const AnalyticsSet *set,
                                      const AnalyticsRule *rules, size_t n_rules,
                                      const char *rules_scope, size_t k, uint64_t seed)
{
    const char **types = arena_zalloc(a, (set->n + 1) * sizeof(*types));
    json_t **matched = arena_zalloc(a, (set->n + 1) * sizeof(*matched));
    int *group_of = arena_alloc(a, (set->n + 1) * sizeof(int));
    json_t *out, *items = json_array(), *type_counts = json_array(), *clusters = json_array();
    json_t *dims_json = json_array();
    double *x, *centre;
    size_t *rows, n, d;
    int *dims, *group;
    int iterations = 0;

    classify_rules(set, rules, n_rules, types, matched);
    analytics_standardise(a, set, &x, &rows, &n, &dims, &d);
    for (size_t j = 0; j < d; j++)
        json_array_append_new(dims_json, json_string(analytics_indicators[dims[j]].key));
    if (k > n)
        k = n;
    group = arena_alloc(a, (n + 1) * sizeof(int));
    centre = arena_alloc(a, (k + 1) * (d + 1) * sizeof(double));
    if (k > 0)
        iterations = analytics_kmeans(a, x, n, d, k, seed, group, centre);
    for (size_t i = 0; i < set->n; i++)
        group_of[i] = -1;
    for (size_t r = 0; r < n; r++)
        group_of[rows[r]] = group[r];

    for (size_t g = 0; g < k; g++) {
        double mean[_AN_INDICATOR_MAX];
        json_t *centre_json = json_object(), *members = json_array();
        size_t size = 0;

        for (int ind = 0; ind < _AN_INDICATOR_MAX; ind++) {
            double sum = 0;
            size_t m = 0;

            for (size_t r = 0; r < n; r++) {
                double v = set->c[rows[r]].v[ind];

                if (group[r] == (int)g && !isnan(v)) {
                    sum += v;
                    m++;
                }
            }
            mean[ind] = m ? sum / (double)m : NAN;
        }
        for (size_t r = 0; r < n; r++) {
            if (group[r] == (int)g) {
                size++;
                json_array_append_new(members, json_string(set->c[rows[r]].code));
            }
        }
        for (size_t j = 0; j < d; j++)
            json_object_set_new(centre_json, analytics_indicators[dims[j]].key,
                                json_real(round(centre[g * d + j] * 100) / 100));
        json_array_append_new(
            clusters, json_pack("{s:I, s:s, s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)g + 1,
                                "label", arena_sprintf(a, "第%zu组", g + 1), "size",
                                (json_int_t)size, "profile", analytics_profile_words(set, mean),
                                "means", analytics_values_json(mean), "centre", centre_json,
                                "members", members));
    }

    for (size_t i = 0; i < set->n; i++) {
        const AnalyticsCommunity *c = &set->c[i];

        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "code", c->code, "name",
                             c->name, "street_code", c->street_code, "type",
                             types[i] ? json_string(types[i]) : json_null(), "matched",
                             matched[i], "cluster",
                             group_of[i] >= 0 ? json_integer(group_of[i] + 1) : json_null(),
                             "values", analytics_values_json(c->v)));
    }
    /* the types in the rules' order, then 混合型 and 一般型 */
    {
        const char *names[ANALYTICS_RULES_MAX + 2];
        size_t nn = 0;

        for (size_t i = 0; i < n_rules; i++) {
            bool seen = false;

            for (size_t j = 0; j < nn && !seen; j++)
                seen = strcmp(names[j], rules[i].type) == 0;
            if (!seen && nn < ANALYTICS_RULES_MAX)
                names[nn++] = rules[i].type;
        }
        names[nn++] = ANALYTICS_MIXED;
        names[nn++] = ANALYTICS_GENERAL;
        for (size_t j = 0; j < nn; j++) {
            int64_t count = 0;

            for (size_t i = 0; i < set->n; i++)
                count += types[i] && strcmp(types[i], names[j]) == 0;
            json_array_append_new(type_counts, json_pack("{s:s, s:I}", "label", names[j], "value",
                                                         (json_int_t)count));
        }
    }
    out = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "scope",
                    set->scope, "rules_scope", rules_scope, "rules",
                    analytics_rules_json(rules, n_rules), "k", (json_int_t)k, "seed",
                    (json_int_t)seed, "iterations", (json_int_t)iterations, "dimensions",
                    dims_json, "types", type_counts, "clusters", clusters, "mean",
                    analytics_values_json(set->mean), "items", items);
    return out;
}
