/*
 * GET /api/v1/cases/export: the cases a list would show (same filters), as
 * an Excel workbook (libxlsxwriter). The workbook is written to a temporary
 * file, which is unlinked at once and sent from its descriptor. Contact
 * details are left out: the sheet is for counting and follow-up, not for
 * calling people.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "audit/audit.h"
#include "cases/cases.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define EXPORT_MAX_ROWS 100000
#define EXPORT_PAGE 1000

static const char *const headers[] = { "编号", "类别", "描述", "楼栋", "网格", "状态",
                                       "责任单位", "上报时间", "响应时限", "办结时限",
                                       "办结时间", "超期", "评价", "来源" };

static const char *fmt_time(Arena *a, int64_t ms)
{
    int64_t day;
    int minute;
    char date[11];

    if (!ms)
        return "";
    time_local(ms, TIME_OFFSET_SHANGHAI, &day, &minute);
    time_format_date(date, day);
    return arena_sprintf(a, "%s %02d:%02d", date, minute / 60, minute % 60);
}

static void write_case(lxw_worksheet *ws, Arena *a, lxw_row_t row, const Case *c)
{
    const char *cells[] = {
        c->category_name, c->description, c->building_name ? c->building_name : "",
        c->grid_name ? c->grid_name : "", case_state_label(c->state),
        c->unit_name ? c->unit_name : "社区自办", fmt_time(a, c->created_at),
        fmt_time(a, c->respond_due), fmt_time(a, c->resolve_due), fmt_time(a, c->closed_at),
        c->overdue ? "是" : "否", c->rating ? case_rating_label(c->rating) : "", c->source,
    };

    worksheet_write_number(ws, row, 0, (double)c->id, NULL);
    for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
        worksheet_write_string(ws, row, (lxw_col_t)(i + 1), cells[i], NULL);
}

static Error *cases_handle_export(Request *req, Response *res)
{
    CaseFilter f = { .state = -1, .overdue = -1 };
    const char *q = request_query(req, "community"), *state = request_query(req, "state");
    const char *tmp = getenv("TMPDIR");
    char *path;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    lxw_row_t row = 1;
    struct stat sb;
    int fd;
    Error *err = NULL;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN);
    if (err)
        return err;
    if (!q || !*q)
        q = req->user->scope;
    if ((strlen(q) != 12 && strlen(q) != 9 && *q) || !auth_covers(req->user, q))
        return error_not_found(req->arena, "community", "找不到该社区，或它不在您的管辖范围内");
    if (state && *state) {
        CaseState s;

        if (strcmp(state, "open") == 0)
            f.state = -2;
        else if (case_state_parse(state, &s))
            f.state = (int)s;
        else
            return error_bad_request(req->arena, "state", "invalid_query", "参数“state”不是有效的状态");
    }
    auth_scope_bounds(req->arena, q, &f.lo, &f.hi);
    path = arena_sprintf(req->arena, "%s/linli-cases-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        return error_internal(req->arena, "cannot create temporary file: %s", strerror(errno));
    close(fd);
    wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return error_internal(req->arena, "cannot create workbook '%s'", path);
    }
    ws = workbook_add_worksheet(wb, "案件");
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (lxw_col_t c = 0; c < sizeof(headers) / sizeof(headers[0]); c++)
        worksheet_write_string(ws, 0, c, headers[c], bold);
    worksheet_set_column(ws, 2, 2, 40, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    f.limit = EXPORT_PAGE;
    for (f.offset = 0; !err && f.offset < EXPORT_MAX_ROWS; f.offset += EXPORT_PAGE) {
        Case **items;
        size_t n;

        err = cases_store_list(req->store, req->arena, &f, &items, &n, NULL);
        for (size_t i = 0; !err && i < n; i++)
            write_case(ws, req->arena, row++, items[i]);
        if (n < EXPORT_PAGE)
            break;
    }
    if (workbook_close(wb) != LXW_NO_ERROR && !err)
        err = error_internal(req->arena, "cannot write workbook '%s'", path);
    fd = err ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    unlink(path);
    if (err)
        return err;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return error_internal(req->arena, "cannot read back workbook");
    }
    request_end_read(req);
    err = audit_record(req, "case.export", "case", 0, strlen(q) == 12 ? q : NULL,
                       json_pack("{s:I}", "rows", (json_int_t)(row - 1)));
    if (err) {
        close(fd);
        return err;
    }
    res->status = 200;
    res->fd = fd;
    res->fd_size = (size_t)sb.st_size;
    res->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "attachment; filename=\"cases-%s.xlsx\"", *q ? q : "all"));
    return NULL;
}

void cases_export_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/cases/export", cases_handle_export, 0);
}
