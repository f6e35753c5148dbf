/*
 * store_copy: a whole linli database from one store into another (SQLite
 * to PostgreSQL and back), through store.h, but for COPY into PostgreSQL
 * (store_pgcopy.c, a connection of its own).
 *
 * The tables and columns are read from the target's catalog and must be
 * the same in the source (both are at one schema version). Each column is
 * copied by the target's declared type: integers as int64, reals as
 * double, blobs (encrypted fields) as bytes, anything else as text.
 * Generated columns are left for the target to compute, schema_version
 * stays the target's own.
 *
 * Order: parents before children by the foreign keys; a key that points
 * back into its own table (division.parent_code, app_user.created_by,
 * cases.merged_into) or closes a cycle is deferred to the commit (SQLite:
 * PRAGMA defer_foreign_keys; PostgreSQL: the constraint made DEFERRABLE for
 * the transaction and back, unless it is dropped for the load: see
 * pg_defer_drop). Triggers are off while rows go in (SQLite
 * drops them and creates them again from sqlite_master's text in the same
 * transaction; PostgreSQL disables the user triggers), since the counters
 * and versions they maintain are copied as they are.
 *
 * Source rows are read in pages of PAGE_ROWS in primary key order (keyset
 * pagination: libpq reads a result whole) and written with one COPY FROM
 * STDIN per table into PostgreSQL (text format), in multi-row INSERTs into
 * SQLite. The checksum of a table is the sum, modulo 2^128, of each row's
 * BLAKE2b-128 over its values in a canonical form (integers and text as
 * their text, reals as %.17g, blobs as bytes, NULL apart), so the order in
 * which either database returns rows does not matter.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "store/store_copy.h"
#include "store/store_pgcopy.h"
#include "core/banned.h"

#define PAGE_ROWS 2000
#define MAX_PARAMS 999 /* store_pg.c translates ?1 to ?999 (SQLite: 32766) */
#define MAX_BATCH 200

typedef enum ColumnKind { KIND_INT, KIND_DOUBLE, KIND_TEXT, KIND_BLOB } ColumnKind;

typedef struct Column {
    const char *name;
    ColumnKind kind;
    int pk; /* position in the primary key, from 1; 0 if not in it */
} Column;

typedef struct Table {
    const char *name;
    Column *cols;
    int n_cols;
    int *pk; /* column indexes in key order */
    int n_pk;
    int state; /* topological sort: 0 new, 1 visiting, 2 done */
    const char *identity; /* PostgreSQL: the identity column, or NULL */
    StoreCopyTable *out;
} Table;

typedef struct ForeignKey {
    const char *from, *to, *name; /* name: PostgreSQL's constraint */
    bool deferred;
} ForeignKey;

typedef struct Sum {
    int64_t rows;
    uint64_t lo, hi;
} Sum;

/* ---- catalogs ---- */

static const char SQL_TABLES_SQLITE[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
    " AND name <> 'schema_version' ORDER BY name";
static const char SQL_TABLES_PG[] =
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    " AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name";
static const char SQL_COUNT_TABLES_SQLITE[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'";
static const char SQL_COUNT_TABLES_PG[] =
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()";
static const char SQL_HAS_VERSION_SQLITE[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
static const char SQL_HAS_VERSION_PG[] =
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    " AND table_name = 'schema_version'";
static const char SQL_VERSION[] = "SELECT coalesce(max(version), 0), count(*) FROM schema_version";
/* pragma_table_info leaves out generated columns */
static const char SQL_COLUMNS_SQLITE[] =
    "SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid";
static const char SQL_COLUMNS_PG[] =
    "SELECT c.column_name, upper(c.data_type), coalesce(k.ordinal_position, 0)"
    " FROM information_schema.columns c"
    " LEFT JOIN (SELECT u.column_name, u.ordinal_position FROM information_schema.table_constraints t"
    "  JOIN information_schema.key_column_usage u ON u.constraint_name = t.constraint_name"
    "   AND u.constraint_schema = t.constraint_schema AND u.table_name = t.table_name"
    "  WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema()"
    "   AND t.table_name = ?1) k ON k.column_name = c.column_name"
    " WHERE c.table_schema = current_schema() AND c.table_name = ?1 AND c.is_generated = 'NEVER'"
    " ORDER BY c.ordinal_position";
static const char SQL_FKS_SQLITE[] =
    "SELECT DISTINCT m.name, p.\"table\", '' FROM sqlite_master m, pragma_foreign_key_list(m.name) p"
    " WHERE m.type = 'table' ORDER BY 1, 2";
static const char SQL_FKS_PG[] =
    "SELECT DISTINCT cl.relname, rf.relname, c.conname FROM pg_constraint c"
    " JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid"
    " WHERE c.contype = 'f' AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
    " ORDER BY 1, 2, 3";
static const char SQL_TRIGGERS_SQLITE[] =
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name";
static const char SQL_IDENTITY_PG[] =
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = ?1 AND is_identity = 'YES'";
static const char SQL_SQLITE_SEQUENCE[] =
    "SELECT seq FROM sqlite_sequence WHERE name = ?1";
static const char SQL_HAS_SQLITE_SEQUENCE[] =
    "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'";

static bool is_pg(Store *st)
{
    return store_dialect(st) == STORE_POSTGRESQL;
}

static int64_t query_int(Store *st, Arena *a, const char *sql, const char *arg, bool *ok)
{
    StoreStmt *s = store_prepare_text(st, a, sql);
    int64_t v = 0;

    if (arg)
        store_bind_text(s, 1, arg);
    if (store_step(s) == STORE_ROW)
        v = store_column_int64(s, 0);
    else
        *ok = false;
    store_reset(s);
    return v;
}

/* "name" quoted for either dialect (names come from the catalog) */
static const char *quote(Arena *a, const char *name)
{
    StrBuf sb;

    strbuf_init(&sb, a, 1024);
    strbuf_addc(&sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_addc(&sb, '"');
        strbuf_addc(&sb, *p);
    }
    strbuf_addc(&sb, '"');
    return strbuf_finish(&sb, NULL);
}

static ColumnKind kind_of(const char *type)
{
    /* SQLite's affinity rules, which also fit PostgreSQL's type names */
    if (strstr(type, "INT"))
        return KIND_INT;
    if (strstr(type, "BLOB") || strstr(type, "BYTEA"))
        return KIND_BLOB;
    if (strstr(type, "CHAR") || strstr(type, "CLOB") || strstr(type, "TEXT"))
        return KIND_TEXT;
    if (strstr(type, "REAL") || strstr(type, "FLOA") || strstr(type, "DOUB"))
        return KIND_DOUBLE;
    return KIND_TEXT;
}

static Error *load_tables(Store *st, Arena *a, Table **ret, int *ret_n)
{
    StoreStmt *s = store_prepare(st, a, store_sql(st, SQL_TABLES_SQLITE, SQL_TABLES_PG));
    size_t cap = 64;
    Table *t = arena_alloc(a, cap * sizeof(*t));
    int n = 0;
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        t = arena_grow(a, t, (size_t)n, &cap, sizeof(*t));
        memset(&t[n], 0, sizeof(t[n]));
        t[n++].name = store_column_text(s, a, 0);
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    for (int i = 0; i < n; i++) {
        size_t ccap = 32;

        t[i].cols = arena_alloc(a, ccap * sizeof(Column));
        s = store_prepare(st, a, store_sql(st, SQL_COLUMNS_SQLITE, SQL_COLUMNS_PG));
        store_bind_text(s, 1, t[i].name);
        while ((r = store_step(s)) == STORE_ROW) {
            Column *c;

            t[i].cols = arena_grow(a, t[i].cols, (size_t)t[i].n_cols, &ccap, sizeof(Column));
            c = &t[i].cols[t[i].n_cols++];
            c->name = store_column_text(s, a, 0);
            c->kind = kind_of(store_column_text(s, a, 1));
            c->pk = (int)store_column_int64(s, 2);
        }
        store_reset(s);
        if (r != STORE_DONE)
            return store_error(st, a);
        t[i].pk = arena_zalloc(a, sizeof(int) * (size_t)(t[i].n_cols + 1));
        for (int k = 1; k <= t[i].n_cols; k++) {
            for (int c = 0; c < t[i].n_cols; c++)
                if (t[i].cols[c].pk == k)
                    t[i].pk[t[i].n_pk++] = c;
        }
    }
    *ret = t;
    *ret_n = n;
    return NULL;
}

static Table *find_table(Table *t, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

/* The source must have the target's tables and columns, no more, no fewer. */
static Error *same_schema(Arena *a, Table *dt, int dn, Table *st, int sn)
{
    for (int i = 0; i < sn; i++)
        if (!find_table(dt, dn, st[i].name))
            return error_internal(a, "table %s of the source is not in the target", st[i].name);
    for (int i = 0; i < dn; i++) {
        Table *s = find_table(st, sn, dt[i].name);

        if (!s)
            return error_internal(a, "table %s of the target is not in the source", dt[i].name);
        for (int c = 0; c < dt[i].n_cols; c++) {
            bool found = false;

            for (int k = 0; k < s->n_cols && !found; k++)
                found = strcmp(s->cols[k].name, dt[i].cols[c].name) == 0;
            if (!found)
                return error_internal(a, "column %s.%s of the target is not in the source",
                                      dt[i].name, dt[i].cols[c].name);
        }
        if (s->n_cols != dt[i].n_cols)
            return error_internal(a, "table %s has %d columns in the source, %d in the target",
                                  dt[i].name, s->n_cols, dt[i].n_cols);
    }
    return NULL;
}

static Error *load_fks(Store *st, Arena *a, ForeignKey **ret, int *ret_n)
{
    StoreStmt *s = store_prepare(st, a, store_sql(st, SQL_FKS_SQLITE, SQL_FKS_PG));
    size_t cap = 64;
    ForeignKey *fk = arena_alloc(a, cap * sizeof(*fk));
    int n = 0;
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        fk = arena_grow(a, fk, (size_t)n, &cap, sizeof(*fk));
        fk[n].from = store_column_text(s, a, 0);
        fk[n].to = store_column_text(s, a, 1);
        fk[n].name = store_column_text(s, a, 2);
        fk[n].deferred = false;
        n++;
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret = fk;
    *ret_n = n;
    return NULL;
}

/* Depth first: a table after every table it refers to; keys into a table
 * still being visited (its own, or a cycle) are deferred instead. */
static void visit(Table *t, int n, ForeignKey *fk, int n_fk, Table *x, Table **order, int *n_order)
{
    x->state = 1;
    for (int i = 0; i < n_fk; i++) {
        Table *to;

        if (strcmp(fk[i].from, x->name) != 0)
            continue;
        to = find_table(t, n, fk[i].to);
        if (!to)
            continue;
        if (to->state == 1)
            fk[i].deferred = true;
        else if (to->state == 0)
            visit(t, n, fk, n_fk, to, order, n_order);
    }
    x->state = 2;
    order[(*n_order)++] = x;
}

/* ---- checksums ---- */

static void sum_add(Sum *sum, crypto_generichash_state *h)
{
    uint8_t out[16];
    uint64_t lo, hi;

    crypto_generichash_final(h, out, sizeof(out));
    memcpy(&lo, out, 8);
    memcpy(&hi, out + 8, 8);
    sum->lo += lo;
    sum->hi += hi + (sum->lo < lo);
    sum->rows++;
}

static void hash_value(crypto_generichash_state *h, char tag, const void *p, size_t n)
{
    uint8_t head[5];

    head[0] = (uint8_t)tag;
    head[1] = (uint8_t)(n >> 24);
    head[2] = (uint8_t)(n >> 16);
    head[3] = (uint8_t)(n >> 8);
    head[4] = (uint8_t)n;
    crypto_generichash_update(h, head, sizeof(head));
    if (n)
        crypto_generichash_update(h, p, n);
}

/* One value read from the source, kept until its batch is inserted. */
typedef struct Value {
    bool is_null;
    int64_t i;
    double d;
    const void *p; /* text (NUL-terminated) or blob */
    size_t len;
} Value;

/* Column @c of the current row of @s into @h and, copied into @a, into *@v. */
static void take_value(StoreStmt *s, int c, ColumnKind kind, Arena *a, crypto_generichash_state *h,
                       Value *v)
{
    memset(v, 0, sizeof(*v));
    if (store_column_is_null(s, c)) {
        v->is_null = true;
        hash_value(h, 'N', NULL, 0);
        return;
    }
    switch (kind) {
    case KIND_INT: {
        char *text = store_column_text(s, a, c);

        hash_value(h, 'T', text, strlen(text));
        v->i = store_column_int64(s, c);
        break;
    }
    case KIND_DOUBLE: {
        char buf[40];
        int len;

        v->d = store_column_double(s, c);
        len = snprintf(buf, sizeof(buf), "%.17g", v->d);
        hash_value(h, 'R', buf, (size_t)len);
        break;
    }
    case KIND_BLOB:
        v->p = store_column_blob(s, a, c, &v->len);
        hash_value(h, 'B', v->p, v->len);
        break;
    case KIND_TEXT:
    default:
        v->p = store_column_text(s, a, c);
        v->len = strlen(v->p);
        hash_value(h, 'T', v->p, v->len);
        break;
    }
}

static void bind_value(StoreStmt *s, int param, ColumnKind kind, const Value *v)
{
    if (v->is_null)
        store_bind_null(s, param);
    else if (kind == KIND_INT)
        store_bind_int64(s, param, v->i);
    else if (kind == KIND_DOUBLE)
        store_bind_double(s, param, v->d);
    else if (kind == KIND_BLOB)
        store_bind_blob(s, param, v->p, v->len);
    else
        store_bind_text(s, param, v->p);
}

static void sum_hex(const Sum *sum, char out[33])
{
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, sum->hi, sum->lo);
}

/* ---- reading a table in pages ---- */

/* SELECT cols FROM t [WHERE (pk) > (?…)] ORDER BY pk LIMIT n; in the source's column names */
static const char *select_sql(Arena *a, const Table *t, bool after)
{
    StrBuf sb;

    strbuf_init(&sb, a, 1 << 20);
    strbuf_adds(&sb, "SELECT ");
    for (int c = 0; c < t->n_cols; c++) {
        strbuf_adds(&sb, c ? ", " : "");
        strbuf_adds(&sb, quote(a, t->cols[c].name));
    }
    strbuf_addf(&sb, " FROM %s", quote(a, t->name));
    if (t->n_pk == 0)
        return strbuf_finish(&sb, NULL); /* no key: read whole */
    if (after) {
        strbuf_adds(&sb, " WHERE (");
        for (int k = 0; k < t->n_pk; k++) {
            strbuf_adds(&sb, k ? ", " : "");
            strbuf_adds(&sb, quote(a, t->cols[t->pk[k]].name));
        }
        strbuf_adds(&sb, ") > (");
        for (int k = 0; k < t->n_pk; k++)
            strbuf_addf(&sb, "%s?%d", k ? ", " : "", k + 1);
        strbuf_adds(&sb, ")");
    }
    strbuf_adds(&sb, " ORDER BY ");
    for (int k = 0; k < t->n_pk; k++) {
        strbuf_adds(&sb, k ? ", " : "");
        strbuf_adds(&sb, quote(a, t->cols[t->pk[k]].name));
    }
    strbuf_addf(&sb, " LIMIT %d", PAGE_ROWS);
    return strbuf_finish(&sb, NULL);
}

static const char *insert_sql(Arena *a, const Table *t, int rows)
{
    StrBuf sb;
    int p = 1;

    strbuf_init(&sb, a, 64 << 20);
    strbuf_addf(&sb, "INSERT INTO %s (", quote(a, t->name));
    for (int c = 0; c < t->n_cols; c++) {
        strbuf_adds(&sb, c ? ", " : "");
        strbuf_adds(&sb, quote(a, t->cols[c].name));
    }
    strbuf_adds(&sb, ") VALUES ");
    for (int r = 0; r < rows; r++) {
        strbuf_adds(&sb, r ? ", (" : "(");
        for (int c = 0; c < t->n_cols; c++)
            strbuf_addf(&sb, "%s?%d", c ? ", " : "", p++);
        strbuf_adds(&sb, ")");
    }
    return strbuf_finish(&sb, NULL);
}

/* The key of the last row read, kept to start the next page after it. */
typedef struct Key {
    Arena *a;
    bool is_null[8];
    int64_t i[8];
    const char *text[8];
} Key;

static void key_keep(Key *key, const Table *t, StoreStmt *s)
{
    arena_reset(key->a);
    for (int k = 0; k < t->n_pk && k < 8; k++) {
        int c = t->pk[k];

        key->is_null[k] = store_column_is_null(s, c);
        if (t->cols[c].kind == KIND_INT)
            key->i[k] = store_column_int64(s, c);
        else
            key->text[k] = store_column_text(s, key->a, c);
    }
}

/* Binds a copy of @key made in @page: key_keep overwrites the key as the
 * page's rows are read, and SQLite reads bound text in place (store.h). */
static void key_bind(const Key *key, const Table *t, StoreStmt *s, Arena *page)
{
    for (int k = 0; k < t->n_pk && k < 8; k++) {
        if (key->is_null[k])
            store_bind_null(s, k + 1);
        else if (t->cols[t->pk[k]].kind == KIND_INT)
            store_bind_int64(s, k + 1, key->i[k]);
        else
            store_bind_text(s, k + 1, arena_strdup(page, key->text[k]));
    }
}

/* ---- the target: SQLite through store.h, PostgreSQL through COPY ---- */

/*
 * Where the rows go. On PostgreSQL the whole write transaction runs on a
 * connection of its own (store_pgcopy.c), which COPY needs and store.h does
 * not give; @st, the target as store.h opened it, is used before (migrate,
 * the catalog) and after (the second read), never while the copy runs.
 */
typedef struct Target {
    Store *st;
    PgCopy *pc; /* PostgreSQL; NULL for SQLite */
} Target;

static Error *target_exec(Target *t, Arena *a, const char *sql)
{
    return t->pc ? pgcopy_exec(t->pc, a, sql) : store_exec(t->st, a, sql);
}

/* @p, @n as a value of COPY's text format: backslash, tab, newline, CR escaped */
static void copy_escape(StrBuf *sb, const char *p, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        char esc;

        switch (p[i]) {
        case '\\': esc = '\\'; break;
        case '\t': esc = 't'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        default: continue;
        }
        strbuf_add(sb, p + start, i - start);
        strbuf_addc(sb, '\\');
        strbuf_addc(sb, esc);
        start = i + 1;
    }
    strbuf_add(sb, p + start, n - start);
}

/* The @n rows of @vals as lines of COPY's text format, into @pc. */
static Error *copy_rows_out(PgCopy *pc, Arena *a, Arena *rows, const Table *t, const Value *vals, int n)
{
    static const char hexd[] = "0123456789abcdef";
    StrBuf sb;
    const char *out;
    size_t len;

    strbuf_init(&sb, rows, (size_t)1 << 30);
    for (int i = 0; i < n * t->n_cols; i++) {
        const Value *v = &vals[i];
        int c = i % t->n_cols;

        if (v->is_null) {
            strbuf_adds(&sb, "\\N");
        } else if (t->cols[c].kind == KIND_INT) {
            strbuf_addf(&sb, "%" PRId64, v->i);
        } else if (t->cols[c].kind == KIND_DOUBLE) {
            strbuf_addf(&sb, "%.17g", v->d);
        } else if (t->cols[c].kind == KIND_BLOB) {
            const uint8_t *b = v->p;

            strbuf_adds(&sb, "\\\\x"); /* bytea's \x, its backslash escaped for COPY */
            for (size_t k = 0; k < v->len; k++) {
                strbuf_addc(&sb, hexd[b[k] >> 4]);
                strbuf_addc(&sb, hexd[b[k] & 15]);
            }
        } else {
            copy_escape(&sb, v->p, v->len);
        }
        strbuf_addc(&sb, c == t->n_cols - 1 ? '\n' : '\t');
    }
    out = strbuf_finish(&sb, &len);
    if (!out)
        return error_internal(a, "table %s: a batch of rows too large to copy", t->name);
    return pgcopy_put(pc, a, out, len);
}

static const char *copy_sql(Arena *a, const Table *t)
{
    StrBuf sb;

    strbuf_init(&sb, a, 1 << 20);
    strbuf_addf(&sb, "COPY %s (", quote(a, t->name));
    for (int c = 0; c < t->n_cols; c++) {
        strbuf_adds(&sb, c ? ", " : "");
        strbuf_adds(&sb, quote(a, t->cols[c].name));
    }
    strbuf_adds(&sb, ") FROM STDIN");
    return strbuf_finish(&sb, NULL);
}

/* Inserts the @n rows of @vals into @dst in one statement. */
static Error *insert_rows(Store *dst, Arena *a, Arena *rows, const Table *t, const Value *vals, int n)
{
    StoreStmt *ins = store_prepare_text(dst, rows, insert_sql(rows, t, n));
    StoreResult r;

    for (int i = 0; i < n * t->n_cols; i++)
        bind_value(ins, i + 1, t->cols[i % t->n_cols].kind, &vals[i]);
    r = store_step(ins);
    store_reset(ins);
    return r == STORE_DONE ? NULL : store_error(dst, a);
}

static Error *write_rows(Target *dst, Arena *a, Arena *rows, const Table *t, const Value *vals, int n)
{
    if (dst->pc)
        return copy_rows_out(dst->pc, a, rows, t, vals, n);
    return insert_rows(dst->st, a, rows, t, vals, n);
}

/*
 * Reads every row of @t from @st, adding each to @sum; with @dst, also
 * writes them there in batches (one COPY into PostgreSQL, multi-row
 * INSERTs into SQLite).
 */
static Error *scan_table(Store *st, Arena *a, const Table *t, Sum *sum, Target *dst)
{
    const char *first = select_sql(a, t, false), *next = select_sql(a, t, true);
    int batch = MAX_PARAMS / (t->n_cols ? t->n_cols : 1);
    Arena *page = arena_new(0), *rows = arena_new(0);
    Key key = { .a = arena_new(0) };
    Value *vals;
    bool after = false;
    Error *err = NULL;

    if (dst && dst->pc)
        batch = MAX_BATCH; /* no parameters: only the size of a batch's text */
    if (batch > MAX_BATCH)
        batch = MAX_BATCH;
    if (batch < 1)
        batch = 1;
    if (dst && dst->pc) {
        err = pgcopy_start(dst->pc, a, copy_sql(a, t));
        if (err)
            goto done;
    }
    vals = arena_alloc(a, sizeof(Value) * (size_t)(batch * t->n_cols + 1));
    for (;;) {
        StoreStmt *s;
        StoreResult r;
        int n_page = 0, n_batch = 0;

        arena_reset(page);
        s = store_prepare_text(st, page, after ? next : first);
        if (after)
            key_bind(&key, t, s, page);
        while ((r = store_step(s)) == STORE_ROW) {
            crypto_generichash_state h;

            crypto_generichash_init(&h, NULL, 0, 16);
            for (int c = 0; c < t->n_cols; c++)
                take_value(s, c, t->cols[c].kind, rows, &h, &vals[n_batch * t->n_cols + c]);
            sum_add(sum, &h);
            n_page++;
            n_batch++;
            if (t->n_pk)
                key_keep(&key, t, s);
            if (n_batch == batch) {
                err = dst ? write_rows(dst, a, rows, t, vals, n_batch) : NULL;
                arena_reset(rows);
                n_batch = 0;
                if (err) {
                    store_reset(s);
                    goto out;
                }
            }
        }
        store_reset(s);
        if (r != STORE_DONE) {
            err = store_error(st, a);
            goto out;
        }
        if (n_batch && dst) {
            err = write_rows(dst, a, rows, t, vals, n_batch);
            if (err)
                goto out;
        }
        arena_reset(rows);
        if (t->n_pk == 0 || n_page < PAGE_ROWS)
            break;
        after = true;
    }
out:
    if (dst && dst->pc) {
        Error *end = pgcopy_end(dst->pc, a, err != NULL);

        if (!err)
            err = end;
    }
done:
    arena_free(key.a);
    arena_free(rows);
    arena_free(page);
    return err;
}

/* ---- the target: empty, triggers, keys, sequences ---- */

/* Row counts of a database fresh from `linli migrate`, to tell an empty target. */
static Error *fresh_counts(Arena *a, Table *t, int n, int64_t *ret)
{
    char dir[] = "/tmp/linli-copy.XXXXXX";
    const char *errmsg = NULL;
    char *path;
    Store *ref;
    Arena *ra;
    int applied, version;
    Error *err = NULL;
    bool ok = true;

    if (!mkdtemp(dir))
        return error_internal(a, "cannot make a temporary directory");
    path = arena_sprintf(a, "%s/fresh.db", dir);
    ref = store_open(path, &errmsg);
    if (!ref) {
        rmdir(dir);
        return error_internal(a, "%s", errmsg);
    }
    ra = arena_new(0); /* the reference's statements, gone before it closes */
    err = store_migrate(ref, ra, &applied, &version);
    if (err)
        err = error_internal(a, "%s", err->detail ? err->detail : err->message);
    for (int i = 0; i < n && !err; i++) {
        ok = true;
        ret[i] = query_int(ref, ra, arena_sprintf(ra, "SELECT count(*) FROM %s", quote(ra, t[i].name)),
                           NULL, &ok);
        if (!ok)
            ret[i] = 0; /* a table only the target's dialect has */
    }
    arena_free(ra);
    store_close(ref);
    unlink(path);
    unlink(arena_sprintf(a, "%s-wal", path));
    unlink(arena_sprintf(a, "%s-shm", path));
    rmdir(dir);
    return err;
}

typedef struct Trigger {
    const char *name, *sql;
} Trigger;

/* SQLite: drops every trigger, keeping its text in *ret to create it again. */
static Error *triggers_drop(Store *st, Arena *a, Trigger **ret, int *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_TRIGGERS_SQLITE);
    size_t cap = 64;
    Trigger *tr = arena_alloc(a, cap * sizeof(*tr));
    int n = 0;
    StoreResult r;
    Error *err;

    while ((r = store_step(s)) == STORE_ROW) {
        tr = arena_grow(a, tr, (size_t)n, &cap, sizeof(*tr));
        tr[n].name = store_column_text(s, a, 0);
        tr[n].sql = store_column_text(s, a, 1);
        n++;
    }
    store_reset(s);
    if (r != STORE_DONE)
        return store_error(st, a);
    for (int i = 0; i < n; i++) {
        err = store_exec(st, a, arena_sprintf(a, "DROP TRIGGER %s", quote(a, tr[i].name)));
        if (err)
            return err;
    }
    *ret = tr;
    *ret_n = n;
    return NULL;
}

static Error *exec_each(Target *dst, Arena *a, Table **order, int n, const char *fmt)
{
    for (int i = 0; i < n; i++) {
        Error *err = target_exec(dst, a, arena_sprintf(a, fmt, quote(a, order[i]->name)));

        if (err)
            return err;
    }
    return NULL;
}

/*
 * PostgreSQL: what a bulk load is faster without, as pg_restore does it.
 * On a table of BULK_ROWS rows or more, the foreign keys and the indexes
 * that back no constraint are dropped before the rows go in and made
 * again after, from their definitions: one sort per index and one join
 * per key instead of a lookup per row. (On a small table the lookups cost
 * less than making an index, which writes and syncs a file of its own.)
 * Any key or unique index the rows break fails the transaction, as it
 * would have row by row. LINLI_COPY_BULK_ROWS sets another threshold
 * (api-export_db loads every table so with 1).
 */
#define BULK_ROWS 20000
#define FK_COLS 6

static const char SQL_FKS_DEF_PG[] =
    "SELECT cl.relname, c.conrelid::regclass::text, quote_ident(c.conname),"
    " pg_get_constraintdef(c.oid), coalesce(c.conindid::regclass::text, ''), c.conname"
    " FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid WHERE c.contype = 'f'"
    " AND c.connamespace = current_schema()::regnamespace ORDER BY c.oid";
static const char SQL_INDEXES_DEF_PG[] =
    "SELECT t.relname, x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) FROM pg_index x"
    " JOIN pg_class t ON t.oid = x.indrelid"
    " WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind = 'r'"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
    " ORDER BY x.indexrelid";

typedef struct Deferrals {
    const char **fks; /* table, qualified table, quoted name, definition, the unique index it
                       * needs, name */
    int n_fks;
    const char **indexes; /* table, qualified name, definition */
    int n_indexes;
    bool *fk_dropped, *index_dropped;
} Deferrals;

static int64_t bulk_rows(void)
{
    const char *env = getenv("LINLI_COPY_BULK_ROWS");
    char *end;
    long long v;

    if (!env || !*env)
        return BULK_ROWS;
    v = strtoll(env, &end, 10);
    return *end || v < 0 ? BULK_ROWS : v;
}

static bool is_bulk(Table **order, int n, const int64_t *src_rows, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(order[i]->name, name) == 0)
            return src_rows[i] >= bulk_rows();
    return false;
}

static Error *pg_defer_drop(Target *dst, Arena *a, Table **order, int n, const int64_t *src_rows,
                            Deferrals *d)
{
    Error *err = pgcopy_query_texts(dst->pc, a, SQL_FKS_DEF_PG, FK_COLS, &d->fks, &d->n_fks);

    if (!err)
        err = pgcopy_query_texts(dst->pc, a, SQL_INDEXES_DEF_PG, 3, &d->indexes, &d->n_indexes);
    if (err)
        return err;
    d->fk_dropped = arena_zalloc(a, sizeof(bool) * (size_t)(d->n_fks + 1));
    d->index_dropped = arena_zalloc(a, sizeof(bool) * (size_t)(d->n_indexes + 1));
    for (int i = 0; i < d->n_indexes; i++)
        d->index_dropped[i] = is_bulk(order, n, src_rows, d->indexes[3 * i]);
    for (int i = 0; i < d->n_fks; i++) {
        d->fk_dropped[i] = is_bulk(order, n, src_rows, d->fks[FK_COLS * i]);
        /* a key that needs a unique index dropped goes too */
        for (int k = 0; k < d->n_indexes && !d->fk_dropped[i]; k++)
            d->fk_dropped[i] = d->index_dropped[k] && strcmp(d->fks[FK_COLS * i + 4], d->indexes[3 * k + 1]) == 0;
    }
    for (int i = 0; i < d->n_fks && !err; i++)
        if (d->fk_dropped[i])
            err = pgcopy_exec(dst->pc, a, arena_sprintf(a, "ALTER TABLE %s DROP CONSTRAINT %s",
                                                       d->fks[FK_COLS * i + 1], d->fks[FK_COLS * i + 2]));
    for (int i = 0; i < d->n_indexes && !err; i++)
        if (d->index_dropped[i])
            err = pgcopy_exec(dst->pc, a, arena_sprintf(a, "DROP INDEX %s", d->indexes[3 * i + 1]));
    return err;
}

/* The self-referring (or cycle-closing) keys not dropped DEFERRABLE INITIALLY DEFERRED, or back. */
static Error *fks_defer(Target *dst, Arena *a, ForeignKey *fk, int n_fk, const Deferrals *d, bool on)
{
    for (int i = 0; i < n_fk; i++) {
        bool dropped = false;
        Error *err;

        if (!fk[i].deferred)
            continue;
        for (int k = 0; k < d->n_fks && !dropped; k++)
            dropped = d->fk_dropped[k] && strcmp(d->fks[FK_COLS * k], fk[i].from) == 0 &&
                      strcmp(d->fks[FK_COLS * k + 5], fk[i].name) == 0;
        if (dropped)
            continue;
        err = pgcopy_exec(dst->pc, a, arena_sprintf(a, "ALTER TABLE %s ALTER CONSTRAINT %s %s",
                                                   quote(a, fk[i].from), quote(a, fk[i].name),
                                                   on ? "DEFERRABLE INITIALLY DEFERRED" : "NOT DEFERRABLE"));
        if (err)
            return err;
    }
    return NULL;
}

static Error *pg_defer_make(Target *dst, Arena *a, const Deferrals *d)
{
    Error *err = NULL;

    for (int i = 0; i < d->n_indexes && !err; i++)
        if (d->index_dropped[i])
            err = pgcopy_exec(dst->pc, a, d->indexes[3 * i + 2]);
    for (int i = 0; i < d->n_fks && !err; i++)
        if (d->fk_dropped[i])
            err = pgcopy_exec(dst->pc, a, arena_sprintf(a, "ALTER TABLE %s ADD CONSTRAINT %s %s",
                                                       d->fks[FK_COLS * i + 1], d->fks[FK_COLS * i + 2],
                                                       d->fks[FK_COLS * i + 3]));
    return err;
}

/* PostgreSQL: each table's identity column, if it has one, into t->identity. */
static Error *identities_load(Store *dst, Arena *a, Table **order, int n)
{
    for (int i = 0; i < n; i++) {
        StoreStmt *s = store_prepare(dst, a, SQL_IDENTITY_PG);
        StoreResult r;

        store_bind_text(s, 1, order[i]->name);
        r = store_step(s);
        if (r == STORE_ROW)
            order[i]->identity = store_column_text(s, a, 0);
        store_reset(s);
        if (r != STORE_ROW && r != STORE_DONE)
            return store_error(dst, a);
    }
    return NULL;
}

/* PostgreSQL: each identity column's sequence continues after the highest id. */
static Error *sequences_set(Store *src, Target *dst, Arena *a, Table **order, int n)
{
    bool src_seq = false, ok = true;

    if (!is_pg(src))
        src_seq = query_int(src, a, SQL_HAS_SQLITE_SEQUENCE, NULL, &ok) > 0;
    for (int i = 0; i < n; i++) {
        const char *col = order[i]->identity;
        int64_t next = 1;
        Error *err;

        if (!col)
            continue;
        err = pgcopy_query_int(dst->pc, a,
                               arena_sprintf(a, "SELECT coalesce(max(%s), 0) + 1 FROM %s", quote(a, col),
                                             quote(a, order[i]->name)),
                               &next);
        if (err)
            return err;
        if (src_seq) {
            ok = true;
            int64_t seq = query_int(src, a, SQL_SQLITE_SEQUENCE, order[i]->name, &ok);

            if (ok && seq + 1 > next)
                next = seq + 1;
        }
        err = pgcopy_exec(dst->pc, a,
                          arena_sprintf(a, "SELECT setval(pg_get_serial_sequence(%s, %s), %" PRId64 ", false)",
                                        pgcopy_literal(dst->pc, a, quote(a, order[i]->name)),
                                        pgcopy_literal(dst->pc, a, col), next));
        if (err)
            return err;
    }
    return NULL;
}

static Error *schema_version(Store *st, Arena *a, const char *which, int64_t *ret_v, int64_t *ret_n)
{
    bool ok = true;
    StoreStmt *s;

    if (query_int(st, a, store_sql(st, SQL_HAS_VERSION_SQLITE, SQL_HAS_VERSION_PG), NULL, &ok) == 0)
        return error_internal(a, "the %s is not a linli database (no schema_version); "
                                 "an empty target must have no tables at all", which);
    s = store_prepare(st, a, SQL_VERSION);
    if (store_step(s) != STORE_ROW) {
        store_reset(s);
        return store_error(st, a);
    }
    *ret_v = store_column_int64(s, 0);
    *ret_n = store_column_int64(s, 1);
    store_reset(s);
    return NULL;
}

/* ---- the copy ---- */


static Error *copy_rows(Store *src, Target *dst, Arena *a, Table **order, int n, ForeignKey *fk,
                        int n_fk, const int64_t *src_rows, Sum *sums)
{
    Trigger *tr = NULL;
    int n_tr = 0;
    Deferrals d = { 0 };
    Error *err;

    if (dst->pc) {
        err = pgcopy_exec(dst->pc, a, "SET LOCAL maintenance_work_mem = '256MB'");
        if (!err)
            err = pg_defer_drop(dst, a, order, n, src_rows, &d);
        if (!err)
            err = fks_defer(dst, a, fk, n_fk, &d, true);
        if (!err)
            err = exec_each(dst, a, order, n, "ALTER TABLE %s DISABLE TRIGGER USER");
    } else {
        err = store_exec(dst->st, a, "PRAGMA defer_foreign_keys = ON");
        if (!err)
            err = triggers_drop(dst->st, a, &tr, &n_tr);
    }
    /* what `linli migrate` wrote (tags, calendars, versions), children first */
    for (int i = n - 1; i >= 0 && !err; i--)
        err = target_exec(dst, a, arena_sprintf(a, "DELETE FROM %s", quote(a, order[i]->name)));
    for (int i = 0; i < n && !err; i++) {
        memset(&sums[i], 0, sizeof(sums[i]));
        err = scan_table(src, a, order[i], &sums[i], dst);
        if (err)
            break;
        /* the pages must have met every row (a NULL in a key would end them early) */
        if (src_rows[i] != sums[i].rows)
            err = error_internal(a, "table %s: read %" PRId64 " of its %" PRId64 " rows in key order",
                                 order[i]->name, sums[i].rows, src_rows[i]);
    }
    if (err)
        return err;
    if (dst->pc) {
        err = pg_defer_make(dst, a, &d);
        if (!err)
            err = pgcopy_exec(dst->pc, a, "SET CONSTRAINTS ALL IMMEDIATE");
        if (!err)
            err = fks_defer(dst, a, fk, n_fk, &d, false);
        if (!err)
            err = exec_each(dst, a, order, n, "ALTER TABLE %s ENABLE TRIGGER USER");
        if (!err)
            err = sequences_set(src, dst, a, order, n);
    } else {
        for (int i = 0; i < n_tr && !err; i++)
            err = store_exec(dst->st, a, tr[i].sql);
    }
    return err;
}

/* The write transaction on the target: begin, copy_rows, commit or roll back. */
static Error *copy_in_tx(Store *src, Store *dst, const char *dst_url, Arena *a, Table **order, int n,
                         ForeignKey *fk, int n_fk, const int64_t *src_rows, Sum *sums)
{
    Target t = { .st = dst };
    const char *errmsg = NULL;
    Error *err;

    if (is_pg(dst)) {
        if (!dst_url)
            return error_internal(a, "store_copy: a PostgreSQL target needs its URL");
        err = identities_load(dst, a, order, n);
        if (err)
            return err;
        t.pc = pgcopy_open(dst_url, a, &errmsg);
        if (!t.pc)
            return error_internal(a, "%s", errmsg);
        err = pgcopy_exec(t.pc, a, "BEGIN");
    } else {
        err = store_begin(dst, a);
    }
    if (err) {
        pgcopy_free(t.pc);
        return err;
    }
    err = copy_rows(src, &t, a, order, n, fk, n_fk, src_rows, sums);
    if (t.pc) {
        Error *end = pgcopy_exec(t.pc, a, err ? "ROLLBACK" : "COMMIT");

        if (!err)
            err = end;
        pgcopy_free(t.pc);
    } else if (err) {
        store_rollback(dst);
    } else {
        err = store_commit(dst, a);
    }
    return err;
}

Error *store_copy(Store *src, Store *dst, const char *dst_url, Arena *a, StoreCopyReport *ret)
{
    Table *dt = NULL, *stt = NULL, **order;
    ForeignKey *fk = NULL;
    int dn = 0, sn = 0, n_fk = 0, n_order = 0;
    int64_t sv, sv_n, dv, dv_n, *fresh, *src_rows;
    Sum *sums;
    bool ok = true, migrated = false;
    Error *err;

    memset(ret, 0, sizeof(*ret));
    err = schema_version(src, a, "source", &sv, &sv_n);
    if (err)
        return err;
    if (query_int(dst, a, store_sql(dst, SQL_COUNT_TABLES_SQLITE, SQL_COUNT_TABLES_PG), NULL, &ok) == 0 &&
        ok) {
        int applied, version;

        err = store_migrate(dst, a, &applied, &version);
        if (err)
            return err;
        migrated = true;
    }
    if (!ok)
        return store_error(dst, a);
    err = schema_version(dst, a, "target", &dv, &dv_n);
    if (err)
        return err;
    if (sv != dv || sv_n != dv_n)
        return error_internal(a,
                              "the source is at schema version %" PRId64 " (%" PRId64
                              " migrations), the target at %" PRId64 " (%" PRId64
                              "): run `linli migrate` on the older one first",
                              sv, sv_n, dv, dv_n);

    err = load_tables(dst, a, &dt, &dn);
    if (!err)
        err = load_tables(src, a, &stt, &sn);
    if (!err)
        err = same_schema(a, dt, dn, stt, sn);
    if (err)
        return err;
    for (int i = 0; i < dn; i++)
        if (dt[i].n_pk > 8)
            return error_internal(a, "table %s has a primary key of more than 8 columns", dt[i].name);

    if (!migrated) {
        fresh = arena_zalloc(a, sizeof(int64_t) * (size_t)(dn + 1));
        err = fresh_counts(a, dt, dn, fresh);
        if (err)
            return err;
        for (int i = 0; i < dn; i++) {
            int64_t rows;

            ok = true;
            rows = query_int(dst, a, arena_sprintf(a, "SELECT count(*) FROM %s", quote(a, dt[i].name)),
                             NULL, &ok);
            if (!ok)
                return store_error(dst, a);
            if (rows != fresh[i])
                return error_internal(a,
                                      "the target is not empty: table %s has %" PRId64
                                      " rows (a newly migrated database has %" PRId64 ")",
                                      dt[i].name, rows, fresh[i]);
        }
    }

    err = load_fks(dst, a, &fk, &n_fk);
    if (err)
        return err;
    order = arena_alloc(a, sizeof(Table *) * (size_t)(dn + 1));
    for (int i = 0; i < dn; i++)
        if (dt[i].state == 0)
            visit(dt, dn, fk, n_fk, &dt[i], order, &n_order);

    ret->version = (int)sv;
    ret->migrated_target = migrated;
    ret->n_tables = n_order;
    ret->tables = arena_zalloc(a, sizeof(StoreCopyTable) * (size_t)(n_order + 1));
    sums = arena_zalloc(a, sizeof(Sum) * (size_t)(n_order + 1));

    err = store_begin_read(src, a);
    if (err)
        return err;
    /* in the snapshot the copy reads */
    src_rows = arena_zalloc(a, sizeof(int64_t) * (size_t)(n_order + 1));
    for (int i = 0; i < n_order; i++) {
        ok = true;
        src_rows[i] = query_int(src, a, arena_sprintf(a, "SELECT count(*) FROM %s", quote(a, order[i]->name)),
                                NULL, &ok);
        if (!ok) {
            err = store_error(src, a);
            store_end_read(src, a);
            return err;
        }
    }
    err = copy_in_tx(src, dst, dst_url, a, order, n_order, fk, n_fk, src_rows, sums);
    store_end_read(src, a);
    if (err)
        return err;

    /* the target as committed, read again */
    err = store_begin_read(dst, a);
    if (err)
        return err;
    for (int i = 0; i < n_order; i++) {
        StoreCopyTable *t = &ret->tables[i];
        Sum dsum = { 0 };

        err = scan_table(dst, a, order[i], &dsum, NULL);
        if (err) {
            store_end_read(dst, a);
            return err;
        }
        t->name = order[i]->name;
        t->src_rows = sums[i].rows;
        t->dst_rows = dsum.rows;
        sum_hex(&sums[i], t->src_sum);
        sum_hex(&dsum, t->dst_sum);
        if (t->src_rows != t->dst_rows || strcmp(t->src_sum, t->dst_sum) != 0)
            ret->n_mismatches++;
    }
    store_end_read(dst, a);
    return NULL;
}
