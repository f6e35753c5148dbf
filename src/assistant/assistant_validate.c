/*
 * What people send the assistant, checked: a question as asked, and a
 * knowledge-base entry as JSON (from a request or a line of an import).
 */
#include <stddef.h>
#include <string.h>
#include <unicode/utf8.h>

#include "assistant/assistant.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/response.h"
#include "core/banned.h"

#define KB_ID_MAX 32
#define KB_SECTION_MAX 20
#define KB_QUESTION_MAX 500
#define KB_ANSWER_MAX 5000
#define KB_KEYWORDS_MAX 500

Error *assistant_check_question(Arena *a, const char *field, const char *text, const char **ret)
{
    size_t len = strlen(text), chars = 0;
    bool has_text = false;
    char *copy;
    int32_t i = 0;

    if (!utf8_valid(text, len))
        return error_invalid(a, field, "invalid_text", "问题含有无法识别的字符，请重新输入");
    copy = arena_strndup(a, text, len);
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)copy[k];

        if (c == '\n' || c == '\r' || c == '\t')
            copy[k] = ' ';
        else if (c < 0x20 || c == 0x7f)
            return error_invalid(a, field, "invalid_text", "问题含有不允许的控制字符，请重新输入");
    }
    copy = text_trim(a, copy);
    len = strlen(copy);
    if (len == 0)
        return error_invalid(a, field, "empty_question", "请输入您的问题");
    while (i < (int32_t)len) {
        UChar32 cp;

        U8_NEXT(copy, i, (int32_t)len, cp);
        chars++;
        if (cp >= 0 && text_is_alnum((uint32_t)cp))
            has_text = true;
    }
    if (chars > ASSISTANT_QUESTION_MAX)
        return error_invalid(a, field, "question_too_long",
                             arena_sprintf(a, "问题太长了（%zu 个字），请不要超过 %d 个字，简要说明您想问什么",
                                           chars, ASSISTANT_QUESTION_MAX));
    if (!has_text)
        return error_invalid(a, field, "no_text", "没有看到文字，请用文字描述您的问题");
    *ret = copy;
    return NULL;
}

/* ---- entries ---- */

static Error *wrong_type(Arena *a, const char *field, const char *what)
{
    return error_invalid(a, field, "invalid_type", arena_sprintf(a, "字段“%s”应为%s", field, what));
}

/* A text field of @min..@max characters; JSON null or absent gives NULL. */
static Error *text_field(Arena *a, json_t *obj, const char *name, size_t min, size_t max,
                         const char **ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, name);
    const char *s;
    size_t n;

    *ret_present = v != NULL;
    *ret = NULL;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        return wrong_type(a, name, "文本");
    s = json_string_value(v);
    if (strlen(s) != json_string_length(v) || !utf8_valid(s, strlen(s)))
        return error_invalid(a, name, "invalid_text",
                             arena_sprintf(a, "字段“%s”含有不允许的字符", name));
    for (const char *p = s; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return error_invalid(a, name, "invalid_text",
                                 arena_sprintf(a, "字段“%s”含有不允许的控制字符", name));
    s = text_trim(a, s);
    n = utf8_length(s);
    if (n < min)
        return error_invalid(a, name, n == 0 ? "missing_field" : "too_short",
                             arena_sprintf(a, "字段“%s”不能为空", name));
    if (n > max)
        return error_invalid(a, name, "too_long",
                             arena_sprintf(a, "字段“%s”不能超过 %zu 个字", name, max));
    *ret = s;
    return NULL;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > KB_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static bool scope_ok(const char *s)
{
    size_t n = strlen(s);

    return (n == 0 || n == 9 || n == 12) && strspn(s, "0123456789") == n;
}

static const char *const ENTRY_FIELDS[] = { "id", "section", "question", "answer", "alternatives",
                                            "keywords", "valid_until", "scope", NULL };

Error *assistant_entry_from_json(Arena *a, json_t *obj, bool partial, KbEntry *e, unsigned *ret_set)
{
    static const struct {
        const char *name;
        unsigned bit;
        size_t min, max;
        size_t offset;
    } texts[] = {
        { "id", KB_SET_ID, 1, KB_ID_MAX, offsetof(KbEntry, id) },
        { "section", KB_SET_SECTION, 1, KB_SECTION_MAX, offsetof(KbEntry, section) },
        { "question", KB_SET_QUESTION, 1, KB_QUESTION_MAX, offsetof(KbEntry, question) },
        { "answer", KB_SET_ANSWER, 1, KB_ANSWER_MAX, offsetof(KbEntry, answer) },
        { "keywords", KB_SET_KEYWORDS, 0, KB_KEYWORDS_MAX, offsetof(KbEntry, keywords) },
        { "valid_until", KB_SET_VALID_UNTIL, 0, 10, offsetof(KbEntry, valid_until) },
        { "scope", KB_SET_SCOPE, 0, 12, offsetof(KbEntry, scope) },
    };
    unsigned set = 0;
    const char *key;
    json_t *v, *alts;
    Error *err;

    json_object_foreach(obj, key, v) {
        bool known = false;

        for (const char *const *f = ENTRY_FIELDS; *f; f++)
            known = known || strcmp(*f, key) == 0;
        if (!known)
            return error_invalid(a, arena_strdup(a, key), "unknown_field",
                                 arena_sprintf(a, "不认识的字段“%s”，请检查字段名", key));
    }
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        const char *s;
        bool present;

        err = text_field(a, obj, texts[i].name, texts[i].min, texts[i].max, &s, &present);
        if (err)
            return err;
        if (!present)
            continue;
        set |= texts[i].bit;
        *(const char **)((char *)e + texts[i].offset) = s;
    }
    if ((set & KB_SET_ID) && e->id && !id_ok(e->id))
        return error_invalid(a, "id", "invalid_id", "编号只能由字母、数字、- 和 _ 组成，最多 32 位，如 K001");
    if ((set & KB_SET_VALID_UNTIL) && e->valid_until && *e->valid_until) {
        err = validate_date(a, "valid_until", e->valid_until, &e->valid_until);
        if (err)
            return err;
    } else if (set & KB_SET_VALID_UNTIL) {
        e->valid_until = NULL;
    }
    if (set & KB_SET_SCOPE) {
        if (!e->scope)
            e->scope = "";
        if (!scope_ok(e->scope))
            return error_invalid(a, "scope", "invalid_scope",
                                 "适用范围应为空（全部）、9 位街道代码或 12 位社区代码");
    }
    if ((set & KB_SET_KEYWORDS) && !e->keywords)
        e->keywords = "";
    alts = json_object_get(obj, "alternatives");
    if (alts && !json_is_null(alts)) {
        json_t *item;
        size_t i;

        if (!json_is_array(alts))
            return wrong_type(a, "alternatives", "文本列表");
        if (json_array_size(alts) > KB_MAX_ALTERNATIVES)
            return error_invalid(a, "alternatives", "too_many_alternatives",
                                 arena_sprintf(a, "其他问法最多 %d 条", KB_MAX_ALTERNATIVES));
        e->alternatives = arena_alloc(a, sizeof(char *) * (json_array_size(alts) + 1));
        e->n_alternatives = 0;
        json_array_foreach(alts, i, item) {
            json_t *wrap = json_pack("{s:O}", "alternative", item);
            const char *s;
            bool present;

            err = text_field(a, wrap, "alternative", 1, KB_QUESTION_MAX, &s, &present);
            json_decref(wrap);
            if (err) {
                err->field = arena_sprintf(a, "alternatives[%zu]", i);
                return err;
            }
            e->alternatives[e->n_alternatives++] = s;
        }
        set |= KB_SET_ALTERNATIVES;
    } else if (alts) {
        e->alternatives = NULL;
        e->n_alternatives = 0;
        set |= KB_SET_ALTERNATIVES;
    }
    if (!partial) {
        static const struct {
            unsigned bit;
            const char *name;
        } required[] = {
            { KB_SET_SECTION, "section" }, { KB_SET_QUESTION, "question" }, { KB_SET_ANSWER, "answer" },
        };

        const char *values[] = { e->section, e->question, e->answer };

        for (size_t i = 0; i < ARRAY_SIZE(required); i++)
            if (!(set & required[i].bit) || !values[i])
                return error_invalid(a, required[i].name, "missing_field",
                                     arena_sprintf(a, "缺少必填字段“%s”", required[i].name));
    }
    if (!(set & KB_SET_KEYWORDS) && !partial)
        e->keywords = "";
    if (!(set & KB_SET_SCOPE) && !partial)
        e->scope = "";
    if (ret_set)
        *ret_set = set;
    return NULL;
}

Error *assistant_entry_check(Arena *a, const KbEntry *e)
{
    if (!e->section || !*e->section)
        return error_invalid(a, "section", "missing_field", "缺少必填字段“section”");
    if (!e->question || !*e->question)
        return error_invalid(a, "question", "missing_field", "缺少必填字段“question”");
    if (!e->answer || !*e->answer)
        return error_invalid(a, "answer", "missing_field", "缺少必填字段“answer”");
    if (e->id && !id_ok(e->id))
        return error_invalid(a, "id", "invalid_id", "编号只能由字母、数字、- 和 _ 组成，最多 32 位，如 K001");
    if (e->scope && !scope_ok(e->scope))
        return error_invalid(a, "scope", "invalid_scope",
                             "适用范围应为空（全部）、9 位街道代码或 12 位社区代码");
    return NULL;
}

json_t *assistant_entry_json(Arena *a, const KbEntry *e)
{
    json_t *alts = json_array();
    json_t *j;

    for (size_t i = 0; i < e->n_alternatives; i++)
        json_array_append_new(alts, json_string(e->alternatives[i]));
    j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "id", e->id, "section", e->section,
                  "question", e->question, "answer", e->answer, "alternatives", alts, "keywords",
                  e->keywords ? e->keywords : "", "valid_until", json_string_or_null(e->valid_until),
                  "scope", e->scope ? e->scope : "");
    if (e->created_at)
        json_object_set_new(j, "created_at", json_string(time_format_rfc3339(a, e->created_at)));
    if (e->updated_at)
        json_object_set_new(j, "updated_at", json_string(time_format_rfc3339(a, e->updated_at)));
    return j;
}
