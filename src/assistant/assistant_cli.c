/*
 * The assistant on the command line:
 *
 *   linli kb import --db FILE FILE.jsonl|.csv|.xlsx entries, keeping the file's ids
 *   linli kb export --db FILE FILE.jsonl
 *   linli ask --db FILE [--community CODE]         one question a line on stdin,
 *                                                  one JSON object a line on stdout
 *
 * An import checks every line first and writes the good ones in one
 * transaction; bad lines are listed with the reason and the rest kept.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "assistant/assistant.h"
#include "assistant/assistant_cli.h"
#include "cli_util.h"
#include "core/csv.h"
#include "core/embed.h"
#include "core/file.h"
#include "core/text.h"
#include "core/log.h"
#include "core/xlsx.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/response.h"
#include "core/banned.h"

#define CLI_MAX_FILE (256 * 1024 * 1024)

/* ---- reading entries from a file ---- */

typedef struct Line {
    int line;
    KbEntry entry;
} Line;

typedef struct ImportReport {
    Line *good;
    size_t n_good, cap_good;
    int32_t *slots;     /* open addressing over good[] by id: index, or -1 */
    size_t n_slots;     /* a power of two, more than twice cap_good */
    size_t total;
    int rejected;
} ImportReport;

static size_t hash_id(const char *s)
{
    size_t h = 5381;

    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

/* The slot of @id: holding it, or empty where it would go. */
static size_t id_slot(const ImportReport *r, const char *id)
{
    size_t i = hash_id(id) & (r->n_slots - 1);

    while (r->slots[i] >= 0 && strcmp(r->good[r->slots[i]].entry.id, id) != 0)
        i = (i + 1) & (r->n_slots - 1);
    return i;
}

static void report_init(Arena *a, ImportReport *r, size_t cap)
{
    memset(r, 0, sizeof(*r));
    r->cap_good = cap;
    r->good = arena_alloc(a, sizeof(Line) * cap);
    r->n_slots = 16;
    while (r->n_slots < 2 * cap + 2)
        r->n_slots *= 2;
    r->slots = arena_alloc(a, sizeof(int32_t) * r->n_slots);
    memset(r->slots, 0xff, sizeof(int32_t) * r->n_slots);
}

static void reject(ImportReport *r, int line, const Error *err)
{
    if (err->field)
        printf("line %d: %s: %s (%s)\n", line, err->field, err->message, err->code);
    else
        printf("line %d: %s (%s)\n", line, err->message, err->code);
    r->rejected++;
}

/* Checks one line's entry (already counted in r->total) and keeps it or reports it. */
static void accept_entry(Arena *a, ImportReport *r, int line, json_t *obj)
{
    KbEntry e = { 0 };
    size_t slot = 0;
    Error *err;

    err = assistant_entry_from_json(a, obj, false, &e, NULL);
    if (!err && !e.id)
        err = error_invalid(a, "id", "missing_field", "缺少编号“id”（导入时保留文件中的编号）");
    if (!err && r->n_good == r->cap_good)
        err = error_too_large(a, "条目太多，一次最多导入 200000 条");
    if (!err) {
        slot = id_slot(r, e.id);
        if (r->slots[slot] >= 0)
            err = error_conflict(a, "id", "duplicate_id",
                                 arena_sprintf(a, "编号 %s 与第 %d 行重复", e.id,
                                               r->good[r->slots[slot]].line));
    }
    if (err) {
        reject(r, line, err);
        return;
    }
    r->slots[slot] = (int32_t)r->n_good;
    r->good[r->n_good].line = line;
    r->good[r->n_good].entry = e;
    r->n_good++;
}

static void read_jsonl(Arena *a, const char *data, size_t len, ImportReport *r)
{
    const char *p = data, *end = data + len;
    int line = 0;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        json_error_t jerr;
        json_t *obj;

        line++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (strspn(p, " \t") < n) {
            r->total++;
            obj = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
            if (!obj)
                reject(r, line, error_bad_request(a, NULL, "malformed_json",
                                                  arena_sprintf(a, "这一行不是有效的 JSON：%s", jerr.text)));
            else if (!json_is_object(obj))
                reject(r, line, error_bad_request(a, NULL, "expected_object", "这一行应为 JSON 对象 {...}"));
            else if (r->total > KB_IMPORT_MAX_LINES)
                reject(r, line, error_too_large(a, "条目太多，一次最多导入 200000 条"));
            else
                accept_entry(a, r, line, obj);
            json_decref(obj);
        }
        p = nl ? nl + 1 : end;
    }
}

/* CSV columns, in English or Chinese. */
static const struct {
    const char *field;
    const char *names[3];
} COLUMNS[] = {
    { "id", { "id", "编号", NULL } },
    { "section", { "section", "栏目", "分类" } },
    { "question", { "question", "问题", NULL } },
    { "answer", { "answer", "回答", "答案" } },
    { "alternatives", { "alternatives", "其他问法", "相似问法" } },
    { "keywords", { "keywords", "关键词", NULL } },
    { "valid_until", { "valid_until", "有效期至", NULL } },
    { "scope", { "scope", "适用范围", NULL } },
};

static int column_of(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(COLUMNS); i++)
        for (size_t k = 0; k < 3 && COLUMNS[i].names[k]; k++)
            if (strcasecmp(COLUMNS[i].names[k], name) == 0)
                return (int)i;
    return -1;
}

/* Alternatives in a CSV cell are separated by "|" or line breaks. */
static json_t *split_alternatives(const char *cell)
{
    json_t *arr = json_array();
    const char *p = cell;

    while (*p) {
        size_t n = strcspn(p, "|\n");
        char *s = strndup(p, n);

        if (!s)
            abort();
        if (strspn(s, " \t\r") < n)
            json_array_append_new(arr, json_string(s));
        free(s);
        p += n;
        if (*p)
            p++;
    }
    return arr;
}

/* Maps a header row to COLUMNS indices in @cols (-1: an empty header cell); false if unknown. */
static bool header_columns(Arena *a, char **cells, size_t n_cells, int *cols)
{
    for (size_t i = 0; i < n_cells; i++) {
        cols[i] = column_of(text_trim(a, cells[i]));
        if (cols[i] < 0 && *cells[i]) {
            fprintf(stderr, "linli: unknown column '%s' (id section question answer alternatives"
                            " keywords valid_until scope)\n", cells[i]);
            return false;
        }
    }
    return true;
}

/* One data row of a CSV or a sheet, its columns named by @cols. */
static void accept_row(Arena *a, ImportReport *r, int line, const int *cols, char **cells,
                       size_t n_cells, bool excel)
{
    json_t *obj = json_object();
    bool blank = true;

    for (size_t i = 0; i < n_cells; i++) {
        const char *field, *cell = cells[i];
        char date[11];

        if (cols[i] < 0 || !*cell)
            continue;
        blank = false;
        field = COLUMNS[cols[i]].field;
        /* Excel keeps a date cell as a serial number */
        if (excel && strcmp(field, "valid_until") == 0 && xlsx_serial_to_date(cell, date))
            cell = arena_strdup(a, date);
        if (strcmp(field, "alternatives") == 0)
            json_object_set_new(obj, field, split_alternatives(cell));
        else if (utf8_valid(cell, strlen(cell)))
            json_object_set_new(obj, field, json_string(cell));
        else
            json_object_set_new(obj, field, json_stringn_nocheck(cell, strlen(cell)));
    }
    if (!blank) {
        r->total++;
        if (r->total > KB_IMPORT_MAX_LINES)
            reject(r, line, error_too_large(a, "条目太多，一次最多导入 200000 条"));
        else
            accept_entry(a, r, line, obj);
    }
    json_decref(obj);
}

static bool read_csv(Arena *a, const char *data, size_t len, ImportReport *r)
{
    int cols[32];
    size_t n_cols;
    CsvParser c;
    char **cells;
    int line, rc;

    csv_init(&c, data, len);
    rc = csv_next(&c, a, ARRAY_SIZE(cols), &cells, &n_cols, &line);
    if (rc <= 0) {
        fprintf(stderr, "linli: the CSV has no header row\n");
        return false;
    }
    if (!header_columns(a, cells, n_cols, cols))
        return false;
    while ((rc = csv_next(&c, a, ARRAY_SIZE(cols), &cells, &n_cols, &line)) > 0)
        accept_row(a, r, line, cols, cells, n_cols, false);
    if (rc < 0) {
        fprintf(stderr, "linli: a quoted field never ends (from line %d)\n", c.line);
        return false;
    }
    return true;
}

/* The first sheet of a workbook: a header row, then one entry a row (lines are sheet rows). */
static bool read_xlsx(Arena *a, const char *data, size_t len, ImportReport *r)
{
    int cols[32];
    const char *errmsg;
    XlsxRow *rows;
    size_t n;

    if (!xlsx_read(a, data, len, KB_IMPORT_MAX_LINES + 2, ARRAY_SIZE(cols), &rows, &n, &errmsg)) {
        fprintf(stderr, "linli: %s\n", errmsg);
        return false;
    }
    if (n == 0) {
        fprintf(stderr, "linli: the sheet has no header row\n");
        return false;
    }
    if (!header_columns(a, rows[0].cells, rows[0].n_cells, cols))
        return false;
    for (size_t i = 1; i < n; i++)
        accept_row(a, r, rows[i].line, cols, rows[i].cells, rows[i].n_cells, true);
    return true;
}

static Error *write_entries(Store *st, Arena *a, const ImportReport *r)
{
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    for (size_t i = 0; i < r->n_good; i++) {
        err = assistant_store_entry_upsert(st, a, &r->good[i].entry);
        if (err)
            goto fail;
    }
    err = assistant_store_bump(st, a);
    if (err)
        goto fail;
    return store_commit(st, a);
fail:
    store_rollback(st);
    return err;
}

static int cmd_kb_import(int argc, char **argv)
{
    const char *db = NULL, *errmsg, *file;
    ImportReport report = { 0 };
    Store *st = NULL;
    char *data;
    size_t len;
    Arena *a;
    Error *err;
    int rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli kb import --db FILE FILE.jsonl|FILE.csv|FILE.xlsx\n\n"
             "Imports knowledge-base entries for the assistant, keeping each entry's own id:\n"
             "an id already in the database is replaced. JSON Lines: one object a line with\n"
             "id, section, question, answer and optionally alternatives (a list), keywords,\n"
             "valid_until (YYYY-MM-DD) and scope ('' for everyone, a 9-digit street or\n"
             "12-digit community code). CSV: a header row naming those columns, in English\n"
             "or Chinese (编号 栏目 问题 回答 其他问法 关键词 有效期至 适用范围), alternatives\n"
             "separated by '|'. XLSX: the first sheet, laid out as the CSV. Bad lines are listed with the reason and the good ones\n"
             "imported; the exit status is 0 when the file was read.");
        return 0;
    }
    rc = cli_options(argc, argv, (const CliOption[]){ { "db", &db }, { 0 } });
    if (rc)
        return rc;
    if (!db || optind != argc - 1) {
        fprintf(stderr, "linli kb import: --db and one FILE are required\n");
        return 2;
    }
    file = argv[optind];
    a = arena_new(1 << 20);
    rc = 1;
    if (!file_read_all(a, file, CLI_MAX_FILE, &data, &len, &errmsg)) {
        fprintf(stderr, "linli: cannot read '%s': %s\n", file, errmsg);
        goto out;
    }
    report_init(a, &report, len / 16 + 16 < KB_IMPORT_MAX_LINES ? len / 16 + 16 : KB_IMPORT_MAX_LINES);
    if (file_has_extension(file, ".csv")) {
        if (!read_csv(a, data, len, &report))
            goto out;
    } else if (file_has_extension(file, ".xlsx")) {
        if (!read_xlsx(a, data, len, &report))
            goto out;
    } else if (file_has_extension(file, ".jsonl") || file_has_extension(file, ".json")) {
        read_jsonl(a, data, len, &report);
    } else {
        fprintf(stderr, "linli: '%s' is not .jsonl, .csv or .xlsx\n", file);
        goto out;
    }
    st = cli_open_db(db);
    if (!st)
        goto out;
    err = write_entries(st, a, &report);
    if (err) {
        cli_print_error(err);
        goto out;
    }
    printf("imported %zu of %zu entries from %s (%d rejected)\n", report.n_good, report.total, file,
           report.rejected);
    rc = 0;
out:
    arena_free(a);
    store_close(st);
    text_shutdown();
    return rc;
}

static int cmd_kb_export(int argc, char **argv)
{
    const char *db = NULL, *file;
    KbEntry *entries;
    Store *st = NULL;
    FILE *f = NULL;
    size_t n;
    Arena *a;
    Error *err;
    int rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli kb export --db FILE FILE.jsonl\n\n"
             "Writes every knowledge-base entry as JSON Lines, in id order, in the format\n"
             "`linli kb import` reads (FILE '-' writes to standard output).");
        return 0;
    }
    rc = cli_options(argc, argv, (const CliOption[]){ { "db", &db }, { 0 } });
    if (rc)
        return rc;
    if (!db || optind != argc - 1) {
        fprintf(stderr, "linli kb export: --db and one FILE are required\n");
        return 2;
    }
    file = argv[optind];
    a = arena_new(1 << 20);
    rc = 1;
    st = cli_open_db(db);
    if (!st)
        goto out;
    err = assistant_store_entries_all(st, a, &entries, &n);
    if (err) {
        cli_print_error(err);
        goto out;
    }
    f = strcmp(file, "-") == 0 ? stdout : fopen(file, "w");
    if (!f) {
        fprintf(stderr, "linli: cannot write '%s': %s\n", file, strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *j = assistant_entry_json(a, &entries[i]);
        char *line;

        json_object_del(j, "created_at");
        json_object_del(j, "updated_at");
        if (entries[i].n_alternatives == 0)
            json_object_del(j, "alternatives");
        if (!entries[i].keywords || !*entries[i].keywords)
            json_object_del(j, "keywords");
        if (!entries[i].valid_until)
            json_object_del(j, "valid_until");
        if (!entries[i].scope || !*entries[i].scope)
            json_object_del(j, "scope");
        line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        if (!line)
            abort();
        fprintf(f, "%s\n", line);
        free(line);
    }
    if (f != stdout && fclose(f) != 0) {
        f = NULL;
        fprintf(stderr, "linli: cannot write '%s': %s\n", file, strerror(errno));
        goto out;
    }
    f = NULL;
    if (strcmp(file, "-") != 0)
        printf("exported %zu entries to %s\n", n, file);
    rc = 0;
out:
    if (f && f != stdout)
        fclose(f);
    arena_free(a);
    store_close(st);
    text_shutdown();
    return rc;
}

int assistant_cli_kb(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "import", cmd_kb_import }, { "export", cmd_kb_export },
                                       { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli kb import|export --db FILE FILE   (--help on each)");
}

/* ---- ask ---- */

static void print_answer(const AssistantAnswer *ans, const Error *err, bool explain)
{
    json_t *top = json_array();
    json_t *j;
    char *line;

    for (size_t i = 0; i < ans->n_top && i < ASSISTANT_TOP; i++)
        json_array_append_new(top, json_string(ans->top[i].id));
    j = json_pack("{s:b, s:o, s:f, s:o}", "answered", ans->answered, "entry_id",
                  json_string_or_null(ans->entry_id), "score", ans->score, "top", top);
    if (explain) {
        json_t *hits = json_array();

        for (size_t i = 0; i < ans->n_top; i++)
            json_array_append_new(hits, json_pack("{s:s, s:s, s:f, s:f, s:f, s:f}", "id",
                                                  ans->top[i].id, "section", ans->top[i].section,
                                                  "score", ans->top[i].score, "qc", ans->top[i].qc,
                                                  "dc", ans->top[i].dc, "bm25", ans->top[i].bm25));
        json_object_set_new(j, "hits", hits);
    }
    if (err)
        json_object_set_new(j, "error", json_string(err->code));
    line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
    json_decref(j);
    if (!line)
        abort();
    puts(line);
    free(line);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

    return a < b ? -1 : a > b;
}

/* The @q quantile of @n sorted values (nearest rank). */
static int64_t quantile(const int64_t *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n + 0.999999);

    return n == 0 ? 0 : v[k == 0 ? 0 : (k > n ? n - 1 : k - 1)];
}

/* --stats: how long the index took to build, and each question to answer, on stderr. */
static void print_stats(int64_t build_us, int64_t *lat, size_t n)
{
    qsort(lat, n, sizeof(int64_t), cmp_i64);
    fprintf(stderr, "index built in %.1f ms\n", (double)build_us / 1000.0);
    fprintf(stderr, "%zu questions: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", n,
            (double)quantile(lat, n, 0.5) / 1000.0, (double)quantile(lat, n, 0.9) / 1000.0,
            (double)quantile(lat, n, 0.99) / 1000.0, n ? (double)lat[n - 1] / 1000.0 : 0.0);
}

int assistant_cli_ask(int argc, char **argv)
{
    const char *db = NULL, *community = NULL;
    bool stats = false, explain = false;
    int64_t *lat = NULL, build_us;
    size_t n_lat = 0, cap_lat = 0;
    Store *st = NULL;
    char today[11];
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    Arena *a;
    Error *err;
    int rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli ask --db FILE [--community CODE] [--stats] [--explain]\n\n"
             "Answers questions from the knowledge base: one question a line on standard\n"
             "input, one JSON object a line on standard output:\n"
             "  {\"answered\": bool, \"entry_id\": \"K…\"|null, \"score\": x, \"top\": [\"K…\", …]}\n"
             "top holds the three best entries, best first, whatever the threshold. With\n"
             "--community, only entries for everyone, its street or itself are used. A\n"
             "line that is not a question gets answered false and \"error\": its code.\n"
             "Questions asked here are not recorded for the staff. --stats prints the\n"
             "time to build the index and the latency of the questions on stderr.\n"
             "--explain adds \"hits\": the best entries (one more than top) with what\n"
             "the decision to answer weighs: {\"id\",\"section\",\"score\",\"qc\" (share\n"
             "of the question covered),\"dc\" (share of the phrasing covered),\"bm25\"}.");
        return 0;
    }
    rc = cli_options(argc, argv,
                     (const CliOption[]){ { "db", &db }, { "community", &community },
                                          { "stats", NULL, &stats },
                                          { "explain", NULL, &explain }, { 0 } });
    if (rc)
        return rc;
    if (!db || optind != argc) {
        fprintf(stderr, "linli ask: --db FILE is required, and questions come on stdin\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    date_today(today);
    a = arena_new(1 << 16);
    build_us = time_mono_us();
    err = assistant_refresh(st, a, true);
    build_us = time_mono_us() - build_us;
    if (err) {
        cli_print_error(err);
        rc = 1;
        goto out;
    }
    while ((n = getline(&buf, &cap, stdin)) >= 0) {
        AssistantAnswer ans = { 0 };
        const char *q;

        arena_reset(a);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        int64_t t0 = time_mono_us();

        err = assistant_check_question(a, "question", buf, &q);
        if (!err)
            err = assistant_ask(st, a, q, community, today, &ans);
        if (stats) {
            if (n_lat == cap_lat) {
                cap_lat = cap_lat ? cap_lat * 2 : 1024;
                lat = realloc(lat, sizeof(int64_t) * cap_lat);
                if (!lat)
                    abort();
            }
            lat[n_lat++] = time_mono_us() - t0;
        }
        if (err && err->status >= 500) {
            cli_print_error(err);
            rc = 1;
            goto out;
        }
        print_answer(&ans, err, explain);
        fflush(stdout);
    }
    if (stats)
        print_stats(build_us, lat, n_lat);
out:
    free(lat);
    free(buf);
    arena_free(a);
    store_close(st);
    assistant_shutdown();
    text_shutdown();
    return rc;
}

extern const EmbeddedFile kb_sample_files[];

Error *assistant_demo(Store *st, Arena *a, size_t *ret_n)
{
    const EmbeddedFile *f = &kb_sample_files[0];
    ImportReport r;
    Error *err;

    report_init(a, &r, f->size / 16 + 16);
    read_jsonl(a, f->text, f->size, &r);
    if (r.rejected)
        return error_internal(a, "the sample knowledge base %s has %d bad lines", f->name, r.rejected);
    err = write_entries(st, a, &r);
    if (err)
        return err;
    *ret_n = r.n_good;
    return NULL;
}

/*
 * The index is built on a thread of its own, on its own connection, so that
 * the server answers at once; a question asked before it is ready waits for
 * it (assistant_refresh holds the build lock while there is no index).
 */
static pthread_t index_thread;
static bool index_thread_started;

static void *build_index(void *arg)
{
    const char *path = arg;
    const char *errmsg = NULL;
    int64_t t0 = time_mono_us();
    Store *st = store_open(path, &errmsg);
    Arena *a = arena_new(0);
    Error *err = st ? assistant_refresh(st, a, true) : NULL;

    if (!st)
        log_warn("cannot build the assistant index", "error", errmsg, NULL);
    else if (err)
        log_warn("cannot build the assistant index", "error", err->detail ? err->detail : err->message,
                 NULL);
    else
        log_info("assistant index built", "ms",
                 arena_sprintf(a, "%.1f", (double)(time_mono_us() - t0) / 1000.0), NULL);
    arena_free(a);
    if (st)
        store_close(st);
    return NULL;
}

void assistant_serve_start(const Config *cfg)
{
    assistant_generate_configure(cfg);
    index_thread_started = pthread_create(&index_thread, NULL, build_index, (void *)cfg->db_path) == 0;
    if (!index_thread_started)
        log_warn("cannot start the assistant index thread; the first question builds it", NULL);
}

void assistant_serve_stop(void)
{
    if (index_thread_started)
        pthread_join(index_thread, NULL);
    index_thread_started = false;
    assistant_shutdown();
    assistant_generate_shutdown();
}
