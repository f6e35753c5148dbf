#pragma once
/* The life circle's routes (/api/v1/geo/…): see lifecircle_routes.c and docs/API.md (生活圈). */
#include "http/request.h"
#include "http/router.h"
#include "lifecircle/lifecircle_model.h"

void lifecircle_routes_register(Router *r);

/* ---- shared by the route files (lifecircle_routes.c, lifecircle_checklist.c) ---- */

/* A registry building with a point, and what the model says of it. */
typedef struct RegBuilding {
    int64_t id;
    const char *community;
    const char *name;
    GeoPoint p;
    int64_t residents;
    long vertex;
    double access;
} RegBuilding;

/* Staff of @community (its staff or secretary), the street's admin over it, or an admin. */
bool geo_may_manage(const User *u, const char *community);
/* ?community=CODE (any prefix in her scope), or "street" / absent: her whole scope. */
Error *geo_scope_bounds(Request *req, const char **ret_lo, const char **ret_hi);
/* The registry buildings with a point in [@lo, @hi), snapped to @m's graph. */
Error *geo_scope_buildings(Request *req, const GeoModel *m, const char *lo, const char *hi,
                           RegBuilding **ret, size_t *ret_n);
/* The model's distance for building @b to category @c (INFINITY beyond its limit). */
double geo_building_distance(const GeoModel *m, const RegBuilding *b, int c);
/* The band of @minutes (5, 10, 15) into *ret; 400 (@query) or 422 naming @field otherwise. */
Error *geo_band_arg(Request *req, int64_t minutes, const char *field, bool query, int *ret);

/* ?bbox=minLon,minLat,maxLon,maxLat (Leaflet's toBBoxString) into @box; the world when absent. */
Error *geo_bbox_query(Request *req, double box[4]);

/* Commits when @err is NULL, else (or when the commit fails) rolls back; passes the error on. */
Error *geo_finish(Request *req, Error *err);

/* A coverage question's arguments (?community=, ?category=, ?minutes=) and its buildings. */
typedef struct GeoCoverageQuery {
    const char *lo, *hi;  /* the scope's code range */
    int cat;              /* -1 when not asked */
    int band, minutes;
    double meters;
    GeoModel *m;          /* give back with geo_model_put */
    RegBuilding *bs;
    size_t nb;
} GeoCoverageQuery;
/*
 * Authorizes (staff, grid workers, the street's admins, admins), reads the
 * arguments and the scope's placed buildings.
 */
Error *geo_coverage_query(Request *req, GeoCoverageQuery *ret);

/* ---- lifecircle_checklist.c, lifecircle_geojson.c ---- */

void lifecircle_checklist_register(Router *r);
void lifecircle_geojson_register(Router *r);
void lifecircle_isochrone_register(Router *r);
