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
/* The same into @buf, NUL-terminated (25 characters for years 0 to 9999). */
#define TIME_RFC3339_BUF 32
void time_rfc3339_buf(char buf[TIME_RFC3339_BUF], int64_t ms);

/*
 * Times with a UTC offset. Local civil time is a day number (days since
 * 1970-01-01) and a minute of that day; @offset_min is minutes east of UTC
 * (480 for Asia/Shanghai, which keeps no daylight saving time).
 */
#define TIME_DAY_MS INT64_C(86400000)
#define TIME_MINUTE_MS INT64_C(60000)
#define TIME_OFFSET_SHANGHAI 480

/*
 * Parses an RFC 3339 date-time (§5.6) with seconds and an explicit offset:
 * "2026-11-24T14:00:00+08:00", "2026-11-24T06:00:00Z", "…:00.250Z". 'T' and
 * 'Z' may be lower case; up to 9 fraction digits, truncated to milliseconds;
 * no leap second (":60"); years 1900..2100; offsets up to ±23:59. Sets
 * *ret_ms (UTC) and, unless NULL, *ret_offset_min. False if malformed.
 */
bool time_parse_rfc3339(const char *s, int64_t *ret_ms, int *ret_offset_min);

/* "2026-11-24T14:00:00+08:00" for @ms at @offset_min, in the arena. */
char *time_format_rfc3339_at(Arena *a, int64_t ms, int offset_min);

/* The local day and minute of day (0..1439) of @ms at @offset_min. */
void time_local(int64_t ms, int offset_min, int64_t *ret_day, int *ret_minute);

/* Unix ms of local midnight starting @day at @offset_min. */
int64_t time_day_start_ms(int64_t day, int offset_min);

/* ISO weekday of @day: 1 Monday .. 7 Sunday. */
int time_weekday(int64_t day);

/* "YYYY-MM-DD" of @day into @buf (11 bytes). */
void time_format_date(char buf[11], int64_t day);

/* Parses "YYYY-MM-DD" (as date_parse) into a day number. */
bool time_parse_date(const char *s, int64_t *ret_day);

/*
 * "2026-12-07 14:05" (@with_minute) or "2026-12-07" of @ms at @offset_min,
 * in the arena: times as printed in exported files. "" for 0.
 */
char *time_format_local(Arena *a, int64_t ms, int offset_min, bool with_minute);
