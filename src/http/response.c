#include "http/response.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

Error *response_file(Request *req, Response *res, const char *path, const char *mime)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return error_not_found(req->arena, "id", "照片文件已不存在");
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return error_internal(req->arena, "cannot stat '%s'", path);
    }
    res->status = 200;
    res->fd = fd;
    res->fd_size = (size_t)sb.st_size;
    res->content_type = mime;
    response_header(res, "Cache-Control", "private, max-age=3600");
    return NULL;
}
