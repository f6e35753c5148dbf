/*
 * GET /api/v1/analytics/export?scope=&k=&seed=&format=xlsx|csv: the scope's
 * report as a spreadsheet, through core/sheet like every export: one row
 * per community with its rule type, k-means group and every indicator (the
 * classification's own JSON, so the file says what the page says), and in
 * the .xlsx a second worksheet with each group's profile. Aggregates only:
 * no personal data, nothing to audit.
 */
#include <stdio.h>
#include <string.h>

#include "analytics/analytics_routes.h"
#include "analytics/analytics_store.h"
#include "core/sheet.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define EXPORT_MAX (32 * 1024 * 1024)
#define FIXED_COLS 6
#define N_COLS (FIXED_COLS + _AN_INDICATOR_MAX)

typedef struct Export {
    Arena *a;
    json_t *doc;                  /* analytics_classification_json */
    SheetColumn cols[N_COLS];
} Export;

static const char *text_of(Arena *a, json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return arena_sprintf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return arena_sprintf(a, "%.1f", json_real_value(v));
    if (json_is_array(v)) {
        StrBuf sb;
        size_t i;
        json_t *x;

        strbuf_init(&sb, a, 1024);
        json_array_foreach(v, i, x) {
            if (i)
                strbuf_add(&sb, "、", strlen("、"));
            if (json_is_string(x))
                strbuf_add(&sb, json_string_value(x), strlen(json_string_value(x)));
        }
        return strbuf_finish(&sb, NULL);
    }
    return NULL;
}

static void row_cells(Export *x, json_t *item, const char **cells)
{
    json_t *values = json_object_get(item, "values");

    cells[0] = text_of(x->a, json_object_get(item, "code"));
    cells[1] = text_of(x->a, json_object_get(item, "name"));
    cells[2] = text_of(x->a, json_object_get(item, "street_code"));
    cells[3] = text_of(x->a, json_object_get(item, "type"));
    cells[4] = text_of(x->a, json_object_get(item, "matched"));
    cells[5] = text_of(x->a, json_object_get(item, "cluster"));
    for (int k = 0; k < _AN_INDICATOR_MAX; k++)
        cells[FIXED_COLS + k] = text_of(x->a, json_object_get(values, analytics_indicators[k].key));
}

static Error *export_csv(Export *x, const char **ret_data, size_t *ret_len)
{
    const char *cells[N_COLS];
    json_t *item;
    size_t i;
    StrBuf sb;

    strbuf_init(&sb, x->a, EXPORT_MAX);
    sheet_csv_header(&sb, x->cols, N_COLS);
    json_array_foreach(json_object_get(x->doc, "items"), i, item) {
        row_cells(x, item, cells);
        sheet_csv_row(&sb, cells, N_COLS);
    }
    *ret_data = strbuf_finish(&sb, ret_len);
    if (!*ret_data)
        return error_internal(x->a, "analytics export exceeds %d bytes", EXPORT_MAX);
    return NULL;
}

static Error *export_xlsx_to(const char *path, void *ctx)
{
    Export *x = ctx;
    const char *cells[N_COLS], *failed;
    lxw_worksheet *ws;
    json_t *item, *g;
    size_t i;
    Sheet s;

    if (!sheet_open(&s, path, "社区指标与分类", x->cols, N_COLS))
        return error_internal(x->a, "cannot create workbook '%s'", path);
    json_array_foreach(json_object_get(x->doc, "items"), i, item) {
        row_cells(x, item, cells);
        sheet_row(&s, cells);
    }
    ws = workbook_add_worksheet(s.wb, "分组特征");
    if (ws) {
        static const char *const head[] = { "分组", "社区数", "特征" };

        for (lxw_col_t c = 0; c < 3; c++)
            sheet_check(&s, worksheet_write_string(ws, 0, c, head[c], s.bold));
        sheet_check(&s, worksheet_set_column(ws, 2, 2, 90, NULL));
        json_array_foreach(json_object_get(x->doc, "clusters"), i, g) {
            lxw_row_t r = (lxw_row_t)i + 1;

            sheet_check(&s, worksheet_write_string(ws, r, 0,
                                                   json_string_value(json_object_get(g, "label")),
                                                   NULL));
            sheet_check(&s, worksheet_write_number(
                                ws, r, 1, (double)json_integer_value(json_object_get(g, "size")),
                                NULL));
            sheet_check(&s, worksheet_write_string(
                                ws, r, 2, text_of(x->a, json_object_get(g, "profile")), NULL));
        }
    } else {
        sheet_check(&s, LXW_ERROR_MEMORY_MALLOC_FAILED);
    }
    failed = sheet_close(&s, true);
    return failed ? error_internal(x->a, "analytics xlsx export: %s", failed) : NULL;
}

static Error *analytics_handle_export(Request *req, Response *res)
{
    const char *scope, *source, *format = request_query(req, "format"), *data = NULL, *ext;
    Export x = { .a = req->arena };
    AnalyticsRule *rules;
    size_t n_rules, len = 0;
    int64_t k, seed;
    AnalyticsSet set;
    char today[11];
    Error *err;

    err = analytics_scope_arg(req, &scope);
    if (!err && format && *format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        err = error_bad_request(req->arena, "format", "invalid_format", "format 应为 xlsx 或 csv");
    if (!err)
        err = request_query_int(req, "k", 4, 1, ANALYTICS_K_MAX, &k);
    if (!err)
        err = request_query_int(req, "seed", 1, 0, INT64_C(9007199254740991), &seed);
    if (!err)
        err = analytics_store_rules(req->store, req->arena, scope, &rules, &n_rules, &source);
    if (!err)
        err = analytics_compute_req(req, scope, &set);
    if (err)
        return err;
    x.doc = analytics_classification_json(req->arena, &set, rules, n_rules, source, (size_t)k,
                                          (uint64_t)seed);
    arena_defer(req->arena, (ArenaCleanup)json_decref, x.doc);
    x.cols[0] = (SheetColumn){ "社区代码", 14, SHEET_TEXT };
    x.cols[1] = (SheetColumn){ "社区", 16, SHEET_GENERAL };
    x.cols[2] = (SheetColumn){ "街道代码", 11, SHEET_TEXT };
    x.cols[3] = (SheetColumn){ "类型", 12, SHEET_GENERAL };
    x.cols[4] = (SheetColumn){ "符合的类型", 20, SHEET_GENERAL };
    x.cols[5] = (SheetColumn){ "分组", 6, SHEET_NUMBER };
    for (int i = 0; i < _AN_INDICATOR_MAX; i++)
        x.cols[FIXED_COLS + i] = (SheetColumn){
            arena_sprintf(req->arena, "%s（%s）", analytics_indicators[i].label,
                          analytics_indicators[i].unit),
            12, SHEET_NUMBER
        };
    ext = format && strcmp(format, "csv") == 0 ? "csv" : "xlsx";
    if (strcmp(ext, "csv") == 0)
        err = export_csv(&x, &data, &len);
    else
        err = sheet_xlsx_bytes(req->arena, export_xlsx_to, &x, EXPORT_MAX, &data, &len);
    if (err)
        return err;
    date_today(today);
    response_attachment(res, req->arena,
                        arena_sprintf(req->arena, "analytics-%s-%s.%s", *scope ? scope : "all",
                                      today, ext),
                        arena_sprintf(req->arena, "社区分析-%s-%s.%s", *scope ? scope : "全部",
                                      today, ext));
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200,
                          strcmp(ext, "csv") == 0 ? "text/csv; charset=utf-8" : SHEET_XLSX_TYPE,
                          data, len);
}

void analytics_export_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/analytics/export", analytics_handle_export, 0);
}
