/*
 * Request bodies of the volunteers' routes: skills and availability are
 * codes of fixed lists (volunteers_rules.c), stored as JSON arrays.
 */
#include <stdlib.h>
#include <string.h>

#include "volunteers/volunteers_routes.h"
#include "core/banned.h"

/* "@name": an array of codes of @list without repeats, as JSON text into *ret. */
static Error *codes_field(Request *req, json_t *body, const char *name, const char *what,
                          const VolunteersCode *list, const char **ret)
{
    json_t *v = json_object_get(body, name), *t;
    size_t i;
    char *s;

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "“%s”应为%s代码的数组", name, what));
    if (json_array_size(v) > VOLUNTEERS_MAX_SKILLS)
        return error_invalid(req->arena, name, "too_many",
                             arena_sprintf(req->arena, "%s最多选 %d 项", what,
                                           VOLUNTEERS_MAX_SKILLS));
    json_array_foreach (v, i, t) {
        const char *field = arena_sprintf(req->arena, "%s[%zu]", name, i);

        if (!json_is_string(t))
            return error_invalid(req->arena, field, "invalid_type",
                                 arena_sprintf(req->arena, "%s应为代码文本", what));
        if (!volunteers_code_label(list, json_string_value(t)))
            return error_invalid(req->arena, field, "unknown_code",
                                 arena_sprintf(req->arena, "未知的%s：%s", what,
                                               json_string_value(t)));
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_array_get(v, j)), json_string_value(t)) == 0)
                return error_invalid(req->arena, field, "duplicate",
                                     arena_sprintf(req->arena, "%s“%s”重复了", what,
                                                   volunteers_code_label(list,
                                                                         json_string_value(t))));
    }
    s = json_dumps(v, JSON_COMPACT);
    *ret = arena_strdup(req->arena, s);
    free(s);
    return NULL;
}

Error *volunteers_parse(Request *req, json_t *body, bool status, VolunteerInput *in)
{
    Error *err;

    err = codes_field(req, body, "skills", "技能", volunteers_skills, &in->skills_json);
    if (!err)
        err = codes_field(req, body, "availability", "服务时间", volunteers_slots,
                          &in->availability_json);
    if (!err)
        err = request_field_string(req, body, "skills_other", false, 0, 200, &in->skills_other);
    if (!err && status)
        err = request_field_string(req, body, "status", false, 1, 10, &in->status);
    if (!err && in->status && strcmp(in->status, "active") != 0 &&
        strcmp(in->status, "paused") != 0)
        err = error_invalid(req->arena, "status", "invalid_status",
                            "“status”应为 active（在岗）或 paused（暂停）");
    return err;
}
