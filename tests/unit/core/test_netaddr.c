#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/netaddr.h"

static void test_netaddr_prefixes(void **state)
{
    NetPrefix p[NETADDR_MAX_PREFIXES];
    int n = -1;

    (void)state;
    assert_true(netaddr_parse_list("10.0.0.0/8, 192.168.1.7 ::1,fd00::/8", p, NETADDR_MAX_PREFIXES, &n));
    assert_int_equal(n, 4);
    assert_true(netaddr_match(p, n, "10.200.3.4"));
    assert_false(netaddr_match(p, n, "11.0.0.1"));
    assert_true(netaddr_match(p, n, "192.168.1.7"));
    assert_false(netaddr_match(p, n, "192.168.1.8"));
    assert_true(netaddr_match(p, n, "::1"));
    assert_true(netaddr_match(p, n, "fd12:3456::1"));
    assert_false(netaddr_match(p, n, "fe80::1"));
    assert_true(netaddr_match(p, n, "::ffff:10.1.2.3")); /* IPv4-mapped */
    assert_false(netaddr_match(p, n, "not an address"));
    assert_false(netaddr_match(p, n, NULL));
    assert_true(netaddr_parse_list("", p, NETADDR_MAX_PREFIXES, &n));
    assert_int_equal(n, 0);
    assert_true(netaddr_parse_list("172.16.0.0/12", p, NETADDR_MAX_PREFIXES, &n));
    assert_true(netaddr_match(p, n, "172.31.255.255"));
    assert_false(netaddr_match(p, n, "172.32.0.0"));
}

static void test_netaddr_bad_prefixes(void **state)
{
    static const char *const bad[] = { "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::1/129",
                                       "localhost", "10.0.0.1/8x", "/8" };
    NetPrefix p[2];
    int n = 7;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(netaddr_parse_prefix(bad[i], &p[0]));
    assert_false(netaddr_parse_list("1.1.1.1, 2.2.2.2, 3.3.3.3", p, 2, &n));
    assert_int_equal(n, 7); /* untouched on failure */
}

static void test_netaddr_client(void **state)
{
    Arena *a = arena_new(4096);
    NetPrefix p[4];
    int n;

    (void)state;
    assert_true(netaddr_parse_list("127.0.0.1 10.0.0.0/8", p, 4, &n));
    /* an untrusted peer's header is ignored */
    assert_string_equal(netaddr_client(a, "203.0.113.9", "1.2.3.4", p, n), "203.0.113.9");
    /* a trusted peer: the right-most address that is not a proxy */
    assert_string_equal(netaddr_client(a, "127.0.0.1", "198.51.100.2", p, n), "198.51.100.2");
    assert_string_equal(netaddr_client(a, "127.0.0.1", "6.6.6.6, 198.51.100.2, 10.1.1.1", p, n),
                        "198.51.100.2");
    assert_string_equal(netaddr_client(a, "127.0.0.1", " 2001:db8::5 ", p, n), "2001:db8::5");
    /* no header, an empty one, or garbage: the last address believed */
    assert_string_equal(netaddr_client(a, "127.0.0.1", NULL, p, n), "127.0.0.1");
    assert_string_equal(netaddr_client(a, "127.0.0.1", "", p, n), "127.0.0.1");
    assert_string_equal(netaddr_client(a, "127.0.0.1", "unknown", p, n), "127.0.0.1");
    assert_string_equal(netaddr_client(a, "127.0.0.1", "10.0.0.3, junk", p, n), "127.0.0.1");
    assert_string_equal(netaddr_client(a, "127.0.0.1", "junk, 10.0.0.3", p, n), "10.0.0.3");
    /* no trusted proxies at all */
    assert_string_equal(netaddr_client(a, "127.0.0.1", "1.2.3.4", p, 0), "127.0.0.1");
    arena_free(a);
}

static void test_netaddr_limit_key(void **state)
{
    Arena *a = arena_new(4096);

    (void)state;
    assert_string_equal(netaddr_limit_key(a, "192.0.2.1"), "192.0.2.1");
    assert_string_equal(netaddr_limit_key(a, "::ffff:192.0.2.1"), "192.0.2.1");
    assert_string_equal(netaddr_limit_key(a, "2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert_string_equal(netaddr_limit_key(a, "2001:db8:1:2::ffff"), "2001:db8:1:2::/64");
    assert_string_equal(netaddr_limit_key(a, ""), "");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netaddr_prefixes),
        cmocka_unit_test(test_netaddr_bad_prefixes),
        cmocka_unit_test(test_netaddr_client),
        cmocka_unit_test(test_netaddr_limit_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
