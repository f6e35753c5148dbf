#pragma once
/*
 * Validators for values people type: each returns NULL when @in is valid
 * (and stores the normalised value, allocated in @a, in *ret), or a 422
 * Error naming @field with a Chinese message that says what is expected.
 * *ret is untouched on failure.
 */
#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"

/* GB 11643-1999 citizen ID number: 18 characters, region, birth date, check digit. */
Error *validate_id_number(Arena *a, const char *field, const char *in, const char **ret);
/* Computes the GB 11643 check character for 17 digits; '\0' if not 17 digits. */
char id_number_check_char(const char *first17);
/* Birth date "YYYY-MM-DD" and gender ("male"/"female") encoded in a valid ID number. */
void id_number_birth_date(const char *id, char ret_date[11]);
const char *id_number_gender(const char *id);

/* Mainland mobile (11 digits from 13..19) or landline (0 + area code + number, '-' allowed). */
Error *validate_phone(Arena *a, const char *field, const char *in, const char **ret);
bool phone_is_mobile(const char *phone);

/* "YYYY-MM-DD", a real date between 1900 and 2100. */
Error *validate_date(Arena *a, const char *field, const char *in, const char **ret);

/* An administrative code: 6 (county), 9 (street) or 12 (community) digits. */
Error *validate_division_code(Arena *a, const char *field, const char *in, const char **ret);

/*
 * True if @s holds a bidirectional control character (U+061C, U+200E,
 * U+200F, U+202A..U+202E, U+2066..U+2069), which can make a name display
 * as another ("Trojan Source", CVE-2021-42574). Names refuse them.
 */
bool text_has_bidi_control(const char *s);
/* 422 invalid_text naming @field if @s holds one (a message that says so). */
Error *validate_no_bidi(Arena *a, const char *field, const char *s);

/* Well-formed UTF-8 of at most @max_chars code points, no control characters. */
bool utf8_valid(const char *s, size_t len);
size_t utf8_length(const char *s);
