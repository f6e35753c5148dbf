/*
 * Tables as CSV or .xlsx (see sheet.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/file.h"
#include "core/sheet.h"
#include "core/banned.h"

void sheet_csv_row(StrBuf *sb, const char *const *cells, int n_cells)
{
    for (int c = 0; c < n_cells; c++) {
        if (c > 0)
            strbuf_addc(sb, ',');
        csv_write_cell(sb, cells[c] ? cells[c] : "");
    }
    strbuf_add(sb, "\r\n", 2);
}

void sheet_csv_header(StrBuf *sb, const SheetColumn *cols, int n_cols)
{
    strbuf_adds(sb, "\xEF\xBB\xBF"); /* so that Excel reads UTF-8, not the ANSI code page */
    for (int c = 0; c < n_cols; c++) {
        if (c > 0)
            strbuf_addc(sb, ',');
        csv_write_cell(sb, cols[c].label);
    }
    strbuf_add(sb, "\r\n", 2);
}

void sheet_check(Sheet *s, lxw_error e)
{
    if (e != LXW_NO_ERROR && s->err == LXW_NO_ERROR)
        s->err = e;
}

/* A new worksheet @name in s->wb with the header row of @cols; s->ws NULL when refused. */
static void sheet_start(Sheet *s, const char *name, const SheetColumn *cols, int n_cols)
{
    s->cols = cols;
    s->n_cols = n_cols;
    s->row = 0;
    s->ws = workbook_add_worksheet(s->wb, name);
    if (!s->ws) {
        sheet_check(s, LXW_ERROR_SHEETNAME_ALREADY_USED);
        return;
    }
    for (lxw_col_t c = 0; c < (lxw_col_t)n_cols; c++) {
        double width = cols[c].width > 0 ? cols[c].width : LXW_DEF_COL_WIDTH;

        sheet_check(s, worksheet_set_column(s->ws, c, c, width,
                                            cols[c].kind == SHEET_TEXT    ? s->text
                                            : cols[c].kind == SHEET_MONEY ? s->money
                                                                          : NULL));
        sheet_check(s, worksheet_write_string(s->ws, 0, c, cols[c].label, s->bold));
    }
}

/* Freezes the current worksheet's header, and filters it when @autofilter. */
static void sheet_finish(Sheet *s, bool autofilter)
{
    if (!s->ws)
        return;
    worksheet_freeze_panes(s->ws, 1, 0);
    if (autofilter)
        sheet_check(s, worksheet_autofilter(s->ws, 0, 0, s->row, (lxw_col_t)(s->n_cols - 1)));
}

bool sheet_open(Sheet *s, const char *path, const char *name, const SheetColumn *cols, int n_cols)
{
    memset(s, 0, sizeof(*s));
    s->err = LXW_NO_ERROR;
    s->wb = workbook_new(path);
    if (!s->wb)
        return false;
    s->bold = workbook_add_format(s->wb);
    format_set_bold(s->bold);
    format_set_bg_color(s->bold, 0xDDEBF7);
    format_set_border(s->bold, LXW_BORDER_THIN);
    s->text = workbook_add_format(s->wb);
    format_set_num_format(s->text, "@");
    s->money = workbook_add_format(s->wb);
    format_set_num_format(s->money, "#,##0.00");
    sheet_start(s, name, cols, n_cols);
    return true;
}

void sheet_next(Sheet *s, const char *name, const SheetColumn *cols, int n_cols, bool autofilter)
{
    sheet_finish(s, autofilter);
    sheet_start(s, name, cols, n_cols);
}

void sheet_row(Sheet *s, const char *const *cells)
{
    if (!s->ws)
        return;
    s->row++;
    for (lxw_col_t c = 0; c < (lxw_col_t)s->n_cols; c++) {
        const char *v = cells[c];

        if (!v || !*v)
            continue;
        if (s->cols[c].kind == SHEET_NUMBER || s->cols[c].kind == SHEET_MONEY)
            sheet_check(s, worksheet_write_number(s->ws, s->row, c, strtod(v, NULL),
                                                  s->cols[c].kind == SHEET_MONEY ? s->money : NULL));
        else
            sheet_check(s, worksheet_write_string(s->ws, s->row, c, v,
                                                  s->cols[c].kind == SHEET_TEXT ? s->text : NULL));
    }
}

const char *sheet_close(Sheet *s, bool autofilter)
{
    lxw_error closed;

    sheet_finish(s, autofilter);
    closed = workbook_close(s->wb); /* also frees it */
    s->wb = NULL;
    if (s->err != LXW_NO_ERROR)
        return lxw_strerror(s->err);
    return closed != LXW_NO_ERROR ? lxw_strerror(closed) : NULL;
}

Error *sheet_xlsx_bytes(Arena *a, Error *(*write)(const char *path, void *ctx), void *ctx,
                        size_t max, const char **ret_data, size_t *ret_len)
{
    const char *tmp = getenv("TMPDIR"), *errmsg = NULL;
    char *path = arena_sprintf(a, "%s/linli-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *data = NULL;
    int fd = mkstemp(path);
    Error *err;

    if (fd < 0)
        return error_internal(a, "cannot create temporary file '%s': %s", path, strerror(errno));
    close(fd);
    err = write(path, ctx);
    if (!err && !file_read_all(a, path, max, &data, ret_len, &errmsg))
        err = error_internal(a, "cannot read back '%s': %s", path, errmsg);
    unlink(path);
    if (err)
        return err;
    *ret_data = data;
    return NULL;
}
