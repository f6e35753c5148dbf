#include <string.h>

#include "account/account_phone_code.h"
#include "core/timeutil.h"
#include "core/banned.h"

PhoneCodeSend phone_code_may_send(const PhoneCodeRow *row, const PhoneCodeLimits *lim,
                                  const char *today, int64_t now_ms, int64_t *ret_wait_ms)
{
    int64_t day_ms = TIME_DAY_MS;

    if (!row->exists)
        return PHONE_CODE_SEND_OK;
    if (now_ms < row->sent_at + lim->resend_ms) {
        *ret_wait_ms = row->sent_at + lim->resend_ms - now_ms;
        return PHONE_CODE_SEND_COOLDOWN;
    }
    if (strcmp(row->day, today) == 0 && row->sent_today >= lim->daily_max) {
        /* until the next midnight in Beijing (UTC+8) */
        int64_t local = now_ms + 8 * 3600 * 1000LL;

        *ret_wait_ms = day_ms - local % day_ms;
        return PHONE_CODE_SEND_DAILY;
    }
    return PHONE_CODE_SEND_OK;
}

void phone_code_sent(PhoneCodeRow *row, const PhoneCodeLimits *lim, const char *today,
                     int64_t now_ms)
{
    if (!row->exists || strcmp(row->day, today) != 0) {
        memcpy(row->day, today, sizeof(row->day));
        row->day[sizeof(row->day) - 1] = '\0';
        row->sent_today = 0;
    }
    row->exists = true;
    row->sent_today++;
    row->sent_at = now_ms;
    row->expires_at = now_ms + lim->ttl_ms;
    row->attempts = 0;
}

PhoneCodeCheck phone_code_check(const PhoneCodeRow *row, const PhoneCodeLimits *lim,
                                int64_t now_ms, bool matches)
{
    if (!row->exists || row->expires_at == 0)
        return PHONE_CODE_NONE;
    /* a void code stays void, even when the right one is typed at last */
    if (row->attempts >= lim->max_attempts)
        return PHONE_CODE_LOCKED;
    if (now_ms >= row->expires_at)
        return PHONE_CODE_EXPIRED;
    return matches ? PHONE_CODE_OK : PHONE_CODE_WRONG;
}

bool phone_code_well_formed(const char *s)
{
    return s && strlen(s) == PHONE_CODE_DIGITS &&
           strspn(s, "0123456789") == PHONE_CODE_DIGITS;
}
