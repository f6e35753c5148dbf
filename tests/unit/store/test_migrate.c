/*
 * The two sets of migrations (migrate.c) are versioned alike: every SQLite
 * file in src/store/schema/ has a PostgreSQL twin of the same name in
 * src/store/schema/pg/, and no twin lacks its original.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/embed.h"

extern const EmbeddedFile schema_files[];
extern const EmbeddedFile schema_pg_files[];

static const EmbeddedFile *find(const EmbeddedFile *set, const char *name)
{
    for (const EmbeddedFile *f = set; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void test_migrate_every_sqlite_file_has_a_pg_twin(void **state)
{
    (void)state;
    for (const EmbeddedFile *f = schema_files; f->name; f++) {
        if (!find(schema_pg_files, f->name))
            fail_msg("src/store/schema/pg/%s is missing", f->name);
    }
}

static void test_migrate_every_pg_file_has_a_sqlite_original(void **state)
{
    (void)state;
    for (const EmbeddedFile *f = schema_pg_files; f->name; f++) {
        if (!find(schema_files, f->name))
            fail_msg("src/store/schema/%s is missing", f->name);
    }
}

static void test_migrate_sets_are_not_empty(void **state)
{
    (void)state;
    assert_non_null(schema_files[0].name);
    assert_non_null(schema_pg_files[0].name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_every_sqlite_file_has_a_pg_twin),
        cmocka_unit_test(test_migrate_every_pg_file_has_a_sqlite_original),
        cmocka_unit_test(test_migrate_sets_are_not_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
