#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/banned.h"


static LogLevel min_level = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_set_level(LogLevel level)
{
    min_level = level;
}

bool log_enabled(LogLevel level)
{
    return level >= min_level;
}

static void put_json_string(char *out, size_t cap, size_t *len, const char *s)
{
    for (; *s && *len + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            out[(*len)++] = '\\';
            out[(*len)++] = (char)c;
        } else if (c < 0x20) {
            *len += (size_t)snprintf(out + *len, cap - *len, "\\u%04x", c);
        } else {
            out[(*len)++] = (char)c;
        }
    }
}

void log_write(LogLevel level, const char *msg, ...)
{
    char line[4096];
    size_t len = 0;
    struct timespec ts;
    struct tm tm;
    va_list ap;

    if (level < min_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    len += strftime(line, sizeof(line), "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
    len += (size_t)snprintf(line + len, sizeof(line) - len, ".%03ldZ\",\"level\":\"%s\",\"msg\":\"",
                            ts.tv_nsec / 1000000, level_names[level]);
    put_json_string(line, sizeof(line), &len, msg);
    line[len++] = '"';
    va_start(ap, msg);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        const char *val;

        if (!key)
            break;
        val = va_arg(ap, const char *);
        if (len + 16 >= sizeof(line))
            break;
        line[len++] = ',';
        line[len++] = '"';
        put_json_string(line, sizeof(line), &len, key);
        line[len++] = '"';
        line[len++] = ':';
        line[len++] = '"';
        put_json_string(line, sizeof(line), &len, val ? val : "");
        line[len++] = '"';
    }
    va_end(ap);
    if (len + 3 > sizeof(line))
        len = sizeof(line) - 3;
    line[len++] = '}';
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}
