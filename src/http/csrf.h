#pragma once
/*
 * Cross-site request refusal. The session cookie is SameSite=Strict, but a
 * page on another port of the same host is "same site" and its requests
 * carry the cookie. So a request that may change something (any method but
 * GET, HEAD and OPTIONS) and is not authenticated by an Authorization
 * header (which no other page can make a browser send) must come from our
 * own pages: its Origin, when sent, names this server's host, and its
 * Sec-Fetch-Site, when sent, is same-origin or none. Otherwise 403
 * cross_site_request. Open311 (/open311/) is for other sites and exempt.
 * Clients that send neither header (curl, scripts, locks) are not browsers
 * and pass.
 */
#include <stdbool.h>

#include "http/request.h"

/* True if the Origin header value @origin ("https://host:port") names @host ("host:port"). */
bool csrf_origin_matches(const char *origin, const char *host);

Error *csrf_check(Request *req);
