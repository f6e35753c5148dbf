/*
 * The plain peer of `linli geo coverage` in bench/lifecircle: a textbook
 * binary-heap Dijkstra over an adjacency list, one multi-source walk per
 * category from the vertices nearest its facilities (every source at
 * distance 0, as pgRouting's drivingDistance starts), up to a
 * limit. Not part of linli; built by the bench with cc -O2.
 *
 *   geo_dijkstra LIMIT_M RUNS SOURCES_OUT < graph.txt
 *
 * graph.txt: "V n" and n lines "lat lon" (vertex 0..n-1); "E m" and m lines
 * "a b meters" (undirected); "F k" and k lines "category lat lon". Each
 * facility is snapped to its nearest vertex (through a grid, not timed), at
 * most 500 m away. Writes the sources per category to SOURCES_OUT ("cat
 * v1 v2 ..." with 1-based vertex numbers, for pgRouting), then walks every
 * category RUNS times and prints per category "cat reached sum_m" and the
 * best total time of the walks: "walks_ms X".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int to;
    double m;
} Arc;

typedef struct {
    double d;
    int v;
} Item;

static int n, m, k;
static double *lat, *lon;
static int *first; /* CSR: arcs of v are arcs[first[v] .. first[v + 1]) */
static Arc *arcs;
static double *dist;
static Item *heap;
static size_t heap_n;

static void push(double d, int v)
{
    size_t i = heap_n++;

    while (i > 0 && heap[(i - 1) / 2].d > d) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i].d = d;
    heap[i].v = v;
}

static Item pop(void)
{
    Item top = heap[0], last = heap[--heap_n];
    size_t i = 0, c;

    while ((c = 2 * i + 1) < heap_n) {
        if (c + 1 < heap_n && heap[c + 1].d < heap[c].d)
            c++;
        if (heap[c].d >= last.d)
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = last;
    return top;
}

/* Lazy-deletion Dijkstra from @src (@ns vertices at 0) up to @limit. */
static void walk(const int *src, int ns, double limit)
{
    for (int v = 0; v < n; v++)
        dist[v] = INFINITY;
    heap_n = 0;
    for (int i = 0; i < ns; i++) {
        if (dist[src[i]] > 0) {
            dist[src[i]] = 0;
            push(0, src[i]);
        }
    }
    while (heap_n) {
        Item it = pop();

        if (it.d > dist[it.v])
            continue;
        for (int e = first[it.v]; e < first[it.v + 1]; e++) {
            double d = it.d + arcs[e].m;

            if (d <= limit && d < dist[arcs[e].to]) {
                dist[arcs[e].to] = d;
                push(d, arcs[e].to);
            }
        }
    }
}

static double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double meters(double la1, double lo1, double la2, double lo2)
{
    double r = M_PI / 180, x = (lo2 - lo1) * r * cos((la1 + la2) / 2 * r), y = (la2 - la1) * r;

    return sqrt(x * x + y * y) * 6371008.8;
}

/* A grid of cells of at least 500 m over the vertices, for snapping: the
 * nearest vertex within 500 m is in the point's cell or a neighbour. */
static double lat0, lon0, cell_lat, cell_lon;
static int grid_w, grid_h, *grid_first, *grid_v;

static int cell_y(double la)
{
    return (int)floor((la - lat0) / cell_lat);
}

static int cell_x(double lo)
{
    return (int)floor((lo - lon0) / cell_lon);
}

static void grid_build(void)
{
    double lat1 = -INFINITY, lon1 = -INFINITY;
    int *fill;

    lat0 = lon0 = INFINITY;
    for (int v = 0; v < n; v++) {
        lat0 = fmin(lat0, lat[v]);
        lat1 = fmax(lat1, lat[v]);
        lon0 = fmin(lon0, lon[v]);
        lon1 = fmax(lon1, lon[v]);
    }
    cell_lat = 510 / 111195.0;
    cell_lon = cell_lat / cos(fmax(fabs(lat0), fabs(lat1)) * M_PI / 180);
    grid_h = n ? cell_y(lat1) + 1 : 1;
    grid_w = n ? cell_x(lon1) + 1 : 1;
    grid_first = calloc((size_t)grid_w * grid_h + 1, sizeof(int));
    fill = calloc((size_t)grid_w * grid_h + 1, sizeof(int));
    grid_v = malloc(sizeof(int) * (n + 1));
    for (int v = 0; v < n; v++)
        grid_first[cell_y(lat[v]) * grid_w + cell_x(lon[v]) + 1]++;
    for (int c = 0; c < grid_w * grid_h; c++)
        grid_first[c + 1] += grid_first[c];
    for (int v = 0; v < n; v++) {
        int c = cell_y(lat[v]) * grid_w + cell_x(lon[v]);

        grid_v[grid_first[c] + fill[c]++] = v;
    }
    free(fill);
}

int main(int argc, char **argv)
{
    double limit, best = INFINITY;
    int runs, *ea, *eb, *deg, *fcat, *fv, ncat = 0;
    double *em;
    char (*cats)[64];
    FILE *out;

    if (argc != 4)
        return fprintf(stderr, "usage: geo_dijkstra LIMIT_M RUNS SOURCES_OUT < graph.txt\n"), 2;
    limit = atof(argv[1]);
    runs = atoi(argv[2]);
    if (scanf(" V %d", &n) != 1)
        return fprintf(stderr, "geo_dijkstra: no V line\n"), 1;
    lat = malloc(sizeof(double) * n);
    lon = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++)
        if (scanf("%lf %lf", &lat[i], &lon[i]) != 2)
            return fprintf(stderr, "geo_dijkstra: bad vertex %d\n", i), 1;
    if (scanf(" E %d", &m) != 1)
        return fprintf(stderr, "geo_dijkstra: no E line\n"), 1;
    ea = malloc(sizeof(int) * m);
    eb = malloc(sizeof(int) * m);
    em = malloc(sizeof(double) * m);
    deg = calloc(n + 1, sizeof(int));
    for (int i = 0; i < m; i++) {
        if (scanf("%d %d %lf", &ea[i], &eb[i], &em[i]) != 3 || ea[i] < 0 || ea[i] >= n || eb[i] < 0 ||
            eb[i] >= n)
            return fprintf(stderr, "geo_dijkstra: bad edge %d\n", i), 1;
        deg[ea[i]]++;
        deg[eb[i]]++;
    }
    first = malloc(sizeof(int) * (n + 1));
    first[0] = 0;
    for (int v = 0; v < n; v++)
        first[v + 1] = first[v] + deg[v];
    arcs = malloc(sizeof(Arc) * 2 * (size_t)m);
    memset(deg, 0, sizeof(int) * (n + 1));
    for (int i = 0; i < m; i++) {
        arcs[first[ea[i]] + deg[ea[i]]++] = (Arc){ eb[i], em[i] };
        arcs[first[eb[i]] + deg[eb[i]]++] = (Arc){ ea[i], em[i] };
    }
    grid_build();
    if (scanf(" F %d", &k) != 1)
        return fprintf(stderr, "geo_dijkstra: no F line\n"), 1;
    cats = calloc(k + 1, sizeof(*cats));
    fcat = malloc(sizeof(int) * (k + 1));
    fv = malloc(sizeof(int) * (k + 1));
    for (int i = 0; i < k; i++) {
        char c[64];
        double la, lo, bd = INFINITY;
        int j;

        if (scanf("%63s %lf %lf", c, &la, &lo) != 3)
            return fprintf(stderr, "geo_dijkstra: bad facility %d\n", i), 1;
        for (j = 0; j < ncat && strcmp(cats[j], c); j++)
            ;
        if (j == ncat)
            strcpy(cats[ncat++], c);
        fcat[i] = j;
        fv[i] = -1;
        for (int gy = cell_y(la) - 1; gy <= cell_y(la) + 1; gy++)
            for (int gx = cell_x(lo) - 1; gx <= cell_x(lo) + 1; gx++) {
                if (gy < 0 || gy >= grid_h || gx < 0 || gx >= grid_w)
                    continue;
                for (int e = grid_first[gy * grid_w + gx]; e < grid_first[gy * grid_w + gx + 1]; e++) {
                    int v = grid_v[e];
                    double d = meters(la, lo, lat[v], lon[v]);

                    if (d < bd && d <= 500) {
                        bd = d;
                        fv[i] = v;
                    }
                }
            }
    }
    dist = malloc(sizeof(double) * n);
    heap = malloc(sizeof(Item) * (2 * (size_t)m + n + 1));
    int **src = calloc(ncat, sizeof(int *)), *ns = calloc(ncat, sizeof(int));
    out = fopen(argv[3], "w");
    if (!out)
        return perror(argv[3]), 1;
    for (int c = 0; c < ncat; c++) {
        src[c] = malloc(sizeof(int) * (k + 1));
        fprintf(out, "%s", cats[c]);
        for (int i = 0; i < k; i++)
            if (fcat[i] == c && fv[i] >= 0) {
                src[c][ns[c]++] = fv[i];
                fprintf(out, " %d", fv[i] + 1);
            }
        fprintf(out, "\n");
    }
    fclose(out);
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms(), t;

        for (int c = 0; c < ncat; c++)
            walk(src[c], ns[c], limit);
        t = now_ms() - t0;
        if (t < best)
            best = t;
    }
    for (int c = 0; c < ncat; c++) {
        long reached = 0;
        double sum = 0;

        walk(src[c], ns[c], limit);
        for (int v = 0; v < n; v++)
            if (isfinite(dist[v])) {
                reached++;
                sum += dist[v];
            }
        printf("%s %ld %.1f\n", cats[c], reached, sum);
    }
    printf("walks_ms %.2f\n", best);
    return 0;
}
