/*
 * The assistant's index: built once from all entries, then read-only, so
 * any number of threads search it without locks (assistant.c swaps in a new
 * one when entries change).
 *
 * Each entry becomes one document per phrasing (its question and each
 * alternative), all sharing the entry's keywords, answer and section. A
 * term's postings list the documents holding it, in document order, with its
 * frequency in each field. IDF counts the entries that hold a term in a
 * phrasing or the keywords: residents' questions are matched against
 * questions, and a word every answer uses (身份证, 咨询) can still be what
 * tells two questions apart.
 *
 * A search runs in two phases, as large engines do. Phase one adds up
 * BM25F contributions from the postings of the rarer query terms (a term
 * in more than a twentieth of a large index adds little and costs most) and
 * keeps the best CANDIDATES documents. Phase two scores each candidate on
 * every query term, by binary search in the postings: its BM25F score ranks
 * it, and its confidence decides whether to answer at all. The confidence
 * is the share of the question's weight the document matches (query
 * coverage) and the share of the phrasing's weight the question matches
 * (document coverage), both weighted by IDF, term kind and term weight. A
 * short question ("低保怎么申请") covers little of a long phrasing but is
 * covered well; a long, rambling one the other way round; a question the
 * knowledge base cannot answer does neither. The confidence is their mean,
 * leaning to the better of the two.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assistant/assistant_index.h"
#include "core/hash.h"
#include "core/text.h"
#include "core/banned.h"

#define CANDIDATES 64
#define K1 1.2
#define MIN_TRAVERSED 3        /* the rarest terms are always traversed */
#define MAX_TF 255

/* How much a match of each kind of term counts (see assistant_index.h). */
static const double KIND_WEIGHT[_TERM_KIND_MAX] = {
    [TERM_WORD] = 1.0, [TERM_BIGRAM] = 1.0, [TERM_CHAR] = 0.5, [TERM_PINYIN] = 0.5, [TERM_ASCII] = 1.0,
};
static const double FIELD_WEIGHT[_KB_FIELD_MAX] = {
    [FIELD_QUESTION] = 1.0, [FIELD_KEYWORDS] = 0.8, [FIELD_ANSWER] = 0.3, [FIELD_SECTION] = 0.2,
};
/* BM25's length normalisation per field: questions are short and alike in length. */
static const double FIELD_B[_KB_FIELD_MAX] = {
    [FIELD_QUESTION] = 0.3, [FIELD_KEYWORDS] = 0.3, [FIELD_ANSWER] = 0.75, [FIELD_SECTION] = 0.0,
};
/* A query term found only in the answer or section counts this much towards coverage. */
#define BODY_COVERAGE 0.3
/* A pinyin bigram standing for a bigram no entry holds (以保 for 医保) counts as a bigram. */
#define PINYIN_TYPO 1.0
/* The confidence leans this much to the better of the two coverages. */
#define CONFIDENCE_HI 0.65

typedef struct Posting {
    uint32_t doc;
    uint8_t tf[_KB_FIELD_MAX];
} Posting;

typedef struct IxTerm {
    const char *key;
    uint32_t len;
    TermKind kind;
    uint32_t df;            /* entries holding the term */
    uint32_t df_q;          /* entries holding it in a phrasing or the keywords */
    float idf;
    Posting *post;          /* malloc'd; in document order */
    uint32_t n_post, cap_post;
    uint32_t last_entry;    /* while building: entry + 1 that last counted in df */
    uint32_t last_entry_q;  /* the same for df_q */
    uint32_t last_doc;      /* while building: doc + 1 that last used slot */
    uint32_t slot;
} IxTerm;

typedef struct QTermRef {
    uint32_t term;
    float weight;           /* the occurrence's weight (Term.weight), the largest in the phrasing */
} QTermRef;

typedef struct IxDoc {
    uint32_t entry;
    uint16_t len[_KB_FIELD_MAX]; /* terms in each field */
    uint32_t qterms;        /* offset into AssistantIndex.qterms: the phrasing's terms, sorted */
    uint32_t n_qterms;
    float q_weight;         /* their summed weight (kind × idf) */
} IxDoc;

/* A slot of the term table: the key's hash's high half (compared before the key), term + 1 (0: empty). */
typedef struct IxSlot {
    uint32_t tag;
    uint32_t term;
} IxSlot;

typedef struct IxEntry {
    const char *id;
    const char *section;
    const char *question;
    const char *answer;
    const char *valid_until;
    const char *scope;
} IxEntry;

struct AssistantIndex {
    Arena *arena;           /* keys and entry text */
    Arena *syn_arena;
    const Synonyms *syn;
    IxEntry *entries;
    size_t n_entries;
    IxDoc *docs;
    size_t n_docs, cap_docs;
    IxTerm *terms;
    size_t n_terms, cap_terms;
    IxSlot *slots;          /* open addressing over terms */
    size_t n_slots;
    QTermRef *qterms;
    size_t n_qterms, cap_qterms;
    double avg_len[_KB_FIELD_MAX];
    double idf_oov;         /* for query terms no entry holds */
    const char **syllables; /* open addressing: pinyin syllables of the indexed text */
    size_t n_syl_slots;
};

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);

    if (!q)
        abort();
    return q;
}

static int64_t find_term_hashed(const AssistantIndex *ix, const char *key, size_t len, uint64_t h)
{
    size_t i = h & (ix->n_slots - 1);
    uint32_t tag = (uint32_t)(h >> 32);

    for (;;) {
        const IxSlot *sl = &ix->slots[i];

        if (sl->term == 0)
            return -1;
        if (sl->tag == tag && ix->terms[sl->term - 1].len == len &&
            memcmp(ix->terms[sl->term - 1].key, key, len) == 0)
            return sl->term - 1;
        i = (i + 1) & (ix->n_slots - 1);
    }
}

static int64_t find_term(const AssistantIndex *ix, const char *key, size_t len)
{
    return find_term_hashed(ix, key, len, hash_bytes(key, len));
}

static void slot_put(IxSlot *slots, size_t n_slots, uint64_t h, uint32_t term)
{
    size_t i = h & (n_slots - 1);

    while (slots[i].term)
        i = (i + 1) & (n_slots - 1);
    slots[i] = (IxSlot){ (uint32_t)(h >> 32), term + 1 };
}

static void rehash(AssistantIndex *ix, size_t n_slots)
{
    free(ix->slots);
    ix->slots = calloc(n_slots, sizeof(IxSlot));
    if (!ix->slots)
        abort();
    ix->n_slots = n_slots;
    for (size_t t = 0; t < ix->n_terms; t++)
        slot_put(ix->slots, n_slots, hash_bytes(ix->terms[t].key, ix->terms[t].len), (uint32_t)t);
}

/* The term @key (whose hash is @h), added if new. */
static uint32_t intern_term(AssistantIndex *ix, const char *key, size_t len, uint64_t h, TermKind kind)
{
    int64_t found = find_term_hashed(ix, key, len, h);
    IxTerm *it;

    if (found >= 0)
        return (uint32_t)found;
    if (ix->n_terms == ix->cap_terms) {
        ix->cap_terms = ix->cap_terms ? ix->cap_terms * 2 : 4096;
        ix->terms = xrealloc(ix->terms, sizeof(IxTerm) * ix->cap_terms);
    }
    it = &ix->terms[ix->n_terms];
    memset(it, 0, sizeof(*it));
    it->key = arena_strndup(ix->arena, key, len);
    it->len = (uint32_t)len;
    it->kind = kind;
    ix->n_terms++;
    if (ix->n_terms * 2 > ix->n_slots)
        rehash(ix, ix->n_slots ? ix->n_slots * 2 : 8192);
    else
        slot_put(ix->slots, ix->n_slots, h, (uint32_t)ix->n_terms - 1);
    return (uint32_t)ix->n_terms - 1;
}

/* ---- pinyin syllables of the index, for reading pinyin typed in questions ---- */

static void syllable_add(AssistantIndex *ix, const char *s, size_t len)
{
    size_t i = hash_bytes(s, len) & (ix->n_syl_slots - 1);

    while (ix->syllables[i]) {
        if (strlen(ix->syllables[i]) == len && memcmp(ix->syllables[i], s, len) == 0)
            return;
        i = (i + 1) & (ix->n_syl_slots - 1);
    }
    ix->syllables[i] = arena_strndup(ix->arena, s, len);
}

static bool is_syllable(const void *ctx, const char *s, size_t len)
{
    const AssistantIndex *ix = ctx;
    size_t i = hash_bytes(s, len) & (ix->n_syl_slots - 1);

    while (ix->syllables[i]) {
        if (strlen(ix->syllables[i]) == len && memcmp(ix->syllables[i], s, len) == 0)
            return true;
        i = (i + 1) & (ix->n_syl_slots - 1);
    }
    return false;
}

/* ---- building ---- */

/*
 * Building runs in two stages, as a pipeline. Turning text into terms (ICU
 * folding and word breaks, synonyms, bigrams, pinyin) needs nothing of the
 * index, so worker threads do it for batches of entries ahead; the builder
 * takes the batches in entry order and adds their terms to the index, so the
 * index is the same whatever the number of threads.
 */
#define BATCH_ENTRIES 16
#define BATCH_DEPTH 2          /* ring slots per thread */
#define MAX_WORKERS 7
#define MIN_BATCHES_THREADED 64

/* One occurrence of a term in an entry's field, as a worker made it. */
typedef struct PrepTerm {
    const char *key;
    uint64_t hash;
    uint32_t len;
    uint8_t kind;           /* TermKind */
    uint8_t field;          /* KbField */
    float weight;
} PrepTerm;

typedef struct PrepList {
    PrepTerm *items;
    size_t n, cap;
} PrepList;

typedef struct PrepEntry {
    PrepList shared;        /* keywords, answer, section */
    PrepList *phrasings;    /* the question, then each alternative */
    size_t n_phrasings;
} PrepEntry;

static void prep_add_text(Arena *a, const Synonyms *syn, PrepList *pl, const char *text, KbField field,
                          const TermOptions *opt)
{
    TermOptions scaled;
    const char *norm;
    float *scale;
    Term *terms;
    size_t n;

    if (!text || !*text)
        return;
    norm = assistant_normalize(a, syn, text, &scale);
    if (!norm)
        return;
    scaled = *opt;
    scaled.scale = scale;
    n = assistant_terms(a, norm, &scaled, &terms);
    if (pl->n + n > pl->cap) {
        size_t cap = pl->cap ? pl->cap : 256;
        PrepTerm *items;

        while (cap < pl->n + n)
            cap *= 2;
        items = arena_alloc(a, sizeof(PrepTerm) * cap);
        if (pl->n)
            memcpy(items, pl->items, sizeof(PrepTerm) * pl->n);
        pl->items = items;
        pl->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        pl->items[pl->n++] = (PrepTerm){
            .key = terms[i].key,
            .hash = hash_bytes(terms[i].key, terms[i].len),
            .len = (uint32_t)terms[i].len,
            .kind = (uint8_t)terms[i].kind,
            .field = (uint8_t)field,
            .weight = (float)terms[i].weight,
        };
}

static void prep_entry(Arena *a, const Synonyms *syn, const KbDoc *kb, PrepEntry *pe)
{
    static const TermOptions full = { .words = true, .pinyin = true };
    static const TermOptions body = { .words = false, .pinyin = false };
    static const TermOptions section = { .words = true, .pinyin = false };

    memset(pe, 0, sizeof(*pe));
    prep_add_text(a, syn, &pe->shared, kb->keywords, FIELD_KEYWORDS, &full);
    prep_add_text(a, syn, &pe->shared, kb->answer, FIELD_ANSWER, &body);
    prep_add_text(a, syn, &pe->shared, kb->section, FIELD_SECTION, &section);
    pe->n_phrasings = 1 + kb->n_alternatives;
    pe->phrasings = arena_zalloc(a, sizeof(PrepList) * pe->n_phrasings);
    prep_add_text(a, syn, &pe->phrasings[0], kb->question, FIELD_QUESTION, &full);
    for (size_t k = 0; k < kb->n_alternatives; k++)
        prep_add_text(a, syn, &pe->phrasings[1 + k], kb->alternatives[k], FIELD_QUESTION, &full);
}

/*
 * Batches go round a ring of slots. Any thread (the workers, and the builder
 * when the batch it needs next is not ready) claims the next batch not yet
 * claimed, as long as its slot is free; the builder takes them in order and
 * frees their slots. So at most ring-size batches exist at once, and no
 * thread idles while there is text to process.
 */
typedef struct Batch {
    Arena *arena;
    PrepEntry *entries;
    size_t first, n;
    bool ready;             /* under Prep.lock */
} Batch;

typedef struct Prep {
    const KbDoc *kb;
    size_t n_entries, n_batches;
    const Synonyms *syn;
    Batch *ring;
    size_t n_ring;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t next_claim;      /* the next batch to make */
    size_t consumed;        /* batches the builder is done with */
} Prep;

static void batch_fill(const Prep *p, Batch *b, size_t k)
{
    arena_reset(b->arena);
    b->first = k * BATCH_ENTRIES;
    b->n = p->n_entries - b->first < BATCH_ENTRIES ? p->n_entries - b->first : BATCH_ENTRIES;
    b->entries = arena_alloc(b->arena, sizeof(PrepEntry) * b->n);
    for (size_t i = 0; i < b->n; i++)
        prep_entry(b->arena, p->syn, &p->kb[b->first + i], &b->entries[i]);
}

/* Under the lock: claims a batch to make, if one may be made now. */
static bool batch_claim(Prep *p, size_t *ret)
{
    if (p->next_claim >= p->n_batches || p->next_claim >= p->consumed + p->n_ring)
        return false;
    *ret = p->next_claim++;
    return true;
}

/* Under the lock, which it lets go while it makes batch @k. */
static void batch_make(Prep *p, size_t k)
{
    Batch *b = &p->ring[k % p->n_ring];

    pthread_mutex_unlock(&p->lock);
    batch_fill(p, b, k);
    pthread_mutex_lock(&p->lock);
    b->ready = true;
    pthread_cond_broadcast(&p->cond);
}

static void *worker_main(void *arg)
{
    Prep *p = arg;
    size_t k;

    pthread_mutex_lock(&p->lock);
    while (p->next_claim < p->n_batches) {
        if (batch_claim(p, &k))
            batch_make(p, k);
        else
            pthread_cond_wait(&p->cond, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The builder's next batch, @k: made by a worker, or by the builder meanwhile. */
static Batch *batch_take(Prep *p, size_t k)
{
    Batch *b = &p->ring[k % p->n_ring];
    size_t j;

    pthread_mutex_lock(&p->lock);
    while (!b->ready) {
        if (batch_claim(p, &j))
            batch_make(p, j);
        else
            pthread_cond_wait(&p->cond, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return b;
}

static void batch_done(Prep *p, Batch *b)
{
    pthread_mutex_lock(&p->lock);
    b->ready = false;
    p->consumed++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* Worker threads beside the builder: one fewer than the CPUs, none for a small knowledge base. */
static int workers_wanted(size_t n_batches)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int w = cpus > 1 ? (int)(cpus - 1) : 0;

    if (w > MAX_WORKERS)
        w = MAX_WORKERS;
    if (n_batches < MIN_BATCHES_THREADED)
        w = 0;   /* a few hundred entries build faster than threads start */
    return w;
}

/* The index's own terms of a worker's list. */
typedef struct Occurrence {
    uint32_t term;
    KbField field;
    float weight;
} Occurrence;

typedef struct OccList {
    Occurrence *items;
    size_t n;
} OccList;

static OccList occ_intern(AssistantIndex *ix, Arena *a, const PrepList *pl)
{
    OccList ol = { arena_alloc(a, sizeof(Occurrence) * (pl->n + 1)), pl->n };

    for (size_t i = 0; i < pl->n; i++) {
        const PrepTerm *pt = &pl->items[i];

        ol.items[i] = (Occurrence){ intern_term(ix, pt->key, pt->len, pt->hash, (TermKind)pt->kind),
                                    (KbField)pt->field, pt->weight };
    }
    return ol;
}

typedef struct Local {
    uint32_t term;
    uint8_t tf[_KB_FIELD_MAX];
    float q_weight;         /* largest weight of an occurrence in the phrasing */
} Local;

/* By term: a phrasing has tens of terms, which an insertion sort orders fastest. */
static void sort_qrefs(QTermRef *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        QTermRef x = r[i];
        size_t j = i;

        while (j > 0 && r[j - 1].term > x.term) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
}

static void count(AssistantIndex *ix, uint32_t doc, Local *local, size_t *n_local, IxDoc *d,
                  const OccList *ol)
{
    for (size_t i = 0; i < ol->n; i++) {
        IxTerm *t = &ix->terms[ol->items[i].term];
        Local *l;

        if (t->last_doc != doc + 1) {
            t->last_doc = doc + 1;
            t->slot = (uint32_t)(*n_local)++;
            local[t->slot].term = ol->items[i].term;
            memset(local[t->slot].tf, 0, sizeof(local[t->slot].tf));
            local[t->slot].q_weight = 0;
        }
        l = &local[t->slot];
        if (ol->items[i].field == FIELD_QUESTION && ol->items[i].weight > l->q_weight)
            l->q_weight = ol->items[i].weight;
        if (l->tf[ol->items[i].field] < MAX_TF)
            l->tf[ol->items[i].field]++;
        if (d->len[ol->items[i].field] < UINT16_MAX)
            d->len[ol->items[i].field]++;
    }
}

/* Adds one document: the phrasing's occurrences @q and the entry's @shared. */
static void add_doc(AssistantIndex *ix, Arena *a, uint32_t entry, const OccList *q,
                    const OccList *shared)
{
    uint32_t doc = (uint32_t)ix->n_docs;
    Local *local = arena_alloc(a, sizeof(Local) * (q->n + shared->n + 1));
    size_t n_local = 0, n_q = 0;
    IxDoc *d;

    if (ix->n_docs == ix->cap_docs) {
        ix->cap_docs = ix->cap_docs ? ix->cap_docs * 2 : 1024;
        ix->docs = xrealloc(ix->docs, sizeof(IxDoc) * ix->cap_docs);
    }
    d = &ix->docs[ix->n_docs++];
    memset(d, 0, sizeof(*d));
    d->entry = entry;
    count(ix, doc, local, &n_local, d, q);
    count(ix, doc, local, &n_local, d, shared);

    if (ix->n_qterms + n_local > ix->cap_qterms) {
        while (ix->n_qterms + n_local > ix->cap_qterms)
            ix->cap_qterms = ix->cap_qterms ? ix->cap_qterms * 2 : 65536;
        ix->qterms = xrealloc(ix->qterms, sizeof(QTermRef) * ix->cap_qterms);
    }
    d->qterms = (uint32_t)ix->n_qterms;
    for (size_t i = 0; i < n_local; i++) {
        IxTerm *t = &ix->terms[local[i].term];

        if (t->n_post == t->cap_post) {
            t->cap_post = t->cap_post ? t->cap_post * 2 : 4;
            t->post = xrealloc(t->post, sizeof(Posting) * t->cap_post);
        }
        t->post[t->n_post].doc = doc;
        memcpy(t->post[t->n_post].tf, local[i].tf, sizeof(local[i].tf));
        t->n_post++;
        if (t->last_entry != entry + 1) {
            t->last_entry = entry + 1;
            t->df++;
        }
        if ((local[i].tf[FIELD_QUESTION] || local[i].tf[FIELD_KEYWORDS]) &&
            t->last_entry_q != entry + 1) {
            t->last_entry_q = entry + 1;
            t->df_q++;
        }
        if (local[i].tf[FIELD_QUESTION])
            ix->qterms[ix->n_qterms + n_q++] = (QTermRef){ local[i].term, local[i].q_weight };
    }
    sort_qrefs(ix->qterms + ix->n_qterms, n_q);
    d->n_qterms = (uint32_t)n_q;
    ix->n_qterms += n_q;
}

static const char *copy_or_null(Arena *a, const char *s)
{
    return s && *s ? arena_strdup(a, s) : NULL;
}

AssistantIndex *assistant_index_build(const KbDoc *kb, size_t n, Arena *syn_arena,
                                      const Synonyms *syn)
{
    AssistantIndex *ix = calloc(1, sizeof(AssistantIndex));
    Arena *scratch = arena_new(1 << 16);
    double total_len[_KB_FIELD_MAX] = { 0 };
    Prep p = { .kb = kb, .n_entries = n, .syn = syn, .n_batches = (n + BATCH_ENTRIES - 1) / BATCH_ENTRIES };
    pthread_t workers[MAX_WORKERS];
    int wanted, n_workers = 0;

    if (!ix)
        abort();
    ix->arena = arena_new(1 << 20);
    ix->syn_arena = syn_arena;
    ix->syn = syn;
    ix->entries = arena_alloc(ix->arena, sizeof(IxEntry) * (n + 1));
    rehash(ix, 8192);

    wanted = workers_wanted(p.n_batches);
    p.n_ring = (size_t)(wanted + 1) * BATCH_DEPTH;
    p.ring = calloc(p.n_ring, sizeof(Batch));
    if (!p.ring)
        abort();
    for (size_t i = 0; i < p.n_ring; i++)
        p.ring[i].arena = arena_new(1 << 20);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.cond, NULL);
    for (int i = 0; i < wanted; i++) {
        if (pthread_create(&workers[i], NULL, worker_main, &p) != 0)
            break;   /* fewer workers: the builder makes more batches itself */
        n_workers++;
    }

    for (size_t k = 0; k < p.n_batches; k++) {
        Batch *b = batch_take(&p, k);

        for (size_t i = 0; i < b->n; i++) {
            const PrepEntry *pe = &b->entries[i];
            size_t e = b->first + i;
            OccList shared, q;

            ix->entries[e] = (IxEntry){
                .id = arena_strdup(ix->arena, kb[e].id),
                .section = arena_strdup(ix->arena, kb[e].section ? kb[e].section : ""),
                .question = arena_strdup(ix->arena, kb[e].question),
                .answer = arena_strdup(ix->arena, kb[e].answer),
                .valid_until = copy_or_null(ix->arena, kb[e].valid_until),
                .scope = arena_strdup(ix->arena, kb[e].scope ? kb[e].scope : ""),
            };
            shared = occ_intern(ix, scratch, &pe->shared);
            for (size_t k2 = 0; k2 < pe->n_phrasings; k2++) {
                q = occ_intern(ix, scratch, &pe->phrasings[k2]);
                /* the question always makes a document; an alternative with no terms does not */
                if (k2 == 0 || q.n)
                    add_doc(ix, scratch, (uint32_t)e, &q, &shared);
            }
            arena_reset(scratch);
        }
        batch_done(&p, b);
    }
    for (int i = 0; i < n_workers; i++)
        pthread_join(workers[i], NULL);
    pthread_cond_destroy(&p.cond);
    pthread_mutex_destroy(&p.lock);
    for (size_t i = 0; i < p.n_ring; i++)
        arena_free(p.ring[i].arena);
    free(p.ring);
    arena_free(scratch);
    ix->n_entries = n;

    for (size_t d = 0; d < ix->n_docs; d++)
        for (int f = 0; f < _KB_FIELD_MAX; f++)
            total_len[f] += ix->docs[d].len[f];
    for (int f = 0; f < _KB_FIELD_MAX; f++)
        ix->avg_len[f] = ix->n_docs && total_len[f] > 0 ? total_len[f] / (double)ix->n_docs : 1.0;
    for (size_t t = 0; t < ix->n_terms; t++) {
        IxTerm *it = &ix->terms[t];

        it->idf = (float)log(1.0 + ((double)n - it->df_q + 0.5) / (it->df_q + 0.5));
    }
    ix->idf_oov = log(1.0 + ((double)n + 0.5) / 0.5);
    for (size_t d = 0; d < ix->n_docs; d++) {
        IxDoc *doc = &ix->docs[d];
        double w = 0;

        for (uint32_t k = 0; k < doc->n_qterms; k++) {
            const QTermRef *r = &ix->qterms[doc->qterms + k];
            const IxTerm *it = &ix->terms[r->term];

            w += r->weight * KIND_WEIGHT[it->kind] * it->idf;
        }
        doc->q_weight = (float)w;
    }

    ix->n_syl_slots = 1024;
    ix->syllables = arena_zalloc(ix->arena, sizeof(char *) * ix->n_syl_slots);
    for (size_t t = 0; t < ix->n_terms; t++) {
        const IxTerm *it = &ix->terms[t];
        const char *bar;

        if (it->kind != TERM_PINYIN)
            continue;
        bar = memchr(it->key, '|', it->len);
        if (!bar)
            continue;
        syllable_add(ix, it->key + 1, (size_t)(bar - it->key - 1));
        syllable_add(ix, bar + 1, (size_t)(it->key + it->len - bar - 1));
    }
    return ix;
}

void assistant_index_free(AssistantIndex *ix)
{
    if (!ix)
        return;
    for (size_t t = 0; t < ix->n_terms; t++)
        free(ix->terms[t].post);
    free(ix->terms);
    free(ix->slots);
    free(ix->docs);
    free(ix->qterms);
    arena_free(ix->arena);
    arena_free(ix->syn_arena);
    free(ix);
}

size_t assistant_index_entries(const AssistantIndex *ix)
{
    return ix->n_entries;
}

size_t assistant_index_terms(const AssistantIndex *ix)
{
    return ix->n_terms;
}

double assistant_index_idf(const AssistantIndex *ix, const char *key, size_t len)
{
    int64_t t = find_term(ix, key, len);

    return t >= 0 ? ix->terms[t].idf : ix->idf_oov;
}

const Synonyms *assistant_index_synonyms(const AssistantIndex *ix)
{
    return ix->syn;
}

/* ---- searching ---- */

typedef struct QTerm {
    int64_t term;           /* index into terms, or -1 if no entry holds it */
    double mult;            /* the occurrence's weight × kind weight */
    double weight;          /* mult × idf: its weight in BM25 */
    double cov;             /* its weight in coverage */
} QTerm;

typedef struct Cand {
    uint32_t doc;
    double acc;             /* phase one */
    double bm25;
    double score;           /* confidence */
    double qc, dc;          /* query and document coverage */
} Cand;

static double saturate(const AssistantIndex *ix, const IxDoc *d, const uint8_t tf[_KB_FIELD_MAX])
{
    double x = 0;

    for (int f = 0; f < _KB_FIELD_MAX; f++) {
        if (!tf[f])
            continue;
        x += FIELD_WEIGHT[f] * tf[f] /
             (1.0 - FIELD_B[f] + FIELD_B[f] * d->len[f] / ix->avg_len[f]);
    }
    return x / (K1 + x);
}

static const Posting *find_posting(const IxTerm *t, uint32_t doc)
{
    size_t lo = 0, hi = t->n_post;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->post[mid].doc < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n_post && t->post[lo].doc == doc ? &t->post[lo] : NULL;
}

static int cmp_term_key(const void *x, const void *y)
{
    const Term *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->key, b->key, n);

    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int cmp_term_index(const void *x, const void *y, void *ctx)
{
    const Term *terms = ctx;

    return cmp_term_key(&terms[*(const size_t *)x], &terms[*(const size_t *)y]);
}

static int cmp_qterm_df(const void *x, const void *y, void *ctx)
{
    const AssistantIndex *ix = ctx;
    const QTerm *a = x, *b = y;
    uint32_t da = ix->terms[a->term].df, db = ix->terms[b->term].df;

    return da < db ? -1 : da > db;
}

static int cmp_qterm_id(const void *x, const void *y)
{
    const QTerm *a = x, *b = y;

    return a->term < b->term ? -1 : a->term > b->term;
}

static int cmp_cand_rank(const void *x, const void *y)
{
    const Cand *a = x, *b = y;

    if (a->bm25 != b->bm25)
        return a->bm25 > b->bm25 ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

static bool visible(const IxEntry *e, const AssistantQuery *q)
{
    if (q->scope && strncmp(e->scope, q->scope, strlen(e->scope)) != 0)
        return false;
    if (q->today && e->valid_until && strcmp(e->valid_until, q->today) < 0)
        return false;
    return true;
}

/* Keeps the @cap best of @c by acc in a min-heap @heap of *n. */
static void heap_push(Cand *heap, size_t *n, size_t cap, Cand c)
{
    size_t i;

    if (*n == cap) {
        if (c.acc <= heap[0].acc)
            return;
        i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;

            if (l < *n && heap[l].acc < (m == i ? c.acc : heap[m].acc))
                m = l;
            if (r < *n && heap[r].acc < (m == i ? c.acc : heap[m].acc))
                m = r;
            if (m == i)
                break;
            heap[i] = heap[m];
            i = m;
        }
        heap[i] = c;
        return;
    }
    i = (*n)++;
    while (i > 0 && heap[(i - 1) / 2].acc > c.acc) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = c;
}

/*
 * Confidence from query coverage @qc and document coverage @dc: their mean,
 * leaning to the larger, so either a question that the phrasing answers
 * fully or a phrasing that the question contains fully can pass.
 */
static double confidence(double qc, double dc)
{
    double hi = qc > dc ? qc : dc, lo = qc > dc ? dc : qc;

    return CONFIDENCE_HI * hi + (1 - CONFIDENCE_HI) * lo;
}

size_t assistant_index_search(const AssistantIndex *ix, Arena *a, const char *question,
                              const AssistantQuery *q, AssistantHit *hits)
{
    TermOptions opt = { .words = true, .pinyin = true, .is_syllable = is_syllable, .ctx = ix };
    float *scale;
    const char *norm;
    Term *terms;
    int64_t *ids;
    QTerm *qt;
    size_t n_terms, n_qt = 0, n_known = 0, n_heap = 0, n_out = 0;
    size_t cutoff = ix->n_docs / 20 > 1000 ? ix->n_docs / 20 : 1000;
    double total_w = 0;
    float *acc;
    Cand *heap;
    uint32_t *touched;
    size_t n_touched = 0;

    if (ix->n_docs == 0 || q->top == 0)
        return 0;
    norm = assistant_normalize(a, ix->syn, question, &scale);
    if (!norm)
        return 0;
    opt.scale = scale;
    n_terms = assistant_terms(a, norm, &opt, &terms);
    if (n_terms == 0)
        return 0;

    /* what each term weighs: a pinyin bigram read from an unknown bigram is a typo's only trace */
    ids = arena_alloc(a, sizeof(int64_t) * n_terms);
    for (size_t i = 0; i < n_terms; i++)
        ids[i] = find_term(ix, terms[i].key, terms[i].len);
    for (size_t i = 0; i < n_terms; i++) {
        double kind = KIND_WEIGHT[terms[i].kind];

        if (terms[i].kind == TERM_PINYIN && ids[i] >= 0 &&
            (terms[i].bigram == TERM_TYPED || (terms[i].bigram >= 0 && ids[terms[i].bigram] < 0)))
            kind = PINYIN_TYPO;
        /* "dibao" means its pinyin, not an English word no entry holds */
        if (terms[i].kind == TERM_ASCII && terms[i].bigram == TERM_TYPED && ids[i] < 0)
            kind = 0;
        terms[i].weight *= kind;
    }

    /* unique terms (the heaviest occurrence of each), known ones first, then by rarity */
    qt = arena_alloc(a, sizeof(QTerm) * n_terms);
    {
        size_t *order = arena_alloc(a, sizeof(size_t) * n_terms);

        for (size_t i = 0; i < n_terms; i++)
            order[i] = i;
        qsort_r(order, n_terms, sizeof(size_t), cmp_term_index, terms);
        for (size_t k = 0; k < n_terms; k++) {
            size_t i = order[k];
            int64_t t = ids[i];
            double idf = t >= 0 ? ix->terms[t].idf : ix->idf_oov;

            if (k > 0 && cmp_term_key(&terms[order[k - 1]], &terms[i]) == 0) {
                if (terms[i].weight > qt[n_qt - 1].mult) {
                    total_w -= qt[n_qt - 1].cov;
                    qt[n_qt - 1].mult = terms[i].weight;
                    qt[n_qt - 1].weight = terms[i].weight * idf;
                    qt[n_qt - 1].cov = terms[i].weight * idf;
                    total_w += qt[n_qt - 1].cov;
                }
                continue;
            }
            qt[n_qt].term = t;
            qt[n_qt].mult = terms[i].weight;
            qt[n_qt].weight = terms[i].weight * idf;
            qt[n_qt].cov = terms[i].weight * idf;
            total_w += qt[n_qt].cov;
            n_qt++;
        }
    }
    for (size_t i = 0; i < n_qt; i++) {
        if (qt[i].term >= 0) {
            QTerm tmp = qt[n_known];

            qt[n_known++] = qt[i];
            qt[i] = tmp;
        }
    }
    if (n_known == 0 || total_w <= 0)
        return 0;
    qsort_r(qt, n_known, sizeof(QTerm), cmp_qterm_df, (void *)ix);

    /* phase one: candidates from the postings of the rarer terms */
    acc = arena_zalloc(a, sizeof(float) * ix->n_docs);
    touched = arena_alloc(a, sizeof(uint32_t) * ix->n_docs);
    for (size_t i = 0; i < n_known; i++) {
        const IxTerm *t = &ix->terms[qt[i].term];

        if (i >= MIN_TRAVERSED && t->n_post > cutoff)
            break;
        for (uint32_t p = 0; p < t->n_post; p++) {
            uint32_t d = t->post[p].doc;

            if (acc[d] == 0)
                touched[n_touched++] = d;
            acc[d] += (float)(qt[i].weight * saturate(ix, &ix->docs[d], t->post[p].tf));
        }
    }
    heap = arena_alloc(a, sizeof(Cand) * CANDIDATES);
    for (size_t i = 0; i < n_touched; i++) {
        uint32_t d = touched[i];

        if (!visible(&ix->entries[ix->docs[d].entry], q))
            continue;
        heap_push(heap, &n_heap, CANDIDATES, (Cand){ .doc = d, .acc = acc[d] });
    }
    if (n_heap == 0)
        return 0;

    /* phase two: every term, and the confidence */
    qsort(qt, n_known, sizeof(QTerm), cmp_qterm_id);
    for (size_t c = 0; c < n_heap; c++) {
        const IxDoc *d = &ix->docs[heap[c].doc];
        const QTermRef *dq = ix->qterms + d->qterms;
        double bm25 = 0, matched = 0, doc_matched = 0, qc, dc;
        size_t k = 0;

        for (size_t i = 0; i < n_known; i++) {
            const IxTerm *t = &ix->terms[qt[i].term];
            const Posting *p = find_posting(t, heap[c].doc);

            if (!p)
                continue;
            bm25 += qt[i].weight * saturate(ix, d, p->tf);
            matched += qt[i].cov *
                       (p->tf[FIELD_QUESTION] || p->tf[FIELD_KEYWORDS] ? 1.0 : BODY_COVERAGE);
            /* the phrasing's terms and the question's are both sorted by term */
            while (k < d->n_qterms && dq[k].term < (uint32_t)qt[i].term)
                k++;
            if (k < d->n_qterms && dq[k].term == (uint32_t)qt[i].term)
                doc_matched += dq[k].weight * KIND_WEIGHT[t->kind] * t->idf;
        }
        qc = matched / total_w;
        dc = d->q_weight > 0 ? doc_matched / d->q_weight : 0;
        heap[c].bm25 = bm25;
        heap[c].score = confidence(qc > 1 ? 1 : qc, dc > 1 ? 1 : dc);
        heap[c].qc = qc;
        heap[c].dc = dc;
    }
    qsort(heap, n_heap, sizeof(Cand), cmp_cand_rank);

    /* best phrasing of each entry */
    for (size_t c = 0; c < n_heap && n_out < q->top; c++) {
        uint32_t e = ix->docs[heap[c].doc].entry;
        bool seen = false;

        for (size_t k = 0; k < n_out; k++)
            seen = seen || hits[k].entry == e;
        if (seen)
            continue;
        hits[n_out++] = (AssistantHit){
            .entry = e,
            .id = ix->entries[e].id,
            .section = ix->entries[e].section,
            .question = ix->entries[e].question,
            .answer = ix->entries[e].answer,
            .score = heap[c].score,
            .qc = heap[c].qc > 1 ? 1 : heap[c].qc,
            .dc = heap[c].dc > 1 ? 1 : heap[c].dc,
            .bm25 = heap[c].bm25,
        };
    }
    return n_out;
}

double assistant_confidence(const AssistantHit *hits, size_t n)
{
    double c;

    if (n == 0)
        return 0;
    c = hits[0].score + ASSISTANT_MARGIN_WEIGHT * (hits[0].score - (n > 1 ? hits[1].score : 0));
    return c < 0 ? 0 : c > 1 ? 1 : c;
}
