#pragma once
/*
 * Masking of personal data for lists and logs, in one place.
 *   ID number 110105195003021234 -> 110***********1234
 *   mobile    13912345678        -> 139****5678
 *   landline  021-12345678       -> 021****5678
 *   name      张三丰              -> 张**
 * Results are allocated in @a; NULL in, NULL out.
 */
#include "core/arena.h"

char *mask_id_number(Arena *a, const char *id);
char *mask_phone(Arena *a, const char *phone);
char *mask_name(Arena *a, const char *name);
