/*
 * Months of questions for `linli demo`, so that the assistant's 统计 and
 * 待处理问题 pages have something to show after `make run`: in every
 * community of the street, residents' accounts ask a few questions a day
 * (more as the months go on, as a new service catches on), at the hours
 * people ask, mostly ones the knowledge base answers (the popular entries
 * more often), some it cannot. Some answers are marked helpful or not;
 * staff dealt with the open questions older than ten days. Seeded: the
 * same questions every time.
 */
#include <string.h>

#include "assistant/assistant.h"
#include "assistant/assistant_cli.h"
#include "core/rng.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_DEMO_ENTRIES[] =
    "SELECT id, question FROM kb_entry WHERE scope = '' ORDER BY id LIMIT 400";
static const char SQL_DEMO_COMMUNITIES[] =
    "SELECT code FROM division WHERE parent_code = ?1 AND level = 5 ORDER BY code";
static const char SQL_DEMO_ASKERS[] =
    "SELECT id FROM app_user WHERE role = 'resident' AND scope = ?1 AND household_id IS NOT NULL"
    " ORDER BY id LIMIT 200";
static const char SQL_DEMO_QUESTION[] =
    "INSERT INTO assistant_question (asked, answered, entry_id, score, helpful, user_id, community,"
    " created_at, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* what residents ask that a community's knowledge base seldom holds */
static const char *const UNANSWERED[] = {
    "小区里能不能装充电桩？要找谁申请？",
    "楼上漏水到我家，物业不管怎么办？",
    "老年助餐点周末开不开？",
    "家里的旧家电可以预约上门回收吗？",
    "孩子暑假有没有社区托管班？",
    "门口的共享单车太多了能不能清理？",
    "新生儿医保在哪里办？",
    "独居老人可以申请安装烟感报警器吗？",
    "养狗需要到哪里登记？",
    "小区什么时候可以加装电梯？",
};

typedef struct Entry {
    const char *id, *question;
} Entry;

static Error *ask(Store *st, Arena *a, Rng *rng, const Entry *entries, size_t n_entries,
                  int64_t user, const char *community, int64_t at, int64_t now)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_QUESTION);
    bool answered = n_entries && rng_chance(rng, 0.82);
    int feedback = rng_int(rng, 100);

    if (answered) {
        /* the popular entries come up far more often */
        const Entry *e = &entries[(size_t)rng_int(rng, (int)n_entries) *
                                  (size_t)rng_int(rng, (int)n_entries) / n_entries];

        store_bind_text(s, 1, e->question);
        store_bind_int64(s, 2, 1);
        store_bind_text(s, 3, e->id);
        store_bind_double(s, 4, 0.55 + rng_int(rng, 45) / 100.0);
    } else {
        store_bind_text(s, 1, UNANSWERED[rng_int(rng, (int)ARRAY_SIZE(UNANSWERED))]);
        store_bind_int64(s, 2, 0);
        store_bind_null(s, 3);
        store_bind_double(s, 4, rng_int(rng, 30) / 100.0);
    }
    if (answered && feedback < 30)
        store_bind_int64(s, 5, 1);
    else if (answered && feedback < 36)
        store_bind_int64(s, 5, 0);
    else
        store_bind_null(s, 5);
    store_bind_int64(s, 6, user);
    store_bind_text(s, 7, community);
    store_bind_int64(s, 8, at);
    /* staff answered what was open more than ten days ago */
    if ((!answered || (feedback >= 30 && feedback < 36)) && at < now - 10 * TIME_DAY_MS)
        store_bind_int64(s, 9, at + 2 * TIME_DAY_MS);
    else
        store_bind_null(s, 9);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *assistant_demo_history(Store *st, Arena *a, const char *own_community, int days,
                              uint64_t seed, int64_t now_ms, int64_t *ret_n)
{
    Rng rng = { seed ^ 0xA55157 };
    Entry entries[400];
    size_t n_entries = 0;
    const char *street = arena_strndup(a, own_community, 9);
    const char **codes = NULL;
    size_t n_codes = 0, cap = 0;
    int64_t today;
    int minute;
    StoreStmt *s;
    StoreResult r;
    Error *err;

    *ret_n = 0;
    s = store_prepare(st, a, SQL_DEMO_ENTRIES);
    while ((r = store_step(s)) == STORE_ROW && n_entries < ARRAY_SIZE(entries)) {
        entries[n_entries].id = store_column_text(s, a, 0);
        entries[n_entries++].question = store_column_text(s, a, 1);
    }
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    s = store_prepare(st, a, SQL_DEMO_COMMUNITIES);
    store_bind_text(s, 1, street);
    while ((r = store_step(s)) == STORE_ROW) {
        if (n_codes == cap) {
            const char **nc = arena_alloc(a, (cap ? cap * 2 : 32) * sizeof(char *));

            if (n_codes)
                memcpy(nc, codes, n_codes * sizeof(char *));
            codes = nc;
            cap = cap ? cap * 2 : 32;
        }
        codes[n_codes++] = store_column_text(s, a, 0);
    }
    if (r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &today, &minute);
    for (size_t i = 0; i < n_codes; i++) {
        int64_t askers[200];
        size_t n_askers = 0;
        int base = 2 + (int)(i * 5 % 4);

        s = store_prepare(st, a, SQL_DEMO_ASKERS);
        store_bind_text(s, 1, codes[i]);
        while ((r = store_step(s)) == STORE_ROW && n_askers < ARRAY_SIZE(askers))
            askers[n_askers++] = store_column_int64(s, 0);
        if (r != STORE_ROW && r != STORE_DONE)
            return store_error(st, a);
        store_reset(s);
        if (!n_askers)
            continue;
        for (int age = days; age >= 0; age--) {
            int64_t day = today - age;
            bool weekend = time_weekday(day) >= 6;
            /* from a few a day to about twice as many by now */
            int n = rng_int(&rng, base + 1) + base * (days - age) / (days ? days : 1) + (weekend ? 1 : 0);

            for (int k = 0; k < n; k++) {
                int64_t at = time_day_start_ms(day, TIME_OFFSET_SHANGHAI) +
                             (int64_t)rng_waking_minute(&rng, weekend) * TIME_MINUTE_MS;

                if (at >= now_ms)
                    continue;
                err = ask(st, a, &rng, entries, n_entries, askers[rng_int(&rng, (int)n_askers)],
                          codes[i], at, now_ms);
                if (err)
                    return err;
                (*ret_n)++;
            }
        }
    }
    return NULL;
}
