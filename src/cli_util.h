#pragma once
/*
 * What the `linli` commands share (main.c, registry_io.c): --help, printing
 * an Error, opening the database and the key file. Each prints its own
 * message on stderr when it fails, so a command only returns its exit code.
 */
#include <stdbool.h>

#include "core/crypto.h"
#include "core/error.h"
#include "store/store.h"

/* True if --help or -h is among the arguments. */
bool cli_wants_help(int argc, char **argv);

/* "linli: MESSAGE (field: code)"; an internal error's detail instead of its message. */
void cli_print_error(const Error *err);

/* Opens @path (created if missing) and applies pending migrations; NULL after a message. */
Store *cli_open_db(const char *path);

/*
 * Loads the master key from @key_path, or from the default beside @db
 * (<db>.key) when @key_path is NULL; NULL after a message. Free with
 * crypto_keys_free().
 */
CryptoKeys *cli_open_keys(const char *db, const char *key_path);
