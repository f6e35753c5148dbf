/*
 * A printable QR poster as PNG (see qrpng.h), drawn with cairo. Text goes
 * through cairo's toy font API, which asks fontconfig for a CJK sans face
 * (Debian's fonts-noto-cjk).
 */
#include <cairo.h>
#include <qrencode.h>
#include <stdbool.h>
#include <string.h>

#include "core/qrpng.h"
#include "core/strbuf.h"
#include "core/banned.h"

#define PNG_MAX (2 * 1024 * 1024)
#define PNG_W 800
#define PNG_H 960
#define PNG_FONT "Noto Sans CJK SC"

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int length)
{
    strbuf_add(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

/* @text centred at @y (its baseline), shrunk until it fits the width. */
static void centred_text(cairo_t *cr, const char *text, double size, double y, bool bold)
{
    cairo_text_extents_t ext;

    cairo_select_font_face(cr, PNG_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    for (;;) {
        cairo_set_font_size(cr, size);
        cairo_text_extents(cr, text, &ext);
        if (ext.width <= PNG_W - 80 || size <= 12)
            break;
        size *= 0.9;
    }
    cairo_move_to(cr, (PNG_W - ext.width) / 2 - ext.x_bearing, y);
    cairo_show_text(cr, text);
}

const char *qr_poster_png(Arena *a, const char *url, const char *title, const char *caption,
                           size_t *ret_len)
{
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    const int quiet = 4, size = 640, top = 130;
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    const char *out = NULL;
    double unit;
    StrBuf sb;

    if (!qr)
        return NULL;
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, PNG_W, PNG_H);
    cr = cairo_create(surface);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        goto out;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    centred_text(cr, title, 60, 96, true);
    unit = (double)size / (qr->width + 2 * quiet);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1)
                cairo_rectangle(cr, (PNG_W - size) / 2.0 + (x + quiet) * unit, top + (y + quiet) * unit,
                                unit, unit);
    cairo_fill(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    centred_text(cr, caption, 40, top + size + 70, false);
    strbuf_init(&sb, a, PNG_MAX);
    if (cairo_surface_write_to_png_stream(surface, png_write, &sb) == CAIRO_STATUS_SUCCESS)
        out = strbuf_finish(&sb, ret_len);
out:
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    QRcode_free(qr);
    return out;
}
