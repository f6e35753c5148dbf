/*
 * The certificate of hours (志愿服务时长证明): a PDF (core/pdf) with the
 * volunteer's name, masked ID number, community, confirmed hours by year
 * and kind and their total, the date, and a QR code to
 * GET /api/v1/volunteers/certificates/{code}, which anyone may open to
 * check the totals the certificate was issued with. A resident downloads
 * her own; staff (and street admins) any in their scope, audited.
 */
#include <stdlib.h>
#include <string.h>

#include "activities/activities.h"
#include "audit/audit.h"
#include "booking/booking.h"
#include "core/crypto.h"
#include "core/mask.h"
#include "core/pdf.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "volunteers/volunteers_routes.h"
#include "core/banned.h"

#define CERT_MAX (8 * 1024 * 1024)
#define CODE_CHARS 16

static const char *kind_label(const char *kind)
{
    ActivityKind k;

    return activities_kind_parse(kind, &k) ? activities_kind_label(k) : "其他";
}

/* @sv (ascending served_at) as [{year, kind, label, minutes}] by year, then kind. */
static json_t *totals_by_year(const VolunteersServed *sv, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        int y, m;
        size_t j;
        json_t *o = NULL;

        volunteers_year_month(sv[i].served_at, &y, &m);
        json_array_foreach(arr, j, o) {
            if (json_integer_value(json_object_get(o, "year")) == y &&
                strcmp(json_string_value(json_object_get(o, "kind")), sv[i].kind) == 0)
                break;
        }
        if (j == json_array_size(arr)) {
            o = json_pack("{s:i, s:s, s:s, s:I}", "year", y, "kind", sv[i].kind, "label",
                          kind_label(sv[i].kind), "minutes", (json_int_t)0);
            json_array_append_new(arr, o);
        }
        json_object_set_new(o, "minutes",
                            json_integer(json_integer_value(json_object_get(o, "minutes")) +
                                         sv[i].minutes));
    }
    return arr;
}

static Error *certificate(Request *req, Response *res, const Volunteer *v)
{
    const char *name = NULL, *id_masked = NULL, *community = NULL, *url, *data;
    VolunteersServed *sv = NULL;
    char token[CRYPTO_TOKEN_CHARS + 1], code[CODE_CHARS + 1];
    int64_t now = time_now_ms(), total = 0;
    size_t n = 0, len = 0, i;
    json_t *totals, *o;
    char *totals_text;
    Arena *a = req->arena;
    Pdf *p;
    Error *err;

    err = volunteers_store_identity(req->store, a, v->id, &name, &id_masked, &community);
    if (!err)
        err = volunteers_store_served(req->store, a, v->id, NULL, NULL, 0, 0, &sv, &n);
    if (err)
        return err;
    for (i = 0; i < n; i++)
        total += sv[i].minutes;
    totals = totals_by_year(sv, n);
    arena_defer(a, (ArenaCleanup)json_decref, totals);
    totals_text = json_dumps(totals, JSON_COMPACT);
    arena_defer(a, free, totals_text);
    crypto_token_new(token);
    memcpy(code, token, CODE_CHARS);
    code[CODE_CHARS] = '\0';

    request_end_read(req);
    err = store_begin(req->store, a);
    if (err)
        return err;
    err = volunteers_store_certificate_insert(req->store, a, code, v->id, total, totals_text,
                                              req->user->id, now);
    if (!err && req->user->role != ROLE_RESIDENT)
        err = audit_record(req, "volunteer.certificate", "volunteer", v->id, v->community,
                           json_pack("{s:s, s:I}", "code", code, "minutes", (json_int_t)total));
    if (!err)
        err = store_commit(req->store, a);
    if (err) {
        store_rollback(req->store);
        return err;
    }

    url = arena_sprintf(a, "%s/api/v1/volunteers/certificates/%s", booking_base_url(req), code);
    p = pdf_new(a, arena_sprintf(a, "%s 志愿服务时长证明", name), now, CERT_MAX);
    pdf_title(p, "志愿服务时长证明");
    pdf_field(p, "姓名", name);
    pdf_field(p, "身份证号", id_masked);
    pdf_field(p, "所在社区", community);
    pdf_field(p, "累计服务时长", arena_sprintf(a, "%s 小时", volunteers_hours_text(a, total)));
    pdf_space(p, 3);
    pdf_paragraph(p, arena_sprintf(a,
                                   "兹证明 %s 同志为%s注册志愿者，截至 %s，经志愿队队长或社区工作人员"
                                   "确认的志愿服务时长累计 %s 小时，分年度和类别如下。",
                                   name, community, time_format_local(a, now, TIME_OFFSET_SHANGHAI,
                                                                      false),
                                   volunteers_hours_text(a, total)));
    pdf_table(p, (const PdfColumn[]){ { "年度", 40, false }, { "服务类别", 80, false },
                                      { "时长（小时）", 50, true } },
              3);
    json_array_foreach(totals, i, o) {
        pdf_table_row(p, (const char *const[]){
                             arena_sprintf(a, "%lld 年",
                                           (long long)json_integer_value(json_object_get(o, "year"))),
                             json_string_value(json_object_get(o, "label")),
                             volunteers_hours_text(a, json_integer_value(json_object_get(o, "minutes"))) });
    }
    pdf_table_row(p, (const char *const[]){ "合计", "", volunteers_hours_text(a, total) });
    if (!n)
        pdf_note(p, "暂无已确认的志愿服务时长。");
    pdf_space(p, 6);
    pdf_paragraph(p, arena_sprintf(a, "%s居民委员会", community));
    pdf_paragraph(p, arena_sprintf(a, "出具日期：%s",
                                   time_format_local(a, now, TIME_OFFSET_SHANGHAI, false)));
    pdf_qr(p, url, 30, arena_sprintf(a, "扫码核验本证明（编号 %s）", code));
    data = pdf_finish(p, &len, NULL);
    if (!data)
        return error_internal(a, "cannot write the certificate of volunteer %lld",
                              (long long)v->id);
    response_attachment(res, a, arena_sprintf(a, "volunteer-%lld-hours.pdf", (long long)v->id),
                        arena_sprintf(a, "%s-志愿服务时长证明.pdf", name));
    response_header(res, "Cache-Control", "no-store");
    response_header(res, "X-Certificate-Code", code);
    return response_bytes(res, 200, "application/pdf", data, len);
}

static Error *volunteers_handle_my_certificate(Request *req, Response *res)
{
    Volunteer *v = NULL;
    int64_t me = 0;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT);
    if (!err)
        err = volunteers_me(req, &me);
    if (!err && me)
        err = volunteers_store_get(req->store, req->arena, me, &v);
    if (err)
        return err;
    if (!v)
        return error_not_found(req->arena, NULL, "您还没有注册志愿者");
    return certificate(req, res, v);
}

static Error *volunteers_handle_certificate(Request *req, Response *res)
{
    Volunteer *v = NULL;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = volunteers_load(req, 0, &v, NULL);
    if (err)
        return err;
    return certificate(req, res, v);
}

static Error *volunteers_handle_verify(Request *req, Response *res)
{
    const char *code = req->params[0];
    json_t *o = NULL;
    Error *err;

    if (strlen(code) != CODE_CHARS)
        return error_not_found(req->arena, "code", "找不到这份志愿服务时长证明");
    err = volunteers_store_certificate_json(req->store, req->arena, code, &o);
    if (err)
        return err;
    if (!o)
        return error_not_found(req->arena, "code", "找不到这份志愿服务时长证明");
    json_object_set_new(o, "name",
                        json_string(mask_name(req->arena,
                                              json_string_value(json_object_get(o, "name")))));
    json_object_set_new(o, "hours",
                        json_string(volunteers_hours_text(
                            req->arena, json_integer_value(json_object_get(o, "minutes")))));
    json_object_set_new(o, "valid", json_true());
    return response_json(res, 200, o);
}

void volunteers_certificate_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/volunteers/me/certificate", volunteers_handle_my_certificate, 0);
    router_add(r, "GET", "/api/v1/volunteers/certificates/{code}", volunteers_handle_verify,
               ROUTE_PUBLIC);
    router_add(r, "GET", "/api/v1/volunteers/{id}/certificate", volunteers_handle_certificate, 0);
}
