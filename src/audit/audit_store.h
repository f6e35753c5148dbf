#pragma once
/* The audit module's queries (audit_store.c). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

typedef struct AuditEntry {
    int64_t user_id;         /* 0: system */
    const char *username;
    const char *role;
    const char *action;
    const char *object_type;
    int64_t object_id;       /* 0: none */
    const char *community;
    const char *detail;      /* JSON text or NULL */
    const char *ip;
} AuditEntry;

typedef struct AuditFilter {
    const char *lo, *hi;     /* community code range of the viewer's scope */
    bool all;                /* admin: also entries without a community */
    const char *action;
    const char *object_type;
    int64_t object_id;
    int64_t limit, offset;
} AuditFilter;

Error *audit_store_insert(Store *st, Arena *a, const AuditEntry *e);
/* Appends entries (newest first) to @items. */
Error *audit_store_list(Store *st, Arena *a, const AuditFilter *f, json_t *items, int64_t *ret_total);
