#pragma once
/* analytics_rule (schema 38): the rules of the rule-based types, per scope. */
#include "analytics/analytics.h"

/*
 * The rules that apply to @scope: those of the longest prefix of @scope
 * (among '', 2, 4, 6, 9 and 12 digits) that has rules, in their order, into
 * *ret (in @a); *ret_source that prefix.
 */
Error *analytics_store_rules(Store *st, Arena *a, const char *scope, AnalyticsRule **ret,
                             size_t *ret_n, const char **ret_source);
/* Replaces the rules of exactly @scope by @rules (none: @scope inherits again); in a transaction. */
Error *analytics_store_rules_replace(Store *st, Arena *a, const char *scope,
                                     const AnalyticsRule *rules, size_t n, int64_t user_id,
                                     int64_t now_ms);

/* 服务清单 (analytics_service). */
typedef struct AnalyticsService {
    int64_t id;
    const char *scope, *type, *kind, *name, *provider, *frequency;
} AnalyticsService;

/* "basic" 基本公共服务, "welfare" 公益服务, "market" 便民利民服务; NULL for another key. */
const char *analytics_service_kind_label(const char *kind);
/* {"id","scope","type","kind","kind_label","name","provider","frequency"}, new. */
json_t *analytics_service_json(const AnalyticsService *x);
/* The services of exactly @scope (of @type when not NULL), by type, kind and id, as JSON into @items. */
Error *analytics_store_services(Store *st, Arena *a, const char *scope, const char *type,
                                json_t *items);
/*
 * The services a community @code sees: those of @type at @code and at every
 * scope above it (its 9, 6, 4, 2-digit prefixes and ''), by kind, the
 * widest scope first, id; as JSON into @items.
 */
Error *analytics_store_services_for(Store *st, Arena *a, const char *code, const char *type,
                                    json_t *items);
/*
 * Every service list that bears on the scope [@lo, @hi) of prefix @scope
 * (the export's 服务清单): those at @scope and at every scope above it, and
 * those of the scopes within it (a street's communities' own lists), into
 * *ret (in @a), the widest scope first, then by scope, type, kind and id.
 */
Error *analytics_store_services_within(Store *st, Arena *a, const char *scope, const char *lo,
                                       const char *hi, AnalyticsService **ret, size_t *ret_n);
/* 409 duplicate_service when the scope's type already has one of that kind and name. */
Error *analytics_store_service_insert(Store *st, Arena *a, const AnalyticsService *s,
                                      int64_t user_id, int64_t now_ms, int64_t *ret_id);
/* *ret NULL when there is none. */
Error *analytics_store_service_get(Store *st, Arena *a, int64_t id, AnalyticsService **ret);
Error *analytics_store_service_delete(Store *st, Arena *a, int64_t id);
