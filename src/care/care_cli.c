/*
 * Care on the command line: `linli care assess` scores GB/T 42195-2022
 * assessments read as JSON lines on stdin, one result line each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care/care.h"
#include "cli_util.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* A line longer than this is refused, not read into memory. */
#define LINE_MAX_BYTES (64 * 1024)

static void print_json_line(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);

    if (s)
        puts(s);
    free(s);
    json_decref(j);
}

static void print_error_line(const Error *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err->code, "message", err->message);

    json_object_set_new(e, "field", err->field ? json_string(err->field) : json_null());
    print_json_line(json_pack("{s:o}", "error", e));
}

static void assess_line(const char *line, size_t len, const CareAssessRules *rules)
{
    Arena *a = arena_new(0);
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    CareAssessInput in;
    CareAssessment as;
    Error *err;

    if (!obj) {
        err = error_bad_request(a, NULL, "malformed_json",
                                arena_sprintf(a, "这一行不是有效的 JSON（第 %d 列附近），请检查括号、引号和逗号",
                                              jerr.column));
    } else {
        err = care_assess_parse(a, obj, &in);
    }
    if (err) {
        print_error_line(err);
    } else {
        care_assess(a, &in, rules, &as);
        print_json_line(care_assessment_json(&as));
    }
    json_decref(obj);
    arena_free(a);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    }
    return true;
}

static int care_assess_cmd(int argc, char **argv)
{
    const char *coma = NULL, *risk_count = NULL;
    bool no_stack = false;
    const CliOption opts[] = { { "coma", &coma },
                               { "risk-count", &risk_count },
                               { "no-stack", NULL, &no_stack },
                               { 0 } };
    CareAssessRules rules;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli care assess [--coma complete|severe] [--risk-count sum|per-type] [--no-stack]\n"
             "\n"
             "Scores ability assessments of GB/T 42195-2022《老年人能力评估规范》, one JSON\n"
             "object a line on stdin:\n"
             "  {\"items\": {\"B.1.1\": 4, ..., \"B.4.5\": 3}, \"coma\": false,\n"
             "   \"diagnoses\": [\"F01\"], \"risk_events_30d\": {\"fall\": 1, \"choking\": 1}}\n"
             "All 26 items B.1.1-B.4.5 are required (higher = more able); coma, diagnoses\n"
             "(ICD-10 codes) and risk_events_30d (fall, choking, suicide, self_harm,\n"
             "wandering, other: counts in the last 30 days) are optional. Prints one line\n"
             "each, in order:\n"
             "  {\"total\", \"dimensions\": {\"B.1\", \"B.2\", \"B.3\", \"B.4\"},\n"
             "   \"preliminary_level\", \"adjustments\": [{\"rule\", \"reason\"}], \"final_level\"}\n"
             "or {\"error\": {\"code\", \"message\", \"field\"}} for a line that cannot be scored.\n"
             "Blank lines are skipped. Exit status 0 when stdin was read to its end.\n"
             "\n"
             "Levels by total (C.3): 0 能力完好 90, 1 轻度 66-89, 2 中度 46-65, 3 重度 30-45,\n"
             "4 完全丧失 0-29. Adjustments (C.4): dementia F00-F03 or another psychiatric\n"
             "diagnosis F04-F99 raises one level; 2 or more care-risk events in 30 days\n"
             "raises one level; coma sets the level; never above 4.\n"
             "\n"
             "Where the standard's transcriptions differ, a setting decides:\n"
             "  --coma complete   coma → level 4, as C.4 says (default)\n"
             "  --coma severe     coma → at least level 3, as the B.3.9 note says\n"
             "  --risk-count sum  2 or more events of all types together (default)\n"
             "  --risk-count per-type   2 or more events of one type\n"
             "  --no-stack        diagnosis and risk events together raise one level at most\n"
             "                    (default: each raises one)");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    care_assess_rules_default(&rules);
    if (coma && strcmp(coma, "severe") == 0) {
        rules.coma = CARE_COMA_SEVERE;
    } else if (coma && strcmp(coma, "complete") != 0) {
        fprintf(stderr, "linli care assess: --coma takes complete or severe\n");
        return 2;
    }
    if (risk_count && strcmp(risk_count, "per-type") == 0) {
        rules.risk_count = CARE_RISK_PER_TYPE;
    } else if (risk_count && strcmp(risk_count, "sum") != 0) {
        fprintf(stderr, "linli care assess: --risk-count takes sum or per-type\n");
        return 2;
    }
    rules.stack = !no_stack;

    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;

        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (blank(line, len))
            continue;
        if (len > LINE_MAX_BYTES) {
            Arena *a = arena_new(0);

            print_error_line(error_too_large(a, "这一行太长（最多 64 KB）"));
            arena_free(a);
            continue;
        }
        assess_line(line, len, &rules);
    }
    free(line);
    fflush(stdout);
    return 0;
}

/* `linli care sweep`: the overdue sweep of `linli serve`, once, at --now (tests, cron). */
static int care_sweep_cmd(int argc, char **argv)
{
    const char *db = NULL, *key = NULL, *at = NULL;
    const CliOption opts[] = { { "db", &db }, { "key", &key }, { "now", &at }, { 0 } };
    int64_t now = time_now_ms(), n = 0, t0;
    CryptoKeys *keys;
    Store *st;
    Arena *a;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli care sweep --db FILE [--key FILE] [--now RFC3339]\n"
             "\n"
             "Runs the care overdue sweep once, as `linli serve` does every cases_sweep_ms:\n"
             "daily 平安 checks missing after the community's hour and visits past their\n"
             "rhythm raise their notices (helpers, then staff, then the secretary), each\n"
             "alert once, however many sweeps run. --now sweeps as if it were that time.\n"
             "Prints how many alerts it raised (and, on stderr, how long the sweep took).");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db) {
        fprintf(stderr, "linli care sweep: --db FILE is required\n");
        return 2;
    }
    if (at && !time_parse_rfc3339(at, &now, NULL)) {
        fprintf(stderr, "linli care sweep: --now wants an RFC 3339 time\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    keys = cli_open_keys(db, key);
    if (!keys) {
        store_close(st);
        return 1;
    }
    a = arena_new(0);
    t0 = time_mono_us();
    err = care_sweep(st, a, keys, now, &n);
    if (err) {
        cli_print_error(err);
    } else {
        printf("%lld\n", (long long)n);
        fprintf(stderr, "linli care sweep: %lld alerts in %.0f ms\n", (long long)n,
                (double)(time_mono_us() - t0) / 1e3);
    }
    arena_free(a);
    crypto_keys_free(keys);
    store_close(st);
    return err ? 1 : 0;
}

/* `linli care generate`: care across a whole street, for benchmarks. */
static int care_generate_cmd(int argc, char **argv)
{
    const char *db = NULL, *key = NULL, *street = "310105004", *per = NULL;
    const CliOption opts[] = {
        { "db", &db }, { "key", &key }, { "street", &street }, { "per-community", &per }, { 0 }
    };
    int64_t per_community = 2000, n = 0, t0 = time_mono_us();
    CryptoKeys *keys;
    Store *st;
    Arena *a;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli care generate --db FILE [--key FILE] [--street CODE] [--per-community N]\n"
             "\n"
             "For benchmarks, on a database `linli demo` made: puts up to N (default 2000)\n"
             "elderly residents (tagged 独居老人 or 高龄) of every community of the street\n"
             "(default 310105004) in care as the demo does: reasons, one or two assessments,\n"
             "a pair with the demo's grid worker, visits on their grade's rhythm over the\n"
             "last months (some behind). One transaction per community. Prints how many.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (per)
        per_community = strtoll(per, NULL, 10);
    if (per_community < 1 || per_community > 1000000) {
        fprintf(stderr, "linli care generate: --per-community takes 1..1000000\n");
        return 2;
    }
    if (!db) {
        fprintf(stderr, "linli care generate: --db FILE is required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    keys = cli_open_keys(db, key);
    if (!keys) {
        store_close(st);
        return 1;
    }
    a = arena_new(0);
    err = care_generate(st, a, keys, street, per_community, 20261207, time_now_ms(), &n);
    if (err)
        cli_print_error(err);
    else
        printf("put %lld people in care in %.1f s\n", (long long)n,
               (double)(time_mono_us() - t0) / 1e6);
    arena_free(a);
    crypto_keys_free(keys);
    store_close(st);
    return err ? 1 : 0;
}

int care_cli(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "assess", care_assess_cmd },
                                       { "sweep", care_sweep_cmd },
                                       { "generate", care_generate_cmd },
                                       { 0 } };

    return cli_subcommand(argc, argv, cmds, "usage: linli care assess|sweep|generate [--help]");
}
