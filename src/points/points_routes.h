#pragma once
/*
 * What the points route files share (points_routes.c,
 * points_merchant_routes.c, points_validate.c).
 */
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "points/points.h"
#include "points/points_store.h"

/* ---- points_routes.c ---- */

/*
 * ?community= of a staff route (a staff member's own when absent): one the
 * user manages (@manage) or may read; 400/403 otherwise.
 */
Error *points_community_query(Request *req, bool manage, const char **ret);
/* The resident the signed-in resident is; 403 no_resident when none. */
Error *points_self(Request *req, int64_t *ret);
/* Commits, or rolls back and passes @err on. */
Error *points_finish(Request *req, Error *err);

/* ---- points_validate.c ---- */

/* The body of POST (@create) or PUT /api/v1/merchants into @in (holding the current values). */
Error *points_parse_merchant(Request *req, bool create, MerchantInput *in);
/* The body of POST (@create) or PUT of an offer into @o (holding the current values). */
Error *points_parse_offer(Request *req, bool create, MerchantOffer *o);

/* ---- points_merchant_routes.c ---- */

void points_merchant_routes_register(Router *r);
