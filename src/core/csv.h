#pragma once
/*
 * CSV (RFC 4180): quoted fields with "" escapes and embedded newlines, CRLF
 * or LF line ends, a UTF-8 byte-order mark skipped. The parser works on a
 * buffer and reports the line each record starts on, for error reports.
 */
#include <stddef.h>

#include "core/arena.h"
#include "core/strbuf.h"

typedef struct CsvParser {
    const char *p;
    const char *end;
    int line;       /* line of the next record, 1-based */
} CsvParser;

void csv_init(CsvParser *c, const char *data, size_t len);

/*
 * Reads the next record into *ret_cells (an array of *ret_n strings, all in
 * @a) and its first line into *ret_line. Returns 1 for a record, 0 at the
 * end, -1 if a quoted field never ends. Records longer than @max_cells are
 * cut at @max_cells cells.
 */
int csv_next(CsvParser *c, Arena *a, size_t max_cells, char ***ret_cells, size_t *ret_n,
             int *ret_line);

/*
 * Appends @s as one CSV field: quoted when it holds a comma, quote or line
 * break; a leading = + - @ is prefixed with ' so spreadsheets do not run it
 * as a formula.
 */
void csv_write_cell(StrBuf *sb, const char *s);
