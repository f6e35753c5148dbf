/*
 * Visit photos' SQL (care_store.h): the rows of care_photo (schema 0028).
 */
#include <string.h>

#include "care/care_store.h"
#include "core/banned.h"

static const char SQL_PHOTO_INSERT[] =
    "INSERT INTO care_photo (care_id, uploader_id, file, mime, size, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_PHOTO_GET[] =
    "SELECT id, care_id, coalesce(visit_id, 0), uploader_id, file, mime, size FROM care_photo"
    " WHERE id = ?1";
static const char SQL_PHOTO_ATTACH[] =
    "UPDATE care_photo SET visit_id = ?2 WHERE id = ?1 AND care_id = ?3 AND uploader_id = ?4"
    " AND visit_id IS NULL";
static const char SQL_VISIT_PHOTOS[] =
    "SELECT id, visit_id FROM care_photo WHERE care_id = ?1 AND visit_id IS NOT NULL ORDER BY id";
static const char SQL_ORPHANS_DUE[] =
    "SELECT 1 FROM care_photo WHERE visit_id IS NULL AND created_at < ?1 ORDER BY created_at LIMIT 1";
static const char SQL_ORPHANS_DELETE[] =
    "DELETE FROM care_photo WHERE id IN (SELECT id FROM care_photo"
    " WHERE visit_id IS NULL AND created_at < ?1 ORDER BY id LIMIT ?2) RETURNING id, file";

Error *care_store_photo_insert(Store *st, Arena *a, CarePhoto *p, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO_INSERT);

    store_bind_int64(s, 1, p->care_id);
    store_bind_int64(s, 2, p->uploader_id);
    store_bind_text(s, 3, p->file);
    store_bind_text(s, 4, p->mime);
    store_bind_int64(s, 5, p->size);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    p->id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *care_store_photo_get(Store *st, Arena *a, int64_t id, CarePhoto **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO_GET);
    CarePhoto *p;

    store_bind_int64(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        p = arena_zalloc(a, sizeof(*p));
        p->id = store_column_int64(s, 0);
        p->care_id = store_column_int64(s, 1);
        p->visit_id = store_column_int64(s, 2);
        p->uploader_id = store_column_int64(s, 3);
        p->file = store_column_text(s, a, 4);
        p->mime = store_column_text(s, a, 5);
        p->size = store_column_int64(s, 6);
        *ret = p;
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret = NULL;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *care_store_photos_attach(Store *st, Arena *a, int64_t care_id, int64_t visit_id,
                                int64_t uploader_id, const int64_t *ids, int n)
{
    for (int i = 0; i < n; i++) {
        StoreStmt *s = store_prepare(st, a, SQL_PHOTO_ATTACH);

        store_bind_int64(s, 1, ids[i]);
        store_bind_int64(s, 2, visit_id);
        store_bind_int64(s, 3, care_id);
        store_bind_int64(s, 4, uploader_id);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        if (store_changes(st) != 1)
            return error_invalid(a, arena_sprintf(a, "photos[%d]", i), "unknown_photo",
                                 "找不到这张照片：请先为这位老人上传照片，每张照片只能用于一次走访");
    }
    return NULL;
}

Error *care_store_visit_photos(Store *st, Arena *a, int64_t care_id, json_t *visits)
{
    StoreStmt *s = store_prepare(st, a, SQL_VISIT_PHOTOS);
    StoreResult r;
    size_t i;
    json_t *v;

    json_array_foreach (visits, i, v)
        json_object_set_new(v, "photos", json_array());
    store_bind_int64(s, 1, care_id);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t id = store_column_int64(s, 0), visit = store_column_int64(s, 1);

        json_array_foreach (visits, i, v) {
            if (json_integer_value(json_object_get(v, "id")) != visit)
                continue;
            json_array_append_new(json_object_get(v, "photos"),
                                  json_pack("{s:I, s:s}", "id", (json_int_t)id, "url",
                                            arena_sprintf(a, "/api/v1/care/photos/%lld",
                                                          (long long)id)));
            break;
        }
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *care_store_photo_orphans_due(Store *st, Arena *a, int64_t before_ms, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_ORPHANS_DUE);
    StoreResult r;

    store_bind_int64(s, 1, before_ms);
    r = store_step(s);
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = r == STORE_ROW;
    store_reset(s);
    return NULL;
}

Error *care_store_photo_orphans_delete(Store *st, Arena *a, int64_t before_ms, size_t limit,
                                       CarePhoto *ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_ORPHANS_DELETE);
    size_t n = 0;
    StoreResult r;

    store_bind_int64(s, 1, before_ms);
    store_bind_int64(s, 2, (int64_t)limit);
    while ((r = store_step(s)) == STORE_ROW && n < limit) {
        memset(&ret[n], 0, sizeof(ret[n]));
        ret[n].id = store_column_int64(s, 0);
        ret[n].file = store_column_text(s, a, 1);
        n++;
    }
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret_n = n;
    return NULL;
}
