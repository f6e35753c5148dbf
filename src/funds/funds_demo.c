/*
 * Demo funds: this year's fund of the demo community, with projects in
 * every state (two closed with receipts, a final report and residents'
 * evaluations, one being carried out, one with a change of its budget
 * table waiting for re-approval, others waiting at each step with a
 * quotation attached), and last year's fund, closed. Written through
 * funds_store, as the routes write, so the ledger reconciles. Receipts
 * and quotations are small PNGs drawn with cairo (as booking's poster).
 */
#include <cairo.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "funds/funds.h"
#include "funds/funds_store.h"
#include "core/banned.h"

#define DEMO_PNG_W 360
#define DEMO_PNG_H 240
#define DEMO_PNG_MAX (256 * 1024)
#define DEMO_FONT "Noto Sans CJK SC"

/* A 1×1 PNG, for when cairo cannot draw. */
static const unsigned char dot_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
    0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
    0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int length)
{
    strbuf_add(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void text_at(cairo_t *cr, const char *text, double size, bool bold, double x, double y)
{
    cairo_select_font_face(cr, DEMO_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, text);
}

/* "1,234.50" of @fen (not negative). */
static const char *demo_yuan(Arena *a, int64_t fen)
{
    int64_t y = fen / 100;

    if (y >= 1000)
        return arena_sprintf(a, "%lld,%03lld.%02lld", (long long)(y / 1000), (long long)(y % 1000),
                             (long long)(fen % 100));
    return arena_sprintf(a, "%lld.%02lld", (long long)y, (long long)(fen % 100));
}

/*
 * A paper slip as PNG: @title on top, @line1 and the amount @fen, @date,
 * and (@stamp) a red seal; the 1×1 PNG if cairo fails.
 */
static const void *demo_png(Arena *a, const char *title, const char *line1, int64_t fen,
                            const char *date, bool stamp, size_t *ret_len)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, DEMO_PNG_W, DEMO_PNG_H);
    cairo_t *cr = cairo_create(surface);
    const char *out = NULL;
    StrBuf sb;

    if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
        cairo_set_source_rgb(cr, 1, 0.99, 0.95);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0.55, 0.35, 0.2);
        cairo_set_line_width(cr, 2);
        cairo_rectangle(cr, 10, 10, DEMO_PNG_W - 20, DEMO_PNG_H - 20);
        cairo_stroke(cr);
        text_at(cr, title, 22, true, 30, 50);
        cairo_move_to(cr, 30, 64);
        cairo_line_to(cr, DEMO_PNG_W - 30, 64);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        text_at(cr, line1, 16, false, 30, 100);
        text_at(cr, arena_sprintf(a, "金额：¥%s", demo_yuan(a, fen)), 20, true, 30, 140);
        text_at(cr, arena_sprintf(a, "日期：%s", date), 14, false, 30, 180);
        if (stamp) {
            cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.8);
            cairo_set_line_width(cr, 3);
            cairo_new_sub_path(cr);
            cairo_arc(cr, DEMO_PNG_W - 80, DEMO_PNG_H - 75, 42, 0, 2 * 3.14159265358979);
            cairo_stroke(cr);
            text_at(cr, "发票专用章", 13, true, DEMO_PNG_W - 80 - 32.5, DEMO_PNG_H - 70);
        }
        cairo_surface_flush(surface);
        strbuf_init(&sb, a, DEMO_PNG_MAX);
        if (cairo_surface_write_to_png_stream(surface, png_write, &sb) == CAIRO_STATUS_SUCCESS)
            out = strbuf_finish(&sb, ret_len);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    if (!out) {
        *ret_len = sizeof(dot_png);
        return dot_png;
    }
    return out;
}

/* "YYYY-MM-DD" of @ms in Shanghai. */
static const char *demo_date(Arena *a, int64_t ms)
{
    int64_t day;
    int y, m, d;

    time_local(ms, TIME_OFFSET_SHANGHAI, &day, &(int){ 0 });
    civil_from_days(day, &y, &m, &d);
    return arena_sprintf(a, "%04d-%02d-%02d", y, m, d);
}

typedef struct DemoItem {
    const char *name, *unit;
    int64_t quantity, unit_fen;
} DemoItem;

typedef struct DemoProject {
    const char *title, *purpose, *beneficiaries;
    int line;        /* index into the budget's lines */
    int team;        /* index into the teams, -1: by staff */
    FundsState state;
    int month;       /* when it started */
    DemoItem items[4];
    int spend_pct;   /* of the approval, spent (approved and closed ones) */
    const char *note; /* a returned or rejected one's reason; a closed one's report */
    DemoItem change;  /* FUNDS_CHANGE: the item the change adds, */
    const char *change_reason; /* and why */
} DemoProject;

static const char *const line_names[] = { "环境改善", "文体活动", "为老服务", "应急" };
static const int64_t line_budgets[] = { 3000000, 2000000, 2500000, 1000000 };

static const DemoProject projects[] = {
    { "3号楼楼道绿植角", "在3号楼各层楼道摆放耐阴绿植，美化环境，由绿植小组轮流养护", "3号楼 96 户居民",
      0, 0, FUNDS_CLOSED, 3,
      { { "绿萝、龟背竹等耐阴绿植", "盆", 40, 4500 }, { "铁艺花架", "个", 6, 28000 }, { 0 } }, 100,
      "绿植角已于 5 月建成，40 盆绿植和 6 个花架全部到位，绿植小组 12 人排班养护至今，居民满意度调查 94% 满意。" },
    { "重阳节敬老午餐会", "重阳节为 80 岁以上老人举办午餐会和义诊", "辖区 80 岁以上老人约 60 人",
      2, -1, FUNDS_CLOSED, 9,
      { { "午餐（含长寿面）", "份", 70, 3800 }, { "义诊耗材", "批", 1, 30000 }, { "慰问品", "份", 60, 5000 } },
      92, "午餐会 10 月 11 日举行，到场老人 63 位，社区卫生服务中心义诊 41 人次，结余退回。" },
    { "银发合唱团演出服装", "为合唱团添置统一演出服装，参加街道文艺汇演", "合唱团 28 名成员",
      1, 1, FUNDS_APPROVED, 6, { { "演出服（套）", "套", 28, 26000 }, { "领结、胸花", "套", 28, 2500 }, { 0 } },
      60, NULL },
    { "小区健身角维修", "更换老化的健身器材，铺设防滑地垫", "小区全体居民", 0, -1, FUNDS_STREET, 10,
      { { "健身器材", "件", 4, 150000 }, { "防滑地垫", "平方米", 60, 3000 }, { 0 } }, 0, NULL },
    { "楼道消防器材补充", "为老旧楼道补充灭火器和应急灯", "1-8 号楼居民", 3, 2, FUNDS_COUNCIL, 11,
      { { "4kg 干粉灭火器", "具", 32, 9500 }, { "应急照明灯", "个", 16, 6500 }, { 0 } }, 0, NULL },
    { "社区读书角", "在活动室设立共享书架，居民捐书换书", "社区居民，特别是儿童和老人", 1, 0,
      FUNDS_REVIEW, 11, { { "书架", "个", 3, 68000 }, { "阅读桌椅", "套", 2, 45000 }, { 0 } }, 0, NULL },
    { "儿童暑期手工课", "暑期为双职工家庭的孩子开设手工课", "", 1, -1, FUNDS_DRAFT, 11,
      { { "手工材料包", "份", 30, 2500 }, { 0 } }, 0, NULL },
    { "广场舞音响设备", "购置便携音响，控制音量不扰民", "广场舞队 40 人", 1, 1, FUNDS_RETURNED, 8,
      { { "便携音响", "台", 2, 120000 }, { 0 } }, 0,
      "请补充音量控制措施和活动时段，并附两家以上报价。" },
    { "小区外墙彩绘", "在小区外墙绘制主题壁画", "小区居民", 0, -1, FUNDS_REJECTED, 5,
      { { "外墙彩绘", "平方米", 120, 18000 }, { 0 } }, 0,
      "外墙属于房屋共用部位，彩绘需经业主大会同意，不宜使用自治金。" },
    { "老年活动室空调清洗", "入夏前清洗活动室空调，更换过滤网", "每天到活动室的老人约 50 人", 2, -1,
      FUNDS_CHANGE, 10, { { "空调清洗", "台", 6, 20000 }, { "过滤网", "片", 12, 3000 }, { 0 } }, 50,
      NULL, { "新风机滤芯", "个", 4, 12000 }, "清洗时发现新风机滤芯老化，需一并更换" },
};

static const char *const team_names[] = { "绿植小组", "银发合唱团", "楼道自治小组" };

static int64_t demo_total(const DemoProject *p, FundsAppInput *in)
{
    int64_t total = 0;

    in->n_items = 0;
    for (int i = 0; i < 4 && p->items[i].name; i++) {
        FundsItemInput *it = &in->items[in->n_items++];

        it->name = p->items[i].name;
        it->unit = p->items[i].unit;
        it->quantity = p->items[i].quantity;
        it->unit_fen = p->items[i].unit_fen;
        it->amount_fen = it->quantity * it->unit_fen;
        total += it->amount_fen;
    }
    in->total_fen = total;
    return total;
}

static Error *step(Store *st, Arena *a, FundsApp *app, FundsStepKind kind, FundsDecision d,
                   const char *reason, FundsState to, int64_t actor, const char *actor_name,
                   int64_t at)
{
    Error *err;

    if (to == FUNDS_APPROVED && kind != FUNDS_STEP_CHANGE_REVIEW)
        err = funds_store_approve(st, a, app, at);
    else
        err = funds_store_app_set_state(st, a, app, to, at);
    if (!err)
        err = funds_store_step_insert(st, a, app->id, kind, d, reason, app->total_fen,
                                      kind == FUNDS_STEP_COUNCIL ? demo_date(a, at) : NULL,
                                      kind == FUNDS_STEP_COUNCIL ? 9 : 0, actor, actor_name, at);
    if (!err)
        app->state = to;
    return err;
}

/*
 * A change of @app's budget table adding @p's change item, more than the
 * budget's percentage: it waits for re-approval (as POST …/change writes it).
 */
static Error *demo_change(Store *st, Arena *a, FundsApp *app, const DemoProject *p,
                          int64_t actor, int64_t at)
{
    FundsItem items[FUNDS_MAX_ITEMS];
    json_t *list = json_array(), *cj;
    int64_t total = 0;
    char *text = NULL;
    int n = 0;
    Error *err;

    err = funds_store_items(st, a, app->id, items, &n);
    for (int i = 0; !err && i <= n && i < 4; i++) {
        const DemoItem *it = i < n ? &p->items[i] : &p->change;

        if (!it->name)
            break;
        total += it->quantity * it->unit_fen;
        json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I}", "id",
                                              (json_int_t)(i < n ? items[i].id : 0), "name",
                                              it->name, "unit", it->unit, "quantity",
                                              (json_int_t)it->quantity, "unit_fen",
                                              (json_int_t)it->unit_fen, "amount_fen",
                                              (json_int_t)(it->quantity * it->unit_fen)));
    }
    cj = json_pack("{s:o, s:I, s:s}", "items", list, "total_fen", (json_int_t)total, "reason",
                   p->change_reason);
    text = cj ? json_dumps(cj, JSON_COMPACT) : NULL;
    json_decref(cj);
    if (!err && !text)
        err = error_internal(a, "demo: change_json");
    if (!err)
        err = funds_store_set_change(st, a, app->id, arena_strdup(a, text));
    free(text);
    if (!err)
        err = funds_store_app_set_state(st, a, app, FUNDS_CHANGE, at);
    if (!err)
        err = funds_store_step_insert(st, a, app->id, FUNDS_STEP_CHANGE, FUNDS_NONE,
                                      p->change_reason, total, NULL, 0, actor, "李社工", at);
    return err;
}

/* Drives @p to its state through the chain, as the routes would. */
static Error *demo_project(Store *st, Arena *a, const FundsBudget *b, const int64_t *lines,
                           const int64_t *teams, const FundsDemoPeople *who, const DemoProject *p,
                           int64_t at)
{
    FundsAppInput *in = arena_alloc(a, sizeof(*in));
    FundsApp *app = NULL;
    FundsState target = p->state;
    int64_t id = 0, applicant = p->team == 0 && who->resident_user ? who->resident_user : who->staff;
    Error *err;

    memset(in, 0, sizeof(*in));
    in->line_id = lines[p->line];
    in->team_id = p->team >= 0 ? teams[p->team] : 0;
    in->title = p->title;
    in->purpose = p->purpose;
    in->beneficiaries = p->beneficiaries;
    in->starts_on = arena_sprintf(a, "%04d-%02d-01", b->year, p->month);
    in->ends_on = arena_sprintf(a, "%04d-%02d-28", b->year, p->month < 12 ? p->month + 1 : 12);
    demo_total(p, in);
    err = funds_store_app_insert(st, a, b, in, applicant, at, &id);
    if (!err)
        err = funds_store_app_get(st, a, id, &app);
    if (err || target == FUNDS_DRAFT)
        return err;
    /* what it applies with: a supplier's quotation */
    {
        size_t len = 0;
        const void *png = demo_png(a, "报价单", arena_sprintf(a, "%s × %lld %s", p->items[0].name,
                                                               (long long)p->items[0].quantity,
                                                               p->items[0].unit),
                                   in->total_fen, demo_date(a, at), false, &len);
        int64_t fid = 0;

        err = funds_store_file_insert(st, a, id, "attachment", "报价单.png", "image/png", png, len,
                                      applicant, at, &fid);
        if (err)
            return err;
    }
    err = step(st, a, app, FUNDS_STEP_SUBMIT, FUNDS_NONE, "", FUNDS_REVIEW, applicant, "申请人", at);
    if (err || target == FUNDS_REVIEW)
        return err;
    if (target == FUNDS_RETURNED || target == FUNDS_REJECTED)
        return step(st, a, app, FUNDS_STEP_REVIEW,
                    target == FUNDS_RETURNED ? FUNDS_RETURN : FUNDS_REJECT, p->note, target,
                    who->staff, "李社工", at + TIME_DAY_MS);
    err = step(st, a, app, FUNDS_STEP_REVIEW, FUNDS_APPROVE, "材料齐全，同意提交议事会", FUNDS_COUNCIL,
               who->staff, "李社工", at + TIME_DAY_MS);
    if (err || target == FUNDS_COUNCIL)
        return err;
    err = step(st, a, app, FUNDS_STEP_COUNCIL, FUNDS_APPROVE,
               "议事会 9 名成员到会，8 票同意，认为项目惠及居民、预算合理",
               app->total_fen > b->street_min_fen ? FUNDS_STREET : FUNDS_APPROVED, who->staff,
               "李社工", at + 3 * TIME_DAY_MS);
    if (err || target == FUNDS_STREET)
        return err;
    if (app->state == FUNDS_STREET)
        err = step(st, a, app, FUNDS_STEP_STREET, FUNDS_APPROVE, "同意", FUNDS_APPROVED, who->street,
                   "街道管理员", at + 5 * TIME_DAY_MS);
    if (err)
        return err;
    err = funds_store_app_get(st, a, id, &app);
    if (err)
        return err;
    /* execution: a milestone, spending against each item with a receipt */
    {
        FundsItem items[FUNDS_MAX_ITEMS];
        int n = 0;
        int64_t ms = 0, spent = 0, budget = app->approved_fen * p->spend_pct / 100;

        err = funds_store_milestone_insert(st, a, id, "采购到位",
                                           arena_sprintf(a, "%04d-%02d-15", b->year, p->month),
                                           at, &ms);
        if (!err)
            err = funds_store_milestone_report(st, a, ms, "物品已全部采购并验收，票据附后。",
                                               applicant, at + 10 * TIME_DAY_MS);
        if (!err)
            err = funds_store_items(st, a, id, items, &n);
        for (int i = 0; !err && i < n && spent < budget; i++) {
            int64_t amount = items[i].amount_fen;
            int64_t receipt = 0, sid = 0;
            const char *on = arena_sprintf(a, "%04d-%02d-%02d", b->year, p->month, 10 + i);
            const void *png;
            size_t len = 0;

            if (spent + amount > budget)
                amount = budget - spent;
            if (amount <= 0)
                break;
            png = demo_png(a, "增值税普通发票", arena_sprintf(a, "项目：%s", p->items[i].name), amount,
                           on, true, &len);
            err = funds_store_file_insert(st, a, id, "receipt", arena_sprintf(a, "发票-%d.png", i + 1),
                                          "image/png", png, len, applicant, at + 10 * TIME_DAY_MS,
                                          &receipt);
            if (!err)
                err = funds_store_file_attach(st, a, receipt, id, ms, NULL);
            if (!err)
                err = funds_store_spend(st, a, app, items[i].id, amount, on,
                                        "按发票金额入账", receipt, who->staff,
                                        at + 10 * TIME_DAY_MS, &sid);
            if (!err)
                err = funds_store_app_get(st, a, id, &app);
            spent += amount;
        }
    }
    if (err || target == FUNDS_APPROVED)
        return err;
    if (target == FUNDS_CHANGE)
        return demo_change(st, a, app, p, applicant, at + 12 * TIME_DAY_MS);
    err = funds_store_close(st, a, app, p->note, at + 40 * TIME_DAY_MS);
    if (!err)
        err = funds_store_step_insert(st, a, id, FUNDS_STEP_CLOSE, FUNDS_NONE, p->note,
                                      app->spent_fen, NULL, 0, applicant, "申请人",
                                      at + 40 * TIME_DAY_MS);
    if (!err && who->resident_user)
        err = funds_store_evaluate(st, a, id, who->resident_user, 5, "办得实在，谢谢大家",
                                   at + 45 * TIME_DAY_MS);
    return err;
}

static Error *demo_year(Store *st, Arena *a, const char *community, int year, int n_projects,
                        const int64_t *teams, const FundsDemoPeople *who, int64_t now_ms)
{
    FundsLineInput lines[4];
    int64_t line_ids[4], budget_id = 0;
    FundsBudget *b = NULL;
    Error *err;

    for (int i = 0; i < 4; i++)
        lines[i] = (FundsLineInput){ line_names[i], line_budgets[i] };
    err = funds_store_budget_insert(st, a, community, year, 500000, 10,
                                    "街道核定，按科目使用，年底结余收回", lines, 4, who->street,
                                    now_ms, &budget_id);
    if (!err)
        err = funds_store_budget_get(st, a, budget_id, &b);
    if (err)
        return err;
    err = funds_store_line_ids(st, a, budget_id, line_ids, 4);
    for (int i = 0; !err && i < n_projects; i++) {
        const DemoProject *p = &projects[i];
        int64_t at = time_day_start_ms(days_from_civil(year, p->month, 2), TIME_OFFSET_SHANGHAI) +
                     9 * 60 * TIME_MINUTE_MS;

        if (at > now_ms)
            at = now_ms - (int64_t)(n_projects - i) * TIME_DAY_MS * 3;
        err = demo_project(st, a, b, line_ids, teams, who, p, at);
    }
    return err;
}

Error *funds_demo(Store *st, Arena *a, const char *community, int64_t now_ms, int64_t *ret_n)
{
    FundsDemoPeople who;
    int64_t teams[3] = { 0 }, day;
    int y, m, d;
    Error *err;

    *ret_n = 0;
    err = funds_store_demo_people(st, a, community, &who);
    if (err)
        return err;
    if (!who.staff || !who.street || who.n_others < 3)
        return NULL; /* a demo without its accounts or residents: no funds */
    for (int i = 0; !err && i < 3; i++)
        err = funds_store_team_insert(st, a, community, team_names[i],
                                      i == 0 && who.resident ? who.resident : who.others[i],
                                      (int64_t)(12 + 8 * i), "", who.staff, now_ms, &teams[i]);
    if (err)
        return err;
    time_local(now_ms, TIME_OFFSET_SHANGHAI, &day, &(int){ 0 });
    civil_from_days(day, &y, &m, &d);
    /* last year: two projects, both closed; this year: every state */
    err = demo_year(st, a, community, y - 1, 2, teams, &who, now_ms);
    if (!err)
        err = demo_year(st, a, community, y, (int)(sizeof(projects) / sizeof(projects[0])), teams,
                        &who, now_ms);
    if (!err)
        *ret_n = 2 + (int64_t)(sizeof(projects) / sizeof(projects[0]));
    return err;
}
