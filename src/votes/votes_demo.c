/*
 * The votes demo, inside the caller's write transaction: property records
 * for every household of the community (its registered area; its first
 * resident as the owner, one owner of two units, the empty ones unsold), a
 * 加装电梯 project in unit 1 of a 6-floor building with ballots cast and
 * one objection, the topic it came from (supports, a comment, a meeting
 * with attendance and minutes, now at 表决; a coming 协调会 in the 议事厅
 * booked from the meeting, with its sign-in code), a finished poll, a topic
 * to moderate, and two topics being collected (the community's, building 1's).
 */
#include <string.h>

#include "booking/booking.h"
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

/*
 * The topic the lift came from: raised by a resident of the 单元, supported
 * by her neighbours, discussed at a meeting with minutes, now at 表决.
 */
static const char SQL_DEMO_ROOM[] =
    "SELECT coalesce(min(id), 0) FROM room WHERE community = ?1 AND name = '议事厅'";
static const char SQL_DEMO_ROOM_BUSY[] =
    "SELECT count(*) FROM booking_slot WHERE room_id = ?1 AND slot_start >= ?2 AND slot_start < ?3";

/*
 * The coming 一楼住户协调会 of topic @t: the 议事厅 (booking's demo room)
 * booked from the meeting on the first evening of the next week it is
 * free, the 单元's residents invited; left out when there is no such room.
 */
static Error *coming_meeting(Store *st, Arena *a, const Topic *t, const int64_t *residents,
                             size_t n_residents, int64_t now)
{
    char token[CRYPTO_TOKEN_CHARS + 1];
    int64_t room_id = 0, busy = 1, day;
    int minute;
    BookingInput in;
    Booking *b = NULL;
    Room *room = NULL;
    Meeting m;
    StoreStmt *s;
    Error *err;

    s = store_prepare(st, a, SQL_DEMO_ROOM);
    store_bind_text(s, 1, t->community);
    err = store_run_int64(st, a, s, &room_id);
    if (!err && room_id)
        err = booking_store_room_get(st, a, room_id, &room);
    if (err || !room || !t->created_by)
        return err;
    memset(&m, 0, sizeof(m));
    time_local(now, TIME_OFFSET_SHANGHAI, &day, &minute);
    for (int d = 3; busy && d < 10; d++) {
        m.starts_at = time_day_start_ms(day + d, TIME_OFFSET_SHANGHAI) + 18 * 60 * TIME_MINUTE_MS;
        m.ends_at = m.starts_at + 90 * TIME_MINUTE_MS;
        s = store_prepare(st, a, SQL_DEMO_ROOM_BUSY);
        store_bind_int64(s, 1, room_id);
        store_bind_int64(s, 2, m.starts_at);
        store_bind_int64(s, 3, m.ends_at);
        err = store_run_int64(st, a, s, &busy);
        if (err)
            return err;
    }
    if (busy)
        return NULL;
    memset(&in, 0, sizeof(in));
    in.room_id = room_id;
    in.start_ms = m.starts_at;
    in.end_ms = m.ends_at;
    in.purpose = arena_sprintf(a, "议事会：%s", t->title);
    err = booking_store_insert(st, a, room, &in, t->created_by, false, now, &b);
    if (err)
        return err;
    crypto_token_new(token);
    m.topic_id = t->id;
    m.community = t->community;
    m.place = room->name;
    m.room_id = room_id;
    m.booking_id = b->id;
    m.checkin_token = token;
    m.created_by = t->created_by;
    m.created_at = now - TIME_DAY_MS;
    err = votes_meeting_insert(st, a, &m);
    for (size_t i = 0; !err && i < n_residents && i < 4; i++)
        err = votes_meeting_invite(st, a, m.id, t->community, residents[i], "participants");
    if (!err)
        err = votes_topic_step(st, a, t->id, "meeting", NULL, "一楼住户协调会 议事厅", m.id, 0,
                               m.created_at);
    return err;
}

/*
 * A community topic still collecting support: 东区停车位重新划线, with two
 * comments, one of them for the staff to moderate (a phone number in it).
 */
static Error *parking_topic(Store *st, Arena *a, const char *community, int64_t now)
{
    int64_t at = now - 3 * TIME_DAY_MS, comment = 0;
    Topic t;
    Error *err;

    memset(&t, 0, sizeof(t));
    t.community = community;
    t.scope = "community";
    t.title = "东区停车位重新划线";
    t.body = "东区停车位的线已经看不清，晚上车辆乱停，经常堵住消防通道。"
             "建议重新划线并标出消防通道，请大家提提意见。";
    t.author = "东区居民";
    t.created_at = at;
    err = votes_topic_insert(st, a, &t);
    if (!err)
        err = votes_topic_step(st, a, t.id, "raised", "collecting", "", 0, 0, at);
    if (!err)
        err = votes_topic_comment_add(st, a, t.id, 0, "3号楼居民", "同意，消防通道一定要留出来。",
                                      at + TIME_DAY_MS, &comment);
    if (!err)
        err = votes_topic_comment_add(st, a, t.id, 0, "5号楼居民",
                                      "支持！有车位想转租的可以打我电话 13900001234。",
                                      at + 2 * TIME_DAY_MS, &comment);
    return err;
}

static Error *lift_topic(Store *st, Arena *a, const char *community, int64_t bid, int64_t vote_id,
                         int64_t now)
{
    int64_t *users, *residents, at = now - 40 * TIME_DAY_MS, comment = 0;
    char token[CRYPTO_TOKEN_CHARS + 1];
    size_t n_users, n_residents;
    bool changed;
    Topic t;
    Meeting m;
    Error *err;

    err = votes_store_demo_people(st, a, bid, 1, &users, &n_users, &residents, &n_residents);
    if (err)
        return err;
    memset(&t, 0, sizeof(t));
    t.community = community;
    t.scope = "unit";
    t.building_id = bid;
    t.unit = 1;
    t.title = "1单元加装电梯";
    t.body = "本单元六层没有电梯，楼上住着好几位八十多岁的老人，上下楼很吃力。"
             "建议申请加装电梯，请大家支持，一起商量方案和费用分摊。";
    t.author = "1单元居民";
    t.created_by = n_users ? users[0] : 0;
    t.created_at = at;
    err = votes_topic_insert(st, a, &t);
    if (!err)
        err = votes_topic_step(st, a, t.id, "raised", "collecting", "", 0, t.created_by, at);
    for (size_t i = 0; !err && i < n_users; i++)
        err = votes_topic_support(st, a, t.id, users[i], true, at + (int64_t)(i + 1) * TIME_DAY_MS,
                                  &changed);
    if (!err)
        err = votes_topic_comment_add(st, a, t.id, 0, "楼组长", "一楼的意见要先听取，建议开个议事会。",
                                      at + 2 * TIME_DAY_MS, &comment);
    if (!err)
        err = votes_topic_set_state(st, a, t.id, "collecting", "consulting", 0, at + 10 * TIME_DAY_MS);
    if (!err)
        err = votes_topic_step(st, a, t.id, "state", "consulting", "支持人数已过半，进入协商", 0, 0,
                               at + 10 * TIME_DAY_MS);
    if (err)
        return err;
    memset(&m, 0, sizeof(m));
    m.topic_id = t.id;
    m.community = community;
    m.starts_at = at + 14 * TIME_DAY_MS + 11 * 60 * TIME_MINUTE_MS; /* 19:00 Beijing */
    m.place = "议事厅";
    m.created_at = at + 11 * TIME_DAY_MS;
    crypto_token_new(token);
    m.checkin_token = token;
    err = votes_meeting_insert(st, a, &m);
    for (size_t i = 0; !err && i < n_residents; i++) {
        err = votes_meeting_invite(st, a, m.id, community, residents[i], "participants");
        if (!err && i % 5 != 4)
            err = votes_meeting_attend(st, a, m.id, residents[i], true, 0, m.starts_at);
    }
    if (!err)
        err = votes_topic_step(st, a, t.id, "meeting", NULL, "议事厅", m.id, 0, m.created_at);
    if (!err)
        err = votes_meeting_minutes(
            st, a, m.id,
            "到会业主代表讨论加装电梯方案：井道设在北侧，费用按楼层分摊，一楼不分摊；"
            "一楼两户担心采光和噪声，施工方将出具采光分析。",
            "一、进入业主表决（特别事项）；二、表决期间公示方案和分摊表；三、一楼意见单独协调。",
            m.starts_at + 2 * 60 * TIME_MINUTE_MS);
    if (!err)
        err = votes_topic_step(st, a, t.id, "minutes", NULL, "进入业主表决", m.id, 0,
                               m.starts_at + 2 * 60 * TIME_MINUTE_MS);
    if (!err)
        err = votes_topic_set_state(st, a, t.id, "consulting", "voting", vote_id, now - 5 * TIME_DAY_MS);
    if (!err)
        err = votes_topic_step(st, a, t.id, "state", "voting", "业主表决开始", vote_id, 0,
                               now - 5 * TIME_DAY_MS);
    if (!err)
        err = coming_meeting(st, a, &t, residents, n_residents, now);
    return err;
}

static Error *lift_project(Store *st, Arena *a, const char *community, int64_t now, uint32_t *seed)
{
    int64_t bid = 0, objection = 0, *ids;
    const char *waiting = NULL;
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
    /*
     * upper floors mostly yes, one ground floor no, a few not yet; the owner
     * of the 单元's first home (the demo resident's, on the ground floor, the
     * lift against her window) has not voted: her phone has a vote to cast
     */
    for (size_t i = 0; i < n_roll; i++)
        if (roll[i].household_id == ids[0])
            waiting = roll[i].voter;
    for (size_t i = 0; i < n_roll; i++) {
        const char *choice = i == 0 ? "no" : next(seed) % 10 < 8 ? "yes" : NULL;

        if (i > 0 && strcmp(roll[i].voter, roll[i - 1].voter) == 0)
            continue;
        if (!choice || roll[i].unsold || (waiting && strcmp(roll[i].voter, waiting) == 0))
            continue;
        err = cast(st, a, &v, roll[i].voter, choice, i % 4 == 3 ? "paper" : "app",
                   v.opens_at + (int64_t)(i + 1) * 7 * TIME_MINUTE_MS * 60);
        if (err)
            return err;
    }
    err = votes_store_objection_insert(st, a, l.id, ids[0], "一楼住户",
                                       "电梯井道紧贴我家北窗，担心采光和噪声，希望协调补偿方案后再定。",
                                       0, now - 2 * TIME_DAY_MS, &objection);
    if (!err)
        err = lift_topic(st, a, community, bid, v.id, now);
    return err;
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

/* Two topics still being collected: one for the whole community, one for building 1. */
static Error *more_topics(Store *st, Arena *a, const char *community, int64_t now)
{
    static const struct {
        const char *scope, *title, *body, *author, *comment;
        int days;
    } demo[] = {
        { "community", "健身器材老化，建议更换",
          "中心花园的健身器材用了十多年，扶手生锈、漆皮脱落，有一台漫步机已经松动，老人和孩子用着不安全。"
          "建议申请更换一批，并在旁边铺上防滑地垫。",
          "3号楼居民", "同意，漫步机晃得厉害，孩子玩的时候很危险。", 3 },
        { "building", "1号楼楼道杂物集中清理",
          "楼道里堆了纸箱、旧家具和电动车电瓶，既挡路又有火灾隐患。建议约个周末大家一起清理，清不走的由物业统一处置。",
          "1号楼居民", "周六上午可以，我来帮忙搬。", 1 },
    };
    int64_t bid = 0, comment = 0;
    Error *err;

    err = votes_store_demo_building(st, a, community, 6, &bid);
    for (size_t i = 0; !err && bid && i < sizeof(demo) / sizeof(demo[0]); i++) {
        int64_t at = now - demo[i].days * TIME_DAY_MS;
        Topic t;

        memset(&t, 0, sizeof(t));
        t.community = community;
        t.scope = demo[i].scope;
        t.building_id = strcmp(demo[i].scope, "building") == 0 ? bid : 0;
        t.title = demo[i].title;
        t.body = demo[i].body;
        t.author = demo[i].author;
        t.created_at = at;
        err = votes_topic_insert(st, a, &t);
        if (!err)
            err = votes_topic_step(st, a, t.id, "raised", "collecting", "", 0, 0, at);
        if (!err)
            err = votes_topic_comment_add(st, a, t.id, 0, "邻居", demo[i].comment,
                                          at + TIME_DAY_MS / 2, &comment);
    }
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
        err = parking_topic(st, a, community, now_ms);
    if (!err)
        err = more_topics(st, a, community, now_ms);
    if (!err)
        *ret_n_votes = 2;
    return err;
}
