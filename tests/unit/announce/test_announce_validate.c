#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "announce/announce.h"

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

#define BASE "\"scope\":\"310105004017\",\"title\":\"停水通知\",\"body\":\"明天停水\""

static const struct {
    const char *body;
    const char *field; /* NULL: valid */
    const char *code;
} cases[] = {
    { "{" BASE "}", NULL, NULL },
    { "{\"scope\":\"310105004\",\"title\":\"t\",\"body\":\"b\"}", NULL, NULL },
    { "{" BASE ",\"building_id\":3,\"unit\":2,\"tag\":\"高龄\",\"pinned\":true}", NULL, NULL },
    { "{" BASE ",\"ends_at\":\"2099-01-01\",\"files\":[1,2]}", NULL, NULL },
    { "{\"title\":\"t\",\"body\":\"b\"}", "scope", "missing_field" },
    { "{\"scope\":\"310105\",\"title\":\"t\",\"body\":\"b\"}", "scope", "invalid_scope" },
    { "{\"scope\":\"3101050040\",\"title\":\"t\",\"body\":\"b\"}", "scope", "invalid_code" },
    { "{\"scope\":\"310105004017\",\"body\":\"b\"}", "title", "missing_field" },
    { "{\"scope\":\"310105004017\",\"title\":\"  \",\"body\":\"b\"}", "title", "missing_field" },
    { "{\"scope\":\"310105004017\",\"title\":\"t\"}", "body", "missing_field" },
    { "{\"scope\":\"310105004017\",\"title\":\"t\",\"body\":\" \\n \"}", "body", "missing_field" },
    { "{\"scope\":\"310105004017\",\"title\":\"t\",\"body\":\"a\\u0007b\"}", "body", "invalid_text" },
    { "{\"scope\":\"310105004017\",\"title\":\"t\",\"body\":7}", "body", "invalid_type" },
    { "{" BASE ",\"unit\":2}", "unit", "unit_needs_building" },
    { "{" BASE ",\"unit\":51,\"building_id\":1}", "unit", NULL },
    { "{\"scope\":\"310105004\",\"title\":\"t\",\"body\":\"b\",\"building_id\":1}", "building_id",
      "building_needs_community" },
    { "{" BASE ",\"pinned\":1}", "pinned", "invalid_type" },
    { "{" BASE ",\"ends_at\":\"2001-01-01\"}", "ends_at", "ends_in_past" },
    { "{" BASE ",\"ends_at\":\"next week\"}", "ends_at", "invalid_time" },
    { "{" BASE ",\"ends_at\":5}", "ends_at", "invalid_type" },
    { "{" BASE ",\"files\":{}}", "files", "invalid_type" },
    { "{" BASE ",\"files\":[1,1]}", "files[1]", "duplicate_file" },
    { "{" BASE ",\"files\":[-1]}", "files[0]", "invalid_type" },
    { "{" BASE ",\"files\":[1,2,3,4,5,6,7,8,9,10]}", "files", "too_many_files" },
    { "{" BASE ",\"colour\":\"red\"}", "colour", "unknown_field" },
};

static void test_announce_parse_cases(void **state)
{
    Request *req = *state;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        AnnounceInput in;
        Error *err = announce_parse(req, parse(req, cases[i].body), &in);

        if (!cases[i].field) {
            if (err)
                fail_msg("%s: %s %s", cases[i].body, err->code, err->message);
            continue;
        }
        if (!err)
            fail_msg("%s: accepted", cases[i].body);
        assert_string_equal(err->field, cases[i].field);
        if (cases[i].code)
            assert_string_equal(err->code, cases[i].code);
        assert_int_equal(err->status, 422);
    }
}

static void test_announce_parse_body_keeps_lines(void **state)
{
    Request *req = *state;
    AnnounceInput in;
    Error *err = announce_parse(
        req, parse(req, "{\"scope\":\"310105004017\",\"title\":\" 标题 \",\"body\":\"  一\\r\\n二\\r三\\t四  \"}"),
        &in);

    assert_null(err);
    assert_string_equal(in.title, "标题");
    assert_string_equal(in.body, "一\n二\n三\t四");
    assert_int_equal(in.building_id, 0);
    assert_false(in.pinned);
}

static void test_announce_parse_end_of_day(void **state)
{
    Request *req = *state;
    AnnounceInput in;
    Error *err = announce_parse(req, parse(req, "{" BASE ",\"ends_at\":\"2099-03-01\"}"), &in);

    assert_null(err);
    /* 2099-03-01T23:59:59.999+08:00 */
    assert_int_equal(in.ends_at_ms, INT64_C(4076063999999));
}

static void test_announce_parse_patch(void **state)
{
    Request *req = *state;
    AnnouncePatch p;
    Error *err;

    err = announce_parse_patch(req, parse(req, "{\"pinned\":false,\"ends_at\":null}"), &p);
    assert_null(err);
    assert_true(p.has_pinned && p.has_ends_at);
    assert_int_equal(p.ends_at_ms, 0);
    err = announce_parse_patch(req, parse(req, "{}"), &p);
    assert_non_null(err);
    assert_string_equal(err->code, "empty_patch");
    err = announce_parse_patch(req, parse(req, "{\"title\":\"x\"}"), &p);
    assert_non_null(err);
    assert_string_equal(err->field, "title");
}

static void test_announce_state_names(void **state)
{
    AnnounceState s;

    (void)state;
    for (int i = 0; i < _ANNOUNCE_STATE_MAX; i++) {
        assert_true(announce_state_parse(announce_state_name((AnnounceState)i), &s));
        assert_int_equal(s, i);
    }
    assert_false(announce_state_parse("all", &s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_announce_parse_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_announce_parse_body_keeps_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_announce_parse_end_of_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_announce_parse_patch, setup, teardown),
        cmocka_unit_test(test_announce_state_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
