#pragma once
/* The life circle's part of `linli demo` (lifecircle_demo.c). */
#include "lifecircle/lifecircle.h"

typedef struct LifecircleDemoCounts {
    bool skipped;            /* no extract at lifecircle_demo_extract() */
    GeoImportCounts import;
    int64_t placed;          /* registry buildings given a point */
} LifecircleDemoCounts;

/* ../shared/geo/chengdu-central-2018.osm, or $LINLI_GEO_DEMO. */
const char *lifecircle_demo_extract(void);

/*
 * Imports the extract (its own transaction) and places the street's
 * registry buildings, @community's first, on its residential buildings.
 */
Error *lifecircle_demo(Store *st, Arena *a, const char *street, const char *community,
                       LifecircleDemoCounts *ret);
