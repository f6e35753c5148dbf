#pragma once
/*
 * The assistant's retrieval core: text to terms (assistant_text.c) and an
 * immutable in-memory index with its ranking (assistant_index.c). Neither
 * knows SQL or HTTP; assistant.c feeds them from the store.
 *
 * Terms. A question is folded (NFKC, case, Traditional -> Simplified), its
 * synonyms rewritten to their canonical form, then cut into terms of five
 * kinds, so that what one kind misses another catches:
 *
 *   w  words by ICU's dictionary word break      低保  申请
 *   b  character bigrams of each Chinese run      低保  保怎  怎么 ...
 *   u  single characters, less function words    低  保  申  请
 *   p  pinyin bigrams, toneless                   di|bao: 底保 and dibao
 *      match 低保 (homophone typos, pinyin typed in)
 *   a  words of letters or digits                 app  120
 *
 * Ranking. BM25F over the fields of an entry (its phrasing: the question or
 * one alternative; keywords; answer; section), each field and term kind
 * weighted, picks candidates. Each is then given a confidence in [0, 1]
 * from how much of the question's weight it covers and how much of its own
 * phrasing the question covers (IDF-weighted); below the threshold the
 * assistant says it does not know.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define ASSISTANT_TOP 3
/* on assistant_confidence(); calibrated on bench/faq-eval/own.jsonl and own-hard.jsonl: see bench/README.md */
#define ASSISTANT_THRESHOLD 0.42
/* How much the lead of the best entry over the next adds to its confidence. */
#define ASSISTANT_MARGIN_WEIGHT 0.5

typedef enum TermKind {
    TERM_WORD,
    TERM_BIGRAM,
    TERM_CHAR,
    TERM_PINYIN,
    TERM_ASCII,
    _TERM_KIND_MAX
} TermKind;

typedef enum KbField {
    FIELD_QUESTION,   /* the phrasing: question or one alternative */
    FIELD_KEYWORDS,
    FIELD_ANSWER,
    FIELD_SECTION,
    _KB_FIELD_MAX
} KbField;

/* ---- synonyms (assistant_text.c) ---- */

typedef struct Synonyms Synonyms;

/*
 * A synonym table: each (term, canonical) pair says @term means @canonical
 * ("医疗保险" -> "医保"); both sides are folded first. Questions and entries
 * are rewritten with the longest variant at each position. Pairs with an
 * empty or invalid side are skipped. Allocated in @a.
 */
Synonyms *synonyms_new(Arena *a, const char *const *terms, const char *const *canonicals, size_t n);

/* @folded with every variant replaced by its canonical form, in @a (or @folded itself). */
const char *synonyms_rewrite(const Synonyms *syn, Arena *a, const char *folded);

/*
 * The same, and in *ret_scale (in @a; NULL when nothing was replaced) a
 * weight for each byte of the result: variant characters / canonical
 * characters inside a replacement (at most 1), 1 elsewhere, so that "电动车"
 * rewritten "电动自行车" weighs what three characters weigh, not five.
 */
const char *synonyms_rewrite_scaled(const Synonyms *syn, Arena *a, const char *folded,
                                    float **ret_scale);

/* ---- terms (assistant_text.c) ---- */

typedef struct Term {
    TermKind kind;
    const char *key;  /* kind letter then text: "b低保", "pdi|bao" (in the arena) */
    size_t len;
    double weight;    /* how much this occurrence says: less for a bigram across two words
                         or with a function character (在这, 我爸), 1 otherwise */
    int32_t bigram;   /* a pinyin term: the index of the bigram it was read from, -1 if none,
                         TERM_TYPED if typed as pinyin; an ASCII word read as pinyin: TERM_TYPED */
} Term;

#define TERM_TYPED (-2)

/* Knows which ASCII words are pinyin syllables (those of the indexed text). */
typedef bool (*SyllableCheck)(const void *ctx, const char *s, size_t len);

typedef struct TermOptions {
    bool words;             /* ICU words (w) */
    bool pinyin;            /* pinyin bigrams (p) */
    SyllableCheck is_syllable; /* ASCII words split into these become pinyin too (queries) */
    const void *ctx;
    const float *scale;     /* a weight per byte of the text (synonyms_rewrite_scaled), or NULL */
    bool content_bigrams;   /* no bigrams holding a function character (for grouping questions) */
} TermOptions;

/*
 * The terms of @folded (already folded and rewritten), in order, repeats
 * included; *ret in @a. Returns the count.
 */
size_t assistant_terms(Arena *a, const char *folded, const TermOptions *opt, Term **ret);

/*
 * Folds @text and applies @syn (may be NULL); NULL for invalid UTF-8. In @a.
 * *ret_scale (if @ret_scale is not NULL) as for synonyms_rewrite_scaled.
 */
const char *assistant_normalize(Arena *a, const Synonyms *syn, const char *text, float **ret_scale);

/* ---- the index (assistant_index.c) ---- */

typedef struct KbDoc {
    const char *id;           /* "K001" */
    const char *section;
    const char *question;
    const char *answer;
    const char *keywords;     /* may be NULL */
    const char *const *alternatives;
    size_t n_alternatives;
    const char *valid_until;  /* "YYYY-MM-DD" or NULL */
    const char *scope;        /* "" all, a street or a community code */
} KbDoc;

typedef struct AssistantIndex AssistantIndex;

/*
 * Builds an index of @n entries with @syn (taken over: allocated in @syn_arena,
 * which the index frees; may be NULL). Copies what it needs of @docs.
 * Free with assistant_index_free(). Never fails (aborts when memory runs out).
 */
AssistantIndex *assistant_index_build(const KbDoc *docs, size_t n, Arena *syn_arena,
                                      const Synonyms *syn);
void assistant_index_free(AssistantIndex *ix);

size_t assistant_index_entries(const AssistantIndex *ix);
size_t assistant_index_terms(const AssistantIndex *ix);

/*
 * How much the term @key (a Term.key) says in this index: its IDF, that of
 * a term no entry holds when none does. For grouping alike questions.
 */
double assistant_index_idf(const AssistantIndex *ix, const char *key, size_t len);

/* The index's synonym table (may be NULL). */
const Synonyms *assistant_index_synonyms(const AssistantIndex *ix);

typedef struct AssistantHit {
    uint32_t entry;       /* index of the entry as given to build */
    const char *id;
    const char *section;
    const char *question;
    const char *answer;
    double score;         /* confidence in [0, 1] */
    double qc, dc;        /* how much of the question it covers, and of its phrasing the question does */
    double bm25;          /* the ranking's raw score */
} AssistantHit;

typedef struct AssistantQuery {
    const char *scope;    /* the asker's code: entries whose scope is a prefix of it; NULL: all */
    const char *today;    /* "YYYY-MM-DD": entries valid until before it are skipped; NULL: all */
    size_t top;           /* how many hits to return, at most */
} AssistantQuery;

/*
 * Ranks the entries for @question (raw text). Fills @hits (room for
 * q->top) best first and returns how many; 0 when nothing matches or the
 * question has no usable text. Thread-safe (the index is read-only).
 * Temporary memory comes from @a.
 */
size_t assistant_index_search(const AssistantIndex *ix, Arena *a, const char *question,
                              const AssistantQuery *q, AssistantHit *hits);

/*
 * Whether to answer with @hits[0] (of @n, from assistant_index_search with
 * room for two or more): its confidence plus ASSISTANT_MARGIN_WEIGHT times
 * its lead over @hits[1]'s, clipped to [0, 1]; 0 when @n is 0. A question
 * the knowledge base cannot answer tends to match several entries a little
 * and alike (on 手续怎么办, 快到期); one it answers stands out. Compare with
 * ASSISTANT_THRESHOLD.
 */
double assistant_confidence(const AssistantHit *hits, size_t n);
