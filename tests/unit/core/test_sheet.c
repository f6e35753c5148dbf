/*
 * core/sheet: a table as CSV (BOM, CRLF, cells escaped, NULL empty) and as
 * an .xlsx worksheet read back with core/xlsx (header, text kept text,
 * numbers as numbers, empty cells left out), and sheet_xlsx_bytes's
 * temporary file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/sheet.h"
#include "core/xlsx.h"

static const SheetColumn cols[] = {
    { "姓名", 10, SHEET_GENERAL },
    { "身份证号", 21, SHEET_TEXT },
    { "年龄", 6, SHEET_NUMBER },
    { "备注", 0, SHEET_GENERAL },
};

static void test_sheet_csv(void **state)
{
    const char *row[] = { "张三", "110101195003079771", "76", "说\"好\",的" };
    const char *blank[] = { "=1+1", NULL, "", NULL };
    Arena *a = arena_new(0);
    const char *out;
    size_t len;
    StrBuf sb;

    (void)state;
    strbuf_init(&sb, a, 4096);
    sheet_csv_header(&sb, cols, 4);
    sheet_csv_row(&sb, row, 4);
    sheet_csv_row(&sb, blank, 4);
    out = strbuf_finish(&sb, &len);
    assert_string_equal(out, "\xEF\xBB\xBF姓名,身份证号,年龄,备注\r\n"
                             "张三,110101195003079771,76,\"说\"\"好\"\",的\"\r\n"
                             "'=1+1,,,\r\n");
    arena_free(a);
}

typedef struct Job {
    const char *const (*rows)[4];
    int n;
} Job;

static Error *write_rows(const char *path, void *ctx)
{
    Job *job = ctx;
    Sheet s;

    assert_true(sheet_open(&s, path, "名单", cols, 4));
    for (int i = 0; i < job->n; i++)
        sheet_row(&s, job->rows[i]);
    assert_null(sheet_close(&s, true));
    return NULL;
}

static void test_sheet_xlsx_round_trip(void **state)
{
    static const char *const rows[][4] = {
        { "张三", "110101195003079771", "76", "" },
        { "李四", NULL, "", "独居" },
    };
    Job job = { rows, 2 };
    Arena *a = arena_new(0);
    const char *data = NULL, *errmsg = NULL;
    size_t len = 0, n = 0;
    XlsxRow *out;

    (void)state;
    assert_null(sheet_xlsx_bytes(a, write_rows, &job, 1024 * 1024, &data, &len));
    assert_true(len > 4 && memcmp(data, "PK\x03\x04", 4) == 0);
    assert_true(xlsx_read(a, data, len, 10, 10, &out, &n, &errmsg));
    assert_int_equal(n, 3);
    assert_int_equal(out[0].n_cells, 4);
    assert_string_equal(out[0].cells[0], "姓名");
    assert_string_equal(out[0].cells[3], "备注");
    /* an 18-digit ID number stays text: as a number Excel keeps 15 digits */
    assert_string_equal(out[1].cells[1], "110101195003079771");
    assert_string_equal(out[1].cells[2], "76");
    assert_int_equal(out[1].n_cells, 3); /* the empty note is left out */
    assert_string_equal(out[2].cells[0], "李四");
    assert_string_equal(out[2].cells[1], "");
    assert_string_equal(out[2].cells[2], "");
    assert_string_equal(out[2].cells[3], "独居");
    arena_free(a);
}

static const SheetColumn money_cols[] = {
    { "项目", 10, SHEET_GENERAL },
    { "金额（元）", 14, SHEET_MONEY },
};

static Error *write_money(const char *path, void *ctx)
{
    Sheet s;

    (void)ctx;
    assert_true(sheet_open(&s, path, "台账", money_cols, 2));
    sheet_row(&s, (const char *const[]){ "绿植", "1234.50" });
    sheet_row(&s, (const char *const[]){ "花架", "" });
    assert_null(sheet_close(&s, false));
    return NULL;
}

/* A money column holds numbers (Excel sums them), not the text written. */
static void test_sheet_xlsx_money(void **state)
{
    Arena *a = arena_new(0);
    const char *data = NULL, *errmsg = NULL;
    size_t len = 0, n = 0;
    XlsxRow *out;

    (void)state;
    assert_null(sheet_xlsx_bytes(a, write_money, NULL, 1024 * 1024, &data, &len));
    assert_true(xlsx_read(a, data, len, 10, 10, &out, &n, &errmsg));
    assert_int_equal(n, 3);
    assert_string_equal(out[0].cells[1], "金额（元）");
    assert_string_equal(out[1].cells[1], "1234.5");
    assert_int_equal(out[2].n_cells, 1);
    arena_free(a);
}

static Error *fail_write(const char *path, void *ctx)
{
    Arena *a = ctx;

    assert_int_equal(access(path, F_OK), 0); /* the temporary file exists while it is written */
    return error_internal(a, "no");
}

static void test_sheet_xlsx_bytes_error(void **state)
{
    Arena *a = arena_new(0);
    const char *data = "untouched";
    size_t len = 7;

    (void)state;
    assert_non_null(sheet_xlsx_bytes(a, fail_write, a, 1024, &data, &len));
    assert_string_equal(data, "untouched");
    assert_int_equal(len, 7);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sheet_csv),
        cmocka_unit_test(test_sheet_xlsx_round_trip),
        cmocka_unit_test(test_sheet_xlsx_money),
        cmocka_unit_test(test_sheet_xlsx_bytes_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
