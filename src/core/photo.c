/*
 * Photos on disk (core/photo.h): the checks an upload passes, and the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/filetype.h"
#include "core/log.h"
#include "core/photo.h"
#include "core/banned.h"

const char *photo_dir(Arena *a, const char *files_base, const char *module)
{
    return arena_sprintf(a, "%s.files/%s", files_base, module);
}

static Error *ensure_dir(Arena *a, const char *dir)
{
    char *parent = arena_strdup(a, dir);
    char *slash = strrchr(parent, '/');

    if (slash) {
        *slash = '\0';
        if (mkdir(parent, 0700) != 0 && errno != EEXIST)
            return error_internal(a, "cannot create '%s': %s", parent, strerror(errno));
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return error_internal(a, "cannot create '%s': %s", dir, strerror(errno));
    return NULL;
}


static Error *write_file(Arena *a, const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t done = 0;

    if (fd < 0)
        return error_internal(a, "cannot create '%s': %s", path, strerror(errno));
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(path);
            return error_internal(a, "cannot write '%s': %s", path, strerror(errno));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return error_internal(a, "cannot write '%s'", path);
    }
    return NULL;
}

Error *photo_save(Arena *a, const CryptoKeys *seal, const char *dir, const char *field,
                  const void *data, size_t len, size_t max_bytes, PhotoFile *ret)
{
    const FileType *type;
    const char *file, *path;
    char name[33];
    Error *err;

    if (len > max_bytes)
        return error_new(a, 413, field, "photo_too_large",
                         arena_sprintf(a, "照片不能超过 %zu MB，请压缩后再上传",
                                       max_bytes / (1024 * 1024)));
    type = filetype_sniff(data, len, FILETYPE_IMAGES, FILETYPE_N_IMAGES);
    if (!type)
        return error_new(a, 415, field, "not_an_image",
                         "文件不是 JPEG、PNG 或 WebP 图片，请重新选择照片");
    err = ensure_dir(a, dir);
    if (err)
        return err;
    crypto_random_hex(name, 16);
    file = arena_sprintf(a, "%s.%s", name, type->ext);
    path = arena_sprintf(a, "%s/%s", dir, file);
    if (seal) {
        size_t sealed_len;
        const void *sealed = crypto_seal_bytes(seal, a, data, len, &sealed_len);

        err = write_file(a, path, sealed, sealed_len);
    } else {
        err = write_file(a, path, data, len);
    }
    if (err)
        return err;
    ret->file = file;
    ret->path = path;
    ret->mime = type->mime;
    ret->size = (int64_t)len;
    return NULL;
}

void photo_remove(Arena *a, const char *dir, const char *file, const char *rid, int64_t id)
{
    const char *path = arena_sprintf(a, "%s/%s", dir, file);

    if (unlink(path) != 0 && errno != ENOENT)
        log_warn("cannot remove orphan photo", "rid", rid, "photo",
                 arena_sprintf(a, "%lld", (long long)id), "error", strerror(errno), NULL);
}

Error *photo_parse_ids_named(Arena *a, json_t *body, const char *key, int max, int64_t *ret,
                             int *ret_n)
{
    json_t *photos = json_object_get(body, key);
    int n = 0;
    size_t i;
    json_t *v;

    *ret_n = 0;
    if (!photos || json_is_null(photos))
        return NULL;
    if (!json_is_array(photos))
        return error_invalid(a, key, "invalid_type",
                             arena_sprintf(a, "字段“%s”应为照片编号的数组", key));
    if (json_array_size(photos) > (size_t)max)
        return error_invalid(a, key, "too_many_photos", arena_sprintf(a, "最多上传 %d 张照片", max));
    json_array_foreach (photos, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return error_invalid(a, arena_sprintf(a, "%s[%zu]", key, i), "invalid_type",
                                 "照片编号应为正整数（先上传照片取得编号）");
        for (int k = 0; k < n; k++)
            if (ret[k] == json_integer_value(v))
                return error_invalid(a, arena_sprintf(a, "%s[%zu]", key, i), "duplicate_photo",
                                     "同一张照片只能附一次");
        ret[n++] = json_integer_value(v);
    }
    *ret_n = n;
    return NULL;
}

Error *photo_parse_ids(Arena *a, json_t *body, int max, int64_t *ret, int *ret_n)
{
    return photo_parse_ids_named(a, body, "photos", max, ret, ret_n);
}
