#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cases/cases.h"
#include "core/timeutil.h"

#define MIN TIME_MINUTE_MS
#define HOUR (60 * MIN)

/* @y-@m-@d at @h:@mi in Shanghai */
static int64_t at(int y, int m, int d, int h, int mi)
{
    return time_day_start_ms(days_from_civil(y, m, d), TIME_OFFSET_SHANGHAI) +
           (int64_t)(h * 60 + mi) * MIN;
}

static int setup(void **state)
{
    *state = arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* The 2026 national schedule around 国庆 and 中秋, as the migration seeds it. */
static const int64_t *autumn_days(void)
{
    static int64_t days[12];

    days[0] = days_from_civil(2026, 9, 20);   /* Sunday, worked */
    days[1] = days_from_civil(2026, 9, 25);
    days[2] = days_from_civil(2026, 9, 26);
    days[3] = days_from_civil(2026, 9, 27);
    for (int i = 0; i < 7; i++)
        days[4 + i] = days_from_civil(2026, 10, 1 + i);
    days[11] = days_from_civil(2026, 10, 10); /* Saturday, worked */
    return days;
}

static const bool autumn_working[12] = { true, false, false, false, false, false, false,
                                          false, false, false, false, true };

static Calendar autumn(void)
{
    return (Calendar){ autumn_days(), autumn_working, 12 };
}

static void test_calendar_weekdays_and_exceptions(void **state)
{
    Calendar none = { NULL, NULL, 0 }, c = autumn();

    (void)state;
    assert_true(calendar_is_working(&none, days_from_civil(2026, 11, 23)));  /* Monday */
    assert_true(calendar_is_working(&none, days_from_civil(2026, 11, 27)));  /* Friday */
    assert_false(calendar_is_working(&none, days_from_civil(2026, 11, 28))); /* Saturday */
    assert_false(calendar_is_working(&none, days_from_civil(2026, 11, 29))); /* Sunday */
    assert_true(calendar_is_working(&c, days_from_civil(2026, 9, 20)));      /* make-up Sunday */
    assert_false(calendar_is_working(&c, days_from_civil(2026, 9, 25)));     /* 中秋, a Friday */
    assert_false(calendar_is_working(&c, days_from_civil(2026, 10, 5)));     /* 国庆, a Monday */
    assert_true(calendar_is_working(&c, days_from_civil(2026, 10, 10)));     /* make-up Saturday */
    assert_true(calendar_is_working(&c, days_from_civil(2026, 10, 9)));      /* plain Friday */
}

static void test_work_hours_within_a_day(void **state)
{
    Calendar none = { NULL, NULL, 0 };

    (void)state;
    /* Monday 10:00 + 2 h = 12:00 */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 23, 10, 0), 2),
                     at(2026, 11, 23, 12, 0));
    /* before opening: counts from 09:00 */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 23, 6, 30), 2),
                     at(2026, 11, 23, 11, 0));
    /* exactly at closing stays at closing */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 23, 9, 0), 8),
                     at(2026, 11, 23, 17, 0));
}

static void test_work_hours_across_nights_and_weekends(void **state)
{
    Calendar none = { NULL, NULL, 0 };

    (void)state;
    /* Monday 16:00 + 2 h: one hour Monday, one hour Tuesday from 09:00 */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 23, 16, 0), 2),
                     at(2026, 11, 24, 10, 0));
    /* Monday 20:00 (after hours) + 4 h = Tuesday 13:00 */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 23, 20, 0), 4),
                     at(2026, 11, 24, 13, 0));
    /* Friday 16:30 + 1 h = Monday 09:30 */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 27, 16, 30), 1),
                     at(2026, 11, 30, 9, 30));
    /* Saturday + 24 h = three full working days: Wednesday 17:00 */
    assert_int_equal(calendar_add_work_hours(&none, at(2026, 11, 28, 12, 0), 24),
                     at(2026, 12, 2, 17, 0));
}

static void test_work_hours_over_the_national_holiday(void **state)
{
    Calendar c = autumn();

    (void)state;
    /* Wednesday 30 Sep 16:00 + 2 h: 1 h that day, then 1-7 Oct off, Thursday 8 Oct 10:00 */
    assert_int_equal(calendar_add_work_hours(&c, at(2026, 9, 30, 16, 0), 2),
                     at(2026, 10, 8, 10, 0));
    /* Saturday 19 Sep 12:00 + 1 h: Sunday 20 Sep is worked */
    assert_int_equal(calendar_add_work_hours(&c, at(2026, 9, 19, 12, 0), 1),
                     at(2026, 9, 20, 10, 0));
}

static void test_work_days(void **state)
{
    Calendar none = { NULL, NULL, 0 }, c = autumn();

    (void)state;
    /* reported Monday: day 1 is Tuesday, 3 working days end Thursday 17:00 */
    assert_int_equal(calendar_add_work_days(&none, at(2026, 11, 23, 10, 0), 3),
                     at(2026, 11, 26, 17, 0));
    /* the hour of the report does not matter */
    assert_int_equal(calendar_add_work_days(&none, at(2026, 11, 23, 23, 59), 3),
                     at(2026, 11, 26, 17, 0));
    /* reported Thursday: Friday, Monday, Tuesday */
    assert_int_equal(calendar_add_work_days(&none, at(2026, 11, 26, 9, 0), 3),
                     at(2026, 12, 1, 17, 0));
    /* reported Saturday: 1 working day is Monday */
    assert_int_equal(calendar_add_work_days(&none, at(2026, 11, 28, 9, 0), 1),
                     at(2026, 11, 30, 17, 0));
    /* reported 29 Sep: 30 Sep, then 8, 9, 10 (a worked Saturday) Oct */
    assert_int_equal(calendar_add_work_days(&c, at(2026, 9, 29, 9, 0), 4),
                     at(2026, 10, 10, 17, 0));
    /* 13 working days from 24 Sep: 28, 29, 30 Sep, 8, 9, 10, 12..16, 19, 20 Oct */
    assert_int_equal(calendar_add_work_days(&c, at(2026, 9, 24, 15, 0), 13),
                     at(2026, 10, 20, 17, 0));
}

static void test_work_ms_between(void **state)
{
    Calendar none = { NULL, NULL, 0 }, c = autumn();

    (void)state;
    assert_int_equal(calendar_work_ms(&none, at(2026, 11, 23, 10, 0), at(2026, 11, 23, 12, 30)),
                     2 * HOUR + 30 * MIN);
    assert_int_equal(calendar_work_ms(&none, at(2026, 11, 23, 12, 0), at(2026, 11, 23, 10, 0)), 0);
    /* evenings and nights do not count: Monday 16:00 to Tuesday 10:00 is 2 h */
    assert_int_equal(calendar_work_ms(&none, at(2026, 11, 23, 16, 0), at(2026, 11, 24, 10, 0)),
                     2 * HOUR);
    /* a whole week-end is nothing; Friday 16:30 to Monday 09:30 is 1 h */
    assert_int_equal(calendar_work_ms(&none, at(2026, 11, 28, 0, 0), at(2026, 11, 30, 0, 0)), 0);
    assert_int_equal(calendar_work_ms(&none, at(2026, 11, 27, 16, 30), at(2026, 11, 30, 9, 30)),
                     HOUR);
    /* over 国庆: 30 Sep 16:00 to 8 Oct 10:00 is 2 h, the make-up Saturday 10 Oct counts */
    assert_int_equal(calendar_work_ms(&c, at(2026, 9, 30, 16, 0), at(2026, 10, 8, 10, 0)), 2 * HOUR);
    assert_int_equal(calendar_work_ms(&c, at(2026, 10, 9, 12, 0), at(2026, 10, 11, 12, 0)),
                     5 * HOUR + 8 * HOUR);
}

static void test_work_ms_added(void **state)
{
    Calendar none = { NULL, NULL, 0 }, c = autumn();
    int64_t from = at(2026, 9, 29, 11, 17) + 1234;

    (void)state;
    /* nothing added: the instant itself, even at closing time or at night */
    assert_int_equal(calendar_add_work_ms(&none, at(2026, 11, 23, 17, 0), 0), at(2026, 11, 23, 17, 0));
    assert_int_equal(calendar_add_work_ms(&none, at(2026, 11, 28, 3, 0), 0), at(2026, 11, 28, 3, 0));
    /* a resolve deadline at Friday 17:00 pushed by 90 min: Monday 10:30 */
    assert_int_equal(calendar_add_work_ms(&none, at(2026, 11, 27, 17, 0), 90 * MIN),
                     at(2026, 11, 30, 10, 30));
    /* to the millisecond, and the inverse of calendar_work_ms over the holiday */
    for (int64_t ms = 1; ms < 40 * HOUR; ms += 7 * HOUR + 12345)
        assert_int_equal(calendar_work_ms(&c, from, calendar_add_work_ms(&c, from, ms)), ms);
    /* whole hours agree with calendar_add_work_hours */
    assert_int_equal(calendar_add_work_ms(&c, at(2026, 9, 30, 16, 0), 2 * HOUR),
                     calendar_add_work_hours(&c, at(2026, 9, 30, 16, 0), 2));
}

static void test_month_is_beijing_time(void **state)
{
    (void)state;
    /* 2026-11-30 23:30 Beijing is still November; 2026-12-01 00:10 is December */
    assert_int_equal(case_month(at(2026, 11, 30, 23, 30)), 202611);
    assert_int_equal(case_month(at(2026, 12, 1, 0, 10)), 202612);
}

static void test_state_names_round_trip(void **state)
{
    CaseState s;

    (void)state;
    for (int i = 0; i < _CASE_STATE_MAX; i++) {
        assert_true(case_state_parse(case_state_name((CaseState)i), &s));
        assert_int_equal(s, i);
        assert_true(strlen(case_state_label((CaseState)i)) > 0);
    }
    assert_false(case_state_parse("merged", &s));
    assert_false(case_state_parse(NULL, &s));
}

/* The workflow table: for every action, exactly the states it may start from. */
static void test_transition_table(void **state)
{
    static const struct {
        const char *action;
        const char *from[8];
        int to;
    } want[] = {
        { "dispatch", { "accepted", "dispatched", "returned", "reopened" }, CASE_DISPATCHED },
        { "handle", { "dispatched" }, CASE_HANDLING },
        { "verify", { "handling" }, CASE_VERIFIED },
        { "close", { "verified" }, CASE_CLOSED },
        { "return", { "dispatched", "handling", "verified" }, CASE_RETURNED },
        { "hold", { "accepted", "dispatched", "handling", "returned", "reopened" }, CASE_ON_HOLD },
        { "resume", { "on_hold" }, CASE_TO_HELD },
        { "merge", { "accepted", "dispatched", "handling", "returned", "on_hold" }, CASE_CLOSED },
        { "rate", { "closed" }, CASE_TO_RATED },
        { "complete", { "handling" }, CASE_HANDLING },
    };

    (void)state;
    assert_int_equal(sizeof(want) / sizeof(want[0]), _CASE_ACTION_MAX);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const CaseTransition *t = case_transition_find(want[i].action);

        assert_non_null(t);
        assert_ptr_equal(t, case_transition(t->action));
        assert_int_equal(t->to, want[i].to);
        for (int s = 0; s < _CASE_STATE_MAX; s++) {
            bool listed = false;

            for (int k = 0; k < 8 && want[i].from[k]; k++)
                listed = listed || strcmp(want[i].from[k], case_state_name((CaseState)s)) == 0;
            assert_int_equal(case_transition_allowed(t, (CaseState)s), listed);
        }
    }
    assert_null(case_transition_find("delete"));
    assert_null(case_transition_find(NULL));
}

static void test_transition_from_list(void **state)
{
    Arena *a = *state;

    assert_string_equal(case_transition_from_list(a, case_transition(CASE_CLOSE)), ",verified,");
    assert_string_equal(case_transition_from_list(a, case_transition(CASE_RETURN)),
                        ",dispatched,handling,verified,");
}

/* Who may take each step. */
static void test_transition_actors(void **state)
{
    (void)state;
    assert_int_equal(case_transition(CASE_RATE)->actors, ACTOR_REPORTER);
    assert_true(case_transition(CASE_HANDLE)->actors & ACTOR_UNIT);
    assert_true(case_transition(CASE_RETURN)->actors & ACTOR_UNIT);
    assert_false(case_transition(CASE_CLOSE)->actors & ACTOR_UNIT);
    assert_false(case_transition(CASE_DISPATCH)->actors & ACTOR_UNIT);
    assert_true(case_transition(CASE_VERIFY)->actors & ACTOR_GRID);
    assert_true(case_transition(CASE_COMPLETE)->actors & ACTOR_UNIT);
    assert_false(case_transition(CASE_COMPLETE)->actors & (ACTOR_REPORTER | ACTOR_GRID));
    assert_false(case_transition(CASE_CLOSE)->actors & ACTOR_REPORTER);
}

static void test_ratings(void **state)
{
    (void)state;
    assert_true(case_rating_valid("satisfied"));
    assert_true(case_rating_valid("basically_satisfied"));
    assert_true(case_rating_valid("unsatisfied"));
    assert_false(case_rating_valid("very_satisfied"));
    assert_false(case_rating_valid(NULL));
    assert_string_equal(case_rating_label("unsatisfied"), "不满意");
}

static void test_point_inside(void **state)
{
    CaseSettings s = { 72, true, 31.20, 121.41, 31.21, 121.43 };
    CaseSettings none = CASE_SETTINGS_DEFAULT;

    (void)state;
    assert_true(case_point_inside(&s, 31.205, 121.42));
    assert_true(case_point_inside(&s, 31.20, 121.41));    /* the edge counts */
    assert_false(case_point_inside(&s, 31.22, 121.42));
    assert_false(case_point_inside(&s, 31.205, 121.40));
    assert_false(case_point_inside(&none, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_weekdays_and_exceptions),
        cmocka_unit_test(test_work_hours_within_a_day),
        cmocka_unit_test(test_work_hours_across_nights_and_weekends),
        cmocka_unit_test(test_work_hours_over_the_national_holiday),
        cmocka_unit_test(test_work_days),
        cmocka_unit_test(test_work_ms_between),
        cmocka_unit_test(test_work_ms_added),
        cmocka_unit_test(test_month_is_beijing_time),
        cmocka_unit_test(test_state_names_round_trip),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test_setup_teardown(test_transition_from_list, setup, teardown),
        cmocka_unit_test(test_transition_actors),
        cmocka_unit_test(test_ratings),
        cmocka_unit_test(test_point_inside),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
