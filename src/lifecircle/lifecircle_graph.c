/*
 * The walking graph in memory: adjacency in compressed rows (CSR, 32-bit
 * neighbour numbers and float lengths side by side), and a uniform grid of
 * ~100 m cells to find the vertex nearest a point. The walks are in
 * lifecircle_walk.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lifecircle/lifecircle_graph.h"
#include "core/banned.h"

#define EARTH_RADIUS_M 6371008.8
#define DEG (M_PI / 180.0)
#define CELL_M 100.0    /* a grid cell's side at most, ... */
#define CELL_MIN_M 20.0 /* ... and at least */
#define GRID_SIDE_MAX 4096


const GeoCategoryInfo geo_categories[_GEO_CATEGORY_MAX] = {
    [GEO_COMMUNITY_SERVICE] = { "community_service", "社区综合服务站" },
    [GEO_KINDERGARTEN] = { "kindergarten", "幼儿园" },
    [GEO_NURSERY] = { "nursery", "托儿所" },
    [GEO_ELDERLY_CARE] = { "elderly_care", "老年服务站/养老" },
    [GEO_CLINIC] = { "clinic", "社区卫生服务站/诊所" },
    [GEO_PHARMACY] = { "pharmacy", "药店" },
    [GEO_PRIMARY_SCHOOL] = { "primary_school", "小学" },
    [GEO_MIDDLE_SCHOOL] = { "middle_school", "中学" },
    [GEO_SUPERMARKET] = { "supermarket", "综合超市" },
    [GEO_CONVENIENCE] = { "convenience", "便利店" },
    [GEO_FRESH_MARKET] = { "fresh_market", "菜市场" },
    [GEO_PARK] = { "park", "公园/绿地" },
    [GEO_PLAYGROUND] = { "playground", "儿童游乐场" },
    [GEO_SPORTS] = { "sports", "健身/运动场地" },
    [GEO_BUS_STOP] = { "bus_stop", "公交站" },
    [GEO_METRO] = { "metro", "地铁站" },
    [GEO_FOOD] = { "food", "餐饮" },
    [GEO_BANK] = { "bank", "银行" },
    [GEO_POST] = { "post", "邮政/快递" },
    [GEO_TOILETS] = { "toilets", "公共厕所" },
};

int geo_category_find(const char *key)
{
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        if (strcmp(geo_categories[c].key, key) == 0)
            return c;
    }
    return -1;
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);

    return 2 * EARTH_RADIUS_M * asin(sqrt(h < 1 ? h : 1));
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);

    if (!p)
        abort();
    return p;
}

#define HUGE_PAGE ((size_t)2 << 20)

void *geo_big_alloc(size_t size)
{
    void *p = NULL;

    if (size < HUGE_PAGE / 2) /* not worth a huge page */
        return xcalloc(1, size);
    if (posix_memalign(&p, HUGE_PAGE, size) != 0)
        abort();
#ifdef MADV_HUGEPAGE
    /* a hint: without huge pages (or where refused) the memory is the same */
    (void)madvise(p, (size + 4095) & ~(size_t)4095, MADV_HUGEPAGE);
#endif
    memset(p, 0, size);
    return p;
}

void geo_big_free(void *p)
{
    free(p);
}

/*
 * Vertex numbers by id: open addressing over a power-of-two table of
 * number + 1 (0 is empty), at most half full. Loading a large graph looks
 * up two ids per edge, and a binary search over millions of ids misses the
 * cache at every step near its end.
 */
typedef struct IdIndex {
    uint32_t *slot;
    size_t mask;
} IdIndex;

static size_t id_hash(int64_t id, size_t mask)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static void id_index_init(IdIndex *x, const GeoGraph *g)
{
    size_t size = 16;

    while (size < 2 * g->n)
        size *= 2;
    x->mask = size - 1;
    x->slot = xcalloc(size, sizeof(*x->slot));
    for (size_t v = 0; v < g->n; v++) {
        size_t h = id_hash(g->ids[v], x->mask);

        while (x->slot[h])
            h = (h + 1) & x->mask;
        x->slot[h] = (uint32_t)v + 1;
    }
}

static long vertex_index(const GeoGraph *g, const IdIndex *x, int64_t id)
{
    for (size_t h = id_hash(id, x->mask); x->slot[h]; h = (h + 1) & x->mask) {
        if (g->ids[x->slot[h] - 1] == id)
            return (long)x->slot[h] - 1;
    }
    return -1;
}

typedef struct VertexSort {
    int64_t id;
    GeoPoint p;
} VertexSort;

static int cmp_vertex(const void *x, const void *y)
{
    const VertexSort *a = x, *b = y;

    return (a->id > b->id) - (a->id < b->id);
}

/* A cell's column and row; clamped into the grid. */
static void cell_of(const GeoGraph *g, GeoPoint p, long *ret_col, long *ret_row)
{
    double x = (p.lon - g->lon0) * DEG * EARTH_RADIUS_M * g->cos0;
    double y = (p.lat - g->lat0) * DEG * EARTH_RADIUS_M;

    *ret_col = (long)floor(x / g->cell_m);
    *ret_row = (long)floor(y / g->cell_m);
}

uint32_t geo_graph_cell_key(const GeoGraph *g, GeoPoint p)
{
    long c, r;

    if (!g->n)
        return 0;
    cell_of(g, p, &c, &r);
    c = c < 0 ? 0 : c >= (long)g->cols ? (long)g->cols - 1 : c;
    r = r < 0 ? 0 : r >= (long)g->rows ? (long)g->rows - 1 : r;
    return (uint32_t)((size_t)r * g->cols + (size_t)c); /* at most GRID_SIDE_MAX² */
}

static void build_grid(GeoGraph *g)
{
    double min_lat = INFINITY, min_lon = INFINITY, max_lat = -INFINITY, max_lon = -INFINITY;
    size_t cells, *fill;

    for (size_t v = 0; v < g->n; v++) {
        min_lat = fmin(min_lat, g->points[v].lat);
        max_lat = fmax(max_lat, g->points[v].lat);
        min_lon = fmin(min_lon, g->points[v].lon);
        max_lon = fmax(max_lon, g->points[v].lon);
    }
    if (!g->n)
        min_lat = max_lat = min_lon = max_lon = 0;
    g->lat0 = min_lat;
    g->lon0 = min_lon;
    g->cos0 = cos((min_lat + max_lat) / 2 * DEG);
    /*
     * About four vertices a cell where the streets are dense (a city centre
     * has hundreds in 100 m squares, and snapping would look at them all),
     * 100 m where they are sparse.
     */
    {
        double w = (max_lon - min_lon) * DEG * EARTH_RADIUS_M * g->cos0;
        double h = (max_lat - min_lat) * DEG * EARTH_RADIUS_M;

        g->cell_m = g->n ? sqrt(w * h / (double)g->n * 4) : CELL_M;
        g->cell_m = fmin(CELL_M, fmax(CELL_MIN_M, g->cell_m));
    }
    for (;;) {
        g->cols = (size_t)((max_lon - min_lon) * DEG * EARTH_RADIUS_M * g->cos0 / g->cell_m) + 1;
        g->rows = (size_t)((max_lat - min_lat) * DEG * EARTH_RADIUS_M / g->cell_m) + 1;
        if (g->cols <= GRID_SIDE_MAX && g->rows <= GRID_SIDE_MAX)
            break;
        g->cell_m *= 2;
    }
    cells = g->cols * g->rows;
    g->cell_first = xcalloc(cells + 1, sizeof(*g->cell_first));
    g->cell_vertex = xcalloc(g->n, sizeof(*g->cell_vertex));
    fill = xcalloc(cells, sizeof(*fill));
    for (size_t v = 0; v < g->n; v++) {
        long c, r;

        cell_of(g, g->points[v], &c, &r);
        g->cell_first[(size_t)r * g->cols + (size_t)c + 1]++;
    }
    for (size_t c = 0; c < cells; c++)
        g->cell_first[c + 1] += g->cell_first[c];
    for (size_t v = 0; v < g->n; v++) {
        long c, r;
        size_t cell;

        cell_of(g, g->points[v], &c, &r);
        cell = (size_t)r * g->cols + (size_t)c;
        g->cell_vertex[g->cell_first[cell] + fill[cell]++] = (uint32_t)v;
    }
    free(fill);
}

/* Are the vertices given in ascending order of id already (as the store reads them)? */
static bool ids_sorted(size_t n, const int64_t *ids)
{
    for (size_t v = 1; v < n; v++)
        if (ids[v - 1] >= ids[v])
            return false;
    return true;
}

GeoGraph *geo_graph_new(size_t n_vertices, const int64_t *ids, const GeoPoint *points,
                        size_t n_edges, const int64_t *edge_a, const int64_t *edge_b,
                        const double *edge_m)
{
    GeoGraph *g = xcalloc(1, sizeof(*g));
    uint32_t *ea = xcalloc(n_edges, sizeof(*ea)), *eb = xcalloc(n_edges, sizeof(*eb));
    uint32_t *fill;
    IdIndex index;
    size_t n_arcs = 0;

    if (n_vertices >= UINT32_MAX || n_edges >= UINT32_MAX / 2)
        abort(); /* far beyond any city: the numbers are 32-bit */
    pthread_mutex_init(&g->spare_lock, NULL);
    g->ids = xcalloc(n_vertices, sizeof(*g->ids));
    g->points = xcalloc(n_vertices, sizeof(*g->points));
    if (ids_sorted(n_vertices, ids)) {
        memcpy(g->ids, ids, n_vertices * sizeof(*ids));
        memcpy(g->points, points, n_vertices * sizeof(*points));
        g->n = n_vertices;
    } else {
        VertexSort *vs = xcalloc(n_vertices, sizeof(*vs));

        for (size_t v = 0; v < n_vertices; v++)
            vs[v] = (VertexSort){ ids[v], points[v] };
        qsort(vs, n_vertices, sizeof(*vs), cmp_vertex);
        for (size_t v = 0; v < n_vertices; v++) {
            if (g->n && g->ids[g->n - 1] == vs[v].id)
                continue; /* a vertex given twice */
            g->ids[g->n] = vs[v].id;
            g->points[g->n] = vs[v].p;
            g->n++;
        }
        free(vs);
    }

    id_index_init(&index, g);
    g->first = geo_big_alloc((g->n + 1) * sizeof(*g->first));
    for (size_t e = 0; e < n_edges; e++) {
        long a = vertex_index(g, &index, edge_a[e]), b = vertex_index(g, &index, edge_b[e]);

        /* an edge to nowhere, a loop, or a length no walk can use */
        if (a < 0 || b < 0 || a == b || !(edge_m[e] >= 0) || !isfinite(edge_m[e])) {
            ea[e] = eb[e] = UINT32_MAX;
            continue;
        }
        ea[e] = (uint32_t)a;
        eb[e] = (uint32_t)b;
        g->first[a + 1]++;
        g->first[b + 1]++;
        n_arcs += 2;
    }
    free(index.slot);
    for (size_t v = 0; v < g->n; v++)
        g->first[v + 1] += g->first[v];
    g->arcs = geo_big_alloc((n_arcs + 1) * sizeof(*g->arcs));
    fill = xcalloc(g->n + 1, sizeof(*fill));
    for (size_t e = 0; e < n_edges; e++) {
        uint32_t a = ea[e], b = eb[e];

        if (a == UINT32_MAX)
            continue;
        g->arcs[g->first[a] + fill[a]++] = (GeoArc){ b, (float)edge_m[e] };
        g->arcs[g->first[b] + fill[b]++] = (GeoArc){ a, (float)edge_m[e] };
    }
    free(fill);
    free(ea);
    free(eb);
    build_grid(g);
    return g;
}

void geo_graph_free(GeoGraph *g)
{
    if (!g)
        return;
    geo_walk_free(g->spare);
    pthread_mutex_destroy(&g->spare_lock);
    free(g->ids);
    free(g->points);
    geo_big_free(g->first);
    geo_big_free(g->arcs);
    free(g->cell_first);
    free(g->cell_vertex);
    free(g);
}

size_t geo_graph_vertices(const GeoGraph *g)
{
    return g->n;
}

uint32_t *geo_graph_piece_sizes(const GeoGraph *g)
{
    uint32_t *size = xcalloc(g->n ? g->n : 1, sizeof(*size));
    uint32_t *queue = xcalloc(g->n ? g->n : 1, sizeof(*queue));

    /* a breadth-first search from each vertex not yet in a piece; size 0 marks "not yet" */
    for (size_t s = 0; s < g->n; s++) {
        size_t head = 0, tail = 0;

        if (size[s])
            continue;
        queue[tail++] = (uint32_t)s;
        size[s] = UINT32_MAX;
        while (head < tail) {
            uint32_t v = queue[head++];

            for (uint32_t i = g->first[v]; i < g->first[v + 1]; i++)
                if (!size[g->arcs[i].to]) {
                    size[g->arcs[i].to] = UINT32_MAX;
                    queue[tail++] = g->arcs[i].to;
                }
        }
        for (size_t i = 0; i < tail; i++)
            size[queue[i]] = (uint32_t)tail;
    }
    free(queue);
    return size;
}

/*
 * Snapping looks at the cells ring by ring around the point's cell twice.
 * First with a flat approximation (the point's own cos(latitude); within
 * 1e-4 of the great-circle distance this close, and cheap: no sine, no
 * square root) for the nearest flat distance; then, over the same rings,
 * a haversine only for the vertices within 2e-3 of that, which holds every
 * vertex whose great-circle distance can be the least. The nearest by
 * haversine wins, the lower number on a tie.
 */
typedef struct Snap {
    const GeoGraph *g;
    GeoPoint p;
    double cos_p;
    double best_sq;    /* first pass: the least flat distance², in degrees² */
    double within_sq;  /* second pass: who gets a haversine */
    double best;       /* second pass: the least great-circle distance */
    long best_v;
} Snap;

static void snap_cell(Snap *s, bool exact, long c, long r)
{
    const GeoGraph *g = s->g;
    size_t cell;

    if (r < 0 || r >= (long)g->rows || c < 0 || c >= (long)g->cols)
        return;
    cell = (size_t)r * g->cols + (size_t)c;
    for (size_t i = g->cell_first[cell]; i < g->cell_first[cell + 1]; i++) {
        uint32_t v = g->cell_vertex[i];
        double dy = g->points[v].lat - s->p.lat, dx = (g->points[v].lon - s->p.lon) * s->cos_p;
        double sq = dx * dx + dy * dy, d;

        if (!exact) {
            if (sq < s->best_sq)
                s->best_sq = sq;
            continue;
        }
        if (sq > s->within_sq)
            continue;
        d = geo_distance_m(s->p.lat, s->p.lon, g->points[v].lat, g->points[v].lon);
        if (d < s->best || (d == s->best && (long)v < s->best_v)) {
            s->best = d;
            s->best_v = v;
        }
    }
}

/* The cells at Chebyshev distance @k from (@col, @row). */
static void snap_ring(Snap *s, bool exact, long col, long row, long k)
{
    for (long c = col - k; c <= col + k; c++) {
        snap_cell(s, exact, c, row - k);
        if (k)
            snap_cell(s, exact, c, row + k);
    }
    for (long r = row - k + 1; r <= row + k - 1; r++) {
        snap_cell(s, exact, col - k, r);
        snap_cell(s, exact, col + k, r);
    }
}

long geo_graph_snap(const GeoGraph *g, GeoPoint p, double *ret_m)
{
    long col, row, k, reach;
    Snap s = { g, p, cos(p.lat * DEG), INFINITY, 0, INFINITY, -1 };
    double best, flat_m;

    if (!g->n)
        return -1;
    reach = (long)ceil(LIFECIRCLE_SNAP_MAX_M / g->cell_m) + 1;
    cell_of(g, p, &col, &row);
    /*
     * A vertex in ring k + 1 is at least k cells away, so once the nearest
     * so far is nearer than that (with margins for the flat projection),
     * no ring further out can hold a nearer one.
     */
    for (k = 0; k <= reach; k++) {
        snap_ring(&s, false, col, row, k);
        flat_m = sqrt(s.best_sq) * DEG * EARTH_RADIUS_M;
        if (flat_m * 1.001 < k * g->cell_m * 0.99)
            break;
    }
    if (!isfinite(s.best_sq))
        return -1;
    s.within_sq = s.best_sq * 1.002 * 1.002 + 1e-20;
    for (long j = 0; j <= k && j <= reach; j++)
        snap_ring(&s, true, col, row, j);
    best = s.best;
    if (s.best_v < 0 || best > LIFECIRCLE_SNAP_MAX_M)
        return -1;
    *ret_m = best;
    return s.best_v;
}

