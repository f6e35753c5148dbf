/*
 * Votes' SQL, written once for SQLite and PostgreSQL (docs/POSTGRESQL.md).
 */
#include <string.h>

#include "core/crypto.h"
#include "core/timeutil.h"
#include "votes/votes_store.h"
#include "core/banned.h"

/* ---- the registry's additions ---- */

static const char SQL_HOUSEHOLD[] =
    "SELECT h.id, h.community, h.building_id, b.name, h.unit, h.floor, h.room"
    " FROM household h JOIN building b ON b.id = h.building_id WHERE h.id = ?1";

Error *votes_store_household(Store *st, Arena *a, int64_t id, VotesHousehold *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOUSEHOLD);
    StoreResult r;

    memset(ret, 0, sizeof(*ret));
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        ret->id = store_column_int64(s, 0);
        ret->community = store_column_text(s, a, 1);
        ret->building_id = store_column_int64(s, 2);
        ret->building_name = store_column_text(s, a, 3);
        ret->unit = store_column_int64(s, 4);
        ret->floor = store_column_int64(s, 5);
        ret->room = store_column_text(s, a, 6);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_BUILDING[] = "SELECT community, units FROM building WHERE id = ?1";

Error *votes_store_building(Store *st, Arena *a, int64_t id, const char **ret_community,
                            int64_t *ret_units)
{
    StoreStmt *s = store_prepare(st, a, SQL_BUILDING);
    StoreResult r;

    *ret_community = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret_community = store_column_text(s, a, 0);
        if (ret_units)
            *ret_units = store_column_int64(s, 1);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_HOUSEHOLD_IN[] =
    "SELECT count(*) FROM household WHERE id = ?1 AND building_id = ?2 AND unit = ?3";

Error *votes_store_household_in(Store *st, Arena *a, int64_t household_id, int64_t building_id,
                                int64_t unit, bool *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_HOUSEHOLD_IN);
    int64_t n = 0;
    Error *err;

    store_bind_int64(s, 1, household_id);
    store_bind_int64(s, 2, building_id);
    store_bind_int64(s, 3, unit);
    err = store_run_int64(st, a, s, &n);
    *ret = n > 0;
    return err;
}

static const char SQL_PROPERTY[] =
    "SELECT p.household_id, p.area_cm2, p.owner_id, o.name, o.id_masked, o.resident_id, p.unsold,"
    " (SELECT count(*) FROM household_property q WHERE q.owner_id = p.owner_id), p.updated_at"
    " FROM household_property p LEFT JOIN property_owner o ON o.id = p.owner_id"
    " WHERE p.household_id = ?1";

Error *votes_store_property(Store *st, Arena *a, int64_t household_id, VotesProperty *ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_PROPERTY);
    StoreResult r;

    memset(ret, 0, sizeof(*ret));
    store_bind_int64(s, 1, household_id);
    r = store_step(s);
    if (r == STORE_ROW) {
        ret->household_id = store_column_int64(s, 0);
        ret->area_cm2 = store_column_int64(s, 1);
        ret->owner_id = store_column_is_null(s, 2) ? 0 : store_column_int64(s, 2);
        ret->owner_name = store_column_text(s, a, 3);
        ret->owner_id_masked = store_column_text(s, a, 4);
        ret->owner_resident_id = store_column_is_null(s, 5) ? 0 : store_column_int64(s, 5);
        ret->unsold = store_column_int64(s, 6) != 0;
        ret->units_owned = store_column_int64(s, 7);
        ret->updated_at = store_column_int64(s, 8);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_OWNER_BY_HASH[] = "SELECT id FROM property_owner WHERE id_hash = ?1";
static const char SQL_OWNER_BY_RESIDENT[] =
    "SELECT id FROM property_owner WHERE resident_id = ?1";
static const char SQL_OWNER_INSERT[] =
    "INSERT INTO property_owner (community, name, id_hash, id_masked, resident_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_OWNER_LINK[] =
    "UPDATE property_owner SET resident_id = ?2 WHERE id = ?1 AND resident_id IS NULL";

Error *votes_store_owner_upsert(Store *st, Arena *a, const char *community, const char *name,
                                const void *id_hash, size_t hash_len, const char *id_masked,
                                int64_t resident_id, int64_t now_ms, int64_t *ret_id)
{
    int64_t id = 0;
    StoreStmt *s;
    Error *err = NULL;

    if (id_hash) {
        s = store_prepare(st, a, SQL_OWNER_BY_HASH);
        store_bind_blob(s, 1, id_hash, hash_len);
        err = store_run_int64(st, a, s, &id);
    }
    if (!err && !id && resident_id) {
        s = store_prepare(st, a, SQL_OWNER_BY_RESIDENT);
        store_bind_int64(s, 1, resident_id);
        err = store_run_int64(st, a, s, &id);
    }
    if (err)
        return err;
    if (id) {
        if (resident_id) {
            /* the same person, now known as a resident: her account votes */
            s = store_prepare(st, a, SQL_OWNER_LINK);
            store_bind_int64(s, 1, id);
            store_bind_int64(s, 2, resident_id);
            err = store_run_stmt(st, a, s);
        }
        *ret_id = id;
        return err;
    }
    s = store_prepare(st, a, SQL_OWNER_INSERT);
    store_bind_text(s, 1, community);
    store_bind_text(s, 2, name);
    if (id_hash)
        store_bind_blob(s, 3, id_hash, hash_len);
    else
        store_bind_null(s, 3);
    store_bind_text(s, 4, id_masked);
    store_bind_id_or_null(s, 5, resident_id);
    store_bind_int64(s, 6, now_ms);
    return store_run_int64(st, a, s, ret_id);
}

static const char SQL_RESIDENT[] =
    "SELECT name, id_hash, id_masked, community FROM resident WHERE id = ?1 AND status = 'active'";

Error *votes_store_resident(Store *st, Arena *a, int64_t id, const char **ret_name,
                            void **ret_hash, size_t *ret_hash_len, const char **ret_masked,
                            const char **ret_community)
{
    StoreStmt *s = store_prepare(st, a, SQL_RESIDENT);
    StoreResult r;

    *ret_name = NULL;
    *ret_hash = NULL;
    *ret_hash_len = 0;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret_name = store_column_text(s, a, 0);
        if (!store_column_is_null(s, 1))
            *ret_hash = store_column_blob(s, a, 1, ret_hash_len);
        *ret_masked = store_column_text(s, a, 2);
        *ret_community = store_column_text(s, a, 3);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_PROPERTY_PUT[] =
    "INSERT INTO household_property (household_id, area_cm2, owner_id, unsold, updated_by,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (household_id) DO UPDATE SET area_cm2 = excluded.area_cm2,"
    " owner_id = excluded.owner_id, unsold = excluded.unsold, updated_by = excluded.updated_by,"
    " updated_at = excluded.updated_at";

Error *votes_store_property_put(Store *st, Arena *a, int64_t household_id, int64_t area_cm2,
                                int64_t owner_id, bool unsold, int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_PROPERTY_PUT);

    store_bind_int64(s, 1, household_id);
    store_bind_int64(s, 2, area_cm2);
    store_bind_id_or_null(s, 3, unsold ? 0 : owner_id);
    store_bind_int64(s, 4, unsold);
    store_bind_id_or_null(s, 5, user_id);
    store_bind_int64(s, 6, now_ms);
    return store_run_stmt(st, a, s);
}

/* ---- votes ---- */

static const char SQL_VOTE_INSERT[] =
    "INSERT INTO vote (community, kind, title, body, scope, building_id, unit, matter, per,"
    " quorum_n, quorum_d, approval_n, approval_d, approval_strict, secret, changeable, opens_at,"
    " closes_at, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20) RETURNING id";

/* The units in scope without their area or owner: an owners' decision cannot count them. */
static const char SQL_SCOPE_MISSING[] =
    "SELECT count(*) FROM household h"
    " WHERE h.community = ?1 AND (?2 = 0 OR h.building_id = ?2) AND (?3 = 0 OR h.unit = ?3)"
    " AND NOT EXISTS (SELECT 1 FROM household_property p WHERE p.household_id = h.id)";

static const char SQL_ROLL_OWNERS[] =
    "INSERT INTO vote_roll (vote_id, household_id, voter, area_cm2, unsold)"
    " SELECT ?1, h.id, CASE WHEN p.unsold = 1 THEN 'dev' ELSE 'o:' || p.owner_id END,"
    " p.area_cm2, p.unsold"
    " FROM household h JOIN household_property p ON p.household_id = h.id"
    " WHERE h.community = ?2 AND (?3 = 0 OR h.building_id = ?3) AND (?4 = 0 OR h.unit = ?4)";
static const char SQL_ROLL_HOUSEHOLDS[] =
    "INSERT INTO vote_roll (vote_id, household_id, voter)"
    " SELECT ?1, h.id, 'h:' || h.id FROM household h"
    " WHERE h.community = ?2 AND (?3 = 0 OR h.building_id = ?3) AND (?4 = 0 OR h.unit = ?4)";
static const char SQL_ROLL_RESIDENTS[] =
    "INSERT INTO vote_roll (vote_id, household_id, voter)"
    " SELECT ?1, h.id, 'r:' || r.id FROM household h JOIN resident r ON r.household_id = h.id"
    " WHERE h.community = ?2 AND (?3 = 0 OR h.building_id = ?3) AND (?4 = 0 OR h.unit = ?4)"
    " AND r.status = 'active'";
static const char SQL_VOTE_TOTALS[] =
    "UPDATE vote SET voters_total = (SELECT count(DISTINCT voter) FROM vote_roll"
    " WHERE vote_id = ?1), area_total = (SELECT coalesce(sum(area_cm2), 0) FROM vote_roll"
    " WHERE vote_id = ?1) WHERE id = ?1 RETURNING voters_total, area_total";

static void bind_rule_part(StoreStmt *s, int idx, int v, bool present)
{
    if (present)
        store_bind_int64(s, idx, v);
    else
        store_bind_null(s, idx);
}

Error *votes_store_create(Store *st, Arena *a, Vote *v)
{
    bool owners = strcmp(v->kind, "owners") == 0;
    StoreStmt *s;
    int64_t missing = 0;
    StoreResult r;
    Error *err;

    if (owners) {
        s = store_prepare(st, a, SQL_SCOPE_MISSING);
        store_bind_text(s, 1, v->community);
        store_bind_int64(s, 2, v->building_id);
        store_bind_int64(s, 3, v->unit);
        err = store_run_int64(st, a, s, &missing);
        if (err)
            return err;
        if (missing)
            return error_invalid(a, "scope", "registry_incomplete",
                                 arena_sprintf(a, "表决范围内有 %lld 户未登记产权面积或业主，请先在台账中补全"
                                                  "（PUT /api/v1/households/{id}/property）",
                                               (long long)missing));
    }
    s = store_prepare(st, a, SQL_VOTE_INSERT);
    store_bind_text(s, 1, v->community);
    store_bind_text(s, 2, v->kind);
    store_bind_text(s, 3, v->title);
    store_bind_text(s, 4, v->body);
    store_bind_text(s, 5, v->scope);
    store_bind_id_or_null(s, 6, v->building_id);
    store_bind_id_or_null(s, 7, v->unit);
    store_bind_text(s, 8, v->matter);
    store_bind_text(s, 9, v->per);
    bind_rule_part(s, 10, v->rule.quorum_n, v->rule.quorum_d != 0);
    bind_rule_part(s, 11, v->rule.quorum_d, v->rule.quorum_d != 0);
    bind_rule_part(s, 12, v->rule.approval_n, v->rule.approval_d != 0);
    bind_rule_part(s, 13, v->rule.approval_d, v->rule.approval_d != 0);
    bind_rule_part(s, 14, v->rule.approval_strict, v->rule.approval_d != 0);
    store_bind_int64(s, 15, v->secret);
    store_bind_int64(s, 16, v->changeable);
    store_bind_int64(s, 17, v->opens_at);
    store_bind_int64(s, 18, v->closes_at);
    store_bind_id_or_null(s, 19, v->created_by);
    store_bind_int64(s, 20, v->created_at);
    err = store_run_int64(st, a, s, &v->id);
    if (err)
        return err;

    s = store_prepare(st, a, owners ? SQL_ROLL_OWNERS
                             : strcmp(v->per, "resident") == 0 ? SQL_ROLL_RESIDENTS
                                                               : SQL_ROLL_HOUSEHOLDS);
    store_bind_int64(s, 1, v->id);
    store_bind_text(s, 2, v->community);
    store_bind_int64(s, 3, v->building_id);
    store_bind_int64(s, 4, v->unit);
    err = store_run_stmt(st, a, s);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_VOTE_TOTALS);
    store_bind_int64(s, 1, v->id);
    r = store_step(s);
    if (r != STORE_ROW)
        return store_error(st, a);
    v->voters_total = store_column_int64(s, 0);
    v->area_total = store_column_int64(s, 1);
    store_reset(s);
    if (v->voters_total == 0)
        return error_invalid(a, "scope", "empty_scope", "表决范围内没有可以投票的业主或住户，请检查范围");
    return NULL;
}

#define VOTE_COLUMNS                                                                          \
    "v.id, v.community, v.kind, v.title, v.body, v.scope, v.building_id, v.unit, b.name,"    \
    " v.matter, v.per, v.quorum_n, v.quorum_d, v.approval_n, v.approval_d, v.approval_strict," \
    " v.secret, v.changeable, v.opens_at, v.closes_at, v.closed_at, v.voters_total,"         \
    " v.area_total, v.voters_in, v.area_in, v.n_ballots, v.chain_head, v.result,"             \
    " (SELECT l.id FROM lift_project l WHERE l.vote_id = v.id), v.created_by, v.created_at"

static const char SQL_VOTE_GET[] =
    "SELECT " VOTE_COLUMNS " FROM vote v LEFT JOIN building b ON b.id = v.building_id"
    " WHERE v.id = ?1";
static const char SQL_VOTE_LIST[] =
    "SELECT " VOTE_COLUMNS " FROM vote v LEFT JOIN building b ON b.id = v.building_id"
    " WHERE v.community >= ?1 AND v.community < ?2 ORDER BY v.id DESC LIMIT ?3 OFFSET ?4";
static const char SQL_VOTE_COUNT[] =
    "SELECT count(*) FROM vote WHERE community >= ?1 AND community < ?2";

static int64_t col_int(StoreStmt *s, int col)
{
    return store_column_is_null(s, col) ? 0 : store_column_int64(s, col);
}

static void read_vote(StoreStmt *s, Arena *a, Vote *v)
{
    memset(v, 0, sizeof(*v));
    v->id = store_column_int64(s, 0);
    v->community = store_column_text(s, a, 1);
    v->kind = store_column_text(s, a, 2);
    v->title = store_column_text(s, a, 3);
    v->body = store_column_text(s, a, 4);
    v->scope = store_column_text(s, a, 5);
    v->building_id = col_int(s, 6);
    v->unit = col_int(s, 7);
    v->building_name = store_column_text(s, a, 8);
    v->matter = store_column_text(s, a, 9);
    v->per = store_column_text(s, a, 10);
    v->rule.quorum_n = (int)col_int(s, 11);
    v->rule.quorum_d = (int)col_int(s, 12);
    v->rule.approval_n = (int)col_int(s, 13);
    v->rule.approval_d = (int)col_int(s, 14);
    v->rule.approval_strict = col_int(s, 15) != 0;
    v->secret = col_int(s, 16) != 0;
    v->changeable = col_int(s, 17) != 0;
    v->opens_at = col_int(s, 18);
    v->closes_at = col_int(s, 19);
    v->closed_at = col_int(s, 20);
    v->voters_total = col_int(s, 21);
    v->area_total = col_int(s, 22);
    v->voters_in = col_int(s, 23);
    v->area_in = col_int(s, 24);
    v->n_ballots = col_int(s, 25);
    v->chain_head = store_column_text(s, a, 26);
    v->result = store_column_text(s, a, 27);
    v->lift_id = col_int(s, 28);
    v->created_by = col_int(s, 29);
    v->created_at = col_int(s, 30);
}

Error *votes_store_get(Store *st, Arena *a, int64_t id, Vote **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_VOTE_GET);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret = arena_alloc(a, sizeof(Vote));
        read_vote(s, a, *ret);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

Error *votes_store_list(Store *st, Arena *a, const char *lo, const char *hi, int64_t limit,
                        int64_t offset, Vote **ret, size_t *ret_n, int64_t *ret_total)
{
    StoreStmt *s = store_prepare(st, a, SQL_VOTE_LIST);
    size_t n = 0, cap = 16;
    Vote *out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_int64(s, 3, limit);
    store_bind_int64(s, 4, offset);
    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        read_vote(s, a, &out[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    s = store_prepare(st, a, SQL_VOTE_COUNT);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    return store_run_int64(st, a, s, ret_total);
}

/*
 * The owner a resident's account votes as: the owner she is, or, for a
 * household's account (no resident of its own), the owner who lives in
 * that household.
 */
static const char SQL_USER_OWNER[] =
    "SELECT o.id FROM app_user u JOIN property_owner o ON o.resident_id = u.resident_id"
    " WHERE u.id = ?1"
    " UNION ALL"
    " SELECT o.id FROM app_user u JOIN household_property p ON p.household_id = u.household_id"
    " JOIN property_owner o ON o.id = p.owner_id JOIN resident r ON r.id = o.resident_id"
    " WHERE u.id = ?1 AND u.resident_id IS NULL AND r.household_id = u.household_id"
    " LIMIT 1";
static const char SQL_USER_RESIDENT[] = "SELECT resident_id FROM app_user WHERE id = ?1";

Error *votes_store_user_voter(Store *st, Arena *a, const Vote *v, int64_t user_id,
                              int64_t household_id, const char **ret)
{
    int64_t id = 0;
    StoreStmt *s;
    Error *err;

    *ret = NULL;
    if (strcmp(v->kind, "poll") == 0 && strcmp(v->per, "household") == 0) {
        if (household_id)
            *ret = arena_sprintf(a, "h:%lld", (long long)household_id);
        return NULL;
    }
    s = store_prepare(st, a, strcmp(v->kind, "owners") == 0 ? SQL_USER_OWNER : SQL_USER_RESIDENT);
    store_bind_int64(s, 1, user_id);
    err = store_run_int64(st, a, s, &id);
    if (!err && id)
        *ret = arena_sprintf(a, "%s:%lld", strcmp(v->kind, "owners") == 0 ? "o" : "r",
                             (long long)id);
    return err;
}

static const char SQL_ROLL_VOTER[] =
    "SELECT voter FROM vote_roll WHERE vote_id = ?1 AND household_id = ?2 ORDER BY voter LIMIT 1";

Error *votes_store_roll_voter(Store *st, Arena *a, int64_t vote_id, int64_t household_id,
                              const char **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROLL_VOTER);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, vote_id);
    store_bind_int64(s, 2, household_id);
    r = store_step(s);
    if (r == STORE_ROW)
        *ret = store_column_text(s, a, 0);
    else if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_ROLL_WEIGHT[] =
    "SELECT count(*), coalesce(sum(area_cm2), 0) FROM vote_roll WHERE vote_id = ?1 AND voter = ?2";

Error *votes_store_roll_weight(Store *st, Arena *a, int64_t vote_id, const char *voter,
                               bool *ret_on, int64_t *ret_area_cm2)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROLL_WEIGHT);

    store_bind_int64(s, 1, vote_id);
    store_bind_text(s, 2, voter);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    *ret_on = store_column_int64(s, 0) > 0;
    *ret_area_cm2 = store_column_int64(s, 1);
    store_reset(s);
    return NULL;
}

static const char SQL_CURRENT[] =
    "SELECT c.choice, b.receipt FROM vote_current c JOIN vote_ballot b ON b.id = c.ballot_id"
    " WHERE c.vote_id = ?1 AND c.voter = ?2";

Error *votes_store_current(Store *st, Arena *a, int64_t vote_id, const char *voter,
                           const char **ret_choice, const char **ret_receipt)
{
    StoreStmt *s = store_prepare(st, a, SQL_CURRENT);
    StoreResult r;

    *ret_choice = NULL;
    *ret_receipt = NULL;
    store_bind_int64(s, 1, vote_id);
    store_bind_text(s, 2, voter);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret_choice = store_column_text(s, a, 0);
        *ret_receipt = store_column_text(s, a, 1);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_CHAIN_HEAD[] = "SELECT n_ballots, chain_head FROM vote WHERE id = ?1";
static const char SQL_BALLOT_INSERT[] =
    "INSERT INTO vote_ballot (vote_id, seq, voter, choice, channel, user_id, photo_id, receipt,"
    " cast_at, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " RETURNING id";
static const char SQL_CURRENT_INSERT[] =
    "INSERT INTO vote_current (vote_id, voter, ballot_id, choice) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_CURRENT_UPDATE[] =
    "UPDATE vote_current SET ballot_id = ?3, choice = ?4 WHERE vote_id = ?1 AND voter = ?2";
static const char SQL_VOTE_ADVANCE[] =
    "UPDATE vote SET n_ballots = ?2, chain_head = ?3, voters_in = voters_in + ?4,"
    " area_in = area_in + ?5 WHERE id = ?1";

Error *votes_store_ballot_add(Store *st, Arena *a, const Vote *v, VotesBallotRow *b, bool first,
                              int64_t area_cm2)
{
    StoreStmt *s = store_prepare(st, a, SQL_CHAIN_HEAD);
    char hash[65];
    StoreResult r;
    Error *err;

    /* the head as this transaction sees it: the keyed lock keeps it ours */
    store_bind_int64(s, 1, v->id);
    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    b->seq = store_column_int64(s, 0) + 1;
    b->prev_hash = store_column_text(s, a, 1);
    store_reset(s);
    votes_chain_hash(a, v->id, b->seq, b->voter, b->choice, b->channel, b->cast_at, b->receipt,
                     b->prev_hash, hash);
    b->hash = arena_strdup(a, hash);

    s = store_prepare(st, a, SQL_BALLOT_INSERT);
    store_bind_int64(s, 1, v->id);
    store_bind_int64(s, 2, b->seq);
    store_bind_text(s, 3, b->voter);
    store_bind_text(s, 4, b->choice);
    store_bind_text(s, 5, b->channel);
    store_bind_id_or_null(s, 6, b->user_id);
    store_bind_id_or_null(s, 7, b->photo_id);
    store_bind_text(s, 8, b->receipt);
    store_bind_int64(s, 9, b->cast_at);
    store_bind_text(s, 10, b->prev_hash);
    store_bind_text(s, 11, b->hash);
    err = store_run_int64(st, a, s, &b->id);
    if (err)
        return err;

    s = store_prepare(st, a, first ? SQL_CURRENT_INSERT : SQL_CURRENT_UPDATE);
    store_bind_int64(s, 1, v->id);
    store_bind_text(s, 2, b->voter);
    store_bind_int64(s, 3, b->id);
    store_bind_text(s, 4, b->choice);
    r = store_step(s);
    if (r == STORE_CONSTRAINT)
        return error_conflict(a, NULL, "already_voted", "您已经投过票了");
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    if (!first && store_changes(st) != 1)
        return error_internal(a, "vote %lld: no counted ballot to change", (long long)v->id);

    s = store_prepare(st, a, SQL_VOTE_ADVANCE);
    store_bind_int64(s, 1, v->id);
    store_bind_int64(s, 2, b->seq);
    store_bind_text(s, 3, b->hash);
    store_bind_int64(s, 4, first ? 1 : 0);
    store_bind_int64(s, 5, first ? area_cm2 : 0);
    return store_run_stmt(st, a, s);
}

static const char SQL_BALLOTS[] =
    "SELECT id, seq, voter, choice, channel, user_id, photo_id, receipt, cast_at, prev_hash, hash"
    " FROM vote_ballot WHERE vote_id = ?1 ORDER BY seq";
static const char SQL_BALLOT_RECEIPT[] =
    "SELECT id, seq, voter, choice, channel, user_id, photo_id, receipt, cast_at, prev_hash, hash"
    " FROM vote_ballot WHERE vote_id = ?1 AND receipt = ?2";

static void read_ballot(StoreStmt *s, Arena *a, VotesBallotRow *b)
{
    b->id = store_column_int64(s, 0);
    b->seq = store_column_int64(s, 1);
    b->voter = store_column_text(s, a, 2);
    b->choice = store_column_text(s, a, 3);
    b->channel = store_column_text(s, a, 4);
    b->user_id = col_int(s, 5);
    b->photo_id = col_int(s, 6);
    b->receipt = store_column_text(s, a, 7);
    b->cast_at = store_column_int64(s, 8);
    b->prev_hash = store_column_text(s, a, 9);
    b->hash = store_column_text(s, a, 10);
}

Error *votes_store_ballots(Store *st, Arena *a, int64_t vote_id, VotesBallotRow **ret,
                           size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_BALLOTS);
    size_t n = 0, cap = 64;
    VotesBallotRow *out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_int64(s, 1, vote_id);
    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        read_ballot(s, a, &out[n++]);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}

Error *votes_store_ballot_by_receipt(Store *st, Arena *a, int64_t vote_id, const char *receipt,
                                     VotesBallotRow *ret, bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_BALLOT_RECEIPT);
    StoreResult r;

    store_bind_int64(s, 1, vote_id);
    store_bind_text(s, 2, receipt);
    r = store_step(s);
    *ret_found = r == STORE_ROW;
    if (r == STORE_ROW)
        read_ballot(s, a, ret);
    else if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_ROLL[] =
    "SELECT household_id, voter, area_cm2, unsold FROM vote_roll WHERE vote_id = ?1"
    " ORDER BY voter, household_id";

Error *votes_store_roll(Store *st, Arena *a, int64_t vote_id, VotesRollRow **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_ROLL);
    size_t n = 0, cap = 64;
    VotesRollRow *out = arena_alloc(a, cap * sizeof(*out));
    StoreResult r;

    store_bind_int64(s, 1, vote_id);
    while ((r = store_step(s)) == STORE_ROW) {
        out = arena_grow(a, out, n, &cap, sizeof(*out));
        out[n].household_id = store_column_int64(s, 0);
        out[n].voter = store_column_text(s, a, 1);
        out[n].area_cm2 = store_column_int64(s, 2);
        out[n].unsold = store_column_int64(s, 3) != 0;
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret = out;
    *ret_n = n;
    return NULL;
}

static const char SQL_CURRENTS[] =
    "SELECT voter, choice FROM vote_current WHERE vote_id = ?1 ORDER BY voter";

Error *votes_store_currents(Store *st, Arena *a, int64_t vote_id, const char ***ret_voters,
                            const char ***ret_choices, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_CURRENTS);
    size_t n = 0, cap = 64, cap2 = 64;
    const char **voters = arena_alloc(a, cap * sizeof(*voters));
    const char **choices = arena_alloc(a, cap2 * sizeof(*choices));
    StoreResult r;

    store_bind_int64(s, 1, vote_id);
    while ((r = store_step(s)) == STORE_ROW) {
        voters = arena_grow(a, voters, n, &cap, sizeof(*voters));
        choices = arena_grow(a, choices, n, &cap2, sizeof(*choices));
        voters[n] = store_column_text(s, a, 0);
        choices[n] = store_column_text(s, a, 1);
        n++;
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    *ret_voters = voters;
    *ret_choices = choices;
    *ret_n = n;
    return NULL;
}

static const char SQL_CHOICE_COUNTS[] =
    "SELECT choice, count(*) FROM vote_current WHERE vote_id = ?1 GROUP BY choice";

Error *votes_store_choice_counts(Store *st, Arena *a, int64_t vote_id, int64_t ret[3])
{
    StoreStmt *s = store_prepare(st, a, SQL_CHOICE_COUNTS);
    StoreResult r;

    ret[0] = ret[1] = ret[2] = 0;
    store_bind_int64(s, 1, vote_id);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *c = store_column_text(s, a, 0);
        int k = strcmp(c, "yes") == 0 ? 0 : strcmp(c, "no") == 0 ? 1 : 2;

        ret[k] = store_column_int64(s, 1);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_VOTE_CLOSE[] =
    "UPDATE vote SET closed_at = ?2, closed_by = ?3, result = ?4 WHERE id = ?1"
    " AND closed_at IS NULL";

Error *votes_store_close(Store *st, Arena *a, int64_t vote_id, const char *result,
                         int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_VOTE_CLOSE);
    Error *err;

    store_bind_int64(s, 1, vote_id);
    store_bind_int64(s, 2, now_ms);
    store_bind_id_or_null(s, 3, user_id);
    store_bind_text(s, 4, result);
    err = store_run_stmt(st, a, s);
    if (!err && store_changes(st) != 1)
        return error_conflict(a, NULL, "vote_closed", "表决已经结束");
    return err;
}

/*
 * Who each counted ballot is: an owner's name, the developer, a household's
 * building, unit and room, a resident's masked name.
 */
static const char SQL_PUBLISHED[] =
    "SELECT c.voter, c.choice, b.channel, b.cast_at, o.name,"
    " (SELECT bd.name || ' ' || h.unit || '单元 ' || h.room FROM vote_roll r"
    "  JOIN household h ON h.id = r.household_id JOIN building bd ON bd.id = h.building_id"
    "  WHERE r.vote_id = c.vote_id AND r.voter = c.voter ORDER BY h.id LIMIT 1),"
    " rs.name"
    " FROM vote_current c JOIN vote_ballot b ON b.id = c.ballot_id"
    " LEFT JOIN property_owner o ON c.voter = 'o:' || o.id"
    " LEFT JOIN resident rs ON c.voter = 'r:' || rs.id"
    " WHERE c.vote_id = ?1 ORDER BY b.seq";

Error *votes_store_published(Store *st, Arena *a, int64_t vote_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_PUBLISHED);
    StoreResult r;

    store_bind_int64(s, 1, vote_id);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *voter = store_column_text(s, a, 0);
        const char *owner = store_column_text(s, a, 4), *where = store_column_text(s, a, 5);
        const char *resident = store_column_text(s, a, 6);
        const char *name = owner ? owner
                           : strcmp(voter, "dev") == 0 ? "建设单位（未售部分）"
                           : resident                  ? resident
                                                       : where;

        json_array_append_new(items,
                              json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:s}", "voter", voter,
                                        "name", name, "unit", where, "choice",
                                        store_column_text(s, a, 1), "channel",
                                        store_column_text(s, a, 2), "at",
                                        time_format_rfc3339(a, store_column_int64(s, 3))));
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_PHOTO_INSERT[] =
    "INSERT INTO vote_photo (file, mime, size, uploader_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
static const char SQL_PHOTO[] = "SELECT uploader_id, file, mime FROM vote_photo WHERE id = ?1";

Error *votes_store_photo_insert(Store *st, Arena *a, const char *file, const char *mime,
                                int64_t size, int64_t uploader_id, int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO_INSERT);

    store_bind_text(s, 1, file);
    store_bind_text(s, 2, mime);
    store_bind_int64(s, 3, size);
    store_bind_int64(s, 4, uploader_id);
    store_bind_int64(s, 5, now_ms);
    return store_run_int64(st, a, s, ret_id);
}

Error *votes_store_photo(Store *st, Arena *a, int64_t id, int64_t *ret_uploader,
                         const char **ret_file, const char **ret_mime)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO);
    StoreResult r;

    *ret_uploader = 0;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret_uploader = store_column_int64(s, 0);
        *ret_file = store_column_text(s, a, 1);
        *ret_mime = store_column_text(s, a, 2);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

/* ---- 加装电梯 ---- */

static const char SQL_LIFT_SETTINGS[] = "SELECT settings FROM lift_settings WHERE city = ?1";
static const char SQL_LIFT_SETTINGS_PUT[] =
    "INSERT INTO lift_settings (city, settings, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (city) DO UPDATE SET settings = excluded.settings,"
    " updated_by = excluded.updated_by, updated_at = excluded.updated_at";

Error *votes_store_lift_settings(Store *st, Arena *a, const char *city, const char **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_SETTINGS);
    StoreResult r;

    *ret = NULL;
    store_bind_text(s, 1, city);
    r = store_step(s);
    if (r == STORE_ROW)
        *ret = store_column_text(s, a, 0);
    else if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *votes_store_lift_settings_put(Store *st, Arena *a, const char *city, const char *json,
                                     int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_SETTINGS_PUT);

    store_bind_text(s, 1, city);
    store_bind_text(s, 2, json);
    store_bind_id_or_null(s, 3, user_id);
    store_bind_int64(s, 4, now_ms);
    return store_run_stmt(st, a, s);
}

static const char SQL_LIFT_INSERT[] =
    "INSERT INTO lift_project (vote_id, community, building_id, unit, settings, notice_from,"
    " notice_until, affected, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " RETURNING id";

Error *votes_store_lift_insert(Store *st, Arena *a, VotesLift *l, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_INSERT);
    StoreResult r;

    store_bind_int64(s, 1, l->vote_id);
    store_bind_text(s, 2, l->community);
    store_bind_int64(s, 3, l->building_id);
    store_bind_int64(s, 4, l->unit);
    store_bind_text(s, 5, l->settings);
    store_bind_text(s, 6, l->notice_from);
    store_bind_text(s, 7, l->notice_until);
    store_bind_text(s, 8, l->affected);
    store_bind_int64(s, 9, now_ms);
    r = store_step(s);
    if (r == STORE_CONSTRAINT && store_error_mentions(st, "lift_project"))
        return error_conflict(a, "unit", "lift_exists", "该单元已有尚未完结的加装电梯项目");
    if (r != STORE_ROW)
        return store_error(st, a);
    l->id = store_column_int64(s, 0);
    store_reset(s);
    return NULL;
}

static const char SQL_LIFT_GET[] =
    "SELECT l.id, l.vote_id, l.community, l.building_id, l.unit, l.settings, l.notice_from,"
    " l.notice_until, l.affected, l.final_at,"
    " (SELECT count(*) FROM lift_objection o WHERE o.lift_id = l.id AND o.resolved_at IS NULL),"
    " (SELECT count(*) FROM lift_objection o WHERE o.lift_id = l.id)"
    " FROM lift_project l WHERE l.id = ?1";

Error *votes_store_lift_get(Store *st, Arena *a, int64_t id, VotesLift **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_GET);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        VotesLift *l = arena_zalloc(a, sizeof(*l));

        l->id = store_column_int64(s, 0);
        l->vote_id = store_column_int64(s, 1);
        l->community = store_column_text(s, a, 2);
        l->building_id = store_column_int64(s, 3);
        l->unit = store_column_int64(s, 4);
        l->settings = store_column_text(s, a, 5);
        l->notice_from = store_column_text(s, a, 6);
        l->notice_until = store_column_text(s, a, 7);
        l->affected = store_column_text(s, a, 8);
        l->final_at = col_int(s, 9);
        l->open_objections = store_column_int64(s, 10);
        l->objections = store_column_int64(s, 11);
        *ret = l;
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_LIFT_OF_VOTE[] = "SELECT id FROM lift_project WHERE vote_id = ?1";

Error *votes_store_lift_of_vote(Store *st, Arena *a, int64_t vote_id, int64_t *ret_lift_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_OF_VOTE);

    store_bind_int64(s, 1, vote_id);
    return store_run_int64(st, a, s, ret_lift_id);
}

static const char SQL_OBJECTIONS[] =
    "SELECT id, household_id, by_name, text, created_at, resolved_at, resolution"
    " FROM lift_objection WHERE lift_id = ?1 ORDER BY id";

Error *votes_store_lift_objections(Store *st, Arena *a, int64_t lift_id, json_t *items)
{
    StoreStmt *s = store_prepare(st, a, SQL_OBJECTIONS);
    StoreResult r;

    store_bind_int64(s, 1, lift_id);
    while ((r = store_step(s)) == STORE_ROW) {
        int64_t resolved = col_int(s, 5);
        json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:b}", "id",
                              (json_int_t)store_column_int64(s, 0), "household_id",
                              store_column_is_null(s, 1) ? json_null()
                                                         : json_integer(store_column_int64(s, 1)),
                              "by_name", store_column_text(s, a, 2), "text",
                              store_column_text(s, a, 3), "created_at",
                              time_format_rfc3339(a, store_column_int64(s, 4)), "resolved",
                              resolved != 0);

        json_object_set_new(o, "resolved_at",
                            resolved ? json_string(time_format_rfc3339(a, resolved)) : json_null());
        json_object_set_new(o, "resolution", store_column_is_null(s, 6)
                                                 ? json_null()
                                                 : json_string(store_column_text(s, a, 6)));
        json_array_append_new(items, o);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

static const char SQL_OBJECTION_INSERT[] =
    "INSERT INTO lift_objection (lift_id, household_id, by_name, text, user_id, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";

Error *votes_store_objection_insert(Store *st, Arena *a, int64_t lift_id, int64_t household_id,
                                    const char *by_name, const char *text, int64_t user_id,
                                    int64_t now_ms, int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_OBJECTION_INSERT);

    store_bind_int64(s, 1, lift_id);
    store_bind_id_or_null(s, 2, household_id);
    store_bind_text(s, 3, by_name);
    store_bind_text(s, 4, text);
    store_bind_id_or_null(s, 5, user_id);
    store_bind_int64(s, 6, now_ms);
    return store_run_int64(st, a, s, ret_id);
}

static const char SQL_OBJECTION[] = "SELECT lift_id, resolved_at FROM lift_objection WHERE id = ?1";

Error *votes_store_objection(Store *st, Arena *a, int64_t id, int64_t *ret_lift,
                             bool *ret_resolved)
{
    StoreStmt *s = store_prepare(st, a, SQL_OBJECTION);
    StoreResult r;

    *ret_lift = 0;
    *ret_resolved = false;
    store_bind_int64(s, 1, id);
    r = store_step(s);
    if (r == STORE_ROW) {
        *ret_lift = store_column_int64(s, 0);
        *ret_resolved = !store_column_is_null(s, 1);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static const char SQL_OBJECTION_RESOLVE[] =
    "UPDATE lift_objection SET resolved_at = ?2, resolved_by = ?3, resolution = ?4"
    " WHERE id = ?1 AND resolved_at IS NULL";

Error *votes_store_objection_resolve(Store *st, Arena *a, int64_t id, const char *notes,
                                     int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_OBJECTION_RESOLVE);
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    store_bind_id_or_null(s, 3, user_id);
    store_bind_text(s, 4, notes);
    err = store_run_stmt(st, a, s);
    if (!err && store_changes(st) != 1)
        return error_conflict(a, NULL, "already_resolved", "该异议已经协调处理过");
    return err;
}

static const char SQL_LIFT_FINALIZE[] =
    "UPDATE lift_project SET final_at = ?2, final_by = ?3 WHERE id = ?1 AND final_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM lift_objection o WHERE o.lift_id = ?1"
    " AND o.resolved_at IS NULL)";

Error *votes_store_lift_finalize(Store *st, Arena *a, int64_t id, int64_t user_id, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_FINALIZE);
    Error *err;

    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now_ms);
    store_bind_id_or_null(s, 3, user_id);
    err = store_run_stmt(st, a, s);
    if (!err && store_changes(st) != 1)
        return error_conflict(a, NULL, "objections_open",
                              "还有未协调处理的异议，或结果已经确定：请先协调处理全部异议");
    return err;
}

static const char SQL_LIFT_NOTICE[] =
    "UPDATE lift_project SET notice_from = ?2, notice_until = ?3 WHERE id = ?1";

Error *votes_store_lift_notice(Store *st, Arena *a, int64_t id, const char *from, const char *until)
{
    StoreStmt *s = store_prepare(st, a, SQL_LIFT_NOTICE);

    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, from);
    store_bind_text(s, 3, until);
    return store_run_stmt(st, a, s);
}

static const char SQL_PHOTO_COMMUNITY[] =
    "SELECT v.community FROM vote_ballot b JOIN vote v ON v.id = b.vote_id"
    " WHERE b.photo_id = ?1 LIMIT 1";

Error *votes_store_photo_community(Store *st, Arena *a, int64_t photo_id, const char **ret)
{
    StoreStmt *s = store_prepare(st, a, SQL_PHOTO_COMMUNITY);
    StoreResult r;

    *ret = NULL;
    store_bind_int64(s, 1, photo_id);
    r = store_step(s);
    if (r == STORE_ROW)
        *ret = store_column_text(s, a, 0);
    else if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* ---- the demo ---- */

static const char SQL_DEMO_BUILDING[] =
    "SELECT id FROM building WHERE community = ?1 AND floors = ?2 ORDER BY id LIMIT 1";

Error *votes_store_demo_building(Store *st, Arena *a, const char *community, int64_t floors,
                                 int64_t *ret_id)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_BUILDING);

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, floors);
    return store_run_int64(st, a, s, ret_id);
}

static const char SQL_UNIT_HOUSEHOLDS[] =
    "SELECT id FROM household WHERE building_id = ?1 AND unit = ?2 ORDER BY floor, room, id";

Error *votes_store_unit_households(Store *st, Arena *a, int64_t building_id, int64_t unit,
                                   int64_t **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_UNIT_HOUSEHOLDS);

    store_bind_int64(s, 1, building_id);
    store_bind_int64(s, 2, unit);
    return store_run_ids(st, a, s, ret, ret_n);
}

static const char SQL_DEMO_OWNERS[] =
    "INSERT INTO property_owner (community, name, id_hash, id_masked, resident_id, created_at)"
    " SELECT r.community, r.name, r.id_hash, r.id_masked, r.id, ?2 FROM resident r"
    " WHERE r.community = ?1 AND r.status = 'active' AND r.id = (SELECT min(r2.id) FROM resident r2"
    "  WHERE r2.household_id = r.household_id AND r2.status = 'active')"
    " AND NOT EXISTS (SELECT 1 FROM property_owner o WHERE o.resident_id = r.id)";
static const char SQL_DEMO_PROPERTY[] =
    "INSERT INTO household_property (household_id, area_cm2, owner_id, unsold, updated_at)"
    " SELECT h.id, CAST(round(coalesce(h.area_m2, 80) * 100) AS INTEGER), o.id,"
    " CASE WHEN o.id IS NULL THEN 1 ELSE 0 END, ?2"
    " FROM household h LEFT JOIN property_owner o ON o.resident_id = (SELECT min(r.id)"
    "  FROM resident r WHERE r.household_id = h.id AND r.status = 'active')"
    " WHERE h.community = ?1"
    " AND NOT EXISTS (SELECT 1 FROM household_property p WHERE p.household_id = h.id)";
static const char SQL_DEMO_SECOND_HOME[] =
    "UPDATE household_property SET owner_id = (SELECT owner_id FROM household_property"
    " WHERE household_id = ?1), unsold = 0 WHERE household_id = ?2"
    " AND EXISTS (SELECT 1 FROM household_property WHERE household_id = ?1"
    " AND owner_id IS NOT NULL)";

Error *votes_store_demo_property(Store *st, Arena *a, const char *community, int64_t now_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_OWNERS);
    int64_t bid = 0, *ids;
    size_t n = 0;
    Error *err;

    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, now_ms);
    err = store_run_stmt(st, a, s);
    if (err)
        return err;
    s = store_prepare(st, a, SQL_DEMO_PROPERTY);
    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, now_ms);
    err = store_run_stmt(st, a, s);
    if (!err)
        err = votes_store_demo_building(st, a, community, 6, &bid);
    if (!err && bid)
        err = votes_store_unit_households(st, a, bid, 1, &ids, &n);
    if (err || n < 3)
        return err;
    s = store_prepare(st, a, SQL_DEMO_SECOND_HOME);
    store_bind_int64(s, 1, ids[1]);
    store_bind_int64(s, 2, ids[2]);
    return store_run_stmt(st, a, s);
}

static const char SQL_DEMO_USERS[] =
    "SELECT u.id FROM app_user u JOIN household h ON h.id = u.household_id"
    " WHERE h.building_id = ?1 AND h.unit = ?2 AND u.role = 'resident' ORDER BY u.id";
static const char SQL_DEMO_RESIDENTS[] =
    "SELECT min(r.id) FROM resident r JOIN household h ON h.id = r.household_id"
    " WHERE h.building_id = ?1 AND h.unit = ?2 AND r.status = 'active' GROUP BY h.id ORDER BY h.id";

/* Column 0 of each row of @sql for (@building_id, @unit). */
static Error *ids_of(Store *st, Arena *a, const char *sql, int64_t building_id, int64_t unit,
                     int64_t **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, sql);

    store_bind_int64(s, 1, building_id);
    store_bind_int64(s, 2, unit);
    return store_run_ids(st, a, s, ret, ret_n);
}

Error *votes_store_demo_people(Store *st, Arena *a, int64_t building_id, int64_t unit,
                               int64_t **ret_users, size_t *ret_n_users, int64_t **ret_residents,
                               size_t *ret_n_residents)
{
    Error *err = ids_of(st, a, SQL_DEMO_USERS, building_id, unit, ret_users, ret_n_users);

    if (!err)
        err = ids_of(st, a, SQL_DEMO_RESIDENTS, building_id, unit, ret_residents, ret_n_residents);
    return err;
}
