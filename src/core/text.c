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
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
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

void text_shutdown(void)
{
    pthread_mutex_lock(&translit_lock);
    if (translit)
        utrans_close(translit);
    translit = NULL;
    pthread_mutex_unlock(&translit_lock);
}
