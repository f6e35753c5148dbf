#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "http/response.h"

static void test_error_constructors_set_status(void **state)
{
    Arena *a = arena_new(0);
    static const struct { Error *(*make)(Arena *); int status; } plain[] = {
        { error_unauthorized, 401 },
    };

    (void)state;
    assert_int_equal(plain[0].make(a)->status, plain[0].status);
    assert_int_equal(error_invalid(a, "phone", "invalid_phone", "x")->status, 422);
    assert_int_equal(error_bad_request(a, NULL, "malformed_json", "x")->status, 400);
    assert_int_equal(error_forbidden(a, NULL)->status, 403);
    assert_int_equal(error_not_found(a, "id", NULL)->status, 404);
    assert_int_equal(error_conflict(a, "id_number", "dup", "x")->status, 409);
    assert_int_equal(error_too_large(a, NULL)->status, 413);
    arena_free(a);
}

static void test_error_renders_code_message_field(void **state)
{
    Arena *a = arena_new(0);
    Error *e = error_invalid(a, "phone", "invalid_phone", "手机号码应为11位数字");
    json_t *j = response_error_json(e, "abc");
    json_t *inner = json_object_get(j, "error");

    (void)state;
    assert_string_equal(json_string_value(json_object_get(inner, "code")), "invalid_phone");
    assert_string_equal(json_string_value(json_object_get(inner, "message")), "手机号码应为11位数字");
    assert_string_equal(json_string_value(json_object_get(inner, "field")), "phone");
    json_decref(j);

    e = error_forbidden(a, NULL);
    j = response_error_json(e, "abc");
    assert_true(json_is_null(json_object_get(json_object_get(j, "error"), "field")));
    json_decref(j);
    arena_free(a);
}

static void test_error_internal_hides_detail(void **state)
{
    Arena *a = arena_new(0);
    Error *e = error_internal(a, "sqlite: disk I/O error on '%s'", "/secret/path");
    json_t *j = response_error_json(e, "rid42");
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));

    (void)state;
    assert_int_equal(e->status, 500);
    assert_non_null(strstr(e->detail, "/secret/path"));
    assert_null(strstr(msg, "secret"));
    assert_non_null(strstr(msg, "rid42"));
    json_decref(j);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_constructors_set_status),
        cmocka_unit_test(test_error_renders_code_message_field),
        cmocka_unit_test(test_error_internal_hides_detail),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
