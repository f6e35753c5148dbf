/*
 * store_pgcopy: COPY FROM STDIN for store_copy (see store_pgcopy.h), on a
 * libpq connection of its own, so that store_pg.c keeps to what store.h
 * asks of it.
 */
#include "store/store_pgcopy.h"

#include <stdlib.h>
#include <string.h>

#ifdef LINLI_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "core/banned.h"

#ifndef LINLI_HAVE_LIBPQ

PgCopy *pgcopy_open(const char *conninfo, Arena *a, const char **ret_errmsg)
{
    (void)conninfo;
    (void)a;
    *ret_errmsg = "linli was built without PostgreSQL (libpq-dev missing)";
    return NULL;
}

void pgcopy_free(PgCopy *pc)
{
    (void)pc;
}

Error *pgcopy_exec(PgCopy *pc, Arena *a, const char *sql)
{
    (void)pc;
    (void)sql;
    return error_internal(a, "linli was built without PostgreSQL");
}

Error *pgcopy_query_int(PgCopy *pc, Arena *a, const char *sql, int64_t *ret)
{
    (void)pc;
    (void)sql;
    (void)ret;
    return error_internal(a, "linli was built without PostgreSQL");
}

Error *pgcopy_query_texts(PgCopy *pc, Arena *a, const char *sql, int n_cols, const char ***ret_rows,
                          int *ret_n)
{
    (void)n_cols;
    (void)ret_rows;
    (void)ret_n;
    return pgcopy_exec(pc, a, sql);
}

const char *pgcopy_literal(PgCopy *pc, Arena *a, const char *s)
{
    (void)pc;
    (void)s;
    return arena_strdup(a, "''");
}

Error *pgcopy_start(PgCopy *pc, Arena *a, const char *sql)
{
    return pgcopy_exec(pc, a, sql);
}

Error *pgcopy_put(PgCopy *pc, Arena *a, const char *data, size_t n)
{
    (void)data;
    (void)n;
    return pgcopy_exec(pc, a, "");
}

Error *pgcopy_end(PgCopy *pc, Arena *a, bool failed)
{
    (void)failed;
    return pgcopy_exec(pc, a, "");
}

#else

#define SEND_BYTES (1 << 20)

struct PgCopy {
    PGconn *conn;
    char *buf; /* rows not yet sent */
    size_t len, cap;
};

static Error *conn_error(PgCopy *pc, Arena *a, const char *what)
{
    const char *msg = PQerrorMessage(pc->conn);
    size_t n = strlen(msg);

    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return error_internal(a, "PostgreSQL %s: %.*s", what, (int)n, msg);
}

static Error *result_error(PGresult *res, Arena *a, const char *what)
{
    const char *msg = PQresultErrorMessage(res);
    size_t n = strlen(msg);
    Error *err;

    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    err = error_internal(a, "PostgreSQL %s: %.*s", what, (int)n, msg);
    PQclear(res);
    return err;
}

static void silence_notice(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

PgCopy *pgcopy_open(const char *conninfo, Arena *a, const char **ret_errmsg)
{
    PgCopy *pc = calloc(1, sizeof(*pc));
    Error *err;

    if (!pc)
        abort();
    pc->conn = PQconnectdb(conninfo);
    if (PQstatus(pc->conn) != CONNECTION_OK) {
        *ret_errmsg = arena_sprintf(a, "cannot connect to PostgreSQL: %s", PQerrorMessage(pc->conn));
        pgcopy_free(pc);
        return NULL;
    }
    PQsetNoticeReceiver(pc->conn, silence_notice, NULL);
    err = pgcopy_exec(pc, a, "SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'");
    if (err) {
        *ret_errmsg = err->detail ? err->detail : err->message;
        pgcopy_free(pc);
        return NULL;
    }
    return pc;
}

void pgcopy_free(PgCopy *pc)
{
    if (!pc)
        return;
    PQfinish(pc->conn);
    free(pc->buf);
    free(pc);
}

Error *pgcopy_exec(PgCopy *pc, Arena *a, const char *sql)
{
    PGresult *res = PQexec(pc->conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        return result_error(res, a, "statement failed");
    PQclear(res);
    return NULL;
}

Error *pgcopy_query_int(PgCopy *pc, Arena *a, const char *sql, int64_t *ret)
{
    PGresult *res = PQexec(pc->conn, sql);

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return result_error(res, a, "query failed");
    if (PQntuples(res) != 1 || PQnfields(res) != 1 || PQgetisnull(res, 0, 0)) {
        PQclear(res);
        return error_internal(a, "PostgreSQL: no single value from %s", sql);
    }
    *ret = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return NULL;
}

Error *pgcopy_query_texts(PgCopy *pc, Arena *a, const char *sql, int n_cols, const char ***ret_rows,
                          int *ret_n)
{
    PGresult *res = PQexec(pc->conn, sql);
    const char **rows;
    int n;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return result_error(res, a, "query failed");
    if (PQnfields(res) != n_cols) {
        PQclear(res);
        return error_internal(a, "PostgreSQL: %d columns expected from %s", n_cols, sql);
    }
    n = PQntuples(res);
    rows = arena_alloc(a, sizeof(*rows) * (size_t)(n * n_cols + 1));
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n_cols; c++)
            rows[r * n_cols + c] = arena_strdup(a, PQgetvalue(res, r, c));
    PQclear(res);
    *ret_rows = rows;
    *ret_n = n;
    return NULL;
}

const char *pgcopy_literal(PgCopy *pc, Arena *a, const char *s)
{
    char *q = PQescapeLiteral(pc->conn, s, strlen(s));
    const char *ret;

    if (!q)
        abort(); /* out of memory, or text that is not UTF-8 (names from the catalog are) */
    ret = arena_strdup(a, q);
    PQfreemem(q);
    return ret;
}

Error *pgcopy_start(PgCopy *pc, Arena *a, const char *sql)
{
    PGresult *res = PQexec(pc->conn, sql);

    if (PQresultStatus(res) != PGRES_COPY_IN)
        return result_error(res, a, "COPY failed");
    PQclear(res);
    pc->len = 0;
    return NULL;
}

static Error *send_buffer(PgCopy *pc, Arena *a)
{
    if (pc->len && PQputCopyData(pc->conn, pc->buf, (int)pc->len) != 1)
        return conn_error(pc, a, "COPY failed");
    pc->len = 0;
    return NULL;
}

Error *pgcopy_put(PgCopy *pc, Arena *a, const char *data, size_t n)
{
    if (pc->len + n > pc->cap) {
        size_t cap = pc->cap ? pc->cap : SEND_BYTES + 4096;

        while (cap < pc->len + n)
            cap *= 2;
        pc->buf = realloc(pc->buf, cap);
        if (!pc->buf)
            abort();
        pc->cap = cap;
    }
    memcpy(pc->buf + pc->len, data, n);
    pc->len += n;
    return pc->len >= SEND_BYTES ? send_buffer(pc, a) : NULL;
}

Error *pgcopy_end(PgCopy *pc, Arena *a, bool failed)
{
    Error *err = failed ? NULL : send_buffer(pc, a);
    PGresult *res;

    failed = failed || err;
    pc->len = 0;
    if (PQputCopyEnd(pc->conn, failed ? "linli: the copy failed" : NULL) != 1 && !err)
        err = conn_error(pc, a, "COPY failed");
    while ((res = PQgetResult(pc->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !err && !failed)
            err = result_error(res, a, "COPY failed");
        else
            PQclear(res);
    }
    return err;
}

#endif
