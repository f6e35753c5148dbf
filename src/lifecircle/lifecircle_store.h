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

/*
 * Booking's function rooms as facilities (schema 39): each room stands at
 * its building's point when the building is placed, else at its community's
 * 社区综合服务站 (a room with neither is not on the map). Category
 * community_service, id the room's id negated (never a geo_facility id),
 * source 'room', always open (a room is kept in 预约, not closed on the
 * map). Columns as geo_facility's: id, category, name, lat, lon, source,
 * status, community, station.
 */
#define GEO_ROOM_FACILITIES \
    "SELECT -r.id AS id, 'community_service' AS category, r.name || '（功能室）' AS name," \
    " coalesce(bp.lat, st.lat) AS lat, coalesce(bp.lon, st.lon) AS lon, 'room' AS source," \
    " 'open' AS status, r.community AS community, 0 AS station FROM room r" \
    " LEFT JOIN geo_building_point bp ON bp.building_id = r.building_id" \
    " LEFT JOIN geo_facility st ON st.community = r.community AND st.station = 1" \
    " WHERE coalesce(bp.lat, st.lat) IS NOT NULL"
