#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/static.h"

static const struct {
    const char *header;
    const char *coding;
    bool ok;
} cases[] = {
    { "gzip, deflate, br", "br", true },          /* chromium's */
    { "gzip, deflate, br", "gzip", true },
    { "gzip, deflate", "br", false },
    { "", "gzip", false },
    { "GZIP", "gzip", true },                     /* case-insensitive */
    { "br;q=0, gzip", "br", false },              /* refused by weight */
    { "br;q=0, gzip", "gzip", true },
    { "br; q=0.0", "br", false },
    { "br;q=0.000", "br", false },
    { "br;q=0.5", "br", true },
    { "br;q=0.001", "br", true },
    { "br;q=1", "br", true },
    { " br ;q=0.8 , gzip", "br", true },          /* spaces around */
    { "*", "br", true },
    { "*;q=0", "gzip", false },
    { "identity", "gzip", false },
    { "gzip2", "gzip", false },                   /* a longer name is another coding */
    { "xgzip", "gzip", false },
    { "deflate,gzip", "gzip", true },
    { "gzip;level=9", "gzip", true },             /* other parameters ignored */
};

static void test_static_accepts_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = static_accepts(cases[i].header, cases[i].coding);

        if (got != cases[i].ok)
            fail_msg("\"%s\" for %s: got %d", cases[i].header, cases[i].coding, got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_accepts_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
