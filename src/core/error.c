#include "core/error.h"

#include <stdarg.h>
#include "core/banned.h"


Error *error_new(Arena *a, int status, const char *field, const char *code, const char *message)
{
    Error *e = arena_alloc(a, sizeof(Error));

    e->status = status;
    e->code = code;
    e->message = message;
    e->field = field;
    e->detail = NULL;
    return e;
}

Error *error_bad_request(Arena *a, const char *field, const char *code, const char *message)
{
    return error_new(a, 400, field, code, message);
}

Error *error_invalid(Arena *a, const char *field, const char *code, const char *message)
{
    return error_new(a, 422, field, code, message);
}

Error *error_unauthorized(Arena *a)
{
    return error_new(a, 401, NULL, "unauthorized", "请先登录");
}

Error *error_forbidden(Arena *a, const char *message)
{
    return error_new(a, 403, NULL, "forbidden", message ? message : "您没有权限进行此操作");
}

Error *error_not_found(Arena *a, const char *field, const char *message)
{
    return error_new(a, 404, field, "not_found", message ? message : "找不到该记录，可能已被删除或不在您的管辖范围内");
}

Error *error_conflict(Arena *a, const char *field, const char *code, const char *message)
{
    return error_new(a, 409, field, code, message);
}

Error *error_too_large(Arena *a, const char *message)
{
    return error_new(a, 413, NULL, "too_large", message ? message : "提交的内容过大，请不要超过 1 MB");
}

Error *error_internal(Arena *a, const char *fmt, ...)
{
    Error *e = error_new(a, 500, NULL, "internal", ERROR_INTERNAL_MESSAGE);
    va_list ap;

    va_start(ap, fmt);
    e->detail = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return e;
}
