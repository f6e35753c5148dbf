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
#include <stdlib.h>
#include <string.h>

#include "core/sheet.h"
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

/* The export's columns: widths, and which stay text or are numbers. */
static void export_columns(SheetColumn cols[_COL_MAX])
{
    static const double widths[_COL_MAX] = {
        [COL_BUILDING] = 12, [COL_UNIT] = 6,        [COL_FLOOR] = 6,       [COL_ROOM] = 8,
        [COL_AREA] = 8,      [COL_NAME] = 10,       [COL_GENDER] = 6,      [COL_BIRTH_DATE] = 12,
        [COL_ID_NUMBER] = 21, [COL_PHONE] = 14,     [COL_RELATION] = 11,   [COL_TAGS] = 24,
        [COL_MOVED_IN] = 12,
    };

    for (int c = 0; c < _COL_MAX; c++) {
        cols[c].label = registry_column_label(c);
        cols[c].width = widths[c];
        cols[c].kind = c == COL_ID_NUMBER || c == COL_PHONE                  ? SHEET_TEXT
                       : c == COL_UNIT || c == COL_FLOOR || c == COL_AREA ? SHEET_NUMBER
                                                                           : SHEET_GENERAL;
    }
}

/* ---- CSV ---- */

static void csv_row(const ResidentRow *row, void *ctx)
{
    RowText t;

    row_text(row, &t);
    sheet_csv_row(ctx, t.cells, _COL_MAX);
}

Error *registry_export_csv(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                           const char **ret_data, size_t *ret_len, int64_t *ret_count)
{
    SheetColumn cols[_COL_MAX];
    const char *data;
    int64_t count = 0;
    size_t len;
    StrBuf sb;
    Error *err;

    export_columns(cols);
    strbuf_init(&sb, a, EXPORT_CSV_MAX);
    sheet_csv_header(&sb, cols, _COL_MAX);
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

static void xlsx_row(const ResidentRow *row, void *ctx)
{
    RowText t;

    row_text(row, &t);
    sheet_row(ctx, t.cells);
}

Error *registry_export_xlsx(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                            const char *path, int64_t *ret_count)
{
    SheetColumn cols[_COL_MAX];
    const char *failed;
    int64_t count = 0;
    Sheet s;
    Error *err;

    export_columns(cols);
    if (!sheet_open(&s, path, "居民台账", cols, _COL_MAX))
        return error_internal(a, "cannot create workbook '%s'", path);
    err = registry_store_resident_rows(st, a, k, community, xlsx_row, &s, &count);
    failed = sheet_close(&s, !err);
    if (err)
        return err;
    if (failed)
        return error_internal(a, "xlsx export of %s: %s", community, failed);
    *ret_count = count;
    return NULL;
}

/* ---- the import template ---- */

/* One example row that imports as it is (the ID number passes its check digit). */
static const char *const TEMPLATE_EXAMPLE[_COL_MAX] = {
    [COL_BUILDING] = "1号楼",  [COL_UNIT] = "1",          [COL_FLOOR] = "3",
    [COL_ROOM] = "301",        [COL_AREA] = "68.5",       [COL_NAME] = "张三",
    [COL_GENDER] = "男",       [COL_BIRTH_DATE] = "1950-03-07",
    [COL_ID_NUMBER] = "110101195003079771",                [COL_PHONE] = "13912345678",
    [COL_RELATION] = "户主",   [COL_TAGS] = "独居老人、高龄", [COL_MOVED_IN] = "2010-05-01",
};

static const char *const TEMPLATE_RULES[] = {
    "第一行为表头，请勿修改；从第二行起每行一位居民，示例行请删除或改为真实数据。",
    "楼栋、单元、室号、姓名必填；楼层可由室号推出（301 在 3 层）。楼栋、户不存在时自动创建。",
    "身份证号须通过校验位检查，请保持该列为“文本”格式，以免末几位变成 0。",
    "没有身份证号的可不填，此时须填出生日期（YYYY-MM-DD）和性别（男/女）。",
    "手机号为 11 位数字，座机请带区号（如 021-12345678），可不填。",
    "标签多个用“、”“，”或“;”分隔，如“独居老人、高龄”，须为系统中已有的标签。",
    "同一身份证号已在册的不会重复导入；有问题的行不会导入，并会列出行号和原因。",
};

/* The template's columns: dates and rooms stay text as well. */
static void template_columns(SheetColumn cols[_COL_MAX])
{
    for (int c = 0; c < _COL_MAX; c++) {
        bool text = c == COL_ID_NUMBER || c == COL_PHONE || c == COL_BIRTH_DATE ||
                    c == COL_MOVED_IN || c == COL_ROOM;

        cols[c].label = registry_column_label(c);
        cols[c].width = c == COL_ID_NUMBER ? 21 : 12;
        cols[c].kind = text ? SHEET_TEXT
                       : c == COL_UNIT || c == COL_FLOOR || c == COL_AREA ? SHEET_NUMBER
                                                                           : SHEET_GENERAL;
    }
}

Error *registry_template_csv(Arena *a, const char **ret_data, size_t *ret_len)
{
    SheetColumn cols[_COL_MAX];
    StrBuf sb;

    template_columns(cols);
    strbuf_init(&sb, a, 16 * 1024);
    sheet_csv_header(&sb, cols, _COL_MAX);
    sheet_csv_row(&sb, TEMPLATE_EXAMPLE, _COL_MAX);
    *ret_data = strbuf_finish(&sb, ret_len);
    return *ret_data ? NULL : error_internal(a, "template too large");
}

Error *registry_template_xlsx(Arena *a, const char *path)
{
    SheetColumn cols[_COL_MAX];
    lxw_worksheet *rules;
    lxw_format *wrap;
    const char *failed;
    Sheet s;

    template_columns(cols);
    if (!sheet_open(&s, path, "居民台账", cols, _COL_MAX))
        return error_internal(a, "cannot create workbook '%s'", path);
    rules = workbook_add_worksheet(s.wb, "填写说明");
    wrap = workbook_add_format(s.wb);
    format_set_text_wrap(wrap);
    sheet_row(&s, TEMPLATE_EXAMPLE);
    sheet_check(&s, worksheet_set_column(rules, 0, 0, 90, wrap));
    sheet_check(&s, worksheet_write_string(rules, 0, 0, "居民台账导入填写说明", s.bold));
    for (size_t i = 0; i < sizeof(TEMPLATE_RULES) / sizeof(TEMPLATE_RULES[0]); i++)
        sheet_check(&s, worksheet_write_string(rules, (lxw_row_t)(i + 1), 0, TEMPLATE_RULES[i], wrap));
    failed = sheet_close(&s, false);
    if (failed)
        return error_internal(a, "xlsx template: %s", failed);
    return NULL;
}
