/*
 * GET /api/v1/votes/{id}/export?what=result|signatures&format=pdf|xlsx: a
 * vote's result and its signature list as files for the street and the
 * housing authority, for the vote's community staff and the street's
 * admins (403 for everyone else who may read the vote), audited as
 * vote.export.
 *
 * The result (only after the close: 409 not_closed) is the one stored at
 * the close: the vote, the roll's totals, each condition with its text
 * and whether it holds (成立/不成立), the decision, and the hash chain's
 * head with what `linli votes verify` finds now. The signature list has
 * one row per unit, household or resident of the roll, names masked as
 * lists mask them; an open vote's rows show each choice, channel and time
 * (blank for those who did not vote), a secret vote's only whether each
 * took part, and the document says so.
 *
 * PDF through core/pdf, xlsx through core/sheet (as every export).
 */
#include <string.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/mask.h"
#include "core/pdf.h"
#include "core/sheet.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "votes/votes_routes.h"
#include "votes/votes_store.h"
#include "core/banned.h"

#define EXPORT_MAX (64 * 1024 * 1024)

typedef struct Export {
    Request *req;
    const Vote *v;
    const char *community_name;
    bool signatures;       /* what=signatures, else the result */
    json_t *result;        /* the stored result (what=result) */
    json_t *verify;        /* votes_verify's report (what=result) */
    VotesSignRow *rows;    /* what=signatures */
    size_t n_rows;
    int64_t n_voted;       /* rows with a counted ballot */
    int64_t now_ms;
} Export;

static const char *choice_label(const char *c)
{
    if (!c)
        return "";
    if (strcmp(c, "yes") == 0)
        return "同意";
    if (strcmp(c, "no") == 0)
        return "反对";
    if (strcmp(c, "abstain") == 0)
        return "弃权";
    return c;
}

static const char *channel_label(const char *c)
{
    if (!c)
        return "";
    if (strcmp(c, "app") == 0)
        return "线上";
    if (strcmp(c, "paper") == 0)
        return "纸质表决票";
    if (strcmp(c, "in_person") == 0)
        return "现场";
    return c;
}

/* "2026-12-07 14:05" in Beijing time; "" for 0. */
static const char *minute_text(Arena *a, int64_t ms)
{
    return time_format_local(a, ms, TIME_OFFSET_SHANGHAI, true);
}

static bool is_owners(const Vote *v)
{
    return strcmp(v->kind, "owners") == 0;
}

static const char *kind_text(const Vote *v)
{
    if (is_owners(v))
        return v->lift_id ? "业主共同决定（加装电梯，民法典第二百七十八条）"
                          : "业主共同决定（民法典第二百七十八条）";
    return v->per && strcmp(v->per, "resident") == 0 ? "民意征集（每位居民一票）"
                                                      : "民意征集（每户一票）";
}

static const char *scope_text(Arena *a, const Vote *v, const char *community_name)
{
    if (strcmp(v->scope, "building") == 0)
        return arena_sprintf(a, "%s", v->building_name ? v->building_name : "");
    if (strcmp(v->scope, "unit") == 0)
        return arena_sprintf(a, "%s %lld单元", v->building_name ? v->building_name : "",
                             (long long)v->unit);
    return arena_sprintf(a, "全社区（%s）", community_name ? community_name : v->community);
}

static const char *matter_text(const Vote *v)
{
    if (!v->matter)
        return NULL;
    return strcmp(v->matter, "special") == 0
               ? "特别事项（筹集维修资金、改建重建、改变共有部分用途等）：参与面积和人数均达 2/3，"
                 "同意占参与的 3/4 以上"
               : "一般事项：参与面积和人数均达 2/3，同意占参与的过半数";
}

static const char *period_text(Arena *a, const Vote *v)
{
    return arena_sprintf(a, "%s 至 %s", minute_text(a, v->opens_at), minute_text(a, v->closes_at));
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* The roll's totals and who took part, as sentences. */
static const char *totals_text(Arena *a, const Vote *v, json_t *r)
{
    if (is_owners(v))
        return arena_sprintf(a,
                             "业主 %lld 人，专有部分面积 %.2f m²；参与表决 %lld 人，面积 %.2f m²；"
                             "同意 %lld 人，面积 %.2f m²。",
                             jint(r, "owners_total"),
                             json_number_value(json_object_get(r, "area_total")),
                             jint(r, "owners_participating"),
                             json_number_value(json_object_get(r, "area_participating")),
                             jint(r, "owners_yes"),
                             json_number_value(json_object_get(r, "area_yes")));
    return arena_sprintf(a, "应参与 %lld，参与 %lld；同意 %lld，反对 %lld，弃权 %lld。",
                         jint(r, "voters_total"), jint(r, "voters_participating"),
                         jint(r, "yes"), jint(r, "no"), jint(r, "abstain"));
}

static const char *decision_text(json_t *r)
{
    if (json_is_true(json_object_get(r, "approved")))
        return "通过";
    if (!json_is_true(json_object_get(r, "quorum")))
        return "未通过（参与未达到法定要求）";
    return "未通过";
}

static const char *verify_text(Arena *a, json_t *report)
{
    json_t *problems = json_object_get(report, "problems");
    StrBuf sb;

    if (json_is_true(json_object_get(report, "ok")))
        return arena_sprintf(a, "校验通过：%lld 张选票的哈希链完整，链头与公布的结果一致，"
                                "按选票重新计票结果相同",
                             jint(report, "ballots"));
    strbuf_init(&sb, a, 16 * 1024);
    strbuf_adds(&sb, "校验未通过：");
    for (size_t i = 0; i < json_array_size(problems); i++)
        strbuf_addf(&sb, "%s%s", i ? "；" : "", json_string_value(json_array_get(problems, i)));
    return strbuf_finish(&sb, NULL);
}

/* The vote's own fields, as label and value. */
typedef struct Field {
    const char *label, *value;
} Field;

static int vote_fields(Export *x, Field *f)
{
    Arena *a = x->req->arena;
    const Vote *v = x->v;
    int n = 0;

    f[n++] = (Field){ "社区", x->community_name ? x->community_name : v->community };
    f[n++] = (Field){ "表决类型", kind_text(v) };
    f[n++] = (Field){ "表决范围", scope_text(a, v, x->community_name) };
    if (matter_text(v))
        f[n++] = (Field){ "事项类别", matter_text(v) };
    f[n++] = (Field){ "投票方式", v->secret ? "无记名" : "记名" };
    f[n++] = (Field){ "表决期间", period_text(a, v) };
    if (v->closed_at)
        f[n++] = (Field){ "结束计票", minute_text(a, v->closed_at) };
    return n;
}

#define FIELDS_MAX 8

/* ---- the result ---- */

static const PdfColumn result_cols[] = {
    { "条件", 62, false },
    { "数值", 38, true },
    { "比例", 22, true },
    { "门槛", 24, false },
    { "结论", 24, false },
};

static const char *percent_of_value(Arena *a, const char *value)
{
    const char *slash = value ? strchr(value, '/') : NULL;
    int64_t n = 0, d = 0;

    if (!slash)
        return "";
    /* "700.00/900.00" or "8/11": the same scale on both sides */
    for (const char *s = value; s < slash; s++)
        if (*s >= '0' && *s <= '9')
            n = n * 10 + (*s - '0');
    for (const char *s = slash + 1; *s; s++)
        if (*s >= '0' && *s <= '9')
            d = d * 10 + (*s - '0');
    return votes_percent_text(a, n, d);
}

static const char *threshold_text(Arena *a, json_t *c)
{
    const char *op = jstr(c, "op");

    return arena_sprintf(a, "%s %s", op && strcmp(op, ">") == 0 ? ">" : "≥",
                         jstr(c, "threshold") ? jstr(c, "threshold") : "");
}

static void result_pdf(Export *x, Pdf *p)
{
    Arena *a = x->req->arena;
    json_t *conds = json_object_get(x->result, "conditions");
    Field f[FIELDS_MAX];
    int n = vote_fields(x, f);

    pdf_title(p, arena_sprintf(a, "%s 表决结果", x->v->title));
    for (int i = 0; i < n; i++)
        pdf_field(p, f[i].label, f[i].value);
    if (x->v->body && *x->v->body) {
        pdf_heading(p, "表决事项");
        pdf_paragraph(p, x->v->body);
    }
    pdf_heading(p, "参与和计票");
    pdf_paragraph(p, totals_text(a, x->v, x->result));
    pdf_table(p, result_cols, 5);
    for (size_t i = 0; i < json_array_size(conds); i++) {
        json_t *c = json_array_get(conds, i);
        const char *cells[] = { jstr(c, "label"), jstr(c, "value"),
                                percent_of_value(a, jstr(c, "value")), threshold_text(a, c),
                                json_is_true(json_object_get(c, "holds")) ? "成立" : "不成立" };

        pdf_table_row(p, cells);
    }
    pdf_heading(p, arena_sprintf(a, "表决结果：%s", decision_text(x->result)));
    for (size_t i = 0; i < json_array_size(conds); i++)
        pdf_note(p, jstr(json_array_get(conds, i), "text"));
    pdf_heading(p, "防篡改校验");
    pdf_field(p, "选票数（含改票）", arena_sprintf(a, "%lld", jint(x->result, "ballots")));
    pdf_field(p, "哈希链链头", jstr(x->result, "chain_head"));
    pdf_field(p, "校验", verify_text(a, x->verify));
    pdf_note(p, arena_sprintf(a,
                              "每张选票的哈希为前一张的哈希与该票内容的 SHA-256；"
                              "可用命令 linli votes verify --vote %lld 或接口 "
                              "/api/v1/votes/%lld/verify 重新校验。",
                              (long long)x->v->id, (long long)x->v->id));
}

static const SheetColumn kv_cols[] = {
    { "项目", 24, SHEET_GENERAL },
    { "内容", 80, SHEET_GENERAL },
};

static Error *result_xlsx_to(const char *path, void *ctx)
{
    Export *x = ctx;
    Arena *a = x->req->arena;
    json_t *conds = json_object_get(x->result, "conditions");
    Field f[FIELDS_MAX];
    int n = vote_fields(x, f);
    const char *failed;
    Sheet s;

    if (!sheet_open(&s, path, "表决结果", kv_cols, 2))
        return error_internal(a, "cannot create workbook '%s'", path);
    sheet_row(&s, (const char *const[]){ "表决", x->v->title });
    for (int i = 0; i < n; i++)
        sheet_row(&s, (const char *const[]){ f[i].label, f[i].value });
    sheet_row(&s, (const char *const[]){ "表决事项", x->v->body });
    sheet_row(&s, (const char *const[]){ "参与和计票", totals_text(a, x->v, x->result) });
    for (size_t i = 0; i < json_array_size(conds); i++) {
        json_t *c = json_array_get(conds, i);

        sheet_row(&s, (const char *const[]){
                          jstr(c, "label"),
                          arena_sprintf(a, "%s（%s）", jstr(c, "text"),
                                        json_is_true(json_object_get(c, "holds")) ? "成立"
                                                                                  : "不成立") });
    }
    sheet_row(&s, (const char *const[]){ "表决结果", decision_text(x->result) });
    sheet_row(&s, (const char *const[]){ "选票数（含改票）",
                                         arena_sprintf(a, "%lld", jint(x->result, "ballots")) });
    sheet_row(&s, (const char *const[]){ "哈希链链头", jstr(x->result, "chain_head") });
    sheet_row(&s, (const char *const[]){ "校验", verify_text(a, x->verify) });
    failed = sheet_close(&s, false);
    return failed ? error_internal(a, "vote result xlsx: %s", failed) : NULL;
}

/* ---- the signature list ---- */

typedef enum SignColumn {
    S_BUILDING,
    S_UNIT,
    S_ROOM,
    S_AREA,
    S_NAME,
    S_CHOICE, /* an open vote's; a secret one's: 已参与 */
    S_CHANNEL,
    S_TIME,
    _S_MAX
} SignColumn;

/* The name a list shows for row @r: masked, the developer by name. */
static const char *sign_name(Arena *a, const VotesSignRow *r)
{
    if (strcmp(r->voter, "dev") == 0 || r->unsold)
        return "建设单位（未售部分）";
    return r->name ? mask_name(a, r->name) : "";
}

/* Row @r's cells; *ret_n the number of columns (fewer for a secret vote or a poll). */
static int sign_cells(Export *x, const VotesSignRow *r, const char **ret)
{
    Arena *a = x->req->arena;
    const char *cells[_S_MAX];
    int n = 0;

    cells[S_BUILDING] = r->building;
    cells[S_UNIT] = arena_sprintf(a, "%lld", (long long)r->unit);
    cells[S_ROOM] = r->room;
    cells[S_AREA] = votes_area_text(a, r->area_cm2);
    cells[S_NAME] = sign_name(a, r);
    cells[S_CHOICE] = x->v->secret ? (r->choice ? "已参与" : "") : choice_label(r->choice);
    cells[S_CHANNEL] = channel_label(r->channel);
    cells[S_TIME] = r->choice ? minute_text(a, r->cast_at) : "";
    for (int c = 0; c < _S_MAX; c++) {
        if (c == S_AREA && !is_owners(x->v))
            continue;
        if ((c == S_CHANNEL || c == S_TIME) && x->v->secret)
            continue;
        ret[n++] = cells[c];
    }
    return n;
}

static const char *sign_choice_label(const Export *x)
{
    return x->v->secret ? "是否参与" : "意见";
}

static int sign_pdf_columns(const Export *x, PdfColumn *cols)
{
    bool owners = is_owners(x->v);
    int n = 0;

    /* 170 mm in all, whichever columns there are */
    if (x->v->secret) {
        cols[n++] = (PdfColumn){ "楼栋", 36, false };
        cols[n++] = (PdfColumn){ "单元", 18, false };
        cols[n++] = (PdfColumn){ "室号", 24, false };
        if (owners)
            cols[n++] = (PdfColumn){ "面积（m²）", 26, true };
        cols[n++] = (PdfColumn){ owners ? "业主" : "投票人", owners ? 38 : 56, false };
        cols[n++] = (PdfColumn){ sign_choice_label(x), 28, false };
        return n;
    }
    cols[n++] = (PdfColumn){ "楼栋", owners ? 24 : 30, false };
    cols[n++] = (PdfColumn){ "单元", 12, false };
    cols[n++] = (PdfColumn){ "室号", 16, false };
    if (owners)
        cols[n++] = (PdfColumn){ "面积（m²）", 20, true };
    cols[n++] = (PdfColumn){ owners ? "业主" : "投票人", owners ? 26 : 40, false };
    cols[n++] = (PdfColumn){ sign_choice_label(x), 16, false };
    cols[n++] = (PdfColumn){ "方式", 24, false };
    cols[n++] = (PdfColumn){ "时间", 32, false };
    return n;
}

static const char *sign_note(Export *x)
{
    if (x->v->secret)
        return "本表决为无记名投票：名单只列出各户是否参与，不显示其选择。"
               "投票人可凭回执码查询自己的选票。";
    return "记名投票：名单列出每户的意见、投票方式和时间（改票的以最后一次为准）；"
           "未投票的，意见一栏为空。";
}

static const char *sign_summary(Export *x)
{
    return arena_sprintf(x->req->arena, "名单 %zu 行，已参与 %lld 行，未参与 %lld 行。%s",
                         x->n_rows, (long long)x->n_voted, (long long)(x->n_rows - x->n_voted),
                         x->v->closed_at ? "" : "表决尚未结束，名单为导出时的情况。");
}

static void signatures_pdf(Export *x, Pdf *p)
{
    Arena *a = x->req->arena;
    PdfColumn cols[_S_MAX];
    const char *cells[_S_MAX];
    int n_cols = sign_pdf_columns(x, cols);
    Field f[FIELDS_MAX];
    int n = vote_fields(x, f);

    pdf_title(p, arena_sprintf(a, "%s 投票名单", x->v->title));
    for (int i = 0; i < n; i++)
        pdf_field(p, f[i].label, f[i].value);
    pdf_paragraph(p, sign_note(x));
    pdf_paragraph(p, sign_summary(x));
    pdf_table(p, cols, n_cols);
    for (size_t i = 0; i < x->n_rows; i++) {
        sign_cells(x, &x->rows[i], cells);
        pdf_table_row(p, cells);
    }
    pdf_note(p, "姓名按隐私规则脱敏显示。");
}

static Error *signatures_xlsx_to(const char *path, void *ctx)
{
    Export *x = ctx;
    Arena *a = x->req->arena;
    PdfColumn pcols[_S_MAX];
    SheetColumn cols[_S_MAX];
    const char *cells[_S_MAX], *failed;
    int n_cols = sign_pdf_columns(x, pcols);
    lxw_worksheet *ws;
    Sheet s;

    for (int i = 0; i < n_cols; i++)
        cols[i] = (SheetColumn){ pcols[i].label, pcols[i].width_mm / 2.2,
                                 strcmp(pcols[i].label, "单元") == 0 ? SHEET_NUMBER : SHEET_TEXT };
    if (!sheet_open(&s, path, "投票名单", cols, n_cols))
        return error_internal(a, "cannot create workbook '%s'", path);
    for (size_t i = 0; i < x->n_rows; i++) {
        sign_cells(x, &x->rows[i], cells);
        sheet_row(&s, cells);
    }
    /* the vote and the note on a second sheet, so that the list stays a plain table */
    ws = workbook_add_worksheet(s.wb, "说明");
    if (ws) {
        Field f[FIELDS_MAX];
        int n = vote_fields(x, f);
        lxw_row_t row = 0;

        sheet_check(&s, worksheet_set_column(ws, 0, 0, 16, NULL));
        sheet_check(&s, worksheet_set_column(ws, 1, 1, 80, NULL));
        sheet_check(&s, worksheet_write_string(ws, row, 0, "表决", s.bold));
        sheet_check(&s, worksheet_write_string(ws, row++, 1, x->v->title, NULL));
        for (int i = 0; i < n; i++) {
            sheet_check(&s, worksheet_write_string(ws, row, 0, f[i].label, s.bold));
            sheet_check(&s, worksheet_write_string(ws, row++, 1, f[i].value, NULL));
        }
        sheet_check(&s, worksheet_write_string(ws, row, 0, "说明", s.bold));
        sheet_check(&s, worksheet_write_string(ws, row++, 1, sign_note(x), NULL));
        sheet_check(&s, worksheet_write_string(ws, row, 0, "统计", s.bold));
        sheet_check(&s, worksheet_write_string(ws, row++, 1, sign_summary(x), NULL));
    } else {
        sheet_check(&s, LXW_ERROR_MEMORY_MALLOC_FAILED);
    }
    failed = sheet_close(&s, true);
    return failed ? error_internal(a, "vote signatures xlsx: %s", failed) : NULL;
}

/* ---- the route ---- */

static Error *pdf_bytes(Export *x, const char **ret_data, size_t *ret_len)
{
    Arena *a = x->req->arena;
    const char *what = x->signatures ? "投票名单" : "表决结果";
    Pdf *p = pdf_new(a, arena_sprintf(a, "%s %s", x->v->title, what), x->now_ms, EXPORT_MAX);

    if (x->signatures)
        signatures_pdf(x, p);
    else
        result_pdf(x, p);
    *ret_data = pdf_finish(p, ret_len, NULL);
    if (!*ret_data)
        return error_internal(a, "cannot write the pdf of vote %lld", (long long)x->v->id);
    return NULL;
}

/* The vote {id}: 404 when the user may not read it, 403 when she may but is not its staff or street. */
static Error *load_vote(Request *req, Vote **ret)
{
    Error *err = votes_load(req, ret);

    if (err)
        return err;
    if (!votes_may_manage(req->user, (*ret)->community) &&
        !(req->user->role == ROLE_STREET_ADMIN && auth_covers(req->user, (*ret)->community)))
        return error_forbidden(req->arena, "只有本社区工作人员和街道管理员可以导出表决结果和名单");
    return NULL;
}

static Error *votes_handle_export(Request *req, Response *res)
{
    const char *what = request_query(req, "what"), *format = request_query(req, "format");
    const char *data = NULL;
    Export x = { .req = req, .now_ms = time_now_ms() };
    size_t len = 0;
    Vote *v = NULL;
    bool pdf;
    Error *err;

    err = auth_require(req, ROLE_RESIDENT | ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = load_vote(req, &v);
    if (err)
        return err;
    if (!what || (strcmp(what, "result") != 0 && strcmp(what, "signatures") != 0))
        return error_invalid(req->arena, "what", "invalid_what",
                             "what 应为 result（表决结果）或 signatures（投票名单）");
    if (format && strcmp(format, "pdf") != 0 && strcmp(format, "xlsx") != 0)
        return error_invalid(req->arena, "format", "invalid_format", "format 应为 pdf 或 xlsx");
    pdf = !format || strcmp(format, "pdf") == 0;
    x.v = v;
    x.signatures = strcmp(what, "signatures") == 0;
    if (!x.signatures && !v->closed_at)
        return error_conflict(req->arena, NULL, "not_closed", "表决结束计票后才能导出表决结果");
    err = cases_store_community_name(req->store, req->arena, v->community, &x.community_name);
    if (err)
        return err;
    if (x.signatures) {
        err = votes_store_signatures(req->store, req->arena, v->id, &x.rows, &x.n_rows);
        if (err)
            return err;
        for (size_t i = 0; i < x.n_rows; i++)
            x.n_voted += x.rows[i].choice != NULL;
    } else {
        x.result = v->result ? json_loads(v->result, 0, NULL) : NULL;
        if (!x.result)
            return error_internal(req->arena, "vote %lld has no readable result", (long long)v->id);
        arena_defer(req->arena, (ArenaCleanup)json_decref, x.result);
        err = votes_verify(req->store, req->arena, v->id, &x.verify);
        if (err)
            return err;
        arena_defer(req->arena, (ArenaCleanup)json_decref, x.verify);
    }
    if (pdf)
        err = pdf_bytes(&x, &data, &len);
    else
        err = sheet_xlsx_bytes(req->arena, x.signatures ? signatures_xlsx_to : result_xlsx_to, &x,
                               EXPORT_MAX, &data, &len);
    if (err)
        return err;
    err = audit_record(req, "vote.export", "vote", v->id, v->community,
                       json_pack("{s:s, s:s, s:I}", "what", what, "format", pdf ? "pdf" : "xlsx",
                                 "rows", (json_int_t)(x.signatures ? x.n_rows : 0)));
    if (err)
        return err;
    response_attachment(res, req->arena,
                        arena_sprintf(req->arena, "vote-%lld-%s.%s", (long long)v->id, what,
                                      pdf ? "pdf" : "xlsx"),
                        arena_sprintf(req->arena, "%s-%s.%s", v->title,
                                      x.signatures ? "投票名单" : "表决结果", pdf ? "pdf" : "xlsx"));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, pdf ? "application/pdf" : SHEET_XLSX_TYPE, data, len);
}

void votes_export_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/votes/{id}/export", votes_handle_export, 0);
}
