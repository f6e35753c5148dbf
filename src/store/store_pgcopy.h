#pragma once
/*
 * A connection of its own to a PostgreSQL database for store_copy: the
 * statements of a bulk load and COPY ... FROM STDIN, which store.h does
 * not offer (a module never needs them). libpq only; without libpq,
 * pgcopy_open fails.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

typedef struct PgCopy PgCopy;

/* Connects to @conninfo (a postgresql:// URL) with the session store_pg.c
 * sets up (UTC, UTF-8); NULL with *ret_errmsg set on failure. */
PgCopy *pgcopy_open(const char *conninfo, Arena *a, const char **ret_errmsg);
void pgcopy_free(PgCopy *pc);

/* One or more statements without results (BEGIN, ALTER TABLE, ...). */
Error *pgcopy_exec(PgCopy *pc, Arena *a, const char *sql);
/* A statement whose result is one integer, in *ret. */
Error *pgcopy_query_int(PgCopy *pc, Arena *a, const char *sql, int64_t *ret);
/* A query's rows of text (no NULLs) in *ret_rows, row after row, n_cols each. */
Error *pgcopy_query_texts(PgCopy *pc, Arena *a, const char *sql, int n_cols, const char ***ret_rows,
                          int *ret_n);
/* @s as an SQL string literal ('...'), in @a. */
const char *pgcopy_literal(PgCopy *pc, Arena *a, const char *s);

/*
 * COPY: pgcopy_start sends @sql ("COPY t (a, b) FROM STDIN"), pgcopy_put
 * buffers rows in COPY's text format and sends them in pieces of about a
 * megabyte, pgcopy_end sends the rest and waits for the server's verdict;
 * with @failed (the caller met an error meanwhile) it ends the COPY as
 * failed instead, which aborts the transaction. After pgcopy_start
 * succeeded, pgcopy_end must be called, whatever pgcopy_put returned.
 */
Error *pgcopy_start(PgCopy *pc, Arena *a, const char *sql);
Error *pgcopy_put(PgCopy *pc, Arena *a, const char *data, size_t n);
Error *pgcopy_end(PgCopy *pc, Arena *a, bool failed);
