#pragma once
#include <stddef.h>

/* A text file compiled into the binary by scripts/embed.py. */
typedef struct EmbeddedFile {
    const char *name; /* base name, e.g. "0001_init.sql" */
    size_t size;      /* bytes in the source file */
    const char *text; /* NUL-terminated contents */
} EmbeddedFile;
