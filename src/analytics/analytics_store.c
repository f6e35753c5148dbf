/*
 * The module's only table, analytics_rule (schema 38). Everything else it
 * reads through the other modules' stores (analytics_indicators.c).
 */
#include <string.h>

#include "analytics/analytics_store.h"
#include "core/banned.h"

static const char SQL_RULES[] =
    "SELECT scope, type, indicator, op, threshold FROM analytics_rule"
    " WHERE scope IN (?1, ?2, ?3, ?4, ?5, ?6) ORDER BY length(scope) DESC, sort, id";
static const char SQL_RULES_DELETE[] = "DELETE FROM analytics_rule WHERE scope = ?1";
static const char SQL_RULE_INSERT[] =
    "INSERT INTO analytics_rule (scope, type, indicator, op, threshold, sort, updated_by,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

Error *analytics_store_rules(Store *st, Arena *a, const char *scope, AnalyticsRule **ret,
                             size_t *ret_n, const char **ret_source)
{
    static const size_t lengths[] = { 0, 2, 4, 6, 9, 12 };
    size_t len = strlen(scope), n = 0, cap = 16;
    AnalyticsRule *rules = arena_alloc(a, cap * sizeof(*rules));
    const char *source = NULL;
    StoreStmt *s = store_prepare(st, a, SQL_RULES);
    StoreResult r;

    for (int i = 0; i < 6; i++)
        store_bind_text(s, i + 1, arena_strndup(a, scope, lengths[i] < len ? lengths[i] : len));
    while ((r = store_step(s)) == STORE_ROW) {
        const char *from = store_column_text(s, a, 0);
        AnalyticsRule *x;

        if (!source)
            source = from;
        if (strcmp(source, from) != 0)
            continue;
        rules = arena_grow(a, rules, n, &cap, sizeof(*rules));
        x = &rules[n++];
        x->type = store_column_text(s, a, 1);
        x->indicator = analytics_indicator_find(store_column_text(s, a, 2));
        if (!analytics_op_parse(store_column_text(s, a, 3), &x->op))
            x->op = _AN_OP_MAX;
        x->threshold = store_column_double(s, 4);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = rules;
    *ret_n = n;
    *ret_source = source ? source : "";
    return NULL;
}

Error *analytics_store_rules_replace(Store *st, Arena *a, const char *scope,
                                     const AnalyticsRule *rules, size_t n, int64_t user_id,
                                     int64_t now_ms)
{
    Error *err = store_run(st, a, SQL_RULES_DELETE, NULL, NULL, NULL, NULL, "t", scope);

    for (size_t i = 0; !err && i < n; i++) {
        StoreStmt *s = store_prepare(st, a, SQL_RULE_INSERT);

        store_bind_text(s, 1, scope);
        store_bind_text(s, 2, rules[i].type);
        store_bind_text(s, 3, analytics_indicators[rules[i].indicator].key);
        store_bind_text(s, 4, analytics_op_name(rules[i].op));
        store_bind_double(s, 5, rules[i].threshold);
        store_bind_int64(s, 6, (int64_t)i + 1);
        store_bind_id_or_null(s, 7, user_id);
        store_bind_int64(s, 8, now_ms);
        err = store_run_stmt(st, a, s);
    }
    return err;
}

/* ---- 服务清单 ---- */

static const char SQL_SERVICES[] =
    "SELECT id, scope, type, kind, name, provider, frequency FROM analytics_service"
    " WHERE scope = ?1 AND (?2 = '' OR type = ?2)"
    " ORDER BY type, CASE kind WHEN 'basic' THEN 1 WHEN 'welfare' THEN 2 ELSE 3 END, id";
/* a community's services: those of its type at the community and every scope above it */
static const char SQL_SERVICES_FOR[] =
    "SELECT id, scope, type, kind, name, provider, frequency FROM analytics_service"
    " WHERE scope IN (?1, ?2, ?3, ?4, ?5, ?6) AND type = ?7"
    " ORDER BY CASE kind WHEN 'basic' THEN 1 WHEN 'welfare' THEN 2 ELSE 3 END, length(scope), id";
/* the export's: the scope, the scopes above it and those within it */
static const char SQL_SERVICES_WITHIN[] =
    "SELECT id, scope, type, kind, name, provider, frequency FROM analytics_service"
    " WHERE scope IN (?1, ?2, ?3, ?4, ?5, ?6) OR (scope >= ?7 AND scope < ?8)"
    " ORDER BY length(scope), scope, type,"
    " CASE kind WHEN 'basic' THEN 1 WHEN 'welfare' THEN 2 ELSE 3 END, id";
static const char SQL_SERVICE_GET[] =
    "SELECT id, scope, type, kind, name, provider, frequency FROM analytics_service WHERE id = ?1";
static const char SQL_SERVICE_INSERT[] =
    "INSERT INTO analytics_service (scope, type, kind, name, provider, frequency, created_by,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id";
static const char SQL_SERVICE_DELETE[] = "DELETE FROM analytics_service WHERE id = ?1";

const char *analytics_service_kind_label(const char *kind)
{
    if (!kind)
        return NULL;
    if (strcmp(kind, "basic") == 0)
        return "基本公共服务";
    if (strcmp(kind, "welfare") == 0)
        return "公益服务";
    if (strcmp(kind, "market") == 0)
        return "便民利民服务";
    return NULL;
}

static void read_service(StoreStmt *s, Arena *a, AnalyticsService *x)
{
    x->id = store_column_int64(s, 0);
    x->scope = store_column_text(s, a, 1);
    x->type = store_column_text(s, a, 2);
    x->kind = store_column_text(s, a, 3);
    x->name = store_column_text(s, a, 4);
    x->provider = store_column_text(s, a, 5);
    x->frequency = store_column_text(s, a, 6);
}

json_t *analytics_service_json(const AnalyticsService *x)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)x->id, "scope",
                     x->scope, "type", x->type, "kind", x->kind, "kind_label",
                     analytics_service_kind_label(x->kind) ? analytics_service_kind_label(x->kind)
                                                           : "",
                     "name", x->name, "provider",
                     x->provider, "frequency", x->frequency);
}

Error *analytics_store_services(Store *st, Arena *a, const char *scope, const char *type,
                                json_t *items)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SERVICES, "tt", scope, type ? type : "");
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        AnalyticsService x;

        read_service(s, a, &x);
        json_array_append_new(items, analytics_service_json(&x));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *analytics_store_services_for(Store *st, Arena *a, const char *code, const char *type,
                                    json_t *items)
{
    static const size_t lengths[] = { 0, 2, 4, 6, 9, 12 };
    size_t len = strlen(code);
    StoreStmt *s = store_prepare(st, a, SQL_SERVICES_FOR);
    StoreResult r;

    for (int i = 0; i < 6; i++)
        store_bind_text(s, i + 1, arena_strndup(a, code, lengths[i] < len ? lengths[i] : len));
    store_bind_text(s, 7, type);
    while ((r = store_step(s)) == STORE_ROW) {
        AnalyticsService x;

        read_service(s, a, &x);
        json_array_append_new(items, analytics_service_json(&x));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *analytics_store_services_within(Store *st, Arena *a, const char *scope, const char *lo,
                                       const char *hi, AnalyticsService **ret, size_t *ret_n)
{
    static const size_t lengths[] = { 0, 2, 4, 6, 9, 12 };
    size_t len = strlen(scope), n = 0, cap = 16;
    StoreStmt *s = store_prepare(st, a, SQL_SERVICES_WITHIN);
    AnalyticsService *v = arena_alloc(a, cap * sizeof(*v));
    StoreResult r;

    for (int i = 0; i < 6; i++)
        store_bind_text(s, i + 1, arena_strndup(a, scope, lengths[i] < len ? lengths[i] : len));
    store_bind_text(s, 7, lo);
    store_bind_text(s, 8, hi);
    while ((r = store_step(s)) == STORE_ROW) {
        v = arena_grow(a, v, n, &cap, sizeof(*v));
        read_service(s, a, &v[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = v;
    *ret_n = n;
    return NULL;
}

Error *analytics_store_service_get(Store *st, Arena *a, int64_t id, AnalyticsService **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_SERVICE_GET, "i", id);

    *ret = NULL;
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = arena_alloc(a, sizeof(**ret));
        read_service(s, a, *ret);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *analytics_store_service_insert(Store *st, Arena *a, const AnalyticsService *x,
                                      int64_t user_id, int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_SERVICE_INSERT, "name", "duplicate_service",
                        "这个类型的清单里已有同名的同类服务", ret_id, "ttttttIi", x->scope,
                        x->type, x->kind, x->name, x->provider, x->frequency, user_id, now_ms);
}

Error *analytics_store_service_delete(Store *st, Arena *a, int64_t id)
{
    return store_run(st, a, SQL_SERVICE_DELETE, NULL, NULL, NULL, NULL, "i", id);
}
