#pragma once
/*
 * Serves the built web pages (web/dist): "/" is the staff console
 * (index.html), "/h5/" the resident pages (h5.html); unknown paths without
 * a file extension fall back to the page of their app, so client-side
 * routes survive a reload. Paths with ".." are refused.
 *
 * Text assets are served precompressed when the client accepts it: the web
 * build writes FILE.br and FILE.gz beside each (web/vite.config.js), and
 * FILE is answered with the brotli or gzip one and its Content-Encoding,
 * brotli first; "Vary: Accept-Encoding" on every text asset.
 */
#include <stdbool.h>

#include "http/request.h"
#include "http/response.h"

/* Fills @res for GET @path under @web_dir; false if nothing matches (404). */
bool static_serve(Request *req, Response *res, const char *web_dir, const char *path);

/* True if the Accept-Encoding value @header admits @coding (by name or "*", q not 0). */
bool static_accepts(const char *header, const char *coding);
