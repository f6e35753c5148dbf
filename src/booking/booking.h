#pragma once
/*
 * Booking (功能室预约): rooms of a community, their rules, bookings,
 * approvals, blackouts, check-in with an access code, no-show release and
 * suspension, and a waitlist.
 *
 * Times are Unix milliseconds (UTC). A room's rules are in its local time
 * (utc_offset_minutes, 480 for Asia/Shanghai): its slot grid starts at local
 * midnight, its opening hours are local minutes of a weekday.
 *
 * No double booking is the database's job: an active booking owns one row
 * of booking_slot per BOOKING_UNIT_MIN minutes, whose primary key is (room,
 * slot start), written in the booking's own transaction (see
 * src/store/schema/0002_booking.sql). The C code never reads to decide
 * whether a slot is free.
 *
 * No-shows are released lazily: every booking request first releases the
 * bookings whose check-in window has closed unused (booking_store_sweep),
 * inside a write transaction, and hands their time to the waitlist.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "store/store.h"

/* Who may do what: residents and community workers book; staff manage rooms. */
#define ROLES_BOOKING_READ                                                                  \
    (ROLE_RESIDENT | ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY | ROLE_STREET_ADMIN | \
     ROLE_ADMIN)
#define ROLES_BOOKING_BOOK (ROLE_RESIDENT | ROLE_GRID_WORKER | ROLE_STAFF | ROLE_SECRETARY)
#define ROLES_BOOKING_MANAGE (ROLE_STAFF | ROLE_SECRETARY | ROLE_ADMIN)

#define BOOKING_UNIT_MIN 5           /* occupancy granularity; every grid is a multiple */
#define BOOKING_MAX_INTERVALS 4      /* opening intervals per weekday */
#define BOOKING_MAX_FACILITIES 20
#define BOOKING_MAX_RANGE_DAYS 31    /* availability and calendar ranges */

typedef enum BookingState {
    BOOKING_PENDING,
    BOOKING_CONFIRMED,
    BOOKING_CHECKED_IN,
    BOOKING_CANCELLED,
    BOOKING_RELEASED,
    BOOKING_REJECTED,
    _BOOKING_STATE_MAX
} BookingState;

typedef struct OpenInterval {
    int open_min;                    /* local minutes from midnight, 0..1439 */
    int close_min;                   /* 1..1440, after open_min */
} OpenInterval;

typedef struct RoomRules {
    bool open_24h;
    OpenInterval hours[7][BOOKING_MAX_INTERVALS]; /* [0] Monday .. [6] Sunday, sorted */
    int n_hours[7];
    int slot_minutes;                /* grid; divides 1440, a multiple of BOOKING_UNIT_MIN */
    int min_minutes, max_minutes;    /* booking length, multiples of slot_minutes */
    int horizon_days;                /* bookable until the end of today + horizon_days */
    int weekly_quota;                /* bookings per person per local week; 0: none */
    bool needs_approval;
    int checkin_before_minutes;      /* check-in opens this long before the start */
    int checkin_after_minutes;       /* and closes this long after it (at the end at most) */
    int utc_offset_minutes;
} RoomRules;

typedef struct Room {
    int64_t id;
    const char *community;
    const char *name;
    const char *type;
    int64_t capacity;
    const char *facilities[BOOKING_MAX_FACILITIES];
    int n_facilities;
    int64_t building_id;             /* 0: none */
    const char *building_name;       /* or NULL */
    const char *location;            /* or NULL */
    const char *photo;               /* or NULL */
    const char *lock_webhook;        /* the smart lock's URL, or NULL (the global one) */
    RoomRules rules;
    int64_t created_at, updated_at;
} Room;

/* Bits of the fields a room request carried (booking_parse_room). */
enum {
    ROOM_COMMUNITY = 1 << 0,
    ROOM_NAME = 1 << 1,
    ROOM_TYPE = 1 << 2,
    ROOM_CAPACITY = 1 << 3,
    ROOM_FACILITIES = 1 << 4,
    ROOM_BUILDING = 1 << 5,
    ROOM_LOCATION = 1 << 6,
    ROOM_PHOTO = 1 << 7,
    ROOM_RULES = 1 << 8,
    ROOM_HOURS = 1 << 9,             /* opening_hours or open_24h among the rules */
    ROOM_LOCK = 1 << 10,
};

typedef struct BookingInput {
    int64_t room_id;
    int64_t start_ms, end_ms;
    const char *purpose;             /* or NULL */
    const char *for_username;        /* staff booking for a resident, or NULL */
    const char *team;                /* staff booking for a team, or NULL */
    int64_t booked_by;               /* the staff member booking for someone; 0: self */
} BookingInput;

typedef struct Booking {
    int64_t id;
    int64_t room_id;
    const char *room_name;
    const char *community;
    int64_t user_id;
    const char *user_name;
    int64_t start_ms, end_ms;
    BookingState state;
    const char *purpose;
    int64_t checkin_from, checkin_until;
    int64_t checked_in_at;           /* 0: not yet */
    const char *access_code;         /* or NULL */
    bool no_show;
    const char *reason;
    int64_t waitlist_id;             /* 0: booked directly */
    int utc_offset_minutes;          /* the room's, for rendering */
    int64_t created_at;
    const char *team;                /* booked for a team, or NULL */
    int64_t booked_by;               /* booked by staff for her or a team; 0: by herself */
} Booking;

typedef struct Blackout {
    int64_t id;
    int64_t room_id;
    int64_t start_ms, end_ms;
    const char *reason;
    const char *room_name;           /* lists across rooms (booking_store_blackouts_in); else NULL */
    int utc_offset_minutes;          /* the room's, in those lists */
} Blackout;

typedef struct BookingPolicy {
    int no_show_limit;               /* no-shows within window_days that suspend */
    int window_days;
    int suspend_days;
} BookingPolicy;

#define BOOKING_POLICY_DEFAULT { 3, 30, 7 }

/* ---- rules (booking_rules.c): pure functions, no I/O ---- */

const char *booking_state_name(BookingState s);
bool booking_state_parse(const char *s, BookingState *ret);
/* Pending, confirmed and checked-in bookings hold their slots. */
bool booking_state_active(BookingState s);

/*
 * Open 24 h, 30-minute grid, 30 min to 4 h, 14 days ahead, no approval, no
 * quota, check-in from 15 min before to 15 min after the start.
 */
void booking_rules_default(RoomRules *r);

/* linli demo: four function rooms of @community (booking_demo.c). */
Error *booking_demo(Store *st, Arena *a, const char *community, int *ret_n);
/*
 * linli demo: the last @days days of bookings of @community's demo rooms by
 * its residents' accounts, at the hours each room is used (seeded by
 * @seed): most checked in, some no-shows, some cancelled. *ret_n: how many.
 */
Error *booking_demo_history(Store *st, Arena *a, const char *community, int days, uint64_t seed,
                            int64_t now_ms, int64_t *ret_n);

/* 422 naming "rules.<field>" when the rules contradict each other. */
Error *booking_rules_validate(Arena *a, const RoomRules *r);

/* Is [@start_ms, @start_ms + @minutes) within the opening hours? */
bool booking_rules_open(const RoomRules *r, int64_t start_ms, int minutes);

/*
 * Checks a requested booking against the rules that need no database: grid,
 * length, past, horizon, opening hours. 422 naming "start" or "end" with the
 * rule in Chinese.
 */
Error *booking_rules_check(Arena *a, const RoomRules *r, int64_t start_ms, int64_t end_ms,
                           int64_t now_ms);

/*
 * Too late to book [@start_ms, @end_ms) at @now_ms? A booking may start in a
 * slot already begun while its check-in window is still open.
 */
bool booking_rules_too_late(const RoomRules *r, int64_t start_ms, int64_t end_ms, int64_t now_ms);

/*
 * The check-in window of a booking made at @now_ms; a late waitlist
 * promotion gets a full window from @now_ms.
 */
void booking_rules_checkin_window(const RoomRules *r, int64_t start_ms, int64_t end_ms,
                                  int64_t now_ms, int64_t *ret_from, int64_t *ret_until);

/* Local week [Monday 00:00, next Monday 00:00) holding @ms. */
void booking_rules_week(const RoomRules *r, int64_t ms, int64_t *ret_from, int64_t *ret_to);

/* "11月24日 14:00" at @offset_min, in @a. */
const char *booking_time_text(Arena *a, int64_t ms, int offset_min);

/* "HH:MM-HH:MM" -> interval; false if malformed or empty. "24:00" closes a day. */
bool booking_parse_interval(const char *s, OpenInterval *ret);
/* "08:00-12:00", in @a. */
char *booking_format_interval(Arena *a, const OpenInterval *iv);

/* What one slot of an availability grid shows, one character each. */
enum {
    GRID_FREE = 'F',
    GRID_MINE = 'M',                 /* the viewer's booking (any active state) */
    GRID_TAKEN = 'T',
    GRID_PENDING = 'P',              /* someone's booking awaiting approval */
    GRID_BLACKOUT = 'B',
    GRID_CLOSED = 'C',
    GRID_PAST = 'X',
    GRID_HORIZON = 'H',              /* not bookable yet */
};

typedef struct GridBusy {
    int64_t start_ms, end_ms;
    char mark;                       /* GRID_MINE, GRID_TAKEN, GRID_PENDING or GRID_BLACKOUT */
} GridBusy;

/*
 * The grid of local day @day: 1440 / slot_minutes characters into @out (and
 * a NUL). @busy (sorted or not) are the bookings and blackouts around it.
 */
void booking_grid_day(const RoomRules *r, int64_t day, int64_t now_ms, const GridBusy *busy,
                      size_t n_busy, char *out);

/* ---- request parsing (booking_validate.c) ---- */

/*
 * Reads POST /rooms (@partial false: community, name and capacity required)
 * or PATCH /rooms/{id} (@partial: at least one field) from @body into @room,
 * which holds the defaults or the room as it is. Rules given replace those
 * in room->rules, which are then checked as a whole. *ret_set gets ROOM_* bits.
 * On failure @room may be half changed.
 */
Error *booking_parse_room(Request *req, json_t *body, bool partial, Room *room, unsigned *ret_set);
Error *booking_parse_booking(Request *req, json_t *body, BookingInput *ret);
Error *booking_parse_blackout(Request *req, json_t *body, Blackout *ret, bool *ret_cancel);
Error *booking_parse_policy(Request *req, json_t *body, BookingPolicy *inout);
/* POST /bookings/recurring: a booking and "weeks" (2..52). */
Error *booking_parse_recurring(Request *req, json_t *body, BookingInput *ret, int *ret_weeks);
/* A time field in RFC 3339 with an offset. */
Error *booking_field_time(Request *req, json_t *body, const char *name, int64_t *ret);
/* ?from=&to= dates (default: today and six days on), at most BOOKING_MAX_RANGE_DAYS days. */
Error *booking_query_days(Request *req, const RoomRules *r, int64_t *ret_from_day,
                          int64_t *ret_to_day);

/* ?from=&to= dates, by default @def_days days from day @def_from; at most @max_days days. */
Error *booking_query_range(Request *req, int64_t def_from, int64_t def_days, int max_days,
                           int64_t *ret_from_day, int64_t *ret_to_day);

/* ---- JSON (booking_json.c); new references ---- */

json_t *booking_room_json(Arena *a, const Room *room);
json_t *booking_rules_json(Arena *a, const RoomRules *r);
/* @show_code: the viewer is the booker, so the access code may be shown. */
json_t *booking_json(Arena *a, const Booking *b, bool show_code);
json_t *booking_blackout_json(Arena *a, const Blackout *b, int offset_min);

/* ---- iCalendar feeds and QR posters (booking_ical.c) ---- */

/* Starts a VCALENDAR named @name in @sb (up to 4 MiB, in @a). */
void booking_ical_begin(StrBuf *sb, Arena *a, const char *name);
/* One VEVENT; @description and @location may be NULL. */
void booking_ical_booking(StrBuf *sb, Arena *a, const Booking *b, const char *summary,
                          const char *description, const char *location, int64_t now_ms);
void booking_ical_blackout(StrBuf *sb, Arena *a, const Blackout *b, int64_t now_ms);
/* Ends the calendar; the text, or NULL if it outgrew its maximum. */
const char *booking_ical_end(StrBuf *sb, size_t *ret_len);
/*
 * A printable poster: @title, a QR code of @url and @caption, as SVG in @a;
 * NULL if @url cannot be encoded.
 */
const char *booking_qr_svg(Arena *a, const char *url, const char *title, const char *caption,
                           size_t *ret_len);

/* The iCalendar response of @user_id's bookings (30 days back, a year on). */
Error *booking_ical_user(Request *req, Response *res, int64_t user_id);
/* "http://host:port" of this request (https behind cookie_secure), in the request's arena. */
const char *booking_base_url(Request *req);
/*
 * What a room's door QR code opens: the resident page that checks her in
 * when a booking of hers is due, and offers to book the room otherwise.
 */
const char *booking_room_url(Request *req, int64_t room_id);

/* ---- store (booking_room_store.c, booking_store.c) ---- */

Error *booking_store_room_insert(Store *st, Arena *a, const Room *room, int64_t *ret_id);
/* *ret is NULL when there is no such room. */
Error *booking_store_room_get(Store *st, Arena *a, int64_t id, Room **ret);
Error *booking_store_room_update(Store *st, Arena *a, const Room *room, bool hours_changed);
/* Rooms whose community lies in [@lo, @hi), by community and name; at most @limit. */
Error *booking_store_rooms(Store *st, Arena *a, const char *lo, const char *hi, size_t limit,
                           Room ***ret, size_t *ret_n);
/* Is @building_id a building of @community? */
Error *booking_store_building_in(Store *st, Arena *a, int64_t building_id, const char *community,
                                 bool *ret);

Error *booking_store_blackout_insert(Store *st, Arena *a, Blackout *b, int64_t actor_id);
Error *booking_store_blackouts(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                               Blackout **ret, size_t *ret_n);
Error *booking_store_blackout_get(Store *st, Arena *a, int64_t id, Blackout **ret);
Error *booking_store_blackout_delete(Store *st, Arena *a, int64_t id);

Error *booking_store_policy(Store *st, Arena *a, const char *community, BookingPolicy *ret);
Error *booking_store_policy_set(Store *st, Arena *a, const char *community,
                                const BookingPolicy *p);

/* Busy intervals of @room_id overlapping [@from_ms, @to_ms): bookings and blackouts. */
Error *booking_store_busy(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                          int64_t viewer_id, GridBusy **ret, size_t *ret_n);

/* Is any booking's check-in window closed unused (or any approval overdue) at @now_ms? */
Error *booking_store_sweep_due(Store *st, Arena *a, int64_t now_ms, bool *ret);
/*
 * Inside a write transaction: releases confirmed bookings not checked in by
 * the end of their window (no-shows, counted and possibly suspending their
 * booker), rejects pending bookings not approved in time, hands the freed
 * time to the waitlist, and expires waitlist entries that ended.
 */
Error *booking_store_sweep(Store *st, Arena *a, int64_t now_ms);
/* booking_store_sweep in its own transaction, only when there is something to do. */
Error *booking_store_sweep_if_due(Store *st, Arena *a, int64_t now_ms);

/*
 * Inside a write transaction: checks what needs the database (blackouts,
 * suspension, and the weekly quota if @check_quota) and inserts the booking with its slots; 409
 * slot_taken when any slot is held. Fills *ret (allocated in @a).
 */
Error *booking_store_insert(Store *st, Arena *a, const Room *room, const BookingInput *in,
                            int64_t user_id, bool check_quota, int64_t now_ms, Booking **ret);
Error *booking_store_get(Store *st, Arena *a, int64_t id, Booking **ret);
/*
 * Inside a write transaction: marks booking @id, just made for an event
 * that holds the room (an activity's session), as in use (checked in, no
 * access code), so that the no-show sweep and the approval deadline leave
 * it alone. 409 if it is no longer pending or confirmed.
 */
Error *booking_store_hold(Store *st, Arena *a, int64_t id, int64_t now_ms);
/* Cancels booking @b held by booking_store_hold (frees its slots, promotes the waitlist). */
Error *booking_store_end_held(Store *st, Arena *a, Booking *b, const char *reason,
                              int64_t actor_id, int64_t now_ms);

#define BOOKING_FILTER_ALL (-1)
#define BOOKING_FILTER_ACTIVE (-2)

typedef struct BookingFilter {
    int64_t user_id;                 /* 0: anyone */
    int64_t room_id;                 /* 0: any */
    const char *lo, *hi;             /* community range (when user_id is 0) */
    int64_t from_ms, to_ms;          /* overlapping [from, to); 0: unbounded */
    int state;                       /* a BookingState, BOOKING_FILTER_ALL or _ACTIVE */
    int64_t limit, offset;
} BookingFilter;

Error *booking_store_list(Store *st, Arena *a, const BookingFilter *f, Booking ***ret,
                          size_t *ret_n, int64_t *ret_total);

/*
 * Inside a write transaction: moves booking @b from an active state to
 * @to (cancelled, rejected) with @reason, frees its slots and promotes the
 * waitlist. 409 if the booking is no longer in a state that allows it.
 */
Error *booking_store_end(Store *st, Arena *a, Booking *b, BookingState to, const char *reason,
                         int64_t actor_id, int64_t now_ms);
/* Pending -> confirmed; 409 if it is no longer pending. */
Error *booking_store_approve(Store *st, Arena *a, Booking *b, int64_t actor_id, int64_t now_ms);
/* Confirmed -> checked in with a new access code; 409 outside the window. */
Error *booking_store_checkin(Store *st, Arena *a, Booking *b, int64_t now_ms);

/* The active suspension of @user_id, if any: *ret_until_ms 0 when none. */
Error *booking_store_suspension(Store *st, Arena *a, int64_t user_id, int64_t now_ms,
                                int64_t *ret_until_ms, int64_t *ret_no_shows);

typedef struct WaitEntry {
    int64_t id;
    int64_t room_id;
    const char *room_name;
    const char *community;
    int64_t user_id;
    int64_t start_ms, end_ms;
    const char *purpose;
    const char *state;               /* waiting, promoted, cancelled, expired */
    int64_t booking_id;              /* once promoted */
    int64_t position;                /* 1 = first in line (waiting only) */
    int utc_offset_minutes;
    int64_t created_at;
} WaitEntry;

/* Inside a write transaction: queues @user_id; 409 slot_free if nothing holds the time. */
Error *booking_store_wait_insert(Store *st, Arena *a, const Room *room, const BookingInput *in,
                                 int64_t user_id, int64_t now_ms, WaitEntry **ret);
Error *booking_store_wait_get(Store *st, Arena *a, int64_t id, WaitEntry **ret);
Error *booking_store_wait_list(Store *st, Arena *a, int64_t user_id, int64_t room_id,
                               WaitEntry ***ret, size_t *ret_n);
Error *booking_store_wait_cancel(Store *st, Arena *a, int64_t id);
json_t *booking_wait_json(Arena *a, const WaitEntry *w);

/* ---- secret links, the door, smart locks (booking_links*.c, booking_lock.c) ---- */

typedef enum BookingLinkKind {
    LINK_DOOR,                       /* a room's door: kiosk page and smart lock */
    LINK_FEED,                       /* a resident's calendar subscription */
} BookingLinkKind;

/* Inside a write transaction: a new link of room or user @owner_id, replacing the old one. */
Error *booking_store_link_new(Store *st, Arena *a, BookingLinkKind kind, int64_t owner_id,
                              int64_t actor_id, int64_t now_ms,
                              char ret_token[CRYPTO_TOKEN_CHARS + 1]);
Error *booking_store_link_revoke(Store *st, Arena *a, BookingLinkKind kind, int64_t owner_id);
/* When the live link of @owner_id was made; 0 if there is none. */
Error *booking_store_link_created(Store *st, Arena *a, BookingLinkKind kind, int64_t owner_id,
                                  int64_t *ret_created_at);
/* The room or user a token opens; 0 if none (never an error for a wrong token). */
Error *booking_store_link_find(Store *st, Arena *a, BookingLinkKind kind, const char *token,
                               int64_t *ret_owner_id);

typedef struct DoorBooking {
    int64_t start_ms, end_ms;
    BookingState state;
    const char *name;                /* the booker's display name, unmasked */
    const char *team;                /* or NULL */
} DoorBooking;

/* Active bookings of @room_id overlapping [@from_ms, @to_ms), earliest first, at most @limit. */
Error *booking_store_door(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                          size_t limit, DoorBooking **ret, size_t *ret_n);
/*
 * The checked-in booking of @room_id whose access code is @code and valid
 * at @now_ms: *ret_booking_id 0 if none, else its validity.
 */
Error *booking_store_code_check(Store *st, Arena *a, int64_t room_id, const char *code,
                                int64_t now_ms, int64_t *ret_booking_id, int64_t *ret_from_ms,
                                int64_t *ret_to_ms);
/* An enabled user by username: *ret_id 0 if none. */
Error *booking_store_user_by_name(Store *st, Arena *a, const char *username, int64_t *ret_id,
                                  const char **ret_role, const char **ret_scope,
                                  const char **ret_name);

/*
 * Tells the smart lock at @url about booking @b's access code: POSTs
 * {"room","room_name","booking_id","code","valid_from","valid_to"} from a
 * thread of its own, retrying twice, and logs the outcome with @request_id.
 * Returns at once; copies what it needs (@a holds only temporaries).
 */
void booking_lock_notify(Arena *a, const char *url, const Room *room, const Booking *b,
                         const char *request_id);
/* The webhook for @room: its own, else the configured global one, else NULL. */
const char *booking_lock_url(const Request *req, const Room *room);

/* ---- utilisation (booking_stats.c, booking_stats_store.c) ---- */

typedef struct StatBooking {
    int64_t room_id;
    int64_t start_ms, end_ms;
    bool checked_in;
    bool no_show;                    /* released unused */
} StatBooking;

#define BOOKING_STATS_MAX_DAYS 92
#define BOOKING_STATS_MAX_BOOKINGS 200000
#define BOOKING_MAX_BLACKOUTS_IN 20000 /* blackouts a range across rooms may hold */

/*
 * Bookings that held their time (confirmed, checked in, no-show) in rooms of
 * communities [@lo, @hi) (only @room_id unless 0) overlapping [@from_ms,
 * @to_ms); 400 too_many_bookings past @limit.
 */
Error *booking_store_stats(Store *st, Arena *a, const char *lo, const char *hi, int64_t room_id,
                           int64_t from_ms, int64_t to_ms, size_t limit, StatBooking **ret,
                           size_t *ret_n);

/*
 * Blackouts of the rooms of communities [@lo, @hi) (only @room_id unless 0)
 * overlapping [@from_ms, @to_ms), by room then start, with their room's
 * name and offset; 400 too_many_blackouts past @limit.
 */
Error *booking_store_blackouts_in(Store *st, Arena *a, const char *lo, const char *hi,
                                  int64_t room_id, int64_t from_ms, int64_t to_ms, size_t limit,
                                  Blackout **ret, size_t *ret_n);

/* ---- routes ---- */

/*
 * Releases the no-shows that are due (booking_store_sweep_if_due), ending a
 * GET's read transaction first when there is something to write.
 */
Error *booking_sweep(Request *req, int64_t now_ms);
/* Room @id if it exists and lies in the user's scope; 404 otherwise. */
Error *booking_room_in_scope(Request *req, int64_t id, Room **ret);
/* The room of the path's first id, for a user of @roles: 401/403, 400, or 404 as above. */
Error *booking_room_param(Request *req, unsigned roles, Room **ret);

/* Every booking route; rooms, availability, blackouts and policy are in booking_room_routes.c. */
void booking_routes_register(Router *r);
void booking_room_routes_register(Router *r);
/* Calendar feeds and QR posters (booking_ical.c); recurring bookings (booking_recurring.c). */
void booking_ical_routes_register(Router *r);
void booking_recurring_routes_register(Router *r);
/* Door links, kiosk, lock verification, calendar subscriptions (booking_links.c). */
void booking_links_routes_register(Router *r);
/* PNG posters (booking_poster.c). */
void booking_poster_routes_register(Router *r);
/* Utilisation and the blackouts across rooms (booking_stats.c). */
void booking_stats_routes_register(Router *r);
/*
 * Who a booking request books for: herself, or (staff of the room's
 * community only) the resident "for_username" or the team "team". Sets
 * in->booked_by; *ret_user_id and *ret_user_name are the booker's.
 */
Error *booking_on_behalf(Request *req, const Room *room, BookingInput *in, int64_t *ret_user_id,
                         const char **ret_user_name);
