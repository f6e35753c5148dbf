/*
 * What the assistant knows of the asker's own community and of linli itself.
 *
 * A community's profile (社区信息, kept by its staff in the community module)
 * becomes a handful of knowledge-base entries scoped to that community: the
 * 居委会's phone, hours and address, its service station, the duty phone at
 * night, and where in linli to book a room, report a problem or follow one.
 * They are ordinary entries (the index, the statistics and the staff's
 * knowledge-base pages treat them like any other) with ids "P<community>-<key>",
 * rewritten whenever the profile is saved. An entry about a page of linli
 * carries that page as its link.
 */
#include <stdio.h>
#include <string.h>

#include "assistant/assistant.h"
#include "core/banned.h"

#define SITE_SECTION "便民服务"

typedef struct SitePage {
    const char *key;
    const char *link;
    const char *question;
    const char *alternatives[6];
    const char *keywords;
    const char *answer;
} SitePage;

/* linli's own pages a resident asks about, in the words residents use. */
static const SitePage PAGES[] = {
    { "rooms", "/h5/#/rooms", "社区活动室怎么预约？",
      { "怎么借用社区的功能室", "想订社区的会议室开会", "社区场地怎么借", "活动室几点开门，能预约吗",
        "扫码预约活动室", NULL },
      "活动室 功能室 会议室 场地 预约 借用 订",
      "在“活动室预约”页面选好房间、日期和时间就能预约；有的房间要居委会审核，审核结果会发到“消息”里。"
      "到了房间门口，扫门上的二维码也能直接预约和签到。" },
    { "report", "/h5/#/cases/new", "发现问题怎么向社区反映（报事）？",
      { "楼道堆了东西找谁", "有人飞线充电怎么举报", "小区路灯坏了向谁反映", "随手拍怎么上报",
        "投诉小区环境问题", NULL },
      "报事 反映 举报 投诉 上报 随手拍 堆物 飞线 隐患",
      "在“我要报事”页面说明是什么事、在哪里，可以拍照，提交后居委会会派给负责的单位处理，"
      "处理进度和结果都会通知您，办完后请您评价。" },
    { "cases", "/h5/#/cases", "我反映的问题办得怎么样了？",
      { "怎么查报事的进度", "上次投诉的事有结果了吗", "报的事一直没人管怎么催", "查看我的报事",
        "我反映的问题处理了没有", NULL },
      "进度 结果 催办 我的报事 处理到哪",
      "在“我的报事”里能看到每件事办到了哪一步、谁在办、什么时候办完；超过时限还没办好，可以在那里催办（每天一次）或补充情况。" },
    { "bookings", "/h5/#/bookings", "我预约的活动室在哪里看，怎么取消？",
      { "取消活动室预约", "查看我的预约", "预约审核通过了吗", NULL },
      "我的预约 取消 审核",
      "在“我的预约”里能看到每次预约和审核结果，不去了请在那里取消，把时间让给别人。" },
    { "announcements", "/h5/#/announcements", "社区最近有什么通知？",
      { "在哪里看社区公告", "居委会发的通知在哪看", "社区新闻", NULL },
      "通知 公告 告示",
      "社区的通知公告都在“社区通知”里，新的通知也会出现在首页。" },
};

/* The entry id of @key for @community: "P110105001001-rooms". */
static const char *site_id(Arena *a, const char *community, const char *key)
{
    return arena_sprintf(a, "P%s-%s", community, key);
}

static const char **list(Arena *a, size_t *ret_n, const char *const *items)
{
    size_t n = 0;
    const char **out;

    while (items[n])
        n++;
    out = arena_alloc(a, (n ? n : 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = items[i];
    *ret_n = n;
    return out;
}

static Error *put(Store *st, Arena *a, const char *community, const char *key,
                  const char *question, const char *const *alternatives, const char *keywords,
                  const char *answer)
{
    KbEntry e = { .id = site_id(a, community, key),
                  .section = SITE_SECTION,
                  .question = question,
                  .answer = answer,
                  .keywords = keywords,
                  .scope = community };

    e.alternatives = list(a, &e.n_alternatives, alternatives);
    return assistant_store_entry_upsert(st, a, &e);
}

/* "，夜间和节假日请打值班电话 1380…" or "" */
static const char *duty_clause(Arena *a, const AssistantSiteFacts *f)
{
    return *f->duty_phone ? arena_sprintf(a, "；夜间和节假日请打值班电话 %s", f->duty_phone) : "";
}

static const char *hours_clause(Arena *a, const AssistantSiteFacts *f)
{
    return *f->office_hours ? arena_sprintf(a, "（办公时间：%s）", f->office_hours) : "";
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);

    return n >= m && memcmp(s + n - m, tail, m) == 0;
}

/* "幸福居委会" as it is, "幸福社区" as "幸福社区居委会", none as "本社区居委会". */
static const char *office_name(Arena *a, const char *name)
{
    if (!name || !*name)
        return "本社区居委会";
    if (ends_with(name, "居委会") || ends_with(name, "村委会") || ends_with(name, "委员会"))
        return name;
    return arena_sprintf(a, "%s居委会", name);
}

Error *assistant_site_sync(Store *st, Arena *a, const AssistantSiteFacts *f)
{
    const char *name = office_name(a, f->name);
    Error *err;

    err = assistant_store_entries_delete_prefix(st, a, arena_sprintf(a, "P%s-", f->community));
    if (err)
        return err;
    {
        static const char *const alt[] = { "怎么联系居委会", "居委会联系方式", "社区办公电话是多少",
                                           "找居委会打什么号码", "社区的电话", NULL };
        err = put(st, a, f->community, "phone", "居委会的电话是多少？", alt,
                  "电话 号码 联系方式 联系 居委会 社区",
                  arena_sprintf(a, "%s办公电话：%s%s%s。", name, f->office_phone,
                                hours_clause(a, f), duty_clause(a, f)));
    }
    if (!err && *f->office_hours) {
        static const char *const alt[] = { "居委会几点上班", "社区周末有人吗", "居委会什么时候开门",
                                           "中午居委会有人吗", NULL };
        err = put(st, a, f->community, "hours", "居委会的办公时间是什么时候？", alt,
                  "办公时间 上班 开门 几点 周末",
                  arena_sprintf(a, "%s办公时间：%s。电话 %s%s。", name, f->office_hours,
                                f->office_phone, duty_clause(a, f)));
    }
    if (!err && *f->address) {
        static const char *const alt[] = { "居委会在哪", "社区居委会怎么走", "居委会的办公地点",
                                           "去哪里找居委会办事", NULL };
        err = put(st, a, f->community, "address", "居委会在什么地方？", alt,
                  "地址 在哪 哪里 怎么走 地点 位置",
                  arena_sprintf(a, "%s在%s%s。来之前可以先打电话 %s。", name, f->address,
                                hours_clause(a, f), f->office_phone));
    }
    if (!err && *f->station) {
        static const char *const alt[] = { "党群服务站在哪", "社区服务中心在哪里", "服务站怎么走",
                                           NULL };
        err = put(st, a, f->community, "station", "社区的党群服务站在哪里？", alt,
                  "党群服务站 服务站 服务中心 活动中心",
                  arena_sprintf(a, "%s。有事也可以打%s的电话 %s。", f->station, name,
                                f->office_phone));
    }
    if (!err && *f->duty_phone) {
        static const char *const alt[] = { "晚上有急事找谁", "节假日找居委会打什么电话",
                                           "半夜联系社区", "居委会下班了怎么办", NULL };
        err = put(st, a, f->community, "duty", "晚上和节假日有急事找谁？", alt,
                  "值班 夜间 晚上 半夜 节假日 急事",
                  arena_sprintf(a, "%s的值班电话：%s（夜间和节假日）。遇到火情、急病等紧急情况请直接拨打 119、120 或 110。",
                                name, f->duty_phone));
    }
    for (size_t i = 0; !err && i < sizeof(PAGES) / sizeof(PAGES[0]); i++)
        err = put(st, a, f->community, PAGES[i].key, PAGES[i].question, PAGES[i].alternatives,
                  PAGES[i].keywords, PAGES[i].answer);
    if (!err)
        err = assistant_store_bump(st, a);
    return err;
}

const char *assistant_entry_link(const char *entry_id)
{
    const char *dash;

    if (!entry_id || entry_id[0] != 'P' || strlen(entry_id) < 15 || entry_id[13] != '-')
        return NULL;
    for (int i = 1; i < 13; i++)
        if (entry_id[i] < '0' || entry_id[i] > '9')
            return NULL;
    dash = entry_id + 13;
    for (size_t i = 0; i < sizeof(PAGES) / sizeof(PAGES[0]); i++)
        if (strcmp(dash + 1, PAGES[i].key) == 0)
            return PAGES[i].link;
    return NULL;
}

Error *assistant_site_contact(Store *st, Arena *a, const char *community, const char **ret)
{
    KbEntry *e = NULL;
    Error *err;

    *ret = NULL;
    if (!community || strlen(community) != 12)
        return NULL;
    err = assistant_store_entry_get(st, a, site_id(a, community, "phone"), &e);
    if (!err && e)
        *ret = e->answer;
    return err;
}
