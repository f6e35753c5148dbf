#pragma once
/*
 * Writing a table for people to open in a spreadsheet: a header row, then
 * rows of text cells, as CSV (UTF-8 with a byte-order mark, CRLF, cells
 * escaped by csv_write_cell) or as an .xlsx worksheet (libxlsxwriter: a
 * bold, frozen header row, the columns' widths, text columns stored as
 * text so that Excel keeps every digit of an ID number).
 *
 * Every export (the residents register, the care list) writes through
 * these, so a file looks the same whichever module made it.
 */
#include <stdbool.h>
#include <stddef.h>

#include <xlsxwriter.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/strbuf.h"

#define SHEET_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

typedef enum SheetKind {
    SHEET_GENERAL, /* text as it is */
    SHEET_TEXT,    /* text, and the column formatted "@" so that edits stay text */
    SHEET_NUMBER,  /* a number when the cell is not empty */
    SHEET_MONEY,   /* a number shown with two decimals and thousands separators ("1,234.50") */
} SheetKind;

typedef struct SheetColumn {
    const char *label;  /* the header */
    double width;       /* in characters; 0: Excel's default */
    SheetKind kind;
} SheetColumn;

/* Appends the BOM and the header row of @cols to @sb. */
void sheet_csv_header(StrBuf *sb, const SheetColumn *cols, int n_cols);
/* Appends one row of @n_cells cells (NULL is empty) to @sb. */
void sheet_csv_row(StrBuf *sb, const char *const *cells, int n_cells);

typedef struct Sheet {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;   /* the header's */
    lxw_format *text;   /* "@" */
    lxw_format *money;  /* "#,##0.00" */
    const SheetColumn *cols;
    int n_cols;
    lxw_row_t row;      /* the last row written (0: the header) */
    lxw_error err;      /* the first failure, sticky */
} Sheet;

/*
 * Creates the workbook @path (truncated) with one worksheet @name holding
 * the header row. False when the file cannot be created. Further
 * worksheets: sheet_next, or added to s->wb by hand.
 */
bool sheet_open(Sheet *s, const char *path, const char *name, const SheetColumn *cols, int n_cols);
/*
 * Finishes the current worksheet as sheet_close does (its header frozen, a
 * filter over it when @autofilter) and starts another, @name, with the
 * header row of @cols: a workbook of several tables, each written row by
 * row. A name Excel refuses (over 31 characters, a duplicate) is the
 * sticky failure sheet_close reports.
 */
void sheet_next(Sheet *s, const char *name, const SheetColumn *cols, int n_cols, bool autofilter);
/* Appends one row: empty cells are left out, SHEET_NUMBER cells are numbers. */
void sheet_row(Sheet *s, const char *const *cells);
/* Records the result of a libxlsxwriter call made on s->wb directly. */
void sheet_check(Sheet *s, lxw_error e);
/*
 * Freezes the header (and gives it a filter when @autofilter), writes the
 * file and frees the workbook. NULL on success, else libxlsxwriter's
 * message for the first failure.
 */
const char *sheet_close(Sheet *s, bool autofilter);

/*
 * Runs @write(path, ctx) on a fresh temporary file (libxlsxwriter writes
 * only to files) and reads the file back into @a (at most @max bytes);
 * the file is removed either way.
 */
Error *sheet_xlsx_bytes(Arena *a, Error *(*write)(const char *path, void *ctx), void *ctx,
                        size_t max, const char **ret_data, size_t *ret_len);
