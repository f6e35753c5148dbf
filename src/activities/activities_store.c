/*
 * Activities' SQL, written once for SQLite and PostgreSQL
 * (docs/POSTGRESQL.md). Places move only by "taken = taken ± 1" updates
 * on the activity row, whose CHECK (taken <= capacity) bounds them (schema
 * 34): a sign-up takes a place with a conditional update and is confirmed
 * only when that update changed the row.
 */
#include <string.h>

#include "activities/activities_store.h"
#include "points/points.h"
#include "core/crypto.h"
#include "core/timeutil.h"
#include "notice/notice.h"
#include "store/store_json.h"
#include "core/banned.h"

/* ---- activities ---- */

static const char SQL_INSERT[] =
    "INSERT INTO activity (community, title, kind, body, place, room_id, start_at, end_at,"
    " capacity, waitlist, walk_in, age_min, age_max, tags, signup_opens, signup_closes,"
    " cancel_until, created_by, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?19) RETURNING id";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO activity_session (activity_id, seq, start_at, end_at, token)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";

static void bind_bound(StoreStmt *s, int idx, int v)
{
    if (v >= 0)
        store_bind_int64(s, idx, v);
    else
        store_bind_null(s, idx);
}

Error *activities_store_insert(Store *st, Arena *a, const ActivityInput *in, int64_t user_id,
                               int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_INSERT);
    int64_t id = 0;
    Error *err;

    store_bind_list(s, "tttttIiiiiinntIiiIi", in->community, in->title,
                    activities_kind_name(in->kind), in->body, in->place, in->room_id, in->start,
                    in->end, in->capacity, (int64_t)in->waitlist, (int64_t)in->walk_in, in->tags_json, in->signup_opens, in->signup_closes, in->cancel_until, user_id,
                    now_ms);
    bind_bound(s, 12, in->age_min);
    bind_bound(s, 13, in->age_max);
    err = store_run_int64(st, a, s, &id);
    if (err)
        return err;
    if (!id)
        return error_internal(a, "activity insert returned no id");
    for (int i = 0; i < in->n_sessions; i++) {
        char token[CRYPTO_TOKEN_CHARS + 1];

        crypto_token_new(token);
        err = store_run(st, a, SQL_SESSION_INSERT, NULL, NULL, NULL, NULL, "iiiit", id,
                        (int64_t)(i + 1), in->sessions[i].start, in->sessions[i].end,
                        arena_strdup(a, token));
        if (err)
            return err;
    }
    *ret_id = id;
    return NULL;
}

static const char SQL_GET[] =
    "SELECT id, community, title, kind, room_id, start_at, end_at, capacity, taken, waitlist,"
    " walk_in, age_min, age_max, signup_opens, signup_closes, cancel_until, state"
    " FROM activity WHERE id = ?1";

Error *activities_store_get(Store *st, Arena *a, int64_t id, Activity **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_GET, "i", id);
    Activity *act = NULL;
    StoreResult r = store_step(s);

    if (r == STORE_ROW) {
        char *state;

        act = arena_zalloc(a, sizeof(*act));
        act->id = store_column_int64(s, 0);
        act->community = store_column_text(s, a, 1);
        act->title = store_column_text(s, a, 2);
        activities_kind_parse(store_column_text(s, a, 3), &act->kind);
        act->room_id = store_column_int64(s, 4);
        act->start = store_column_int64(s, 5);
        act->end = store_column_int64(s, 6);
        act->capacity = store_column_int64(s, 7);
        act->taken = store_column_int64(s, 8);
        act->waitlist = store_column_int64(s, 9) != 0;
        act->walk_in = store_column_int64(s, 10) != 0;
        act->age_min = store_column_is_null(s, 11) ? -1 : (int)store_column_int64(s, 11);
        act->age_max = store_column_is_null(s, 12) ? -1 : (int)store_column_int64(s, 12);
        act->signup_opens = store_column_int64(s, 13);
        act->signup_closes = store_column_int64(s, 14);
        act->cancel_until = store_column_int64(s, 15);
        state = store_column_text(s, a, 16);
        act->cancelled = state && strcmp(state, "cancelled") == 0;
    }
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = act;
    return NULL;
}

static const char SQL_SESSIONS[] =
    "SELECT id, activity_id, seq, start_at, end_at, token, booking_id FROM activity_session"
    " WHERE activity_id = ?1 ORDER BY seq";
static const char SQL_SESSION_BY_TOKEN[] =
    "SELECT id, activity_id, seq, start_at, end_at, token, booking_id FROM activity_session"
    " WHERE token = ?1";

static void session_row(StoreStmt *s, Arena *a, ActivitySession *x)
{
    x->id = store_column_int64(s, 0);
    x->activity_id = store_column_int64(s, 1);
    x->seq = (int)store_column_int64(s, 2);
    x->start = store_column_int64(s, 3);
    x->end = store_column_int64(s, 4);
    x->token = store_column_text(s, a, 5);
    x->booking_id = store_column_int64(s, 6);
}

Error *activities_store_sessions(Store *st, Arena *a, int64_t activity_id, ActivitySession **ret,
                                 size_t *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SESSIONS, "i", activity_id);
    ActivitySession *v = arena_alloc(a, ACTIVITIES_MAX_SESSIONS * sizeof(*v));
    size_t n = 0;
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW && n < ACTIVITIES_MAX_SESSIONS)
        session_row(s, a, &v[n++]);
    store_reset(s);
    if (r == STORE_ERROR || r == STORE_BUSY || r == STORE_CONSTRAINT)
        return store_error(st, a);
    *ret = v;
    *ret_n = n;
    return NULL;
}

Error *activities_store_session_by_token(Store *st, Arena *a, const char *token,
                                         ActivitySession **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SESSION_BY_TOKEN, "t", token);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        *ret = arena_zalloc(a, sizeof(**ret));
        session_row(s, a, *ret);
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

static const char SQL_SESSION_BOOKING[] =
    "UPDATE activity_session SET booking_id = ?2 WHERE id = ?1";

Error *activities_store_session_set_booking(Store *st, Arena *a, int64_t session_id,
                                            int64_t booking_id)
{
    return store_run(st, a, SQL_SESSION_BOOKING, NULL, NULL, NULL, NULL, "ii", session_id,
                     booking_id);
}

static const char SQL_UPDATE[] =
    "UPDATE activity SET title = ?2, body = ?3, place = ?4, capacity = ?5, waitlist = ?6,"
    " walk_in = ?7, age_min = ?8, age_max = ?9, tags = ?10, signup_opens = ?11,"
    " signup_closes = ?12, cancel_until = ?13, updated_at = ?14 WHERE id = ?1";

Error *activities_store_update(Store *st, Arena *a, int64_t id, const ActivityInput *in,
                               int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_UPDATE);

    store_bind_list(s, "itttiiinntIiii", id, in->title, in->body, in->place, in->capacity,
                    (int64_t)in->waitlist, (int64_t)in->walk_in, in->tags_json,
                    in->signup_opens, in->signup_closes, in->cancel_until, now_ms);
    bind_bound(s, 8, in->age_min);
    bind_bound(s, 9, in->age_max);
    switch (store_step(s)) {
    case STORE_DONE:
    case STORE_ROW:
        store_reset(s);
        return NULL;
    case STORE_CONSTRAINT:
        store_reset(s);
        return error_conflict(a, "capacity", "capacity_below_signups",
                              "名额不能少于已报名的人数");
    default:
        store_reset(s);
        return store_error(st, a);
    }
}

static const char SQL_CANCEL[] =
    "UPDATE activity SET state = 'cancelled', cancel_reason = ?2, updated_at = ?3"
    " WHERE id = ?1 AND state = 'open'";

Error *activities_store_cancel(Store *st, Arena *a, int64_t id, const char *reason, int64_t now_ms)
{
    int64_t n = 0;
    Error *err = store_run(st, a, SQL_CANCEL, NULL, NULL, NULL, &n, "iti", id, reason, now_ms);

    if (!err && n == 0)
        err = error_conflict(a, NULL, "already_cancelled", "该活动已取消");
    return err;
}

static const char SQL_SIGNUP_USERS[] =
    "SELECT DISTINCT user_id FROM activity_signup WHERE activity_id = ?1 AND state <> 'cancelled'";

Error *activities_store_signup_users(Store *st, Arena *a, int64_t activity_id, int64_t **ret,
                                     size_t *ret_n)
{
    return store_run_ids(st, a, store_prepare_bind(st, a, SQL_SIGNUP_USERS, "i", activity_id), ret,
                         ret_n);
}

#define ACTIVITY_COLUMNS                                                                          \
    "a.id, a.community, d.name AS community_name, a.title, a.kind, a.body, a.place, a.room_id,"   \
    " r.name AS room_name, a.start_at AS start, a.end_at AS \"end\", a.capacity, a.taken,"        \
    " (SELECT count(*) FROM activity_signup w WHERE w.activity_id = a.id"                         \
    " AND w.state = 'waitlisted') AS waiting, a.waitlist, a.walk_in, a.age_min, a.age_max,"       \
    " a.tags, a.signup_opens, a.signup_closes, a.cancel_until, a.state, a.cancel_reason,"         \
    " (SELECT count(*) FROM activity_session x WHERE x.activity_id = a.id) AS n_sessions,"        \
    " a.created_at"
#define ACTIVITY_TYPES "ittttttitTTiiibbiijTTTttiT"

static const char SQL_JSON[] =
    "SELECT " ACTIVITY_COLUMNS " FROM activity a LEFT JOIN division d ON d.code = a.community"
    " LEFT JOIN room r ON r.id = a.room_id WHERE a.id = ?1";
static const char SQL_SESSIONS_JSON[] =
    "SELECT id, seq, start_at AS start, end_at AS \"end\", booking_id,"
    " (SELECT count(*) FROM activity_attendance t WHERE t.session_id = s.id) AS attended"
    " FROM activity_session s WHERE activity_id = ?1 ORDER BY seq";
static const char SQL_SESSIONS_TOKENS_JSON[] =
    "SELECT id, seq, start_at AS start, end_at AS \"end\", booking_id,"
    " (SELECT count(*) FROM activity_attendance t WHERE t.session_id = s.id) AS attended, token"
    " FROM activity_session s WHERE activity_id = ?1 ORDER BY seq";
static const char SQL_RATING_SUM[] =
    "SELECT count(*), coalesce(sum(score), 0) FROM activity_rating WHERE activity_id = ?1";

/* upcoming, ongoing, ended or cancelled, for an activity in @state from @start to @end */
static const char *activity_status(const char *state, int64_t start, int64_t end, int64_t now_ms)
{
    return state && strcmp(state, "cancelled") == 0 ? "cancelled"
           : now_ms < start                       ? "upcoming"
           : now_ms < end                         ? "ongoing"
                                                  : "ended";
}

/* Adds kind_label and status to an object with the activity's kind and, in @state_key, state. */
static void decorate(json_t *o, const char *state_key, int64_t start, int64_t end, int64_t now_ms)
{
    ActivityKind k = ACTIVITY_VOLUNTEER;
    const char *state = json_string_value(json_object_get(o, state_key));

    activities_kind_parse(json_string_value(json_object_get(o, "kind")), &k);
    json_object_set_new(o, "kind_label", json_string(activities_kind_label(k)));
    json_object_set_new(o, "status", json_string(activity_status(state, start, end, now_ms)));
}

Error *activities_store_json(Store *st, Arena *a, int64_t id, bool tokens, int64_t now_ms,
                             json_t **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_JSON, "i", id);
    json_t *o = NULL, *sessions = NULL;
    int64_t start = 0, end = 0, n_ratings = 0, sum = 0;
    StoreResult r = store_step(s);
    Error *err;

    if (r == STORE_ROW) {
        o = store_row_json(s, a, ACTIVITY_TYPES);
        start = store_column_int64(s, 9);
        end = store_column_int64(s, 10);
    }
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = NULL;
    if (!o)
        return NULL;
    decorate(o, "state", start, end, now_ms);
    err = store_rows_json(st, a,
                    store_prepare_bind(st, a, tokens ? SQL_SESSIONS_TOKENS_JSON : SQL_SESSIONS_JSON,
                                       "i", id),
                    tokens ? "iiTTiit" : "iiTTii", &sessions);
    if (err) {
        json_decref(o);
        return err;
    }
    json_object_set_new(o, "sessions", sessions);
    s = store_prepare_bind(st, a, SQL_RATING_SUM, "i", id);
    r = store_step(s);
    if (r == STORE_ROW) {
        n_ratings = store_column_int64(s, 0);
        sum = store_column_int64(s, 1);
    }
    store_reset(s);
    if (r != STORE_ROW) {
        json_decref(o);
        return store_error(st, a);
    }
    json_object_set_new(o, "ratings", json_integer(n_ratings));
    json_object_set_new(o, "rating_avg",
                        n_ratings ? json_real((double)(sum * 100 / n_ratings) / 100.0) : json_null());
    *ret = o;
    return NULL;
}

/*
 * The list: upcoming (and ongoing) first, soonest first; then the ended
 * ones, latest first. Each part is its own query, so that neither reads a
 * street's whole history: the communities of the range one by one
 * (community IN (the division's codes), as the residents' list does), the
 * upcoming found by their end (index activity_community_end, schema 42),
 * the ended by their start (activity_community) within a window of recent
 * months that widens until it holds the page. One query ordered by a CASE
 * sorted every activity of the street for each page (docs: bench/README.md).
 */
#define LIST_SELECT                                                                                \
    "SELECT " ACTIVITY_COLUMNS ", a.start_at, a.end_at"                                           \
    " FROM activity a LEFT JOIN division d ON d.code = a.community"                               \
    " LEFT JOIN room r ON r.id = a.room_id"
#define LIST_WHERE                                                                                 \
    " WHERE a.community IN (SELECT c.code FROM division c WHERE c.code >= ?1 AND c.code < ?2)"    \
    " AND (CAST(?3 AS TEXT) IS NULL OR a.kind = ?3)"                                               \
    " AND (?4 = 0 OR a.end_at > ?4) AND (?5 = 0 OR a.start_at < ?5)"

static const char SQL_LIST_UPCOMING[] =
    LIST_SELECT LIST_WHERE " AND a.end_at > ?6 AND a.start_at >= ?9"
    " ORDER BY a.start_at, a.id LIMIT ?7 OFFSET ?8";
static const char SQL_LIST_ENDED[] =
    LIST_SELECT LIST_WHERE " AND a.end_at <= ?6 AND a.start_at >= ?9"
    " ORDER BY a.start_at DESC, a.id LIMIT ?7 OFFSET ?8";
static const char SQL_COUNT_UPCOMING[] =
    "SELECT count(*) FROM activity a" LIST_WHERE " AND a.end_at > ?6";
static const char SQL_COUNT[] = "SELECT count(*) FROM activity a" LIST_WHERE;

/* the ended part's windows: the last month, year, five years, then all */
static const int64_t ENDED_WINDOW_DAYS[] = { 31, 366, 5 * 366, 0 };

/* Appends up to @limit rows of @sql (bound as the list binds it) to @items; *ret_n: how many. */
static Error *list_part(Store *st, Arena *a, const char *sql, const ActivitiesFilter *f,
                        int64_t limit, int64_t offset, int64_t since, json_t *items,
                        int64_t *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, sql, "tttiiiiii", f->lo, f->hi, f->kind, f->from,
                                      f->to, f->now, limit, offset, since);
    int ncol = (int)strlen(ACTIVITY_TYPES);
    StoreResult r;
    int64_t n = 0;

    while ((r = store_step(s)) == STORE_ROW) {
        json_t *o = store_row_json(s, a, ACTIVITY_TYPES);

        decorate(o, "state", store_column_int64(s, ncol), store_column_int64(s, ncol + 1),
                 f->now);
        json_object_del(o, "body");
        json_array_append_new(items, o);
        n++;
    }
    store_reset(s);
    *ret_n = n;
    return r == STORE_DONE ? NULL : store_error(st, a);
}

/* @sql binds the filter's ?1..?5 and, with @upcoming, now as ?6. */
static Error *list_count(Store *st, Arena *a, const char *sql, bool upcoming,
                         const ActivitiesFilter *f, int64_t *ret)
{
    return store_run_int64(st, a,
                           store_prepare_bind(st, a, sql, upcoming ? "tttiii" : "tttii", f->lo,
                                              f->hi, f->kind, f->from, f->to, f->now),
                           ret);
}

Error *activities_store_list(Store *st, Arena *a, const ActivitiesFilter *f, json_t **ret_items,
                             int64_t *ret_total)
{
    json_t *items = json_array();
    int64_t upcoming = 0, got = 0, n = 0;
    Error *err = list_count(st, a, SQL_COUNT_UPCOMING, true, f, &upcoming);

    if (!err && f->offset < upcoming)
        err = list_part(st, a, SQL_LIST_UPCOMING, f, f->limit, f->offset, INT64_MIN, items, &got);
    /*
     * The ended part from its own offset. A window of recent starts that
     * yields the whole page holds the page: every activity outside it
     * started earlier, so comes later in the order.
     */
    for (size_t w = 0; !err && got < f->limit && w < ARRAY_SIZE(ENDED_WINDOW_DAYS); w++) {
        int64_t days = ENDED_WINDOW_DAYS[w];
        int64_t since = days ? f->now - days * 86400000 : INT64_MIN;
        size_t mark = json_array_size(items);

        err = list_part(st, a, SQL_LIST_ENDED, f, f->limit - got,
                        f->offset > upcoming ? f->offset - upcoming : 0, since, items, &n);
        if (!err && n < f->limit - got && days) {
            /* too few in the window: drop them and widen it */
            while (json_array_size(items) > mark)
                json_array_remove(items, json_array_size(items) - 1);
            continue;
        }
        got += n;
        break;
    }
    if (!err)
        err = list_count(st, a, SQL_COUNT, false, f, ret_total);
    if (err) {
        json_decref(items);
        return err;
    }
    *ret_items = items;
    return NULL;
}

/* ---- people ---- */

/* Her own resident, or a household's account: the household's first active resident. */
static const char SQL_USER_RESIDENT[] =
    "SELECT coalesce(u.resident_id, (SELECT min(r.id) FROM resident r"
    " WHERE r.household_id = u.household_id AND r.status = 'active'))"
    " FROM app_user u WHERE u.id = ?1 AND u.role = 'resident'";
static const char SQL_RESIDENT[] =
    "SELECT id, household_id, community, name, birth_date, status FROM resident WHERE id = ?1";

Error *activities_store_user_resident(Store *st, Arena *a, int64_t user_id, int64_t *ret)
{
    return store_run_int64(st, a, store_prepare_bind(st, a, SQL_USER_RESIDENT, "i", user_id), ret);
}

Error *activities_store_resident(Store *st, Arena *a, int64_t id, ActivityResident **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_RESIDENT, "i", id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        ActivityResident *x = arena_zalloc(a, sizeof(*x));
        const char *status;

        x->id = store_column_int64(s, 0);
        x->household_id = store_column_int64(s, 1);
        x->community = store_column_text(s, a, 2);
        x->name = store_column_text(s, a, 3);
        x->birth_date = store_column_text(s, a, 4);
        status = store_column_text(s, a, 5);
        x->active = status && strcmp(status, "active") == 0;
        *ret = x;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/* ---- sign-ups ---- */

static const char SQL_TAKE_PLACE[] =
    "UPDATE activity SET taken = taken + 1 WHERE id = ?1 AND state = 'open' AND taken < capacity";
static const char SQL_FREE_PLACE[] =
    "UPDATE activity SET taken = taken - 1 WHERE id = ?1 AND taken > 0";
static const char SQL_SIGNUP_INSERT[] =
    "INSERT INTO activity_signup (activity_id, resident_id, user_id, state, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
static const char SQL_SIGNUP_GET[] =
    "SELECT id, activity_id, resident_id, user_id, state, created_at,"
    " (SELECT count(*) FROM activity_signup w WHERE w.activity_id = s.activity_id"
    " AND w.state = 'waitlisted' AND w.id <= s.id) FROM activity_signup s WHERE id = ?1";
static const char SQL_SIGNUP_LIVE[] =
    "SELECT id FROM activity_signup WHERE activity_id = ?1 AND resident_id = ?2"
    " AND state <> 'cancelled'";

Error *activities_store_signup_get(Store *st, Arena *a, int64_t id, ActivitySignup **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SIGNUP_GET, "i", id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        ActivitySignup *x = arena_zalloc(a, sizeof(*x));

        x->id = store_column_int64(s, 0);
        x->activity_id = store_column_int64(s, 1);
        x->resident_id = store_column_int64(s, 2);
        x->user_id = store_column_int64(s, 3);
        x->state = store_column_text(s, a, 4);
        x->created_at = store_column_int64(s, 5);
        x->position = strcmp(x->state, "waitlisted") == 0 ? store_column_int64(s, 6) : 0;
        *ret = x;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *activities_store_signup_live(Store *st, Arena *a, int64_t activity_id, int64_t resident_id,
                                    ActivitySignup **ret)
{
    int64_t id = 0;
    Error *err = store_run_int64(
        st, a, store_prepare_bind(st, a, SQL_SIGNUP_LIVE, "ii", activity_id, resident_id), &id);

    *ret = NULL;
    if (err || !id)
        return err;
    return activities_store_signup_get(st, a, id, ret);
}

Error *activities_store_signup(Store *st, Arena *a, const Activity *act, int64_t resident_id,
                               int64_t user_id, int64_t now_ms, ActivitySignup **ret)
{
    int64_t taken = 0, id = 0;
    Error *err;

    err = store_run(st, a, SQL_TAKE_PLACE, NULL, NULL, NULL, &taken, "i", act->id);
    if (err)
        return err;
    if (taken == 0 && !act->waitlist)
        return error_conflict(a, NULL, "full", "名额已满，本活动不设候补");
    err = store_insert(st, a, SQL_SIGNUP_INSERT, "resident_id", "already_signed_up",
                       "已经报名了这个活动，不用重复报名", &id, "iiiti", act->id, resident_id,
                       user_id, taken ? "confirmed" : "waitlisted", now_ms);
    if (err)
        return err;
    return activities_store_signup_get(st, a, id, ret);
}

static const char SQL_SIGNUPS_OF_USER[] =
    "SELECT s.id, s.resident_id, r.name AS resident_name, s.state, s.created_at,"
    " CASE WHEN s.state = 'waitlisted' THEN (SELECT count(*) FROM activity_signup w"
    " WHERE w.activity_id = s.activity_id AND w.state = 'waitlisted' AND w.id <= s.id) END"
    " AS position,"
    " (SELECT count(*) FROM activity_attendance t WHERE t.activity_id = s.activity_id"
    " AND t.resident_id = s.resident_id) AS attended"
    " FROM activity_signup s JOIN resident r ON r.id = s.resident_id"
    " WHERE s.activity_id = ?1 AND s.user_id = ?2 AND s.state <> 'cancelled' ORDER BY s.id";
static const char SQL_SIGNUPS_ALL[] =
    "SELECT s.id, s.resident_id, r.name AS resident_name, r.birth_date, s.user_id, s.state,"
    " s.created_at, s.cancelled_at,"
    " CASE WHEN s.state = 'waitlisted' THEN (SELECT count(*) FROM activity_signup w"
    " WHERE w.activity_id = s.activity_id AND w.state = 'waitlisted' AND w.id <= s.id) END"
    " AS position,"
    " (SELECT count(*) FROM activity_attendance t WHERE t.activity_id = s.activity_id"
    " AND t.resident_id = s.resident_id) AS attended"
    " FROM activity_signup s JOIN resident r ON r.id = s.resident_id"
    " WHERE s.activity_id = ?1 ORDER BY CASE s.state WHEN 'confirmed' THEN 0"
    " WHEN 'waitlisted' THEN 1 ELSE 2 END, s.id";
static const char SQL_ATTENDANCE_JSON[] =
    "SELECT t.session_id, x.seq, t.resident_id, r.name AS resident_name, t.signup_id,"
    " t.in_at, t.out_at FROM activity_attendance t JOIN activity_session x ON x.id = t.session_id"
    " JOIN resident r ON r.id = t.resident_id WHERE t.activity_id = ?1 ORDER BY x.seq, t.in_at";

Error *activities_store_signups_of_user(Store *st, Arena *a, int64_t activity_id, int64_t user_id,
                                        json_t **ret)
{
    return store_rows_json(st, a,
                     store_prepare_bind(st, a, SQL_SIGNUPS_OF_USER, "ii", activity_id, user_id),
                     "iittTii", ret);
}

static const char SQL_MINE[] =
    "SELECT s.id, s.activity_id, a.title, a.kind, a.place, m.name AS room_name,"
    " a.start_at AS start, a.end_at AS \"end\", a.state AS activity_state, s.resident_id,"
    " r.name AS resident_name, s.state,"
    " CASE WHEN s.state = 'waitlisted' THEN (SELECT count(*) FROM activity_signup w"
    " WHERE w.activity_id = s.activity_id AND w.state = 'waitlisted' AND w.id <= s.id) END"
    " AS position,"
    " (SELECT count(*) FROM activity_attendance t WHERE t.activity_id = s.activity_id"
    " AND t.resident_id = s.resident_id) AS attended,"
    " (SELECT count(*) FROM activity_rating g WHERE g.activity_id = s.activity_id"
    " AND g.resident_id = s.resident_id) AS rated, a.cancel_until, a.start_at, a.end_at"
    " FROM activity_signup s JOIN activity a ON a.id = s.activity_id"
    " JOIN resident r ON r.id = s.resident_id LEFT JOIN room m ON m.id = a.room_id"
    " WHERE s.user_id = ?1 AND s.state <> 'cancelled'"
    " ORDER BY CASE WHEN a.end_at > ?2 THEN 0 ELSE 1 END,"
    " CASE WHEN a.end_at > ?2 THEN a.start_at ELSE -a.start_at END, s.id LIMIT 200";
#define MINE_TYPES "iittttTTtittibbT"

Error *activities_store_mine(Store *st, Arena *a, int64_t user_id, int64_t self_id, int64_t now_ms,
                             json_t **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_MINE, "ii", user_id, now_ms);
    int ncol = (int)strlen(MINE_TYPES);
    json_t *items = json_array();
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        json_t *o = store_row_json(s, a, MINE_TYPES);

        decorate(o, "activity_state", store_column_int64(s, ncol), store_column_int64(s, ncol + 1),
                 now_ms);
        json_object_set_new(o, "self",
                            json_boolean(json_integer_value(json_object_get(o, "resident_id")) ==
                                         self_id));
        json_array_append_new(items, o);
    }
    store_reset(s);
    if (r != STORE_DONE) {
        json_decref(items);
        return store_error(st, a);
    }
    *ret = items;
    return NULL;
}

Error *activities_store_signups_json(Store *st, Arena *a, int64_t activity_id, json_t **ret)
{
    json_t *signups = NULL, *attendance = NULL;
    Error *err;

    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_SIGNUPS_ALL, "i", activity_id),
                    "iittitTTii", &signups);
    if (err)
        return err;
    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_ATTENDANCE_JSON, "i", activity_id),
                    "iiitiTT", &attendance);
    if (err) {
        json_decref(signups);
        return err;
    }
    *ret = json_pack("{s:o, s:o}", "signups", signups, "attendance", attendance);
    return NULL;
}

static const char SQL_SIGNUP_CANCEL[] =
    "UPDATE activity_signup SET state = 'cancelled', cancelled_at = ?3, cancelled_by = ?4"
    " WHERE id = ?1 AND state = ?2";

Error *activities_store_signup_cancel(Store *st, Arena *a, const ActivitySignup *s,
                                      int64_t actor_id, int64_t now_ms)
{
    int64_t n = 0;
    Error *err;

    if (strcmp(s->state, "cancelled") == 0)
        return error_conflict(a, NULL, "not_signed_up", "这个报名已经取消了");
    err = store_run(st, a, SQL_SIGNUP_CANCEL, NULL, NULL, NULL, &n, "itiI", s->id, s->state,
                    now_ms, actor_id);
    if (!err && n == 0)
        err = error_conflict(a, NULL, "state_changed", "报名状态已变化，请刷新后再试");
    if (!err && strcmp(s->state, "confirmed") == 0)
        err = store_run(st, a, SQL_FREE_PLACE, NULL, NULL, NULL, NULL, "i", s->activity_id);
    return err;
}

static const char SQL_FIRST_WAITING[] =
    "SELECT id, user_id FROM activity_signup WHERE activity_id = ?1 AND state = 'waitlisted'"
    " ORDER BY id LIMIT 1";
static const char SQL_PROMOTE[] =
    "UPDATE activity_signup SET state = 'confirmed', promoted_at = ?2"
    " WHERE id = ?1 AND state = 'waitlisted'";

Error *activities_store_promote(Store *st, Arena *a, const Activity *act, int64_t now_ms, int *ret_n)
{
    int n = 0;
    Error *err = NULL;

    for (;;) {
        StoreStmt *s = store_prepare_bind(st, a, SQL_FIRST_WAITING, "i", act->id);
        int64_t id = 0, user_id = 0, taken = 0;
        StoreResult r = store_step(s);

        if (r == STORE_ROW) {
            id = store_column_int64(s, 0);
            user_id = store_column_int64(s, 1);
        }
        store_reset(s);
        if (r != STORE_ROW && r != STORE_DONE)
            return store_error(st, a);
        if (!id)
            break;
        err = store_run(st, a, SQL_TAKE_PLACE, NULL, NULL, NULL, &taken, "i", act->id);
        if (err || !taken)
            break;
        err = store_run(st, a, SQL_PROMOTE, NULL, NULL, NULL, NULL, "ii", id, now_ms);
        if (!err)
            err = notice_add(st, a, user_id, "activity.promoted", "候补成功：您已获得活动名额",
                             act->title, arena_sprintf(a, "/activities/%lld", (long long)act->id));
        if (err)
            break;
        n++;
    }
    if (ret_n)
        *ret_n = n;
    return err;
}

/* ---- no-shows ---- */

static const char SQL_POLICY[] =
    "SELECT no_show_limit, window_days, suspend_days FROM activity_policy WHERE community = ?1";
static const char SQL_POLICY_SET[] =
    "INSERT INTO activity_policy (community, no_show_limit, window_days, suspend_days, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (community) DO UPDATE SET"
    " no_show_limit = excluded.no_show_limit, window_days = excluded.window_days,"
    " suspend_days = excluded.suspend_days, updated_at = excluded.updated_at";

Error *activities_store_policy(Store *st, Arena *a, const char *community, ActivitiesPolicy *ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_POLICY, "t", community);
    ActivitiesPolicy def = ACTIVITIES_POLICY_DEFAULT;
    StoreResult r = store_step(s);

    *ret = def;
    if (r == STORE_ROW) {
        ret->no_show_limit = (int)store_column_int64(s, 0);
        ret->window_days = (int)store_column_int64(s, 1);
        ret->suspend_days = (int)store_column_int64(s, 2);
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *activities_store_policy_set(Store *st, Arena *a, const char *community,
                                   const ActivitiesPolicy *p, int64_t now_ms)
{
    return store_run(st, a, SQL_POLICY_SET, NULL, NULL, NULL, NULL, "tiiii", community,
                     (int64_t)p->no_show_limit, (int64_t)p->window_days,
                     (int64_t)p->suspend_days, now_ms);
}

static const char SQL_NO_SHOWS[] =
    "SELECT a.end_at FROM activity_signup s JOIN activity a ON a.id = s.activity_id"
    " WHERE s.resident_id = ?1 AND s.state = 'confirmed' AND a.state = 'open'"
    " AND a.end_at > ?2 AND a.end_at <= ?3"
    " AND NOT EXISTS (SELECT 1 FROM activity_attendance t WHERE t.activity_id = a.id"
    " AND t.resident_id = s.resident_id) ORDER BY a.end_at LIMIT 1000";

Error *activities_store_no_shows(Store *st, Arena *a, int64_t resident_id, int64_t since_ms,
                                 int64_t now_ms, int64_t **ret, size_t *ret_n)
{
    return store_run_ids(
        st, a, store_prepare_bind(st, a, SQL_NO_SHOWS, "iii", resident_id, since_ms, now_ms), ret,
        ret_n);
}

/* ---- attendance and ratings ---- */

static const char SQL_ATTEND_IN[] =
    "INSERT INTO activity_attendance (session_id, resident_id, activity_id, signup_id, in_at, in_by)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_ATTEND_OUT[] =
    "UPDATE activity_attendance SET out_at = ?3, out_by = ?4"
    " WHERE session_id = ?1 AND resident_id = ?2 AND out_at IS NULL";
static const char SQL_ATTEND_ROW[] =
    "SELECT session_id, resident_id, in_at, out_at FROM activity_attendance"
    " WHERE session_id = ?1 AND resident_id = ?2";

Error *activities_store_attend(Store *st, Arena *a, const ActivitySession *sess,
                               int64_t resident_id, int64_t signup_id, bool in, int64_t actor_id,
                               int64_t now_ms, json_t **ret)
{
    json_t *rows = NULL;
    int64_t n = 0, points = 0;
    Activity *act = NULL;
    PointsRule rule;
    Error *err;

    if (in) {
        err = store_run(st, a, SQL_ATTEND_IN, "action", "already_in", "已经签到过了", NULL,
                        "iiiIiI", sess->id, resident_id, sess->activity_id, signup_id, now_ms,
                        actor_id);
        /* attendance earns the points of its kind, once per activity (points.h) */
        if (!err)
            err = activities_store_get(st, a, sess->activity_id, &act);
        if (!err && act && points_rule_for_activity(activities_kind_name(act->kind), &rule))
            err = points_award(st, a, resident_id, act->community, rule, 1, "activity", act->id,
                               actor_id, now_ms, &points);
    } else {
        err = store_run(st, a, SQL_ATTEND_OUT, NULL, NULL, NULL, &n, "iiiI", sess->id,
                        resident_id, now_ms, actor_id);
        if (!err && n == 0) {
            bool any = false;

            err = activities_store_attended(st, a, sess->activity_id, resident_id, &any);
            if (!err)
                err = error_conflict(a, "action", any ? "already_out" : "not_in",
                                     any ? "已经签退过了" : "还没有签到，请先签到");
        }
    }
    if (err)
        return err;
    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_ATTEND_ROW, "ii", sess->id, resident_id),
                    "iiTT", &rows);
    if (err)
        return err;
    *ret = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (!*ret)
        return error_internal(a, "attendance row of session %lld vanished", (long long)sess->id);
    json_object_set_new(*ret, "activity_id", json_integer(sess->activity_id));
    json_object_set_new(*ret, "seq", json_integer(sess->seq));
    json_object_set_new(*ret, "points", json_integer(points));
    return NULL;
}

static const char SQL_ATTENDED[] =
    "SELECT count(*) FROM activity_attendance WHERE activity_id = ?1 AND resident_id = ?2";

Error *activities_store_attended(Store *st, Arena *a, int64_t activity_id, int64_t resident_id,
                                 bool *ret)
{
    int64_t n = 0;
    Error *err = store_run_int64(
        st, a, store_prepare_bind(st, a, SQL_ATTENDED, "ii", activity_id, resident_id), &n);

    *ret = n > 0;
    return err;
}

static const char SQL_RATE[] =
    "INSERT INTO activity_rating (activity_id, resident_id, user_id, score, comment, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

Error *activities_store_rate(Store *st, Arena *a, int64_t activity_id, int64_t resident_id,
                             int64_t user_id, int score, const char *comment, int64_t now_ms)
{
    return store_run(st, a, SQL_RATE, "score", "already_rated", "您已经评价过这个活动了", NULL,
                     "iiiiti", activity_id, resident_id, user_id, (int64_t)score,
                     comment ? comment : "", now_ms);
}

/* ---- stats ---- */

/*
 * Per kind: activities, confirmed sign-ups, and of the ended ones the
 * confirmed sign-ups and those who came (attended at least once).
 */
static const char SQL_STATS_KIND[] =
    "SELECT a.kind, count(*) AS activities, coalesce(sum(a.taken), 0) AS signups,"
    " coalesce(sum(CASE WHEN a.end_at <= ?5 THEN a.taken ELSE 0 END), 0) AS ended_signups,"
    " coalesce(sum(CASE WHEN a.end_at <= ?5 THEN (SELECT count(*) FROM activity_signup s"
    " WHERE s.activity_id = a.id AND s.state = 'confirmed' AND EXISTS (SELECT 1"
    " FROM activity_attendance t WHERE t.activity_id = a.id AND t.resident_id = s.resident_id))"
    " ELSE 0 END), 0) AS attended"
    " FROM activity a WHERE a.community >= ?1 AND a.community < ?2 AND a.start_at >= ?3"
    " AND a.start_at < ?4 AND a.state = 'open' GROUP BY a.kind ORDER BY a.kind";
static const char SQL_STATS_RATINGS[] =
    "SELECT g.score, count(*) FROM activity_rating g JOIN activity a ON a.id = g.activity_id"
    " WHERE a.community >= ?1 AND a.community < ?2 AND a.start_at >= ?3 AND a.start_at < ?4"
    " GROUP BY g.score ORDER BY g.score";
static const char SQL_STATS_PEOPLE[] =
    "SELECT count(*), coalesce(sum(CASE WHEN p.n >= 2 THEN 1 ELSE 0 END), 0) FROM"
    " (SELECT t.resident_id, count(DISTINCT t.activity_id) AS n FROM activity_attendance t"
    " JOIN activity a ON a.id = t.activity_id WHERE a.community >= ?1 AND a.community < ?2"
    " AND a.start_at >= ?3 AND a.start_at < ?4 GROUP BY t.resident_id) p";

/*
 * Reach: the community's active residents by age band (at the period's
 * last day) and by building, and how many of them attended an activity of
 * the scope in the period. ?5..?8 are the birth dates on or before which
 * one is 80, 60, 35 and 18.
 */
#define SQL_REACH_ROWS                                                                        \
    " FROM (SELECT r.building_id, CASE WHEN r.birth_date <= ?5 THEN 4"                        \
    " WHEN r.birth_date <= ?6 THEN 3 WHEN r.birth_date <= ?7 THEN 2"                          \
    " WHEN r.birth_date <= ?8 THEN 1 ELSE 0 END AS band,"                                     \
    " CASE WHEN EXISTS (SELECT 1 FROM activity_attendance t JOIN activity a"                  \
    " ON a.id = t.activity_id WHERE t.resident_id = r.id AND a.community >= ?1"               \
    " AND a.community < ?2 AND a.start_at >= ?3 AND a.start_at < ?4) THEN 1 ELSE 0 END AS hit" \
    " FROM resident r WHERE r.community >= ?1 AND r.community < ?2 AND r.status = 'active') p"
static const char SQL_REACH_AGE[] =
    "SELECT p.band, count(*) AS residents, coalesce(sum(p.hit), 0) AS reached" SQL_REACH_ROWS
    " GROUP BY p.band ORDER BY p.band";
static const char SQL_REACH_BUILDING[] =
    "SELECT b.id AS building_id, b.name, b.community, count(*) AS residents,"
    " coalesce(sum(p.hit), 0) AS reached" SQL_REACH_ROWS
    " JOIN building b ON b.id = p.building_id GROUP BY b.id, b.name, b.community"
    " ORDER BY b.community, b.name";

static const char *const REACH_BANDS[] = { "0-17 岁", "18-34 岁", "35-59 岁", "60-79 岁",
                                           "80 岁及以上" };

static const char SQL_DEMAND_BY_COMMUNITY[] =
    "SELECT x.community, x.kind, x.title, count(*), sum(x.signups), sum(x.waited), sum(x.was_full)"
    " FROM (SELECT a.community AS community, a.kind AS kind, a.title AS title,"
    " (SELECT count(*) FROM activity_signup s WHERE s.activity_id = a.id"
    " AND s.state <> 'cancelled') AS signups,"
    " (SELECT count(*) FROM activity_signup s WHERE s.activity_id = a.id AND s.state <> 'cancelled'"
    " AND (s.state = 'waitlisted' OR s.promoted_at IS NOT NULL)) AS waited,"
    " CASE WHEN a.taken >= a.capacity OR EXISTS (SELECT 1 FROM activity_signup s"
    " WHERE s.activity_id = a.id AND (s.state = 'waitlisted' OR s.promoted_at IS NOT NULL))"
    " THEN 1 ELSE 0 END AS was_full"
    " FROM activity a WHERE a.community >= ?1 AND a.community < ?2 AND a.start_at >= ?3"
    " AND a.start_at < ?4 AND a.state = 'open') x"
    " GROUP BY x.community, x.kind, x.title";

Error *activities_store_demand_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                            int64_t from, int64_t to, CountRows *out)
{
    return store_count_rows(st, a,
                            store_prepare_bind(st, a, SQL_DEMAND_BY_COMMUNITY, "ttii", lo, hi, from,
                                               to),
                            out);
}

static double rate(int64_t part, int64_t whole);

/* Adds rate to every row of @rows from its residents and reached. */
static void reach_rates(json_t *rows)
{
    size_t i;
    json_t *v;

    json_array_foreach (rows, i, v)
        json_object_set_new(v, "rate",
                            json_real(rate(json_integer_value(json_object_get(v, "reached")),
                                           json_integer_value(json_object_get(v, "residents")))));
}

static Error *activities_store_reach(Store *st, Arena *a, const char *lo, const char *hi,
                                     int64_t from, int64_t to, json_t **ret)
{
    static const int years[] = { 80, 60, 35, 18 };
    char cut[4][11];
    int y, m, d, minute;
    int64_t last_day, counts[2][5] = { { 0 } };
    json_t *rows = NULL, *ages, *v;
    size_t i;
    Error *err;

    time_local(to - 1, ACTIVITIES_UTC_OFFSET_MIN, &last_day, &minute); /* the period's last day */
    civil_from_days(last_day, &y, &m, &d);
    for (i = 0; i < 4; i++)
        snprintf(cut[i], sizeof(cut[i]), "%04d-%02d-%02d", y - years[i], m, d);
    err = store_rows_json(st, a,
                          store_prepare_bind(st, a, SQL_REACH_AGE, "ttiitttt", lo, hi, from, to,
                                             cut[0], cut[1], cut[2], cut[3]),
                          "iii", &rows);
    if (err)
        return err;
    json_array_foreach (rows, i, v) {
        int64_t band = json_integer_value(json_object_get(v, "band"));

        if (band >= 0 && band < 5) {
            counts[0][band] = json_integer_value(json_object_get(v, "residents"));
            counts[1][band] = json_integer_value(json_object_get(v, "reached"));
        }
    }
    json_decref(rows);
    ages = json_array();
    for (i = 0; i < 5; i++)
        json_array_append_new(ages, json_pack("{s:s, s:I, s:I, s:f}", "band", REACH_BANDS[i],
                                              "residents", (json_int_t)counts[0][i], "reached",
                                              (json_int_t)counts[1][i],
                                              "rate", rate(counts[1][i], counts[0][i])));
    err = store_rows_json(st, a,
                          store_prepare_bind(st, a, SQL_REACH_BUILDING, "ttiitttt", lo, hi, from,
                                             to, cut[0], cut[1], cut[2], cut[3]),
                          "ittii", &rows);
    if (err) {
        json_decref(ages);
        return err;
    }
    reach_rates(rows);
    *ret = json_pack("{s:o, s:o}", "by_age", ages, "by_building", rows);
    return NULL;
}

static double rate(int64_t part, int64_t whole)
{
    return whole ? (double)(part * 1000 / whole) / 1000.0 : 0.0;
}

Error *activities_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int64_t from,
                              int64_t to, int64_t now_ms, json_t **ret)
{
    json_t *by_kind = NULL, *scores = json_array(), *reach = NULL;
    int64_t n_act = 0, signups = 0, ended = 0, attended = 0, n_ratings = 0, sum = 0;
    int64_t by_score[6] = { 0 }, people = 0, repeat = 0;
    StoreStmt *s;
    StoreResult r;
    size_t i;
    json_t *v;
    Error *err;

    err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_STATS_KIND, "ttiii", lo, hi, from, to,
                                              now_ms),
                    "tiiii", &by_kind);
    if (err) {
        json_decref(scores);
        return err;
    }
    json_array_foreach (by_kind, i, v) {
        ActivityKind k = ACTIVITY_VOLUNTEER;
        int64_t e = json_integer_value(json_object_get(v, "ended_signups"));
        int64_t at = json_integer_value(json_object_get(v, "attended"));

        activities_kind_parse(json_string_value(json_object_get(v, "kind")), &k);
        json_object_set_new(v, "kind_label", json_string(activities_kind_label(k)));
        json_object_set_new(v, "attendance_rate", json_real(rate(at, e)));
        n_act += json_integer_value(json_object_get(v, "activities"));
        signups += json_integer_value(json_object_get(v, "signups"));
        ended += e;
        attended += at;
    }
    s = store_prepare_bind(st, a, SQL_STATS_RATINGS, "ttii", lo, hi, from, to);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t score = store_column_int64(s, 0), n = store_column_int64(s, 1);

        if (score >= 1 && score <= 5)
            by_score[score] = n;
        n_ratings += n;
        sum += score * n;
    }
    store_reset(s);
    if (r == STORE_DONE) {
        s = store_prepare_bind(st, a, SQL_STATS_PEOPLE, "ttii", lo, hi, from, to);
        r = store_step(s);
        if (r == STORE_ROW) {
            people = store_column_int64(s, 0);
            repeat = store_column_int64(s, 1);
        }
        store_reset(s);
    }
    if (r != STORE_ROW && r != STORE_DONE) {
        json_decref(by_kind);
        json_decref(scores);
        return store_error(st, a);
    }
    err = activities_store_reach(st, a, lo, hi, from, to, &reach);
    if (err) {
        json_decref(by_kind);
        json_decref(scores);
        return err;
    }
    for (int k = 1; k <= 5; k++)
        json_array_append_new(scores, json_integer(by_score[k]));
    *ret = json_pack("{s:I, s:I, s:I, s:I, s:f, s:{s:I, s:o, s:o}, s:I, s:I, s:f, s:o, s:o}",
                     "activities", (json_int_t)n_act, "signups", (json_int_t)signups,
                     "ended_signups", (json_int_t)ended, "attended", (json_int_t)attended,
                     "attendance_rate", rate(attended, ended), "ratings", "count",
                     (json_int_t)n_ratings, "average",
                     n_ratings ? json_real((double)(sum * 100 / n_ratings) / 100.0) : json_null(),
                     "by_score", scores, "participants", (json_int_t)people,
                     "repeat_participants", (json_int_t)repeat, "repeat_rate", rate(repeat, people),
                     "by_kind", by_kind, "reach", reach);
    return NULL;
}

/* ---- demo ---- */

static const char SQL_DEMO_USER[] = "SELECT id FROM app_user WHERE username = ?1";
static const char SQL_DEMO_RESIDENTS[] =
    "SELECT id, birth_date FROM resident WHERE community = ?1 AND status = 'active'"
    " ORDER BY id LIMIT 200";
static const char SQL_DEMO_KIN[] =
    "SELECT coalesce(min(r.id), 0) FROM resident r WHERE r.status = 'active' AND r.id <> ?1"
    " AND r.household_id = (SELECT household_id FROM resident WHERE id = ?1)";
static const char SQL_DEMO_DATES[] =
    "UPDATE activity_signup SET created_at = ?2 WHERE activity_id = ?1";

Error *activities_store_demo_people(Store *st, Arena *a, const char *community,
                                    ActivitiesDemoPeople *ret)
{
    StoreStmt *s;
    StoreResult r;
    Error *err;

    memset(ret, 0, sizeof(*ret));
    err = store_run_int64(st, a, store_prepare_bind(st, a, SQL_DEMO_USER, "t", "staff"),
                          &ret->staff_id);
    if (!err)
        err = store_run_int64(st, a, store_prepare_bind(st, a, SQL_DEMO_USER, "t", "resident"),
                              &ret->resident_user);
    if (!err && ret->resident_user)
        err = activities_store_user_resident(st, a, ret->resident_user, &ret->resident_self);
    if (!err && ret->resident_self)
        err = store_run_int64(st, a,
                              store_prepare_bind(st, a, SQL_DEMO_KIN, "i", ret->resident_self),
                              &ret->resident_kin);
    if (err)
        return err;
    s = store_prepare_bind(st, a, SQL_DEMO_RESIDENTS, "t", community);
    while ((r = store_step(s)) == STORE_ROW && ret->n < 200) {
        ret->residents[ret->n] = store_column_int64(s, 0);
        ret->births[ret->n++] = store_column_text(s, a, 1);
    }
    store_reset(s);
    return r == STORE_DONE || r == STORE_ROW ? NULL : store_error(st, a);
}

Error *activities_store_demo_dates(Store *st, Arena *a, int64_t activity_id, int64_t at_ms)
{
    return store_run(st, a, SQL_DEMO_DATES, NULL, NULL, NULL, NULL, "ii", activity_id, at_ms);
}
