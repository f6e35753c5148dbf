#include <string.h>

#include "audit/audit.h"
#include "audit/audit_store.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

static const char *detail_text(Arena *a, json_t *detail)
{
    char *s;
    const char *out;

    if (!detail)
        return NULL;
    s = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    out = arena_strdup(a, s);
    free(s);
    return out;
}

Error *audit_record(Request *req, const char *action, const char *object_type, int64_t object_id,
                    const char *community, json_t *detail)
{
    AuditEntry e;

    request_end_read(req); /* a GET that shows personal data in full writes this entry */
    e = (AuditEntry){
        .user_id = req->user ? req->user->id : 0,
        .username = req->user ? req->user->username : "",
        .role = req->user ? role_name(req->user->role) : "",
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .community = community,
        .detail = detail_text(req->arena, detail),
        .ip = req->client_ip,
    };

    return audit_store_insert(req->store, req->arena, &e);
}

Error *audit_record_attempt(Request *req, const char *username, const char *action,
                            const char *object_type, int64_t object_id, const char *community,
                            json_t *detail)
{
    AuditEntry e;

    request_end_read(req);
    e = (AuditEntry){
        .username = username,
        .role = "",
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .community = community,
        .detail = detail_text(req->arena, detail),
        .ip = req->client_ip,
    };
    return audit_store_insert(req->store, req->arena, &e);
}

Error *audit_record_system(Store *st, Arena *a, const char *actor, const char *action,
                           const char *object_type, int64_t object_id, const char *community,
                           json_t *detail)
{
    AuditEntry e = {
        .username = actor,
        .role = "system",
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .community = community,
        .detail = detail_text(a, detail),
    };

    return audit_store_insert(st, a, &e);
}

static Error *audit_handle_list(Request *req, Response *res)
{
    AuditFilter f = { 0 };
    int64_t page, per_page, object_id, total = 0;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (err)
        return err;
    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (err)
        return err;
    err = request_query_int(req, "per_page", 50, 1, 200, &per_page);
    if (err)
        return err;
    err = request_query_int(req, "object_id", 0, 0, INT64_MAX, &object_id);
    if (err)
        return err;
    auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope, &f.lo, &f.hi);
    f.all = req->user->role == ROLE_ADMIN;
    f.action = request_query(req, "action");
    f.object_type = request_query(req, "object_type");
    f.object_id = object_id;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    items = json_array();
    err = audit_store_list(req->store, req->arena, &f, items, &total);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

void audit_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/audit", audit_handle_list, 0);
}
