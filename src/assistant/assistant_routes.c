/*
 * Assistant routes: residents ask and rate answers; staff keep the
 * knowledge base and its synonyms and see what went unanswered.
 *
 * Scope: an entry for everyone ("") or for a street or community applies
 * to askers within it. Staff see the entries that apply to their scope and
 * those within it, and change only those within it; entries for everyone
 * belong to the system administrator.
 */
#include <string.h>

#include "assistant/assistant.h"
#include "audit/audit.h"
#include "core/mask.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/auth.h"
#include "http/response.h"
#include "tts/tts.h"
#include "core/banned.h"

#define ROLES_KB (ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | ROLE_ADMIN)
#define UNANSWERED_MAX 2000   /* questions grouped per request, newest first */

/* ---- asking ---- */

static json_t *hit_json(const AssistantHit *h)
{
    return json_pack("{s:s, s:s, s:o}", "entry_id", h->id, "question", h->question, "link",
                     json_string_or_null(assistant_entry_link(h->id)));
}

static Error *assistant_handle_ask(Request *req, Response *res)
{
    static const char *const fields[] = { "question", NULL };
    const User *u = req->user;
    AssistantAnswer ans;
    AskRecord rec;
    const char *question;
    char today[11];
    json_t *body, *v, *suggestions;
    bool generated = false;
    int64_t id;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    if (req->body && !utf8_valid(req->body, req->body_len))
        return error_bad_request(req->arena, "question", "invalid_encoding",
                                 "问题的文字编码无法识别，请使用 UTF-8 重新提交");
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    v = json_object_get(body, "question");
    if (!v || json_is_null(v))
        return error_invalid(req->arena, "question", "empty_question", "请输入您的问题");
    if (!json_is_string(v))
        return error_invalid(req->arena, "question", "invalid_type", "问题应为文字");
    if (strlen(json_string_value(v)) != json_string_length(v))
        return error_invalid(req->arena, "question", "invalid_text", "问题含有不允许的字符，请重新输入");
    err = assistant_check_question(req->arena, "question", json_string_value(v), &question);
    if (err)
        return err;
    date_today(today);
    err = assistant_ask(req->store, req->arena, question, u->role == ROLE_ADMIN ? NULL : u->scope,
                        today, &ans);
    if (err)
        return err;
    if (ans.answered && assistant_generate_enabled()) {
        const char *text = assistant_generate(req->arena, question, &ans.top[0]);

        if (text) {
            ans.answer = text;
            generated = true;
        }
    }
    rec = (AskRecord){
        .asked = question,
        .answered = ans.answered,
        .entry_id = ans.n_top ? ans.top[0].id : NULL,
        .score = ans.score,
        .user_id = u->id,
        .community = u->scope,
    };
    err = assistant_store_question_insert(req->store, req->arena, &rec, &id);
    if (err)
        return err;
    suggestions = json_array();
    for (size_t i = ans.answered ? 1 : 0; i < ans.n_top && json_array_size(suggestions) < 3; i++)
        json_array_append_new(suggestions, hit_json(&ans.top[i]));
    return response_json(res, 200, json_pack(
        "{s:I, s:b, s:o, s:s, s:b, s:o, s:o, s:f, s:o, s:o}",
        "question_id", (json_int_t)id,
        "answered", ans.answered,
        "entry_id", json_string_or_null(ans.entry_id),
        "answer", ans.answer,
        "generated", generated,
        "entry_question", json_string_or_null(ans.answered ? ans.top[0].question : NULL),
        "entry_section", json_string_or_null(ans.answered ? ans.top[0].section : NULL),
        "score", ans.score,
        "suggestions", suggestions,
        "link", json_string_or_null(ans.answered ? assistant_entry_link(ans.entry_id) : NULL)));
}

static Error *assistant_handle_feedback(Request *req, Response *res)
{
    static const char *const fields[] = { "question_id", "helpful", NULL };
    int64_t id = 0;
    json_t *body, *v;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_int(req, body, "question_id", true, 1, INT64_MAX, &id, NULL);
    if (err)
        return err;
    v = json_object_get(body, "helpful");
    if (!v || json_is_null(v))
        return error_invalid(req->arena, "helpful", "missing_field", "缺少必填字段“helpful”");
    if (!json_is_boolean(v))
        return error_invalid(req->arena, "helpful", "invalid_type", "字段“helpful”应为 true 或 false");
    err = assistant_store_feedback(req->store, req->arena, id, req->user->id, json_is_true(v));
    if (err)
        return err;
    return response_json(res, 200, json_pack("{s:I, s:b}", "question_id", (json_int_t)id,
                                             "helpful", json_is_true(v)));
}

static Error *assistant_handle_unanswered(Request *req, Response *res)
{
    const char *lo, *hi;
    json_t *items, *groups;
    size_t n;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    items = json_array();
    err = assistant_store_unanswered(req->store, req->arena, lo, hi, UNANSWERED_MAX, items);
    if (err) {
        json_decref(items);
        return err;
    }
    n = json_array_size(items);
    err = assistant_refresh(req->store, req->arena, false);   /* the IDF of the entries as they are */
    if (err) {
        json_decref(items);
        return err;
    }
    groups = assistant_group_questions(req->arena, items);
    json_decref(items);
    return response_json(res, 200, json_pack("{s:o, s:I}", "items", groups, "questions", (json_int_t)n));
}

/* ---- 转人工: a resident asks for a person ---- */

static Error *assistant_handle_handoff(Request *req, Response *res)
{
    static const char *const fields[] = { "question_id", "name", "phone", "note", NULL };
    Handoff h = { .user_id = req->user->id };
    const char *phone, *contact;
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_int(req, body, "question_id", true, 1, INT64_MAX, &h.question_id, NULL);
    if (err)
        return err;
    err = request_field_string(req, body, "name", true, 1, 20, &h.name);
    if (err)
        return err;
    err = request_field_string(req, body, "phone", true, 1, 20, &phone);
    if (err)
        return err;
    err = validate_phone(req->arena, "phone", phone, &phone);
    if (err)
        return err;
    err = request_field_string(req, body, "note", false, 0, 200, &h.note);
    if (err)
        return err;
    if (h.note && !*h.note)
        h.note = NULL;
    h.phone_enc = crypto_seal(req->app->keys, req->arena, phone, &h.phone_len);
    err = assistant_store_handoff(req->store, req->arena, &h);
    if (err)
        return err;
    err = assistant_site_contact(req->store, req->arena, req->user->scope, &contact);
    if (err)
        return err;
    return response_json(res, 201, json_pack(
        "{s:I, s:b, s:s, s:s}", "question_id", (json_int_t)h.question_id, "handed_off", 1,
        "phone", mask_phone(req->arena, phone),
        "next", contact ? arena_sprintf(req->arena, "工作日 9:00—17:00 内一般当天回电，其他时间在下一个"
                                                    "工作日联系您。急事请直接联系居委会：%s", contact)
                        : "工作日 9:00—17:00 内一般当天回电，其他时间在下一个工作日联系您；"
                          "急事请直接拨打居委会电话或前往居委会。"));
}

static Error *assistant_handle_handoffs(Request *req, Response *res)
{
    const char *reveal_q = request_query(req, "reveal");
    bool reveal = reveal_q && strcmp(reveal_q, "1") == 0;
    const char *lo, *hi;
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    if (reveal && !auth_is_community_staff(req->user, req->user->scope))
        return error_forbidden(req->arena, "只有本社区的工作人员可以查看完整的联系电话");
    items = json_array();
    err = assistant_store_handoffs(req->store, req->arena, req->app->keys, reveal, lo, hi,
                                   UNANSWERED_MAX, items);
    if (err) {
        json_decref(items);
        return err;
    }
    if (reveal) {
        request_end_read(req);
        err = audit_record(req, "assistant.handoffs_view_full", "assistant_question", 0,
                           req->user->scope, json_pack("{s:I}", "count", (json_int_t)json_array_size(items)));
        if (err) {
            json_decref(items);
            return err;
        }
    }
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

/* ---- statistics ---- */

static Error *assistant_handle_stats(Request *req, Response *res)
{
    const char *lo, *hi;
    int64_t days, today, first;
    int minute;
    json_t *by_day, *by_section, *sections, *filled;
    json_int_t asked = 0, answered = 0, helpful = 0, not_helpful = 0, handoffs = 0;
    size_t k = 0;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    err = request_query_int(req, "days", 30, 1, 366, &days);
    if (err)
        return err;
    err = auth_list_bounds(req, &lo, &hi);
    if (err)
        return err;
    time_local(time_now_ms(), 8 * 60, &today, &minute);
    first = today - days + 1;
    by_day = json_array();
    by_section = json_array();
    sections = json_array();
    err = assistant_store_stats(req->store, req->arena, lo, hi, time_day_start_ms(first, 8 * 60),
                                by_day, by_section, sections);
    if (err) {
        json_decref(by_day);
        json_decref(by_section);
        json_decref(sections);
        return err;
    }
    /* every day of the range, so a chart's axis has no holes */
    filled = json_array();
    for (int64_t d = first; d <= today; d++) {
        char date[11];
        json_t *row = json_array_get(by_day, k);

        time_format_date(date, d);
        if (row && strcmp(json_string_value(json_object_get(row, "date")), date) == 0) {
            json_array_append(filled, row);
            k++;
        } else {
            json_array_append_new(filled, json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "date", date,
                                                    "asked", 0, "answered", 0, "helpful", 0,
                                                    "not_helpful", 0, "handoffs", 0));
            continue;
        }
        asked += json_integer_value(json_object_get(row, "asked"));
        answered += json_integer_value(json_object_get(row, "answered"));
        helpful += json_integer_value(json_object_get(row, "helpful"));
        not_helpful += json_integer_value(json_object_get(row, "not_helpful"));
        handoffs += json_integer_value(json_object_get(row, "handoffs"));
    }
    json_decref(by_day);
    return response_json(res, 200, json_pack(
        "{s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:o}", "days", (json_int_t)days,
        "totals", "asked", asked, "answered", answered, "helpful", helpful,
        "not_helpful", not_helpful, "handoffs", handoffs,
        "by_day", filled, "by_section", by_section, "sections", sections));
}

/* ---- the knowledge base ---- */

/* Does @scope (an entry's) apply to the user, or lie within her scope? */
static bool entry_visible(const User *u, const char *scope)
{
    size_t n = strlen(scope), m = strlen(u->scope);

    if (u->role == ROLE_ADMIN)
        return true;
    return strncmp(u->scope, scope, n) == 0 || (m > 0 && strncmp(scope, u->scope, m) == 0);
}

/*
 * A knowledge-base answer read aloud (tts/tts.h), for anyone whose scope the
 * entry reaches: the answer /assistant/ask gave by its entry_id.
 */
static Error *assistant_handle_answer_audio(Request *req, Response *res)
{
    const char *id = req->n_params > 0 ? req->params[0] : NULL;
    KbEntry *e = NULL;
    Error *err;

    err = auth_require(req, ROLES_ALL);
    if (err)
        return err;
    if (!id || !*id || strlen(id) > 32)
        return error_not_found(req->arena, "id", "找不到该回答");
    err = assistant_store_entry_get(req->store, req->arena, id, &e);
    if (err)
        return err;
    if (!e || !entry_visible(req->user, e->scope))
        return error_not_found(req->arena, "id", "找不到该回答，可能已被删除");
    if (assistant_site_entry(e->id)) {
        /* a template: read what the asker was shown, filled from her community's profile */
        const char *text;

        err = assistant_site_fill(req->store, req->arena, req->user->scope, e->answer, &text);
        if (err)
            return err;
        if (!text)
            return error_not_found(req->arena, "id", "找不到该回答");
        return tts_respond(req, res, text);
    }
    return tts_respond(req, res, e->answer);
}

static Error *require_writable(Request *req, const char *scope)
{
    if (req->user->role == ROLE_ADMIN)
        return NULL;
    if (!*scope)
        return error_forbidden(req->arena, "适用于所有社区的条目只有系统管理员可以修改");
    return auth_require_scope(req, scope);
}

/*
 * The entry route parameter 0 names, for a knowledge-base keeper: 404 if
 * there is none she may see; with @writable, 403 unless she may change it.
 */
static Error *param_entry(Request *req, bool writable, KbEntry **ret)
{
    const char *id = req->n_params > 0 ? req->params[0] : NULL;
    KbEntry *e = NULL;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    if (!id || !*id || strlen(id) > 32)
        return error_not_found(req->arena, "id", "找不到该条目");
    err = assistant_store_entry_get(req->store, req->arena, id, &e);
    if (err)
        return err;
    if (!e || !entry_visible(req->user, e->scope))
        return error_not_found(req->arena, "id", "找不到该条目，可能已被删除或不在您的管辖范围内");
    if (writable) {
        err = require_writable(req, e->scope);
        if (err)
            return err;
    }
    *ret = e;
    return NULL;
}

/* After a change: the next question sees it. A failure here is the next question's to report. */
static void refresh_index(Request *req)
{
    (void)assistant_refresh(req->store, req->arena, true);
}

static Error *audit_entry(Request *req, const char *action, const KbEntry *e)
{
    return audit_record(req, action, "kb_entry", 0, *e->scope ? e->scope : NULL,
                        json_pack("{s:s, s:s}", "id", e->id, "section", e->section));
}

/* Checks and stores the changed entry @e (resolving @resolves, if any) and answers with it. */
static Error *save_entry(Request *req, Response *res, KbEntry *e, const QuestionSet *resolves)
{
    Error *err;

    err = assistant_entry_check(req->arena, e);
    if (err)
        return err;
    err = assistant_store_entry_update(req->store, req->arena, e, resolves);
    if (err)
        return err;
    err = audit_entry(req, "kb.update", e);
    if (err)
        return err;
    refresh_index(req);
    e->updated_at = time_now_ms();
    return response_json(res, 200, assistant_entry_json(req->arena, e));
}

static Error *kb_handle_list(Request *req, Response *res)
{
    const char *section = request_query(req, "section");
    const char *q = request_query(req, "q");
    KbFilter f = { 0 };
    int64_t page, per_page, total = 0;
    json_t *items, *sections;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    err = request_query_int(req, "page", 1, 1, 1000000, &page);
    if (err)
        return err;
    err = request_query_int(req, "per_page", 20, 1, 200, &per_page);
    if (err)
        return err;
    if ((section && !request_text_ok(section)) || (q && !request_text_ok(q)))
        return error_bad_request(req->arena, "q", "invalid_query", "查询条件含有不允许的字符");
    f.user_scope = req->user->scope;
    f.all = req->user->role == ROLE_ADMIN;
    f.section = section && *section ? section : NULL;
    f.text = q && *q ? q : NULL;
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    items = json_array();
    sections = json_array();
    err = assistant_store_entries(req->store, req->arena, &f, items, &total);
    if (!err)
        err = assistant_store_sections(req->store, req->arena, &f, sections);
    if (err) {
        json_decref(items);
        json_decref(sections);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o, s:I, s:I, s:I, s:o}", "items", items, "total",
                                             (json_int_t)total, "page", (json_int_t)page,
                                             "per_page", (json_int_t)per_page, "sections", sections));
}

/* Creates an entry from @obj (the request's JSON) and resolves @resolves with it. */
static Error *create_entry(Request *req, json_t *obj, const QuestionSet *resolves, KbEntry *e)
{
    unsigned set = 0;
    Error *err;

    err = assistant_entry_from_json(req->arena, obj, false, e, &set);
    if (err)
        return err;
    if (!(set & KB_SET_SCOPE))
        e->scope = req->user->role == ROLE_ADMIN ? "" : req->user->scope;
    err = require_writable(req, e->scope);
    if (err)
        return err;
    err = assistant_store_entry_insert(req->store, req->arena, e, resolves);
    if (err)
        return err;
    err = audit_entry(req, "kb.create", e);
    if (err)
        return err;
    refresh_index(req);
    return NULL;
}

static Error *kb_handle_create(Request *req, Response *res)
{
    KbEntry e = { 0 };
    json_t *body;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = create_entry(req, body, NULL, &e);
    if (err)
        return err;
    return response_json(res, 201, assistant_entry_json(req->arena, &e));
}

/*
 * A request about a group of questions, from a knowledge-base keeper: a body
 * of @fields only, whose "question_ids" are 1..UNANSWERED_MAX positive ids,
 * taken within the user's bounds.
 */
static Error *question_group(Request *req, const char *const *fields, json_t **ret_body,
                             QuestionSet *ret)
{
    json_t *body, *arr, *v;
    int64_t *ids;
    size_t i;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    arr = json_object_get(body, "question_ids");
    if (!arr || json_is_null(arr))
        return error_invalid(req->arena, "question_ids", "missing_field", "缺少必填字段“question_ids”");
    if (!json_is_array(arr))
        return error_invalid(req->arena, "question_ids", "invalid_type", "字段“question_ids”应为问题编号的数组");
    if (json_array_size(arr) == 0 || json_array_size(arr) > UNANSWERED_MAX)
        return error_invalid(req->arena, "question_ids", "invalid_length",
                             arena_sprintf(req->arena, "请选择 1 到 %d 个问题", UNANSWERED_MAX));
    ids = arena_alloc(req->arena, sizeof(int64_t) * json_array_size(arr));
    json_array_foreach(arr, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return error_invalid(req->arena, arena_sprintf(req->arena, "question_ids[%zu]", i),
                                 "invalid_type", "问题编号应为正整数");
        ids[i] = json_integer_value(v);
    }
    ret->ids = ids;
    ret->n = json_array_size(arr);
    auth_scope_bounds(req->arena, req->user->role == ROLE_ADMIN ? "" : req->user->scope,
                      &ret->lo, &ret->hi);
    *ret_body = body;
    return NULL;
}

/* A group of questions becomes a new entry: {"question_ids", "entry": {...}}. */
static Error *assistant_handle_group_entry(Request *req, Response *res)
{
    static const char *const fields[] = { "question_ids", "entry", NULL };
    KbEntry e = { 0 };
    QuestionSet qs;
    json_t *body = NULL, *obj;
    Error *err;

    err = question_group(req, fields, &body, &qs);
    if (err)
        return err;
    obj = json_object_get(body, "entry");
    if (!json_is_object(obj))
        return error_invalid(req->arena, "entry", obj ? "invalid_type" : "missing_field",
                             "请填写新条目的栏目、问题和回答");
    err = create_entry(req, obj, &qs, &e);
    if (err)
        return err;
    return response_json(res, 201, assistant_entry_json(req->arena, &e));
}

/*
 * A group of questions becomes another phrasing of an entry:
 * {"question_ids", "entry_id", "phrasing"}.
 */
static Error *assistant_handle_group_alternative(Request *req, Response *res)
{
    static const char *const fields[] = { "question_ids", "entry_id", "phrasing", NULL };
    const char *entry_id, *phrasing;
    const char **alts;
    KbEntry *e = NULL;
    QuestionSet qs;
    json_t *body = NULL;
    bool known;
    Error *err;

    err = question_group(req, fields, &body, &qs);
    if (err)
        return err;
    err = request_field_string(req, body, "entry_id", true, 1, 32, &entry_id);
    if (err)
        return err;
    err = request_field_string(req, body, "phrasing", true, 1, ASSISTANT_QUESTION_MAX, &phrasing);
    if (err)
        return err;
    err = assistant_check_question(req->arena, "phrasing", phrasing, &phrasing);
    if (err)
        return err;
    err = assistant_store_entry_get(req->store, req->arena, entry_id, &e);
    if (err)
        return err;
    if (!e || !entry_visible(req->user, e->scope))
        return error_invalid(req->arena, "entry_id", "unknown_entry", "找不到该条目，请从列表中选择");
    err = require_writable(req, e->scope);
    if (err)
        return err;
    known = strcmp(e->question, phrasing) == 0;
    for (size_t i = 0; i < e->n_alternatives && !known; i++)
        known = strcmp(e->alternatives[i], phrasing) == 0;
    if (!known) {
        if (e->n_alternatives >= KB_MAX_ALTERNATIVES)
            return error_invalid(req->arena, "entry_id", "too_many_alternatives",
                                 arena_sprintf(req->arena, "该条目已有 %d 种问法，请先删减", KB_MAX_ALTERNATIVES));
        alts = arena_alloc(req->arena, sizeof(char *) * (e->n_alternatives + 1));
        for (size_t i = 0; i < e->n_alternatives; i++)
            alts[i] = e->alternatives[i];
        alts[e->n_alternatives] = phrasing;
        e->alternatives = alts;
        e->n_alternatives++;
    }
    return save_entry(req, res, e, &qs);
}

static Error *kb_handle_get(Request *req, Response *res)
{
    KbEntry *e = NULL;
    Error *err;

    err = param_entry(req, false, &e);
    if (err)
        return err;
    return response_json(res, 200, assistant_entry_json(req->arena, e));
}

static Error *kb_handle_update(Request *req, Response *res)
{
    KbEntry *e = NULL, in = { 0 };
    unsigned set = 0;
    json_t *body;
    Error *err;

    err = param_entry(req, true, &e);
    if (err)
        return err;
    err = request_json_object(req, &body);
    if (err)
        return err;
    err = assistant_entry_from_json(req->arena, body, true, &in, &set);
    if (err)
        return err;
    if (set == 0)
        return error_invalid(req->arena, NULL, "nothing_to_update", "请至少修改一个字段");
    if ((set & KB_SET_ID) && (!in.id || strcmp(in.id, e->id) != 0))
        return error_invalid(req->arena, "id", "immutable_field", "条目编号不能修改");
    if (set & KB_SET_SECTION)
        e->section = in.section;
    if (set & KB_SET_QUESTION)
        e->question = in.question;
    if (set & KB_SET_ANSWER)
        e->answer = in.answer;
    if (set & KB_SET_ALTERNATIVES) {
        e->alternatives = in.alternatives;
        e->n_alternatives = in.n_alternatives;
    }
    if (set & KB_SET_KEYWORDS)
        e->keywords = in.keywords;
    if (set & KB_SET_VALID_UNTIL)
        e->valid_until = in.valid_until;
    if (set & KB_SET_SCOPE) {
        e->scope = in.scope;
        err = require_writable(req, e->scope);
        if (err)
            return err;
    }
    return save_entry(req, res, e, NULL);
}

static Error *kb_handle_delete(Request *req, Response *res)
{
    KbEntry *e = NULL;
    Error *err;

    err = param_entry(req, true, &e);
    if (err)
        return err;
    err = assistant_store_entry_delete(req->store, req->arena, e->id);
    if (err)
        return err;
    err = audit_entry(req, "kb.delete", e);
    if (err)
        return err;
    refresh_index(req);
    return response_json(res, 200, json_pack("{s:s, s:b}", "id", e->id, "deleted", 1));
}

/* ---- near-duplicate entries ---- */

static Error *kb_handle_duplicates(Request *req, Response *res)
{
    const char *section = request_query(req, "section");
    KbEntry *all, *mine;
    size_t n, m = 0, k;
    int64_t min, limit;
    json_t *pairs, *pair;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (!err)
        err = request_query_int(req, "min", (int64_t)(ASSISTANT_DUPLICATE_MIN * 100), 30, 100, &min);
    if (!err)
        err = request_query_int(req, "limit", 50, 1, 500, &limit);
    if (err)
        return err;
    if (section && !request_text_ok(section))
        return error_bad_request(req->arena, "section", "invalid_query", "栏目名含有不允许的字符");
    err = assistant_store_entries_all(req->store, req->arena, &all, &n);
    if (err)
        return err;
    /* the entries she sees (her community's, her street's, everyone's), of the section asked */
    mine = arena_alloc(req->arena, sizeof(KbEntry) * (n + 1));
    for (size_t i = 0; i < n; i++)
        if (entry_visible(req->user, all[i].scope) &&
            (!section || !*section || strcmp(all[i].section, section) == 0))
            mine[m++] = all[i];
    pairs = assistant_duplicates(req->arena, mine, m, (double)min / 100, (size_t)limit);
    json_array_foreach(pairs, k, pair) {
        const char *sa = json_string_value(json_object_get(json_object_get(pair, "a"), "scope"));
        const char *sb = json_string_value(json_object_get(json_object_get(pair, "b"), "scope"));

        json_object_set_new(pair, "mergeable",
                            json_boolean(strcmp(sa, sb) == 0 && !require_writable(req, sa)));
    }
    return response_json(res, 200, json_pack("{s:o, s:f}", "items", pairs, "min", (double)min / 100));
}

/* Keywords are separated by spaces or commas, ASCII or full-width (，). */
static size_t separator_len(const char *p)
{
    if (*p == ' ' || *p == ',')
        return 1;
    return strncmp(p, "，", strlen("，")) == 0 ? strlen("，") : 0;
}

static size_t keyword_len(const char *p)
{
    size_t n = 0;

    while (p[n] && separator_len(p + n) == 0)
        n++;
    return n;
}

static bool has_keyword(const char *list, const char *word, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n = keyword_len(p);

        if (n == len && memcmp(p, word, len) == 0)
            return true;
        p += n;
        p += separator_len(p);
    }
    return false;
}

/* Both phrasings lists, and keywords, as one: @keep gains what @gone had and it lacked. */
static Error *merge_into(Request *req, KbEntry *keep, const KbEntry *gone)
{
    const char **alts = arena_alloc(req->arena, sizeof(char *) * (keep->n_alternatives + gone->n_alternatives + 2));
    size_t n = 0;
    StrBuf kw;

    for (size_t i = 0; i < keep->n_alternatives; i++)
        alts[n++] = keep->alternatives[i];
    for (size_t i = 0; i <= gone->n_alternatives; i++) {
        const char *p = i == 0 ? gone->question : gone->alternatives[i - 1];
        bool known = strcmp(p, keep->question) == 0;

        for (size_t k = 0; k < n && !known; k++)
            known = strcmp(alts[k], p) == 0;
        if (!known)
            alts[n++] = p;
    }
    if (n > KB_MAX_ALTERNATIVES)
        return error_invalid(req->arena, "keep", "too_many_alternatives",
                             arena_sprintf(req->arena, "合并后将有 %zu 种问法，超过 %d 种，请先删减", n,
                                           KB_MAX_ALTERNATIVES));
    keep->alternatives = alts;
    keep->n_alternatives = n;
    /* keywords: the other's words that this one lacks */
    strbuf_init(&kw, req->arena, 4096);
    strbuf_adds(&kw, keep->keywords);
    for (const char *p = gone->keywords; *p;) {
        size_t len = keyword_len(p);

        if (len > 0) {
            const char *word = arena_strndup(req->arena, p, len);

            if (!has_keyword(keep->keywords, word, len)) {
                if (kw.len)
                    strbuf_addc(&kw, ' ');
                strbuf_adds(&kw, word);
            }
        }
        p += len;
        p += separator_len(p);
    }
    keep->keywords = strbuf_finish(&kw, NULL);
    if (!keep->keywords)
        return error_invalid(req->arena, "keep", "invalid_length", "合并后的关键词太长，请先删减");
    /* what saving an entry checks (a keyword list grown past its limit, say) */
    return assistant_entry_check(req->arena, keep);
}

static Error *kb_handle_merge(Request *req, Response *res)
{
    static const char *const fields[] = { "keep", "remove", NULL };
    const char *keep_id, *remove_id;
    KbEntry *keep = NULL, *gone = NULL;
    json_t *body = NULL;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (!err)
        err = request_json_fields(req, fields, &body);
    if (!err)
        err = request_field_string(req, body, "keep", true, 1, 32, &keep_id);
    if (!err)
        err = request_field_string(req, body, "remove", true, 1, 32, &remove_id);
    if (err)
        return err;
    if (strcmp(keep_id, remove_id) == 0)
        return error_invalid(req->arena, "remove", "same_entry", "不能把条目合并到它自己");
    err = assistant_store_entry_get(req->store, req->arena, keep_id, &keep);
    if (!err)
        err = assistant_store_entry_get(req->store, req->arena, remove_id, &gone);
    if (err)
        return err;
    if (!keep || !entry_visible(req->user, keep->scope))
        return error_invalid(req->arena, "keep", "unknown_entry", "找不到要保留的条目");
    if (!gone || !entry_visible(req->user, gone->scope))
        return error_invalid(req->arena, "remove", "unknown_entry", "找不到要合并掉的条目");
    if (strcmp(keep->scope, gone->scope) != 0)
        return error_invalid(req->arena, "remove", "different_scope",
                             "两个条目的适用范围不同，不能合并");
    err = require_writable(req, keep->scope);
    if (!err)
        err = merge_into(req, keep, gone);
    if (!err)
        err = assistant_store_entry_merge(req->store, req->arena, keep, gone->id);
    if (!err)
        err = audit_record(req, "kb.merge", "kb_entry", 0, *keep->scope ? keep->scope : NULL,
                           json_pack("{s:s, s:s, s:s}", "id", keep->id, "removed", gone->id,
                                     "section", keep->section));
    if (err)
        return err;
    refresh_index(req);
    return response_json(res, 200, assistant_entry_json(req->arena, keep));
}

/* ---- synonyms ---- */

static Error *kb_handle_synonyms(Request *req, Response *res)
{
    json_t *items;
    Error *err;

    err = auth_require(req, ROLES_KB);
    if (err)
        return err;
    items = json_array();
    err = assistant_store_synonyms(req->store, req->arena, items);
    if (err) {
        json_decref(items);
        return err;
    }
    return response_json(res, 200, json_pack("{s:o}", "items", items));
}

static Error *kb_handle_synonym_create(Request *req, Response *res)
{
    static const char *const fields[] = { "term", "canonical", NULL };
    const char *term, *canonical;
    int64_t id;
    json_t *body;
    Error *err;

    /* one vocabulary for every community's assistant: the admin keeps it */
    err = auth_require(req, ROLE_ADMIN);
    if (err)
        return err;
    err = request_json_fields(req, fields, &body);
    if (err)
        return err;
    err = request_field_string(req, body, "term", true, 1, 20, &term);
    if (err)
        return err;
    err = request_field_string(req, body, "canonical", true, 1, 20, &canonical);
    if (err)
        return err;
    if (strcmp(term, canonical) == 0)
        return error_invalid(req->arena, "canonical", "same_as_term", "同义词不能和原词相同");
    err = assistant_store_synonym_insert(req->store, req->arena, term, canonical, &id);
    if (err)
        return err;
    err = audit_record(req, "kb.synonym_create", "kb_synonym", id, AUDIT_EVERY_COMMUNITY,
                       json_pack("{s:s, s:s}", "term", term, "canonical", canonical));
    if (err)
        return err;
    refresh_index(req);
    return response_json(res, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "term", term,
                                             "canonical", canonical));
}

static Error *kb_handle_synonym_delete(Request *req, Response *res)
{
    int64_t id;
    Error *err;

    err = auth_require(req, ROLE_ADMIN);
    if (err)
        return err;
    err = request_param_id(req, 0, &id);
    if (err)
        return err;
    err = assistant_store_synonym_delete(req->store, req->arena, id);
    if (err)
        return err;
    err = audit_record(req, "kb.synonym_delete", "kb_synonym", id, AUDIT_EVERY_COMMUNITY, NULL);
    if (err)
        return err;
    refresh_index(req);
    return response_json(res, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

void assistant_routes_register(Router *r)
{
    router_add(r, "POST", "/api/v1/assistant/ask", assistant_handle_ask, ROUTE_PENDING);
    router_add(r, "POST", "/api/v1/assistant/feedback", assistant_handle_feedback, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/assistant/answers/{id}/audio", assistant_handle_answer_audio, ROUTE_PENDING);
    router_add(r, "GET", "/api/v1/assistant/unanswered", assistant_handle_unanswered, 0);
    router_add(r, "POST", "/api/v1/assistant/unanswered/entry", assistant_handle_group_entry, 0);
    router_add(r, "POST", "/api/v1/assistant/unanswered/alternative",
               assistant_handle_group_alternative, 0);
    router_add(r, "POST", "/api/v1/assistant/handoff", assistant_handle_handoff, 0);
    router_add(r, "GET", "/api/v1/assistant/handoffs", assistant_handle_handoffs, 0);
    router_add(r, "GET", "/api/v1/assistant/stats", assistant_handle_stats, 0);
    router_add(r, "GET", "/api/v1/kb/entries", kb_handle_list, 0);
    router_add(r, "POST", "/api/v1/kb/entries", kb_handle_create, 0);
    router_add(r, "GET", "/api/v1/kb/entries/{id}", kb_handle_get, 0);
    router_add(r, "PATCH", "/api/v1/kb/entries/{id}", kb_handle_update, 0);
    router_add(r, "DELETE", "/api/v1/kb/entries/{id}", kb_handle_delete, 0);
    router_add(r, "GET", "/api/v1/kb/duplicates", kb_handle_duplicates, 0);
    router_add(r, "POST", "/api/v1/kb/merge", kb_handle_merge, 0);
    router_add(r, "GET", "/api/v1/kb/synonyms", kb_handle_synonyms, 0);
    router_add(r, "POST", "/api/v1/kb/synonyms", kb_handle_synonym_create, 0);
    router_add(r, "DELETE", "/api/v1/kb/synonyms/{id}", kb_handle_synonym_delete, 0);
}
