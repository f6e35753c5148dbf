/*
 * 自治金 as files:
 *
 *   GET /api/v1/funds/applications/export?community=&year=&state=&format=xlsx|csv
 *       the applications in the scope (the list's filters, no paging), amounts in 元
 *   GET /api/v1/funds/ledger/export?community=&year=&format=xlsx|csv
 *       the year's ledger of a community or a street, its lines and totals
 *   GET /api/v1/funds/applications/{id}/notice.pdf?days=
 *       the printable 公示 of an approved or closed project for the notice
 *       board, with a QR code to its H5 page
 *
 * The first two are for the community's staff, the street's admins and
 * admins (the list's and the ledger's readers) and audited as
 * funds.export; the notice is for whoever sees the project's 公示.
 * Spreadsheets go through core/sheet (as every export), the notice through
 * core/pdf. Money stays integer fen until it is written as 元 here.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "booking/booking.h"
#include "core/pdf.h"
#include "core/sheet.h"
#include "core/timeutil.h"
#include "funds/funds.h"
#include "funds/funds_routes.h"
#include "funds/funds_store.h"
#include "http/auth.h"
#include "http/response.h"
#include "http/router.h"
#include "core/banned.h"

#define EXPORT_ROWS_MAX 100000
#define EXPORT_MAX (64 * 1024 * 1024)
#define NOTICE_DAYS_DEFAULT 7
#define NOTICE_DAYS_MAX 30

/* "1234.50": @fen as 元 with two places, no separators (the spreadsheet's number). */
static const char *yuan(Arena *a, int64_t fen)
{
    uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;

    return arena_sprintf(a, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(m / 100),
                         (unsigned long long)(m % 100));
}

/* "1,234.50" for people. */
static const char *yuan_text(Arena *a, int64_t fen)
{
    const char *t = funds_money_text(a, fen); /* "¥1,234.50" */

    return strncmp(t, "¥", strlen("¥")) == 0 ? t + strlen("¥") : t;
}

static const char *day_text(Arena *a, int64_t ms)
{
    return time_format_local(a, ms, TIME_OFFSET_SHANGHAI, false);
}

static const char *minute_text(Arena *a, int64_t ms)
{
    return time_format_local(a, ms, TIME_OFFSET_SHANGHAI, true);
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int64_t jint(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

static const char *state_label(const char *name)
{
    FundsState s;

    return name && funds_state_parse(name, &s) ? funds_state_label(s) : (name ? name : "");
}

/* ?format=xlsx|csv (xlsx when absent): 422 invalid_format otherwise. */
static Error *sheet_format(Request *req, bool *ret_csv)
{
    const char *format = request_query(req, "format");

    if (format && strcmp(format, "xlsx") != 0 && strcmp(format, "csv") != 0)
        return error_invalid(req->arena, "format", "invalid_format", "format 应为 xlsx 或 csv");
    *ret_csv = format && strcmp(format, "csv") == 0;
    return NULL;
}

/* A table of text cells, written as CSV or xlsx. */
typedef struct Table {
    Request *req;
    const char *sheet_name;
    const SheetColumn *cols;
    int n_cols;
    const char ***rows;
    size_t n_rows;
} Table;

static Error *table_xlsx_to(const char *path, void *ctx)
{
    Table *t = ctx;
    const char *failed;
    Sheet s;

    if (!sheet_open(&s, path, t->sheet_name, t->cols, t->n_cols))
        return error_internal(t->req->arena, "cannot create workbook '%s'", path);
    for (size_t i = 0; i < t->n_rows; i++)
        sheet_row(&s, t->rows[i]);
    failed = sheet_close(&s, true);
    return failed ? error_internal(t->req->arena, "funds xlsx export: %s", failed) : NULL;
}

/* Writes @t and answers with it as @ascii_name / @name (without the extension). */
static Error *respond_table(Request *req, Response *res, Table *t, bool csv, const char *ascii_name,
                            const char *name)
{
    const char *data = NULL, *ext = csv ? "csv" : "xlsx";
    size_t len = 0;
    Error *err = NULL;

    if (csv) {
        StrBuf sb;

        strbuf_init(&sb, req->arena, EXPORT_MAX);
        sheet_csv_header(&sb, t->cols, t->n_cols);
        for (size_t i = 0; i < t->n_rows; i++)
            sheet_csv_row(&sb, t->rows[i], t->n_cols);
        data = strbuf_finish(&sb, &len);
        if (!data)
            err = error_internal(req->arena, "funds export exceeds %d bytes", EXPORT_MAX);
    } else {
        err = sheet_xlsx_bytes(req->arena, table_xlsx_to, t, EXPORT_MAX, &data, &len);
    }
    if (err)
        return err;
    response_attachment(res, req->arena, arena_sprintf(req->arena, "%s.%s", ascii_name, ext),
                        arena_sprintf(req->arena, "%s.%s", name, ext));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, csv ? "text/csv; charset=utf-8" : SHEET_XLSX_TYPE, data, len);
}

/* The scope's code for file names and the audit: ?community= or the user's. */
static const char *scope_code(Request *req)
{
    const char *c = request_query(req, "community");

    return c && *c ? c : req->user->scope;
}

/* ---- the applications ---- */

static const SheetColumn app_cols[] = {
    { "编号", 8, SHEET_NUMBER },
    { "社区代码", 14, SHEET_TEXT },
    { "社区", 14, SHEET_GENERAL },
    { "年度", 6, SHEET_NUMBER },
    { "预算科目", 12, SHEET_GENERAL },
    { "申请团队", 14, SHEET_GENERAL },
    { "项目名称", 28, SHEET_GENERAL },
    { "状态", 12, SHEET_GENERAL },
    { "申请金额（元）", 14, SHEET_MONEY },
    { "批准金额（元）", 14, SHEET_MONEY },
    { "已支出（元）", 14, SHEET_MONEY },
    { "已退回（元）", 14, SHEET_MONEY },
    { "提交时间", 17, SHEET_TEXT },
    { "更新时间", 17, SHEET_TEXT },
};
#define APP_COLS (int)(sizeof(app_cols) / sizeof(app_cols[0]))

static Error *funds_handle_apps_export(Request *req, Response *res)
{
    FundsListFilter f = { .limit = EXPORT_ROWS_MAX };
    const char *state = request_query(req, "state");
    Table t = { .req = req, .sheet_name = "自治金申请", .cols = app_cols, .n_cols = APP_COLS };
    int64_t year = 0, total = 0;
    json_t *items = NULL;
    FundsState st;
    bool csv = false;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &f.lo, &f.hi);
    if (!err)
        err = funds_year_query(req, false, &year);
    if (!err && state && !funds_state_parse(state, &st))
        err = error_bad_request(req->arena, "state", "invalid_query", "未知的申请状态");
    if (!err)
        err = sheet_format(req, &csv);
    if (err)
        return err;
    f.year = (int)year;
    f.state = state;
    err = funds_store_app_list(req->store, req->arena, &f, &items, &total);
    if (err)
        return err;
    arena_defer(req->arena, (ArenaCleanup)json_decref, items);
    t.n_rows = json_array_size(items);
    t.rows = arena_alloc(req->arena, (t.n_rows + 1) * sizeof(*t.rows));
    for (size_t i = 0; i < t.n_rows; i++) {
        json_t *o = json_array_get(items, i);
        const char **c = arena_alloc(req->arena, APP_COLS * sizeof(*c));
        Arena *a = req->arena;

        c[0] = arena_sprintf(a, "%lld", (long long)jint(o, "id"));
        c[1] = jstr(o, "community");
        c[2] = jstr(o, "community_name");
        c[3] = arena_sprintf(a, "%lld", (long long)jint(o, "year"));
        c[4] = jstr(o, "line_name");
        c[5] = jstr(o, "team_name") ? jstr(o, "team_name") : "社区工作人员";
        c[6] = jstr(o, "title");
        c[7] = state_label(jstr(o, "state"));
        c[8] = yuan(a, jint(o, "total_fen"));
        c[9] = yuan(a, jint(o, "approved_fen"));
        c[10] = yuan(a, jint(o, "spent_fen"));
        c[11] = yuan(a, jint(o, "returned_fen"));
        c[12] = minute_text(a, jint(o, "submitted_at"));
        c[13] = minute_text(a, jint(o, "updated_at"));
        t.rows[i] = c;
    }
    err = audit_record(req, "funds.export", "fund_application", 0, scope_code(req),
                       json_pack("{s:s, s:I, s:s}", "what", "applications", "rows",
                                 (json_int_t)t.n_rows, "format", csv ? "csv" : "xlsx"));
    if (err)
        return err;
    return respond_table(
        req, res, &t, csv,
        arena_sprintf(req->arena, "funds-applications-%s-%s", scope_code(req),
                      year ? arena_sprintf(req->arena, "%lld", (long long)year) : "all"),
        arena_sprintf(req->arena, "自治金申请-%s-%s", scope_code(req),
                      year ? arena_sprintf(req->arena, "%lld年", (long long)year) : "全部年度"));
}

/* ---- the ledger ---- */

static const SheetColumn ledger_cols[] = {
    { "社区代码", 14, SHEET_TEXT },
    { "社区", 14, SHEET_GENERAL },
    { "年度", 6, SHEET_NUMBER },
    { "预算科目", 14, SHEET_GENERAL },
    { "预算（元）", 14, SHEET_MONEY },
    { "已批准（元）", 14, SHEET_MONEY },
    { "已支出（元）", 14, SHEET_MONEY },
    { "已承诺未支出（元）", 18, SHEET_MONEY },
    { "已退回（元）", 14, SHEET_MONEY },
    { "可用（元）", 14, SHEET_MONEY },
    { "账目平衡", 10, SHEET_GENERAL },
};
#define LEDGER_COLS (int)(sizeof(ledger_cols) / sizeof(ledger_cols[0]))

static const char **ledger_row(Arena *a, const char *community, const char *name, int year,
                               const char *line, const FundsLedger *l)
{
    const char **c = arena_alloc(a, LEDGER_COLS * sizeof(*c));

    c[0] = community;
    c[1] = name;
    c[2] = year ? arena_sprintf(a, "%d", year) : "";
    c[3] = line;
    c[4] = yuan(a, l->budget);
    c[5] = yuan(a, l->approved);
    c[6] = yuan(a, l->spent);
    c[7] = yuan(a, l->committed);
    c[8] = yuan(a, l->returned);
    c[9] = yuan(a, l->available);
    c[10] = funds_ledger_problem(l) ? "否" : "是";
    return c;
}

static Error *funds_handle_ledger_export(Request *req, Response *res)
{
    Table t = { .req = req, .sheet_name = "自治金台账", .cols = ledger_cols, .n_cols = LEDGER_COLS };
    FundsLedgerLine *lines = NULL;
    FundsLedger sum = { 0 };
    const char *lo, *hi;
    int64_t year = 0;
    size_t n = 0;
    bool csv = false;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (!err)
        err = auth_list_bounds(req, &lo, &hi);
    if (!err)
        err = funds_year_query(req, true, &year);
    if (!err)
        err = sheet_format(req, &csv);
    if (!err)
        err = funds_store_ledger(req->store, req->arena, lo, hi, (int)year, &lines, &n);
    if (err)
        return err;
    t.rows = arena_alloc(req->arena, (n + 1) * sizeof(*t.rows));
    for (size_t i = 0; i < n; i++) {
        t.rows[t.n_rows++] = ledger_row(req->arena, lines[i].community, lines[i].community_name,
                                        lines[i].year, lines[i].name, &lines[i].l);
        funds_ledger_add(&sum, &lines[i].l);
    }
    t.rows[t.n_rows++] = ledger_row(req->arena, "合计", "", (int)year,
                                    arena_sprintf(req->arena, "%zu 个科目", n), &sum);
    err = audit_record(req, "funds.export", "fund_ledger", 0, scope_code(req),
                       json_pack("{s:s, s:I, s:I, s:s}", "what", "ledger", "year",
                                 (json_int_t)year, "rows", (json_int_t)n, "format",
                                 csv ? "csv" : "xlsx"));
    if (err)
        return err;
    return respond_table(req, res, &t, csv,
                         arena_sprintf(req->arena, "funds-ledger-%s-%lld", scope_code(req),
                                       (long long)year),
                         arena_sprintf(req->arena, "自治金台账-%s-%lld年", scope_code(req),
                                       (long long)year));
}

/* ---- the 公示 ---- */

static bool is_public(FundsState s)
{
    return s == FUNDS_APPROVED || s == FUNDS_CHANGE || s == FUNDS_CLOSED;
}

/*
 * Application {id} for its 公示: 404 when the user may not see it at all,
 * 409 not_public when she may but it is not approved or closed.
 */
static Error *load_public_app(Request *req, FundsApp **ret)
{
    Error *err = funds_load_visible(req, ret);

    if (err)
        return err;
    if (!is_public((*ret)->state))
        return error_conflict(req->arena, NULL, "not_public",
                              "只有已批准或已结项的项目才能打印公示");
    return NULL;
}

static const PdfColumn item_cols[] = {
    { "预算项目", 52, false },
    { "单位", 14, false },
    { "数量", 16, true },
    { "单价（元）", 28, true },
    { "金额（元）", 30, true },
    { "已支出（元）", 30, true },
};

static const PdfColumn spend_cols[] = {
    { "日期", 26, false },
    { "预算项目", 44, false },
    { "金额（元）", 30, true },
    { "说明", 70, false },
};

/* The first photo of the project that is a PNG or JPEG, into the document. */
static Error *notice_photo(Request *req, Pdf *p, json_t *files)
{
    for (size_t i = 0; i < json_array_size(files); i++) {
        json_t *f = json_array_get(files, i);
        const char *kind = jstr(f, "kind"), *mime = jstr(f, "mime"), *fkind, *fmime;
        const void *data = NULL;
        int64_t app_id;
        size_t len = 0;
        Error *err;

        if (!kind || strcmp(kind, "photo") != 0 || !mime ||
            (strcmp(mime, "image/png") != 0 && strcmp(mime, "image/jpeg") != 0))
            continue;
        err = funds_store_file_get(req->store, req->arena, jint(f, "id"), &app_id, &fkind, &fmime,
                                   &data, &len);
        if (err)
            return err;
        if (data && pdf_image(p, data, len, 120, 70))
            return NULL;
    }
    return NULL;
}

static void notice_items(Request *req, Pdf *p, json_t *o)
{
    Arena *a = req->arena;
    json_t *items = json_object_get(o, "items");

    pdf_table(p, item_cols, 6);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        const char *cells[] = { jstr(it, "name"), jstr(it, "unit"),
                                arena_sprintf(a, "%lld", (long long)jint(it, "quantity")),
                                yuan_text(a, jint(it, "unit_fen")),
                                yuan_text(a, jint(it, "amount_fen")),
                                yuan_text(a, jint(it, "spent_fen")) };

        pdf_table_row(p, cells);
    }
    pdf_table_row(p, (const char *const[]){ "合计", "", "", "", yuan_text(a, jint(o, "approved_fen")),
                                            yuan_text(a, jint(o, "spent_fen")) });
}

static void notice_spending(Request *req, Pdf *p, json_t *o, bool closed)
{
    Arena *a = req->arena;
    json_t *spending = json_object_get(o, "spending");
    int64_t approved = jint(o, "approved_fen"), spent = jint(o, "spent_fen");

    pdf_heading(p, closed ? "最终支出" : "支出情况（截至打印日）");
    if (closed)
        pdf_paragraph(p, arena_sprintf(a, "批准 %s 元，实际支出 %s 元，退回 %s 元（结余退回本社区自治金）。",
                                       yuan_text(a, approved), yuan_text(a, spent),
                                       yuan_text(a, jint(o, "returned_fen"))));
    else
        pdf_paragraph(p, arena_sprintf(a, "批准 %s 元，已支出 %s 元，尚余 %s 元。",
                                       yuan_text(a, approved), yuan_text(a, spent),
                                       yuan_text(a, approved - spent)));
    if (json_array_size(spending) == 0) {
        pdf_note(p, "暂无支出记录。");
        return;
    }
    pdf_table(p, spend_cols, 4);
    for (size_t i = 0; i < json_array_size(spending); i++) {
        json_t *s = json_array_get(spending, i);
        const char *cells[] = { jstr(s, "spent_on"), jstr(s, "item_name"),
                                yuan_text(a, jint(s, "amount_fen")), jstr(s, "note") };

        pdf_table_row(p, cells);
    }
    pdf_note(p, "每笔支出均附发票或收据，可在项目页面查看。");
}

static Error *funds_handle_notice(Request *req, Response *res)
{
    FundsApp *app = NULL;
    json_t *o = NULL, *ev;
    const char *url, *data, *team;
    int64_t days = NOTICE_DAYS_DEFAULT, now = time_now_ms(), count;
    bool closed;
    size_t len = 0;
    Arena *a = req->arena;
    Pdf *p;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (!err)
        err = request_query_int(req, "days", NOTICE_DAYS_DEFAULT, 1, NOTICE_DAYS_MAX, &days);
    if (!err)
        err = load_public_app(req, &app);
    if (!err)
        err = funds_store_app_json(req->store, a, app->id, true, &o);
    if (err)
        return err;
    if (!o)
        return error_not_found(a, "id", "找不到该自治金申请");
    arena_defer(a, (ArenaCleanup)json_decref, o);
    closed = app->state == FUNDS_CLOSED;
    url = arena_sprintf(a, "%s/h5/#/funds/%lld", booking_base_url(req), (long long)app->id);
    team = jstr(o, "team_name");

    p = pdf_new(a, arena_sprintf(a, "%s 自治金项目公示", app->title), now, EXPORT_MAX);
    pdf_title(p, arena_sprintf(a, "社区自治金项目公示：%s", app->title));
    pdf_field(p, "社区", jstr(o, "community_name") ? jstr(o, "community_name") : app->community);
    pdf_field(p, "年度和预算科目",
              arena_sprintf(a, "%d年 %s", app->year, jstr(o, "line_name") ? jstr(o, "line_name") : ""));
    pdf_field(p, "申请团队", team ? team : "社区居委会");
    pdf_field(p, "项目状态", funds_state_label(app->state));
    pdf_field(p, "实施时间", jstr(o, "starts_on") || jstr(o, "ends_on")
                                 ? arena_sprintf(a, "%s 至 %s",
                                                 jstr(o, "starts_on") ? jstr(o, "starts_on") : "",
                                                 jstr(o, "ends_on") ? jstr(o, "ends_on") : "")
                                 : NULL);
    pdf_field(p, "批准日期", day_text(a, jint(o, "approved_at")));
    if (closed)
        pdf_field(p, "结项日期", day_text(a, jint(o, "closed_at")));
    pdf_field(p, "批准金额", arena_sprintf(a, "%s 元", yuan_text(a, app->approved_fen)));
    pdf_heading(p, "公示期");
    pdf_paragraph(p, arena_sprintf(a,
                                   "%s 至 %s（%lld 天）。如有疑问或异议，请在公示期内向社区居委会反映，"
                                   "或扫描下方二维码查看项目详情。",
                                   day_text(a, now),
                                   day_text(a, now + (days - 1) * TIME_DAY_MS), (long long)days));
    pdf_qr(p, url, 32, arena_sprintf(a, "扫码查看项目公示 %s", url));
    pdf_heading(p, "项目目的");
    pdf_paragraph(p, jstr(o, "purpose") && *jstr(o, "purpose") ? jstr(o, "purpose") : "—");
    if (jstr(o, "beneficiaries") && *jstr(o, "beneficiaries"))
        pdf_field(p, "受益对象", jstr(o, "beneficiaries"));
    pdf_heading(p, "批准的预算");
    notice_items(req, p, o);
    notice_spending(req, p, o, closed);
    if (closed && jstr(o, "final_report") && *jstr(o, "final_report")) {
        pdf_heading(p, "结项报告");
        pdf_paragraph(p, jstr(o, "final_report"));
    }
    err = notice_photo(req, p, json_object_get(o, "files"));
    if (err)
        return err;
    pdf_heading(p, "居民评价");
    ev = json_object_get(o, "evaluation");
    count = jint(ev, "count");
    if (count > 0) {
        int64_t tenths = (jint(ev, "score_sum") * 10 + count / 2) / count;

        pdf_paragraph(p, arena_sprintf(a, "%lld 位居民评价，平均 %lld.%lld 分（满分 5 分）。",
                                       (long long)count, (long long)(tenths / 10),
                                       (long long)(tenths % 10)));
    } else {
        pdf_paragraph(p, closed ? "暂无评价。本社区居民可扫码在项目页面评价。"
                                : "项目结项后，本社区居民可扫码在项目页面评价。");
    }
    data = pdf_finish(p, &len, NULL);
    if (!data)
        return error_internal(a, "cannot write the notice of fund application %lld",
                              (long long)app->id);
    response_attachment(res, a, arena_sprintf(a, "funds-%lld-notice.pdf", (long long)app->id),
                        arena_sprintf(a, "%s-公示.pdf", app->title));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, "application/pdf", data, len);
}

void funds_export_routes_register(Router *r)
{
    /* before /funds/applications/{id}: the first route that matches answers */
    router_add(r, "GET", "/api/v1/funds/applications/export", funds_handle_apps_export, 0);
    router_add(r, "GET", "/api/v1/funds/ledger/export", funds_handle_ledger_export, 0);
    router_add(r, "GET", "/api/v1/funds/applications/{id}/notice.pdf", funds_handle_notice, 0);
}
