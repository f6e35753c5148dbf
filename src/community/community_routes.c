/*
 * Community profile routes: validate -> authorize -> store.
 *
 * Anyone whose scope reaches a community reads its profile (residents their
 * own); its staff and secretary, its street's admin and admins change it.
 * Every change is audited with the fields that changed.
 */
#include <string.h>

#include "audit/audit.h"
#include "community/community.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

/* The {code} of the route: a 12-digit community code, else 404. */
static Error *community_param(Request *req, const char **ret)
{
    const char *code = req->n_params > 0 ? req->params[0] : "";

    if (strlen(code) != 12 || strspn(code, "0123456789") != 12)
        return error_not_found(req->arena, "community", "社区代码应为12位数字");
    *ret = code;
    return NULL;
}

static bool may_edit(const User *u, const char *community)
{
    return u->role == ROLE_ADMIN || auth_is_community_staff(u, community) ||
           (u->role == ROLE_STREET_ADMIN && auth_covers(u, community));
}

static Error *community_handle_profile_get(Request *req, Response *res)
{
    CommunityProfile *p;
    const char *code = NULL;
    Error *err;

    err = community_param(req, &code);
    if (err)
        return err;
    if (!auth_covers(req->user, code))
        return error_forbidden(req->arena, "您只能查看自己所在社区的信息");
    err = community_store_profile_get(req->store, req->arena, code, &p);
    if (err)
        return err;
    if (!p)
        return error_not_found(req->arena, "community", "这个社区还没有填写社区信息");
    return response_json(res, 200, community_profile_json(p));
}

/* An optional phone: absent, null or "" is ""; else a valid mobile or landline. */
static Error *optional_phone(Request *req, json_t *body, const char *name, const char **ret)
{
    const char *v;
    Error *err;

    err = request_field_string(req, body, name, false, 0, 20, &v);
    if (err)
        return err;
    if (!v || !*v) {
        *ret = "";
        return NULL;
    }
    return validate_phone(req->arena, name, v, ret);
}

static Error *optional_text(Request *req, json_t *body, const char *name, size_t max,
                            const char **ret)
{
    Error *err = request_field_string(req, body, name, false, 0, max, ret);

    if (!err && !*ret)
        *ret = "";
    return err;
}

static json_t *changed_fields(const CommunityProfile *old, const CommunityProfile *p)
{
    json_t *out = json_array();

#define CHANGED(f)                                               \
    if (!old || strcmp(old->f ? old->f : "", p->f ? p->f : "")) \
        json_array_append_new(out, json_string(#f));
    CHANGED(office_phone)
    CHANGED(office_hours)
    CHANGED(address)
    CHANGED(station)
    CHANGED(duty_phone)
#undef CHANGED
    return out;
}

static Error *community_handle_profile_put(Request *req, Response *res)
{
    static const char *const fields[] = { "office_phone", "office_hours", "address", "station",
                                          "duty_phone", NULL };
    CommunityProfile p = { 0 }, *old = NULL, *saved = NULL;
    const char *phone;
    json_t *body;
    Error *err;

    err = community_param(req, &p.community);
    if (err)
        return err;
    if (!may_edit(req->user, p.community))
        return error_forbidden(req->arena, "只有本社区的工作人员、书记或所在街道的管理员可以修改社区信息");
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "office_phone", true, 1, 20, &phone);
    if (!err)
        err = validate_phone(req->arena, "office_phone", phone, &p.office_phone);
    if (!err)
        err = optional_text(req, body, "office_hours", COMMUNITY_HOURS_MAX, &p.office_hours);
    if (!err)
        err = optional_text(req, body, "address", COMMUNITY_ADDRESS_MAX, &p.address);
    if (!err)
        err = optional_text(req, body, "station", COMMUNITY_STATION_MAX, &p.station);
    if (!err)
        err = optional_phone(req, body, "duty_phone", &p.duty_phone);
    if (err)
        return err;
    request_end_read(req);
    err = community_store_name(req->store, req->arena, p.community, &p.name);
    if (err)
        return err;
    if (!p.name)
        return error_not_found(req->arena, "community", "找不到这个社区");
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = community_store_profile_get(req->store, req->arena, p.community, &old);
    if (!err)
        err = community_store_profile_put(req->store, req->arena, &p, req->user->id);
    if (!err)
        err = audit_record(req, "community.profile_update", "community", 0, p.community,
                           json_pack("{s:o}", "fields", changed_fields(old, &p)));
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err) {
        store_rollback(req->store);
        return err;
    }
    err = community_store_profile_get(req->store, req->arena, p.community, &saved);
    if (err)
        return err;
    if (!saved)
        return error_internal(req->arena, "profile of %s gone after saving", p.community);
    return response_json(res, 200, community_profile_json(saved));
}

json_t *community_profile_json(const CommunityProfile *p)
{
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "community", p->community,
                     "name", json_string_or_null(p->name), "office_phone", p->office_phone,
                     "office_hours", p->office_hours, "address", p->address, "station", p->station,
                     "duty_phone", p->duty_phone, "updated_by", json_string_or_null(p->updated_by),
                     "updated_at", (json_int_t)p->updated_at);
}

void community_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/communities/{code}/profile", community_handle_profile_get, 0);
    router_add(r, "PUT", "/api/v1/communities/{code}/profile", community_handle_profile_put, 0);
}
