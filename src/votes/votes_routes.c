/*
 * Votes routes (/api/v1/votes/…, /api/v1/households/{id}/property,
 * /api/v1/lifts/…): validate -> authorize -> store, every write one
 * transaction with its audit entry.
 *
 * Who does what: the staff and secretary of a community (and admins) keep
 * the registry's property records, open and close its votes, record paper
 * and in-person ballots with the signed sheet's photo, and run its lift
 * projects; the street's admins read. A resident reads her community's
 * votes and votes in those whose roll has her (as an owner, her household
 * or herself). Ballots of one vote are one hash chain, appended in a write
 * transaction keyed by the vote (store_begin_keyed), so two ballots of one
 * voter racing are counted once.
 */
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/crypto.h"
#include "core/mask.h"
#include "core/timeutil.h"
#include "core/photo.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "http/router.h"
#include "votes/votes_routes.h"
#include "votes/votes_store.h"
#include "core/banned.h"

#define TITLE_MAX 100
#define BODY_MAX 4000
#define NOTE_MAX 1000
#define PHOTO_MAX_BYTES (8 * 1024 * 1024)
#define RECEIPT_CHARS 12
#define RECEIPT_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define LIST_MAX 200

static const char *const choices[] = { "yes", "no", "abstain", NULL };

bool votes_one_of(const char *s, const char *const *values)
{
    for (; s && *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

bool votes_may_manage(const User *u, const char *community)
{
    return u->role == ROLE_ADMIN || auth_is_community_staff(u, community);
}

bool votes_may_read(const User *u, const char *community)
{
    if (u->role == ROLE_RESIDENT)
        return strcmp(u->scope, community) == 0;
    return (u->role & (ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN)) &&
           auth_covers(u, community);
}

/* Commits, or rolls back and passes @err on. */
Error *votes_finish(Request *req, Error *err)
{
    if (!err)
        err = store_commit(req->store, req->arena);
    if (err)
        store_rollback(req->store);
    return err;
}

json_t *votes_time_json(Arena *a, int64_t ms)
{
    return ms ? json_string(time_format_rfc3339(a, ms)) : json_null();
}

Error *votes_time_field(Request *req, json_t *body, const char *name, bool required,
                         int64_t *ret)
{
    const char *s = NULL;
    Error *err = request_field_string(req, body, name, required, 1, 40, &s);

    if (err || !s)
        return err;
    if (!time_parse_rfc3339(s, ret, NULL))
        return error_invalid(req->arena, name, "invalid_time",
                             "时间应为 RFC 3339 格式，如 2026-12-31T18:00:00+08:00");
    return NULL;
}

/* "2/3" into n/d, 0 < n <= d <= 1000. */
Error *votes_fraction_field(Request *req, json_t *obj, const char *name, int *ret_n, int *ret_d)
{
    const char *s = NULL;
    int n = 0, d = 0, used = 0;
    Error *err = request_field_string(req, obj, name, false, 3, 9, &s);

    if (err || !s)
        return err;
    if (sscanf(s, "%d/%d%n", &n, &d, &used) != 2 || s[used] || n <= 0 || d <= 0 || n > d ||
        d > 1000)
        return error_invalid(req->arena, name, "invalid_fraction",
                             "比例应写成分数，如 2/3、3/4 或 1/2（分子不大于分母）");
    *ret_n = n;
    *ret_d = d;
    return NULL;
}

/* An area written as metres with at most two decimals (text or number) into hundredths. */
static Error *area_field(Request *req, json_t *obj, const char *name, int64_t *ret)
{
    json_t *v = json_object_get(obj, name);
    VotesInput in;
    json_t *doc;
    Error *err;

    if (!v)
        return error_invalid(req->arena, name, "missing_field",
                             "请填写产权登记面积（area_m2），如 89.50");
    /* the tally's own reader, so the registry and `linli votes tally` read areas alike */
    doc = json_pack("{s:s, s:[{s:s, s:O, s:s}]}", "matter", "ordinary", "units", "id", "x",
                    "area_m2", v, "owner", "x");
    err = votes_tally_parse(req->arena, doc, &in);
    if (!err && in.units[0].area_cm2 <= 0)
        err = error_invalid(req->arena, name, "invalid_area", "面积应大于 0");
    if (!err)
        *ret = in.units[0].area_cm2;
    json_decref(doc);
    if (err) {
        err->field = name;
        err->code = "invalid_area";
    }
    return err;
}

/* ---- the registry's additions ---- */

static json_t *property_json(Arena *a, const VotesProperty *p, const VotesHousehold *h)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s}", "household_id", (json_int_t)h->id,
                          "building_id", (json_int_t)h->building_id, "building", h->building_name,
                          "unit", (json_int_t)h->unit, "room", h->room);

    if (!p->household_id) {
        json_object_set_new(o, "registered", json_false());
        return o;
    }
    json_object_set_new(o, "registered", json_true());
    json_object_set_new(o, "area_m2", json_string(votes_area_text(a, p->area_cm2)));
    json_object_set_new(o, "unsold", json_boolean(p->unsold));
    json_object_set_new(o, "owner",
                        p->owner_id ? json_pack("{s:I, s:s, s:s?, s:o, s:I}", "id",
                                                (json_int_t)p->owner_id, "name", p->owner_name,
                                                "id_masked", p->owner_id_masked, "resident_id",
                                                p->owner_resident_id
                                                    ? json_integer(p->owner_resident_id)
                                                    : json_null(),
                                                "units", (json_int_t)p->units_owned)
                                    : json_null());
    json_object_set_new(o, "updated_at", votes_time_json(a, p->updated_at));
    return o;
}

static Error *load_household(Request *req, bool manage, VotesHousehold *ret)
{
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_store_household(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!ret->id || !auth_covers(req->user, ret->community))
        return error_not_found(req->arena, "id", "找不到该户，或其不在您的管辖范围内");
    if (manage && !votes_may_manage(req->user, ret->community))
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以登记产权信息");
    return NULL;
}

static Error *votes_handle_property_get(Request *req, Response *res)
{
    VotesHousehold h;
    VotesProperty p;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_household(req, false, &h);
    if (!err)
        err = votes_store_property(req->store, req->arena, h.id, &p);
    if (err)
        return err;
    return response_json(res, 200, property_json(req->arena, &p, &h));
}

static Error *votes_handle_property_put(Request *req, Response *res)
{
    static const char *const fields[] = { "area_m2", "unsold", "owner_resident_id",
                                          "owner_name", "owner_id_number", NULL };
    VotesHousehold h;
    VotesProperty p;
    int64_t area = 0, rid = 0, owner = 0, now = time_now_ms();
    const char *name = NULL, *idn = NULL, *masked = NULL, *community = NULL;
    void *hash = NULL;
    size_t hash_len = 0;
    uint8_t hbuf[CRYPTO_HASH_BYTES];
    bool present, unsold = false;
    json_t *body, *u;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_household(req, true, &h);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = area_field(req, body, "area_m2", &area);
    if (err)
        return err;
    u = json_object_get(body, "unsold");
    if (u && !json_is_boolean(u))
        return error_invalid(req->arena, "unsold", "invalid_type", "是否未售（unsold）应为 true 或 false");
    unsold = json_is_true(u);
    err = request_field_int(req, body, "owner_resident_id", false, 1, INT64_MAX, &rid, &present);
    if (!err)
        err = request_field_string(req, body, "owner_name", false, 1, 50, &name);
    if (!err)
        err = request_field_string(req, body, "owner_id_number", false, 15, 18, &idn);
    if (!err && idn)
        err = validate_id_number(req->arena, "owner_id_number", idn, &idn);
    if (err)
        return err;
    if (unsold && (rid || name || idn))
        return error_invalid(req->arena, "unsold", "unsold_with_owner",
                             "未售的专有部分属于建设单位，不能同时填写业主");
    if (!unsold && !rid && !(name && idn))
        return error_invalid(req->arena, rid || name ? "owner_id_number" : "owner_resident_id",
                             "missing_owner",
                             "请写明业主：本社区居民填 owner_resident_id；其他业主填姓名（owner_name）"
                             "和身份证号（owner_id_number），同一人名下多套房屋只计一名业主");
    if (rid && (name || idn))
        return error_invalid(req->arena, "owner_name", "ambiguous_owner",
                             "业主是登记在册的居民时只填 owner_resident_id");
    if (rid) {
        err = votes_store_resident(req->store, req->arena, rid, &name, &hash, &hash_len, &masked,
                                   &community);
        if (err)
            return err;
        if (!name || !auth_covers(req->user, community))
            return error_invalid(req->arena, "owner_resident_id", "unknown_resident",
                                 "找不到该居民，或其不在您的管辖范围内");
    } else if (idn) {
        crypto_lookup_hash(req->app->keys, idn, hbuf);
        hash = hbuf;
        hash_len = sizeof(hbuf);
        masked = mask_id_number(req->arena, idn);
    }
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    if (!unsold)
        err = votes_store_owner_upsert(req->store, req->arena, h.community, name, hash, hash_len,
                                       masked, rid, now, &owner);
    if (!err)
        err = votes_store_property_put(req->store, req->arena, h.id, area, owner, unsold,
                                       req->user->id, now);
    if (!err)
        err = audit_record(req, "household.property", "household", h.id, h.community,
                           json_pack("{s:s, s:b}", "area_m2", votes_area_text(req->arena, area),
                                     "unsold", unsold));
    err = votes_finish(req, err);
    if (!err)
        err = votes_store_property(req->store, req->arena, h.id, &p);
    if (err)
        return err;
    return response_json(res, 200, property_json(req->arena, &p, &h));
}

/* ---- votes ---- */

static const char *state_of(const Vote *v, int64_t now)
{
    if (v->closed_at)
        return "closed";
    if (now < v->opens_at)
        return "scheduled";
    if (now >= v->closes_at)
        return "ended"; /* waits for staff to close and count */
    return "open";
}

static json_t *rule_json(Arena *a, const Vote *v)
{
    if (!v->rule.quorum_d && !v->rule.approval_d)
        return json_null();
    return json_pack("{s:o, s:o, s:b}", "quorum",
                     v->rule.quorum_d ? json_string(arena_sprintf(a, "%d/%d", v->rule.quorum_n,
                                                                  v->rule.quorum_d))
                                      : json_null(),
                     "approval",
                     v->rule.approval_d ? json_string(arena_sprintf(a, "%d/%d", v->rule.approval_n,
                                                                    v->rule.approval_d))
                                        : json_null(),
                     "approval_strict", v->rule.approval_strict);
}

static json_t *participation_json(Arena *a, const Vote *v)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:I}", "voters", (json_int_t)v->voters_in,
                          "voters_total", (json_int_t)v->voters_total, "voters_percent",
                          votes_percent_text(a, v->voters_in, v->voters_total), "ballots",
                          (json_int_t)v->n_ballots);

    if (strcmp(v->kind, "owners") == 0) {
        json_object_set_new(o, "area_m2", json_string(votes_area_text(a, v->area_in)));
        json_object_set_new(o, "area_total_m2", json_string(votes_area_text(a, v->area_total)));
        json_object_set_new(o, "area_percent",
                            json_string(votes_percent_text(a, v->area_in, v->area_total)));
    }
    return o;
}

json_t *votes_vote_json(Arena *a, const Vote *v, int64_t now)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b,"
                          " s:o, s:o, s:o, s:s, s:o, s:o}",
                          "id", (json_int_t)v->id, "community", v->community, "kind", v->kind,
                          "title", v->title, "body", v->body, "scope", v->scope, "building_id",
                          v->building_id ? json_integer(v->building_id) : json_null(), "building",
                          json_string_or_null(v->building_name), "unit",
                          v->unit ? json_integer(v->unit) : json_null(), "matter",
                          json_string_or_null(v->matter), "per", json_string_or_null(v->per),
                          "rule", rule_json(a, v), "secret", v->secret, "changeable",
                          v->changeable, "opens_at", votes_time_json(a, v->opens_at), "closes_at",
                          votes_time_json(a, v->closes_at), "closed_at", votes_time_json(a, v->closed_at),
                          "state", state_of(v, now), "participation", participation_json(a, v),
                          "lift_id", v->lift_id ? json_integer(v->lift_id) : json_null());

    json_object_set_new(o, "chain_head", json_string(v->chain_head));
    json_object_set_new(o, "result", v->result ? json_loads(v->result, 0, NULL) : json_null());
    return o;
}

/* Vote {id} (route parameter 0) that the user may read; 404 otherwise. */
static Error *load_vote(Request *req, Vote **ret)
{
    int64_t id;
    Error *err;

    err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_store_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || !votes_may_read(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该表决，或其不在您的管辖范围内");
    return NULL;
}

Error *votes_load(Request *req, Vote **ret)
{
    return load_vote(req, ret);
}

/* The scope of a new vote: community, building or one 单元 of a building. */
static Error *parse_scope(Request *req, json_t *body, Vote *v)
{
    const char *scope = NULL, *community = NULL;
    bool present;
    Error *err;

    err = request_field_string(req, body, "scope", true, 1, 20, &scope);
    if (!err && !votes_one_of(scope, (const char *const[]){ "community", "building", "unit", NULL }))
        err = error_invalid(req->arena, "scope", "invalid_option",
                            "范围（scope）应为 community（全社区）、building（一栋楼）或 unit（一个单元/门栋）");
    if (!err)
        err = request_field_string(req, body, "community", false, 12, 12, &community);
    if (err)
        return err;
    v->scope = scope;
    if (strcmp(scope, "community") != 0) {
        VotesHousehold h;
        int64_t bid = 0, unit = 0;
        (void)h;

        err = request_field_int(req, body, "building_id", true, 1, INT64_MAX, &bid, &present);
        if (!err && strcmp(scope, "unit") == 0)
            err = request_field_int(req, body, "unit", true, 1, 50, &unit, &present);
        if (err)
            return err;
        v->building_id = bid;
        v->unit = unit;
        err = votes_store_building(req->store, req->arena, bid, &community, NULL);
        if (err)
            return err;
        if (!community || !auth_covers(req->user, community))
            return error_invalid(req->arena, "building_id", "unknown_building",
                                 "找不到该楼栋，或其不在您的管辖范围内");
    } else if (!community) {
        if (strlen(req->user->scope) != 12)
            return error_invalid(req->arena, "community", "missing_field",
                                 "请写明社区代码（community），如 310105004017");
        community = req->user->scope;
    }
    v->community = community;
    if (!votes_may_manage(req->user, community))
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以发起表决");
    return NULL;
}

Error *votes_parse_vote(Request *req, json_t *body, bool lift, Vote *v)
{
    const char *kind = "owners", *matter = NULL, *per = NULL;
    int64_t now = time_now_ms();
    json_t *x;
    Error *err;

    if (!lift) {
        err = request_field_string(req, body, "kind", true, 1, 10, &kind);
        if (!err && !votes_one_of(kind, (const char *const[]){ "owners", "poll", NULL }))
            err = error_invalid(req->arena, "kind", "invalid_option",
                                "表决类型（kind）应为 owners（业主共同决定）或 poll（民意征集）");
        if (err)
            return err;
    }
    v->kind = kind;
    err = request_field_string(req, body, "title", !lift, 2, TITLE_MAX, &v->title);
    if (!err)
        err = request_field_string(req, body, "body", false, 0, BODY_MAX, &v->body);
    if (err)
        return err;
    if (!v->body)
        v->body = "";
    if (strcmp(kind, "owners") == 0 && !lift) {
        err = request_field_string(req, body, "matter", true, 1, 10, &matter);
        if (!err && !votes_one_of(matter, (const char *const[]){ "ordinary", "special", NULL }))
            err = error_invalid(req->arena, "matter", "invalid_matter",
                                "事项类别（matter）应为 special（筹集维修资金、改建重建、改变共有部分用途）"
                                "或 ordinary（其他事项）");
        if (!err && (json_object_get(body, "rule") || json_object_get(body, "per")))
            err = error_invalid(req->arena, json_object_get(body, "rule") ? "rule" : "per",
                                "not_for_owners",
                                "业主共同决定的门槛由《民法典》第二百七十八条规定，不能另设");
        if (err)
            return err;
        v->matter = matter;
    } else if (!lift) {
        json_t *rule = json_object_get(body, "rule");

        err = request_field_string(req, body, "per", true, 1, 10, &per);
        if (!err && !votes_one_of(per, (const char *const[]){ "household", "resident", NULL }))
            err = error_invalid(req->arena, "per", "invalid_option",
                                "计票单位（per）应为 household（每户一票）或 resident（每人一票）");
        if (!err && json_object_get(body, "matter"))
            err = error_invalid(req->arena, "matter", "not_for_polls", "民意征集没有事项类别（matter）");
        if (err)
            return err;
        v->per = per;
        if (rule && !json_is_null(rule)) {
            static const char *const rfields[] = { "quorum", "approval", "approval_strict", NULL };
            const char *key;
            json_t *val;

            if (!json_is_object(rule))
                return error_invalid(req->arena, "rule", "invalid_type",
                                     "规则（rule）应为对象：{\"quorum\", \"approval\", \"approval_strict\"}");
            json_object_foreach(rule, key, val) {
                (void)val;
                if (!votes_one_of(key, rfields))
                    return error_invalid(req->arena, arena_sprintf(req->arena, "rule.%s", key),
                                         "unknown_field",
                                         arena_sprintf(req->arena, "不认识的字段“%s”", key));
            }
            err = votes_fraction_field(req, rule, "quorum", &v->rule.quorum_n, &v->rule.quorum_d);
            if (!err)
                err = votes_fraction_field(req, rule, "approval", &v->rule.approval_n,
                                     &v->rule.approval_d);
            if (err) {
                err->field = arena_sprintf(req->arena, "rule.%s", err->field);
                return err;
            }
            x = json_object_get(rule, "approval_strict");
            if (x && !json_is_boolean(x))
                return error_invalid(req->arena, "rule.approval_strict", "invalid_type",
                                     "approval_strict 应为 true（须超过）或 false（达到即可）");
            v->rule.approval_strict = x ? json_is_true(x) : v->rule.approval_d == 0;
            if (!v->rule.approval_d) {
                v->rule.approval_n = 1;
                v->rule.approval_d = 2;
                v->rule.approval_strict = true;
            }
        }
    }
    x = json_object_get(body, "secret");
    if (x && !json_is_boolean(x))
        return error_invalid(req->arena, "secret", "invalid_type", "是否无记名（secret）应为 true 或 false");
    v->secret = json_is_true(x);
    x = json_object_get(body, "changeable");
    if (x && !json_is_boolean(x))
        return error_invalid(req->arena, "changeable", "invalid_type",
                             "截止前可否改票（changeable）应为 true 或 false");
    v->changeable = !x || json_is_true(x);
    v->opens_at = now;
    err = votes_time_field(req, body, "opens_at", false, &v->opens_at);
    if (!err)
        err = votes_time_field(req, body, "closes_at", true, &v->closes_at);
    if (err)
        return err;
    if (v->closes_at <= now || v->closes_at <= v->opens_at)
        return error_invalid(req->arena, "closes_at", "closes_in_past",
                             "截止时间应晚于现在和开始时间");
    if (v->closes_at - v->opens_at > 366 * TIME_DAY_MS)
        return error_invalid(req->arena, "closes_at", "too_long", "表决期不能超过一年");
    v->created_by = req->user->id;
    v->created_at = now;
    return NULL;
}

static Error *votes_handle_create(Request *req, Response *res)
{
    static const char *const fields[] = { "kind", "title", "body", "scope", "community",
                                          "building_id", "unit", "matter", "per", "rule",
                                          "secret", "changeable", "opens_at", "closes_at", NULL };
    Vote v;
    Vote *got = NULL;
    json_t *body;
    Error *err;

    memset(&v, 0, sizeof(v));
    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = votes_parse_vote(req, body, false, &v);
    if (!err)
        err = parse_scope(req, body, &v);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = votes_store_create(req->store, req->arena, &v);
    if (!err)
        err = audit_record(req, "vote.create", "vote", v.id, v.community,
                           json_pack("{s:s, s:s, s:I}", "kind", v.kind, "scope", v.scope,
                                     "voters", (json_int_t)v.voters_total));
    err = votes_finish(req, err);
    if (!err)
        err = votes_store_get(req->store, req->arena, v.id, &got);
    if (err)
        return err;
    return response_json(res, 201, votes_vote_json(req->arena, got, time_now_ms()));
}

/* A resident's "mine" on @o: {may_vote, choice, receipt} in vote @v. */
static Error *mine_json(Request *req, const Vote *v, json_t *o)
{
    const char *voter = NULL, *choice = NULL, *receipt = NULL;
    bool on = false;
    int64_t area = 0;
    Error *err;

    err = votes_store_user_voter(req->store, req->arena, v, req->user->id, req->user->household_id,
                                 &voter);
    if (!err && voter)
        err = votes_store_roll_weight(req->store, req->arena, v->id, voter, &on, &area);
    if (!err && on)
        err = votes_store_current(req->store, req->arena, v->id, voter, &choice, &receipt);
    if (!err)
        json_object_set_new(o, "mine", json_pack("{s:b, s:s?, s:s?}", "may_vote", on, "choice",
                                                 choice, "receipt", receipt));
    return err;
}

static Error *votes_handle_list(Request *req, Response *res)
{
    const char *lo, *hi;
    Vote *rows;
    size_t n;
    int64_t total, page, per_page, now = time_now_ms();
    json_t *items;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_query_int(req, "page", 1, 1, 100000, &page);
    if (!err)
        err = request_query_int(req, "per_page", 20, 1, LIST_MAX, &per_page);
    if (err)
        return err;
    if (req->user->role == ROLE_RESIDENT) {
        lo = req->user->scope;
        hi = arena_sprintf(req->arena, "%s~", lo);
    } else {
        err = auth_list_bounds(req, &lo, &hi);
        if (err)
            return err;
    }
    err = votes_store_list(req->store, req->arena, lo, hi, per_page, (page - 1) * per_page, &rows,
                           &n, &total);
    if (err)
        return err;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = votes_vote_json(req->arena, &rows[i], now);

        json_object_del(o, "result");
        /* a resident's list says, for each, whether she may vote and what she chose */
        if (!err && req->user->role == ROLE_RESIDENT)
            err = mine_json(req, &rows[i], o);
        json_array_append_new(items, o);
    }
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page));
}

static Error *votes_handle_get(Request *req, Response *res)
{
    Vote *v;
    int64_t now = time_now_ms();
    json_t *o;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (err)
        return err;
    o = votes_vote_json(req->arena, v, now);
    /* an open vote's running count; a secret one shows participation only until the close */
    if (!v->closed_at && !v->secret) {
        int64_t c[3];

        err = votes_store_choice_counts(req->store, req->arena, v->id, c);
        if (!err)
            json_object_set_new(o, "running", json_pack("{s:I, s:I, s:I}", "yes", (json_int_t)c[0],
                                                        "no", (json_int_t)c[1], "abstain",
                                                        (json_int_t)c[2]));
    }
    if (!err && req->user->role == ROLE_RESIDENT)
        err = mine_json(req, v, o);
    if (err) {
        json_decref(o);
        return err;
    }
    return response_json(res, 200, o);
}

static Error *votes_handle_participation(Request *req, Response *res)
{
    Vote *v;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (err)
        return err;
    return response_json(res, 200, participation_json(req->arena, v));
}

/* The voter a staff member records a paper ballot for: by household, or by resident for per-resident polls. */
static Error *paper_voter(Request *req, json_t *body, const Vote *v, const char **ret)
{
    int64_t hid = 0, rid = 0;
    bool present;
    Error *err;

    err = request_field_int(req, body, "household_id", false, 1, INT64_MAX, &hid, &present);
    if (!err)
        err = request_field_int(req, body, "resident_id", false, 1, INT64_MAX, &rid, &present);
    if (err)
        return err;
    if (v->per && strcmp(v->per, "resident") == 0) {
        if (!rid)
            return error_invalid(req->arena, "resident_id", "missing_field",
                                 "每人一票的民意征集：请写明投票居民（resident_id）");
        *ret = arena_sprintf(req->arena, "r:%lld", (long long)rid);
        return NULL;
    }
    if (!hid)
        return error_invalid(req->arena, "household_id", "missing_field",
                             "请写明投票的户（household_id）：业主共同决定时为该户专有部分的业主");
    err = votes_store_roll_voter(req->store, req->arena, v->id, hid, ret);
    if (!err && !*ret)
        err = error_invalid(req->arena, "household_id", "out_of_scope",
                            "该户不在本次表决的范围内");
    return err;
}

static Error *cast(Request *req, Vote *v, VotesBallotRow *b, int64_t *ret_area, bool *ret_first)
{
    const char *cur = NULL, *cur_receipt = NULL;
    Vote *now_v = NULL;
    Error *err;

    /* what the vote is now, under its lock: closed meanwhile, or already voted */
    err = votes_store_get(req->store, req->arena, v->id, &now_v);
    if (!err)
        err = votes_store_current(req->store, req->arena, v->id, b->voter, &cur, &cur_receipt);
    if (err)
        return err;
    if (now_v->closed_at || b->cast_at >= now_v->closes_at)
        return error_conflict(req->arena, NULL, "vote_closed", "表决已经截止，不能再投票");
    if (b->cast_at < now_v->opens_at)
        return error_conflict(req->arena, NULL, "not_open", "表决尚未开始");
    if (cur && !now_v->changeable)
        return error_conflict(req->arena, NULL, "already_voted",
                              "您已经投过票了，本次表决截止前不能改票");
    *ret_first = !cur;
    return votes_store_ballot_add(req->store, req->arena, now_v, b, !cur, *ret_area);
}

static Error *votes_handle_ballot(Request *req, Response *res)
{
    static const char *const fields[] = { "choice", "channel", "household_id", "resident_id",
                                          "photo_id", NULL };
    VotesBallotRow b;
    Vote *v;
    const char *channel = "app";
    char receipt[RECEIPT_CHARS + 1];
    int64_t area = 0, photo = 0;
    bool on = false, present, first = false, staff;
    json_t *body;
    Error *err;

    memset(&b, 0, sizeof(b));
    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "choice", true, 1, 10, &b.choice);
    if (!err && !votes_one_of(b.choice, choices))
        err = error_invalid(req->arena, "choice", "invalid_choice",
                            "表决意见（choice）应为 yes（同意）、no（反对）或 abstain（弃权）");
    if (err)
        return err;
    staff = req->user->role != ROLE_RESIDENT;
    if (staff) {
        if (!votes_may_manage(req->user, v->community))
            return error_forbidden(req->arena, "只有本社区的工作人员或书记可以代录纸质或现场表决票");
        err = request_field_string(req, body, "channel", true, 1, 12, &channel);
        if (!err && !votes_one_of(channel, (const char *const[]){ "paper", "in_person", NULL }))
            err = error_invalid(req->arena, "channel", "invalid_option",
                                "代录的方式（channel）应为 paper（纸质表决票）或 in_person（现场表决）");
        if (!err)
            err = request_field_int(req, body, "photo_id", true, 1, INT64_MAX, &photo, &present);
        if (!err) {
            int64_t uploader = 0;
            const char *file, *mime;

            err = votes_store_photo(req->store, req->arena, photo, &uploader, &file, &mime);
            if (!err && uploader != req->user->id)
                err = error_invalid(req->arena, "photo_id", "unknown_photo",
                                    "找不到该签字表决票照片，请先上传（POST /api/v1/vote-photos）");
        }
        if (!err)
            err = paper_voter(req, body, v, &b.voter);
    } else {
        for (const char *const *f = fields + 1; *f; f++)
            if (json_object_get(body, *f))
                return error_invalid(req->arena, *f, "staff_only",
                                     "居民只能为自己投票，只需填写表决意见（choice）");
        err = votes_store_user_voter(req->store, req->arena, v, req->user->id,
                                     req->user->household_id, &b.voter);
    }
    if (!err && b.voter)
        err = votes_store_roll_weight(req->store, req->arena, v->id, b.voter, &on, &area);
    if (err)
        return err;
    if (!on)
        return error_new(req->arena, 403, NULL, "out_of_scope",
                                    strcmp(v->kind, "owners") == 0
                                        ? "您不是本次表决范围内专有部分的登记业主，不能投票"
                                        : "您不在本次表决的范围内，不能投票");
    b.channel = channel;
    b.user_id = req->user->id;
    b.photo_id = photo;
    crypto_random_code(receipt, RECEIPT_CHARS, RECEIPT_ALPHABET);
    b.receipt = receipt;
    request_end_read(req);
    err = store_begin_keyed(req->store, req->arena, STORE_LOCK_VOTE, v->id);
    if (err)
        return err;
    b.cast_at = time_now_ms();
    err = cast(req, v, &b, &area, &first);
    if (!err)
        err = audit_record(req, staff ? "vote.ballot_recorded" : "vote.ballot", "vote", v->id,
                           v->community,
                           staff ? json_pack("{s:I, s:s, s:I}", "seq", (json_int_t)b.seq,
                                             "channel", channel, "photo_id", (json_int_t)photo)
                                 : json_pack("{s:I}", "seq", (json_int_t)b.seq));
    err = votes_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:s}", "vote_id",
                                             (json_int_t)v->id, "seq", (json_int_t)b.seq,
                                             "choice", b.choice, "receipt", b.receipt, "hash",
                                             b.hash, "changed", !first, "cast_at",
                                             time_format_rfc3339(req->arena, b.cast_at)));
}

/* ---- the close ---- */

/* The 公示 period of a lift after its vote closes: calendar or working days. */
static Error *lift_notice(Request *req, int64_t lift_id, int64_t now)
{
    VotesLift *l = NULL;
    json_t *s;
    int days;
    bool working;
    char from[11], until[11];
    int64_t end = now;
    Error *err;

    err = votes_store_lift_get(req->store, req->arena, lift_id, &l);
    if (err || !l)
        return err;
    s = json_loads(l->settings, 0, NULL);
    days = (int)json_integer_value(json_object_get(s, "notice_days"));
    working = json_is_string(json_object_get(s, "notice_day_kind")) &&
              strcmp(json_string_value(json_object_get(s, "notice_day_kind")), "working") == 0;
    json_decref(s);
    if (working) {
        Calendar cal;
        int64_t today = (now + 8 * (60 * TIME_MINUTE_MS)) / TIME_DAY_MS;

        err = cases_store_calendar(req->store, req->arena, today, today + days * 3 + 30, &cal, NULL);
        if (err)
            return err;
        if (days > 0)
            end = calendar_add_work_days(&cal, now, days);
    } else {
        end = now + (int64_t)days * TIME_DAY_MS;
    }
    time_format_date(from, (now + 8 * (60 * TIME_MINUTE_MS)) / TIME_DAY_MS);
    time_format_date(until, (end + 8 * (60 * TIME_MINUTE_MS)) / TIME_DAY_MS);
    return votes_store_lift_notice(req->store, req->arena, lift_id, from, until);
}

static Error *votes_handle_close(Request *req, Response *res)
{
    Vote *v, *now_v = NULL;
    const char **voters, **picked;
    size_t n;
    json_t *result = NULL;
    char *text;
    int64_t now = time_now_ms();
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (err)
        return err;
    if (!votes_may_manage(req->user, v->community))
        return error_forbidden(req->arena, "只有本社区的工作人员或书记可以结束表决并计票");
    request_end_read(req);
    err = store_begin_keyed(req->store, req->arena, STORE_LOCK_VOTE, v->id);
    if (err)
        return err;
    err = votes_store_get(req->store, req->arena, v->id, &now_v);
    if (!err && now_v->closed_at)
        err = error_conflict(req->arena, NULL, "vote_closed", "表决已经结束");
    if (!err)
        err = votes_store_currents(req->store, req->arena, v->id, &voters, &picked, &n);
    if (!err)
        err = votes_count(req->store, req->arena, now_v, voters, picked, n, &result);
    if (!err) {
        json_object_set_new(result, "counted_at", json_string(time_format_rfc3339(req->arena, now)));
        json_object_set_new(result, "chain_head", json_string(now_v->chain_head));
        json_object_set_new(result, "ballots", json_integer(now_v->n_ballots));
        json_object_set_new(result, "early", json_boolean(now < now_v->closes_at));
        text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
        err = votes_store_close(req->store, req->arena, v->id, arena_strdup(req->arena, text),
                                req->user->id, now);
        free(text);
    }
    if (!err && now_v->lift_id)
        err = lift_notice(req, now_v->lift_id, now);
    if (!err)
        err = audit_record(req, "vote.close", "vote", v->id, v->community,
                           json_pack("{s:b, s:I}", "approved",
                                     json_is_true(json_object_get(result, "approved")), "ballots",
                                     (json_int_t)now_v->n_ballots));
    json_decref(result);
    err = votes_finish(req, err);
    if (!err)
        err = votes_store_get(req->store, req->arena, v->id, &v);
    if (err)
        return err;
    return response_json(res, 200, votes_vote_json(req->arena, v, time_now_ms()));
}

static Error *votes_handle_published(Request *req, Response *res)
{
    Vote *v;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (err)
        return err;
    if (v->secret)
        return error_new(req->arena, 403, NULL, "secret_vote",
                                    "无记名表决不公布投票名单，请用回执码查询自己的选票");
    if (!v->closed_at && !votes_may_manage(req->user, v->community))
        return error_conflict(req->arena, NULL, "not_closed", "表决结束后公布投票名单");
    items = json_array();
    err = votes_store_published(req->store, req->arena, v->id, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:I, s:o}", "vote_id", (json_int_t)v->id, "items",
                                             items));
}

static Error *votes_handle_receipt(Request *req, Response *res)
{
    VotesBallotRow b;
    const char *cur = NULL, *cur_receipt = NULL;
    const char *code = req->n_params > 1 ? req->params[1] : "";
    bool found = false;
    Vote *v;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (err)
        return err;
    if (strlen(code) != RECEIPT_CHARS || strspn(code, RECEIPT_ALPHABET) != RECEIPT_CHARS)
        return error_not_found(req->arena, "code", "回执码应为 12 位字母和数字");
    err = votes_store_ballot_by_receipt(req->store, req->arena, v->id, code, &b, &found);
    if (!err && found)
        err = votes_store_current(req->store, req->arena, v->id, b.voter, &cur, &cur_receipt);
    if (err)
        return err;
    if (!found)
        return error_not_found(req->arena, "code", "没有这个回执码的选票");
    return response_json(res, 200,
                         json_pack("{s:I, s:I, s:s, s:b, s:s, s:s, s:s}", "vote_id",
                                   (json_int_t)v->id, "seq", (json_int_t)b.seq, "choice", b.choice,
                                   "counted", cur_receipt && strcmp(cur_receipt, code) == 0, "hash",
                                   b.hash, "prev_hash", b.prev_hash, "cast_at",
                                   time_format_rfc3339(req->arena, b.cast_at)));
}

static Error *votes_handle_verify(Request *req, Response *res)
{
    json_t *report = NULL;
    Vote *v;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (!err)
        err = votes_verify(req->store, req->arena, v->id, &report);
    if (err)
        return err;
    return response_json(res, 200, report);
}

/* ---- photos of signed sheets ---- */

/* Signed ballot sheets: names and signatures, sealed at rest (core/photo). */
static const char *votes_photo_dir(Request *req)
{
    return photo_dir(req->arena, req->app->cfg->files_base, "votes");
}

static Error *votes_handle_photo_upload(Request *req, Response *res)
{
    PhotoFile pf;
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (err)
        return err;
    if (req->body_len == 0)
        return error_invalid(req->arena, "photo", "empty_photo", "请上传签字表决票的照片（请求体为图片本身）");
    err = photo_save(req->arena, req->app->keys, votes_photo_dir(req), "photo", req->body,
                     req->body_len, PHOTO_MAX_BYTES, &pf);
    if (err)
        return err;
    err = votes_store_photo_insert(req->store, req->arena, pf.file, pf.mime, pf.size,
                                   req->user->id, time_now_ms(), &id);
    if (err) {
        unlink(pf.path);
        return err;
    }
    return response_json(res, 201, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)id, "url",
                                             arena_sprintf(req->arena, "/api/v1/vote-photos/%lld",
                                                           (long long)id),
                                             "mime", pf.mime, "size", (json_int_t)pf.size));
}

static Error *votes_handle_photo_get(Request *req, Response *res)
{
    const char *file = NULL, *mime = NULL, *community = NULL;
    int64_t id, uploader = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = request_param_id(req, 0, &id);
    if (!err)
        err = votes_store_photo(req->store, req->arena, id, &uploader, &file, &mime);
    if (!err && uploader)
        err = votes_store_photo_community(req->store, req->arena, id, &community);
    if (err)
        return err;
    if (!uploader || (uploader != req->user->id && !(community && auth_covers(req->user, community))))
        return error_not_found(req->arena, "id", "找不到该照片");
    return response_photo(req, res, req->app->keys, votes_photo_dir(req), file, mime);
}

void votes_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/households/{id}/property", votes_handle_property_get, 0);
    router_add(r, "PUT", "/api/v1/households/{id}/property", votes_handle_property_put, 0);
    router_add(r, "GET", "/api/v1/votes", votes_handle_list, 0);
    router_add(r, "POST", "/api/v1/votes", votes_handle_create, 0);
    router_add(r, "GET", "/api/v1/votes/{id}", votes_handle_get, 0);
    router_add(r, "GET", "/api/v1/votes/{id}/participation", votes_handle_participation, 0);
    router_add(r, "POST", "/api/v1/votes/{id}/ballots", votes_handle_ballot, 0);
    router_add(r, "POST", "/api/v1/votes/{id}/close", votes_handle_close, 0);
    router_add(r, "GET", "/api/v1/votes/{id}/list", votes_handle_published, 0);
    router_add(r, "GET", "/api/v1/votes/{id}/receipts/{code}", votes_handle_receipt, 0);
    router_add(r, "GET", "/api/v1/votes/{id}/verify", votes_handle_verify, 0);
    router_add(r, "POST", "/api/v1/vote-photos", votes_handle_photo_upload, ROUTE_FILE_BODY);
    router_add(r, "GET", "/api/v1/vote-photos/{id}", votes_handle_photo_get, 0);
    votes_lift_routes_register(r);
    votes_topic_routes_register(r);
    votes_export_routes_register(r);
}
