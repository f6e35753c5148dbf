/*
 * Answering: the process's one index, kept in step with the database.
 *
 * The index is immutable once built. Askers hold a read lock while they
 * search and copy out what they need; a rebuild happens beside it, without
 * the lock, and only the swap of the pointer takes the write lock (writers
 * are preferred, so a stream of askers cannot hold a swap off). Whether to
 * rebuild is decided by kb_state.version, which every change to an entry or
 * synonym bumps in its transaction: this process's writes, another
 * process's, and `linli kb import` while serving are all seen by the next
 * question.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/assistant.h"
#include "core/hash.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "core/banned.h"

static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
static pthread_rwlock_t index_lock;
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static AssistantIndex *current;        /* under index_lock */
static int64_t current_version = -1;   /* under index_lock */

static void lock_init(void)
{
    pthread_rwlockattr_t attr;

    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&index_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
}

static bool is_current(int64_t version, bool *ret_have)
{
    bool fresh;

    pthread_rwlock_rdlock(&index_lock);
    fresh = current && current_version == version;
    *ret_have = current != NULL;
    pthread_rwlock_unlock(&index_lock);
    return fresh;
}

/* Loads every entry and synonym and swaps a new index in. Holds build_lock. */
static Error *rebuild(Store *st, Arena *a, int64_t version)
{
    Arena *tmp = arena_new(1 << 20);
    Arena *syn_arena = arena_new(0);
    const char **terms, **canon;
    AssistantIndex *ix, *old;
    const Synonyms *syn;
    KbEntry *entries;
    KbDoc *docs;
    size_t n, n_syn;
    Error *err;

    err = assistant_store_entries_all(st, tmp, &entries, &n);
    if (!err)
        err = assistant_store_synonyms_all(st, tmp, &terms, &canon, &n_syn);
    if (err) {
        /* the error lives in @a, which outlives @tmp */
        Error *copy = error_internal(a, "%s", err->detail ? err->detail : err->message);

        arena_free(tmp);
        arena_free(syn_arena);
        return copy;
    }
    syn = synonyms_new(syn_arena, terms, canon, n_syn);
    docs = arena_alloc(tmp, sizeof(KbDoc) * (n + 1));
    for (size_t i = 0; i < n; i++)
        docs[i] = (KbDoc){
            .id = entries[i].id,
            .section = entries[i].section,
            .question = entries[i].question,
            .answer = entries[i].answer,
            .keywords = entries[i].keywords,
            .alternatives = entries[i].alternatives,
            .n_alternatives = entries[i].n_alternatives,
            .valid_until = entries[i].valid_until,
            .scope = entries[i].scope,
        };
    ix = assistant_index_build(docs, n, syn_arena, syn);
    arena_free(tmp);
    pthread_rwlock_wrlock(&index_lock);
    old = current;
    current = ix;
    current_version = version;
    pthread_rwlock_unlock(&index_lock);
    assistant_index_free(old);
    return NULL;
}

Error *assistant_refresh(Store *st, Arena *a, bool wait)
{
    int64_t version;
    bool have;
    Error *err;

    pthread_once(&lock_once, lock_init);
    err = assistant_store_version(st, a, &version);
    if (err)
        return err;
    if (is_current(version, &have))
        return NULL;
    if (wait || !have)
        pthread_mutex_lock(&build_lock);
    else if (pthread_mutex_trylock(&build_lock) != 0)
        return NULL; /* another thread is rebuilding: answer from the index we have */
    err = NULL;
    if (!is_current(version, &have))
        err = rebuild(st, a, version);
    pthread_mutex_unlock(&build_lock);
    return err;
}

static const char *dup_or_null(Arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

Error *assistant_ask(Store *st, Arena *a, const char *question, const char *scope,
                     const char *today, AssistantAnswer *ret)
{
    AssistantQuery q = { .scope = scope, .today = today, .top = ASSISTANT_TOP + 1 };
    AssistantAnswer ans = { .answer = ASSISTANT_UNKNOWN };
    Error *err;

    err = assistant_refresh(st, a, false);
    if (err)
        return err;
    pthread_rwlock_rdlock(&index_lock);
    if (current)
        ans.n_top = assistant_index_search(current, a, question, &q, ans.top);
    /* the hits point into the index: copy them before letting it go */
    for (size_t i = 0; i < ans.n_top; i++) {
        ans.top[i].id = dup_or_null(a, ans.top[i].id);
        ans.top[i].section = dup_or_null(a, ans.top[i].section);
        ans.top[i].question = dup_or_null(a, ans.top[i].question);
        ans.top[i].answer = dup_or_null(a, ans.top[i].answer);
    }
    pthread_rwlock_unlock(&index_lock);
    /* the entries that answer from the asker's own community: filled in, or dropped */
    err = assistant_site_hits(st, a, scope, ans.top, &ans.n_top);
    if (err)
        return err;
    if (ans.n_top > 0) {
        ans.score = assistant_confidence(ans.top, ans.n_top);
        if (ans.score >= ASSISTANT_THRESHOLD) {
            ans.answered = true;
            ans.entry_id = ans.top[0].id;
            ans.answer = ans.top[0].answer;
        }
    }
    *ret = ans;
    return NULL;
}

void assistant_shutdown(void)
{
    pthread_once(&lock_once, lock_init);
    pthread_rwlock_wrlock(&index_lock);
    assistant_index_free(current);
    current = NULL;
    current_version = -1;
    pthread_rwlock_unlock(&index_lock);
}

/* ---- grouping alike questions for the staff ---- */

#define GROUP_SIMILARITY 0.4   /* weighted Jaccard */
#define GROUP_REPS 8
#define CHAR_WEIGHT 0.5   /* a single character says less than a word or a bigram */

/*
 * Two questions are alike when the retrieval's own terms of them (words,
 * bigrams, characters and ASCII words, after the index's synonyms) overlap
 * enough: weighted Jaccard, sum of the smaller weights over sum of the
 * larger. A term weighs what the index says it does: its IDF (so 怎么 and
 * 申请, in many entries, count little beside 低保 or 医保) times its weight
 * as an occurrence (a bigram holding a function character or across two
 * words counts half, a single character half).
 */
typedef struct TermBag {
    uint64_t *keys;   /* sorted, unique: hashes of term keys */
    double *weights;
    size_t n;
} TermBag;

typedef struct KeyWeight {
    uint64_t key;
    double weight;
} KeyWeight;

static int cmp_key(const void *x, const void *y)
{
    uint64_t a = ((const KeyWeight *)x)->key, b = ((const KeyWeight *)y)->key;

    return a < b ? -1 : a > b;
}

/* Under the index's read lock; @ix may be NULL (every term weighs the same). */
static TermBag bag_of(Arena *a, const AssistantIndex *ix, const char *text)
{
    const char *folded = assistant_normalize(a, ix ? assistant_index_synonyms(ix) : NULL, text, NULL);
    /* a bigram with a function character (保怎, 么申) says how the question is put, not what about */
    TermOptions opt = { .words = true, .content_bigrams = true };
    TermBag bag = { 0 };
    KeyWeight *kw;
    Term *terms;
    size_t n, m = 0;

    if (!folded)
        return bag;
    n = assistant_terms(a, folded, &opt, &terms);
    kw = arena_alloc(a, sizeof(KeyWeight) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        double w = terms[i].weight * (terms[i].kind == TERM_CHAR ? CHAR_WEIGHT : 1);

        if (terms[i].kind == TERM_PINYIN)
            continue;
        if (ix)
            w *= assistant_index_idf(ix, terms[i].key, terms[i].len);
        kw[m++] = (KeyWeight){ hash_bytes(terms[i].key, terms[i].len), w };
    }
    qsort(kw, m, sizeof(KeyWeight), cmp_key);
    bag.keys = arena_alloc(a, sizeof(uint64_t) * (m + 1));
    bag.weights = arena_alloc(a, sizeof(double) * (m + 1));
    for (size_t i = 0; i < m; i++) {
        if (bag.n > 0 && bag.keys[bag.n - 1] == kw[i].key) {
            if (kw[i].weight > bag.weights[bag.n - 1])
                bag.weights[bag.n - 1] = kw[i].weight;
            continue;
        }
        bag.keys[bag.n] = kw[i].key;
        bag.weights[bag.n++] = kw[i].weight;
    }
    return bag;
}

static double similarity(const TermBag *x, const TermBag *y)
{
    size_t i = 0, j = 0;
    double lo = 0, hi = 0;

    while (i < x->n || j < y->n) {
        if (j >= y->n || (i < x->n && x->keys[i] < y->keys[j])) {
            hi += x->weights[i++];
        } else if (i >= x->n || y->keys[j] < x->keys[i]) {
            hi += y->weights[j++];
        } else {
            lo += x->weights[i] < y->weights[j] ? x->weights[i] : y->weights[j];
            hi += x->weights[i] > y->weights[j] ? x->weights[i] : y->weights[j];
            i++;
            j++;
        }
    }
    return hi > 0 ? lo / hi : 0;
}

typedef struct Group {
    TermBag reps[GROUP_REPS];  /* the first members: a question joins when like any of them */
    size_t n_reps;
    json_t *first;       /* borrowed from items: the newest question of the group */
    json_t *ids;
    json_t *examples;
    size_t count;
    size_t n_unanswered, n_unhelpful, n_handoff;
    size_t order;        /* groups of equal size stay newest first */
} Group;

static int cmp_group(const void *x, const void *y)
{
    const Group *a = x, *b = y;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

json_t *assistant_group_questions(Arena *a, json_t *items)
{
    size_t n = json_array_size(items), n_groups = 0, i;
    Group *groups = arena_alloc(a, sizeof(Group) * (n + 1));
    TermBag *bags = arena_alloc(a, sizeof(TermBag) * (n + 1));
    json_t *out = json_array();
    json_t *item;

    /* the terms weighed by the index as it is now; grouping itself needs no lock */
    pthread_once(&lock_once, lock_init);
    pthread_rwlock_rdlock(&index_lock);
    json_array_foreach(items, i, item) {
        const char *asked = json_string_value(json_object_get(item, "asked"));

        bags[i] = bag_of(a, current, asked ? asked : "");
    }
    pthread_rwlock_unlock(&index_lock);

    json_array_foreach(items, i, item) {
        const char *asked = json_string_value(json_object_get(item, "asked"));
        TermBag b = bags[i];
        Group *g = NULL;

        double best = GROUP_SIMILARITY;

        for (size_t k = 0; k < n_groups; k++) {
            for (size_t r = 0; r < groups[k].n_reps; r++) {
                double sim = similarity(&groups[k].reps[r], &b);

                if (sim >= best) {
                    best = sim;
                    g = &groups[k];
                }
            }
            if (!g && strcmp(json_string_value(json_object_get(groups[k].first, "asked")), asked) == 0)
                g = &groups[k];
        }
        if (!g) {
            g = &groups[n_groups];
            *g = (Group){ .first = item, .ids = json_array(), .examples = json_array(),
                          .order = n_groups };
            n_groups++;
        }
        if (g->n_reps < GROUP_REPS)
            g->reps[g->n_reps++] = b;
        g->count++;
        if (!json_is_true(json_object_get(item, "answered")))
            g->n_unanswered++;
        else if (json_is_false(json_object_get(item, "helpful")))
            g->n_unhelpful++;
        if (json_is_true(json_object_get(item, "handoff")))
            g->n_handoff++;
        json_array_append_new(g->ids, json_integer(json_integer_value(json_object_get(item, "id"))));
        if (json_array_size(g->examples) < 5) {
            bool dup = false;
            size_t k;
            json_t *ex;

            json_array_foreach(g->examples, k, ex)
                dup = dup || strcmp(json_string_value(ex), asked) == 0;
            if (!dup)
                json_array_append_new(g->examples, json_string(asked));
        }
    }
    qsort(groups, n_groups, sizeof(Group), cmp_group);
    for (size_t k = 0; k < n_groups; k++) {
        json_t *first = groups[k].first;

        json_array_append_new(out, json_pack(
            "{s:O, s:I, s:I, s:I, s:I, s:o, s:o, s:O, s:O, s:O}",
            "question", json_object_get(first, "asked"),
            "count", (json_int_t)groups[k].count,
            "unanswered", (json_int_t)groups[k].n_unanswered,
            "not_helpful", (json_int_t)groups[k].n_unhelpful,
            "handoffs", (json_int_t)groups[k].n_handoff,
            "question_ids", groups[k].ids,
            "examples", groups[k].examples,
            "last_asked", json_object_get(first, "created_at"),
            "entry_id", json_object_get(first, "entry_id"),
            "entry_question", json_object_get(first, "entry_question")));
    }
    return out;
}

/* ---- near-duplicate entries ---- */

/* a term in more entries than this says what kind of question it is, not which one */
#define DUP_MAX_DF 64

typedef struct KeyEntry {
    uint64_t key;
    uint32_t entry;
} KeyEntry;

typedef struct DupPair {
    uint32_t x, y;
    double sim, answer_sim;
} DupPair;

static int cmp_key_entry(const void *p, const void *q)
{
    const KeyEntry *a = p, *b = q;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

static int cmp_pair_xy(const void *p, const void *q)
{
    const DupPair *a = p, *b = q;

    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return a->y < b->y ? -1 : a->y > b->y;
}

static int cmp_pair_sim(const void *p, const void *q)
{
    const DupPair *a = p, *b = q;

    if (a->sim != b->sim)
        return a->sim > b->sim ? -1 : 1;
    return cmp_pair_xy(p, q);
}

/* The bag of an entry's phrasings: its question and every alternative, each term at its heaviest. */
static TermBag phrasings_bag(Arena *a, const AssistantIndex *ix, const KbEntry *e)
{
    StrBuf sb;
    const char *text;

    strbuf_init(&sb, a, 1 << 20);
    strbuf_adds(&sb, e->question);
    for (size_t i = 0; i < e->n_alternatives; i++) {
        strbuf_adds(&sb, "。");
        strbuf_adds(&sb, e->alternatives[i]);
    }
    text = strbuf_finish(&sb, NULL);
    return bag_of(a, ix, text ? text : e->question);
}

static json_t *dup_entry_json(const KbEntry *e)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", e->id, "section", e->section, "question",
                     e->question, "answer", e->answer, "scope", e->scope);
}

json_t *assistant_duplicates(Arena *a, const KbEntry *entries, size_t n, double min, size_t limit)
{
    TermBag *bags = arena_alloc(a, sizeof(TermBag) * (n + 1));
    TermBag *answers = arena_alloc(a, sizeof(TermBag) * (n + 1));
    KeyEntry *ke;
    DupPair *pairs = NULL;
    size_t n_ke = 0, n_pairs = 0, cap = 0, n_out = 0;
    json_t *out = json_array();

    pthread_once(&lock_once, lock_init);
    pthread_rwlock_rdlock(&index_lock);
    for (size_t i = 0; i < n; i++) {
        bags[i] = phrasings_bag(a, current, &entries[i]);
        answers[i] = bag_of(a, current, entries[i].answer);
        n_ke += bags[i].n;
    }
    pthread_rwlock_unlock(&index_lock);

    /* candidates: entries sharing a term that few entries hold */
    ke = arena_alloc(a, sizeof(KeyEntry) * (n_ke + 1));
    n_ke = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < bags[i].n; k++)
            ke[n_ke++] = (KeyEntry){ bags[i].keys[k], (uint32_t)i };
    qsort(ke, n_ke, sizeof(KeyEntry), cmp_key_entry);
    for (size_t lo = 0, hi; lo < n_ke; lo = hi) {
        for (hi = lo + 1; hi < n_ke && ke[hi].key == ke[lo].key; hi++)
            ;
        if (hi - lo < 2 || hi - lo > DUP_MAX_DF)
            continue;
        for (size_t i = lo; i < hi; i++)
            for (size_t j = i + 1; j < hi; j++) {
                if (n_pairs == cap) {
                    cap = cap ? cap * 2 : 256;
                    pairs = realloc(pairs, sizeof(DupPair) * cap);
                    if (!pairs)
                        abort();
                }
                pairs[n_pairs++] = (DupPair){ ke[i].entry, ke[j].entry, 0, 0 };
            }
    }
    if (n_pairs)
        qsort(pairs, n_pairs, sizeof(DupPair), cmp_pair_xy);

    /* each candidate once, scored */
    {
        size_t m = 0;

        for (size_t i = 0; i < n_pairs; i++) {
            if (m > 0 && pairs[m - 1].x == pairs[i].x && pairs[m - 1].y == pairs[i].y)
                continue;
            pairs[i].sim = similarity(&bags[pairs[i].x], &bags[pairs[i].y]);
            if (pairs[i].sim < min)
                continue;
            pairs[i].answer_sim = similarity(&answers[pairs[i].x], &answers[pairs[i].y]);
            pairs[m++] = pairs[i];
        }
        n_pairs = m;
    }
    if (n_pairs)
        qsort(pairs, n_pairs, sizeof(DupPair), cmp_pair_sim);
    for (size_t i = 0; i < n_pairs && n_out < limit; i++, n_out++)
        json_array_append_new(out, json_pack("{s:o, s:o, s:f, s:f}",
                                             "a", dup_entry_json(&entries[pairs[i].x]),
                                             "b", dup_entry_json(&entries[pairs[i].y]),
                                             "similarity", (double)(int)(pairs[i].sim * 1000) / 1000,
                                             "answer_similarity",
                                             (double)(int)(pairs[i].answer_sim * 1000) / 1000));
    free(pairs);
    return out;
}
