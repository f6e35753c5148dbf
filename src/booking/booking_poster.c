/*
 * A room's QR-code poster as PNG (the SVG one is in booking_ical.c): the
 * room's name on top, the QR code of its door page, a caption below
 * (core/qrpng).
 */
#include "booking/booking.h"
#include "core/qrpng.h"
#include "http/auth.h"
#include "http/response.h"
#include "core/banned.h"

static Error *booking_handle_room_png(Request *req, Response *res)
{
    const char *png;
    size_t len;
    Room *room = NULL;
    Error *err;

    err = booking_room_param(req, ROLES_BOOKING_READ, &room);
    if (err)
        return err;
    png = qr_poster_png(req->arena, booking_room_url(req, room->id), room->name,
                        room->rules.open_24h ? "扫码预约 · 24小时开放" : "扫码预约", &len);
    if (!png)
        return error_internal(req->arena, "cannot draw the poster of room %lld", (long long)room->id);
    response_header(res, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"room-%lld.png\"", (long long)room->id));
    return response_bytes(res, 200, "image/png", png, len);
}

void booking_poster_routes_register(Router *r)
{
    router_add(r, "GET", "/api/v1/rooms/{id}/qr.png", booking_handle_room_png, 0);
}
