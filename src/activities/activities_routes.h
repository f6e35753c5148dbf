#pragma once
/*
 * What the activities route files share (activities_routes.c,
 * activities_signup_routes.c, activities_validate.c).
 */
#include "activities/activities.h"
#include "activities/activities_store.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

/* ---- activities_validate.c ---- */

/* A time field in RFC 3339 with an offset: absent and optional leaves *ret. */
Error *activities_time_field(Request *req, json_t *body, const char *name, bool required,
                             int64_t *ret);
/*
 * The body of POST (@create) or PUT /api/v1/activities into @in, which
 * holds the defaults or the activity as it is. A PUT may not name the
 * community, kind, time, sessions or room (422 not_editable).
 */
Error *activities_parse(Request *req, bool create, ActivityInput *in);

/* ---- activities_routes.c ---- */

/*
 * Activity {id} (route parameter 0) that the user may see (404 otherwise);
 * 403 when @staff and she is not its community's staff.
 */
Error *activities_load(Request *req, bool staff, Activity **ret);
/*
 * Begins activity @id's write transaction (store_begin_keyed) and reads it
 * again inside it.
 */
Error *activities_begin(Request *req, int64_t id, Activity **ret);
/* Commits, or rolls back and passes @err on. */
Error *activities_finish(Request *req, Error *err);

/* ---- activities_signup_routes.c ---- */

void activities_signup_routes_register(Router *r);
