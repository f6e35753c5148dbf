#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

bool file_read_all(Arena *a, const char *path, size_t max, char **ret_data, size_t *ret_len,
                   const char **ret_errmsg)
{
    struct stat sb;
    size_t len = 0;
    char *buf;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        *ret_errmsg = strerror(errno);
        return false;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
        *ret_errmsg = "not a regular file, or too large";
        close(fd);
        return false;
    }
    buf = arena_alloc(a, (size_t)sb.st_size + 1);
    while (len < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + len, (size_t)sb.st_size - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *ret_errmsg = n < 0 ? strerror(errno) : "file shrank while reading";
            close(fd);
            return false;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    *ret_data = buf;
    *ret_len = len;
    return true;
}

bool file_has_extension(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);

    return n > m && strcasecmp(path + n - m, ext) == 0;
}
