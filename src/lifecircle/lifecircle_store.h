#pragma once
/* The life circle's rows, as the import writes them and the store keeps them. */
#include "lifecircle/lifecircle.h"

typedef struct GeoEdgeRow {
    int64_t a, b;      /* OSM node ids */
    double meters;
} GeoEdgeRow;

typedef struct GeoWayRow {
    int64_t id;
    const char *highway;
    const char *name;
} GeoWayRow;

typedef struct GeoFacilityRow {
    char osm_type;     /* 'n' node, 'w' way */
    int64_t osm_id;
    int category;
    const char *name;
    GeoPoint p;
} GeoFacilityRow;

typedef struct GeoBuildingRow {
    int64_t osm_id;
    const char *kind;  /* the building tag: "residential", "apartments" ... */
    const char *name;
    GeoPoint p;
} GeoBuildingRow;

/*
 * Replaces what an earlier import wrote, in one transaction: the vertices
 * (the nodes @edges use, from @node_id/@node_p sorted by id), the edges
 * (each undirected pair once, its shortest length), the walkable ways, the
 * OSM facilities and the buildings; notes @file in geo_import. Counts what
 * it kept in *ret.
 */
Error *geo_store_replace(Store *st, Arena *a, const char *file, const int64_t *node_id, const GeoPoint *node_p, size_t n_nodes,
                         GeoEdgeRow *edges, size_t n_edges, const GeoWayRow *ways, size_t n_ways,
                         const GeoFacilityRow *facilities, size_t n_facilities,
                         const GeoBuildingRow *buildings, size_t n_buildings, GeoImportCounts *ret);
