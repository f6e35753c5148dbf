#pragma once
/*
 * Points' and merchants' SQL (points_store.c), for points_routes.c,
 * points_demo.c and points_award. Writes run inside the caller's
 * transaction; JSON results are new references owned by the caller.
 */
#include <jansson.h>

#include "points/points.h"

/* ---- rules ---- */

typedef struct PointsRules {
    int64_t points[_POINTS_RULE_MAX];
    int64_t cap[_POINTS_RULE_MAX]; /* 0: none */
} PointsRules;

Error *points_store_rules(Store *st, Arena *a, const char *community, PointsRules *ret);
Error *points_store_rule_set(Store *st, Arena *a, const char *community, PointsRule rule,
                             int64_t points, int64_t cap, int64_t actor_id, int64_t now_ms);

/* ---- the ledger ---- */

typedef struct PointsMove {
    int64_t resident_id;
    const char *community;
    const char *kind;     /* earn, spend, adjust */
    int64_t delta;        /* spend: negative */
    const char *rule;     /* "" when none */
    const char *ref_kind;
    int64_t ref_id;
    const char *reason;   /* "" when none */
    int64_t actor_id;     /* 0: the system */
    int64_t now_ms;
} PointsMove;

/*
 * Writes @m: the account's conditional UPDATE and its entry. A move that
 * would take the balance below zero is 409 insufficient_points (the
 * message names the balance). *ret_balance the balance after, *ret_entry
 * the entry's id (either may be NULL).
 */
Error *points_store_move(Store *st, Arena *a, const PointsMove *m, int64_t *ret_balance,
                         int64_t *ret_entry);
/* Creates @resident_id's account if missing and locks its row for the transaction. */
Error *points_store_account_lock(Store *st, Arena *a, int64_t resident_id, const char *community,
                                 int64_t now_ms);
/* Whether an earn entry of (@resident_id, @rule, @ref_kind, @ref_id) exists. */
Error *points_store_awarded(Store *st, Arena *a, int64_t resident_id, const char *rule,
                            const char *ref_kind, int64_t ref_id, bool *ret);
/* Points @resident_id earned under @rule in [@from, @to). */
Error *points_store_earned(Store *st, Arena *a, int64_t resident_id, const char *rule,
                           int64_t from, int64_t to, int64_t *ret);
Error *points_store_balance(Store *st, Arena *a, int64_t resident_id, int64_t *ret);
/* @resident_id's entries, newest first, at most @limit. */
Error *points_store_entries(Store *st, Arena *a, int64_t resident_id, int64_t limit,
                            json_t **ret);
/* Accounts of @community (name matching @q, or all when NULL), richest first. */
Error *points_store_accounts(Store *st, Arena *a, const char *community, const char *q,
                             int64_t limit, int64_t offset, json_t **ret_items, int64_t *ret_total);
/* Totals of @community: accounts, balance, earned, spent, adjusted, by rule. */
Error *points_store_totals(Store *st, Arena *a, const char *community, json_t **ret);

/* ---- merchants ---- */

typedef struct MerchantInput {
    const char *community, *name, *kind, *address, *contact, *phone;
    int64_t space_m2;
    const char *space_hours;
    bool free_stall;
    const char *gives_note;
    const char *state;
} MerchantInput;

typedef struct Merchant {
    int64_t id;
    const char *community, *name, *state;
} Merchant;

typedef struct MerchantOffer {
    int64_t id, merchant_id;
    const char *kind, *title, *body, *token;
    int64_t cost; /* 0: none */
    bool active;
} MerchantOffer;

Error *points_store_merchant_insert(Store *st, Arena *a, const MerchantInput *in, int64_t actor_id,
                                    int64_t now_ms, int64_t *ret_id);
Error *points_store_merchant_update(Store *st, Arena *a, int64_t id, const MerchantInput *in,
                                    int64_t now_ms);
/* *ret NULL when none. */
Error *points_store_merchant_get(Store *st, Arena *a, int64_t id, Merchant **ret);
/* The merchant with its offers; @full: the phone unmasked. */
Error *points_store_merchant_json(Store *st, Arena *a, int64_t id, bool full, json_t **ret);
Error *points_store_merchants(Store *st, Arena *a, const char *community, json_t **ret);

Error *points_store_offer_insert(Store *st, Arena *a, const MerchantOffer *o, int64_t now_ms,
                                 int64_t *ret_id);
Error *points_store_offer_update(Store *st, Arena *a, const MerchantOffer *o, int64_t now_ms);
/* *ret NULL when none; by id, or by its QR token. */
Error *points_store_offer_get(Store *st, Arena *a, int64_t id, MerchantOffer **ret);
Error *points_store_offer_by_token(Store *st, Arena *a, const char *token, MerchantOffer **ret);
/* Active discounts of active merchants of @community. */
Error *points_store_offers_redeemable(Store *st, Arena *a, const char *community, json_t **ret);

/* ---- markets and redemptions ---- */

Error *points_store_stall_insert(Store *st, Arena *a, int64_t activity_id, int64_t merchant_id,
                                 const char *provides, int64_t actor_id, int64_t now_ms,
                                 int64_t *ret_id);
Error *points_store_stalls(Store *st, Arena *a, int64_t activity_id, json_t **ret);

Error *points_store_redemption_insert(Store *st, Arena *a, const MerchantOffer *o,
                                      int64_t resident_id, int64_t user_id, const char *code,
                                      int64_t now_ms, int64_t *ret_id);
/* A merchant's redemptions, newest first, at most @limit (names masked). */
Error *points_store_redemptions(Store *st, Arena *a, int64_t merchant_id, int64_t limit,
                                json_t **ret);
/* Her redemptions, newest first. */
Error *points_store_redemptions_mine(Store *st, Arena *a, int64_t resident_id, json_t **ret);

/*
 * A merchant's contribution in [@from, @to): stalls (market, date, what it
 * provided), redemptions (count, points), courses offered, and what the
 * community gave.
 */
Error *points_store_report(Store *st, Arena *a, int64_t merchant_id, int64_t from, int64_t to,
                           json_t **ret);

/* ---- demo ---- */

/* Residents of @community with at least @min points, richest first, at most 20. */
Error *points_store_demo_rich(Store *st, Arena *a, const char *community, int64_t min,
                              int64_t **ret, size_t *ret_n);
/* The markets (activities of kind market) of @community, by start. */
Error *points_store_demo_markets(Store *st, Arena *a, const char *community, int64_t **ret,
                                 size_t *ret_n);
