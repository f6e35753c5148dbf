/*
 * Request JSON -> case inputs, or an Error naming the field. What needs the
 * database (does the category exist, is the building in the community, is
 * the point inside its area) is checked by cases_create.
 */
#include <string.h>

#include "http/auth.h"
#include "cases/cases.h"
#include "core/photo.h"
#include "core/validate.h"
#include "core/banned.h"

static const char *const case_fields[] = { "community", "category", "description", "building_id",
                                           "unit", "lat", "long", "address", "photos", "contact_ok",
                                           "source", "reporter_id", "contact_name",
                                           "contact_phone", NULL };
static const char *const category_fields[] = { "community", "code", "name", "description",
                                               "respond_hours", "resolve_days", "sort", "active",
                                               "after_photos_required", NULL };
static const char *const unit_fields[] = { "community", "name", "kind", "phone", "active",
                                           "user_ids", NULL };
static const char *const settings_fields[] = { "dup_window_hours", "area", NULL };
static const char *const area_fields[] = { "min_lat", "min_lon", "max_lat", "max_lon", NULL };
static const char *const unit_kinds[] = { "property", "committee", "city_management", "police",
                                          "street_grid", "department", "other", NULL };

static Error *field_bool(Request *req, json_t *obj, const char *name, bool *ret)
{
    json_t *v = json_object_get(obj, name);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_boolean(v))
        return error_invalid(req->arena, name, "invalid_type",
                             arena_sprintf(req->arena, "字段“%s”应为 true 或 false", name));
    *ret = json_is_true(v);
    return NULL;
}

static Error *field_community(Request *req, json_t *obj, bool required, const char **ret)
{
    const char *text = NULL;
    Error *err;

    err = request_field_string(req, obj, "community", required, 12, 12, &text);
    if (err || !text)
        return err;
    err = validate_division_code(req->arena, "community", text, ret);
    if (!err && strlen(*ret) != 12)
        err = error_invalid(req->arena, "community", "invalid_community", "社区代码应为 12 位数字");
    return err;
}

Error *cases_parse_case(Request *req, json_t *body, CaseInput *ret)
{
    CaseInput in = { .source = "app" };
    bool has_lat = false, has_lon = false;
    Error *err;

    err = request_reject_unknown(req, body, case_fields);
    if (!err)
        err = field_community(req, body, false, &in.community);
    if (!err)
        err = request_field_string(req, body, "category", true, 1, 40, &in.category);
    if (!err)
        err = request_field_string(req, body, "description", true, 2, CASES_DESCRIPTION_MAX,
                                   &in.description);
    if (!err)
        err = request_field_int(req, body, "building_id", false, 1, INT64_MAX, &in.building_id,
                                NULL);
    if (!err)
        err = request_field_int(req, body, "unit", false, 1, 50, &in.unit_no, NULL);
    if (!err)
        err = request_field_number(req, body, "lat", false, -90, 90, &in.lat, &has_lat);
    if (!err)
        err = request_field_number(req, body, "long", false, -180, 180, &in.lon, &has_lon);
    if (!err)
        err = request_field_string(req, body, "address", false, 1, 200, &in.address);
    if (!err)
        err = field_bool(req, body, "contact_ok", &in.contact_ok);
    if (!err)
        err = request_field_string(req, body, "source", false, 1, 20, &in.source);
    if (!err)
        err = request_field_int(req, body, "reporter_id", false, 1, INT64_MAX, &in.reporter_id,
                                NULL);
    if (!err)
        err = request_field_string(req, body, "contact_name", false, 1, 50, &in.contact_name);
    if (!err) {
        const char *phone = NULL;

        err = request_field_string(req, body, "contact_phone", false, 1, 20, &phone);
        if (!err && phone)
            err = validate_phone(req->arena, "contact_phone", phone, &in.contact_phone);
    }
    if (err)
        return err;
    if (!in.source)
        in.source = "app";
    if (strcmp(in.source, "app") != 0 && strcmp(in.source, "phone") != 0 &&
        strcmp(in.source, "in_person") != 0)
        return error_invalid(req->arena, "source", "invalid_source",
                             "来源应为 app、phone（电话）或 in_person（当面）");
    if (has_lat != has_lon)
        return error_invalid(req->arena, has_lat ? "long" : "lat", "incomplete_point",
                             "地图点位需要同时提供纬度 lat 和经度 long");
    in.has_point = has_lat && has_lon;
    if (!in.building_id && !in.has_point)
        return error_invalid(req->arena, "building_id", "missing_location",
                             "请选择楼栋（building_id）或在地图上选点（lat、long）");
    if (in.building_id && in.has_point)
        return error_invalid(req->arena, "lat", "ambiguous_location",
                             "楼栋和地图点位只能选一个");
    err = cases_parse_photo_ids(req, body, in.photos, &in.n_photos);
    if (err)
        return err;
    *ret = in;
    return NULL;
}

Error *cases_parse_photo_ids(Request *req, json_t *body, int64_t *ret, int *ret_n)
{
    return photo_parse_ids(req->arena, body, CASES_MAX_PHOTOS, ret, ret_n);
}

Error *cases_parse_category(Request *req, json_t *body, bool partial, CaseCategory *c)
{
    int64_t v;
    bool present = false;
    const char *text = NULL;
    Error *err;

    err = request_reject_unknown(req, body, category_fields);
    if (err)
        return err;
    if (!partial) {
        err = field_community(req, body, false, &c->community);
        if (!err)
            err = request_field_string(req, body, "code", true, 2, 40, &c->code);
        if (err)
            return err;
        for (const char *p = c->code; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                return error_invalid(req->arena, "code", "invalid_code",
                                     "类别代码只能由小写字母、数字和下划线组成");
    } else if (json_object_get(body, "code") || json_object_get(body, "community")) {
        return error_invalid(req->arena, json_object_get(body, "code") ? "code" : "community",
                             "immutable_field", "类别代码和社区不能修改（代码也是 Open311 的 service_code）");
    }
    err = request_field_string(req, body, "name", !partial, 1, 20, &text);
    if (err)
        return err;
    if (text)
        c->name = text;
    text = NULL;
    err = request_field_string(req, body, "description", false, 0, 200, &text);
    if (err)
        return err;
    if (text)
        c->description = text;
    err = request_field_int(req, body, "respond_hours", !partial, 1, 720, &v, &present);
    if (err)
        return err;
    if (present)
        c->respond_hours = (int)v;
    err = request_field_int(req, body, "resolve_days", !partial, 1, 365, &v, &present);
    if (err)
        return err;
    if (present)
        c->resolve_days = (int)v;
    err = request_field_int(req, body, "sort", false, 0, 10000, &v, &present);
    if (err)
        return err;
    if (present)
        c->sort = (int)v;
    err = field_bool(req, body, "after_photos_required", &c->after_photos_required);
    if (err)
        return err;
    return field_bool(req, body, "active", &c->active);
}

Error *cases_parse_unit(Request *req, json_t *body, bool partial, CaseUnit *u, int64_t *ret_users,
                        size_t *ret_n_users, bool *ret_users_set)
{
    const char *text = NULL;
    json_t *users;
    Error *err;

    err = request_reject_unknown(req, body, unit_fields);
    if (err)
        return err;
    if (!partial) {
        err = field_community(req, body, false, &u->community);
        if (err)
            return err;
    } else if (json_object_get(body, "community")) {
        return error_invalid(req->arena, "community", "immutable_field", "责任单位的社区不能修改");
    }
    err = request_field_string(req, body, "name", !partial, 1, 50, &text);
    if (err)
        return err;
    if (text)
        u->name = text;
    text = NULL;
    err = request_field_string(req, body, "kind", !partial, 1, 30, &text);
    if (err)
        return err;
    if (text) {
        bool ok = false;

        for (int i = 0; unit_kinds[i]; i++)
            ok = ok || strcmp(unit_kinds[i], text) == 0;
        if (!ok)
            return error_invalid(req->arena, "kind", "invalid_kind",
                                 "单位类型应为 property（物业）、committee（居委）、city_management（城管）、police（派出所）、street_grid（街道网格中心）、department（职能部门）或 other");
        u->kind = text;
    }
    text = NULL;
    err = request_field_string(req, body, "phone", false, 1, 30, &text);
    if (err)
        return err;
    if (text)
        u->phone = text;
    err = field_bool(req, body, "active", &u->active);
    if (err)
        return err;
    *ret_users_set = false;
    *ret_n_users = 0;
    users = json_object_get(body, "user_ids");
    if (users && !json_is_null(users)) {
        size_t i;
        json_t *v;

        if (!json_is_array(users) || json_array_size(users) > 50)
            return error_invalid(req->arena, "user_ids", "invalid_type", "字段“user_ids”应为最多 50 个账号编号的数组");
        json_array_foreach (users, i, v) {
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                return error_invalid(req->arena, arena_sprintf(req->arena, "user_ids[%zu]", i),
                                     "invalid_type", "账号编号应为正整数");
            ret_users[i] = json_integer_value(v);
        }
        *ret_n_users = json_array_size(users);
        *ret_users_set = true;
    }
    return NULL;
}

Error *cases_parse_settings(Request *req, json_t *body, CaseSettings *s)
{
    json_t *area;
    int64_t v;
    bool present = false;
    Error *err;

    err = request_reject_unknown(req, body, settings_fields);
    if (!err)
        err = request_field_int(req, body, "dup_window_hours", false, 1, 720, &v, &present);
    if (err)
        return err;
    if (present)
        s->dup_window_hours = (int)v;
    area = json_object_get(body, "area");
    if (area && json_is_null(area)) {
        s->has_area = false;
    } else if (area) {
        double *vals[4] = { &s->min_lat, &s->min_lon, &s->max_lat, &s->max_lon };

        if (!json_is_object(area))
            return error_invalid(req->arena, "area", "invalid_type",
                                 "字段“area”应为 {min_lat, min_lon, max_lat, max_lon}");
        err = request_reject_unknown(req, area, area_fields);
        if (err)
            return err;
        for (int i = 0; i < 4; i++) {
            bool lat = i % 2 == 0;

            err = request_field_number(req, area, area_fields[i], true, lat ? -90 : -180,
                                       lat ? 90 : 180, vals[i], NULL);
            if (err) {
                err->field = arena_sprintf(req->arena, "area.%s", area_fields[i]);
                return err;
            }
        }
        if (s->min_lat >= s->max_lat || s->min_lon >= s->max_lon)
            return error_invalid(req->arena, "area", "invalid_area", "地图范围无效：最小值须小于最大值");
        /* a community is at most a few km across; 0.5 degrees is ~50 km */
        if (s->max_lat - s->min_lat > 0.5 || s->max_lon - s->min_lon > 0.5)
            return error_invalid(req->arena, "area", "area_too_large", "地图范围过大，请框选本社区的范围");
        s->has_area = true;
    }
    return NULL;
}

Error *cases_query_community(Request *req, const char **ret)
{
    const char *q = request_query(req, "community");
    const char *code;
    Error *err;

    if (q && *q) {
        err = validate_division_code(req->arena, "community", q, &code);
        if (!err && strlen(code) != 12)
            err = error_invalid(req->arena, "community", "invalid_community", "社区代码应为 12 位数字");
        if (err) {
            err->status = 400;
            return err;
        }
        if (!auth_covers(req->user, code))
            return error_not_found(req->arena, "community", "找不到该社区，或它不在您的管辖范围内");
        *ret = code;
        return NULL;
    }
    if (strlen(req->user->scope) == 12) {
        *ret = req->user->scope;
        return NULL;
    }
    return error_bad_request(req->arena, "community", "missing_community", "请用参数 community 指定社区（12 位代码）");
}
