/*
 * Demo announcements for `linli demo`: the notices a 居委会 posts in a month
 * (a water stop, a safety reminder, a health check for the very old, a lift
 * inspection in one building, the street's own, one already over), and the
 * residents who read them. Two households in three of the community get a
 * resident account (no password: nobody logs in with it) so that
 * "已读 N / M 户" has something to count; its members read a notice within
 * hours to days of its publication, older notices by more of them.
 */
#include <string.h>

#include "announce/announce.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char SQL_DEMO_AUTHOR[] =
    "SELECT id, username, display_name, scope FROM app_user WHERE username = ?1";

static const char SQL_DEMO_ACCOUNTS[] =
    "INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name,"
    " created_at)"
    " SELECT 'hh' || h.id, '!', 'resident', h.community, h.id,"
    "  (SELECT r.name FROM resident r WHERE r.household_id = h.id AND r.status = 'active'"
    "   ORDER BY r.id LIMIT 1), ?2"
    " FROM household h WHERE h.community = ?1 AND h.id % 3 <> 0"
    " AND EXISTS (SELECT 1 FROM resident r WHERE r.household_id = h.id AND r.status = 'active')"
    " AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.household_id = h.id)";

static const char SQL_DEMO_HOUSEHOLD[] =
    "SELECT coalesce(household_id, 0) FROM app_user WHERE id = ?1 AND username <> 'resident'";

static const char SQL_DEMO_FIRST_BUILDING[] =
    "SELECT id FROM building WHERE community = ?1 ORDER BY id LIMIT 1";

typedef struct DemoNotice {
    int scope;               /* 0 community, 1 street, 2 the first building, 3 its unit 1 */
    const char *author;
    const char *tag;
    const char *title;
    const char *body;
    bool pinned;
    int age_hours;           /* published this long ago */
    int ends_hours;          /* ends this long from now (negative: over); 0: open-ended */
    int read_pct;            /* of the accounts reached, how many read it */
    int days[2];             /* {d0}, {d1} in the text: these days from the demo's day; {w0} d0's weekday */
} DemoNotice;

static const DemoNotice NOTICES[] = {
    { 0, "staff", NULL, "{d0}小区二次供水水箱清洗停水通知",
      "各位居民：\n为保障饮用水卫生，物业将于{d0}（{w0}）8:30至16:00清洗小区二次供水水箱，"
      "期间全小区停水。请提前做好储水准备，停水期间请关闭家中水龙头，以免来水时跑水。\n"
      "如有困难（如行动不便的独居老人需要送水），请联系居委会：021-62251234。\n"
      "感谢大家的理解与配合！",
      true, 30, 24 * 4, 62, { 3, 0 } },
    { 0, "secretary", NULL, "冬季用电安全提醒：严禁楼道飞线充电",
      "近期天气转冷，电动自行车充电和取暖用电增多。根据《上海市电动自行车安全管理条例》，"
      "严禁在楼道、楼梯间等公共区域停放电动自行车或为其充电，严禁私拉电线“飞线充电”。\n"
      "小区东门充电棚已增设 20 个充电口，扫码即可使用。发现飞线充电，可在“我要报事”中随手拍上报。",
      false, 24 * 5, 0, 71, { 0, 0 } },
    { 0, "staff", "高龄", "80岁以上老人冬季免费健康体检预约",
      "社区卫生服务中心为辖区80周岁以上老人提供免费冬季健康体检（血压、血糖、心电图等）。"
      "{d0}至{d1}，每天8:00-10:30，请携带身份证和医保卡到服务站二楼。"
      "行动不便的老人可预约上门，由家庭医生团队入户。",
      false, 24 * 2, 24 * 12, 48, { 8, 12 } },
    { 2, "staff", NULL, "电梯年度检验暂停使用通知",
      "本楼电梯将于{d0}（{w0}）9:00至12:00进行年度安全检验，届时暂停使用。"
      "需要协助上下楼的居民请提前联系楼组长或居委会。",
      false, 20, 24 * 5, 55, { 4, 0 } },
    { 1, "street", NULL, "新华路街道征兵宣传",
      "今年的征兵报名工作已经开始。年满18至22周岁的男青年（高校毕业生可放宽至24周岁）"
      "均可登录“全国征兵网”报名。街道武装部咨询电话：021-62801234。",
      false, 24 * 8, 24 * 20, 33, { 0, 0 } },
    { 0, "staff", NULL, "假期居委会值班安排",
      "{d0}至{d1}假期期间，居委会每天9:00-16:00安排值班，急事请拨打值班电话。",
      false, 24 * 68, -24 * 58, 80, { -66, -59 } },
};

static Error *find_user(Store *st, Arena *a, const char *username, User *ret, bool *ret_found)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_AUTHOR);
    StoreResult r;

    store_bind_text(s, 1, username);
    r = store_step(s);
    *ret_found = r == STORE_ROW;
    if (r == STORE_ROW) {
        memset(ret, 0, sizeof(*ret));
        ret->id = store_column_int64(s, 0);
        ret->username = store_column_text(s, a, 1);
        ret->display_name = store_column_text(s, a, 2);
        ret->scope = store_column_text(s, a, 3);
    } else if (r != STORE_DONE) {
        return store_error(st, a);
    }
    store_reset(s);
    return NULL;
}

static Error *single_int(Store *st, Arena *a, const char *sql, const char *text, int64_t num,
                         int64_t *ret)
{
    StoreStmt *s = store_prepare(st, a, sql);
    StoreResult r;

    if (text)
        store_bind_text(s, 1, text);
    else
        store_bind_int64(s, 1, num);
    r = store_step(s);
    *ret = r == STORE_ROW ? store_column_int64(s, 0) : 0;
    if (r != STORE_ROW && r != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

/* A small deterministic generator: the same demo every time. */
static uint64_t next_rand(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static Error *demo_reads(Store *st, Arena *a, const AnnounceInput *in, int64_t id,
                         int64_t published_ms, int64_t now_ms, int read_pct, uint64_t *rnd)
{
    int64_t *users = NULL, household = 0, read_at = 0;
    size_t n = 0;
    Error *err;

    err = announce_store_reached_users(st, a, in, &users, &n);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        int64_t delay = (int64_t)(next_rand(rnd) % 100);
        int64_t at;

        if ((int)(next_rand(rnd) % 100) >= read_pct)
            continue;
        /* most read within hours, a few days later */
        at = published_ms + (delay * delay * delay / 100 + 5) * 60 * 1000;
        if (at >= now_ms)
            continue;
        /* the demo's own resident (who logs in) finds her notices unread */
        err = single_int(st, a, SQL_DEMO_HOUSEHOLD, NULL, users[i], &household);
        if (!err && household)
            err = announce_store_read(st, a, id, users[i], household, at, &read_at);
        if (err)
            return err;
    }
    return NULL;
}

/*
 * The working hours of the day of @t at which notice @i was posted (staff
 * post between 09:00 and 17:00, not at the hour the demo happens to run),
 * a day earlier when that is still ahead of @now.
 */
static int64_t office_hours(int64_t t, size_t i, int64_t now)
{
    int64_t day, at;
    int minute;

    time_local(t, TIME_OFFSET_SHANGHAI, &day, &minute);
    at = time_day_start_ms(day, TIME_OFFSET_SHANGHAI) +
         (int64_t)(9 * 60 + (int)(i * 97 % 480)) * TIME_MINUTE_MS;
    return at > now ? at - TIME_DAY_MS : at;
}

/* @tpl with {d0}, {d1} ("12月9日": @days from @today) and {w0} (d0's "周三") filled in. */
static const char *dated(Arena *a, const char *tpl, int64_t today, const int days[2])
{
    static const char *const WEEKDAYS[] = { "周一", "周二", "周三", "周四", "周五", "周六", "周日" };
    char *out = arena_strdup(a, tpl), *at;

    while ((at = strchr(out, '{')) && at[1] && at[2] && at[3] == '}') {
        int k = at[2] == '1' ? 1 : 0, y, m, d;
        const char *v;

        civil_from_days(today + days[k], &y, &m, &d);
        v = at[1] == 'w' ? WEEKDAYS[time_weekday(today + days[k]) - 1]
                         : arena_sprintf(a, "%d月%d日", m, d);
        *at = '\0';
        out = arena_sprintf(a, "%s%s%s", out, v, at + 4);
    }
    return out;
}

Error *announce_demo(Store *st, Arena *a, const char *community)
{
    int64_t now = time_now_ms(), building = 0, id, today;
    uint64_t rnd = 2026;
    int minute;
    const char *street = arena_strndup(a, community, 9);
    StoreStmt *s;
    Error *err;

    time_local(now, TIME_OFFSET_SHANGHAI, &today, &minute);
    s = store_prepare(st, a, SQL_DEMO_ACCOUNTS);
    store_bind_text(s, 1, community);
    store_bind_int64(s, 2, now - 90 * TIME_DAY_MS);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    err = single_int(st, a, SQL_DEMO_FIRST_BUILDING, community, 0, &building);
    if (err)
        return err;

    for (size_t i = 0; i < ARRAY_SIZE(NOTICES); i++) {
        const DemoNotice *d = &NOTICES[i];
        AnnounceInput in = { 0 };
        int64_t published = office_hours(now - (int64_t)d->age_hours * 3600 * 1000, i, now);
        User author;
        bool found = false;

        err = find_user(st, a, d->author, &author, &found);
        if (err)
            return err;
        if (!found || (d->scope >= 2 && !building))
            continue;
        in.scope = d->scope == 1 ? street : community;
        in.building_id = d->scope >= 2 ? building : 0;
        in.unit = d->scope == 3 ? 1 : 0;
        in.tag = d->tag;
        in.title = dated(a, d->title, today, d->days);
        in.body = dated(a, d->body, today, d->days);
        in.pinned = d->pinned;
        in.ends_at_ms = d->ends_hours ? now + (int64_t)d->ends_hours * 3600 * 1000 : 0;
        err = announce_store_insert(st, a, &in, &author, published, &id);
        if (!err)
            err = demo_reads(st, a, &in, id, published, now, d->read_pct, &rnd);
        if (err)
            return err;
    }
    return NULL;
}
