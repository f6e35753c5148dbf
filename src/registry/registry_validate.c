#include <string.h>

#include "core/text.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "registry/registry.h"
#include "core/banned.h"

static const char *const building_fields[] = { "community", "name", "units", "floors", "grid_id", NULL };
static const char *const household_fields[] = { "building_id", "unit", "floor", "room", "area_m2", NULL };
static const char *const resident_fields[] = { "household_id", "name", "gender", "birth_date",
                                               "id_number", "phone", "relation", "tags",
                                               "moved_in", NULL };

Error *registry_parse_building(Request *req, BuildingInput *ret)
{
    BuildingInput in = { 0 };
    json_t *body;
    Error *err;

    err = request_json_fields(req, building_fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "community", true, 1, 12, &in.community);
    if (err)
        return err;
    if (strlen(in.community) != 12)
        return error_invalid(req->arena, "community", "invalid_code", "社区代码应为12位数字");
    err = validate_division_code(req->arena, "community", in.community, &in.community);
    if (err)
        return err;
    err = request_field_string(req, body, "name", true, 1, 30, &in.name);
    if (err)
        return err;
    err = request_field_int(req, body, "units", true, 1, 50, &in.units, NULL);
    if (err)
        return err;
    err = request_field_int(req, body, "floors", true, 1, 200, &in.floors, NULL);
    if (err)
        return err;
    err = request_field_int(req, body, "grid_id", false, 1, INT64_MAX, &in.grid_id, NULL);
    if (err)
        return err;
    *ret = in;
    return NULL;
}

Error *registry_parse_household(Request *req, HouseholdInput *ret)
{
    HouseholdInput in = { 0 };
    json_t *body;
    Error *err;

    err = request_json_fields(req, household_fields, &body);
    if (err)
        return err;
    err = request_field_int(req, body, "building_id", true, 1, INT64_MAX, &in.building_id, NULL);
    if (err)
        return err;
    err = request_field_int(req, body, "unit", true, 1, 50, &in.unit, NULL);
    if (err)
        return err;
    err = request_field_int(req, body, "floor", true, -5, 200, &in.floor, NULL);
    if (err)
        return err;
    err = request_field_string(req, body, "room", true, 1, 20, &in.room);
    if (err)
        return err;
    err = request_field_number(req, body, "area_m2", false, 1, 10000, &in.area_m2, &in.has_area);
    if (err)
        return err;
    *ret = in;
    return NULL;
}

static Error *add_tag(Arena *a, ResidentInput *in, const char *field, const char *tag)
{
    size_t n = utf8_length(tag);

    if (n == 0)
        return NULL;
    if (n > 20 || strpbrk(tag, ",;") || !utf8_valid(tag, strlen(tag)))
        return error_invalid(a, field, "invalid_tag", "标签应为1到20个字，且不含逗号");
    for (size_t i = 0; i < in->n_tags; i++)
        if (strcmp(in->tags[i], tag) == 0)
            return NULL;
    if (in->n_tags >= REGISTRY_MAX_TAGS)
        return error_invalid(a, field, "too_many_tags", "一个居民最多20个标签");
    in->tags[in->n_tags++] = tag;
    return NULL;
}

/* What separates the tags of one cell: 、，； , ; space | */
static const char *const tag_seps[] = { "\xE3\x80\x81", "\xEF\xBC\x8C", "\xEF\xBC\x9B", ",", ";", " ", "|" };

bool registry_tag_name_splits(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(tag_seps); i++)
        if (strstr(name, tag_seps[i]))
            return true;
    return false;
}

/* Splits "独居老人、高龄,党员" on 、，,;； and spaces. */
static Error *parse_tag_list(Arena *a, ResidentInput *in, const char *text)
{
    const char *const *seps = tag_seps;
    const char *p = text;

    in->n_tags = 0;
    while (*p) {
        const char *best = NULL;
        size_t best_len = 0;
        Error *err;

        for (size_t i = 0; i < ARRAY_SIZE(tag_seps); i++) {
            const char *q = strstr(p, seps[i]);

            if (q && (!best || q < best)) {
                best = q;
                best_len = strlen(seps[i]);
            }
        }
        err = add_tag(a, in, "tags", text_trim(a, arena_strndup(a, p, best ? (size_t)(best - p) : strlen(p))));
        if (err)
            return err;
        if (!best)
            break;
        p = best + best_len;
    }
    return NULL;
}

Error *registry_resident_set_field(Arena *a, ResidentInput *in, const char *field, const char *text)
{
    const char *t = text_trim(a, text);
    size_t n = utf8_length(t);
    Error *err;

    if (!utf8_valid(t, strlen(t)))
        return error_invalid(a, field, "invalid_text", "含有无法识别的字符");
    err = validate_no_bidi(a, field, t);
    if (err)
        return err;
    if (strcmp(field, "name") == 0) {
        if (n < 1)
            return error_invalid(a, field, "missing_field", "请填写姓名");
        if (n > 30)
            return error_invalid(a, field, "too_long", "姓名不能超过30个字");
        in->name = t;
        in->set |= RES_NAME;
    } else if (strcmp(field, "gender") == 0) {
        if (strcmp(t, "male") == 0 || strcmp(t, "男") == 0)
            in->gender = "male";
        else if (strcmp(t, "female") == 0 || strcmp(t, "女") == 0)
            in->gender = "female";
        else
            return error_invalid(a, field, "invalid_gender", "性别应为 male（男）或 female（女）");
        in->set |= RES_GENDER;
    } else if (strcmp(field, "birth_date") == 0) {
        err = validate_date(a, field, t, &in->birth_date);
        if (err)
            return err;
        in->set |= RES_BIRTH;
    } else if (strcmp(field, "moved_in") == 0) {
        err = validate_date(a, field, t, &in->moved_in);
        if (err)
            return err;
        in->set |= RES_MOVED_IN;
    } else if (strcmp(field, "id_number") == 0) {
        if (n == 0) {
            in->id_number = NULL;
        } else {
            err = validate_id_number(a, field, t, &in->id_number);
            if (err)
                return err;
        }
        in->set |= RES_ID_NUMBER;
    } else if (strcmp(field, "phone") == 0) {
        if (n == 0) {
            in->phone = NULL;
        } else {
            err = validate_phone(a, field, t, &in->phone);
            if (err)
                return err;
        }
        in->set |= RES_PHONE;
    } else if (strcmp(field, "relation") == 0) {
        if (n > 20)
            return error_invalid(a, field, "too_long", "与户主关系不能超过20个字");
        in->relation = t;
        in->set |= RES_RELATION;
    } else if (strcmp(field, "tags") == 0) {
        err = parse_tag_list(a, in, t);
        if (err)
            return err;
        in->set |= RES_TAGS;
    } else {
        return error_invalid(a, field, "unknown_field", "不认识的字段");
    }
    return NULL;
}

static Error *string_field(Request *req, json_t *body, const char *name, ResidentInput *in)
{
    json_t *v = json_object_get(body, name);
    Error *err;

    if (!v)
        return NULL;
    if (json_is_null(v) && (strcmp(name, "id_number") == 0 || strcmp(name, "phone") == 0))
        return registry_resident_set_field(req->arena, in, name, "");
    if (!json_is_string(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为文本", name));
    err = validate_no_bidi(req->arena, name, json_string_value(v));
    if (err)
        return err;
    if (strlen(json_string_value(v)) != json_string_length(v) || !request_text_ok(json_string_value(v)))
        return error_invalid(req->arena, name, "invalid_text",
                             arena_sprintf(req->arena, "字段“%s”含有不允许的字符", name));
    return registry_resident_set_field(req->arena, in, name, json_string_value(v));
}

Error *registry_parse_resident(Request *req, bool partial, ResidentInput *ret)
{
    static const char *const text_fields[] = { "name", "gender", "birth_date", "id_number",
                                               "phone", "relation", "moved_in" };
    ResidentInput in = { 0 };
    json_t *body, *tags;
    bool present = false;
    Error *err;

    err = request_json_fields(req, resident_fields, &body);
    if (err)
        return err;
    err = request_field_int(req, body, "household_id", !partial, 1, INT64_MAX, &in.household_id, &present);
    if (err)
        return err;
    if (present)
        in.set |= RES_HOUSEHOLD;
    for (size_t i = 0; i < ARRAY_SIZE(text_fields); i++) {
        err = string_field(req, body, text_fields[i], &in);
        if (err)
            return err;
    }
    tags = json_object_get(body, "tags");
    if (tags && !json_is_null(tags)) {
        size_t idx;
        json_t *t;

        if (!json_is_array(tags))
            return error_invalid(req->arena, "tags", "invalid_type", "字段“tags”应为文本数组，如 [\"独居老人\"]");
        if (json_array_size(tags) > REGISTRY_MAX_TAGS)
            return error_invalid(req->arena, "tags", "too_many_tags", "一个居民最多20个标签");
        json_array_foreach(tags, idx, t) {
            const char *field = arena_sprintf(req->arena, "tags[%zu]", idx);

            if (!json_is_string(t) || !request_text_ok(json_string_value(t)))
                return error_invalid(req->arena, field, "invalid_type", "标签应为文本");
            err = add_tag(req->arena, &in, field, text_trim(req->arena, json_string_value(t)));
            if (err)
                return err;
        }
        in.set |= RES_TAGS;
    }
    if (!partial) {
        if (!(in.set & RES_NAME))
            return error_invalid(req->arena, "name", "missing_field", "缺少必填字段“name”（姓名）");
        if (!in.relation)
            in.relation = "";
    } else if (in.set == 0) {
        return error_invalid(req->arena, NULL, "empty_update", "没有要修改的字段");
    }
    if (!partial) {
        err = registry_check_resident(req->arena, &in);
        if (err)
            return err;
    }
    *ret = in;
    return NULL;
}

Error *registry_check_resident(Arena *a, ResidentInput *in)
{
    char birth[11], today[11];

    if (in->id_number) {
        id_number_birth_date(in->id_number, birth);
        if (!in->birth_date)
            in->birth_date = arena_strdup(a, birth);
        else if (strcmp(in->birth_date, birth) != 0)
            return error_invalid(a, "birth_date", "birth_date_mismatch",
                                 "出生日期与身份证号中的出生日期不一致，请核对");
        if (!in->gender)
            in->gender = id_number_gender(in->id_number);
        else if (strcmp(in->gender, id_number_gender(in->id_number)) != 0)
            return error_invalid(a, "gender", "gender_mismatch", "性别与身份证号不一致，请核对");
    }
    if (!in->gender)
        return error_invalid(a, "gender", "missing_field", "请填写性别（male 或 female）");
    if (!in->birth_date)
        return error_invalid(a, "birth_date", "missing_field", "请填写出生日期（如 1950-03-02）");
    /* "YYYY-MM-DD" strings compare as dates; a birth date after today is a typo */
    date_today(today);
    if (strcmp(in->birth_date, today) > 0) {
        if (in->id_number)
            return error_invalid(a, "id_number", "future_date", "身份证号中的出生日期晚于今天，请核对");
        return error_invalid(a, "birth_date", "future_date", "出生日期不能晚于今天，请核对");
    }
    return NULL;
}
