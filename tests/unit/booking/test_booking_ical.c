#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "booking/booking.h"
#include "core/validate.h"

static int setup(void **state)
{
    *state = arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* Every line ends in CRLF, holds at most 75 octets and valid UTF-8. */
static void assert_lines_ok(const char *text)
{
    const char *p = text;

    while (*p) {
        const char *crlf = strstr(p, "\r\n");

        assert_non_null(crlf);
        assert_true(crlf - p <= 75);
        assert_true(utf8_valid(p, (size_t)(crlf - p)));
        assert_null(memchr(p, '\n', (size_t)(crlf - p)));
        p = crlf + 2;
    }
}

/* The calendar with folding undone (RFC 5545 §3.1). */
static char *unfold(Arena *a, const char *text)
{
    char *out = arena_strdup(a, text), *w = out;

    for (const char *p = text; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 2;
            continue;
        }
        *w++ = *p;
    }
    *w = '\0';
    return out;
}

static void test_booking_ical_folds_and_escapes(void **state)
{
    Arena *a = *state;
    Booking b = { .id = 7, .start_ms = 1795500000000LL, .end_ms = 1795503600000LL,
                  .state = BOOKING_CONFIRMED };
    Blackout bo = { .id = 3, .start_ms = 1795500000000LL, .end_ms = 1795510000000LL, .reason = "维修" };
    const char *name = "书画室, 二楼; 东侧 \\ 很长很长很长很长很长很长很长很长很长很长很长很长很长";
    const char *text, *flat;
    StrBuf sb;
    size_t len;

    booking_ical_begin(&sb, a, name);
    booking_ical_booking(&sb, a, &b, "已预约", "第一行\n第二行", "1楼", 1795400000000LL);
    b.id = 8;
    b.state = BOOKING_PENDING;
    booking_ical_booking(&sb, a, &b, "待审批", NULL, NULL, 1795400000000LL);
    booking_ical_blackout(&sb, a, &bo, 1795400000000LL);
    text = booking_ical_end(&sb, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    assert_lines_ok(text);
    assert_true(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0);
    assert_non_null(strstr(text, "END:VCALENDAR\r\n"));
    flat = unfold(a, text);
    assert_non_null(strstr(flat, "X-WR-CALNAME:书画室\\, 二楼\\; 东侧 \\\\ 很长"));
    assert_non_null(strstr(flat, "UID:booking-7@linli\r\n"));
    assert_non_null(strstr(flat, "DTSTART:20261124T060000Z\r\nDTEND:20261124T070000Z\r\n"));
    assert_non_null(strstr(flat, "DTSTAMP:20261123T021320Z\r\n"));
    assert_non_null(strstr(flat, "DESCRIPTION:第一行\\n第二行\r\n"));
    assert_non_null(strstr(flat, "STATUS:TENTATIVE"));
    assert_non_null(strstr(flat, "SUMMARY:暂停开放：维修\r\n"));
}

static void test_booking_qr_svg(void **state)
{
    Arena *a = *state;
    size_t len = 0;
    const char *svg = booking_qr_svg(a, "https://linli.example.org/h5/#/rooms/12", "A&B <室>", "扫码预约", &len);

    assert_non_null(svg);
    assert_int_equal(strlen(svg), len);
    assert_true(strncmp(svg, "<?xml", 5) == 0);
    assert_non_null(strstr(svg, ">A&amp;B &lt;室&gt;</text>"));
    assert_non_null(strstr(svg, "<path fill=\"#000\""));
    assert_non_null(strstr(svg, "M4 4h7v1h-7z")); /* the top-left finder pattern */
    assert_non_null(strstr(svg, "</svg>"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booking_ical_folds_and_escapes),
        cmocka_unit_test(test_booking_qr_svg),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
