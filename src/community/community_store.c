/*
 * The community profile's SQL.
 */
#include <string.h>

#include "community/community.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_PROFILE_GET[] =
    "SELECT d.code, d.name, p.office_phone, p.office_hours, p.address, p.station, p.duty_phone,"
    " nullif(coalesce(nullif(u.display_name, ''), u.username), ''), p.updated_at"
    " FROM community_profile p JOIN division d ON d.code = p.community"
    " LEFT JOIN app_user u ON u.id = p.updated_by WHERE p.community = ?1";
static const char SQL_PROFILE_PUT[] =
    "INSERT INTO community_profile (community, office_phone, office_hours, address, station,"
    " duty_phone, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (community) DO UPDATE SET office_phone = excluded.office_phone,"
    " office_hours = excluded.office_hours, address = excluded.address,"
    " station = excluded.station, duty_phone = excluded.duty_phone,"
    " updated_by = excluded.updated_by, updated_at = excluded.updated_at";
static const char SQL_NAME[] = "SELECT name FROM division WHERE code = ?1 AND level = 5";
static const char SQL_UNDER[] =
    "SELECT code FROM division WHERE parent_code = ?1 AND level = 5 ORDER BY code";

Error *community_store_profile_get(Store *st, Arena *a, const char *code, CommunityProfile **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_PROFILE_GET);
    CommunityProfile *p;

    *ret = NULL;
    store_bind_text(s, 1, code);
    switch (store_step(s)) {
    case STORE_ROW:
        p = arena_alloc(a, sizeof(*p));
        *p = (CommunityProfile){
            .community = store_column_text(s, a, 0),
            .name = store_column_text(s, a, 1),
            .office_phone = store_column_text(s, a, 2),
            .office_hours = store_column_text(s, a, 3),
            .address = store_column_text(s, a, 4),
            .station = store_column_text(s, a, 5),
            .duty_phone = store_column_text(s, a, 6),
            .updated_by = store_column_text(s, a, 7),
            .updated_at = store_column_int64(s, 8),
        };
        store_reset(s);
        *ret = p;
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *community_store_profile_put(Store *st, Arena *a, const CommunityProfile *p, int64_t user_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_PROFILE_PUT);

    store_bind_text(s, 1, p->community);
    store_bind_text(s, 2, p->office_phone);
    store_bind_text(s, 3, p->office_hours ? p->office_hours : "");
    store_bind_text(s, 4, p->address ? p->address : "");
    store_bind_text(s, 5, p->station ? p->station : "");
    store_bind_text(s, 6, p->duty_phone ? p->duty_phone : "");
    if (user_id > 0)
        store_bind_int64(s, 7, user_id);
    else
        store_bind_null(s, 7);
    store_bind_int64(s, 8, time_now_ms());
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *community_store_name(Store *st, Arena *a, const char *code, const char **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_NAME);

    *ret = NULL;
    store_bind_text(s, 1, code);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = store_column_text(s, a, 0);
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *community_store_under(Store *st, Arena *a, const char *street, const char ***ret,
                             size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNDER);
    size_t n = 0, cap = 16;
    const char **out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_text(s, 1, street);
    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        out[n++] = store_column_text(s, a, 0);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}
