/*
 * Topics' and meetings' SQL (schema 30), written once for SQLite and
 * PostgreSQL. Writes run inside the caller's write transaction.
 */
#include <string.h>

#include "core/crypto.h"
#include "core/timeutil.h"
#include "http/response.h"
#include "votes/votes_store.h"
#include "core/banned.h"

static const struct {
    const char *name, *label;
} topic_states[] = {
    { "collecting", "征集" }, { "consulting", "协商" },   { "voting", "表决" },
    { "publicity", "公示" },  { "implementing", "实施" }, { "done", "完结" },
};

const char *votes_topic_state_name(TopicState s)
{
    return s < _TOPIC_STATE_MAX ? topic_states[s].name : NULL;
}

const char *votes_topic_state_label(TopicState s)
{
    return s < _TOPIC_STATE_MAX ? topic_states[s].label : NULL;
}

bool votes_topic_state_parse(const char *s, TopicState *ret)
{
    for (int i = 0; s && i < _TOPIC_STATE_MAX; i++) {
        if (strcmp(s, topic_states[i].name) == 0) {
            *ret = (TopicState)i;
            return true;
        }
    }
    return false;
}

static int64_t col(StoreStmt *s, int i)
{
    return store_column_is_null(s, i) ? 0 : store_column_int64(s, i);
}

static json_t *time_or_null(Arena *a, int64_t ms)
{
    return ms ? json_string(time_format_rfc3339(a, ms)) : json_null();
}

/* ---- topics ---- */

static const char SQL_TOPIC_INSERT[] =
    "INSERT INTO topic (community, scope, building_id, unit, title, body, created_by, author,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id";

Error *votes_topic_insert(Store *st, Arena *a, Topic *t)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_INSERT);

    store_bind_text(s, 1, t->community);
    store_bind_text(s, 2, t->scope);
    store_bind_id_or_null(s, 3, t->building_id);
    store_bind_id_or_null(s, 4, t->unit);
    store_bind_text(s, 5, t->title);
    store_bind_text(s, 6, t->body);
    store_bind_id_or_null(s, 7, t->created_by);
    store_bind_text(s, 8, t->author);
    store_bind_int64(s, 9, t->created_at);
    return store_run_int64(st, a, s, &t->id);
}

#define TOPIC_COLUMNS                                                                       \
    "id, community, scope, building_id, unit, title, body, state, hidden_reason, author,"  \
    " merged_into, supports, comments, vote_id, created_by, created_at, updated_at"

static const char SQL_TOPIC_GET[] = "SELECT " TOPIC_COLUMNS " FROM topic WHERE id = ?1";

static void read_topic(StoreStmt *s, Arena *a, Topic *t)
{
    t->id = store_column_int64(s, 0);
    t->community = store_column_text(s, a, 1);
    t->scope = store_column_text(s, a, 2);
    t->building_id = col(s, 3);
    t->unit = col(s, 4);
    t->title = store_column_text(s, a, 5);
    t->body = store_column_text(s, a, 6);
    t->state = store_column_text(s, a, 7);
    t->hidden_reason = store_column_text(s, a, 8);
    t->author = store_column_text(s, a, 9);
    t->merged_into = col(s, 10);
    t->supports = col(s, 11);
    t->comments = col(s, 12);
    t->vote_id = col(s, 13);
    t->created_by = col(s, 14);
    t->created_at = col(s, 15);
    t->updated_at = col(s, 16);
}

Error *votes_topic_get(Store *st, Arena *a, int64_t id, Topic **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_GET);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret = arena_zalloc(a, sizeof(Topic));
        read_topic(s, a, *ret);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_TOPIC_LIST[] =
    "SELECT " TOPIC_COLUMNS " FROM topic WHERE community = ?1 AND (?2 = '' OR state = ?2)"
    " AND (?3 = 1 OR hidden_reason IS NULL) ORDER BY updated_at DESC, id DESC LIMIT ?4 OFFSET ?5";
static const char SQL_TOPIC_COUNT[] =
    "SELECT count(*) FROM topic WHERE community = ?1 AND (?2 = '' OR state = ?2)"
    " AND (?3 = 1 OR hidden_reason IS NULL)";

Error *votes_topic_list(Store *st, Arena *a, const char *community, const char *state,
                        bool with_hidden, int64_t limit, int64_t offset, json_t *items,
                        int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_LIST);
    StoreResult r;

    store_bind_text(s, 1, community);
    store_bind_text(s, 2, state ? state : "");
    store_bind_int64(s, 3, with_hidden);
    store_bind_int64(s, 4, limit);
    store_bind_int64(s, 5, offset);
    while ((r = store_step(s)) == STORE_ROW) {
        Topic t;
        TopicState ts = TOPIC_COLLECTING;

        read_topic(s, a, &t);
        votes_topic_state_parse(t.state, &ts);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, s:s, s:s}", "id",
                             (json_int_t)t.id, "title", t.title, "scope", t.scope, "state", t.state,
                             "state_label", votes_topic_state_label(ts), "supports",
                             (json_int_t)t.supports, "comments", (json_int_t)t.comments, "hidden",
                             t.hidden_reason != NULL, "merged_into",
                             t.merged_into ? json_integer(t.merged_into) : json_null(), "author",
                             t.author, "updated_at", time_format_rfc3339(a, t.updated_at)));
        json_t *o = json_array_get(items, json_array_size(items) - 1);

        json_object_set_new(o, "building_id", t.building_id ? json_integer(t.building_id) : json_null());
        json_object_set_new(o, "unit", t.unit ? json_integer(t.unit) : json_null());
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    s = store_prepare(st, a, SQL_TOPIC_COUNT);
    store_bind_text(s, 1, community);
    store_bind_text(s, 2, state ? state : "");
    store_bind_int64(s, 3, with_hidden);
    return store_run_int64(st, a, s, ret_total);
}

static const char SQL_STEP_INSERT[] =
    "INSERT INTO topic_step (topic_id, kind, state, note, ref_id, user_id, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

Error *votes_topic_step(Store *st, Arena *a, int64_t topic_id, const char *kind,
                        const char *state, const char *note, int64_t ref_id, int64_t user_id,
                        int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_STEP_INSERT);

    store_bind_int64(s, 1, topic_id);
    store_bind_text(s, 2, kind);
    store_bind_text(s, 3, state);
    store_bind_text(s, 4, note ? note : "");
    store_bind_id_or_null(s, 5, ref_id);
    store_bind_id_or_null(s, 6, user_id);
    store_bind_int64(s, 7, now_ms);
    return store_run_stmt(st, a, s);
}

static const char SQL_STEPS[] =
    "SELECT s.kind, s.state, s.note, s.ref_id, u.display_name, u.username, s.at"
    " FROM topic_step s LEFT JOIN app_user u ON u.id = s.user_id WHERE s.topic_id = ?1"
    " ORDER BY s.id";

Error *votes_topic_steps(Store *st, Arena *a, int64_t topic_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_STEPS);
    StoreResult r;

    store_bind_int64(s, 1, topic_id);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *name = store_column_text(s, a, 4);
        TopicState ts;
        const char *state = store_column_text(s, a, 1);

        if (!name || !*name)
            name = store_column_text(s, a, 5);
        json_array_append_new(
            items, json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:s}", "kind",
                             store_column_text(s, a, 0), "state", json_string_or_null(state),
                             "state_label",
                             state && votes_topic_state_parse(state, &ts)
                                 ? json_string(votes_topic_state_label(ts))
                                 : json_null(),
                             "note", store_column_text(s, a, 2), "ref_id",
                             store_column_is_null(s, 3) ? json_null() : json_integer(col(s, 3)),
                             "by", json_string_or_null(name), "at",
                             time_format_rfc3339(a, store_column_int64(s, 6))));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_TOPIC_STATE[] =
    "UPDATE topic SET state = ?3, vote_id = coalesce(?4, vote_id), updated_at = ?5"
    " WHERE id = ?1 AND state = ?2";

Error *votes_topic_set_state(Store *st, Arena *a, int64_t id, const char *from, const char *to,
                             int64_t vote_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_STATE);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, from);
    store_bind_text(s, 3, to);
    store_bind_id_or_null(s, 4, vote_id);
    store_bind_int64(s, 5, now_ms);
    err = store_run_stmt(st, a, s);
    n = store_changes(st);
    if (!err && n != 1)
        return error_conflict(a, "state", "state_changed", "议题的阶段刚被他人改变，请刷新后再试");
    return err;
}

static const char SQL_TOPIC_HIDE[] =
    "UPDATE topic SET hidden_reason = ?2, updated_at = ?3 WHERE id = ?1";

Error *votes_topic_hide(Store *st, Arena *a, int64_t id, const char *reason, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_HIDE);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, reason);
    store_bind_int64(s, 3, now_ms);
    return store_run_stmt(st, a, s);
}

/* The merged topic's supporters support the one it joins (each once), which counts them again. */
static const char SQL_TOPIC_MERGE[] =
    "UPDATE topic SET merged_into = ?2, updated_at = ?3 WHERE id = ?1 AND merged_into IS NULL";
static const char SQL_MERGE_SUPPORTS[] =
    "INSERT INTO topic_support (topic_id, user_id, created_at)"
    " SELECT ?2, s.user_id, s.created_at FROM topic_support s WHERE s.topic_id = ?1"
    " AND NOT EXISTS (SELECT 1 FROM topic_support x WHERE x.topic_id = ?2"
    " AND x.user_id = s.user_id)";
static const char SQL_RECOUNT_SUPPORTS[] =
    "UPDATE topic SET supports = (SELECT count(*) FROM topic_support WHERE topic_id = ?1),"
    " updated_at = ?2 WHERE id = ?1";

Error *votes_topic_merge(Store *st, Arena *a, int64_t id, int64_t into, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_MERGE);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, into);
    store_bind_int64(s, 3, now_ms);
    err = store_run_stmt(st, a, s);
    n = store_changes(st);
    if (!err && n != 1)
        return error_conflict(a, NULL, "already_merged", "该议题已经合并到其他议题");
    if (err)
        return err;
    s = store_prepare(st, a, SQL_MERGE_SUPPORTS);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, into);
    err = store_run_stmt(st, a, s);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_RECOUNT_SUPPORTS);
    store_bind_int64(s, 1, into);
    store_bind_int64(s, 2, now_ms);
    return store_run_stmt(st, a, s);
}

static const char SQL_SUPPORT_ADD[] =
    "INSERT INTO topic_support (topic_id, user_id, created_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (topic_id, user_id) DO NOTHING";
static const char SQL_SUPPORT_DEL[] =
    "DELETE FROM topic_support WHERE topic_id = ?1 AND user_id = ?2";
static const char SQL_SUPPORT_COUNT[] =
    "UPDATE topic SET supports = supports + ?2 WHERE id = ?1";

Error *votes_topic_support(Store *st, Arena *a, int64_t id, int64_t user_id, bool add,
                           int64_t now_ms, bool *ret_changed)
{
    StoreStmt *s = store_prepare(st, a, add ? SQL_SUPPORT_ADD : SQL_SUPPORT_DEL);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    if (add)
        store_bind_int64(s, 3, now_ms);
    err = store_run_stmt(st, a, s);
    n = store_changes(st);
    if (err)
        return err;
    *ret_changed = n == 1;
    if (!*ret_changed)
        return NULL;
    s = store_prepare(st, a, SQL_SUPPORT_COUNT);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, add ? 1 : -1);
    return store_run_stmt(st, a, s);
}

static const char SQL_SUPPORTED[] =
    "SELECT count(*) FROM topic_support WHERE topic_id = ?1 AND user_id = ?2";

Error *votes_topic_supported(Store *st, Arena *a, int64_t id, int64_t user_id, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_SUPPORTED);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    err = store_run_int64(st, a, s, &n);
    *ret = n > 0;
    return err;
}

static const char SQL_COMMENT_INSERT[] =
    "INSERT INTO topic_comment (topic_id, user_id, author, text, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
static const char SQL_COMMENT_COUNT[] =
    "UPDATE topic SET comments = comments + 1, updated_at = ?2 WHERE id = ?1";

Error *votes_topic_comment_add(Store *st, Arena *a, int64_t id, int64_t user_id,
                               const char *author, const char *text, int64_t now_ms,
                               int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMENT_INSERT);
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_id_or_null(s, 2, user_id);
    store_bind_text(s, 3, author);
    store_bind_text(s, 4, text);
    store_bind_int64(s, 5, now_ms);
    err = store_run_int64(st, a, s, ret_id);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_COMMENT_COUNT);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    return store_run_stmt(st, a, s);
}

static const char SQL_COMMENTS[] =
    "SELECT id, author, text, hidden_reason, created_at FROM topic_comment WHERE topic_id = ?1"
    " ORDER BY id";

Error *votes_topic_comments(Store *st, Arena *a, int64_t topic_id, bool with_hidden,
                            json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMENTS);
    StoreResult r;

    store_bind_int64(s, 1, topic_id);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *reason = store_column_text(s, a, 3);
        json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:s}", "id",
                              (json_int_t)store_column_int64(s, 0), "author",
                              store_column_text(s, a, 1), "text",
                              reason && !with_hidden ? "（该评论已被管理员隐藏）"
                                                     : store_column_text(s, a, 2),
                              "hidden", reason != NULL, "created_at",
                              time_format_rfc3339(a, store_column_int64(s, 4)));

        json_object_set_new(o, "hidden_reason", json_string_or_null(reason));
        json_array_append_new(items, o);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_COMMENT_TOPIC[] = "SELECT topic_id FROM topic_comment WHERE id = ?1";
static const char SQL_COMMENT_HIDE[] = "UPDATE topic_comment SET hidden_reason = ?2 WHERE id = ?1";

Error *votes_topic_comment_topic(Store *st, Arena *a, int64_t comment_id, int64_t *ret_topic)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMENT_TOPIC);

    store_bind_int64(s, 1, comment_id);
    return store_run_int64(st, a, s, ret_topic);
}

Error *votes_topic_comment_hide(Store *st, Arena *a, int64_t comment_id, const char *reason)
{
    StoreStmt *s = store_prepare(st, a, SQL_COMMENT_HIDE);

    store_bind_int64(s, 1, comment_id);
    store_bind_text(s, 2, reason);
    return store_run_stmt(st, a, s);
}

/* ---- meetings ---- */

static const char SQL_MEETING_INSERT[] =
    "INSERT INTO meeting (topic_id, community, starts_at, place, created_by, created_at,"
    " ends_at, room_id, booking_id, checkin_token)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id";

Error *votes_meeting_insert(Store *st, Arena *a, Meeting *m)
{
    StoreStmt *s = store_prepare(st, a, SQL_MEETING_INSERT);

    store_bind_int64(s, 1, m->topic_id);
    store_bind_text(s, 2, m->community);
    store_bind_int64(s, 3, m->starts_at);
    store_bind_text(s, 4, m->place);
    store_bind_id_or_null(s, 5, m->created_by);
    store_bind_int64(s, 6, m->created_at);
    store_bind_id_or_null(s, 7, m->ends_at);
    store_bind_id_or_null(s, 8, m->room_id);
    store_bind_id_or_null(s, 9, m->booking_id);
    store_bind_text(s, 10, m->checkin_token);
    return store_run_int64(st, a, s, &m->id);
}

static const char SQL_MEETING_INVITE[] =
    "INSERT INTO meeting_participant (meeting_id, resident_id)"
    " SELECT ?1, r.id FROM resident r WHERE r.id = ?2 AND r.community = ?3"
    " AND r.status = 'active' ON CONFLICT (meeting_id, resident_id) DO NOTHING";
static const char SQL_RESIDENT_OK[] =
    "SELECT count(*) FROM resident WHERE id = ?1 AND community = ?2 AND status = 'active'";

Error *votes_meeting_invite(Store *st, Arena *a, int64_t meeting_id, const char *community,
                            int64_t resident_id, const char *field)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT_OK);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, resident_id);
    store_bind_text(s, 2, community);
    err = store_run_int64(st, a, s, &n);
    if (err)
        return err;
    if (!n)
        return error_invalid(a, field, "unknown_resident", "找不到该居民，或其不是本社区的居民");
    s = store_prepare(st, a, SQL_MEETING_INVITE);
    store_bind_int64(s, 1, meeting_id);
    store_bind_int64(s, 2, resident_id);
    store_bind_text(s, 3, community);
    return store_run_stmt(st, a, s);
}

static const char SQL_MEETING_GET[] =
    "SELECT m.id, m.topic_id, m.community, m.starts_at, m.place, m.minutes, m.decisions,"
    " m.minutes_at, m.created_by, m.created_at, m.ends_at, m.room_id, m.booking_id,"
    " m.checkin_token, r.name FROM meeting m LEFT JOIN room r ON r.id = m.room_id"
    " WHERE m.id = ?1";

Error *votes_meeting_get(Store *st, Arena *a, int64_t id, Meeting **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_MEETING_GET);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        Meeting *m = arena_zalloc(a, sizeof(*m));

        m->id = store_column_int64(s, 0);
        m->topic_id = store_column_int64(s, 1);
        m->community = store_column_text(s, a, 2);
        m->starts_at = store_column_int64(s, 3);
        m->place = store_column_text(s, a, 4);
        m->minutes = store_column_text(s, a, 5);
        m->decisions = store_column_text(s, a, 6);
        m->minutes_at = col(s, 7);
        m->created_by = col(s, 8);
        m->created_at = col(s, 9);
        m->ends_at = col(s, 10);
        m->room_id = col(s, 11);
        m->booking_id = col(s, 12);
        m->checkin_token = store_column_text(s, a, 13);
        m->room_name = store_column_text(s, a, 14);
        *ret = m;
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_PARTICIPANTS[] =
    "SELECT p.resident_id, r.name, p.attended_at, p.walk_in FROM meeting_participant p"
    " JOIN resident r ON r.id = p.resident_id WHERE p.meeting_id = ?1 ORDER BY p.resident_id";

Error *votes_meeting_participants(Store *st, Arena *a, int64_t id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_PARTICIPANTS);
    StoreResult r;

    store_bind_int64(s, 1, id);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t at = col(s, 2);

        json_array_append_new(items, json_pack("{s:I, s:s, s:b, s:o, s:b}", "resident_id",
                                               (json_int_t)store_column_int64(s, 0), "name",
                                               store_column_text(s, a, 1), "attended", at != 0,
                                               "attended_at", time_or_null(a, at), "walk_in",
                                               col(s, 3) != 0));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_TOPIC_MEETINGS[] =
    "SELECT m.id, m.starts_at, m.place, m.minutes, m.decisions, m.minutes_at,"
    " (SELECT count(*) FROM meeting_participant p WHERE p.meeting_id = m.id AND p.walk_in = 0),"
    " (SELECT count(*) FROM meeting_participant p WHERE p.meeting_id = m.id"
    "  AND p.attended_at IS NOT NULL), m.room_id"
    " FROM meeting m WHERE m.topic_id = ?1 ORDER BY m.starts_at, m.id";

Error *votes_topic_meetings(Store *st, Arena *a, int64_t topic_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_TOPIC_MEETINGS);
    StoreResult r;

    store_bind_int64(s, 1, topic_id);
    while ((r = store_step(s)) == STORE_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I}", "id",
                              (json_int_t)store_column_int64(s, 0), "starts_at",
                              time_format_rfc3339(a, store_column_int64(s, 1)), "place",
                              store_column_text(s, a, 2), "invited", (json_int_t)col(s, 6),
                              "attended", (json_int_t)col(s, 7));

        json_object_set_new(o, "minutes", json_string_or_null(store_column_text(s, a, 3)));
        json_object_set_new(o, "decisions", json_string_or_null(store_column_text(s, a, 4)));
        json_object_set_new(o, "minutes_at", time_or_null(a, col(s, 5)));
        json_object_set_new(o, "room_id", col(s, 8) ? json_integer(col(s, 8)) : json_null());
        json_array_append_new(items, o);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_ATTEND[] =
    "UPDATE meeting_participant SET attended_at = ?3, marked_by = ?4"
    " WHERE meeting_id = ?1 AND resident_id = ?2";

Error *votes_meeting_attend(Store *st, Arena *a, int64_t meeting_id, int64_t resident_id,
                            bool attended, int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_ATTEND);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, meeting_id);
    store_bind_int64(s, 2, resident_id);
    store_bind_id_or_null(s, 3, attended ? now_ms : 0);
    store_bind_id_or_null(s, 4, user_id);
    err = store_run_stmt(st, a, s);
    n = store_changes(st);
    if (!err && n != 1)
        return error_invalid(a, "resident_id", "not_invited", "该居民不在本次议事会的邀请名单中");
    return err;
}

static const char SQL_MINUTES[] =
    "UPDATE meeting SET minutes = ?2, decisions = ?3, minutes_at = ?4 WHERE id = ?1";

Error *votes_meeting_minutes(Store *st, Arena *a, int64_t meeting_id, const char *minutes,
                             const char *decisions, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_MINUTES);

    store_bind_int64(s, 1, meeting_id);
    store_bind_text(s, 2, minutes);
    store_bind_text(s, 3, decisions);
    store_bind_int64(s, 4, now_ms);
    return store_run_stmt(st, a, s);
}

static const char SQL_TOKEN_SET[] =
    "UPDATE meeting SET checkin_token = ?2 WHERE id = ?1 AND checkin_token IS NULL";
static const char SQL_TOKEN_GET[] = "SELECT checkin_token FROM meeting WHERE id = ?1";

Error *votes_meeting_token(Store *st, Arena *a, Meeting *m)
{
    char token[CRYPTO_TOKEN_CHARS + 1];
    StoreStmt *s;
    StoreResult r;
    Error *err;

    if (m->checkin_token)
        return NULL;
    crypto_token_new(token);
    s = store_prepare(st, a, SQL_TOKEN_SET);
    store_bind_int64(s, 1, m->id);
    store_bind_text(s, 2, token);
    err = store_run_stmt(st, a, s);
    if (err)
        return err;
    /* whoever set it first: read it back */
    s = store_prepare(st, a, SQL_TOKEN_GET);
    store_bind_int64(s, 1, m->id);
    r = store_step(s);
    if (r == STORE_ROW)
        m->checkin_token = store_column_text(s, a, 0);
    else if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- photos (schema 32) ---- */

static const char SQL_TPHOTO_INSERT[] =
    "INSERT INTO topic_photo (uploader_id, file, mime, size, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
static const char SQL_TPHOTO_GET[] =
    "SELECT uploader_id, topic_id, file, mime FROM topic_photo WHERE id = ?1";
static const char SQL_TPHOTO_TAKE[] =
    "UPDATE topic_photo SET topic_id = ?1 WHERE id = ?2 AND uploader_id = ?3 AND topic_id IS NULL";
static const char SQL_TPHOTO_LIST[] = "SELECT id FROM topic_photo WHERE topic_id = ?1 ORDER BY id";

Error *votes_topic_photo_insert(Store *st, Arena *a, int64_t uploader_id, const char *file,
                                const char *mime, int64_t size, int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_TPHOTO_INSERT, NULL, NULL, NULL, ret_id, "ittii", uploader_id, file,
                        mime, size, now_ms);
}

Error *votes_topic_photo_get(Store *st, Arena *a, int64_t id, TopicPhoto *ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_TPHOTO_GET, "i", id);
    StoreResult r;

    memset(ret, 0, sizeof(*ret));
    r = store_step(s);
    if (r == STORE_ROW) {
        ret->id = id;
        ret->uploader_id = store_column_int64(s, 0);
        ret->topic_id = col(s, 1);
        ret->file = store_column_text(s, a, 2);
        ret->mime = store_column_text(s, a, 3);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

/* Her resident: the account's own; a household's account's, those of its household. */
static const char SQL_USER_RESIDENT_ID[] =
    "SELECT coalesce(resident_id, 0) FROM app_user WHERE id = ?1";
static const char SQL_CHECKIN_RESIDENTS[] =
    "SELECT r.id, r.community, r.status FROM resident r"
    " WHERE r.id = ?1 OR (?1 = 0 AND r.household_id = ?2) ORDER BY r.id LIMIT 50";
static const char SQL_INVITED[] =
    "SELECT count(*) FROM meeting_participant WHERE meeting_id = ?1 AND resident_id = ?2";
static const char SQL_CHECKIN_MARK[] =
    "UPDATE meeting_participant SET attended_at = ?3, marked_by = ?4"
    " WHERE meeting_id = ?1 AND resident_id = ?2 AND attended_at IS NULL";
static const char SQL_WALK_IN[] =
    "INSERT INTO meeting_participant (meeting_id, resident_id, attended_at, marked_by, walk_in)"
    " VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT (meeting_id, resident_id) DO NOTHING";

Error *votes_meeting_checkin(Store *st, Arena *a, const Meeting *m, int64_t user_id,
                             int64_t household_id, int64_t now_ms, int64_t *ret_resident_id,
                             bool *ret_walk_in)
{
    int64_t chosen = 0, n = 0, own = 0;
    StoreStmt *s = store_prepare(st, a, SQL_USER_RESIDENT_ID);
    StoreResult r;
    Error *err;

    *ret_resident_id = 0;
    *ret_walk_in = false;
    store_bind_int64(s, 1, user_id);
    err = store_run_int64(st, a, s, &own);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_CHECKIN_RESIDENTS);
    store_bind_int64(s, 1, own);
    store_bind_id_or_null(s, 2, household_id);
    /* the first in her community, an invited one before the others */
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t id = store_column_int64(s, 0);
        const char *community = store_column_text(s, a, 1);
        const char *status = store_column_text(s, a, 2);
        StoreStmt *q;

        if (!community || strcmp(community, m->community) != 0 || !status ||
            strcmp(status, "active") != 0)
            continue;
        if (!chosen)
            chosen = id;
        q = store_prepare(st, a, SQL_INVITED);
        store_bind_int64(q, 1, m->id);
        store_bind_int64(q, 2, id);
        err = store_run_int64(st, a, q, &n);
        if (err) {
            store_reset(s);
            return err;
        }
        if (n) {
            chosen = id;
            break;
        }
    }
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (!chosen)
        return error_new(a, 403, NULL, "out_of_scope", "您不是本社区的登记居民，不能签到本次议事会");
    *ret_resident_id = chosen;
    if (n) {
        s = store_prepare(st, a, SQL_CHECKIN_MARK);
        store_bind_int64(s, 1, m->id);
        store_bind_int64(s, 2, chosen);
        store_bind_int64(s, 3, now_ms);
        store_bind_int64(s, 4, user_id);
        return store_run_stmt(st, a, s);
    }
    *ret_walk_in = true;
    s = store_prepare(st, a, SQL_WALK_IN);
    store_bind_int64(s, 1, m->id);
    store_bind_int64(s, 2, chosen);
    store_bind_int64(s, 3, now_ms);
    store_bind_int64(s, 4, user_id);
    return store_run_stmt(st, a, s);
}

Error *votes_topic_photo_take(Store *st, Arena *a, int64_t topic_id, int64_t id,
                              int64_t uploader_id, bool *ret_taken)
{
    int64_t changes = 0;
    Error *err;

    err = store_run(st, a, SQL_TPHOTO_TAKE, NULL, NULL, NULL, &changes, "iii", topic_id, id,
                    uploader_id);
    *ret_taken = !err && changes == 1;
    return err;
}

Error *votes_topic_photos(Store *st, Arena *a, int64_t topic_id, json_t *items)
{
    int64_t *ids;
    size_t n;
    Error *err;

    err = store_run_ids(st, a, store_prepare_bind(st, a, SQL_TPHOTO_LIST, "i", topic_id), &ids, &n);
    for (size_t i = 0; !err && i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:s}", "id", (json_int_t)ids[i], "url",
                                               arena_sprintf(a, "/api/v1/topic-photos/%lld",
                                                             (long long)ids[i])));
    return err;
}
