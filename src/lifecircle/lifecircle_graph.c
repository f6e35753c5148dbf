/*
 * The walking graph in memory: adjacency in compressed rows (CSR), a
 * uniform grid of ~100 m cells to find the vertex nearest a point, and a
 * multi-source Dijkstra on a binary heap, bounded by a distance.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/lifecircle.h"
#include "core/banned.h"

#define EARTH_RADIUS_M 6371008.8
#define DEG (M_PI / 180.0)
#define CELL_M 100.0
#define GRID_SIDE_MAX 4096

struct GeoGraph {
    size_t n;             /* vertices */
    int64_t *ids;         /* sorted ascending */
    GeoPoint *points;
    size_t *first;        /* n + 1: edges of v are first[v] .. first[v + 1] */
    uint32_t *to;
    double *meters;
    /* the grid: cell c holds vertices cell_vertex[cell_first[c] .. cell_first[c + 1]] */
    double lat0, lon0, cos0;
    size_t cols, rows;
    double cell_m;
    size_t *cell_first;
    uint32_t *cell_vertex;
};

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

static long vertex_index(const GeoGraph *g, int64_t id)
{
    size_t lo = 0, hi = g->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (g->ids[mid] == id)
            return (long)mid;
        if (g->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
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
    g->cell_m = CELL_M;
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

GeoGraph *geo_graph_new(size_t n_vertices, const int64_t *ids, const GeoPoint *points,
                        size_t n_edges, const int64_t *edge_a, const int64_t *edge_b,
                        const double *edge_m)
{
    GeoGraph *g = xcalloc(1, sizeof(*g));
    VertexSort *vs = xcalloc(n_vertices, sizeof(*vs));
    long *ea = xcalloc(n_edges, sizeof(*ea)), *eb = xcalloc(n_edges, sizeof(*eb));
    size_t *fill;

    for (size_t v = 0; v < n_vertices; v++)
        vs[v] = (VertexSort){ ids[v], points[v] };
    qsort(vs, n_vertices, sizeof(*vs), cmp_vertex);
    g->ids = xcalloc(n_vertices, sizeof(*g->ids));
    g->points = xcalloc(n_vertices, sizeof(*g->points));
    for (size_t v = 0; v < n_vertices; v++) {
        if (g->n && g->ids[g->n - 1] == vs[v].id)
            continue; /* a vertex given twice */
        g->ids[g->n] = vs[v].id;
        g->points[g->n] = vs[v].p;
        g->n++;
    }
    free(vs);

    g->first = xcalloc(g->n + 1, sizeof(*g->first));
    for (size_t e = 0; e < n_edges; e++) {
        ea[e] = vertex_index(g, edge_a[e]);
        eb[e] = vertex_index(g, edge_b[e]);
        if (ea[e] < 0 || eb[e] < 0 || ea[e] == eb[e])
            continue; /* an edge to nowhere, or a loop: no use for walking */
        g->first[ea[e] + 1]++;
        g->first[eb[e] + 1]++;
    }
    for (size_t v = 0; v < g->n; v++)
        g->first[v + 1] += g->first[v];
    g->to = xcalloc(g->first[g->n], sizeof(*g->to));
    g->meters = xcalloc(g->first[g->n], sizeof(*g->meters));
    fill = xcalloc(g->n + 1, sizeof(*fill));
    for (size_t e = 0; e < n_edges; e++) {
        size_t a, b;

        if (ea[e] < 0 || eb[e] < 0 || ea[e] == eb[e])
            continue;
        a = (size_t)ea[e];
        b = (size_t)eb[e];
        g->to[g->first[a] + fill[a]] = (uint32_t)b;
        g->meters[g->first[a] + fill[a]++] = edge_m[e];
        g->to[g->first[b] + fill[b]] = (uint32_t)a;
        g->meters[g->first[b] + fill[b]++] = edge_m[e];
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
    free(g->ids);
    free(g->points);
    free(g->first);
    free(g->to);
    free(g->meters);
    free(g->cell_first);
    free(g->cell_vertex);
    free(g);
}

size_t geo_graph_vertices(const GeoGraph *g)
{
    return g->n;
}

/*
 * Looks at the vertices of one cell, keeping the nearest (the lower index
 * on a tie). A flat approximation (the point's own cos(latitude)) is within
 * 1e-4 of the great-circle distance this close, so a vertex it puts more
 * than 1e-3 beyond the nearest so far cannot be nearer: only the others
 * cost a haversine.
 */
static void snap_cell(const GeoGraph *g, GeoPoint p, double cos_p, long c, long r, double *best,
                      long *best_v)
{
    size_t cell;

    if (r < 0 || r >= (long)g->rows || c < 0 || c >= (long)g->cols)
        return;
    cell = (size_t)r * g->cols + (size_t)c;
    for (size_t i = g->cell_first[cell]; i < g->cell_first[cell + 1]; i++) {
        uint32_t v = g->cell_vertex[i];
        double dy = g->points[v].lat - p.lat, dx = (g->points[v].lon - p.lon) * cos_p;
        double flat = sqrt(dx * dx + dy * dy) * DEG * EARTH_RADIUS_M, d;

        if (flat > *best * 1.001 + 0.01)
            continue;
        d = geo_distance_m(p.lat, p.lon, g->points[v].lat, g->points[v].lon);
        if (d < *best || (d == *best && (long)v < *best_v)) {
            *best = d;
            *best_v = v;
        }
    }
}

long geo_graph_snap(const GeoGraph *g, GeoPoint p, double *ret_m)
{
    long col, row, reach = (long)ceil(LIFECIRCLE_SNAP_MAX_M / g->cell_m) + 1;
    double best = INFINITY, cos_p = cos(p.lat * DEG);
    long best_v = -1;

    if (!g->n)
        return -1;
    cell_of(g, p, &col, &row);
    /*
     * Ring by ring around the point's cell: a vertex in ring k + 1 is at
     * least k cells away, so once the nearest so far is nearer than that
     * (with a margin for the flat projection), no ring further out can
     * hold a nearer one.
     */
    for (long k = 0; k <= reach; k++) {
        for (long c = col - k; c <= col + k; c++) {
            snap_cell(g, p, cos_p, c, row - k, &best, &best_v);
            if (k)
                snap_cell(g, p, cos_p, c, row + k, &best, &best_v);
        }
        for (long r = row - k + 1; r <= row + k - 1; r++) {
            snap_cell(g, p, cos_p, col - k, r, &best, &best_v);
            snap_cell(g, p, cos_p, col + k, r, &best, &best_v);
        }
        if (best < k * g->cell_m * 0.99)
            break;
    }
    if (best_v < 0 || best > LIFECIRCLE_SNAP_MAX_M)
        return -1;
    *ret_m = best;
    return best_v;
}

/* ---- the walk ---- */

typedef struct HeapItem {
    double d;
    uint32_t v;
} HeapItem;

typedef struct Heap {
    HeapItem *items;
    size_t n, cap;
} Heap;

static void heap_push(Heap *h, double d, uint32_t v)
{
    size_t i;

    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->items = realloc(h->items, h->cap * sizeof(*h->items));
        if (!h->items)
            abort();
    }
    i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (h->items[parent].d <= d)
            break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = (HeapItem){ d, v };
}

static HeapItem heap_pop(Heap *h)
{
    HeapItem top = h->items[0], last = h->items[--h->n];
    size_t i = 0;

    for (;;) {
        size_t child = 2 * i + 1;

        if (child >= h->n)
            break;
        if (child + 1 < h->n && h->items[child + 1].d < h->items[child].d)
            child++;
        if (last.d <= h->items[child].d)
            break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (h->n)
        h->items[i] = last;
    return top;
}

void geo_graph_walk(const GeoGraph *g, size_t n_sources, const long *source_vertex,
                    const double *source_offset_m, double limit_m, double *ret_dist)
{
    Heap h = { 0 };

    for (size_t v = 0; v < g->n; v++)
        ret_dist[v] = INFINITY;
    for (size_t s = 0; s < n_sources; s++) {
        long v = source_vertex[s];

        if (v < 0 || source_offset_m[s] > limit_m || source_offset_m[s] >= ret_dist[v])
            continue;
        ret_dist[v] = source_offset_m[s];
        heap_push(&h, source_offset_m[s], (uint32_t)v);
    }
    while (h.n) {
        HeapItem it = heap_pop(&h);

        if (it.d > ret_dist[it.v])
            continue; /* a stale entry: reached more cheaply since */
        for (size_t e = g->first[it.v]; e < g->first[it.v + 1]; e++) {
            double nd = it.d + g->meters[e];
            uint32_t u = g->to[e];

            if (nd < ret_dist[u] && nd <= limit_m) {
                ret_dist[u] = nd;
                heap_push(&h, nd, u);
            }
        }
    }
    free(h.items);
}

void geo_coverage(Arena *a, const GeoGraph *g, const GeoPlace *buildings, size_t n_buildings,
                  const GeoPlace *facilities, size_t n_facilities, double limit_m, double **ret)
{
    double *out = arena_alloc(a, (n_buildings * _GEO_CATEGORY_MAX + 1) * sizeof(*out));
    long *b_vertex = arena_alloc(a, (n_buildings + 1) * sizeof(*b_vertex));
    double *b_access = arena_alloc(a, (n_buildings + 1) * sizeof(*b_access));
    long *f_vertex = arena_alloc(a, (n_facilities + 1) * sizeof(*f_vertex));
    double *f_access = arena_alloc(a, (n_facilities + 1) * sizeof(*f_access));
    long *s_vertex = arena_alloc(a, (n_facilities + 1) * sizeof(*s_vertex));
    double *s_offset = arena_alloc(a, (n_facilities + 1) * sizeof(*s_offset));
    double *dist = malloc((g->n + 1) * sizeof(*dist));

    if (!dist)
        abort();
    for (size_t b = 0; b < n_buildings; b++)
        b_vertex[b] = geo_graph_snap(g, buildings[b].p, &b_access[b]);
    for (size_t f = 0; f < n_facilities; f++)
        f_vertex[f] = geo_graph_snap(g, facilities[f].p, &f_access[f]);
    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        size_t n_src = 0;

        for (size_t f = 0; f < n_facilities; f++) {
            if (facilities[f].category != c || f_vertex[f] < 0)
                continue;
            s_vertex[n_src] = f_vertex[f];
            s_offset[n_src++] = f_access[f];
        }
        if (n_src)
            geo_graph_walk(g, n_src, s_vertex, s_offset, limit_m, dist);
        for (size_t b = 0; b < n_buildings; b++) {
            double d = INFINITY;

            if (n_src && b_vertex[b] >= 0)
                d = dist[b_vertex[b]] + b_access[b];
            out[b * _GEO_CATEGORY_MAX + (size_t)c] = d <= limit_m ? d : INFINITY;
        }
    }
    free(dist);
    *ret = out;
}
