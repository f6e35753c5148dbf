#pragma once
/*
 * Community profile (社区信息): how residents reach their 居委会. Staff keep
 * the office phone, hours and address, the service station and the duty
 * phone at night; residents see it on the H5 (我的社区, and the home's
 * 呼叫居委会 tile dials the office phone); the assistant answers questions
 * about the community from it (its "S-…" entries read the profile at answer
 * time, src/assistant/assistant_site.c).
 *
 *   GET /api/v1/communities/{code}/profile   anyone whose scope reaches it
 *   PUT /api/v1/communities/{code}/profile   {"office_phone", optional
 *        "office_hours","address","station","duty_phone"}: the community's
 *        staff and secretary, its street's admin, admins; audited
 */
#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

#define COMMUNITY_HOURS_MAX 60     /* characters */
#define COMMUNITY_ADDRESS_MAX 80
#define COMMUNITY_STATION_MAX 80

typedef struct CommunityProfile {
    const char *community;      /* 12 digits */
    const char *name;           /* the community's name (from the registry's divisions) */
    const char *office_phone;
    const char *office_hours;   /* "" when not given, as are the three below */
    const char *address;
    const char *station;
    const char *duty_phone;
    const char *updated_by;     /* the user's display name, or NULL */
    int64_t updated_at;         /* ms */
} CommunityProfile;

/* *ret NULL when the community has no profile yet (or does not exist). */
Error *community_store_profile_get(Store *st, Arena *a, const char *code, CommunityProfile **ret);
/* Inserts or replaces @p, inside the caller's transaction. */
Error *community_store_profile_put(Store *st, Arena *a, const CommunityProfile *p,
                                   int64_t user_id);
/* The community's name; *ret NULL when @code is not a community. */
Error *community_store_name(Store *st, Arena *a, const char *code, const char **ret);
/* The communities (12-digit codes) under @street, for the demo. */
Error *community_store_under(Store *st, Arena *a, const char *street, const char ***ret,
                             size_t *ret_n);

/* {"community","name","office_phone","office_hours","address","station","duty_phone","updated_at",…} */
json_t *community_profile_json(const CommunityProfile *p);

/* A profile for every community of @street, for `linli demo`. */
Error *community_demo(Store *st, Arena *a, const char *street, int *ret_n);

void community_routes_register(Router *r);
