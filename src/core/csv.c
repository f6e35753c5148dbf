#include "core/csv.h"

#include <string.h>
#include "core/banned.h"


void csv_init(CsvParser *c, const char *data, size_t len)
{
    c->p = data;
    c->end = data + len;
    c->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
}

int csv_next(CsvParser *c, Arena *a, size_t max_cells, char ***ret_cells, size_t *ret_n,
             int *ret_line)
{
    size_t cap = 16, n = 0;
    char **cells;
    StrBuf field;

    if (c->p >= c->end)
        return 0;
    cells = arena_alloc(a, cap * sizeof(char *));
    *ret_line = c->line;
    for (;;) {
        bool quoted = false;

        strbuf_init(&field, a, 64 * 1024);
        if (c->p < c->end && *c->p == '"') {
            quoted = true;
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return -1;
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        strbuf_addc(&field, '"');
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (*c->p == '\n')
                    c->line++;
                strbuf_addc(&field, *c->p++);
            }
        }
        while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
            if (!quoted || *c->p != ' ')
                strbuf_addc(&field, *c->p);
            c->p++;
        }
        if (n < max_cells) {
            if (n == cap) {
                char **nc = arena_alloc(a, cap * 2 * sizeof(char *));

                memcpy(nc, cells, cap * sizeof(char *));
                cells = nc;
                cap *= 2;
            }
            cells[n++] = (char *)(strbuf_finish(&field, NULL) ? field.buf : "");
        }
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        c->line++;
        break;
    }
    *ret_cells = cells;
    *ret_n = n;
    return 1;
}

void csv_write_cell(StrBuf *sb, const char *s)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';

    if (quote)
        strbuf_addc(sb, '"');
    if (formula)
        strbuf_addc(sb, '\'');
    for (; *s; s++) {
        if (*s == '"')
            strbuf_addc(sb, '"');
        strbuf_addc(sb, *s);
    }
    if (quote)
        strbuf_addc(sb, '"');
}
