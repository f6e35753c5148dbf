#include "http/static.h"

#include <fcntl.h>
#include <string.h>
#include <strings.h>
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

static bool compressible(const char *type)
{
    return strncmp(type, "text/", 5) == 0 || strncmp(type, "application/json", 16) == 0 ||
           strncmp(type, "image/svg+xml", 13) == 0 || strncmp(type, "application/manifest", 20) == 0;
}

/*
 * True if the Accept-Encoding value @header admits @coding: named (or "*")
 * without "q=0". Codings are case-insensitive; other parameters are ignored.
 */
bool static_accepts(const char *header, const char *coding)
{
    size_t n = strlen(coding);
    const char *p = header;

    while (p && *p) {
        const char *end = strchr(p, ',');
        const char *semi, *q;
        size_t len;

        if (!end)
            end = p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        semi = memchr(p, ';', (size_t)(end - p));
        len = (size_t)((semi ? semi : end) - p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((len == n && strncasecmp(p, coding, n) == 0) || (len == 1 && *p == '*')) {
            /* "q=0", "q=0.0", "q=0.000": refused; any other weight accepts */
            q = semi ? strstr(semi, "q=") : NULL;
            if (!q || q > end)
                return true;
            q += 2;
            if (*q != '0')
                return true;
            for (q++; q < end && (*q == '.' || *q == '0'); q++)
                ;
            if (q < end && *q >= '1' && *q <= '9')
                return true;
            return false;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

/* @full's precompressed sibling (FILE.br, FILE.gz) that the client takes, opened; -1 if none. */
static int open_encoded(Request *req, const char *full, const char **ret_coding)
{
    static const struct {
        const char *coding, *ext;
    } codings[] = { { "br", ".br" }, { "gzip", ".gz" } };
    const char *accept = request_header(req, "Accept-Encoding");

    if (!accept)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(codings); i++) {
        int fd;

        if (!static_accepts(accept, codings[i].coding))
            continue;
        fd = open(arena_sprintf(req->arena, "%s%s", full, codings[i].ext), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            *ret_coding = codings[i].coding;
            return fd;
        }
    }
    return -1;
}

static bool open_file(Request *req, Response *res, const char *web_dir, const char *rel,
                      bool immutable)
{
    const char *full = arena_sprintf(req->arena, "%s/%s", web_dir, rel);
    const char *type = type_of(rel), *coding = NULL;
    struct stat st;
    int fd = -1;

    if (compressible(type))
        fd = open_encoded(req, full, &coding);
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
        coding = NULL;
    }
    if (fd < 0) {
        fd = open(full, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return false;
        }
    }
    res->status = 200;
    res->fd = fd;
    res->fd_size = (size_t)st.st_size;
    res->content_type = type;
    response_header(res, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (compressible(type))
        response_header(res, "Vary", "Accept-Encoding");
    if (coding)
        response_header(res, "Content-Encoding", coding);
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
