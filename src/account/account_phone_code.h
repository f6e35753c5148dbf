#pragma once
/*
 * The rules of SMS verification codes for registration by phone, apart from
 * HTTP and SQL so that they can be tested alone: when a phone may be sent
 * another code, and what a typed code is worth. The row they read is
 * phone_code (schema 18), one per phone.
 */
#include <stdbool.h>
#include <stdint.h>

#define PHONE_CODE_DIGITS 6

typedef struct PhoneCodeLimits {
    int64_t ttl_ms;       /* a code expires this long after it was sent */
    int64_t resend_ms;    /* the next code to the same phone no sooner than this */
    int daily_max;        /* codes per phone and Beijing day */
    int max_attempts;     /* wrong tries that make a code void */
} PhoneCodeLimits;

typedef struct PhoneCodeRow {
    bool exists;          /* false: this phone was never sent a code */
    int64_t sent_at;      /* ms */
    int64_t expires_at;   /* ms; 0 once the code was used */
    int attempts;         /* wrong tries against this code */
    char day[11];         /* 'YYYY-MM-DD' of sent_today */
    int sent_today;
} PhoneCodeRow;

typedef enum PhoneCodeSend {
    PHONE_CODE_SEND_OK,
    PHONE_CODE_SEND_COOLDOWN,  /* the last code is younger than resend_ms */
    PHONE_CODE_SEND_DAILY,     /* daily_max codes today */
    _PHONE_CODE_SEND_MAX
} PhoneCodeSend;

typedef enum PhoneCodeCheck {
    PHONE_CODE_OK,
    PHONE_CODE_NONE,           /* never sent, or already used */
    PHONE_CODE_EXPIRED,
    PHONE_CODE_LOCKED,         /* max_attempts wrong tries: ask for a new one */
    PHONE_CODE_WRONG,          /* wrong; the caller counts the attempt */
    _PHONE_CODE_CHECK_MAX
} PhoneCodeCheck;

/*
 * Whether @row's phone may be sent a code at @now_ms (@today its Beijing
 * date). Otherwise *ret_wait_ms says how long until it may (to the next
 * Beijing midnight for PHONE_CODE_SEND_DAILY).
 */
PhoneCodeSend phone_code_may_send(const PhoneCodeRow *row, const PhoneCodeLimits *lim,
                                  const char *today, int64_t now_ms, int64_t *ret_wait_ms);

/*
 * @row as it is once a code was sent at @now_ms: new expiry, no attempts,
 * the day's count advanced (or restarted on a new @today).
 */
void phone_code_sent(PhoneCodeRow *row, const PhoneCodeLimits *lim, const char *today,
                     int64_t now_ms);

/* What a typed code is worth; @matches: its hash equals the stored one. */
PhoneCodeCheck phone_code_check(const PhoneCodeRow *row, const PhoneCodeLimits *lim,
                                int64_t now_ms, bool matches);

/* True if @s is exactly PHONE_CODE_DIGITS ASCII digits. */
bool phone_code_well_formed(const char *s);
