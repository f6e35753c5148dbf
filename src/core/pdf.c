/*
 * The document writer of pdf.h. The calls append items (a title, a
 * paragraph, a table row, …) to a list; pdf_finish() walks the list twice
 * with the same layout code: the first walk draws onto a PDF surface whose
 * bytes are thrown away, only to learn the number of pages for "共 M 页";
 * the second draws the file. Both walks break pages at the same places,
 * since the footer takes the same height whatever its numbers.
 *
 * Units are PDF points (1/72 inch); Pango's context is set to 72 dpi so
 * that a 10.5 pt font is 10.5 points on paper. Paragraphs are drawn line
 * by line so that a long one continues on the next page; a table row is
 * never split, and a cell shows at most CELL_LINES_MAX lines, so that a
 * row always fits on a page.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <string.h>

#include "core/pdf.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210.0 * MM)
#define PAGE_H (297.0 * MM)
#define LEFT (20.0 * MM)
#define TOP (18.0 * MM)
#define TEXT_W (PDF_TEXT_WIDTH_MM * MM)
#define BOTTOM (PAGE_H - 22.0 * MM) /* where the body ends */
#define FOOTER_Y (PAGE_H - 15.0 * MM)
#define FONT "Noto Sans CJK SC"
#define CELL_PAD_X 3.0
#define CELL_PAD_Y 2.5
#define CELL_LINES_MAX 12
#define IMAGE_PIXELS_MAX (24 * 1000 * 1000) /* a 6000 × 4000 photo */

typedef enum ItemKind {
    ITEM_TITLE,
    ITEM_HEADING,
    ITEM_PARAGRAPH,
    ITEM_NOTE,
    ITEM_FIELD,
    ITEM_SPACE,
    ITEM_PAGE_BREAK,
    ITEM_TABLE,
    ITEM_ROW,
    ITEM_QR,
    ITEM_IMAGE,
} ItemKind;

typedef struct Table {
    PdfColumn cols[PDF_COLUMNS_MAX];
    int n_cols;
} Table;

typedef struct Item {
    ItemKind kind;
    const char *text;         /* title, heading, paragraph, note; a field's value; a QR's URL */
    const char *label;        /* a field's label; a QR's caption */
    const char **cells;       /* a row's */
    const Table *table;       /* a table's or a row's */
    double mm;                /* space; QR size; image box width */
    double mm2;               /* image box height */
    const unsigned char *data; /* an image's bytes */
    size_t len;
    bool jpeg;
    int px_w, px_h;           /* a JPEG's size in pixels */
} Item;

struct Pdf {
    Arena *arena;
    const char *title;
    int64_t now_ms;
    size_t max;
    Item *items;
    size_t n, cap;
    const Table *table; /* the last table, for its rows */
};

/* One walk over the items. */
typedef struct Render {
    const Pdf *p;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoContext *ctx;
    double y;    /* the top of the next item */
    int page;    /* the current page, from 1 */
    int total;   /* the pages of the document; 0 while counting */
    const char *generated; /* "生成时间 …" */
} Render;

Pdf *pdf_new(Arena *a, const char *title, int64_t now_ms, size_t max)
{
    Pdf *p = arena_zalloc(a, sizeof(*p));

    p->arena = a;
    p->title = arena_strdup(a, title ? title : "");
    p->now_ms = now_ms;
    p->max = max;
    p->cap = 32;
    p->items = arena_alloc(a, p->cap * sizeof(*p->items));
    return p;
}

static Item *add(Pdf *p, ItemKind kind, const char *text)
{
    Item *it;

    p->items = arena_grow(p->arena, p->items, p->n, &p->cap, sizeof(*p->items));
    it = &p->items[p->n++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->text = arena_strdup(p->arena, text ? text : "");
    return it;
}

void pdf_title(Pdf *p, const char *text)
{
    add(p, ITEM_TITLE, text);
}

void pdf_heading(Pdf *p, const char *text)
{
    add(p, ITEM_HEADING, text);
}

void pdf_paragraph(Pdf *p, const char *text)
{
    add(p, ITEM_PARAGRAPH, text);
}

void pdf_note(Pdf *p, const char *text)
{
    add(p, ITEM_NOTE, text);
}

void pdf_field(Pdf *p, const char *label, const char *value)
{
    Item *it = add(p, ITEM_FIELD, value && *value ? value : "—");

    it->label = arena_strdup(p->arena, label ? label : "");
}

void pdf_space(Pdf *p, double mm)
{
    add(p, ITEM_SPACE, NULL)->mm = mm;
}

void pdf_page_break(Pdf *p)
{
    add(p, ITEM_PAGE_BREAK, NULL);
}

void pdf_table(Pdf *p, const PdfColumn *cols, int n_cols)
{
    Table *t = arena_zalloc(p->arena, sizeof(*t));

    if (n_cols > PDF_COLUMNS_MAX)
        n_cols = PDF_COLUMNS_MAX;
    for (int i = 0; i < n_cols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].label = arena_strdup(p->arena, cols[i].label ? cols[i].label : "");
    }
    t->n_cols = n_cols;
    p->table = t;
    add(p, ITEM_TABLE, NULL)->table = t;
}

void pdf_table_row(Pdf *p, const char *const *cells)
{
    const Table *t = p->table;
    Item *it;

    if (!t)
        return;
    it = add(p, ITEM_ROW, NULL);
    it->table = t;
    it->cells = arena_alloc(p->arena, t->n_cols * sizeof(*it->cells));
    for (int i = 0; i < t->n_cols; i++)
        it->cells[i] = arena_strdup(p->arena, cells[i] ? cells[i] : "");
}

bool pdf_qr(Pdf *p, const char *url, double size_mm, const char *caption)
{
    QRcode *qr = url ? QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;
    Item *it;

    if (!qr)
        return false;
    QRcode_free(qr);
    it = add(p, ITEM_QR, url);
    it->mm = size_mm;
    it->label = caption ? arena_strdup(p->arena, caption) : NULL;
    return true;
}

/* A JPEG's size from its first SOFn segment; false if there is none. */
static bool jpeg_size(const unsigned char *d, size_t len, int *ret_w, int *ret_h)
{
    size_t i = 2;

    if (len < 4 || d[0] != 0xFF || d[1] != 0xD8)
        return false;
    while (i + 9 < len) {
        unsigned m;
        size_t seg;

        if (d[i] != 0xFF)
            return false;
        m = d[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        seg = (size_t)d[i + 2] << 8 | d[i + 3];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *ret_h = d[i + 5] << 8 | d[i + 6];
            *ret_w = d[i + 7] << 8 | d[i + 8];
            return *ret_w > 0 && *ret_h > 0;
        }
        if (seg < 2)
            return false;
        i += 2 + seg;
    }
    return false;
}

typedef struct Reader {
    const unsigned char *data;
    size_t len, off;
} Reader;

static cairo_status_t read_bytes(void *closure, unsigned char *data, unsigned int length)
{
    Reader *r = closure;

    if (length > r->len - r->off)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->data + r->off, length);
    r->off += length;
    return CAIRO_STATUS_SUCCESS;
}

/* The image of @it as a cairo surface (the caller destroys it), or NULL. */
static cairo_surface_t *image_surface(const Item *it)
{
    cairo_surface_t *s;
    Reader rd = { it->data, it->len, 0 };

    if (!it->jpeg)
        s = cairo_image_surface_create_from_png_stream(read_bytes, &rd);
    else {
        /*
         * The PDF embeds the JPEG's bytes as they are (DCTDecode); the
         * blank image surface of its size is only what cairo would draw
         * on a surface that cannot take JPEG data.
         */
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, it->px_w, it->px_h);
        if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS)
            cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, it->data, it->len, NULL, NULL);
    }
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    return s;
}

bool pdf_image(Pdf *p, const void *data, size_t len, double max_w_mm, double max_h_mm)
{
    const unsigned char *d = data;
    cairo_surface_t *s;
    Item probe = { .data = d, .len = len };
    Item *it;

    if (!d || len < 8)
        return false;
    if (jpeg_size(d, len, &probe.px_w, &probe.px_h))
        probe.jpeg = true;
    else if (len < 24 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0)
        return false;
    else { /* the IHDR chunk's width and height, read before cairo decodes (and allocates) */
        uint32_t w = (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19];
        uint32_t h = (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 | d[23];

        if ((uint64_t)w * h > IMAGE_PIXELS_MAX)
            return false;
        probe.px_w = (int)w;
        probe.px_h = (int)h;
    }
    if ((int64_t)probe.px_w * probe.px_h > IMAGE_PIXELS_MAX)
        return false;
    if (!probe.jpeg) {
        s = image_surface(&probe);
        if (!s)
            return false;
        cairo_surface_destroy(s);
    }
    it = add(p, ITEM_IMAGE, NULL);
    it->data = arena_memdup(p->arena, d, len);
    it->len = len;
    it->jpeg = probe.jpeg;
    it->px_w = probe.px_w;
    it->px_h = probe.px_h; /* a PNG's are read again from the decoded surface */
    it->mm = max_w_mm;
    it->mm2 = max_h_mm;
    return true;
}

/* ---- layout ---- */

static PangoLayout *layout_new(Render *r, const char *text, const char *font, double width,
                               PangoAlignment align)
{
    PangoLayout *l = pango_layout_new(r->ctx);
    PangoFontDescription *fd = pango_font_description_from_string(font);

    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text, -1);
    return l;
}

static double layout_height(PangoLayout *l)
{
    int w, h;

    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void footer(Render *r)
{
    cairo_t *cr = r->cr;
    const char *pages = r->total ? "第 %d 页 共 %d 页" : "第 %d 页";
    char num[64];
    PangoLayout *l;

    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, LEFT, FOOTER_Y - 2);
    cairo_line_to(cr, LEFT + TEXT_W, FOOTER_Y - 2);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);

    l = layout_new(r, r->p->title, FONT " 8", 70 * MM, PANGO_ALIGN_LEFT);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    cairo_move_to(cr, LEFT, FOOTER_Y);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);

    snprintf(num, sizeof(num), pages, r->page, r->total);
    l = layout_new(r, num, FONT " 8", TEXT_W, PANGO_ALIGN_CENTER);
    cairo_move_to(cr, LEFT, FOOTER_Y);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);

    l = layout_new(r, r->generated, FONT " 8", TEXT_W, PANGO_ALIGN_RIGHT);
    cairo_move_to(cr, LEFT, FOOTER_Y);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);
    cairo_restore(cr);
}

static void new_page(Render *r)
{
    footer(r);
    cairo_show_page(r->cr);
    r->page++;
    r->y = TOP;
}

/* A new page unless @h more fits on this one (or the page is still empty). */
static void ensure(Render *r, double h)
{
    if (r->y + h > BOTTOM && r->y > TOP)
        new_page(r);
}

/* @l at @x, line by line, each line on the next page when it does not fit. */
static void show_lines(Render *r, PangoLayout *l, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);

    do {
        PangoRectangle log;
        double h;
        int baseline = pango_layout_iter_get_baseline(it);

        pango_layout_iter_get_line_extents(it, NULL, &log);
        h = (double)log.height / PANGO_SCALE;
        ensure(r, h);
        cairo_move_to(r->cr, x + (double)log.x / PANGO_SCALE,
                      r->y + (double)(baseline - log.y) / PANGO_SCALE);
        pango_cairo_show_layout_line(r->cr, pango_layout_iter_get_line_readonly(it));
        r->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static void text_item(Render *r, const Item *it)
{
    const char *font = FONT " 10.5";
    PangoAlignment align = PANGO_ALIGN_LEFT;
    double before = 0, after = 2.0 * MM, grey = 0;
    PangoLayout *l;

    switch (it->kind) {
    case ITEM_TITLE:
        font = FONT " Bold 17";
        align = PANGO_ALIGN_CENTER;
        after = 5.0 * MM;
        break;
    case ITEM_HEADING:
        font = FONT " Bold 12.5";
        before = 3.0 * MM;
        after = 2.0 * MM;
        break;
    case ITEM_NOTE:
        font = FONT " 9";
        grey = 0.4;
        break;
    case ITEM_FIELD:
        after = 1.2 * MM;
        break;
    default:
        break;
    }
    if (r->y > TOP)
        r->y += before;
    if (it->kind == ITEM_FIELD) {
        const char *text = arena_sprintf(r->p->arena, "%s：%s", it->label, it->text);
        PangoAttrList *attrs = pango_attr_list_new();
        PangoAttribute *bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);

        l = layout_new(r, text, font, TEXT_W, align);
        bold->start_index = 0;
        bold->end_index = (guint)(strlen(it->label) + strlen("："));
        pango_attr_list_insert(attrs, bold);
        pango_layout_set_attributes(l, attrs);
        pango_attr_list_unref(attrs);
    } else {
        l = layout_new(r, it->text, font, TEXT_W, align);
    }
    if (it->kind == ITEM_HEADING)
        ensure(r, layout_height(l) + 12.0 * MM); /* not alone at the foot of a page */
    cairo_set_source_rgb(r->cr, grey, grey, grey);
    show_lines(r, l, LEFT);
    cairo_set_source_rgb(r->cr, 0, 0, 0);
    g_object_unref(l);
    r->y += after;
}

/* The layouts of a row's cells (the caller unrefs them) and the row's height. */
static double row_layouts(Render *r, const Table *t, const char *const *cells, bool header,
                          PangoLayout **ret)
{
    double h = 0;

    for (int i = 0; i < t->n_cols; i++) {
        double w = t->cols[i].width_mm * MM - 2 * CELL_PAD_X;

        ret[i] = layout_new(r, cells[i], header ? FONT " Bold 9" : FONT " 9", w > 1 ? w : 1,
                            t->cols[i].right && !header ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        pango_layout_set_height(ret[i], -CELL_LINES_MAX);
        pango_layout_set_ellipsize(ret[i], PANGO_ELLIPSIZE_END);
        if (layout_height(ret[i]) > h)
            h = layout_height(ret[i]);
    }
    return h + 2 * CELL_PAD_Y;
}

static void draw_row(Render *r, const Table *t, PangoLayout **cells, double h, bool header)
{
    cairo_t *cr = r->cr;
    double x = LEFT;

    for (int i = 0; i < t->n_cols; i++) {
        double w = t->cols[i].width_mm * MM;

        if (header) {
            cairo_set_source_rgb(cr, 0.9, 0.92, 0.95);
            cairo_rectangle(cr, x, r->y, w, h);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        cairo_set_line_width(cr, 0.5);
        cairo_rectangle(cr, x, r->y, w, h);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x + CELL_PAD_X, r->y + CELL_PAD_Y);
        pango_cairo_show_layout(cr, cells[i]);
        x += w;
    }
    r->y += h;
}

static void header_row(Render *r, const Table *t)
{
    const char *labels[PDF_COLUMNS_MAX];
    PangoLayout *l[PDF_COLUMNS_MAX];
    double h;

    for (int i = 0; i < t->n_cols; i++)
        labels[i] = t->cols[i].label;
    h = row_layouts(r, t, labels, true, l);
    draw_row(r, t, l, h, true);
    for (int i = 0; i < t->n_cols; i++)
        g_object_unref(l[i]);
}

/* The table's header, on a new page unless it and its first row fit here. */
static void table_item(Render *r, const Item *it, const Item *next)
{
    const Table *t = it->table;
    const char *labels[PDF_COLUMNS_MAX];
    PangoLayout *l[PDF_COLUMNS_MAX];
    double h, first = 0;

    for (int i = 0; i < t->n_cols; i++)
        labels[i] = t->cols[i].label;
    h = row_layouts(r, t, labels, true, l);
    for (int i = 0; i < t->n_cols; i++)
        g_object_unref(l[i]);
    if (next && next->kind == ITEM_ROW && next->table == t) {
        first = row_layouts(r, t, next->cells, false, l);
        for (int i = 0; i < t->n_cols; i++)
            g_object_unref(l[i]);
    }
    ensure(r, h + first);
    header_row(r, t);
}

/* A row; on a new page under the header again when it does not fit. */
static void row_item(Render *r, const Item *it, const Item *next)
{
    PangoLayout *l[PDF_COLUMNS_MAX];
    double h = row_layouts(r, it->table, it->cells, false, l);

    if (r->y + h > BOTTOM) {
        new_page(r);
        header_row(r, it->table);
    }
    draw_row(r, it->table, l, h, false);
    for (int i = 0; i < it->table->n_cols; i++)
        g_object_unref(l[i]);
    if (!next || next->kind != ITEM_ROW || next->table != it->table)
        r->y += 3.0 * MM;
}

/* The URL as a value of a cairo tag attribute: quoted, with ' and \ escaped. */
static const char *link_attr(Arena *a, const char *url)
{
    StrBuf sb;

    strbuf_init(&sb, a, 8 * 1024);
    strbuf_adds(&sb, "uri='");
    for (const char *s = url; *s; s++) {
        if (*s == '\'' || *s == '\\')
            strbuf_addc(&sb, '\\');
        strbuf_addc(&sb, *s);
    }
    strbuf_addc(&sb, '\'');
    return strbuf_finish(&sb, NULL);
}

static void qr_item(Render *r, const Item *it)
{
    QRcode *qr = QRcode_encodeString(it->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    const int quiet = 2;
    double size = it->mm * MM, unit, x0, caption_h = 0;
    PangoLayout *l = NULL;
    const char *attr;

    if (!qr)
        return;
    if (it->label) {
        l = layout_new(r, it->label, FONT " 9", TEXT_W, PANGO_ALIGN_CENTER);
        caption_h = layout_height(l) + 1.0 * MM;
    }
    ensure(r, size + caption_h);
    unit = size / (qr->width + 2 * quiet);
    x0 = LEFT + (TEXT_W - size) / 2;
    attr = link_attr(r->p->arena, it->text);
    cairo_tag_begin(r->cr, CAIRO_TAG_LINK, attr);
    cairo_set_source_rgb(r->cr, 0, 0, 0);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1)
                cairo_rectangle(r->cr, x0 + (x + quiet) * unit, r->y + (y + quiet) * unit, unit,
                                unit);
    cairo_fill(r->cr);
    cairo_tag_end(r->cr, CAIRO_TAG_LINK);
    r->y += size;
    if (l) {
        cairo_move_to(r->cr, LEFT, r->y);
        pango_cairo_show_layout(r->cr, l);
        g_object_unref(l);
        r->y += caption_h;
    }
    r->y += 2.0 * MM;
    QRcode_free(qr);
}

static void image_item(Render *r, const Item *it)
{
    cairo_surface_t *s = image_surface(it);
    double w, h, scale;

    if (!s)
        return;
    w = it->jpeg ? it->px_w : cairo_image_surface_get_width(s);
    h = it->jpeg ? it->px_h : cairo_image_surface_get_height(s);
    scale = it->mm * MM / w;
    if (h * scale > it->mm2 * MM)
        scale = it->mm2 * MM / h;
    ensure(r, h * scale);
    cairo_save(r->cr);
    cairo_translate(r->cr, LEFT + (TEXT_W - w * scale) / 2, r->y);
    cairo_scale(r->cr, scale, scale);
    cairo_set_source_surface(r->cr, s, 0, 0);
    cairo_paint(r->cr);
    cairo_restore(r->cr);
    cairo_surface_destroy(s);
    r->y += h * scale + 2.0 * MM;
}

static cairo_status_t write_bytes(void *closure, const unsigned char *data, unsigned int length)
{
    StrBuf *sb = closure;

    if (sb)
        strbuf_add(sb, (const char *)data, length);
    return sb && sb->overflow ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/*
 * Lays @p out onto a PDF written to @sb (NULL: nowhere) with @total pages
 * in the footers (0: unknown). *ret_pages: the pages it took. False when
 * cairo failed.
 */
static bool render(const Pdf *p, StrBuf *sb, int total, int *ret_pages)
{
    cairo_font_options_t *fo = NULL;
    Render r = { .p = p, .page = 1, .y = TOP, .total = total };
    char when[TIME_RFC3339_BUF];
    bool ok;

    r.generated = arena_sprintf(p->arena, "生成时间 %s",
                                time_format_local(p->arena, p->now_ms, TIME_OFFSET_SHANGHAI, true));
    r.surface = cairo_pdf_surface_create_for_stream(write_bytes, sb, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_TITLE, p->title);
    cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_CREATOR, "linli");
    time_rfc3339_buf(when, p->now_ms);
    cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_CREATE_DATE, when);
    r.cr = cairo_create(r.surface);
    r.ctx = pango_cairo_create_context(r.cr);
    pango_cairo_context_set_resolution(r.ctx, 72);
    fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(r.ctx, fo);
    cairo_font_options_destroy(fo);

    for (size_t i = 0; i < p->n; i++) {
        const Item *it = &p->items[i], *next = i + 1 < p->n ? &p->items[i + 1] : NULL;

        switch (it->kind) {
        case ITEM_SPACE:
            r.y += it->mm * MM;
            break;
        case ITEM_PAGE_BREAK:
            if (r.y > TOP)
                new_page(&r);
            break;
        case ITEM_TABLE:
            table_item(&r, it, next);
            break;
        case ITEM_ROW:
            row_item(&r, it, next);
            break;
        case ITEM_QR:
            qr_item(&r, it);
            break;
        case ITEM_IMAGE:
            image_item(&r, it);
            break;
        default:
            text_item(&r, it);
            break;
        }
    }
    footer(&r);
    g_object_unref(r.ctx);
    cairo_destroy(r.cr);
    cairo_surface_finish(r.surface);
    ok = cairo_surface_status(r.surface) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(r.surface);
    *ret_pages = r.page;
    return ok;
}

const char *pdf_finish(Pdf *p, size_t *ret_len, int *ret_pages)
{
    int pages = 0, again = 0;
    StrBuf sb;
    const char *out;

    if (!render(p, NULL, 0, &pages))
        return NULL;
    strbuf_init(&sb, p->arena, p->max);
    if (!render(p, &sb, pages, &again))
        return NULL;
    out = strbuf_finish(&sb, ret_len);
    if (out && ret_pages)
        *ret_pages = again;
    return out;
}
