#pragma once
/*
 * Volunteers (志愿者) and their service-hours ledger (issue 18).
 *
 * A volunteer is a resident of a community who registered herself from the
 * H5 (or whom staff registered from the console), with skills (stable codes
 * with Chinese labels, plus free text), the times she is available and a
 * status (active, paused). Teams (志愿队) of a community have members and
 * leads, who are volunteers too.
 *
 * Posts (岗位) belong to an activity (src/activities): a name and the number
 * needed. A volunteer takes a post herself or staff assign her; the post's
 * counter, raised by a conditional UPDATE under CHECK (taken <= needed)
 * inside the activity's keyed transaction, keeps the number whatever the
 * races (as activity.taken does for places).
 *
 * The hours ledger (volunteer_hours, schema 35) is append-only: when a
 * volunteer on a post signs out of a session, her minutes there become a
 * pending entry (volunteers_hours_from_attendance, called by the
 * activities' sign-out in the same transaction); a lead of one of her
 * teams, or the community's staff, confirms or rejects it once
 * (volunteers_hours_confirm / volunteers_hours_reject). A correction is a
 * new entry of ± minutes with a reason and its author, confirmed when
 * written. Triggers refuse any DELETE and any UPDATE but a pending entry's
 * one review. volunteer.minutes, the balance, moves with every confirmed
 * entry in the same transaction (under the volunteer's keyed lock), so the
 * sum of her confirmed entries is always her balance, and its CHECK keeps
 * it from going negative (a correction that would: 409).
 *
 * A certificate (志愿服务时长证明, PDF) shows her confirmed hours by year
 * and kind with a QR code to GET /api/v1/volunteers/certificates/{code},
 * which shows the totals the certificate was issued with.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

struct Router;

#define VOLUNTEERS_UTC_OFFSET_MIN 480
#define VOLUNTEERS_MAX_SKILLS 20
#define VOLUNTEERS_MAX_ENTRY_MIN (24 * 60) /* an attendance entry counts at most a day */
#define VOLUNTEERS_MAX_CORRECTION_MIN (1000 * 60)

typedef struct VolunteersCode {
    const char *code;
    const char *label; /* Chinese */
} VolunteersCode;

/* The skills and the availability slots, each ending with a { NULL, NULL }. */
extern const VolunteersCode volunteers_skills[];
extern const VolunteersCode volunteers_slots[];

/* The label of @code in @list, or NULL when @code is not in it. */
const char *volunteers_code_label(const VolunteersCode *list, const char *code);

/* ---- pure rules (volunteers_rules.c), unit-tested ---- */

/*
 * The minutes an attendance from @in_ms to @out_ms counts: to the nearest
 * minute, at most VOLUNTEERS_MAX_ENTRY_MIN; 0 when @out_ms is not after @in_ms.
 */
int64_t volunteers_attendance_minutes(int64_t in_ms, int64_t out_ms);

/* The year and month (1..12) of @ms in China's time (UTC+8). */
void volunteers_year_month(int64_t ms, int *ret_year, int *ret_month);

/* @minutes as hours with one decimal ("12.5"), in @a; negative ones with "-". */
char *volunteers_hours_text(Arena *a, int64_t minutes);

/* ---- the rest of the module ---- */

void volunteers_routes_register(struct Router *r);

/*
 * Called by the activities' sign-out (inside its transaction): when
 * @resident_id is a volunteer on a post of the activity of session
 * @session_id, her attendance there (in_at to out_at) becomes a pending
 * ledger entry (once per session; nothing when she is on no post or it
 * lasted under a minute).
 */
Error *volunteers_hours_from_attendance(Store *st, Arena *a, int64_t session_id,
                                        int64_t resident_id, int64_t now_ms);

/* Whether @resident_id is a volunteer on a post of @activity_id (she signs in without a sign-up). */
Error *volunteers_on_post(Store *st, Arena *a, int64_t activity_id, int64_t resident_id, bool *ret);

/*
 * Confirms pending entry @entry_id by @user_id at @now_ms and adds its
 * minutes to the volunteer's balance, inside the caller's transaction
 * (begun keyed on the volunteer, STORE_LOCK_VOLUNTEER). 409
 * already_reviewed when the entry is no longer pending. This is the one
 * place hours become confirmed: whatever must follow a confirmation (the
 * points module) is called from here. *ret_minutes (may be NULL) receives
 * the entry's minutes.
 */
Error *volunteers_hours_confirm(Store *st, Arena *a, int64_t entry_id, int64_t user_id,
                                int64_t now_ms, int64_t *ret_minutes);

/*
 * Demo volunteers in @community (inside the caller's transaction, after
 * activities_demo): teams with leads, about 20 volunteers with months of
 * confirmed hours, some pending, a correction, posts in upcoming
 * activities. *ret_n counts the volunteers.
 */
Error *volunteers_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n);
