#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "booking/booking.h"
#include "core/timeutil.h"

/* The field readers use only the request's arena. */
static int setup(void **state)
{
    Request *req = calloc(1, sizeof(Request));

    req->arena = arena_new(0);
    *state = req;
    return 0;
}

static int teardown(void **state)
{
    Request *req = *state;

    arena_free(req->arena);
    free(req);
    return 0;
}

static void decref(void *p)
{
    json_decref(p);
}

static json_t *parse(Request *req, const char *text)
{
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);

    assert_non_null(j);
    arena_defer(req->arena, decref, j);
    return j;
}

static void fresh_room(Room *room)
{
    memset(room, 0, sizeof(*room));
    room->type = "";
    booking_rules_default(&room->rules);
}

static const struct {
    const char *body;
    bool partial;
    const char *field; /* NULL: valid */
    const char *code;
} room_cases[] = {
    { "{\"community\":\"310105004017\",\"name\":\"书画室\",\"capacity\":12}", false, NULL, NULL },
    { "{\"community\":\"310105004017\",\"name\":\"书画室\"}", false, "capacity", "missing_field" },
    { "{\"community\":\"310105004017\",\"capacity\":12}", false, "name", "missing_field" },
    { "{\"name\":\"书画室\",\"capacity\":12}", false, "community", "missing_field" },
    { "{\"community\":\"310105004\",\"name\":\"书画室\",\"capacity\":12}", false, "community", "invalid_code" },
    { "{\"community\":\"310105004017\",\"name\":\"书画室\",\"capacity\":1001}", false, "capacity", "out_of_range" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"size\":3}", false, "size", "unknown_field" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"facilities\":[\"\"]}", false, "facilities[0]", "invalid_text" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"facilities\":[1]}", false, "facilities[0]", "invalid_text" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"photo\":\"//evil.example/x\"}", false, "photo", "invalid_url" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"photo\":\"/files/r.jpg\"}", false, NULL, NULL },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":[]}", false, "rules", "invalid_type" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":{\"slot_minutes\":\"30\"}}", false, "rules.slot_minutes", "invalid_type" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":{\"weekly_quota\":101}}", false, "rules.weekly_quota", "out_of_range" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":{\"open_24h\":1}}", false, "rules.open_24h", "invalid_type" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":{\"opening_hours\":{\"mon\":\"08:00-12:00\"}}}", false, "rules.opening_hours.mon", "invalid_hours" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":{\"opening_hours\":{\"mon\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}}", false, "rules.opening_hours.mon", "invalid_hours" },
    { "{\"community\":\"310105004017\",\"name\":\"x\",\"capacity\":2,\"rules\":{\"checkin_after_minutes\":0}}", false, "rules.checkin_after_minutes", "out_of_range" },
    { "{}", true, NULL, "empty_patch" },
    { "{\"capacity\":3}", true, NULL, NULL },
    { "{\"community\":\"310105004001\"}", true, "community", "immutable" },
    { "{\"rules\":{\"min_minutes\":45}}", true, "rules.min_minutes", "invalid_min_minutes" },
};

static void test_booking_parse_room_cases(void **state)
{
    Request *req = *state;

    for (size_t i = 0; i < ARRAY_SIZE(room_cases); i++) {
        Room room;
        unsigned set = 0;
        Error *err;

        fresh_room(&room);
        err = booking_parse_room(req, parse(req, room_cases[i].body), room_cases[i].partial, &room, &set);
        if (!room_cases[i].code) {
            if (err)
                fail_msg("case %zu: %s %s", i, err->field, err->code);
            continue;
        }
        if (!err)
            fail_msg("case %zu accepted", i);
        assert_string_equal(err->code, room_cases[i].code);
        if (room_cases[i].field)
            assert_string_equal(err->field, room_cases[i].field);
        else
            assert_null(err->field);
    }
}

static void test_booking_parse_room_fields(void **state)
{
    Request *req = *state;
    unsigned set = 0;
    Room room;

    fresh_room(&room);
    assert_null(booking_parse_room(req, parse(req, "{\"community\":\"310105004017\",\"name\":\" 书画室 \","
                                                   "\"capacity\":12,\"facilities\":[\"书桌\",\" 投影仪\"],"
                                                   "\"location\":\"1楼\",\"rules\":{\"opening_hours\":"
                                                   "{\"sat\":[\"13:30-21:00\",\"08:00-12:00\"]},"
                                                   "\"needs_approval\":true,\"weekly_quota\":2}}"),
                                   false, &room, &set));
    assert_string_equal(room.community, "310105004017");
    assert_string_equal(room.name, "书画室");
    assert_int_equal(room.capacity, 12);
    assert_int_equal(room.n_facilities, 2);
    assert_string_equal(room.facilities[1], "投影仪");
    assert_string_equal(room.location, "1楼");
    assert_false(room.rules.open_24h);
    assert_int_equal(room.rules.n_hours[5], 2);
    assert_int_equal(room.rules.hours[5][0].open_min, 8 * 60); /* sorted */
    assert_int_equal(room.rules.hours[5][1].close_min, 21 * 60);
    assert_int_equal(room.rules.n_hours[0], 0);
    assert_true(room.rules.needs_approval);
    assert_int_equal(room.rules.weekly_quota, 2);
    assert_int_equal(room.rules.slot_minutes, 30);
    assert_true(set & ROOM_HOURS);
    assert_true(set & ROOM_FACILITIES);
    assert_false(set & ROOM_PHOTO);

    /* PATCH keeps what it does not name and clears what is null */
    set = 0;
    assert_null(booking_parse_room(req, parse(req, "{\"location\":null,\"rules\":{\"open_24h\":true}}"),
                                   true, &room, &set));
    assert_null(room.location);
    assert_true(room.rules.open_24h);
    assert_int_equal(room.rules.n_hours[5], 2);
    assert_string_equal(room.name, "书画室");
    assert_int_equal(set, ROOM_LOCATION | ROOM_RULES | ROOM_HOURS);
}

static void test_booking_parse_booking_cases(void **state)
{
    static const struct { const char *body; const char *field; const char *code; } cases[] = {
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-24T15:00:00+08:00\"}", NULL, NULL },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-24T15:00:00+08:00\",\"purpose\":\"读书会\"}", NULL, NULL },
        { "{\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-24T15:00:00+08:00\"}", "room_id", "missing_field" },
        { "{\"room_id\":0,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-24T15:00:00+08:00\"}", "room_id", "out_of_range" },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00\",\"end\":\"2026-11-24T15:00:00+08:00\"}", "start", "invalid_time" },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":null}", "end", "missing_field" },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":true}", "end", "invalid_type" },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-24T14:00:00+08:00\"}", "end", "invalid_range" },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-25T14:30:00+08:00\"}", "end", "too_long" },
        { "{\"room_id\":1,\"start\":\"2026-11-24T14:00:00+08:00\",\"end\":\"2026-11-24T15:00:00+08:00\",\"who\":1}", "who", "unknown_field" },
    };
    Request *req = *state;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        BookingInput in = { 0 };
        Error *err = booking_parse_booking(req, parse(req, cases[i].body), &in);

        if (!cases[i].code) {
            if (err)
                fail_msg("case %zu: %s %s", i, err->field, err->code);
            assert_int_equal(in.room_id, 1);
            assert_int_equal(in.end_ms - in.start_ms, 3600000);
            continue;
        }
        if (!err)
            fail_msg("case %zu accepted", i);
        assert_string_equal(err->code, cases[i].code);
        assert_string_equal(err->field, cases[i].field);
        assert_int_equal(in.room_id, 0); /* untouched on failure */
    }
}

static void test_booking_parse_blackout_and_policy(void **state)
{
    BookingPolicy p = BOOKING_POLICY_DEFAULT;
    Request *req = *state;
    bool cancel = false;
    Blackout b;
    Error *err;

    assert_null(booking_parse_blackout(req, parse(req, "{\"start\":\"2026-11-24T08:00:00+08:00\","
                                                       "\"end\":\"2026-11-24T12:00:00+08:00\","
                                                       "\"reason\":\"设备维修\",\"cancel_bookings\":true}"),
                                       &b, &cancel));
    assert_true(cancel);
    assert_string_equal(b.reason, "设备维修");
    assert_int_equal(b.end_ms - b.start_ms, 4 * 3600000);
    err = booking_parse_blackout(req, parse(req, "{\"start\":\"2026-11-24T08:00:00+08:00\","
                                                 "\"end\":\"2028-11-24T12:00:00+08:00\",\"reason\":\"x\"}"),
                                 &b, &cancel);
    assert_string_equal(err->field, "end");
    err = booking_parse_blackout(req, parse(req, "{\"start\":\"2026-11-24T08:00:00+08:00\","
                                                 "\"end\":\"2026-11-24T12:00:00+08:00\",\"reason\":\"x\","
                                                 "\"cancel_bookings\":\"yes\"}"),
                                 &b, &cancel);
    assert_string_equal(err->field, "cancel_bookings");

    assert_null(booking_parse_policy(req, parse(req, "{\"suspend_days\":3}"), &p));
    assert_int_equal(p.no_show_limit, 3);
    assert_int_equal(p.window_days, 30);
    assert_int_equal(p.suspend_days, 3);
    err = booking_parse_policy(req, parse(req, "{\"no_show_limit\":0}"), &p);
    assert_string_equal(err->field, "no_show_limit");
    err = booking_parse_policy(req, parse(req, "{}"), &p);
    assert_string_equal(err->code, "empty_patch");
    err = booking_parse_policy(req, parse(req, "{\"limit\":3}"), &p);
    assert_string_equal(err->code, "unknown_field");
    assert_int_equal(p.suspend_days, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booking_parse_room_cases),
        cmocka_unit_test(test_booking_parse_room_fields),
        cmocka_unit_test(test_booking_parse_booking_cases),
        cmocka_unit_test(test_booking_parse_blackout_and_policy),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
