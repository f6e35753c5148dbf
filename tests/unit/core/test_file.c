#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/file.h"

/* A temporary file holding @text; its path, to unlink. */
static char *temp_file(const char *text)
{
    const char *tmp = getenv("TMPDIR");
    char *path = malloc(512);
    int fd;

    snprintf(path, 512, "%s/linli-test-file-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_file_read_all_whole(void **state)
{
    Arena *a = arena_new(0);
    char *path = temp_file("编号,问题\nK1,停车\n");
    const char *errmsg = NULL;
    char *data = NULL;
    size_t len = 0;

    (void)state;
    assert_true(file_read_all(a, path, 1024, &data, &len, &errmsg));
    assert_int_equal(len, strlen("编号,问题\nK1,停车\n"));
    assert_string_equal(data, "编号,问题\nK1,停车\n");
    assert_int_equal(data[len], '\0');
    unlink(path);
    free(path);
    arena_free(a);
}

static void test_file_read_all_refuses(void **state)
{
    Arena *a = arena_new(0);
    char *path = temp_file("0123456789");
    const char *errmsg = NULL;
    char *data = NULL;
    size_t len = 0;

    (void)state;
    /* over the limit by one byte */
    assert_false(file_read_all(a, path, 9, &data, &len, &errmsg));
    assert_non_null(errmsg);
    assert_null(data);
    /* exactly at it */
    assert_true(file_read_all(a, path, 10, &data, &len, &errmsg));
    assert_int_equal(len, 10);
    unlink(path);
    /* gone, and a directory */
    errmsg = NULL;
    assert_false(file_read_all(a, path, 1024, &data, &len, &errmsg));
    assert_non_null(errmsg);
    errmsg = NULL;
    assert_false(file_read_all(a, "/", 1024, &data, &len, &errmsg));
    assert_non_null(errmsg);
    free(path);
    arena_free(a);
}

static void test_file_has_extension(void **state)
{
    (void)state;
    assert_true(file_has_extension("residents.csv", ".csv"));
    assert_true(file_has_extension("RESIDENTS.XLSX", ".xlsx"));
    assert_true(file_has_extension("dir.d/kb.jsonl", ".jsonl"));
    assert_false(file_has_extension("kb.jsonl", ".json"));
    assert_false(file_has_extension(".csv", ".csv"));
    assert_false(file_has_extension("csv", ".csv"));
    assert_false(file_has_extension("", ".csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_read_all_whole),
        cmocka_unit_test(test_file_read_all_refuses),
        cmocka_unit_test(test_file_has_extension),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
