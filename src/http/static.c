#include "http/static.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/banned.h"


static const struct {
    const char *ext;
    const char *type;
} types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".ico", "image/x-icon" },
    { ".woff", "font/woff" },
    { ".woff2", "font/woff2" },
    { ".ttf", "font/ttf" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".webmanifest", "application/manifest+json" },
};

/*
 * The pages' policy: scripts only from this server (the built pages have no
 * inline script: h5.html loads /elder-boot.js), styles also inline (Element
 * Plus and Vant set style attributes), images also data:/blob: and a room's
 * photo from https, fonts also from Vant's icon font host (its CSS names
 * at.alicdn.com), no plugins, and no framing by other sites.
 */
#define STATIC_CSP                                                                       \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "           \
    "img-src 'self' data: blob: https:; font-src 'self' data: at.alicdn.com; connect-src 'self'; "      \
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (!dot)
        return "application/octet-stream";
    for (size_t i = 0; i < ARRAY_SIZE(types); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static bool open_file(Request *req, Response *res, const char *web_dir, const char *rel,
                      bool immutable)
{
    const char *full = arena_sprintf(req->arena, "%s/%s", web_dir, rel);
    struct stat st;
    int fd = open(full, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return false;
    }
    res->status = 200;
    res->fd = fd;
    res->fd_size = (size_t)st.st_size;
    res->content_type = type_of(rel);
    response_header(res, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (strncmp(res->content_type, "text/html", 9) == 0 || strncmp(res->content_type, "image/svg", 9) == 0) {
        response_header(res, "Content-Security-Policy", STATIC_CSP);
        response_header(res, "X-Frame-Options", "SAMEORIGIN");
        response_header(res, "Referrer-Policy", "same-origin");
    }
    return true;
}

bool static_serve(Request *req, Response *res, const char *web_dir, const char *path)
{
    const char *rel = path + 1;
    const char *last_slash;
    bool h5;

    if (!web_dir || !*web_dir)
        return false;
    if (strstr(path, "..") || strstr(path, "//") || strchr(path, '\\'))
        return false;
    h5 = strcmp(path, "/h5") == 0 || strncmp(path, "/h5/", 4) == 0;
    last_slash = strrchr(path, '/');
    if (*rel && strchr(last_slash, '.')) {
        if (open_file(req, res, web_dir, rel, strncmp(path, "/assets/", 8) == 0))
            return true;
        return false;
    }
    if (strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 || strncmp(path, "/assets/", 8) == 0)
        return false;
    return open_file(req, res, web_dir, h5 ? "h5.html" : "index.html", false);
}
