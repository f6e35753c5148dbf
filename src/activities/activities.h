#pragma once
/*
 * Activities (活动): volunteer services, free courses, markets, sports and
 * civic events of a community (issue 18, the core). Staff publish an
 * activity with a time (one session, or a course of N sessions), a place
 * (an address, or a function room booked through the booking module for
 * each session), a capacity, an audience (an age range, descriptive tags)
 * and a sign-up window; residents sign up themselves or one of their
 * household, and a full activity puts them on its waitlist (unless it has
 * none), from which a cancellation promotes the first automatically.
 *
 * Kinds (stable codes, Chinese labels):
 *
 *     volunteer 志愿服务   course 公益课程   market 便民集市
 *     sports    文体活动   civic  议事/宣传
 *
 * Capacity is the database's job: activity.taken counts the confirmed
 * sign-ups under CHECK (taken <= capacity), raised by a conditional UPDATE
 * inside the sign-up's write transaction (schema 34), so no race passes it.
 *
 * Attendance, not sign-ups, is what counts: each session has a token (its
 * QR code) with which a signed-up resident signs in and out from her
 * phone, within the session's time ± ACTIVITIES_TOKEN_MARGIN_MIN; staff
 * sign in residents without phones. A confirmed sign-up of an activity
 * that ended without any sign-in is a no-show (computed at read); too many
 * no-shows in a window suspend new sign-ups, by the community's policy
 * (activity_policy, like the rooms' booking_policy). One attendance row
 * per participant per session keeps in_at and out_at, which a later
 * volunteers' hours ledger can be computed from.
 *
 * Times are Unix milliseconds; ages are computed at the activity's start
 * in China's time (UTC+8).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

struct Router;

#define ACTIVITIES_MAX_SESSIONS 100
#define ACTIVITIES_MAX_TAGS 10
#define ACTIVITIES_MAX_CAPACITY 100000
#define ACTIVITIES_TOKEN_MARGIN_MIN 30 /* a session's QR code works this long before and after */
#define ACTIVITIES_UTC_OFFSET_MIN 480

typedef enum ActivityKind {
    ACTIVITY_VOLUNTEER,
    ACTIVITY_COURSE,
    ACTIVITY_MARKET,
    ACTIVITY_SPORTS,
    ACTIVITY_CIVIC,
    _ACTIVITY_KIND_MAX
} ActivityKind;

const char *activities_kind_name(ActivityKind k);
const char *activities_kind_label(ActivityKind k); /* Chinese */
bool activities_kind_parse(const char *s, ActivityKind *ret);

typedef struct ActivitiesPolicy {
    int no_show_limit; /* no-shows within window_days that suspend */
    int window_days;
    int suspend_days;
} ActivitiesPolicy;

#define ACTIVITIES_POLICY_DEFAULT { 3, 90, 30 }

/* ---- pure rules (activities_rules.c), unit-tested ---- */

/*
 * Age in whole years on the local (UTC+8) day of @at_ms of a resident born
 * on @birth ("YYYY-MM-DD"); -1 when @birth is malformed.
 */
int activities_age_at(const char *birth, int64_t at_ms);

/*
 * Whether someone of @age fits [@age_min, @age_max] (either -1: no bound):
 * 0 when she does, else -1 (too young) or 1 (too old).
 */
int activities_age_fit(int age, int age_min, int age_max);

typedef enum ActivitiesWindow {
    WINDOW_OPEN,
    WINDOW_NOT_YET,
    WINDOW_CLOSED,
} ActivitiesWindow;

/* Where @now_ms stands to the sign-up window [@opens (0: always), @closes). */
ActivitiesWindow activities_signup_window(int64_t opens, int64_t closes, int64_t now_ms);

/* Whether a session [@start, @end) takes its QR code at @now_ms (± the margin). */
bool activities_token_live(int64_t start, int64_t end, int64_t now_ms);

/*
 * The end of the suspension that no-shows at @ends (ascending times, the
 * ends of the activities missed) bring under @p at @now_ms: the latest end
 * t with no_show_limit no-shows in (t - window, t] and t + suspension still
 * ahead, plus the suspension; 0 when none.
 */
int64_t activities_suspended_until(const ActivitiesPolicy *p, const int64_t *ends, size_t n,
                                   int64_t now_ms);

/* ---- the rest of the module ---- */

void activities_routes_register(struct Router *r);
/*
 * Demo activities in @community (inside the caller's transaction): upcoming
 * ones with sign-ups and a waitlist, a course of sessions, a market, past
 * ones with attendance and ratings. *ret_n counts the activities.
 */
Error *activities_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n);
