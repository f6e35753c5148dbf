#pragma once
/*
 * Deliberation and votes (issue 16). The module's files:
 *
 *   votes_tally.c        the count of an owners' decision (below), and a poll's
 *   votes_cli.c          `linli votes tally` and `linli votes verify`
 *   votes_count.c        a vote's result from its roll and counted ballots; the
 *                        hash chain over its ballots and its check
 *   votes_store.c        property records, votes, ballots, 加装电梯 (SQL)
 *   votes_routes.c       /api/v1/votes/…, /households/{id}/property, photos
 *   votes_lift.c         /api/v1/lifts/…, /lift-settings/{city}
 *   votes_topic_store.c  topics and meetings (SQL)
 *   votes_topics.c       /api/v1/topics/…, /meetings/…
 *   votes_demo.c         the demo's lift project, its topic and a finished poll
 *   votes_export.c       a vote's result and signature list as PDF or xlsx
 *   votes_export_store.c the signature list's SQL
 *
 * A vote fixes its roll when it opens (vote_roll: the units in scope with
 * their owners and areas, or the households, or the residents). Ballots
 * are appended one at a time per vote (a write transaction keyed by the
 * vote) to a SHA-256 chain; vote_current keeps each voter's last ballot
 * under a primary key, so a voter counts once however her ballots race.
 * The close counts from the roll and vote_current; `linli votes verify`
 * recounts from the chain alone.
 *
 * The count: owners' decisions under 民法典 第二百七十八条, as
 * ../shared/standards/STANDARDS.md §2 gives them.
 *
 * Quorum, for every matter: owners of at least 2/3 of the exclusive area
 * AND at least 2/3 of the owners take part. Approval: for the special
 * matters (六)(七)(八) at least 3/4 of the participating area AND at least
 * 3/4 of the participating owners; for the others more than half of each.
 * "以上" includes the boundary, "过半数" does not.
 *
 * Counting (the Supreme People's Court's interpretation of 2009): owners
 * are counted per exclusive part (专有部分, a unit here), one buyer of
 * several units as one owner, and the developer's unsold units together as
 * one owner; area is the units' registered area. An owner who votes takes
 * part with all her units; her units' ballots must agree.
 *
 * Areas are read as written (decimal metres, at most two places) into
 * integer hundredths of a square metre, and every comparison is made on
 * integers: 3 * yes >= 4 * participating, never with floats.
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/error.h"

/* At most this many units in one count (a city-wide poll is not a 278 vote). */
#define VOTES_UNITS_MAX 2000000
/* One unit's area at most, m² (a whole building registered as one part). */
#define VOTES_AREA_MAX_M2 1000000

typedef enum VotesMatter {
    VOTES_ORDINARY, /* (一)–(五), (九): more than half */
    VOTES_SPECIAL,  /* (六) 筹集维修资金, (七) 改建重建, (八) 改变共有部分用途: 3/4 */
    _VOTES_MATTER_MAX
} VotesMatter;

typedef enum VotesChoice {
    VOTES_NONE,     /* no ballot */
    VOTES_YES,
    VOTES_NO,
    VOTES_ABSTAIN,  /* takes part, does not approve */
    _VOTES_CHOICE_MAX
} VotesChoice;

typedef struct VotesUnit {
    const char *id;
    int64_t area_cm2;   /* hundredths of a square metre */
    const char *owner;  /* NULL for an unsold unit */
    bool unsold;
} VotesUnit;

typedef struct VotesBallot {
    const char *unit;
    VotesChoice choice;
} VotesBallot;

/*
 * Thresholds as fractions of integers: a 加装电梯 city's settings or a
 * poll's rule. All zero: art. 278's, by matter.
 */
typedef struct VotesRule {
    int quorum_n, quorum_d;     /* participation, at least; quorum_d 0: art. 278's 2/3 */
    int approval_n, approval_d; /* of those taking part; approval_d 0: by matter */
    bool approval_strict;       /* more than (过半数) rather than at least */
} VotesRule;

typedef struct VotesInput {
    VotesMatter matter;
    VotesRule rule;
    size_t n_units;
    VotesUnit *units;
    size_t n_ballots;
    VotesBallot *ballots;
} VotesInput;

/* A fraction compared with a threshold: value n/d against t_n/t_d. */
typedef struct VotesCondition {
    const char *name;   /* "quorum_area", "quorum_owners", "approval_area", "approval_owners" */
    const char *label;  /* "参与表决的专有部分面积", … */
    int64_t n, d;       /* areas in hundredths of a m² */
    bool area;
    int t_n, t_d;
    bool strict;        /* more than (过半数) rather than at least (以上) */
    bool holds;
} VotesCondition;

#define VOTES_CONDITIONS_MAX 6

typedef struct VotesTally {
    int64_t owners_total, owners_participating, owners_yes; /* a poll: voters */
    int64_t owners_no, owners_abstain;
    int64_t area_total, area_participating, area_yes; /* hundredths of a m² */
    bool by_area;       /* an owners' decision; a poll counts voters only */
    VotesCondition conditions[VOTES_CONDITIONS_MAX];
    int n_conditions;
    bool quorum;
    bool approved;
} VotesTally;

/*
 * Reads {"matter": "special"|"ordinary", "units": [{"id", "area_m2",
 * "owner", "unsold"?}], "ballots": [{"unit", "choice": "yes"|"no"|"abstain"}]}:
 * a 422 naming the field for a missing, unknown or bad value.
 */
Error *votes_tally_parse(Arena *a, json_t *doc, VotesInput *ret);

/*
 * Counts @in, exactly; a 422 naming the field for a unit listed twice, a
 * ballot for a unit not in @in, two ballots for one unit (a double vote),
 * or ballots of one owner's units that disagree.
 */
Error *votes_tally(Arena *a, const VotesInput *in, VotesTally *ret);

/*
 * A residents' poll (民意征集): @total voters on the roll, the counts of
 * each choice, approval by @rule (approval_d 0: more than half of those
 * taking part; quorum_d 0: no quorum).
 */
void votes_poll_tally(int64_t total, int64_t yes, int64_t no, int64_t abstain,
                      const VotesRule *rule, VotesTally *ret);

/*
 * Adds a condition to @t (at most VOTES_CONDITIONS_MAX in all) that must
 * hold for approval: @n/@d at least @t_n/@t_d. For a 加装电梯 city that
 * wants the consent of every owner whose unit the lift occupies.
 */
void votes_tally_require(VotesTally *t, const char *name, const char *label, int64_t n, int64_t d,
                         int t_n, int t_d);

/*
 * {"owners_total", "owners_participating", "area_total", "area_participating",
 *  "quorum", "approved", "conditions": [{"name", "value": "n/d",
 *  "threshold": "n/d", "holds", ...}]}
 */
json_t *votes_tally_json(Arena *a, const VotesTally *t);

/* "71.35%": @n/@d as a percentage to two places, exactly; "—" when @d is 0. */
const char *votes_percent_text(Arena *a, int64_t n, int64_t d);

/* "1234.50": hundredths of a m² written as metres. */
const char *votes_area_text(Arena *a, int64_t cm2);

/*
 * The hash chain over a vote's ballots: each ballot's hash is the SHA-256
 * (hex) of the previous hash ("" for the first), a newline, and the line
 * "vote_id|seq|voter|choice|channel|cast_at_ms|receipt". Changing, adding,
 * dropping or reordering any ballot changes every hash after it and the
 * head kept on the vote. Into @out (65 bytes).
 */
void votes_chain_hash(Arena *a, int64_t vote_id, int64_t seq, const char *voter,
                      const char *choice, const char *channel, int64_t cast_at_ms,
                      const char *receipt, const char *prev, char out[65]);

/* /api/v1/votes/…, /api/v1/households/{id}/property, /api/v1/lifts/… (votes_routes.c) */
struct Router;
void votes_routes_register(struct Router *r);

/*
 * The demo: property records for the demo community, a 加装电梯 project in
 * a 6-floor building with ballots and one objection, a finished poll.
 */
struct Store;
Error *votes_demo(struct Store *st, Arena *a, const char *community, int64_t now_ms,
                  int *ret_n_votes);

/* `linli votes ...` */
int votes_cli(int argc, char **argv);
