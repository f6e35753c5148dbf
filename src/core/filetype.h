#pragma once
/*
 * What an uploaded file is, by its content, never by its name or
 * Content-Type: libmagic names the type, and a caller keeps only the types
 * it lists. Shared by case photos, announcement files and funds receipts.
 */
#include <stddef.h>

typedef struct FileType {
    const char *mime; /* "image/jpeg" */
    const char *ext;  /* "jpg", for a file name */
} FileType;

/* JPEG, PNG and WebP. */
extern const FileType FILETYPE_IMAGES[];
#define FILETYPE_N_IMAGES 3
/* The images above and PDF. */
extern const FileType FILETYPE_IMAGES_PDF[];
#define FILETYPE_N_IMAGES_PDF 4

/*
 * The entry of @types (@n of them) that @data's content is, or NULL when it
 * is none of them (or empty). libmagic, one cookie per call: thread-safe.
 */
const FileType *filetype_sniff(const void *data, size_t len, const FileType *types, size_t n);
