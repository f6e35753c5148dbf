/*
 * Importing a residents register (台账导入).
 *
 * The file becomes a table of rows (CSV, or the first sheet of an xlsx),
 * its header row is mapped to columns, and every data row is validated into
 * a ResidentInput before the database is touched: the write lock is held
 * only for the writes. One transaction then writes the valid rows, each in
 * a savepoint, so a row the database refuses (an ID number already in the
 * register, a tag that does not exist) is undone alone and the rest kept.
 *
 * The store hands out one cached statement per arena and releases it with
 * the arena, so each row's writes use a row arena that is reset per row;
 * anything a row must keep (its error) is copied to the caller's arena.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/text.h"
#include "core/validate.h"
#include "core/xlsx.h"
#include "registry/registry.h"
#include "registry/registry_io.h"
#include "core/hash.h"
#include "core/banned.h"

#define IMPORT_MAX_COLUMNS 64
#define IMPORT_SAVEPOINT "import_row"

typedef struct ColumnDef {
    const char *label;       /* the Chinese header, as exported */
    const char *field;       /* the English header, and the field named in a rejection */
    bool required;
    const char *aliases[4];  /* other headers people use */
} ColumnDef;

static const ColumnDef columns[_COL_MAX] = {
    [COL_BUILDING] = { "楼栋", "building", true, { "楼号", "楼栋号", "楼栋名称" } },
    [COL_UNIT] = { "单元", "unit", true, { "单元号" } },
    [COL_FLOOR] = { "楼层", "floor", false, { "层", "所在楼层" } },
    [COL_ROOM] = { "室号", "room", true, { "室", "房号", "房间号", "门牌号" } },
    [COL_AREA] = { "面积", "area_m2", false, { "建筑面积", "住房面积", "area" } },
    [COL_NAME] = { "姓名", "name", true, { "居民姓名" } },
    [COL_GENDER] = { "性别", "gender", false, { "sex" } },
    [COL_BIRTH_DATE] = { "出生日期", "birth_date", false, { "出生年月日", "生日" } },
    [COL_ID_NUMBER] = { "身份证号", "id_number", false, { "身份证号码", "公民身份号码", "身份证" } },
    [COL_PHONE] = { "手机号", "phone", false, { "手机号码", "联系电话", "电话" } },
    [COL_RELATION] = { "与户主关系", "relation", false, { "与户主的关系", "关系" } },
    [COL_TAGS] = { "标签", "tags", false, { "人员标签", "人员类别" } },
    [COL_MOVED_IN] = { "迁入日期", "moved_in", false, { "入住日期", "迁入时间" } },
};

#define HEADER_HINT "第一行应为表头：楼栋、单元、楼层、室号、面积、姓名、性别、出生日期、身份证号、手机号、与户主关系、标签"

const char *registry_column_label(RegistryColumn c)
{
    return c < _COL_MAX ? columns[c].label : NULL;
}

bool registry_file_format(const char *content_type, const void *data, size_t len,
                          RegistryFormat *ret)
{
    static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /* a zip is never CSV, whatever it was sent as */
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        *ret = REGISTRY_FORMAT_XLSX;
        return true;
    }
    if (content_type) {
        size_t n = strcspn(content_type, "; ");

        if ((n == 8 && strncasecmp(content_type, "text/csv", 8) == 0) ||
            (n == 15 && strncasecmp(content_type, "application/csv", 15) == 0)) {
            *ret = REGISTRY_FORMAT_CSV;
            return true;
        }
        if (n == strlen(XLSX_TYPE) && strncasecmp(content_type, XLSX_TYPE, n) == 0) {
            *ret = REGISTRY_FORMAT_XLSX;
            return true;
        }
    }
    return false;
}

/* ---- the file as a table ---- */

typedef struct Table {
    XlsxRow *rows;
    size_t n;
} Table;

/* At most the header, a title above it, the data rows and one more to tell "too many". */
#define TABLE_MAX_ROWS (REGISTRY_IMPORT_MAX_ROWS + 3)

static Error *too_many_rows(Arena *a)
{
    return error_new(a, 413, NULL, "too_many_rows",
                     "一次最多导入 20000 行，请把文件拆分成几个再分别导入");
}

/*
 * csv_write_cell() writes '=1 for =1 so spreadsheets do not run it; the
 * export's own cells come back as they went out.
 */
static char *unquote_formula(char *cell)
{
    if (cell[0] == '\'' && cell[1] && strchr("=+-@", cell[1]))
        return cell + 1;
    return cell;
}

static Error *read_csv(Arena *a, const char *data, size_t len, Table *t)
{
    size_t cap = 0;
    CsvParser c;
    char **cells;
    size_t n;
    int line, rc;

    if (!utf8_valid(data, len))
        return error_new(a, 415, NULL, "unsupported_encoding",
                         "CSV 文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 .xlsx 文件");
    csv_init(&c, data, len);
    while ((rc = csv_next(&c, a, IMPORT_MAX_COLUMNS, &cells, &n, &line)) == 1) {
        if (n == 1 && !*cells[0])
            continue; /* an empty line */
        if (t->n == TABLE_MAX_ROWS)
            return too_many_rows(a);
        if (t->n == cap) {
            XlsxRow *nr;

            cap = cap ? cap * 2 : 256;
            nr = arena_alloc(a, cap * sizeof(*nr));
            if (t->n)
                memcpy(nr, t->rows, t->n * sizeof(*nr));
            t->rows = nr;
        }
        for (size_t i = 0; i < n; i++)
            cells[i] = unquote_formula(cells[i]);
        t->rows[t->n++] = (XlsxRow){ .line = line, .cells = cells, .n_cells = n };
    }
    if (rc < 0)
        return error_invalid(a, NULL, "invalid_csv",
                             arena_sprintf(a, "CSV 文件第 %d 行的引号没有配对，请检查该行", c.line));
    return NULL;
}

static Error *read_table(Arena *a, const void *data, size_t len, RegistryFormat format, Table *t)
{
    const char *errmsg = NULL;

    t->rows = NULL;
    t->n = 0;
    if (format == REGISTRY_FORMAT_CSV)
        return read_csv(a, data, len, t);
    if (!xlsx_read(a, data, len, TABLE_MAX_ROWS + 1, IMPORT_MAX_COLUMNS, &t->rows, &t->n, &errmsg))
        return error_new(a, 415, NULL, "unsupported_file", errmsg);
    if (t->n > TABLE_MAX_ROWS)
        return too_many_rows(a);
    return NULL;
}

/* ---- the header ---- */

/* "姓名*", " Name ", "面积（㎡）" -> "姓名", "name", "面积". */
static char *header_key(Arena *a, const char *cell)
{
    char *s = text_trim(a, cell);
    char *p;

    p = strstr(s, "（");
    if (p)
        *p = '\0';
    p = strchr(s, '(');
    if (p)
        *p = '\0';
    for (;;) {
        size_t n = strlen(s);

        if (n >= 1 && s[n - 1] == '*')
            s[n - 1] = '\0';
        else if (n >= 3 && strcmp(s + n - 3, "＊") == 0)
            s[n - 3] = '\0';
        else
            break;
    }
    if (*s == '*')
        s++;
    s = text_trim(a, s);
    for (p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static int column_named(const char *key)
{
    for (int c = 0; c < _COL_MAX; c++) {
        if (strcmp(key, columns[c].label) == 0 || strcmp(key, columns[c].field) == 0)
            return c;
        for (size_t i = 0; i < ARRAY_SIZE(columns[c].aliases) && columns[c].aliases[i]; i++)
            if (strcmp(key, columns[c].aliases[i]) == 0)
                return c;
    }
    return -1;
}

/* A title above the header ("新华路居委会居民台账"): one cell that names no column. */
static bool is_title(Arena *a, const XlsxRow *r)
{
    size_t filled = 0;
    const char *only = NULL;

    for (size_t i = 0; i < r->n_cells; i++) {
        if (*text_trim(a, r->cells[i])) {
            filled++;
            only = r->cells[i];
        }
    }
    return filled == 1 && column_named(header_key(a, only)) < 0;
}

/* Fills @col_of (a column per cell of the header, -1 for blank headers). */
static Error *map_header(Arena *a, const XlsxRow *h, int col_of[IMPORT_MAX_COLUMNS])
{
    bool seen[_COL_MAX] = { false };

    for (size_t i = 0; i < IMPORT_MAX_COLUMNS; i++)
        col_of[i] = -1;
    for (size_t i = 0; i < h->n_cells; i++) {
        const char *key = header_key(a, h->cells[i]);
        const char *shown = text_trim(a, h->cells[i]);
        int c;

        if (!*key)
            continue;
        c = column_named(key);
        if (c < 0)
            return error_invalid(a, shown, "unknown_column",
                                 arena_sprintf(a, "不认识的列“%s”，请删除该列或改正表头；%s", shown, HEADER_HINT));
        if (seen[c])
            return error_invalid(a, shown, "duplicate_column",
                                 arena_sprintf(a, "“%s”列出现了两次，请只保留一列", columns[c].label));
        seen[c] = true;
        col_of[i] = c;
    }
    for (int c = 0; c < _COL_MAX; c++)
        if (columns[c].required && !seen[c])
            return error_invalid(a, columns[c].label, "missing_column",
                                 arena_sprintf(a, "缺少“%s”列；%s", columns[c].label, HEADER_HINT));
    return NULL;
}

/* ---- one row ---- */

typedef struct ImportRow {
    int line;                /* in the file; the header is line 1 */
    const char *building;
    const char *room;
    int64_t unit, floor;
    double area_m2;
    bool has_area;
    ResidentInput in;
    Error *err;              /* why the row was rejected, or NULL */
} ImportRow;

static const char *strip_suffix(Arena *a, const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    if (n > m && strcmp(s + n - m, suffix) == 0)
        return arena_strndup(a, s, n - m);
    return s;
}

/* A whole number in [@min, @max], optionally followed by @suffix ("2单元"). */
static bool parse_int(Arena *a, const char *s, const char *suffix, int64_t min, int64_t max,
                      int64_t *ret)
{
    char *end;
    long long v;

    s = strip_suffix(a, s, suffix);
    if (!*s || !(isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))))
        return false;
    v = strtoll(s, &end, 10);
    if (*end || v < min || v > max)
        return false;
    *ret = v;
    return true;
}

static bool take_number(const char **p, int max_digits, int *ret)
{
    int v = 0, n = 0;

    while (isdigit((unsigned char)**p) && n < max_digits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || isdigit((unsigned char)**p))
        return false;
    *ret = v;
    return true;
}

static bool take(const char **p, const char *const *seps, size_t n_seps)
{
    for (size_t i = 0; i < n_seps; i++) {
        size_t n = strlen(seps[i]);

        if (strncmp(*p, seps[i], n) == 0) {
            *p += n;
            return true;
        }
    }
    return false;
}

/*
 * Dates as spreadsheets hold them -> "YYYY-MM-DD": "1950/3/2", "1950.3.2",
 * "1950年3月2日", "19500302", and in an xlsx a serial number (18324).
 * Anything else is returned as it is, for validate_date to refuse.
 */
static const char *normalize_date(Arena *a, const char *s, RegistryFormat format)
{
    static const char *const after_year[] = { "-", "/", ".", "年" };
    static const char *const after_month[] = { "-", "/", ".", "月" };
    char buf[11];
    const char *p = s;
    int y, m, d;

    if (strlen(s) == 8 && strspn(s, "0123456789") == 8)
        return arena_sprintf(a, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
    if (format == REGISTRY_FORMAT_XLSX && strlen(s) <= 12 && strspn(s, "0123456789.") == strlen(s) &&
        xlsx_serial_to_date(s, buf))
        return arena_strdup(a, buf);
    if (!take_number(&p, 4, &y) || !take(&p, after_year, ARRAY_SIZE(after_year)) ||
        !take_number(&p, 2, &m) || !take(&p, after_month, ARRAY_SIZE(after_month)) ||
        !take_number(&p, 2, &d))
        return s;
    if (strcmp(p, "日") == 0)
        p += strlen("日");
    if (*p || y < 1000)
        return s;
    return arena_sprintf(a, "%04d-%02d-%02d", y, m, d);
}

static Error *row_error(Arena *a, RegistryColumn c, const char *code, const char *message)
{
    return error_invalid(a, columns[c].field, code, message);
}

/* The building, unit, floor, room and area of a row. */
static Error *parse_place(Arena *a, const char *const *v, ImportRow *out)
{
    if (!*v[COL_BUILDING])
        return row_error(a, COL_BUILDING, "missing_field", "请填写楼栋（如 1号楼）");
    if (utf8_length(v[COL_BUILDING]) > 30)
        return row_error(a, COL_BUILDING, "too_long", "楼栋名称不能超过30个字");
    out->building = v[COL_BUILDING];
    if (!parse_int(a, v[COL_UNIT], "单元", 1, 50, &out->unit))
        return row_error(a, COL_UNIT, "invalid_unit", "单元应为1到50的整数");
    out->room = strip_suffix(a, v[COL_ROOM], "室");
    if (!*out->room)
        return row_error(a, COL_ROOM, "missing_field", "请填写室号（如 301）");
    if (utf8_length(out->room) > 20)
        return row_error(a, COL_ROOM, "too_long", "室号不能超过20个字");
    if (*v[COL_FLOOR]) {
        if (!parse_int(a, v[COL_FLOOR], "层", -5, 200, &out->floor) || out->floor == 0)
            return row_error(a, COL_FLOOR, "invalid_floor", "楼层应为-5到200之间的整数，且不为0");
    } else {
        /* "301" is on the 3rd floor, "1502" on the 15th */
        size_t n = strlen(out->room);

        if (n < 3 || n > 4 || strspn(out->room, "0123456789") != n || out->room[0] == '0')
            return row_error(a, COL_FLOOR, "missing_field", "请填写楼层");
        out->floor = strtol(out->room, NULL, 10) / 100;
    }
    if (*v[COL_AREA]) {
        const char *s = strip_suffix(a, strip_suffix(a, v[COL_AREA], "㎡"), "平方米");
        char *end;

        out->area_m2 = strtod(s, &end);
        if (end == s || *end || !(out->area_m2 >= 1 && out->area_m2 <= 10000))
            return row_error(a, COL_AREA, "invalid_area", "面积应为1到10000之间的数（平方米）");
        out->has_area = true;
    }
    return NULL;
}

static Error *parse_row(Arena *a, const XlsxRow *r, const int *col_of, RegistryFormat format,
                        ImportRow *out)
{
    static const RegistryColumn person[] = { COL_NAME,  COL_GENDER,   COL_BIRTH_DATE, COL_ID_NUMBER,
                                             COL_PHONE, COL_RELATION, COL_TAGS,       COL_MOVED_IN };
    const char *v[_COL_MAX];
    Error *err;

    for (int c = 0; c < _COL_MAX; c++)
        v[c] = "";
    for (size_t i = 0; i < r->n_cells && i < IMPORT_MAX_COLUMNS; i++) {
        const char *t;

        if (col_of[i] < 0)
            continue;
        t = text_trim(a, r->cells[i]);
        if (!request_text_ok(t))
            return row_error(a, col_of[i], "invalid_text",
                             arena_sprintf(a, "“%s”含有换行或无法识别的字符", columns[col_of[i]].label));
        v[col_of[i]] = t;
    }
    err = parse_place(a, v, out);
    if (err)
        return err;
    for (size_t i = 0; i < ARRAY_SIZE(person); i++) {
        RegistryColumn c = person[i];
        const char *text = v[c];

        if (!*text && c != COL_NAME && c != COL_RELATION)
            continue;
        if (c == COL_BIRTH_DATE || c == COL_MOVED_IN)
            text = normalize_date(a, text, format);
        if (c == COL_ID_NUMBER && strpbrk(text, "Ee") && strchr(text, '+'))
            return row_error(a, c, "invalid_id_number",
                             "身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为文本格式后重新填写");
        err = registry_resident_set_field(a, &out->in, columns[c].field, text);
        if (err)
            return err;
    }
    return registry_check_resident(a, &out->in);
}

static bool row_blank(Arena *a, const XlsxRow *r)
{
    for (size_t i = 0; i < r->n_cells; i++)
        if (*text_trim(a, r->cells[i]))
            return false;
    return true;
}

/* ---- writing ---- */

/* ID numbers written so far, with their lines: duplicates within the file. */
typedef struct IdSeen {
    const char **ids;
    int *lines;
    size_t mask;             /* slots - 1; slots is a power of two */
} IdSeen;

static void idseen_init(IdSeen *s, Arena *a, size_t n)
{
    size_t slots = 16;

    while (slots < n * 2)
        slots *= 2;
    s->ids = arena_zalloc(a, slots * sizeof(*s->ids));
    s->lines = arena_zalloc(a, slots * sizeof(*s->lines));
    s->mask = slots - 1;
}

static size_t idseen_slot(const IdSeen *s, const char *id)
{
    size_t h = (size_t)hash_string(id);

    for (h &= s->mask; s->ids[h] && strcmp(s->ids[h], id) != 0; h = (h + 1) & s->mask)
        ;
    return h;
}

static Error *error_copy(Arena *a, const Error *e)
{
    Error *c = error_new(a, e->status, arena_strdup(a, e->field), arena_strdup(a, e->code),
                         arena_strdup(a, e->message));

    c->detail = arena_strdup(a, e->detail);
    return c;
}

/*
 * Writes the valid rows, each in a savepoint, inside the caller's
 * transaction. A row's 4xx is kept in row->err; a 5xx ends the import.
 */
static Error *write_rows(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                         ImportRow *rows, size_t n, int64_t actor_id, int64_t *ret_imported)
{
    Arena *ra = arena_new(16384);
    int64_t imported = 0;
    IdSeen seen;
    Error *err = NULL;

    idseen_init(&seen, a, n);
    for (size_t i = 0; i < n && !err; i++) {
        ImportRow *r = &rows[i];
        Household *h = NULL;
        size_t slot = 0;
        int64_t id;

        if (r->err)
            continue;
        if (r->in.id_number) {
            slot = idseen_slot(&seen, r->in.id_number);
            if (seen.ids[slot]) {
                r->err = error_conflict(a, "id_number", "duplicate_resident",
                                        arena_sprintf(a, "该身份证号与第 %d 行重复，请勿重复登记",
                                                      seen.lines[slot]));
                continue;
            }
        }
        arena_reset(ra);
        err = store_savepoint(st, ra, IMPORT_SAVEPOINT);
        if (err)
            break;
        err = registry_store_place(st, ra, community, r->building, r->unit, r->floor, r->room,
                                   r->area_m2, r->has_area, &h);
        if (!err)
            err = registry_store_resident_insert(st, ra, k, &r->in, h, actor_id, &id);
        if (err && err->status < 500) {
            r->err = error_copy(a, err);
            err = NULL;
            arena_reset(ra); /* releases the row's statements before rolling back */
            store_rollback_to(st, IMPORT_SAVEPOINT);
            continue;
        }
        if (!err)
            err = store_release(st, ra, IMPORT_SAVEPOINT);
        if (!err && r->in.id_number) {
            seen.ids[slot] = r->in.id_number;
            seen.lines[slot] = r->line;
        }
        if (!err)
            imported++;
    }
    if (err)
        err = error_copy(a, err);
    arena_free(ra);
    if (!err)
        *ret_imported = imported;
    return err;
}

static json_t *report_json(const ImportRow *rows, size_t n, int64_t imported)
{
    json_t *rejected = json_array();

    for (size_t i = 0; i < n; i++) {
        const Error *e = rows[i].err;

        if (e)
            json_array_append_new(rejected, json_pack("{s:i, s:o, s:s, s:s}", "line", rows[i].line,
                                                      "field", e->field ? json_string(e->field) : json_null(),
                                                      "code", e->code, "message", e->message));
    }
    return json_pack("{s:I, s:o, s:I}", "imported", (json_int_t)imported, "rejected", rejected,
                     "total_rows", (json_int_t)n);
}

Error *registry_import_residents(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                                 const void *data, size_t len, RegistryFormat format,
                                 const RegistryActor *actor, json_t **ret_report)
{
    int col_of[IMPORT_MAX_COLUMNS];
    size_t header = 0, n = 0;
    int64_t imported = 0;
    ImportRow *rows;
    Table t;
    Error *err;

    err = read_table(a, data, len, format, &t);
    if (err)
        return err;
    if (t.n == 0)
        return error_invalid(a, NULL, "empty_file", "文件是空的；" HEADER_HINT);
    if (t.n > 1 && is_title(a, &t.rows[0]))
        header = 1;
    err = map_header(a, &t.rows[header], col_of);
    if (err)
        return err;
    rows = arena_zalloc(a, (t.n - header) * sizeof(*rows));
    for (size_t i = header + 1; i < t.n; i++) {
        if (row_blank(a, &t.rows[i]))
            continue;
        if (n == REGISTRY_IMPORT_MAX_ROWS)
            return too_many_rows(a);
        rows[n].line = t.rows[i].line;
        rows[n].err = parse_row(a, &t.rows[i], col_of, format, &rows[n]);
        n++;
    }

    err = store_begin(st, a);
    if (err)
        return err;
    err = write_rows(st, a, k, community, rows, n, actor->user_id, &imported);
    if (!err && actor->audit)
        err = actor->audit(actor->ctx, st, a, community,
                           json_pack("{s:I, s:I, s:I, s:s}", "imported", (json_int_t)imported,
                                     "rejected", (json_int_t)((int64_t)n - imported),
                                     "total_rows", (json_int_t)n,
                                     "format", format == REGISTRY_FORMAT_XLSX ? "xlsx" : "csv"));
    if (!err)
        err = store_commit(st, a);
    if (err) {
        store_rollback(st);
        return err;
    }
    *ret_report = report_json(rows, n, imported);
    return NULL;
}
