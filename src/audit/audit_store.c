#include <string.h>

#include "audit/audit.h"
#include "audit/audit_store.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit (at, user_id, username, role, action, object_type, object_id, community,"
    " detail, ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/*
 * community '*' (AUDIT_EVERY_COMMUNITY): a shared setting's change, in every view.
 * Each entry with the names a person reads: the user's display name and the
 * object's (a resident's or room's name, a household's address, a case's
 * first words); null where the object is gone or has no name.
 */
static const char SQL_AUDIT_LIST[] =
    "SELECT id, at, username, role, action, object_type, object_id, community, detail, ip,"
    " (SELECT u.display_name FROM app_user u WHERE u.id = audit.user_id),"
    " CASE object_type"
    "  WHEN 'resident' THEN (SELECT r.name FROM resident r WHERE r.id = audit.object_id)"
    "  WHEN 'building' THEN (SELECT b.name FROM building b WHERE b.id = audit.object_id)"
    "  WHEN 'household' THEN (SELECT b.name || h.unit || '单元' || h.room || '室'"
    "   FROM household h JOIN building b ON b.id = h.building_id WHERE h.id = audit.object_id)"
    "  WHEN 'grid' THEN (SELECT g.name FROM grid g WHERE g.id = audit.object_id)"
    "  WHEN 'user' THEN (SELECT CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END"
    "   FROM app_user u WHERE u.id = audit.object_id)"
    "  WHEN 'room' THEN (SELECT r.name FROM room r WHERE r.id = audit.object_id)"
    "  WHEN 'booking' THEN (SELECT r.name FROM booking b JOIN room r ON r.id = b.room_id"
    "   WHERE b.id = audit.object_id)"
    "  WHEN 'case' THEN (SELECT substr(c.description, 1, 16) FROM cases c WHERE c.id = audit.object_id)"
    "  WHEN 'case_category' THEN (SELECT c.name FROM case_category c WHERE c.id = audit.object_id)"
    "  WHEN 'case_unit' THEN (SELECT c.name FROM case_unit c WHERE c.id = audit.object_id)"
    " END"
    " FROM audit WHERE ((community >= ?1 AND community < ?2) OR community = '*' OR ?5 = 1)"
    " AND (CAST(?6 AS TEXT) IS NULL OR action = ?6)"
    " AND (CAST(?7 AS TEXT) IS NULL OR object_type = ?7)"
    " AND (CAST(?8 AS BIGINT) IS NULL OR object_id = ?8)"
    " ORDER BY id DESC LIMIT ?3 OFFSET ?4";

static const char SQL_AUDIT_COUNT[] =
    "SELECT count(*) FROM audit WHERE ((community >= ?1 AND community < ?2) OR community = '*' OR ?5 = 1)"
    " AND (CAST(?6 AS TEXT) IS NULL OR action = ?6)"
    " AND (CAST(?7 AS TEXT) IS NULL OR object_type = ?7)"
    " AND (CAST(?8 AS BIGINT) IS NULL OR object_id = ?8) AND ?3 > 0 AND ?4 >= 0";

Error *audit_store_insert(Store *st, Arena *a, const AuditEntry *e)
{
    StoreStmt *s = store_prepare(st, a, SQL_AUDIT_INSERT);

    store_bind_int64(s, 1, time_now_ms());
    if (e->user_id)
        store_bind_int64(s, 2, e->user_id);
    else
        store_bind_null(s, 2);
    store_bind_text(s, 3, e->username);
    store_bind_text(s, 4, e->role);
    store_bind_text(s, 5, e->action);
    store_bind_text(s, 6, e->object_type);
    if (e->object_id)
        store_bind_int64(s, 7, e->object_id);
    else
        store_bind_null(s, 7);
    store_bind_text(s, 8, e->community);
    store_bind_text(s, 9, e->detail);
    store_bind_text(s, 10, e->ip);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static void bind_filter(StoreStmt *s, const AuditFilter *f)
{
    store_bind_text(s, 1, f->lo);
    store_bind_text(s, 2, f->hi);
    store_bind_int64(s, 3, f->limit);
    store_bind_int64(s, 4, f->offset);
    store_bind_int64(s, 5, f->all);
    store_bind_text(s, 6, f->action);
    store_bind_text(s, 7, f->object_type);
    if (f->object_id)
        store_bind_int64(s, 8, f->object_id);
    else
        store_bind_null(s, 8);
}

Error *audit_store_list(Store *st, Arena *a, const AuditFilter *f, json_t *items, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_AUDIT_COUNT);
    StoreResult r;

    bind_filter(s, f);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);

    s = store_prepare(st, a, SQL_AUDIT_LIST);
    bind_filter(s, f);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *detail = store_column_text(s, a, 8);
        json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;

        json_array_append_new(items, json_pack(
            "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
            "id", (json_int_t)store_column_int64(s, 0),
            "at", time_format_rfc3339(a, store_column_int64(s, 1)),
            "username", store_column_text(s, a, 2),
            "role", store_column_text(s, a, 3),
            "action", store_column_text(s, a, 4),
            "object_type", store_column_text(s, a, 5),
            "object_id", store_column_is_null(s, 6) ? json_null() : json_integer(store_column_int64(s, 6)),
            "community", json_string_or_null(store_column_text(s, a, 7)),
            "detail", d ? d : json_null(),
            "ip", json_string_or_null(store_column_text(s, a, 9))));
        {
            const char *user_name = store_column_text(s, a, 10);
            json_t *item = json_array_get(items, json_array_size(items) - 1);

            json_object_set_new(item, "user_name",
                                json_string_or_null(user_name && *user_name ? user_name : NULL));
            json_object_set_new(item, "object_name", json_string_or_null(store_column_text(s, a, 11)));
        }
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}
