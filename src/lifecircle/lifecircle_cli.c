/*
 * The life circle on the command line: `linli geo import` reads an
 * OpenStreetMap extract, `linli geo coverage` prints every residential
 * building's walking distance to each category of facility.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_util.h"
#include "core/timeutil.h"
#include "lifecircle/lifecircle.h"
#include "core/banned.h"

static int geo_import(int argc, char **argv)
{
    const char *db = NULL;
    const CliOption opts[] = { { "db", &db }, { 0 } };
    GeoImportCounts counts;
    Arena *a;
    Store *st;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli geo import --db FILE AREA.osm|AREA.osm.pbf\n"
             "\n"
             "Imports an OpenStreetMap extract (© OpenStreetMap contributors, ODbL) for\n"
             "the 15-minute life circle: the walkable street network (every highway but\n"
             "motorways, cycleways, platforms and ways under construction; not foot=no,\n"
             "not private; one-way streets walked both ways), the facilities of the 20\n"
             "life-circle categories from their tags, and the residential buildings.\n"
             "An .osm file is read as XML; an .osm.pbf through `osmium cat` (Debian's\n"
             "osmium-tool). It replaces what an earlier import wrote, in one transaction;\n"
             "facilities that staff added stay. Prints what it kept.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || optind != argc - 1) {
        fprintf(stderr, "linli geo import: --db FILE and one AREA.osm|AREA.osm.pbf are required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    err = geo_import_file(st, a, argv[optind], &counts);
    if (err)
        cli_print_error(err);
    else
        printf("imported %s: %lld nodes, %lld ways; kept %lld vertices, %lld edges, %lld facilities, "
               "%lld residential buildings\n",
               argv[optind], (long long)counts.nodes, (long long)counts.ways, (long long)counts.vertices,
               (long long)counts.edges, (long long)counts.facilities, (long long)counts.buildings);
    arena_free(a);
    store_close(st);
    return err ? 1 : 0;
}

/* The process's CPU time (all its threads) in microseconds. */
static int64_t cpu_us(void)
{
    struct timespec t;

    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
        return 0;
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int geo_coverage_cmd(int argc, char **argv)
{
    const char *db = NULL, *meters = NULL;
    bool stats = false;
    const CliOption opts[] = { { "db", &db }, { "meters", &meters }, { "stats", NULL, &stats }, { 0 } };
    int64_t t0, t1, t2, c1, c2;
    GeoCoverageTimes times;
    double limit = 1000, *dist;
    GeoPlace *buildings, *facilities;
    size_t n_buildings, n_facilities;
    GeoGraph *g = NULL;
    char *end;
    Arena *a;
    Store *st;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli geo coverage --db FILE [--meters 1000] [--stats]\n"
             "\n"
             "Prints CSV building,category,meters: for every imported residential\n"
             "building (its OSM id) and every life-circle category (its key), the\n"
             "walking distance in metres along the street network to the nearest open\n"
             "facility of that category, empty beyond --meters (default 1000; the\n"
             "15-minute circle of GB 50180-2018 is 800-1000 m, 10 minutes 500 m,\n"
             "5 minutes 300 m). A distance is the straight line from the building to\n"
             "the nearest walkable point (a vertex), the network, and the straight line\n"
             "from the facility's nearest vertex to it; a building or facility more than\n"
             "500 m from every walkable way reaches nothing.\n"
             "Categories: community_service kindergarten nursery elderly_care clinic\n"
             "pharmacy primary_school middle_school supermarket convenience fresh_market\n"
             "park playground sports bus_stop metro food bank post toilets.\n"
             "--stats: on stderr, the graph's size and the milliseconds spent loading\n"
             "it from the database and computing the distances (of which snapping and\n"
             "the walks; and the CPU time of the computation, all threads).\n"
             "The 20 walks run on up to 2 threads for graphs of 200,000 vertices or\n"
             "more (LINLI_GEO_THREADS=1: one); the output is the same either way.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (meters) {
        limit = strtod(meters, &end);
        if (*end || !(limit > 0) || limit > 100000) {
            fprintf(stderr, "linli geo coverage: --meters takes a distance from 1 to 100000\n");
            return 2;
        }
    }
    if (!db) {
        fprintf(stderr, "linli geo coverage: --db FILE is required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    t0 = time_mono_us();
    g = geo_store_graph(st, a, &err);
    if (!err)
        err = geo_store_buildings(st, a, &buildings, &n_buildings);
    if (!err)
        err = geo_store_facilities(st, a, &facilities, &n_facilities);
    if (err) {
        cli_print_error(err);
    } else {
        t1 = time_mono_us();
        c1 = cpu_us();
        geo_coverage(a, g, buildings, n_buildings, facilities, n_facilities, limit, &dist, &times);
        t2 = time_mono_us();
        c2 = cpu_us();
        if (stats)
            fprintf(stderr, "{\"vertices\":%zu,\"buildings\":%zu,\"facilities\":%zu,\"load_ms\":%.2f,"
                            "\"compute_ms\":%.2f,\"snap_ms\":%.2f,\"walks_ms\":%.2f,\"compute_cpu_ms\":%.2f}\n",
                    geo_graph_vertices(g), n_buildings, n_facilities, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0,
                    times.snap_ms, times.walks_ms, (c2 - c1) / 1000.0);
        puts("building,category,meters");
        for (size_t b = 0; b < n_buildings; b++) {
            for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
                double d = dist[(size_t)c * n_buildings + b];

                if (isfinite(d))
                    printf("%lld,%s,%.1f\n", (long long)buildings[b].id, geo_categories[c].key, d);
                else
                    printf("%lld,%s,\n", (long long)buildings[b].id, geo_categories[c].key);
            }
        }
    }
    geo_graph_free(g);
    arena_free(a);
    store_close(st);
    return err ? 1 : 0;
}

int lifecircle_cli(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "import", geo_import }, { "coverage", geo_coverage_cmd }, { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli geo import --db FILE AREA.osm|AREA.osm.pbf\n"
                          "       linli geo coverage --db FILE [--meters 1000]");
}
