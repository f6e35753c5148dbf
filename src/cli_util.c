#include "cli_util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/banned.h"

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

int cli_subcommand(int argc, char **argv, const CliCommand *cmds, const char *usage)
{
    for (const CliCommand *c = cmds; argc >= 2 && c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    puts(usage);
    return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}

int cli_options(int argc, char **argv, const CliOption *opts)
{
    struct option longopts[16];
    size_t n = 0;
    int c;

    for (; opts[n].name; n++) {
        if (n + 1 >= ARRAY_SIZE(longopts))
            abort();
        longopts[n] = (struct option){ opts[n].name,
                                       opts[n].value ? required_argument : no_argument, NULL,
                                       (int)n + 1 };
    }
    longopts[n] = (struct option){ 0 };
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c < 1 || (size_t)c > n)
            return 2;
        if (opts[c - 1].value)
            *opts[c - 1].value = optarg;
        else
            *opts[c - 1].flag = true;
    }
    return 0;
}

void cli_print_error(const Error *err)
{
    if (err->status >= 500)
        fprintf(stderr, "linli: %s\n", err->detail ? err->detail : err->message);
    else if (err->field)
        fprintf(stderr, "linli: %s (%s: %s)\n", err->message, err->field, err->code);
    else
        fprintf(stderr, "linli: %s (%s)\n", err->message, err->code);
}

Store *cli_open_db(const char *path)
{
    const char *errmsg = NULL;
    int applied = 0, version = 0;
    Store *st;
    Arena *a;
    Error *err;

    if (!path) {
        fprintf(stderr, "linli: --db FILE is required\n");
        return NULL;
    }
    st = store_open(path, &errmsg);
    if (!st) {
        fprintf(stderr, "linli: %s '%s'\n", errmsg, path);
        return NULL;
    }
    a = arena_new(0);
    err = store_migrate(st, a, &applied, &version);
    if (err)
        cli_print_error(err);
    arena_free(a);
    if (err) {
        store_close(st);
        return NULL;
    }
    return st;
}

CryptoKeys *cli_open_keys(const char *db, const char *key_path)
{
    Config c;
    const char *errmsg = NULL;
    CryptoKeys *k;

    config_defaults(&c);
    snprintf(c.db_path, sizeof(c.db_path), "%s", db);
    if (key_path)
        snprintf(c.key_path, sizeof(c.key_path), "%s", key_path);
    config_finish(&c);
    if (c.key_path[0] == '\0') {
        fprintf(stderr, "linli: --key FILE is required with a PostgreSQL database\n");
        return NULL;
    }
    k = crypto_keys_load(c.key_path, &errmsg);
    if (!k)
        fprintf(stderr, "linli: %s '%s'\n", errmsg, c.key_path);
    return k;
}
