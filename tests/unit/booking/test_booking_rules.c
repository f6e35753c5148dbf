#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "booking/booking.h"
#include "core/timeutil.h"

#define MIN TIME_MINUTE_MS
#define HOUR (60 * MIN)

/* 2026-11-24 (a Tuesday) at @h:@m in Shanghai, plus @days days */
static int64_t at(int days, int h, int m)
{
    return time_day_start_ms(days_from_civil(2026, 11, 24) + days, TIME_OFFSET_SHANGHAI) +
           (int64_t)(h * 60 + m) * MIN;
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

static void weekdays_9_to_17(RoomRules *r)
{
    booking_rules_default(r);
    r->open_24h = false;
    for (int d = 0; d < 5; d++) {
        r->hours[d][0] = (OpenInterval){ 9 * 60, 17 * 60 };
        r->n_hours[d] = 1;
    }
}

static void test_booking_rules_default_is_valid(void **state)
{
    RoomRules r;

    booking_rules_default(&r);
    assert_null(booking_rules_validate(*state, &r));
    assert_true(r.open_24h);
    assert_int_equal(r.slot_minutes, 30);
    assert_int_equal(r.min_minutes, 30);
    assert_int_equal(r.max_minutes, 240);
    assert_int_equal(r.horizon_days, 14);
    assert_int_equal(r.weekly_quota, 0);
    assert_false(r.needs_approval);
    assert_int_equal(r.checkin_before_minutes, 15);
    assert_int_equal(r.checkin_after_minutes, 15);
    assert_int_equal(r.utc_offset_minutes, 480);
}

static const struct {
    int slot, min, max, offset;
    const char *field; /* NULL: valid */
} rule_cases[] = {
    { 30, 30, 240, 480, NULL },
    { 5, 5, 1440, 480, NULL },
    { 240, 240, 1440, 480, NULL },
    { 15, 45, 90, 345, NULL },               /* Nepal's +05:45 */
    { 7, 7, 70, 480, "rules.slot_minutes" },
    { 35, 35, 70, 480, "rules.slot_minutes" },  /* does not divide a day */
    { 0, 30, 60, 480, "rules.slot_minutes" },
    { 480, 480, 480, 480, "rules.slot_minutes" },
    { 30, 15, 60, 480, "rules.min_minutes" },
    { 30, 45, 60, 480, "rules.min_minutes" },
    { 30, 60, 30, 480, "rules.max_minutes" },
    { 30, 30, 1470, 480, "rules.max_minutes" },
    { 30, 30, 75, 480, "rules.max_minutes" },
    { 30, 30, 60, 482, "rules.utc_offset_minutes" },
    { 30, 30, 60, 900, "rules.utc_offset_minutes" },
};

static void test_booking_rules_validate_cases(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(rule_cases); i++) {
        RoomRules r;
        Error *err;

        booking_rules_default(&r);
        r.slot_minutes = rule_cases[i].slot;
        r.min_minutes = rule_cases[i].min;
        r.max_minutes = rule_cases[i].max;
        r.utc_offset_minutes = rule_cases[i].offset;
        err = booking_rules_validate(*state, &r);
        if (!rule_cases[i].field) {
            if (err)
                fail_msg("case %zu: %s", i, err->field);
        } else {
            if (!err)
                fail_msg("case %zu accepted", i);
            assert_string_equal(err->field, rule_cases[i].field);
            assert_int_equal(err->status, 422);
        }
    }
}

static void test_booking_rules_validate_hours(void **state)
{
    RoomRules r;
    Error *err;

    weekdays_9_to_17(&r);
    assert_null(booking_rules_validate(*state, &r));
    r.hours[0][1] = (OpenInterval){ 16 * 60, 18 * 60 }; /* overlaps 09-17 */
    r.n_hours[0] = 2;
    err = booking_rules_validate(*state, &r);
    assert_non_null(err);
    assert_string_equal(err->field, "rules.opening_hours");
    booking_rules_default(&r);
    r.open_24h = false; /* and no hours at all */
    err = booking_rules_validate(*state, &r);
    assert_non_null(err);
    assert_string_equal(err->code, "invalid_hours");
}

static void test_booking_parse_interval(void **state)
{
    static const struct { const char *in; bool ok; int open, close; } cases[] = {
        { "08:00-12:00", true, 480, 720 },
        { "00:00-24:00", true, 0, 1440 },
        { "13:30-21:15", true, 810, 1275 },
        { "8:00-12:00", false, 0, 0 },
        { "12:00-08:00", false, 0, 0 },
        { "12:00-12:00", false, 0, 0 },
        { "24:00-24:00", false, 0, 0 },
        { "08:00-24:30", false, 0, 0 },
        { "08:60-09:00", false, 0, 0 },
        { "08:00~12:00", false, 0, 0 },
        { "08:00-12:00 ", false, 0, 0 },
        { "", false, 0, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        OpenInterval iv = { -1, -1 };
        bool ok = booking_parse_interval(cases[i].in, &iv);

        if (ok != cases[i].ok)
            fail_msg("case %zu '%s'", i, cases[i].in);
        if (ok) {
            assert_int_equal(iv.open_min, cases[i].open);
            assert_int_equal(iv.close_min, cases[i].close);
            assert_string_equal(booking_format_interval(*state, &iv), cases[i].in);
        }
    }
    assert_false(booking_parse_interval(NULL, NULL));
}

static void test_booking_rules_open(void **state)
{
    RoomRules r;

    (void)state;
    weekdays_9_to_17(&r);
    assert_true(booking_rules_open(&r, at(0, 9, 0), 60));
    assert_true(booking_rules_open(&r, at(0, 16, 0), 60));
    assert_false(booking_rules_open(&r, at(0, 16, 30), 60));  /* past 17:00 */
    assert_false(booking_rules_open(&r, at(0, 8, 30), 60));   /* before 09:00 */
    assert_false(booking_rules_open(&r, at(5, 10, 0), 60));   /* Sunday */
    /* an interval to 24:00 continues into the next day's from 00:00 */
    r.hours[1][0] = (OpenInterval){ 20 * 60, 1440 };
    r.hours[2][0] = (OpenInterval){ 0, 2 * 60 };
    r.hours[2][1] = (OpenInterval){ 9 * 60, 17 * 60 };
    r.n_hours[2] = 2;
    assert_true(booking_rules_open(&r, at(0, 23, 0), 180));
    assert_false(booking_rules_open(&r, at(0, 23, 0), 240));
    booking_rules_default(&r);
    assert_true(booking_rules_open(&r, at(0, 23, 0), 1440));
}

static const struct {
    const char *what;
    int start_day, start_h, start_m;
    int minutes;
    const char *code;  /* NULL: accepted */
    const char *field;
} check_cases[] = {
    { "an hour tomorrow", 1, 10, 0, 60, NULL, NULL },
    { "the slot already begun", 0, 13, 30, 60, NULL, NULL },      /* now is 13:40 */
    { "begun past its check-in", 0, 13, 0, 60, "in_past", "start" },
    { "yesterday", -1, 10, 0, 60, "in_past", "start" },
    { "off the grid", 1, 10, 10, 60, "off_grid", "start" },
    { "end off the grid", 1, 10, 0, 50, "off_grid", "end" },
    { "too short", 1, 10, 0, 0, "invalid_range", "end" },
    { "too long", 1, 10, 0, 270, "too_long", "end" },
    { "the last bookable day", 14, 23, 30, 30, NULL, NULL },
    { "beyond the horizon", 15, 0, 0, 30, "beyond_horizon", "start" },
    { "over midnight", 1, 23, 0, 120, NULL, NULL },
};

static void test_booking_rules_check_cases(void **state)
{
    int64_t now = at(0, 13, 40);
    RoomRules r;

    booking_rules_default(&r);
    for (size_t i = 0; i < ARRAY_SIZE(check_cases); i++) {
        int64_t start = at(check_cases[i].start_day, check_cases[i].start_h, check_cases[i].start_m);
        Error *err = booking_rules_check(*state, &r, start, start + check_cases[i].minutes * MIN, now);

        if (!check_cases[i].code) {
            if (err)
                fail_msg("%s: %s %s", check_cases[i].what, err->code, err->message);
            continue;
        }
        if (!err)
            fail_msg("%s: accepted", check_cases[i].what);
        assert_string_equal(err->code, check_cases[i].code);
        assert_string_equal(err->field, check_cases[i].field);
        assert_int_equal(err->status, 422);
    }
}

static void test_booking_rules_check_messages(void **state)
{
    int64_t now = at(0, 8, 0);
    RoomRules r;
    Error *err;

    weekdays_9_to_17(&r);
    r.min_minutes = 60;
    err = booking_rules_check(*state, &r, at(0, 10, 0), at(0, 10, 30), now);
    assert_string_equal(err->message, "每次预约至少1小时");
    err = booking_rules_check(*state, &r, at(0, 10, 0), at(0, 14, 30), now);
    assert_string_equal(err->message, "每次预约最多4小时");
    err = booking_rules_check(*state, &r, at(0, 16, 30), at(0, 17, 30), now);
    assert_string_equal(err->code, "outside_hours");
    assert_string_equal(err->message, "该时段不在开放时间内，周二的开放时间为 09:00-17:00");
    err = booking_rules_check(*state, &r, at(5, 10, 0), at(5, 11, 0), now);
    assert_string_equal(err->message, "该活动室周日不开放，请选择其他日期");
    err = booking_rules_check(*state, &r, at(0, 10, 15), at(0, 11, 0), now);
    assert_string_equal(err->message, "该活动室按30分钟一个时段预约，开始和结束时间应落在时段分界上（如 14:00、14:30）");
}

static void test_booking_checkin_window(void **state)
{
    int64_t from, until;
    RoomRules r;

    (void)state;
    booking_rules_default(&r);
    booking_rules_checkin_window(&r, at(1, 10, 0), at(1, 11, 0), at(0, 12, 0), &from, &until);
    assert_int_equal(from, at(1, 9, 45));
    assert_int_equal(until, at(1, 10, 15));
    /* capped at the end of a short booking */
    r.slot_minutes = r.min_minutes = 5;
    booking_rules_checkin_window(&r, at(1, 10, 0), at(1, 10, 10), at(0, 12, 0), &from, &until);
    assert_int_equal(until, at(1, 10, 10));
    /* a late waitlist promotion gets a full window from now */
    booking_rules_checkin_window(&r, at(1, 10, 0), at(1, 11, 0), at(1, 10, 20), &from, &until);
    assert_int_equal(from, at(1, 9, 45));
    assert_int_equal(until, at(1, 10, 35));
}

static void test_booking_rules_week(void **state)
{
    int64_t from, to;
    RoomRules r;

    (void)state;
    booking_rules_default(&r);
    booking_rules_week(&r, at(0, 13, 0), &from, &to);          /* Tuesday */
    assert_int_equal(from, at(-1, 0, 0));                       /* Monday 00:00 */
    assert_int_equal(to, at(6, 0, 0));
    booking_rules_week(&r, at(5, 23, 59), &from, &to);         /* Sunday night */
    assert_int_equal(from, at(-1, 0, 0));
    booking_rules_week(&r, at(6, 0, 0), &from, &to);           /* next Monday */
    assert_int_equal(from, at(6, 0, 0));
}

static void test_booking_grid_day(void **state)
{
    char out[1440 / BOOKING_UNIT_MIN + 1];
    int64_t now = at(0, 9, 40);
    GridBusy busy[] = {
        { at(0, 10, 0), at(0, 11, 0), GRID_TAKEN },
        { at(0, 10, 30), at(0, 11, 30), GRID_MINE },  /* mine wins where both */
        { at(0, 12, 0), at(0, 12, 10), GRID_PENDING }, /* a part of a slot marks it */
        { at(0, 15, 0), at(1, 9, 0), GRID_BLACKOUT },
        { at(0, 16, 0), at(0, 17, 0), GRID_TAKEN },   /* a booking shows over a blackout */
        { at(-1, 20, 0), at(-1, 22, 0), GRID_TAKEN }, /* another day */
    };
    RoomRules r;

    (void)state;
    weekdays_9_to_17(&r);
    r.slot_minutes = 60;
    booking_grid_day(&r, days_from_civil(2026, 11, 24), now, busy, ARRAY_SIZE(busy), out);
    assert_int_equal(strlen(out), 24);
    /*                   0         1         2   */
    /*                   012345678901234567890123 */
    assert_string_equal(out, "CCCCCCCCCXMMPFFBTCCCCCCC");
    booking_grid_day(&r, days_from_civil(2026, 11, 29), now, NULL, 0, out); /* Sunday */
    assert_string_equal(out, "CCCCCCCCCCCCCCCCCCCCCCCC");
    booking_rules_default(&r);
    r.slot_minutes = 240;
    r.horizon_days = 1;
    booking_grid_day(&r, days_from_civil(2026, 11, 26), now, NULL, 0, out);
    assert_string_equal(out, "HHHHHH");
    booking_grid_day(&r, days_from_civil(2026, 11, 25), now, NULL, 0, out);
    assert_string_equal(out, "FFFFFF");
}

static void test_booking_states(void **state)
{
    BookingState s;

    (void)state;
    for (int i = 0; i < _BOOKING_STATE_MAX; i++) {
        assert_true(booking_state_parse(booking_state_name((BookingState)i), &s));
        assert_int_equal(s, i);
    }
    assert_false(booking_state_parse("lost", &s));
    assert_false(booking_state_parse(NULL, &s));
    assert_true(booking_state_active(BOOKING_PENDING));
    assert_true(booking_state_active(BOOKING_CHECKED_IN));
    assert_false(booking_state_active(BOOKING_RELEASED));
    assert_string_equal(booking_state_name(_BOOKING_STATE_MAX), "unknown");
}

static void test_booking_time_text(void **state)
{
    assert_string_equal(booking_time_text(*state, at(0, 14, 5), 480), "11月24日 14:05");
    assert_string_equal(booking_time_text(*state, at(0, 0, 30), 0), "11月23日 16:30");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booking_rules_default_is_valid),
        cmocka_unit_test(test_booking_rules_validate_cases),
        cmocka_unit_test(test_booking_rules_validate_hours),
        cmocka_unit_test(test_booking_parse_interval),
        cmocka_unit_test(test_booking_rules_open),
        cmocka_unit_test(test_booking_rules_check_cases),
        cmocka_unit_test(test_booking_rules_check_messages),
        cmocka_unit_test(test_booking_checkin_window),
        cmocka_unit_test(test_booking_rules_week),
        cmocka_unit_test(test_booking_grid_day),
        cmocka_unit_test(test_booking_states),
        cmocka_unit_test(test_booking_time_text),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
