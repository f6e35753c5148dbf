#include "http/response.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "http/request.h"
#include "core/banned.h"


void response_init(Response *res)
{
    memset(res, 0, sizeof(*res));
    res->fd = -1;
}

Error *response_json(Response *res, int status, json_t *j)
{
    if (res->json)
        json_decref(res->json);
    res->status = status;
    res->json = j;
    return NULL;
}

Error *response_json_text(Request *req, Response *res, int status, JsonW *w)
{
    size_t len;
    const char *text = jsonw_finish(w, &len);

    if (!text)
        return error_internal(req->arena, "response JSON: invalid UTF-8 or too large");
    response_json_bytes(res, status, text, len);
    return NULL;
}

void response_json_bytes(Response *res, int status, const char *text, size_t len)
{
    response_bytes(res, status, "application/json; charset=utf-8", text, len);
    response_header(res, "Cache-Control", "no-store");
}

Error *response_bytes(Response *res, int status, const char *content_type, const void *data,
                      size_t len)
{
    res->status = status;
    res->content_type = content_type;
    res->body = data;
    res->body_len = len;
    return NULL;
}

void response_header(Response *res, const char *name, const char *value)
{
    if (res->n_headers >= RESPONSE_MAX_HEADERS)
        return;
    res->headers[res->n_headers][0] = name;
    res->headers[res->n_headers][1] = value;
    res->n_headers++;
}

/* RFC 5987: UTF-8, every byte but letters, digits and -._~ as %XX. */
static char *percent_encode(Arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = arena_alloc(a, strlen(s) * 3 + 1);
    char *p = out;

    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
            strchr("-._~", *q)) {
            *p++ = (char)*q;
        } else {
            *p++ = '%';
            *p++ = hex[*q >> 4];
            *p++ = hex[*q & 15];
        }
    }
    *p = '\0';
    return out;
}

void response_attachment(Response *res, Arena *a, const char *ascii_name, const char *name)
{
    response_header(res, "Content-Disposition",
                    arena_sprintf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii_name,
                                  percent_encode(a, name)));
}

json_t *json_string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *response_error_json(const Error *err, const char *request_id)
{
    json_t *e = json_object();

    json_object_set_new(e, "code", json_string(err->code));
    if (err->status >= 500)
        json_object_set_new(e, "message",
                            json_sprintf("%s（编号 %s）", err->message, request_id));
    else
        json_object_set_new(e, "message", json_string(err->message));
    json_object_set_new(e, "field", json_string_or_null(err->field));
    return json_pack("{s:o}", "error", e);
}

/* The largest sealed photo read back: photo_save's limits are far below. */
#define SEALED_PHOTO_MAX (64u * 1024 * 1024)

Error *response_photo(Request *req, Response *res, const CryptoKeys *sealed, const char *dir,
                      const char *file, const char *mime)
{
    const char *path = arena_sprintf(req->arena, "%s/%s", dir, file);
    int fd;
    struct stat sb;

    if (sealed) {
        char *data;
        size_t len, n;
        const char *why;
        void *plain;

        if (!file_read_all(req->arena, path, SEALED_PHOTO_MAX, &data, &len, &why))
            return error_not_found(req->arena, "id", "照片文件已不存在");
        plain = crypto_open_bytes(sealed, req->arena, data, len, &n);
        if (!plain)
            return error_internal(req->arena, "photo '%s' cannot be opened with the key", file);
        response_header(res, "Cache-Control", "private, max-age=3600");
        return response_bytes(res, 200, mime, plain, n);
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return error_not_found(req->arena, "id", "照片文件已不存在");
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return error_internal(req->arena, "cannot stat photo '%s'", file);
    }
    res->status = 200;
    res->fd = fd;
    res->fd_size = (size_t)sb.st_size;
    res->content_type = mime;
    response_header(res, "Cache-Control", "private, max-age=3600");
    return NULL;
}
