#pragma once
/*
 * The residents register as a file (台账导入导出): import from .xlsx or .csv
 * (registry_import.c), export to either (registry_export.c). The HTTP routes
 * and the CLI (registry_io.c) are thin callers of the functions here, so a
 * file behaves the same whichever way it arrives.
 *
 * The file's first row names the columns, in Chinese or English; the export
 * writes the Chinese names, so an exported file imports again unchanged.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/error.h"
#include "http/router.h"
#include "store/store.h"

#define REGISTRY_IMPORT_MAX_ROWS 20000 /* data rows in one file, blank rows not counted */

typedef enum RegistryFormat {
    REGISTRY_FORMAT_CSV,
    REGISTRY_FORMAT_XLSX,
    _REGISTRY_FORMAT_MAX
} RegistryFormat;

/* The register's columns, in the order the export writes them. */
typedef enum RegistryColumn {
    COL_BUILDING,
    COL_UNIT,
    COL_FLOOR,
    COL_ROOM,
    COL_AREA,
    COL_NAME,
    COL_GENDER,
    COL_BIRTH_DATE,
    COL_ID_NUMBER,
    COL_PHONE,
    COL_RELATION,
    COL_TAGS,
    COL_MOVED_IN,
    _COL_MAX
} RegistryColumn;

/* The Chinese header of @c ("楼栋"), as the export writes it. */
const char *registry_column_label(RegistryColumn c);

/*
 * The format of an uploaded file: a zip ("PK\3\4") is xlsx, whatever its
 * @content_type; otherwise text/csv or application/csv is CSV and the xlsx
 * MIME type xlsx. False when neither says (@content_type may be NULL).
 */
bool registry_file_format(const char *content_type, const void *data, size_t len,
                          RegistryFormat *ret);

/* Who runs an import: recorded on each resident's move-in and in the audit log. */
typedef struct RegistryActor {
    int64_t user_id;  /* 0 for the CLI */
    /* Writes the audit entry inside the import's transaction; steals @detail. */
    Error *(*audit)(void *ctx, Store *st, Arena *a, const char *community, json_t *detail);
    void *ctx;
} RegistryActor;

/*
 * Imports the residents in @data (@len bytes of @format) into @community,
 * which the caller has checked exists and may be written by the actor.
 *
 * Every row is validated first, then all are written in one transaction,
 * each in its own savepoint: a row that fails (a bad ID number, a phone, a
 * tag that does not exist, an ID number already in the register or earlier
 * in the file) is rolled back alone and reported; the good rows are kept.
 * Blank rows are skipped. On success *ret_report (a new reference) is
 *
 *   {"imported": N, "rejected": [{"line","field","code","message"}], "total_rows": M}
 *
 * where line is the row's line in the file (the header is line 1).
 * Errors for the whole file, with nothing written: 415 unsupported_file
 * (not an xlsx) or unsupported_encoding (a CSV not in UTF-8), 422
 * empty_file, invalid_csv, missing_column, unknown_column or
 * duplicate_column (field: the header), 413 too_many_rows; 500 and 503 from
 * the database.
 */
Error *registry_import_residents(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                                 const void *data, size_t len, RegistryFormat format,
                                 const RegistryActor *actor, json_t **ret_report);

/*
 * The active residents of @community with full ID numbers and phones, as
 * CSV (UTF-8 with a byte-order mark, CRLF) in @a: *ret_data, *ret_len.
 * *ret_count receives the number of residents.
 */
Error *registry_export_csv(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                           const char **ret_data, size_t *ret_len, int64_t *ret_count);

/*
 * The same as an .xlsx workbook written to @path (created or truncated):
 * a bold, frozen header row, ID numbers and phones stored as text.
 */
Error *registry_export_xlsx(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                            const char *path, int64_t *ret_count);

/*
 * The import template: the header row and one example row that imports as
 * it is, as CSV (UTF-8 with a byte-order mark) in @a, or as an .xlsx
 * workbook written to @path with a second sheet of rules (填写说明).
 */
Error *registry_template_csv(Arena *a, const char **ret_data, size_t *ret_len);
Error *registry_template_xlsx(Arena *a, const char *path);

/* POST /api/v1/residents/import, GET /api/v1/residents/export and /template. */
void registry_io_routes_register(Router *r);
