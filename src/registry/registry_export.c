/*
 * Exporting a community's residents register (台账导出) as CSV or xlsx, under
 * the importer's Chinese headers so that the file imports again unchanged.
 * Rows come from registry_store_resident_rows() one at a time (their
 * decrypted values live only while the callback runs) and go straight into
 * the CSV buffer or the worksheet, which copies them.
 *
 * ID numbers and phones are written as text: as numbers, Excel would keep
 * 15 digits of an 18-digit ID number and show 1.10101E+17.
 */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/strbuf.h"
#include "registry/registry_io.h"
#include "registry/registry_store.h"
#include "core/banned.h"

#define EXPORT_CSV_MAX (128 * 1024 * 1024)

/* One resident as the cells of a row, in column order. */
typedef struct RowText {
    const char *cells[_COL_MAX];
    char unit[24], floor[24], area[32];
} RowText;

static const char *gender_label(const char *gender)
{
    if (gender && strcmp(gender, "male") == 0)
        return "男";
    if (gender && strcmp(gender, "female") == 0)
        return "女";
    return "";
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void row_text(const ResidentRow *row, RowText *t)
{
    snprintf(t->unit, sizeof(t->unit), "%lld", (long long)row->unit);
    snprintf(t->floor, sizeof(t->floor), "%lld", (long long)row->floor);
    t->area[0] = '\0';
    if (row->has_area)
        snprintf(t->area, sizeof(t->area), "%.15g", row->area_m2);
    t->cells[COL_BUILDING] = or_empty(row->building);
    t->cells[COL_UNIT] = t->unit;
    t->cells[COL_FLOOR] = t->floor;
    t->cells[COL_ROOM] = or_empty(row->room);
    t->cells[COL_AREA] = t->area;
    t->cells[COL_NAME] = or_empty(row->name);
    t->cells[COL_GENDER] = gender_label(row->gender);
    t->cells[COL_BIRTH_DATE] = or_empty(row->birth_date);
    t->cells[COL_ID_NUMBER] = or_empty(row->id_number);
    t->cells[COL_PHONE] = or_empty(row->phone);
    t->cells[COL_RELATION] = or_empty(row->relation);
    t->cells[COL_TAGS] = or_empty(row->tags);
    t->cells[COL_MOVED_IN] = or_empty(row->moved_in);
}

/* ---- CSV ---- */

static void csv_line(StrBuf *sb, const char *const *cells)
{
    for (int c = 0; c < _COL_MAX; c++) {
        if (c > 0)
            strbuf_addc(sb, ',');
        csv_write_cell(sb, cells[c]);
    }
    strbuf_add(sb, "\r\n", 2);
}

static void csv_row(const ResidentRow *row, void *ctx)
{
    RowText t;

    row_text(row, &t);
    csv_line(ctx, t.cells);
}

Error *registry_export_csv(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                           const char **ret_data, size_t *ret_len, int64_t *ret_count)
{
    const char *header[_COL_MAX];
    const char *data;
    int64_t count = 0;
    size_t len;
    StrBuf sb;
    Error *err;

    for (int c = 0; c < _COL_MAX; c++)
        header[c] = registry_column_label(c);
    strbuf_init(&sb, a, EXPORT_CSV_MAX);
    strbuf_adds(&sb, "\xEF\xBB\xBF"); /* so that Excel reads UTF-8, not the ANSI code page */
    csv_line(&sb, header);
    err = registry_store_resident_rows(st, a, k, community, csv_row, &sb, &count);
    if (err)
        return err;
    data = strbuf_finish(&sb, &len);
    if (!data)
        return error_internal(a, "csv export of %s exceeds %d bytes", community, EXPORT_CSV_MAX);
    *ret_data = data;
    *ret_len = len;
    *ret_count = count;
    return NULL;
}

/* ---- xlsx ---- */

typedef struct SheetOut {
    lxw_worksheet *ws;
    lxw_format *text;        /* "@": cells stay text when edited */
    lxw_row_t row;           /* the last row written */
    lxw_error err;           /* the first failure, sticky */
} SheetOut;

static void sheet_check(SheetOut *o, lxw_error e)
{
    if (e != LXW_NO_ERROR && o->err == LXW_NO_ERROR)
        o->err = e;
}

static void sheet_row(const ResidentRow *row, void *ctx)
{
    SheetOut *o = ctx;
    RowText t;

    row_text(row, &t);
    o->row++;
    for (lxw_col_t c = 0; c < _COL_MAX; c++) {
        if (c == COL_UNIT || c == COL_FLOOR)
            sheet_check(o, worksheet_write_number(o->ws, o->row, c,
                                                  (double)(c == COL_UNIT ? row->unit : row->floor), NULL));
        else if (c == COL_AREA && row->has_area)
            sheet_check(o, worksheet_write_number(o->ws, o->row, c, row->area_m2, NULL));
        else if (c != COL_AREA && *t.cells[c])
            sheet_check(o, worksheet_write_string(o->ws, o->row, c, t.cells[c],
                                                  c == COL_ID_NUMBER || c == COL_PHONE ? o->text : NULL));
    }
}

Error *registry_export_xlsx(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                            const char *path, int64_t *ret_count)
{
    static const double widths[_COL_MAX] = {
        [COL_BUILDING] = 12, [COL_UNIT] = 6,        [COL_FLOOR] = 6,       [COL_ROOM] = 8,
        [COL_AREA] = 8,      [COL_NAME] = 10,       [COL_GENDER] = 6,      [COL_BIRTH_DATE] = 12,
        [COL_ID_NUMBER] = 21, [COL_PHONE] = 14,     [COL_RELATION] = 11,   [COL_TAGS] = 24,
        [COL_MOVED_IN] = 12,
    };
    SheetOut o = { .err = LXW_NO_ERROR };
    lxw_workbook *wb;
    lxw_format *bold;
    int64_t count = 0;
    lxw_error closed;
    Error *err;

    wb = workbook_new(path);
    if (!wb)
        return error_internal(a, "cannot create workbook '%s'", path);
    o.ws = workbook_add_worksheet(wb, "居民台账");
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_bg_color(bold, 0xDDEBF7);
    format_set_border(bold, LXW_BORDER_THIN);
    o.text = workbook_add_format(wb);
    format_set_num_format(o.text, "@");
    for (lxw_col_t c = 0; c < _COL_MAX; c++) {
        sheet_check(&o, worksheet_set_column(o.ws, c, c, widths[c],
                                             c == COL_ID_NUMBER || c == COL_PHONE ? o.text : NULL));
        sheet_check(&o, worksheet_write_string(o.ws, 0, c, registry_column_label(c), bold));
    }
    worksheet_freeze_panes(o.ws, 1, 0);
    err = registry_store_resident_rows(st, a, k, community, sheet_row, &o, &count);
    if (!err)
        sheet_check(&o, worksheet_autofilter(o.ws, 0, 0, o.row, _COL_MAX - 1));
    closed = workbook_close(wb); /* also frees it */
    if (err)
        return err;
    if (o.err != LXW_NO_ERROR || closed != LXW_NO_ERROR)
        return error_internal(a, "xlsx export of %s: %s", community,
                              lxw_strerror(o.err != LXW_NO_ERROR ? o.err : closed));
    *ret_count = count;
    return NULL;
}
