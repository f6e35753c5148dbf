/*
 * Text to terms for the assistant (see assistant_index.h for the kinds).
 *
 * Chinese has no spaces, residents type fast on phones, and the knowledge
 * base is written carefully: the same question reaches us as 低保, 底保
 * (a pinyin-keyboard slip), 低保 in Traditional characters, or "dibao". One
 * kind of term cannot catch all of these, so each text gives several, and
 * the ranking (assistant_index.c) weighs them: dictionary words for precise
 * matches, character bigrams for words the dictionary splits differently,
 * single characters for everything else, and pinyin bigrams for homophones.
 */
#include <pthread.h>
#include <string.h>
#include <uchar.h>
#include <unicode/utf8.h>

#include "assistant/assistant_index.h"
#include "core/hash.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "core/banned.h"

/*
 * Function characters: as single-character terms they would match nearly
 * every entry. They still take part in bigrams and words.
 */
static const char16_t STOP_CHARS[] =
    u"的了吗呢吧啊呀嘛么我你您他她它们是在有和与或就都也还又很这那哪个"
    u"能会可以得地着过给把被让对从为于啥咋怎什伐该想请问一不没如何些之其"
    u"等及已将说去来要到下上里吗哦嗯呗咯喔啦俺咱哈呐嘞诶哎唉";

/* Words that ask rather than say: they carry no subject. */
static const char *const STOP_WORDS[] = {
    "怎么", "怎么办", "怎样", "怎么样", "如何", "什么", "哪里", "哪儿", "可以", "能不能", "是不是",
    "有没有", "要不要", "可不可以", "我们", "你们", "他们", "自己", "一下", "这个", "那个", "这样",
    "那样", "请问", "一般", "现在", "已经", "还是", "或者", "然后", "但是", "因为", "所以", "如果",
    "的话", "知道", "想问", "问一下", "能否", "是否", "为什么", "什么样", "咋办", "咋样", "啥样",
    "你好", "您好", "谢谢", "这边", "那边", "这里", "那里", "这儿", "那儿", "这种", "那种",
    "时候", "东西", "事情", "一个", "没有", "不是", "就是", "还有", "应该", "需要",
    /* fillers of spoken questions */
    "俺们", "咱们", "问下", "请问下", "想问下", "打听", "打听一下", "请教", "麻烦", "麻烦问",
    "那啥", "就是说", "其实", "反正", "老是", "真的", "到底", "具体",
};

#define HAN_FIRST 0x3400
#define HAN_LAST 0x9FFF

static pthread_once_t stop_once = PTHREAD_ONCE_INIT;
static unsigned char stop_bits[(HAN_LAST - HAN_FIRST + 1 + 7) / 8];

static void stop_init(void)
{
    for (size_t i = 0; STOP_CHARS[i]; i++) {
        uint32_t cp = STOP_CHARS[i];

        if (cp >= HAN_FIRST && cp <= HAN_LAST)
            stop_bits[(cp - HAN_FIRST) / 8] |= (unsigned char)(1u << ((cp - HAN_FIRST) % 8));
    }
}

static bool is_stop_char(uint32_t cp)
{
    return cp >= HAN_FIRST && cp <= HAN_LAST &&
           (stop_bits[(cp - HAN_FIRST) / 8] & (1u << ((cp - HAN_FIRST) % 8)));
}

static bool is_stop_word(const char *s, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(STOP_WORDS); i++)
        if (strlen(STOP_WORDS[i]) == len && memcmp(STOP_WORDS[i], s, len) == 0)
            return true;
    return false;
}

static bool is_ascii_alnum(UChar32 cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
}

/* ---- synonyms ---- */

typedef struct SynPair {
    const char *variant;
    size_t variant_len;
    const char *canonical;
} SynPair;

struct Synonyms {
    SynPair *pairs;
    size_t n;
    int32_t *slots;        /* open addressing over pairs; -1 empty */
    size_t n_slots;        /* a power of two */
    size_t max_chars;      /* longest variant, in code points */
    unsigned char first[(HAN_LAST - HAN_FIRST + 1 + 7) / 8]; /* first characters of variants */
    bool first_other;      /* some variant starts outside the Han range */
};

static const SynPair *syn_find(const Synonyms *syn, const char *s, size_t len)
{
    size_t i = hash_bytes(s, len) & (syn->n_slots - 1);

    for (;;) {
        int32_t k = syn->slots[i];

        if (k < 0)
            return NULL;
        if (syn->pairs[k].variant_len == len && memcmp(syn->pairs[k].variant, s, len) == 0)
            return &syn->pairs[k];
        i = (i + 1) & (syn->n_slots - 1);
    }
}

Synonyms *synonyms_new(Arena *a, const char *const *terms, const char *const *canonicals, size_t n)
{
    Synonyms *syn = arena_zalloc(a, sizeof(Synonyms));

    syn->pairs = arena_alloc(a, sizeof(SynPair) * (n + 1));
    syn->n_slots = 16;
    while (syn->n_slots < 2 * n + 2)
        syn->n_slots *= 2;
    syn->slots = arena_alloc(a, sizeof(int32_t) * syn->n_slots);
    memset(syn->slots, 0xff, sizeof(int32_t) * syn->n_slots);
    for (size_t i = 0; i < n; i++) {
        const char *v = text_fold(a, terms[i]);
        const char *c = text_fold(a, canonicals[i]);
        size_t vlen, chars = 0;
        int32_t j = 0;
        UChar32 cp;

        if (!v || !c || !*v || !*c || strcmp(v, c) == 0)
            continue;
        vlen = strlen(v);
        if (syn_find(syn, v, vlen))
            continue;
        syn->pairs[syn->n] = (SynPair){ v, vlen, c };
        for (size_t k = hash_bytes(v, vlen) & (syn->n_slots - 1);;
             k = (k + 1) & (syn->n_slots - 1)) {
            if (syn->slots[k] < 0) {
                syn->slots[k] = (int32_t)syn->n;
                break;
            }
        }
        syn->n++;
        U8_NEXT(v, j, (int32_t)vlen, cp);
        if (cp >= HAN_FIRST && cp <= HAN_LAST)
            syn->first[(cp - HAN_FIRST) / 8] |= (unsigned char)(1u << ((cp - HAN_FIRST) % 8));
        else
            syn->first_other = true;
        for (j = 0; j < (int32_t)vlen; chars++)
            U8_FWD_1(v, j, (int32_t)vlen);
        if (chars > syn->max_chars)
            syn->max_chars = chars;
    }
    return syn;
}

static bool syn_may_start(const Synonyms *syn, UChar32 cp)
{
    if (cp >= HAN_FIRST && cp <= HAN_LAST)
        return syn->first[(cp - HAN_FIRST) / 8] & (1u << ((cp - HAN_FIRST) % 8));
    return syn->first_other;
}

/*
 * Whether the canonical form of @p already stands in @s around the variant
 * found at @at: 在哪 -> 在哪里 must leave 在哪里 alone, 装电梯 -> 加装电梯 must
 * leave 加装电梯 alone, else each pass would grow the text (在哪里里).
 */
static bool canonical_here(const SynPair *p, const char *s, size_t len, size_t at)
{
    size_t clen = strlen(p->canonical);

    for (const char *k = p->canonical; (k = strstr(k, p->variant)) != NULL; k++) {
        size_t off = (size_t)(k - p->canonical);

        if (off <= at && at - off + clen <= len && memcmp(s + at - off, p->canonical, clen) == 0)
            return true;
    }
    return false;
}

static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (int32_t i = 0; i < (int32_t)len; n++)
        U8_FWD_1(s, i, (int32_t)len);
    return n;
}

const char *synonyms_rewrite_scaled(const Synonyms *syn, Arena *a, const char *s, float **ret_scale)
{
    size_t len = strlen(s);
    float *scale = NULL;
    size_t scale_cap = 0;
    StrBuf sb;
    bool changed = false;
    int32_t i = 0;

    if (ret_scale)
        *ret_scale = NULL;
    if (!syn || syn->n == 0)
        return s;
    strbuf_init(&sb, a, len * 8 + 64);
    while (i < (int32_t)len) {
        const SynPair *best = NULL;
        int32_t at = i, ends[32];
        size_t n_ends = 0;
        UChar32 cp;

        U8_NEXT(s, i, (int32_t)len, cp);
        if (syn_may_start(syn, cp)) {
            /* the ends of the 1..max_chars code points starting at @at; try the longest first */
            int32_t j = i;

            ends[n_ends++] = j;
            while (n_ends < syn->max_chars && n_ends < ARRAY_SIZE(ends) && j < (int32_t)len) {
                U8_FWD_1(s, j, (int32_t)len);
                ends[n_ends++] = j;
            }
            while (n_ends > 0 && !best) {
                n_ends--;
                best = syn_find(syn, s + at, (size_t)(ends[n_ends] - at));
                /* an ASCII variant matches whole words only: "app" not in "happy" */
                if (best && ((is_ascii_alnum(cp) && at > 0 && is_ascii_alnum(s[at - 1])) ||
                             (is_ascii_alnum(s[ends[n_ends] - 1]) && ends[n_ends] < (int32_t)len &&
                              is_ascii_alnum(s[ends[n_ends]]))))
                    best = NULL;
                if (best && canonical_here(best, s, len, (size_t)at))
                    best = NULL;
            }
        }
        if (best) {
            size_t from = sb.len, clen = strlen(best->canonical);
            /* a longer canonical form says no more than the words it replaced */
            double ratio = (double)count_chars(best->variant, best->variant_len) /
                           (double)count_chars(best->canonical, clen);

            strbuf_adds(&sb, best->canonical);
            i = at + (int32_t)best->variant_len;
            if (!changed) {
                scale_cap = len * 8 + 64;
                scale = arena_alloc(a, sizeof(float) * (scale_cap + 1));
                for (size_t k = 0; k <= scale_cap; k++)
                    scale[k] = 1.0f;
            }
            for (size_t k = from; k < sb.len && k < scale_cap; k++)
                scale[k] = ratio < 1.0 ? (float)ratio : 1.0f;
            changed = true;
        } else {
            strbuf_add(&sb, s + at, (size_t)(i - at));
        }
    }
    if (!changed)
        return s;
    if (ret_scale)
        *ret_scale = scale;
    return strbuf_finish(&sb, NULL);
}

const char *synonyms_rewrite(const Synonyms *syn, Arena *a, const char *s)
{
    return synonyms_rewrite_scaled(syn, a, s, NULL);
}

const char *assistant_normalize(Arena *a, const Synonyms *syn, const char *text, float **ret_scale)
{
    const char *folded = text_fold(a, text);

    if (ret_scale)
        *ret_scale = NULL;
    if (!folded)
        return NULL;
    return synonyms_rewrite_scaled(syn, a, folded, ret_scale);
}

/* ---- terms ---- */

/*
 * Bigrams do not all say as much. One inside a dictionary word (低保 in
 * 申请低保) names something; one across two words (保怎) or holding a
 * function character (在这, 我爸) mostly says how the sentence was put, and
 * is weighed by these factors. It is still kept: it is what matches when a
 * typo or an unusual word defeats the dictionary.
 */
#define ACROSS_WORDS 0.5
#define WITH_FUNCTION_CHAR 0.5

typedef struct TermList {
    Arena *a;
    Term *items;
    size_t n, cap;
} TermList;

static size_t term_add(TermList *tl, TermKind kind, const char *a, size_t alen, const char *b,
                       size_t blen, double weight)
{
    static const char letters[_TERM_KIND_MAX] = { 'w', 'b', 'u', 'p', 'a' };
    char *key;
    size_t len = 1 + alen + (b ? 1 + blen : 0);

    if (tl->n == tl->cap) {
        size_t cap = tl->cap ? tl->cap * 2 : 64;
        Term *items = arena_alloc(tl->a, sizeof(Term) * cap);

        if (tl->n)
            memcpy(items, tl->items, sizeof(Term) * tl->n);
        tl->items = items;
        tl->cap = cap;
    }
    key = arena_alloc(tl->a, len + 1);
    key[0] = letters[kind];
    memcpy(key + 1, a, alen);
    if (b) {
        key[1 + alen] = '|';
        memcpy(key + 2 + alen, b, blen);
    }
    key[len] = '\0';
    tl->items[tl->n] = (Term){ kind, key, len, weight, -1 };
    return tl->n++;
}

/* A chain of pinyin syllables, broken by punctuation and by words that are not pinyin. */
typedef struct Chain {
    const char *prev;
    size_t prev_len;
} Chain;

static void chain_push(TermList *tl, Chain *c, const char *syl, size_t len, int32_t bigram)
{
    if (c->prev) {
        /* it says as much as the bigram it was read from */
        size_t k = term_add(tl, TERM_PINYIN, c->prev, c->prev_len, syl, len,
                            bigram >= 0 ? tl->items[bigram].weight : 1.0);

        tl->items[k].bigram = bigram;
    }
    c->prev = syl;
    c->prev_len = len;
}

/*
 * Splits an ASCII word into pinyin syllables known to @opt, preferring the
 * fewest syllables ("xian" stays one, "dibao" is di + bao). Pushes them on
 * @c and returns true, or returns false (pushing nothing) when it cannot.
 */
static bool push_pinyin_word(TermList *tl, Chain *c, const TermOptions *opt, const char *w,
                             size_t len)
{
    enum { MAX = 48 };
    int best[MAX + 1], from[MAX + 1];
    size_t cuts[MAX + 1], n = 0;

    if (len == 0 || len > MAX)
        return false;
    best[0] = 0;
    for (size_t e = 1; e <= len; e++) {
        best[e] = -1;
        for (size_t s = e > 6 ? e - 6 : 0; s < e; s++) {
            if (best[s] < 0 || !opt->is_syllable(opt->ctx, w + s, e - s))
                continue;
            if (best[e] < 0 || best[s] + 1 < best[e]) {
                best[e] = best[s] + 1;
                from[e] = (int)s;
            }
        }
    }
    if (best[len] < 0)
        return false;
    for (size_t e = len; e > 0; e = (size_t)from[e])
        cuts[n++] = e;
    for (size_t k = n, s = 0; k > 0; k--) {
        chain_push(tl, c, w + s, cuts[k - 1] - s, TERM_TYPED);
        s = cuts[k - 1];
    }
    return true;
}

static bool is_space(UChar32 cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000;
}

static bool is_word_char(UChar32 cp)
{
    return is_ascii_alnum(cp) || (cp >= 0x80 && !text_is_han((uint32_t)cp) &&
                                  text_is_alnum((uint32_t)cp));
}

/*
 * ICU's words of two or more ideographs: emitted as terms, and marked in
 * @word_at (the word's number at the byte where each character starts, -1
 * elsewhere) so bigrams know whether they lie inside one. The characters of a
 * stop word (麻烦, 打听, 到底) are marked in @stop_at: like function
 * characters, they make no single-character terms and weaken their bigrams,
 * so a question padded with them still matches as well as the bare one.
 */
static double scale_at(const TermOptions *opt, size_t at)
{
    return opt->scale ? opt->scale[at] : 1.0;
}

static void add_words(TermList *tl, Arena *a, const char *s, size_t len, int32_t *word_at,
                      bool *stop_at, const TermOptions *opt)
{
    TextWord *words;
    size_t n = text_words(a, s, &words);

    for (size_t k = 0; k < n; k++) {
        const char *w = s + words[k].off;

        /* single characters are already there (u); two or more make a word */
        if (words[k].kind != TEXT_WORD_IDEO || words[k].len < 6)
            continue;
        bool stop = is_stop_word(w, words[k].len);

        for (size_t b = words[k].off; b < words[k].off + words[k].len && b < len; b++) {
            word_at[b] = (int32_t)k;
            stop_at[b] = stop;
        }
        if (!stop)
            term_add(tl, TERM_WORD, w, words[k].len, NULL, 0, scale_at(opt, words[k].off));
    }
}

size_t assistant_terms(Arena *a, const char *s, const TermOptions *opt, Term **ret)
{
    TermList tl = { .a = a };
    size_t len = strlen(s);
    Chain chain = { 0 };
    bool last_ascii_pinyin = false; /* the previous token was an ASCII word read as pinyin */
    int32_t i = 0, prev_at = -1;
    bool prev_stop = false;
    int32_t *word_at = NULL;
    bool *stop_at = NULL;

    pthread_once(&stop_once, stop_init);
    if (opt->words) {
        word_at = arena_alloc(a, sizeof(int32_t) * (len + 1));
        stop_at = arena_zalloc(a, sizeof(bool) * (len + 1));
        for (size_t k = 0; k <= len; k++)
            word_at[k] = -1;
        add_words(&tl, a, s, len, word_at, stop_at, opt);
    }
    while (i < (int32_t)len) {
        int32_t at = i;
        UChar32 cp;

        U8_NEXT(s, i, (int32_t)len, cp);
        if (cp < 0) {
            chain = (Chain){ 0 };
            prev_at = -1;
            continue;
        }
        if (text_is_han((uint32_t)cp)) {
            bool stop = is_stop_char((uint32_t)cp) || (stop_at && stop_at[at]);
            int32_t bigram = -1;

            if (!stop)
                term_add(&tl, TERM_CHAR, s + at, (size_t)(i - at), NULL, 0, scale_at(opt, (size_t)at));
            if (prev_at >= 0 && !(opt->content_bigrams && (stop || prev_stop))) {
                double w = scale_at(opt, (size_t)at) < scale_at(opt, (size_t)prev_at)
                               ? scale_at(opt, (size_t)at) : scale_at(opt, (size_t)prev_at);

                if (stop || prev_stop)
                    w *= WITH_FUNCTION_CHAR;
                if (word_at && (word_at[prev_at] < 0 || word_at[prev_at] != word_at[at]))
                    w *= ACROSS_WORDS;
                bigram = (int32_t)term_add(&tl, TERM_BIGRAM, s + prev_at, (size_t)(i - prev_at),
                                           NULL, 0, w);
            }
            prev_at = at;
            prev_stop = stop;
            if (opt->pinyin) {
                const char *syl = text_pinyin((uint32_t)cp);

                if (syl)
                    chain_push(&tl, &chain, syl, strlen(syl), bigram);
                else
                    chain = (Chain){ 0 };
            }
            last_ascii_pinyin = false;
            continue;
        }
        prev_at = -1;
        if (is_word_char(cp)) {
            /* a word of letters and digits (NFKC has made full-width ones ASCII) */
            int32_t end = i;
            bool ascii = is_ascii_alnum(cp);

            while (end < (int32_t)len) {
                int32_t next = end;
                UChar32 c2;

                U8_NEXT(s, next, (int32_t)len, c2);
                if (c2 < 0 || !is_word_char(c2))
                    break;
                ascii = ascii && is_ascii_alnum(c2);
                end = next;
            }
            size_t word = term_add(&tl, TERM_ASCII, s + at, (size_t)(end - at), NULL, 0,
                                   scale_at(opt, (size_t)at));

            if (opt->pinyin && opt->is_syllable && ascii &&
                push_pinyin_word(&tl, &chain, opt, s + at, (size_t)(end - at))) {
                tl.items[word].bigram = TERM_TYPED;
                last_ascii_pinyin = true;
            } else {
                chain = (Chain){ 0 };
                last_ascii_pinyin = false;
            }
            i = end;
            continue;
        }
        /* spaces between two pinyin words keep the chain ("gong zu fang"); all else breaks it */
        if (is_space(cp) && last_ascii_pinyin) {
            int32_t next = i;
            UChar32 c2 = 0;

            while (next < (int32_t)len) {
                int32_t k = next;

                U8_NEXT(s, k, (int32_t)len, c2);
                if (!is_space(c2))
                    break;
                next = k;
            }
            if (next < (int32_t)len && is_ascii_alnum(c2)) {
                i = next;
                continue;
            }
        }
        chain = (Chain){ 0 };
        last_ascii_pinyin = false;
    }
    *ret = tl.items;
    return tl.n;
}
