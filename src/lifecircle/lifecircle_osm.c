/*
 * OpenStreetMap import: an .osm (XML) file read with libxml2's streaming
 * reader, or an .osm.pbf read through `osmium cat -f osm` (Debian's
 * osmium-tool), into the walking graph, the facilities and the
 * residential buildings. Nodes come before ways in an OSM file, so a way's
 * nodes are known when it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/xmlreader.h>

#include "lifecircle/lifecircle.h"
#include "lifecircle/lifecircle_store.h"
#include "core/banned.h"

extern char **environ;

/* The tags an element may carry that the import reads. */
typedef struct Tags {
    const char *highway, *foot, *access, *service, *amenity, *shop, *leisure, *healthcare;
    const char *social_facility, *social_for, *railway, *public_transport, *subway, *train, *bus;
    const char *building, *name, *name_zh, *isced, *office;
} Tags;

typedef struct Import {
    Arena *a;           /* the whole import */
    Arena *el;          /* one element; reset after each */
    /* every node: id, point (sorted by id when the file is) */
    int64_t *node_id;
    GeoPoint *node_p;
    size_t n_nodes, cap_nodes;
    bool nodes_sorted;
    /* the element being read */
    bool in_way;
    int64_t el_id;
    GeoPoint el_p;
    int64_t *refs;
    size_t n_refs, cap_refs;
    Tags tags;
    /* results */
    GeoWayRow *ways;
    size_t n_ways, cap_ways;
    GeoEdgeRow *edges;
    size_t n_edges, cap_edges;
    GeoFacilityRow *facilities;
    size_t n_facilities, cap_facilities;
    GeoBuildingRow *buildings;
    size_t n_buildings, cap_buildings;
    int64_t n_osm_ways;
} Import;

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 1024;
    p = realloc(p, *cap * size);
    if (!p)
        abort();
    return p;
}

static bool is(const char *v, const char *want)
{
    return v && strcmp(v, want) == 0;
}

static bool is_any(const char *v, const char *const *set)
{
    for (; v && *set; set++) {
        if (strcmp(v, *set) == 0)
            return true;
    }
    return false;
}

static bool contains(const char *v, const char *part)
{
    return v && strstr(v, part);
}

/* ---- what the tags say ---- */

/*
 * Like OSMnx's "walk" filter: every highway but these, not foot=no, not
 * private. Unlike it, a pedestrian area (area=yes: a square, a plaza) is
 * kept: walking its outline is how one crosses it, near enough.
 */
static bool walkable(const Tags *t)
{
    static const char *const never[] = { "abandoned", "bus_guideway", "construction", "cycleway",
                                         "planned", "platform", "proposed", "raceway", NULL };
    static const char *const foot_ok[] = { "yes", "designated", "permissive", NULL };

    if (!t->highway || is_any(t->highway, never) || contains(t->highway, "motor"))
        return false;
    if (is(t->foot, "no") || is(t->service, "private"))
        return false;
    if ((is(t->access, "private") || is(t->access, "no")) && !is_any(t->foot, foot_ok))
        return false;
    return true;
}

static bool residential(const Tags *t)
{
    static const char *const kinds[] = { "residential", "apartments", "house", "detached", "dormitory",
                                         "terrace", "semidetached_house", "bungalow", NULL };

    return is_any(t->building, kinds);
}

/* The life-circle categories of an element: a bit per GeoCategory. */
static uint32_t categories(const Tags *t)
{
    static const char *const clinic[] = { "clinic", "doctors", "hospital", NULL };
    static const char *const health[] = { "clinic", "doctor", "centre", "hospital", NULL };
    static const char *const food[] = { "restaurant", "fast_food", "cafe", "food_court", NULL };
    static const char *const sports[] = { "sports_centre", "pitch", "fitness_centre", "fitness_station",
                                          "stadium", "track", NULL };
    static const char *const rail[] = { "station", "halt", "subway_entrance", NULL };
    static const char *const big_shop[] = { "supermarket", "department_store", "mall", NULL };
    const char *name = t->name_zh ? t->name_zh : t->name;
    uint32_t c = 0;

#define ADD(cat) (c |= 1u << (cat))
    if (is(t->amenity, "community_centre") || is(t->amenity, "social_centre") ||
        (is(t->office, "government") && contains(name, "社区")))
        ADD(GEO_COMMUNITY_SERVICE);
    if (is(t->amenity, "kindergarten"))
        ADD(GEO_KINDERGARTEN);
    if (is(t->amenity, "childcare"))
        ADD(GEO_NURSERY);
    if (is(t->amenity, "nursing_home") ||
        (is(t->amenity, "social_facility") &&
         (is(t->social_for, "senior") || is(t->social_facility, "nursing_home") ||
          is(t->social_facility, "assisted_living"))))
        ADD(GEO_ELDERLY_CARE);
    if (is_any(t->amenity, clinic) || is_any(t->healthcare, health))
        ADD(GEO_CLINIC);
    if (is(t->amenity, "pharmacy") || is(t->healthcare, "pharmacy") || is(t->shop, "chemist"))
        ADD(GEO_PHARMACY);
    if (is(t->amenity, "school")) {
        bool primary = contains(name, "小学") || contains(t->isced, "1");
        bool middle = contains(name, "中学") || contains(name, "初中") || contains(name, "高中") ||
                      contains(t->isced, "2") || contains(t->isced, "3");

        if (primary || !middle)
            ADD(GEO_PRIMARY_SCHOOL);
        if (middle || !primary)
            ADD(GEO_MIDDLE_SCHOOL);
    }
    if (is_any(t->shop, big_shop))
        ADD(GEO_SUPERMARKET);
    if (is(t->shop, "convenience"))
        ADD(GEO_CONVENIENCE);
    if (is(t->amenity, "marketplace") || is(t->shop, "greengrocer"))
        ADD(GEO_FRESH_MARKET);
    if (is(t->leisure, "park") || is(t->leisure, "garden"))
        ADD(GEO_PARK);
    if (is(t->leisure, "playground"))
        ADD(GEO_PLAYGROUND);
    if (is_any(t->leisure, sports))
        ADD(GEO_SPORTS);
    if (is(t->highway, "bus_stop") || is(t->amenity, "bus_station") ||
        (is(t->public_transport, "platform") && is(t->bus, "yes")))
        ADD(GEO_BUS_STOP);
    if (is_any(t->railway, rail) ||
        (is(t->public_transport, "station") && (is(t->subway, "yes") || is(t->train, "yes"))))
        ADD(GEO_METRO);
    if (is_any(t->amenity, food))
        ADD(GEO_FOOD);
    if (is(t->amenity, "bank"))
        ADD(GEO_BANK);
    if (is(t->amenity, "post_office") || is(t->amenity, "parcel_locker") || is(t->office, "courier"))
        ADD(GEO_POST);
    if (is(t->amenity, "toilets"))
        ADD(GEO_TOILETS);
#undef ADD
    return c;
}

/* ---- reading ---- */

static const char *attr(Import *im, xmlTextReaderPtr r, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
    char *s;

    if (!v)
        return NULL;
    s = arena_strdup(im->el, (const char *)v);
    xmlFree(v);
    return s;
}

static void read_tag(Import *im, xmlTextReaderPtr r)
{
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        { "highway", offsetof(Tags, highway) },
        { "foot", offsetof(Tags, foot) },
        { "access", offsetof(Tags, access) },
        { "service", offsetof(Tags, service) },
        { "amenity", offsetof(Tags, amenity) },
        { "shop", offsetof(Tags, shop) },
        { "leisure", offsetof(Tags, leisure) },
        { "healthcare", offsetof(Tags, healthcare) },
        { "social_facility", offsetof(Tags, social_facility) },
        { "social_facility:for", offsetof(Tags, social_for) },
        { "railway", offsetof(Tags, railway) },
        { "public_transport", offsetof(Tags, public_transport) },
        { "subway", offsetof(Tags, subway) },
        { "train", offsetof(Tags, train) },
        { "bus", offsetof(Tags, bus) },
        { "building", offsetof(Tags, building) },
        { "name", offsetof(Tags, name) },
        { "name:zh", offsetof(Tags, name_zh) },
        { "isced:level", offsetof(Tags, isced) },
        { "office", offsetof(Tags, office) },
    };
    const char *k = attr(im, r, "k");

    if (!k)
        return;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].key, k) == 0) {
            *(const char **)((char *)&im->tags + keys[i].offset) = attr(im, r, "v");
            return;
        }
    }
}

static long node_index(const Import *im, int64_t id)
{
    size_t lo = 0, hi = im->n_nodes;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (im->node_id[mid] == id)
            return (long)mid;
        if (im->node_id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const char *place_name(Import *im)
{
    const char *n = im->tags.name_zh ? im->tags.name_zh : im->tags.name;

    return n ? arena_strdup(im->a, n) : NULL;
}

static void add_places(Import *im, char osm_type, GeoPoint p)
{
    uint32_t cats = categories(&im->tags);

    for (int c = 0; c < _GEO_CATEGORY_MAX; c++) {
        if (!(cats & (1u << c)))
            continue;
        im->facilities = grow(im->facilities, &im->cap_facilities, im->n_facilities, sizeof(*im->facilities));
        im->facilities[im->n_facilities++] =
            (GeoFacilityRow){ osm_type, im->el_id, c, place_name(im), p };
    }
    if (residential(&im->tags)) {
        im->buildings = grow(im->buildings, &im->cap_buildings, im->n_buildings, sizeof(*im->buildings));
        im->buildings[im->n_buildings++] =
            (GeoBuildingRow){ im->el_id, arena_strdup(im->a, im->tags.building), place_name(im), p };
    }
}

static void end_node(Import *im)
{
    add_places(im, 'n', im->el_p);
}

static void end_way(Import *im)
{
    GeoPoint sum = { 0, 0 };
    size_t known = 0;

    im->n_osm_ways++;
    if (walkable(&im->tags)) {
        long prev = -1;

        for (size_t i = 0; i < im->n_refs; i++) {
            long k = node_index(im, im->refs[i]);

            if (k < 0) {
                prev = -1; /* cut off by the extract's edge */
                continue;
            }
            if (prev >= 0 && prev != k) {
                im->edges = grow(im->edges, &im->cap_edges, im->n_edges, sizeof(*im->edges));
                im->edges[im->n_edges++] = (GeoEdgeRow){
                    im->node_id[prev], im->node_id[k],
                    geo_distance_m(im->node_p[prev].lat, im->node_p[prev].lon, im->node_p[k].lat,
                                   im->node_p[k].lon) };
            }
            prev = k;
        }
        im->ways = grow(im->ways, &im->cap_ways, im->n_ways, sizeof(*im->ways));
        im->ways[im->n_ways++] = (GeoWayRow){ im->el_id, arena_strdup(im->a, im->tags.highway), place_name(im) };
    }
    /* a facility or building: the centre of its nodes (a closed way's first node once) */
    for (size_t i = 0; i < im->n_refs; i++) {
        long k;

        if (i == im->n_refs - 1 && im->n_refs > 1 && im->refs[i] == im->refs[0])
            break;
        k = node_index(im, im->refs[i]);
        if (k < 0)
            continue;
        sum.lat += im->node_p[k].lat;
        sum.lon += im->node_p[k].lon;
        known++;
    }
    if (known)
        add_places(im, 'w', (GeoPoint){ sum.lat / known, sum.lon / known });
}

static void start_element(Import *im, xmlTextReaderPtr r, const char *name)
{
    if (strcmp(name, "node") == 0) {
        const char *id = attr(im, r, "id"), *lat = attr(im, r, "lat"), *lon = attr(im, r, "lon");

        memset(&im->tags, 0, sizeof(im->tags));
        im->in_way = false;
        im->el_id = id ? strtoll(id, NULL, 10) : 0;
        im->el_p = (GeoPoint){ lat ? strtod(lat, NULL) : NAN, lon ? strtod(lon, NULL) : NAN };
        if (!id || !isfinite(im->el_p.lat) || !isfinite(im->el_p.lon))
            return;
        if (im->n_nodes == im->cap_nodes) {
            im->cap_nodes = im->cap_nodes ? im->cap_nodes * 2 : 65536;
            im->node_id = realloc(im->node_id, im->cap_nodes * sizeof(*im->node_id));
            im->node_p = realloc(im->node_p, im->cap_nodes * sizeof(*im->node_p));
            if (!im->node_id || !im->node_p)
                abort();
        }
        if (im->n_nodes && im->node_id[im->n_nodes - 1] >= im->el_id)
            im->nodes_sorted = false;
        im->node_id[im->n_nodes] = im->el_id;
        im->node_p[im->n_nodes++] = im->el_p;
    } else if (strcmp(name, "way") == 0) {
        const char *id = attr(im, r, "id");

        memset(&im->tags, 0, sizeof(im->tags));
        im->in_way = true;
        im->el_id = id ? strtoll(id, NULL, 10) : 0;
        im->n_refs = 0;
    } else if (strcmp(name, "nd") == 0 && im->in_way) {
        const char *ref = attr(im, r, "ref");

        if (ref) {
            im->refs = grow(im->refs, &im->cap_refs, im->n_refs, sizeof(*im->refs));
            im->refs[im->n_refs++] = strtoll(ref, NULL, 10);
        }
    } else if (strcmp(name, "tag") == 0) {
        read_tag(im, r);
    } else if (strcmp(name, "relation") == 0) {
        im->in_way = false;
    }
}

static void end_element(Import *im, const char *name)
{
    if (strcmp(name, "node") == 0) {
        end_node(im);
        arena_reset(im->el);
    } else if (strcmp(name, "way") == 0) {
        end_way(im);
        im->in_way = false;
        arena_reset(im->el);
    }
}

/* Nodes in id order, for the ways' look-ups (an OSM file usually has them so). */
typedef struct NodeSort {
    int64_t id;
    GeoPoint p;
} NodeSort;

static int cmp_node(const void *x, const void *y)
{
    const NodeSort *a = x, *b = y;

    return (a->id > b->id) - (a->id < b->id);
}

static void sort_nodes(Import *im)
{
    NodeSort *ns = malloc((im->n_nodes + 1) * sizeof(*ns));

    if (!ns)
        abort();
    for (size_t i = 0; i < im->n_nodes; i++)
        ns[i] = (NodeSort){ im->node_id[i], im->node_p[i] };
    qsort(ns, im->n_nodes, sizeof(*ns), cmp_node);
    for (size_t i = 0; i < im->n_nodes; i++) {
        im->node_id[i] = ns[i].id;
        im->node_p[i] = ns[i].p;
    }
    free(ns);
    im->nodes_sorted = true;
}

static void silent(void *arg, const char *msg, xmlParserSeverities severity, xmlTextReaderLocatorPtr loc)
{
    (void)arg;
    (void)msg;
    (void)severity;
    (void)loc;
}

/* Reads @fd to its end; false on malformed XML. */
static bool read_osm(Import *im, int fd, int *ret_line)
{
    xmlTextReaderPtr r = xmlReaderForFd(fd, NULL, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    bool first_way = true;
    int rc;

    if (!r)
        return false;
    xmlTextReaderSetErrorHandler(r, silent, NULL);
    while ((rc = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        const char *name = (const char *)xmlTextReaderConstName(r);

        if (type == XML_READER_TYPE_ELEMENT) {
            if (first_way && strcmp(name, "way") == 0) {
                first_way = false;
                if (!im->nodes_sorted)
                    sort_nodes(im);
            }
            start_element(im, r, name);
            if (xmlTextReaderIsEmptyElement(r))
                end_element(im, name);
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            end_element(im, name);
        }
    }
    *ret_line = xmlTextReaderGetParserLineNumber(r);
    xmlFreeTextReader(r);
    return rc == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* `osmium cat -f osm -o - PATH` with its stdout on *ret_fd. */
static bool spawn_osmium(const char *path, pid_t *ret_pid, int *ret_fd)
{
    char *argv[] = { "osmium", "cat", "--no-progress", "-f", "osm", "-o", "-", (char *)path, NULL };
    posix_spawn_file_actions_t fa;
    int p[2];
    int rc;

    if (pipe(p) != 0)
        return false;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    rc = posix_spawnp(ret_pid, "osmium", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return false;
    }
    *ret_fd = p[0];
    return true;
}

static void import_release(Import *im)
{
    free(im->node_id);
    free(im->node_p);
    free(im->refs);
    free(im->ways);
    free(im->edges);
    free(im->facilities);
    free(im->buildings);
    arena_free(im->el);
}

Error *geo_import_file(Store *st, Arena *a, const char *path, GeoImportCounts *ret)
{
    Import im = { 0 };
    bool pbf = ends_with(path, ".pbf"), ok;
    pid_t pid = 0;
    int fd = -1, line = 0, status = 0;
    Error *err = NULL;

    im.a = a;
    im.el = arena_new(0);
    im.nodes_sorted = true;
    if (pbf) {
        if (access(path, R_OK) != 0)
            err = error_invalid(a, "file", "unreadable_file", arena_sprintf(a, "读不到文件“%s”", path));
        else if (!spawn_osmium(path, &pid, &fd))
            err = error_invalid(a, "file", "osmium_missing",
                                "读取 .osm.pbf 需要 osmium（Debian 软件包 osmium-tool），请先安装");
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            err = error_invalid(a, "file", "unreadable_file", arena_sprintf(a, "读不到文件“%s”", path));
    }
    if (err)
        goto out;
    ok = read_osm(&im, fd, &line);
    close(fd);
    if (pbf) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = false;
    }
    if (!ok) {
        err = error_invalid(a, "file", "malformed_osm",
                            arena_sprintf(a, "文件不是有效的 OpenStreetMap 数据（约第 %d 行）", line));
        goto out;
    }
    if (!im.nodes_sorted)
        sort_nodes(&im);
    err = geo_store_replace(st, a, path, im.node_id, im.node_p, im.n_nodes, im.edges, im.n_edges, im.ways, im.n_ways,
                            im.facilities, im.n_facilities, im.buildings, im.n_buildings, ret);
    if (!err) {
        ret->nodes = (int64_t)im.n_nodes;
        ret->ways = im.n_osm_ways;
    }
out:
    import_release(&im);
    return err;
}
