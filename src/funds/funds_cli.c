/*
 * Funds on the command line: `linli funds ledger` prints a year's ledger of
 * a community (or a street) as JSON and exits 1 when it does not reconcile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "core/validate.h"
#include "funds/funds.h"
#include "funds/funds_store.h"
#include "core/banned.h"

static int funds_ledger_cmd(int argc, char **argv)
{
    const char *db = NULL, *community = NULL, *year_s = NULL, *code;
    const CliOption opts[] = { { "db", &db }, { "community", &community }, { "year", &year_s },
                               { 0 } };
    FundsLedgerLine *lines = NULL;
    size_t n = 0;
    long year;
    char *end, *text;
    bool ok = false;
    int rc = 1;
    json_t *out;
    Store *st;
    Arena *a;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli funds ledger --db FILE --community CODE --year YYYY\n\n"
             "Prints the year's 自治金 ledger of community CODE (12 digits), or of every\n"
             "community of street CODE (9 digits), as JSON: per budget line and in total,\n"
             "in fen, budget, approved, spent, committed, returned and available, with\n"
             "\"reconciles\" and the problems found. It reconciles when budget = approved +\n"
             "available and approved = spent + committed + returned on every line, and\n"
             "the lines' running totals match their projects and spending lines.\n"
             "FILE is a SQLite file or a postgresql:// URL.\n\n"
             "Exit status: 0 when it reconciles, 1 when it does not (or on an error),\n"
             "2 on bad arguments.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !community || !year_s) {
        fprintf(stderr, "linli funds ledger: --db, --community and --year are required\n");
        return 2;
    }
    year = strtol(year_s, &end, 10);
    if (*end || year < 2000 || year > 2100) {
        fprintf(stderr, "linli funds ledger: --year wants a year from 2000 to 2100\n");
        return 2;
    }
    a = arena_new(0);
    err = validate_division_code(a, "community", community, &code);
    if (err) {
        cli_print_error(err);
        arena_free(a);
        return 2;
    }
    st = cli_open_db(db);
    if (!st) {
        arena_free(a);
        return 1;
    }
    err = store_begin_read(st, a);
    if (!err)
        err = funds_store_ledger(st, a, code, arena_sprintf(a, "%s~", code), (int)year, &lines, &n);
    store_end_read(st, a);
    if (err) {
        cli_print_error(err);
        goto out;
    }
    out = funds_ledger_report(lines, n, (int)year, code, &ok);
    text = json_dumps(out, JSON_INDENT(1));
    json_decref(out);
    if (text)
        puts(text);
    free(text);
    if (!ok)
        fprintf(stderr, "linli funds ledger: the ledger of %s for %ld does not reconcile\n", code,
                year);
    rc = ok ? 0 : 1;
out:
    arena_free(a); /* its statements first, then their connection */
    store_close(st);
    return rc;
}

int funds_cli(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "ledger", funds_ledger_cmd }, { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli funds ledger --db FILE --community CODE --year YYYY\n\n"
                          "自治金 (community funds): `linli funds ledger --help` tells more.");
}
