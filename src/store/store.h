#pragma once
/*
 * Store: the one database interface. SQL text lives only in *_store.c files
 * and src/store/; this header is all they see of the database.
 *
 * A Store is one connection, used by one thread at a time. Statements are
 * prepared once per connection and cached by the address of their SQL text
 * (so SQL must be a static constant); store_prepare() hands one out for the
 * life of an arena, which resets it when freed. Placeholders are ?1, ?2...
 *
 * Errors: store_step() reports a failed prepare or bind as STORE_ERROR;
 * store_error() turns the connection's last error into an internal Error.
 *
 * Two backends: a SQLite file (store_sqlite.c, the default) and PostgreSQL
 * (store_pg.c, on libpq), chosen by what store_open is given. Module SQL is
 * written once, in what both dialects accept (docs/POSTGRESQL.md lists the
 * subset); where no common form exists, store_sql() picks one of two
 * constants. Each backend turns ?N into its own placeholders.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

typedef struct Store Store;
typedef struct StoreStmt StoreStmt;

typedef enum StoreResult {
    STORE_ROW,
    STORE_DONE,
    STORE_CONSTRAINT, /* a UNIQUE, CHECK, FOREIGN KEY or NOT NULL constraint fired */
    STORE_BUSY,       /* the database stayed locked past the busy timeout */
    STORE_ERROR,
    _STORE_RESULT_MAX
} StoreResult;

typedef enum StoreDialect {
    STORE_SQLITE,
    STORE_POSTGRESQL,
    _STORE_DIALECT_MAX
} StoreDialect;

/* True if @path is a PostgreSQL URI (postgresql://... or postgres://...). */
bool store_is_postgresql(const char *path);
/*
 * @path fit for a log line, allocated in @a: a URI's password (the text
 * between "user:" and "@") becomes "***".
 */
char *store_path_for_log(Arena *a, const char *path);
/*
 * Opens @path: a PostgreSQL URI connects to that database; anything else
 * is a SQLite file, created if missing, in WAL mode with foreign keys on.
 * NULL with *ret_errmsg (a static string or the Store's) on failure.
 */
Store *store_open(const char *path, const char **ret_errmsg);
/* @readonly: a connection that never writes (backups, benchmarks). */
Store *store_open_flags(const char *path, bool readonly, const char **ret_errmsg);
void store_close(Store *st);

StoreDialect store_dialect(Store *st);
/*
 * The one of two SQL constants for @st's dialect, for the rare statement
 * with no form both accept. Both stay static constants, so each is cached
 * by its address like any other.
 */
const char *store_sql(Store *st, const char *sqlite_sql, const char *pg_sql);

StoreStmt *store_prepare(Store *st, Arena *a, const char *sql);
/*
 * Like store_prepare, for SQL assembled at run time from fixed fragments
 * (never from user input): cached by its text, so each shape is prepared
 * once per connection.
 */
StoreStmt *store_prepare_text(Store *st, Arena *a, const char *sql);
void store_bind_int64(StoreStmt *s, int idx, int64_t v);
void store_bind_double(StoreStmt *s, int idx, double v);
/* @v must outlive the statement's use (arena memory does); NULL binds NULL. */
void store_bind_text(StoreStmt *s, int idx, const char *v);
void store_bind_blob(StoreStmt *s, int idx, const void *p, size_t n);
void store_bind_null(StoreStmt *s, int idx);
/*
 * Binds ?1, ?2 ... in order from the arguments @types lists: 'i' an
 * int64_t, 'I' an int64_t that binds NULL when 0 (an optional id), 't' a
 * const char * (NULL binds NULL), 'n' nothing read (NULL).
 * Returns @s, for store_prepare_bind's callers.
 */
StoreStmt *store_bind_list(StoreStmt *s, const char *types, ...);
/* store_prepare, then store_bind_list. */
StoreStmt *store_prepare_bind(Store *st, Arena *a, const char *sql, const char *types, ...);
/*
 * Prepares @sql, binds as store_bind_list, steps once and resets: NULL when
 * it ran (STORE_DONE or a row), a 409 with @conflict_field, @conflict_code
 * and @conflict_message on STORE_CONSTRAINT (@conflict_code NULL: an
 * internal error instead), else store_error. *ret_changes (may be NULL)
 * receives store_changes.
 */
Error *store_run(Store *st, Arena *a, const char *sql, const char *conflict_field,
                 const char *conflict_code, const char *conflict_message, int64_t *ret_changes,
                 const char *types, ...);
/*
 * store_run for an INSERT … RETURNING id: *ret_id receives the id (an
 * internal error when no row comes back).
 */
Error *store_insert(Store *st, Arena *a, const char *sql, const char *conflict_field,
                    const char *conflict_code, const char *conflict_message, int64_t *ret_id,
                    const char *types, ...);

StoreResult store_step(StoreStmt *s);
/*
 * Done with @s: resets it and clears its bindings. A cached statement goes
 * back to the cache at once (the next store_prepare of the same SQL gets it),
 * so do not touch @s afterwards; prepare again instead.
 */
void store_reset(StoreStmt *s);

/*
 * Helpers for the common shapes of a statement's run, each resetting @s
 * after it. store_run_stmt: runs @s (bound) to its first row or its end (an
 * INSERT, UPDATE or DELETE), else store_error. store_run_int64: *ret is
 * column 0 of the first row as an integer, 0 when there is no row or it is
 * NULL (a count, an id from RETURNING). store_run_ids: column 0 of every
 * row, in @a. store_bind_id_or_null binds @id, or NULL when it is 0 or less.
 */
Error *store_run_stmt(Store *st, Arena *a, StoreStmt *s);
Error *store_run_int64(Store *st, Arena *a, StoreStmt *s, int64_t *ret);
Error *store_run_ids(Store *st, Arena *a, StoreStmt *s, int64_t **ret, size_t *ret_n);
void store_bind_id_or_null(StoreStmt *s, int idx, int64_t id);

int store_column_count(StoreStmt *s);
bool store_column_is_null(StoreStmt *s, int col);
int64_t store_column_int64(StoreStmt *s, int col);
double store_column_double(StoreStmt *s, int col);
/* Column text copied into @a; NULL for SQL NULL. */
char *store_column_text(StoreStmt *s, Arena *a, int col);
/* Column blob copied into @a; *ret_len receives its size. */
void *store_column_blob(StoreStmt *s, Arena *a, int col, size_t *ret_len);
const char *store_column_name(StoreStmt *s, int col);

/*
 * The connection's last error as a 500 Error (detail: the database's
 * message), or a 503 "busy" when the database stayed locked (SQLite) or
 * a transaction lost a serialization conflict or deadlock (PostgreSQL).
 */
Error *store_error(Store *st, Arena *a);
const char *store_errmsg(Store *st);
/*
 * Whether the last error's message contains @needle, for mapping a
 * STORE_CONSTRAINT to a 409. Both backends word a constraint failure as
 * SQLite does, "UNIQUE constraint failed: table.column, ..." (also
 * "FOREIGN KEY", "CHECK", "NOT NULL"), so callers test those words and
 * table.column names; PostgreSQL's own message and constraint name follow.
 */
bool store_error_mentions(Store *st, const char *needle);

/* Process-wide settings (SQLite's); call once before opening any store. */
void store_global_init(void);

/*
 * A read transaction (BEGIN DEFERRED): the statements until store_end_read
 * see one snapshot, and the WAL read lock is taken once, not per statement.
 * A write inside one may fail with SQLITE_BUSY: end it first.
 *
 * Snapshots kept across requests: store_read_keep leaves a read-only
 * transaction open, and the next store_begin_read on the connection reuses
 * it when no transaction has committed since, in this process or another.
 * That is told by the WAL-index header's change counter (iChange, see
 * https://www.sqlite.org/walformat.html), one load from the shared memory
 * SQLite already maps, where BEGIN and COMMIT take and drop the WAL read
 * lock (fcntl calls and a process-wide mutex) every time. A kept snapshot
 * is therefore never stale when used; store_begin, store_rollback and
 * store_end_read end it.
 *
 * On PostgreSQL a read transaction is REPEATABLE READ (one snapshot) and
 * is never kept: store_read_keep ends it, and store_release_changed has
 * nothing to release.
 */
Error *store_begin_read(Store *st, Arena *a);
void store_end_read(Store *st, Arena *a);
/*
 * The end of a request that began a read: a read-only transaction is kept
 * (when the change counter can be read; otherwise it ends); one that wrote
 * commits if @ok, else rolls back.
 */
void store_read_keep(Store *st, Arena *a, bool ok);
/*
 * A connection whose snapshot is kept may be used from another thread only
 * between store_enter and store_leave (its owner holds it for each request).
 * store_release_changed, from any thread, ends a kept snapshot that a commit
 * has made stale, unless the connection is in use, so that an idle thread
 * does not hold back checkpoints; true if it ended one.
 */
void store_enter(Store *st);
void store_leave(Store *st);
bool store_release_changed(Store *st);

/*
 * The version of a domain's data as seen from the codes in [@lo, @hi): the
 * domain's row in data_version (schema 12), raised by every change that any
 * answer may show, plus the sum of its parts in data_version_part (schema
 * 14) whose code is in the range, each raised by changes to that code's
 * (a community's) rows. Triggers raise both in the writing transaction, and
 * they only grow, so the version changes exactly when the range's data or
 * the shared data did. False if the domain has no row.
 */
bool store_data_version(Store *st, Arena *a, const char *name, const char *lo, const char *hi,
                        int64_t *ret);

/*
 * A write transaction: BEGIN IMMEDIATE / COMMIT / ROLLBACK on SQLite. On
 * PostgreSQL, BEGIN (read committed) and a transaction-level advisory lock
 * that every store_begin takes, so write transactions run one at a time
 * across all connections and servers, as SQLite's one writer does: code
 * that reads then writes inside store_begin stays correct. store_commit
 * reports a commit that failed (the transaction is then rolled back).
 * PostgreSQL's BEGIN and lock travel with the transaction's first
 * statement (one round trip): a lock not had (a lock_timeout, a deadlock)
 * is that statement's STORE_BUSY, and every later statement's and the
 * commit's, until the transaction ends; that statement does not run.
 */
Error *store_begin(Store *st, Arena *a);
/*
 * A write transaction that decides only about the rows of one thing, such
 * as one room's bookings. On SQLite, store_begin (one writer). On
 * PostgreSQL, BEGIN (read committed), store_begin's advisory lock taken
 * shared and an exclusive advisory lock on (@lock_class, @key): keyed
 * transactions of different keys run side by side, those of one key one
 * at a time, and a store_begin transaction runs alone, as before. For
 * code whose reads before it writes concern only rows of that key, or rows
 * that store_begin transactions alone change; a uniqueness or exclusion
 * constraint must still refuse what two keys could both write. Deadlocks
 * and serialization failures are STORE_BUSY (503 "busy"): the caller may
 * run the transaction again.
 */
Error *store_begin_keyed(Store *st, Arena *a, int lock_class, int64_t key);
/* lock classes of store_begin_keyed */
#define STORE_LOCK_ROOM 1 /* a function room's bookings */
#define STORE_LOCK_FUND_APPLICATION 2 /* one funds application: its steps, items and spending */
#define STORE_LOCK_ACTIVITY 3 /* one activity: its places, sign-ups and attendance */
#define STORE_LOCK_MERCHANT_OFFER 6 /* one merchant offer: its redemptions (points.h) */
#define STORE_LOCK_VOLUNTEER 4 /* one volunteer: her hours ledger and balance */
Error *store_commit(Store *st, Arena *a);
void store_rollback(Store *st);

/* Runs a script of statements (migrations, CLI). */
Error *store_exec(Store *st, Arena *a, const char *sql);

int64_t store_changes(Store *st);

/* True inside BEGIN ... COMMIT. */
bool store_in_tx(Store *st);

/* SAVEPOINT @name / RELEASE / ROLLBACK TO (+ RELEASE): one row of an import. */
Error *store_savepoint(Store *st, Arena *a, const char *name);
Error *store_release(Store *st, Arena *a, const char *name);
void store_rollback_to(Store *st, const char *name);

/*
 * Online, consistent copy of the whole database into @dest_path: a SQLite
 * file, or on PostgreSQL pg_dump's custom format (restore with pg_restore).
 */
bool store_backup(Store *st, const char *dest_path, const char **ret_errmsg);

/* Applies the embedded migrations not yet applied; *ret_applied counts them. */
Error *store_migrate(Store *st, Arena *a, int *ret_applied, int *ret_version);
