#pragma once
/*
 * The work queue (待办): what waits for the user, each a click away, on the
 * landing page of every staff role, and the street's comparison of its
 * communities.
 *
 *   GET  /api/v1/workqueue?community=        the sections of the user's role
 *   GET  /api/v1/stats/communities?street=   one row per community of a street
 *   GET  /api/v1/imports?community=&errors=1 the register's imports, newest first
 *   GET  /api/v1/imports/{id}                one, with the rows not imported
 *   POST /api/v1/imports/{id}/resolve        its errors are dealt with
 *
 * Sections: cases waiting for the user's step (a community's managers:
 * accepted, returned, verified, reopened; a grid worker: handling, to
 * verify; a unit's user: dispatched or handling at her unit), overdue cases,
 * bookings to approve, 转人工 requests not yet dealt with, registrations by
 * phone waiting for their address to be confirmed, imports with rows not
 * imported. This module only reads other modules' tables; it
 * writes its own, import_log (schema 19), which the registry's import
 * route fills through workqueue_import_record.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

#define WORKQUEUE_ITEMS 5          /* items shown per section */
#define WORKQUEUE_IMPORT_ERRORS 500 /* rejected rows kept per import */

typedef enum WorkqueueMode {
    WORKQUEUE_MANAGER,  /* staff, secretary, street admin, admin */
    WORKQUEUE_GRID,     /* grid worker */
    WORKQUEUE_UNIT,     /* property and departments: their unit's cases */
    _WORKQUEUE_MODE_MAX
} WorkqueueMode;

/* What a section is about, for the store. */
typedef struct WorkqueueScope {
    const char *lo, *hi;    /* community codes in [lo, hi) */
    WorkqueueMode mode;
    int64_t user_id;
    int64_t now_ms;
} WorkqueueScope;

/* One section: a count and the first WORKQUEUE_ITEMS items. */
typedef struct WorkqueueSection {
    int64_t count;
    json_t *items;          /* new reference: [{"id","title","detail","at","link",...}] */
} WorkqueueSection;

/* ---- workqueue_store.c ---- */

Error *workqueue_store_cases_waiting(Store *st, Arena *a, const WorkqueueScope *w,
                                     WorkqueueSection *ret);
Error *workqueue_store_cases_overdue(Store *st, Arena *a, const WorkqueueScope *w,
                                     WorkqueueSection *ret);
Error *workqueue_store_bookings_pending(Store *st, Arena *a, const WorkqueueScope *w,
                                        WorkqueueSection *ret);
Error *workqueue_store_handoffs(Store *st, Arena *a, const WorkqueueScope *w,
                                WorkqueueSection *ret);
Error *workqueue_store_imports(Store *st, Arena *a, const WorkqueueScope *w,
                               WorkqueueSection *ret);
/* Registrations by phone waiting for staff to confirm the address. */
Error *workqueue_store_registrations(Store *st, Arena *a, const WorkqueueScope *w,
                                     WorkqueueSection *ret);

/*
 * One row per community of [lo, hi) (level 5): population, households,
 * buildings, key population, open and overdue cases, the cases of the last
 * 12 months from @from_month (yyyymm) with their three rates, bookings to
 * approve and open 转人工 requests. Appends objects to @items.
 */
Error *workqueue_store_communities(Store *st, Arena *a, const char *lo, const char *hi,
                                   int from_month, int64_t now_ms, json_t *items);

/* Imports of [lo, hi), newest first; only those with open errors when @errors_only. */
Error *workqueue_store_import_list(Store *st, Arena *a, const char *lo, const char *hi,
                                   bool errors_only, int64_t limit, json_t *items);
/* Import @id with its rejected rows; *ret NULL if none. *ret_community its community. */
Error *workqueue_store_import_get(Store *st, Arena *a, int64_t id, json_t **ret,
                                  const char **ret_community);
/* Marks @id's errors dealt with by @user_id; false in *ret_found if it is gone. */
Error *workqueue_store_import_resolve(Store *st, Arena *a, int64_t id, int64_t user_id,
                                      int64_t now_ms, bool *ret_found);
Error *workqueue_store_import_insert(Store *st, Arena *a, const char *community,
                                     const char *file_name, int64_t user_id,
                                     const char *user_name, json_t *report, int64_t now_ms,
                                     int64_t *ret_id);

/* ---- workqueue_routes.c ---- */

/*
 * Records an import by the request's user into @community: the report of
 * registry_import_residents ({"imported","rejected":[...],"total_rows"}),
 * and @file_name (may be NULL). Its own write; the import itself is
 * committed already.
 */
Error *workqueue_import_record(Request *req, const char *community, const char *file_name,
                               json_t *report);

void workqueue_routes_register(Router *r);

/* ---- workqueue_demo.c ---- */

/*
 * Something for every section after `linli demo`: a booking waiting for
 * approval in a room that needs it, a resident's 转人工 request and an
 * import with rows not imported, in @community.
 */
Error *workqueue_demo(Store *st, Arena *a, const CryptoKeys *k, const char *community);
