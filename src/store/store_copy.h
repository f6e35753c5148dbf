#pragma once
/*
 * Copying a whole linli database from one store to another: SQLite to
 * PostgreSQL and back (`linli export-db` / `linli import-db`). Every table
 * of the schema is copied row for row through store.h, in one snapshot of
 * the source and one transaction on the target, then counted and
 * checksummed on both sides.
 */
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "store/store.h"

/* One table's rows and checksum on each side, as the copy measured them. */
typedef struct StoreCopyTable {
    const char *name;
    int64_t src_rows;
    int64_t dst_rows;
    char src_sum[33]; /* 128 bits in hex: the rows' BLAKE2b hashes added up */
    char dst_sum[33];
} StoreCopyTable;

typedef struct StoreCopyReport {
    int version;            /* the schema version of both */
    bool migrated_target;   /* the target had no tables; the copy migrated it */
    StoreCopyTable *tables; /* in the order they were copied */
    int n_tables;
    int n_mismatches;       /* tables whose rows or checksums differ */
} StoreCopyReport;

/*
 * Copies every row of @src into @dst, opened from @dst_url (a PostgreSQL
 * target is written through COPY on a second connection to @dst_url, in
 * one transaction). @dst must be empty: no tables at all
 * (it is migrated first), or migrated to @src's schema version with no rows
 * beyond what `linli migrate` writes. The row hashes of @src are taken as
 * its rows are read, those of @dst from a second read after the commit.
 * Identity sequences on PostgreSQL continue after the highest id copied
 * (or SQLite's sqlite_sequence, if higher). Triggers are off during the
 * copy: the tables they maintain are copied as they are.
 *
 * On success fills @ret (in @a) even when some table differs; see
 * n_mismatches.
 */
Error *store_copy(Store *src, Store *dst, const char *dst_url, Arena *a, StoreCopyReport *ret);
