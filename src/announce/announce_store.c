/*
 * Announcements' SQL. Which households an announcement reaches is one
 * condition (TARGET below) used three ways: to count them when it is
 * published, to find the resident accounts to tell, and to list them with
 * their receipts. Who may see one is another (RESIDENT_SEES / STAFF_SEES),
 * shared by the list, its count and the single read.
 */
#include <string.h>

#include "announce/announce.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "notice/notice.h"
#include "core/banned.h"

/* ?1 lo, ?2 hi (the scope's code range), ?3 building (0: any), ?4 unit (0: any), ?5 tag (NULL: any) */
#define TARGET                                                                                   \
    " h.community >= ?1 AND h.community < ?2"                                                    \
    " AND (?3 = 0 OR h.building_id = ?3) AND (?4 = 0 OR h.unit = ?4)"                            \
    " AND (CAST(?5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM resident r JOIN resident_tag t"     \
    "      ON t.resident_id = r.id WHERE r.household_id = h.id AND r.status = 'active'"          \
    "      AND t.tag = ?5))"                                                                     \
    " AND EXISTS (SELECT 1 FROM resident r WHERE r.household_id = h.id AND r.status = 'active')"

static const char SQL_ANNOUNCE_DIVISION[] = "SELECT level FROM division WHERE code = ?1";
static const char SQL_ANNOUNCE_BUILDING[] = "SELECT community, units FROM building WHERE id = ?1";
static const char SQL_ANNOUNCE_TAG[] = "SELECT 1 FROM tag WHERE name = ?1";

static const char SQL_ANNOUNCE_COUNT_HOUSEHOLDS[] =
    "SELECT count(*) FROM household h WHERE" TARGET;

static const char SQL_ANNOUNCE_TARGET_USERS[] =
    "SELECT u.id FROM app_user u JOIN household h ON h.id = u.household_id"
    " WHERE u.role = 'resident' AND u.disabled = 0 AND" TARGET " ORDER BY u.id";

static const char SQL_ANNOUNCE_INSERT[] =
    "INSERT INTO announcement (scope, building_id, unit, tag, title, body, pinned, ends_at,"
    " author_id, author_name, households, created_at, updated_at)"
    " VALUES (?1, nullif(?2, 0), nullif(?3, 0), ?4, ?5, ?6, ?7, nullif(?8, 0), ?9, ?10, ?11, ?12, ?12)"
    " RETURNING id";

static const char SQL_ANNOUNCE_ATTACH[] =
    "UPDATE announcement_file SET announcement_id = ?1"
    " WHERE id = ?2 AND uploader_id = ?3 AND announcement_id IS NULL";

/* ?1 viewer, ?2 now, ?7 one id (0: all) */
#define COLUMNS                                                                                  \
    "SELECT a.id, a.scope, d.name, coalesce(a.building_id, 0), b.name, coalesce(a.unit, 0),"      \
    " a.tag, a.title, a.body, a.pinned, coalesce(a.ends_at, 0), coalesce(a.author_id, 0),"        \
    " a.author_name, a.households,"                                                              \
    " (SELECT count(DISTINCT r.household_id) FROM announcement_read r"                           \
    "  WHERE r.announcement_id = a.id AND r.household_id IS NOT NULL),"                          \
    " a.created_at, a.updated_at, coalesce(a.withdrawn_at, 0),"                                  \
    " coalesce((SELECT r.read_at FROM announcement_read r"                                       \
    "  WHERE r.announcement_id = a.id AND r.user_id = ?1), 0)"                                   \
    " FROM announcement a JOIN division d ON d.code = a.scope"                                   \
    " LEFT JOIN building b ON b.id = a.building_id"

#define COUNT_COLUMNS                                                                            \
    "SELECT count(*), coalesce(sum(CASE WHEN EXISTS (SELECT 1 FROM announcement_read r"          \
    " WHERE r.announcement_id = a.id AND r.user_id = ?1) THEN 0 ELSE 1 END), 0)"                 \
    " FROM announcement a"

/* a resident: ?3 her community, ?4 her household; current ones that reach it */
#define RESIDENT_SEES                                                                            \
    " WHERE (?7 = 0 OR a.id = ?7) AND a.withdrawn_at IS NULL"                                    \
    " AND (a.ends_at IS NULL OR a.ends_at > ?2)"                                                 \
    " AND substr(?3, 1, length(a.scope)) = a.scope"                                              \
    " AND (a.building_id IS NULL OR a.building_id ="                                             \
    "      (SELECT building_id FROM household WHERE id = ?4))"                                   \
    " AND (a.unit IS NULL OR a.unit = (SELECT unit FROM household WHERE id = ?4))"               \
    " AND (a.tag IS NULL OR EXISTS (SELECT 1 FROM resident r JOIN resident_tag t"                \
    "      ON t.resident_id = r.id WHERE r.household_id = ?4 AND r.status = 'active'"            \
    "      AND t.tag = a.tag))"

/* anyone else: ?3..?4 the code range, ?5 the prefix whose streets' notices reach it, ?6 state (-1: any) */
#define STAFF_SEES                                                                               \
    " WHERE (?7 = 0 OR a.id = ?7)"                                                               \
    " AND ((a.scope >= ?3 AND a.scope < ?4) OR substr(?5, 1, length(a.scope)) = a.scope)"        \
    " AND (?6 < 0 OR ?6 = CASE WHEN a.withdrawn_at IS NOT NULL THEN 2"                           \
    "      WHEN a.ends_at IS NOT NULL AND a.ends_at <= ?2 THEN 1 ELSE 0 END)"

#define ORDER                                                                                    \
    " ORDER BY (a.pinned = 1 AND a.withdrawn_at IS NULL"                                         \
    " AND (a.ends_at IS NULL OR a.ends_at > ?2)) DESC, a.created_at DESC, a.id DESC"             \
    " LIMIT ?8 OFFSET ?9"

static const char SQL_ANNOUNCE_LIST_RESIDENT[] = COLUMNS RESIDENT_SEES ORDER;
static const char SQL_ANNOUNCE_LIST_STAFF[] = COLUMNS STAFF_SEES ORDER;
static const char SQL_ANNOUNCE_COUNT_RESIDENT[] = COUNT_COLUMNS RESIDENT_SEES;
static const char SQL_ANNOUNCE_COUNT_STAFF[] = COUNT_COLUMNS STAFF_SEES;

static const char SQL_ANNOUNCE_FILES[] =
    "SELECT id, name, mime, size FROM announcement_file WHERE announcement_id = ?1 ORDER BY id";

static const char SQL_ANNOUNCE_READ[] =
    "INSERT INTO announcement_read (announcement_id, user_id, household_id, read_at)"
    " VALUES (?1, ?2, nullif(?3, 0), ?4) ON CONFLICT DO NOTHING";

static const char SQL_ANNOUNCE_READ_AT[] =
    "SELECT read_at FROM announcement_read WHERE announcement_id = ?1 AND user_id = ?2";

static const char SQL_ANNOUNCE_UPDATE[] =
    "UPDATE announcement SET pinned = CASE WHEN ?2 = 1 THEN ?3 ELSE pinned END,"
    " ends_at = CASE WHEN ?4 = 1 THEN nullif(?5, 0) ELSE ends_at END,"
    " withdrawn_at = CASE WHEN ?6 = 1 THEN coalesce(withdrawn_at, ?7) ELSE withdrawn_at END,"
    " updated_at = ?7 WHERE id = ?1";

static const char SQL_ANNOUNCE_READS[] =
    "SELECT h.id, b.name || h.unit || '单元' || h.room || '室',"
    " (SELECT min(r.read_at) FROM announcement_read r"
    "  WHERE r.announcement_id = ?6 AND r.household_id = h.id) AS read_at"
    " FROM household h JOIN building b ON b.id = h.building_id"
    " WHERE" TARGET
    " AND (?7 = 0 OR NOT EXISTS (SELECT 1 FROM announcement_read r"
    "      WHERE r.announcement_id = ?6 AND r.household_id = h.id))"
    " ORDER BY EXISTS (SELECT 1 FROM announcement_read r"
    "  WHERE r.announcement_id = ?6 AND r.household_id = h.id),"
    " h.building_id, h.unit, h.floor, h.room LIMIT ?8 OFFSET ?9";

static const char SQL_ANNOUNCE_READS_COUNT[] =
    "SELECT count(*) FROM household h WHERE" TARGET
    " AND (?7 = 0 OR NOT EXISTS (SELECT 1 FROM announcement_read r"
    "      WHERE r.announcement_id = ?6 AND r.household_id = h.id))";

static const char SQL_ANNOUNCE_FILE_PURGE[] =
    "DELETE FROM announcement_file WHERE announcement_id IS NULL AND created_at < ?1";

static const char SQL_ANNOUNCE_FILE_INSERT[] =
    "INSERT INTO announcement_file (uploader_id, name, mime, size, data, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";

static const char SQL_ANNOUNCE_FILE_GET[] =
    "SELECT mime, name, data, coalesce(announcement_id, 0), uploader_id"
    " FROM announcement_file WHERE id = ?1";

/* Binds TARGET's ?1..?5 for the households @scope, @building_id, @unit and @tag reach. */
static void bind_target(StoreStmt *s, Arena *a, const char *scope, int64_t building_id,
                        int64_t unit, const char *tag)
{
    const char *lo, *hi;

    auth_scope_bounds(a, scope, &lo, &hi);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, building_id);
    store_bind_int64(s, 4, unit);
    store_bind_text(s, 5, tag);
}

Error *announce_store_check(Store *st, Arena *a, const AnnounceInput *in)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_DIVISION);
    StoreResult r;
    int64_t level = 0, units = 0;
    const char *community = NULL;

    store_bind_text(s, 1, in->scope);
    r = store_step(s);
    if (r == STORE_ROW)
        level = store_column_int64(s, 0);
    else if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (level != 4 && level != 5)
        return error_invalid(a, "scope", "unknown_scope", "找不到该街道或社区，请从列表中选择通知范围");

    if (in->building_id) {
        s = store_prepare(st, a, SQL_ANNOUNCE_BUILDING);
        store_bind_int64(s, 1, in->building_id);
        r = store_step(s);
        if (r == STORE_ROW) {
            community = store_column_text(s, a, 0);
            units = store_column_int64(s, 1);
        } else if (r != STORE_DONE) {
            return store_error(st, a);
        }
        store_reset(s);
        if (!community || strcmp(community, in->scope) != 0)
            return error_invalid(a, "building_id", "unknown_building", "找不到该楼栋，或它不在所选社区");
        if (in->unit > units)
            return error_invalid(a, "unit", "unknown_unit",
                                 arena_sprintf(a, "该楼栋只有 %lld 个单元", (long long)units));
    }

    if (in->tag) {
        bool found;

        s = store_prepare(st, a, SQL_ANNOUNCE_TAG);
        store_bind_text(s, 1, in->tag);
        r = store_step(s);
        if (r != STORE_ROW && r != STORE_DONE)
            return store_error(st, a);
        found = r == STORE_ROW;
        store_reset(s);
        if (!found)
            return error_invalid(a, "tag", "unknown_tag", "找不到该标签，请从标签列表中选择");
    }
    return NULL;
}

static Error *count_households(Store *st, Arena *a, const AnnounceInput *in, int64_t *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_COUNT_HOUSEHOLDS);

    bind_target(s, a, in->scope, in->building_id, in->unit, in->tag);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *announce_store_reached_users(Store *st, Arena *a, const AnnounceInput *in,
                                   int64_t **ret_ids, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_TARGET_USERS);
    size_t n = 0, cap = 64;
    int64_t *users = arena_alloc(a, cap * sizeof(*users));
    StoreResult r;

    bind_target(s, a, in->scope, in->building_id, in->unit, in->tag);
    while ((r = store_step(s)) == STORE_ROW) {
        users = arena_grow(a, users, n, &cap, sizeof(*users));
        users[n++] = store_column_int64(s, 0);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_ids = users;
    *ret_n = n;
    return NULL;
}

/* Tells every resident account @in reaches, in her inbox (消息). */
static Error *notify_residents(Store *st, Arena *a, const AnnounceInput *in, int64_t id,
                               const char *author, int64_t now_ms)
{
    const char *title = arena_sprintf(a, "新通知：%s", in->title);
    const char *link = arena_sprintf(a, "/announcements/%lld", (long long)id);
    int64_t *users = NULL;
    size_t n = 0;
    Error *err;

    err = announce_store_reached_users(st, a, in, &users, &n);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        err = notice_add_at(st, a, users[i], "announcement", title, author, link, now_ms);
        if (err)
            return err;
    }
    return NULL;
}

Error *announce_store_insert(Store *st, Arena *a, const AnnounceInput *in, const User *author,
                             int64_t now_ms, int64_t *ret_id)
{
    const char *name = author->display_name && *author->display_name ? author->display_name
                                                                      : author->username;
    int64_t households = 0, id;
    StoreStmt *s;
    Error *err;

    err = count_households(st, a, in, &households);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_ANNOUNCE_INSERT);
    store_bind_text(s, 1, in->scope);
    store_bind_int64(s, 2, in->building_id);
    store_bind_int64(s, 3, in->unit);
    store_bind_text(s, 4, in->tag);
    store_bind_text(s, 5, in->title);
    store_bind_text(s, 6, in->body);
    store_bind_int64(s, 7, in->pinned);
    store_bind_int64(s, 8, in->ends_at_ms);
    store_bind_int64(s, 9, author->id);
    store_bind_text(s, 10, name);
    store_bind_int64(s, 11, households);
    store_bind_int64(s, 12, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    id = store_column_int64(s, 0);
    store_reset(s);

    for (int i = 0; i < in->n_files; i++) {
        s = store_prepare(st, a, SQL_ANNOUNCE_ATTACH);
        store_bind_int64(s, 1, id);
        store_bind_int64(s, 2, in->files[i]);
        store_bind_int64(s, 3, author->id);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        if (store_changes(st) != 1)
            return error_invalid(a, arena_sprintf(a, "files[%d]", i), "unknown_file",
                                 "找不到该附件，或它已用于其他通知；请重新上传");
    }
    err = notify_residents(st, a, in, id, name, now_ms);
    if (err)
        return err;
    *ret_id = id;
    return NULL;
}

static void bind_viewer(StoreStmt *s, const AnnounceViewer *v, int64_t id)
{
    store_bind_int64(s, 1, v->user_id);
    store_bind_int64(s, 2, v->now_ms);
    if (v->resident) {
        store_bind_text(s, 3, v->community);
        store_bind_int64(s, 4, v->household_id);
        store_bind_null(s, 5);
        store_bind_null(s, 6);
    } else {
        store_bind_text(s, 3, v->lo);
        store_bind_text(s, 4, v->hi);
        store_bind_text(s, 5, v->prefix);
        store_bind_int64(s, 6, v->state);
    }
    store_bind_int64(s, 7, id);
}

static void from_row(StoreStmt *s, Arena *a, int64_t now_ms, Announcement *x)
{
    memset(x, 0, sizeof(*x));
    x->id = store_column_int64(s, 0);
    x->scope = store_column_text(s, a, 1);
    x->scope_name = store_column_text(s, a, 2);
    x->building_id = store_column_int64(s, 3);
    x->building_name = store_column_text(s, a, 4);
    x->unit = store_column_int64(s, 5);
    x->tag = store_column_text(s, a, 6);
    x->title = store_column_text(s, a, 7);
    x->body = store_column_text(s, a, 8);
    x->pinned = store_column_int64(s, 9) != 0;
    x->ends_at_ms = store_column_int64(s, 10);
    x->author_id = store_column_int64(s, 11);
    x->author_name = store_column_text(s, a, 12);
    x->households = store_column_int64(s, 13);
    x->read_households = store_column_int64(s, 14);
    x->created_at_ms = store_column_int64(s, 15);
    x->updated_at_ms = store_column_int64(s, 16);
    x->withdrawn_at_ms = store_column_int64(s, 17);
    x->read_at_ms = store_column_int64(s, 18);
    if (x->withdrawn_at_ms)
        x->state = ANNOUNCE_WITHDRAWN;
    else if (x->ends_at_ms && x->ends_at_ms <= now_ms)
        x->state = ANNOUNCE_ENDED;
    else
        x->state = ANNOUNCE_ACTIVE;
}

static Error *load_files(Store *st, Arena *a, Announcement *x)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_FILES);
    size_t cap = 4;
    StoreResult r;

    x->files = arena_alloc(a, cap * sizeof(*x->files));
    x->n_files = 0;
    store_bind_int64(s, 1, x->id);
    while ((r = store_step(s)) == STORE_ROW) {
        AnnounceFile *f;

        x->files = arena_grow(a, x->files, x->n_files, &cap, sizeof(*x->files));
        f = &x->files[x->n_files++];
        f->id = store_column_int64(s, 0);
        f->name = store_column_text(s, a, 1);
        f->mime = store_column_text(s, a, 2);
        f->size = store_column_int64(s, 3);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *announce_store_list(Store *st, Arena *a, const AnnounceViewer *v, int64_t limit,
                           int64_t offset, Announcement **ret_items, size_t *ret_n,
                           int64_t *ret_total, int64_t *ret_unread)
{
    StoreStmt *s = store_prepare(st, a, v->resident ? SQL_ANNOUNCE_COUNT_RESIDENT
                                                    : SQL_ANNOUNCE_COUNT_STAFF);
    size_t n = 0, cap = 16;
    Announcement *items = arena_alloc(a, cap * sizeof(*items));
    StoreResult r;
    Error *err;

    bind_viewer(s, v, 0);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    *ret_unread = store_column_int64(s, 1);
    store_reset(s);

    s = store_prepare(st, a, v->resident ? SQL_ANNOUNCE_LIST_RESIDENT : SQL_ANNOUNCE_LIST_STAFF);
    bind_viewer(s, v, 0);
    store_bind_int64(s, 8, limit);
    store_bind_int64(s, 9, offset);
    while ((r = store_step(s)) == STORE_ROW) {
        items = arena_grow(a, items, n, &cap, sizeof(*items));
        from_row(s, a, v->now_ms, &items[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    for (size_t i = 0; i < n; i++) {
        err = load_files(st, a, &items[i]);
        if (err)
            return err;
    }
    *ret_items = items;
    *ret_n = n;
    return NULL;
}

Error *announce_store_get(Store *st, Arena *a, const AnnounceViewer *v, int64_t id,
                          Announcement **ret)
{
    StoreStmt *s = store_prepare(st, a, v->resident ? SQL_ANNOUNCE_LIST_RESIDENT
                                                    : SQL_ANNOUNCE_LIST_STAFF);
    Announcement *x = NULL;
    StoreResult r;

    bind_viewer(s, v, id);
    store_bind_int64(s, 8, 1);
    store_bind_int64(s, 9, 0);
    r = store_step(s);
    if (r == STORE_ROW) {
        x = arena_alloc(a, sizeof(*x));
        from_row(s, a, v->now_ms, x);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    *ret = x;
    return x ? load_files(st, a, x) : NULL;
}

Error *announce_store_read(Store *st, Arena *a, int64_t id, int64_t user_id, int64_t household_id,
                           int64_t now_ms, int64_t *ret_read_at_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_READ);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, household_id);
    store_bind_int64(s, 4, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);

    s = store_prepare(st, a, SQL_ANNOUNCE_READ_AT);
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_read_at_ms = store_column_int64(s, 0);
    store_reset(s);
    return notice_read_link(st, a, user_id, arena_sprintf(a, "/announcements/%lld", (long long)id),
                            now_ms);
}

Error *announce_store_update(Store *st, Arena *a, int64_t id, const AnnouncePatch *p,
                             bool withdraw, int64_t now_ms, bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_UPDATE);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, p->has_pinned);
    store_bind_int64(s, 3, p->pinned);
    store_bind_int64(s, 4, p->has_ends_at);
    store_bind_int64(s, 5, p->ends_at_ms);
    store_bind_int64(s, 6, withdraw);
    store_bind_int64(s, 7, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_found = store_changes(st) == 1;
    return NULL;
}

Error *announce_store_reads(Store *st, Arena *a, const Announcement *ann, bool unread_only,
                            int64_t limit, int64_t offset, json_t *items, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_READS_COUNT);
    StoreResult r;

    bind_target(s, a, ann->scope, ann->building_id, ann->unit, ann->tag);
    store_bind_int64(s, 6, ann->id);
    store_bind_int64(s, 7, unread_only);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);

    s = store_prepare(st, a, SQL_ANNOUNCE_READS);
    bind_target(s, a, ann->scope, ann->building_id, ann->unit, ann->tag);
    store_bind_int64(s, 6, ann->id);
    store_bind_int64(s, 7, unread_only);
    store_bind_int64(s, 8, limit);
    store_bind_int64(s, 9, offset);
    while ((r = store_step(s)) == STORE_ROW) {
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:o}", "household_id", (json_int_t)store_column_int64(s, 0),
                             "address", store_column_text(s, a, 1), "read_at",
                             store_column_is_null(s, 2)
                                 ? json_null()
                                 : json_string(time_format_rfc3339_at(a, store_column_int64(s, 2),
                                                                      TIME_OFFSET_SHANGHAI))));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *announce_store_file_insert(Store *st, Arena *a, int64_t uploader_id, const char *name,
                                  const char *mime, const void *data, size_t len, int64_t now_ms,
                                  int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_FILE_PURGE);

    /* a file never attached is dropped a day after its upload */
    store_bind_int64(s, 1, now_ms - 86400000);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);

    s = store_prepare(st, a, SQL_ANNOUNCE_FILE_INSERT);
    store_bind_int64(s, 1, uploader_id);
    store_bind_text(s, 2, name);
    store_bind_text(s, 3, mime);
    store_bind_int64(s, 4, (int64_t)len);
    store_bind_blob(s, 5, data, len);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *announce_store_file_get(Store *st, Arena *a, int64_t id, const char **ret_mime,
                               const char **ret_name, const void **ret_data, size_t *ret_len,
                               int64_t *ret_announcement_id, int64_t *ret_uploader_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_ANNOUNCE_FILE_GET);
    StoreResult r;

    *ret_data = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret_mime = store_column_text(s, a, 0);
        *ret_name = store_column_text(s, a, 1);
        *ret_data = store_column_blob(s, a, 2, ret_len);
        *ret_announcement_id = store_column_int64(s, 3);
        *ret_uploader_id = store_column_int64(s, 4);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}
