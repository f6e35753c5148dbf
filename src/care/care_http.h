#pragma once
/*
 * What care's route files share (care_routes.c, care_export.c): the list's
 * query, read once for the list, the overdue board and the export.
 */
#include <stdbool.h>
#include <stdint.h>

#include "care/care_store.h"
#include "http/request.h"
#include "http/router.h"

/*
 * Reads GET /care/people's query (community, grid, building, age_min,
 * age_max, alone, grade, overdue, in_care, page, per_page) into *f (the
 * scope's bounds, today, the page's limit and offset) and the settings of
 * the community it names (or the user's) into *cs. 400 naming a bad
 * parameter, 403 outside the scope.
 */
Error *care_list_query(Request *req, bool overdue_only, CareFilter *f, CareSettings *cs,
                       int64_t *ret_page, int64_t *ret_per_page);

/* GET /api/v1/care/people/export (care_export.c). */
void care_export_routes_register(Router *r);
