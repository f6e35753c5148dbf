#include "core/upload.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/banned.h"

static const struct {
    const char *mime;
    const char *ext;
} image_types[] = {
    { "image/jpeg", "jpg" },
    { "image/png", "png" },
    { "image/webp", "webp" },
};

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

/* The image type of @data by its content, or NULL: libmagic, one cookie per call (not thread-safe). */
static const char *sniff(const void *data, size_t len, const char **ret_ext)
{
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    const char *mime, *out = NULL;

    if (!m)
        return NULL;
    if (magic_load(m, NULL) == 0) {
        mime = magic_buffer(m, data, len);
        for (size_t i = 0; mime && i < sizeof(image_types) / sizeof(image_types[0]); i++) {
            if (strcmp(mime, image_types[i].mime) == 0) {
                out = image_types[i].mime;
                *ret_ext = image_types[i].ext;
            }
        }
    }
    magic_close(m);
    return out;
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

Error *upload_image_write(Arena *a, const char *dir, const char *field, const void *data,
                          size_t len, size_t max, const char **ret_mime, const char **ret_file,
                          const char **ret_path)
{
    const char *mime, *ext = NULL, *file, *path;
    char name[33];
    Error *err;

    if (len > max)
        return error_new(a, 413, field, "photo_too_large",
                         arena_sprintf(a, "照片不能超过 %zu MB，请压缩后再上传", max / (1024 * 1024)));
    mime = sniff(data, len, &ext);
    if (!mime)
        return error_new(a, 415, field, "not_an_image",
                         "文件不是 JPEG、PNG 或 WebP 图片，请重新选择照片");
    err = ensure_dir(a, dir);
    if (err)
        return err;
    crypto_random_hex(name, 16);
    file = arena_sprintf(a, "%s.%s", name, ext);
    path = arena_sprintf(a, "%s/%s", dir, file);
    err = write_file(a, path, data, len);
    if (err)
        return err;
    *ret_mime = mime;
    *ret_file = file;
    *ret_path = path;
    return NULL;
}
