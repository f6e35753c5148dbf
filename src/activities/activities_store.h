#pragma once
/*
 * Activities' SQL (activities_store.c), for activities_routes.c and
 * activities_demo.c. Writes run inside the caller's transaction. JSON
 * results are new references owned by the caller; times in JSON are
 * RFC 3339 in China's time.
 */
#include <jansson.h>

#include "activities/activities.h"
#include "store/store_counts.h"

typedef struct ActivitySessionInput {
    int64_t start, end;
} ActivitySessionInput;

typedef struct ActivityInput {
    const char *community;
    const char *title;
    ActivityKind kind;
    const char *body;         /* "" when absent */
    const char *place;        /* "" when absent */
    int64_t room_id;          /* 0: none */
    int64_t start, end;
    int64_t capacity;
    bool waitlist;
    bool walk_in;
    int age_min, age_max;     /* -1: no bound */
    const char *tags_json;    /* a JSON array of strings */
    int64_t signup_opens;     /* 0: from publication */
    int64_t signup_closes;
    int64_t cancel_until;
    ActivitySessionInput sessions[ACTIVITIES_MAX_SESSIONS];
    int n_sessions;
} ActivityInput;

typedef struct Activity {
    int64_t id;
    const char *community;
    const char *title;
    ActivityKind kind;
    int64_t room_id;
    int64_t start, end;
    int64_t capacity, taken;
    bool waitlist, walk_in;
    int age_min, age_max;
    int64_t signup_opens, signup_closes, cancel_until;
    bool cancelled;
} Activity;

typedef struct ActivitySession {
    int64_t id;
    int64_t activity_id;
    int seq;
    int64_t start, end;
    const char *token;
    int64_t booking_id;       /* 0: none */
} ActivitySession;

typedef struct ActivitySignup {
    int64_t id;
    int64_t activity_id;
    int64_t resident_id;
    int64_t user_id;
    const char *state;        /* confirmed, waitlisted, cancelled */
    int64_t position;         /* waitlisted: 1 = next in line */
    int64_t created_at;
} ActivitySignup;

/* A resident as the audience rules see her. */
typedef struct ActivityResident {
    int64_t id;
    int64_t household_id;
    const char *community;
    const char *name;
    const char *birth_date;
    bool active;
} ActivityResident;

typedef struct ActivitiesFilter {
    const char *lo, *hi;      /* community range */
    const char *kind;         /* or NULL */
    int64_t from, to;         /* activities ending after from / starting before to; 0: open */
    int64_t now;
    int64_t limit, offset;
} ActivitiesFilter;

/* Inserts the activity and its sessions (each with a new token). */
Error *activities_store_insert(Store *st, Arena *a, const ActivityInput *in, int64_t user_id,
                               int64_t now_ms, int64_t *ret_id);
/* *ret NULL when there is no such activity. */
Error *activities_store_get(Store *st, Arena *a, int64_t id, Activity **ret);
Error *activities_store_sessions(Store *st, Arena *a, int64_t activity_id, ActivitySession **ret,
                                 size_t *ret_n);
Error *activities_store_session_set_booking(Store *st, Arena *a, int64_t session_id,
                                            int64_t booking_id);
/* The session whose token is @token (of any activity); *ret NULL if none. */
Error *activities_store_session_by_token(Store *st, Arena *a, const char *token,
                                         ActivitySession **ret);
/*
 * Edits what an activity's PUT may change (not its time, place or kind);
 * 409 capacity_below_signups when @in->capacity is under the confirmed
 * sign-ups.
 */
Error *activities_store_update(Store *st, Arena *a, int64_t id, const ActivityInput *in,
                               int64_t now_ms);
/* Cancels the activity with @reason; 409 when it already was. */
Error *activities_store_cancel(Store *st, Arena *a, int64_t id, const char *reason,
                               int64_t now_ms);
/* The users to tell of a change: those behind its live sign-ups. */
Error *activities_store_signup_users(Store *st, Arena *a, int64_t activity_id, int64_t **ret,
                                     size_t *ret_n);

/* The activity as JSON (sessions, counts, audience), or *ret NULL. @tokens: show the sessions' tokens. */
Error *activities_store_json(Store *st, Arena *a, int64_t id, bool tokens, int64_t now_ms,
                             json_t **ret);
Error *activities_store_list(Store *st, Arena *a, const ActivitiesFilter *f, json_t **ret_items,
                             int64_t *ret_total);

/* ---- people ---- */

/* The resident an account is (0 if none); a household's account: its first resident. */
Error *activities_store_user_resident(Store *st, Arena *a, int64_t user_id, int64_t *ret);
/* *ret NULL when there is no such resident. */
Error *activities_store_resident(Store *st, Arena *a, int64_t id, ActivityResident **ret);

/* ---- sign-ups ---- */

/*
 * Signs @resident_id up (by @user_id): confirmed when a place is free (the
 * counter's conditional update), else waitlisted when @act has a waitlist,
 * else 409 full; 409 already_signed_up for a second live sign-up. The
 * caller rolls back on error.
 */
Error *activities_store_signup(Store *st, Arena *a, const Activity *act, int64_t resident_id,
                               int64_t user_id, int64_t now_ms, ActivitySignup **ret);
/* *ret NULL when there is none. */
Error *activities_store_signup_get(Store *st, Arena *a, int64_t id, ActivitySignup **ret);
/* The live sign-up of @resident_id for @activity_id, *ret NULL if none. */
Error *activities_store_signup_live(Store *st, Arena *a, int64_t activity_id, int64_t resident_id,
                                    ActivitySignup **ret);
/* Live sign-ups that @user_id made for @activity_id, as JSON. */
Error *activities_store_signups_of_user(Store *st, Arena *a, int64_t activity_id, int64_t user_id,
                                        json_t **ret);
/*
 * The live sign-ups @user_id made (hers and her family's) with their
 * activities, upcoming first, at most 200; "self" marks those of @self_id,
 * the resident she is (who may rate).
 */
Error *activities_store_mine(Store *st, Arena *a, int64_t user_id, int64_t self_id, int64_t now_ms,
                             json_t **ret);
/* Every sign-up of @activity_id with names and attendance (staff). */
Error *activities_store_signups_json(Store *st, Arena *a, int64_t activity_id, json_t **ret);
/*
 * Cancels sign-up @s (by @actor_id); a confirmed one frees its place. 409
 * when it is no longer live.
 */
Error *activities_store_signup_cancel(Store *st, Arena *a, const ActivitySignup *s,
                                      int64_t actor_id, int64_t now_ms);
/*
 * Promotes waitlisted sign-ups of @act in order while places are free,
 * telling each one's user with a notice; *ret_n (may be NULL) counts them.
 */
Error *activities_store_promote(Store *st, Arena *a, const Activity *act, int64_t now_ms,
                                int *ret_n);

/* ---- no-shows ---- */

Error *activities_store_policy(Store *st, Arena *a, const char *community, ActivitiesPolicy *ret);
Error *activities_store_policy_set(Store *st, Arena *a, const char *community,
                                   const ActivitiesPolicy *p, int64_t now_ms);
/*
 * The ends of @resident_id's no-shows (confirmed sign-ups of activities that
 * ended before @now_ms, not cancelled, without any sign-in) after @since_ms,
 * ascending, at most 1000.
 */
Error *activities_store_no_shows(Store *st, Arena *a, int64_t resident_id, int64_t since_ms,
                                 int64_t now_ms, int64_t **ret, size_t *ret_n);

/* ---- attendance and ratings ---- */

/*
 * Signs @resident_id in (@in) or out at session @sess. 409 already_in /
 * not_in / already_out when the row says otherwise. *ret the row as JSON.
 */
Error *activities_store_attend(Store *st, Arena *a, const ActivitySession *sess,
                               int64_t resident_id, int64_t signup_id, bool in, int64_t actor_id,
                               int64_t now_ms, json_t **ret);
/* Whether @resident_id signed in at any session of @activity_id. */
Error *activities_store_attended(Store *st, Arena *a, int64_t activity_id, int64_t resident_id,
                                 bool *ret);
/* 409 already_rated for a second rating. */
Error *activities_store_rate(Store *st, Arena *a, int64_t activity_id, int64_t resident_id,
                             int64_t user_id, int score, const char *comment, int64_t now_ms);

/*
 * Staff's figures for communities [@lo, @hi) over activities starting in
 * [@from, @to): counts, attendance rate of the ended ones, ratings, repeat
 * participants, by kind.
 */
Error *activities_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int64_t from,
                              int64_t to, int64_t now_ms, json_t **ret);

/*
 * For src/analytics (服务清单's suggestions from demand): one grouped query
 * over the activities of the communities in [@lo, @hi) that start in
 * [@from, @to) and were not cancelled, a row per community, kind and title
 * (key the kind's name, "course"; label the title), n = {activities,
 * sign-ups (live ones: confirmed or waitlisted), waitlisted sign-ups (live
 * ones waiting now or promoted from the waitlist), activities that were
 * full (every place taken, or anyone ever waitlisted)}.
 */
Error *activities_store_demand_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                            int64_t from, int64_t to, CountRows *out);

/* ---- demo ---- */

typedef struct ActivitiesDemoPeople {
    int64_t staff_id;          /* the demo staff account, 0 if none */
    int64_t resident_user;     /* the demo resident's account, 0 if none */
    int64_t resident_self;     /* the resident she is */
    int64_t resident_kin;      /* another of her household (0 if none) */
    int64_t residents[200];    /* active residents of the community, by id */
    const char *births[200];
    size_t n;
} ActivitiesDemoPeople;

Error *activities_store_demo_people(Store *st, Arena *a, const char *community,
                                    ActivitiesDemoPeople *ret);
/* Sets the created_at of sign-up @id (the demo's history). */
Error *activities_store_demo_dates(Store *st, Arena *a, int64_t activity_id, int64_t at_ms);
