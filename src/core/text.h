#pragma once
/*
 * Text helpers on ICU: pinyin initials of Chinese names and normalisation of
 * search input. Thread-safe; the ICU transliterator is opened once, on first
 * use, and each Han character's initial is cached after its first lookup.
 */
#include <stdbool.h>
#include <stddef.h>

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

/* Releases the cached ICU objects (at exit, for leak checkers). */
void text_shutdown(void);
