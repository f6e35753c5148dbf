#pragma once
/*
 * Uploaded images kept as files: what an upload is comes from its content,
 * never from its name or Content-Type (libmagic names the type; only JPEG,
 * PNG and WebP are kept), and it is written under a new random name in a
 * directory outside any web root. Case photos (cases_photo.c) and the
 * signed sheets of paper ballots (votes) both use it.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

/*
 * Checks @data (@len bytes) and writes it into @dir (created on demand,
 * with its parent): 413 photo_too_large over @max bytes, 415 not_an_image
 * unless it is a JPEG, PNG or WebP image, both naming @field. On success
 * *ret_mime is the type (static), *ret_file the new name in @dir and
 * *ret_path its path (to unlink if what follows fails), allocated in @a.
 */
Error *upload_image_write(Arena *a, const char *dir, const char *field, const void *data,
                          size_t len, size_t max, const char **ret_mime, const char **ret_file,
                          const char **ret_path);
