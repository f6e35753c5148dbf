#pragma once
/*
 * What a database backend gives store.c, which implements store.h by
 * calling through a Store's table of operations. Only src/store/ includes
 * this header. A backend's connection and statement structs begin with a
 * Store and a StoreStmt, so a pointer to one is a pointer to the other:
 *
 *     typedef struct SqliteStore { Store base; sqlite3 *db; ... } SqliteStore;
 *
 * The operations mean what their store.h namesakes mean; store.c adds
 * nothing but the dispatch (and the choice of backend in store_open_flags).
 */
#include "store/store.h"

struct Store {
    const struct StoreBackend *be;
};

struct StoreStmt {
    Store *st;
};

typedef struct StoreBackend {
    StoreDialect dialect;
    void (*close)(Store *st);
    StoreStmt *(*prepare)(Store *st, Arena *a, const char *sql);
    StoreStmt *(*prepare_text)(Store *st, Arena *a, const char *sql);
    void (*bind_int64)(StoreStmt *s, int idx, int64_t v);
    void (*bind_double)(StoreStmt *s, int idx, double v);
    void (*bind_text)(StoreStmt *s, int idx, const char *v);
    void (*bind_blob)(StoreStmt *s, int idx, const void *p, size_t n);
    void (*bind_null)(StoreStmt *s, int idx);
    StoreResult (*step)(StoreStmt *s);
    void (*reset)(StoreStmt *s);
    int (*column_count)(StoreStmt *s);
    bool (*column_is_null)(StoreStmt *s, int col);
    int64_t (*column_int64)(StoreStmt *s, int col);
    double (*column_double)(StoreStmt *s, int col);
    char *(*column_text)(StoreStmt *s, Arena *a, int col);
    void *(*column_blob)(StoreStmt *s, Arena *a, int col, size_t *ret_len);
    const char *(*column_name)(StoreStmt *s, int col);
    Error *(*error)(Store *st, Arena *a);
    const char *(*errmsg)(Store *st);
    Error *(*begin_read)(Store *st, Arena *a);
    void (*end_read)(Store *st, Arena *a);
    void (*read_keep)(Store *st, Arena *a, bool ok);
    void (*enter)(Store *st);
    void (*leave)(Store *st);
    bool (*release_changed)(Store *st);
    Error *(*begin)(Store *st, Arena *a);
    Error *(*begin_keyed)(Store *st, Arena *a, int lock_class, int64_t key);
    Error *(*commit)(Store *st, Arena *a);
    void (*rollback)(Store *st);
    Error *(*exec)(Store *st, Arena *a, const char *sql);
    int64_t (*changes)(Store *st);
    bool (*in_tx)(Store *st);
    void (*rollback_to)(Store *st, const char *name);
    bool (*backup)(Store *st, const char *dest_path, const char **ret_errmsg);
} StoreBackend;

Store *store_sqlite_open(const char *path, bool readonly, const char **ret_errmsg);
void store_sqlite_global_init(void);
/* NULL with *ret_errmsg set when linli was built without libpq. */
Store *store_pg_open(const char *conninfo, bool readonly, const char **ret_errmsg);
