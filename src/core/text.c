/*
 * Pinyin initials come from ICU's "Han-Latin" transliterator, which knows
 * the common reading of every CJK ideograph. Transliterating a whole name is
 * slow (tens of microseconds) and the transliterator is not safe to share
 * between threads, so each ideograph is transliterated once, under a lock,
 * and its initial stored in a table indexed by code point; later lookups
 * read the table without locking. NEEDSWORK: surnames with a special reading
 * (曾 zeng, 单 shan, 仇 qiu) get the common reading.
 */
#include "core/text.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include "core/validate.h"
#include "core/banned.h"


#define HAN_FIRST 0x3400
#define HAN_LAST 0x9FFF

static pthread_mutex_t translit_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *translit;
static _Atomic unsigned char initials[HAN_LAST - HAN_FIRST + 1]; /* 0: unknown, 1: none */

static unsigned char lookup_initial(UChar32 cp)
{
    UChar buf[64];
    int32_t len = 0;
    int32_t limit;
    UErrorCode status = U_ZERO_ERROR;
    unsigned char result = 1;

    pthread_mutex_lock(&translit_lock);
    if (!translit) {
        static const UChar id[] = u"Han-Latin; Latin-ASCII";

        translit = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
        if (U_FAILURE(status))
            translit = NULL;
    }
    if (translit) {
        U16_APPEND_UNSAFE(buf, len, cp);
        limit = len;
        status = U_ZERO_ERROR;
        utrans_transUChars(translit, buf, &len, (int32_t)ARRAY_SIZE(buf), 0, &limit, &status);
        if (U_SUCCESS(status) && len > 0 && buf[0] < 128 && isalpha(buf[0]))
            result = (unsigned char)tolower(buf[0]);
    }
    pthread_mutex_unlock(&translit_lock);
    return result;
}

static unsigned char han_initial(UChar32 cp)
{
    unsigned char c = atomic_load_explicit(&initials[cp - HAN_FIRST], memory_order_relaxed);

    if (c == 0) {
        c = lookup_initial(cp);
        atomic_store_explicit(&initials[cp - HAN_FIRST], c, memory_order_relaxed);
    }
    return c;
}

char *text_pinyin_initials(Arena *a, const char *s)
{
    size_t len = strlen(s);
    char *out = arena_alloc(a, len + 1);
    size_t n = 0;
    int32_t i = 0;

    while (i < (int32_t)len) {
        UChar32 cp;

        U8_NEXT(s, i, (int32_t)len, cp);
        if (cp < 0)
            continue;
        if (cp < 128) {
            if (isalnum(cp))
                out[n++] = (char)tolower(cp);
        } else if (cp >= HAN_FIRST && cp <= HAN_LAST) {
            unsigned char c = han_initial(cp);

            if (c > 1)
                out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return out;
}

char *text_trim(Arena *a, const char *s)
{
    const char *end = s + strlen(s);

    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3;
        else
            break;
    }
    for (;;) {
        if (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
            end--;
        else if (end - s >= 3 && strncmp(end - 3, "\xE3\x80\x80", 3) == 0)
            end -= 3;
        else
            break;
    }
    return arena_strndup(a, s, (size_t)(end - s));
}

char *text_normalize_query(Arena *a, const char *s)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&status);
    int32_t len16 = 0;
    UChar *src;
    UChar *dst;
    int32_t dst_len;
    char *out;
    int32_t out_len = 0;

    if (U_FAILURE(status))
        return NULL;
    u_strFromUTF8(NULL, 0, &len16, s, -1, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
        return NULL;
    status = U_ZERO_ERROR;
    src = arena_alloc(a, sizeof(UChar) * ((size_t)len16 + 1));
    u_strFromUTF8(src, len16 + 1, NULL, s, -1, &status);
    if (U_FAILURE(status))
        return NULL;
    dst_len = len16 * 3 + 16;
    dst = arena_alloc(a, sizeof(UChar) * (size_t)dst_len);
    dst_len = unorm2_normalize(nfkc, src, len16, dst, dst_len, &status);
    if (U_FAILURE(status))
        return NULL;
    out = arena_alloc(a, (size_t)dst_len * 3 + 1);
    u_strToUTF8(out, dst_len * 3 + 1, &out_len, dst, dst_len, &status);
    if (U_FAILURE(status))
        return NULL;
    return text_trim(a, out);
}

/*
 * Search folding, pinyin syllables and word breaks (text_fold, text_pinyin,
 * text_words). Like the initials above, each ideograph's Simplified form and
 * pinyin syllable are asked of ICU once, under a lock, and kept in tables
 * indexed by code point; a flag published with release order says a slot is
 * filled, so readers need no lock. Break iterators are not thread-safe
 * either: a small pool of clones is handed out under a lock.
 */

#define PINYIN_MAX 8
#define BRK_POOL 16

static UTransliterator *to_simplified;
static _Atomic uint32_t simplified[HAN_LAST - HAN_FIRST + 1];  /* 0: not looked up yet */
static char syllables[HAN_LAST - HAN_FIRST + 1][PINYIN_MAX];
static _Atomic unsigned char syllable_state[HAN_LAST - HAN_FIRST + 1]; /* 0 unknown, 1 none, 2 set */

static pthread_mutex_t brk_lock = PTHREAD_MUTEX_INITIALIZER;
static UBreakIterator *brk_proto;
static UBreakIterator *brk_pool[BRK_POOL];
static int n_brk_pool;

bool text_is_han(uint32_t cp)
{
    return cp >= HAN_FIRST && cp <= HAN_LAST;
}

bool text_is_alnum(uint32_t cp)
{
    return cp <= 0x10FFFF && u_isalnum((UChar32)cp);
}

/* Transliterates one code point with @t into @out (UTF-16); its length, or -1. */
static int32_t translit_one(UTransliterator *t, UChar32 cp, UChar *out, int32_t cap)
{
    UErrorCode status = U_ZERO_ERROR;
    int32_t len = 0;
    int32_t limit;

    U16_APPEND_UNSAFE(out, len, cp);
    limit = len;
    utrans_transUChars(t, out, &len, cap, 0, &limit, &status);
    return U_SUCCESS(status) ? len : -1;
}

static uint32_t lookup_simplified(UChar32 cp)
{
    UChar buf[16];
    UErrorCode status = U_ZERO_ERROR;
    uint32_t result = (uint32_t)cp;
    int32_t len;

    pthread_mutex_lock(&translit_lock);
    if (!to_simplified) {
        static const UChar id[] = u"Traditional-Simplified";

        to_simplified = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
        if (U_FAILURE(status))
            to_simplified = NULL;
    }
    if (to_simplified) {
        len = translit_one(to_simplified, cp, buf, (int32_t)ARRAY_SIZE(buf));
        if (len > 0) {
            UChar32 out;
            int32_t i = 0;

            U16_NEXT(buf, i, len, out);
            if (i == len && text_is_han((uint32_t)out))
                result = (uint32_t)out;
        }
    }
    pthread_mutex_unlock(&translit_lock);
    return result;
}

static uint32_t han_simplified(UChar32 cp)
{
    uint32_t s = atomic_load_explicit(&simplified[cp - HAN_FIRST], memory_order_relaxed);

    if (s == 0) {
        s = lookup_simplified(cp);
        atomic_store_explicit(&simplified[cp - HAN_FIRST], s, memory_order_relaxed);
    }
    return s;
}

const char *text_pinyin(uint32_t cp)
{
    size_t i = cp - HAN_FIRST;
    unsigned char state;

    if (!text_is_han(cp))
        return NULL;
    state = atomic_load_explicit(&syllable_state[i], memory_order_acquire);
    if (state == 0) {
        UChar buf[64];
        char syl[PINYIN_MAX];
        int32_t len, n = 0;
        UErrorCode status = U_ZERO_ERROR;

        pthread_mutex_lock(&translit_lock);
        state = atomic_load_explicit(&syllable_state[i], memory_order_acquire);
        if (state == 0) {
            if (!translit) {
                static const UChar id[] = u"Han-Latin; Latin-ASCII";

                translit = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
                if (U_FAILURE(status))
                    translit = NULL;
            }
            len = translit ? translit_one(translit, (UChar32)cp, buf, (int32_t)ARRAY_SIZE(buf)) : -1;
            for (int32_t k = 0; k < len && n < PINYIN_MAX - 1; k++) {
                if (buf[k] >= 128 || !isalpha(buf[k])) {
                    n = 0; /* not a plain syllable (or untransliterated): none */
                    break;
                }
                syl[n++] = (char)tolower(buf[k]);
            }
            if (len >= PINYIN_MAX)
                n = 0;
            syl[n] = '\0';
            memcpy(syllables[i], syl, (size_t)n + 1);
            state = n > 0 ? 2 : 1;
            atomic_store_explicit(&syllable_state[i], state, memory_order_release);
        }
        pthread_mutex_unlock(&translit_lock);
    }
    return state == 2 ? syllables[i] : NULL;
}

char *text_fold(Arena *a, const char *s)
{
    char *out = text_normalize_query(a, s);
    size_t len;
    int32_t i = 0, o = 0;

    if (!out)
        return NULL;
    /* simplified forms are ideographs of the same UTF-8 length (3 bytes), so fold in place */
    len = strlen(out);
    while (i < (int32_t)len) {
        UChar32 cp;
        int32_t start = i;

        U8_NEXT(out, i, (int32_t)len, cp);
        if (cp >= 0 && text_is_han((uint32_t)cp)) {
            uint32_t sc = han_simplified(cp);
            UBool err = false;

            if (sc != (uint32_t)cp && U8_LENGTH((UChar32)sc) == i - start) {
                o = start;
                U8_APPEND((uint8_t *)out, o, (int32_t)len, (UChar32)sc, err);
                (void)err;
            }
        }
    }
    return out;
}

static UBreakIterator *brk_take(void)
{
    UBreakIterator *bi = NULL;
    UErrorCode status = U_ZERO_ERROR;

    pthread_mutex_lock(&brk_lock);
    if (n_brk_pool > 0) {
        bi = brk_pool[--n_brk_pool];
    } else {
        if (!brk_proto) {
            brk_proto = ubrk_open(UBRK_WORD, "zh", NULL, 0, &status);
            if (U_FAILURE(status))
                brk_proto = NULL;
        }
        status = U_ZERO_ERROR;
        if (brk_proto)
            bi = ubrk_clone(brk_proto, &status);
        if (U_FAILURE(status))
            bi = NULL;
    }
    pthread_mutex_unlock(&brk_lock);
    return bi;
}

static void brk_give(UBreakIterator *bi)
{
    UErrorCode status = U_ZERO_ERROR;

    ubrk_setText(bi, NULL, 0, &status);
    pthread_mutex_lock(&brk_lock);
    if (n_brk_pool < BRK_POOL) {
        brk_pool[n_brk_pool++] = bi;
        bi = NULL;
    }
    pthread_mutex_unlock(&brk_lock);
    if (bi)
        ubrk_close(bi);
}

size_t text_words(Arena *a, const char *s, TextWord **ret)
{
    size_t len = strlen(s);
    UErrorCode status = U_ZERO_ERROR;
    int32_t len16 = 0, i8 = 0, i16 = 0;
    UBreakIterator *bi;
    size_t *off8;       /* byte offset of each UTF-16 unit, and of the end */
    TextWord *words;
    UChar *u;
    size_t n = 0;
    int32_t start, end;

    *ret = NULL;
    if (len == 0 || len > INT32_MAX / 4 || !utf8_valid(s, len))
        return 0;
    u = arena_alloc(a, sizeof(UChar) * (len + 1));
    off8 = arena_alloc(a, sizeof(size_t) * (len + 2));
    while (i8 < (int32_t)len) {
        UChar32 cp;
        int32_t at = i8;

        U8_NEXT(s, i8, (int32_t)len, cp);
        if (cp < 0)
            return 0;
        off8[i16] = (size_t)at;
        if (U_IS_BMP(cp)) {
            u[i16++] = (UChar)cp;
        } else {
            u[i16++] = U16_LEAD(cp);
            off8[i16] = (size_t)at;
            u[i16++] = U16_TRAIL(cp);
        }
    }
    len16 = i16;
    off8[len16] = len;
    words = arena_alloc(a, sizeof(TextWord) * ((size_t)len16 + 1));
    bi = brk_take();
    if (!bi)
        return 0;
    ubrk_setText(bi, u, len16, &status);
    if (U_FAILURE(status)) {
        brk_give(bi);
        return 0;
    }
    start = ubrk_first(bi);
    for (end = ubrk_next(bi); end != UBRK_DONE; start = end, end = ubrk_next(bi)) {
        int32_t rule = ubrk_getRuleStatus(bi);
        TextWordKind kind;

        if (rule >= UBRK_WORD_IDEO && rule < UBRK_WORD_IDEO_LIMIT)
            kind = TEXT_WORD_IDEO;
        else if (rule >= UBRK_WORD_LETTER && rule < UBRK_WORD_KANA_LIMIT)
            kind = TEXT_WORD_LETTER;
        else if (rule >= UBRK_WORD_NUMBER && rule < UBRK_WORD_NUMBER_LIMIT)
            kind = TEXT_WORD_NUMBER;
        else
            continue;
        words[n].off = off8[start];
        words[n].len = off8[end] - off8[start];
        words[n].kind = kind;
        n++;
    }
    brk_give(bi);
    *ret = words;
    return n;
}

void text_shutdown(void)
{
    pthread_mutex_lock(&translit_lock);
    if (translit)
        utrans_close(translit);
    translit = NULL;
    if (to_simplified)
        utrans_close(to_simplified);
    to_simplified = NULL;
    pthread_mutex_unlock(&translit_lock);
    pthread_mutex_lock(&brk_lock);
    while (n_brk_pool > 0)
        ubrk_close(brk_pool[--n_brk_pool]);
    if (brk_proto)
        ubrk_close(brk_proto);
    brk_proto = NULL;
    pthread_mutex_unlock(&brk_lock);
}
