#pragma once
/*
 * Error: the one error type on a request's path. A function that can fail
 * returns Error * (NULL on success); the error is allocated in the request's
 * arena and rendered once, by http/response.c, as
 * {"error":{"code","message","field"}}.
 */
#include "core/arena.h"

typedef struct Error {
    int status;          /* HTTP status: 400, 401, 403, 404, 409, 413, 422, 500 */
    const char *code;    /* stable, for machines: "invalid_phone" */
    const char *message; /* for people, in Chinese */
    const char *field;   /* offending field, or NULL */
    const char *detail;  /* internal errors only: logged, never shown */
} Error;

Error *error_new(Arena *a, int status, const char *field, const char *code, const char *message);

/* 400: the request itself is malformed (JSON syntax, wrong content type). */
Error *error_bad_request(Arena *a, const char *field, const char *code, const char *message);
/* 422: a field holds a value we cannot accept. */
Error *error_invalid(Arena *a, const char *field, const char *code, const char *message);
Error *error_unauthorized(Arena *a);
Error *error_forbidden(Arena *a, const char *message);
Error *error_not_found(Arena *a, const char *field, const char *message);
Error *error_conflict(Arena *a, const char *field, const char *code, const char *message);
Error *error_too_large(Arena *a, const char *message);
/* 500: @fmt is the internal detail, logged with the request id. */
Error *error_internal(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The Chinese message shown for every internal error. */
#define ERROR_INTERNAL_MESSAGE "服务器内部错误，请稍后再试"
