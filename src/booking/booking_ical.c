/*
 * iCalendar (RFC 5545) feeds of bookings, and a room's QR-code poster (SVG).
 *
 * Feeds are written in UTC ("20261124T060000Z"), so they need no VTIMEZONE:
 * every client shows the times in its own zone. Content lines end in CRLF
 * and are folded at 75 octets without splitting a UTF-8 character (§3.1);
 * TEXT values escape backslash, semicolon, comma and newline (§3.3.11).
 */
#include <qrencode.h>
#include <string.h>

#include "booking/booking.h"
#include "core/mask.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

#define ICAL_MAX (4 * 1024 * 1024)
#define SVG_MAX (512 * 1024)

/* Appends one content line, folded, with its CRLF. */
static void ical_line(StrBuf *sb, const char *line)
{
    size_t len = strlen(line), room = 75;

    while (len > room) {
        size_t cut = room;

        while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--; /* never inside a UTF-8 sequence */
        strbuf_add(sb, line, cut);
        strbuf_adds(sb, "\r\n ");
        line += cut;
        len -= cut;
        room = 74; /* the leading space counts */
    }
    strbuf_add(sb, line, len);
    strbuf_adds(sb, "\r\n");
}

/* NAME:escaped text */
static void ical_text(StrBuf *sb, Arena *a, const char *name, const char *value)
{
    const char *text;
    StrBuf v;

    strbuf_init(&v, a, 4096);
    strbuf_adds(&v, name);
    strbuf_addc(&v, ':');
    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '\\':
        case ';':
        case ',':
            strbuf_addc(&v, '\\');
            strbuf_addc(&v, *p);
            break;
        case '\n':
            strbuf_adds(&v, "\\n");
            break;
        case '\r':
            break;
        default:
            strbuf_addc(&v, *p);
        }
    }
    text = strbuf_finish(&v, NULL);
    ical_line(sb, text ? text : name); /* a value over 4 KiB: the name alone */
}

static const char *ical_time(Arena *a, int64_t ms)
{
    int64_t day;
    int minute, y, m, d, sec = (int)((ms / 1000) % 60);

    time_local(ms, 0, &day, &minute);
    civil_from_days(day, &y, &m, &d);
    return arena_sprintf(a, "%04d%02d%02dT%02d%02d%02dZ", y, m, d, minute / 60, minute % 60,
                         sec < 0 ? sec + 60 : sec);
}

void booking_ical_begin(StrBuf *sb, Arena *a, const char *name)
{
    strbuf_init(sb, a, ICAL_MAX);
    ical_line(sb, "BEGIN:VCALENDAR");
    ical_line(sb, "VERSION:2.0");
    ical_line(sb, "PRODID:-//linli//booking 1.0//ZH");
    ical_line(sb, "CALSCALE:GREGORIAN");
    ical_line(sb, "METHOD:PUBLISH");
    ical_text(sb, a, "X-WR-CALNAME", name);
    ical_line(sb, "X-WR-TIMEZONE:Asia/Shanghai");
}

void booking_ical_booking(StrBuf *sb, Arena *a, const Booking *b, const char *summary,
                          const char *description, const char *location, int64_t now_ms)
{
    ical_line(sb, "BEGIN:VEVENT");
    ical_line(sb, arena_sprintf(a, "UID:booking-%lld@linli", (long long)b->id));
    ical_line(sb, arena_sprintf(a, "DTSTAMP:%s", ical_time(a, now_ms)));
    ical_line(sb, arena_sprintf(a, "DTSTART:%s", ical_time(a, b->start_ms)));
    ical_line(sb, arena_sprintf(a, "DTEND:%s", ical_time(a, b->end_ms)));
    ical_text(sb, a, "SUMMARY", summary);
    if (description)
        ical_text(sb, a, "DESCRIPTION", description);
    if (location)
        ical_text(sb, a, "LOCATION", location);
    ical_line(sb, b->state == BOOKING_PENDING ? "STATUS:TENTATIVE" : "STATUS:CONFIRMED");
    ical_line(sb, "TRANSP:OPAQUE");
    ical_line(sb, "END:VEVENT");
}

void booking_ical_blackout(StrBuf *sb, Arena *a, const Blackout *b, int64_t now_ms)
{
    ical_line(sb, "BEGIN:VEVENT");
    ical_line(sb, arena_sprintf(a, "UID:blackout-%lld@linli", (long long)b->id));
    ical_line(sb, arena_sprintf(a, "DTSTAMP:%s", ical_time(a, now_ms)));
    ical_line(sb, arena_sprintf(a, "DTSTART:%s", ical_time(a, b->start_ms)));
    ical_line(sb, arena_sprintf(a, "DTEND:%s", ical_time(a, b->end_ms)));
    ical_text(sb, a, "SUMMARY", arena_sprintf(a, "暂停开放：%s", b->reason));
    ical_line(sb, "STATUS:CONFIRMED");
    ical_line(sb, "END:VEVENT");
}

const char *booking_ical_end(StrBuf *sb, size_t *ret_len)
{
    ical_line(sb, "END:VCALENDAR");
    return strbuf_finish(sb, ret_len);
}

static void xml_text(StrBuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            strbuf_adds(sb, "&amp;");
            break;
        case '<':
            strbuf_adds(sb, "&lt;");
            break;
        case '>':
            strbuf_adds(sb, "&gt;");
            break;
        case '"':
            strbuf_adds(sb, "&quot;");
            break;
        case '\'':
            strbuf_adds(sb, "&#39;");
            break;
        default:
            strbuf_addc(sb, *s);
        }
    }
}

const char *booking_qr_svg(Arena *a, const char *url, const char *title, const char *caption,
                           size_t *ret_len)
{
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    const int quiet = 4, size = 320, top = 70;
    double unit;
    StrBuf sb;
    int n;

    if (!qr)
        return NULL;
    n = qr->width + 2 * quiet;
    unit = (double)size / n;
    strbuf_init(&sb, a, SVG_MAX);
    strbuf_addf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"480\""
                     " viewBox=\"0 0 400 480\">\n"
                     "<rect width=\"400\" height=\"480\" fill=\"#fff\"/>\n"
                     "<text x=\"200\" y=\"48\" font-size=\"28\" font-weight=\"bold\""
                     " text-anchor=\"middle\" font-family=\"sans-serif\">");
    xml_text(&sb, title);
    strbuf_addf(&sb, "</text>\n<g transform=\"translate(40 %d) scale(%.6f)\">\n"
                     "<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"",
                top, unit);
    for (int y = 0; y < qr->width; y++) {
        for (int x = 0; x < qr->width;) {
            int run = 0;

            while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
                run++;
            if (run) {
                strbuf_addf(&sb, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
                x += run;
            } else {
                x++;
            }
        }
    }
    strbuf_addf(&sb, "\"/>\n</g>\n<text x=\"200\" y=\"%d\" font-size=\"20\" text-anchor=\"middle\""
                     " font-family=\"sans-serif\">",
                top + size + 40);
    xml_text(&sb, caption);
    strbuf_adds(&sb, "</text>\n</svg>\n");
    QRcode_free(qr);
    return strbuf_finish(&sb, ret_len);
}

/* ---- routes ---- */

static Error *calendar_response(Request *req, Response *res, StrBuf *sb, const char *filename)
{
    size_t len;
    const char *text = booking_ical_end(sb, &len);

    if (!text)
        return error_too_large(req->arena, "日历内容过多，请缩小范围");
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"%s\"", filename));
    return response_bytes(res, 200, "text/calendar; charset=utf-8", text, len);
}

static Error *booking_handle_room_calendar(Request *req, Response *res)
{
    int64_t now = time_now_ms(), total;
    BookingFilter f = { .state = BOOKING_FILTER_ACTIVE, .limit = 2000 };
    Booking **items;
    Blackout *blackouts;
    size_t n, n_blackouts;
    bool staff;
    Room *room = NULL;
    StrBuf sb;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_READ, &room);
    if (err)
        return err;
    err = booking_sweep(req, now);
    if (err)
        return err;
    f.room_id = room->id;
    f.from_ms = now - 7 * TIME_DAY_MS;
    f.to_ms = now + 60 * TIME_DAY_MS;
    err = booking_store_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    err = booking_store_blackouts(req->store, req->arena, room->id, f.from_ms, f.to_ms, &blackouts,
                                  &n_blackouts);
    if (err)
        return err;
    /* residents see that a time is taken; workers of the community also see by whom */
    staff = req->user->role != ROLE_RESIDENT;
    booking_ical_begin(&sb, req->arena, room->name);
    for (size_t i = 0; i < n; i++) {
        const Booking *b = items[i];
        const char *summary = b->state == BOOKING_PENDING ? "待审批" : "已预约";

        if (staff)
            summary = arena_sprintf(req->arena, "%s：%s", summary,
                                    mask_name(req->arena, b->user_name));
        booking_ical_booking(&sb, req->arena, b, summary, staff ? b->purpose : NULL, room->location,
                             now);
    }
    for (size_t i = 0; i < n_blackouts; i++)
        booking_ical_blackout(&sb, req->arena, &blackouts[i], now);
    return calendar_response(req, res, &sb,
                             arena_sprintf(req->arena, "room-%lld.ics", (long long)room->id));
}

Error *booking_ical_user(Request *req, Response *res, int64_t user_id)
{
    int64_t now = time_now_ms(), total;
    BookingFilter f = { .state = BOOKING_FILTER_ACTIVE, .limit = 2000 };
    Booking **items;
    size_t n;
    StrBuf sb;
    Error *err;

    err = booking_sweep(req, now);
    if (err)
        return err;
    f.user_id = user_id;
    f.from_ms = now - 30 * TIME_DAY_MS;
    f.to_ms = now + 366 * TIME_DAY_MS;
    err = booking_store_list(req->store, req->arena, &f, &items, &n, &total);
    if (err)
        return err;
    booking_ical_begin(&sb, req->arena, "我的活动室预约");
    for (size_t i = 0; i < n; i++) {
        const Booking *b = items[i];

        booking_ical_booking(&sb, req->arena, b,
                             b->state == BOOKING_PENDING
                                 ? arena_sprintf(req->arena, "%s（待审批）", b->room_name)
                                 : b->room_name,
                             b->purpose, NULL, now);
    }
    return calendar_response(req, res, &sb, "bookings.ics");
}

static Error *booking_handle_my_calendar(Request *req, Response *res)
{
    Error *err;

    err = auth_require(req, ROLES_BOOKING_READ);
    if (err)
        return err;
    return booking_ical_user(req, res, req->user->id);
}

const char *booking_base_url(Request *req)
{
    const char *h = request_header(req, "Host");
    size_t n = h ? strlen(h) : 0;
    bool https = req->app && req->app->cfg && req->app->cfg->cookie_secure;

    if (n == 0 || n > 253 ||
        strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != n)
        h = "localhost";
    return arena_sprintf(req->arena, "%s://%s", https ? "https" : "http", h);
}

const char *booking_room_url(Request *req, int64_t room_id)
{
    return arena_sprintf(req->arena, "%s/h5/#/rooms/%lld/checkin", booking_base_url(req),
                         (long long)room_id);
}

static Error *booking_handle_room_qr(Request *req, Response *res)
{
    const char *url, *svg;
    size_t len;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_READ, &room);
    if (err)
        return err;
    url = booking_room_url(req, room->id);
    svg = booking_qr_svg(req->arena, url, room->name,
                         room->rules.open_24h ? "扫码预约 · 24小时开放" : "扫码预约", &len);
    if (!svg)
        return error_internal(req->arena, "qrencode failed for room %lld", (long long)room->id);
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"room-%lld.svg\"", (long long)room->id));
    return response_bytes(res, 200, "image/svg+xml; charset=utf-8", svg, len);
}

void booking_ical_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/rooms/{id}/calendar.ics", booking_handle_room_calendar, 0);
    router_add(r, "GET", "/api/v1/rooms/{id}/qr.svg", booking_handle_room_qr, 0);
    router_add(r, "GET", "/api/v1/bookings/calendar.ics", booking_handle_my_calendar, 0);
}
