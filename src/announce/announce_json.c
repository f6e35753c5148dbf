/* Announcement -> json_t. */
#include <string.h>

#include "announce/announce.h"
#include "core/timeutil.h"
#include "http/response.h"
#include "core/banned.h"

static json_t *time_or_null(Arena *a, int64_t ms)
{
    return ms ? json_string(time_format_rfc3339_at(a, ms, TIME_OFFSET_SHANGHAI)) : json_null();
}

/* Whom it reaches, for people: "幸福居委会 · 3号楼 2单元 · 老年人". */
static const char *audience(Arena *a, const Announcement *x)
{
    const char *s = x->scope_name;

    if (x->building_id)
        s = arena_sprintf(a, "%s · %s", s, x->building_name ? x->building_name : "");
    if (x->unit)
        s = arena_sprintf(a, "%s %lld单元", s, (long long)x->unit);
    if (x->tag)
        s = arena_sprintf(a, "%s · %s", s, x->tag);
    return s;
}

json_t *announce_json(Arena *a, const Announcement *x, bool staff, bool can_edit)
{
    json_t *files = json_array();
    json_t *o;

    for (size_t i = 0; i < x->n_files; i++) {
        const AnnounceFile *f = &x->files[i];

        json_array_append_new(
            files, json_pack("{s:I, s:s, s:s, s:I, s:b, s:s}", "id", (json_int_t)f->id, "name",
                             f->name, "mime", f->mime, "size", (json_int_t)f->size, "image",
                             strncmp(f->mime, "image/", 6) == 0, "url",
                             arena_sprintf(a, "/api/v1/announcement-files/%lld", (long long)f->id)));
    }
    o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:b, s:o, s:s, s:s, s:s,"
                  " s:o, s:o}",
                  "id", (json_int_t)x->id,
                  "scope", x->scope,
                  "scope_name", x->scope_name,
                  "building_id", x->building_id ? json_integer(x->building_id) : json_null(),
                  "building_name", json_string_or_null(x->building_id ? x->building_name : NULL),
                  "unit", x->unit ? json_integer(x->unit) : json_null(),
                  "tag", json_string_or_null(x->tag),
                  "audience", audience(a, x),
                  "title", x->title,
                  "body", x->body,
                  "pinned", x->pinned,
                  "ends_at", time_or_null(a, x->ends_at_ms),
                  "state", announce_state_name(x->state),
                  "author_name", x->author_name,
                  "created_at", time_format_rfc3339_at(a, x->created_at_ms, TIME_OFFSET_SHANGHAI),
                  "read_at", time_or_null(a, x->read_at_ms),
                  "files", files);
    if (staff) {
        json_object_set_new(o, "households", json_integer(x->households));
        json_object_set_new(o, "read_households", json_integer(x->read_households));
        json_object_set_new(o, "updated_at", time_or_null(a, x->updated_at_ms));
        json_object_set_new(o, "withdrawn_at", time_or_null(a, x->withdrawn_at_ms));
        json_object_set_new(o, "can_edit", json_boolean(can_edit));
    }
    return o;
}
