#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/banned.h"


int64_t time_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool date_valid(int y, int m, int d)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static bool digits(const char *s, int n, int *ret)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return true;
}

bool date_parse(const char *s, int *ret_y, int *ret_m, int *ret_d)
{
    int y, m, d;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return false;
    if (!date_valid(y, m, d))
        return false;
    *ret_y = y;
    *ret_m = m;
    *ret_d = d;
    return true;
}

/* Howard Hinnant's days_from_civil. */
int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d)
{
    int64_t era, doe, yoe, y, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    *ret_y = (int)(y + (m <= 2));
    *ret_m = (int)m;
    *ret_d = (int)d;
}

void date_today(char buf[11])
{
    int64_t days = (time_now_ms() / 1000 + 8 * 3600) / 86400;
    int y, m, d;

    civil_from_days(days, &y, &m, &d);
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}

int age_on(const char *birth, const char *today)
{
    int by, bm, bd, ty, tm, td, age;

    if (!date_parse(birth, &by, &bm, &bd) || !date_parse(today, &ty, &tm, &td))
        return -1;
    age = ty - by;
    if (tm < bm || (tm == bm && td < bd))
        age--;
    return age;
}

/* @n decimal digits of @v, zero-padded (the caller keeps v within them). */
static void put_digits(char *p, int v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void time_rfc3339_buf(char buf[TIME_RFC3339_BUF], int64_t ms)
{
    int64_t secs = ms / 1000 + 8 * 3600;
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    int y, m, d;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* no such timestamps are written; printf keeps them readable anyway */
        snprintf(buf, TIME_RFC3339_BUF, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y % 100000, m, d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
        return;
    }
    /* by hand, not snprintf: it runs for every timestamp of every list */
    memcpy(buf, "0000-00-00T00:00:00+08:00", 26);
    put_digits(buf, y, 4);
    put_digits(buf + 5, m, 2);
    put_digits(buf + 8, d, 2);
    put_digits(buf + 11, (int)(rem / 3600), 2);
    put_digits(buf + 14, (int)(rem / 60 % 60), 2);
    put_digits(buf + 17, (int)(rem % 60), 2);
}

char *time_format_rfc3339(Arena *a, int64_t ms)
{
    char buf[TIME_RFC3339_BUF];

    time_rfc3339_buf(buf, ms);
    return arena_strdup(a, buf);
}

/* Floor division and modulo for times before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

bool time_parse_rfc3339(const char *s, int64_t *ret_ms, int *ret_offset_min)
{
    int y, mo, d, h, mi, sec, oh, om, offset, ms = 0;
    const char *p;

    if (!s || strlen(s) < 20)
        return false;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return false;
    if (!date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
        return false;
    p = s + 19;
    if (*p == '.') {
        int n = 0;

        for (p++; *p >= '0' && *p <= '9'; p++, n++) {
            if (n < 3)
                ms = ms * 10 + (*p - '0');
        }
        if (n == 0 || n > 9)
            return false;
        for (; n < 3; n++)
            ms *= 10;
    }
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':' &&
               digits(p + 1, 2, &oh) && digits(p + 4, 2, &om) && oh <= 23 && om <= 59) {
        offset = (oh * 60 + om) * (p[0] == '-' ? -1 : 1);
    } else {
        return false;
    }
    *ret_ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset * 60) * 1000 +
              ms;
    if (ret_offset_min)
        *ret_offset_min = offset;
    return true;
}

char *time_format_rfc3339_at(Arena *a, int64_t ms, int offset_min)
{
    int64_t secs = floor_div(ms, 1000) + (int64_t)offset_min * 60;
    int64_t days = floor_div(secs, 86400);
    int64_t rem = floor_mod(secs, 86400);
    int off = offset_min < 0 ? -offset_min : offset_min;
    int y, m, d;

    civil_from_days(days, &y, &m, &d);
    return arena_sprintf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(rem / 3600),
                         (int)(rem / 60 % 60), (int)(rem % 60), offset_min < 0 ? '-' : '+',
                         off / 60, off % 60);
}

void time_local(int64_t ms, int offset_min, int64_t *ret_day, int *ret_minute)
{
    int64_t local = ms + (int64_t)offset_min * TIME_MINUTE_MS;

    *ret_day = floor_div(local, TIME_DAY_MS);
    *ret_minute = (int)(floor_mod(local, TIME_DAY_MS) / TIME_MINUTE_MS);
}

int64_t time_day_start_ms(int64_t day, int offset_min)
{
    return day * TIME_DAY_MS - (int64_t)offset_min * TIME_MINUTE_MS;
}

int time_weekday(int64_t day)
{
    return (int)floor_mod(day + 3, 7) + 1; /* 1970-01-01 was a Thursday */
}

void time_format_date(char buf[11], int64_t day)
{
    int y, m, d;

    civil_from_days(day, &y, &m, &d);
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}

bool time_parse_date(const char *s, int64_t *ret_day)
{
    int y, m, d;

    if (!date_parse(s, &y, &m, &d))
        return false;
    *ret_day = days_from_civil(y, m, d);
    return true;
}

char *time_format_local(Arena *a, int64_t ms, int offset_min, bool with_minute)
{
    char date[11];
    int64_t day;
    int minute;

    if (!ms)
        return arena_strdup(a, "");
    time_local(ms, offset_min, &day, &minute);
    time_format_date(date, day);
    if (!with_minute)
        return arena_strdup(a, date);
    return arena_sprintf(a, "%s %02d:%02d", date, minute / 60, minute % 60);
}
