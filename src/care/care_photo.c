/*
 * Visit photos (走访照片), up to CARE_VISIT_PHOTOS_MAX a visit, kept as
 * case photos are (core/photo): the raw image as the request body of
 * POST /api/v1/care/people/{id}/photos, at most ROUTER_FILE_BODY, its type
 * by its content (JPEG, PNG, WebP), the file in "<db>.files/care/" under a
 * random name. The visit then names the photos ("photos": [ids]) and takes
 * them in its own transaction. A photo is care data: GET
 * /api/v1/care/photos/{id} serves it only to those who may see the
 * person's page (before a visit takes it, to its uploader alone), and every
 * fetch is audited as a view of her page is (care.photo_view beside
 * care.view_full). A photo no visit took a day after its upload is deleted,
 * row and file, by the sweep thread and by the next upload.
 */
#include <unistd.h>

#include "audit/audit.h"
#include "care/care.h"
#include "care/care_store.h"
#include "core/photo.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

static const char *care_photo_dir(Arena *a, const char *files_base)
{
    return photo_dir(a, files_base, "care");
}

Error *care_photo_purge(Store *st, Arena *a, const char *files_base, int64_t now_ms,
                        const char *rid, size_t *ret_n)
{
    CarePhoto gone[CARE_PHOTO_PURGE_BATCH];
    const char *dir;
    size_t n = 0;
    bool due = false;
    Error *err;

    if (ret_n)
        *ret_n = 0;
    /* a read first: most ticks find nothing and take no write lock */
    err = care_store_photo_orphans_due(st, a, now_ms - CARE_PHOTO_ORPHAN_MS, &due);
    if (err || !due)
        return err;
    err = store_begin(st, a);
    if (err)
        return err;
    err = care_store_photo_orphans_delete(st, a, now_ms - CARE_PHOTO_ORPHAN_MS,
                                          CARE_PHOTO_PURGE_BATCH, gone, &n);
    for (size_t i = 0; !err && i < n; i++)
        err = audit_record_system(st, a, "system", "care_photo.purge", "care_photo", gone[i].id,
                                  NULL, json_pack("{s:s}", "reason", "orphan"));
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        return err;
    }
    /* the rows are gone for good; a file left by a failed unlink is only disk space */
    dir = care_photo_dir(a, files_base);
    for (size_t i = 0; i < n; i++)
        photo_remove(a, dir, gone[i].file, rid, gone[i].id);
    if (ret_n)
        *ret_n = n;
    return NULL;
}

static Error *care_handle_photo_upload(Request *req, Response *res)
{
    CarePerson *p = NULL;
    CarePhoto ph = { 0 };
    PhotoFile f;
    const char *as = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = care_person_for(req, id, true, &p, &as);
    if (err)
        return err;
    if (p->closed_at)
        return error_conflict(req->arena, NULL, "closed", "该居民的关爱已经结束，不能再上传走访照片");
    if (req->body_len == 0)
        return error_invalid(req->arena, "photo", "empty_photo", "请上传照片文件（请求体为图片本身）");
    err = photo_save(req->arena, req->app->keys, care_photo_dir(req->arena, req->app->cfg->files_base), "photo",
                     req->body, req->body_len, ROUTER_FILE_BODY, &f);
    if (err)
        return err;
    request_end_read(req);
    /* orphans of earlier uploads go first, in their own transaction */
    err = care_photo_purge(req->store, req->arena, req->app->cfg->files_base, time_now_ms(),
                           req->id, NULL);
    if (err) {
        unlink(f.path);
        return err;
    }
    ph.care_id = p->id;
    ph.uploader_id = req->user->id;
    ph.file = f.file;
    ph.mime = f.mime;
    ph.size = f.size;
    err = store_begin(req->store, req->arena);
    if (!err)
        err = care_store_photo_insert(req->store, req->arena, &ph, time_now_ms());
    if (!err)
        err = audit_record(req, "care_photo.upload", "care", p->id, p->community,
                           json_pack("{s:I}", "photo_id", (json_int_t)ph.id));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        unlink(f.path);
        return err;
    }
    return response_json(res, 201,
                         json_pack("{s:I, s:I, s:s, s:s, s:I}", "id", (json_int_t)ph.id, "care_id",
                                   (json_int_t)p->id, "url",
                                   arena_sprintf(req->arena, "/api/v1/care/photos/%lld",
                                                 (long long)ph.id),
                                   "mime", ph.mime, "size", (json_int_t)ph.size));
}

static Error *care_handle_photo_get(Request *req, Response *res)
{
    CarePhoto *ph = NULL;
    CarePerson *p = NULL;
    const char *as = NULL;
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = care_store_photo_get(req->store, req->arena, id, &ph);
    if (err)
        return err;
    if (!ph || (!ph->visit_id && ph->uploader_id != req->user->id))
        return error_not_found(req->arena, "id", "找不到该照片");
    err = care_person_for(req, ph->care_id, false, &p, &as);
    if (err) {
        /* whoever may not see her page learns nothing about the photo either */
        if (err->status == 403 || err->status == 404)
            return error_not_found(req->arena, "id", "找不到该照片");
        return err;
    }
    err = audit_record(req, "care.photo_view", "care", p->id, p->community,
                       json_pack("{s:I, s:s}", "photo_id", (json_int_t)ph->id, "as", as));
    if (err)
        return err;
    return response_photo(req, res, req->app->keys, care_photo_dir(req->arena, req->app->cfg->files_base),
                          ph->file, ph->mime);
}

void care_photo_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/care/people/{id}/photos", care_handle_photo_upload,
               ROUTE_FILE_BODY);
    router_add(r, "GET", "/api/v1/care/photos/{id}", care_handle_photo_get, 0);
}
