/*
 * Partner merchants' routes (/api/v1/merchants…, /api/v1/offers…, the
 * stalls of a market /api/v1/activities/{id}/stalls): merchants and their
 * offers (staff), an offer's QR poster, redemption by QR (a resident), the
 * redemptions and the yearly contribution report (JSON and Excel). See
 * points.h for the design.
 */
#include <stdio.h>
#include <string.h>

#include "activities/activities_store.h"
#include "audit/audit.h"
#include "booking/booking.h"
#include "core/crypto.h"
#include "core/qrpng.h"
#include "core/sheet.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "points/points_routes.h"
#include "core/banned.h"

#define CHINA_OFFSET_MIN 480
#define REPORT_XLSX_MAX (4 << 20)

/*
 * Merchant {id} (route parameter 0) the user may read; 403 when @manage
 * and she is not its staff.
 */
static Error *load_merchant(Request *req, bool manage, Merchant **ret)
{
    int64_t id;
    Error *err = request_param_id(req, 0, &id);

    if (!err)
        err = points_store_merchant_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || req->user->role == ROLE_RESIDENT || !auth_covers(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该商户");
    if (manage && !auth_is_staff_of(req->user, (*ret)->community))
        return error_forbidden(req->arena, "只有本社区工作人员可以管理合作商户");
    return NULL;
}

/* Merchant @id as JSON with @status, its phone masked unless @full. */
static Error *respond_merchant(Request *req, Response *res, int status, int64_t id, bool full)
{
    json_t *o = NULL;
    Error *err = points_store_merchant_json(req->store, req->arena, id, full, &o);

    if (!err && !o)
        err = error_not_found(req->arena, "id", "找不到该商户");
    if (err)
        return err;
    return response_json(res, status, o);
}

static Error *merchant_handle_create(Request *req, Response *res)
{
    MerchantInput in = { .address = "", .contact = "", .phone = "", .space_hours = "",
                         .gives_note = "", .state = "active", .name = "", .kind = "" };
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = points_parse_merchant(req, true, &in);
    if (!err && !auth_is_staff_of(req->user, in.community))
        err = error_forbidden(req->arena, "只有本社区工作人员可以登记合作商户");
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = points_store_merchant_insert(req->store, req->arena, &in, req->user->id, time_now_ms(),
                                       &id);
    if (err && err->status == 409)
        err = error_invalid(req->arena, "community", "unknown_community", "找不到这个社区");
    if (!err)
        err = audit_record(req, "merchant.create", "merchant", id, in.community,
                           json_pack("{s:s, s:s}", "name", in.name, "kind", in.kind));
    err = points_finish(req, err);
    if (err)
        return err;
    return respond_merchant(req, res, 201, id, false);
}

static Error *merchant_handle_list(Request *req, Response *res)
{
    const char *community = NULL;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = points_community_query(req, false, &community);
    if (!err)
        err = points_store_merchants(req->store, req->arena, community, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* ?reveal=1: the whole phone number, for the community's staff, audited. */
static Error *merchant_handle_get(Request *req, Response *res)
{
    const char *reveal = request_query(req, "reveal");
    bool full = reveal && strcmp(reveal, "1") == 0;
    Merchant *m = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, full, &m);
    if (!err && full)
        err = audit_record(req, "merchant.view_phone", "merchant", m->id, m->community,
                           json_pack("{s:[s]}", "fields", "phone"));
    if (err)
        return err;
    return respond_merchant(req, res, 200, m->id, full);
}

static Error *merchant_handle_update(Request *req, Response *res)
{
    MerchantInput in;
    Merchant *m = NULL;
    json_t *cur = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, true, &m);
    if (!err)
        err = points_store_merchant_json(req->store, req->arena, m->id, true, &cur);
    if (err)
        return err;
#define S(k) arena_strdup(req->arena, json_string_value(json_object_get(cur, k)))
    in = (MerchantInput){ .community = m->community, .name = S("name"), .kind = S("kind"),
                          .address = S("address"), .contact = S("contact"), .phone = S("phone"),
                          .space_m2 = json_integer_value(json_object_get(cur, "space_m2")),
                          .space_hours = S("space_hours"),
                          .free_stall = json_is_true(json_object_get(cur, "free_stall")),
                          .gives_note = S("gives_note"), .state = S("state") };
#undef S
    json_decref(cur);
    err = points_parse_merchant(req, false, &in);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = points_store_merchant_update(req->store, req->arena, m->id, &in, time_now_ms());
    if (!err)
        err = audit_record(req, "merchant.edit", "merchant", m->id, m->community,
                           json_pack("{s:s, s:s}", "name", in.name, "state", in.state));
    err = points_finish(req, err);
    if (err)
        return err;
    return respond_merchant(req, res, 200, m->id, false);
}

/* ---- offers ---- */

/* Offer {offer_id} (route parameter 1) of merchant @m; 404 otherwise. */
static Error *load_offer(Request *req, const Merchant *m, MerchantOffer **ret)
{
    int64_t id;
    Error *err = request_param_id(req, 1, &id);

    if (!err)
        err = points_store_offer_get(req->store, req->arena, id, ret);
    if (!err && (!*ret || (*ret)->merchant_id != m->id))
        err = error_not_found(req->arena, "offer_id", "找不到该商户的这项优惠");
    return err;
}

static Error *offer_handle_create(Request *req, Response *res)
{
    MerchantOffer o = { .body = "", .kind = "", .title = "", .active = true };
    Merchant *m = NULL;
    char token[CRYPTO_TOKEN_CHARS + 1];
    int64_t id = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, true, &m);
    if (!err)
        err = points_parse_offer(req, true, &o);
    if (err)
        return err;
    o.merchant_id = m->id;
    if (strcmp(o.kind, "discount") == 0) {
        crypto_token_new(token);
        o.token = arena_strdup(req->arena, token);
    }
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = points_store_offer_insert(req->store, req->arena, &o, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "merchant.offer", "merchant", m->id, m->community,
                           json_pack("{s:I, s:s, s:s, s:I}", "offer_id", (json_int_t)id, "kind",
                                     o.kind, "title", o.title, "cost", (json_int_t)o.cost));
    err = points_finish(req, err);
    if (err)
        return err;
    return respond_merchant(req, res, 201, m->id, false);
}

static Error *offer_handle_update(Request *req, Response *res)
{
    MerchantOffer *o = NULL;
    Merchant *m = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, true, &m);
    if (!err)
        err = load_offer(req, m, &o);
    if (!err)
        err = points_parse_offer(req, false, o);
    if (err)
        return err;
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = points_store_offer_update(req->store, req->arena, o, time_now_ms());
    if (!err)
        err = audit_record(req, "merchant.offer_edit", "merchant", m->id, m->community,
                           json_pack("{s:I, s:b, s:I}", "offer_id", (json_int_t)o->id, "active",
                                     o->active, "cost", (json_int_t)o->cost));
    err = points_finish(req, err);
    if (err)
        return err;
    return respond_merchant(req, res, 200, m->id, false);
}

static Error *offer_handle_qr(Request *req, Response *res)
{
    MerchantOffer *o = NULL;
    Merchant *m = NULL;
    const char *url, *png;
    size_t len = 0;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, true, &m);
    if (!err)
        err = load_offer(req, m, &o);
    if (err)
        return err;
    if (!o->token || !*o->token)
        return error_invalid(req->arena, "offer_id", "not_redeemable",
                             "这项不是积分兑换优惠，没有兑换二维码");
    url = arena_sprintf(req->arena, "%s/h5/#/offers/redeem/%s", booking_base_url(req),
                        o->token);
    png = qr_poster_png(req->arena, url, arena_sprintf(req->arena, "%s · %s", m->name, o->title),
                        arena_sprintf(req->arena, "扫码用 %lld 积分兑换", (long long)o->cost), &len);
    if (!png)
        return error_internal(req->arena, "cannot draw the poster of offer %lld",
                              (long long)o->id);
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"offer-%lld.png\"",
                                  (long long)o->id));
    return response_bytes(res, 200, "image/png", png, len);
}

/* ---- redemption by QR (a resident) ---- */

static Error *offers_handle_list(Request *req, Response *res)
{
    json_t *items = NULL;
    int64_t self = 0, balance = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = points_self(req, &self);
    if (!err)
        err = points_store_balance(req->store, req->arena, self, &balance);
    if (!err)
        err = points_store_offers_redeemable(req->store, req->arena, req->user->scope, &items);
    if (err)
        return err;
    return response_json(res, 200,
                         json_pack("{s:o, s:I}", "items", items, "balance", (json_int_t)balance));
}

/*
 * The redeemable offer whose QR token is @token, of an active merchant of
 * the resident's community; 422 bad_token otherwise.
 */
static Error *offer_by_token(Request *req, const char *token, MerchantOffer **ret_o,
                             Merchant **ret_m)
{
    Error *err;

    if (!token || !*token || strlen(token) > 100)
        return error_invalid(req->arena, "token", "bad_token", "请扫描商户的积分兑换二维码");
    err = points_store_offer_by_token(req->store, req->arena, token, ret_o);
    if (!err && *ret_o)
        err = points_store_merchant_get(req->store, req->arena, (*ret_o)->merchant_id, ret_m);
    if (err)
        return err;
    if (!*ret_o || !*ret_m || strcmp((*ret_m)->community, req->user->scope) != 0)
        return error_invalid(req->arena, "token", "bad_token",
                             "这个二维码不是本社区合作商户的兑换码，请核对后再扫");
    if (!(*ret_o)->active || strcmp((*ret_m)->state, "active") != 0)
        return error_conflict(req->arena, "token", "offer_closed", "这项优惠已停止兑换");
    return NULL;
}

static Error *offers_handle_scan(Request *req, Response *res)
{
    MerchantOffer *o = NULL;
    Merchant *m = NULL;
    int64_t self = 0, balance = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = points_self(req, &self);
    if (!err)
        err = offer_by_token(req, request_query(req, "token"), &o, &m);
    if (!err)
        err = points_store_balance(req->store, req->arena, self, &balance);
    if (err)
        return err;
    return response_json(res, 200,
                         json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:b}", "offer_id",
                                   (json_int_t)o->id, "merchant_id", (json_int_t)m->id,
                                   "merchant", m->name, "title", o->title, "body", o->body,
                                   "cost", (json_int_t)o->cost, "balance", (json_int_t)balance,
                                   "enough", balance >= o->cost));
}

static Error *offers_handle_redeem(Request *req, Response *res)
{
    static const char *const fields[] = { "token", NULL };
    MerchantOffer *o = NULL;
    Merchant *m = NULL;
    const char *token = NULL;
    char code[7];
    int64_t self = 0, id = 0, balance = 0, now = time_now_ms();
    json_t *body;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "token", true, 1, 100, &token);
    if (!err)
        err = points_self(req, &self);
    if (!err)
        err = offer_by_token(req, token, &o, &m);
    if (err)
        return err;
    crypto_random_code(code, 6, "0123456789");
    request_end_read(req);
    err = store_begin_keyed(req->store, req->arena, STORE_LOCK_MERCHANT_OFFER, o->id);
    if (err)
        return err;
    err = points_store_redemption_insert(req->store, req->arena, o, self, req->user->id, code, now,
                                         &id);
    if (!err)
        err = points_store_move(req->store, req->arena,
                                &(PointsMove){ .resident_id = self,
                                               .community = m->community,
                                               .kind = "spend",
                                               .delta = -o->cost,
                                               .rule = "",
                                               .ref_kind = "redemption",
                                               .ref_id = id,
                                               .reason = "",
                                               .actor_id = req->user->id,
                                               .now_ms = now },
                                &balance, NULL);
    err = points_finish(req, err);
    if (err)
        return err;
    return response_json(res, 201,
                         json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)id,
                                   "code", code, "merchant", m->name, "title", o->title, "cost",
                                   (json_int_t)o->cost, "balance", (json_int_t)balance,
                                   "created_at",
                                   time_format_rfc3339_at(req->arena, now, CHINA_OFFSET_MIN)));
}

static Error *merchant_handle_redemptions(Request *req, Response *res)
{
    Merchant *m = NULL;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, false, &m);
    if (!err)
        err = points_store_redemptions(req->store, req->arena, m->id, 500, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* ---- the stalls of a market ---- */

/* Activity {id} (route parameter 0) that the user may see. */
static Error *load_activity(Request *req, Activity **ret)
{
    int64_t id;
    Error *err = request_param_id(req, 0, &id);

    if (!err)
        err = activities_store_get(req->store, req->arena, id, ret);
    if (err)
        return err;
    if (!*ret || req->user->role == ROLE_PROPERTY || !auth_covers(req->user, (*ret)->community))
        return error_not_found(req->arena, "id", "找不到该活动");
    return NULL;
}

static Error *stalls_handle_list(Request *req, Response *res)
{
    Activity *act = NULL;
    json_t *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = load_activity(req, &act);
    if (!err)
        err = points_store_stalls(req->store, req->arena, act->id, &items);
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

static Error *stalls_handle_add(Request *req, Response *res)
{
    static const char *const fields[] = { "merchant_id", "provides", NULL };
    Activity *act = NULL;
    Merchant *m = NULL;
    const char *provides = NULL;
    int64_t merchant_id = 0, id = 0;
    json_t *body, *items = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_ADMIN);
    if (!err)
        err = load_activity(req, &act);
    if (!err && !auth_is_staff_of(req->user, act->community))
        err = error_forbidden(req->arena, "只有本社区工作人员可以安排集市摊位");
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_int(req, body, "merchant_id", true, 1, INT64_MAX, &merchant_id, NULL);
    if (!err)
        err = request_field_string(req, body, "provides", true, 2, 200, &provides);
    if (!err)
        err = points_store_merchant_get(req->store, req->arena, merchant_id, &m);
    if (err)
        return err;
    if (act->kind != ACTIVITY_MARKET)
        return error_invalid(req->arena, "id", "not_market", "只有便民集市可以安排商户摊位");
    if (act->cancelled)
        return error_conflict(req->arena, "id", "cancelled", "这场集市已取消，不能再安排摊位");
    if (!m || strcmp(m->community, act->community) != 0)
        return error_invalid(req->arena, "merchant_id", "unknown_merchant", "找不到本社区的这个合作商户");
    if (strcmp(m->state, "active") != 0)
        return error_conflict(req->arena, "merchant_id", "merchant_inactive", "这个商户目前不在合作中");
    request_end_read(req);
    err = store_begin(req->store, req->arena);
    if (err)
        return err;
    err = points_store_stall_insert(req->store, req->arena, act->id, m->id, provides,
                                    req->user->id, time_now_ms(), &id);
    if (!err)
        err = audit_record(req, "market.stall", "activity", act->id, act->community,
                           json_pack("{s:I, s:s}", "merchant_id", (json_int_t)m->id, "provides",
                                     provides));
    err = points_finish(req, err);
    if (!err)
        err = points_store_stalls(req->store, req->arena, act->id, &items);
    if (err)
        return err;
    return response_json(res, 201, json_pack("{s:I, s:o}", "id", (json_int_t)id, "items", items));
}

/* ---- the yearly contribution report ---- */

static Error *report_of(Request *req, Merchant **ret_m, int64_t *ret_year, json_t **ret)
{
    int64_t today, year, from, to;
    int minute, y, mo, d;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_merchant(req, false, ret_m);
    if (err)
        return err;
    time_local(time_now_ms(), CHINA_OFFSET_MIN, &today, &minute);
    civil_from_days(today, &y, &mo, &d);
    err = request_query_int(req, "year", y, 2000, 2100, &year);
    if (err)
        return err;
    from = time_day_start_ms(days_from_civil((int)year, 1, 1), CHINA_OFFSET_MIN);
    to = time_day_start_ms(days_from_civil((int)year + 1, 1, 1), CHINA_OFFSET_MIN);
    err = points_store_report(req->store, req->arena, (*ret_m)->id, from, to, ret);
    if (!err)
        json_object_set_new(*ret, "year", json_integer(year));
    *ret_year = year;
    return err;
}

static Error *merchant_handle_report(Request *req, Response *res)
{
    Merchant *m = NULL;
    int64_t year = 0;
    json_t *o = NULL;
    Error *err = report_of(req, &m, &year, &o);

    if (err)
        return err;
    return response_json(res, 200, o);
}

static const SheetColumn report_cols[] = {
    { "类别", 14, SHEET_GENERAL }, { "日期", 12, SHEET_TEXT },   { "内容", 40, SHEET_GENERAL },
    { "次数", 8, SHEET_NUMBER },   { "积分", 10, SHEET_NUMBER },
};

typedef struct ReportCtx {
    Arena *a;
    json_t *o;
} ReportCtx;

static Error *report_xlsx_to(const char *path, void *ctx)
{
    ReportCtx *c = ctx;
    json_t *o = c->o, *x;
    json_t *mer = json_object_get(o, "merchant");
    const char *failed;
    size_t i;
    Sheet s;
    char buf[3][32];

    if (!sheet_open(&s, path, "年度贡献", report_cols, 5))
        return error_internal(c->a, "cannot create workbook '%s'", path);
    json_array_foreach(json_object_get(o, "stalls"), i, x) {
        const char *at = json_string_value(json_object_get(x, "start_at"));
        char day[11] = "";

        if (at)
            memcpy(day, at, strlen(at) >= 10 ? 10 : strlen(at));
        sheet_row(&s, (const char *[]){ "集市服务", day,
                                        json_string_value(json_object_get(x, "title")), "1",
                                        NULL });
    }
    json_array_foreach(json_object_get(o, "redeemed"), i, x) {
        snprintf(buf[0], sizeof(buf[0]), "%lld",
                 (long long)json_integer_value(json_object_get(x, "count")));
        snprintf(buf[1], sizeof(buf[1]), "%lld",
                 (long long)json_integer_value(json_object_get(x, "points")));
        sheet_row(&s, (const char *[]){ "积分兑换", NULL,
                                        json_string_value(json_object_get(x, "title")), buf[0],
                                        buf[1] });
    }
    json_array_foreach(json_object_get(o, "courses"), i, x)
        sheet_row(&s, (const char *[]){ "授课", NULL,
                                        json_string_value(json_object_get(x, "title")), NULL,
                                        NULL });
    snprintf(buf[2], sizeof(buf[2]), "%lld",
             (long long)json_integer_value(json_object_get(mer, "space_m2")));
    sheet_row(&s, (const char *[]){ "社区提供", NULL,
                                    json_is_true(json_object_get(mer, "free_stall"))
                                        ? "集市免费摊位" : "集市摊位（不免费）",
                                    NULL, NULL });
    sheet_row(&s, (const char *[]){ "社区提供", NULL, "场地面积（平方米）", buf[2], NULL });
    sheet_row(&s, (const char *[]){ "社区提供", NULL,
                                    json_string_value(json_object_get(mer, "space_hours")), NULL,
                                    NULL });
    failed = sheet_close(&s, true);
    return failed ? error_internal(c->a, "merchant report xlsx: %s", failed) : NULL;
}

static Error *merchant_handle_report_xlsx(Request *req, Response *res)
{
    Merchant *m = NULL;
    int64_t year = 0;
    json_t *o = NULL;
    const char *data = NULL;
    size_t len = 0;
    Error *err = report_of(req, &m, &year, &o);

    if (err)
        return err;
    err = sheet_xlsx_bytes(req->arena, report_xlsx_to, &(ReportCtx){ req->arena, o },
                           REPORT_XLSX_MAX, &data, &len);
    json_decref(o);
    if (err)
        return err;
    response_attachment(res, req->arena,
                        arena_sprintf(req->arena, "merchant-%lld-%lld.xlsx", (long long)m->id,
                                      (long long)year),
                        arena_sprintf(req->arena, "%s-%lld年度贡献.xlsx", m->name, (long long)year));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, SHEET_XLSX_TYPE, data, len);
}

void points_merchant_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/merchants", merchant_handle_create, 0);
    router_add(r, "GET", "/api/v1/merchants", merchant_handle_list, 0);
    router_add(r, "GET", "/api/v1/merchants/{id}", merchant_handle_get, 0);
    router_add(r, "PUT", "/api/v1/merchants/{id}", merchant_handle_update, 0);
    router_add(r, "POST", "/api/v1/merchants/{id}/offers", offer_handle_create, 0);
    router_add(r, "PUT", "/api/v1/merchants/{id}/offers/{offer_id}", offer_handle_update, 0);
    router_add(r, "GET", "/api/v1/merchants/{id}/offers/{offer_id}/qr.png", offer_handle_qr, 0);
    router_add(r, "GET", "/api/v1/merchants/{id}/redemptions", merchant_handle_redemptions, 0);
    router_add(r, "GET", "/api/v1/merchants/{id}/report", merchant_handle_report, 0);
    router_add(r, "GET", "/api/v1/merchants/{id}/report.xlsx", merchant_handle_report_xlsx, 0);
    router_add(r, "GET", "/api/v1/offers", offers_handle_list, 0);
    router_add(r, "GET", "/api/v1/offers/scan", offers_handle_scan, 0);
    router_add(r, "POST", "/api/v1/offers/redeem", offers_handle_redeem, 0);
    router_add(r, "GET", "/api/v1/activities/{id}/stalls", stalls_handle_list, 0);
    router_add(r, "POST", "/api/v1/activities/{id}/stalls", stalls_handle_add, 0);
}
