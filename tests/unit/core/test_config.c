#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/config.h"

static char *write_temp(const char *text)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/linli-config-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_config_defaults(void **state)
{
    Config c;

    (void)state;
    config_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_int_equal(c.cases_sweep_ms, 60 * 1000);
    config_finish(&c);
    assert_string_equal(c.key_path, "var/linli.db.key");
}

static void test_config_file(void **state)
{
    Config c;
    char err[256];
    char *path = write_temp("# linli\ndb = /tmp/x.db\nlisten = 0.0.0.0:9000\n\nthreads=4\n"
                            "session_ttl_minutes = 30\ncases_sweep_ms = 250\n");

    (void)state;
    config_defaults(&c);
    assert_true(config_load_file(&c, path, err, sizeof(err)));
    assert_string_equal(c.db_path, "/tmp/x.db");
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9000);
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.session_ttl_ms, 30 * 60 * 1000);
    assert_int_equal(c.cases_sweep_ms, 250);
    unlink(path);
}

static void test_config_rejects_unknown_and_bad(void **state)
{
    Config c;
    char err[256];
    char *path = write_temp("db = a.db\nthreds = 4\n");

    (void)state;
    config_defaults(&c);
    assert_false(config_load_file(&c, path, err, sizeof(err)));
    assert_non_null(strstr(err, ":2:"));
    unlink(path);
    path = write_temp("threads = many\n");
    assert_false(config_load_file(&c, path, err, sizeof(err)));
    unlink(path);
    path = write_temp("just words\n");
    assert_false(config_load_file(&c, path, err, sizeof(err)));
    unlink(path);
    assert_false(config_set(&c, "cases_sweep_ms", "99"));      /* under 100 ms */
    assert_false(config_set(&c, "cases_sweep_ms", "3600001")); /* over an hour */
    assert_false(config_set(&c, "cases_sweep_ms", "1m"));
    assert_true(config_set(&c, "cases_sweep_ms", "3600000"));
    assert_false(config_parse_listen(&c, "8080"));
    assert_false(config_parse_listen(&c, "host:99999"));
    assert_false(config_load_file(&c, "/nonexistent/linli.conf", err, sizeof(err)));
}

static void test_config_security_settings(void **state)
{
    Config c;

    (void)state;
    config_defaults(&c);
    assert_int_equal(c.n_trusted_proxies, 0);
    assert_false(c.metrics_public);
    assert_true(config_set(&c, "trusted_proxies", "127.0.0.1, 10.0.0.0/8"));
    assert_int_equal(c.n_trusted_proxies, 2);
    assert_false(config_set(&c, "trusted_proxies", "10.0.0.0/40"));
    assert_int_equal(c.n_trusted_proxies, 2); /* a bad value changes nothing */
    assert_true(config_set(&c, "metrics_public", "true"));
    assert_true(c.metrics_public);
    assert_false(config_set(&c, "metrics_public", "yes"));
    assert_true(config_set(&c, "search_max_misses", "10"));
    assert_int_equal(c.search_max_misses, 10);
    assert_false(config_set(&c, "search_max_misses", "0"));
    assert_true(config_set(&c, "max_connections_per_ip", "20"));
    assert_int_equal(c.max_connections_per_ip, 20);
    assert_true(config_set(&c, "header_timeout_seconds", "5"));
    assert_int_equal(c.header_timeout_s, 5);
    assert_false(config_set(&c, "header_timeout_seconds", "0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_config_rejects_unknown_and_bad),
        cmocka_unit_test(test_config_security_settings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
