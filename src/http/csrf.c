#include "http/csrf.h"

#include <string.h>
#include <strings.h>

#include "core/banned.h"

bool csrf_origin_matches(const char *origin, const char *host)
{
    const char *h;

    if (!origin || !host || !*host)
        return false;
    if (strncmp(origin, "http://", 7) == 0)
        h = origin + 7;
    else if (strncmp(origin, "https://", 8) == 0)
        h = origin + 8;
    else
        return false; /* "null" (a sandboxed frame, a file) or a scheme of no page of ours */
    /* host names are case-insensitive; an Origin has no path */
    return strcasecmp(h, host) == 0;
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

Error *csrf_check(Request *req)
{
    const char *auth, *site, *origin, *host;

    if (!changes_state(req->method) || strncmp(req->path, "/open311/", 9) == 0)
        return NULL;
    auth = request_header(req, "Authorization");
    if (auth && strncmp(auth, "Bearer ", 7) == 0)
        return NULL;
    site = request_header(req, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        goto refuse;
    origin = request_header(req, "Origin");
    if (origin) {
        host = req->via_proxy ? request_header(req, "X-Forwarded-Host") : NULL;
        if (!host)
            host = request_header(req, "Host");
        if (!csrf_origin_matches(origin, host))
            goto refuse;
    }
    return NULL;
refuse:
    return error_new(req->arena, 403, NULL, "cross_site_request",
                     "该请求来自其他网站，已拒绝；请在邻里的页面上操作");
}
