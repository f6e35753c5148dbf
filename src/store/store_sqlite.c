/*
 * SQLite behind store.h. Each connection keeps a small open-addressing table
 * of prepared statements keyed by the address of their SQL constant. A cached
 * statement still in use (a caller is iterating it) is not handed out twice:
 * the second caller gets a private statement, finalized with its arena.
 */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/hash.h"
#include "core/banned.h"


#define CACHE_SLOTS 512
#define TEXT_SLOTS 128

struct StoreStmt {
    Store *st;
    sqlite3_stmt *stmt;
    bool cached;
    bool in_use;
    bool failed;     /* prepare or bind failed; store_step reports it */
    uint64_t lease;  /* bumped at each hand-out, so a stale arena cleanup leaves it alone */
};

/* An arena's claim on a cached statement, released with the arena or by store_reset. */
typedef struct Lease {
    StoreStmt *s;
    uint64_t lease;
} Lease;

struct Store {
    sqlite3 *db;
    const char *keys[CACHE_SLOTS];
    StoreStmt *stmts[CACHE_SLOTS];
    char *text_keys[TEXT_SLOTS];     /* store_prepare_text: owned copies of the SQL */
    StoreStmt *text_stmts[TEXT_SLOTS];
    char errmsg[512];
    pthread_mutex_t use;             /* store_enter/leave; store_release_changed tries it */
    /*
     * A read transaction kept open across requests (store_read_keep) and the
     * WAL-index header's change counter when it began; wal_hdr is NULL until
     * mapped, or for good when it cannot be (not WAL, an unknown format).
     */
    const uint32_t *wal_hdr;
    bool wal_hdr_tried;
    bool kept;
    uint32_t kept_change;
};

static void set_err(Store *st)
{
    snprintf(st->errmsg, sizeof(st->errmsg), "%s", sqlite3_errmsg(st->db));
}

Store *store_open_flags(const char *path, bool readonly, const char **ret_errmsg)
{
    Store *st = calloc(1, sizeof(Store));
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    char *err = NULL;

    if (!st)
        abort();
    pthread_mutex_init(&st->use, NULL);
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        *ret_errmsg = st->db ? sqlite3_errmsg(st->db) : "cannot open database";
        *ret_errmsg = "cannot open database";
        sqlite3_close(st->db);
        pthread_mutex_destroy(&st->use);
        free(st);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, 10000);
    sqlite3_extended_result_codes(st->db, 1);
    if (sqlite3_exec(st->db,
                     readonly ? "PRAGMA foreign_keys=ON;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                                " PRAGMA cache_size=-16000;",
                     NULL, NULL, &err) != SQLITE_OK) {
        sqlite3_free(err);
        *ret_errmsg = "cannot configure database (is it a SQLite file?)";
        sqlite3_close(st->db);
        pthread_mutex_destroy(&st->use);
        free(st);
        return NULL;
    }
    return st;
}

Store *store_open(const char *path, const char **ret_errmsg)
{
    return store_open_flags(path, false, ret_errmsg);
}

void store_close(Store *st)
{
    if (!st)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (st->stmts[i]) {
            sqlite3_finalize(st->stmts[i]->stmt);
            free(st->stmts[i]);
        }
    }
    for (int i = 0; i < TEXT_SLOTS; i++) {
        if (st->text_stmts[i]) {
            sqlite3_finalize(st->text_stmts[i]->stmt);
            free(st->text_stmts[i]);
        }
        free(st->text_keys[i]);
    }
    if (st->kept)
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(st->db);
    pthread_mutex_destroy(&st->use);
    free(st);
}

static void release_cached(void *data)
{
    Lease *l = data;
    StoreStmt *s = l->s;

    if (!s->in_use || s->lease != l->lease)
        return; /* released by store_reset, maybe handed out again since */
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
    s->in_use = false;
    s->failed = false;
}

static StoreStmt *lease(Arena *a, StoreStmt *s)
{
    Lease *l = arena_alloc(a, sizeof(Lease));

    s->in_use = true;
    s->lease++;
    l->s = s;
    l->lease = s->lease;
    arena_defer(a, release_cached, l);
    return s;
}

static void release_private(void *data)
{
    StoreStmt *s = data;

    sqlite3_finalize(s->stmt);
}

static size_t slot_of(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;

    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 40) % CACHE_SLOTS;
}

StoreStmt *store_prepare(Store *st, Arena *a, const char *sql)
{
    size_t slot = slot_of(sql);
    StoreStmt *s;

    for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
        size_t i = (slot + probe) % CACHE_SLOTS;

        if (st->keys[i] == sql) {
            s = st->stmts[i];
            if (!s->in_use)
                return lease(a, s);
            goto private_stmt;
        }
        if (!st->keys[i]) {
            sqlite3_stmt *stmt = NULL;

            if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
                SQLITE_OK) {
                set_err(st);
                s = arena_zalloc(a, sizeof(StoreStmt));
                s->st = st;
                s->failed = true;
                return s;
            }
            s = calloc(1, sizeof(StoreStmt));
            if (!s)
                abort();
            s->st = st;
            s->stmt = stmt;
            s->cached = true;
            st->keys[i] = sql;
            st->stmts[i] = s;
            return lease(a, s);
        }
    }
private_stmt:
    s = arena_zalloc(a, sizeof(StoreStmt));
    s->st = st;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s->stmt, NULL) != SQLITE_OK) {
        set_err(st);
        sqlite3_finalize(s->stmt);
        s->stmt = NULL;
        s->failed = true;
        return s;
    }
    arena_defer(a, release_private, s);
    return s;
}

StoreStmt *store_prepare_text(Store *st, Arena *a, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    StoreStmt *s;
    size_t slot = (size_t)(hash_string(sql) % TEXT_SLOTS);

    for (size_t probe = 0; probe < TEXT_SLOTS; probe++) {
        size_t i = (slot + probe) % TEXT_SLOTS;

        if (st->text_keys[i] && strcmp(st->text_keys[i], sql) == 0) {
            s = st->text_stmts[i];
            if (!s->in_use)
                return lease(a, s);
            break;
        }
        if (!st->text_keys[i]) {
            if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
                break;
            s = calloc(1, sizeof(StoreStmt));
            st->text_keys[i] = strdup(sql);
            if (!s || !st->text_keys[i])
                abort();
            s->st = st;
            s->stmt = stmt;
            s->cached = true;
            st->text_stmts[i] = s;
            return lease(a, s);
        }
    }
    /* in use, a full cache, or a failed prepare: a private statement */
    sqlite3_finalize(stmt);
    s = arena_zalloc(a, sizeof(StoreStmt));
    s->st = st;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s->stmt, NULL) != SQLITE_OK) {
        set_err(st);
        sqlite3_finalize(s->stmt);
        s->stmt = NULL;
        s->failed = true;
        return s;
    }
    arena_defer(a, release_private, s);
    return s;
}

static void check_bind(StoreStmt *s, int rc)
{
    if (rc != SQLITE_OK) {
        set_err(s->st);
        s->failed = true;
    }
}

void store_bind_int64(StoreStmt *s, int idx, int64_t v)
{
    if (!s->failed)
        check_bind(s, sqlite3_bind_int64(s->stmt, idx, v));
}

void store_bind_double(StoreStmt *s, int idx, double v)
{
    if (!s->failed)
        check_bind(s, sqlite3_bind_double(s->stmt, idx, v));
}

void store_bind_text(StoreStmt *s, int idx, const char *v)
{
    if (s->failed)
        return;
    if (!v)
        check_bind(s, sqlite3_bind_null(s->stmt, idx));
    else
        check_bind(s, sqlite3_bind_text(s->stmt, idx, v, -1, SQLITE_STATIC));
}

void store_bind_blob(StoreStmt *s, int idx, const void *p, size_t n)
{
    if (s->failed)
        return;
    if (!p)
        check_bind(s, sqlite3_bind_null(s->stmt, idx));
    else
        check_bind(s, sqlite3_bind_blob(s->stmt, idx, p, (int)n, SQLITE_STATIC));
}

void store_bind_null(StoreStmt *s, int idx)
{
    if (!s->failed)
        check_bind(s, sqlite3_bind_null(s->stmt, idx));
}

StoreResult store_step(StoreStmt *s)
{
    int rc;

    if (s->failed)
        return STORE_ERROR;
    rc = sqlite3_step(s->stmt);
    switch (rc & 0xff) {
    case SQLITE_ROW:
        return STORE_ROW;
    case SQLITE_DONE:
        return STORE_DONE;
    case SQLITE_CONSTRAINT:
        set_err(s->st);
        sqlite3_reset(s->stmt);
        return STORE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        set_err(s->st);
        sqlite3_reset(s->stmt);
        return STORE_BUSY;
    default:
        set_err(s->st);
        sqlite3_reset(s->stmt);
        return STORE_ERROR;
    }
}

void store_reset(StoreStmt *s)
{
    if (!s->stmt)
        return;
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
    s->failed = false;
    if (s->cached)
        s->in_use = false;
}

int store_column_count(StoreStmt *s)
{
    return s->stmt ? sqlite3_column_count(s->stmt) : 0;
}

bool store_column_is_null(StoreStmt *s, int col)
{
    return sqlite3_column_type(s->stmt, col) == SQLITE_NULL;
}

int64_t store_column_int64(StoreStmt *s, int col)
{
    return sqlite3_column_int64(s->stmt, col);
}

double store_column_double(StoreStmt *s, int col)
{
    return sqlite3_column_double(s->stmt, col);
}

char *store_column_text(StoreStmt *s, Arena *a, int col)
{
    const unsigned char *t = sqlite3_column_text(s->stmt, col);

    if (!t)
        return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s->stmt, col));
}

void *store_column_blob(StoreStmt *s, Arena *a, int col, size_t *ret_len)
{
    const void *p = sqlite3_column_blob(s->stmt, col);
    size_t n = (size_t)sqlite3_column_bytes(s->stmt, col);

    *ret_len = n;
    return p ? arena_memdup(a, p, n) : NULL;
}

const char *store_column_name(StoreStmt *s, int col)
{
    return sqlite3_column_name(s->stmt, col);
}

const char *store_errmsg(Store *st)
{
    return st->errmsg;
}

bool store_error_mentions(Store *st, const char *needle)
{
    return strstr(st->errmsg, needle) != NULL;
}

Error *store_error(Store *st, Arena *a)
{
    if (strstr(st->errmsg, "database is locked"))
        return error_new(a, 503, NULL, "busy", "系统繁忙，请稍后再试");
    return error_internal(a, "sqlite: %s", st->errmsg);
}

static Error *exec_simple(Store *st, Arena *a, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        snprintf(st->errmsg, sizeof(st->errmsg), "%s", err ? err : "unknown error");
        sqlite3_free(err);
        return store_error(st, a);
    }
    return NULL;
}

void store_global_init(void)
{
    /* the memory statistics take a global mutex on every allocation */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

static const char SQL_BEGIN_READ[] = "BEGIN DEFERRED";
static const char SQL_END_READ[] = "COMMIT";

/* The WAL-index header's format version this code knows (walformat.html). */
#define WAL_INDEX_VERSION 3007000u
#define WAL_HDR_ICHANGE 2 /* u32 index of iChange: incremented by every commit */

/*
 * Maps the connection's view of the WAL index (region 0 of its shared
 * memory, through the VFS's own xShmMap, so no second file descriptor is
 * opened: closing one would drop SQLite's POSIX locks). Called inside a
 * read transaction, when the shared memory is surely open.
 */
static void map_wal_hdr(Store *st)
{
    sqlite3_file *f = NULL;
    volatile void *region = NULL;

    st->wal_hdr_tried = true;
    if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
        return;
    if (f->pMethods->xShmMap(f, 0, 32768, 0, &region) != SQLITE_OK || !region)
        return;
    if (__atomic_load_n((const uint32_t *)(const void *)region, __ATOMIC_ACQUIRE) != WAL_INDEX_VERSION)
        return;
    st->wal_hdr = (const uint32_t *)(const void *)region;
}

static uint32_t wal_change(const Store *st)
{
    return __atomic_load_n(&st->wal_hdr[WAL_HDR_ICHANGE], __ATOMIC_ACQUIRE);
}

static void end_kept(Store *st)
{
    st->kept = false;
    if (!sqlite3_get_autocommit(st->db) && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        store_rollback(st);
}

Error *store_begin_read(Store *st, Arena *a)
{
    StoreStmt *s;
    StoreResult r;

    if (st->kept) {
        if (wal_change(st) == st->kept_change && !sqlite3_get_autocommit(st->db))
            return NULL; /* nothing committed since: the snapshot is the database */
        end_kept(st);
    }
    if (st->wal_hdr)
        st->kept_change = wal_change(st); /* read first: the snapshot is never older */
    s = store_prepare(st, a, SQL_BEGIN_READ);
    r = store_step(s);
    store_reset(s);
    return r == STORE_DONE ? NULL : store_error(st, a);
}

void store_end_read(Store *st, Arena *a)
{
    StoreStmt *s;

    st->kept = false;
    if (sqlite3_get_autocommit(st->db))
        return;
    s = store_prepare(st, a, SQL_END_READ);
    if (store_step(s) != STORE_DONE)
        store_rollback(st);
    store_reset(s);
}

void store_read_keep(Store *st, Arena *a, bool ok)
{
    if (sqlite3_get_autocommit(st->db))
        return;
    if (sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_WRITE) {
        /* the handler wrote without ending its read: its outcome decides */
        if (ok)
            store_end_read(st, a);
        else
            store_rollback(st);
        return;
    }
    if (!st->wal_hdr_tried) {
        /* the first read of the connection maps the header (in a read
         * transaction, so the shared memory is open); its own start was not
         * counted, so it is not kept */
        if (sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_READ)
            map_wal_hdr(st);
        store_end_read(st, a);
        return;
    }
    if (!st->wal_hdr) {
        store_end_read(st, a);
        return;
    }
    st->kept = true;
}

void store_enter(Store *st)
{
    pthread_mutex_lock(&st->use);
}

void store_leave(Store *st)
{
    pthread_mutex_unlock(&st->use);
}

bool store_release_changed(Store *st)
{
    bool released = false;

    if (pthread_mutex_trylock(&st->use) != 0)
        return false; /* in use: its owner checks at its next read */
    if (st->kept && wal_change(st) != st->kept_change) {
        end_kept(st);
        released = true;
    }
    pthread_mutex_unlock(&st->use);
    return released;
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
    if (st->kept)
        end_kept(st);
    return exec_simple(st, a, "BEGIN IMMEDIATE");
}

Error *store_commit(Store *st, Arena *a)
{
    Error *err = exec_simple(st, a, "COMMIT");

    if (err)
        store_rollback(st);
    return err;
}

void store_rollback(Store *st)
{
    st->kept = false;
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

Error *store_exec(Store *st, Arena *a, const char *sql)
{
    return exec_simple(st, a, sql);
}

bool store_in_tx(Store *st)
{
    return !sqlite3_get_autocommit(st->db);
}

Error *store_savepoint(Store *st, Arena *a, const char *name)
{
    return exec_simple(st, a, arena_sprintf(a, "SAVEPOINT %s", name));
}

Error *store_release(Store *st, Arena *a, const char *name)
{
    return exec_simple(st, a, arena_sprintf(a, "RELEASE %s", name));
}

void store_rollback_to(Store *st, const char *name)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

int64_t store_changes(Store *st)
{
    return sqlite3_changes64(st->db);
}

bool store_backup(Store *st, const char *dest_path, const char **ret_errmsg)
{
    sqlite3 *dest = NULL;
    sqlite3_backup *b;
    int rc;

    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        *ret_errmsg = "cannot open backup file";
        sqlite3_close(dest);
        return false;
    }
    b = sqlite3_backup_init(dest, "main", st->db, "main");
    if (!b) {
        snprintf(st->errmsg, sizeof(st->errmsg), "%s", sqlite3_errmsg(dest));
        *ret_errmsg = st->errmsg;
        sqlite3_close(dest);
        return false;
    }
    /*
     * Copy in steps so writers are not blocked for the whole copy; a write
     * by another connection restarts the copy, so the result is always one
     * consistent snapshot.
     */
    do {
        rc = sqlite3_backup_step(b, 1024);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(5);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    rc = rc == SQLITE_DONE ? sqlite3_errcode(dest) : rc;
    if (rc != SQLITE_OK) {
        snprintf(st->errmsg, sizeof(st->errmsg), "%s", sqlite3_errmsg(dest));
        *ret_errmsg = st->errmsg;
        sqlite3_close(dest);
        return false;
    }
    sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_close(dest);
    return true;
}
