/*
 * The route table: every module's routes, plus the few that belong to no
 * module (health, metrics, the OpenAPI document).
 */
#include <string.h>

#include "account/account.h"
#include "activities/activities.h"
#include "lifecircle/lifecircle_routes.h"
#include "volunteers/volunteers.h"
#include "analytics/analytics.h"
#include "announce/announce.h"
#include "assistant/assistant.h"
#include "audit/audit.h"
#include "booking/booking.h"
#include "care/care.h"
#include "funds/funds.h"
#include "cases/cases.h"
#include "community/community.h"
#include "core/embed.h"
#include "http/auth.h"
#include "http/metrics.h"
#include "http/response.h"
#include "http/router.h"
#include "notice/notice.h"
#include "registry/registry.h"
#include "points/points.h"
#include "votes/votes.h"
#include "workqueue/workqueue.h"
#include "core/banned.h"

extern const EmbeddedFile openapi_file[];

static Error *handle_health(Request *req, Response *res)
{
    (void)req;
    return response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static Error *handle_openapi(Request *req, Response *res)
{
    (void)req;
    return response_bytes(res, 200, "application/json; charset=utf-8", openapi_file[0].text,
                          strlen(openapi_file[0].text));
}

/* Public with metrics_public = true; otherwise an admin's login (a Bearer token for Prometheus). */
static Error *handle_metrics(Request *req, Response *res)
{
    StrBuf sb;
    const char *text;
    size_t len;
    Error *err;

    if (!req->app->cfg->metrics_public) {
        err = auth_authenticate(req);
        if (!err)
            err = auth_require(req, ROLE_ADMIN);
        if (err)
            return err;
    }

    strbuf_init(&sb, req->arena, 64 * 1024);
    metrics_render(&sb);
    text = strbuf_finish(&sb, &len);
    if (!text)
        return error_internal(req->arena, "metrics output too large");
    return response_bytes(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

void routes_register_all(Router *r)
{
    router_add(r, "GET", "/api/v1/health", handle_health, ROUTE_PUBLIC);
    router_add(r, "GET", "/api/v1/openapi.json", handle_openapi, ROUTE_PUBLIC);
    router_add(r, "GET", "/metrics", handle_metrics, ROUTE_PUBLIC);
    account_routes_register(r);
    registry_routes_register(r);
    audit_routes_register(r);
    booking_routes_register(r);
    assistant_routes_register(r);
    cases_routes_register(r);
    notice_routes_register(r);
    announce_routes_register(r);
    workqueue_routes_register(r);
    community_routes_register(r);
    care_routes_register(r);
    care_photo_routes_register(r);
    votes_routes_register(r);
    funds_routes_register(r);
    activities_routes_register(r);
    points_routes_register(r);
    volunteers_routes_register(r);
    lifecircle_routes_register(r);
    analytics_routes_register(r);
}
