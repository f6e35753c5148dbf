/*
 * The assistant's SQL: knowledge-base entries, synonyms, and the questions
 * residents asked. Every change to an entry or a synonym bumps
 * kb_state.version in the same statement sequence (inside the caller's
 * transaction, or its own), which is how every process learns to rebuild
 * its index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/assistant.h"
#include "core/crypto.h"
#include "core/mask.h"
#include "core/timeutil.h"
#include "http/response.h"
#include "core/banned.h"

static const char SQL_KB_VERSION[] = "SELECT version FROM kb_state WHERE id = 1";
static const char SQL_KB_BUMP[] = "UPDATE kb_state SET version = version + 1 WHERE id = 1";

#define ENTRY_COLUMNS \
    "id, section, question, answer, alternatives, keywords, valid_until, scope, created_at, updated_at"

static const char SQL_KB_ALL[] = "SELECT " ENTRY_COLUMNS " FROM kb_entry ORDER BY id";
static const char SQL_KB_GET[] = "SELECT " ENTRY_COLUMNS " FROM kb_entry WHERE id = ?1";
static const char SQL_KB_COUNT[] = "SELECT count(*) FROM kb_entry";

/* ?1 the user's scope, ?2 all (admin), ?3 section, ?4 text in the question, alternatives or id */
#define KB_FILTER                                                                     \
    " WHERE (?2 = 1 OR substr(?1, 1, length(scope)) = scope OR substr(scope, 1, length(?1)) = ?1)" \
    " AND (CAST(?3 AS TEXT) IS NULL OR section = ?3)"                                  \
    " AND (CAST(?4 AS TEXT) IS NULL OR instr(question, ?4) > 0"                        \
    "      OR instr(alternatives, ?4) > 0 OR id = ?4)"
static const char SQL_KB_LIST[] =
    "SELECT " ENTRY_COLUMNS " FROM kb_entry" KB_FILTER " ORDER BY id LIMIT ?5 OFFSET ?6";
static const char SQL_KB_LIST_COUNT[] = "SELECT count(*) FROM kb_entry" KB_FILTER;
static const char SQL_KB_SECTIONS[] =
    "SELECT section, count(*) FROM kb_entry" KB_FILTER " GROUP BY section ORDER BY section";

static const char SQL_KB_INSERT[] =
    "INSERT INTO kb_entry (" ENTRY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char SQL_KB_UPSERT[] =
    "INSERT INTO kb_entry (" ENTRY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
    " ON CONFLICT (id) DO UPDATE SET section = excluded.section, question = excluded.question,"
    " answer = excluded.answer, alternatives = excluded.alternatives, keywords = excluded.keywords,"
    " valid_until = excluded.valid_until, scope = excluded.scope, updated_at = excluded.updated_at";
static const char SQL_KB_UPDATE[] =
    "UPDATE kb_entry SET section = ?2, question = ?3, answer = ?4, alternatives = ?5, keywords = ?6,"
    " valid_until = ?7, scope = ?8, updated_at = ?9 WHERE id = ?1";
static const char SQL_KB_DELETE[] = "DELETE FROM kb_entry WHERE id = ?1";
/* a merged entry's questions now count for the entry that took its phrasings */
static const char SQL_Q_REPOINT[] = "UPDATE assistant_question SET entry_id = ?1 WHERE entry_id = ?2";
static const char SQL_Q_REPOINT_RESOLVED[] =
    "UPDATE assistant_question SET resolved_entry = ?1 WHERE resolved_entry = ?2";
/* the asker's community's profile (the community module's table), for the "S-…" entries */
static const char SQL_SITE_FACTS[] =
    "SELECT d.name, p.office_phone, p.office_hours, p.address, p.station, p.duty_phone"
    " FROM community_profile p JOIN division d ON d.code = p.community WHERE p.community = ?1";
/* the largest number after a "K" among the ids, for the next "K…" */
static const char SQL_KB_MAX_K[] =
    "SELECT coalesce(max(CAST(substr(id, 2) AS INTEGER)), 0) FROM kb_entry"
    " WHERE id GLOB 'K[0-9]*' AND length(id) <= 10";
/* PostgreSQL has no GLOB, and its CAST takes only the digits (SQLite's reads a prefix) */
static const char SQL_KB_MAX_K_PG[] =
    "SELECT coalesce(max(CAST(substring(id FROM '^K([0-9]+)') AS BIGINT)), 0) FROM kb_entry"
    " WHERE id ~ '^K[0-9]' AND length(id) <= 10";

static const char SQL_SYN_ALL[] = "SELECT term, canonical FROM kb_synonym ORDER BY id";
static const char SQL_SYN_LIST[] = "SELECT id, term, canonical FROM kb_synonym ORDER BY term";
static const char SQL_SYN_INSERT[] =
    "INSERT INTO kb_synonym (term, canonical, created_at) VALUES (?1, ?2, ?3) RETURNING id";
static const char SQL_SYN_DELETE[] = "DELETE FROM kb_synonym WHERE id = ?1";

static const char SQL_Q_INSERT[] =
    "INSERT INTO assistant_question (asked, answered, entry_id, score, user_id, community, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
static const char SQL_Q_FEEDBACK[] =
    "UPDATE assistant_question SET helpful = ?3 WHERE id = ?1 AND user_id = ?2";
static const char SQL_Q_UNANSWERED[] =
    "SELECT q.id, q.asked, q.answered, q.entry_id, q.score, q.helpful, q.community, q.created_at,"
    " q.handoff_at IS NOT NULL, e.question"
    " FROM assistant_question q LEFT JOIN kb_entry e ON e.id = q.entry_id"
    " WHERE (q.answered = 0 OR q.helpful = 0 OR q.handoff_at IS NOT NULL) AND q.resolved_at IS NULL"
    " AND q.community >= ?1 AND q.community < ?2 ORDER BY q.id DESC LIMIT ?3";
static const char SQL_Q_HANDOFF[] =
    "UPDATE assistant_question SET handoff_at = ?3, handoff_name = ?4, handoff_phone_enc = ?5,"
    " handoff_note = ?6 WHERE id = ?1 AND user_id = ?2 RETURNING answered";
static const char SQL_Q_HANDOFFS[] =
    "SELECT id, asked, answered, handoff_name, handoff_phone_enc, handoff_note, handoff_at,"
    " resolved_entry, community"
    " FROM assistant_question WHERE handoff_at IS NOT NULL"
    " AND community >= ?1 AND community < ?2 ORDER BY handoff_at DESC LIMIT ?3";
/* only open questions within the staff member's bounds are taken */
static const char SQL_Q_RESOLVE[] =
    "UPDATE assistant_question SET resolved_at = ?2, resolved_entry = ?3"
    " WHERE id = ?1 AND resolved_at IS NULL AND community >= ?4 AND community < ?5";
#define STATS_WHERE " WHERE q.community >= ?1 AND q.community < ?2 AND q.created_at >= ?3"
static const char SQL_Q_STATS_DAY[] =
    "SELECT (q.created_at + 28800000) / 86400000 AS day, count(*), sum(q.answered),"
    " coalesce(sum(CASE WHEN q.helpful = 1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.helpful = 0 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.handoff_at IS NOT NULL THEN 1 ELSE 0 END), 0)"
    " FROM assistant_question q" STATS_WHERE " GROUP BY day ORDER BY day";
static const char SQL_Q_STATS_SECTION[] =
    "SELECT coalesce(e.section, ''), count(*),"
    " coalesce(sum(CASE WHEN q.helpful = 1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.helpful = 0 THEN 1 ELSE 0 END), 0)"
    " FROM assistant_question q LEFT JOIN kb_entry e ON e.id = q.entry_id AND q.answered = 1"
    STATS_WHERE " GROUP BY 1 ORDER BY 2 DESC, 1";

/* by the section of the entry ranked first, answered or not ('': none came near, ' ': since deleted, no section being blank) */
#define TOPIC_KEY "CASE WHEN q.entry_id IS NULL THEN '' WHEN e.id IS NULL THEN ' ' ELSE e.section END"
static const char SQL_Q_STATS_TOPIC[] =
    "SELECT " TOPIC_KEY ", count(*),"
    " coalesce(sum(CASE WHEN q.answered = 1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.answered = 0 AND q.entry_id IS NOT NULL THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.handoff_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.helpful = 1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN q.helpful = 0 THEN 1 ELSE 0 END), 0)"
    " FROM assistant_question q LEFT JOIN kb_entry e ON e.id = q.entry_id"
    STATS_WHERE " GROUP BY " TOPIC_KEY " ORDER BY 2 DESC, 1";

Error *assistant_store_version(Store *st, Arena *a, int64_t *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_KB_VERSION);

    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

static Error *bump(Store *st, Arena *a)
{
    StoreStmt *s = store_prepare(st, a, SQL_KB_BUMP);

    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* Steps @s, which changes one row: 404 (@field, @not_found) if it changed none. */
static Error *step_changed(Store *st, Arena *a, StoreStmt *s, const char *field,
                           const char *not_found)
{
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (store_changes(st) == 0)
        return error_not_found(a, field, not_found);
    return NULL;
}

/* Ends a change of the knowledge base: rolled back after @err, else its version raised, committed. */
static Error *finish(Store *st, Arena *a, Error *err)
{
    if (!err)
        err = bump(st, a);
    if (!err)
        return store_commit(st, a);
    store_rollback(st);
    return err;
}

/* Alternatives are stored as a JSON array of strings. */
static const char *alternatives_text(const KbEntry *e)
{
    json_t *arr = json_array();
    char *text;

    for (size_t i = 0; i < e->n_alternatives; i++)
        json_array_append_new(arr, json_string(e->alternatives[i]));
    text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

static void parse_alternatives(Arena *a, const char *text, KbEntry *e)
{
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    json_t *item;
    size_t i;

    e->alternatives = NULL;
    e->n_alternatives = 0;
    if (!json_is_array(arr)) {
        json_decref(arr);
        return;
    }
    e->alternatives = arena_alloc(a, sizeof(char *) * (json_array_size(arr) + 1));
    json_array_foreach(arr, i, item) {
        if (json_is_string(item))
            e->alternatives[e->n_alternatives++] = arena_strdup(a, json_string_value(item));
    }
    json_decref(arr);
}

static void read_entry(StoreStmt *s, Arena *a, KbEntry *e)
{
    e->id = store_column_text(s, a, 0);
    e->section = store_column_text(s, a, 1);
    e->question = store_column_text(s, a, 2);
    e->answer = store_column_text(s, a, 3);
    parse_alternatives(a, store_column_text(s, a, 4), e);
    e->keywords = store_column_text(s, a, 5);
    e->valid_until = store_column_text(s, a, 6);
    e->scope = store_column_text(s, a, 7);
    e->created_at = store_column_int64(s, 8);
    e->updated_at = store_column_int64(s, 9);
}

Error *assistant_store_entries_all(Store *st, Arena *a, KbEntry **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_KB_COUNT);
    size_t cap, n = 0;
    KbEntry *items;
    StoreResult r;

    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    cap = (size_t)store_column_int64(s, 0) + 1;
    store_reset(s);
    items = arena_zalloc(a, sizeof(KbEntry) * cap);
    s = store_prepare(st, a, SQL_KB_ALL);
    while ((r = store_step(s)) == STORE_ROW && n < cap)
        read_entry(s, a, &items[n++]);
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *assistant_store_synonyms_all(Store *st, Arena *a, const char ***ret_terms,
                                    const char ***ret_canonicals, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_SYN_ALL);
    size_t cap = 64, n = 0;
    const char **terms = arena_alloc(a, sizeof(char *) * cap);
    const char **canon = arena_alloc(a, sizeof(char *) * cap);
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW) {
        if (n == cap) {
            const char **t2 = arena_alloc(a, sizeof(char *) * cap * 2);
            const char **c2 = arena_alloc(a, sizeof(char *) * cap * 2);

            memcpy(t2, terms, sizeof(char *) * n);
            memcpy(c2, canon, sizeof(char *) * n);
            terms = t2;
            canon = c2;
            cap *= 2;
        }
        terms[n] = store_column_text(s, a, 0);
        canon[n] = store_column_text(s, a, 1);
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    *ret_terms = terms;
    *ret_canonicals = canon;
    *ret_n = n;
    return NULL;
}

Error *assistant_store_entry_get(Store *st, Arena *a, const char *id, KbEntry **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_KB_GET);
    KbEntry *e = NULL;

    store_bind_text(s, 1, id);
    switch (store_step(s)) {
    case STORE_ROW:
        e = arena_zalloc(a, sizeof(KbEntry));
        read_entry(s, a, e);
        break;
    case STORE_DONE:
        break;
    default:
        return store_error(st, a);
    }
    store_reset(s);
    *ret = e;
    return NULL;
}

static void bind_filter(StoreStmt *s, const KbFilter *f)
{
    store_bind_text(s, 1, f->user_scope ? f->user_scope : "");
    store_bind_int64(s, 2, f->all);
    store_bind_text(s, 3, f->section);
    store_bind_text(s, 4, f->text);
}

Error *assistant_store_sections(Store *st, Arena *a, const KbFilter *f, json_t *items)
{
    KbFilter all = { .user_scope = f->user_scope, .all = f->all };
    StoreStmt *s = store_prepare(st, a, SQL_KB_SECTIONS);
    StoreResult r;

    bind_filter(s, &all);
    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:s, s:I}", "section", store_column_text(s, a, 0),
                                               "count", (json_int_t)store_column_int64(s, 1)));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_store_entries(Store *st, Arena *a, const KbFilter *f, json_t *items,
                               int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_KB_LIST_COUNT);
    StoreResult r;

    bind_filter(s, f);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_total = store_column_int64(s, 0);
    store_reset(s);
    s = store_prepare(st, a, SQL_KB_LIST);
    bind_filter(s, f);
    store_bind_int64(s, 5, f->limit);
    store_bind_int64(s, 6, f->offset);
    while ((r = store_step(s)) == STORE_ROW) {
        KbEntry e;

        read_entry(s, a, &e);
        json_array_append_new(items, assistant_entry_json(a, &e));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static void bind_entry(StoreStmt *s, const KbEntry *e, const char *alternatives, int64_t now)
{
    store_bind_text(s, 1, e->id);
    store_bind_text(s, 2, e->section);
    store_bind_text(s, 3, e->question);
    store_bind_text(s, 4, e->answer);
    store_bind_text(s, 5, alternatives);
    store_bind_text(s, 6, e->keywords ? e->keywords : "");
    store_bind_text(s, 7, e->valid_until);
    store_bind_text(s, 8, e->scope ? e->scope : "");
    store_bind_int64(s, 9, now);
}

static void free_cb(void *p)
{
    free(p);
}

/* The JSON text of @e's alternatives, freed with @a. */
static const char *alternatives_in(Arena *a, const KbEntry *e)
{
    char *text = (char *)alternatives_text(e);

    if (!text)
        abort();
    arena_defer(a, free_cb, text);
    return text;
}

/* Marks questions @ids resolved by @entry_id, inside the caller's transaction. */
static Error *resolve_in_tx(Store *st, Arena *a, const QuestionSet *qs, const char *entry_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_RESOLVE);
    int64_t now = time_now_ms();

    for (size_t i = 0; qs && i < qs->n; i++) {
        store_bind_int64(s, 1, qs->ids[i]);
        store_bind_int64(s, 2, now);
        store_bind_text(s, 3, entry_id);
        store_bind_text(s, 4, qs->lo);
        store_bind_text(s, 5, qs->hi);
        if (store_step(s) != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        if (store_changes(st) == 0)
            return error_conflict(a, "question_ids", "already_resolved",
                                  "这组问题已有人处理或不在您的管辖范围内，请刷新列表后再试");
    }
    return NULL;
}

Error *assistant_store_entry_insert(Store *st, Arena *a, KbEntry *e, const QuestionSet *resolves)
{
    int64_t now = time_now_ms();
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    if (!e->id) {
        s = store_prepare(st, a, store_sql(st, SQL_KB_MAX_K, SQL_KB_MAX_K_PG));
        if (store_step(s) != STORE_ROW) {
            err = store_error(st, a);
            goto fail;
        }
        e->id = arena_sprintf(a, "K%03lld", (long long)store_column_int64(s, 0) + 1);
        store_reset(s);
    }
    s = store_prepare(st, a, SQL_KB_INSERT);
    bind_entry(s, e, alternatives_in(a, e), now);
    switch (store_step(s)) {
    case STORE_DONE:
        break;
    case STORE_CONSTRAINT:
        err = error_conflict(a, "id", "duplicate_id",
                             arena_sprintf(a, "编号 %s 已被使用，请换一个编号或编辑原条目", e->id));
        goto fail;
    default:
        err = store_error(st, a);
        goto fail;
    }
    store_reset(s);
    err = finish(st, a, resolve_in_tx(st, a, resolves, e->id));
    if (!err)
        e->created_at = e->updated_at = now;
    return err;
fail:
    store_rollback(st);
    return err;
}

Error *assistant_store_entry_upsert(Store *st, Arena *a, const KbEntry *e)
{
    StoreStmt *s = store_prepare(st, a, SQL_KB_UPSERT);

    bind_entry(s, e, alternatives_in(a, e), time_now_ms());
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_store_site_facts(Store *st, Arena *a, const char *community,
                                  AssistantSiteFacts *ret, bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_SITE_FACTS);

    *ret_found = false;
    store_bind_text(s, 1, community);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret = (AssistantSiteFacts){
            .name = store_column_text(s, a, 0),
            .office_phone = store_column_text(s, a, 1),
            .office_hours = store_column_text(s, a, 2),
            .address = store_column_text(s, a, 3),
            .station = store_column_text(s, a, 4),
            .duty_phone = store_column_text(s, a, 5),
        };
        *ret_found = true;
        /* fall through */
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *assistant_store_bump(Store *st, Arena *a)
{
    return bump(st, a);
}

Error *assistant_store_entry_update(Store *st, Arena *a, const KbEntry *e,
                                   const QuestionSet *resolves)
{
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_KB_UPDATE);
    bind_entry(s, e, alternatives_in(a, e), time_now_ms());
    err = step_changed(st, a, s, "id", "找不到该条目，可能已被删除");
    if (!err)
        err = resolve_in_tx(st, a, resolves, e->id);
    return finish(st, a, err);
}

Error *assistant_store_entry_delete(Store *st, Arena *a, const char *id)
{
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_KB_DELETE);
    store_bind_text(s, 1, id);
    return finish(st, a, step_changed(st, a, s, "id", "找不到该条目，可能已被删除"));
}

Error *assistant_store_entry_merge(Store *st, Arena *a, const KbEntry *keep, const char *remove_id)
{
    static const char *const repoint[] = { SQL_Q_REPOINT, SQL_Q_REPOINT_RESOLVED };
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_KB_UPDATE);
    bind_entry(s, keep, alternatives_in(a, keep), time_now_ms());
    err = step_changed(st, a, s, "keep", "找不到要保留的条目，可能已被删除");
    if (!err) {
        s = store_prepare(st, a, SQL_KB_DELETE);
        store_bind_text(s, 1, remove_id);
        err = step_changed(st, a, s, "remove", "找不到要合并掉的条目，可能已被删除");
    }
    for (size_t i = 0; i < 2 && !err; i++) {
        s = store_prepare(st, a, repoint[i]);
        store_bind_text(s, 1, keep->id);
        store_bind_text(s, 2, remove_id);
        if (store_step(s) != STORE_DONE)
            err = store_error(st, a);
        store_reset(s);
    }
    return finish(st, a, err);
}

Error *assistant_store_synonyms(Store *st, Arena *a, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_SYN_LIST);
    StoreResult r;

    while ((r = store_step(s)) == STORE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "id",
                                               (json_int_t)store_column_int64(s, 0), "term",
                                               store_column_text(s, a, 1), "canonical",
                                               store_column_text(s, a, 2)));
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_store_synonym_insert(Store *st, Arena *a, const char *term, const char *canonical,
                                      int64_t *ret_id)
{
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_SYN_INSERT);
    store_bind_text(s, 1, term);
    store_bind_text(s, 2, canonical);
    store_bind_int64(s, 3, time_now_ms());
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        store_reset(s);
        break;
    case STORE_CONSTRAINT:
        err = error_conflict(a, "term", "duplicate_term", "该词已有同义词设置，请先删除原来的");
        break;
    default:
        err = store_error(st, a);
        break;
    }
    return finish(st, a, err);
}

Error *assistant_store_synonym_delete(Store *st, Arena *a, int64_t id)
{
    StoreStmt *s;
    Error *err;

    err = store_begin(st, a);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_SYN_DELETE);
    store_bind_int64(s, 1, id);
    return finish(st, a, step_changed(st, a, s, "id", "找不到该同义词"));
}

Error *assistant_store_question_insert(Store *st, Arena *a, const AskRecord *r, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_INSERT);

    store_bind_text(s, 1, r->asked);
    store_bind_int64(s, 2, r->answered);
    store_bind_text(s, 3, r->entry_id);
    store_bind_double(s, 4, r->score);
    if (r->user_id)
        store_bind_int64(s, 5, r->user_id);
    else
        store_bind_null(s, 5);
    store_bind_text(s, 6, r->community ? r->community : "");
    store_bind_int64(s, 7, time_now_ms());
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

Error *assistant_store_feedback(Store *st, Arena *a, int64_t id, int64_t user_id, bool helpful)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_FEEDBACK);

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, helpful);
    return step_changed(st, a, s, "question_id", "找不到这个问题，可能不是您提的问题");
}

Error *assistant_store_unanswered(Store *st, Arena *a, const char *lo, const char *hi,
                                  int64_t limit, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_UNANSWERED);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, limit);
    while ((r = store_step(s)) == STORE_ROW) {
        json_t *helpful = store_column_is_null(s, 5) ? json_null()
                                                     : json_boolean(store_column_int64(s, 5));

        json_array_append_new(items, json_pack(
            "{s:I, s:s, s:b, s:o, s:f, s:o, s:s, s:s}",
            "id", (json_int_t)store_column_int64(s, 0),
            "asked", store_column_text(s, a, 1),
            "answered", (int)store_column_int64(s, 2),
            "entry_id", json_string_or_null(store_column_text(s, a, 3)),
            "score", store_column_double(s, 4),
            "helpful", helpful,
            "community", store_column_text(s, a, 6),
            "created_at", time_format_rfc3339(a, store_column_int64(s, 7))));
        json_object_set_new(json_array_get(items, json_array_size(items) - 1), "handoff",
                            json_boolean(store_column_int64(s, 8)));
        /* the closest entry by its question, for people (null once it is deleted) */
        json_object_set_new(json_array_get(items, json_array_size(items) - 1), "entry_question",
                            json_string_or_null(store_column_text(s, a, 9)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_store_handoff(Store *st, Arena *a, const Handoff *h)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_HANDOFF);
    StoreResult r;

    store_bind_int64(s, 1, h->question_id);
    store_bind_int64(s, 2, h->user_id);
    store_bind_int64(s, 3, time_now_ms());
    store_bind_text(s, 4, h->name);
    store_bind_blob(s, 5, h->phone_enc, h->phone_len);
    store_bind_text(s, 6, h->note);
    r = store_step(s);
    if (r == STORE_DONE) {
        store_reset(s);
        return error_not_found(a, "question_id", "找不到这个问题，可能不是您提的问题");
    }
    if (r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_store_handoffs(Store *st, Arena *a, const CryptoKeys *k, bool reveal,
                                const char *lo, const char *hi, int64_t limit, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_HANDOFFS);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, limit);
    while ((r = store_step(s)) == STORE_ROW) {
        size_t len = 0;
        void *enc = store_column_blob(s, a, 4, &len);
        const char *phone = enc ? crypto_open(k, a, enc, len) : NULL;

        if (phone && !reveal)
            phone = mask_phone(a, phone);
        json_array_append_new(items, json_pack(
            "{s:I, s:s, s:b, s:o, s:o, s:o, s:s, s:o, s:s}",
            "question_id", (json_int_t)store_column_int64(s, 0),
            "asked", store_column_text(s, a, 1),
            "answered", (int)store_column_int64(s, 2),
            "name", json_string_or_null(store_column_text(s, a, 3)),
            "phone", json_string_or_null(phone),
            "note", json_string_or_null(store_column_text(s, a, 5)),
            "handoff_at", time_format_rfc3339(a, store_column_int64(s, 6)),
            "resolved_entry", json_string_or_null(store_column_text(s, a, 7)),
            "community", store_column_text(s, a, 8)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int64_t since_ms,
                             json_t *by_day, json_t *by_section, json_t *sections)
{
    StoreStmt *s = store_prepare(st, a, SQL_Q_STATS_DAY);
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, since_ms);
    while ((r = store_step(s)) == STORE_ROW) {
        char day[11];

        time_format_date(day, store_column_int64(s, 0));
        json_array_append_new(by_day, json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I}", "date", day,
            "asked", (json_int_t)store_column_int64(s, 1),
            "answered", (json_int_t)store_column_int64(s, 2),
            "helpful", (json_int_t)store_column_int64(s, 3),
            "not_helpful", (json_int_t)store_column_int64(s, 4),
            "handoffs", (json_int_t)store_column_int64(s, 5)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);

    s = store_prepare(st, a, SQL_Q_STATS_SECTION);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, since_ms);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *section = store_column_text(s, a, 0);

        json_array_append_new(by_section, json_pack(
            "{s:o, s:I, s:I, s:I}", "section", json_string_or_null(*section ? section : NULL),
            "asked", (json_int_t)store_column_int64(s, 1),
            "helpful", (json_int_t)store_column_int64(s, 2),
            "not_helpful", (json_int_t)store_column_int64(s, 3)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);

    s = store_prepare(st, a, SQL_Q_STATS_TOPIC);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, since_ms);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *section = store_column_text(s, a, 0);
        bool removed = strcmp(section, " ") == 0;

        json_array_append_new(sections, json_pack(
            "{s:o, s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "section",
            json_string_or_null(*section && !removed ? section : NULL), "removed", removed,
            "asked", (json_int_t)store_column_int64(s, 1),
            "answered", (json_int_t)store_column_int64(s, 2),
            "suggested", (json_int_t)store_column_int64(s, 3),
            "handoffs", (json_int_t)store_column_int64(s, 4),
            "helpful", (json_int_t)store_column_int64(s, 5),
            "not_helpful", (json_int_t)store_column_int64(s, 6)));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_Q_COUNTS_BY_COMMUNITY[] =
    "SELECT q.community, coalesce(e.section, '未归类'), '', count(*),"
    " sum(CASE WHEN q.answered = 0 THEN 1 ELSE 0 END)"
    " FROM assistant_question q LEFT JOIN kb_entry e ON e.id = q.entry_id"
    " WHERE q.community >= ?1 AND q.community < ?2 AND q.created_at >= ?3"
    " GROUP BY q.community, coalesce(e.section, '未归类')";

Error *assistant_store_counts_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                           int64_t since_ms, CountRows *out)
{
    return store_count_rows(
        st, a, store_prepare_bind(st, a, SQL_Q_COUNTS_BY_COMMUNITY, "tti", lo, hi, since_ms), out);
}
