/*
 * store_json.h - query rows as JSON objects, for modules whose routes hand
 * rows to the client much as the query names them.
 */
#ifndef LINLI_STORE_JSON_H
#define LINLI_STORE_JSON_H

#include <jansson.h>

#include "store/store.h"

/*
 * The current row of @s as an object: column i named by the query, typed
 * by @types[i] ('i' integer, 't' text, 'b' boolean, 'T' a time in ms shown
 * as RFC 3339 in Shanghai's offset, 'j' JSON text, an empty array when it
 * does not parse); NULL columns are null.
 */
json_t *store_row_json(StoreStmt *s, Arena *a, const char *types);

/* Every row of @s as an array of store_row_json objects; resets @s. */
Error *store_rows_json(Store *st, Arena *a, StoreStmt *s, const char *types, json_t **ret);

#endif
