#pragma once
/*
 * Router: a table of method + pattern -> handler. Patterns are paths whose
 * "{name}" segments match any one non-empty segment and are handed to the
 * handler in req->params, in order. Modules add their routes at start-up;
 * the table is read-only while serving.
 */
#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "http/response.h"

typedef Error *(*Handler)(Request *req, Response *res);

enum {
    ROUTE_PUBLIC = 1 << 0,     /* no session needed */
    ROUTE_LARGE_BODY = 1 << 1, /* body up to ROUTER_LARGE_BODY (file uploads) */
    /*
     * A GET whose answer depends only on the user, the path and query, the
     * day, and the registry's tables within the user's scope (data_version
     * 'registry' and its parts, store.h): answered from the thread's cache
     * (http/cache.h) while that version is current.
     */
    ROUTE_CACHED = 1 << 2,
    /*
     * The body is one file of at most ROUTER_FILE_BODY (photos, attachments):
     * read up to ROUTER_LARGE_BODY so that the handler answers its own 413,
     * and beyond that the server's 413 names the file's limit too.
     */
    ROUTE_FILE_BODY = 1 << 3,
    /*
     * Open to an account registered by phone that waits for staff to
     * confirm her address (User.pending): her own account, the assistant,
     * the announcements she may see. Every other route answers her 403.
     */
    ROUTE_PENDING = 1 << 4,
};

#define ROUTER_MAX_BODY (1024 * 1024)
#define ROUTER_LARGE_BODY (16 * 1024 * 1024)
#define ROUTER_FILE_BODY (5 * 1024 * 1024)
#define ROUTER_MAX_ROUTES 384

typedef struct Route {
    const char *method;
    const char *pattern;
    Handler handler;
    unsigned flags;
    char buf[160];            /* the pattern, split in place */
    const char *segments[16];
    int n_segments;
} Route;

typedef struct Router {
    Route routes[ROUTER_MAX_ROUTES];
    int n_routes;
    /* paths under fallback_prefix that match no route (404) or no method (405) go to fallback */
    const char *fallback_prefix;
    Handler fallback;
} Router;

void router_init(Router *r);
void router_add(Router *r, const char *method, const char *pattern, Handler h, unsigned flags);

/*
 * Answers unmatched paths under @prefix with @h (an API with its own error
 * format); req->status is 404 or 405 when @h is called, without a store.
 */
void router_set_fallback(Router *r, const char *prefix, Handler h);

typedef enum RouteMatch { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD } RouteMatch;

/* Finds the route for @method @path, filling req->params. */
RouteMatch router_match(const Router *r, const char *method, const char *path, Request *req,
                        const Route **ret);

/* Every API route, in the order added (for `linli routes` and the OpenAPI test). */
void router_each(const Router *r, void (*fn)(const Route *route, void *ctx), void *ctx);

/* Builds the full route table: every module's routes. */
void routes_register_all(Router *r);
