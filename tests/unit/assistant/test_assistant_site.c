/* Filling the entries that answer from the asker's community (assistant_site.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "assistant/assistant.h"

static const AssistantSiteFacts FULL = {
    .name = "幸福居委会", .office_phone = "021-62510000", .office_hours = "周一至周五 8:30—17:00",
    .address = "幸福路 88 号", .station = "幸福里党群服务站", .duty_phone = "13900001111",
};

static void fills_fields_and_keeps_optional_parts(void **state)
{
    Arena *a = arena_new(0);
    const char *s = assistant_site_render(a, "{name}电话：{office_phone}[；值班 {duty_phone}]。", &FULL);

    (void)state;
    assert_string_equal(s, "幸福居委会电话：021-62510000；值班 13900001111。");
    arena_free(a);
}

static void leaves_out_an_optional_part_with_an_empty_field(void **state)
{
    Arena *a = arena_new(0);
    AssistantSiteFacts f = FULL;
    const char *s;

    (void)state;
    f.duty_phone = "";
    s = assistant_site_render(a, "电话：{office_phone}[；值班 {duty_phone}][（{office_hours}）]。", &f);
    assert_string_equal(s, "电话：021-62510000（周一至周五 8:30—17:00）。");
    arena_free(a);
}

static void no_answer_when_a_required_field_is_empty_or_unknown(void **state)
{
    Arena *a = arena_new(0);
    AssistantSiteFacts f = FULL;

    (void)state;
    f.address = "";
    assert_null(assistant_site_render(a, "居委会在{address}。", &f));
    assert_null(assistant_site_render(a, "{fax}", &FULL));
    assert_null(assistant_site_render(a, "电话 {office_phone", &FULL));
    assert_null(assistant_site_render(a, "[电话 {office_phone}", &FULL));
    arena_free(a);
}

static void names_the_office(void **state)
{
    Arena *a = arena_new(0);
    AssistantSiteFacts f = FULL;

    (void)state;
    f.name = "幸福社区";
    assert_string_equal(assistant_site_render(a, "{name}", &f), "幸福社区居委会");
    f.name = "";
    assert_string_equal(assistant_site_render(a, "{name}", &f), "本社区居委会");
    assert_string_equal(assistant_site_render(a, "{name}", &FULL), "幸福居委会");
    arena_free(a);
}

static void links_only_for_linli_pages(void **state)
{
    (void)state;
    assert_string_equal(assistant_entry_link("S-rooms"), "/h5/#/rooms");
    assert_string_equal(assistant_entry_link("S-report"), "/h5/#/cases/new");
    assert_null(assistant_entry_link("S-phone"));
    assert_null(assistant_entry_link("K001"));
    assert_null(assistant_entry_link(NULL));
    assert_true(assistant_site_entry("S-phone"));
    assert_false(assistant_site_entry("K001"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fills_fields_and_keeps_optional_parts),
        cmocka_unit_test(leaves_out_an_optional_part_with_an_empty_field),
        cmocka_unit_test(no_answer_when_a_required_field_is_empty_or_unknown),
        cmocka_unit_test(names_the_office),
        cmocka_unit_test(links_only_for_linli_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
