/*
 * Announcement routes: validate -> authorize -> store, one handler each.
 *
 * An announcement the user may not see is a 404, never a 403, so ids reveal
 * nothing. Staff of a scope may change what lies within it; a community's
 * staff see their street's announcements but leave them to the street.
 */
#include <string.h>

#include "announce/announce.h"
#include "audit/audit.h"
#include "core/filetype.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "tts/tts.h"
#include "core/banned.h"

static bool is_resident(const Request *req)
{
    return req->user->role == ROLE_RESIDENT;
}

static bool can_edit(const Request *req, const Announcement *x)
{
    return (req->user->role & ROLES_ANNOUNCE_WRITE) && auth_covers(req->user, x->scope);
}

/* Who is looking, for the store; ?community= and ?state= narrow a staff list. */
static Error *viewer_init(Request *req, bool with_query, AnnounceViewer *v)
{
    const char *state = with_query ? request_query(req, "state") : NULL;
    const char *community = with_query ? request_query(req, "community") : NULL;
    AnnounceState s;
    Error *err;

    memset(v, 0, sizeof(*v));
    v->user_id = req->user->id;
    v->now_ms = time_now_ms();
    v->state = -1;
    if (is_resident(req)) {
        v->resident = true;
        v->community = req->user->scope;
        v->household_id = req->user->household_id;
        return NULL;
    }
    if (with_query) {
        err = auth_list_bounds(req, &v->lo, &v->hi);
        if (err)
            return err;
    } else {
        auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope,
                          &v->lo, &v->hi);
    }
    v->prefix = community && *community ? community
                                        : (req->user->role == ROLE_ADMIN ? "" : req->user->scope);
    if (state && *state && strcmp(state, "all") != 0) {
        if (!announce_state_parse(state, &s))
            return error_bad_request(req->arena, "state", "invalid_query",
                                     "参数“state”应为 active、ended、withdrawn 或 all");
        v->state = (int)s;
    }
    return NULL;
}

/* Announcement {id} if the user may see it; 404 otherwise. */
static Error *visible(Request *req, AnnounceViewer *v, Announcement **ret)
{
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = viewer_init(req, false, v);
    if (err)
        return err;
    err = announce_store_get(req->store, req->arena, v, id, ret);
    if (err)
        return err;
    if (!*ret)
        return error_not_found(req->arena, "id", "找不到该通知，它可能已撤回或过期");
    return NULL;
}

static Error *respond_one(Request *req, Response *res, int status, int64_t id)
{
    AnnounceViewer v;
    Announcement *x = NULL;
    Error *err;

    err = viewer_init(req, false, &v);
    if (!err)
        err = announce_store_get(req->store, req->arena, &v, id, &x);
    if (err)
        return err;
    if (!x)
        return error_internal(req->arena, "announcement %lld vanished", (long long)id);
    return response_json(res, status, announce_json(req->arena, x, !is_resident(req),
                                                    can_edit(req, x)));
}

static Error *announce_handle_create(Request *req, Response *res)
{
    AnnounceInput in;
    int64_t id = 0;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_ANNOUNCE_WRITE);
    if (!err)
        err = request_json_object(req, &body);
    if (err)
        return err;
    err = announce_parse(req, body, &in);
    if (err)
        return err;
    if (!auth_covers(req->user, in.scope))
        return error_forbidden(req->arena, "只能向您管辖范围内的社区或街道发布通知");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = announce_store_check(req->store, req->arena, &in);
    if (!err)
        err = announce_store_insert(req->store, req->arena, &in, req->user, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "announcement.create", "announcement", id,
                           strlen(in.scope) == 12 ? in.scope : NULL,
                           json_pack("{s:s, s:I, s:I, s:s?, s:b, s:i}", "scope", in.scope,
                                     "building_id", (json_int_t)in.building_id, "unit",
                                     (json_int_t)in.unit, "tag", in.tag, "pinned", in.pinned,
                                     "files", in.n_files));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return respond_one(req, res, 201, id);
}

static Error *announce_handle_list(Request *req, Response *res)
{
    AnnounceViewer v;
    Announcement *items = NULL;
    int64_t page, per_page, total = 0, unread = 0;
    size_t n = 0;
    json_t *arr;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, 100, &per_page);
    if (!err)
        err = viewer_init(req, true, &v);
    if (err)
        return err;
    err = announce_store_list(req->store, req->arena, &v, per_page, (page - 1) * per_page, &items,
                              &n, &total, &unread);
    if (err)
        return err;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, announce_json(req->arena, &items[i], !is_resident(req),
                                                 can_edit(req, &items[i])));
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", arr, "total",
                                             (json_int_t)total, "unread", (json_int_t)unread,
                                             "page", (json_int_t)page, "per_page",
                                             (json_int_t)per_page));
}

static Error *announce_handle_get(Request *req, Response *res)
{
    AnnounceViewer v;
    Announcement *x = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = visible(req, &v, &x);
    if (err)
        return err;
    return response_json(res, 200, announce_json(req->arena, x, !is_resident(req),
                                                 can_edit(req, x)));
}

/* Its title and text read aloud (tts/tts.h), for whoever may see it. */
static Error *announce_handle_audio(Request *req, Response *res)
{
    AnnounceViewer v;
    Announcement *x = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = visible(req, &v, &x);
    if (err)
        return err;
    return tts_respond(req, res, arena_sprintf(req->arena, "%s。\n%s", x->title, x->body));
}

static Error *announce_handle_read(Request *req, Response *res)
{
    AnnounceViewer v;
    Announcement *x = NULL;
    int64_t read_at = 0;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = visible(req, &v, &x);
    if (!err)
        err = announce_store_read(req->store, req->arena, x->id, req->user->id,
                                  is_resident(req) ? req->user->household_id : 0, v.now_ms,
                                  &read_at);
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return response_json(res, 200, json_pack("{s:I, s:s}", "id", (json_int_t)x->id, "read_at",
                                             time_format_rfc3339_at(req->arena, read_at,
                                                                    TIME_OFFSET_SHANGHAI)));
}

/* PATCH and withdraw: the user's own scope's announcement, in one transaction with its audit entry. */
static Error *change(Request *req, Response *res, const AnnouncePatch *p, bool withdraw)
{
    AnnounceViewer v;
    Announcement *x = NULL;
    bool found = false;
    Error *err;

    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = visible(req, &v, &x);
    if (!err && !can_edit(req, x))
        err = error_forbidden(req->arena, "这条通知由上级发布，只能由发布范围内的工作人员修改");
    if (!err && x->state == ANNOUNCE_WITHDRAWN)
        err = error_conflict(req->arena, NULL, "withdrawn", "这条通知已撤回，不能再修改");
    if (!err)
        err = announce_store_update(req->store, req->arena, x->id, p, withdraw, v.now_ms, &found);
    if (!err && !found)
        err = error_not_found(req->arena, "id", "找不到该通知");
    if (!err)
        err = audit_record(req, withdraw ? "announcement.withdraw" : "announcement.update",
                           "announcement", x->id, strlen(x->scope) == 12 ? x->scope : NULL,
                           withdraw ? NULL
                                    : json_pack("{s:o, s:o}", "pinned",
                                                p->has_pinned ? json_boolean(p->pinned) : json_null(),
                                                "ends_at", json_boolean(p->has_ends_at)));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    return respond_one(req, res, 200, x->id);
}

static Error *announce_handle_patch(Request *req, Response *res)
{
    AnnouncePatch p;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_ANNOUNCE_WRITE);
    if (!err)
        err = request_json_object(req, &body);
    if (!err)
        err = announce_parse_patch(req, body, &p);
    if (err)
        return err;
    return change(req, res, &p, false);
}

static Error *announce_handle_withdraw(Request *req, Response *res)
{
    AnnouncePatch p = { 0 };
    Error *err;

    err = auth_require(req, ROLES_ANNOUNCE_WRITE);
    if (err)
        return err;
    return change(req, res, &p, true);
}

static Error *announce_handle_reads(Request *req, Response *res)
{
    AnnounceViewer v;
    Announcement *x = NULL;
    int64_t page, per_page, unread_only, total = 0;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_ANNOUNCE_WRITE | ROLE_GRID_WORKER);
    if (!err)
        err = request_query_int(req, "unread", 0, 0, 1, &unread_only);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 50, 1, 500, &per_page);
    if (!err)
        err = visible(req, &v, &x);
    if (err)
        return err;
    if (!auth_covers(req->user, x->scope))
        return error_forbidden(req->arena, "只能查看本人管辖范围内发布的通知的阅读情况");
    items = json_array();
    err = announce_store_reads(req->store, req->arena, x, unread_only != 0, per_page,
                               (page - 1) * per_page, items, &total);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "id",
                                             (json_int_t)x->id, "households",
                                             (json_int_t)x->households, "read_households",
                                             (json_int_t)x->read_households, "items", items,
                                             "total", (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

static Error *announce_handle_file_upload(Request *req, Response *res)
{
    const char *name = request_query(req, "name"), *mime;
    const FileType *type;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_ANNOUNCE_WRITE);
    if (err)
        return err;
    if (req->body_len > ANNOUNCE_FILE_MAX)
        return error_new(req->arena, 413, NULL, "file_too_large",
                         arena_sprintf(req->arena, "图片或附件不能超过 %d MB，请压缩后再上传",
                                       ANNOUNCE_FILE_MAX / (1024 * 1024)));
    if (!name || !*name)
        name = "附件";
    if (!request_text_ok(name) || utf8_length(name) > 100)
        return error_bad_request(req->arena, "name", "invalid_query", "文件名应为不超过 100 个字的文本");
    type = filetype_sniff(req->body, req->body_len, FILETYPE_IMAGES_PDF, FILETYPE_N_IMAGES_PDF);
    if (!type)
        return error_new(req->arena, 415, NULL, "unsupported_file",
                         "只能上传图片（JPEG、PNG、WebP）或 PDF 文件");
    mime = type->mime;
    err = announce_store_file_insert(req->store, req->arena, req->user->id, name, mime, req->body,
                                     req->body_len, time_now_ms(), &id);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)id,
                                             "name", name, "mime", mime, "size",
                                             (json_int_t)req->body_len, "url",
                                             arena_sprintf(req->arena, "/api/v1/announcement-files/%lld",
                                                           (long long)id)));
}

static Error *announce_handle_file_get(Request *req, Response *res)
{
    const char *mime = NULL, *name = NULL;
    const void *data = NULL;
    int64_t id, announcement_id = 0, uploader_id = 0;
    AnnounceViewer v;
    Announcement *x = NULL;
    size_t len = 0;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = announce_store_file_get(req->store, req->arena, id, &mime, &name, &data, &len,
                                      &announcement_id, &uploader_id);
    if (!err && data && announcement_id) {
        err = viewer_init(req, false, &v);
        if (!err)
            err = announce_store_get(req->store, req->arena, &v, announcement_id, &x);
    }
    if (err)
        return err;
    if (!data || (announcement_id ? !x : uploader_id != req->user->id))
        return error_not_found(req->arena, "id", "找不到该附件");
    response_header(res, "Cache-Control", "private, max-age=3600");
    response_header(res, "X-Content-Type-Options", "nosniff");
    return response_bytes(res, 200, mime, data, len);
}

void announce_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/announcements", announce_handle_list, ROUTE_PENDING);
    router_add(r, "POST", "/api/v1/announcements", announce_handle_create, 0);
    router_add(r, "GET", "/api/v1/announcements/{id}", announce_handle_get, ROUTE_PENDING);
    router_add(r, "PATCH", "/api/v1/announcements/{id}", announce_handle_patch, 0);
    router_add(r, "POST", "/api/v1/announcements/{id}/withdraw", announce_handle_withdraw, 0);
    router_add(r, "POST", "/api/v1/announcements/{id}/read", announce_handle_read, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/announcements/{id}/audio", announce_handle_audio, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/announcements/{id}/reads", announce_handle_reads, 0);
    router_add(r, "POST", "/api/v1/announcement-files", announce_handle_file_upload,
               ROUTE_FILE_BODY);
    router_add(r, "GET", "/api/v1/announcement-files/{id}", announce_handle_file_get, ROUTE_PENDING);
}
