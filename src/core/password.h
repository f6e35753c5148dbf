#pragma once
/*
 * The password policy: the one check every new password passes, whoever
 * sets it (`linli user add`, the demo, activation, a change of password).
 *
 * A password is 8 to 128 bytes of valid UTF-8 without control characters and
 * is refused when it is on the built-in list of common passwords (compared
 * case-insensitively), is a run of the keyboard or of the alphabet or digits
 * ("12345678", "qwertyui", "87654321"), uses fewer than four different
 * characters, contains the username, or is a demo password ("linli" followed
 * by digits, such as the demo's linli2026) outside the demo.
 */
#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"

#define PASSWORD_MIN_BYTES 8
#define PASSWORD_MAX_BYTES 128

/*
 * NULL if @password may be used by @username (may be NULL); otherwise a 422
 * allocated in @a naming @field, with code "weak_password" and a Chinese
 * message that says why. @demo allows the demo passwords (a database filled
 * by `linli demo`).
 */
Error *password_check(Arena *a, const char *field, const char *password, const char *username,
                      bool demo);
