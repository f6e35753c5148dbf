/*
 * Notice routes: a user's own inbox. Every role has one; another user's
 * notice is a 404, never a 403, so ids reveal nothing.
 */
#include <string.h>

#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "notice/notice.h"
#include "notice/notice_store.h"
#include "tts/tts.h"
#include "core/banned.h"

static Error *notice_handle_list(Request *req, Response *res)
{
    int64_t page, per_page, unread_only, total = 0, unread = 0;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = request_query_int(req, "unread", 0, 0, 1, &unread_only);
    if (err)
        return err;
    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (err)
        return err;
    err = request_query_int(req, "per_page", 20, 1, 100, &per_page);
    if (err)
        return err;
    items = json_array();
    err = notice_store_list(req->store, req->arena, req->user->id, unread_only != 0, per_page,
                            (page - 1) * per_page, items, &total, &unread);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "unread", (json_int_t)unread,
                                             "page", (json_int_t)page, "per_page",
                                             (json_int_t)per_page));
}

/* Her own notice read aloud (tts/tts.h); another user's is a 404. */
static Error *notice_handle_audio(Request *req, Response *res)
{
    const char *title = NULL, *body = NULL;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = notice_store_text(req->store, req->arena, req->user->id, id, &title, &body);
    if (err)
        return err;
    if (!title)
        return error_not_found(req->arena, "id", "找不到该消息");
    return tts_respond(req, res, arena_sprintf(req->arena, "%s。\n%s", title, body));
}

static Error *notice_handle_read(Request *req, Response *res)
{
    int64_t id, unread = 0;
    bool found = false;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = notice_store_read(req->store, req->arena, req->user->id, id, time_now_ms(), &found);
    if (err)
        return err;
    if (!found)
        return error_not_found(req->arena, "id", "找不到该消息");
    err = notice_store_unread(req->store, req->arena, req->user->id, &unread);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:I}", "id", (json_int_t)id, "unread",
                                             (json_int_t)unread));
}

static Error *notice_handle_read_all(Request *req, Response *res)
{
    int64_t n = 0;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = notice_store_read_all(req->store, req->arena, req->user->id, time_now_ms(), &n);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:I}", "marked", (json_int_t)n, "unread",
                                             (json_int_t)0));
}

void notice_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/notices", notice_handle_list, ROUTE_PENDING);
    router_add(r, "POST", "/api/v1/notices/{id}/read", notice_handle_read, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/notices/{id}/audio", notice_handle_audio, ROUTE_PENDING);
    router_add(r, "POST", "/api/v1/notices/read-all", notice_handle_read_all, ROUTE_PENDING);
}
