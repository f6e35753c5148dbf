/*
 * store_json.c - query rows as JSON objects (see store_json.h).
 */
#include "store/store_json.h"

#include "core/timeutil.h"
#include "core/banned.h"

json_t *store_row_json(StoreStmt *s, Arena *a, const char *types)
{
    json_t *o = json_object();

    for (int i = 0; types[i]; i++) {
        const char *name = store_column_name(s, i);
        json_t *v;

        if (store_column_is_null(s, i))
            v = json_null();
        else if (types[i] == 'i')
            v = json_integer(store_column_int64(s, i));
        else if (types[i] == 'b')
            v = json_boolean(store_column_int64(s, i) != 0);
        else if (types[i] == 'T')
            v = json_string(time_format_rfc3339_at(a, store_column_int64(s, i),
                                                   TIME_OFFSET_SHANGHAI));
        else if (types[i] == 'j') {
            v = json_loads(store_column_text(s, a, i), 0, NULL);
            if (!v)
                v = json_array();
        } else
            v = json_string(store_column_text(s, a, i));
        json_object_set_new(o, name, v);
    }
    return o;
}

Error *store_rows_json(Store *st, Arena *a, StoreStmt *s, const char *types, json_t **ret)
{
    json_t *arr = json_array();
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(arr, store_row_json(s, a, types));
    store_reset(s);
    if (r != STORE_DONE) {
        json_decref(arr);
        return store_error(st, a);
    }
    *ret = arr;
    return NULL;
}
