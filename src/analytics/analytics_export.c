/*
 * GET /api/v1/analytics/export?scope=&k=&seed=&format=xlsx|csv&part=: the
 * scope's report as a spreadsheet, through core/sheet like every export.
 * The .xlsx holds four worksheets:
 *   社区指标与分类  one row per community with its rule type, k-means group
 *                   and every indicator (the classification's own JSON, so
 *                   the file says what the page says);
 *   分组特征        each group's size and profile;
 *   社区画像        every community's portrait (analytics_portrait.c), the
 *                   same numbers from the same AnalyticsSet rows;
 *   服务清单        the service lists that bear on the scope.
 * The CSV is one table: the first by default, part=portrait or
 * part=services for the others. Aggregates only: no personal data,
 * nothing to audit.
 */
#include <math.h>
#include <stdint.h>
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

/* A table built in memory, then written as CSV or as a worksheet. */
typedef struct Table {
    const char *name;             /* the worksheet's */
    const SheetColumn *cols;
    int n_cols;
    const char **cells;           /* n rows of n_cols cells, NULL empty */
    size_t n, cap;
} Table;

typedef struct Export {
    Arena *a;
    json_t *doc;                  /* analytics_classification_json */
    SheetColumn cols[N_COLS];
    Table portrait, services;
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

static const char **table_row(Arena *a, Table *t)
{
    const char **row;

    if (!t->cells) {
        t->cap = 256;
        t->cells = arena_alloc(a, t->cap * (size_t)t->n_cols * sizeof(*t->cells));
    }
    t->cells = arena_grow(a, t->cells, t->n, &t->cap, (size_t)t->n_cols * sizeof(*t->cells));
    row = t->cells + t->n * (size_t)t->n_cols;
    memset(row, 0, (size_t)t->n_cols * sizeof(*row));
    t->n++;
    return row;
}

/* ---- 社区画像 ---- */

/*
 * Long format, one row per community and item (社区代码, 社区名称,
 * 街道代码, 板块, 项目, 数值, 单位) rather than a column per item: the items
 * differ between communities (their tags, the categories of their cases,
 * the kinds of their rooms), so a wide sheet would be a union of
 * mostly empty columns hundreds wide, too wide to print. Long, a street
 * office filters 社区名称 to print one community's portrait as a list, or
 * 项目 to set one number of every community side by side, and a pivot
 * table turns it wide when wanted. The numbers are the portrait's
 * (analytics_portrait.c), rounded as analytics_number rounds them; the
 * monthly trend and the life circle, which need queries per community,
 * stay on the page.
 */
static const SheetColumn portrait_cols[] = {
    { "社区代码", 14, SHEET_TEXT }, { "社区名称", 16, SHEET_GENERAL },
    { "街道代码", 11, SHEET_TEXT }, { "板块", 12, SHEET_GENERAL },
    { "项目", 30, SHEET_GENERAL },  { "数值", 10, SHEET_NUMBER },
    { "单位", 6, SHEET_GENERAL },
};
#define PORTRAIT_COLS ((int)(sizeof(portrait_cols) / sizeof(portrait_cols[0])))

/* The rows of a CountRows of each community: counting-sorted by community, stable. */
typedef struct ByCommunity {
    const CountRows *rows;
    size_t *start;                /* community i's rows are idx[start[i] .. start[i + 1]) */
    size_t *idx;
} ByCommunity;

static void by_community(Arena *a, const AnalyticsSet *set, const CountRows *rows,
                         ByCommunity *ret)
{
    size_t *of = arena_alloc(a, (rows->n + 1) * sizeof(size_t)),
           *at = arena_zalloc(a, (set->n + 1) * sizeof(size_t));

    ret->rows = rows;
    ret->start = arena_zalloc(a, (set->n + 1) * sizeof(size_t));
    ret->idx = arena_alloc(a, (rows->n + 1) * sizeof(size_t));
    for (size_t i = 0; i < rows->n; i++) {
        AnalyticsCommunity *m = analytics_find(set, rows->v[i].community);

        of[i] = m ? (size_t)(m - set->c) : SIZE_MAX;
        if (m)
            ret->start[of[i] + 1]++;
    }
    for (size_t c = 0; c < set->n; c++) {
        ret->start[c + 1] += ret->start[c];
        at[c] = ret->start[c];
    }
    for (size_t i = 0; i < rows->n; i++)
        if (of[i] != SIZE_MAX)
            ret->idx[at[of[i]]++] = i;
}

typedef struct Portrait {
    Arena *a;
    Table *t;
    const AnalyticsCommunity *c;
    const char *street;           /* the community's street code */
    const char *section;
} Portrait;

static void item(Portrait *p, const char *label, const char *value, const char *unit)
{
    const char **row = table_row(p->a, p->t);

    row[0] = p->c->code;
    row[1] = p->c->name;
    row[2] = p->street;
    row[3] = p->section;
    row[4] = label;
    row[5] = value;
    row[6] = unit;
}

static void item_n(Portrait *p, const char *label, int64_t v, const char *unit)
{
    item(p, label, arena_sprintf(p->a, "%lld", (long long)v), unit);
}

/* As analytics_number: a whole number as it is, else to 0.1; NAN an empty cell. */
static void item_v(Portrait *p, const char *label, double v, const char *unit)
{
    const char *text = NULL;

    if (!isnan(v) && !isinf(v))
        text = v == floor(v) && fabs(v) < 9e15 ? arena_sprintf(p->a, "%.0f", v)
                                               : arena_sprintf(p->a, "%.1f", round(v * 10) / 10);
    item(p, label, text, unit);
}

#define EACH_ROW(g, ci, r)                                                                   \
    for (size_t j_ = (g)->start[ci]; j_ < (g)->start[(ci) + 1]; j_++)                     \
        for (const CountRow *r = &(g)->rows->v[(g)->idx[j_]]; r; r = NULL)

static void portrait_rows(Arena *a, const AnalyticsSet *set, Table *t)
{
    ByCommunity tags, cases, questions, rooms, bookings;
    const char *band[2][REGISTRY_AGE_BANDS];

    t->name = "社区画像";
    t->cols = portrait_cols;
    t->n_cols = PORTRAIT_COLS;
    by_community(a, set, &set->tags, &tags);
    by_community(a, set, &set->cases, &cases);
    by_community(a, set, &set->questions, &questions);
    by_community(a, set, &set->rooms, &rooms);
    by_community(a, set, &set->bookings, &bookings);
    for (int b = 0; b < REGISTRY_AGE_BANDS; b++) {
        const char *l = registry_age_band_labels[b];
        size_t n = strlen(l);
        const char *years = n && l[n - 1] == '+'
                                ? arena_sprintf(a, "%.*s岁及以上", (int)(n - 1), l)
                                : arena_sprintf(a, "%s岁", l);

        band[0][b] = arena_sprintf(a, "%s·男", years);
        band[1][b] = arena_sprintf(a, "%s·女", years);
    }
    for (size_t i = 0; i < set->n; i++) {
        const AnalyticsCommunity *c = &set->c[i];
        const AnalyticsCounts *k = &c->c;
        Portrait p = { a, t, c, c->street_code && *c->street_code ? c->street_code
                                                                 : arena_strndup(a, c->code, 9),
                       "人口" };

        item_n(&p, "常住人口", k->residents, "人");
        item_n(&p, "男", k->male, "人");
        item_n(&p, "女", k->female, "人");
        for (int b = 0; b < REGISTRY_AGE_BANDS; b++) {
            item_n(&p, band[0][b], k->age[0][b], "人");
            item_n(&p, band[1][b], k->age[1][b], "人");
        }
        item_n(&p, "户数", k->households, "户");
        item_n(&p, "独居户", k->living_alone, "户");
        item_n(&p, "重点人群", k->key_population, "人");
        item_n(&p, "近一年迁入", k->newcomers, "人");
        EACH_ROW(&tags, i, r)
            item_n(&p, arena_sprintf(a, "%s·%s", r->n[1] ? "重点人群标签" : "人群标签", r->key),
                   r->n[0], "人");

        p.section = "住房";
        item_n(&p, "楼栋", k->buildings, "栋");
        item_v(&p, "栋均户数", c->v[AN_HOUSEHOLDS_PER_BUILDING], "户");
        item_v(&p, "平均层数", c->v[AN_AVG_FLOORS], "层");
        item_n(&p, "6层及以下楼栋", k->low_rise, "栋");
        item_n(&p, "12层及以上楼栋", k->high_rise, "栋");

        p.section = "需求";
        item_n(&p, "报事（近12个月）", k->cases, "件");
        item_n(&p, "报事在办", k->cases_open, "件");
        EACH_ROW(&cases, i, r) {
            const char *label = *r->label ? r->label : r->key;

            item_n(&p, arena_sprintf(a, "报事·%s", label), r->n[0], "件");
            item_n(&p, arena_sprintf(a, "报事在办·%s", label), r->n[1], "件");
        }
        item_n(&p, "助手咨询（近12个月）", k->questions, "次");
        item_n(&p, "助手未答", k->unanswered, "次");
        EACH_ROW(&questions, i, r) {
            item_n(&p, arena_sprintf(a, "助手咨询·%s", r->key), r->n[0], "次");
            item_n(&p, arena_sprintf(a, "助手未答·%s", r->key), r->n[1], "次");
        }
        item_n(&p, "活动室预约（近一年起，含已排期）", k->bookings, "次");
        item_n(&p, "预约时长", k->booked_minutes, "分钟");
        EACH_ROW(&bookings, i, r)
            item_n(&p, arena_sprintf(a, "预约·%s", *r->key ? r->key : "未分类"), r->n[0], "次");

        p.section = "供给";
        item_n(&p, "社区工作者", k->staff + k->secretaries + k->grid_workers, "人");
        item_n(&p, "书记", k->secretaries, "人");
        item_n(&p, "社工", k->staff, "人");
        item_n(&p, "网格员", k->grid_workers, "人");
        item_n(&p, "志愿者", k->volunteers, "人");
        item_n(&p, "活动室", k->rooms, "间");
        EACH_ROW(&rooms, i, r)
            item_n(&p, arena_sprintf(a, "活动室·%s", *r->key ? r->key : "未分类"), r->n[0], "间");

        p.section = "工作量与成效";
        item_n(&p, "工作量", k->workload, "");
        item_v(&p, "人均工作量", c->v[AN_WORKLOAD_PER_WORKER], "");
        item_v(&p, "响应率", c->v[AN_RESPONSE_RATE], "%");
        item_n(&p, "应响应", k->resp_due, "件");
        item_n(&p, "按时响应", k->resp_ok, "件");
        item_v(&p, "按时办结率", c->v[AN_ON_TIME_RATE], "%");
        item_n(&p, "应办结", k->res_due, "件");
        item_n(&p, "按时办结", k->res_ok, "件");
        item_v(&p, "满意率", c->v[AN_SATISFACTION_RATE], "%");
        item_n(&p, "已评价", k->rated, "件");
        item_n(&p, "满意", k->satisfied, "件");
        item_n(&p, "基本满意", k->basically, "件");
    }
}

/* ---- 服务清单 ---- */

static const SheetColumn service_cols[] = {
    { "类型", 12, SHEET_GENERAL },     { "类别", 14, SHEET_GENERAL },
    { "服务名称", 24, SHEET_GENERAL }, { "提供方", 22, SHEET_GENERAL },
    { "频次", 10, SHEET_GENERAL },     { "适用范围", 16, SHEET_GENERAL },
    { "范围代码", 14, SHEET_TEXT },    { "适用的该类型社区数", 10, SHEET_NUMBER },
};
#define SERVICE_COLS ((int)(sizeof(service_cols) / sizeof(service_cols[0])))

/*
 * Every list that bears on the scope (analytics_store_services_within):
 * those at the scope and above apply to all its communities of their type,
 * a community's own (or a street's, in a district's report) to its own; the
 * last column counts the communities of the scope that an entry reaches
 * and are of its type under the report's rules (the 类型 of 社区指标与分类).
 */
static Error *service_rows(Request *req, const AnalyticsSet *set, const AnalyticsRule *rules,
                           size_t n_rules, Table *t)
{
    const char **types = arena_alloc(req->arena, (set->n + 1) * sizeof(*types));
    AnalyticsService *v;
    size_t n;
    Error *err;

    t->name = "服务清单";
    t->cols = service_cols;
    t->n_cols = SERVICE_COLS;
    err = analytics_store_services_within(req->store, req->arena, set->scope, set->lo, set->hi,
                                          &v, &n);
    if (err)
        return err;
    for (size_t i = 0; i < set->n; i++)
        types[i] = analytics_type_for(rules, n_rules, &set->c[i]);
    for (size_t j = 0; j < n; j++) {
        const AnalyticsService *x = &v[j];
        const char **row = table_row(req->arena, t), *label = analytics_service_kind_label(x->kind);
        size_t len = strlen(x->scope);
        const AnalyticsCommunity *own = len == 12 ? analytics_find(set, x->scope) : NULL;
        int64_t reached = 0;

        for (size_t i = 0; i < set->n; i++)
            if (types[i] && strcmp(types[i], x->type) == 0 &&
                strncmp(set->c[i].code, x->scope, len) == 0)
                reached++;
        row[0] = x->type;
        row[1] = label ? label : x->kind;
        row[2] = x->name;
        row[3] = x->provider;
        row[4] = x->frequency;
        row[5] = own ? own->name : len > 0 ? analytics_scope_word(x->scope) : "全部社区（通用清单）";
        row[6] = x->scope;
        row[7] = arena_sprintf(req->arena, "%lld", (long long)reached);
    }
    return NULL;
}

static Error *table_csv(Arena *a, const Table *t, const char **ret_data, size_t *ret_len)
{
    StrBuf sb;

    strbuf_init(&sb, a, EXPORT_MAX);
    sheet_csv_header(&sb, t->cols, t->n_cols);
    for (size_t i = 0; i < t->n; i++)
        sheet_csv_row(&sb, t->cells + i * (size_t)t->n_cols, t->n_cols);
    *ret_data = strbuf_finish(&sb, ret_len);
    if (!*ret_data)
        return error_internal(a, "analytics export exceeds %d bytes", EXPORT_MAX);
    return NULL;
}

static void table_sheet(Sheet *s, const Table *t)
{
    sheet_next(s, t->name, t->cols, t->n_cols, true);
    for (size_t i = 0; i < t->n; i++)
        sheet_row(s, t->cells + i * (size_t)t->n_cols);
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
    table_sheet(&s, &x->portrait);
    table_sheet(&s, &x->services);
    failed = sheet_close(&s, true);
    return failed ? error_internal(x->a, "analytics xlsx export: %s", failed) : NULL;
}

static Error *analytics_handle_export(Request *req, Response *res)
{
    const char *scope, *source, *format = request_query(req, "format"),
               *part = request_query(req, "part"), *data = NULL, *ext, *what = "", *word = "社区分析";
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
    if (!err && part && *part && strcmp(part, "portrait") != 0 && strcmp(part, "services") != 0)
        err = error_bad_request(req->arena, "part", "invalid_part",
                                "part 应为 portrait（社区画像）或 services（服务清单）");
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
    if (!part || strcmp(ext, "csv") != 0)
        part = ""; /* the .xlsx holds every table */
    if (strcmp(ext, "xlsx") == 0 || strcmp(part, "portrait") == 0)
        portrait_rows(req->arena, &set, &x.portrait);
    if (strcmp(ext, "xlsx") == 0 || strcmp(part, "services") == 0)
        err = service_rows(req, &set, rules, n_rules, &x.services);
    if (err)
        return err;
    if (strcmp(part, "portrait") == 0) {
        err = table_csv(req->arena, &x.portrait, &data, &len);
        what = "-portrait";
        word = "社区画像";
    } else if (strcmp(part, "services") == 0) {
        err = table_csv(req->arena, &x.services, &data, &len);
        what = "-services";
        word = "服务清单";
    } else if (strcmp(ext, "csv") == 0) {
        err = export_csv(&x, &data, &len);
    } else {
        err = sheet_xlsx_bytes(req->arena, export_xlsx_to, &x, EXPORT_MAX, &data, &len);
    }
    if (err)
        return err;
    date_today(today);
    response_attachment(res, req->arena,
                        arena_sprintf(req->arena, "analytics-%s-%s%s.%s", *scope ? scope : "all",
                                      today, what, ext),
                        arena_sprintf(req->arena, "%s-%s-%s.%s", word, *scope ? scope : "全部",
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
