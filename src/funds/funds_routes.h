#pragma once
/*
 * What the funds route files share (funds_routes.c, funds_budget_routes.c,
 * funds_validate.c). Errors name their field, as request.h's readers do.
 */
#include "funds/funds.h"
#include "funds/funds_store.h"
#include "http/request.h"
#include "http/router.h"

/* ---- funds_validate.c: request JSON -> input ---- */

/* @err with its field put under @prefix ("items[2]" + "name"); passes NULL on. */
Error *funds_field_prefix(Request *req, Error *err, const char *prefix);
/*
 * Amount @name of @obj in fen (funds_money_from_json); absent or null: a
 * 422 missing_field when @required, else NULL with *ret untouched.
 */
Error *funds_money_field(Request *req, json_t *obj, const char *name, bool required,
                         bool positive, int64_t *ret, bool *ret_present);
/* A "YYYY-MM-DD" field, *ret NULL when absent and optional. */
Error *funds_date_field(Request *req, json_t *obj, const char *name, bool required,
                        const char **ret);
/*
 * "items" (a budget table; @with_id: items of a change may name the item
 * they change) and the optional "total_fen", which must be their sum:
 * in->items, in->n_items and in->total_fen.
 */
Error *funds_parse_items(Request *req, json_t *body, bool required, bool with_id,
                         FundsAppInput *in);
/* "lines": [{"name","budget_fen"}] of a new budget, names unique. */
Error *funds_parse_lines(Request *req, json_t *body, FundsLineInput *lines, int *ret_n);
/* ?year= (2000..2100), 0 when absent; 400 missing_query when @required. */
Error *funds_year_query(Request *req, bool required, int64_t *ret);

/* ---- funds_routes.c ---- */

/* The street's admin over @community, or an admin. */
bool funds_is_street_of(const User *u, const char *community);
/*
 * Application {id} (route parameter 0) if the user sees it as GET
 * /funds/applications/{id} shows it (its staff, the street, its applicant,
 * and the community for an approved or closed one); 404 otherwise.
 */
Error *funds_load_visible(Request *req, FundsApp **ret);
/* A write transaction of its own, after the request's read (if any). */
Error *funds_begin(Request *req);
/* Commits, or rolls back and passes @err on. */
Error *funds_finish(Request *req, Error *err);

/* ---- funds_budget_routes.c ---- */

void funds_budget_routes_register(Router *r);

/* ---- funds_export.c: spreadsheets and the printable 公示 ---- */

void funds_export_routes_register(Router *r);
