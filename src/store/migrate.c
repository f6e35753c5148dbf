/*
 * Versioned migrations: src/store/schema/NNNN_name.sql for SQLite and
 * src/store/schema/pg/NNNN_name.sql for PostgreSQL, the same numbers and
 * names in both (tests/unit/store/test_migrate.c checks), compiled in by
 * scripts/embed.py; a store applies its dialect's set. Each file runs once, in order, inside one transaction
 * with its row in schema_version, so a failed migration leaves nothing half
 * applied and running migrate again is harmless. A version missing from
 * schema_version is applied even when a later one already is (modules are
 * developed side by side and may land out of order).
 *
 * A file with the line "-- linli: foreign-keys-off" rebuilds a table (SQLite
 * cannot widen a CHECK in place): it runs with foreign keys off, as SQLite's
 * procedure for such changes asks, and commits only if PRAGMA
 * foreign_key_check then finds nothing. PostgreSQL alters constraints in
 * place, so its files never need the marker and it is ignored there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "core/banned.h"

extern const EmbeddedFile schema_files[];
extern const EmbeddedFile schema_pg_files[];

static const char SQL_VERSION_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
/* PostgreSQL's INTEGER has 32 bits: too few for Unix milliseconds */
static const char SQL_VERSION_TABLE_PG[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char SQL_VERSION_CURRENT[] = "SELECT coalesce(max(version), 0) FROM schema_version";
static const char SQL_VERSION_APPLIED[] = "SELECT 1 FROM schema_version WHERE version = ?1";
static const char SQL_FOREIGN_KEY_CHECK[] = "PRAGMA foreign_key_check";
static const char FK_OFF_MARKER[] = "\n-- linli: foreign-keys-off\n";
static const char SQL_VERSION_INSERT[] =
    "INSERT INTO schema_version (version, name, applied_at)"
    " VALUES (?1, ?2, ?3)";

Error *store_migrate(Store *st, Arena *a, int *ret_applied, int *ret_version)
{
    StoreStmt *s;
    int64_t current;
    int applied = 0;
    Error *err;
    const EmbeddedFile *files =
        store_dialect(st) == STORE_POSTGRESQL ? schema_pg_files : schema_files;

    /*
     * Under the write lock too: two processes creating it at once on
     * PostgreSQL race in its catalog (pg_type's unique index), IF NOT
     * EXISTS notwithstanding.
     */
    err = store_begin(st, a);
    if (err)
        return err;
    err = store_exec(st, a, store_sql(st, SQL_VERSION_TABLE, SQL_VERSION_TABLE_PG));
    if (err) {
        store_rollback(st);
        return err;
    }
    err = store_commit(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_VERSION_CURRENT);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    current = store_column_int64(s, 0);
    store_reset(s);

    for (const EmbeddedFile *f = files; f->name; f++) {
        char *end;
        long version = strtol(f->name, &end, 10);

        bool done, fk_off;

        if (end == f->name)
            continue;
        s = store_prepare(st, a, SQL_VERSION_APPLIED);
        store_bind_int64(s, 1, version);
        done = store_step(s) == STORE_ROW;
        store_reset(s);
        if (done)
            continue;
        fk_off = store_dialect(st) == STORE_SQLITE && strstr(f->text, FK_OFF_MARKER) != NULL;
        if (fk_off) {
            err = store_exec(st, a, "PRAGMA foreign_keys=OFF");
            if (err)
                return err;
        }
        err = store_begin(st, a);
        /*
         * Asked again under the write lock: servers started together (or a
         * `linli migrate` beside them) each saw it missing, and the first
         * to get the lock has applied it since.
         */
        if (!err) {
            s = store_prepare(st, a, SQL_VERSION_APPLIED);
            store_bind_int64(s, 1, version);
            done = store_step(s) == STORE_ROW;
            store_reset(s);
            if (done) {
                store_rollback(st);
                if (fk_off)
                    store_exec(st, a, "PRAGMA foreign_keys=ON");
                if (version > current)
                    current = version;
                continue;
            }
        }
        if (!err)
            err = store_exec(st, a, f->text);
        if (!err && fk_off) {
            s = store_prepare(st, a, SQL_FOREIGN_KEY_CHECK);
            if (store_step(s) == STORE_ROW)
                err = error_internal(a, "migration %s breaks a foreign key", f->name);
            store_reset(s);
        }
        if (err) {
            store_rollback(st);
            if (fk_off)
                store_exec(st, a, "PRAGMA foreign_keys=ON");
            return err;
        }
        s = store_prepare(st, a, SQL_VERSION_INSERT);
        store_bind_int64(s, 1, version);
        store_bind_text(s, 2, f->name);
        store_bind_int64(s, 3, time_now_ms());
        if (store_step(s) != STORE_DONE) {
            err = store_error(st, a);
            store_rollback(st);
            if (fk_off)
                store_exec(st, a, "PRAGMA foreign_keys=ON");
            return err;
        }
        store_reset(s);
        err = store_commit(st, a);
        if (fk_off) {
            Error *on = store_exec(st, a, "PRAGMA foreign_keys=ON");

            if (!err)
                err = on;
        }
        if (err)
            return err;
        if (version > current)
            current = version;
        applied++;
    }
    *ret_applied = applied;
    *ret_version = (int)current;
    return NULL;
}
