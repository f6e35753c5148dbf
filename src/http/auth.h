#pragma once
/*
 * Authentication (sessions) and authorisation (roles and scope).
 *
 * A session token is 32 random bytes, sent as the cookie linli_session or
 * as "Authorization: Bearer"; only its hash is stored. A user's scope is an
 * administrative code prefix: "" (admin) covers everything, a 9-digit street
 * code its communities, a 12-digit code one community. A resident's scope is
 * her community and she reaches only her household (checked by handlers).
 */
#include <stdbool.h>

#include "http/request.h"

#define AUTH_COOKIE "linli_session"

/* Sets req->user from the request's token; 401 if there is none or it expired. */
Error *auth_authenticate(Request *req);

/* 401 without a user; 403 if the user's role is not in @roles. */
Error *auth_require(Request *req, unsigned roles);

/* True if @code (a community or street code) lies within the user's scope. */
bool auth_covers(const User *u, const char *code);

/* 403 if @code is outside the user's scope. */
Error *auth_require_scope(Request *req, const char *code);

/* Bounds for "code >= lo AND code < hi" selecting the user's scope (or @prefix's). */
void auth_scope_bounds(Arena *a, const char *prefix, const char **ret_lo, const char **ret_hi);

/*
 * The code range a list covers: ?community= (a division code, 400 if
 * malformed, 403 outside the scope) or, without it, the user's whole scope.
 */
Error *auth_list_bounds(Request *req, const char **ret_lo, const char **ret_hi);

/* True for staff and secretaries whose scope is exactly @community. */
bool auth_is_community_staff(const User *u, const char *community);
/* The community's staff or secretary, or an admin: who manages @community's records. */
bool auth_is_staff_of(const User *u, const char *community);

const char *role_name(Role r);
const char *role_label(Role r); /* Chinese */
bool role_parse(const char *s, Role *ret);

/* Sessions (auth_store.c). */
Error *auth_session_create(Store *st, Arena *a, int64_t user_id, int64_t ttl_ms,
                           char ret_token[CRYPTO_TOKEN_CHARS + 1], int64_t *ret_expires_ms);
Error *auth_session_delete(Store *st, Arena *a, const char *token);
/* *ret is NULL when the token is unknown or expired. */
Error *auth_session_user(Store *st, Arena *a, const char *token, int64_t now_ms, User **ret);
/*
 * Ends every session of @user_id but the one of @keep_token (may be NULL),
 * in the database and in this process's cache (after a new password, a
 * changed role or a disabled account).
 */
Error *auth_session_delete_user(Store *st, Arena *a, int64_t user_id, const char *keep_token);
/* Removes expired sessions; returns how many. */
int64_t auth_session_purge(Store *st, Arena *a, int64_t now_ms);
