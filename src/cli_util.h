#pragma once
/*
 * What the `linli` commands share (main.c, registry_io.c, assistant_cli.c,
 * cases_cli.c): --help, subcommands, options, printing an Error, opening
 * the database and the key file. Each prints its own message on stderr when
 * it fails, so a command only returns its exit code.
 */
#include <stdbool.h>

#include "core/crypto.h"
#include "core/error.h"
#include "store/store.h"

/* True if --help or -h is among the arguments. */
bool cli_wants_help(int argc, char **argv);

/* A subcommand: `linli kb import ...` runs run(argc - 1, argv + 1) of "import". */
typedef struct CliCommand {
    const char *name;
    int (*run)(int argc, char **argv);
} CliCommand;

/*
 * Runs the subcommand of @cmds (ended by an entry with no name) that argv[1]
 * names; otherwise prints @usage on stdout and returns 0 for --help, else 2.
 */
int cli_subcommand(int argc, char **argv, const CliCommand *cmds, const char *usage);

/*
 * An option --NAME VALUE, the value kept in *value; or, with @value NULL,
 * a flag --NAME that sets *flag.
 */
typedef struct CliOption {
    const char *name;
    const char **value;
    bool *flag;
} CliOption;

/*
 * Reads the options of @opts (ended by an entry with no name; at most 15)
 * with getopt_long, a later one overriding an earlier; optind is left at
 * the first operand. 0, or 2 on an unknown option or a missing value
 * (getopt has said which on stderr).
 */
int cli_options(int argc, char **argv, const CliOption *opts);

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
