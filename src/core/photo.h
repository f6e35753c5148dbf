#pragma once
/*
 * Uploaded photos on disk, for every module that keeps them (cases, care).
 * What a file is comes from its content, never from its name or
 * Content-Type: libmagic names the type, and only JPEG, PNG and WebP are
 * kept. Files go to "<files_base>.files/<module>/" beside the database,
 * outside any web root, under a random name; each module keeps its own
 * rows (who uploaded, what the photo belongs to) and serves them itself.
 */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/error.h"

typedef struct PhotoFile {
    const char *file;  /* "<32 hex>.jpg", inside the module's directory */
    const char *path;  /* the whole path: unlink it when the row is not written */
    const char *mime;  /* "image/jpeg", "image/png", "image/webp" */
    int64_t size;
} PhotoFile;

/* "<files_base>.files/<module>", in @a. */
const char *photo_dir(Arena *a, const char *files_base, const char *module);

/*
 * Checks @data as an upload is checked, size first (413 photo_too_large
 * over @max_bytes), then type by content (415 not_an_image), each naming
 * @field, and writes it under a new name to @dir (created on demand, with
 * its parent): sealed with @seal (crypto_seal_bytes) when given, for
 * photos that are personal data (care's), else as it came. *ret is
 * filled only on success.
 */
Error *photo_save(Arena *a, const CryptoKeys *seal, const char *dir, const char *field,
                  const void *data, size_t len, size_t max_bytes, PhotoFile *ret);

/* Removes @dir/@file (a purged photo); a failure other than "already gone" is logged only. */
void photo_remove(Arena *a, const char *dir, const char *file, const char *rid, int64_t id);

/*
 * "photos" of @body: up to @max distinct positive ids (of uploaded photos)
 * into @ret (room for @max); absent or null: none. 422 naming "photos"
 * (too_many_photos, invalid_type) or "photos[i]" (invalid_type, duplicate_photo).
 */
Error *photo_parse_ids(Arena *a, json_t *body, int max, int64_t *ret, int *ret_n);
/* The same for the array under @key ("photo_ids"): 422 naming @key or "@key[i]". */
Error *photo_parse_ids_named(Arena *a, json_t *body, const char *key, int max, int64_t *ret,
                             int *ret_n);
