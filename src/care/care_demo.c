/*
 * `linli demo`'s care: the demo community's 独居 and 高龄 residents put in
 * care some months ago with their reasons and risk tags, assessed once or
 * twice (care_assess, as the API does), paired with the grid worker and
 * some with a volunteer, visited on their grade's rhythm since (a few
 * behind, so the overdue board has something), and the demo elder's daily
 * 平安 checks over the last weeks. Seeded: the same every time.
 *
 * Two accounts come with it (password as the other demo users): volunteer
 * (a resident tagged 志愿者, paired as a volunteer) and elder (an elderly
 * resident living alone, in care, who presses 我很好 on the H5).
 */
#include <string.h>

#include "account/account.h"
#include "care/care_store.h"
#include "core/rng.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define DEMO_ELDERS 80

static const char *const notes[] = {
    "老人精神不错，聊了家常。", "血压偏高，提醒按时服药。", "家中整洁，燃气阀门已关。",
    "子女本周来过。", "腿脚不便，下楼困难。", "电话联系，老人说一切都好。",
};
static const char *const needs[] = { "希望有人帮忙买菜", "楼道灯不亮", "想参加社区助餐",
                                     "需要代配药" };

static void demo_items(Rng *rng, int frailty, CareAssessInput *in)
{
    memset(in, 0, sizeof(*in));
    for (int i = 0; i < CARE_ITEMS; i++) {
        int score = care_items[i].max - rng_int(rng, frailty + 1);

        in->items[i] = score < 0 ? 0 : score;
    }
}

static Error *demo_assess(Store *st, Arena *a, const CryptoKeys *k, const CareSettings *cs,
                          int64_t care_id, const char *community, int64_t at, int64_t staff_id,
                          Rng *rng, int frailty, bool dementia)
{
    CareAssessInput in;
    CareAssessment as;
    json_t *items = json_object(), *input;
    size_t len;
    void *enc;
    int64_t id;

    demo_items(rng, frailty, &in);
    if (dementia) {
        in.diagnoses[0] = "F03";
        in.n_diagnoses = 1;
    }
    care_assess(a, &in, &cs->assess, &as);
    for (int i = 0; i < CARE_ITEMS; i++)
        json_object_set_new(items, care_items[i].code, json_integer(in.items[i]));
    input = json_pack("{s:o, s:b, s:o}", "items", items, "coma", 0, "diagnoses",
                      dementia ? json_pack("[s]", "F03") : json_array());
    enc = care_seal_json(k, a,
                         json_pack("{s:o, s:o, s:{s:s, s:s, s:b}}", "input", input, "result",
                                   care_assessment_json(&as), "rules", "coma", "complete",
                                   "risk_count", "sum", "stack", 1),
                         &len);
    return care_store_assessment_insert(st, a, care_id, community, at, staff_id, "李社工",
                                        as.final_level, enc, len, at, &id);
}

static Error *demo_visits(Store *st, Arena *a, const CryptoKeys *k, const CareSettings *cs,
                          const char *community, int64_t care_id, int64_t opened, int grade,
                          const int64_t *helpers, const char *const *names, int n_helpers,
                          bool behind, int64_t now_ms, Rng *rng)
{
    int64_t days = cs->rhythm[grade].visit_days;
    int64_t due = opened + days * TIME_DAY_MS;
    int64_t end = behind ? now_ms - (days + 3) * TIME_DAY_MS : now_ms - TIME_DAY_MS;
    int64_t t = opened + (days * (60 + rng_int(rng, 40)) / 100) * TIME_DAY_MS;
    Error *err = NULL;

    while (!err && t < end) {
        int h = rng_int(rng, n_helpers);
        bool concern = rng_chance(rng, 0.12);
        json_t *list = json_pack("{s:s, s:s, s:s, s:s, s:s}", "body", concern ? "concern" : "ok",
                                 "mind", "ok", "safety", "ok", "utilities", "ok", "needs",
                                 rng_chance(rng, 0.1) ? "concern" : "ok");
        json_t *need = rng_chance(rng, 0.1)
                           ? json_pack("[{s:s, s:n}]", "text", needs[rng_int(rng, 4)],
                                       "case_category")
                           : json_array();
        size_t len;
        void *enc = care_seal_json(k, a,
                                   json_pack("{s:o, s:s, s:o}", "checklist", list, "notes",
                                             notes[rng_int(rng, 6)], "needs", need),
                                   &len);
        int64_t id;
        int64_t at = t + (9 * 60 + rng_int(rng, 8 * 60)) * TIME_MINUTE_MS;

        if (at > now_ms)
            break;
        err = care_store_visit_insert(st, a, care_id, community, helpers[h], names[h], at,
                                      rng_chance(rng, 0.75) ? "in_person" : "phone", concern,
                                      enc, len, "[]", due, at, &id);
        due = at + days * TIME_DAY_MS;
        /* most visits on time, some a few days late */
        t += (days * (70 + rng_int(rng, 45)) / 100) * TIME_DAY_MS;
    }
    return err;
}

static Error *demo_account(Store *st, Arena *a, const char *username, const char *password,
                           const char *community, int64_t resident_id, int64_t *ret_id)
{
    int64_t household = 0;
    const char *name = NULL;
    Error *err = care_store_demo_household(st, a, resident_id, &household, &name);
    UserInput u = { .username = username, .password = password, .role = ROLE_RESIDENT,
                    .scope = community, .resident_id = resident_id };

    if (err || !household)
        return err;
    u.household_id = household;
    u.display_name = name;
    return account_user_add(st, a, &u, ret_id);
}

/* What one community's care is made from: its staff, its helpers, the accounts to add. */
typedef struct DemoCtx {
    const CryptoKeys *k;
    CareSettings cs;
    Rng rng;
    int64_t grid, staff, now_ms, today_day;
    char today[11];
    const char *password; /* NULL: no volunteer or elder account (care generate) */
} DemoCtx;

static Error *demo_community(Store *st, Arena *a, DemoCtx *c, const char *community, int64_t limit,
                             int64_t *ret_n)
{
    CareDemoElder *el = NULL;
    size_t n = 0;
    int64_t volunteer = 0, vol_resident = 0, vol_household = 0, elder = 0;
    const char *vol_name = "志愿者";
    Error *err = NULL;

    if (c->password)
        err = care_store_demo_volunteer(st, a, community, &vol_resident, &vol_household, &vol_name);
    if (!err && vol_resident)
        err = demo_account(st, a, "volunteer", c->password, community, vol_resident, &volunteer);
    if (!err)
        err = care_store_demo_elders(st, a, community, limit, &el, &n);
    if (err)
        return err;

    /* the demo elder: the last one living alone (the first residents stay without accounts) */
    size_t elder_i = n;

    for (size_t i = 0; c->password && i < n; i++)
        if (el[i].alone)
            elder_i = i;
    for (size_t i = 0; !err && i < n; i++) {
        static const int frailties[] = { 0, 1, 1, 2, 2, 3, 3, 5 };
        Rng *rng = &c->rng;
        CareResident r = { .id = el[i].resident_id, .building_id = el[i].building_id,
                           .community = community };
        CareData d = { .note = "" };
        int64_t opened = c->now_ms - (int64_t)(90 + rng_int(rng, 90)) * TIME_DAY_MS;
        int frailty = frailties[rng_int(rng, 8)];
        int64_t helpers[2] = { c->grid, volunteer };
        const char *names[2] = { "赵网格员", vol_name };
        int n_helpers = 1;
        CarePerson *p = NULL;
        int64_t id, pair;
        size_t len;
        void *enc;
        bool is_elder = i == elder_i;

        if (el[i].alone)
            d.reasons[d.n_reasons++] = "独居";
        if (age_on(el[i].birth_date, c->today) >= 80)
            d.reasons[d.n_reasons++] = "高龄";
        if (el[i].low_income)
            d.reasons[d.n_reasons++] = "低保";
        if (d.n_reasons == 0)
            d.reasons[d.n_reasons++] = "高龄";
        d.tags[CARE_TAG_CHRONIC] = rng_chance(rng, 0.45);
        d.tags[CARE_TAG_FALL] = is_elder || rng_chance(rng, 0.08);
        d.tags[CARE_TAG_HOSPITAL] = rng_chance(rng, 0.05);
        d.tags[CARE_TAG_NO_RELATIVE] = rng_chance(rng, 0.3);
        d.tags[CARE_TAG_LOW_INCOME] = el[i].low_income;
        enc = care_seal_json(c->k, a, care_data_json(&d), &len);
        err = care_store_open(st, a, &r,
                              el[i].alone ? "alone" : rng_chance(rng, 0.6) ? "with_spouse"
                                                                            : "with_family",
                              enc, len, c->staff, opened, &id);
        if (!err)
            err = demo_assess(st, a, c->k, &c->cs, id, community,
                              opened + (1 + rng_int(rng, 10)) * TIME_DAY_MS, c->staff, rng,
                              frailty, el[i].dementia_risk && rng_chance(rng, 0.3));
        if (!err && rng_chance(rng, 0.4))
            err = demo_assess(st, a, c->k, &c->cs, id, community,
                              opened + (60 + rng_int(rng, 20)) * TIME_DAY_MS, c->staff, rng,
                              frailty + rng_int(rng, 2), false);
        if (!err)
            err = care_store_pair_insert(st, a, id, c->grid, "grid_worker", c->staff, opened, &pair);
        if (!err && volunteer && i % 3 == 0) {
            err = care_store_pair_insert(st, a, id, volunteer, "volunteer", c->staff, opened, &pair);
            n_helpers = 2;
        }
        if (!err && is_elder)
            err = demo_account(st, a, "elder", c->password, community, el[i].resident_id, &elder);
        if (!err)
            err = care_store_regrade(st, a, c->k, &c->cs, id, c->now_ms, NULL);
        if (!err)
            err = care_store_get(st, a, id, c->today, &p);
        if (!err && p)
            err = demo_visits(st, a, c->k, &c->cs, community, id, opened, p->grade, helpers, names,
                              n_helpers, rng_chance(rng, 0.12), c->now_ms, rng);
        /* the demo elder's 平安 checks: the last six weeks, two days missed, not yet today */
        for (int64_t day = c->today_day - 42; !err && is_elder && elder && day < c->today_day;
             day++) {
            char ds[11];
            bool fresh;

            if (day == c->today_day - 9 || day == c->today_day - 23)
                continue;
            time_format_date(ds, day);
            err = care_store_check(st, a, id, ds, elder, "self",
                                   time_day_start_ms(day, TIME_OFFSET_SHANGHAI) +
                                       (7 * 60 + rng_int(rng, 120)) * TIME_MINUTE_MS,
                                   &fresh);
        }
        if (!err)
            err = care_store_regrade(st, a, c->k, &c->cs, id, c->now_ms, NULL);
        if (!err)
            (*ret_n)++;
    }
    return err;
}

static Error *demo_ctx(Store *st, Arena *a, DemoCtx *c, const CryptoKeys *k, const char *password,
                       uint64_t seed, int64_t now_ms)
{
    int minute;
    Error *err;

    *c = (DemoCtx){ .k = k, .rng = { seed ^ 0x63617265ULL }, .now_ms = now_ms,
                    .password = password };
    care_settings_default(&c->cs);
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &c->today_day, &minute);
    time_format_date(c->today, c->today_day);
    err = care_store_user_by_name(st, a, "grid", &c->grid);
    if (!err)
        err = care_store_user_by_name(st, a, "staff", &c->staff);
    return err;
}

Error *care_demo(Store *st, Arena *a, const CryptoKeys *k, const char *community,
                 const char *password, uint64_t seed, int64_t now_ms, int64_t *ret_n)
{
    DemoCtx c;
    Error *err = demo_ctx(st, a, &c, k, password, seed, now_ms);

    *ret_n = 0;
    if (err || !c.grid)
        return err;
    return demo_community(st, a, &c, community, DEMO_ELDERS, ret_n);
}

Error *care_generate(Store *st, Arena *a, const CryptoKeys *k, const char *street,
                     int64_t per_community, uint64_t seed, int64_t now_ms, int64_t *ret_n)
{
    DemoCtx c;
    const char **codes = NULL;
    size_t n = 0;
    Error *err = demo_ctx(st, a, &c, k, NULL, seed, now_ms);

    *ret_n = 0;
    if (!err && !c.grid)
        err = error_bad_request(a, NULL, "no_demo", "没有演示账号 grid：请先运行 linli demo");
    if (!err)
        err = care_store_street_communities(st, a, street, &codes, &n);
    for (size_t i = 0; !err && i < n; i++) {
        Arena *ca = arena_new(0);

        err = store_begin(st, a);
        if (!err) {
            Error *e = demo_community(st, ca, &c, codes[i], per_community, ret_n);

            if (e) {
                store_rollback(st);
                err = error_internal(a, "%s", e->message);
            } else {
                err = store_commit(st, a);
            }
        }
        arena_free(ca);
    }
    return err;
}
