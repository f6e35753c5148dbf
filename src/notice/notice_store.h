#pragma once
/* The notice module's queries (notice_store.c). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* Appends @user_id's notices (newest first) to @items; totals of the filter and of unread. */
Error *notice_store_list(Store *st, Arena *a, int64_t user_id, bool unread_only, int64_t limit,
                         int64_t offset, json_t *items, int64_t *ret_total, int64_t *ret_unread);
/* Marks one of @user_id's notices read; *ret_found false when she has no such notice. */
Error *notice_store_read(Store *st, Arena *a, int64_t user_id, int64_t id, int64_t now_ms,
                         bool *ret_found);
/* Marks all of @user_id's notices read; *ret_n counts those that were unread. */
/* The title and body of the user's notice @id; *ret_title NULL if she has none such. */
Error *notice_store_text(Store *st, Arena *a, int64_t user_id, int64_t id, const char **ret_title,
                         const char **ret_body);
Error *notice_store_read_all(Store *st, Arena *a, int64_t user_id, int64_t now_ms, int64_t *ret_n);
Error *notice_store_unread(Store *st, Arena *a, int64_t user_id, int64_t *ret);
