#include "http/router.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/banned.h"


void router_init(Router *r)
{
    memset(r, 0, sizeof(*r));
}

void router_set_fallback(Router *r, const char *prefix, Handler h)
{
    r->fallback_prefix = prefix;
    r->fallback = h;
}

void router_add(Router *r, const char *method, const char *pattern, Handler h, unsigned flags)
{
    Route *rt;
    char *save = NULL;

    assert(r->n_routes < ROUTER_MAX_ROUTES);
    rt = &r->routes[r->n_routes++];
    rt->method = method;
    rt->pattern = pattern;
    rt->handler = h;
    rt->flags = flags;
    assert(strlen(pattern) < sizeof(rt->buf));
    snprintf(rt->buf, sizeof(rt->buf), "%s", pattern);
    for (char *seg = strtok_r(rt->buf, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        assert(rt->n_segments < 16);
        rt->segments[rt->n_segments++] = seg;
    }
}

static bool match_path(const Route *rt, const char *path, Request *req)
{
    const char *p = path;
    int n_params = 0;
    const char *params[4];

    for (int i = 0; i < rt->n_segments; i++) {
        const char *seg = rt->segments[i];
        const char *end;
        size_t len;

        if (*p != '/')
            return false;
        p++;
        end = strchr(p, '/');
        len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0)
            return false;
        if (seg[0] == '{') {
            if (n_params < 4 && req)
                params[n_params] = arena_strndup(req->arena, p, len);
            n_params++;
        } else if (strlen(seg) != len || memcmp(seg, p, len) != 0) {
            return false;
        }
        p += len;
    }
    if (*p != '\0' && strcmp(p, "/") != 0)
        return false;
    if (req) {
        for (int i = 0; i < n_params && i < 4; i++)
            req->params[i] = params[i];
        req->n_params = n_params < 4 ? n_params : 4;
    }
    return true;
}

RouteMatch router_match(const Router *r, const char *method, const char *path, Request *req,
                        const Route **ret)
{
    bool path_seen = false;

    for (int i = 0; i < r->n_routes; i++) {
        const Route *rt = &r->routes[i];

        if (!match_path(rt, path, NULL))
            continue;
        path_seen = true;
        if (strcmp(rt->method, method) != 0)
            continue;
        match_path(rt, path, req);
        *ret = rt;
        return ROUTE_FOUND;
    }
    return path_seen ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

void router_each(const Router *r, void (*fn)(const Route *route, void *ctx), void *ctx)
{
    for (int i = 0; i < r->n_routes; i++)
        fn(&r->routes[i], ctx);
}
