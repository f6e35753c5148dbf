/*
 * Demo points and partner merchants of the demo community: rules, a bonus
 * for the demo resident (on top of what past attendance earned through
 * activities_demo), merchants with offers (market services, discounts,
 * courses), stalls at the demo's markets and a few redemptions. Written
 * through points_store, as the routes write, so the ledger reconciles.
 */
#include <string.h>

#include "activities/activities_store.h"
#include "core/crypto.h"
#include "points/points_store.h"
#include "core/banned.h"

#define HOUR_MS (3600LL * 1000)

typedef struct DemoOffer {
    const char *kind, *title, *body;
    int64_t cost;
} DemoOffer;

typedef struct DemoMerchant {
    const char *name, *kind, *address, *contact, *phone;
    int64_t space_m2;
    const char *space_hours;
    bool free_stall;
    const char *gives_note;
    const char *stall; /* what it provides at markets */
    DemoOffer offers[3];
} DemoMerchant;

static const DemoMerchant merchants[] = {
    { "阿强理发店", "理发", "长乐路 12 号", "王强", "13812345678", 0, "", true,
      "集市摊位的遮阳棚和桌椅由社区提供", "义务理发（老人、儿童）",
      { { "market_service", "集市义务理发", "每次集市为 60 岁以上老人和儿童免费理发。", 0 },
        { "discount", "理发 8 折", "凭兑换码理发打 8 折。", 50 },
        { NULL, NULL, NULL, 0 } } },
    { "仁心大药房", "药店", "长乐路 30 号", "李芳", "13987654321", 0, "", true, "",
      "免费量血压、测血糖",
      { { "market_service", "免费量血压、测血糖", "执业药师现场服务。", 0 },
        { "discount", "家庭药箱整理一次", "药师上门整理过期药品。", 30 },
        { NULL, NULL, NULL, 0 } } },
    { "邻家小馆", "餐饮", "富民路 8 号", "陈敏", "021-54321234", 0, "", false, "",
      NULL,
      { { "discount", "老人午餐立减 5 元", "60 岁以上老人午餐使用。", 20 },
        { NULL, NULL, NULL, 0 }, { NULL, NULL, NULL, 0 } } },
    { "墨香书画培训", "培训", "社区活动中心二楼", "赵老师", "13700001111", 40,
      "每周二、周四 9:00-17:00", false, "社区活动室 201 免费使用，以开设公益书法课交换",
      NULL,
      { { "course", "公益书法课（每周四）", "面向老年人的书法入门课，每期 8 节。", 0 },
        { "discount", "少儿书画体验课一节", "5-12 岁儿童。", 80 },
        { NULL, NULL, NULL, 0 } } },
};

Error *points_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n)
{
    ActivitiesDemoPeople *p = arena_zalloc(a, sizeof(*p));
    int64_t offer_ids[8], offer_cost[8], offer_merchant[8], *markets = NULL, *rich = NULL;
    int n_offers = 0;
    size_t n_markets = 0, n_rich = 0;
    Error *err;

    *ret_n = 0;
    err = points_store_rule_set(st, a, community, POINTS_VOLUNTEER_HOUR, 10, 2000, 0, now_ms);
    if (!err)
        err = points_store_rule_set(st, a, community, POINTS_ATTEND_COURSE, 3, 100, 0, now_ms);
    if (!err)
        err = activities_store_demo_people(st, a, community, p);
    if (!err && p->resident_self)
        err = points_store_move(st, a,
                                &(PointsMove){ .resident_id = p->resident_self,
                                               .community = community,
                                               .kind = "adjust",
                                               .delta = 120,
                                               .rule = "",
                                               .ref_kind = "adjust",
                                               .ref_id = 0,
                                               .reason = "年度优秀志愿者奖励",
                                               .actor_id = p->staff_id,
                                               .now_ms = now_ms - 10 * 24 * HOUR_MS },
                                NULL, NULL);
    if (!err)
        err = points_store_demo_markets(st, a, community, &markets, &n_markets);
    for (size_t i = 0; !err && i < sizeof(merchants) / sizeof(merchants[0]); i++) {
        const DemoMerchant *d = &merchants[i];
        MerchantInput in = { .community = community, .name = d->name, .kind = d->kind,
                             .address = d->address, .contact = d->contact, .phone = d->phone,
                             .space_m2 = d->space_m2, .space_hours = d->space_hours,
                             .free_stall = d->free_stall, .gives_note = d->gives_note,
                             .state = "active" };
        int64_t mid = 0;

        err = points_store_merchant_insert(st, a, &in, p->staff_id, now_ms - 200 * 24 * HOUR_MS,
                                           &mid);
        for (int k = 0; !err && k < 3 && d->offers[k].kind; k++) {
            MerchantOffer o = { .merchant_id = mid, .kind = d->offers[k].kind,
                                .title = d->offers[k].title, .body = d->offers[k].body,
                                .cost = d->offers[k].cost, .active = true };
            char token[CRYPTO_TOKEN_CHARS + 1];
            int64_t oid = 0;

            if (o.cost) {
                crypto_token_new(token);
                o.token = arena_strdup(a, token);
            }
            err = points_store_offer_insert(st, a, &o, now_ms - 200 * 24 * HOUR_MS, &oid);
            if (!err && o.cost && n_offers < 8) {
                offer_ids[n_offers] = oid;
                offer_cost[n_offers] = o.cost;
                offer_merchant[n_offers++] = mid;
            }
        }
        for (size_t k = 0; !err && d->stall && k < n_markets; k++) {
            int64_t sid = 0;

            err = points_store_stall_insert(st, a, markets[k], mid, d->stall, p->staff_id, now_ms,
                                            &sid);
        }
        if (!err)
            (*ret_n)++;
    }
    /* redemptions: the demo resident once, and the richest others */
    if (!err)
        err = points_store_demo_rich(st, a, community, 20, &rich, &n_rich);
    for (size_t i = 0; !err && i < n_rich && n_offers > 0; i++) {
        int k = (int)(i % (size_t)n_offers);
        MerchantOffer o = { .id = offer_ids[k], .merchant_id = offer_merchant[k],
                            .cost = offer_cost[k] };
        int64_t have = 0, rid = 0, at = now_ms - (int64_t)(i + 1) * 24 * HOUR_MS;
        char code[7];

        err = points_store_balance(st, a, rich[i], &have);
        if (err || have < o.cost || (rich[i] != p->resident_self && i % 2))
            continue;
        crypto_random_code(code, 6, "0123456789");
        err = points_store_redemption_insert(st, a, &o, rich[i],
                                             rich[i] == p->resident_self && p->resident_user
                                                 ? p->resident_user
                                                 : p->staff_id,
                                             code, at, &rid);
        if (!err)
            err = points_store_move(st, a,
                                    &(PointsMove){ .resident_id = rich[i],
                                                   .community = community,
                                                   .kind = "spend",
                                                   .delta = -o.cost,
                                                   .rule = "",
                                                   .ref_kind = "redemption",
                                                   .ref_id = rid,
                                                   .reason = "",
                                                   .actor_id = p->staff_id,
                                                   .now_ms = at },
                                    NULL, NULL);
    }
    return err;
}
