#pragma once
/*
 * Votes' SQL (schema 30), written once for SQLite and PostgreSQL. Writes
 * run inside the caller's write transaction unless a function says it
 * begins its own.
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"
#include "votes/votes.h"

/* The lock class of a vote's ballots (store_begin_keyed): its hash chain is one sequence. */
#define STORE_LOCK_VOTE 2

typedef struct VotesHousehold {
    int64_t id;
    const char *community;
    int64_t building_id;
    const char *building_name;
    int64_t unit;
    int64_t floor;
    const char *room;
} VotesHousehold;

typedef struct VotesProperty {
    int64_t household_id;
    int64_t area_cm2;
    int64_t owner_id;        /* 0 when unsold */
    const char *owner_name;
    const char *owner_id_masked;
    int64_t owner_resident_id;
    bool unsold;
    int64_t units_owned;     /* the owner's units in the registry (all communities) */
    int64_t updated_at;
} VotesProperty;

typedef struct Vote {
    int64_t id;
    const char *community;
    const char *kind;        /* "owners" | "poll" */
    const char *title, *body;
    const char *scope;       /* "community" | "building" | "unit" */
    int64_t building_id, unit;
    const char *building_name;
    const char *matter;      /* owners: "ordinary" | "special"; else NULL */
    const char *per;         /* poll: "household" | "resident"; else NULL */
    VotesRule rule;
    bool secret, changeable;
    int64_t opens_at, closes_at, closed_at;
    int64_t voters_total, area_total, voters_in, area_in, n_ballots;
    const char *chain_head;
    const char *result;      /* JSON text at the close, or NULL */
    int64_t lift_id;         /* the 加装电梯 project it belongs to, or 0 */
    int64_t created_by, created_at;
} Vote;

typedef struct VotesBallotRow {
    int64_t id, seq;
    const char *voter;
    const char *choice;
    const char *channel;
    int64_t user_id, photo_id;
    const char *receipt;
    int64_t cast_at;
    const char *prev_hash, *hash;
} VotesBallotRow;

typedef struct VotesRollRow {
    int64_t household_id;
    const char *voter;
    int64_t area_cm2;
    bool unsold;
} VotesRollRow;

/* ---- the registry's additions ---- */

/* *ret->id 0 when there is no such household. */
Error *votes_store_household(Store *st, Arena *a, int64_t id, VotesHousehold *ret);
/* Building @id's community (NULL if none) and number of 单元. */
Error *votes_store_building(Store *st, Arena *a, int64_t id, const char **ret_community,
                            int64_t *ret_units);
/* Whether household @household_id is in 单元 @unit of building @building_id. */
Error *votes_store_household_in(Store *st, Arena *a, int64_t household_id, int64_t building_id,
                                int64_t unit, bool *ret);
/* *ret->household_id 0 when the household has no property record. */
Error *votes_store_property(Store *st, Arena *a, int64_t household_id, VotesProperty *ret);
/*
 * The owner with ID hash @id_hash, or else the one who is resident
 * @resident_id (0: none), or a new one: *ret_id.
 */
Error *votes_store_owner_upsert(Store *st, Arena *a, const char *community, const char *name,
                                const void *id_hash, size_t hash_len, const char *id_masked,
                                int64_t resident_id, int64_t now_ms, int64_t *ret_id);
/* A registry resident: name, ID hash and masked ID, community; *ret_name NULL if none. */
Error *votes_store_resident(Store *st, Arena *a, int64_t id, const char **ret_name,
                            void **ret_hash, size_t *ret_hash_len, const char **ret_masked,
                            const char **ret_community);
Error *votes_store_property_put(Store *st, Arena *a, int64_t household_id, int64_t area_cm2,
                                int64_t owner_id, bool unsold, int64_t user_id, int64_t now_ms);

/* ---- votes ---- */

/* Inserts @v (id set) with its roll; 422 naming "scope" when a unit in scope lacks its area or owner. */
Error *votes_store_create(Store *st, Arena *a, Vote *v);
/* *ret NULL when there is no such vote. */
Error *votes_store_get(Store *st, Arena *a, int64_t id, Vote **ret);
/* The votes of communities in [@lo, @hi), newest first: Vote rows into @ret. */
Error *votes_store_list(Store *st, Arena *a, const char *lo, const char *hi, int64_t limit,
                        int64_t offset, Vote **ret, size_t *ret_n, int64_t *ret_total);

/*
 * The voter key of user @user_id for @v: "o:ID" for the owner she is
 * (owners' decisions), "h:ID" her household, "r:ID" herself; NULL when
 * she has none. Whether it is on the roll is votes_store_roll_weight's.
 */
Error *votes_store_user_voter(Store *st, Arena *a, const Vote *v, int64_t user_id,
                              int64_t household_id, const char **ret);
/* The voter on @v's roll for household @household_id (or resident "r:ID"): NULL if none. */
Error *votes_store_roll_voter(Store *st, Arena *a, int64_t vote_id, int64_t household_id,
                              const char **ret);
/* Whether @voter is on the roll (*ret_on) and her area in scope. */
Error *votes_store_roll_weight(Store *st, Arena *a, int64_t vote_id, const char *voter,
                               bool *ret_on, int64_t *ret_area_cm2);
/* Her counted ballot's choice, or NULL. */
Error *votes_store_current(Store *st, Arena *a, int64_t vote_id, const char *voter,
                           const char **ret_choice, const char **ret_receipt);

/*
 * Inside store_begin_keyed(STORE_LOCK_VOTE, vote id): appends @b to the
 * chain after @v's head (b->seq, prev_hash, hash set here) and makes it the
 * voter's counted ballot; a first ballot of hers adds @area_cm2 to the
 * live participation. @first: no counted ballot of hers yet.
 */
Error *votes_store_ballot_add(Store *st, Arena *a, const Vote *v, VotesBallotRow *b, bool first,
                              int64_t area_cm2);
/* Every ballot of @vote_id in chain order (@limit 0: all), into @ret. */
Error *votes_store_ballots(Store *st, Arena *a, int64_t vote_id, VotesBallotRow **ret,
                           size_t *ret_n);
Error *votes_store_ballot_by_receipt(Store *st, Arena *a, int64_t vote_id, const char *receipt,
                                     VotesBallotRow *ret, bool *ret_found);
/* The roll of @vote_id, by voter. */
Error *votes_store_roll(Store *st, Arena *a, int64_t vote_id, VotesRollRow **ret, size_t *ret_n);
/* The counted ballots: voter and choice, by voter. */
Error *votes_store_currents(Store *st, Arena *a, int64_t vote_id, const char ***ret_voters,
                            const char ***ret_choices, size_t *ret_n);
/* Counted ballots by choice: yes, no, abstain. */
Error *votes_store_choice_counts(Store *st, Arena *a, int64_t vote_id, int64_t ret[3]);
/* Inside the vote's keyed transaction: the close, with its result. */
Error *votes_store_close(Store *st, Arena *a, int64_t vote_id, const char *result,
                         int64_t user_id, int64_t now_ms);
/* Published list of an open vote: [{"voter","name","choice","channel","at"}] into @items. */
Error *votes_store_published(Store *st, Arena *a, int64_t vote_id, json_t *items);

Error *votes_store_photo_insert(Store *st, Arena *a, const char *file, const char *mime,
                                int64_t size, int64_t uploader_id, int64_t now_ms, int64_t *ret_id);
/* *ret_uploader 0 when there is no such photo. */
Error *votes_store_photo(Store *st, Arena *a, int64_t id, int64_t *ret_uploader,
                         const char **ret_file, const char **ret_mime);

/* ---- 加装电梯 ---- */

typedef struct VotesLift {
    int64_t id, vote_id;
    const char *community;
    int64_t building_id, unit;
    const char *settings;     /* JSON */
    const char *notice_from, *notice_until;
    const char *affected;     /* JSON array of household ids */
    int64_t final_at;
    int64_t open_objections, objections;
} VotesLift;

/* The city's settings JSON, or NULL (the defaults). */
Error *votes_store_lift_settings(Store *st, Arena *a, const char *city, const char **ret);
Error *votes_store_lift_settings_put(Store *st, Arena *a, const char *city, const char *json,
                                     int64_t user_id, int64_t now_ms);
/* 409 lift_exists when the unit has a project not yet final. */
Error *votes_store_lift_insert(Store *st, Arena *a, VotesLift *l, int64_t now_ms);
/* *ret NULL when none. */
Error *votes_store_lift_get(Store *st, Arena *a, int64_t id, VotesLift **ret);
Error *votes_store_lift_of_vote(Store *st, Arena *a, int64_t vote_id, int64_t *ret_lift_id);
Error *votes_store_lift_objections(Store *st, Arena *a, int64_t lift_id, json_t *items);
Error *votes_store_objection_insert(Store *st, Arena *a, int64_t lift_id, int64_t household_id,
                                    const char *by_name, const char *text, int64_t user_id,
                                    int64_t now_ms, int64_t *ret_id);
/* *ret_lift 0 when there is no such objection; *ret_resolved whether it already is. */
Error *votes_store_objection(Store *st, Arena *a, int64_t id, int64_t *ret_lift,
                             bool *ret_resolved);
Error *votes_store_objection_resolve(Store *st, Arena *a, int64_t id, const char *notes,
                                     int64_t user_id, int64_t now_ms);
/* The 公示 period, set at the vote's close. */
Error *votes_store_lift_notice(Store *st, Arena *a, int64_t id, const char *from, const char *until);
/* The community of the vote whose ballot carries photo @photo_id, or NULL. */
Error *votes_store_photo_community(Store *st, Arena *a, int64_t photo_id, const char **ret);
Error *votes_store_lift_finalize(Store *st, Arena *a, int64_t id, int64_t user_id, int64_t now_ms);

/* ---- the demo ---- */

/* The first building of @community with @floors floors: *ret_id, 0 if none. */
Error *votes_store_demo_building(Store *st, Arena *a, const char *community, int64_t floors,
                                 int64_t *ret_id);
/* The households of 单元 @unit of building @building_id by floor and room. */
Error *votes_store_unit_households(Store *st, Arena *a, int64_t building_id, int64_t unit,
                                   int64_t **ret, size_t *ret_n);
/*
 * Property records for every household of @community: its registered area
 * (80 m² when the registry has none), its first resident as the owner, the
 * empty ones unsold; the owner of the second home of the first 6-floor
 * building's unit 1 also owns the third.
 */
Error *votes_store_demo_property(Store *st, Arena *a, const char *community, int64_t now_ms);
/* Accounts (*ret user ids) and first residents (*ret_residents) of the homes of 单元 @unit. */
Error *votes_store_demo_people(Store *st, Arena *a, int64_t building_id, int64_t unit,
                               int64_t **ret_users, size_t *ret_n_users, int64_t **ret_residents,
                               size_t *ret_n_residents);

/* ---- the count (votes_count.c) ---- */

/*
 * The result of @v from its roll and the counted choices (@voters[i] chose
 * @choices[i]; any order): an owners' decision by votes_tally (the code of
 * `linli votes tally`) with the city's thresholds and, for a lift whose
 * settings want it, every occupied unit's owner's consent; a poll by
 * votes_poll_tally. *ret is the result object, owned by the caller.
 */
Error *votes_count(Store *st, Arena *a, const Vote *v, const char **voters, const char **choices,
                   size_t n, json_t **ret);
/*
 * Checks vote @id: recomputes every ballot's hash and link, the head and
 * length kept on the vote, each voter's counted ballot (her last in the
 * chain) against vote_current, and, once closed, the result recounted from
 * the chain against the one stored at the close. *ret: {"vote", "ok",
 * "ballots", "voters", "head", "problems": [...], "result_matches"}; NULL
 * when there is no such vote.
 */
Error *votes_verify(Store *st, Arena *a, int64_t id, json_t **ret);

/* ---- topics and meetings (votes_topic_store.c) ---- */

typedef enum TopicState {
    TOPIC_COLLECTING,   /* 征集 */
    TOPIC_CONSULTING,   /* 协商 */
    TOPIC_VOTING,       /* 表决 */
    TOPIC_PUBLICITY,    /* 公示 */
    TOPIC_IMPLEMENTING, /* 实施 */
    TOPIC_DONE,         /* 完结 */
    _TOPIC_STATE_MAX
} TopicState;

/* "collecting", … and "征集", …; NULL past the end. */
const char *votes_topic_state_name(TopicState s);
const char *votes_topic_state_label(TopicState s);
bool votes_topic_state_parse(const char *s, TopicState *ret);

typedef struct Topic {
    int64_t id;
    const char *community, *scope;
    int64_t building_id, unit;
    const char *title, *body, *state, *hidden_reason, *author;
    int64_t merged_into, supports, comments, vote_id, created_by, created_at, updated_at;
} Topic;


/* A photo on a topic (schema 32): topic_id 0 until a topic takes it. */
typedef struct TopicPhoto {
    int64_t id, uploader_id, topic_id;
    const char *file, *mime;
} TopicPhoto;

Error *votes_topic_photo_insert(Store *st, Arena *a, int64_t uploader_id, const char *file,
                                const char *mime, int64_t size, int64_t now_ms, int64_t *ret_id);
/* ret->id 0 when there is no such photo. */
Error *votes_topic_photo_get(Store *st, Arena *a, int64_t id, TopicPhoto *ret);
/* Gives topic @topic_id photo @id when @uploader_id uploaded it and no topic has it yet (*ret_taken). */
Error *votes_topic_photo_take(Store *st, Arena *a, int64_t topic_id, int64_t id,
                              int64_t uploader_id, bool *ret_taken);
/* [{id, url}] of @topic_id's photos into @items. */
Error *votes_topic_photos(Store *st, Arena *a, int64_t topic_id, json_t *items);

Error *votes_topic_insert(Store *st, Arena *a, Topic *t);
/* *ret NULL when there is no such topic. */
Error *votes_topic_get(Store *st, Arena *a, int64_t id, Topic **ret);
/* Topics of @community, newest activity first; hidden ones only for @with_hidden. */
Error *votes_topic_list(Store *st, Arena *a, const char *community, const char *state,
                        bool with_hidden, int64_t limit, int64_t offset, json_t *items,
                        int64_t *ret_total);
Error *votes_topic_step(Store *st, Arena *a, int64_t topic_id, const char *kind,
                        const char *state, const char *note, int64_t ref_id, int64_t user_id,
                        int64_t now_ms);
/* [{kind, state, note, ref_id, user, at}] into @items. */
Error *votes_topic_steps(Store *st, Arena *a, int64_t topic_id, json_t *items);
/* Moves @id from @from to @to; 409 when it is no longer in @from. */
Error *votes_topic_set_state(Store *st, Arena *a, int64_t id, const char *from, const char *to,
                             int64_t vote_id, int64_t now_ms);
Error *votes_topic_hide(Store *st, Arena *a, int64_t id, const char *reason, int64_t now_ms);
Error *votes_topic_merge(Store *st, Arena *a, int64_t id, int64_t into, int64_t now_ms);
/* *ret_added false when she already supports it (@add) or did not (!@add). */
Error *votes_topic_support(Store *st, Arena *a, int64_t id, int64_t user_id, bool add,
                           int64_t now_ms, bool *ret_changed);
Error *votes_topic_supported(Store *st, Arena *a, int64_t id, int64_t user_id, bool *ret);
Error *votes_topic_comment_add(Store *st, Arena *a, int64_t id, int64_t user_id,
                               const char *author, const char *text, int64_t now_ms,
                               int64_t *ret_id);
/* Comments of @topic_id; hidden ones as "已隐藏" unless @with_hidden. */
Error *votes_topic_comments(Store *st, Arena *a, int64_t topic_id, bool with_hidden,
                            json_t *items);
/* *ret_topic 0 when no such comment. */
Error *votes_topic_comment_topic(Store *st, Arena *a, int64_t comment_id, int64_t *ret_topic);
Error *votes_topic_comment_hide(Store *st, Arena *a, int64_t comment_id, const char *reason);

typedef struct Meeting {
    int64_t id, topic_id;
    const char *community, *place, *minutes, *decisions;
    int64_t starts_at, minutes_at, created_by, created_at;
    int64_t ends_at;                 /* 0: not kept (meetings before schema 31) */
    int64_t room_id, booking_id;     /* the function room booked from it; 0: none */
    const char *room_name;           /* or NULL */
    const char *checkin_token;       /* the sign-in QR code's secret, or NULL (not yet made) */
} Meeting;

Error *votes_meeting_insert(Store *st, Arena *a, Meeting *m);
/* Invites resident @resident_id: 422 naming @field when she is not an active resident of the community. */
Error *votes_meeting_invite(Store *st, Arena *a, int64_t meeting_id, const char *community,
                            int64_t resident_id, const char *field);
Error *votes_meeting_get(Store *st, Arena *a, int64_t id, Meeting **ret);
/* [{resident_id, name, attended, attended_at}] into @items. */
Error *votes_meeting_participants(Store *st, Arena *a, int64_t id, json_t *items);
/* [{id, starts_at, place, minutes, decisions, minutes_at, invited, attended}] of a topic. */
Error *votes_topic_meetings(Store *st, Arena *a, int64_t topic_id, json_t *items);
/* 422 naming "resident_id" when she was not invited. */
Error *votes_meeting_attend(Store *st, Arena *a, int64_t meeting_id, int64_t resident_id,
                            bool attended, int64_t user_id, int64_t now_ms);
Error *votes_meeting_minutes(Store *st, Arena *a, int64_t meeting_id, const char *minutes,
                             const char *decisions, int64_t now_ms);
/* Gives @m a sign-in token if it has none (meetings before schema 31); sets m->checkin_token. */
Error *votes_meeting_token(Store *st, Arena *a, Meeting *m);
/*
 * QR sign-in by the account @user_id (household @household_id): her
 * resident (the account's own, or for a household's account the invited
 * one of the household, else its first active resident) is marked
 * attended; an uninvited active resident of the meeting's community joins
 * as a walk-in (*ret_walk_in). 403 out_of_scope otherwise. *ret_resident_id
 * is whom it signed in.
 */
Error *votes_meeting_checkin(Store *st, Arena *a, const Meeting *m, int64_t user_id,
                             int64_t household_id, int64_t now_ms, int64_t *ret_resident_id,
                             bool *ret_walk_in);

/* ---- exports (votes_export_store.c) ---- */

typedef struct VotesSignRow {
    const char *building;
    int64_t unit;
    const char *room;
    int64_t area_cm2;      /* owners' decisions; 0 in a poll */
    bool unsold;
    const char *voter;     /* the roll's key: "o:ID", "dev", "h:ID", "r:ID" */
    const char *name;      /* the owner, the resident, or the household's owner; NULL if none */
    const char *choice;    /* the counted ballot's, NULL when she has not voted */
    const char *channel;
    int64_t cast_at;
} VotesSignRow;

/* The roll of @vote_id by building, 单元, floor and room, with each counted ballot. */
Error *votes_store_signatures(Store *st, Arena *a, int64_t vote_id, VotesSignRow **ret,
                              size_t *ret_n);
