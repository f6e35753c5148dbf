#pragma once
/*
 * What the volunteers route files share (volunteers_routes.c,
 * volunteers_hours_routes.c, volunteers_certificate.c, volunteers_validate.c).
 */
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "volunteers/volunteers.h"
#include "volunteers/volunteers_store.h"

/* ---- volunteers_validate.c ---- */

/*
 * "skills", "skills_other", "availability" and (when @status) "status" of
 * @body into @in; absent ones stay NULL.
 */
Error *volunteers_parse(Request *req, json_t *body, bool status, VolunteerInput *in);

/* ---- volunteers_routes.c ---- */

/* The volunteer the signed-in resident is (0: none; her account may be no resident's). */
Error *volunteers_me(Request *req, int64_t *ret_id);
/*
 * Volunteer {id} (route parameter @idx) that the user may see (404
 * otherwise): staff and street admins in scope, herself, or a lead of one
 * of her teams. *ret_staff: the user is her community's staff.
 */
Error *volunteers_load(Request *req, int idx, Volunteer **ret, bool *ret_staff);

/* ---- volunteers_hours_routes.c ---- */

void volunteers_hours_routes_register(Router *r);

/* ---- volunteers_certificate.c ---- */

void volunteers_certificate_routes_register(Router *r);
