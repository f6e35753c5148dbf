/*
 * core/pdf: a document is a whole PDF file (%PDF- … %%EOF) with its
 * metadata; a long table or a long paragraph takes several pages, counted
 * alike by pdf_finish and the file's page tree; a QR code carries a link
 * to its URL; images are PNG or JPEG by content, nothing else; the
 * maximum size is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cmocka.h>

#include "core/pdf.h"
#include "core/strbuf.h"

#define NOW_MS INT64_C(1796630400000) /* 2026-12-07 */

static const PdfColumn cols[] = {
    { "楼栋", 30, false },
    { "单元", 15, false },
    { "室号", 20, false },
    { "面积（m²）", 25, true },
    { "业主", 30, false },
    { "意见", 50, false },
};

static bool has(const char *buf, size_t len, const char *needle)
{
    return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* The N of the page tree's "/Type /Pages … /Count N". */
static int page_tree_count(const char *buf, size_t len)
{
    const char *p = memmem(buf, len, "/Type /Pages", 12);
    const char *c;

    if (!p)
        return -1;
    c = memmem(p, len - (size_t)(p - buf), "/Count ", 7);
    return c ? (int)strtol(c + 7, NULL, 10) : -1;
}

static void assert_whole_pdf(const char *out, size_t len)
{
    assert_non_null(out);
    assert_true(len > 100);
    assert_memory_equal(out, "%PDF-", 5);
    /* the file ends with the end-of-file marker and a newline */
    assert_true(memmem(out + len - 8, 8, "%%EOF", 5) != NULL);
}

static void test_pdf_short_document_is_one_page(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "Vote result", NOW_MS, 4 * 1024 * 1024);
    const char *out, *row[] = { "1号楼", "1", "101", "89.50", "张**", "同意" };
    size_t len = 0;
    int pages = 0;

    (void)state;
    pdf_title(p, "东门非机动车充电棚 表决结果");
    pdf_field(p, "范围", "全小区");
    pdf_field(p, "事项", NULL);
    pdf_paragraph(p, "按照《民法典》第二百七十八条的规定计票。");
    pdf_table(p, cols, 6);
    pdf_table_row(p, row);
    pdf_note(p, "无记名表决只列出参与情况。");
    out = pdf_finish(p, &len, &pages);
    assert_whole_pdf(out, len);
    assert_int_equal(pages, 1);
    assert_int_equal(page_tree_count(out, len), 1);
    assert_true(has(out, len, "/Creator (linli)"));
    assert_true(has(out, len, "/Title (Vote result)"));
    arena_free(a);
}

static void test_pdf_long_table_takes_several_pages(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "签名名单", NOW_MS, 16 * 1024 * 1024);
    const char *out;
    char room[16], area[16];
    size_t len = 0;
    int pages = 0;

    (void)state;
    pdf_title(p, "签名名单");
    pdf_table(p, cols, 6);
    for (int i = 0; i < 200; i++) {
        const char *row[] = { "12号楼", "2", room, area, "王**",
                              i % 7 ? "同意" : "反对（意见较长，需要在单元格内折行显示，不能越出表格的边框）" };

        snprintf(room, sizeof(room), "%d", 101 + i);
        snprintf(area, sizeof(area), "%d.25", 60 + i % 40);
        pdf_table_row(p, row);
    }
    out = pdf_finish(p, &len, &pages);
    assert_whole_pdf(out, len);
    /* 200 rows of at least a line of 9 pt: more than three pages of about 60 */
    assert_true(pages >= 4);
    assert_int_equal(page_tree_count(out, len), pages);
    arena_free(a);
}

static void test_pdf_long_paragraph_continues(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "report", NOW_MS, 8 * 1024 * 1024);
    StrBuf sb;
    const char *out;
    size_t len = 0;
    int pages = 0;

    (void)state;
    strbuf_init(&sb, a, 1024 * 1024);
    for (int i = 0; i < 3000; i++)
        strbuf_adds(&sb, "社区自治金用于改善环境。");
    pdf_paragraph(p, strbuf_finish(&sb, NULL));
    out = pdf_finish(p, &len, &pages);
    assert_whole_pdf(out, len);
    assert_true(pages >= 2);
    assert_int_equal(page_tree_count(out, len), pages);
    arena_free(a);
}

static void test_pdf_page_break(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "two", NOW_MS, 4 * 1024 * 1024);
    size_t len = 0;
    int pages = 0;

    (void)state;
    pdf_heading(p, "第一部分");
    pdf_page_break(p);
    pdf_page_break(p); /* on an empty page: no blank page */
    pdf_heading(p, "第二部分");
    assert_non_null(pdf_finish(p, &len, &pages));
    assert_int_equal(pages, 2);
    arena_free(a);
}

static void test_pdf_qr_links_its_url(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "notice", NOW_MS, 4 * 1024 * 1024);
    const char *out;
    size_t len = 0;
    int pages = 0;

    (void)state;
    assert_true(pdf_qr(p, "http://linli.example/h5/#/funds/12", 40, "扫码查看项目公示"));
    out = pdf_finish(p, &len, &pages);
    assert_whole_pdf(out, len);
    assert_true(has(out, len, "/URI (http://linli.example/h5/#/funds/12)"));
    assert_false(pdf_qr(p, NULL, 40, NULL));
    arena_free(a);
}

static cairo_status_t png_out(void *closure, const unsigned char *data, unsigned int length)
{
    strbuf_add(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void test_pdf_images_by_content(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "photo", NOW_MS, 4 * 1024 * 1024);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 20);
    /* a JPEG's start of image and baseline frame header: 32 × 16 pixels */
    static const unsigned char jpeg[] = { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
                                          0x10, 0x00, 0x20, 0x03, 0x01, 0x22, 0x00, 0x02,
                                          0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9 };
    const char *png, *out;
    size_t png_len = 0, len = 0;
    StrBuf sb;

    (void)state;
    strbuf_init(&sb, a, 1024 * 1024);
    cairo_surface_write_to_png_stream(s, png_out, &sb);
    cairo_surface_destroy(s);
    png = strbuf_finish(&sb, &png_len);
    assert_true(pdf_image(p, png, png_len, 80, 60));
    assert_false(pdf_image(p, "GIF89a not a png", 16, 80, 60));
    assert_false(pdf_image(p, png, 20, 80, 60)); /* a PNG cut short */
    {
        /* a header that claims 100000 × 100000 pixels: refused before decoding */
        char *huge = arena_memdup(a, png, png_len);

        memcpy(huge + 16, "\x00\x01\x86\xa0\x00\x01\x86\xa0", 8);
        assert_false(pdf_image(p, huge, png_len, 80, 60));
    }
    assert_true(pdf_image(p, jpeg, sizeof(jpeg), 80, 60));
    out = pdf_finish(p, &len, NULL);
    assert_whole_pdf(out, len);
    assert_true(has(out, len, "/DCTDecode")); /* the JPEG embedded as it is */
    arena_free(a);
}

static void test_pdf_max_is_kept(void **state)
{
    Arena *a = arena_new(0);
    Pdf *p = pdf_new(a, "small", NOW_MS, 512);
    size_t len = 0;

    (void)state;
    pdf_title(p, "放不下的文件");
    assert_null(pdf_finish(p, &len, NULL));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_short_document_is_one_page),
        cmocka_unit_test(test_pdf_long_table_takes_several_pages),
        cmocka_unit_test(test_pdf_long_paragraph_continues),
        cmocka_unit_test(test_pdf_page_break),
        cmocka_unit_test(test_pdf_qr_links_its_url),
        cmocka_unit_test(test_pdf_images_by_content),
        cmocka_unit_test(test_pdf_max_is_kept),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
