#pragma once
/*
 * Response: what a handler fills in. Set one body: JSON (response_json) or
 * bytes (response_bytes). http/server.c renders it, and renders an Error
 * returned by a handler as {"error":{"code","message","field"}}.
 */
#include <jansson.h>
#include <stddef.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/jsonw.h"
#include "http/request.h"

#define RESPONSE_MAX_HEADERS 8
/* the largest JSON text a handler writes with core/jsonw.h */
#define RESPONSE_JSON_MAX (16u * 1024 * 1024)

typedef struct Response {
    int status;
    json_t *json;             /* owned; released after sending */
    const void *body;         /* arena memory, or static */
    size_t body_len;
    const char *content_type;
    int fd;                   /* a file to send, or -1; closed by the server */
    size_t fd_size;
    const char *headers[RESPONSE_MAX_HEADERS][2];
    int n_headers;
} Response;

void response_init(Response *res);

/* Takes ownership of @j. Always returns NULL, so a handler can `return response_json(...)`. */
Error *response_json(Response *res, int status, json_t *j);
/*
 * JSON already written as text (hot read paths, core/jsonw.h), sent as
 * response_json would send it. A writer that failed (invalid UTF-8, too
 * large) is our bug: a 500.
 */
Error *response_json_text(Request *req, Response *res, int status, JsonW *w);
/* JSON text (arena memory) with the headers every JSON answer has. */
void response_json_bytes(Response *res, int status, const char *text, size_t len);
/* @data must live as long as the request's arena. */
Error *response_bytes(Response *res, int status, const char *content_type, const void *data,
                      size_t len);
void response_header(Response *res, const char *name, const char *value);
/*
 * A stored photo, @dir/@file, sent as @mime from its open file and cached
 * privately for an hour; 404 naming "id" when the file is gone. @sealed:
 * the key photo_save sealed it with (read whole and opened), or NULL.
 */
Error *response_photo(Request *req, Response *res, const CryptoKeys *sealed, const char *dir,
                      const char *file, const char *mime);
/*
 * Content-Disposition: attachment, named @ascii_name (plain ASCII, for old
 * clients) and @name (UTF-8, RFC 5987's filename*, for browsers that read
 * it: "居民台账-和平社区-2026-11-23.xlsx"). Strings in @a.
 */
void response_attachment(Response *res, Arena *a, const char *ascii_name, const char *name);

/* {"error":{...}} for @err. New reference. */
json_t *response_error_json(const Error *err, const char *request_id);

/* json helpers for handlers: a string or JSON null. */
json_t *json_string_or_null(const char *s);
