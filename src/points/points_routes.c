/*
 * Points routes (/api/v1/points…): a community's rules, the residents'
 * accounts and ledgers, staff adjustments with a reason, and a resident's
 * own balance and ledger. validate -> authorize -> store, every write one
 * transaction with its audit entry; see points.h for the design.
 *
 * Who: a community's staff and secretary (and admins) set its rules, read
 * its accounts and adjust them; the street's admins read; a resident reads
 * her own.
 */
#include <string.h>

#include "activities/activities_store.h"
#include "audit/audit.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "points/points_routes.h"
#include "core/banned.h"

#define PAGE_MAX 200

Error *points_community_query(Request *req, bool manage, const char **ret)
{
    const char *c = request_query(req, "community");

    if (!c && req->user->role != ROLE_ADMIN && strlen(req->user->scope) == 12)
        c = req->user->scope;
    if (!c)
        return error_bad_request(req->arena, "community", "missing_query", "请指定社区（community）");
    if (strlen(c) != 12 || strspn(c, "0123456789") != 12)
        return error_bad_request(req->arena, "community", "invalid_query", "社区代码应为 12 位数字");
    if (manage ? !auth_is_staff_of(req->user, c) : !auth_covers(req->user, c))
        return error_forbidden(req->arena, "您不能管理这个社区的积分和商户");
    *ret = c;
    return NULL;
}

Error *points_self(Request *req, int64_t *ret)
{
    Error *err = activities_store_user_resident(req->store, req->arena, req->user->id, ret);

    if (!err && !*ret)
        err = error_new(req->arena, 403, NULL, "no_resident",
                        "您的账号还没有关联到居民信息，请联系社区工作人员");
    return err;
}

Error *points_finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

/* ---- rules ---- */

static json_t *rules_json(const char *community, const PointsRules *r)
{
    json_t *items = json_array();

    for (int i = 0; i < _POINTS_RULE_MAX; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:I, s:o}", "rule", points_rule_name((PointsRule)i),
                             "label", points_rule_label((PointsRule)i), "points",
                             (json_int_t)r->points[i], "yearly_cap",
                             r->cap[i] ? json_integer(r->cap[i]) : json_null()));
    return json_pack("{s:s, s:o}", "community", community, "rules", items);
}

static Error *points_handle_rules_get(Request *req, Response *res)
{
    PointsRules r;
    const char *community = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL & ~ROLE_PROPERTY);
    if (!err)
        err = points_community_query(req, false, &community);
    if (!err)
        err = points_store_rules(req->store, req->arena, community, &r);
    if (err)
        return err;
    return response_json(res, 200, rules_json(community, &r));
}

static Error *points_handle_rules_put(Request *req, Response *res)
{
    static const char *const fields[] = { "community", "rules", NULL };
    static const char *const rule_fields[] = { "rule", "points", "yearly_cap", NULL };
    PointsRules r;
    const char *community = NULL;
    bool seen[_POINTS_RULE_MAX] = { false };
    json_t *body, *rules, *item;
    size_t i;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "community", true, 12, 12, &community);
    if (!err && !auth_is_staff_of(req->user, community))
        err = error_forbidden(req->arena, "您不能管理这个社区的积分规则");
    if (!err)
        err = points_store_rules(req->store, req->arena, community, &r);
    if (err)
        return err;
    rules = json_object_get(body, "rules");
    if (!json_is_array(rules) || json_array_size(rules) == 0 ||
        json_array_size(rules) > _POINTS_RULE_MAX)
        return error_invalid(req->arena, "rules", "invalid_type",
                             "“rules”应为规则列表（每条含 rule、points、yearly_cap）");
    json_array_foreach(rules, i, item) {
        const char *name = NULL;
        int64_t points = 0, cap = 0;
        PointsRule k;
        json_t *c;

        if (!json_is_object(item))
            return error_invalid(req->arena, "rules", "invalid_type", "每条规则应为一个对象");
        err = request_reject_unknown(req, item, rule_fields);
        if (!err)
            err = request_field_string(req, item, "rule", true, 1, 40, &name);
        if (err)
            return err;
        if (!points_rule_parse(name, &k))
            return error_invalid(req->arena, "rule", "unknown_rule",
                                 arena_sprintf(req->arena, "未知的积分规则“%s”", name));
        if (seen[k])
            return error_invalid(req->arena, "rule", "duplicate_rule",
                                 arena_sprintf(req->arena, "规则“%s”重复了", points_rule_label(k)));
        seen[k] = true;
        err = request_field_int(req, item, "points", true, 0, 10000, &points, NULL);
        c = json_object_get(item, "yearly_cap");
        if (!err && c && !json_is_null(c))
            err = request_field_int(req, item, "yearly_cap", true, 1, 1000000, &cap, NULL);
        if (err)
            return err;
        r.points[k] = points;
        r.cap[k] = cap;
    }
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    for (int k = 0; !err && k < _POINTS_RULE_MAX; k++)
        if (seen[k])
            err = points_store_rule_set(req->store, req->arena, community, (PointsRule)k,
                                        r.points[k], r.cap[k], req->user->id, time_now_ms());
    if (!err)
        err = audit_record(req, "points.rules", "points_rule", 0, community,
                           rules_json(community, &r));
    err = points_finish(req, err);
    if (err)
        return err;
    return response_json(res, 200, rules_json(community, &r));
}

/* ---- accounts ---- */

static Error *points_handle_accounts(Request *req, Response *res)
{
    const char *community = NULL, *q = request_query(req, "q");
    int64_t page = 1, per_page = 50, total = 0;
    json_t *items = NULL, *totals = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = points_community_query(req, false, &community);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 50, 1, PAGE_MAX, &per_page);
    if (!err && q && (strlen(q) > 60 || !request_text_ok(q)))
        err = error_bad_request(req->arena, "q", "invalid_query", "搜索词过长或含有非法字符");
    if (!err)
        err = points_store_accounts(req->store, req->arena, community, q, per_page,
                                    (page - 1) * per_page, &items, &total);
    if (!err)
        err = points_store_totals(req->store, req->arena, community, &totals);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200,
                         json_pack("{s:o, s:I, s:I, s:I, s:o}", "items", items, "total",
                                   (json_int_t)total, "page", (json_int_t)page, "per_page",
                                   (json_int_t)per_page, "totals", totals));
}

/* The ledger of @r as JSON: balance, entries, redemptions. */
static Error *ledger_json(Request *req, const ActivityResident *r, json_t **ret)
{
    int64_t balance = 0;
    json_t *entries = NULL, *redemptions = NULL;
    Error *err = points_store_balance(req->store, req->arena, r->id, &balance);

    if (!err)
        err = points_store_entries(req->store, req->arena, r->id, 500, &entries);
    if (!err)
        err = points_store_redemptions_mine(req->store, req->arena, r->id, &redemptions);
    if (err) {
        json_decref(entries);
        return err;
    }
    *ret = json_pack("{s:I, s:s, s:s, s:I, s:o, s:o}", "resident_id", (json_int_t)r->id, "name",
                     r->name, "community", r->community, "balance", (json_int_t)balance,
                     "entries", entries, "redemptions", redemptions);
    return NULL;
}

/* Resident {id} (route parameter 0) of a community the user manages (@manage) or reads. */
static Error *load_resident(Request *req, bool manage, ActivityResident **ret)
{
    int64_t id;
    Error *err = request_param_id(req, 0, &id);

    if (!err)
        err = activities_store_resident(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || !auth_covers(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该居民");
    if (manage && !auth_is_staff_of(req->user, (*ret)->community))
        return error_forbidden(req->arena, "只有本社区工作人员可以调整积分");
    return NULL;
}

static Error *points_handle_account(Request *req, Response *res)
{
    ActivityResident *r = NULL;
    json_t *o = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_resident(req, false, &r);
    if (!err)
        err = ledger_json(req, r, &o);
    if (err)
        return err;
    return response_json(res, 200, o);
}

static Error *points_handle_adjust(Request *req, Response *res)
{
    static const char *const fields[] = { "delta", "reason", NULL };
    ActivityResident *r = NULL;
    const char *reason = NULL;
    int64_t delta = 0, balance = 0, entry = 0;
    json_t *body, *o = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_resident(req, true, &r);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "delta", true, -POINTS_MAX_DELTA, POINTS_MAX_DELTA,
                                &delta, NULL);
    if (!err && delta == 0)
        err = error_invalid(req->arena, "delta", "zero_delta", "调整的积分不能为 0");
    if (!err && !json_object_get(body, "reason"))
        err = error_invalid(req->arena, "reason", "missing_field", "调整积分必须填写原因");
    if (!err)
        err = request_field_string(req, body, "reason", true, 2, 200, &reason);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = points_store_move(req->store, req->arena,
                            &(PointsMove){ .resident_id = r->id,
                                           .community = r->community,
                                           .kind = "adjust",
                                           .delta = delta,
                                           .rule = "",
                                           .ref_kind = "adjust",
                                           .ref_id = 0,
                                           .reason = reason,
                                           .actor_id = req->user->id,
                                           .now_ms = time_now_ms() },
                            &balance, &entry);
    if (err && err->status == 409)
        err = error_conflict(req->arena, "delta", "insufficient_points",
                             "扣减的积分超过了该居民的余额，积分不能为负");
    if (!err)
        err = audit_record(req, "points.adjust", "resident", r->id, r->community,
                           json_pack("{s:I, s:s, s:I}", "delta", (json_int_t)delta, "reason",
                                     reason, "balance", (json_int_t)balance));
    err = points_finish(req, err);
    if (!err)
        err = ledger_json(req, r, &o);
    if (err)
        return err;
    json_object_set_new(o, "entry_id", json_integer(entry));
    return response_json(res, 201, o);
}

static Error *points_handle_mine(Request *req, Response *res)
{
    ActivityResident *r = NULL;
    int64_t self = 0;
    json_t *o = NULL;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = points_self(req, &self);
    if (!err)
        err = activities_store_resident(req->store, req->arena, self, &r);
    if (!err && !r)
        err = error_not_found(req->arena, NULL, "找不到您的居民信息");
    if (!err)
        err = ledger_json(req, r, &o);
    if (err)
        return err;
    return response_json(res, 200, o);
}

void points_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/points/rules", points_handle_rules_get, 0);
    router_add(r, "PUT", "/api/v1/points/rules", points_handle_rules_put, 0);
    router_add(r, "GET", "/api/v1/points/mine", points_handle_mine, 0);
    router_add(r, "GET", "/api/v1/points/accounts", points_handle_accounts, 0);
    router_add(r, "GET", "/api/v1/points/accounts/{id}", points_handle_account, 0);
    router_add(r, "POST", "/api/v1/points/accounts/{id}/adjust", points_handle_adjust, 0);
    points_merchant_routes_register(r);
}
