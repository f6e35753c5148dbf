#pragma once
/*
 * Whole files, for the commands that import them and for files written
 * only to be read back (an export built on disk by libxlsxwriter).
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/*
 * Reads all of @path into @a, NUL-terminated. False with *ret_errmsg
 * (English, for the CLI and logs) if it cannot, if it is not a regular
 * file, or if it is over @max bytes.
 */
bool file_read_all(Arena *a, const char *path, size_t max, char **ret_data, size_t *ret_len,
                   const char **ret_errmsg);

/* True if @path ends in @ext (".csv"), in any case, after at least one other character. */
bool file_has_extension(const char *path, const char *ext);
