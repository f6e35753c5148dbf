#pragma once
/*
 * What votes_routes.c shares with votes_lift.c: the checks of who may do
 * what, a new vote's fields, and a vote's JSON.
 */
#include <jansson.h>
#include <stdbool.h>

#include "http/request.h"
#include "http/router.h"
#include "votes/votes_store.h"

bool votes_one_of(const char *s, const char *const *values);
/* The community's staff and secretary, and admins. */
bool votes_may_manage(const User *u, const char *community);
/* Those, the street's admins, and the community's residents. */
bool votes_may_read(const User *u, const char *community);
/* Vote {id} (route parameter 0) that the user may read (votes_may_read); 404 otherwise. */
Error *votes_load(Request *req, Vote **ret);
/* Commits, or rolls back and passes @err on. */
Error *votes_finish(Request *req, Error *err);
json_t *votes_time_json(Arena *a, int64_t ms);
/* An RFC 3339 time field into Unix ms; absent and optional leaves *ret. */
Error *votes_time_field(Request *req, json_t *body, const char *name, bool required,
                        int64_t *ret);
/* "2/3" into n/d; absent leaves them. */
Error *votes_fraction_field(Request *req, json_t *obj, const char *name, int *ret_n, int *ret_d);
/*
 * A new vote's kind, title, body, matter or per and rule, secret,
 * changeable, opens_at and closes_at from @body into @v; @lift: a lift's
 * vote (an owners' special decision, title optional, no kind or rule).
 */
Error *votes_parse_vote(Request *req, json_t *body, bool lift, Vote *v);
json_t *votes_vote_json(Arena *a, const Vote *v, int64_t now);

void votes_lift_routes_register(Router *r);
void votes_topic_routes_register(Router *r);
/* GET /api/v1/votes/{id}/export (votes_export.c) */
void votes_export_routes_register(Router *r);
