#pragma once
/*
 * Registration by phone (issue 12 §1), inside the account module.
 *
 *   GET  /api/v1/register/communities       communities she may choose (public)
 *   POST /api/v1/register/code              {phone}: a code by SMS (public)
 *   POST /api/v1/register                   {phone, code, username, password,
 *                                            community?, name?, address?} (public)
 *   GET  /api/v1/registrations              pending ones of the staff's communities
 *   POST /api/v1/registrations/{id}/approve {household_id, resident_id?}
 *   POST /api/v1/registrations/{id}/reject  {reason}
 *
 * Asking for a code never looks at the registry: every well-formed phone
 * gets the same answer and the same SMS, so the answer cannot tell whether
 * the phone is registered. Only after the right code (she holds the phone)
 * does the answer say "linked" (the registry holds the phone: an active
 * resident account of her household) or "pending" (an account that waits for
 * staff to confirm the address she typed; it may sign in to limited pages).
 */
#include <stdbool.h>
#include <stdint.h>

#include "account/account_phone_code.h"
#include "account/account_store.h"
#include "core/crypto.h"

/* A registration that waits for staff, as the console lists it. */
typedef struct Registration {
    int64_t id;
    int64_t user_id;          /* 0 once the account is gone */
    const char *username;     /* "" once the account is gone */
    const char *community;
    const char *name;
    const char *address;
    const char *phone_masked;
    const char *status;       /* 'pending', 'approved', 'rejected' */
    int64_t household_id;     /* once approved */
    const char *reason;       /* once rejected; may be NULL */
    int64_t created_at;       /* ms */
    int64_t decided_at;       /* ms; 0 while pending */
    const void *phone_enc;    /* sealed phone (crypto_seal) */
    size_t phone_enc_len;
} Registration;

typedef struct RegistrationInput {
    int64_t user_id;
    const char *community;
    const char *name;
    const char *address;
    const uint8_t *phone_hash;
    const void *phone_enc;
    size_t phone_enc_len;
    const char *phone_masked;
} RegistrationInput;

/* ---- account_sms.c ---- */

/*
 * Sends @text to @phone through the configured webhook: 503 sms_unavailable
 * without a gateway (unless sms_dev_log), 502 sms_failed when the gateway
 * did not take it.
 */
Error *account_sms_send(Request *req, const char *phone, const char *text);

/* ---- account_register_store.c ---- */

/* @phone_hash's row into *ret (ret->exists false if none) and its code hash. */
Error *account_reg_store_code_get(Store *st, Arena *a, const uint8_t *phone_hash,
                                  PhoneCodeRow *ret, uint8_t ret_code_hash[CRYPTO_HASH_BYTES]);
/* Writes @row and @code_hash for @phone_hash (insert or replace). */
Error *account_reg_store_code_put(Store *st, Arena *a, const uint8_t *phone_hash,
                                  const uint8_t *code_hash, const PhoneCodeRow *row);
Error *account_reg_store_code_delete(Store *st, Arena *a, const uint8_t *phone_hash);
/* One more wrong try against @phone_hash's code. */
Error *account_reg_store_code_attempt(Store *st, Arena *a, const uint8_t *phone_hash);
/* The code was used: it works no more (the day's count stays). */
Error *account_reg_store_code_used(Store *st, Arena *a, const uint8_t *phone_hash);
/* Adds @delta to the codes of address @ip in @hour; *ret_n the new count. */
Error *account_reg_store_ip_add(Store *st, Arena *a, const char *ip, int64_t hour, int delta,
                                int64_t *ret_n);
/*
 * The active resident whose phone is @phone_hash, preferring one without
 * an account of her own; *ret NULL if the registry holds no such phone, and
 * *ret_has_account whether the one found has an account already.
 */
Error *account_reg_store_resident_by_phone(Store *st, Arena *a, const uint8_t *phone_hash,
                                           AccountResident **ret, bool *ret_has_account);
/* A 'pending' account (no household yet) for a registration. */
Error *account_reg_store_pending_user(Store *st, Arena *a, const char *username,
                                      const char *pw_hash, const char *community,
                                      const char *display_name, int64_t *ret_id);
/* A pending account's community and name, as her corrected registration gives them. */
Error *account_reg_store_pending_move(Store *st, Arena *a, int64_t user_id, const char *community,
                                      const char *display_name, int64_t now_ms);
/* 409 registration_pending if this phone already waits. */
Error *account_reg_store_insert(Store *st, Arena *a, const RegistrationInput *in, int64_t now_ms,
                                int64_t *ret_id);
/* Registrations of communities in [@lo, @hi) with @status, oldest first. */
Error *account_reg_store_list(Store *st, Arena *a, const char *lo, const char *hi,
                              const char *status, int64_t limit, Registration ***ret,
                              size_t *ret_n);
/* *ret NULL if there is none. */
Error *account_reg_store_get(Store *st, Arena *a, int64_t id, Registration **ret);
/* The latest registration of user @user_id; *ret NULL if she has none. */
Error *account_reg_store_of_user(Store *st, Arena *a, int64_t user_id, Registration **ret);
/*
 * Decides pending registration @id ('approved' with @household_id, or
 * 'rejected' with @reason); *ret_changed false if it was no longer pending.
 */
Error *account_reg_store_decide(Store *st, Arena *a, int64_t id, const char *status,
                                int64_t household_id, const char *reason, int64_t by,
                                int64_t now_ms, bool *ret_changed);
/* Makes pending account @user_id an active resident account of @household_id. */
Error *account_reg_store_user_activate(Store *st, Arena *a, int64_t user_id,
                                       const char *community, int64_t household_id,
                                       int64_t resident_id, int64_t now_ms);
/* The community of household @id; *ret NULL if there is none. */
Error *account_reg_store_household_community(Store *st, Arena *a, int64_t id,
                                             const char **ret);
/* Communities (level 5) with their street's name, by code. */
Error *account_reg_store_communities(Store *st, Arena *a, json_t *items);
