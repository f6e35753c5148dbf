/*
 * SQLite behind store.h. Each connection keeps a small open-addressing table
 * of prepared statements keyed by the address of their SQL constant. A cached
 * statement still in use (a caller is iterating it) is not handed out twice:
 * the second caller gets a private statement, finalized with its arena.
 */
#include "store/store_backend.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/banned.h"


#define CACHE_SLOTS 512
#define TEXT_SLOTS 128

typedef struct SqliteStore SqliteStore;

typedef struct SqliteStmt {
    StoreStmt base;
    SqliteStore *st;
    sqlite3_stmt *stmt;
    bool cached;
    bool in_use;
    bool failed;     /* prepare or bind failed; store_step reports it */
    uint64_t lease;  /* bumped at each hand-out, so a stale arena cleanup leaves it alone */
} SqliteStmt;

/* An arena's claim on a cached statement, released with the arena or by store_reset. */
typedef struct Lease {
    SqliteStmt *s;
    uint64_t lease;
} Lease;

struct SqliteStore {
    Store base;
    sqlite3 *db;
    const char *keys[CACHE_SLOTS];
    SqliteStmt *stmts[CACHE_SLOTS];
    char *text_keys[TEXT_SLOTS];     /* store_prepare_text: owned copies of the SQL */
    SqliteStmt *text_stmts[TEXT_SLOTS];
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

static const StoreBackend sqlite_backend;

static void set_err(SqliteStore *st)
{
    snprintf(st->errmsg, sizeof(st->errmsg), "%s", sqlite3_errmsg(st->db));
}

/*
 * The collation "C", as PostgreSQL names byte order: module SQL that must
 * sort text alike on both stores says COLLATE "C" (SQLite's BINARY is the
 * same order for UTF-8, but PostgreSQL has no collation of that name).
 */
static int collate_c(void *unused, int n1, const void *s1, int n2, const void *s2)
{
    int c = memcmp(s1, s2, (size_t)(n1 < n2 ? n1 : n2));

    (void)unused;
    return c ? c : n1 - n2;
}

/*
 * Waiting for the write lock another connection holds: SQLite's own busy
 * handler sleeps 1, 2, 5, 10 … up to 100 ms between tries, so a writer
 * often sleeps long after the lock is free, holding its server thread (and
 * the requests queued on it) meanwhile. Here the first 10 ms poll every
 * 100 µs, the next second every millisecond, then every 10 ms; it gives up
 * after about 10 s, as sqlite3_busy_timeout(10000) did.
 */
static int busy_wait(void *arg, int n)
{
    struct timespec ts = { 0, n < 100 ? 100000 : n < 1100 ? 1000000 : 10000000 };

    (void)arg;
    if (n >= 1100 + 900)
        return 0;
    nanosleep(&ts, NULL);
    return 1;
}

Store *store_sqlite_open(const char *path, bool readonly, const char **ret_errmsg)
{
    SqliteStore *st = calloc(1, sizeof(SqliteStore));
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    char *err = NULL;

    if (!st)
        abort();
    st->base.be = &sqlite_backend;
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
    sqlite3_busy_handler(st->db, busy_wait, NULL);
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_create_collation(st->db, "C", SQLITE_UTF8, NULL, collate_c);
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
    return &st->base;
}

static void sq_close(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

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
    SqliteStmt *s = l->s;

    if (!s->in_use || s->lease != l->lease)
        return; /* released by store_reset, maybe handed out again since */
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
    s->in_use = false;
    s->failed = false;
}

static StoreStmt *lease(Arena *a, SqliteStmt *s)
{
    Lease *l = arena_alloc(a, sizeof(Lease));

    s->in_use = true;
    s->lease++;
    l->s = s;
    l->lease = s->lease;
    arena_defer(a, release_cached, l);
    return &s->base;
}

static void release_private(void *data)
{
    SqliteStmt *s = data;

    sqlite3_finalize(s->stmt);
}

static Error *sq_error(Store *bst, Arena *a);
static void sq_rollback(Store *bst);
static void sq_end_read(Store *bst, Arena *a);

static size_t slot_of(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;

    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 40) % CACHE_SLOTS;
}

static StoreStmt *sq_prepare(Store *bst, Arena *a, const char *sql)
{
    SqliteStore *st = (SqliteStore *)bst;
    size_t slot = slot_of(sql);
    SqliteStmt *s;

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
                s = arena_zalloc(a, sizeof(SqliteStmt));
                s->base.st = &st->base;
    s->st = st;
                s->failed = true;
                return &s->base;
            }
            s = calloc(1, sizeof(SqliteStmt));
            if (!s)
                abort();
            s->base.st = &st->base;
    s->st = st;
            s->stmt = stmt;
            s->cached = true;
            st->keys[i] = sql;
            st->stmts[i] = s;
            return lease(a, s);
        }
    }
private_stmt:
    s = arena_zalloc(a, sizeof(SqliteStmt));
    s->base.st = &st->base;
    s->st = st;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s->stmt, NULL) != SQLITE_OK) {
        set_err(st);
        sqlite3_finalize(s->stmt);
        s->stmt = NULL;
        s->failed = true;
        return &s->base;
    }
    arena_defer(a, release_private, s);
    return &s->base;
}

static StoreStmt *sq_prepare_text(Store *bst, Arena *a, const char *sql)
{
    SqliteStore *st = (SqliteStore *)bst;

    sqlite3_stmt *stmt = NULL;
    SqliteStmt *s;
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
            s = calloc(1, sizeof(SqliteStmt));
            st->text_keys[i] = strdup(sql);
            if (!s || !st->text_keys[i])
                abort();
            s->base.st = &st->base;
    s->st = st;
            s->stmt = stmt;
            s->cached = true;
            st->text_stmts[i] = s;
            return lease(a, s);
        }
    }
    /* in use, a full cache, or a failed prepare: a private statement */
    sqlite3_finalize(stmt);
    s = arena_zalloc(a, sizeof(SqliteStmt));
    s->base.st = &st->base;
    s->st = st;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s->stmt, NULL) != SQLITE_OK) {
        set_err(st);
        sqlite3_finalize(s->stmt);
        s->stmt = NULL;
        s->failed = true;
        return &s->base;
    }
    arena_defer(a, release_private, s);
    return &s->base;
}

static void check_bind(SqliteStmt *s, int rc)
{
    if (rc != SQLITE_OK) {
        set_err(s->st);
        s->failed = true;
    }
}

static void sq_bind_int64(StoreStmt *bs, int idx, int64_t v)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    if (!s->failed)
        check_bind(s, sqlite3_bind_int64(s->stmt, idx, v));
}

static void sq_bind_double(StoreStmt *bs, int idx, double v)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    if (!s->failed)
        check_bind(s, sqlite3_bind_double(s->stmt, idx, v));
}

static void sq_bind_text(StoreStmt *bs, int idx, const char *v)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    if (s->failed)
        return;
    if (!v)
        check_bind(s, sqlite3_bind_null(s->stmt, idx));
    else
        check_bind(s, sqlite3_bind_text(s->stmt, idx, v, -1, SQLITE_STATIC));
}

static void sq_bind_blob(StoreStmt *bs, int idx, const void *p, size_t n)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    if (s->failed)
        return;
    if (!p)
        check_bind(s, sqlite3_bind_null(s->stmt, idx));
    else
        check_bind(s, sqlite3_bind_blob(s->stmt, idx, p, (int)n, SQLITE_STATIC));
}

static void sq_bind_null(StoreStmt *bs, int idx)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    if (!s->failed)
        check_bind(s, sqlite3_bind_null(s->stmt, idx));
}

static StoreResult sq_step(StoreStmt *bs)
{
    SqliteStmt *s = (SqliteStmt *)bs;

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

static void sq_reset(StoreStmt *bs)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    if (!s->stmt)
        return;
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
    s->failed = false;
    if (s->cached)
        s->in_use = false;
}

static int sq_column_count(StoreStmt *bs)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    return s->stmt ? sqlite3_column_count(s->stmt) : 0;
}

static bool sq_column_is_null(StoreStmt *bs, int col)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    return sqlite3_column_type(s->stmt, col) == SQLITE_NULL;
}

static int64_t sq_column_int64(StoreStmt *bs, int col)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    return sqlite3_column_int64(s->stmt, col);
}

static double sq_column_double(StoreStmt *bs, int col)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    return sqlite3_column_double(s->stmt, col);
}

static char *sq_column_text(StoreStmt *bs, Arena *a, int col)
{
    SqliteStmt *s = (SqliteStmt *)bs;
    const unsigned char *t = sqlite3_column_text(s->stmt, col);

    if (!t)
        return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s->stmt, col));
}

static void *sq_column_blob(StoreStmt *bs, Arena *a, int col, size_t *ret_len)
{
    SqliteStmt *s = (SqliteStmt *)bs;
    const void *p = sqlite3_column_blob(s->stmt, col);
    size_t n = (size_t)sqlite3_column_bytes(s->stmt, col);

    *ret_len = n;
    return p ? arena_memdup(a, p, n) : NULL;
}

static const char *sq_column_name(StoreStmt *bs, int col)
{
    SqliteStmt *s = (SqliteStmt *)bs;

    return sqlite3_column_name(s->stmt, col);
}

static const char *sq_errmsg(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

    return st->errmsg;
}

static Error *sq_error(Store *bst, Arena *a)
{
    SqliteStore *st = (SqliteStore *)bst;

    if (strstr(st->errmsg, "database is locked"))
        return error_new(a, 503, NULL, "busy", "系统繁忙，请稍后再试");
    return error_internal(a, "sqlite: %s", st->errmsg);
}

static Error *exec_simple(SqliteStore *st, Arena *a, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        snprintf(st->errmsg, sizeof(st->errmsg), "%s", err ? err : "unknown error");
        sqlite3_free(err);
        return sq_error(&st->base, a);
    }
    return NULL;
}

void store_sqlite_global_init(void)
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
static void map_wal_hdr(SqliteStore *st)
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

static uint32_t wal_change(const SqliteStore *st)
{
    return __atomic_load_n(&st->wal_hdr[WAL_HDR_ICHANGE], __ATOMIC_ACQUIRE);
}

static void end_kept(SqliteStore *st)
{
    st->kept = false;
    if (!sqlite3_get_autocommit(st->db) && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sq_rollback(&st->base);
}

static Error *sq_begin_read(Store *bst, Arena *a)
{
    SqliteStore *st = (SqliteStore *)bst;
    StoreStmt *s;
    StoreResult r;

    if (st->kept) {
        if (wal_change(st) == st->kept_change && !sqlite3_get_autocommit(st->db))
            return NULL; /* nothing committed since: the snapshot is the database */
        end_kept(st);
    }
    if (st->wal_hdr)
        st->kept_change = wal_change(st); /* read first: the snapshot is never older */
    s = store_prepare(&st->base, a, SQL_BEGIN_READ);
    r = store_step(s);
    store_reset(s);
    return r == STORE_DONE ? NULL : sq_error(&st->base, a);
}

static void sq_end_read(Store *bst, Arena *a)
{
    SqliteStore *st = (SqliteStore *)bst;
    StoreStmt *s;

    st->kept = false;
    if (sqlite3_get_autocommit(st->db))
        return;
    s = store_prepare(&st->base, a, SQL_END_READ);
    if (store_step(s) != STORE_DONE)
        sq_rollback(&st->base);
    store_reset(s);
}

static void sq_read_keep(Store *bst, Arena *a, bool ok)
{
    SqliteStore *st = (SqliteStore *)bst;

    if (sqlite3_get_autocommit(st->db))
        return;
    if (sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_WRITE) {
        /* the handler wrote without ending its read: its outcome decides */
        if (ok)
            sq_end_read(&st->base, a);
        else
            sq_rollback(&st->base);
        return;
    }
    if (!st->wal_hdr_tried) {
        /* the first read of the connection maps the header (in a read
         * transaction, so the shared memory is open); its own start was not
         * counted, so it is not kept */
        if (sqlite3_txn_state(st->db, NULL) == SQLITE_TXN_READ)
            map_wal_hdr(st);
        sq_end_read(&st->base, a);
        return;
    }
    if (!st->wal_hdr) {
        sq_end_read(&st->base, a);
        return;
    }
    st->kept = true;
}

static void sq_enter(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

    pthread_mutex_lock(&st->use);
}

static void sq_leave(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

    pthread_mutex_unlock(&st->use);
}

static bool sq_release_changed(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;
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

static Error *sq_begin(Store *bst, Arena *a)
{
    SqliteStore *st = (SqliteStore *)bst;

    if (st->kept)
        end_kept(st);
    return exec_simple(st, a, "BEGIN IMMEDIATE");
}

static Error *sq_begin_keyed(Store *bst, Arena *a, int lock_class, int64_t key)
{
    (void)lock_class;
    (void)key;
    return sq_begin(bst, a); /* one writer: every key at once */
}

static Error *sq_commit(Store *bst, Arena *a)
{
    SqliteStore *st = (SqliteStore *)bst;
    Error *err = exec_simple(st, a, "COMMIT");

    if (err)
        sq_rollback(&st->base);
    return err;
}

static void sq_rollback(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

    st->kept = false;
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static Error *sq_exec(Store *bst, Arena *a, const char *sql)
{
    SqliteStore *st = (SqliteStore *)bst;

    return exec_simple(st, a, sql);
}

static bool sq_in_tx(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

    return !sqlite3_get_autocommit(st->db);
}

static void sq_rollback_to(Store *bst, const char *name)
{
    SqliteStore *st = (SqliteStore *)bst;
    char sql[128];

    snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

static int64_t sq_changes(Store *bst)
{
    SqliteStore *st = (SqliteStore *)bst;

    return sqlite3_changes64(st->db);
}

static bool sq_backup(Store *bst, const char *dest_path, const char **ret_errmsg)
{
    SqliteStore *st = (SqliteStore *)bst;

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

static const StoreBackend sqlite_backend = {
    .dialect = STORE_SQLITE,
    .close = sq_close,
    .prepare = sq_prepare,
    .prepare_text = sq_prepare_text,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .column_count = sq_column_count,
    .column_is_null = sq_column_is_null,
    .column_int64 = sq_column_int64,
    .column_double = sq_column_double,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
    .column_name = sq_column_name,
    .error = sq_error,
    .errmsg = sq_errmsg,
    .begin_read = sq_begin_read,
    .end_read = sq_end_read,
    .read_keep = sq_read_keep,
    .enter = sq_enter,
    .leave = sq_leave,
    .release_changed = sq_release_changed,
    .begin = sq_begin,
    .begin_keyed = sq_begin_keyed,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .changes = sq_changes,
    .in_tx = sq_in_tx,
    .rollback_to = sq_rollback_to,
    .backup = sq_backup,
};
