/*
 * Case photos. An upload is the raw image as the request body (at most
 * CASES_PHOTO_MAX_BYTES); what it is comes from its content, never from its
 * name or Content-Type (core/filetype): only JPEG, PNG and WebP are kept.
 * The file goes to "<db>.files/cases/" beside the database, outside any web root, under a random name; it is served only through
 * GET /api/v1/case-photos/{id}, to those who may see its case (or, before
 * it is attached, to its uploader). A photo still attached to no case a day
 * after its upload (a report never sent) is deleted by the sweep, row and
 * file (cases_photo_sweep).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/crypto.h"
#include "core/filetype.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

const char *cases_photo_dir_of(Arena *a, const char *files_base)
{
    return arena_sprintf(a, "%s.files/cases", files_base);
}

const char *cases_photo_dir(Request *req)
{
    return cases_photo_dir_of(req->arena, req->app->cfg->files_base);
}

static Error *ensure_dir(Request *req, const char *dir)
{
    char *parent = arena_strdup(req->arena, dir);
    char *slash = strrchr(parent, '/');

    if (slash) {
        *slash = '\0';
        if (mkdir(parent, 0700) != 0 && errno != EEXIST)
            return error_internal(req->arena, "cannot create '%s': %s", parent, strerror(errno));
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return error_internal(req->arena, "cannot create '%s': %s", dir, strerror(errno));
    return NULL;
}

static Error *write_file(Request *req, const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t done = 0;

    if (fd < 0)
        return error_internal(req->arena, "cannot create '%s': %s", path, strerror(errno));
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(path);
            return error_internal(req->arena, "cannot write '%s': %s", path, strerror(errno));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return error_internal(req->arena, "cannot write '%s'", path);
    }
    return NULL;
}

Error *cases_photo_write(Request *req, const char *field, const void *data, size_t len,
                        CasePhoto *p, const char **ret_path)
{
    const FileType *type;
    const char *dir;
    char name[33];
    Error *err;

    if (len > CASES_PHOTO_MAX_BYTES)
        return error_new(req->arena, 413, field, "photo_too_large",
                         arena_sprintf(req->arena, "照片不能超过 %d MB，请压缩后再上传",
                                       CASES_PHOTO_MAX_BYTES / (1024 * 1024)));
    type = filetype_sniff(data, len, FILETYPE_IMAGES, FILETYPE_N_IMAGES);
    if (!type)
        return error_new(req->arena, 415, field, "not_an_image",
                         "文件不是 JPEG、PNG 或 WebP 图片，请重新选择照片");
    p->mime = type->mime;
    dir = cases_photo_dir(req);
    err = ensure_dir(req, dir);
    if (err)
        return err;
    crypto_random_hex(name, 16);
    p->file = arena_sprintf(req->arena, "%s.%s", name, type->ext);
    *ret_path = arena_sprintf(req->arena, "%s/%s", dir, p->file);
    err = write_file(req, *ret_path, data, len);
    if (err)
        return err;
    p->size = (int64_t)len;
    return NULL;
}

static Error *cases_handle_photo_upload(Request *req, Response *res)
{
    CasePhoto p = { 0 };
    const char *path;
    Error *err;

    err = auth_require(req, ROLES_CASES_REPORT | ROLE_PROPERTY | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (err)
        return err;
    if (req->body_len == 0)
        return error_invalid(req->arena, "photo", "empty_photo", "请上传照片文件（请求体为图片本身）");
    err = cases_photo_write(req, "photo", req->body, req->body_len, &p, &path);
    if (err)
        return err;
    p.uploader_id = req->user->id;
    err = store_begin(req->store, req->arena);
    if (!err)
        err = cases_store_photo_insert(req->store, req->arena, &p, time_now_ms());
    if (!err)
        err = audit_record(req, "case_photo.upload", "case_photo", p.id, NULL, NULL);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        unlink(path);
        return err;
    }
    return response_json(res, 201, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)p.id,
                                             "url", arena_sprintf(req->arena, "/api/v1/case-photos/%lld", (long long)p.id),
                                             "mime", p.mime, "size", (json_int_t)p.size));
}

static Error *cases_handle_photo_get(Request *req, Response *res)
{
    CasePhoto *p = NULL;
    Case *c = NULL;
    int64_t id, unit = 0;
    struct stat sb;
    int fd;
    Error *err;

    err = auth_require(req, ROLES_CASES_READ);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = cases_store_photo_get(req->store, req->arena, id, &p);
    if (err)
        return err;
    if (p && p->case_id) {
        if (req->user->role == ROLE_PROPERTY)
            err = cases_store_user_unit(req->store, req->arena, req->user->id, &unit);
        if (!err)
            err = cases_store_get(req->store, req->arena, p->case_id, false, &c);
        if (err)
            return err;
    }
    if (!p || (c ? !cases_visible(req, c, unit) : p->uploader_id != req->user->id))
        return error_not_found(req->arena, "id", "找不到该照片");
    fd = open(arena_sprintf(req->arena, "%s/%s", cases_photo_dir(req), p->file),
              O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_not_found(req->arena, "id", "照片文件已不存在");
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return error_internal(req->arena, "cannot stat photo %lld", (long long)id);
    }
    res->status = 200;
    res->fd = fd;
    res->fd_size = (size_t)sb.st_size;
    res->content_type = p->mime;
    response_header(res, "Cache-Control", "private, max-age=3600");
    return NULL;
}

Error *cases_photo_purge(Store *st, Arena *a, const char *files_base, int64_t now_ms,
                        const char *rid, size_t *ret_n)
{
    CasePhoto gone[CASES_PHOTO_PURGE_BATCH];
    int64_t before = now_ms - CASES_PHOTO_ORPHAN_MS;
    const char *dir;
    size_t n = 0;
    Error *err;

    if (ret_n)
        *ret_n = 0;
    err = store_begin(st, a);
    if (err)
        return err;
    err = cases_store_orphans_delete(st, a, before, CASES_PHOTO_PURGE_BATCH, gone, &n);
    for (size_t i = 0; !err && i < n; i++)
        err = audit_record_system(st, a, "system", "case_photo.purge", "case_photo", gone[i].id,
                                  NULL, json_pack("{s:s}", "reason", "orphan"));
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        return err;
    }
    /* the rows are gone for good; a file left by a failed unlink is only disk space */
    dir = cases_photo_dir_of(a, files_base);
    for (size_t i = 0; i < n; i++) {
        const char *path = arena_sprintf(a, "%s/%s", dir, gone[i].file);

        if (unlink(path) != 0 && errno != ENOENT)
            log_warn("cannot remove orphan photo", "rid", rid, "photo",
                     arena_sprintf(a, "%lld", (long long)gone[i].id), "error", strerror(errno),
                     NULL);
    }
    if (ret_n)
        *ret_n = n;
    return NULL;
}

Error *cases_photo_sweep(Request *req, int64_t now_ms)
{
    bool due = false;
    Error *err;

    err = cases_store_orphans_due(req->store, req->arena, now_ms - CASES_PHOTO_ORPHAN_MS, &due);
    if (err || !due)
        return err;
    request_end_read(req);
    return cases_photo_purge(req->store, req->arena, req->app->cfg->files_base, now_ms, req->id,
                             NULL);
}

void cases_photo_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/case-photos", cases_handle_photo_upload, ROUTE_FILE_BODY);
    router_add(r, "GET", "/api/v1/case-photos/{id}", cases_handle_photo_get, 0);
}
