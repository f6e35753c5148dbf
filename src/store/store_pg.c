/*
 * PostgreSQL behind store.h, on libpq.
 *
 * Statements. store_prepare turns the SQL's ?N placeholders into $N (see
 * translate()) once per connection, cached by the address of the SQL
 * constant as store_sqlite.c caches (store_prepare_text by its text). The
 * server-side statement (named "l1", "l2", ...) is prepared at the first
 * store_step, with the types of the values then bound: int64 as bigint,
 * double as double precision, blob as bytea; text and NULL are left for the
 * server to infer from where the parameter stands. Typing numbers up front
 * is what lets one SQL text serve both dialects: "CASE WHEN ?2 = '' THEN
 * NULL ELSE ?7 END" would otherwise make ?7 text. A later step that binds
 * a number where the statement was prepared without one prepares it again.
 *
 * Execution. The first store_step sends the bound values (numbers and text
 * as text, blobs binary) and receives the whole result, which later steps
 * walk; so unlike a SQLite cursor a statement being walked holds no server
 * state. Each step is one pipeline (libpq's pipeline mode, one round trip):
 * the transaction's BEGIN and lock statements when they still wait (a
 * transaction's BEGIN is not sent alone but with its first statement), the
 * statement's Prepare when it needs one, its execution, a Sync. A read
 * transaction that wrote nothing ends with a COMMIT (ROLLBACK on failure)
 * that is not waited for; its answer is read at the connection's next use. A second caller of a statement in use gets a private StoreStmt,
 * run unnamed (PQexecParams: parse, bind and execute in one round trip).
 * Results are read in text format and converted by the column accessors,
 * as SQLite converts between its types (booleans read as 0 and 1, bytea is
 * decoded from hex).
 *
 * Errors. SQLSTATE class 23 (integrity constraint violation, which the
 * schema's trigger functions raise too) is STORE_CONSTRAINT, worded like
 * SQLite's message (store_error_mentions); 40001 (serialization failure),
 * 40P01 (deadlock), 55P03 (lock not available) and 57014 (statement
 * timeout) are STORE_BUSY, which store_error makes a 503 the client retries.
 *
 * Transactions: store.h. NEEDSWORK: a statement that fails inside a
 * transaction aborts the whole transaction on PostgreSQL, where SQLite
 * lets the caller go on (a caller that catches STORE_CONSTRAINT and
 * continues inside store_begin must use a savepoint to work on both).
 * NEEDSWORK: whole results are buffered; an export of millions of rows
 * wants libpq's single-row mode.
 * A connection the server dropped (PostgreSQL restarted, a network cut) is
 * made again when the next request or transaction starts (revive): the
 * statement that met the break fails, the ones after it work.
 * NEEDSWORK: prepared statements are not told when a migration changes
 * their tables.
 */
#include "store/store_backend.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/hash.h"

#ifdef LINLI_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "core/banned.h"

#ifndef LINLI_HAVE_LIBPQ

Store *store_pg_open(const char *conninfo, bool readonly, const char **ret_errmsg)
{
    (void)conninfo;
    (void)readonly;
    *ret_errmsg = "linli was built without PostgreSQL (libpq-dev missing)";
    return NULL;
}

#else

#define CACHE_SLOTS 512
#define TEXT_SLOTS 128
#define MAX_PARAMS 999 /* SQLite's historic limit; no linli statement comes near */

/* The OIDs of pg_type this file binds or reads (catalog/pg_type_d.h). */
#define BOOLOID 16
#define BYTEAOID 17
#define INT8OID 20
#define TEXTOID 25
#define FLOAT8OID 701

/*
 * Every store_begin takes this transaction-level advisory lock, so write
 * transactions run one at a time, as on SQLite (store.h). The number is
 * "linli" in ASCII; nothing else in the database may use it.
 */
#define WRITE_LOCK_KEY "465975315561"

typedef struct PgStore PgStore;

typedef struct PgStmt {
    StoreStmt base;
    PgStore *st;
    const char *text;    /* the SQL with $N: owned by the cached statement */
    char name[16];       /* the server-side statement, "" until prepared; private: unnamed */
    int n_params;
    const char **values; /* n_params each: the bound values, NULL for SQL NULL */
    int *lengths;
    int *formats;        /* 0 text, 1 binary (blobs) */
    Oid *types;          /* the bound values' types, 0: the server infers */
    Oid *prep_types;     /* cached: the types the server-side statement was prepared with */
    const Oid *base_types; /* text for a number the SQL skips (nothing to infer it from), else 0 */
    char (*nums)[32];    /* text of bound numbers */
    PGresult *res;       /* the result being walked, from the first store_step */
    int row;             /* current row of res */
    bool cached;
    bool in_use;
    bool failed;         /* prepare or bind failed; store_step reports it */
    uint64_t lease;      /* bumped at each hand-out, so a stale arena cleanup leaves it alone */
} PgStmt;

typedef struct Lease {
    PgStmt *s;
    uint64_t lease;
} Lease;

struct PgStore {
    Store base;
    PGconn *conn;
    const char *keys[CACHE_SLOTS];
    PgStmt *stmts[CACHE_SLOTS];
    char *text_keys[TEXT_SLOTS]; /* store_prepare_text: owned copies of the SQL */
    PgStmt *text_stmts[TEXT_SLOTS];
    unsigned n_prepared;         /* names handed out: l1, l2, ... */
    int64_t changes;             /* rows the last statement changed */
    bool busy;                   /* the last error was a StoreResult STORE_BUSY */
    bool readonly;
    /*
     * A transaction's BEGIN and lock statements are not sent alone: they
     * wait here and go in one pipeline with its first statement (run()).
     */
    const char *begin[3];
    int n_begin;
    char begin_lock[96];         /* the keyed lock's text, begin[2] */
    /*
     * The pipelined BEGIN or lock failed: every statement of the
     * transaction, and its commit, report that error (begin_errmsg,
     * begin_busy) until it ends, as store_begin reported it before.
     */
    bool begin_failed;
    bool begin_busy;
    StoreResult begin_result;
    char begin_errmsg[1024];
    bool wrote;                  /* the open transaction ran something else than a SELECT */
    bool end_sent;               /* a read's COMMIT or ROLLBACK sent, its answer not read yet */
    pthread_mutex_t use;         /* store_enter/leave */
    char errmsg[1024];
};

static const StoreBackend pg_backend;

static void set_errmsg(PgStore *st, const char *msg)
{
    size_t n;

    snprintf(st->errmsg, sizeof(st->errmsg), "%s", msg ? msg : "unknown error");
    n = strlen(st->errmsg);
    while (n > 0 && (st->errmsg[n - 1] == '\n' || st->errmsg[n - 1] == ' '))
        st->errmsg[--n] = '\0';
}

/*
 * "Key (room_id, starts_at)=(1, 2) already exists." -> "room_id, starts_at",
 * each column prefixed with @table, into @out.
 */
static void key_columns(const char *detail, const char *table, char *out, size_t size)
{
    const char *p, *end;
    size_t used = 0;

    out[0] = '\0';
    if (!detail || strncmp(detail, "Key (", 5) != 0)
        return;
    p = detail + 5;
    end = strstr(p, ")=");
    if (!end)
        return;
    while (p < end && used + 1 < size) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        int w = snprintf(out + used, size - used, "%s%s.%.*s", used ? ", " : "", table,
                         (int)(stop - p), p);

        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
        p = stop;
        while (p < end && (*p == ',' || *p == ' '))
            p++;
    }
}

/*
 * Records @res's error and classifies it. A constraint failure is worded as
 * SQLite words it ("UNIQUE constraint failed: booking.room_id, ..."), then
 * PostgreSQL's message, so store_error_mentions reads the same on both.
 */
static StoreResult set_result_err(PgStore *st, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *kind = NULL;
    char cols[256];

    st->busy = false;
    if (!msg)
        msg = PQerrorMessage(st->conn);
    if (!state) {
        set_errmsg(st, msg);
        return STORE_ERROR;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0) {
        st->busy = true;
        set_errmsg(st, msg);
        return STORE_BUSY;
    }
    if (strncmp(state, "23", 2) != 0) {
        snprintf(st->errmsg, sizeof(st->errmsg), "%s (SQLSTATE %s)", msg, state);
        return STORE_ERROR;
    }
    if (strcmp(state, "23505") == 0)
        kind = "UNIQUE";
    else if (strcmp(state, "23503") == 0)
        kind = "FOREIGN KEY";
    else if (strcmp(state, "23502") == 0)
        kind = "NOT NULL";
    else if (strcmp(state, "23P01") == 0)
        kind = "EXCLUSION";
    else
        kind = "CHECK"; /* 23514, and what the trigger functions raise */
    cols[0] = '\0';
    if (table && column)
        snprintf(cols, sizeof(cols), "%s.%s", table, column);
    else if (table && (state[4] == '5' || state[4] == '3')) /* unique, foreign key: plain columns */
        key_columns(detail, table, cols, sizeof(cols));
    else if (table)
        snprintf(cols, sizeof(cols), "%s", table);
    snprintf(st->errmsg, sizeof(st->errmsg), "%s constraint failed: %s (%s)", kind, cols, msg);
    return STORE_CONSTRAINT;
}

static void silence_notice(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

/*
 * Times are integers and dates text, so the session's time zone and date
 * style matter only to what SQL computes with them: keep them fixed, like
 * SQLite's date functions, which know only UTC.
 */
static bool configure(PgStore *st)
{
    PGresult *res = PQexec(st->conn, st->readonly ? "SET TimeZone = 'UTC';"
                                                    " SET default_transaction_read_only = on"
                                                  : "SET TimeZone = 'UTC'");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok)
        set_errmsg(st, PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

Store *store_pg_open(const char *conninfo, bool readonly, const char **ret_errmsg)
{
    PgStore *st = calloc(1, sizeof(PgStore));

    if (!st)
        abort();
    st->base.be = &pg_backend;
    pthread_mutex_init(&st->use, NULL);
    st->conn = PQconnectdb(conninfo);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        set_errmsg(st, PQerrorMessage(st->conn));
        *ret_errmsg = "cannot connect to PostgreSQL";
        goto fail;
    }
    PQsetNoticeReceiver(st->conn, silence_notice, NULL);
    st->readonly = readonly;
    if (!configure(st)) {
        *ret_errmsg = "cannot configure the PostgreSQL session";
        goto fail;
    }
    return &st->base;

fail:
    PQfinish(st->conn);
    pthread_mutex_destroy(&st->use);
    free(st);
    return NULL;
}

static void stmt_free(PgStmt *s)
{
    PQclear(s->res);
    free((char *)s->text);
    free((Oid *)s->base_types);
    free(s->types);
    free(s->prep_types);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->nums);
    free(s);
}

static void pg_close(Store *bst)
{
    PgStore *st = (PgStore *)bst;

    for (int i = 0; i < CACHE_SLOTS; i++)
        if (st->stmts[i])
            stmt_free(st->stmts[i]);
    for (int i = 0; i < TEXT_SLOTS; i++) {
        if (st->text_stmts[i])
            stmt_free(st->text_stmts[i]);
        free(st->text_keys[i]);
    }
    PQfinish(st->conn);
    pthread_mutex_destroy(&st->use);
    free(st);
}

/*
 * @sql with SQLite's placeholders made PostgreSQL's: ?N becomes $N and a
 * bare ? becomes $(highest so far + 1), as SQLite numbers it. Quoted
 * strings, quoted identifiers and comments are copied as they are.
 * *ret_n_params receives the highest number; -1 on a number past
 * MAX_PARAMS. *ret_base_types (malloc'd, like the result) gets the types
 * to prepare with when nothing is bound: text for a number below the
 * highest that the SQL never uses (SQLite lets a statement skip ?20 while
 * binding it; PostgreSQL must give every parameter a type), else 0.
 */
static char *translate(const char *sql, int *ret_n_params, Oid **ret_base_types)
{
    unsigned char used[MAX_PARAMS + 1] = {0};
    Oid *types;
    size_t len = strlen(sql);
    char *out = malloc(len * 4 + 1); /* a bare ? (1 byte) becomes at most $999 (4) */
    char *o = out;
    const char *p = sql;
    int highest = 0;

    if (!out)
        abort();
    while (*p) {
        if (*p == '\'' || *p == '"') {
            char q = *p;

            *o++ = *p++;
            while (*p) {
                if (*p == q && p[1] == q) { /* doubled quote inside */
                    *o++ = *p++;
                    *o++ = *p++;
                    continue;
                }
                if (*p == q)
                    break;
                *o++ = *p++;
            }
            if (*p)
                *o++ = *p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                *o++ = *p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            size_t n = end ? (size_t)(end + 2 - p) : strlen(p);

            memcpy(o, p, n);
            o += n;
            p += n;
        } else if (*p == '?') {
            long n;

            p++;
            if (*p >= '0' && *p <= '9') {
                char *end;

                n = strtol(p, &end, 10);
                p = end;
            } else {
                n = highest + 1;
            }
            if (n < 1 || n > MAX_PARAMS) {
                free(out);
                *ret_n_params = -1;
                return NULL;
            }
            if (n > highest)
                highest = (int)n;
            used[n] = 1;
            o += snprintf(o, 8, "$%ld", n);
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    types = calloc(highest > 0 ? (size_t)highest : 1, sizeof(Oid));
    if (!types)
        abort();
    for (int i = 1; i <= highest; i++)
        types[i - 1] = used[i] ? 0 : TEXTOID;
    *ret_n_params = highest;
    *ret_base_types = types;
    return out;
}

static PgStmt *stmt_new_cached(PgStore *st, char *text, int n_params, Oid *base_types)
{
    PgStmt *s = calloc(1, sizeof(PgStmt));
    size_t n = n_params > 0 ? (size_t)n_params : 1;

    if (!s)
        abort();
    s->base.st = &st->base;
    s->st = st;
    s->text = text;
    s->base_types = base_types;
    s->n_params = n_params;
    s->values = calloc(n, sizeof(*s->values));
    s->lengths = calloc(n, sizeof(*s->lengths));
    s->formats = calloc(n, sizeof(*s->formats));
    s->types = calloc(n, sizeof(*s->types));
    s->prep_types = calloc(n, sizeof(*s->prep_types));
    s->nums = calloc(n, sizeof(*s->nums));
    if (!s->values || !s->lengths || !s->formats || !s->types || !s->prep_types || !s->nums)
        abort();
    memcpy(s->types, base_types, (size_t)n_params * sizeof(Oid));
    memcpy(s->prep_types, base_types, (size_t)n_params * sizeof(Oid));
    s->cached = true;
    s->row = -1;
    return s;
}

static void clear_params(PgStmt *s)
{
    for (int i = 0; i < s->n_params; i++) {
        s->values[i] = NULL;
        s->lengths[i] = 0;
        s->formats[i] = 0;
        s->types[i] = s->base_types[i];
    }
}

static void stmt_clear(PgStmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    clear_params(s);
    s->failed = false;
}

static void release_cached(void *data)
{
    Lease *l = data;
    PgStmt *s = l->s;

    if (!s->in_use || s->lease != l->lease)
        return; /* released by store_reset, maybe handed out again since */
    stmt_clear(s);
    s->in_use = false;
}

static StoreStmt *lease(Arena *a, PgStmt *s)
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
    PgStmt *s = data;

    PQclear(s->res);
    s->res = NULL;
}

/*
 * A statement of the caller's arena that runs @text unnamed; a failed one
 * (errmsg already set) if @text is NULL.
 */
static StoreStmt *private_stmt(PgStore *st, Arena *a, const char *text, int n_params,
                               const Oid *base_types)
{
    PgStmt *s = arena_zalloc(a, sizeof(PgStmt));
    size_t n = n_params > 0 ? (size_t)n_params : 1;

    s->base.st = &st->base;
    s->st = st;
    s->row = -1;
    if (!text) {
        s->failed = true;
        return &s->base;
    }
    s->text = text;
    s->base_types = base_types;
    s->n_params = n_params;
    s->values = arena_zalloc(a, n * sizeof(*s->values));
    s->lengths = arena_zalloc(a, n * sizeof(*s->lengths));
    s->formats = arena_zalloc(a, n * sizeof(*s->formats));
    s->types = arena_zalloc(a, n * sizeof(*s->types));
    s->nums = arena_zalloc(a, n * sizeof(*s->nums));
    memcpy(s->types, base_types, (size_t)n_params * sizeof(Oid));
    arena_defer(a, release_private, s);
    return &s->base;
}

/* translate() for a statement that cannot be cached: the text in @a. */
static StoreStmt *private_translated(PgStore *st, Arena *a, const char *sql)
{
    int n_params;
    Oid *types = NULL;
    char *text = translate(sql, &n_params, &types);
    char *copy;
    Oid *types_copy;

    if (!text) {
        set_errmsg(st, "too many or badly numbered parameters");
        return private_stmt(st, a, NULL, 0, NULL);
    }
    copy = arena_strdup(a, text);
    types_copy = arena_memdup(a, types, (size_t)(n_params > 0 ? n_params : 1) * sizeof(Oid));
    free(text);
    free(types);
    return private_stmt(st, a, copy, n_params, types_copy);
}

static size_t slot_of(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;

    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 40) % CACHE_SLOTS;
}

static StoreStmt *pg_prepare(Store *bst, Arena *a, const char *sql)
{
    PgStore *st = (PgStore *)bst;
    size_t slot = slot_of(sql);

    for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
        size_t i = (slot + probe) % CACHE_SLOTS;
        PgStmt *s = st->stmts[i];

        if (st->keys[i] == sql) {
            if (!s->in_use)
                return lease(a, s);
            return private_stmt(st, a, s->text, s->n_params, s->base_types);
        }
        if (!st->keys[i]) {
            int n_params;
            Oid *types = NULL;
            char *text = translate(sql, &n_params, &types);

            if (!text) {
                set_errmsg(st, "too many or badly numbered parameters");
                return private_stmt(st, a, NULL, 0, NULL);
            }
            s = stmt_new_cached(st, text, n_params, types);
            st->keys[i] = sql;
            st->stmts[i] = s;
            return lease(a, s);
        }
    }
    return private_translated(st, a, sql); /* a full cache */
}

static StoreStmt *pg_prepare_text(Store *bst, Arena *a, const char *sql)
{
    PgStore *st = (PgStore *)bst;
    size_t slot = (size_t)(hash_string(sql) % TEXT_SLOTS);

    for (size_t probe = 0; probe < TEXT_SLOTS; probe++) {
        size_t i = (slot + probe) % TEXT_SLOTS;
        PgStmt *s = st->text_stmts[i];

        if (st->text_keys[i] && strcmp(st->text_keys[i], sql) == 0) {
            if (!s->in_use)
                return lease(a, s);
            return private_stmt(st, a, s->text, s->n_params, s->base_types);
        }
        if (!st->text_keys[i]) {
            int n_params;
            Oid *types = NULL;
            char *text = translate(sql, &n_params, &types);

            if (!text) {
                set_errmsg(st, "too many or badly numbered parameters");
                return private_stmt(st, a, NULL, 0, NULL);
            }
            s = stmt_new_cached(st, text, n_params, types);
            st->text_keys[i] = strdup(sql);
            if (!st->text_keys[i])
                abort();
            st->text_stmts[i] = s;
            return lease(a, s);
        }
    }
    return private_translated(st, a, sql);
}

/* The slot of parameter @idx (1-based), or NULL (and @s failed) if it has none. */
static bool param_ok(PgStmt *s, int idx)
{
    if (s->failed)
        return false;
    if (idx < 1 || idx > s->n_params) {
        snprintf(s->st->errmsg, sizeof(s->st->errmsg), "bind: no parameter ?%d", idx);
        s->failed = true;
        return false;
    }
    return true;
}

static void pg_bind_int64(StoreStmt *bs, int idx, int64_t v)
{
    PgStmt *s = (PgStmt *)bs;

    if (!param_ok(s, idx))
        return;
    snprintf(s->nums[idx - 1], sizeof(s->nums[0]), "%lld", (long long)v);
    s->values[idx - 1] = s->nums[idx - 1];
    s->formats[idx - 1] = 0;
    s->types[idx - 1] = INT8OID;
}

static void pg_bind_double(StoreStmt *bs, int idx, double v)
{
    PgStmt *s = (PgStmt *)bs;

    if (!param_ok(s, idx))
        return;
    snprintf(s->nums[idx - 1], sizeof(s->nums[0]), "%.17g", v);
    s->values[idx - 1] = s->nums[idx - 1];
    s->formats[idx - 1] = 0;
    s->types[idx - 1] = FLOAT8OID;
}

static void pg_bind_text(StoreStmt *bs, int idx, const char *v)
{
    PgStmt *s = (PgStmt *)bs;

    if (!param_ok(s, idx))
        return;
    s->values[idx - 1] = v;
    s->formats[idx - 1] = 0;
    s->types[idx - 1] = s->base_types[idx - 1];
}

static void pg_bind_blob(StoreStmt *bs, int idx, const void *p, size_t n)
{
    PgStmt *s = (PgStmt *)bs;

    if (!param_ok(s, idx))
        return;
    if (n > INT32_MAX) {
        snprintf(s->st->errmsg, sizeof(s->st->errmsg), "bind: blob of %zu bytes", n);
        s->failed = true;
        return;
    }
    /* binary format: bytea's is the bytes themselves; an empty blob is not NULL */
    s->values[idx - 1] = p ? (n ? p : "") : NULL;
    s->lengths[idx - 1] = (int)n;
    s->formats[idx - 1] = 1;
    s->types[idx - 1] = p ? BYTEAOID : s->base_types[idx - 1];
}

static void pg_bind_null(StoreStmt *bs, int idx)
{
    PgStmt *s = (PgStmt *)bs;

    if (!param_ok(s, idx))
        return;
    s->values[idx - 1] = NULL;
    s->formats[idx - 1] = 0;
    s->types[idx - 1] = s->base_types[idx - 1];
}

/*
 * Appends the start of the failed statement to an error's message, for the
 * log (SQL text holds no values). Not to a constraint's: callers search that.
 */
static void name_statement(PgStore *st, const char *text)
{
    size_t n = strlen(st->errmsg);

    snprintf(st->errmsg + n, sizeof(st->errmsg) - n, " in: %.120s", text);
}

/* Reads the answer of a read transaction's end, sent without waiting (end_async). */
static void collect_end(PgStore *st)
{
    PGresult *res;

    if (!st->end_sent)
        return;
    st->end_sent = false;
    while ((res = PQgetResult(st->conn)))
        PQclear(res);
}

/* The pipelined BEGIN's failure, reported again (begin_failed). */
static StoreResult begin_error(PgStore *st)
{
    st->busy = st->begin_busy;
    memcpy(st->errmsg, st->begin_errmsg, sizeof(st->errmsg));
    return st->begin_result;
}

static void begin_failed(PgStore *st, StoreResult r)
{
    st->begin_failed = true;
    st->begin_result = r;
    st->begin_busy = st->busy;
    memcpy(st->begin_errmsg, st->errmsg, sizeof(st->errmsg));
}

enum { Q_BEGIN, Q_DEALLOCATE, Q_PREPARE, Q_EXECUTE };

/*
 * One round trip for @s: in one pipeline, the transaction's BEGIN and lock
 * statements if they wait (n_begin), @s's Prepare when it is not prepared
 * on the server or a value is now bound with a type it was not prepared
 * with (a NULL or text fits any), and its execution. *ret_res receives the
 * execution's result; else the first error is recorded and returned.
 */
static StoreResult run_once(PgStmt *s, PGresult **ret_res)
{
    PgStore *st = s->st;
    PGconn *conn = st->conn;
    int kinds[6], n = 0;
    char dealloc[32];
    bool prepare = false, sent = true;
    StoreResult r = STORE_DONE;
    PGresult *exec_res = NULL;
    int failed_kind = -1;

    *ret_res = NULL;
    if (s->cached) {
        prepare = s->name[0] == '\0';
        for (int i = 0; i < s->n_params && !prepare; i++)
            prepare = s->types[i] != 0 && s->types[i] != s->prep_types[i];
    }
    if (!PQenterPipelineMode(conn)) {
        set_errmsg(st, PQerrorMessage(conn));
        st->busy = false;
        return STORE_ERROR;
    }
    for (int i = 0; i < st->n_begin && sent; i++) {
        sent = PQsendQueryParams(conn, st->begin[i], 0, NULL, NULL, NULL, NULL, 0);
        kinds[n++] = Q_BEGIN;
    }
    st->n_begin = 0;
    if (prepare && s->name[0] && sent) {
        snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", s->name);
        sent = PQsendQueryParams(conn, dealloc, 0, NULL, NULL, NULL, NULL, 0);
        kinds[n++] = Q_DEALLOCATE;
    }
    if (prepare && sent) {
        for (int i = 0; i < s->n_params; i++)
            if (s->types[i] != 0)
                s->prep_types[i] = s->types[i];
        snprintf(s->name, sizeof(s->name), "l%u", ++st->n_prepared);
        sent = PQsendPrepare(conn, s->name, s->text, s->n_params, s->prep_types);
        kinds[n++] = Q_PREPARE;
    }
    if (sent) {
        if (s->cached)
            sent = PQsendQueryPrepared(conn, s->name, s->n_params, s->values, s->lengths,
                                       s->formats, 0);
        else
            sent = PQsendQueryParams(conn, s->text, s->n_params, s->types, s->values, s->lengths,
                                     s->formats, 0);
        kinds[n++] = Q_EXECUTE;
    }
    if (sent)
        sent = PQpipelineSync(conn);
    if (!sent) {
        /* the connection broke while sending: nothing more will come */
        set_errmsg(st, PQerrorMessage(conn));
        st->busy = false;
        r = STORE_ERROR;
        failed_kind = kinds[n - 1];
    } else {
        for (int k = 0; k < n; k++) {
            PGresult *res = PQgetResult(conn), *more;
            ExecStatusType status = PQresultStatus(res);

            if (!res) { /* the connection broke */
                if (r == STORE_DONE) {
                    set_errmsg(st, PQerrorMessage(conn));
                    st->busy = false;
                    r = STORE_ERROR;
                    failed_kind = kinds[k];
                }
                break;
            }
            while ((more = PQgetResult(conn)))
                PQclear(more);
            if (status == PGRES_PIPELINE_ABORTED) {
                PQclear(res);
                continue;
            }
            if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
                if (r == STORE_DONE) {
                    r = set_result_err(st, res);
                    failed_kind = kinds[k];
                }
                PQclear(res);
                continue;
            }
            if (kinds[k] == Q_EXECUTE)
                exec_res = res;
            else
                PQclear(res);
        }
        if (PQstatus(conn) == CONNECTION_OK) {
            PGresult *res = PQgetResult(conn); /* the Sync's */

            if (PQresultStatus(res) != PGRES_PIPELINE_SYNC && r == STORE_DONE) {
                set_errmsg(st, "pipeline: no sync");
                st->busy = false;
                r = STORE_ERROR;
            }
            PQclear(res);
        }
    }
    if (!PQexitPipelineMode(conn) && PQstatus(conn) == CONNECTION_OK && r == STORE_DONE) {
        set_errmsg(st, PQerrorMessage(conn));
        st->busy = false;
        r = STORE_ERROR;
    }
    if (prepare && (failed_kind != -1 && failed_kind <= Q_PREPARE)) {
        /* not prepared after all (or the break lost it): again next time */
        s->name[0] = '\0';
        memcpy(s->prep_types, s->base_types, (size_t)s->n_params * sizeof(Oid));
    }
    if (r != STORE_DONE) {
        PQclear(exec_res);
        if (r == STORE_ERROR && failed_kind != Q_BEGIN)
            name_statement(st, s->text);
        if (failed_kind == Q_BEGIN)
            begin_failed(st, r);
        return r;
    }
    *ret_res = exec_res;
    return STORE_DONE;
}

static void revive(PgStore *st);

/*
 * run_once; when the transaction's BEGIN waited and the connection broke
 * (nothing of the transaction has run, nothing committed), once more on a
 * connection made again, as a BEGIN meeting the break always was.
 */
static StoreResult run(PgStmt *s, PGresult **ret_res)
{
    PgStore *st = s->st;
    const char *begin[3];
    int n_begin = st->n_begin;
    StoreResult r;

    collect_end(st);
    if (st->begin_failed)
        return begin_error(st);
    memcpy(begin, st->begin, sizeof(begin));
    r = run_once(s, ret_res);
    if (r == STORE_DONE || n_begin == 0 || PQstatus(st->conn) == CONNECTION_OK)
        return r;
    st->begin_failed = false;
    revive(st);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        begin_failed(st, r);
        return r;
    }
    memcpy(st->begin, begin, sizeof(begin));
    st->n_begin = n_begin;
    return run_once(s, ret_res);
}

static StoreResult pg_step(StoreStmt *bs)
{
    PgStmt *s = (PgStmt *)bs;
    PgStore *st = s->st;

    if (s->failed)
        return STORE_ERROR;
    if (!s->res) {
        PGresult *res;
        StoreResult r = run(s, &res);

        if (r != STORE_DONE)
            return r;
        if (strncmp(PQcmdStatus(res), "SELECT", 6) != 0)
            st->wrote = true;
        st->changes = strtoll(PQcmdTuples(res), NULL, 10);
        s->res = res;
        s->row = -1;
    }
    if (s->row + 1 < PQntuples(s->res)) {
        s->row++;
        return STORE_ROW;
    }
    s->row = PQntuples(s->res);
    return STORE_DONE;
}

static void pg_reset(StoreStmt *bs)
{
    PgStmt *s = (PgStmt *)bs;

    stmt_clear(s);
    if (s->cached)
        s->in_use = false;
}

/* The current row's @col as text, or NULL for NULL or no such row or column. */
static const char *value(PgStmt *s, int col)
{
    if (!s->res || s->row < 0 || s->row >= PQntuples(s->res) || col < 0 || col >= PQnfields(s->res))
        return NULL;
    if (PQgetisnull(s->res, s->row, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static int pg_column_count(StoreStmt *bs)
{
    PgStmt *s = (PgStmt *)bs;

    return s->res ? PQnfields(s->res) : 0;
}

static bool pg_column_is_null(StoreStmt *bs, int col)
{
    return value((PgStmt *)bs, col) == NULL;
}

static int64_t pg_column_int64(StoreStmt *bs, int col)
{
    PgStmt *s = (PgStmt *)bs;
    const char *v = value(s, col);

    if (!v)
        return 0;
    if (PQftype(s->res, col) == BOOLOID)
        return v[0] == 't';
    if (strpbrk(v, ".eE")) /* numeric or double: truncated, as SQLite does */
        return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

static double pg_column_double(StoreStmt *bs, int col)
{
    PgStmt *s = (PgStmt *)bs;
    const char *v = value(s, col);

    if (!v)
        return 0;
    if (PQftype(s->res, col) == BOOLOID)
        return v[0] == 't';
    return strtod(v, NULL);
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* bytea's text output ("\x" then hex, the default bytea_output) into @a. */
static void *unhex(Arena *a, const char *v, size_t len, size_t *ret_len)
{
    unsigned char *out;
    size_t n;

    if (len < 2 || v[0] != '\\' || v[1] != 'x') {
        *ret_len = len;
        return arena_memdup(a, v, len);
    }
    n = (len - 2) / 2;
    out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(hex(v[2 + 2 * i]) << 4 | hex(v[3 + 2 * i]));
    out[n] = '\0';
    *ret_len = n;
    return out;
}

static char *pg_column_text(StoreStmt *bs, Arena *a, int col)
{
    PgStmt *s = (PgStmt *)bs;
    const char *v = value(s, col);
    size_t n;

    if (!v)
        return NULL;
    if (PQftype(s->res, col) == BYTEAOID)
        return unhex(a, v, (size_t)PQgetlength(s->res, s->row, col), &n);
    if (PQftype(s->res, col) == BOOLOID)
        return arena_strdup(a, v[0] == 't' ? "1" : "0");
    return arena_strndup(a, v, (size_t)PQgetlength(s->res, s->row, col));
}

static void *pg_column_blob(StoreStmt *bs, Arena *a, int col, size_t *ret_len)
{
    PgStmt *s = (PgStmt *)bs;
    const char *v = value(s, col);
    size_t len;

    if (!v) {
        *ret_len = 0;
        return NULL;
    }
    len = (size_t)PQgetlength(s->res, s->row, col);
    if (PQftype(s->res, col) == BYTEAOID)
        return unhex(a, v, len, ret_len);
    *ret_len = len;
    return arena_memdup(a, v, len);
}

static const char *pg_column_name(StoreStmt *bs, int col)
{
    PgStmt *s = (PgStmt *)bs;

    return s->res ? PQfname(s->res, col) : NULL;
}

static const char *pg_errmsg(Store *bst)
{
    return ((PgStore *)bst)->errmsg;
}

static Error *pg_error(Store *bst, Arena *a)
{
    PgStore *st = (PgStore *)bst;

    if (st->busy)
        return error_new(a, 503, NULL, "busy", "系统繁忙，请稍后再试");
    return error_internal(a, "postgresql: %s", st->errmsg);
}

/* Runs @sql (one or more statements, no parameters) as it is; false with errmsg set. */
static bool exec_raw(PgStore *st, const char *sql)
{
    PGresult *res = PQexec(st->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

    if (ok)
        st->changes = strtoll(PQcmdTuples(res), NULL, 10);
    else
        set_result_err(st, res);
    PQclear(res);
    return ok;
}

/*
 * The transaction's BEGIN and lock statements, when they still wait, sent
 * now and alone (before a script or a savepoint): one simple query, and
 * once more on a connection made again when it finds the connection
 * dropped (nothing has run in the transaction yet).
 */
static bool send_begin(PgStore *st)
{
    char sql[512];
    size_t used = 0;

    collect_end(st);
    if (st->begin_failed) {
        begin_error(st);
        return false;
    }
    if (st->n_begin == 0)
        return true;
    sql[0] = '\0';
    for (int i = 0; i < st->n_begin; i++)
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s%s", i ? "; " : "",
                                 st->begin[i]);
    st->n_begin = 0;
    if (exec_raw(st, sql))
        return true;
    if (PQstatus(st->conn) != CONNECTION_OK) {
        revive(st);
        if (exec_raw(st, sql))
            return true;
    }
    begin_failed(st, st->busy ? STORE_BUSY : STORE_ERROR);
    return false;
}

/* exec_raw inside the transaction: its BEGIN first, if it waits. */
static bool exec_ok(PgStore *st, const char *sql)
{
    if (!send_begin(st))
        return false;
    st->wrote = true; /* a script may write */
    return exec_raw(st, sql);
}

static Error *pg_exec(Store *bst, Arena *a, const char *sql)
{
    PgStore *st = (PgStore *)bst;

    return exec_ok(st, sql) ? NULL : pg_error(bst, a);
}

/*
 * A dropped connection made again, between transactions: PQreset, the
 * session configured again, and every cached statement to be prepared
 * again on the new server session. When the server is still away, the
 * connection stays bad and the request fails with its error.
 */
static void revive(PgStore *st)
{
    collect_end(st);
    /*
     * A server that ended the session has sent its goodbye and closed the
     * socket: reading what waits (libpq's socket never blocks) finds that
     * out before a statement does.
     */
    if (PQstatus(st->conn) == CONNECTION_OK && PQtransactionStatus(st->conn) == PQTRANS_IDLE)
        PQconsumeInput(st->conn);
    if (PQstatus(st->conn) == CONNECTION_OK)
        return;
    PQreset(st->conn);
    if (PQstatus(st->conn) != CONNECTION_OK || !configure(st)) {
        set_errmsg(st, PQerrorMessage(st->conn));
        return;
    }
    for (size_t i = 0; i < CACHE_SLOTS + TEXT_SLOTS; i++) {
        PgStmt *s = i < CACHE_SLOTS ? st->stmts[i] : st->text_stmts[i - CACHE_SLOTS];

        if (!s)
            continue;
        s->name[0] = '\0';
        memcpy(s->prep_types, s->base_types, (size_t)s->n_params * sizeof(Oid));
    }
}

static bool pg_in_tx(Store *bst)
{
    PgStore *st = (PgStore *)bst;

    if (st->n_begin > 0 || st->begin_failed)
        return true;
    return !st->end_sent && PQtransactionStatus(st->conn) != PQTRANS_IDLE;
}

static void pg_rollback(Store *bst)
{
    PgStore *st = (PgStore *)bst;

    st->n_begin = 0; /* nothing was sent */
    st->begin_failed = false;
    collect_end(st);
    if (PQtransactionStatus(st->conn) != PQTRANS_IDLE)
        PQclear(PQexec(st->conn, "ROLLBACK"));
}

/*
 * Ends a read transaction that wrote nothing without waiting for the
 * answer, so the response is not held back by it; the answer is read at
 * the connection's next use (collect_end). A transaction that wrote (an
 * audit entry in a GET) still waits for its COMMIT.
 */
static void end_async(PgStore *st, const char *sql)
{
    if (PQsendQuery(st->conn, sql))
        st->end_sent = true;
}

/*
 * Whether a transaction may start now: the connection made again if it
 * was dropped, else false with the error set (as a BEGIN that met the
 * break twice).
 */
static bool can_begin(PgStore *st)
{
    if (PQstatus(st->conn) == CONNECTION_OK)
        return true;
    revive(st);
    if (PQstatus(st->conn) == CONNECTION_OK)
        return true;
    st->busy = false;
    set_errmsg(st, PQerrorMessage(st->conn));
    return false;
}

static void queue_begin(PgStore *st, const char *b0, const char *b1, const char *b2)
{
    st->begin[0] = b0;
    st->begin[1] = b1;
    st->begin[2] = b2;
    st->n_begin = b2 ? 3 : b1 ? 2 : 1;
    st->begin_failed = false;
    st->wrote = false;
}

static Error *pg_begin_read(Store *bst, Arena *a)
{
    PgStore *st = (PgStore *)bst;

    revive(st);
    if (pg_in_tx(bst)) /* as before: PostgreSQL only warns, or fails in a failed transaction */
        return exec_ok(st, "BEGIN ISOLATION LEVEL REPEATABLE READ") ? NULL : pg_error(bst, a);
    if (!can_begin(st))
        return pg_error(bst, a);
    queue_begin(st, "BEGIN ISOLATION LEVEL REPEATABLE READ", NULL, NULL);
    return NULL;
}

static void pg_end_read(Store *bst, Arena *a)
{
    PgStore *st = (PgStore *)bst;

    (void)a;
    if (st->n_begin > 0 || st->begin_failed) { /* nothing ran, or its BEGIN failed */
        pg_rollback(bst);
        return;
    }
    if (!pg_in_tx(bst))
        return;
    if (!st->wrote) {
        end_async(st, "COMMIT");
        return;
    }
    if (!exec_ok(st, "COMMIT"))
        pg_rollback(bst);
}

static void pg_read_keep(Store *bst, Arena *a, bool ok)
{
    PgStore *st = (PgStore *)bst;

    if (!pg_in_tx(bst))
        return;
    if (ok)
        pg_end_read(bst, a);
    else if (st->n_begin == 0 && !st->begin_failed && !st->wrote)
        end_async(st, "ROLLBACK");
    else
        pg_rollback(bst);
}

static void pg_enter(Store *bst)
{
    pthread_mutex_lock(&((PgStore *)bst)->use);
    revive((PgStore *)bst);
}

static void pg_leave(Store *bst)
{
    pthread_mutex_unlock(&((PgStore *)bst)->use);
}

static bool pg_release_changed(Store *bst)
{
    (void)bst;
    return false; /* no snapshot is kept */
}

/*
 * BEGIN and the write lock wait for the transaction's first statement and
 * go in its pipeline (run()): the lock is taken before that statement
 * runs, and when it cannot be (a lock_timeout, a deadlock), that statement
 * and every later one of the transaction, and the commit, report it
 * (STORE_BUSY, 503 "busy"), as store_begin reported it before.
 */
static Error *pg_begin(Store *bst, Arena *a)
{
    PgStore *st = (PgStore *)bst;

    revive(st);
    if (pg_in_tx(bst)) {
        /* as SQLite refuses; PostgreSQL would only warn, and keep the older snapshot */
        st->busy = false;
        set_errmsg(st, "cannot start a transaction within a transaction");
        return pg_error(bst, a);
    }
    if (!can_begin(st))
        return pg_error(bst, a);
    queue_begin(st, "BEGIN ISOLATION LEVEL READ COMMITTED",
                "SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")", NULL);
    return NULL;
}

/*
 * store_begin's lock shared, and (@lock_class, @key) alone: PostgreSQL's
 * two-int4 advisory keys are a space apart from the one bigint key, so
 * they never meet WRITE_LOCK_KEY. A key wider than 32 bits is folded;
 * two keys that fold alike only wait for each other.
 */
static Error *pg_begin_keyed(Store *bst, Arena *a, int lock_class, int64_t key)
{
    PgStore *st = (PgStore *)bst;
    uint64_t k = (uint64_t)key;

    revive(st);
    if (pg_in_tx(bst)) {
        st->busy = false;
        set_errmsg(st, "cannot start a transaction within a transaction");
        return pg_error(bst, a);
    }
    if (!can_begin(st))
        return pg_error(bst, a);
    snprintf(st->begin_lock, sizeof(st->begin_lock), "SELECT pg_advisory_xact_lock(%d, %d)",
             lock_class, (int)(int32_t)(uint32_t)(k ^ (k >> 32)));
    queue_begin(st, "BEGIN ISOLATION LEVEL READ COMMITTED",
                "SELECT pg_advisory_xact_lock_shared(" WRITE_LOCK_KEY ")", st->begin_lock);
    return NULL;
}

static Error *pg_commit(Store *bst, Arena *a)
{
    PgStore *st = (PgStore *)bst;
    PGresult *res;
    Error *err = NULL;

    collect_end(st);
    if (st->begin_failed) {
        begin_error(st);
        err = pg_error(bst, a);
        pg_rollback(bst);
        return err;
    }
    if (st->n_begin > 0) { /* nothing ran: nothing was sent */
        st->n_begin = 0;
        return NULL;
    }
    res = PQexec(st->conn, "COMMIT");
    /* COMMIT of a failed transaction succeeds, saying ROLLBACK */
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        set_result_err(st, res);
        err = pg_error(bst, a);
    } else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        st->busy = false;
        set_errmsg(st, "commit: the transaction had failed and was rolled back");
        err = pg_error(bst, a);
    }
    PQclear(res);
    if (err)
        pg_rollback(bst);
    return err;
}

static int64_t pg_changes(Store *bst)
{
    return ((PgStore *)bst)->changes;
}

static void pg_rollback_to(Store *bst, const char *name)
{
    PgStore *st = (PgStore *)bst;
    char sql[128];

    if (!send_begin(st))
        return;
    snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
    PQclear(PQexec(st->conn, sql));
}

extern char **environ;

/*
 * pg_dump of the connection's database in custom format. The connection
 * string is passed as pg_dump's --dbname, so it is the one this store
 * connected with (password included, if it had one: never logged).
 */
static bool pg_backup(Store *bst, const char *dest_path, const char **ret_errmsg)
{
    PgStore *st = (PgStore *)bst;
    PQconninfoOption *opts = PQconninfo(st->conn);
    char conninfo[2048];
    size_t used = 0;
    pid_t pid;
    int status;
    char *argv[] = {"pg_dump", "--format=custom", "--file", (char *)dest_path, "--dbname",
                    conninfo, NULL};

    conninfo[0] = '\0';
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        int w;

        if (!o->val || !o->val[0] || strcmp(o->keyword, "replication") == 0)
            continue;
        w = snprintf(conninfo + used, sizeof(conninfo) - used, "%s%s='", used ? " " : "",
                     o->keyword);
        if (w < 0 || (size_t)w >= sizeof(conninfo) - used)
            break;
        used += (size_t)w;
        for (const char *c = o->val; *c && used + 3 < sizeof(conninfo); c++) {
            if (*c == '\'' || *c == '\\')
                conninfo[used++] = '\\';
            conninfo[used++] = *c;
        }
        if (used + 2 >= sizeof(conninfo))
            break;
        conninfo[used++] = '\'';
        conninfo[used] = '\0';
    }
    PQconninfoFree(opts);
    if (posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, environ) != 0) {
        *ret_errmsg = "cannot run pg_dump (install postgresql-client)";
        return false;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *ret_errmsg = "pg_dump failed";
        return false;
    }
    return true;
}

static const StoreBackend pg_backend = {
    .dialect = STORE_POSTGRESQL,
    .close = pg_close,
    .prepare = pg_prepare,
    .prepare_text = pg_prepare_text,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .column_count = pg_column_count,
    .column_is_null = pg_column_is_null,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .column_name = pg_column_name,
    .error = pg_error,
    .errmsg = pg_errmsg,
    .begin_read = pg_begin_read,
    .end_read = pg_end_read,
    .read_keep = pg_read_keep,
    .enter = pg_enter,
    .leave = pg_leave,
    .release_changed = pg_release_changed,
    .begin = pg_begin,
    .begin_keyed = pg_begin_keyed,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .changes = pg_changes,
    .in_tx = pg_in_tx,
    .rollback_to = pg_rollback_to,
    .backup = pg_backup,
};

#endif /* LINLI_HAVE_LIBPQ */
