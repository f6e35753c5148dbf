#pragma once
/* Times are int64_t Unix milliseconds; dates are days since 1970-01-01. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

int64_t time_now_ms(void);
int64_t time_mono_us(void);

/* Parses "YYYY-MM-DD" strictly (real calendar dates, years 1900..2100). */
bool date_parse(const char *s, int *ret_y, int *ret_m, int *ret_d);
bool date_valid(int y, int m, int d);

/* Days since 1970-01-01 for a valid civil date (proleptic Gregorian). */
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d);

/* Today's date in UTC+8 as "YYYY-MM-DD" into @buf (11 bytes). */
void date_today(char buf[11]);

/* Whole years between @birth ("YYYY-MM-DD") and @today; -1 if unparsable. */
int age_on(const char *birth, const char *today);

/* "2026-11-23T18:04:05+08:00" for @ms, in the arena. */
char *time_format_rfc3339(Arena *a, int64_t ms);
