/*
 * points_validate.c - the bodies of the merchants' and offers' POST and PUT
 * (see points_routes.h).
 */
#include <string.h>

#include "points/points_routes.h"
#include "core/banned.h"

static const char *const merchant_states[] = { "active", "paused", "ended", NULL };
static const char *const offer_kinds[] = { "market_service", "discount", "course", NULL };

static bool one_of(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* An optional string field into *@v (left as is when absent). */
static Error *opt_string(Request *req, json_t *body, const char *name, size_t max, const char **v)
{
    const char *s = NULL;
    Error *err = request_field_string(req, body, name, false, 0, max, &s);

    if (!err && s)
        *v = s;
    return err;
}

static Error *opt_bool(Request *req, json_t *body, const char *name, bool *v)
{
    json_t *b = json_object_get(body, name);

    if (!b)
        return NULL;
    if (!json_is_boolean(b))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "“%s”应为 true 或 false", name));
    *v = json_is_true(b);
    return NULL;
}

Error *points_parse_merchant(Request *req, bool create, MerchantInput *in)
{
    static const char *const fields[] = { "community", "name", "kind", "address", "contact",
                                          "phone", "space_m2", "space_hours", "free_stall",
                                          "gives_note", "state", NULL };
    json_t *body;
    Error *err = request_json_fields(req, fields, &body);

    if (!err && create)
        err = request_field_string(req, body, "community", true, 12, 12, &in->community);
    if (!err && !create && json_object_get(body, "community"))
        err = error_invalid(req->arena, "community", "not_editable", "商户所属社区不能修改");
    if (!err)
        err = create ? request_field_string(req, body, "name", true, 2, 60, &in->name)
                     : opt_string(req, body, "name", 60, &in->name);
    if (!err && strlen(in->name) < 2)
        err = error_invalid(req->arena, "name", "too_short", "商户名称至少 2 个字");
    if (!err)
        err = create ? request_field_string(req, body, "kind", true, 1, 20, &in->kind)
                     : opt_string(req, body, "kind", 20, &in->kind);
    if (!err && !*in->kind)
        err = error_invalid(req->arena, "kind", "missing_field", "请填写商户类别（如理发、药店、餐饮、培训）");
    if (!err)
        err = opt_string(req, body, "address", 200, &in->address);
    if (!err)
        err = opt_string(req, body, "contact", 40, &in->contact);
    if (!err)
        err = opt_string(req, body, "phone", 20, &in->phone);
    if (!err && *in->phone && strspn(in->phone, "0123456789-+ ") != strlen(in->phone))
        err = error_invalid(req->arena, "phone", "invalid_phone", "联系电话只能包含数字和“-”");
    if (!err)
        err = request_field_int(req, body, "space_m2", false, 0, 100000, &in->space_m2, NULL);
    if (!err)
        err = opt_string(req, body, "space_hours", 100, &in->space_hours);
    if (!err)
        err = opt_bool(req, body, "free_stall", &in->free_stall);
    if (!err)
        err = opt_string(req, body, "gives_note", 500, &in->gives_note);
    if (!err)
        err = opt_string(req, body, "state", 10, &in->state);
    if (!err && !one_of(in->state, merchant_states))
        err = error_invalid(req->arena, "state", "invalid_state",
                            "状态应为 active（合作中）、paused（暂停）或 ended（已结束）");
    return err;
}

Error *points_parse_offer(Request *req, bool create, MerchantOffer *o)
{
    static const char *const fields[] = { "kind", "title", "body", "cost", "active", NULL };
    json_t *body, *cost;
    Error *err = request_json_fields(req, fields, &body);

    if (!err && create)
        err = request_field_string(req, body, "kind", true, 1, 20, &o->kind);
    if (!err && !create && json_object_get(body, "kind"))
        err = error_invalid(req->arena, "kind", "not_editable", "优惠的类型不能修改");
    if (!err && !one_of(o->kind, offer_kinds))
        err = error_invalid(req->arena, "kind", "invalid_kind",
                            "类型应为 market_service（集市服务）、discount（积分兑换优惠）或 course（授课）");
    if (!err)
        err = create ? request_field_string(req, body, "title", true, 2, 60, &o->title)
                     : opt_string(req, body, "title", 60, &o->title);
    if (!err && strlen(o->title) < 2)
        err = error_invalid(req->arena, "title", "too_short", "名称至少 2 个字");
    if (!err)
        err = opt_string(req, body, "body", 500, &o->body);
    cost = body ? json_object_get(body, "cost") : NULL;
    if (!err && cost && !json_is_null(cost) && strcmp(o->kind, "discount") != 0)
        err = error_invalid(req->arena, "cost", "not_redeemable", "只有积分兑换优惠才有所需积分");
    if (!err && strcmp(o->kind, "discount") == 0)
        err = request_field_int(req, body, "cost", create, 1, 1000000, &o->cost, NULL);
    if (!err)
        err = opt_bool(req, body, "active", &o->active);
    return err;
}
