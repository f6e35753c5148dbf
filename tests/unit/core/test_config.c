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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_config_rejects_unknown_and_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
