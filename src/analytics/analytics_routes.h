#pragma once
/* What the analytics route files share (analytics_routes.c, analytics_portrait.c,
 * analytics_people_routes.c, analytics_export.c, analytics_services.c). */
#include "analytics/analytics.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

/*
 * Authorizes a reader (grid workers, staff, secretaries, the street's
 * admins, admins) and reads ?scope= (default: her own scope; admins: all):
 * 400 invalid_scope, 403 when outside her scope.
 */
Error *analytics_scope_arg(Request *req, const char **ret);
/* analytics_compute for the request, now. */
Error *analytics_compute_req(Request *req, const char *scope, AnalyticsSet *ret);
/* The raw counts of @c with its age bands, new. */
json_t *analytics_counts_json(const AnalyticsCommunity *c);
/* {"today","from_month","to_month","moved_in_since"}, new. */
json_t *analytics_window_json(const AnalyticsSet *set);

void analytics_portrait_routes_register(Router *r);
void analytics_people_routes_register(Router *r);
void analytics_export_routes_register(Router *r);
void analytics_services_routes_register(Router *r);
