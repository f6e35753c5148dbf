#include "cli_util.h"

#include <stdio.h>
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
    k = crypto_keys_load(c.key_path, &errmsg);
    if (!k)
        fprintf(stderr, "linli: %s '%s'\n", errmsg, c.key_path);
    return k;
}
