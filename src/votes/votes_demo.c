/*
 * The votes demo, inside the caller's write transaction: property records
 * for every household of the community (its registered area; its first
 * resident as the owner, one owner of two units, the empty ones unsold), a
 * 加装电梯 project in unit 1 of a 6-floor building with ballots cast and
 * one objection, and a finished poll with its result.
 */
#include <string.h>

#include "core/crypto.h"
#include "core/timeutil.h"
#include "votes/votes_store.h"
#include "core/banned.h"

#define RECEIPT_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

static const char DEMO_LIFT_SETTINGS[] =
    "{\"approval\":\"3/4\",\"approval_strict\":false,\"notice_day_kind\":\"calendar\","
    "\"notice_days\":10,\"objection_procedure\":\"公示期内书面提出异议，由社区居委会组织协调并记录协调意见\","
    "\"occupied_consent\":true,\"quorum\":\"2/3\"}";

/* A fixed sequence, so the demo is the same every time. */
static uint32_t next(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static Error *cast(Store *st, Arena *a, const Vote *v, const char *voter, const char *choice,
                   const char *channel, int64_t at)
{
    VotesBallotRow b;
    char receipt[13];
    bool on = false;
    int64_t area = 0;
    Error *err;

    err = votes_store_roll_weight(st, a, v->id, voter, &on, &area);
    if (err || !on)
        return err;
    memset(&b, 0, sizeof(b));
    crypto_random_code(receipt, 12, RECEIPT_ALPHABET);
    b.voter = voter;
    b.choice = choice;
    b.channel = channel;
    b.receipt = arena_strdup(a, receipt);
    b.cast_at = at;
    return votes_store_ballot_add(st, a, v, &b, true, area);
}

static Error *lift_project(Store *st, Arena *a, const char *community, int64_t now, uint32_t *seed)
{
    int64_t bid = 0, *ids;
    size_t n;
    VotesRollRow *roll;
    size_t n_roll;
    VotesLift l;
    Vote v;
    Error *err;

    err = votes_store_demo_building(st, a, community, 6, &bid);
    if (err || !bid)
        return err;
    err = votes_store_unit_households(st, a, bid, 1, &ids, &n);
    if (err || n < 4)
        return err;
    memset(&v, 0, sizeof(v));
    v.community = community;
    v.kind = "owners";
    v.title = "1单元加装电梯意见征询";
    v.body = "拟在本单元北侧加装一部电梯，费用按楼层分摊（一楼不分摊），维修资金不足部分由业主自筹。"
             "同意即表示同意加装方案和分摊办法；一楼两户的专有部分受占用，须经其同意。";
    v.scope = "unit";
    v.building_id = bid;
    v.unit = 1;
    v.matter = "special";
    v.rule = (VotesRule){ 2, 3, 3, 4, false };
    v.changeable = true;
    v.opens_at = now - 5 * TIME_DAY_MS;
    v.closes_at = now + 16 * TIME_DAY_MS;
    v.created_at = v.opens_at;
    err = votes_store_create(st, a, &v);
    if (err)
        return err;
    memset(&l, 0, sizeof(l));
    l.vote_id = v.id;
    l.community = community;
    l.building_id = bid;
    l.unit = 1;
    l.settings = DEMO_LIFT_SETTINGS;
    /* the two ground-floor homes the shaft and its landing stand against */
    l.affected = arena_sprintf(a, "[%lld,%lld]", (long long)ids[0], (long long)ids[1]);
    err = votes_store_lift_insert(st, a, &l, v.opens_at);
    if (err)
        return err;
    v.lift_id = l.id;
    err = votes_store_roll(st, a, v.id, &roll, &n_roll);
    if (err)
        return err;
    /* upper floors mostly yes, one ground floor no, a few not yet */
    for (size_t i = 0; i < n_roll; i++) {
        const char *choice = i == 0 ? "no" : next(seed) % 10 < 8 ? "yes" : NULL;

        if (i > 0 && strcmp(roll[i].voter, roll[i - 1].voter) == 0)
            continue;
        if (!choice || roll[i].unsold)
            continue;
        err = cast(st, a, &v, roll[i].voter, choice, i % 4 == 3 ? "paper" : "app",
                   v.opens_at + (int64_t)(i + 1) * 7 * TIME_MINUTE_MS * 60);
        if (err)
            return err;
    }
    return votes_store_objection_insert(st, a, l.id, ids[0], "一楼住户",
                                        "电梯井道紧贴我家北窗，担心采光和噪声，希望协调补偿方案后再定。",
                                        0, now - 2 * TIME_DAY_MS, &bid);
}

static Error *finished_poll(Store *st, Arena *a, const char *community, int64_t now,
                            uint32_t *seed)
{
    VotesRollRow *roll;
    size_t n_roll;
    const char **voters, **choices;
    size_t n;
    json_t *result = NULL;
    char *text;
    Vote v, *got = NULL;
    Error *err;

    memset(&v, 0, sizeof(v));
    v.community = community;
    v.kind = "poll";
    v.title = "小区东门增设非机动车充电棚";
    v.body = "在东门内侧绿化带旁建一处带充电桩的非机动车棚，约 60 个车位，按次收费。每户一票。";
    v.scope = "community";
    v.per = "household";
    v.changeable = true;
    v.opens_at = now - 30 * TIME_DAY_MS;
    v.closes_at = now - 16 * TIME_DAY_MS;
    v.created_at = v.opens_at;
    err = votes_store_create(st, a, &v);
    if (!err)
        err = votes_store_roll(st, a, v.id, &roll, &n_roll);
    if (err)
        return err;
    for (size_t i = 0; i < n_roll; i++) {
        uint32_t r = next(seed) % 100;
        const char *choice = r < 38 ? "yes" : r < 50 ? "no" : r < 54 ? "abstain" : NULL;

        if (choice)
            err = cast(st, a, &v, roll[i].voter, choice, r % 9 == 0 ? "paper" : "app",
                       v.opens_at + (int64_t)(r + 1) * 3 * TIME_DAY_MS / 25);
        if (err)
            return err;
    }
    err = votes_store_get(st, a, v.id, &got);
    if (!err)
        err = votes_store_currents(st, a, v.id, &voters, &choices, &n);
    if (!err)
        err = votes_count(st, a, got, voters, choices, n, &result);
    if (err)
        return err;
    json_object_set_new(result, "counted_at", json_string(time_format_rfc3339(a, v.closes_at)));
    json_object_set_new(result, "chain_head", json_string(got->chain_head));
    json_object_set_new(result, "ballots", json_integer(got->n_ballots));
    json_object_set_new(result, "early", json_false());
    text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(result);
    err = votes_store_close(st, a, v.id, arena_strdup(a, text), 0, v.closes_at);
    free(text);
    return err;
}

Error *votes_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int *ret_n_votes)
{
    uint32_t seed = 278;
    Error *err;

    *ret_n_votes = 0;
    err = votes_store_demo_property(st, a, community, now_ms);
    if (!err)
        err = lift_project(st, a, community, now_ms, &seed);
    if (!err)
        err = finished_poll(st, a, community, now_ms, &seed);
    if (!err)
        *ret_n_votes = 2;
    return err;
}
