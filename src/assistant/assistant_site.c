/*
 * What the assistant knows of the asker's own community and of linli itself.
 *
 * A few knowledge-base entries, put there by migration 25 for everyone
 * (ids "S-<key>"), are templates: their answers name the asker's own
 * 居委会 from its profile (社区信息, the community module's table), e.g.
 * "{name}办公电话：{office_phone}[；夜间和节假日请打值班电话 {duty_phone}]。"
 * A bracketed part is left out when a field in it is empty; an entry whose
 * other fields are empty, or asked by someone with no community, is no
 * answer at all (dropped from the hits). They are one entry each, however
 * many communities there are, so they weigh in the index like any other;
 * admins may reword them in 知识库 like any other. Those about linli's own
 * pages (book a room, report, follow a report) carry the page as a link.
 */
#include <stdio.h>
#include <string.h>

#include "assistant/assistant.h"
#include "core/strbuf.h"
#include "core/banned.h"

#define SITE_PREFIX "S-"
#define SITE_ANSWER_MAX 4000 /* bytes: an entry's answer with the profile's fields in */

static const struct {
    const char *key, *link;
} LINKS[] = {
    { "rooms", "/h5/#/rooms" },       { "report", "/h5/#/cases/new" },
    { "cases", "/h5/#/cases" },       { "bookings", "/h5/#/bookings" },
    { "announcements", "/h5/#/announcements" },
};

bool assistant_site_entry(const char *entry_id)
{
    return entry_id && strncmp(entry_id, SITE_PREFIX, strlen(SITE_PREFIX)) == 0;
}

const char *assistant_entry_link(const char *entry_id)
{
    if (!assistant_site_entry(entry_id))
        return NULL;
    for (size_t i = 0; i < sizeof(LINKS) / sizeof(LINKS[0]); i++)
        if (strcmp(entry_id + strlen(SITE_PREFIX), LINKS[i].key) == 0)
            return LINKS[i].link;
    return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);

    return n >= m && memcmp(s + n - m, tail, m) == 0;
}

/* "幸福居委会" as it is, "幸福社区" as "幸福社区居委会". */
static const char *office_name(Arena *a, const char *name)
{
    if (!name || !*name)
        return "本社区居委会";
    if (ends_with(name, "居委会") || ends_with(name, "村委会") || ends_with(name, "委员会"))
        return name;
    return arena_sprintf(a, "%s居委会", name);
}

/* The value of {field} for @f; NULL for an unknown field. */
static const char *fact(Arena *a, const AssistantSiteFacts *f, const char *field, size_t n)
{
    static const struct {
        const char *name;
        size_t offset;
    } FIELDS[] = {
        { "office_phone", offsetof(AssistantSiteFacts, office_phone) },
        { "office_hours", offsetof(AssistantSiteFacts, office_hours) },
        { "address", offsetof(AssistantSiteFacts, address) },
        { "station", offsetof(AssistantSiteFacts, station) },
        { "duty_phone", offsetof(AssistantSiteFacts, duty_phone) },
    };
    const char *v;

    if (n == 4 && memcmp(field, "name", 4) == 0)
        return office_name(a, f->name);
    for (size_t i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
        if (strlen(FIELDS[i].name) == n && memcmp(FIELDS[i].name, field, n) == 0) {
            memcpy(&v, (const char *)f + FIELDS[i].offset, sizeof(v));
            return v ? v : "";
        }
    return NULL;
}

/*
 * Appends @tpl[0..@n) with its {fields} filled to @out; false if a field is
 * empty or unknown (then @out holds part of it).
 */
static bool fill(Arena *a, StrBuf *out, const char *tpl, size_t n, const AssistantSiteFacts *f)
{
    for (size_t i = 0; i < n;) {
        const char *close, *v;

        if (tpl[i] != '{') {
            strbuf_addc(out, tpl[i]);
            i++;
            continue;
        }
        close = memchr(tpl + i, '}', n - i);
        if (!close)
            return false;
        v = fact(a, f, tpl + i + 1, (size_t)(close - tpl - i - 1));
        if (!v || !*v)
            return false;
        strbuf_adds(out, v);
        i = (size_t)(close - tpl) + 1;
    }
    return true;
}

const char *assistant_site_render(Arena *a, const char *tpl, const AssistantSiteFacts *f)
{
    StrBuf out, part;
    size_t i = 0, n = strlen(tpl);

    strbuf_init(&out, a, SITE_ANSWER_MAX);
    while (i < n) {
        const char *open = memchr(tpl + i, '[', n - i), *close;
        size_t plain = open ? (size_t)(open - tpl) - i : n - i;

        if (!fill(a, &out, tpl + i, plain, f))
            return NULL;
        i += plain;
        if (!open)
            break;
        close = memchr(open, ']', n - i);
        if (!close)
            return NULL;
        /* an optional part: kept whole or left out */
        strbuf_init(&part, a, SITE_ANSWER_MAX);
        if (fill(a, &part, open + 1, (size_t)(close - open - 1), f))
            strbuf_add(&out, part.buf, part.len);
        i = (size_t)(close - tpl) + 1;
    }
    return strbuf_finish(&out, NULL);
}

Error *assistant_site_hits(Store *st, Arena *a, const char *community, AssistantHit *hits,
                           size_t *n)
{
    AssistantSiteFacts f;
    bool have = false, looked = false;
    size_t kept = 0;
    Error *err;

    for (size_t i = 0; i < *n; i++) {
        const char *text = NULL;

        if (!assistant_site_entry(hits[i].id)) {
            hits[kept++] = hits[i];
            continue;
        }
        if (!looked && community && strlen(community) == 12) {
            err = assistant_store_site_facts(st, a, community, &f, &have);
            if (err)
                return err;
        }
        looked = true;
        if (have)
            text = assistant_site_render(a, hits[i].answer, &f);
        if (text) {
            hits[i].answer = text;
            hits[kept++] = hits[i];
        }
    }
    *n = kept;
    return NULL;
}

Error *assistant_site_fill(Store *st, Arena *a, const char *community, const char *tpl,
                          const char **ret)
{
    AssistantSiteFacts f;
    bool have = false;
    Error *err;

    *ret = NULL;
    if (!community || strlen(community) != 12)
        return NULL;
    err = assistant_store_site_facts(st, a, community, &f, &have);
    if (!err && have)
        *ret = assistant_site_render(a, tpl, &f);
    return err;
}

Error *assistant_site_contact(Store *st, Arena *a, const char *community, const char **ret)
{
    KbEntry *e = NULL;
    Error *err;

    *ret = NULL;
    err = assistant_store_entry_get(st, a, SITE_PREFIX "phone", &e);
    if (!err && e)
        err = assistant_site_fill(st, a, community, e->answer, ret);
    return err;
}
