/*
 * store.h on two backends. store_open_flags picks one by the form of its
 * argument: a libpq URI (postgresql://, postgres://) opens PostgreSQL
 * (store_pg.c), anything else is a SQLite file (store_sqlite.c). Every
 * other call goes through the connection's table of operations; what the
 * backends share (savepoints, data versions) is written here once.
 */
#include "store/store.h"

#include <stdarg.h>
#include <string.h>

#include "store/store_backend.h"
#include "core/banned.h"

bool store_is_postgresql(const char *path)
{
    return path && (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

char *store_path_for_log(Arena *a, const char *path)
{
    const char *user, *at, *colon;

    if (!store_is_postgresql(path))
        return arena_strdup(a, path);
    user = strstr(path, "://") + 3;
    at = strchr(user, '@');
    colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
    if (!colon)
        return arena_strdup(a, path);
    return arena_sprintf(a, "%.*s***%s", (int)(colon + 1 - path), path, at);
}

Store *store_open_flags(const char *path, bool readonly, const char **ret_errmsg)
{
    if (store_is_postgresql(path))
        return store_pg_open(path, readonly, ret_errmsg);
    return store_sqlite_open(path, readonly, ret_errmsg);
}

Store *store_open(const char *path, const char **ret_errmsg)
{
    return store_open_flags(path, false, ret_errmsg);
}

void store_close(Store *st)
{
    if (st)
        st->be->close(st);
}

void store_global_init(void)
{
    store_sqlite_global_init();
}

StoreDialect store_dialect(Store *st)
{
    return st->be->dialect;
}

const char *store_sql(Store *st, const char *sqlite_sql, const char *pg_sql)
{
    return st->be->dialect == STORE_POSTGRESQL ? pg_sql : sqlite_sql;
}

StoreStmt *store_prepare(Store *st, Arena *a, const char *sql)
{
    return st->be->prepare(st, a, sql);
}

StoreStmt *store_prepare_text(Store *st, Arena *a, const char *sql)
{
    return st->be->prepare_text(st, a, sql);
}

void store_bind_int64(StoreStmt *s, int idx, int64_t v)
{
    s->st->be->bind_int64(s, idx, v);
}

void store_bind_double(StoreStmt *s, int idx, double v)
{
    s->st->be->bind_double(s, idx, v);
}

void store_bind_text(StoreStmt *s, int idx, const char *v)
{
    s->st->be->bind_text(s, idx, v);
}

void store_bind_blob(StoreStmt *s, int idx, const void *p, size_t n)
{
    s->st->be->bind_blob(s, idx, p, n);
}

void store_bind_null(StoreStmt *s, int idx)
{
    s->st->be->bind_null(s, idx);
}

StoreResult store_step(StoreStmt *s)
{
    return s->st->be->step(s);
}

void store_reset(StoreStmt *s)
{
    s->st->be->reset(s);
}

int store_column_count(StoreStmt *s)
{
    return s->st->be->column_count(s);
}

bool store_column_is_null(StoreStmt *s, int col)
{
    return s->st->be->column_is_null(s, col);
}

int64_t store_column_int64(StoreStmt *s, int col)
{
    return s->st->be->column_int64(s, col);
}

double store_column_double(StoreStmt *s, int col)
{
    return s->st->be->column_double(s, col);
}

static void bind_va(StoreStmt *s, const char *types, va_list ap)
{
    for (int i = 0; types[i]; i++) {
        const char *t;

        switch (types[i]) {
        case 'i':
            store_bind_int64(s, i + 1, va_arg(ap, int64_t));
            break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);

            if (v)
                store_bind_int64(s, i + 1, v);
            else
                store_bind_null(s, i + 1);
            break;
        }
        case 't':
            t = va_arg(ap, const char *);
            if (t)
                store_bind_text(s, i + 1, t);
            else
                store_bind_null(s, i + 1);
            break;
        default:
            store_bind_null(s, i + 1);
            break;
        }
    }
}

StoreStmt *store_bind_list(StoreStmt *s, const char *types, ...)
{
    va_list ap;

    va_start(ap, types);
    bind_va(s, types, ap);
    va_end(ap);
    return s;
}

StoreStmt *store_prepare_bind(Store *st, Arena *a, const char *sql, const char *types, ...)
{
    StoreStmt *s = store_prepare(st, a, sql);
    va_list ap;

    va_start(ap, types);
    bind_va(s, types, ap);
    va_end(ap);
    return s;
}

/* store_run and store_insert: one step, its row's id or its changes, a 409 or the error. */
static Error *run_va(Store *st, Arena *a, const char *sql, const char *conflict_field,
                     const char *conflict_code, const char *conflict_message, int64_t *ret_changes,
                     int64_t *ret_id, const char *types, va_list ap)
{
    StoreStmt *s = store_prepare(st, a, sql);
    StoreResult r;
    Error *err = NULL;

    bind_va(s, types, ap);
    r = store_step(s);
    if (r == STORE_ROW && ret_id)
        *ret_id = store_column_int64(s, 0);
    else if (r == STORE_CONSTRAINT && conflict_code)
        err = error_conflict(a, conflict_field, conflict_code, conflict_message);
    else if (r != STORE_DONE && r != STORE_ROW)
        err = store_error(st, a);
    else if (ret_id) /* an INSERT … RETURNING that returned nothing */
        err = error_internal(a, "no row returned by '%.60s'", sql);
    if (!err && ret_changes)
        *ret_changes = store_changes(st);
    store_reset(s);
    return err;
}

Error *store_run(Store *st, Arena *a, const char *sql, const char *conflict_field,
                 const char *conflict_code, const char *conflict_message, int64_t *ret_changes,
                 const char *types, ...)
{
    Error *err;
    va_list ap;

    va_start(ap, types);
    err = run_va(st, a, sql, conflict_field, conflict_code, conflict_message, ret_changes, NULL,
                 types, ap);
    va_end(ap);
    return err;
}

Error *store_insert(Store *st, Arena *a, const char *sql, const char *conflict_field,
                    const char *conflict_code, const char *conflict_message, int64_t *ret_id,
                    const char *types, ...)
{
    Error *err;
    va_list ap;

    va_start(ap, types);
    err = run_va(st, a, sql, conflict_field, conflict_code, conflict_message, NULL, ret_id, types,
                 ap);
    va_end(ap);
    return err;
}

char *store_column_text(StoreStmt *s, Arena *a, int col)
{
    return s->st->be->column_text(s, a, col);
}

void *store_column_blob(StoreStmt *s, Arena *a, int col, size_t *ret_len)
{
    return s->st->be->column_blob(s, a, col, ret_len);
}

const char *store_column_name(StoreStmt *s, int col)
{
    return s->st->be->column_name(s, col);
}

Error *store_error(Store *st, Arena *a)
{
    return st->be->error(st, a);
}

const char *store_errmsg(Store *st)
{
    return st->be->errmsg(st);
}

bool store_error_mentions(Store *st, const char *needle)
{
    return strstr(st->be->errmsg(st), needle) != NULL;
}

Error *store_begin_read(Store *st, Arena *a)
{
    return st->be->begin_read(st, a);
}

void store_end_read(Store *st, Arena *a)
{
    st->be->end_read(st, a);
}

void store_read_keep(Store *st, Arena *a, bool ok)
{
    st->be->read_keep(st, a, ok);
}

void store_enter(Store *st)
{
    st->be->enter(st);
}

void store_leave(Store *st)
{
    st->be->leave(st);
}

bool store_release_changed(Store *st)
{
    return st->be->release_changed(st);
}

static const char SQL_DATA_VERSION[] =
    "SELECT v + (SELECT coalesce(sum(p.v), 0) FROM data_version_part p"
    "            WHERE p.name = ?1 AND p.code >= ?2 AND p.code < ?3)"
    " FROM data_version WHERE name = ?1";

bool store_data_version(Store *st, Arena *a, const char *name, const char *lo, const char *hi,
                        int64_t *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_DATA_VERSION);
    bool found;

    store_bind_text(s, 1, name);
    store_bind_text(s, 2, lo);
    store_bind_text(s, 3, hi);
    found = store_step(s) == STORE_ROW;
    if (found)
        *ret = store_column_int64(s, 0);
    store_reset(s);
    return found;
}

Error *store_begin(Store *st, Arena *a)
{
    return st->be->begin(st, a);
}

Error *store_begin_keyed(Store *st, Arena *a, int lock_class, int64_t key)
{
    return st->be->begin_keyed(st, a, lock_class, key);
}

Error *store_commit(Store *st, Arena *a)
{
    return st->be->commit(st, a);
}

void store_rollback(Store *st)
{
    st->be->rollback(st);
}

Error *store_exec(Store *st, Arena *a, const char *sql)
{
    return st->be->exec(st, a, sql);
}

Error *store_run_stmt(Store *st, Arena *a, StoreStmt *s)
{
    StoreResult r = store_step(s);

    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *store_run_int64(Store *st, Arena *a, StoreStmt *s, int64_t *ret)
{
    StoreResult r = store_step(s);

    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    *ret = r == STORE_ROW && !store_column_is_null(s, 0) ? store_column_int64(s, 0) : 0;
    store_reset(s);
    return NULL;
}

Error *store_run_ids(Store *st, Arena *a, StoreStmt *s, int64_t **ret, size_t *ret_n)
{
    size_t n = 0, cap = 16;
    int64_t *out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        out[n++] = store_column_int64(s, 0);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}

void store_bind_id_or_null(StoreStmt *s, int idx, int64_t id)
{
    if (id > 0)
        store_bind_int64(s, idx, id);
    else
        store_bind_null(s, idx);
}

int64_t store_changes(Store *st)
{
    return st->be->changes(st);
}

bool store_in_tx(Store *st)
{
    return st->be->in_tx(st);
}

Error *store_savepoint(Store *st, Arena *a, const char *name)
{
    return store_exec(st, a, arena_sprintf(a, "SAVEPOINT %s", name));
}

Error *store_release(Store *st, Arena *a, const char *name)
{
    return store_exec(st, a, arena_sprintf(a, "RELEASE %s", name));
}

void store_rollback_to(Store *st, const char *name)
{
    st->be->rollback_to(st, name);
}

bool store_backup(Store *st, const char *dest_path, const char **ret_errmsg)
{
    return st->be->backup(st, dest_path, ret_errmsg);
}
