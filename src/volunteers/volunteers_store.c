/*
 * Volunteers' SQL, written once for SQLite and PostgreSQL
 * (docs/POSTGRESQL.md). A post's places move only by "taken = taken ± 1"
 * on its row under CHECK (taken <= needed); a balance only by
 * "minutes = minutes + ?" under CHECK (minutes >= 0); ledger entries are
 * inserted and, once, reviewed (schema 35's triggers refuse the rest).
 */
#include <string.h>

#include "points/points.h"
#include "store/store_json.h"
#include "volunteers/volunteers_store.h"
#include "core/banned.h"

#define LEDGER_MAX 500

/* ---- volunteers ---- */

static const char SQL_VOLUNTEER_INSERT[] =
    "INSERT INTO volunteer (community, resident_id, status, skills, skills_other, availability,"
    " created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id";
static const char SQL_VOLUNTEER_UPDATE[] =
    "UPDATE volunteer SET status = coalesce(?2, status), skills = coalesce(?3, skills),"
    " skills_other = coalesce(?4, skills_other), availability = coalesce(?5, availability),"
    " updated_at = ?6 WHERE id = ?1";
static const char SQL_VOLUNTEER_GET[] =
    "SELECT v.id, v.community, v.resident_id, r.name, v.status, v.minutes FROM volunteer v"
    " JOIN resident r ON r.id = v.resident_id WHERE v.id = ?1";
static const char SQL_VOLUNTEER_BY_RESIDENT[] = "SELECT id FROM volunteer WHERE resident_id = ?1";

/* the columns of a volunteer in JSON, with VOLUNTEER_TYPES */
#define VOLUNTEER_COLUMNS                                                                         \
    "v.id, v.resident_id, r.name, r.gender, r.phone_masked AS phone, v.community,"               \
    " d.name AS community_name, v.status, v.skills, v.skills_other, v.availability, v.minutes,"   \
    " v.created_at"
#define VOLUNTEER_TYPES "iittttttjtjiT"
#define VOLUNTEER_FROM                                                                            \
    " FROM volunteer v JOIN resident r ON r.id = v.resident_id"                                   \
    " LEFT JOIN division d ON d.code = v.community"

static const char SQL_VOLUNTEER_JSON[] = "SELECT " VOLUNTEER_COLUMNS VOLUNTEER_FROM
                                         " WHERE v.id = ?1";
#define LIST_WHERE                                                                                \
    " WHERE v.community >= ?1 AND v.community < ?2"                                               \
    " AND (?3 = 0 OR EXISTS (SELECT 1 FROM volunteer_team_member m"                               \
    "      WHERE m.volunteer_id = v.id AND m.team_id = ?3))"                                      \
    " AND (?4 = '' OR v.skills LIKE ?4)"                                                          \
    " AND (?5 = '' OR r.name LIKE ?5 OR r.phone_last4 = ?6)"                                      \
    " AND (?7 = '' OR v.status = ?7)"
static const char SQL_VOLUNTEER_LIST[] = "SELECT " VOLUNTEER_COLUMNS VOLUNTEER_FROM LIST_WHERE
                                         " ORDER BY v.minutes DESC, v.id LIMIT ?8 OFFSET ?9";
static const char SQL_VOLUNTEER_COUNT[] = "SELECT count(*)" VOLUNTEER_FROM LIST_WHERE;
static const char SQL_VOLUNTEER_TEAMS[] =
    "SELECT t.id, t.name, m.lead FROM volunteer_team_member m"
    " JOIN volunteer_team t ON t.id = m.team_id WHERE m.volunteer_id = ?1 ORDER BY t.name, t.id";
static const char SQL_VOLUNTEER_PENDING[] =
    "SELECT coalesce(sum(minutes), 0) FROM volunteer_hours WHERE volunteer_id = ?1"
    " AND state = 'pending'";
static const char SQL_LEADS[] =
    "SELECT count(*) FROM volunteer_team_member l JOIN volunteer_team_member m"
    " ON m.team_id = l.team_id WHERE l.volunteer_id = ?1 AND l.lead = 1 AND m.volunteer_id = ?2";

Error *volunteers_store_insert(Store *st, Arena *a, const char *community, int64_t resident_id,
                               const VolunteerInput *in, int64_t user_id, int64_t now_ms,
                               int64_t *ret_id)
{
    return store_insert(st, a, SQL_VOLUNTEER_INSERT, "resident_id", "already_registered",
                        "这位居民已经是志愿者了", ret_id, "tittttIi", community, resident_id,
                        in->status ? in->status : "active",
                        in->skills_json ? in->skills_json : "[]",
                        in->skills_other ? in->skills_other : "",
                        in->availability_json ? in->availability_json : "[]", user_id, now_ms);
}

Error *volunteers_store_update(Store *st, Arena *a, int64_t id, const VolunteerInput *in,
                               int64_t now_ms)
{
    return store_run(st, a, SQL_VOLUNTEER_UPDATE, NULL, NULL, NULL, NULL, "itttti", id, in->status,
                     in->skills_json, in->skills_other, in->availability_json, now_ms);
}

Error *volunteers_store_get(Store *st, Arena *a, int64_t id, Volunteer **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_VOLUNTEER_GET, "i", id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        Volunteer *v = arena_zalloc(a, sizeof(*v));

        v->id = store_column_int64(s, 0);
        v->community = store_column_text(s, a, 1);
        v->resident_id = store_column_int64(s, 2);
        v->name = store_column_text(s, a, 3);
        v->status = store_column_text(s, a, 4);
        v->minutes = store_column_int64(s, 5);
        *ret = v;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *volunteers_store_by_resident(Store *st, Arena *a, int64_t resident_id, int64_t *ret_id)
{
    return store_run_int64(st, a, store_prepare_bind(st, a, SQL_VOLUNTEER_BY_RESIDENT, "i",
                                                     resident_id),
                           ret_id);
}

/* Adds "teams" to volunteer object @o. */
static Error *add_teams(Store *st, Arena *a, json_t *o)
{
    json_t *teams = NULL;
    Error *err = store_rows_json(st, a,
                                 store_prepare_bind(st, a, SQL_VOLUNTEER_TEAMS, "i",
                                                    (int64_t)json_integer_value(
                                                        json_object_get(o, "id"))),
                                 "itb", &teams);

    if (err)
        return err;
    json_object_set_new(o, "teams", teams);
    return NULL;
}

Error *volunteers_store_json(Store *st, Arena *a, int64_t id, json_t **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_VOLUNTEER_JSON, "i", id);
    StoreResult r = store_step(s);
    json_t *o = NULL;
    int64_t pending = 0;
    Error *err;

    *ret = NULL;
    if (r == STORE_ROW)
        o = store_row_json(s, a, VOLUNTEER_TYPES);
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    if (!o)
        return NULL;
    err = add_teams(st, a, o);
    if (!err)
        err = store_run_int64(st, a, store_prepare_bind(st, a, SQL_VOLUNTEER_PENDING, "i", id),
                              &pending);
    if (err) {
        json_decref(o);
        return err;
    }
    json_object_set_new(o, "pending_minutes", json_integer(pending));
    *ret = o;
    return NULL;
}

Error *volunteers_store_list(Store *st, Arena *a, const VolunteersFilter *f, json_t **ret_items,
                             int64_t *ret_total)
{
    const char *skill = f->skill ? arena_sprintf(a, "%%\"%s\"%%", f->skill) : "";
    const char *q = f->q ? arena_sprintf(a, "%%%s%%", f->q) : "";
    json_t *items = NULL;
    int64_t total = 0;
    size_t i;
    json_t *o;
    Error *err;

    err = store_rows_json(st, a,
                          store_prepare_bind(st, a, SQL_VOLUNTEER_LIST, "ttittttii", f->lo, f->hi,
                                             f->team_id, skill, q, f->q ? f->q : "",
                                             f->status ? f->status : "", f->limit, f->offset),
                          VOLUNTEER_TYPES, &items);
    if (!err)
        err = store_run_int64(st, a,
                              store_prepare_bind(st, a, SQL_VOLUNTEER_COUNT, "ttitttt", f->lo,
                                                 f->hi, f->team_id, skill, q, f->q ? f->q : "",
                                                 f->status ? f->status : ""),
                              &total);
    json_array_foreach(items, i, o) {
        if (!err)
            err = add_teams(st, a, o);
    }
    if (err) {
        json_decref(items);
        return err;
    }
    *ret_items = items;
    *ret_total = total;
    return NULL;
}

Error *volunteers_store_leads(Store *st, Arena *a, int64_t lead_id, int64_t volunteer_id,
                              bool *ret)
{
    int64_t n = 0;
    Error *err = store_run_int64(st, a,
                                 store_prepare_bind(st, a, SQL_LEADS, "ii", lead_id, volunteer_id),
                                 &n);

    if (!err)
        *ret = n > 0;
    return err;
}

/* ---- teams ---- */

static const char SQL_TEAM_INSERT[] =
    "INSERT INTO volunteer_team (community, name, description, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id";
static const char SQL_TEAM_UPDATE[] =
    "UPDATE volunteer_team SET name = coalesce(?2, name), description = coalesce(?3, description),"
    " updated_at = ?4 WHERE id = ?1";
static const char SQL_TEAM_COMMUNITY[] = "SELECT community FROM volunteer_team WHERE id = ?1";
#define TEAM_COLUMNS                                                                              \
    "t.id, t.community, t.name, t.description,"                                                   \
    " (SELECT count(*) FROM volunteer_team_member m WHERE m.team_id = t.id) AS members,"          \
    " (SELECT coalesce(sum(v.minutes), 0) FROM volunteer_team_member m JOIN volunteer v"          \
    "  ON v.id = m.volunteer_id WHERE m.team_id = t.id) AS minutes"
#define TEAM_TYPES "itttii"
static const char SQL_TEAMS[] = "SELECT " TEAM_COLUMNS " FROM volunteer_team t"
                                " WHERE t.community >= ?1 AND t.community < ?2"
                                " ORDER BY t.community, t.name, t.id";
static const char SQL_TEAMS_LED[] = "SELECT " TEAM_COLUMNS " FROM volunteer_team t"
                                    " JOIN volunteer_team_member l ON l.team_id = t.id"
                                    " WHERE l.volunteer_id = ?1 AND l.lead = 1 ORDER BY t.name";
static const char SQL_TEAM_JSON[] = "SELECT " TEAM_COLUMNS " FROM volunteer_team t WHERE t.id = ?1";
static const char SQL_TEAM_MEMBERS[] =
    "SELECT v.id, r.name, r.phone_masked AS phone, v.status, v.minutes, m.lead, m.joined_at"
    " FROM volunteer_team_member m JOIN volunteer v ON v.id = m.volunteer_id"
    " JOIN resident r ON r.id = v.resident_id WHERE m.team_id = ?1"
    " ORDER BY m.lead DESC, r.name, v.id";
static const char SQL_TEAM_LEADS[] =
    "SELECT v.id, r.name FROM volunteer_team_member m JOIN volunteer v ON v.id = m.volunteer_id"
    " JOIN resident r ON r.id = v.resident_id WHERE m.team_id = ?1 AND m.lead = 1"
    " ORDER BY r.name, v.id";
static const char SQL_MEMBER_UPDATE[] =
    "UPDATE volunteer_team_member SET lead = ?3 WHERE team_id = ?1 AND volunteer_id = ?2";
static const char SQL_MEMBER_INSERT[] =
    "INSERT INTO volunteer_team_member (team_id, volunteer_id, lead, joined_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_MEMBER_DELETE[] =
    "DELETE FROM volunteer_team_member WHERE team_id = ?1 AND volunteer_id = ?2";

Error *volunteers_store_team_insert(Store *st, Arena *a, const char *community, const char *name,
                                    const char *description, int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_TEAM_INSERT, "name", "team_exists", "本社区已有同名的志愿队",
                        ret_id, "ttti", community, name, description ? description : "", now_ms);
}

Error *volunteers_store_team_update(Store *st, Arena *a, int64_t id, const char *name,
                                    const char *description, int64_t now_ms)
{
    return store_run(st, a, SQL_TEAM_UPDATE, "name", "team_exists", "本社区已有同名的志愿队", NULL,
                     "itti", id, name, description, now_ms);
}

Error *volunteers_store_team_community(Store *st, Arena *a, int64_t id, const char **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_TEAM_COMMUNITY, "i", id);
    StoreResult r = store_step(s);

    *ret = r == STORE_ROW ? store_column_text(s, a, 0) : NULL;
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/* Adds "leads" (and with @members, "members") to each team of @teams. */
static Error *add_leads(Store *st, Arena *a, json_t *teams, bool members)
{
    size_t i;
    json_t *o;

    json_array_foreach(teams, i, o) {
        int64_t id = (int64_t)json_integer_value(json_object_get(o, "id"));
        json_t *x = NULL;
        Error *err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_TEAM_LEADS, "i", id),
                                     "it", &x);

        if (err)
            return err;
        json_object_set_new(o, "leads", x);
        if (members) {
            err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_TEAM_MEMBERS, "i", id),
                                  "ittti" "bT", &x);
            if (err)
                return err;
            json_object_set_new(o, "members", x);
        }
    }
    return NULL;
}

static Error *teams_query(Store *st, Arena *a, StoreStmt *s, bool members, json_t **ret)
{
    json_t *teams = NULL;
    Error *err = store_rows_json(st, a, s, TEAM_TYPES, &teams);

    if (!err)
        err = add_leads(st, a, teams, members);
    if (err) {
        json_decref(teams);
        return err;
    }
    *ret = teams;
    return NULL;
}

Error *volunteers_store_teams(Store *st, Arena *a, const char *lo, const char *hi, json_t **ret)
{
    return teams_query(st, a, store_prepare_bind(st, a, SQL_TEAMS, "tt", lo, hi), false, ret);
}

Error *volunteers_store_teams_led(Store *st, Arena *a, int64_t volunteer_id, json_t **ret)
{
    return teams_query(st, a, store_prepare_bind(st, a, SQL_TEAMS_LED, "i", volunteer_id), true,
                       ret);
}

Error *volunteers_store_team_json(Store *st, Arena *a, int64_t id, json_t **ret)
{
    json_t *teams = NULL;
    Error *err = teams_query(st, a, store_prepare_bind(st, a, SQL_TEAM_JSON, "i", id), true, &teams);

    if (err)
        return err;
    *ret = json_array_size(teams) ? json_incref(json_array_get(teams, 0)) : NULL;
    json_decref(teams);
    return NULL;
}

Error *volunteers_store_member_set(Store *st, Arena *a, int64_t team_id, int64_t volunteer_id,
                                   bool lead, int64_t now_ms)
{
    int64_t changes = 0;
    Error *err = store_run(st, a, SQL_MEMBER_UPDATE, NULL, NULL, NULL, &changes, "iii", team_id,
                           volunteer_id, (int64_t)lead);

    if (err || changes)
        return err;
    return store_run(st, a, SQL_MEMBER_INSERT, NULL, NULL, NULL, NULL, "iiii", team_id,
                     volunteer_id, (int64_t)lead, now_ms);
}

Error *volunteers_store_member_remove(Store *st, Arena *a, int64_t team_id, int64_t volunteer_id)
{
    int64_t changes = 0;
    Error *err = store_run(st, a, SQL_MEMBER_DELETE, NULL, NULL, NULL, &changes, "ii", team_id,
                           volunteer_id);

    if (!err && !changes)
        err = error_not_found(a, "volunteer_id", "这位志愿者不在这个志愿队里");
    return err;
}

/* ---- posts ---- */

static const char SQL_POST_INSERT[] =
    "INSERT INTO activity_post (activity_id, name, needed, created_at) VALUES (?1, ?2, ?3, ?4)"
    " RETURNING id";
static const char SQL_POST_UPDATE[] =
    "UPDATE activity_post SET name = coalesce(?2, name), needed = ?3 WHERE id = ?1";
static const char SQL_POST_DELETE[] = "DELETE FROM activity_post WHERE id = ?1 AND taken = 0";
static const char SQL_POST_GET[] =
    "SELECT id, activity_id, name, needed, taken FROM activity_post WHERE id = ?1";
static const char SQL_POSTS[] =
    "SELECT p.id, p.activity_id, p.name, p.needed, p.taken,"
    " EXISTS (SELECT 1 FROM activity_post_volunteer pv WHERE pv.post_id = p.id"
    "   AND pv.volunteer_id = ?2) AS mine"
    " FROM activity_post p WHERE p.activity_id = ?1 ORDER BY p.id";
static const char SQL_POST_PEOPLE[] =
    "SELECT v.id AS volunteer_id, r.name, r.phone_masked AS phone, pv.created_at"
    " FROM activity_post_volunteer pv JOIN volunteer v ON v.id = pv.volunteer_id"
    " JOIN resident r ON r.id = v.resident_id WHERE pv.post_id = ?1 ORDER BY pv.created_at, v.id";
static const char SQL_POST_TAKE[] =
    "UPDATE activity_post SET taken = taken + 1 WHERE id = ?1 AND taken < needed";
static const char SQL_POST_FREE[] =
    "UPDATE activity_post SET taken = taken - 1 WHERE id = ?1 AND taken > 0";
static const char SQL_POST_JOIN[] =
    "INSERT INTO activity_post_volunteer (post_id, volunteer_id, activity_id, assigned_by,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_POST_LEAVE[] =
    "DELETE FROM activity_post_volunteer WHERE post_id = ?1 AND volunteer_id = ?2";
static const char SQL_OPEN_POSTS[] =
    "SELECT p.id, p.activity_id, a.title, a.kind, a.place, a.start_at, a.end_at, p.name, p.needed,"
    " p.taken, EXISTS (SELECT 1 FROM activity_post_volunteer pv WHERE pv.post_id = p.id"
    "   AND pv.volunteer_id = ?2) AS mine"
    " FROM activity_post p JOIN activity a ON a.id = p.activity_id"
    " WHERE a.community = ?1 AND a.state = 'open' AND a.end_at > ?3"
    " ORDER BY a.start_at, a.id, p.id LIMIT 200";

Error *volunteers_store_post_insert(Store *st, Arena *a, int64_t activity_id, const char *name,
                                    int64_t needed, int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_POST_INSERT, "name", "post_exists", "这个活动已有同名的岗位",
                        ret_id, "itii", activity_id, name, needed, now_ms);
}

Error *volunteers_store_post_update(Store *st, Arena *a, int64_t id, const char *name,
                                    int64_t needed)
{
    Error *err = store_run(st, a, SQL_POST_UPDATE, "name", "post_exists", "这个活动已有同名的岗位",
                           NULL, "iti", id, name, needed);

    if (err && err->status == 409 && store_error_mentions(st, "CHECK"))
        return error_conflict(a, "needed", "below_taken", "需要人数不能少于已报名这个岗位的人数");
    return err;
}

Error *volunteers_store_post_delete(Store *st, Arena *a, int64_t id)
{
    int64_t changes = 0;
    Error *err = store_run(st, a, SQL_POST_DELETE, NULL, NULL, NULL, &changes, "i", id);

    if (!err && !changes)
        err = error_conflict(a, NULL, "post_taken", "这个岗位已有志愿者报名，不能删除");
    return err;
}

Error *volunteers_store_post_get(Store *st, Arena *a, int64_t id, VolunteerPost **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_POST_GET, "i", id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        VolunteerPost *p = arena_zalloc(a, sizeof(*p));

        p->id = store_column_int64(s, 0);
        p->activity_id = store_column_int64(s, 1);
        p->name = store_column_text(s, a, 2);
        p->needed = store_column_int64(s, 3);
        p->taken = store_column_int64(s, 4);
        *ret = p;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *volunteers_store_posts(Store *st, Arena *a, int64_t activity_id, int64_t me, bool names,
                              json_t **ret)
{
    json_t *posts = NULL, *o, *x;
    size_t i;
    Error *err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_POSTS, "ii", activity_id, me),
                                 "iitiib", &posts);

    json_array_foreach(posts, i, o) {
        if (!err && names) {
            err = store_rows_json(st, a,
                                  store_prepare_bind(st, a, SQL_POST_PEOPLE, "i",
                                                     (int64_t)json_integer_value(
                                                         json_object_get(o, "id"))),
                                  "ittT", &x);
            if (!err)
                json_object_set_new(o, "volunteers", x);
        }
    }
    if (err) {
        json_decref(posts);
        return err;
    }
    *ret = posts;
    return NULL;
}

Error *volunteers_store_post_take(Store *st, Arena *a, const VolunteerPost *post,
                                  int64_t volunteer_id, int64_t user_id, int64_t now_ms)
{
    int64_t changes = 0;
    Error *err = store_run(st, a, SQL_POST_TAKE, NULL, NULL, NULL, &changes, "i", post->id);

    if (!err && !changes)
        return error_conflict(a, "post_id", "full",
                              arena_sprintf(a, "岗位“%s”已满（需要 %lld 人）", post->name,
                                            (long long)post->needed));
    if (!err)
        err = store_run(st, a, SQL_POST_JOIN, "post_id", "already_on_post",
                        "已经报名了这个活动的一个岗位，每个活动只能报一个岗位", NULL, "iiiIi",
                        post->id, volunteer_id, post->activity_id, user_id, now_ms);
    return err;
}

Error *volunteers_store_post_leave(Store *st, Arena *a, const VolunteerPost *post,
                                   int64_t volunteer_id)
{
    int64_t changes = 0;
    Error *err = store_run(st, a, SQL_POST_LEAVE, NULL, NULL, NULL, &changes, "ii", post->id,
                           volunteer_id);

    if (!err && !changes)
        return error_not_found(a, "volunteer_id", "这位志愿者没有报名这个岗位");
    if (!err)
        err = store_run(st, a, SQL_POST_FREE, NULL, NULL, NULL, NULL, "i", post->id);
    return err;
}

Error *volunteers_store_open_posts(Store *st, Arena *a, const char *community, int64_t me,
                                   int64_t now_ms, json_t **ret)
{
    return store_rows_json(st, a,
                           store_prepare_bind(st, a, SQL_OPEN_POSTS, "tii", community, me, now_ms),
                           "iitttTTtiib", ret);
}

/* ---- the ledger ---- */

static const char SQL_ENTRY_GET[] =
    "SELECT id, volunteer_id, community, source, state, minutes FROM volunteer_hours WHERE id = ?1";
static const char SQL_ENTRY_REVIEW[] =
    "UPDATE volunteer_hours SET state = ?2, review_note = ?3, reviewed_by = ?4, reviewed_at = ?5"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_BALANCE_ADD[] = "UPDATE volunteer SET minutes = minutes + ?2 WHERE id = ?1";
static const char SQL_CORRECTION[] =
    "INSERT INTO volunteer_hours (volunteer_id, community, source, kind, served_at, minutes,"
    " reason, corrects_id, state, created_by, created_at, activity_id)"
    " VALUES (?1, ?2, 'correction', ?3, ?4, ?5, ?6, ?7, 'confirmed', ?8, ?9,"
    " (SELECT activity_id FROM volunteer_hours WHERE id = ?7)) RETURNING id";
static const char SQL_CORRECTED[] =
    "SELECT served_at, kind FROM volunteer_hours WHERE id = ?1 AND volunteer_id = ?2";
#define ENTRY_COLUMNS                                                                             \
    "h.id, h.volunteer_id, r.name, h.source, h.activity_id, a.title AS activity_title,"           \
    " p.name AS post_name, h.kind, h.served_at, h.minutes, h.reason, h.corrects_id, h.state,"     \
    " h.created_at, cu.display_name AS created_by_name, h.reviewed_at,"                           \
    " ru.display_name AS reviewed_by_name, h.review_note"
#define ENTRY_TYPES "iitt" "itttT" "itit" "TtTtt"
#define ENTRY_FROM                                                                                \
    " FROM volunteer_hours h JOIN volunteer v ON v.id = h.volunteer_id"                           \
    " JOIN resident r ON r.id = v.resident_id LEFT JOIN activity a ON a.id = h.activity_id"       \
    " LEFT JOIN activity_post p ON p.id = h.post_id LEFT JOIN app_user cu ON cu.id = h.created_by" \
    " LEFT JOIN app_user ru ON ru.id = h.reviewed_by"
static const char SQL_LEDGER[] = "SELECT " ENTRY_COLUMNS ENTRY_FROM
                                 " WHERE h.volunteer_id = ?1 ORDER BY h.id DESC LIMIT ?2 OFFSET ?3";
static const char SQL_LEDGER_COUNT[] =
    "SELECT count(*) FROM volunteer_hours WHERE volunteer_id = ?1";
static const char SQL_ENTRIES[] =
    "SELECT " ENTRY_COLUMNS ENTRY_FROM
    " WHERE (?4 = '' OR h.state = ?4) AND ((?3 = 0 AND h.community >= ?1 AND h.community < ?2)"
    "  OR (?3 > 0 AND h.volunteer_id <> ?3 AND h.volunteer_id IN (SELECT m.volunteer_id"
    "      FROM volunteer_team_member m JOIN volunteer_team_member l ON l.team_id = m.team_id"
    "      WHERE l.volunteer_id = ?3 AND l.lead = 1)))"
    " ORDER BY h.id DESC LIMIT 500";
static const char SQL_SERVED[] =
    "SELECT h.volunteer_id, h.served_at, h.kind, h.minutes FROM volunteer_hours h"
    " WHERE h.state = 'confirmed' AND (?1 = 0 OR h.volunteer_id = ?1)"
    " AND (?1 <> 0 OR (h.community >= ?2 AND h.community < ?3))"
    " AND (?4 = 0 OR h.served_at >= ?4) AND (?5 = 0 OR h.served_at < ?5)"
    " ORDER BY h.served_at, h.id";
static const char SQL_MEMBERSHIPS[] =
    "SELECT t.id, t.name, m.volunteer_id FROM volunteer_team t"
    " JOIN volunteer_team_member m ON m.team_id = t.id"
    " WHERE t.community >= ?1 AND t.community < ?2 ORDER BY t.name, t.id";

Error *volunteers_store_entry(Store *st, Arena *a, int64_t id, VolunteerEntry **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_ENTRY_GET, "i", id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        VolunteerEntry *e = arena_zalloc(a, sizeof(*e));

        e->id = store_column_int64(s, 0);
        e->volunteer_id = store_column_int64(s, 1);
        e->community = store_column_text(s, a, 2);
        e->source = store_column_text(s, a, 3);
        e->state = store_column_text(s, a, 4);
        e->minutes = store_column_int64(s, 5);
        *ret = e;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *volunteers_store_entry_review(Store *st, Arena *a, int64_t id, const char *state,
                                     const char *note, int64_t user_id, int64_t now_ms)
{
    int64_t changes = 0;
    Error *err = store_run(st, a, SQL_ENTRY_REVIEW, NULL, NULL, NULL, &changes, "ittii", id, state,
                           note ? note : "", user_id, now_ms);

    if (!err && !changes)
        err = error_conflict(a, NULL, "already_reviewed", "这条时长记录已经审核过了");
    return err;
}

Error *volunteers_store_balance_add(Store *st, Arena *a, int64_t volunteer_id, int64_t delta)
{
    return store_run(st, a, SQL_BALANCE_ADD, "minutes", "negative_balance",
                     "这样更正后志愿时长将小于零，请核对更正的分钟数", NULL, "ii", volunteer_id,
                     delta);
}

Error *volunteers_store_correction(Store *st, Arena *a, const Volunteer *v, int64_t minutes,
                                   const char *reason, const char *kind, int64_t corrects_id,
                                   int64_t user_id, int64_t now_ms, int64_t *ret_id)
{
    int64_t served_at = now_ms;

    if (corrects_id) {
        StoreStmt *s = store_prepare_bind(st, a, SQL_CORRECTED, "ii", corrects_id, v->id);
        StoreResult r = store_step(s);

        if (r == STORE_ROW) {
            served_at = store_column_int64(s, 0);
            if (!kind)
                kind = store_column_text(s, a, 1);
        }
        store_reset(s);
        if (r == STORE_DONE)
            return error_invalid(a, "corrects_id", "unknown_entry",
                                 "找不到要更正的这条记录（须是这位志愿者的时长记录）");
        if (r != STORE_ROW)
            return store_error(st, a);
    }
    return store_insert(st, a, SQL_CORRECTION, NULL, NULL, NULL, ret_id, "ittiitIii", v->id,
                        v->community, kind ? kind : "other", served_at, minutes, reason,
                        corrects_id, user_id, now_ms);
}

Error *volunteers_store_ledger(Store *st, Arena *a, int64_t volunteer_id, int64_t limit,
                               int64_t offset, json_t **ret, int64_t *ret_total)
{
    Error *err = store_run_int64(
        st, a, store_prepare_bind(st, a, SQL_LEDGER_COUNT, "i", volunteer_id), ret_total);

    if (err)
        return err;
    return store_rows_json(
        st, a, store_prepare_bind(st, a, SQL_LEDGER, "iii", volunteer_id, limit, offset),
        ENTRY_TYPES, ret);
}

Error *volunteers_store_entries(Store *st, Arena *a, const char *lo, const char *hi,
                                int64_t lead_id, const char *state, json_t **ret)
{
    return store_rows_json(st, a,
                           store_prepare_bind(st, a, SQL_ENTRIES, "ttit", lo, hi, lead_id,
                                              state ? state : ""),
                           ENTRY_TYPES, ret);
}

Error *volunteers_store_served(Store *st, Arena *a, int64_t volunteer_id, const char *lo,
                               const char *hi, int64_t from, int64_t to, VolunteersServed **ret,
                               size_t *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SERVED, "ittii", volunteer_id, lo ? lo : "",
                                      hi ? hi : "", from, to);
    VolunteersServed *v = NULL;
    size_t n = 0, cap = 0;
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        if (n == cap) {
            VolunteersServed *w;

            cap = cap ? cap * 2 : 64;
            w = arena_alloc(a, cap * sizeof(*w));
            if (n)
                memcpy(w, v, n * sizeof(*w));
            v = w;
        }
        v[n].volunteer_id = store_column_int64(s, 0);
        v[n].served_at = store_column_int64(s, 1);
        v[n].kind = store_column_text(s, a, 2);
        v[n].minutes = store_column_int64(s, 3);
        n++;
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret = v;
    *ret_n = n;
    return NULL;
}

Error *volunteers_store_memberships(Store *st, Arena *a, const char *lo, const char *hi,
                                    VolunteersMembership **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_MEMBERSHIPS, "tt", lo, hi);
    VolunteersMembership *v = NULL;
    size_t n = 0, cap = 0;
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        if (n == cap) {
            VolunteersMembership *w;

            cap = cap ? cap * 2 : 64;
            w = arena_alloc(a, cap * sizeof(*w));
            if (n)
                memcpy(w, v, n * sizeof(*w));
            v = w;
        }
        v[n].team_id = store_column_int64(s, 0);
        v[n].team = store_column_text(s, a, 1);
        v[n].volunteer_id = store_column_int64(s, 2);
        n++;
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret = v;
    *ret_n = n;
    return NULL;
}

/* ---- from attendance ---- */

static const char SQL_ATTENDED_POST[] =
    "SELECT v.id, v.community, t.activity_id, pv.post_id, a.kind, t.in_at, t.out_at"
    " FROM activity_attendance t JOIN volunteer v ON v.resident_id = t.resident_id"
    " JOIN activity_post_volunteer pv ON pv.activity_id = t.activity_id AND pv.volunteer_id = v.id"
    " JOIN activity a ON a.id = t.activity_id"
    " WHERE t.session_id = ?1 AND t.resident_id = ?2 AND t.out_at IS NOT NULL";
static const char SQL_ATTENDANCE_ENTRY[] =
    "INSERT INTO volunteer_hours (volunteer_id, community, source, activity_id, session_id,"
    " post_id, kind, served_at, minutes, state, created_at)"
    " SELECT ?1, ?2, 'attendance', ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9"
    " WHERE NOT EXISTS (SELECT 1 FROM volunteer_hours WHERE session_id = ?4"
    "   AND volunteer_id = ?1 AND source = 'attendance')";

static const char SQL_ON_POST[] =
    "SELECT count(*) FROM activity_post_volunteer pv JOIN volunteer v ON v.id = pv.volunteer_id"
    " WHERE pv.activity_id = ?1 AND v.resident_id = ?2";

Error *volunteers_on_post(Store *st, Arena *a, int64_t activity_id, int64_t resident_id, bool *ret)
{
    int64_t n = 0;
    Error *err = store_run_int64(st, a,
                                 store_prepare_bind(st, a, SQL_ON_POST, "ii", activity_id,
                                                    resident_id),
                                 &n);

    if (!err)
        *ret = n > 0;
    return err;
}

Error *volunteers_hours_from_attendance(Store *st, Arena *a, int64_t session_id,
                                        int64_t resident_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_ATTENDED_POST, "ii", session_id, resident_id);
    StoreResult r = store_step(s);
    int64_t vid = 0, activity_id = 0, post_id = 0, in_at = 0, out_at = 0, minutes;
    const char *community = NULL, *kind = NULL;

    if (r == STORE_ROW) {
        vid = store_column_int64(s, 0);
        community = store_column_text(s, a, 1);
        activity_id = store_column_int64(s, 2);
        post_id = store_column_int64(s, 3);
        kind = store_column_text(s, a, 4);
        in_at = store_column_int64(s, 5);
        out_at = store_column_int64(s, 6);
    }
    store_reset(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    minutes = volunteers_attendance_minutes(in_at, out_at);
    if (r == STORE_DONE || minutes <= 0)
        return NULL;
    return store_run(st, a, SQL_ATTENDANCE_ENTRY, NULL, NULL, NULL, NULL, "itiiitiii", vid,
                     community, activity_id, session_id, post_id, kind, in_at, minutes, now_ms);
}

Error *volunteers_hours_confirm(Store *st, Arena *a, int64_t entry_id, int64_t user_id,
                                int64_t now_ms, int64_t *ret_minutes)
{
    VolunteerEntry *e = NULL;
    Volunteer *v = NULL;
    Error *err;

    err = volunteers_store_entry(st, a, entry_id, &e);
    if (!err && !e)
        err = error_not_found(a, "id", "找不到这条时长记录");
    if (!err)
        err = volunteers_store_entry_review(st, a, entry_id, "confirmed", NULL, user_id, now_ms);
    if (!err)
        err = volunteers_store_balance_add(st, a, e->volunteer_id, e->minutes);
    /* confirmed hours earn points by the community's rule, once per entry */
    if (!err && e->minutes > 0)
        err = volunteers_store_get(st, a, e->volunteer_id, &v);
    if (!err && v)
        err = points_award(st, a, v->resident_id, e->community, POINTS_VOLUNTEER_HOUR,
                           (double)e->minutes / 60.0, "volunteer_hours", entry_id, user_id,
                           now_ms, NULL);
    if (!err && ret_minutes)
        *ret_minutes = e->minutes;
    return err;
}

/* ---- certificates ---- */

static const char SQL_IDENTITY[] =
    "SELECT r.name, r.id_masked, coalesce(d.name, v.community) FROM volunteer v"
    " JOIN resident r ON r.id = v.resident_id LEFT JOIN division d ON d.code = v.community"
    " WHERE v.id = ?1";
static const char SQL_CERT_INSERT[] =
    "INSERT INTO volunteer_certificate (code, volunteer_id, minutes, totals, issued_by, issued_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_CERT_JSON[] =
    "SELECT c.code, r.name, coalesce(d.name, v.community) AS community_name, c.minutes,"
    " c.totals, c.issued_at FROM volunteer_certificate c JOIN volunteer v ON v.id = c.volunteer_id"
    " JOIN resident r ON r.id = v.resident_id LEFT JOIN division d ON d.code = v.community"
    " WHERE c.code = ?1";

Error *volunteers_store_identity(Store *st, Arena *a, int64_t id, const char **ret_name,
                                 const char **ret_id_masked, const char **ret_community_name)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_IDENTITY, "i", id);
    StoreResult r = store_step(s);

    if (r == STORE_ROW) {
        *ret_name = store_column_text(s, a, 0);
        *ret_id_masked = store_column_text(s, a, 1);
        *ret_community_name = store_column_text(s, a, 2);
    }
    store_reset(s);
    if (r == STORE_DONE)
        return error_not_found(a, "id", "找不到这位志愿者");
    return r == STORE_ROW ? NULL : store_error(st, a);
}

Error *volunteers_store_certificate_insert(Store *st, Arena *a, const char *code,
                                           int64_t volunteer_id, int64_t minutes,
                                           const char *totals_json, int64_t user_id,
                                           int64_t now_ms)
{
    return store_run(st, a, SQL_CERT_INSERT, NULL, NULL, NULL, NULL, "tiitIi", code, volunteer_id,
                     minutes, totals_json, user_id, now_ms);
}

Error *volunteers_store_certificate_json(Store *st, Arena *a, const char *code, json_t **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_CERT_JSON, "t", code);
    StoreResult r = store_step(s);

    *ret = r == STORE_ROW ? store_row_json(s, a, "tttijT") : NULL;
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/* ---- demo ---- */

static const char SQL_DEMO_ENTRY[] =
    "INSERT INTO volunteer_hours (volunteer_id, community, source, activity_id, session_id,"
    " post_id, kind, served_at, minutes, state, created_at, reviewed_by, reviewed_at)"
    " VALUES (?1, ?2, 'attendance', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id";

/* A confirmed entry earns its points as volunteers_hours_confirm's would. */
Error *volunteers_store_demo_entry(Store *st, Arena *a, const Volunteer *v, int64_t activity_id,
                                   int64_t session_id, int64_t post_id, const char *kind,
                                   int64_t served_at, int64_t minutes, bool confirmed,
                                   int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_ENTRY);
    int64_t reviewed_at = served_at + 2 * 24 * 3600 * 1000LL, id = 0;
    Error *err;

    store_bind_list(s, "itIIItiitinn", v->id, v->community, activity_id, session_id, post_id, kind,
                    served_at, minutes, confirmed ? "confirmed" : "pending", now_ms, NULL, NULL);
    store_bind_id_or_null(s, 11, confirmed ? user_id : 0);
    if (confirmed)
        store_bind_int64(s, 12, reviewed_at);
    else
        store_bind_null(s, 12);
    err = store_run_int64(st, a, s, &id);
    if (!err && confirmed)
        err = volunteers_store_balance_add(st, a, v->id, minutes);
    if (!err && confirmed && minutes > 0)
        err = points_award(st, a, v->resident_id, v->community, POINTS_VOLUNTEER_HOUR,
                           (double)minutes / 60.0, "volunteer_hours", id, user_id, reviewed_at,
                           NULL);
    return err;
}

static const char SQL_DEMO_ACCOUNT[] =
    "SELECT coalesce(u.resident_id, 0) FROM app_user u WHERE u.username = ?1";
static const char SQL_DEMO_UPCOMING[] =
    "SELECT id FROM activity WHERE community = ?1 AND kind = ?2 AND state = 'open'"
    " AND start_at > ?3 ORDER BY start_at, id LIMIT 10";

Error *volunteers_store_demo_account(Store *st, Arena *a, const char *username, int64_t *ret)
{
    return store_run_int64(st, a, store_prepare_bind(st, a, SQL_DEMO_ACCOUNT, "t", username), ret);
}

Error *volunteers_store_demo_upcoming(Store *st, Arena *a, const char *community, const char *kind,
                                      int64_t now_ms, int64_t **ret, size_t *ret_n)
{
    return store_run_ids(st, a,
                         store_prepare_bind(st, a, SQL_DEMO_UPCOMING, "tti", community, kind,
                                            now_ms),
                         ret, ret_n);
}

static const char SQL_COUNTS_BY_COMMUNITY[] =
    "SELECT community, '', '', sum(CASE WHEN status = 'active' THEN 1 ELSE 0 END), sum(minutes)"
    " FROM volunteer WHERE community >= ?1 AND community < ?2 GROUP BY community";

Error *volunteers_store_counts_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                            CountRows *out)
{
    return store_count_rows(st, a, store_prepare_bind(st, a, SQL_COUNTS_BY_COMMUNITY, "tt", lo, hi),
                            out);
}
