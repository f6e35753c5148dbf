#pragma once
/*
 * A small document writer for printable exports (a vote's result, a
 * project's 公示): A4 pages with margins, a title, headings, paragraphs
 * that wrap, tables whose cells wrap and whose header repeats on each
 * page, a QR code drawn as vector squares (with a link to its URL), a PNG
 * or JPEG photo scaled into a box, and a footer on every page with the
 * document's title, "第 N 页 共 M 页" and the generation time.
 *
 * Text is laid out by Pango (pangocairo) in "Noto Sans CJK SC"
 * (fonts-noto-cjk) and drawn on cairo's PDF surface; the PDF's metadata
 * carries the title and the creator "linli".
 *
 * The calls record the document; pdf_finish() lays it out twice (once to
 * count the pages for the footer, once for the file) and returns the
 * bytes. Every string is copied into the arena, so callers may pass
 * temporaries. Nothing here knows about any module.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

typedef struct Pdf Pdf;

typedef struct PdfColumn {
    const char *label; /* the header cell */
    double width_mm;   /* the column's width; the widths should add up to PDF_TEXT_WIDTH_MM */
    bool right;        /* right-aligned (amounts) */
} PdfColumn;

#define PDF_TEXT_WIDTH_MM 170.0 /* A4 (210 mm) less 20 mm margins on each side */
#define PDF_COLUMNS_MAX 16

/*
 * A new document titled @title (metadata and footer) generated at @now_ms
 * (Unix ms; the footer shows it in Beijing time), in @a. The finished file
 * may take at most @max bytes.
 */
Pdf *pdf_new(Arena *a, const char *title, int64_t now_ms, size_t max);

/* A large bold centred title. */
void pdf_title(Pdf *p, const char *text);
/* A bold heading of a section. */
void pdf_heading(Pdf *p, const char *text);
/* A paragraph that wraps at the margins; newlines in @text break lines. */
void pdf_paragraph(Pdf *p, const char *text);
/* A smaller grey paragraph (a note). */
void pdf_note(Pdf *p, const char *text);
/* "@label：@value" on one wrapping line, the label bold; NULL or "" value shows "—". */
void pdf_field(Pdf *p, const char *label, const char *value);
/* Vertical space of @mm millimetres. */
void pdf_space(Pdf *p, double mm);
/* Starts the next item on a new page. */
void pdf_page_break(Pdf *p);

/*
 * A table of @n_cols columns (at most PDF_COLUMNS_MAX, copied): rows
 * follow with pdf_table_row(); a row that does not fit on the page goes
 * to the next one under a repeated header.
 */
void pdf_table(Pdf *p, const PdfColumn *cols, int n_cols);
/* A row of the last table: @cells has its n_cols strings (NULL is empty). */
void pdf_table_row(Pdf *p, const char *const *cells);

/*
 * A QR code of @url, @size_mm square, centred, with @caption (may be NULL)
 * under it; the code is a link to @url in the PDF. False when @url cannot
 * be encoded (then nothing is added).
 */
bool pdf_qr(Pdf *p, const char *url, double size_mm, const char *caption);

/*
 * A PNG or JPEG image (by its first bytes) scaled to fit a box of
 * @max_w_mm × @max_h_mm, centred. False when it is neither or cannot be
 * read (then nothing is added), or larger than 24 million pixels. @data is
 * copied; a JPEG is embedded as it is.
 * NEEDSWORK: a JPEG's EXIF orientation is not applied, so a phone photo
 * taken upright may print turned.
 */
bool pdf_image(Pdf *p, const void *data, size_t len, double max_w_mm, double max_h_mm);

/*
 * Lays the document out and returns the PDF (in the arena, *ret_len
 * bytes), or NULL when cairo fails or the file passes the maximum.
 * *ret_pages (may be NULL) is the number of pages.
 */
const char *pdf_finish(Pdf *p, size_t *ret_len, int *ret_pages);
