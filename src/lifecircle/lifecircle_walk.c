/*
 * The walks: multi-source shortest distances along the graph, bounded by
 * a distance, on a bucket queue (Dial's algorithm with buckets 1 m wide).
 *
 * A walk's distances are exact doubles (the sum of the edges' lengths);
 * the buckets only order the work. Vertices in one bucket are taken in
 * the order they came, so an edge shorter than a bucket (or of length 0)
 * can still improve a vertex of the bucket after it was taken: it is then
 * put back into the bucket and taken again (the label-correcting variant
 * of Dial's buckets). Every bucket is taken once, in order; pushing and
 * taking cost O(1) with sequential memory, where a binary heap holding a
 * wide frontier (thousands of sources) misses the cache on every level.
 *
 * A vertex carries a flag "queued" while its current distance waits in a
 * bucket, so it is pushed again only when its distance moves to another
 * bucket; an entry whose vertex has since moved to a lower bucket is
 * stale and skipped. The flags are all clear again when a walk ends, so
 * the scratch is reused across walks without being cleared.
 *
 * Several walks (the categories) run on up to two threads, each with its
 * own scratch, each walk wholly on one thread: the results do not depend
 * on which thread ran which.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "lifecircle/lifecircle_graph.h"
#include "core/banned.h"

#define BUCKET_M 1.0         /* a bucket's width in metres, up to ... */
#define BUCKETS_MAX 65536    /* ... this many buckets; wider beyond 65 km */
#define THREADS_MAX 2
#define THREADS_MIN_VERTICES 200000 /* smaller graphs walk on one thread */

typedef struct Bucket {
    uint32_t *v;
    size_t n, cap;
} Bucket;

struct GeoWalk {
    size_t n;              /* vertices of the graph it is for */
    uint64_t *queued;      /* a bit per vertex (128 KB for a million: it stays in the cache); all clear between walks */
    Bucket *buckets;
    size_t n_buckets;
};

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p)
        abort();
    return p;
}

static GeoWalk *walk_new(const GeoGraph *g)
{
    GeoWalk *w = calloc(1, sizeof(*w));

    if (!w)
        abort();
    w->n = g->n;
    w->queued = calloc(g->n / 64 + 1, sizeof(*w->queued));
    if (!w->queued)
        abort();
    return w;
}

void geo_walk_free(GeoWalk *w)
{
    if (!w)
        return;
    for (size_t b = 0; b < w->n_buckets; b++)
        free(w->buckets[b].v);
    free(w->buckets);
    free(w->queued);
    free(w);
}

static inline void bucket_push(Bucket *b, uint32_t v)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
    }
    b->v[b->n++] = v;
}

/* Buckets per metre for a walk up to @limit_m. */
static double bucket_scale(double limit_m)
{
    if (!isfinite(limit_m))
        return 0; /* no bound: one bucket, a plain label-correcting walk */
    if (limit_m / BUCKET_M < BUCKETS_MAX - 1)
        return 1 / BUCKET_M;
    return (BUCKETS_MAX - 1) / limit_m;
}

static inline size_t bucket_of(double d, double scale)
{
    return d > 0 ? (size_t)(d * scale) : 0;
}

/*
 * The vertices a bucket holds are scattered over the graph, and each one
 * taken reads its distance, its arcs and its neighbours' distances: cache
 * misses one after the other. The entries ahead are known, so their memory
 * is asked for early, in three steps: the vertex's distance and arc range
 * PREFETCH_FAR entries ahead, its arcs (their range now at hand)
 * PREFETCH_MID ahead, its neighbours' distances PREFETCH_NEAR ahead. An
 * entry whose vertex no longer waits (its flag is clear: it was taken from
 * a lower bucket, a third of the entries on a grid city) will be skipped,
 * so nothing is asked for it: its memory would only take the place of the
 * next ones' (the flags, a bit a vertex, stay in the cache).
 */
#define PREFETCH_FAR 24
#define PREFETCH_MID 12
#define PREFETCH_NEAR 4

static inline bool is_queued(const uint64_t *queued, size_t v)
{
    return queued[v / 64] >> (v % 64) & 1;
}

static inline void set_queued(uint64_t *queued, size_t v)
{
    queued[v / 64] |= (uint64_t)1 << (v % 64);
}

static inline void clear_queued(uint64_t *queued, size_t v)
{
    queued[v / 64] &= ~((uint64_t)1 << (v % 64));
}

static inline void prefetch_ahead(const GeoGraph *g, const Bucket *bucket, size_t i,
                                  const double *dist, const uint64_t *queued)
{
    if (i + PREFETCH_FAR < bucket->n) {
        uint32_t v = bucket->v[i + PREFETCH_FAR];

        if (is_queued(queued, v)) {
            __builtin_prefetch(&dist[v]);
            __builtin_prefetch(&g->first[v]);
        }
    }
    if (i + PREFETCH_MID < bucket->n) {
        uint32_t v = bucket->v[i + PREFETCH_MID];

        if (is_queued(queued, v))
            __builtin_prefetch(&g->arcs[g->first[v]]);
    }
    if (i + PREFETCH_NEAR < bucket->n) {
        uint32_t v = bucket->v[i + PREFETCH_NEAR];

        if (is_queued(queued, v))
            for (uint32_t e = g->first[v]; e < g->first[v + 1]; e++)
                __builtin_prefetch(&dist[g->arcs[e].to], 1);
    }
}

/* The walk itself; @w is for @g and its flags are clear. */
static void walk_run(const GeoGraph *g, GeoWalk *w, size_t n_sources, const long *source_vertex,
                     const double *source_offset_m, double limit_m, double *dist)
{
    const uint32_t *first = g->first;
    const GeoArc *arcs = g->arcs;
    uint64_t *queued = w->queued;
    double scale = bucket_scale(limit_m);
    size_t n_buckets;

    for (size_t v = 0; v < g->n; v++)
        dist[v] = INFINITY;
    if (!(limit_m >= 0))
        return;
    n_buckets = scale > 0 ? bucket_of(limit_m, scale) + 1 : 1;
    if (n_buckets > w->n_buckets) {
        w->buckets = xrealloc(w->buckets, n_buckets * sizeof(*w->buckets));
        memset(w->buckets + w->n_buckets, 0, (n_buckets - w->n_buckets) * sizeof(*w->buckets));
        w->n_buckets = n_buckets;
    }
    for (size_t s = 0; s < n_sources; s++) {
        long v = source_vertex[s];
        double d = source_offset_m[s];

        if (v < 0 || (size_t)v >= g->n || !(d <= limit_m) || d >= dist[v])
            continue;
        if (!is_queued(queued, v) || bucket_of(dist[v], scale) != bucket_of(d, scale))
            bucket_push(&w->buckets[bucket_of(d, scale)], (uint32_t)v);
        set_queued(queued, v);
        dist[v] = d;
    }
    for (size_t b = 0; b < n_buckets; b++) {
        Bucket *bucket = &w->buckets[b];

        /* the bucket may grow while it is taken: short edges lead back into it */
        for (size_t i = 0; i < bucket->n; i++) {
            uint32_t v = bucket->v[i];
            double d;

            prefetch_ahead(g, bucket, i, dist, queued);
            if (!is_queued(queued, v))
                continue; /* stale: taken from a lower bucket already */
            d = dist[v];
            if (bucket_of(d, scale) != b)
                continue; /* (a flagged vertex waits in this bucket: the lower ones are done) */
            clear_queued(queued, v);
            for (uint32_t e = first[v]; e < first[v + 1]; e++) {
                uint32_t u = arcs[e].to;
                double nd = d + (double)arcs[e].meters, old = dist[u];

                if (nd < old && nd <= limit_m) {
                    size_t nb = bucket_of(nd, scale);

                    if (!is_queued(queued, u) || bucket_of(old, scale) != nb)
                        bucket_push(&w->buckets[nb], u);
                    set_queued(queued, u);
                    dist[u] = nd;
                }
            }
        }
        bucket->n = 0;
    }
}

/* A scratch for @g: the one it keeps, or a new one. */
static GeoWalk *walk_take(const GeoGraph *g)
{
    GeoGraph *mg = (GeoGraph *)g; /* the spare is scratch, not the graph */
    GeoWalk *w;

    pthread_mutex_lock(&mg->spare_lock);
    w = mg->spare;
    mg->spare = NULL;
    pthread_mutex_unlock(&mg->spare_lock);
    return w ? w : walk_new(g);
}

static void walk_give_back(const GeoGraph *g, GeoWalk *w)
{
    GeoGraph *mg = (GeoGraph *)g;

    pthread_mutex_lock(&mg->spare_lock);
    if (!mg->spare) {
        mg->spare = w;
        w = NULL;
    }
    pthread_mutex_unlock(&mg->spare_lock);
    geo_walk_free(w);
}

void geo_graph_walk(const GeoGraph *g, size_t n_sources, const long *source_vertex,
                    const double *source_offset_m, double limit_m, double *ret_dist)
{
    GeoWalk *w = walk_take(g);

    walk_run(g, w, n_sources, source_vertex, source_offset_m, limit_m, ret_dist);
    walk_give_back(g, w);
}

/* ---- on threads ---- */

int geo_walk_threads(void)
{
    const char *env = getenv("LINLI_GEO_THREADS");
    long n = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        n = 1;
    return n < THREADS_MAX ? (int)n : THREADS_MAX;
}

typedef struct Parallel {
    void (*fn)(void *ctx, int thread, int n_threads);
    void *ctx;
    int thread, n_threads;
} Parallel;

static void *parallel_main(void *arg)
{
    Parallel *p = arg;

    p->fn(p->ctx, p->thread, p->n_threads);
    return NULL;
}

/* Runs @fn on @n_threads threads (the caller's one of them) and waits for all. */
static void parallel(int n_threads, void (*fn)(void *ctx, int thread, int n_threads), void *ctx)
{
    Parallel p[THREADS_MAX];
    pthread_t tid[THREADS_MAX];
    bool started[THREADS_MAX] = { false };

    if (n_threads > THREADS_MAX)
        n_threads = THREADS_MAX;
    for (int t = 0; t < n_threads; t++)
        p[t] = (Parallel){ fn, ctx, t, n_threads };
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&tid[t], NULL, parallel_main, &p[t]) == 0;
    /* a thread that could not start leaves its share to the caller's */
    for (int t = 0; t < n_threads; t++)
        if (t == 0 || !started[t])
            fn(ctx, t, n_threads);
    for (int t = 1; t < n_threads; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

typedef struct WalksCtx {
    const GeoGraph *g;
    size_t n_walks;
    const GeoWalkJob *jobs;
    double limit_m;
    atomic_size_t next;
} WalksCtx;

static void walks_worker(void *arg, int thread, int n_threads)
{
    WalksCtx *x = arg;
    GeoWalk *w = walk_new(x->g);
    size_t j;

    (void)thread;
    (void)n_threads;
    while ((j = atomic_fetch_add(&x->next, 1)) < x->n_walks) {
        const GeoWalkJob *job = &x->jobs[j];

        walk_run(x->g, w, job->n_sources, job->source_vertex, job->source_offset_m, x->limit_m,
                 job->ret_dist);
    }
    geo_walk_free(w);
}

/*
 * Threads for @n_walks walks over @g: one when the walks are small (under a
 * millisecond each: a second thread's start and its cold caches cost as
 * much as it saves, measured on the Chengdu and Andorra extracts).
 */
static int threads_for(const GeoGraph *g, size_t n_walks)
{
    int n = geo_walk_threads();

    if (g->n < THREADS_MIN_VERTICES)
        return 1;
    if ((size_t)n > n_walks)
        n = n_walks ? (int)n_walks : 1;
    return n;
}

void geo_graph_walks(const GeoGraph *g, size_t n_walks, const GeoWalkJob *jobs, double limit_m)
{
    WalksCtx x = { g, n_walks, jobs, limit_m, 0 };
    int n_threads = threads_for(g, n_walks);

    parallel(n_threads, walks_worker, &x);
}

/* ---- coverage ---- */

typedef struct CoverageCtx {
    const GeoGraph *g;
    const GeoPlace *buildings, *facilities;
    size_t n_buildings, n_facilities;
    long *b_vertex, *f_vertex;
    double *b_access, *f_access;
    double limit_m;
    uint32_t *snap_order; /* buildings then facilities (numbered after them), cell by cell */
    double *out; /* column by column: each walk writes its own */
    atomic_int next;
} CoverageCtx;

static void coverage_snap(void *arg, int thread, int n_threads)
{
    CoverageCtx *x = arg;
    size_t nb = x->n_buildings, nf = x->n_facilities, all = nb + nf;

    for (size_t k = all * (size_t)thread / (size_t)n_threads;
         k < all * (size_t)(thread + 1) / (size_t)n_threads; k++) {
        size_t i = x->snap_order[k];

        if (i < nb)
            x->b_vertex[i] = geo_graph_snap(x->g, x->buildings[i].p, &x->b_access[i]);
        else
            x->f_vertex[i - nb] =
                geo_graph_snap(x->g, x->facilities[i - nb].p, &x->f_access[i - nb]);
    }
}

/*
 * The points (buildings, then facilities) in the order of their grid
 * cells, by a radix sort on the cell (two passes of 16 bits, stable):
 * snapping them in the stored order read scattered cells and vertices for
 * every point, a quarter of the coverage's time on a city of a million
 * vertices. The order changes nothing but the speed: each point still
 * snaps on its own, into its own slot.
 */
static uint32_t *snap_order(const GeoGraph *g, const GeoPlace *buildings, size_t nb,
                            const GeoPlace *facilities, size_t nf)
{
    size_t all = nb + nf, *count = malloc(65536 * sizeof(*count));
    uint64_t *key = malloc((all + 1) * sizeof(*key)), *tmp = malloc((all + 1) * sizeof(*tmp));
    uint32_t *order = malloc((all + 1) * sizeof(*order));

    if (!count || !key || !tmp || !order)
        abort();
    for (size_t i = 0; i < all; i++) {
        GeoPoint p = i < nb ? buildings[i].p : facilities[i - nb].p;

        key[i] = (uint64_t)geo_graph_cell_key(g, p) << 32 | i;
    }
    for (int shift = 32; shift < 64; shift += 16) {
        size_t sum = 0;

        memset(count, 0, 65536 * sizeof(*count));
        for (size_t i = 0; i < all; i++)
            count[key[i] >> shift & 0xffff]++;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];

            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < all; i++)
            tmp[count[key[i] >> shift & 0xffff]++] = key[i];
        memcpy(key, tmp, all * sizeof(*key));
    }
    for (size_t i = 0; i < all; i++)
        order[i] = (uint32_t)key[i];
    free(tmp);
    free(key);
    free(count);
    return order;
}

static void coverage_walks(void *arg, int thread, int n_threads)
{
    CoverageCtx *x = arg;
    const GeoGraph *g = x->g;
    GeoWalk *w = walk_new(g);
    double *dist = geo_big_alloc((g->n + 1) * sizeof(*dist));
    long *s_vertex = malloc((x->n_facilities + 1) * sizeof(*s_vertex));
    double *s_offset = malloc((x->n_facilities + 1) * sizeof(*s_offset));
    int c;

    (void)thread;
    (void)n_threads;
    if (!dist || !s_vertex || !s_offset)
        abort();
    while ((c = atomic_fetch_add(&x->next, 1)) < _GEO_CATEGORY_MAX) {
        size_t n_src = 0;

        for (size_t f = 0; f < x->n_facilities; f++) {
            if (x->facilities[f].category != c || x->f_vertex[f] < 0)
                continue;
            s_vertex[n_src] = x->f_vertex[f];
            s_offset[n_src++] = x->f_access[f];
        }
        if (n_src)
            walk_run(g, w, n_src, s_vertex, s_offset, x->limit_m, dist);
        /*
         * A column of its own: two threads writing the categories of one
         * building side by side would fight over its cache line.
         */
        double *column = x->out + (size_t)c * x->n_buildings;

        for (size_t b = 0; b < x->n_buildings; b++) {
            double d = INFINITY;

            /* the buildings' vertices are scattered: ask for their distances ahead */
            if (b + 16 < x->n_buildings && x->b_vertex[b + 16] >= 0)
                __builtin_prefetch(&dist[x->b_vertex[b + 16]]);
            if (n_src && x->b_vertex[b] >= 0)
                d = dist[x->b_vertex[b]] + x->b_access[b];
            column[b] = d <= x->limit_m ? d : INFINITY;
        }
    }
    free(s_offset);
    free(s_vertex);
    geo_big_free(dist);
    geo_walk_free(w);
}

static void big_free(void *p)
{
    geo_big_free(p);
}

void geo_coverage(Arena *a, const GeoGraph *g, const GeoPlace *buildings, size_t n_buildings,
                  const GeoPlace *facilities, size_t n_facilities, double limit_m, double **ret,
                  GeoCoverageTimes *ret_times)
{
    int64_t t0 = time_mono_us(), t1;
    CoverageCtx x = {
        .g = g,
        .buildings = buildings,
        .facilities = facilities,
        .n_buildings = n_buildings,
        .n_facilities = n_facilities,
        .b_vertex = arena_alloc(a, (n_buildings + 1) * sizeof(long)),
        .f_vertex = arena_alloc(a, (n_facilities + 1) * sizeof(long)),
        .b_access = arena_alloc(a, (n_buildings + 1) * sizeof(double)),
        .f_access = arena_alloc(a, (n_facilities + 1) * sizeof(double)),
        .limit_m = limit_m,
        /* 40 MB on the city of a million vertices: in huge pages, not 10,000 page faults */
        .out = geo_big_alloc((n_buildings * _GEO_CATEGORY_MAX + 1) * sizeof(double)),
        .next = 0,
    };
    int n_threads = threads_for(g, _GEO_CATEGORY_MAX);

    if (n_buildings + n_facilities >= UINT32_MAX)
        abort(); /* far beyond any city: the order is 32-bit */
    arena_defer(a, big_free, x.out);
    x.snap_order = snap_order(g, buildings, n_buildings, facilities, n_facilities);
    /* a few thousand points are not worth a thread */
    parallel(n_buildings + n_facilities < 4096 ? 1 : geo_walk_threads(), coverage_snap, &x);
    free(x.snap_order);
    t1 = time_mono_us();
    parallel(n_threads, coverage_walks, &x);
    *ret = x.out;
    if (ret_times)
        *ret_times = (GeoCoverageTimes){ (t1 - t0) / 1000.0, (time_mono_us() - t1) / 1000.0 };
}
