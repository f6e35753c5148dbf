#pragma once
/*
 * Text helpers on ICU: pinyin initials of Chinese names and normalisation of
 * search input. Thread-safe; the ICU transliterator is opened once, on first
 * use, and each Han character's initial is cached after its first lookup.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/*
 * Lower-case pinyin initials of @utf8: "张三" -> "zs", "李小明" -> "lxm".
 * ASCII letters and digits are kept (lower-cased); other characters are
 * dropped. Allocated in @a.
 */
char *text_pinyin_initials(Arena *a, const char *utf8);

/*
 * NFKC, case folding and trimming of a search query: full-width digits and
 * letters become ASCII, "ＺＳ" -> "zs". Allocated in @a; NULL if @utf8 is
 * not valid UTF-8.
 */
char *text_normalize_query(Arena *a, const char *utf8);

/* Trims ASCII and ideographic (U+3000) spaces from both ends, in @a. */
char *text_trim(Arena *a, const char *utf8);

/*
 * Folding for matching text against text, as search engines do: NFKC with
 * case folding (full-width letters and digits become ASCII, "ＡＰＰ" ->
 * "app"), then Traditional to Simplified Chinese ("醫療" -> "医疗") by ICU's
 * "Traditional-Simplified" transliterator, one ideograph at a time (cached
 * per code point, so phrase-level rules are not applied). Allocated in @a;
 * NULL if @utf8 is not valid UTF-8.
 */
char *text_fold(Arena *a, const char *utf8);

/* True for a CJK ideograph (the URO and extension A). */
bool text_is_han(uint32_t cp);

/* True for a letter or digit of any script (ICU's u_isalnum), ideographs included. */
bool text_is_alnum(uint32_t cp);

/*
 * Toneless pinyin of ideograph @cp in lower case ("di" for both 低 and 底),
 * from ICU's "Han-Latin" (its most common reading), or NULL if it has none.
 * The string is static; thread-safe.
 */
const char *text_pinyin(uint32_t cp);

typedef enum TextWordKind {
    TEXT_WORD_IDEO,     /* Chinese (or Japanese) ideographs */
    TEXT_WORD_LETTER,   /* letters, possibly with digits */
    TEXT_WORD_NUMBER,
    _TEXT_WORD_KIND_MAX
} TextWordKind;

typedef struct TextWord {
    size_t off;         /* bytes into the text */
    size_t len;         /* bytes */
    TextWordKind kind;
} TextWord;

/*
 * The words of @utf8 by ICU's word break iterator for Chinese (dictionary
 * based, so "我要申请低保" gives 我 要 申请 低保); spaces, punctuation and
 * symbols are skipped. *ret is an array of the returned count, in @a.
 * Returns 0 for invalid UTF-8. Thread-safe.
 */
size_t text_words(Arena *a, const char *utf8, TextWord **ret);

/* Releases the cached ICU objects (at exit, for leak checkers). */
void text_shutdown(void);
