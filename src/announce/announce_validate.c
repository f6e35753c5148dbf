/*
 * Request JSON -> AnnounceInput / AnnouncePatch, or an Error naming the
 * field. Only the shape is checked here; whether the scope, building, tag
 * and files exist is announce_store_check's.
 */
#include <string.h>

#include "announce/announce.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "core/banned.h"

static const char *const STATE_NAMES[_ANNOUNCE_STATE_MAX] = {
    [ANNOUNCE_ACTIVE] = "active",
    [ANNOUNCE_ENDED] = "ended",
    [ANNOUNCE_WITHDRAWN] = "withdrawn",
};

bool announce_state_parse(const char *s, AnnounceState *ret)
{
    for (int i = 0; i < _ANNOUNCE_STATE_MAX; i++) {
        if (strcmp(s, STATE_NAMES[i]) == 0) {
            *ret = (AnnounceState)i;
            return true;
        }
    }
    return false;
}

const char *announce_state_name(AnnounceState s)
{
    return s < _ANNOUNCE_STATE_MAX ? STATE_NAMES[s] : "active";
}

static Error *field_bool(Request *req, json_t *obj, const char *name, bool *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, name);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_boolean(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为 true 或 false", name));
    *ret = json_is_true(v);
    if (ret_present)
        *ret_present = true;
    return NULL;
}

/*
 * The text of a notice keeps its line breaks (request_field_string allows no
 * control characters at all): valid UTF-8, tabs and newlines only, CRLF
 * made LF, trimmed, 1..ANNOUNCE_BODY_MAX characters.
 */
static Error *field_body(Request *req, json_t *obj, const char **ret)
{
    json_t *v = json_object_get(obj, "body");
    const char *s;
    size_t len, n;
    char *out, *p;

    if (!v || json_is_null(v))
        return error_invalid(req->arena, "body", "missing_field", "缺少必填字段“正文”（body）");
    if (!json_is_string(v))
        return error_invalid(req->arena, "body", "invalid_type", "字段“正文”（body）应为文本");
    s = json_string_value(v);
    len = strlen(s);
    if (len != json_string_length(v) || !utf8_valid(s, len))
        return error_invalid(req->arena, "body", "invalid_text", "字段“正文”（body）含有不允许的字符");
    out = p = arena_alloc(req->arena, len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\r' && s[i + 1] == '\n')
            continue;
        if (c == '\r')
            c = '\n';
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return error_invalid(req->arena, "body", "invalid_text",
                                 "字段“正文”（body）含有不允许的字符");
        *p++ = (char)c;
    }
    *p = '\0';
    out = text_trim(req->arena, out);
    n = utf8_length(out);
    if (n == 0)
        return error_invalid(req->arena, "body", "missing_field", "缺少必填字段“正文”（body）");
    if (n > ANNOUNCE_BODY_MAX)
        return error_invalid(req->arena, "body", "too_long",
                             arena_sprintf(req->arena, "正文不能超过 %d 个字，请精简或改为附件",
                                           ANNOUNCE_BODY_MAX));
    *ret = out;
    return NULL;
}

/*
 * "ends_at": an RFC 3339 time, or a date (the end of that day, Beijing
 * time); it must lie ahead of now. Null clears it (in a patch).
 */
static Error *field_ends_at(Request *req, json_t *obj, int64_t *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, "ends_at");
    const char *s;
    int64_t ms, day;

    if (!v)
        return NULL;
    *ret_present = true;
    if (json_is_null(v)) {
        *ret = 0;
        return NULL;
    }
    if (!json_is_string(v))
        return error_invalid(req->arena, "ends_at", "invalid_type",
                             "截止时间（ends_at）应为日期 YYYY-MM-DD 或时间 2026-12-31T18:00:00+08:00");
    s = json_string_value(v);
    if (time_parse_date(s, &day))
        ms = time_day_start_ms(day + 1, TIME_OFFSET_SHANGHAI) - 1;
    else if (!time_parse_rfc3339(s, &ms, NULL))
        return error_invalid(req->arena, "ends_at", "invalid_time",
                             "截止时间（ends_at）应为日期 YYYY-MM-DD 或时间 2026-12-31T18:00:00+08:00");
    if (ms <= time_now_ms())
        return error_invalid(req->arena, "ends_at", "ends_in_past", "截止时间已过，请选择今后的时间");
    *ret = ms;
    return NULL;
}

static Error *field_files(Request *req, json_t *obj, AnnounceInput *in)
{
    json_t *files = json_object_get(obj, "files"), *v;
    size_t i;

    if (!files || json_is_null(files))
        return NULL;
    if (!json_is_array(files))
        return error_invalid(req->arena, "files", "invalid_type", "字段“files”应为附件编号的数组");
    if (json_array_size(files) > ANNOUNCE_MAX_FILES)
        return error_invalid(req->arena, "files", "too_many_files", "每条通知最多 9 个图片或附件");
    json_array_foreach (files, i, v) {
        const char *field = arena_sprintf(req->arena, "files[%zu]", i);

        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return error_invalid(req->arena, field, "invalid_type",
                                 "附件编号应为正整数（先上传附件取得编号）");
        for (int k = 0; k < in->n_files; k++)
            if (in->files[k] == json_integer_value(v))
                return error_invalid(req->arena, field, "duplicate_file", "同一个附件只能附一次");
        in->files[in->n_files++] = json_integer_value(v);
    }
    return NULL;
}

const char *const ANNOUNCE_FIELDS[] = { "scope", "title", "body", "building_id", "unit", "tag",
                                        "pinned", "ends_at", "files", NULL };
const char *const ANNOUNCE_PATCH_FIELDS[] = { "pinned", "ends_at", NULL };

Error *announce_parse(Request *req, json_t *body, AnnounceInput *ret)
{
    AnnounceInput in = { 0 };
    bool present = false;
    Error *err;

    err = request_reject_unknown(req, body, ANNOUNCE_FIELDS);
    if (err)
        return err;
    err = request_field_string(req, body, "scope", true, 1, 12, &in.scope);
    if (err)
        return err;
    err = validate_division_code(req->arena, "scope", in.scope, &in.scope);
    if (!err && strlen(in.scope) == 6)
        err = error_invalid(req->arena, "scope", "invalid_scope",
                            "通知范围应为街道（9位）或社区（12位）代码");
    if (err)
        return err;
    err = request_field_string(req, body, "title", true, 1, ANNOUNCE_TITLE_MAX, &in.title);
    if (err)
        return err;
    err = field_body(req, body, &in.body);
    if (err)
        return err;
    err = request_field_int(req, body, "building_id", false, 1, INT64_MAX, &in.building_id, NULL);
    if (err)
        return err;
    err = request_field_int(req, body, "unit", false, 1, 50, &in.unit, &present);
    if (err)
        return err;
    if (present && !in.building_id)
        return error_invalid(req->arena, "unit", "unit_needs_building", "按单元发布时请同时选择楼栋");
    if (in.building_id && strlen(in.scope) != 12)
        return error_invalid(req->arena, "building_id", "building_needs_community",
                             "按楼栋发布时，范围应为该楼栋所在的社区");
    err = request_field_string(req, body, "tag", false, 1, 20, &in.tag);
    if (err)
        return err;
    err = field_bool(req, body, "pinned", &in.pinned, NULL);
    if (err)
        return err;
    err = field_ends_at(req, body, &in.ends_at_ms, &present);
    if (err)
        return err;
    err = field_files(req, body, &in);
    if (err)
        return err;
    *ret = in;
    return NULL;
}

Error *announce_parse_patch(Request *req, json_t *body, AnnouncePatch *ret)
{
    AnnouncePatch p = { 0 };
    Error *err;

    err = request_reject_unknown(req, body, ANNOUNCE_PATCH_FIELDS);
    if (err)
        return err;
    err = field_bool(req, body, "pinned", &p.pinned, &p.has_pinned);
    if (err)
        return err;
    err = field_ends_at(req, body, &p.ends_at_ms, &p.has_ends_at);
    if (err)
        return err;
    if (!p.has_pinned && !p.has_ends_at)
        return error_invalid(req->arena, NULL, "empty_patch", "请至少修改一项：置顶（pinned）或截止时间（ends_at）");
    *ret = p;
    return NULL;
}
