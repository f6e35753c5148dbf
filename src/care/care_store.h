#pragma once
/*
 * Care's SQL (care_store.c), for care_routes.c, care_sweep.c and
 * care_demo.c. Every write runs inside the caller's write transaction
 * (store_begin); reads anywhere. Sealed columns are sealed and opened here,
 * with the keys the caller passes.
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "care/care.h"
#include "core/crypto.h"
#include "store/store.h"
#include "store/store_counts.h"

#define CARE_NOTE_MAX 500
#define CARE_REASONS_MAX 10
#define CARE_NEEDS_MAX 5
#define CARE_PAGE_MAX 200

/* A person in care (or, in the elderly list, a resident who is not: id 0). */
typedef struct CarePerson {
    int64_t id;                   /* care_person.id; 0: not in care */
    int64_t resident_id;
    const char *community;
    const char *name, *gender, *birth_date;
    int age;
    int64_t household_id, building_id, grid_id;
    const char *building_name, *grid_name, *room;
    int64_t unit;
    const char *living;           /* NULL when not in care */
    bool household_alone;         /* the only active resident of her household */
    bool lives_alone;             /* living 'alone' or household_alone */
    int ability_level;            /* -1: never assessed */
    int grade, grade_computed, grade_override; /* override 0: none */
    int64_t override_by, override_at;
    bool daily_check;
    int visit_days;
    int64_t last_visit_at, visit_due_at; /* 0: none */
    const char *last_check_day;   /* or NULL */
    int64_t opened_at, closed_at;
    const char *close_reason, *close_note;
    int64_t n_helpers;
    bool away_today;
    bool check_missed;            /* the sweep raised today's check alert and no check came */
    /* sealed columns, as stored (detail only) */
    const void *data_enc, *grade_enc, *override_enc;
    size_t data_len, grade_len, override_len;
} CarePerson;

typedef struct CareFilter {
    const char *lo, *hi;          /* community range */
    int64_t grid_id, building_id; /* 0: any */
    int in_care;                  /* -1 any elderly, 0 not in care, 1 in care */
    int grade;                    /* 0: any */
    int alone;                    /* -1 any, 0, 1 */
    bool overdue;
    int64_t helper_id;            /* 0: anyone's; else only the people paired with her */
    const char *elderly_before;   /* not in care: elderly when born on or before this */
    const char *born_before;      /* birth_date <= this ("YYYY-MM-DD"): age >= the band's low */
    const char *born_after;       /* birth_date > this, or "" */
    const char *today;            /* Beijing */
    int64_t now_ms;
    int64_t limit, offset;
} CareFilter;

/* The sealed data of a person: reasons, tags and a note. */
typedef struct CareData {
    const char *reasons[CARE_REASONS_MAX];
    int n_reasons;
    bool tags[_CARE_TAG_MAX];
    const char *note;             /* "" if none */
} CareData;

/* A resident as care needs her: NULL community when there is none. */
typedef struct CareResident {
    int64_t id, building_id;
    const char *community, *status, *birth_date, *name;
} CareResident;

/* An account as care needs it (helpers, checks). */
typedef struct CareUser {
    int64_t id;
    const char *role, *scope, *name;
    int64_t resident_id;          /* a resident's own account: who she is; else 0 */
    bool active;                  /* not disabled, state active */
} CareUser;

/* JSON of @d / from JSON text; sealing and opening. */
json_t *care_data_json(const CareData *d);
void *care_seal_json(const CryptoKeys *k, Arena *a, json_t *j, size_t *ret_len); /* steals @j */
/* The JSON a sealed column holds, or NULL (none, or tampered with); new reference. */
json_t *care_open_json(const CryptoKeys *k, Arena *a, const void *p, size_t n);
void care_data_from_json(Arena *a, json_t *j, CareData *ret);

Error *care_store_settings(Store *st, Arena *a, const char *community, CareSettings *ret);
Error *care_store_settings_put(Store *st, Arena *a, const char *community, const CareSettings *s,
                               int64_t user_id, int64_t now_ms);

Error *care_store_resident(Store *st, Arena *a, int64_t id, CareResident *ret);
Error *care_store_user(Store *st, Arena *a, int64_t id, CareUser *ret);

/* Inside a write transaction: opens care for the resident; 409 already_in_care. */
Error *care_store_open(Store *st, Arena *a, const CareResident *r, const char *living,
                       const void *enc, size_t enc_len, int64_t user_id, int64_t now_ms,
                       int64_t *ret_id);
/* *ret NULL when there is no such person; @detail adds the sealed columns. */
Error *care_store_get(Store *st, Arena *a, int64_t id, const char *today, CarePerson **ret);
/* The open care of resident @resident_id; 0 when none. */
Error *care_store_open_of(Store *st, Arena *a, int64_t resident_id, int64_t *ret_id);
/* Earlier and later episodes of resident @resident_id: [{id, opened_at, closed_at, close_reason}]. */
Error *care_store_episodes(Store *st, Arena *a, int64_t resident_id, json_t *items);
Error *care_store_update(Store *st, Arena *a, int64_t id, const char *living, const void *enc,
                         size_t enc_len, int64_t now_ms);
/* Closes an open episode and ends its pairs; 409 already_closed if it was not open. */
Error *care_store_close(Store *st, Arena *a, int64_t id, const char *reason, const char *note,
                        int64_t user_id, int64_t now_ms);
/* Sets (grade 1..3) or lifts (0) the override. */
Error *care_store_override(Store *st, Arena *a, int64_t id, int grade, const void *enc,
                           size_t enc_len, int64_t user_id, int64_t now_ms);
/*
 * Recomputes person @id's grade under @s from what is stored (ability,
 * living, household, age, tags, checks missed in 30 days), and with it the
 * rhythm and the next visit's due time. *ret (may be NULL) gets the grade.
 */
Error *care_store_regrade(Store *st, Arena *a, const CryptoKeys *k, const CareSettings *s,
                          int64_t id, int64_t now_ms, CareGrade *ret);
/* Regrades every open person of @community. */
Error *care_store_regrade_all(Store *st, Arena *a, const CryptoKeys *k, const CareSettings *s,
                              const char *community, int64_t now_ms);

Error *care_store_list(Store *st, Arena *a, const CareFilter *f, CarePerson **ret, size_t *ret_n,
                       int64_t *ret_total);

Error *care_store_assessment_insert(Store *st, Arena *a, int64_t care_id, const char *community,
                                    int64_t at_ms, int64_t user_id, const char *user_name,
                                    int final_level, const void *enc, size_t enc_len,
                                    int64_t now_ms, int64_t *ret_id);
/* Newest first: [{id, assessed_at, assessor, final_level, data (opened JSON, when @full)}]. */
Error *care_store_assessments(Store *st, Arena *a, const CryptoKeys *k, int64_t care_id,
                              bool full, json_t *items);

/* The active pair of @user_id with @care_id: its kind, or NULL. */
Error *care_store_pair_kind(Store *st, Arena *a, int64_t care_id, int64_t user_id,
                            const char **ret_kind);
/* 409 already_paired when the helper is already paired with the person. */
Error *care_store_pair_insert(Store *st, Arena *a, int64_t care_id, int64_t user_id,
                              const char *kind, int64_t by, int64_t now_ms, int64_t *ret_id);
/* The care id of active pair @id; 0 when none. */
Error *care_store_pair_care(Store *st, Arena *a, int64_t id, int64_t *ret_care_id);
Error *care_store_pair_end(Store *st, Arena *a, int64_t id, int64_t by, int64_t now_ms);
/* [{id, user_id, name, kind, since}] */
Error *care_store_pairs(Store *st, Arena *a, int64_t care_id, json_t *items);
/* [{care_id, kind}] of @user_id's active pairs, with the person's name. */
Error *care_store_pairs_of(Store *st, Arena *a, int64_t user_id, json_t *items);

Error *care_store_visit_insert(Store *st, Arena *a, int64_t care_id, const char *community,
                               int64_t helper_id, const char *helper_name, int64_t at_ms,
                               const char *mode, bool concern, const void *enc, size_t enc_len,
                               const char *case_ids, int64_t due_at, int64_t now_ms,
                               int64_t *ret_id);
/* Newest first, at most @limit; the sealed data opened. */
Error *care_store_visits(Store *st, Arena *a, const CryptoKeys *k, int64_t care_id,
                         int64_t limit, json_t *items);

/* A check of @day; *ret_new false when the day already had one. */
Error *care_store_check(Store *st, Arena *a, int64_t care_id, const char *day, int64_t user_id,
                        const char *by_kind, int64_t now_ms, bool *ret_new);
/* Checks of the days from @since on: [{day, at, by_kind}]. */
Error *care_store_checks(Store *st, Arena *a, int64_t care_id, const char *since, json_t *items);

Error *care_store_away_insert(Store *st, Arena *a, int64_t care_id, const char *from,
                              const char *to, const char *reason, int64_t by, int64_t now_ms,
                              int64_t *ret_id);
Error *care_store_away_care(Store *st, Arena *a, int64_t id, int64_t *ret_care_id);
Error *care_store_away_cancel(Store *st, Arena *a, int64_t id, int64_t now_ms);
/* Days away not cancelled and not over before @today: [{id, from, to, reason}]. */
Error *care_store_aways(Store *st, Arena *a, int64_t care_id, const char *today, json_t *items);

/* Counts for the statistics of [@lo, @hi). */
Error *care_store_stats(Store *st, Arena *a, const char *lo, const char *hi, const char *today,
                        int64_t now_ms, int from_month, int to_month, json_t *out);

/* ---- the sweep (care_sweep.c) ---- */

/* Communities with anyone in care. */
/*
 * For src/analytics: the open care records of the communities in [@lo,
 * @hi), one query: key the resident's id (text), n = {resident id, last
 * visit (ms, 0 never), care record id}.
 */
Error *care_store_last_visits(Store *st, Arena *a, const char *lo, const char *hi,
                              CountRows *out);
Error *care_store_communities(Store *st, Arena *a, const char ***ret, size_t *ret_n);
/*
 * Open people of @community whose daily check of @today is missing:
 * daily_check set, no check since @since_day (today for the first notices,
 * earlier for the secretary's), opened before @opened_before, not away today.
 */
Error *care_store_checks_missing(Store *st, Arena *a, const char *community, const char *today,
                                 const char *since_day, int64_t opened_before, int64_t **ret,
                                 size_t *ret_n);
/* Open people of @community whose visit was due before @due_before, not away today. */
Error *care_store_visits_due(Store *st, Arena *a, const char *community, const char *today,
                             int64_t due_before, int64_t **ret_ids, int64_t **ret_due,
                             size_t *ret_n);
/* Records alert (@care_id, @kind, @day); *ret_new false if it was already there. */
Error *care_store_alert(Store *st, Arena *a, int64_t care_id, const char *kind, const char *day,
                        int64_t now_ms, bool *ret_new);
/* The active helpers of @care_id / the community's staff and secretaries (@secretary: only them). */
Error *care_store_helper_ids(Store *st, Arena *a, int64_t care_id, int64_t **ret, size_t *ret_n);
Error *care_store_staff_ids(Store *st, Arena *a, const char *community, bool secretary_only,
                            int64_t **ret, size_t *ret_n);

/* ---- visit photos (care_photo.c, care_photo_store.c) ---- */

#define CARE_VISIT_PHOTOS_MAX 3
/* A photo no visit took this long after its upload is an orphan: deleted, file and row. */
#define CARE_PHOTO_ORPHAN_MS (24 * 3600 * INT64_C(1000))
#define CARE_PHOTO_PURGE_BATCH 200

typedef struct CarePhoto {
    int64_t id;
    int64_t care_id;
    int64_t visit_id;                 /* 0: not sent with a visit yet */
    int64_t uploader_id;
    const char *file;                 /* inside "<db>.files/care" */
    const char *mime;
    int64_t size;
} CarePhoto;

Error *care_store_photo_insert(Store *st, Arena *a, CarePhoto *p, int64_t now_ms);
/* *ret NULL when there is no such photo. */
Error *care_store_photo_get(Store *st, Arena *a, int64_t id, CarePhoto **ret);
/*
 * Inside a write transaction: gives visit @visit_id the photos @ids, each
 * uploaded by @uploader_id for person @care_id and taken by no visit yet;
 * 422 unknown_photo naming photos[i] otherwise.
 */
Error *care_store_photos_attach(Store *st, Arena *a, int64_t care_id, int64_t visit_id,
                                int64_t uploader_id, const int64_t *ids, int n);
/* Sets "photos": [{"id","url"}] on each visit object of @visits (by its "id"). */
Error *care_store_visit_photos(Store *st, Arena *a, int64_t care_id, json_t *visits);
/* Is any photo uploaded before @before_ms still taken by no visit? (a read, before a purge) */
Error *care_store_photo_orphans_due(Store *st, Arena *a, int64_t before_ms, bool *ret);
/*
 * Inside a write transaction: deletes the rows of up to @limit photos
 * uploaded before @before_ms that no visit took; their ids and files into
 * @ret (room for @limit), their number into *ret_n.
 */
Error *care_store_photo_orphans_delete(Store *st, Arena *a, int64_t before_ms, size_t limit,
                                       CarePhoto *ret, size_t *ret_n);

/*
 * (care_routes.c) Person @care_id for care_photo.c, as her page sees her:
 * 404 when the user may not see her, 403 not_paired for a user who sees
 * her community but is not paired with her; @write: not a street admin
 * either (who only reads). *ret_as: the pair kind, or "staff".
 */
Error *care_person_for(Request *req, int64_t care_id, bool write, CarePerson **ret,
                       const char **ret_as);

/* ---- the demo (care_demo.c) ---- */

typedef struct CareDemoElder {
    int64_t resident_id, building_id;
    const char *birth_date;
    bool alone, low_income, dementia_risk;
} CareDemoElder;

/* Up to @limit residents of @community tagged 独居老人 or 高龄 not in care, in id order. */
Error *care_store_demo_elders(Store *st, Arena *a, const char *community, int64_t limit,
                              CareDemoElder **ret, size_t *ret_n);
/* The first resident tagged 志愿者 without an account; *ret_id 0 when none. */
Error *care_store_demo_volunteer(Store *st, Arena *a, const char *community, int64_t *ret_id,
                                 int64_t *ret_household, const char **ret_name);
Error *care_store_demo_household(Store *st, Arena *a, int64_t resident_id, int64_t *ret_household,
                                 const char **ret_name);
/* The codes of @street's communities, in order. */
Error *care_store_street_communities(Store *st, Arena *a, const char *street, const char ***ret,
                                     size_t *ret_n);
/* The id of account @username; 0 when none. */
Error *care_store_user_by_name(Store *st, Arena *a, const char *username, int64_t *ret_id);

/*
 * Accounts of @community that may be paired (grid workers first, then those
 * of residents tagged 志愿者, then the rest), whose name or username holds
 * @q ("" for all): [{user_id, name, role, pairs, volunteer}], at most 100.
 */
Error *care_store_helpers(Store *st, Arena *a, const char *community, const char *q,
                          json_t *items);
