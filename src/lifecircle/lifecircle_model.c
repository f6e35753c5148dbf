/* The walking model kept in memory; see lifecircle_model.h. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/lifecircle_model.h"
#include "core/banned.h"

const int geo_band_minutes[GEO_BANDS] = { 5, 10, 15 };

static pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;
static GeoModel *current; /* holds one reference */

static const char SQL_GEO_TOUCH[] = "UPDATE data_version SET v = v + 1 WHERE name = 'geo'";
static const char SQL_GEO_SETTINGS[] = "SELECT name, value FROM geo_setting";

int geo_band_of(int minutes)
{
    for (int b = 0; b < GEO_BANDS; b++)
        if (geo_band_minutes[b] == minutes)
            return b;
    return -1;
}

Error *geo_touch(Store *st, Arena *a)
{
    return store_run(st, a, SQL_GEO_TOUCH, NULL, NULL, NULL, NULL, "");
}

Error *geo_settings_read(Store *st, Arena *a, GeoSettings *ret)
{
    GeoSettings s = { { 300, 500, 1000 }, 70 };
    StoreStmt *q = store_prepare(st, a, SQL_GEO_SETTINGS);
    StoreResult r;

    while ((r = store_step(q)) == STORE_ROW) {
        const char *name = store_column_text(q, a, 0);
        double v = store_column_double(q, 1);

        if (!name)
            continue;
        if (!strcmp(name, "meters_5"))
            s.meters[0] = v;
        else if (!strcmp(name, "meters_10"))
            s.meters[1] = v;
        else if (!strcmp(name, "meters_15"))
            s.meters[2] = v;
        else if (!strcmp(name, "walk_m_per_min"))
            s.walk_m_per_min = v;
    }
    store_reset(q);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret = s;
    return NULL;
}

static void model_free(GeoModel *m)
{
    if (!m)
        return;
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++)
        free(m->dist[c]);
    geo_graph_free(m->g);
    arena_free(m->arena);
    free(m);
}

static Error *model_build(Store *st, Arena *a, int64_t version, GeoModel **ret)
{
    GeoModel *m = calloc(1, sizeof(*m));
    long *src_v;
    double *src_off;
    GeoWalkJob jobs[_GEO_CATEGORY_MAX];
    size_t n = 0;
    Error *err = NULL;

    if (!m)
        abort();
    m->version = version;
    m->refs = 1;
    m->arena = arena_new(0);
    err = geo_settings_read(st, a, &m->set);
    if (!err) {
        m->g = geo_store_graph(st, a, &err);
    }
    if (!err)
        err = geo_store_facilities(st, m->arena, &m->fac, &m->n_fac);
    if (err) {
        model_free(m);
        return err;
    }
    m->n_vertices = geo_graph_vertices(m->g);
    m->limit_m = 0;
    for (int b = 0; b < GEO_BANDS; b++)
        m->limit_m = fmax(m->limit_m, m->set.meters[b]);
    m->fac_vertex = arena_alloc(m->arena, (m->n_fac + 1) * sizeof(*m->fac_vertex));
    m->fac_access = arena_alloc(m->arena, (m->n_fac + 1) * sizeof(*m->fac_access));
    src_v = arena_alloc(a, (m->n_fac + 1) * sizeof(*src_v));
    src_off = arena_alloc(a, (m->n_fac + 1) * sizeof(*src_off));
    for (size_t f = 0; f < m->n_fac; f++)
        m->fac_vertex[f] = geo_graph_snap(m->g, m->fac[f].p, &m->fac_access[f]);
    /* the sources of every category side by side, then the 20 walks on the threads */
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        jobs[c] = (GeoWalkJob){ 0, src_v + n, src_off + n, NULL };
        m->dist[c] = malloc((m->n_vertices + 1) * sizeof(double));
        if (!m->dist[c])
            abort();
        jobs[c].ret_dist = m->dist[c];
        for (size_t f = 0; f < m->n_fac; f++) {
            if (m->fac[f].category != c || m->fac_vertex[f] < 0)
                continue;
            src_v[n] = m->fac_vertex[f];
            src_off[n++] = m->fac_access[f];
            jobs[c].n_sources++;
        }
    }
    geo_graph_walks(m->g, _GEO_CATEGORY_MAX, jobs, m->limit_m);
    *ret = m;
    return NULL;
}

Error *geo_model_get(Store *st, Arena *a, GeoModel **ret)
{
    int64_t version = 0;
    GeoModel *m = NULL, *old = NULL;
    Error *err;

    if (!store_data_version(st, a, "geo", "", "", &version))
        version = -1;
    pthread_mutex_lock(&model_lock);
    if (current && current->version == version) {
        m = current;
        m->refs++;
    }
    pthread_mutex_unlock(&model_lock);
    if (m) {
        *ret = m;
        return NULL;
    }
    err = model_build(st, a, version, &m);
    if (err)
        return err;
    pthread_mutex_lock(&model_lock);
    /* keep the newer of two built side by side (versions only grow) */
    if (!current || current->version <= version) {
        old = current;
        current = m;
        m->refs++;
    }
    if (old && --old->refs > 0)
        old = NULL;
    pthread_mutex_unlock(&model_lock);
    model_free(old);
    *ret = m;
    return NULL;
}

void geo_model_put(GeoModel *m)
{
    bool last;

    if (!m)
        return;
    pthread_mutex_lock(&model_lock);
    last = --m->refs == 0;
    pthread_mutex_unlock(&model_lock);
    if (last)
        model_free(m);
}

double geo_model_distance(const GeoModel *m, int c, GeoPoint p, long *ret_vertex,
                          double *ret_access)
{
    double access = INFINITY, d = INFINITY;
    long v = geo_graph_snap(m->g, p, &access);

    if (v >= 0)
        d = access + m->dist[c][v];
    if (ret_vertex)
        *ret_vertex = v;
    if (ret_access)
        *ret_access = access;
    return d <= m->limit_m ? d : INFINITY;
}
