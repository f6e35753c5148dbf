#pragma once
/*
 * Cases (居民和网格员上报, 联勤联动派单, 跟踪到底): a report becomes a case that
 * is routed to the responsible unit, handled, verified, closed and rated,
 * with every step recorded (who, when, from which state), deadlines on a
 * working-day calendar, an overdue sweep that escalates to the street, a
 * dashboard and Open311 GeoReport v2.
 *
 * The workflow is a table (cases_rules.c) of actions, the states each may
 * start from and the state it leads to. The database enforces it: a step is
 * one conditional UPDATE ... WHERE state IN (...) whose change count is
 * checked, in the write transaction that also writes its case_step row (see
 * src/store/schema/0004_cases.sql). C never reads a state to decide a write.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"
#include "store/store_counts.h"

/* Roles that may report; roles that run a community's cases. */
#define ROLES_CASES_REPORT \
    (ROLE_RESIDENT | ROLE_REPORTER | ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY)
#define ROLES_CASES_MANAGE (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)
#define ROLES_CASES_READ ROLES_ALL

#define CASES_MAX_PHOTOS 6
/* Photos of one case in all: the report's, and those of its later steps. */
#define CASES_MAX_CASE_PHOTOS 60
#define CASES_REPLY_MAX 500
#define CASES_PHOTO_MAX_BYTES ROUTER_FILE_BODY /* the limit the server's 413 names too */
#define CASES_PHOTO_MAX_PIXELS (40 * 1000 * 1000)
#define CASES_DESCRIPTION_MAX 1000
/* A photo not attached to a case this long after its upload is an orphan: deleted, file and row. */
#define CASES_PHOTO_ORPHAN_MS (24 * 3600 * INT64_C(1000))
#define CASES_PHOTO_PURGE_BATCH 200

/* Office hours of a working day, Beijing time: working hours count only these. */
#define CASES_DAY_START_MIN (9 * 60)
#define CASES_DAY_END_MIN (17 * 60)

typedef enum CaseState {
    CASE_ACCEPTED,
    CASE_DISPATCHED,
    CASE_HANDLING,
    CASE_VERIFIED,
    CASE_CLOSED,
    CASE_RETURNED,
    CASE_ON_HOLD,
    CASE_REOPENED,
    _CASE_STATE_MAX
} CaseState;

typedef enum CaseAction {
    CASE_DISPATCH,
    CASE_HANDLE,
    CASE_VERIFY,
    CASE_CLOSE,
    CASE_RETURN,
    CASE_HOLD,
    CASE_RESUME,
    CASE_MERGE,
    CASE_RATE,
    CASE_COMPLETE,                   /* 处置完成: stays handling, with a reply */
    _CASE_ACTION_MAX
} CaseAction;

/* Who may take a step (bits): the reporter, the assigned unit, a grid worker, a manager. */
enum {
    ACTOR_REPORTER = 1 << 0,
    ACTOR_UNIT = 1 << 1,            /* a user of the case's unit */
    ACTOR_GRID = 1 << 2,            /* a grid worker of the community */
    ACTOR_MANAGER = 1 << 3,         /* staff/secretary of the community, its street, admin */
    ACTOR_SECRETARY = 1 << 4,       /* secretary of the community, its street, admin */
};

#define CASE_STATE_BIT(s) (1u << (s))
#define CASE_TO_HELD (-1)            /* resume: back to the state before the hold */
#define CASE_TO_RATED (-2)           /* rate: stays closed, or reopens */

typedef struct CaseTransition {
    CaseAction action;
    const char *name;                /* "dispatch": the URL segment */
    const char *label;               /* "派遣" */
    unsigned from;                   /* CASE_STATE_BIT()s it may start from */
    int to;                          /* a CaseState, CASE_TO_HELD or CASE_TO_RATED */
    unsigned actors;                 /* ACTOR_* */
} CaseTransition;

typedef struct Calendar {
    const int64_t *days;             /* days (since 1970-01-01) that differ from Mon-Fri, sorted */
    const bool *working;             /* whether each is a working day */
    size_t n;
} Calendar;

typedef struct CaseCategory {
    int64_t id;
    const char *community;
    const char *code;                /* ASCII, also the Open311 service_code */
    const char *name;
    const char *description;
    int respond_hours;
    int resolve_days;
    int sort;
    bool active;
    bool after_photos_required;      /* 处置完成 needs photos after the work */
} CaseCategory;

typedef struct CaseUnit {
    int64_t id;
    const char *community;
    const char *name;
    const char *kind;
    const char *phone;               /* or NULL */
    bool active;
    int64_t n_users;
} CaseUnit;

typedef struct CaseRoute {
    int64_t id;
    const char *community;
    int64_t category_id, grid_id, unit_id;   /* 0: any */
    const char *category_name, *grid_name, *unit_name;
} CaseRoute;

typedef struct CaseSettings {
    int dup_window_hours;
    bool has_area;
    double min_lat, min_lon, max_lat, max_lon;
} CaseSettings;

#define CASE_SETTINGS_DEFAULT { 72, false, 0, 0, 0, 0 }

/* What an Open311 POST kept beyond the case's own fields (table case_open311). */
typedef struct CaseOpen311 {
    const char *address_string;      /* the client's free text, or NULL */
    bool to_place;                   /* staff must still place the case */
    const char *email;               /* plain on insert (sealed there); or NULL */
    const char *email_masked;        /* on read */
    const char *device_id, *account_id;
    const char *attributes;          /* JSON object text of attribute[...], or NULL */
    const char *media_url;
    struct CasePhoto *media;         /* a photo sent with the POST, file already written; or NULL */
} CaseOpen311;

/* A new case as the request gave it. */
typedef struct CaseInput {
    const char *community;           /* or NULL: from the building or the user */
    const char *category;            /* code or name */
    const char *description;
    int64_t building_id;             /* 0: a map point */
    int64_t unit_no;                 /* 0: not given */
    bool has_point;
    double lat, lon;
    const char *address;             /* free text, or NULL */
    int64_t photos[CASES_MAX_PHOTOS];
    int n_photos;
    bool contact_ok;
    const char *source;              /* app, phone, in_person, open311 */
    int64_t reporter_id;             /* staff logging for a resident user: her id; else 0 */
    const char *contact_name;        /* or NULL */
    const char *contact_phone;       /* or NULL; sealed at rest */
    bool provisional_point;          /* Open311 free text: the point stands in until staff place it */
    const CaseOpen311 *open311;      /* Open311 only: kept in the same transaction */
} CaseInput;

typedef struct CaseStep {
    int64_t id;
    const char *action;
    const char *from_state;          /* or NULL */
    const char *to_state;
    int64_t actor_id;                /* 0: the system */
    const char *actor_name;
    const char *actor_role;          /* the actor's role name; NULL for the system */
    int64_t unit_id;
    const char *unit_name;
    const char *reason;
    int64_t at;
} CaseStep;

typedef struct CasePhoto {
    int64_t id;
    int64_t uploader_id;
    int64_t case_id;                 /* 0: not attached yet */
    const char *file;
    const char *mime;
    int64_t size;
    int width, height;
    const char *kind;                /* report, after, verify, supplement */
    int64_t step_id;                 /* the step that attached it; 0: none */
} CasePhoto;

typedef struct Case {
    int64_t id;
    const char *community;
    int64_t category_id;
    const char *category_code, *category_name;
    const char *description;
    int64_t building_id;
    const char *building_name;
    int64_t unit_no;
    int64_t grid_id;
    const char *grid_name;
    bool has_point;
    double lat, lon;
    const char *address;
    const char *source;
    int64_t reporter_id;
    const char *reporter_name;
    int64_t logged_by;
    bool contact_ok;
    const char *contact_name;
    const char *contact_phone_masked;
    CaseState state;
    CaseState held_state;
    int64_t unit_id;
    const char *unit_name;
    int64_t merged_into;
    const char *last_reason;
    int64_t created_at, updated_at, respond_due, resolve_due, responded_at, closed_at;
    bool overdue_respond, overdue;
    int64_t escalated_at;
    bool to_secretary;
    int reopen_count;
    bool rateable;
    const char *rating, *rating_comment;
    int64_t rated_at;
    const char *open311_token;
    int64_t n_photos;
    bool after_photos_required;      /* of its category */
    int64_t completed_at;            /* 处置完成 of the current handling; 0: not yet */
    const char *reply;               /* the unit's reply with it, or NULL */
    /* filled for the detail view only */
    CaseStep *steps;
    size_t n_steps;
    CasePhoto *photos;
    size_t n_photos_list;
    int64_t *duplicates;
    size_t n_duplicates;
} Case;

typedef struct CaseFilter {
    const char *lo, *hi;             /* community range */
    int state;                       /* a CaseState, -1 any, -2 open (not closed) */
    int64_t category_id;             /* 0: any */
    const char *const *codes;        /* category codes (Open311 service_code list) */
    size_t n_codes;
    int64_t unit_id;                 /* 0 any, -1 the community itself */
    int64_t grid_id;
    int64_t grid_user_id;            /* the grids assigned to this user (all her community when none); 0: any */
    int64_t building_id;             /* 0: any */
    int overdue;                     /* -1 any, 0, 1 */
    int64_t reporter_id;             /* 0: anyone */
    int64_t from_ms, to_ms;          /* created in [from, to); 0: unbounded */
    const int64_t *ids;              /* Open311 service_request_id list */
    size_t n_ids;
    int64_t limit, offset;
} CaseFilter;

typedef struct CaseStatRow {
    const char *key;                 /* unit id, category code, grid id, "2026-05" */
    const char *label;
    int64_t total, open, overdue_open, resp_due, resp_ok, res_due, res_ok, rated, satisfied,
        basically, unsatisfied;
} CaseStatRow;

/* ---- rules (cases_rules.c): pure functions, no I/O ---- */

const char *case_state_name(CaseState s);
const char *case_state_label(CaseState s);   /* Chinese */
bool case_state_parse(const char *s, CaseState *ret);
const CaseTransition *case_transition(CaseAction a);
const CaseTransition *case_transition_find(const char *name);
/* May @t start from @s? */
bool case_transition_allowed(const CaseTransition *t, CaseState s);
/* ",accepted,returned," for t->from, in @a: the states the conditional UPDATE accepts. */
const char *case_transition_from_list(Arena *a, const CaseTransition *t);
bool case_rating_valid(const char *rating);
const char *case_rating_label(const char *rating);

bool calendar_is_working(const Calendar *c, int64_t day);
/*
 * @hours working hours after @from_ms: only office hours (09:00-17:00 Beijing
 * time) of working days count. A start outside them counts from the next
 * opening; a deadline that falls exactly on a closing time stays there.
 */
int64_t calendar_add_work_hours(const Calendar *c, int64_t from_ms, int hours);
/* The same to the millisecond: @ms of office time after @from_ms; @ms <= 0 gives @from_ms. */
int64_t calendar_add_work_ms(const Calendar *c, int64_t from_ms, int64_t ms);
/* Office time (ms) of working days in [@from_ms, @to_ms): what a hold must not count. */
int64_t calendar_work_ms(const Calendar *c, int64_t from_ms, int64_t to_ms);
/*
 * The end of office hours (17:00) of the @days-th working day after the day
 * of @from_ms (the day of the report is day 0, whatever the hour).
 */
int64_t calendar_add_work_days(const Calendar *c, int64_t from_ms, int days);
/* yyyymm of @ms in Beijing time. */
int case_month(int64_t ms);
/* Does the point lie in the settings' area (inclusive)? */
bool case_point_inside(const CaseSettings *s, double lat, double lon);

/* ---- validation (cases_validate.c) ---- */

Error *cases_parse_case(Request *req, json_t *body, CaseInput *ret);
/* "photos": up to CASES_MAX_PHOTOS distinct ids into @ret (room for as many); absent: none. */
Error *cases_parse_photo_ids(Request *req, json_t *body, int64_t *ret, int *ret_n);
Error *cases_parse_category(Request *req, json_t *body, bool partial, CaseCategory *inout);
Error *cases_parse_unit(Request *req, json_t *body, bool partial, CaseUnit *inout,
                        int64_t *ret_users, size_t *ret_n_users, bool *ret_users_set);
Error *cases_parse_settings(Request *req, json_t *body, CaseSettings *inout);
/* ?community= (a 12-digit code in the scope), or the user's own community. */
Error *cases_query_community(Request *req, const char **ret);

/* ---- JSON (cases_json.c); new references ---- */

/* @full: detail with history, photos and duplicates; @contact: show contact details. */
json_t *cases_json(Arena *a, const Case *c, bool full, bool contact, unsigned actions);
/* received, being handled, done (with the unit's reply): the three steps a reporter follows. */
json_t *cases_progress_json(Arena *a, const Case *c);
/*
 * A reporter's view of @o (cases_json of @c): only the steps that concern
 * her (not dispatches, returns, holds, checks, escalations), the state in
 * her words and the deadline now ("due", null while on hold or closed).
 */
void cases_json_for_reporter(Arena *a, json_t *o, const Case *c);
json_t *cases_category_json(const CaseCategory *c);
json_t *cases_unit_json(const CaseUnit *u);
json_t *cases_route_json(const CaseRoute *r);
json_t *cases_stat_json(const CaseStatRow *r);
json_t *cases_time_json(Arena *a, int64_t ms);

/* ---- store (cases_store.c: cases and steps; cases_admin_store.c: the rest) ---- */

Error *cases_store_categories(Store *st, Arena *a, const char *community, bool active_only,
                              CaseCategory **ret, size_t *ret_n);
/* By code or name in @community; *ret NULL when none. */
Error *cases_store_category_find(Store *st, Arena *a, const char *community, const char *key,
                                 CaseCategory **ret);
Error *cases_store_category_get(Store *st, Arena *a, int64_t id, CaseCategory **ret);
Error *cases_store_category_insert(Store *st, Arena *a, CaseCategory *c);
Error *cases_store_category_update(Store *st, Arena *a, const CaseCategory *c);

/* The community's buildings for the report form: [{id, name, units, grid_name}]. */
Error *cases_store_buildings(Store *st, Arena *a, const char *community, json_t *items);
/*
 * Open cases of @community by building, in one aggregate over the open cases:
 * [{id, name, grid_name, open, overdue}] for every building (none: 0), and in
 * *ret_unplaced those reported at a map point with no building.
 */
Error *cases_store_by_building(Store *st, Arena *a, const char *community, json_t *items,
                               json_t **ret_unplaced);
Error *cases_store_units(Store *st, Arena *a, const char *community, CaseUnit **ret, size_t *ret_n);
Error *cases_store_unit_get(Store *st, Arena *a, int64_t id, CaseUnit **ret);
Error *cases_store_unit_insert(Store *st, Arena *a, CaseUnit *u);
Error *cases_store_unit_update(Store *st, Arena *a, const CaseUnit *u);
/* Replaces the unit's users: each must be a property user of the unit's community. */
Error *cases_store_unit_set_users(Store *st, Arena *a, const CaseUnit *u, const int64_t *users,
                                  size_t n);
/* The unit @user_id works for, or 0. */
Error *cases_store_user_unit(Store *st, Arena *a, int64_t user_id, int64_t *ret_unit_id);

Error *cases_store_routes(Store *st, Arena *a, const char *community, CaseRoute **ret,
                          size_t *ret_n);
Error *cases_store_route_insert(Store *st, Arena *a, CaseRoute *r);
Error *cases_store_route_get(Store *st, Arena *a, int64_t id, CaseRoute **ret);
Error *cases_store_route_delete(Store *st, Arena *a, int64_t id);
/* The unit the rules send a new case to, or 0 (the community itself). */
Error *cases_store_route_match(Store *st, Arena *a, const char *community, int64_t category_id,
                               int64_t grid_id, int64_t *ret_unit_id);

/* Calendar exceptions in [@from_day, @to_day], into @ret (days, working, names in @a). */
Error *cases_store_calendar(Store *st, Arena *a, int64_t from_day, int64_t to_day, Calendar *ret,
                            const char ***ret_names);
Error *cases_store_calendar_set(Store *st, Arena *a, const char *day, bool working,
                                const char *name);
Error *cases_store_calendar_delete(Store *st, Arena *a, const char *day, bool *ret_found);

Error *cases_store_settings(Store *st, Arena *a, const char *community, CaseSettings *ret);
Error *cases_store_settings_set(Store *st, Arena *a, const char *community, const CaseSettings *s);

/* Inside a write transaction: inserts the case and its first steps; fills c->id. */
Error *cases_store_insert(Store *st, Arena *a, Case *c, const int64_t *photos, int n_photos,
                          int64_t uploader_id, const char *phone_plain, const CryptoKeys *keys,
                          int64_t actor_id, const char *actor_name, int64_t now_ms);
/* *ret NULL when there is no such case. @full adds history, photos and duplicates. */
Error *cases_store_get(Store *st, Arena *a, int64_t id, bool full, Case **ret);
Error *cases_store_list(Store *st, Arena *a, const CaseFilter *f, Case ***ret, size_t *ret_n,
                        int64_t *ret_total);
/* Cases of the same category and building within @window_ms before @c, still open. */
Error *cases_store_duplicates(Store *st, Arena *a, const Case *c, int64_t window_ms,
                              int64_t **ret, size_t *ret_n);

typedef struct CaseStepInput {
    const CaseTransition *t;
    int64_t unit_id;                 /* dispatch */
    int64_t merged_into;             /* merge */
    const char *reason;              /* return, hold, merge; the comment of a rating */
    const char *rating;              /* rate */
    const int64_t *photos;           /* complete, verify: photos the actor uploaded */
    int n_photos;
    int64_t actor_id;
    const char *actor_name;
} CaseStepInput;

/*
 * Inside a write transaction: takes step @in on case @id with one
 * conditional UPDATE and writes its case_step row. 409 invalid_transition
 * when the case is no longer in a state the step may start from (the
 * message names the state it is in); 409 already_rated for a second rating.
 * *ret_to gets the new state.
 */
Error *cases_store_step(Store *st, Arena *a, int64_t id, const CaseStepInput *in, int64_t now_ms,
                        CaseState *ret_to);
/*
 * Inside a write transaction: attaches photos @photos (uploaded by
 * @uploader_id, attached to nothing yet) to case @case_id as @kind, from
 * step @step_id (0: none). 400 unknown_photo naming photos[i] otherwise.
 */
Error *cases_store_attach_photos(Store *st, Arena *a, int64_t case_id, int64_t step_id,
                                 const char *kind, const int64_t *photos, int n_photos,
                                 int64_t uploader_id);
/* Inside a write transaction: a step that leaves the case in @state (补充, 催办); its id. */
Error *cases_store_add_step(Store *st, Arena *a, int64_t case_id, const char *action,
                            const char *state, int64_t actor_id, const char *actor_name,
                            const char *reason, int64_t now_ms, int64_t *ret_id);

/* ---- notices (cases_notify.c): inside the caller's write transaction, dated @at_ms ---- */

/* Tells the reporter of case @id of step @in, which led to @to with @reason; not her own steps. */
Error *cases_notify_reporter(Store *st, Arena *a, int64_t id, int64_t reporter_id,
                             const CaseStepInput *in, CaseState to, const char *reason,
                             int64_t at_ms);
/* Tells the users of unit @unit_id that case @id is theirs to handle; @how says who sent it. */
Error *cases_notify_unit(Store *st, Arena *a, int64_t id, int64_t unit_id, const char *how,
                         int64_t at_ms);
/*
 * Tells the street admins over case @id's community, and the community's
 * secretaries and staff, that it was escalated to the street.
 */
Error *cases_notify_escalated(Store *st, Arena *a, int64_t id, int64_t at_ms);
/*
 * Tells who works on case @id now (its unit's users while dispatched or
 * handling, otherwise the community's secretaries and staff) of the
 * reporter's 补充 or 催办: @kind, "@title（案件 id）", @tail after the brief.
 */
Error *cases_notify_handlers(Store *st, Arena *a, int64_t id, const char *kind, const char *title,
                             const char *tail, int64_t at_ms);

/* Is anything past a deadline and not yet flagged at @now_ms? */
Error *cases_store_sweep_due(Store *st, Arena *a, int64_t now_ms, bool *ret);
/* Inside a write transaction: flags overdue cases and escalates them to the street. */
Error *cases_store_sweep(Store *st, Arena *a, int64_t now_ms, int64_t *ret_n);

/*
 * For src/analytics: case_stat summed by community and category code over
 * months [@from_month, @to_month] (yyyymm) for the communities in [@lo,
 * @hi), one grouped query: key the category code, label its name, n =
 * {total, open, overdue_open, resp_due, resp_ok, res_due, res_ok, rated,
 * satisfied, basically, unsatisfied} (CaseStatRow's fields).
 */
Error *cases_store_counts_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                       int from_month, int to_month, CountRows *out);
/* Dashboard: @by is "unit", "category", "grid" or "month"; "" for the total. */
Error *cases_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int from_month,
                         int to_month, const char *by, CaseStatRow **ret, size_t *ret_n);

Error *cases_store_photo_insert(Store *st, Arena *a, CasePhoto *p, int64_t now_ms);
Error *cases_store_photo_get(Store *st, Arena *a, int64_t id, CasePhoto **ret);
/* Is any photo uploaded before @before_ms still attached to no case? */
Error *cases_store_orphans_due(Store *st, Arena *a, int64_t before_ms, bool *ret);
/*
 * Inside a write transaction: deletes the rows of up to @limit photos
 * uploaded before @before_ms and attached to no case; their ids and file
 * names (in @a) into @ret (room for @limit), their number into *ret_n.
 */
Error *cases_store_orphans_delete(Store *st, Arena *a, int64_t before_ms, size_t limit,
                                  CasePhoto *ret, size_t *ret_n);

/* Open311 keys: the community of an active key, or NULL. */
Error *cases_store_api_key_insert(Store *st, Arena *a, const char *community, const char *key,
                                  int64_t now_ms);
Error *cases_store_api_key_community(Store *st, Arena *a, const char *key, int64_t *ret_id,
                                     const char **ret_community);
/* The case a token names; 0 if none. */
Error *cases_store_token_case(Store *st, Arena *a, const char *token, int64_t *ret_id);
Error *cases_store_building(Store *st, Arena *a, int64_t id, const char **ret_community,
                            int64_t *ret_grid_id, const char **ret_name, int64_t *ret_units);
Error *cases_store_building_by_name(Store *st, Arena *a, const char *community, const char *name,
                                    int64_t *ret_id);
Error *cases_store_grid_in(Store *st, Arena *a, int64_t grid_id, const char *community, bool *ret);
/* Is @user_id an active resident account of @community? */
Error *cases_store_is_resident(Store *st, Arena *a, int64_t user_id, const char *community,
                               bool *ret);
Error *cases_store_community_name(Store *st, Arena *a, const char *code, const char **ret_name);

/* ---- shared by the routes (cases_routes.c) ---- */

/* Releases overdue flags that are due (the sweep), ending a GET's read transaction if needed. */
Error *cases_sweep(Request *req, int64_t now_ms);
/* Fills @c's deadlines from its category on the working-day calendar. */
Error *cases_deadlines(Store *st, Arena *a, Case *c, const CaseCategory *cat);
/*
 * Reports @in as the request's user (or, for Open311, as api key @api_key_id
 * of @key_community, with no user): validates what needs the database, routes, inserts.
 * Fills *ret with the new case (its id and state).
 */
Error *cases_create(Request *req, const CaseInput *in, int64_t api_key_id,
                    const char *key_community, const char *token, Case **ret);
/*
 * cases_create inside the caller's write transaction (a visit's need made a
 * case, written with the visit or not at all): locates, routes, inserts and
 * audits case @c (zeroed by the caller; its id and state filled). The
 * caller commits or rolls back.
 */
Error *cases_create_in_tx(Request *req, const CaseInput *in, int64_t api_key_id,
                          const char *key_community, const char *token, Case *c);
/*
 * Checks an image as an upload is checked (size, then type by content: 413
 * photo_too_large, 415 not_an_image, naming @field) and writes it to the photo
 * directory under a new name: p->file, mime, size set; *ret_path to unlink on failure.
 */
Error *cases_photo_write(Request *req, const char *field, const void *data, size_t len,
                        CasePhoto *p, const char **ret_path);
/* The photo directory beside the database (created on demand). */
const char *cases_photo_dir(Request *req);
/* The same, for files base @files_base (Config.files_base: the database file, on SQLite). */
const char *cases_photo_dir_of(Arena *a, const char *files_base);
/*
 * Deletes orphan photos (attached to no case CASES_PHOTO_ORPHAN_MS after
 * their upload): rows in one write transaction with their audit entries,
 * then the files. Run by cases_sweep; ends a GET's read transaction first
 * when there is something to delete.
 */
Error *cases_photo_sweep(Request *req, int64_t now_ms);
/*
 * The purge itself, on any connection outside a transaction: one batch of
 * at most CASES_PHOTO_PURGE_BATCH orphans under @files_base, rows and
 * audit entries in one write transaction, then the files (@rid names the
 * request in the log, or ""). *ret_n (may be NULL): how many went.
 */
Error *cases_photo_purge(Store *st, Arena *a, const char *files_base, int64_t now_ms,
                         const char *rid, size_t *ret_n);

/* ---- the reporter's follow-up and the grid worker's map (cases_followup_store.c) ---- */

/*
 * Inside a write transaction: records an urge of case @id by @user_id on
 * Beijing day @day ("YYYY-MM-DD"). 429 urge_limited when the case was
 * already urged that day (the primary key decides, not a read).
 */
Error *cases_store_urge(Store *st, Arena *a, int64_t id, int64_t user_id, const char *day,
                        int64_t now_ms);
/* When case @id was last urged; 0: never. */
Error *cases_store_last_urge(Store *st, Arena *a, int64_t id, int64_t *ret_ms);

typedef struct CaseNearby {
    int64_t id;
    const char *category_name;
    const char *place;               /* the building, the address, or 地图选点 */
    CaseState state;
    int64_t created_at;
    double lat, lon;
    const char *description;         /* its first 60 characters */
    int64_t reporter_id;
    double distance_m;               /* filled by the caller */
} CaseNearby;

/*
 * Open cases of @community whose point (a map point, or the building's
 * where buildings have coordinates) lies in the box; at most 500, newest
 * first. The caller measures the distances.
 */
Error *cases_store_nearby(Store *st, Arena *a, const char *community, double min_lat,
                          double max_lat, double min_lon, double max_lon, CaseNearby **ret,
                          size_t *ret_n);
/* Great-circle distance in metres (haversine, mean Earth radius). */
double case_distance_m(double lat1, double lon1, double lat2, double lon2);

/* ---- sweeps (cases_sweeper.c) ---- */

/*
 * The overdue sweep in a write transaction of its own (rolled back on
 * failure): flags, escalations, their steps and notices. Safe to run from
 * any number of connections and processes at once: BEGIN IMMEDIATE takes
 * them one at a time, and a case is escalated only by the sweep that finds
 * it not yet escalated. *ret_n (may be NULL): cases updated.
 */
Error *cases_sweep_overdue(Store *st, Arena *a, int64_t now_ms, int64_t *ret_n);
/*
 * One background pass on a connection of its own: the overdue sweep when a
 * deadline is due, then orphan photos under @files_base (Config.files_base),
 * batch by batch.
 */
Error *cases_sweep_background(Store *st, Arena *a, const char *files_base, int64_t now_ms);
/*
 * `linli serve`: a thread that runs cases_sweep_background at once and then
 * every @interval_ms (config cases_sweep_ms) on its own connection to
 * @db_path, its photos under @files_base, until cases_serve_stop. A failed
 * pass is logged and retried at the next tick.
 */
void cases_serve_start(const char *db_path, const char *files_base, int64_t interval_ms);
/*
 * Another module's sweep for the same thread (care's overdue sweep), run
 * after the cases sweep on each tick with the thread's connection and
 * @ctx; call before cases_serve_start. A failure is logged and retried at
 * the next tick.
 */
typedef Error *(*CasesSweepHook)(Store *st, Arena *a, int64_t now_ms, void *ctx);
void cases_serve_also(CasesSweepHook hook, void *ctx);
void cases_serve_stop(void);
/* May the request's user see case @c? */
bool cases_visible(Request *req, const Case *c, int64_t user_unit);
/* Case {id} (route parameter 0) if the user may see it, and her ACTOR_* bits; 404 otherwise. */
Error *cases_visible_case(Request *req, bool full, Case **ret, unsigned *ret_bits);
/* Case @c as a user with ACTOR_* @bits may see it (a reporter only her steps); new reference. */
json_t *cases_out(Request *req, const Case *c, bool full, unsigned bits);

void cases_routes_register(Router *r);
void cases_admin_routes_register(Router *r);
void cases_photo_routes_register(Router *r);
void cases_open311_routes_register(Router *r);
/* Inside a write transaction: the Open311 extras of new case @case_id, and its photo. */
Error *cases_open311_insert(Store *st, Arena *a, int64_t case_id, const CaseOpen311 *o,
                            const CryptoKeys *keys, int64_t now_ms);
/* The Open311 extras of @case_id, or *ret NULL (not posted through Open311). */
Error *cases_open311_get(Store *st, Arena *a, int64_t case_id, CaseOpen311 **ret);
/*
 * Inside a write transaction: places case @case_id, waiting to be placed, at
 * building @building_id (its @grid_id, unit @unit_no or 0) or, when
 * @building_id is 0, at @lat/@lon; *ret_done false if it was not waiting.
 */
Error *cases_open311_place(Store *st, Arena *a, int64_t case_id, int64_t building_id,
                           int64_t grid_id, int64_t unit_no, double lat, double lon,
                           int64_t user_id, int64_t now_ms, bool *ret_done);
/* The extras for staff: e-mail (masked) and account_id only when @contact. */
json_t *cases_open311_json(const CaseOpen311 *o, bool contact);
void cases_export_routes_register(Router *r);
void cases_followup_routes_register(Router *r);

/* ---- CLI and demo (cases_cli.c) ---- */

int cases_cli_open311(int argc, char **argv);
/* `linli cases generate`: bulk synthetic cases for benchmarks. */
int cases_cli_cases(int argc, char **argv);
/* Inside a write transaction: @count cases over @years up to @now_ms across the street's buildings. */
Error *cases_store_generate(Store *st, Arena *a, const char *street, int64_t count, int years,
                            int64_t now_ms, int64_t *ret_made);
/* The id and display name of user @username; *ret_id 0 when none. */
Error *cases_store_user_id(Store *st, Arena *a, const char *username, int64_t *ret_id,
                           const char **ret_name);
/* Up to @max building ids of @community, in id order. */
Error *cases_store_buildings_of(Store *st, Arena *a, const char *community, int64_t *ret,
                                size_t max, size_t *ret_n);
/*
 * Demo cases for @community: units, routing rules, the property user's unit,
 * @days days of history in every community of its street
 * (cases_demo_history, seeded by @seed), then scripted cases in every state.
 */
Error *cases_demo(Store *st, Arena *a, const CryptoKeys *keys, const char *community, int days,
                  uint64_t seed);
/*
 * linli demo (cases_demo.c): @days days of cases in every community of
 * @own_community's street (in @own_community only those older than its
 * scripted demo cases), seeded by @seed, with their steps, ratings and
 * notices (those older than three days read). *ret_n: how many.
 */
Error *cases_demo_history(Store *st, Arena *a, const CryptoKeys *keys, const char *own_community,
                          int days, uint64_t seed, int64_t now_ms, int64_t *ret_n);
