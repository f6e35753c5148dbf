#include <string.h>

#include "core/timeutil.h"
#include "http/response.h"
#include "notice/notice.h"
#include "notice/notice_store.h"
#include "core/banned.h"

static const char SQL_NOTICE_INSERT[] =
    "INSERT INTO notice (user_id, kind, title, body, link, created_at)"
    " VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, ?6)";

static const char SQL_NOTICE_LIST[] =
    "SELECT id, kind, title, body, link, created_at, read_at FROM notice"
    " WHERE user_id = ?1 AND (?2 = 0 OR read_at IS NULL)"
    " ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4";

static const char SQL_NOTICE_COUNT[] =
    "SELECT count(*) FROM notice WHERE user_id = ?1 AND (?2 = 0 OR read_at IS NULL)";

static const char SQL_NOTICE_UNREAD[] =
    "SELECT count(*) FROM notice WHERE user_id = ?1 AND read_at IS NULL";

static const char SQL_NOTICE_READ[] =
    "UPDATE notice SET read_at = coalesce(read_at, ?3) WHERE id = ?1 AND user_id = ?2";

static const char SQL_NOTICE_READ_ALL[] =
    "UPDATE notice SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL";

static const char SQL_NOTICE_READ_LINK[] =
    "UPDATE notice SET read_at = ?3 WHERE user_id = ?1 AND link = ?2 AND read_at IS NULL";

Error *notice_read_link(Store *st, Arena *a, int64_t user_id, const char *link, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_READ_LINK);

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, link);
    store_bind_int64(s, 3, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *notice_add(Store *st, Arena *a, int64_t user_id, const char *kind, const char *title,
                  const char *body, const char *link)
{
    return notice_add_at(st, a, user_id, kind, title, body, link, time_now_ms());
}

Error *notice_add_at(Store *st, Arena *a, int64_t user_id, const char *kind, const char *title,
                     const char *body, const char *link, int64_t at_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_INSERT);

    store_bind_int64(s, 1, user_id);
    store_bind_text(s, 2, kind);
    store_bind_text(s, 3, title);
    store_bind_text(s, 4, body);
    store_bind_text(s, 5, link);
    store_bind_int64(s, 6, at_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *notice_store_list(Store *st, Arena *a, int64_t user_id, bool unread_only, int64_t limit,
                         int64_t offset, json_t *items, int64_t *ret_total, int64_t *ret_unread)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_COUNT);
    StoreResult r;

    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, unread_only);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);

    s = store_prepare(st, a, SQL_NOTICE_LIST);
    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, unread_only);
    store_bind_int64(s, 3, limit);
    store_bind_int64(s, 4, offset);
    while ((r = store_step(s)) == STORE_ROW) {
        json_array_append_new(items, json_pack(
            "{s:I, s:s, s:s, s:s, s:o, s:s, s:o}",
            "id", (json_int_t)store_column_int64(s, 0),
            "kind", store_column_text(s, a, 1),
            "title", store_column_text(s, a, 2),
            "body", store_column_text(s, a, 3),
            "link", json_string_or_null(store_column_text(s, a, 4)),
            "created_at", time_format_rfc3339(a, store_column_int64(s, 5)),
            "read_at", store_column_is_null(s, 6)
                           ? json_null()
                           : json_string(time_format_rfc3339(a, store_column_int64(s, 6)))));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return notice_store_unread(st, a, user_id, ret_unread);
}

Error *notice_store_unread(Store *st, Arena *a, int64_t user_id, int64_t *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_UNREAD);

    store_bind_int64(s, 1, user_id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *notice_store_read(Store *st, Arena *a, int64_t user_id, int64_t id, int64_t now_ms,
                         bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_READ);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_found = store_changes(st) == 1;
    return NULL;
}

static const char SQL_NOTICE_TEXT[] =
    "SELECT title, body FROM notice WHERE id = ?1 AND user_id = ?2";

Error *notice_store_text(Store *st, Arena *a, int64_t user_id, int64_t id, const char **ret_title,
                         const char **ret_body)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_TEXT);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_title = store_column_text(s, a, 0);
        *ret_body = store_column_text(s, a, 1);
        return NULL;
    case STORE_DONE:
        *ret_title = NULL;
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *notice_store_read_all(Store *st, Arena *a, int64_t user_id, int64_t now_ms, int64_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_NOTICE_READ_ALL);

    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_n = store_changes(st);
    return NULL;
}
