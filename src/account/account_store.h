#pragma once
/* The account module's queries. */
#include <stdbool.h>
#include <stdint.h>

#include "account/account.h"
#include "store/store_counts.h"

/*
 * For src/analytics: active, enabled accounts of community workers (scope a
 * 12-digit community in [@lo, @hi)) by community and role, one grouped
 * query: key "staff", "secretary" or "grid_worker", n = {accounts}.
 */
Error *account_store_workers_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                          CountRows *out);

typedef struct StoredUser {
    User user;
    const char *password_hash;
    const char *role_name;
    bool disabled;
    const char *state;        /* 'active', 'inactive' (waits for its code), 'pending' */
    int64_t resident_id;      /* a resident's own account; else 0 */
    bool shared;              /* a household's shared access */
    int64_t created_at;       /* ms */
} StoredUser;

/* The registry's facts an account for a resident needs. */
typedef struct AccountResident {
    int64_t id;
    int64_t household_id;
    const char *community;
    const char *name;
    bool active;              /* not moved out */
} AccountResident;

/* A user's preferences (account_prefs.c); the defaults until she chooses. */
typedef struct AccountPrefs {
    bool elder_chosen;        /* she has chosen (else each phone keeps its own) */
    bool elder_mode;          /* the H5 as 长辈版 */
} AccountPrefs;

typedef struct UserFilter {
    const char *lo, *hi;      /* scope range (auth_scope_bounds); admins' "" scope always matches */
    unsigned roles;           /* Role bits to list */
    const char *q;            /* part of the username or display name; NULL: all */
    int64_t limit, offset;
} UserFilter;

/* The module's shared pieces (account_routes.c, account_admin.c). */
json_t *account_stored_user_json(const StoredUser *u);
/* True if @actor may manage (open, reset, change) an account of @role in @scope. */
bool account_manages(const User *actor, Role role, const char *scope);
/* A typed code without dashes and spaces, in capitals; in @a. */
const char *account_code_normalize(Arena *a, const char *in);
void account_admin_routes_register(Router *r);
/* True for a username of 2..32 ASCII letters, digits, '_', '.' or '-'. */
bool account_username_ok(const char *s);
/* A new session for @su: the cookie, and {token, expires_at, user}; audited as @action. */
Error *account_start_session(Request *req, Response *res, StoredUser *su, const char *action);
/* Registration by phone (account_register.c). */
void account_register_routes_register(Router *r);
/* {"status","community","address","reason","created_at"} of user @user_id's registration, or NULL. */
Error *account_register_me_json(Request *req, int64_t user_id, json_t **ret);

/* GET|PUT /users/{id}/grids (account_grids.c) */
void account_grids_routes_register(Router *r);

/* account_grids_store.c: grid workers' grids */

/* Appends {"id","name","community"} of each grid of @community user @user_id is assigned. */
Error *account_store_user_grids(Store *st, Arena *a, int64_t user_id, const char *community,
                                json_t *items);
/* *ret: grid @grid_id exists and belongs to @community. */
Error *account_store_grid_in(Store *st, Arena *a, int64_t grid_id, const char *community, bool *ret);
/* Inside a write transaction: user @user_id's grids become @grid_ids[0..@n). */
Error *account_store_user_grids_set(Store *st, Arena *a, int64_t user_id, const int64_t *grid_ids,
                                    size_t n, int64_t now_ms);

void account_prefs_routes_register(Router *r);
/* The signed-in user's preferences as JSON (for /me); NULL and *ret_err on failure. */
json_t *account_prefs_json(Request *req, Error **ret_err);

/* The preferences of user @user_id; nothing chosen if she has none stored. */
Error *account_store_prefs_get(Store *st, Arena *a, int64_t user_id, AccountPrefs *ret);
/* Stores @p as user @user_id's preferences. */
Error *account_store_prefs_put(Store *st, Arena *a, int64_t user_id, const AccountPrefs *p,
                               int64_t now_ms);

/* *ret is NULL if there is no such user. */
Error *account_store_user_get(Store *st, Arena *a, int64_t id, StoredUser **ret);
/* Users matching @f, newest first, and how many match in all. */
Error *account_store_user_list(Store *st, Arena *a, const UserFilter *f, StoredUser ***ret,
                               size_t *ret_n, int64_t *ret_total);
/* Sets role, scope, display name and disabled of user @u->user.id from @u. */
Error *account_store_user_update(Store *st, Arena *a, const StoredUser *u);
/* *ret is NULL if there is no such resident. */
Error *account_store_resident(Store *st, Arena *a, int64_t id, AccountResident **ret);
/* Replaces user @user_id's one-time code. */
Error *account_store_code_put(Store *st, Arena *a, int64_t user_id, const uint8_t *hash,
                              const char *purpose, int64_t created_by, int64_t now_ms,
                              int64_t expires_ms);
/* Deletes the unexpired code @hash; *ret_user_id is 0 if there is none. */
Error *account_store_code_take(Store *st, Arena *a, const uint8_t *hash, int64_t now_ms,
                               int64_t *ret_user_id);
/*
 * Sets user @id's password hash (and username unless NULL) and makes the
 * account active; 409 duplicate_username if the name is taken.
 */
Error *account_store_set_password(Store *st, Arena *a, int64_t id, const char *hash,
                                  const char *username);

Error *account_store_user_insert(Store *st, Arena *a, const UserInput *in, const char *hash,
                                 const char *role, int64_t *ret_id);
/* *ret is NULL if there is no such user. */
Error *account_store_user_by_name(Store *st, Arena *a, const char *username, StoredUser **ret);
/* *ret: whether `linli demo` filled this database (the demo passwords are allowed). */
Error *account_store_is_demo(Store *st, Arena *a, bool *ret);
/* Marks the database as the demo's. */
Error *account_store_set_demo(Store *st, Arena *a);
/* *ret: whether the administrative division @code is in the database. */
Error *account_store_division_exists(Store *st, Arena *a, const char *code, bool *ret);
