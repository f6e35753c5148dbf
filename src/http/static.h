#pragma once
/*
 * Serves the built web pages (web/dist): "/" is the staff console
 * (index.html), "/h5/" the resident pages (h5.html); unknown paths without
 * a file extension fall back to the page of their app, so client-side
 * routes survive a reload. Paths with ".." are refused.
 */
#include <stdbool.h>

#include "http/request.h"
#include "http/response.h"

/* Fills @res for GET @path under @web_dir; false if nothing matches (404). */
bool static_serve(Request *req, Response *res, const char *web_dir, const char *path);
