#pragma once
/*
 * Assistant (万象生活助手): residents' questions answered at any hour from a
 * knowledge base that staff keep; what it cannot answer goes to the staff.
 *
 * The knowledge base lives in SQLite (kb_entry, kb_synonym); each process
 * answers from an in-memory index of it (assistant_index.h), rebuilt when
 * kb_state.version says an entry or synonym changed, whoever changed it.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assistant/assistant_index.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/error.h"
#include "store/store_counts.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

#define ASSISTANT_QUESTION_MAX 500   /* characters */
#define ASSISTANT_UNKNOWN "这个问题我还不会，已转给社区工作人员"
#define KB_MAX_ALTERNATIVES 50
#define KB_IMPORT_MAX_LINES 200000

typedef struct KbEntry {
    const char *id;             /* "K001" */
    const char *section;
    const char *question;
    const char *answer;
    const char **alternatives;
    size_t n_alternatives;
    const char *keywords;       /* "" if none */
    const char *valid_until;    /* "YYYY-MM-DD" or NULL */
    const char *scope;          /* "" everyone, 9-digit street, 12-digit community */
    int64_t created_at;
    int64_t updated_at;
} KbEntry;

/* Bits of a partial entry (PATCH): which fields the request carried. */
enum {
    KB_SET_ID = 1 << 0,
    KB_SET_SECTION = 1 << 1,
    KB_SET_QUESTION = 1 << 2,
    KB_SET_ANSWER = 1 << 3,
    KB_SET_ALTERNATIVES = 1 << 4,
    KB_SET_KEYWORDS = 1 << 5,
    KB_SET_VALID_UNTIL = 1 << 6,
    KB_SET_SCOPE = 1 << 7,
};

/* ---- validation (assistant_validate.c) ---- */

/*
 * A question as asked: trimmed, line breaks and tabs as spaces, 1 to
 * ASSISTANT_QUESTION_MAX characters, with at least one letter, digit or
 * ideograph. 422 empty_question, question_too_long, no_text or invalid_text
 * naming @field. *ret in @a.
 */
Error *assistant_check_question(Arena *a, const char *field, const char *text, const char **ret);

/*
 * Reads a JSON object into @e (strings in @a): id, section, question,
 * answer, alternatives, keywords, valid_until, scope. With @partial, fields
 * may be absent and *ret_set (may be NULL) says which were present;
 * otherwise section, question and answer are required. Unknown fields are
 * rejected by name; 422 errors name the field.
 */
Error *assistant_entry_from_json(Arena *a, json_t *obj, bool partial, KbEntry *e, unsigned *ret_set);

/* The whole entry checked: required fields, id and scope shapes. */
Error *assistant_entry_check(Arena *a, const KbEntry *e);

/* {"id","section","question","answer","alternatives","keywords","valid_until","scope",...}. */
json_t *assistant_entry_json(Arena *a, const KbEntry *e);

/* ---- store (assistant_store.c) ---- */

typedef struct KbFilter {
    const char *user_scope;     /* entries whose scope is a prefix of it or lies within it */
    bool all;                   /* admin: every entry */
    const char *section;        /* or NULL */
    const char *text;           /* found in the question, an alternative or the id; or NULL */
    int64_t limit, offset;
} KbFilter;

Error *assistant_store_version(Store *st, Arena *a, int64_t *ret);
/* Every entry, for the index. */
Error *assistant_store_entries_all(Store *st, Arena *a, KbEntry **ret, size_t *ret_n);
Error *assistant_store_synonyms_all(Store *st, Arena *a, const char ***ret_terms,
                                    const char ***ret_canonicals, size_t *ret_n);
/* NULL in *ret when there is no such entry. */
Error *assistant_store_entry_get(Store *st, Arena *a, const char *id, KbEntry **ret);
Error *assistant_store_entries(Store *st, Arena *a, const KbFilter *f, json_t *items,
                               int64_t *ret_total);
/* The sections of the entries @f's user sees (its section and text ignored): {"section","count"}. */
Error *assistant_store_sections(Store *st, Arena *a, const KbFilter *f, json_t *items);
/*
 * Questions asked that a change to the knowledge base answers: ids, and the
 * bounds of the staff member's scope (auth_scope_bounds) they must lie in.
 */
typedef struct QuestionSet {
    const int64_t *ids;
    size_t n;
    const char *lo, *hi;
} QuestionSet;

/*
 * Inserts @e (409 duplicate_id); bumps the version. @e->id NULL: the next
 * free "K…" id. With @resolves (may be NULL) the same transaction marks
 * those questions resolved by @e (409 already_resolved if one is resolved,
 * gone or out of bounds: then nothing is written).
 */
Error *assistant_store_entry_insert(Store *st, Arena *a, KbEntry *e, const QuestionSet *resolves);
/* Inserts or replaces (imports), inside the caller's transaction; then call assistant_store_bump. */
Error *assistant_store_entry_upsert(Store *st, Arena *a, const KbEntry *e);
/* Says entries changed: every process rebuilds its index on its next question. */
Error *assistant_store_bump(Store *st, Arena *a);
/* 404 if gone; bumps the version; @resolves as for assistant_store_entry_insert. */
Error *assistant_store_entry_update(Store *st, Arena *a, const KbEntry *e,
                                   const QuestionSet *resolves);
Error *assistant_store_entry_delete(Store *st, Arena *a, const char *id);
/*
 * In one transaction: stores @keep (its phrasings now holding the other's),
 * deletes entry @remove_id, and makes the questions answered or resolved by
 * it count for @keep. 404 (field "keep"/"remove") if either is gone.
 */
Error *assistant_store_entry_merge(Store *st, Arena *a, const KbEntry *keep, const char *remove_id);

Error *assistant_store_synonyms(Store *st, Arena *a, json_t *items);
Error *assistant_store_synonym_insert(Store *st, Arena *a, const char *term, const char *canonical,
                                      int64_t *ret_id);
Error *assistant_store_synonym_delete(Store *st, Arena *a, int64_t id);

typedef struct AskRecord {
    const char *asked;
    bool answered;
    const char *entry_id;       /* or NULL */
    double score;
    int64_t user_id;
    const char *community;
} AskRecord;

Error *assistant_store_question_insert(Store *st, Arena *a, const AskRecord *r, int64_t *ret_id);
/* Sets helpful on the user's own question; 404 if it is not hers. */
Error *assistant_store_feedback(Store *st, Arena *a, int64_t id, int64_t user_id, bool helpful);
/*
 * Open (not resolved) questions in [@lo, @hi) that went unanswered, were
 * marked unhelpful or handed to a person, newest first, at most @limit,
 * appended to @items as {"id","asked","answered","entry_id","score",
 * "helpful","community","created_at","handoff"}.
 */
Error *assistant_store_unanswered(Store *st, Arena *a, const char *lo, const char *hi,
                                  int64_t limit, json_t *items);

/* 转人工: a resident hands her own question to the staff, with her contact. */
typedef struct Handoff {
    int64_t question_id;
    int64_t user_id;
    const char *name;
    const void *phone_enc;      /* sealed with core/crypto */
    size_t phone_len;
    const char *note;           /* or NULL */
} Handoff;

/* 404 if the question is not the user's. */
Error *assistant_store_handoff(Store *st, Arena *a, const Handoff *h);

/*
 * Handed-over questions in [@lo, @hi), newest first, appended to @items as
 * {"question_id","asked","answered","name","phone","note","handoff_at",
 * "resolved_entry","community"}; the phone masked unless @reveal.
 */
Error *assistant_store_handoffs(Store *st, Arena *a, const CryptoKeys *k, bool reveal,
                                const char *lo, const char *hi, int64_t limit, json_t *items);

/*
 * Questions asked in [@lo, @hi) since @since_ms: per day (UTC+8)
 * {"date","asked","answered","helpful","not_helpful","handoffs"} appended to
 * @by_day, oldest first, days without questions left out; per section of the
 * entry answered {"section" (null: not answered),"asked","helpful","not_helpful"}
 * to @by_section, most asked first; per section of the entry ranked first,
 * answered or not, {"section" (null: no entry came near, or "removed": the
 * entry was deleted since),"removed","asked","answered",
 * "suggested" (not answered, the best entries offered as choices),"handoffs",
 * "helpful","not_helpful"} to @sections, most asked first.
 */
Error *assistant_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int64_t since_ms,
                             json_t *by_day, json_t *by_section, json_t *sections);

/* ---- answering (assistant.c) ---- */

typedef struct AssistantAnswer {
    bool answered;
    const char *entry_id;       /* the answer's entry, or NULL */
    const char *answer;         /* its text, or ASSISTANT_UNKNOWN */
    double score;               /* assistant_confidence() of the top: 0..1 */
    AssistantHit top[ASSISTANT_TOP + 1]; /* best first, whatever the threshold; in the arena */
    size_t n_top;
} AssistantAnswer;

/*
 * Brings the process's index up to date with the database: rebuilds it if
 * kb_state.version moved. With @wait false, a caller finding another thread
 * rebuilding goes on with the index it has.
 */
Error *assistant_refresh(Store *st, Arena *a, bool wait);

/*
 * Answers @question (checked by assistant_check_question) for an asker in
 * @scope (a community or street code; NULL: every entry), skipping entries
 * expired before @today (NULL: none). Refreshes the index first.
 */
Error *assistant_ask(Store *st, Arena *a, const char *question, const char *scope,
                     const char *today, AssistantAnswer *ret);

/* ---- the asker's own community and linli's own pages (assistant_site.c) ---- */

/* A community's profile (社区信息) as the assistant reads it; "" for a field not kept. */
typedef struct AssistantSiteFacts {
    const char *name;           /* the community's name */
    const char *office_phone;
    const char *office_hours;
    const char *address;
    const char *station;
    const char *duty_phone;
} AssistantSiteFacts;

/* True for the template entries ("S-…") that answer from the asker's community. */
bool assistant_site_entry(const char *entry_id);
/* The H5 page an entry points to ("/h5/#/rooms"), or NULL. */
const char *assistant_entry_link(const char *entry_id);
/*
 * @tpl with {name}, {office_phone}, {office_hours}, {address}, {station},
 * {duty_phone} filled from @f; a [bracketed part] is left out when a field
 * in it is empty. NULL when a field outside brackets is empty or unknown.
 */
const char *assistant_site_render(Arena *a, const char *tpl, const AssistantSiteFacts *f);
/*
 * Fills the template hits of @hits[0..*n) from @community's profile and
 * drops those it cannot fill (no community, no profile, a field not kept),
 * keeping the order.
 */
Error *assistant_site_hits(Store *st, Arena *a, const char *community, AssistantHit *hits,
                           size_t *n);
/* @tpl filled from @community's profile; *ret NULL without a community, a profile or a field. */
Error *assistant_site_fill(Store *st, Arena *a, const char *community, const char *tpl,
                          const char **ret);
/* How to reach @community's 居委会 (its S-phone entry, filled); *ret NULL if unknown. */
Error *assistant_site_contact(Store *st, Arena *a, const char *community, const char **ret);
/* @community's profile; *ret_found false if it has none. */
Error *assistant_store_site_facts(Store *st, Arena *a, const char *community,
                                  AssistantSiteFacts *ret, bool *ret_found);

/* Drops the index (at exit, for leak checkers). */
void assistant_shutdown(void);

/* ---- optional generation (assistant_generate.c) ---- */

/*
 * Turns generation on when @cfg has an llm_url (else off), for the process;
 * call before serving (it initialises libcurl). Shutdown at exit.
 */
void assistant_generate_configure(const Config *cfg);
void assistant_generate_shutdown(void);
bool assistant_generate_enabled(void);

/*
 * The answer to @question phrased by the configured chat endpoint from the
 * entry @hit alone, in @a; NULL (logged) on any failure: off, an error, a
 * timeout, a status other than 200, a malformed or empty reply. Blocks for
 * at most the configured timeout.
 */
const char *assistant_generate(Arena *a, const char *question, const AssistantHit *hit);

/* ---- grouping alike questions ---- */

/*
 * Groups alike questions: @items (from assistant_store_unanswered) become
 * [{"question","count","unanswered","not_helpful","handoffs","question_ids",
 * "examples","last_asked","entry_id"}], biggest
 * group first. Two questions are alike when the retrieval's terms of them
 * (words, bigrams, characters, after the synonyms), weighted by the index's
 * IDF, overlap enough: weighted Jaccard >= 0.4. New reference.
 */
json_t *assistant_group_questions(Arena *a, json_t *items);

/* ---- near-duplicate entries ---- */

#define ASSISTANT_DUPLICATE_MIN 0.5

/*
 * Pairs of @entries[0..n) whose phrasings (question and alternatives) are
 * alike, weighed as assistant_group_questions weighs questions: weighted
 * Jaccard >= @min, most alike first, at most @limit, as
 * [{"a","b" ({"id","section","question","answer","scope"}),"similarity",
 * "answer_similarity"}]. Candidates are the pairs sharing a term that at
 * most 64 entries hold, so a large knowledge base is not compared pair by
 * pair. New reference.
 */
json_t *assistant_duplicates(Arena *a, const KbEntry *entries, size_t n, double min, size_t limit);

/*
 * For src/analytics: questions asked since @since_ms by residents of the
 * communities in [@lo, @hi), by community and the section of the entry
 * given (or best guessed; "未归类" when none), one grouped query: key the
 * section, n = {questions, unanswered (no entry good enough)}.
 */
Error *assistant_store_counts_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                           int64_t since_ms, CountRows *out);

void assistant_routes_register(Router *r);
