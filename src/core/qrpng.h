#pragma once
/*
 * QR posters as PNG (qrpng.c, cairo and libqrencode): the rooms' door
 * posters (booking) and the meetings' sign-in codes (votes).
 */
#include <stddef.h>

#include "core/arena.h"

/*
 * @title on top, the QR code of @url (error correction M), @caption below,
 * 800x960 pixels, in @a; NULL if @url cannot be encoded or the PNG not drawn.
 */
const char *qr_poster_png(Arena *a, const char *url, const char *title, const char *caption,
                          size_t *ret_len);
