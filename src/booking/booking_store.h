#pragma once
/*
 * What booking_store.c and booking_wait_store.c share, private to the
 * module. Both expect the caller's write transaction.
 */
#include "booking/booking.h"
#include "store/store_counts.h"

/*
 * For src/analytics, each one grouped query over the communities in [@lo,
 * @hi), key the room's kind (room.type, "" when none given):
 * rooms_by_community: n = {rooms}; bookings_by_community: bookings that
 * start in [@from_ms, @to_ms) and were not cancelled, rejected or released,
 * n = {bookings, booked minutes, checked in}.
 */
Error *booking_store_rooms_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                        CountRows *out);
Error *booking_store_bookings_by_community(Store *st, Arena *a, const char *lo, const char *hi,
                                           int64_t from_ms, int64_t to_ms, CountRows *out);

/*
 * Checks blackouts, the booker's suspension and (unless @check_quota is
 * false) the weekly quota, then inserts the booking and takes its slots: 422
 * blackout / over_quota, 403 booking_suspended, 409 slot_taken. @waitlist_id
 * is the entry a promotion comes from, or 0. *ret is allocated in @a.
 */
Error *booking_store_insert_checked(Store *st, Arena *a, const Room *room, const BookingInput *in,
                                    int64_t user_id, bool check_quota, int64_t waitlist_id,
                                    int64_t now_ms, Booking **ret);

/*
 * Offers the freed time [@from_ms, @to_ms) of @room_id to the waitlist:
 * each waiting entry overlapping it, first come first served, becomes a
 * booking if all its time is free and its booker may book; the others keep
 * waiting. Entries whose time has passed expire.
 */
Error *booking_store_promote(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                             int64_t now_ms);

/*
 * Tells @b's booker in her notice inbox (notice_add, same transaction):
 * @title, and "room, time" and @detail (may be NULL) as the body; the link
 * "/bookings?id=N" names the booking (the H5's bookings, the console's calendar).
 */
Error *booking_store_notify(Store *st, Arena *a, const Booking *b, const char *kind,
                            const char *title, const char *detail);

/* Steps @s, which counts something, into *ret; resets it. */
Error *booking_store_count(Store *st, Arena *a, StoreStmt *s, int64_t *ret);
/* Frees the slots booking @booking_id holds in [@start_ms, @end_ms). */
Error *booking_store_free_slots(Store *st, Arena *a, int64_t room_id, int64_t start_ms,
                                int64_t end_ms, int64_t booking_id);
/*
 * Ends booking @id (pending or confirmed; only pending for @to rejected);
 * *ret_changed is false when it was no longer in such a state.
 */
Error *booking_store_set_ended(Store *st, Arena *a, int64_t id, BookingState to, bool no_show,
                               const char *reason, int64_t actor_id, int64_t now_ms,
                               bool *ret_changed);
