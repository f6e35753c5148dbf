/*
 * The register as a file, over HTTP and on the command line:
 *
 *   POST /api/v1/residents/import?community=CODE     body: the .xlsx or .csv
 *   GET  /api/v1/residents/export?community=CODE[&format=csv]
 *   linli import residents --db FILE --community CODE FILE.xlsx|FILE.csv
 *   linli export residents --db FILE --community CODE FILE.xlsx|FILE.csv
 *
 * All four are thin: the work is in registry_import.c and registry_export.c,
 * so a file behaves the same whichever way it comes in or goes out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli_util.h"
#include "core/file.h"
#include "core/sheet.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "registry/registry.h"
#include "registry/registry_cli.h"
#include "registry/registry_io.h"
#include "workqueue/workqueue.h"
#include "core/banned.h"

#define XLSX_TYPE SHEET_XLSX_TYPE
#define CLI_MAX_FILE (64 * 1024 * 1024)
#define EXPORT_MAX_XLSX (256 * 1024 * 1024)

static bool community_code_ok(const char *code)
{
    return code && strlen(code) == 12 && strspn(code, "0123456789") == 12;
}

/* ?community=, a 12-digit community code (400 otherwise). */
static Error *community_param(Request *req, const char **ret)
{
    const char *code = request_query(req, "community");

    if (!code || !*code)
        return error_bad_request(req->arena, "community", "missing_community",
                                 "请指定社区：?community=12位社区代码");
    if (!community_code_ok(code))
        return error_bad_request(req->arena, "community", "invalid_code", "社区代码应为12位数字");
    *ret = arena_strdup(req->arena, code);
    return NULL;
}

/* ---- POST /api/v1/residents/import ---- */

static Error *audit_import_request(void *ctx, Store *st, Arena *a, const char *community,
                                   json_t *detail)
{
    (void)st;
    (void)a;
    return audit_record(ctx, "resident.import", "resident", 0, community, detail);
}

static Error *registry_handle_import(Request *req, Response *res)
{
    RegistryActor actor = { .audit = audit_import_request, .ctx = req };
    RegistryFormat format;
    const char *community;
    json_t *report = NULL;
    bool exists = false;
    Error *err;

    err = auth_require(req, ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN);
    if (err)
        return err;
    err = community_param(req, &community);
    if (err)
        return err;
    err = auth_require_scope(req, community);
    if (err)
        return err;
    err = registry_store_community_exists(req->store, req->arena, community, &exists);
    if (err)
        return err;
    if (!exists)
        return error_invalid(req->arena, "community", "unknown_community", "找不到该社区，请先导入行政区划");
    if (!registry_file_format(request_header(req, "Content-Type"), req->body, req->body_len, &format))
        return error_new(req->arena, 415, NULL, "unsupported_file",
                         "请上传 Excel（.xlsx）或 CSV 文件（Content-Type: " XLSX_TYPE " 或 text/csv）");
    actor.user_id = req->user->id;
    err = registry_import_residents(req->store, req->arena, req->app->keys, community,
                                    req->body ? req->body : "", req->body_len, format, &actor, &report);
    if (err)
        return err;
    /* the work queue lists an import with rows not imported until staff deal with them */
    err = workqueue_import_record(req, community, request_query(req, "name"), report);
    if (err) {
        json_decref(report);
        return err;
    }
    return response_json(res, 200, report);
}

/* ---- GET /api/v1/residents/export ---- */

/* residents-310105004017-2026-11-23.xlsx, and 居民台账-<社区>-2026-11-23.xlsx for browsers that read it. */
static void disposition(Request *req, Response *res, const char *community, const char *name,
                        const char *ext)
{
    char today[11];

    date_today(today);
    response_attachment(res, req->arena,
                        arena_sprintf(req->arena, "residents-%s-%s.%s", community, today, ext),
                        arena_sprintf(req->arena, "居民台账-%s-%s.%s", name, today, ext));
}

typedef struct ExportJob {
    Request *req;
    const char *community;
    int64_t count;
} ExportJob;

static Error *export_xlsx_to(const char *path, void *ctx)
{
    ExportJob *job = ctx;

    return registry_export_xlsx(job->req->store, job->req->arena, job->req->app->keys,
                                job->community, path, &job->count);
}

static Error *template_xlsx_to(const char *path, void *ctx)
{
    return registry_template_xlsx(ctx, path);
}

/* GET /api/v1/residents/template?format=xlsx|csv: what an import reads, with an example row. */
static Error *registry_handle_template(Request *req, Response *res)
{
    const char *format = request_query(req, "format");
    const char *data = NULL;
    size_t len = 0;
    bool csv;
    Error *err;

    err = auth_require(req, ROLES_REGISTRY_READ);
    if (err)
        return err;
    if (format && *format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return error_bad_request(req->arena, "format", "invalid_format", "format 应为 xlsx 或 csv");
    csv = format && strcmp(format, "csv") == 0;
    if (csv)
        err = registry_template_csv(req->arena, &data, &len);
    else
        err = sheet_xlsx_bytes(req->arena, template_xlsx_to, req->arena, 1024 * 1024, &data, &len);
    if (err)
        return err;
    response_attachment(res, req->arena, csv ? "residents-template.csv" : "residents-template.xlsx",
                        csv ? "居民台账导入模板.csv" : "居民台账导入模板.xlsx");
    return response_bytes(res, 200, csv ? "text/csv; charset=utf-8" : XLSX_TYPE, data, len);
}

static Error *registry_handle_export(Request *req, Response *res)
{
    const char *format = request_query(req, "format");
    const char *community, *data = NULL, *name;
    json_t *c = NULL;
    int64_t count = 0;
    size_t len = 0;
    bool csv;
    Error *err;

    err = auth_require(req, ROLES_COMMUNITY_STAFF);
    if (err)
        return err;
    err = community_param(req, &community);
    if (err)
        return err;
    if (!auth_is_community_staff(req->user, community))
        return error_forbidden(req->arena, "台账含完整的身份证号和手机号，只有本社区的工作人员可以导出");
    if (format && *format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return error_bad_request(req->arena, "format", "invalid_format", "format 应为 xlsx 或 csv");
    csv = format && strcmp(format, "csv") == 0;
    err = registry_community_json(req, community, &c);
    if (err)
        return err;
    if (!c)
        return error_not_found(req->arena, "community", "找不到该社区");
    name = arena_strdup(req->arena, json_string_value(json_object_get(c, "name")));
    json_decref(c);
    if (csv)
        err = registry_export_csv(req->store, req->arena, req->app->keys, community, &data, &len, &count);
    else {
        ExportJob job = { req, community, 0 };

        err = sheet_xlsx_bytes(req->arena, export_xlsx_to, &job, EXPORT_MAX_XLSX, &data, &len);
        count = job.count;
    }
    if (err)
        return err;
    err = audit_record(req, "resident.export", "resident", 0, community,
                       json_pack("{s:I, s:s}", "rows", (json_int_t)count, "format", csv ? "csv" : "xlsx"));
    if (err)
        return err;
    disposition(req, res, community, name ? name : "", csv ? "csv" : "xlsx");
    response_header(res, "Cache-Control", "no-store");
    return response_bytes(res, 200, csv ? "text/csv; charset=utf-8" : XLSX_TYPE, data, len);
}

void registry_io_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/residents/import", registry_handle_import, ROUTE_LARGE_BODY);
    router_add(r, "GET", "/api/v1/residents/template", registry_handle_template, 0);
    router_add(r, "GET", "/api/v1/residents/export", registry_handle_export, 0);
}

/* ---- linli import residents | export residents ---- */

typedef struct CliArgs {
    const char *db, *community, *key, *file;
} CliArgs;

/* Parses --db, --community, --key and one FILE; 0 on success, else an exit code. */
static int cli_args(int argc, char **argv, const char *what, CliArgs *ret)
{
    CliArgs args = { 0 };
    const CliOption opts[] = { { "db", &args.db }, { "community", &args.community },
                               { "key", &args.key }, { 0 } };

    if (cli_options(argc, argv, opts))
        return 2;
    if (!args.db || !args.community || optind != argc - 1) {
        fprintf(stderr, "linli %s residents: --db, --community and one FILE are required\n", what);
        return 2;
    }
    if (!community_code_ok(args.community)) {
        fprintf(stderr, "linli %s residents: --community wants a 12-digit community code, not '%s'\n",
                what, args.community);
        return 2;
    }
    args.file = argv[optind];
    *ret = args;
    return 0;
}

/* Opens the database and the keys, and checks the community is known; false after a message. */
static bool cli_open(const CliArgs *args, Arena *a, Store **ret_st, CryptoKeys **ret_keys)
{
    bool exists = false;
    Error *err;

    *ret_st = cli_open_db(args->db);
    if (!*ret_st)
        return false;
    *ret_keys = cli_open_keys(args->db, args->key);
    if (!*ret_keys)
        return false;
    err = registry_store_community_exists(*ret_st, a, args->community, &exists);
    if (err) {
        cli_print_error(err);
        return false;
    }
    if (!exists) {
        fprintf(stderr, "linli: unknown community '%s' (run `linli import divisions` first)\n",
                args->community);
        return false;
    }
    return true;
}

static Error *audit_import_cli(void *ctx, Store *st, Arena *a, const char *community, json_t *detail)
{
    (void)ctx;
    return audit_record_system(st, a, "cli", "resident.import", "resident", 0, community, detail);
}

static void print_report(const CliArgs *args, json_t *report)
{
    json_t *rejected = json_object_get(report, "rejected"), *r;
    size_t i;

    printf("imported %lld of %lld rows from %s into %s\n",
           (long long)json_integer_value(json_object_get(report, "imported")),
           (long long)json_integer_value(json_object_get(report, "total_rows")), args->file,
           args->community);
    json_array_foreach(rejected, i, r) {
        const char *field = json_string_value(json_object_get(r, "field"));

        printf("line %lld: %s%s%s (%s)\n", (long long)json_integer_value(json_object_get(r, "line")),
               field ? field : "", field ? ": " : "", json_string_value(json_object_get(r, "message")),
               json_string_value(json_object_get(r, "code")));
    }
}

int registry_cli_import(int argc, char **argv)
{
    RegistryActor actor = { .audit = audit_import_cli };
    CryptoKeys *keys = NULL;
    RegistryFormat format;
    json_t *report = NULL;
    const char *errmsg;
    Store *st = NULL;
    CliArgs args;
    char *data;
    size_t len;
    Arena *a;
    Error *err;
    int rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli import residents --db FILE --community CODE [--key FILE] FILE.xlsx|FILE.csv\n\n"
             "Imports a residents register (台账) into community CODE (12 digits). The first\n"
             "row names the columns, in Chinese or English: 楼栋 单元 楼层 室号 面积 姓名 性别\n"
             "出生日期 身份证号 手机号 与户主关系 标签 迁入日期 (building unit floor room\n"
             "area_m2 name gender birth_date id_number phone relation tags moved_in);\n"
             "楼栋, 单元, 室号 and 姓名 are required. Buildings and households are created\n"
             "as needed. Good rows are imported and bad rows listed with the reason; the\n"
             "exit status is 0 when the file was read, even if rows were rejected.\n"
             "At most 20000 rows. A CSV must be UTF-8. --key defaults to <db>.key.");
        return 0;
    }
    rc = cli_args(argc, argv, "import", &args);
    if (rc)
        return rc;
    a = arena_new(0);
    rc = 1;
    if (!file_read_all(a, args.file, CLI_MAX_FILE, &data, &len, &errmsg)) {
        fprintf(stderr, "linli: cannot read '%s': %s\n", args.file, errmsg);
        goto out;
    }
    if (file_has_extension(args.file, ".csv")) {
        format = REGISTRY_FORMAT_CSV;
    } else if (!registry_file_format(file_has_extension(args.file, ".xlsx") ? XLSX_TYPE : NULL, data, len,
                                     &format)) {
        fprintf(stderr, "linli: '%s' is neither .xlsx nor .csv\n", args.file);
        goto out;
    }
    if (!cli_open(&args, a, &st, &keys))
        goto out;
    err = registry_import_residents(st, a, keys, args.community, data, len, format, &actor, &report);
    if (err) {
        cli_print_error(err);
        goto out;
    }
    print_report(&args, report);
    rc = 0;
out:
    json_decref(report);
    crypto_keys_free(keys);
    arena_free(a);
    store_close(st);
    text_shutdown();
    return rc;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

int registry_cli_export(int argc, char **argv)
{
    CryptoKeys *keys = NULL;
    const char *data = NULL;
    Store *st = NULL;
    int64_t count = 0;
    char *tmp = NULL;
    size_t len = 0;
    CliArgs args;
    bool csv;
    Arena *a;
    Error *err;
    int rc, fd;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli export residents --db FILE --community CODE [--key FILE] FILE.xlsx|FILE.csv\n\n"
             "Writes the active residents of community CODE, with full ID numbers and phones,\n"
             "to FILE: an Excel workbook (.xlsx) or UTF-8 CSV (.csv), by its extension. The\n"
             "columns are those `linli import residents` reads, so the file imports again.\n"
             "The file is created with mode 0600; the export is recorded in the audit log.\n"
             "--key defaults to <db>.key.");
        return 0;
    }
    rc = cli_args(argc, argv, "export", &args);
    if (rc)
        return rc;
    if (!file_has_extension(args.file, ".xlsx") && !file_has_extension(args.file, ".csv")) {
        fprintf(stderr, "linli export residents: FILE must end in .xlsx or .csv\n");
        return 2;
    }
    csv = file_has_extension(args.file, ".csv");
    a = arena_new(0);
    rc = 1;
    if (!cli_open(&args, a, &st, &keys))
        goto out;
    /* written beside FILE and renamed over it, so FILE is never half-written */
    tmp = arena_sprintf(a, "%s.XXXXXX", args.file);
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "linli: cannot create '%s': %s\n", tmp, strerror(errno));
        tmp = NULL;
        goto out;
    }
    if (csv) {
        err = registry_export_csv(st, a, keys, args.community, &data, &len, &count);
        if (!err && !write_all(fd, data, len))
            err = error_internal(a, "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
    } else {
        close(fd);
        err = registry_export_xlsx(st, a, keys, args.community, tmp, &count);
    }
    if (!err)
        err = audit_record_system(st, a, "cli", "resident.export", "resident", 0, args.community,
                                  json_pack("{s:I, s:s}", "rows", (json_int_t)count, "format",
                                            csv ? "csv" : "xlsx"));
    if (err) {
        cli_print_error(err);
        goto out;
    }
    if (rename(tmp, args.file) != 0) {
        fprintf(stderr, "linli: cannot rename '%s' to '%s': %s\n", tmp, args.file, strerror(errno));
        goto out;
    }
    tmp = NULL;
    printf("exported %lld residents of %s to %s\n", (long long)count, args.community, args.file);
    rc = 0;
out:
    if (tmp)
        unlink(tmp);
    crypto_keys_free(keys);
    arena_free(a);
    store_close(st);
    text_shutdown();
    return rc;
}
