/*
 * points_award, the function the volunteers' ledger will call when hours
 * are confirmed (and activities calls at a sign-in): the rule's points for
 * the quantity, rounded down; idempotent per resident, rule and reference;
 * held to the rule's yearly cap; nothing for a rule of 0 points; the ledger
 * reconciles; and a spend over the balance is refused by points_store_move
 * without writing. On a SQLite file migrated from scratch.
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

#include "core/timeutil.h"
#include "points/points_store.h"
#include "store/store.h"

#define C1 "310105004001"
#define STREET "310105004"

typedef struct Fixture {
    char dir[32];
    char path[64];
    Store *st;
    Arena *a;
} Fixture;

static const char SQL_SEED[] =
    "INSERT INTO division (code, name, level, parent_code) VALUES"
    " ('" STREET "', '新华路街道', 4, NULL), ('" C1 "', '甲居委会', 5, '" STREET "');"
    "INSERT INTO building (id, community, name, units, floors, created_at) VALUES"
    " (1, '" C1 "', '1号楼', 2, 6, 0);"
    "INSERT INTO household (id, building_id, community, unit, floor, room, created_at) VALUES"
    " (1, 1, '" C1 "', 1, 1, '101', 0);"
    "INSERT INTO resident (id, household_id, building_id, community, name, name_initials, gender,"
    " birth_date, status, created_at, updated_at) VALUES"
    " (1, 1, 1, '" C1 "', '甲', 'j', 'female', '1960-01-01', 'active', 0, 0),"
    " (2, 1, 1, '" C1 "', '乙', 'y', 'male', '1962-01-01', 'active', 0, 0);";

static const char SQL_BALANCE[] = "SELECT balance FROM points_account WHERE resident_id = ?1";
static const char SQL_SUM[] =
    "SELECT coalesce(sum(delta), 0) FROM points_entry WHERE resident_id = ?1";
static const char SQL_ENTRIES[] = "SELECT count(*) FROM points_entry WHERE id > ?1";

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    const char *errmsg = NULL;
    int applied, version;

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/linli-points-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    store_global_init();
    f->st = store_open(f->path, &errmsg);
    assert_non_null(f->st);
    f->a = arena_new(0);
    assert_null(store_migrate(f->st, f->a, &applied, &version));
    assert_true(version >= 36);
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

static int64_t one(Fixture *f, const char *sql, int64_t arg)
{
    int64_t n = -1;

    assert_null(store_run_int64(f->st, f->a, store_prepare_bind(f->st, f->a, sql, "i", arg), &n));
    return n;
}

/* points_award in a transaction of its own; the points written. */
static int64_t award(Fixture *f, int64_t resident, PointsRule rule, double q, int64_t ref,
                     int64_t now)
{
    int64_t pts = -1;

    assert_null(store_begin(f->st, f->a));
    assert_null(points_award(f->st, f->a, resident, C1, rule, q, "volunteer_hours", ref, 0, now,
                             &pts));
    assert_null(store_commit(f->st, f->a));
    return pts;
}

static void test_points_award_hours_rounded_down_and_idempotent(void **state)
{
    Fixture *f = *state;
    int64_t now = time_now_ms();

    /* the default: 10 points an hour */
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 2.5, 101, now), 25);
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 2.5, 101, now), 0);
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 0.33, 102, now), 3);
    /* the same reference for another resident is hers */
    assert_int_equal(award(f, 2, POINTS_VOLUNTEER_HOUR, 1, 101, now), 10);
    assert_int_equal(one(f, SQL_BALANCE, 1), 28);
    assert_int_equal(one(f, SQL_SUM, 1), 28);
    assert_int_equal(one(f, SQL_ENTRIES, 0), 3);
}

static void test_points_award_yearly_cap_and_zero_rule(void **state)
{
    Fixture *f = *state;
    int64_t now = time_now_ms(), last_year = now - 400LL * 24 * 3600 * 1000;

    assert_null(points_store_rule_set(f->st, f->a, C1, POINTS_VOLUNTEER_HOUR, 10, 50, 0, now));
    assert_null(points_store_rule_set(f->st, f->a, C1, POINTS_ATTEND_MARKET, 0, 0, 0, now));
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 3, 1, last_year), 30); /* another year */
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 3, 2, now), 30);
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 3, 3, now), 20);
    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 3, 4, now), 0);
    assert_int_equal(award(f, 1, POINTS_ATTEND_MARKET, 1, 5, now), 0);
    assert_int_equal(one(f, SQL_BALANCE, 1), 80);
    assert_int_equal(one(f, SQL_SUM, 1), 80);
}

static void test_points_spend_over_the_balance_writes_nothing(void **state)
{
    Fixture *f = *state;
    int64_t now = time_now_ms(), balance = -1;
    PointsMove m = { .resident_id = 1, .community = C1, .kind = "spend", .delta = -11,
                     .rule = "", .ref_kind = "redemption", .ref_id = 9, .reason = "",
                     .now_ms = now };
    Error *err;

    assert_int_equal(award(f, 1, POINTS_VOLUNTEER_HOUR, 1, 1, now), 10);
    assert_null(store_begin(f->st, f->a));
    err = points_store_move(f->st, f->a, &m, &balance, NULL);
    assert_non_null(err);
    assert_int_equal(err->status, 409);
    assert_string_equal(err->code, "insufficient_points");
    store_rollback(f->st);
    assert_int_equal(one(f, SQL_BALANCE, 1), 10);
    assert_int_equal(one(f, SQL_ENTRIES, 0), 1);
    m.delta = -10;
    assert_null(store_begin(f->st, f->a));
    assert_null(points_store_move(f->st, f->a, &m, &balance, NULL));
    assert_null(store_commit(f->st, f->a));
    assert_int_equal(balance, 0);
    assert_int_equal(one(f, SQL_SUM, 1), 0);
    /* the entries cannot be changed */
    assert_non_null(store_exec(f->st, f->a, "UPDATE points_entry SET delta = 5"));
    assert_non_null(store_exec(f->st, f->a, "DELETE FROM points_entry"));
    assert_int_equal(one(f, SQL_ENTRIES, 0), 2);
}

static void test_points_rule_names(void **state)
{
    PointsRule r;

    (void)state;
    assert_true(points_rule_for_activity("course", &r));
    assert_int_equal(r, POINTS_ATTEND_COURSE);
    assert_false(points_rule_for_activity("hour", &r));
    assert_false(points_rule_for_activity(NULL, &r));
    assert_true(points_rule_parse("volunteer_hour", &r));
    assert_string_equal(points_rule_name(POINTS_ATTEND_CIVIC), "attend_civic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_points_award_hours_rounded_down_and_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_points_award_yearly_cap_and_zero_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_points_spend_over_the_balance_writes_nothing, setup, teardown),
        cmocka_unit_test(test_points_rule_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
