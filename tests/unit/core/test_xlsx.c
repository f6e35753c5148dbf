#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/xlsx.h"

/* The whole of @path, in @a; unlinks it. */
static char *slurp(Arena *a, const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = arena_alloc(a, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    unlink(path);
    *ret_len = (size_t)n;
    return buf;
}

static char *temp_path(char *buf, size_t n, const char *suffix)
{
    int fd;

    snprintf(buf, n, "/tmp/linli-test-xlsx-XXXXXX%s", suffix);
    fd = mkstemps(buf, (int)strlen(suffix));
    assert_true(fd >= 0);
    close(fd);
    return buf;
}

/*
 * A sheet as people make them: a header, a gap (B2 missing), numbers,
 * booleans, a rich string, a formula's text result, a blank row, a date.
 * @constant_memory makes libxlsxwriter write inline strings instead of
 * shared ones.
 */
static char *make_workbook(Arena *a, bool constant_memory, size_t *ret_len)
{
    lxw_workbook_options opt = { .constant_memory = constant_memory };
    char path[64];
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    lxw_rich_string_tuple f1 = { .string = "李" }, f2 = { .string = "小明" };
    lxw_rich_string_tuple *rich[3];

    temp_path(path, sizeof(path), ".xlsx");
    wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    ws = workbook_add_worksheet(wb, "台账");
    workbook_add_worksheet(wb, "其他");
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    rich[0] = &f1;
    rich[1] = &f2;
    rich[2] = NULL;
    f2.format = bold;
    worksheet_write_string(ws, 0, 0, "姓名", bold);
    worksheet_write_string(ws, 0, 1, "单元", NULL);
    worksheet_write_string(ws, 0, 2, "出生日期", NULL);
    worksheet_write_string(ws, 1, 0, "张三", NULL);
    worksheet_write_number(ws, 1, 2, 18324, NULL); /* 1950-03-02 */
    worksheet_write_rich_string(ws, 2, 0, rich, NULL);
    worksheet_write_number(ws, 2, 1, 2, NULL);
    worksheet_write_number(ws, 2, 2, 85.5, NULL);
    worksheet_write_number(ws, 2, 3, 13912345678.0, NULL);
    /* row 4 (index 3) left blank */
    worksheet_write_boolean(ws, 4, 0, 1, NULL);
    worksheet_write_boolean(ws, 4, 1, 0, NULL);
    worksheet_write_formula_str(ws, 4, 2, "=\"a\"&\"b\"", NULL, "ab");
    worksheet_write_string(ws, 5, 1, " 空格 ", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    return slurp(a, path, ret_len);
}

static void check_workbook(Arena *a, bool constant_memory)
{
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    char *data = make_workbook(a, constant_memory, &len);

    assert_true(xlsx_read(a, data, len, 100, 10, &rows, &n, &err));
    assert_int_equal(n, 5); /* the blank row is skipped */
    assert_int_equal(rows[0].line, 1);
    assert_int_equal(rows[0].n_cells, 3);
    assert_string_equal(rows[0].cells[0], "姓名");
    assert_string_equal(rows[0].cells[2], "出生日期");
    assert_int_equal(rows[1].line, 2);
    assert_string_equal(rows[1].cells[0], "张三");
    assert_string_equal(rows[1].cells[1], ""); /* the gap */
    assert_string_equal(rows[1].cells[2], "18324");
    assert_string_equal(rows[2].cells[0], "李小明"); /* rich text runs joined */
    assert_string_equal(rows[2].cells[1], "2");
    assert_string_equal(rows[2].cells[2], "85.5");
    assert_string_equal(rows[2].cells[3], "13912345678");
    assert_int_equal(rows[3].line, 5);
    assert_string_equal(rows[3].cells[0], "TRUE");
    assert_string_equal(rows[3].cells[1], "FALSE");
    assert_string_equal(rows[3].cells[2], "ab");
    assert_int_equal(rows[4].line, 6);
    assert_int_equal(rows[4].n_cells, 2);
    assert_string_equal(rows[4].cells[0], "");
    assert_string_equal(rows[4].cells[1], " 空格 ");
}

static void test_xlsx_shared_strings(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    check_workbook(a, false);
    arena_free(a);
}

static void test_xlsx_inline_strings(void **state)
{
    Arena *a = arena_new(0);

    (void)state;
    check_workbook(a, true);
    arena_free(a);
}

static void test_xlsx_limits(void **state)
{
    Arena *a = arena_new(0);
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    char *data = make_workbook(a, false, &len);

    (void)state;
    /* rows past max_rows are not read; cells past max_cols are dropped */
    assert_true(xlsx_read(a, data, len, 2, 2, &rows, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(rows[1].n_cells, 1);
    assert_string_equal(rows[1].cells[0], "张三");
    arena_free(a);
}

static void test_xlsx_not_a_zip(void **state)
{
    static const char *const inputs[] = { "", "name,phone\n张三,13912345678\n", "PK\x03\x04garbage" };
    Arena *a = arena_new(0);

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
        XlsxRow *rows = NULL;
        size_t n = 0;
        const char *err = NULL;

        assert_false(xlsx_read(a, inputs[i], strlen(inputs[i]), 10, 10, &rows, &n, &err));
        assert_string_equal(err, "文件不是有效的 Excel（.xlsx）文件");
    }
    arena_free(a);
}

typedef struct Entry {
    const char *name;
    const char *text;  /* or NULL: @size bytes of @fill */
    size_t size;
    char fill;
} Entry;

/* A zip of @n entries, read back into @a. */
static char *make_zip_of(Arena *a, const Entry *entries, size_t n, size_t *ret_len)
{
    char path[64];
    char *bufs[8] = { 0 };
    zip_t *z;
    int errcode;

    assert_true(n <= ARRAY_SIZE(bufs));
    temp_path(path, sizeof(path), ".zip");
    z = zip_open(path, ZIP_TRUNCATE, &errcode);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t size = entries[i].text ? strlen(entries[i].text) : entries[i].size;
        zip_source_t *src;

        bufs[i] = malloc(size + 1);
        assert_non_null(bufs[i]);
        if (entries[i].text)
            memcpy(bufs[i], entries[i].text, size);
        else
            memset(bufs[i], entries[i].fill, size);
        src = zip_source_buffer(z, bufs[i], size, 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, entries[i].name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    for (size_t i = 0; i < n; i++)
        free(bufs[i]);
    return slurp(a, path, ret_len);
}

/* A zip holding @name with @size bytes of @fill. */
static char *make_zip(Arena *a, const char *name, size_t size, char fill, size_t *ret_len)
{
    Entry e = { .name = name, .size = size, .fill = fill };

    return make_zip_of(a, &e, 1, ret_len);
}

/*
 * The first sheet is found through the workbook and its relations, not by
 * its file name; inline strings, t="str" and cells without references.
 */
static void test_xlsx_first_sheet_by_relation(void **state)
{
    static const Entry entries[] = {
        { .name = "xl/workbook.xml",
          .text = "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/"
                  "spreadsheetml/2006/main\" xmlns:rel=\"http://schemas.openxmlformats.org/"
                  "officeDocument/2006/relationships\"><sheets><sheet name=\"台账\" sheetId=\"2\" "
                  "rel:id=\"rId7\"/><sheet name=\"旧\" sheetId=\"1\" rel:id=\"rId1\"/></sheets></workbook>" },
        { .name = "xl/_rels/workbook.xml.rels",
          .text = "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
                  "package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
                  "openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/"
                  "sheet1.xml\"/><Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/"
                  "officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
                  "</Relationships>" },
        { .name = "xl/worksheets/sheet1.xml",
          .text = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>旧表</t></is>"
                  "</c></row></sheetData></worksheet>" },
        { .name = "xl/worksheets/data.xml",
          .text = "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                  "<x:sheetData><x:row r=\"3\"><x:c r=\"A3\" t=\"inlineStr\"><x:is><x:r><x:t>王</x:t>"
                  "</x:r><x:r><x:t xml:space=\"preserve\">五 </x:t></x:r><x:rPh><x:t>ワン</x:t></x:rPh>"
                  "</x:is></x:c><x:c r=\"C3\" t=\"str\"><x:f>A3</x:f><x:v>&lt;王&gt;</x:v></x:c>"
                  "<x:c><x:v>1.5E3</x:v></x:c></x:row><x:row><x:c t=\"e\"><x:v>#N/A</x:v></x:c></x:row>"
                  "</x:sheetData></x:worksheet>" },
    };
    Arena *a = arena_new(0);
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    char *data = make_zip_of(a, entries, ARRAY_SIZE(entries), &len);

    (void)state;
    assert_true(xlsx_read(a, data, len, 10, 10, &rows, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].line, 3);
    assert_int_equal(rows[0].n_cells, 4);
    assert_string_equal(rows[0].cells[0], "王五 ");
    assert_string_equal(rows[0].cells[1], "");
    assert_string_equal(rows[0].cells[2], "<王>");
    assert_string_equal(rows[0].cells[3], "1500");
    assert_int_equal(rows[1].line, 4);
    assert_string_equal(rows[1].cells[0], "#N/A");
    arena_free(a);
}

static void test_xlsx_entities_refused(void **state)
{
    static const Entry entries[] = {
        { .name = "xl/worksheets/sheet1.xml",
          .text = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
                  "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData>"
                  "</worksheet>" },
    };
    Arena *a = arena_new(0);
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    char *data = make_zip_of(a, entries, ARRAY_SIZE(entries), &len);

    (void)state;
    assert_false(xlsx_read(a, data, len, 10, 10, &rows, &n, &err));
    assert_string_equal(err, "文件不是有效的 Excel（.xlsx）文件");
    arena_free(a);
}

static void test_xlsx_zip_without_workbook(void **state)
{
    Arena *a = arena_new(0);
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    char *data = make_zip(a, "hello.txt", 100, 'x', &len);

    (void)state;
    assert_false(xlsx_read(a, data, len, 10, 10, &rows, &n, &err));
    assert_string_equal(err, "文件不是有效的 Excel（.xlsx）文件");
    arena_free(a);
}

static void test_xlsx_malformed_sheet(void **state)
{
    Arena *a = arena_new(0);
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    char *data = make_zip(a, "xl/worksheets/sheet1.xml", 100, '<', &len);

    (void)state;
    assert_false(xlsx_read(a, data, len, 10, 10, &rows, &n, &err));
    assert_string_equal(err, "文件不是有效的 Excel（.xlsx）文件");
    arena_free(a);
}

static void test_xlsx_zip_bomb(void **state)
{
    Arena *a = arena_new(0);
    XlsxRow *rows = NULL;
    size_t len, n = 0;
    const char *err = NULL;
    /* 65 MiB of spaces deflate to a few dozen KiB */
    char *data = make_zip(a, "xl/worksheets/sheet1.xml", 65u * 1024 * 1024, ' ', &len);

    (void)state;
    assert_true(len < 1024 * 1024);
    assert_false(xlsx_read(a, data, len, 10, 10, &rows, &n, &err));
    assert_non_null(strstr(err, "64 MB"));
    arena_free(a);
}

static const struct {
    const char *in;
    const char *out; /* NULL: rejected */
} serials[] = {
    { "1", "1900-01-01" },
    { "59", "1900-02-28" },
    { "60", NULL },            /* Excel's 1900-02-29, which never was */
    { "61", "1900-03-01" },
    { "18324", "1950-03-02" },
    { "25569", "1970-01-01" },
    { "25569.75", "1970-01-01" }, /* a time of day is dropped */
    { "45000", "2023-03-15" },
    { "2958465", "9999-12-31" },
    { "2958466", NULL },
    { "0", NULL },
    { "-1", NULL },
    { "", NULL },
    { "1950-03-02", NULL },
    { "12abc", NULL },
};

static void test_xlsx_serial_to_date(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(serials); i++) {
        char out[11] = "";
        bool ok = xlsx_serial_to_date(serials[i].in, out);

        assert_int_equal(ok, serials[i].out != NULL);
        if (ok)
            assert_string_equal(out, serials[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx_shared_strings),
        cmocka_unit_test(test_xlsx_inline_strings),
        cmocka_unit_test(test_xlsx_limits),
        cmocka_unit_test(test_xlsx_not_a_zip),
        cmocka_unit_test(test_xlsx_first_sheet_by_relation),
        cmocka_unit_test(test_xlsx_entities_refused),
        cmocka_unit_test(test_xlsx_zip_without_workbook),
        cmocka_unit_test(test_xlsx_malformed_sheet),
        cmocka_unit_test(test_xlsx_zip_bomb),
        cmocka_unit_test(test_xlsx_serial_to_date),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
