#include "http/request.h"

#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "core/validate.h"
#include "core/banned.h"

const char *request_query(Request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct QueryAll {
    Arena *a;
    const char *name;
    char *joined;
} QueryAll;

static enum MHD_Result query_all_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    QueryAll *q = cls;

    (void)kind;
    if (key && strcmp(key, q->name) == 0)
        q->joined = q->joined ? arena_sprintf(q->a, "%s,%s", q->joined, value ? value : "")
                              : arena_strdup(q->a, value ? value : "");
    return MHD_YES;
}

const char *request_query_all(Request *req, const char *name)
{
    QueryAll q = { req->arena, name, NULL };

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_all_one, &q);
    return q.joined;
}

const char *request_header(Request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *request_cookie(Request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

static void decref_cb(void *p)
{
    json_decref(p);
}

Error *request_json_object(Request *req, json_t **ret_obj)
{
    const char *ctype = request_header(req, "Content-Type");
    json_error_t jerr;
    json_t *root;

    if (!req->body || req->body_len == 0)
        return error_bad_request(req->arena, NULL, "malformed_json", "请求内容为空，应为 JSON 对象");
    /*
     * A JSON body says so: a form on another site can post text/plain
     * without asking first (a CORS "simple request"), never application/json.
     */
    if (!ctype || strncasecmp(ctype, "application/json", 16) != 0 ||
        (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' '))
        return error_new(req->arena, 415, NULL, "unsupported_media_type",
                         "请求内容应为 JSON（Content-Type: application/json）");
    root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root)
        return error_bad_request(req->arena, NULL, "malformed_json",
                                 arena_sprintf(req->arena, "请求内容不是有效的 JSON（第 %d 行第 %d 列附近）",
                                               jerr.line, jerr.column));
    arena_defer(req->arena, decref_cb, root);
    if (!json_is_object(root))
        return error_bad_request(req->arena, NULL, "expected_object", "请求内容应为 JSON 对象 {...}");
    *ret_obj = root;
    return NULL;
}

Error *request_reject_unknown(Request *req, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *value;

    json_object_foreach(obj, key, value) {
        bool known = false;

        (void)value;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, key) == 0) {
                known = true;
                break;
            }
        }
        if (!known)
            return error_invalid(req->arena, arena_strdup(req->arena, key), "unknown_field",
                                 arena_sprintf(req->arena, "不认识的字段“%s”，请检查字段名", key));
    }
    return NULL;
}

Error *request_json_fields(Request *req, const char *const *allowed, json_t **ret_obj)
{
    json_t *obj;
    Error *err;

    err = request_json_object(req, &obj);
    if (!err)
        err = request_reject_unknown(req, obj, allowed);
    if (!err)
        *ret_obj = obj;
    return err;
}

void request_end_read(Request *req)
{
    if (req->read_tx) {
        store_end_read(req->store, req->arena);
        req->read_tx = false;
    }
}

bool request_text_ok(const char *s)
{
    size_t len = strlen(s);

    if (!utf8_valid(s, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return !text_has_bidi_control(s);
}

/*
 * How a message names a field: its Chinese name with the API's in brackets,
 * "“室号”（room）", so that a resident or worker reading the message knows
 * the box and a developer the key; a field not listed keeps its API name.
 */
static const struct {
    const char *field;
    const char *label;
} FIELD_LABELS[] = {
    { "username", "用户名" },      { "password", "密码" },
    { "community", "社区" },       { "name", "姓名/名称" },
    { "units", "单元数" },         { "floors", "楼层数" },
    { "grid_id", "网格" },         { "building_id", "楼栋" },
    { "unit", "单元" },            { "floor", "楼层" },
    { "room", "室号" },            { "area_m2", "专有面积" },
    { "household_id", "户" },      { "gender", "性别" },
    { "birth_date", "出生日期" },  { "id_number", "身份证号" },
    { "phone", "手机号" },         { "relation", "与户主关系" },
    { "tags", "标签" },            { "date", "日期" },
    { "reason", "原因" },          { "key_population", "重点人群" },
    { "room_id", "活动室" },       { "start", "开始时间" },
    { "end", "结束时间" },         { "purpose", "用途" },
    { "capacity", "容纳人数" },    { "category", "类别" },
    { "description", "描述" },     { "address", "地址" },
    { "photos", "照片" },          { "unit_id", "责任单位" },
    { "rating", "评价" },          { "comment", "意见" },
    { "question", "问题" },        { "answer", "回答" },
    { "section", "栏目" },         { "keywords", "关键词" },
    { "title", "标题" },           { "scope", "范围" },
};

static const char *field_name(Request *req, const char *field)
{
    for (size_t i = 0; i < ARRAY_SIZE(FIELD_LABELS); i++) {
        if (strcmp(FIELD_LABELS[i].field, field) == 0)
            return arena_sprintf(req->arena, "“%s”（%s）", FIELD_LABELS[i].label, field);
    }
    return arena_sprintf(req->arena, "“%s”", field);
}

static Error *missing(Request *req, const char *name)
{
    return error_invalid(req->arena, name, "missing_field",
                         arena_sprintf(req->arena, "缺少必填字段%s", field_name(req, name)));
}

static Error *wrong_type(Request *req, const char *name, const char *what)
{
    return error_invalid(req->arena, name, "invalid_type",
                         arena_sprintf(req->arena, "字段%s应为%s", field_name(req, name), what));
}

Error *request_field_string(Request *req, json_t *obj, const char *name, bool required,
                            size_t min_chars, size_t max_chars, const char **ret)
{
    json_t *v = json_object_get(obj, name);
    const char *s;
    size_t n;

    if (!v || json_is_null(v)) {
        if (required)
            return missing(req, name);
        *ret = NULL;
        return NULL;
    }
    if (!json_is_string(v))
        return wrong_type(req, name, "文本");
    s = json_string_value(v);
    if (text_has_bidi_control(s))
        return error_invalid(req->arena, name, "invalid_text",
                             arena_sprintf(req->arena, "字段%s含有文字方向控制字符（它能让文字显示成别的样子），请删除后再提交",
                                           field_name(req, name)));
    if (strlen(s) != json_string_length(v) || !request_text_ok(s))
        return error_invalid(req->arena, name, "invalid_text",
                             arena_sprintf(req->arena, "字段%s含有不允许的字符", field_name(req, name)));
    s = text_trim(req->arena, s);
    n = utf8_length(s);
    if (n < min_chars) {
        if (n == 0)
            return required ? missing(req, name)
                            : error_invalid(req->arena, name, "too_short",
                                            arena_sprintf(req->arena, "字段%s不能为空", field_name(req, name)));
        return error_invalid(req->arena, name, "too_short",
                             arena_sprintf(req->arena, "字段%s至少 %zu 个字", field_name(req, name), min_chars));
    }
    if (n > max_chars)
        return error_invalid(req->arena, name, "too_long",
                             arena_sprintf(req->arena, "字段%s不能超过 %zu 个字", field_name(req, name), max_chars));
    *ret = s;
    return NULL;
}

Error *request_field_int(Request *req, json_t *obj, const char *name, bool required, int64_t min,
                         int64_t max, int64_t *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, name);
    json_int_t i;

    if (ret_present)
        *ret_present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return missing(req, name);
        return NULL;
    }
    if (!json_is_integer(v))
        return wrong_type(req, name, "整数");
    i = json_integer_value(v);
    if (i < min || i > max)
        return error_invalid(req->arena, name, "out_of_range",
                             arena_sprintf(req->arena, "字段%s应在 %lld 到 %lld 之间", field_name(req, name),
                                           (long long)min, (long long)max));
    *ret = i;
    if (ret_present)
        *ret_present = true;
    return NULL;
}

Error *request_field_number(Request *req, json_t *obj, const char *name, bool required, double min,
                            double max, double *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, name);
    double d;

    if (ret_present)
        *ret_present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return missing(req, name);
        return NULL;
    }
    if (!json_is_number(v))
        return wrong_type(req, name, "数字");
    d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return error_invalid(req->arena, name, "out_of_range",
                             arena_sprintf(req->arena, "字段%s应在 %g 到 %g 之间", field_name(req, name), min, max));
    *ret = d;
    if (ret_present)
        *ret_present = true;
    return NULL;
}

Error *request_query_int(Request *req, const char *name, int64_t def, int64_t min, int64_t max,
                         int64_t *ret)
{
    const char *s = request_query(req, name);
    char *end;
    long long v;

    if (!s || !*s) {
        *ret = def;
        return NULL;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max)
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "参数“%s”应为 %lld 到 %lld 之间的整数", name,
                                               (long long)min, (long long)max));
    *ret = v;
    return NULL;
}

Error *request_query_flag(Request *req, const char *name, int *ret)
{
    const char *s = request_query(req, name);

    *ret = -1;
    if (!s || !*s)
        return NULL;
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
        *ret = 1;
    else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
        *ret = 0;
    else
        return error_bad_request(req->arena, name, "invalid_query",
                                 arena_sprintf(req->arena, "参数“%s”应为 0 或 1", name));
    return NULL;
}

Error *request_param_id(Request *req, int idx, int64_t *ret)
{
    const char *s = idx < req->n_params ? req->params[idx] : NULL;
    char *end;
    long long v;

    if (!s || !*s || *s == '-' || *s == '+')
        return error_not_found(req->arena, "id", NULL);
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0)
        return error_not_found(req->arena, "id", NULL);
    *ret = v;
    return NULL;
}

/* ---- form bodies (application/x-www-form-urlencoded), decoded by libmicrohttpd ---- */

typedef struct FormState {
    Arena *a;
    RequestForm *form;
} FormState;

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *content_type,
                                  const char *transfer_encoding, const char *data, uint64_t off,
                                  size_t size)
{
    FormState *fs = cls;
    RequestForm *f = fs->form;
    size_t i;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    /* a value may come in pieces: append to the field already begun (the last one of that name) */
    for (i = f->n; i-- > 0;)
        if (strcmp(f->keys[i], key) == 0 && off > 0)
            break;
    if (off == 0 || i == (size_t)-1) {
        if (f->n == REQUEST_FORM_MAX)
            return MHD_NO;
        i = f->n++;
        f->keys[i] = arena_strdup(fs->a, key);
        f->values[i] = arena_strdup(fs->a, "");
        f->lens[i] = 0;
        f->filenames[i] = filename ? arena_strdup(fs->a, filename) : NULL;
    }
    {
        size_t have = f->lens[i];
        char *v = arena_alloc(fs->a, have + size + 1);

        memcpy(v, f->values[i], have);
        if (size)
            memcpy(v + have, data, size);
        v[have + size] = '\0';
        f->values[i] = v;
        f->lens[i] = have + size;
    }
    return MHD_YES;
}

Error *request_form(Request *req, RequestForm *ret)
{
    FormState fs = { req->arena, ret };
    struct MHD_PostProcessor *pp;
    enum MHD_Result ok;

    memset(ret, 0, sizeof(*ret));
    if (!req->body_len)
        return NULL;
    pp = MHD_create_post_processor(req->conn, 4096, form_field, &fs);
    if (!pp)
        return error_new(req->arena, 415, NULL, "unsupported_content_type",
                         "请求体应为表单（application/x-www-form-urlencoded）");
    ok = MHD_post_process(pp, req->body, req->body_len);
    if (MHD_destroy_post_processor(pp) != MHD_YES || ok != MHD_YES)
        return error_bad_request(req->arena, NULL, "malformed_form", "表单格式有误或字段过多");
    for (size_t i = 0; i < ret->n; i++)
        if (!ret->filenames[i] && (strlen(ret->values[i]) != ret->lens[i] || !request_text_ok(ret->values[i])))
            return error_bad_request(req->arena, ret->keys[i], "invalid_text",
                                     "表单字段含有无效字符");
    return NULL;
}

const char *request_form_value(const RequestForm *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], name) == 0 && !f->filenames[i])
            return f->values[i];
    return NULL;
}

const char *request_form_file(const RequestForm *f, const char *name, size_t *ret_len)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->keys[i], name) == 0 && f->filenames[i]) {
            *ret_len = f->lens[i];
            return f->values[i];
        }
    }
    *ret_len = 0;
    return NULL;
}
