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
