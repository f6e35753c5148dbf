/*
 * Classification, pure (analytics.h): the rule-based types, k-means on the
 * standardised indicators, and the words that explain a group. Distances
 * and means are all the linear algebra k-means needs, so no library.
 *
 * k-means++ (Arthur and Vassilvitskii, 2007): the first centre is a point
 * drawn uniformly, each next one a point drawn with probability
 * proportional to its squared distance to the nearest centre chosen. The
 * draws come from splitmix64 seeded by the caller, and every loop runs in
 * index order, so a seed gives the same groups everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "core/banned.h"

static const char *const op_names[_AN_OP_MAX] = { ">=", ">", "<=", "<" };

const char *analytics_op_name(AnalyticsOp op)
{
    return op >= 0 && op < _AN_OP_MAX ? op_names[op] : "?";
}

bool analytics_op_parse(const char *s, AnalyticsOp *ret)
{
    for (int i = 0; s && i < _AN_OP_MAX; i++) {
        if (strcmp(s, op_names[i]) == 0) {
            *ret = (AnalyticsOp)i;
            return true;
        }
    }
    return false;
}

static bool rule_holds(const AnalyticsRule *r, const AnalyticsCommunity *c)
{
    double v;

    if (r->indicator < 0 || r->indicator >= _AN_INDICATOR_MAX)
        return false;
    v = c->v[r->indicator];
    if (isnan(v))
        return false;
    switch (r->op) {
    case AN_OP_GE:
        return v >= r->threshold;
    case AN_OP_GT:
        return v > r->threshold;
    case AN_OP_LE:
        return v <= r->threshold;
    case AN_OP_LT:
        return v < r->threshold;
    default:
        return false;
    }
}

size_t analytics_match(const AnalyticsRule *rules, size_t n_rules, const AnalyticsCommunity *c,
                       const char **ret_types, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < n_rules; i++) {
        const char *type = rules[i].type;
        bool seen = false, all = true;

        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(rules[j].type, type) == 0;
        if (seen)
            continue;
        for (size_t j = i; j < n_rules && all; j++)
            if (strcmp(rules[j].type, type) == 0)
                all = rule_holds(&rules[j], c);
        if (all && n < max)
            ret_types[n++] = type;
    }
    return n;
}

const char *analytics_type_of(const char *const *types, size_t n)
{
    if (n == 0)
        return ANALYTICS_GENERAL;
    return n == 1 ? types[0] : ANALYTICS_MIXED;
}

/* ---- k-means ---- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double uniform(uint64_t *state)
{
    return (double)(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0);
}

static double dist2(const double *p, const double *q, size_t d)
{
    double s = 0;

    for (size_t j = 0; j < d; j++)
        s += (p[j] - q[j]) * (p[j] - q[j]);
    return s;
}

static size_t nearest(const double *p, const double *centre, size_t k, size_t d, double *ret_d2)
{
    size_t best = 0;
    double bd = INFINITY;

    for (size_t g = 0; g < k; g++) {
        double x = dist2(p, centre + g * d, d);

        if (x < bd) {
            bd = x;
            best = g;
        }
    }
    if (ret_d2)
        *ret_d2 = bd;
    return best;
}

int analytics_kmeans(Arena *a, const double *x, size_t n, size_t d, size_t k, uint64_t seed,
                     int *ret_group, double *ret_centre)
{
    double *dm;
    size_t counts[ANALYTICS_K_MAX];
    uint64_t state = seed;
    int it;

    if (n == 0 || k == 0 || k > n || k > ANALYTICS_K_MAX)
        return 0;
    dm = arena_alloc(a, n * sizeof(double));
    /* k-means++ */
    memcpy(ret_centre, x + (size_t)(uniform(&state) * (double)n) * d, d * sizeof(double));
    for (size_t g = 1; g < k; g++) {
        double total = 0, r, acc = 0;
        size_t pick = n - 1;

        for (size_t i = 0; i < n; i++) {
            double di;

            nearest(x + i * d, ret_centre, g, d, &di);
            dm[i] = di;
            total += di;
        }
        r = uniform(&state) * total;
        for (size_t i = 0; i < n; i++) {
            acc += dm[i];
            if (total > 0 ? acc > r : i == g) {
                pick = i;
                break;
            }
        }
        memcpy(ret_centre + g * d, x + pick * d, d * sizeof(double));
    }
    for (size_t i = 0; i < n; i++)
        ret_group[i] = -1;
    /* Lloyd */
    for (it = 1; it <= ANALYTICS_KMEANS_ITERATIONS; it++) {
        bool moved = false;

        for (size_t i = 0; i < n; i++) {
            int g = (int)nearest(x + i * d, ret_centre, k, d, NULL);

            if (g != ret_group[i]) {
                ret_group[i] = g;
                moved = true;
            }
        }
        if (!moved)
            break;
        memset(counts, 0, sizeof(counts));
        memset(ret_centre, 0, k * d * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            counts[ret_group[i]]++;
            for (size_t j = 0; j < d; j++)
                ret_centre[ret_group[i] * d + j] += x[i * d + j];
        }
        for (size_t g = 0; g < k; g++) {
            if (counts[g]) {
                for (size_t j = 0; j < d; j++)
                    ret_centre[g * d + j] /= (double)counts[g];
                continue;
            }
            /* empty: the point farthest from its own centre starts it again */
            {
                size_t far = 0;
                double fd = -1;

                for (size_t i = 0; i < n; i++) {
                    double di = dist2(x + i * d, ret_centre + ret_group[i] * d, d);

                    if (counts[ret_group[i]] > 1 && di > fd) {
                        fd = di;
                        far = i;
                    }
                }
                counts[ret_group[far]]--;
                ret_group[far] = (int)g;
                counts[g] = 1;
                memcpy(ret_centre + g * d, x + far * d, d * sizeof(double));
            }
        }
    }
    return it > ANALYTICS_KMEANS_ITERATIONS ? ANALYTICS_KMEANS_ITERATIONS : it;
}

void analytics_standardise(Arena *a, const AnalyticsSet *set, double **ret_x, size_t **ret_rows,
                           size_t *ret_n, int **ret_dims, size_t *ret_d)
{
    size_t n = 0, d = 0;
    int *dims = arena_alloc(a, _AN_INDICATOR_MAX * sizeof(int));
    size_t *rows = arena_alloc(a, (set->n ? set->n : 1) * sizeof(size_t));
    double *x;

    for (int k = 0; k < _AN_INDICATOR_MAX; k++)
        if (analytics_indicators[k].cluster)
            dims[d++] = k;
    for (size_t i = 0; i < set->n; i++)
        if (set->c[i].c.residents > 0)
            rows[n++] = i;
    x = arena_alloc(a, (n ? n : 1) * d * sizeof(double));
    for (size_t j = 0; j < d; j++) {
        double mean = set->mean[dims[j]], var = 0, sd;
        size_t m = 0;

        for (size_t r = 0; r < n; r++) {
            double v = set->c[rows[r]].v[dims[j]];

            if (!isnan(v) && !isnan(mean)) {
                var += (v - mean) * (v - mean);
                m++;
            }
        }
        sd = m > 1 ? sqrt(var / (double)(m - 1)) : 0;
        for (size_t r = 0; r < n; r++) {
            double v = set->c[rows[r]].v[dims[j]];

            x[r * d + j] = (isnan(v) || isnan(mean) || sd <= 1e-12) ? 0 : (v - mean) / sd;
        }
    }
    *ret_x = x;
    *ret_rows = rows;
    *ret_n = n;
    *ret_dims = dims;
    *ret_d = d;
}

json_t *analytics_profile_words(const AnalyticsSet *set, const double *group_mean)
{
    const char *where = analytics_scope_word(set->scope);
    json_t *out = json_array();
    int order[_AN_INDICATOR_MAX];
    double score[_AN_INDICATOR_MAX];
    int n = 0;

    for (int k = 0; k < _AN_INDICATOR_MAX; k++) {
        double m = set->mean[k], g = group_mean[k];

        if (!analytics_indicators[k].cluster || isnan(m) || isnan(g) || m <= 0)
            continue;
        score[k] = fabs(log((g > 0 ? g : m * 0.01) / m));
        if (score[k] < log(1.2))
            continue;
        order[n++] = k;
    }
    /* largest difference first; ties by indicator order (insertion sort keeps it stable) */
    for (int i = 1; i < n; i++) {
        int k = order[i], j = i - 1;

        while (j >= 0 && score[order[j]] < score[k]) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = k;
    }
    for (int i = 0; i < n && i < 3; i++) {
        int k = order[i];
        double r = group_mean[k] / set->mean[k];
        char text[256];

        if (r >= 1)
            snprintf(text, sizeof(text), "%s为%s均值的 %.1f 倍", analytics_indicators[k].label,
                     where, r);
        else
            snprintf(text, sizeof(text), "%s仅为%s均值的 %.0f%%", analytics_indicators[k].label,
                     where, r * 100);
        json_array_append_new(out, json_string(text));
    }
    if (n == 0)
        json_array_append_new(out, json_string("各项指标接近均值"));
    return out;
}

/* ---- staffing ---- */

void analytics_allocate(const int64_t *weight, size_t n, int64_t total, int64_t *ret)
{
    double sum = 0;
    int64_t rest, given = 0;
    double *frac;
    bool even;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        ret[i] = 1;
        sum += weight[i] > 0 ? (double)weight[i] : 0;
    }
    rest = total - (int64_t)n;
    if (rest <= 0)
        return;
    even = sum <= 0;
    frac = calloc(n, sizeof(double));
    if (!frac)
        abort();
    for (size_t i = 0; i < n; i++) {
        double w = even ? 1 : (weight[i] > 0 ? (double)weight[i] : 0);
        double q = (double)rest * w / (even ? (double)n : sum);
        int64_t f = (int64_t)floor(q);

        ret[i] += f;
        given += f;
        frac[i] = q - (double)f;
    }
    /* largest remainders first; ties to the earlier community */
    while (given < rest) {
        size_t best = 0;

        for (size_t i = 1; i < n; i++)
            if (frac[i] > frac[best])
                best = i;
        ret[best]++;
        frac[best] = -1;
        given++;
    }
    free(frac);
}
