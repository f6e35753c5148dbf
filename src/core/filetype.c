#include <magic.h>
#include <string.h>

#include "core/filetype.h"
#include "core/banned.h"

const FileType FILETYPE_IMAGES[] = {
    { "image/jpeg", "jpg" },
    { "image/png", "png" },
    { "image/webp", "webp" },
};

const FileType FILETYPE_IMAGES_PDF[] = {
    { "image/jpeg", "jpg" },
    { "image/png", "png" },
    { "image/webp", "webp" },
    { "application/pdf", "pdf" },
};

const FileType *filetype_sniff(const void *data, size_t len, const FileType *types, size_t n)
{
    magic_t m;
    const char *mime;
    const FileType *out = NULL;

    if (!data || !len)
        return NULL;
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (!m)
        return NULL;
    if (magic_load(m, NULL) == 0) {
        mime = magic_buffer(m, data, len);
        for (size_t i = 0; mime && i < n; i++)
            if (strcmp(mime, types[i].mime) == 0)
                out = &types[i];
    }
    magic_close(m);
    return out;
}
