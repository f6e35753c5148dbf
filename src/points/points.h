#pragma once
/*
 * Points (积分) and partner merchants (合伙人 / 以场地换服务), issue 18.
 *
 * Rules: a community's staff set how many points an hour of volunteer
 * service earns (volunteer_hour) and how many an attended activity of each
 * kind earns (attend_<kind>), each with an optional yearly cap per
 * resident; a rule without a row uses POINTS_DEFAULTS.
 *
 * Ledger: one account per resident (points_account) whose balance is the
 * sum of her append-only entries (points_entry: earn, spend, adjust with a
 * reason; triggers refuse UPDATE and DELETE on both stores). The balance
 * never goes negative: CHECK (balance >= 0), and a spend (or a negative
 * adjustment) is one conditional UPDATE … WHERE balance >= cost in the
 * transaction that writes its entry, so no race passes it; 409
 * insufficient_points otherwise, and nothing is written.
 *
 * points_award is what other modules call (inside their transaction):
 * activities when a resident signs in at an activity (attend_<kind>, once
 * per activity), and volunteers when hours are confirmed (volunteer_hour).
 * It is idempotent on (resident, rule, ref_kind, ref_id): a unique index on
 * earn entries, and the account's row lock taken first.
 *
 * Merchants offer services at markets (stalls of market activities),
 * discounts redeemable with points (each with a QR code: a resident scans
 * it, confirms, her points are spent and she gets a receipt code) and
 * courses; the community gives space (m², hours) and free market stalls.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

struct Router;

typedef enum PointsRule {
    POINTS_VOLUNTEER_HOUR,   /* per hour of confirmed volunteer service */
    POINTS_ATTEND_VOLUNTEER, /* per attended activity of kind volunteer … */
    POINTS_ATTEND_COURSE,
    POINTS_ATTEND_MARKET,
    POINTS_ATTEND_SPORTS,
    POINTS_ATTEND_CIVIC,
    _POINTS_RULE_MAX
} PointsRule;

/* Points of each rule where a community set none: 10 an hour, 5/3/1/3/3 an activity. */
#define POINTS_DEFAULTS { 10, 5, 3, 1, 3, 3 }
#define POINTS_MAX_DELTA 100000 /* the largest single adjustment */

const char *points_rule_name(PointsRule r);
const char *points_rule_label(PointsRule r); /* Chinese */
bool points_rule_parse(const char *s, PointsRule *ret);
/* The attendance rule of an activity kind ("course" -> attend_course); false if none. */
bool points_rule_for_activity(const char *activity_kind, PointsRule *ret);

/*
 * Awards @resident_id (of @community) the points of @rule for @quantity
 * (hours for volunteer_hour, times for the attendance rules), rounded down
 * and held to the rule's yearly cap, for reference (@ref_kind, @ref_id),
 * by @actor_id (0: the system), inside the caller's write transaction.
 * Idempotent: a second award for the same resident, rule and reference
 * writes nothing. *ret_points (may be NULL) receives the points written
 * (0 when none: already awarded, a rule of 0 points, the cap reached).
 */
Error *points_award(Store *st, Arena *a, int64_t resident_id, const char *community,
                    PointsRule rule, double quantity, const char *ref_kind, int64_t ref_id,
                    int64_t actor_id, int64_t now_ms, int64_t *ret_points);

void points_routes_register(struct Router *r);
/*
 * Demo rules, merchants with offers, stalls at the demo's markets and a few
 * redemptions in @community (inside the caller's transaction, after
 * activities_demo, whose past attendance earned the points).
 */
Error *points_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n);
