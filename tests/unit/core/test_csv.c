#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"

static void test_csv_quotes_and_lines(void **state)
{
    const char *data = "\xEF\xBB\xBFname,note\r\n张三,\"a, b\"\r\n\"李\"\"四\",\"two\nlines\"\nlast,\n";
    Arena *a = arena_new(0);
    CsvParser c;
    char **cells;
    size_t n;
    int line;

    (void)state;
    csv_init(&c, data, strlen(data));
    assert_int_equal(csv_next(&c, a, 16, &cells, &n, &line), 1);
    assert_int_equal(line, 1);
    assert_string_equal(cells[0], "name");
    assert_int_equal(csv_next(&c, a, 16, &cells, &n, &line), 1);
    assert_int_equal(line, 2);
    assert_string_equal(cells[1], "a, b");
    assert_int_equal(csv_next(&c, a, 16, &cells, &n, &line), 1);
    assert_string_equal(cells[0], "李\"四");
    assert_string_equal(cells[1], "two\nlines");
    assert_int_equal(csv_next(&c, a, 16, &cells, &n, &line), 1);
    assert_int_equal(line, 5);
    assert_int_equal(n, 2);
    assert_string_equal(cells[1], "");
    assert_int_equal(csv_next(&c, a, 16, &cells, &n, &line), 0);
    arena_free(a);
}

static void test_csv_unterminated_quote(void **state)
{
    const char *data = "a,\"never ends\n";
    Arena *a = arena_new(0);
    CsvParser c;
    char **cells;
    size_t n;
    int line;

    (void)state;
    csv_init(&c, data, strlen(data));
    assert_int_equal(csv_next(&c, a, 16, &cells, &n, &line), -1);
    arena_free(a);
}

static void test_csv_write_cell(void **state)
{
    Arena *a = arena_new(0);
    StrBuf sb;

    (void)state;
    strbuf_init(&sb, a, 1024);
    csv_write_cell(&sb, "plain");
    strbuf_addc(&sb, ',');
    csv_write_cell(&sb, "a,\"b\"");
    strbuf_addc(&sb, ',');
    csv_write_cell(&sb, "=SUM(A1)");
    assert_string_equal(strbuf_finish(&sb, NULL), "plain,\"a,\"\"b\"\"\",'=SUM(A1)");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quotes_and_lines),
        cmocka_unit_test(test_csv_unterminated_quote),
        cmocka_unit_test(test_csv_write_cell),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
