/*
 * points_store.c - the SQL of points and partner merchants (see
 * points_store.h; the design in points.h, the tables in schema 36).
 */
#include <string.h>

#include "core/mask.h"
#include "points/points_store.h"
#include "store/store_json.h"
#include "core/banned.h"

/* ---- rules ---- */

static const char SQL_RULES[] =
    "SELECT rule, points, yearly_cap FROM points_rule WHERE community = ?1";
static const char SQL_RULE_SET[] =
    "INSERT INTO points_rule (community, rule, points, yearly_cap, updated_by, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (community, rule) DO UPDATE SET"
    " points = excluded.points, yearly_cap = excluded.yearly_cap,"
    " updated_by = excluded.updated_by, updated_at = excluded.updated_at";

Error *points_store_rules(Store *st, Arena *a, const char *community, PointsRules *ret)
{
    static const int64_t defaults[_POINTS_RULE_MAX] = POINTS_DEFAULTS;
    StoreStmt *s = store_prepare_bind(st, a, SQL_RULES, "t", community);
    StoreResult r;

    memcpy(ret->points, defaults, sizeof(defaults));
    memset(ret->cap, 0, sizeof(ret->cap));
    while ((r = store_step(s)) == STORE_ROW) {
        PointsRule k;

        if (!points_rule_parse(store_column_text(s, a, 0), &k))
            continue;
        ret->points[k] = store_column_int64(s, 1);
        ret->cap[k] = store_column_is_null(s, 2) ? 0 : store_column_int64(s, 2);
    }
    store_reset(s);
    return r == STORE_DONE ? NULL : store_error(st, a);
}

Error *points_store_rule_set(Store *st, Arena *a, const char *community, PointsRule rule,
                             int64_t points, int64_t cap, int64_t actor_id, int64_t now_ms)
{
    return store_run(st, a, SQL_RULE_SET, NULL, NULL, NULL, NULL, "ttiIIi", community,
                     points_rule_name(rule), points, cap, actor_id, now_ms);
}

/* ---- the ledger ---- */

static const char SQL_ACCOUNT_NEW[] =
    "INSERT INTO points_account (resident_id, community, balance, updated_at)"
    " VALUES (?1, ?2, 0, ?3) ON CONFLICT (resident_id) DO NOTHING";
static const char SQL_ACCOUNT_LOCK[] =
    "UPDATE points_account SET updated_at = ?2 WHERE resident_id = ?1";
/* The conditional update: no row when the balance would go below zero. */
static const char SQL_ACCOUNT_MOVE[] =
    "UPDATE points_account SET balance = balance + ?2, updated_at = ?3"
    " WHERE resident_id = ?1 AND balance + ?2 >= 0 RETURNING balance";
static const char SQL_ENTRY_INSERT[] =
    "INSERT INTO points_entry (resident_id, community, kind, delta, balance_after, rule, ref_kind,"
    " ref_id, reason, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " RETURNING id";
static const char SQL_BALANCE[] = "SELECT balance FROM points_account WHERE resident_id = ?1";

Error *points_store_account_lock(Store *st, Arena *a, int64_t resident_id, const char *community,
                                 int64_t now_ms)
{
    Error *err = store_run(st, a, SQL_ACCOUNT_NEW, NULL, NULL, NULL, NULL, "iti", resident_id,
                           community, now_ms);

    if (!err)
        err = store_run(st, a, SQL_ACCOUNT_LOCK, NULL, NULL, NULL, NULL, "ii", resident_id, now_ms);
    return err;
}

Error *points_store_balance(Store *st, Arena *a, int64_t resident_id, int64_t *ret)
{
    return store_run_int64(st, a, store_prepare_bind(st, a, SQL_BALANCE, "i", resident_id), ret);
}

Error *points_store_move(Store *st, Arena *a, const PointsMove *m, int64_t *ret_balance,
                         int64_t *ret_entry)
{
    StoreStmt *s;
    StoreResult r;
    int64_t balance = 0, entry = 0;
    Error *err;

    err = store_run(st, a, SQL_ACCOUNT_NEW, NULL, NULL, NULL, NULL, "iti", m->resident_id,
                    m->community, m->now_ms);
    if (err)
        return err;
    s = store_prepare_bind(st, a, SQL_ACCOUNT_MOVE, "iii", m->resident_id, m->delta, m->now_ms);
    r = store_step(s);
    if (r == STORE_ROW)
        balance = store_column_int64(s, 0);
    store_reset(s);
    if (r == STORE_DONE || r == STORE_CONSTRAINT) {
        int64_t have = 0;

        err = points_store_balance(st, a, m->resident_id, &have);
        if (err)
            return err;
        return error_conflict(a, "points", "insufficient_points",
                              arena_sprintf(a, "积分不足：需要 %lld 分，当前余额 %lld 分",
                                            (long long)-m->delta, (long long)have));
    }
    if (r != STORE_ROW)
        return store_error(st, a);
    err = store_insert(st, a, SQL_ENTRY_INSERT, "ref_id", "already_awarded", "这笔积分已经发放过了",
                       &entry, "ittiittitIi", m->resident_id, m->community, m->kind, m->delta,
                       balance, m->rule, m->ref_kind, m->ref_id, m->reason, m->actor_id,
                       m->now_ms);
    if (err)
        return err;
    if (ret_balance)
        *ret_balance = balance;
    if (ret_entry)
        *ret_entry = entry;
    return NULL;
}

static const char SQL_AWARDED[] =
    "SELECT count(*) FROM points_entry WHERE resident_id = ?1 AND ref_kind = ?2 AND ref_id = ?3"
    " AND rule = ?4 AND kind = 'earn'";
static const char SQL_EARNED[] =
    "SELECT coalesce(sum(delta), 0) FROM points_entry WHERE resident_id = ?1 AND rule = ?2"
    " AND kind = 'earn' AND created_at >= ?3 AND created_at < ?4";

Error *points_store_awarded(Store *st, Arena *a, int64_t resident_id, const char *rule,
                            const char *ref_kind, int64_t ref_id, bool *ret)
{
    int64_t n = 0;
    Error *err = store_run_int64(
        st, a, store_prepare_bind(st, a, SQL_AWARDED, "itit", resident_id, ref_kind, ref_id, rule),
        &n);

    *ret = n > 0;
    return err;
}

Error *points_store_earned(Store *st, Arena *a, int64_t resident_id, const char *rule,
                           int64_t from, int64_t to, int64_t *ret)
{
    return store_run_int64(
        st, a, store_prepare_bind(st, a, SQL_EARNED, "itii", resident_id, rule, from, to), ret);
}

static const char SQL_ENTRIES[] =
    "SELECT e.id, e.kind, e.delta, e.balance_after, e.rule, e.ref_kind, e.ref_id, e.reason,"
    " coalesce(u.display_name, u.username, '') AS created_by, e.created_at,"
    " coalesce(CASE WHEN e.ref_kind = 'activity' THEN (SELECT t.title FROM activity t"
    " WHERE t.id = e.ref_id) WHEN e.ref_kind = 'redemption' THEN (SELECT m.name || '：' || o.title"
    " FROM points_redemption p JOIN merchant_offer o ON o.id = p.offer_id JOIN merchant m"
    " ON m.id = p.merchant_id WHERE p.id = e.ref_id) END, '') AS what"
    " FROM points_entry e LEFT JOIN app_user u ON u.id = e.created_by"
    " WHERE e.resident_id = ?1 ORDER BY e.id DESC LIMIT ?2";

Error *points_store_entries(Store *st, Arena *a, int64_t resident_id, int64_t limit, json_t **ret)
{
    return store_rows_json(st, a, store_prepare_bind(st, a, SQL_ENTRIES, "ii", resident_id, limit),
                           "itiittittTt", ret);
}

static const char SQL_ACCOUNTS[] =
    "SELECT p.resident_id, r.name, p.balance,"
    " (SELECT coalesce(sum(e.delta), 0) FROM points_entry e WHERE e.resident_id = p.resident_id"
    " AND e.kind = 'earn') AS earned,"
    " (SELECT coalesce(-sum(e.delta), 0) FROM points_entry e WHERE e.resident_id = p.resident_id"
    " AND e.kind = 'spend') AS spent, p.updated_at"
    " FROM points_account p JOIN resident r ON r.id = p.resident_id"
    " WHERE p.community = ?1 AND r.name LIKE ?2"
    " ORDER BY p.balance DESC, p.resident_id LIMIT ?3 OFFSET ?4";
static const char SQL_ACCOUNTS_COUNT[] =
    "SELECT count(*) FROM points_account p JOIN resident r ON r.id = p.resident_id"
    " WHERE p.community = ?1 AND r.name LIKE ?2";

Error *points_store_accounts(Store *st, Arena *a, const char *community, const char *q,
                             int64_t limit, int64_t offset, json_t **ret_items, int64_t *ret_total)
{
    const char *like = arena_sprintf(a, "%%%s%%", q ? q : "");
    Error *err;

    err = store_run_int64(
        st, a, store_prepare_bind(st, a, SQL_ACCOUNTS_COUNT, "tt", community, like), ret_total);
    if (!err)
        err = store_rows_json(st, a,
                              store_prepare_bind(st, a, SQL_ACCOUNTS, "ttii", community, like,
                                                 limit, offset),
                              "itiiiT", ret_items);
    return err;
}

static const char SQL_TOTALS[] =
    "SELECT (SELECT count(*) FROM points_account WHERE community = ?1) AS accounts,"
    " (SELECT coalesce(sum(balance), 0) FROM points_account WHERE community = ?1) AS balance,"
    " (SELECT coalesce(sum(delta), 0) FROM points_entry WHERE community = ?1 AND kind = 'earn')"
    " AS earned,"
    " (SELECT coalesce(-sum(delta), 0) FROM points_entry WHERE community = ?1 AND kind = 'spend')"
    " AS spent,"
    " (SELECT coalesce(sum(delta), 0) FROM points_entry WHERE community = ?1 AND kind = 'adjust')"
    " AS adjusted,"
    " (SELECT count(*) FROM points_redemption p JOIN merchant m ON m.id = p.merchant_id"
    " WHERE m.community = ?1) AS redemptions";
static const char SQL_TOTALS_RULE[] =
    "SELECT rule, count(*) AS entries, sum(delta) AS points FROM points_entry"
    " WHERE community = ?1 AND kind = 'earn' GROUP BY rule ORDER BY rule";

Error *points_store_totals(Store *st, Arena *a, const char *community, json_t **ret)
{
    json_t *rows = NULL, *by_rule = NULL;
    Error *err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_TOTALS, "t", community),
                                 "iiiiii", &rows);

    if (!err)
        err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_TOTALS_RULE, "t", community),
                              "tii", &by_rule);
    if (err) {
        json_decref(rows);
        return err;
    }
    *ret = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    json_object_set_new(*ret, "by_rule", by_rule);
    return NULL;
}

/* ---- merchants ---- */

static const char SQL_MERCHANT_INSERT[] =
    "INSERT INTO merchant (community, name, kind, address, contact, phone, space_m2, space_hours,"
    " free_stall, gives_note, state, created_by, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13) RETURNING id";
static const char SQL_MERCHANT_UPDATE[] =
    "UPDATE merchant SET name = ?2, kind = ?3, address = ?4, contact = ?5, phone = ?6,"
    " space_m2 = ?7, space_hours = ?8, free_stall = ?9, gives_note = ?10, state = ?11,"
    " updated_at = ?12 WHERE id = ?1";
static const char SQL_MERCHANT_GET[] =
    "SELECT id, community, name, state FROM merchant WHERE id = ?1";
#define MERCHANT_COLS                                                                           \
    "m.id, m.community, m.name, m.kind, m.address, m.contact, m.phone, m.space_m2,"           \
    " m.space_hours, m.free_stall, m.gives_note, m.state, m.created_at, m.updated_at,"       \
    " (SELECT count(*) FROM merchant_offer o WHERE o.merchant_id = m.id AND o.active = 1)"    \
    " AS offers, (SELECT count(*) FROM market_stall s WHERE s.merchant_id = m.id) AS stalls," \
    " (SELECT count(*) FROM points_redemption p WHERE p.merchant_id = m.id) AS redemptions"
#define MERCHANT_TYPES "ittttttitbttTTiii"
static const char SQL_MERCHANT_ONE[] = "SELECT " MERCHANT_COLS " FROM merchant m WHERE m.id = ?1";
static const char SQL_MERCHANTS[] =
    "SELECT " MERCHANT_COLS " FROM merchant m WHERE m.community = ?1"
    " ORDER BY CASE m.state WHEN 'active' THEN 0 WHEN 'paused' THEN 1 ELSE 2 END, m.id";
static const char SQL_OFFERS_OF[] =
    "SELECT id, merchant_id, kind, title, body, cost, token, active, created_at FROM merchant_offer"
    " WHERE merchant_id = ?1 ORDER BY active DESC, id";

Error *points_store_merchant_insert(Store *st, Arena *a, const MerchantInput *in, int64_t actor_id,
                                    int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_MERCHANT_INSERT, NULL, NULL, NULL, ret_id, "ttttttitittIi",
                        in->community, in->name, in->kind, in->address, in->contact, in->phone,
                        in->space_m2, in->space_hours, (int64_t)in->free_stall, in->gives_note,
                        in->state, actor_id, now_ms);
}

Error *points_store_merchant_update(Store *st, Arena *a, int64_t id, const MerchantInput *in,
                                    int64_t now_ms)
{
    return store_run(st, a, SQL_MERCHANT_UPDATE, NULL, NULL, NULL, NULL, "itttttititti", id,
                     in->name, in->kind, in->address, in->contact, in->phone, in->space_m2,
                     in->space_hours, (int64_t)in->free_stall, in->gives_note, in->state, now_ms);
}

Error *points_store_merchant_get(Store *st, Arena *a, int64_t id, Merchant **ret)
{
    StoreStmt *s = store_prepare_bind(st, a, SQL_MERCHANT_GET, "i", id);
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        Merchant *m = arena_zalloc(a, sizeof(*m));

        m->id = store_column_int64(s, 0);
        m->community = store_column_text(s, a, 1);
        m->name = store_column_text(s, a, 2);
        m->state = store_column_text(s, a, 3);
        *ret = m;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

/* Masks the "phone" of each object of @arr. */
static void mask_phones(Arena *a, json_t *arr)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o) {
        const char *p = json_string_value(json_object_get(o, "phone"));

        if (p && *p)
            json_object_set_new(o, "phone", json_string(mask_phone(a, p)));
    }
}

Error *points_store_merchant_json(Store *st, Arena *a, int64_t id, bool full, json_t **ret)
{
    json_t *rows = NULL, *offers = NULL;
    Error *err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_MERCHANT_ONE, "i", id),
                                 MERCHANT_TYPES, &rows);

    if (!err)
        err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_OFFERS_OF, "i", id),
                              "iitttitbT", &offers);
    if (err) {
        json_decref(rows);
        return err;
    }
    if (!full)
        mask_phones(a, rows);
    *ret = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    if (*ret)
        json_object_set_new(*ret, "offers", offers);
    else
        json_decref(offers);
    return NULL;
}

Error *points_store_merchants(Store *st, Arena *a, const char *community, json_t **ret)
{
    Error *err = store_rows_json(st, a, store_prepare_bind(st, a, SQL_MERCHANTS, "t", community),
                                 MERCHANT_TYPES, ret);

    if (!err)
        mask_phones(a, *ret);
    return err;
}

/* ---- offers ---- */

static const char SQL_OFFER_INSERT[] =
    "INSERT INTO merchant_offer (merchant_id, kind, title, body, cost, token, active, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id";
static const char SQL_OFFER_UPDATE[] =
    "UPDATE merchant_offer SET title = ?2, body = ?3, cost = ?4, active = ?5, updated_at = ?6"
    " WHERE id = ?1";
#define OFFER_COLS "id, merchant_id, kind, title, body, cost, token, active"
static const char SQL_OFFER_GET[] = "SELECT " OFFER_COLS " FROM merchant_offer WHERE id = ?1";
static const char SQL_OFFER_BY_TOKEN[] =
    "SELECT " OFFER_COLS " FROM merchant_offer WHERE token = ?1";
static const char SQL_OFFERS_REDEEMABLE[] =
    "SELECT o.id, o.merchant_id, m.name AS merchant, m.kind AS merchant_kind, m.address, o.title,"
    " o.body, o.cost, o.token FROM merchant_offer o JOIN merchant m ON m.id = o.merchant_id"
    " WHERE m.community = ?1 AND m.state = 'active' AND o.active = 1 AND o.kind = 'discount'"
    " ORDER BY o.cost, o.id";

Error *points_store_offer_insert(Store *st, Arena *a, const MerchantOffer *o, int64_t now_ms,
                                 int64_t *ret_id)
{
    return store_insert(st, a, SQL_OFFER_INSERT, NULL, NULL, NULL, ret_id, "itttItii",
                        o->merchant_id, o->kind, o->title, o->body, o->cost, o->token,
                        (int64_t)o->active, now_ms);
}

Error *points_store_offer_update(Store *st, Arena *a, const MerchantOffer *o, int64_t now_ms)
{
    return store_run(st, a, SQL_OFFER_UPDATE, NULL, NULL, NULL, NULL, "ittIii", o->id, o->title,
                     o->body, o->cost, (int64_t)o->active, now_ms);
}

static Error *offer_read(Store *st, Arena *a, StoreStmt *s, MerchantOffer **ret)
{
    StoreResult r = store_step(s);

    *ret = NULL;
    if (r == STORE_ROW) {
        MerchantOffer *o = arena_zalloc(a, sizeof(*o));

        o->id = store_column_int64(s, 0);
        o->merchant_id = store_column_int64(s, 1);
        o->kind = store_column_text(s, a, 2);
        o->title = store_column_text(s, a, 3);
        o->body = store_column_text(s, a, 4);
        o->cost = store_column_is_null(s, 5) ? 0 : store_column_int64(s, 5);
        o->token = store_column_text(s, a, 6);
        o->active = store_column_int64(s, 7) != 0;
        *ret = o;
    }
    store_reset(s);
    return r == STORE_ROW || r == STORE_DONE ? NULL : store_error(st, a);
}

Error *points_store_offer_get(Store *st, Arena *a, int64_t id, MerchantOffer **ret)
{
    return offer_read(st, a, store_prepare_bind(st, a, SQL_OFFER_GET, "i", id), ret);
}

Error *points_store_offer_by_token(Store *st, Arena *a, const char *token, MerchantOffer **ret)
{
    return offer_read(st, a, store_prepare_bind(st, a, SQL_OFFER_BY_TOKEN, "t", token), ret);
}

Error *points_store_offers_redeemable(Store *st, Arena *a, const char *community, json_t **ret)
{
    return store_rows_json(st, a, store_prepare_bind(st, a, SQL_OFFERS_REDEEMABLE, "t", community),
                           "iitttttit", ret);
}

/* ---- markets and redemptions ---- */

static const char SQL_STALL_INSERT[] =
    "INSERT INTO market_stall (activity_id, merchant_id, provides, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
static const char SQL_STALLS[] =
    "SELECT s.id, s.merchant_id, m.name AS merchant, m.kind AS merchant_kind, s.provides"
    " FROM market_stall s JOIN merchant m ON m.id = s.merchant_id WHERE s.activity_id = ?1"
    " ORDER BY s.id";

Error *points_store_stall_insert(Store *st, Arena *a, int64_t activity_id, int64_t merchant_id,
                                 const char *provides, int64_t actor_id, int64_t now_ms,
                                 int64_t *ret_id)
{
    return store_insert(st, a, SQL_STALL_INSERT, "merchant_id", "already_stall",
                        "这个商户已经在本次集市有摊位了", ret_id, "iitIi", activity_id, merchant_id,
                        provides, actor_id, now_ms);
}

Error *points_store_stalls(Store *st, Arena *a, int64_t activity_id, json_t **ret)
{
    return store_rows_json(st, a, store_prepare_bind(st, a, SQL_STALLS, "i", activity_id), "iittt",
                           ret);
}

static const char SQL_REDEMPTION_INSERT[] =
    "INSERT INTO points_redemption (offer_id, merchant_id, resident_id, user_id, cost, code,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
static const char SQL_REDEMPTIONS[] =
    "SELECT p.id, p.offer_id, o.title, p.resident_id, r.name, p.cost, p.code, p.created_at"
    " FROM points_redemption p JOIN merchant_offer o ON o.id = p.offer_id"
    " JOIN resident r ON r.id = p.resident_id WHERE p.merchant_id = ?1"
    " ORDER BY p.id DESC LIMIT ?2";
static const char SQL_REDEMPTIONS_MINE[] =
    "SELECT p.id, p.offer_id, o.title, m.name AS merchant, p.cost, p.code, p.created_at"
    " FROM points_redemption p JOIN merchant_offer o ON o.id = p.offer_id"
    " JOIN merchant m ON m.id = p.merchant_id WHERE p.resident_id = ?1"
    " ORDER BY p.id DESC LIMIT 100";

Error *points_store_redemption_insert(Store *st, Arena *a, const MerchantOffer *o,
                                      int64_t resident_id, int64_t user_id, const char *code,
                                      int64_t now_ms, int64_t *ret_id)
{
    return store_insert(st, a, SQL_REDEMPTION_INSERT, NULL, NULL, NULL, ret_id, "iiiiiti", o->id,
                        o->merchant_id, resident_id, user_id, o->cost, code, now_ms);
}

Error *points_store_redemptions(Store *st, Arena *a, int64_t merchant_id, int64_t limit,
                                json_t **ret)
{
    size_t i;
    json_t *o;
    Error *err = store_rows_json(
        st, a, store_prepare_bind(st, a, SQL_REDEMPTIONS, "ii", merchant_id, limit), "iitititT",
        ret);

    if (err)
        return err;
    json_array_foreach(*ret, i, o) {
        const char *n = json_string_value(json_object_get(o, "name"));

        json_object_set_new(o, "name", json_string(n ? mask_name(a, n) : ""));
    }
    return NULL;
}

Error *points_store_redemptions_mine(Store *st, Arena *a, int64_t resident_id, json_t **ret)
{
    return store_rows_json(st, a,
                           store_prepare_bind(st, a, SQL_REDEMPTIONS_MINE, "i", resident_id),
                           "iittitT", ret);
}

/* ---- the yearly report ---- */

static const char SQL_REPORT_STALLS[] =
    "SELECT t.id AS activity_id, t.title, t.start_at, s.provides FROM market_stall s"
    " JOIN activity t ON t.id = s.activity_id WHERE s.merchant_id = ?1 AND t.start_at >= ?2"
    " AND t.start_at < ?3 AND t.state = 'open' ORDER BY t.start_at";
static const char SQL_REPORT_REDEEMED[] =
    "SELECT o.id AS offer_id, o.title, count(*) AS count, sum(p.cost) AS points"
    " FROM points_redemption p JOIN merchant_offer o ON o.id = p.offer_id"
    " WHERE p.merchant_id = ?1 AND p.created_at >= ?2 AND p.created_at < ?3"
    " GROUP BY o.id, o.title ORDER BY o.id";
static const char SQL_REPORT_COURSES[] =
    "SELECT id, title, body, active FROM merchant_offer WHERE merchant_id = ?1 AND kind = 'course'"
    " AND created_at < ?3 AND (active = 1 OR updated_at >= ?2) ORDER BY id";

Error *points_store_report(Store *st, Arena *a, int64_t merchant_id, int64_t from, int64_t to,
                           json_t **ret)
{
    json_t *m = NULL, *stalls = NULL, *redeemed = NULL, *courses = NULL;
    int64_t n = 0, points = 0;
    size_t i;
    json_t *o;
    Error *err = points_store_merchant_json(st, a, merchant_id, false, &m);

    if (!err && !m)
        return error_not_found(a, "id", "找不到该商户");
    if (!err)
        err = store_rows_json(
            st, a, store_prepare_bind(st, a, SQL_REPORT_STALLS, "iii", merchant_id, from, to),
            "itTt", &stalls);
    if (!err)
        err = store_rows_json(
            st, a, store_prepare_bind(st, a, SQL_REPORT_REDEEMED, "iii", merchant_id, from, to),
            "itii", &redeemed);
    if (!err)
        err = store_rows_json(
            st, a, store_prepare_bind(st, a, SQL_REPORT_COURSES, "iii", merchant_id, from, to),
            "ittb", &courses);
    if (err) {
        json_decref(m);
        json_decref(stalls);
        json_decref(redeemed);
        json_decref(courses);
        return err;
    }
    json_array_foreach(redeemed, i, o) {
        n += json_integer_value(json_object_get(o, "count"));
        points += json_integer_value(json_object_get(o, "points"));
    }
    json_object_del(m, "offers");
    *ret = json_pack("{s:o, s:o, s:o, s:o, s:{s:I, s:I}}", "merchant", m, "stalls", stalls,
                     "redeemed", redeemed, "courses", courses, "totals", "redemptions",
                     (json_int_t)n, "points", (json_int_t)points);
    json_object_set_new(json_object_get(*ret, "totals"), "stalls",
                        json_integer((json_int_t)json_array_size(stalls)));
    json_object_set_new(json_object_get(*ret, "totals"), "courses",
                        json_integer((json_int_t)json_array_size(courses)));
    return NULL;
}

/* ---- demo ---- */

static const char SQL_DEMO_RICH[] =
    "SELECT resident_id FROM points_account WHERE community = ?1 AND balance >= ?2"
    " ORDER BY balance DESC, resident_id LIMIT 20";
static const char SQL_DEMO_MARKETS[] =
    "SELECT id FROM activity WHERE community = ?1 AND kind = 'market' AND state = 'open'"
    " ORDER BY start_at";

Error *points_store_demo_rich(Store *st, Arena *a, const char *community, int64_t min,
                              int64_t **ret, size_t *ret_n)
{
    return store_run_ids(st, a, store_prepare_bind(st, a, SQL_DEMO_RICH, "ti", community, min),
                         ret, ret_n);
}

Error *points_store_demo_markets(Store *st, Arena *a, const char *community, int64_t **ret,
                                 size_t *ret_n)
{
    return store_run_ids(st, a, store_prepare_bind(st, a, SQL_DEMO_MARKETS, "t", community), ret,
                         ret_n);
}
