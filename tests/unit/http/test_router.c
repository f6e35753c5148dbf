#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"

static Error *h1(Request *req, Response *res) { (void)req; (void)res; return NULL; }
static Error *h2(Request *req, Response *res) { (void)req; (void)res; return NULL; }
static Error *h3(Request *req, Response *res) { (void)req; (void)res; return NULL; }

static void test_router_matches_params(void **state)
{
    static Router r;
    Request req = { 0 };
    const Route *rt = NULL;

    (void)state;
    req.arena = arena_new(0);
    router_init(&r);
    router_add(&r, "GET", "/api/v1/residents", h1, 0);
    router_add(&r, "GET", "/api/v1/residents/{id}", h2, 0);
    router_add(&r, "PATCH", "/api/v1/residents/{id}", h3, 0);

    assert_int_equal(router_match(&r, "GET", "/api/v1/residents", &req, &rt), ROUTE_FOUND);
    assert_ptr_equal(rt->handler, h1);
    assert_int_equal(router_match(&r, "GET", "/api/v1/residents/42", &req, &rt), ROUTE_FOUND);
    assert_ptr_equal(rt->handler, h2);
    assert_int_equal(req.n_params, 1);
    assert_string_equal(req.params[0], "42");
    assert_int_equal(router_match(&r, "PATCH", "/api/v1/residents/7/", &req, &rt), ROUTE_FOUND);
    assert_ptr_equal(rt->handler, h3);
    assert_int_equal(router_match(&r, "DELETE", "/api/v1/residents/7", &req, &rt), ROUTE_NO_METHOD);
    assert_int_equal(router_match(&r, "GET", "/api/v1/residents/7/x", &req, &rt), ROUTE_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/api/v1/resident", &req, &rt), ROUTE_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/api/v1/residents//", &req, &rt), ROUTE_NO_PATH);
    arena_free(req.arena);
}

static void test_request_param_id(void **state)
{
    Request req = { 0 };
    int64_t id = 0;
    static const struct { const char *in; bool ok; } cases[] = {
        { "1", true }, { "9007199254740993", true }, { "0", false }, { "-1", false },
        { "1e3", false }, { "abc", false }, { "99999999999999999999", false }, { "+5", false },
    };

    (void)state;
    req.arena = arena_new(0);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        Error *err;

        req.params[0] = cases[i].in;
        req.n_params = 1;
        err = request_param_id(&req, 0, &id);
        if ((err == NULL) != cases[i].ok)
            fail_msg("id '%s'", cases[i].in);
        if (err)
            assert_int_equal(err->status, 404);
    }
    arena_free(req.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_matches_params),
        cmocka_unit_test(test_request_param_id),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
