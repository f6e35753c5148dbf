/*
 * Reading an .xlsx: a zip (libzip) of XML parts (libxml2's streaming
 * reader). The workbook part names the sheets in order and its relations
 * say which part holds each; we read the first sheet's cells, resolving
 * shared strings (xl/sharedStrings.xml) by index.
 *
 * The file comes from a user, so everything is bounded before it is
 * allocated: the sum of the parts' declared uncompressed sizes (a zip bomb
 * claims small and inflates large, so each part is also cut off at its
 * declared size while it streams), the number of shared strings, the length
 * of one cell, and the rows and columns the caller wants. XML entities and
 * DTDs are refused rather than expanded.
 */
#include "core/xlsx.h"

#include <libxml/xmlreader.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define XLSX_MAX_UNCOMPRESSED (64ULL * 1024 * 1024) /* bytes, all parts together */
#define XLSX_MAX_STRINGS 1000000                     /* shared strings */
#define XLSX_MAX_CELL_BYTES (256 * 1024)             /* Excel allows 32767 characters */
#define XLSX_MAX_COLUMN 16384                        /* XFD */

static const char MSG_INVALID[] = "文件不是有效的 Excel（.xlsx）文件";
static const char MSG_TOO_LARGE[] = "Excel 文件解压后超过 64 MB，请拆分成几个文件再导入";
static const char MSG_TOO_MANY_STRINGS[] = "Excel 文件中的文字太多，请拆分成几个文件再导入";

typedef struct Xlsx {
    Arena *a;
    zip_t *zip;
    const char **strings;    /* shared strings, by index */
    size_t n_strings, cap_strings;
    size_t max_rows, max_cols;
    XlsxRow *rows;
    size_t n_rows, cap_rows;
    const char *errmsg;      /* set by the first failure */
    bool stop;               /* enough read: end the part early, successfully */
} Xlsx;

/* One zip member streamed into libxml2, cut off at its declared size. */
typedef struct Part {
    zip_file_t *file;
    uint64_t left;           /* bytes the member may still yield */
    bool overflow;
} Part;

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static int part_read(void *ctx, char *buf, int len)
{
    Part *p = ctx;
    zip_int64_t n = zip_fread(p->file, buf, (zip_uint64_t)len);

    if (n < 0)
        return -1;
    if ((uint64_t)n > p->left) {
        p->overflow = true;
        return -1;
    }
    p->left -= (uint64_t)n;
    return (int)n;
}

static void xml_silent(void *arg, const char *msg, xmlParserSeverities severity,
                       xmlTextReaderLocatorPtr locator)
{
    (void)arg;
    (void)msg;
    (void)severity;
    (void)locator;
}

static bool fail(Xlsx *x, const char *msg)
{
    if (!x->errmsg)
        x->errmsg = msg;
    return false;
}

/*
 * Refuses a zip whose members together claim more than the limit; each
 * member is later held to its claim by part_read().
 */
static bool check_sizes(Xlsx *x)
{
    zip_int64_t n = zip_get_num_entries(x->zip, 0);
    uint64_t total = 0;

    if (n <= 0)
        return fail(x, MSG_INVALID);
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t sb;

        if (zip_stat_index(x->zip, (zip_uint64_t)i, 0, &sb) != 0 || !(sb.valid & ZIP_STAT_SIZE))
            return fail(x, MSG_INVALID);
        total += sb.size;
        if (sb.size > XLSX_MAX_UNCOMPRESSED || total > XLSX_MAX_UNCOMPRESSED)
            return fail(x, MSG_TOO_LARGE);
    }
    return true;
}

typedef bool (*NodeFn)(Xlsx *x, xmlTextReaderPtr r, void *ctx);

/*
 * Streams member @name through @fn, one reader node at a time. Returns
 * false when the member is missing (with *ret_missing set), unreadable or
 * malformed, or when @fn returns false.
 */
static bool read_part(Xlsx *x, const char *name, NodeFn fn, void *ctx, bool *ret_missing)
{
    zip_int64_t idx = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
    Part part = { 0 };
    zip_stat_t sb;
    xmlTextReaderPtr r;
    bool ok = true;
    int rc;

    if (ret_missing)
        *ret_missing = idx < 0;
    if (idx < 0)
        return fail(x, MSG_INVALID);
    if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &sb) != 0)
        return fail(x, MSG_INVALID);
    part.file = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
    if (!part.file)
        return fail(x, MSG_INVALID);
    part.left = sb.size;
    r = xmlReaderForIO(part_read, NULL, &part, NULL, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r) {
        zip_fclose(part.file);
        return fail(x, MSG_INVALID);
    }
    xmlTextReaderSetErrorHandler(r, xml_silent, NULL);
    while ((rc = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);

        if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE) {
            ok = fail(x, MSG_INVALID);
            break;
        }
        if (!fn(x, r, ctx)) {
            ok = false;
            break;
        }
        if (x->stop)
            break;
    }
    if (ok && rc < 0 && !x->stop)
        ok = fail(x, part.overflow ? MSG_TOO_LARGE : MSG_INVALID);
    xmlFreeTextReader(r);
    zip_fclose(part.file);
    return ok;
}

static bool is_element(xmlTextReaderPtr r, const char *local)
{
    const xmlChar *name = xmlTextReaderConstLocalName(r);

    return name && strcmp((const char *)name, local) == 0;
}

/* The attribute @name (no namespace) copied into @a, or NULL. */
static const char *attr(Arena *a, xmlTextReaderPtr r, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, BAD_CAST name);
    const char *out;

    if (!v)
        return NULL;
    out = arena_strdup(a, (const char *)v);
    xmlFree(v);
    return out;
}

/* The attribute @name (no namespace) into @buf; false if absent or longer than @size - 1. */
static bool attr_buf(xmlTextReaderPtr r, const char *name, char *buf, size_t size)
{
    xmlChar *v = xmlTextReaderGetAttribute(r, BAD_CAST name);
    size_t n;

    if (!v)
        return false;
    n = strlen((const char *)v);
    if (n < size)
        memcpy(buf, v, n + 1);
    xmlFree(v);
    return n < size;
}

/* Empties @sb for the next cell, keeping its memory. */
static void buf_clear(StrBuf *sb)
{
    sb->len = 0;
    sb->buf[0] = '\0';
    sb->overflow = false;
}

/* Appends the text of a text node to @sb (a cell or shared string). */
static bool add_text(Xlsx *x, xmlTextReaderPtr r, StrBuf *sb)
{
    const xmlChar *v = xmlTextReaderConstValue(r);

    if (v)
        strbuf_adds(sb, (const char *)v);
    if (sb->overflow)
        return fail(x, MSG_INVALID);
    return true;
}

static bool is_text(int type)
{
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* ---- workbook: which part is the first sheet, which the shared strings ---- */

typedef struct Workbook {
    const char *sheet_rid;   /* r:id of the first <sheet> */
    const char *sheet_part;  /* its member name */
    const char *strings_part;
} Workbook;

static bool on_workbook(Xlsx *x, xmlTextReaderPtr r, void *ctx)
{
    Workbook *wb = ctx;

    if (wb->sheet_rid || xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT || !is_element(r, "sheet"))
        return true;
    /* the relationship id is "r:id", whatever the prefix is called */
    while (xmlTextReaderMoveToNextAttribute(r) == 1) {
        const xmlChar *local = xmlTextReaderConstLocalName(r);
        const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);

        if (ns && local && strcmp((const char *)local, "id") == 0) {
            wb->sheet_rid = arena_strdup(x->a, (const char *)xmlTextReaderConstValue(r));
            break;
        }
    }
    xmlTextReaderMoveToElement(r);
    return true;
}

/* A relationship target relative to xl/ ("worksheets/sheet1.xml") or absolute ("/xl/..."). */
static const char *resolve_target(Arena *a, const char *target)
{
    if (target[0] == '/')
        return arena_strdup(a, target + 1);
    if (strncmp(target, "./", 2) == 0)
        target += 2;
    return arena_sprintf(a, "xl/%s", target);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool on_rels(Xlsx *x, xmlTextReaderPtr r, void *ctx)
{
    Workbook *wb = ctx;
    const char *id, *type, *target;

    if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT || !is_element(r, "Relationship"))
        return true;
    id = attr(x->a, r, "Id");
    type = attr(x->a, r, "Type");
    target = attr(x->a, r, "Target");
    if (!id || !type || !target || !*target)
        return true;
    if (!wb->sheet_part && wb->sheet_rid && strcmp(id, wb->sheet_rid) == 0)
        wb->sheet_part = resolve_target(x->a, target);
    else if (!wb->strings_part && ends_with(type, "/sharedStrings"))
        wb->strings_part = resolve_target(x->a, target);
    return true;
}

/* ---- shared strings ---- */

typedef struct SstState {
    bool in_si, in_t;
    int rph_depth;           /* inside <rPh> (phonetic hints): not part of the text */
    StrBuf sb;
} SstState;

static bool add_string(Xlsx *x, const char *s)
{
    if (x->n_strings == x->cap_strings) {
        size_t cap = x->cap_strings ? x->cap_strings * 2 : 256;
        const char **ns;

        if (x->n_strings >= XLSX_MAX_STRINGS)
            return fail(x, MSG_TOO_MANY_STRINGS);
        if (cap > XLSX_MAX_STRINGS)
            cap = XLSX_MAX_STRINGS;
        ns = arena_alloc(x->a, cap * sizeof(*ns));
        if (x->n_strings)
            memcpy(ns, x->strings, x->n_strings * sizeof(*ns));
        x->strings = ns;
        x->cap_strings = cap;
    }
    x->strings[x->n_strings++] = s;
    return true;
}

static bool on_sst(Xlsx *x, xmlTextReaderPtr r, void *ctx)
{
    SstState *s = ctx;
    int type = xmlTextReaderNodeType(r);

    if (type == XML_READER_TYPE_ELEMENT) {
        bool empty = xmlTextReaderIsEmptyElement(r);

        if (is_element(r, "si")) {
            if (empty)
                return add_string(x, "");
            s->in_si = true;
            buf_clear(&s->sb);
        } else if (is_element(r, "rPh") && !empty) {
            s->rph_depth++;
        } else if (is_element(r, "t") && !empty) {
            s->in_t = true;
        }
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
        if (is_element(r, "si") && s->in_si) {
            s->in_si = false;
            return add_string(x, arena_strndup(x->a, s->sb.buf, s->sb.len));
        }
        if (is_element(r, "rPh"))
            s->rph_depth--;
        else if (is_element(r, "t"))
            s->in_t = false;
    } else if (is_text(type) && s->in_si && s->in_t && s->rph_depth == 0) {
        return add_text(x, r, &s->sb);
    }
    return true;
}

/* ---- the worksheet ---- */

typedef struct SheetState {
    const char **cells;      /* scratch: the current row, max_cols slots */
    size_t n_touched;        /* slots [0, n_touched) may be set */
    int line;                /* current row number */
    bool in_row;
    long col;                /* current cell's column (0-based), -1 before the first */
    char type[16];           /* current cell's t attribute: "" (a number), "s", "b" ... */
    bool in_cell, in_v, in_is, in_t;
    int rph_depth;
    StrBuf v;                /* <v> text, or the inline string */
} SheetState;

/* "BC12" -> column 54 (0-based); -1 if it is not a cell reference. */
static long column_of(const char *ref)
{
    long col = 0;
    int letters = 0;

    for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
        if (++letters > 3)
            return -1;
        col = col * 26 + (*ref - 'A' + 1);
    }
    if (letters == 0 || col > XLSX_MAX_COLUMN)
        return -1;
    return col - 1;
}

/*
 * A number as Excel shows it: 15 significant digits, trailing zeros
 * dropped ("85.5", "1500", "13912345678", and 0.1 + 0.2 is "0.3").
 */
static const char *number_text(Arena *a, const char *raw)
{
    char buf[40], *end;
    double d = strtod(raw, &end);

    if (end == raw || *end || !isfinite(d))
        return arena_strdup(a, raw);
    snprintf(buf, sizeof(buf), "%.15g", d);
    return arena_strdup(a, buf);
}

static bool end_cell(Xlsx *x, SheetState *s)
{
    const char *raw = s->v.buf;
    const char *value;

    s->in_cell = false;
    if (s->v.overflow)
        return fail(x, MSG_INVALID);
    if (s->col < 0 || (size_t)s->col >= x->max_cols)
        return true;
    if (!*s->type || strcmp(s->type, "n") == 0) {
        value = *raw ? number_text(x->a, raw) : "";
    } else if (strcmp(s->type, "s") == 0) {
        char *end;
        unsigned long long idx = strtoull(raw, &end, 10);

        if (!*raw || *end || idx >= x->n_strings)
            return fail(x, MSG_INVALID);
        value = x->strings[idx];
    } else if (strcmp(s->type, "b") == 0) {
        value = strcmp(raw, "1") == 0 ? "TRUE" : "FALSE";
    } else {
        value = arena_strndup(x->a, raw, s->v.len); /* inlineStr, str, e (#N/A), d (ISO 8601) */
    }
    s->cells[s->col] = value;
    if ((size_t)s->col + 1 > s->n_touched)
        s->n_touched = (size_t)s->col + 1;
    return true;
}

static void start_row(SheetState *s, xmlTextReaderPtr r)
{
    char ref[16];
    long n = attr_buf(r, "r", ref, sizeof(ref)) ? strtol(ref, NULL, 10) : 0;

    s->line = n > 0 ? (int)n : s->line + 1;
    s->in_row = true;
    s->col = -1;
    for (size_t i = 0; i < s->n_touched; i++)
        s->cells[i] = NULL;
    s->n_touched = 0;
}

/* Keeps the row if it has a non-empty cell; missing cells become "". */
static bool end_row(Xlsx *x, SheetState *s)
{
    size_t n = s->n_touched;
    XlsxRow *row;

    s->in_row = false;
    while (n > 0 && (!s->cells[n - 1] || !*s->cells[n - 1]))
        n--;
    if (n == 0)
        return true;
    if (x->n_rows == x->max_rows) {
        x->stop = true;
        return true;
    }
    if (x->n_rows == x->cap_rows) {
        size_t cap = x->cap_rows ? x->cap_rows * 2 : 64;
        XlsxRow *nr;

        if (cap > x->max_rows)
            cap = x->max_rows;
        nr = arena_alloc(x->a, cap * sizeof(*nr));
        if (x->n_rows)
            memcpy(nr, x->rows, x->n_rows * sizeof(*nr));
        x->rows = nr;
        x->cap_rows = cap;
    }
    row = &x->rows[x->n_rows++];
    row->line = s->line;
    row->n_cells = n;
    row->cells = arena_alloc(x->a, n * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        row->cells[i] = (char *)(s->cells[i] ? s->cells[i] : "");
    return true;
}

static bool on_sheet_element(Xlsx *x, SheetState *s, xmlTextReaderPtr r)
{
    bool empty = xmlTextReaderIsEmptyElement(r);

    if (is_element(r, "row")) {
        start_row(s, r);
        return empty ? end_row(x, s) : true;
    }
    if (!s->in_row)
        return true;
    if (is_element(r, "c")) {
        char ref[24];
        bool has_ref = attr_buf(r, "r", ref, sizeof(ref));

        s->col = has_ref ? column_of(ref) : s->col + 1;
        if (s->col < 0)
            return fail(x, MSG_INVALID);
        if (!attr_buf(r, "t", s->type, sizeof(s->type)))
            s->type[0] = '\0';
        s->in_cell = true;
        buf_clear(&s->v);
        return empty ? end_cell(x, s) : true;
    }
    if (!s->in_cell || empty)
        return true;
    if (is_element(r, "v"))
        s->in_v = true;
    else if (is_element(r, "is"))
        s->in_is = true;
    else if (is_element(r, "rPh"))
        s->rph_depth++;
    else if (is_element(r, "t"))
        s->in_t = true;
    return true;
}

static bool on_sheet(Xlsx *x, xmlTextReaderPtr r, void *ctx)
{
    SheetState *s = ctx;
    int type = xmlTextReaderNodeType(r);

    if (type == XML_READER_TYPE_ELEMENT)
        return on_sheet_element(x, s, r);
    if (type == XML_READER_TYPE_END_ELEMENT) {
        if (is_element(r, "row") && s->in_row)
            return end_row(x, s);
        if (is_element(r, "c") && s->in_cell)
            return end_cell(x, s);
        if (is_element(r, "v"))
            s->in_v = false;
        else if (is_element(r, "is"))
            s->in_is = false;
        else if (is_element(r, "rPh"))
            s->rph_depth--;
        else if (is_element(r, "t"))
            s->in_t = false;
        return true;
    }
    if (is_text(type) && s->in_cell && (s->in_v || (s->in_is && s->in_t && s->rph_depth == 0)))
        return add_text(x, r, &s->v);
    return true;
}

static bool read_workbook(Xlsx *x)
{
    Workbook wb = { 0 };
    SheetState sheet = { .line = 0 };
    SstState sst = { 0 };
    bool missing = false;

    if (!check_sizes(x))
        return false;
    /* a workbook without parts we understand still has its first sheet here */
    if (read_part(x, "xl/workbook.xml", on_workbook, &wb, &missing) && wb.sheet_rid)
        read_part(x, "xl/_rels/workbook.xml.rels", on_rels, &wb, NULL);
    else if (!missing)
        return false;
    x->errmsg = NULL;
    if (!wb.sheet_part)
        wb.sheet_part = "xl/worksheets/sheet1.xml";
    if (!wb.strings_part)
        wb.strings_part = "xl/sharedStrings.xml";
    strbuf_init(&sst.sb, x->a, XLSX_MAX_CELL_BYTES);
    if (!read_part(x, wb.strings_part, on_sst, &sst, &missing) && !missing)
        return false;
    x->errmsg = NULL;
    sheet.cells = arena_zalloc(x->a, x->max_cols * sizeof(char *));
    strbuf_init(&sheet.v, x->a, XLSX_MAX_CELL_BYTES);
    return read_part(x, wb.sheet_part, on_sheet, &sheet, NULL);
}

bool xlsx_read(Arena *a, const void *data, size_t len, size_t max_rows, size_t max_cols,
               XlsxRow **ret_rows, size_t *ret_n, const char **ret_errmsg)
{
    Xlsx x = { .a = a, .max_rows = max_rows, .max_cols = max_cols };
    zip_error_t zerr;
    zip_source_t *src;
    bool ok;

    if (max_cols > XLSX_MAX_COLUMN)
        x.max_cols = XLSX_MAX_COLUMN;
    if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0 || max_cols == 0) {
        *ret_errmsg = MSG_INVALID;
        return false;
    }
    pthread_once(&xml_once, xml_init);
    zip_error_init(&zerr);
    src = zip_source_buffer_create(data, len, 0, &zerr);
    if (src)
        x.zip = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    zip_error_fini(&zerr);
    if (!x.zip) {
        if (src)
            zip_source_free(src);
        *ret_errmsg = MSG_INVALID;
        return false;
    }
    ok = read_workbook(&x);
    zip_discard(x.zip); /* also frees the source */
    if (!ok) {
        *ret_errmsg = x.errmsg ? x.errmsg : MSG_INVALID;
        return false;
    }
    *ret_rows = x.rows;
    *ret_n = x.n_rows;
    return true;
}

bool xlsx_serial_to_date(const char *s, char out[11])
{
    char *end;
    double d;
    int64_t serial, days;
    int y, m, dd;

    if (!s || !*s || *s == ' ')
        return false;
    d = strtod(s, &end);
    if (end == s || *end || !isfinite(d) || d < 1 || d >= 2958466) /* 9999-12-31 */
        return false;
    serial = (int64_t)floor(d);
    /* Lotus 1-2-3 counted 1900 as a leap year and Excel kept serial 60 for 1900-02-29 */
    if (serial == 60)
        return false;
    days = serial < 60 ? serial - 25568 : serial - 25569;
    civil_from_days(days, &y, &m, &dd);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
    return true;
}
