/*
 * registry_store_stats reads counters that schema 0009's triggers keep. These
 * tests write to the tables in the ways no API route does today (a resident
 * row deleted, a tag that stops being a key population, a building moved or
 * deleted, a savepoint rolled back) and compare the statistics with a recount
 * of the rows: ages from birth dates by age_on, counts by plain SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/timeutil.h"
#include "registry/registry_store.h"
#include "store/store.h"

#define C1 "310105004001"
#define C2 "310105004002"
#define STREET "310105004"

typedef struct Fixture {
    char dir[32];
    char path[64];
    Store *st;
    Arena *a;
} Fixture;

static const char SQL_SEED[] =
    "INSERT INTO division (code, name, level, parent_code) VALUES"
    " ('" STREET "', '新华路街道', 4, NULL),"
    " ('" C1 "', '甲居委会', 5, '" STREET "'), ('" C2 "', '乙居委会', 5, '" STREET "');"
    "INSERT INTO building (id, community, name, units, floors, created_at) VALUES"
    " (1, '" C1 "', '1号楼', 2, 6, 0), (2, '" C2 "', '2号楼', 2, 6, 0), (3, '" C1 "', '3号楼', 1, 1, 0);"
    "INSERT INTO household (id, building_id, community, unit, floor, room, created_at) VALUES"
    " (1, 1, '" C1 "', 1, 1, '101', 0), (2, 1, '" C1 "', 1, 2, '201', 0),"
    " (3, 2, '" C2 "', 1, 1, '101', 0), (4, 3, '" C1 "', 1, 1, '101', 0);";

/* recount: the rows themselves, never the counters */
static const char SQL_COUNT_BUILDINGS[] =
    "SELECT count(*) FROM building WHERE community >= ?1 AND community < ?2";
static const char SQL_COUNT_HOUSEHOLDS[] =
    "SELECT count(*) FROM household WHERE community >= ?1 AND community < ?2";
static const char SQL_ACTIVE[] =
    "SELECT gender, birth_date FROM resident"
    " WHERE status = 'active' AND community >= ?1 AND community < ?2";
static const char SQL_KEY_POPULATION[] =
    "SELECT count(*) FROM resident r WHERE r.status = 'active' AND r.community >= ?1"
    " AND r.community < ?2 AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag"
    " WHERE rt.resident_id = r.id AND t.key_population = 1)";
static const char SQL_TAGGED[] =
    "SELECT t.name, (SELECT count(*) FROM resident_tag rt JOIN resident r ON r.id = rt.resident_id"
    " WHERE rt.tag = t.name AND r.status = 'active' AND r.community >= ?1 AND r.community < ?2)"
    " FROM tag t";
static const char SQL_TAGS_OF[] =
    "SELECT count(*) FROM resident_tag WHERE resident_id = ?1 AND ?2 IS NOT NULL";

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    const char *errmsg = NULL;
    int applied, version;

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/linli-stats-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    store_global_init();
    f->st = store_open(f->path, &errmsg);
    assert_non_null(f->st);
    f->a = arena_new(0);
    assert_null(store_migrate(f->st, f->a, &applied, &version));
    assert_true(version >= 9);
    assert_null(store_exec(f->st, f->a, SQL_SEED));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char p[96];

    arena_free(f->a);
    store_close(f->st);
    unlink(f->path);
    snprintf(p, sizeof(p), "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", f->path);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int64_t count1(Fixture *f, const char *sql, const char *lo, const char *hi)
{
    StoreStmt *s = store_prepare(f->st, f->a, sql);
    int64_t n;

    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    assert_int_equal(store_step(s), STORE_ROW);
    n = store_column_int64(s, 0);
    store_reset(s);
    return n;
}

static const char *band_of(int age)
{
    return age < 7 ? "0-6" : age < 18 ? "7-17" : age < 60 ? "18-59" : age < 80 ? "60-79" : "80+";
}

static int64_t member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    assert_non_null(v);
    return json_integer_value(v);
}

/* registry_store_stats for the codes starting with @prefix, against the recount */
static void check(Fixture *f, const char *prefix)
{
    static const char *const bands[] = { "0-6", "7-17", "18-59", "60-79", "80+" };
    int64_t want_band[5] = { 0 }, male = 0, female = 0, residents = 0;
    const char *lo = prefix, *hi = arena_sprintf(f->a, "%s~", prefix); /* as auth_scope_bounds */
    json_t *out = json_object();
    char today[11];
    StoreStmt *s;
    StoreResult r;

    assert_null(registry_store_stats(f->st, f->a, lo, hi, out));

    assert_int_equal(member(out, "buildings"), count1(f, SQL_COUNT_BUILDINGS, lo, hi));
    assert_int_equal(member(out, "households"), count1(f, SQL_COUNT_HOUSEHOLDS, lo, hi));
    assert_int_equal(member(out, "key_population"), count1(f, SQL_KEY_POPULATION, lo, hi));

    date_today(today);
    s = store_prepare(f->st, f->a, SQL_ACTIVE);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW) {
        const char *g = store_column_text(s, f->a, 0);
        const char *band = band_of(age_on(store_column_text(s, f->a, 1), today));

        residents++;
        if (strcmp(g, "male") == 0)
            male++;
        else
            female++;
        for (size_t i = 0; i < 5; i++)
            if (strcmp(band, bands[i]) == 0)
                want_band[i]++;
    }
    assert_int_equal(r, STORE_DONE);
    assert_int_equal(member(out, "residents"), residents);
    assert_int_equal(member(json_object_get(out, "by_gender"), "male"), male);
    assert_int_equal(member(json_object_get(out, "by_gender"), "female"), female);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(member(json_object_get(out, "by_age_band"), bands[i]), want_band[i]);

    s = store_prepare(f->st, f->a, SQL_TAGGED);
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    while ((r = store_step(s)) == STORE_ROW)
        assert_int_equal(member(json_object_get(out, "by_tag"), store_column_text(s, f->a, 0)),
                         store_column_int64(s, 1));
    assert_int_equal(r, STORE_DONE);
    json_decref(out);
}

static void check_all(Fixture *f)
{
    check(f, C1);
    check(f, C2);
    check(f, STREET);
}

/* "YYYY-MM-DD" @years before today, plus @days */
static char *born(Fixture *f, int years, int days)
{
    char today[11];
    int y, m, d;
    int64_t z;

    date_today(today);
    date_parse(today, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    z = days_from_civil(y - years, m, d) + days;
    civil_from_days(z, &y, &m, &d);
    return arena_sprintf(f->a, "%04d-%02d-%02d", y, m, d);
}

static void add_resident(Fixture *f, int id, int household, const char *gender, const char *birth,
                         const char *status, const char *tags_sql)
{
    const char *sql = arena_sprintf(
        f->a,
        "INSERT INTO resident (id, household_id, building_id, community, name, name_initials,"
        " gender, birth_date, status, created_at, updated_at)"
        " SELECT %d, h.id, h.building_id, h.community, '某', 'm', '%s', '%s', '%s', 0, 0"
        " FROM household h WHERE h.id = %d; %s",
        id, gender, birth, status, household, tags_sql ? tags_sql : "");

    assert_null(store_exec(f->st, f->a, sql));
}

static void seed_residents(Fixture *f)
{
    add_resident(f, 1, 1, "male", born(f, 7, 0), "active",
                 "INSERT INTO resident_tag VALUES (1, '儿童'), (1, '残疾');");
    add_resident(f, 2, 1, "female", born(f, 7, 1), "active", "INSERT INTO resident_tag VALUES (2, '儿童');");
    add_resident(f, 3, 2, "female", born(f, 80, 0), "active",
                 "INSERT INTO resident_tag VALUES (3, '独居老人'), (3, '高龄'), (3, '党员');");
    add_resident(f, 4, 2, "male", born(f, 60, -40), "active", "INSERT INTO resident_tag VALUES (4, '党员');");
    add_resident(f, 5, 3, "female", born(f, 18, 1), "active", "INSERT INTO resident_tag VALUES (5, '低保');");
    add_resident(f, 6, 3, "male", born(f, 40, 0), "moved_out", "INSERT INTO resident_tag VALUES (6, '低保');");
    add_resident(f, 9, 4, "female", born(f, 85, 3), "active",
                 "INSERT INTO resident_tag VALUES (9, '独居老人'), (9, '志愿者');");
}

static void test_registry_store_stats_rows_written_directly(void **state)
{
    Fixture *f = *state;

    check_all(f);
    seed_residents(f);
    check_all(f);
}

static void test_registry_store_stats_resident_deleted(void **state)
{
    Fixture *f = *state;

    seed_residents(f);
    /* the foreign key's cascade and the trigger must not both take the tags off */
    assert_null(store_exec(f->st, f->a, "DELETE FROM resident WHERE id = 9"));
    assert_int_equal(count1(f, SQL_TAGS_OF, "9", ""), 0);
    check_all(f);
    /* a moved-out resident deleted: she counted nowhere */
    assert_null(store_exec(f->st, f->a, "DELETE FROM resident WHERE id = 6"));
    check_all(f);
    /* status back to active, and out again */
    assert_null(store_exec(f->st, f->a, "UPDATE resident SET status = 'moved_out' WHERE id = 3"));
    check_all(f);
    assert_null(store_exec(f->st, f->a, "UPDATE resident SET status = 'active' WHERE id = 3"));
    check_all(f);
}

static void test_registry_store_stats_tags_changed(void **state)
{
    Fixture *f = *state;

    seed_residents(f);
    /* a tag row is never updated in place */
    assert_non_null(store_exec(f->st, f->a, "UPDATE resident_tag SET tag = '高龄' WHERE resident_id = 2"));
    check_all(f);
    /* a tag that stops being, then becomes again, a key population */
    assert_null(store_exec(f->st, f->a, "UPDATE tag SET key_population = 0 WHERE name = '独居老人'"));
    check_all(f);
    assert_null(store_exec(f->st, f->a, "UPDATE tag SET key_population = 1 WHERE name = '党员'"));
    check_all(f);
    assert_null(store_exec(f->st, f->a, "UPDATE tag SET key_population = 1 WHERE name = '独居老人'"));
    check_all(f);
    /* ... and leaves a community with no key population at all */
    assert_null(store_exec(f->st, f->a, "UPDATE tag SET key_population = 0 WHERE name = '低保'"));
    check_all(f);
    assert_null(store_exec(f->st, f->a, "UPDATE tag SET key_population = 1 WHERE name = '低保'"));
    check_all(f);
    /* tags removed one by one and all at once */
    assert_null(store_exec(f->st, f->a, "DELETE FROM resident_tag WHERE resident_id = 3 AND tag = '高龄'"));
    check_all(f);
    assert_null(store_exec(f->st, f->a, "DELETE FROM resident_tag WHERE resident_id IN (1, 3)"));
    check_all(f);
}

static void test_registry_store_stats_buildings_moved_and_deleted(void **state)
{
    Fixture *f = *state;

    seed_residents(f);
    /* building 3, its household and its resident go over to the other community */
    assert_null(store_exec(f->st, f->a,
                           "UPDATE building SET community = '" C2 "' WHERE id = 3;"
                           "UPDATE household SET community = '" C2 "' WHERE id = 4;"
                           "UPDATE resident SET community = '" C2 "' WHERE household_id = 4;"));
    check_all(f);
    assert_null(store_exec(f->st, f->a,
                           "DELETE FROM resident WHERE household_id = 4;"
                           "DELETE FROM household WHERE id = 4; DELETE FROM building WHERE id = 3;"));
    check_all(f);
}

static void test_registry_store_stats_rolled_back(void **state)
{
    Fixture *f = *state;

    seed_residents(f);
    /* a savepoint rolled back, as an import's refused row */
    assert_null(store_begin(f->st, f->a));
    assert_null(store_savepoint(f->st, f->a, "row"));
    add_resident(f, 20, 2, "male", born(f, 50, 0), "active", "INSERT INTO resident_tag VALUES (20, '失业');");
    assert_null(store_exec(f->st, f->a, "UPDATE resident SET birth_date = '2020-01-01' WHERE id = 4"));
    store_rollback_to(f->st, "row");
    assert_null(store_savepoint(f->st, f->a, "row"));
    add_resident(f, 21, 3, "female", born(f, 3, 0), "active", "INSERT INTO resident_tag VALUES (21, '儿童');");
    assert_null(store_release(f->st, f->a, "row"));
    assert_null(store_commit(f->st, f->a));
    check_all(f);
    /* a whole transaction rolled back */
    assert_null(store_begin(f->st, f->a));
    add_resident(f, 22, 1, "male", born(f, 90, 0), "active", "INSERT INTO resident_tag VALUES (22, '高龄');");
    assert_null(store_exec(f->st, f->a,
                           "UPDATE resident SET status = 'moved_out' WHERE id = 3;"
                           "DELETE FROM resident_tag WHERE resident_id = 1;"
                           "INSERT INTO building (community, name, units, floors, created_at)"
                           " VALUES ('" C2 "', '临时楼', 1, 1, 0);"));
    store_rollback(f->st);
    check_all(f);
}

/*
 * Schema 14: every write to a registry table changes the data version seen
 * from the communities it touches (both, when a row moves), and leaves the
 * other community's unchanged; tags and divisions change everyone's.
 */
typedef struct Versions {
    int64_t c1, c2, street, all;
} Versions;

static Versions versions(Fixture *f)
{
    Versions v;

    assert_true(store_data_version(f->st, f->a, "registry", C1, C1 "~", &v.c1));
    assert_true(store_data_version(f->st, f->a, "registry", C2, C2 "~", &v.c2));
    assert_true(store_data_version(f->st, f->a, "registry", STREET, STREET "~", &v.street));
    assert_true(store_data_version(f->st, f->a, "registry", "", "~", &v.all));
    return v;
}

/* Runs @sql and checks which of C1 and C2 saw a change (the street and all always do). */
static void changes(Fixture *f, const char *sql, bool c1, bool c2)
{
    Versions a = versions(f), b;

    assert_null(store_exec(f->st, f->a, sql));
    b = versions(f);
    if ((b.c1 != a.c1) != c1 || (b.c2 != a.c2) != c2)
        fail_msg("%s: C1 %s, C2 %s", sql, b.c1 != a.c1 ? "changed" : "kept",
                 b.c2 != a.c2 ? "changed" : "kept");
    assert_true(b.street > a.street);
    assert_true(b.all > a.all);
}

static void test_registry_store_versions_per_community(void **state)
{
    Fixture *f = *state;

    seed_residents(f);
    changes(f, "INSERT INTO grid (community, name, created_at) VALUES ('" C1 "', '一网格', 0)", true, false);
    changes(f, "UPDATE grid SET name = '二网格'", true, false);
    changes(f, "UPDATE grid SET community = '" C2 "'", true, true);
    changes(f, "DELETE FROM grid", false, true);
    changes(f, "INSERT INTO building (id, community, name, units, floors, created_at)"
               " VALUES (7, '" C2 "', '7号楼', 1, 1, 0)", false, true);
    changes(f, "UPDATE building SET floors = 9 WHERE id = 1", true, false);
    changes(f, "INSERT INTO household (id, building_id, community, unit, floor, room, created_at)"
               " VALUES (7, 7, '" C2 "', 1, 1, '101', 0)", false, true);
    changes(f, "UPDATE household SET area_m2 = 70 WHERE id = 1", true, false);
    changes(f, "UPDATE resident SET name = '某某' WHERE id = 5", false, true);
    changes(f, "UPDATE resident SET household_id = 7 WHERE id = 5", false, true);
    /* a resident moved by rows alone (no history event): both communities */
    changes(f, "UPDATE resident SET community = '" C1 "', household_id = 1, building_id = 1"
               " WHERE id = 5", true, true);
    changes(f, "INSERT INTO resident_tag VALUES (4, '失业')", true, false);
    changes(f, "DELETE FROM resident_tag WHERE resident_id = 4 AND tag = '失业'", true, false);
    changes(f, "INSERT INTO residence_event (resident_id, kind, household_id, date, created_at)"
               " VALUES (2, 'move_in', 1, '2020-01-01', 0)", true, false);
    changes(f, "UPDATE residence_event SET reason = '更正' WHERE resident_id = 2", true, false);
    changes(f, "DELETE FROM residence_event WHERE resident_id = 2", true, false);
    changes(f, "DELETE FROM resident WHERE id = 9", true, false);
    changes(f, "DELETE FROM household WHERE id = 7", false, true);
    changes(f, "DELETE FROM building WHERE id = 7", false, true);
    /* shown by every answer: a tag, a division */
    changes(f, "INSERT INTO tag (name, key_population, builtin) VALUES ('新标签', 0, 0)", true, true);
    changes(f, "UPDATE division SET name = '甲社区' WHERE code = '" C1 "'", true, true);
    /* a write outside the registry changes nothing */
    {
        Versions a = versions(f), b;

        assert_null(store_exec(f->st, f->a,
                               "INSERT INTO audit (at, username, role, action, object_type, community)"
                               " VALUES (0, 'u', 'staff', 'x', 'resident', '" C1 "')"));
        b = versions(f);
        assert_int_equal(a.c1, b.c1);
        assert_int_equal(a.all, b.all);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry_store_stats_rows_written_directly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_store_stats_resident_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_store_stats_tags_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_store_stats_buildings_moved_and_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_store_stats_rolled_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_store_versions_per_community, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
