/*
 * `linli analytics classify --db FILE --scope CODE`: every community's
 * indicators and type as JSON lines, from the code the routes use
 * (analytics_compute, analytics_classification_json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_store.h"
#include "cli_util.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define CLASSIFY_HELP                                                                          \
    "usage: linli analytics classify --db FILE --scope CODE [--k N] [--seed S]\n\n"            \
    "Prints one JSON object a line for every community whose code starts with CODE\n"          \
    "(2, 4, 6, 9 or 12 digits): {\"code\",\"name\",\"street_code\",\"type\",\"matched\",\n"      \
    "\"cluster\",\"values\"}: the rule-based type under the scope's rules (混合型 when\n"       \
    "several types' rules hold, 一般型 when none, null without residents), the k-means\n"      \
    "group (1..N) of the standardised indicators (N groups, default 4; seed S, default\n"      \
    "1: the same seed gives the same groups), and the indicators (docs/API.md, 分析).\n"        \
    "The last line is {\"summary\":…}: the types' counts and each group's profile.\n"          \
    "FILE is a SQLite file or a postgresql:// URL.\n\n"                                          \
    "Exit status: 0, 1 on an error, 2 on bad arguments."

static int classify_cmd(int argc, char **argv)
{
    const char *db = NULL, *scope = NULL, *k_s = NULL, *seed_s = NULL, *source;
    const CliOption opts[] = { { "db", &db }, { "scope", &scope }, { "k", &k_s },
                               { "seed", &seed_s }, { 0 } };
    AnalyticsRule *rules;
    size_t n_rules, i;
    AnalyticsSet set;
    long k = 4;
    unsigned long long seed = 1;
    char *end;
    json_t *out, *item, *summary;
    int rc = 1;
    Store *st;
    Arena *a;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts(CLASSIFY_HELP);
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !scope) {
        fprintf(stderr, "linli analytics classify: --db and --scope are required\n");
        return 2;
    }
    if (!analytics_scope_valid(scope)) {
        fprintf(stderr, "linli analytics classify: --scope wants 2, 4, 6, 9 or 12 digits\n");
        return 2;
    }
    if (k_s) {
        k = strtol(k_s, &end, 10);
        if (*end || k < 1 || k > ANALYTICS_K_MAX) {
            fprintf(stderr, "linli analytics classify: --k wants 1 to %d\n", ANALYTICS_K_MAX);
            return 2;
        }
    }
    if (seed_s) {
        seed = strtoull(seed_s, &end, 10);
        if (*end || !*seed_s) {
            fprintf(stderr, "linli analytics classify: --seed wants a whole number\n");
            return 2;
        }
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    err = store_begin_read(st, a);
    if (!err)
        err = analytics_store_rules(st, a, scope, &rules, &n_rules, &source);
    if (!err)
        err = analytics_compute(st, a, scope, time_now_ms(), &set);
    if (err) {
        store_end_read(st, a);
        cli_print_error(err);
        goto out;
    }
    out = analytics_classification_json(a, &set, rules, n_rules, source, (size_t)k, seed);
    store_end_read(st, a);
    json_array_foreach(json_object_get(out, "items"), i, item) {
        char *line = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

        if (line)
            puts(line);
        free(line);
    }
    json_object_del(out, "items");
    summary = json_pack("{s:O}", "summary", out);
    {
        char *line = json_dumps(summary, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

        if (line)
            puts(line);
        free(line);
    }
    json_decref(summary);
    json_decref(out);
    rc = 0;
out:
    arena_free(a);
    store_close(st);
    return rc;
}

int analytics_cli(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "classify", classify_cmd }, { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli analytics classify --db FILE --scope CODE [--k N] [--seed S]\n\n"
                          "Community analytics (社区分析): `linli analytics classify --help` tells more.");
}
