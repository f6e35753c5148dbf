#pragma once
/*
 * Reading the first worksheet of an .xlsx file (libzip + libxml2). Cells
 * come back as text: shared and inline strings as they are, numbers as Excel
 * shows them (15 significant digits), booleans as "TRUE"/"FALSE". Dates stay
 * Excel serial numbers; xlsx_serial_to_date() converts one.
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct XlsxRow {
    int line;        /* the row number in the sheet (1-based) */
    char **cells;    /* column A first; missing cells are "" */
    size_t n_cells;
} XlsxRow;

/*
 * Parses @data (@len bytes of an .xlsx file): the first sheet in the
 * workbook's order. On success returns true and sets *ret_rows / *ret_n (in
 * @a): the rows that hold a non-empty cell, in sheet order, each cut after
 * its last non-empty cell. Reading stops after @max_rows such rows (ask for
 * one more than you accept to tell "too many"); cells past column @max_cols
 * are dropped. On failure returns false and sets *ret_errmsg (static,
 * Chinese, for the user): not a zip or not a workbook ("文件不是有效的
 * Excel（.xlsx）文件"), or parts that inflate past 64 MiB (a zip bomb).
 * Thread-safe.
 */
bool xlsx_read(Arena *a, const void *data, size_t len, size_t max_rows, size_t max_cols,
               XlsxRow **ret_rows, size_t *ret_n, const char **ret_errmsg);

/*
 * An Excel serial date in the 1900 system -> "YYYY-MM-DD" in @out: "25569" ->
 * "1970-01-01"; a time of day ("25569.75") is dropped. False if @s is not a
 * number from 1 (1900-01-01) to 2958465 (9999-12-31), or is 60, Excel's
 * 1900-02-29 that never was.
 */
bool xlsx_serial_to_date(const char *s, char out[11]);
