#pragma once
/*
 * Volunteers' SQL (volunteers_store.c), for the routes, the certificate and
 * the demo. Writes run inside the caller's transaction. JSON results are
 * new references owned by the caller; times in JSON are RFC 3339 in
 * China's time.
 */
#include <jansson.h>

#include "volunteers/volunteers.h"
#include "store/store_counts.h"

/*
 * For src/analytics: volunteers by community in [@lo, @hi), one grouped
 * query: n = {active volunteers, minutes of service of all of them}.
 */
Error *volunteers_store_counts_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                            CountRows *out);


typedef struct Volunteer {
    int64_t id;
    const char *community;
    int64_t resident_id;
    const char *name;
    const char *status;
    int64_t minutes;
} Volunteer;

typedef struct VolunteerInput {
    const char *status;       /* NULL: unchanged (on insert: active) */
    const char *skills_json;  /* NULL: unchanged */
    const char *skills_other; /* NULL: unchanged */
    const char *availability_json; /* NULL: unchanged */
} VolunteerInput;

typedef struct VolunteersFilter {
    const char *lo, *hi;      /* community range */
    int64_t team_id;          /* 0: any */
    const char *skill;        /* or NULL */
    const char *q;            /* name or phone's last 4, or NULL */
    const char *status;       /* or NULL */
    int64_t limit, offset;
} VolunteersFilter;

typedef struct VolunteerEntry {
    int64_t id;
    int64_t volunteer_id;
    const char *community;
    const char *source;
    const char *state;
    int64_t minutes;
} VolunteerEntry;

typedef struct VolunteerPost {
    int64_t id;
    int64_t activity_id;
    const char *name;
    int64_t needed, taken;
} VolunteerPost;

/* ---- volunteers ---- */

/* 409 already_registered when the resident is one already. */
Error *volunteers_store_insert(Store *st, Arena *a, const char *community, int64_t resident_id,
                               const VolunteerInput *in, int64_t user_id, int64_t now_ms,
                               int64_t *ret_id);
Error *volunteers_store_update(Store *st, Arena *a, int64_t id, const VolunteerInput *in,
                               int64_t now_ms);
/* *ret NULL when there is none. */
Error *volunteers_store_get(Store *st, Arena *a, int64_t id, Volunteer **ret);
/* The volunteer resident @resident_id is (0: none). */
Error *volunteers_store_by_resident(Store *st, Arena *a, int64_t resident_id, int64_t *ret_id);
/* Volunteer @id as JSON (masked phone, teams), or *ret NULL. */
Error *volunteers_store_json(Store *st, Arena *a, int64_t id, json_t **ret);
Error *volunteers_store_list(Store *st, Arena *a, const VolunteersFilter *f, json_t **ret_items,
                             int64_t *ret_total);
/* Whether @lead_id leads a team that @volunteer_id is a member of. */
Error *volunteers_store_leads(Store *st, Arena *a, int64_t lead_id, int64_t volunteer_id,
                              bool *ret);

/* ---- teams ---- */

/* 409 team_exists for a second team of the name in the community. */
Error *volunteers_store_team_insert(Store *st, Arena *a, const char *community, const char *name,
                                    const char *description, int64_t now_ms, int64_t *ret_id);
Error *volunteers_store_team_update(Store *st, Arena *a, int64_t id, const char *name,
                                    const char *description, int64_t now_ms);
/* The team's community, NULL when there is no such team. */
Error *volunteers_store_team_community(Store *st, Arena *a, int64_t id, const char **ret);
/* Teams of communities [@lo, @hi) with counts and leads. */
Error *volunteers_store_teams(Store *st, Arena *a, const char *lo, const char *hi, json_t **ret);
/* The teams @volunteer_id leads, with their members (a lead's view). */
Error *volunteers_store_teams_led(Store *st, Arena *a, int64_t volunteer_id, json_t **ret);
/* Team @id with its members, or *ret NULL. */
Error *volunteers_store_team_json(Store *st, Arena *a, int64_t id, json_t **ret);
/* Adds @volunteer_id (or changes her lead flag). */
Error *volunteers_store_member_set(Store *st, Arena *a, int64_t team_id, int64_t volunteer_id,
                                   bool lead, int64_t now_ms);
/* 404 when she is no member. */
Error *volunteers_store_member_remove(Store *st, Arena *a, int64_t team_id, int64_t volunteer_id);

/* ---- posts ---- */

/* 409 post_exists for a second post of the name. */
Error *volunteers_store_post_insert(Store *st, Arena *a, int64_t activity_id, const char *name,
                                    int64_t needed, int64_t now_ms, int64_t *ret_id);
/* 409 below_taken when @needed is under the volunteers on it. */
Error *volunteers_store_post_update(Store *st, Arena *a, int64_t id, const char *name,
                                    int64_t needed);
/* 409 post_taken when it has volunteers. */
Error *volunteers_store_post_delete(Store *st, Arena *a, int64_t id);
/* *ret NULL when there is none. */
Error *volunteers_store_post_get(Store *st, Arena *a, int64_t id, VolunteerPost **ret);
/*
 * The posts of @activity_id; "mine" marks the post of volunteer @me (0:
 * none); @names: with each post's volunteers (staff).
 */
Error *volunteers_store_posts(Store *st, Arena *a, int64_t activity_id, int64_t me, bool names,
                              json_t **ret);
/*
 * Puts @volunteer_id on @post (the counter's conditional update): 409 full
 * when it has its number, 409 already_on_post when she has a post of the
 * activity.
 */
Error *volunteers_store_post_take(Store *st, Arena *a, const VolunteerPost *post,
                                  int64_t volunteer_id, int64_t user_id, int64_t now_ms);
/* 404 when she is not on it. */
Error *volunteers_store_post_leave(Store *st, Arena *a, const VolunteerPost *post,
                                   int64_t volunteer_id);
/* Posts with free places of activities of @community not yet ended, with "mine". */
Error *volunteers_store_open_posts(Store *st, Arena *a, const char *community, int64_t me,
                                   int64_t now_ms, json_t **ret);

/* ---- the ledger ---- */

/* *ret NULL when there is none. */
Error *volunteers_store_entry(Store *st, Arena *a, int64_t id, VolunteerEntry **ret);
/* 409 already_reviewed when it is no longer pending. */
Error *volunteers_store_entry_review(Store *st, Arena *a, int64_t id, const char *state,
                                     const char *note, int64_t user_id, int64_t now_ms);
/* Adds @delta to the balance: 409 negative_balance when it would go under 0. */
Error *volunteers_store_balance_add(Store *st, Arena *a, int64_t volunteer_id, int64_t delta);
/* A confirmed correction; the caller moves the balance. */
Error *volunteers_store_correction(Store *st, Arena *a, const Volunteer *v, int64_t minutes,
                                   const char *reason, const char *kind, int64_t corrects_id,
                                   int64_t user_id, int64_t now_ms, int64_t *ret_id);
/* A page of the ledger of @volunteer_id, newest first, and how many entries it has in all. */
Error *volunteers_store_ledger(Store *st, Arena *a, int64_t volunteer_id, int64_t limit,
                               int64_t offset, json_t **ret, int64_t *ret_total);
/*
 * Entries in @state of communities [@lo, @hi), or (@lead_id > 0) of the
 * members of teams @lead_id leads, newest first, at most 500.
 */
Error *volunteers_store_entries(Store *st, Arena *a, const char *lo, const char *hi,
                                int64_t lead_id, const char *state, json_t **ret);
/*
 * Confirmed entries of @volunteer_id (0: every volunteer of communities
 * [@lo, @hi)) served in [@from, @to) (0: open): served_at, kind, minutes
 * and the ids of her teams, for totals.
 */
typedef struct VolunteersServed {
    int64_t volunteer_id;
    int64_t served_at;
    const char *kind;
    int64_t minutes;
} VolunteersServed;
Error *volunteers_store_served(Store *st, Arena *a, int64_t volunteer_id, const char *lo,
                               const char *hi, int64_t from, int64_t to, VolunteersServed **ret,
                               size_t *ret_n);
/* (team id, team name, volunteer id) of the teams of communities [@lo, @hi). */
typedef struct VolunteersMembership {
    int64_t team_id;
    const char *team;
    int64_t volunteer_id;
} VolunteersMembership;
Error *volunteers_store_memberships(Store *st, Arena *a, const char *lo, const char *hi,
                                    VolunteersMembership **ret, size_t *ret_n);

/* ---- certificates ---- */

/* Name, masked ID number and the community's name of volunteer @id. */
Error *volunteers_store_identity(Store *st, Arena *a, int64_t id, const char **ret_name,
                                 const char **ret_id_masked, const char **ret_community_name);
Error *volunteers_store_certificate_insert(Store *st, Arena *a, const char *code,
                                           int64_t volunteer_id, int64_t minutes,
                                           const char *totals_json, int64_t user_id,
                                           int64_t now_ms);
/* The certificate as JSON (name masked), or *ret NULL. */
Error *volunteers_store_certificate_json(Store *st, Arena *a, const char *code, json_t **ret);

/* ---- demo ---- */

/* Inserts a ledger entry as it is (the demo's history): pending or confirmed by @user_id
 * (a confirmed one earns its points, as volunteers_hours_confirm's do). */
Error *volunteers_store_demo_entry(Store *st, Arena *a, const Volunteer *v, int64_t activity_id,
                                   int64_t session_id, int64_t post_id, const char *kind,
                                   int64_t served_at, int64_t minutes, bool confirmed,
                                   int64_t user_id, int64_t now_ms);
/* The resident behind account @username (0: none). */
Error *volunteers_store_demo_account(Store *st, Arena *a, const char *username, int64_t *ret);
/* Upcoming open activities of @community of @kind, soonest first (at most 10). */
Error *volunteers_store_demo_upcoming(Store *st, Arena *a, const char *community, const char *kind,
                                      int64_t now_ms, int64_t **ret, size_t *ret_n);
