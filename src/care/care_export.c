/*
 * GET /api/v1/care/people/export?community=&format=xlsx|csv[&full=1]: the
 * care list as a file, through the writer every export uses (core/sheet.h),
 * with the list's filters (care_list_query) and no paging.
 *
 * Masked by default, as the list is shown: names masked (张**), no ID
 * numbers, no birth dates, no health detail beyond the ability level and
 * the risk grade (no reasons, tags, notes, assessments or visit notes).
 * `full=1` adds the whole name and the birth date; only a secretary may ask
 * for it (403 for everyone else), and it is audited as care.export_full
 * (the masked file as care.export).
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "care/care.h"
#include "care/care_http.h"
#include "core/mask.h"
#include "core/sheet.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define EXPORT_ROWS_MAX 100000
#define EXPORT_CSV_MAX (64 * 1024 * 1024)
#define EXPORT_XLSX_MAX (64 * 1024 * 1024)

typedef enum ExportColumn {
    X_NAME,
    X_BIRTH_DATE,  /* full only */
    X_GENDER,
    X_AGE,
    X_COMMUNITY,
    X_GRID,
    X_BUILDING,
    X_UNIT,
    X_ROOM,
    X_ALONE,
    X_ABILITY,
    X_GRADE,
    X_OVERRIDDEN,
    X_DAILY_CHECK,
    X_VISIT_DAYS,
    X_LAST_VISIT,
    X_VISIT_DUE,
    X_OVERDUE_DAYS,
    X_LAST_CHECK,
    X_HELPERS,
    X_OPENED,
    _X_MAX
} ExportColumn;

static const SheetColumn columns[_X_MAX] = {
    [X_NAME] = { "姓名", 10, SHEET_GENERAL },
    [X_BIRTH_DATE] = { "出生日期", 12, SHEET_TEXT },
    [X_GENDER] = { "性别", 6, SHEET_GENERAL },
    [X_AGE] = { "年龄", 6, SHEET_NUMBER },
    [X_COMMUNITY] = { "社区代码", 14, SHEET_TEXT },
    [X_GRID] = { "网格", 12, SHEET_GENERAL },
    [X_BUILDING] = { "楼栋", 10, SHEET_GENERAL },
    [X_UNIT] = { "单元", 6, SHEET_NUMBER },
    [X_ROOM] = { "室号", 8, SHEET_TEXT },
    [X_ALONE] = { "独居", 6, SHEET_GENERAL },
    [X_ABILITY] = { "能力等级", 26, SHEET_GENERAL },
    [X_GRADE] = { "关爱等级", 12, SHEET_GENERAL },
    [X_OVERRIDDEN] = { "人工调整", 8, SHEET_GENERAL },
    [X_DAILY_CHECK] = { "每日平安打卡", 12, SHEET_GENERAL },
    [X_VISIT_DAYS] = { "走访周期（天）", 14, SHEET_NUMBER },
    [X_LAST_VISIT] = { "上次走访", 12, SHEET_TEXT },
    [X_VISIT_DUE] = { "下次走访", 12, SHEET_TEXT },
    [X_OVERDUE_DAYS] = { "走访逾期（天）", 14, SHEET_NUMBER },
    [X_LAST_CHECK] = { "最近打卡", 12, SHEET_TEXT },
    [X_HELPERS] = { "结对人数", 8, SHEET_NUMBER },
    [X_OPENED] = { "纳入关爱", 12, SHEET_TEXT },
};

typedef struct Export {
    Request *req;
    const CarePerson *rows;
    size_t n;
    bool full;
    int64_t now_ms;
    SheetColumn cols[_X_MAX]; /* without the birth date when masked */
    int n_cols;
} Export;

static const char *day_of(Arena *a, int64_t ms)
{
    char *buf;

    if (!ms)
        return "";
    buf = arena_alloc(a, 11);
    care_day(ms, buf);
    return buf;
}

static const char *int_text(Arena *a, int64_t v)
{
    return arena_sprintf(a, "%lld", (long long)v);
}

/* Person @p as the cells of a row, in x->cols' order. */
static void row_cells(Export *x, const CarePerson *p, const char **ret)
{
    Arena *a = x->req->arena;
    const char *cells[_X_MAX] = { 0 };
    bool in_care = p->id != 0;
    bool overdue = in_care && !p->away_today && p->visit_due_at && p->visit_due_at < x->now_ms;
    int k = 0;

    cells[X_NAME] = x->full ? p->name : mask_name(a, p->name);
    cells[X_BIRTH_DATE] = p->birth_date;
    cells[X_GENDER] = p->gender && strcmp(p->gender, "male") == 0     ? "男"
                      : p->gender && strcmp(p->gender, "female") == 0 ? "女"
                                                                      : "";
    cells[X_AGE] = int_text(a, p->age);
    cells[X_COMMUNITY] = p->community;
    cells[X_GRID] = p->grid_name;
    cells[X_BUILDING] = p->building_name;
    cells[X_UNIT] = p->unit ? int_text(a, p->unit) : "";
    cells[X_ROOM] = p->room;
    cells[X_ALONE] = p->lives_alone ? "是" : "否";
    if (in_care) {
        cells[X_ABILITY] = p->ability_level >= 0 ? care_level_name(p->ability_level) : "未评估";
        cells[X_GRADE] = care_grade_label(p->grade);
        cells[X_OVERRIDDEN] = p->grade_override ? "是" : "否";
        cells[X_DAILY_CHECK] = p->daily_check ? "是" : "否";
        cells[X_VISIT_DAYS] = int_text(a, p->visit_days);
        cells[X_LAST_VISIT] = day_of(a, p->last_visit_at);
        cells[X_VISIT_DUE] = day_of(a, p->visit_due_at);
        cells[X_OVERDUE_DAYS] =
            overdue ? int_text(a, (x->now_ms - p->visit_due_at) / TIME_DAY_MS) : "";
        cells[X_LAST_CHECK] = p->last_check_day;
        cells[X_HELPERS] = int_text(a, p->n_helpers);
        cells[X_OPENED] = day_of(a, p->opened_at);
    } else {
        cells[X_GRADE] = "未纳入关爱";
    }
    for (int c = 0; c < _X_MAX; c++)
        if (c != X_BIRTH_DATE || x->full)
            ret[k++] = cells[c];
}

static Error *export_csv(Export *x, const char **ret_data, size_t *ret_len)
{
    const char *cells[_X_MAX];
    StrBuf sb;

    strbuf_init(&sb, x->req->arena, EXPORT_CSV_MAX);
    sheet_csv_header(&sb, x->cols, x->n_cols);
    for (size_t i = 0; i < x->n; i++) {
        row_cells(x, &x->rows[i], cells);
        sheet_csv_row(&sb, cells, x->n_cols);
    }
    *ret_data = strbuf_finish(&sb, ret_len);
    if (!*ret_data)
        return error_internal(x->req->arena, "care export exceeds %d bytes", EXPORT_CSV_MAX);
    return NULL;
}

static Error *export_xlsx_to(const char *path, void *ctx)
{
    Export *x = ctx;
    const char *cells[_X_MAX], *failed;
    Sheet s;

    if (!sheet_open(&s, path, "关爱对象", x->cols, x->n_cols))
        return error_internal(x->req->arena, "cannot create workbook '%s'", path);
    for (size_t i = 0; i < x->n; i++) {
        row_cells(x, &x->rows[i], cells);
        sheet_row(&s, cells);
    }
    failed = sheet_close(&s, true);
    return failed ? error_internal(x->req->arena, "care xlsx export: %s", failed) : NULL;
}

static Error *care_handle_export(Request *req, Response *res)
{
    const char *format = request_query(req, "format"), *full = request_query(req, "full");
    const char *community = request_query(req, "community"), *data = NULL, *ext;
    Export x = { .req = req };
    CareFilter f;
    CareSettings cs;
    CarePerson *rows = NULL;
    int64_t page, per_page, total = 0;
    size_t len = 0, n = 0;
    char today[11];
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (err)
        return err;
    if (format && *format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return error_bad_request(req->arena, "format", "invalid_format",
                                 "format 应为 xlsx 或 csv");
    if (full && *full && strcmp(full, "0") != 0 && strcmp(full, "1") != 0)
        return error_bad_request(req->arena, "full", "invalid_query",
                                 "参数“full”应为 0 或 1");
    x.full = full && strcmp(full, "1") == 0;
    if (x.full && req->user->role != ROLE_SECRETARY)
        return error_forbidden(req->arena, "只有社区书记可以导出完整信息（含姓名和出生日期），"
                                           "请导出脱敏名单");
    err = care_list_query(req, false, &f, &cs, &page, &per_page);
    if (err)
        return err;
    f.limit = EXPORT_ROWS_MAX;
    f.offset = 0;
    err = care_store_list(req->store, req->arena, &f, &rows, &n, &total);
    if (err)
        return err;
    x.rows = rows;
    x.n = n;
    x.now_ms = f.now_ms;
    for (int c = 0; c < _X_MAX; c++)
        if (c != X_BIRTH_DATE || x.full)
            x.cols[x.n_cols++] = columns[c];
    ext = format && strcmp(format, "csv") == 0 ? "csv" : "xlsx";
    if (strcmp(ext, "csv") == 0)
        err = export_csv(&x, &data, &len);
    else
        err = sheet_xlsx_bytes(req->arena, export_xlsx_to, &x, EXPORT_XLSX_MAX, &data, &len);
    if (err)
        return err;
    if (!community || !*community)
        community = req->user->scope;
    err = audit_record(req, x.full ? "care.export_full" : "care.export", "care", 0, community,
                       json_pack("{s:I, s:s, s:b}", "rows", (json_int_t)n, "format", ext, "full",
                                 x.full));
    if (err)
        return err;
    date_today(today);
    response_attachment(res, req->arena,
                        arena_sprintf(req->arena, "care-%s-%s.%s", community, today, ext),
                        arena_sprintf(req->arena, "%s-%s-%s.%s",
                                      x.full ? "关爱对象（完整）" : "关爱对象（脱敏）", community,
                                      today, ext));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200,
                          strcmp(ext, "csv") == 0 ? "text/csv; charset=utf-8" : SHEET_XLSX_TYPE,
                          data, len);
}

void care_export_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/care/people/export", care_handle_export, 0);
}
