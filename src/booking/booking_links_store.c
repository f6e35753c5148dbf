/*
 * Secret links (door links of rooms, calendar subscriptions of residents),
 * the door's view of a room, access-code checks for smart locks, and the
 * look-up of a resident that staff book for.
 *
 * A link's token is shown once, when it is made; the table keeps only its
 * BLAKE2b hash (crypto_token_hash), as sessions do. Making a link replaces
 * the old one of its room or resident in the same transaction, so a leaked
 * link dies when staff (or she) make a new one.
 */
#include <string.h>

#include "booking/booking.h"
#include "core/crypto.h"
#include "core/banned.h"

static const char SQL_LINK_DELETE_ROOM[] =
    "DELETE FROM booking_link WHERE kind = 'door' AND room_id = ?1";
static const char SQL_LINK_DELETE_USER[] =
    "DELETE FROM booking_link WHERE kind = 'feed' AND user_id = ?1";
static const char SQL_LINK_INSERT[] =
    "INSERT INTO booking_link (token_hash, kind, room_id, user_id, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_LINK_GET[] =
    "SELECT room_id, user_id, created_at FROM booking_link WHERE token_hash = ?1 AND kind = ?2";
static const char SQL_LINK_OF_ROOM[] =
    "SELECT created_at FROM booking_link WHERE kind = 'door' AND room_id = ?1";
static const char SQL_LINK_OF_USER[] =
    "SELECT created_at FROM booking_link WHERE kind = 'feed' AND user_id = ?1";

/* Active bookings of a room that end after ?2 and start before ?3, earliest first. */
static const char SQL_DOOR_BOOKINGS[] =
    "SELECT b.start_ms, b.end_ms, b.state, u.display_name, b.team FROM booking b"
    " JOIN app_user u ON u.id = b.user_id"
    " WHERE b.room_id = ?1 AND b.end_ms > ?2 AND b.start_ms < ?3"
    " AND b.state IN ('pending', 'confirmed', 'checked_in') ORDER BY b.start_ms LIMIT ?4";

/* The checked-in booking of a room holding access code ?2 at ?3. */
static const char SQL_CODE_CHECK[] =
    "SELECT id, checked_in_at, end_ms FROM booking WHERE room_id = ?1 AND access_code = ?2"
    " AND state = 'checked_in' AND checked_in_at <= ?3 AND end_ms > ?3";

static const char SQL_USER_BY_NAME[] =
    "SELECT id, role, scope, display_name FROM app_user WHERE username = ?1 AND disabled = 0";

Error *booking_store_link_new(Store *st, Arena *a, BookingLinkKind kind, int64_t owner_id,
                              int64_t actor_id, int64_t now_ms, char ret_token[CRYPTO_TOKEN_CHARS + 1])
{
    uint8_t hash[CRYPTO_HASH_BYTES];
    StoreStmt *s;
    Error *err;

    err = booking_store_link_revoke(st, a, kind, owner_id);
    if (err)
        return err;
    crypto_token_new(ret_token);
    crypto_token_hash(ret_token, hash);
    s = store_prepare(st, a, SQL_LINK_INSERT);
    store_bind_blob(s, 1, hash, sizeof(hash));
    store_bind_text(s, 2, kind == LINK_DOOR ? "door" : "feed");
    if (kind == LINK_DOOR) {
        store_bind_int64(s, 3, owner_id);
        store_bind_null(s, 4);
    } else {
        store_bind_null(s, 3);
        store_bind_int64(s, 4, owner_id);
    }
    store_bind_int64(s, 5, actor_id);
    store_bind_int64(s, 6, now_ms);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *booking_store_link_revoke(Store *st, Arena *a, BookingLinkKind kind, int64_t owner_id)
{
    StoreStmt *s =
        store_prepare(st, a, kind == LINK_DOOR ? SQL_LINK_DELETE_ROOM : SQL_LINK_DELETE_USER);

    store_bind_int64(s, 1, owner_id);
    if (store_step(s) != STORE_DONE)
        return store_error(st, a);
    store_reset(s);
    return NULL;
}

Error *booking_store_link_created(Store *st, Arena *a, BookingLinkKind kind, int64_t owner_id,
                                  int64_t *ret_created_at)
{
    StoreStmt *s = store_prepare(st, a, kind == LINK_DOOR ? SQL_LINK_OF_ROOM : SQL_LINK_OF_USER);

    store_bind_int64(s, 1, owner_id);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_created_at = store_column_int64(s, 0);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        *ret_created_at = 0;
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *booking_store_link_find(Store *st, Arena *a, BookingLinkKind kind, const char *token,
                               int64_t *ret_owner_id)
{
    uint8_t hash[CRYPTO_HASH_BYTES];
    StoreStmt *s;

    *ret_owner_id = 0;
    if (!token || strlen(token) != CRYPTO_TOKEN_CHARS)
        return NULL; /* not one of ours: no need to ask the database */
    crypto_token_hash(token, hash);
    s = store_prepare(st, a, SQL_LINK_GET);
    store_bind_blob(s, 1, hash, sizeof(hash));
    store_bind_text(s, 2, kind == LINK_DOOR ? "door" : "feed");
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_owner_id = store_column_int64(s, kind == LINK_DOOR ? 0 : 1);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *booking_store_door(Store *st, Arena *a, int64_t room_id, int64_t from_ms, int64_t to_ms,
                          size_t limit, DoorBooking **ret, size_t *ret_n)
{
    StoreStmt *s = store_prepare(st, a, SQL_DOOR_BOOKINGS);
    DoorBooking *items = arena_zalloc(a, (limit ? limit : 1) * sizeof(DoorBooking));
    size_t n = 0;
    StoreResult r;

    store_bind_int64(s, 1, room_id);
    store_bind_int64(s, 2, from_ms);
    store_bind_int64(s, 3, to_ms);
    store_bind_int64(s, 4, (int64_t)limit);
    while ((r = store_step(s)) == STORE_ROW && n < limit) {
        items[n].start_ms = store_column_int64(s, 0);
        items[n].end_ms = store_column_int64(s, 1);
        if (!booking_state_parse(store_column_text(s, a, 2), &items[n].state))
            items[n].state = BOOKING_CONFIRMED;
        items[n].name = store_column_text(s, a, 3);
        items[n].team = store_column_text(s, a, 4);
        n++;
    }
    if (r != STORE_DONE && r != STORE_ROW)
        return store_error(st, a);
    store_reset(s);
    *ret = items;
    *ret_n = n;
    return NULL;
}

Error *booking_store_code_check(Store *st, Arena *a, int64_t room_id, const char *code,
                                int64_t now_ms, int64_t *ret_booking_id, int64_t *ret_from_ms,
                                int64_t *ret_to_ms)
{
    StoreStmt *s = store_prepare(st, a, SQL_CODE_CHECK);

    *ret_booking_id = 0;
    store_bind_int64(s, 1, room_id);
    store_bind_text(s, 2, code);
    store_bind_int64(s, 3, now_ms);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_booking_id = store_column_int64(s, 0);
        *ret_from_ms = store_column_int64(s, 1);
        *ret_to_ms = store_column_int64(s, 2);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}

Error *booking_store_user_by_name(Store *st, Arena *a, const char *username, int64_t *ret_id,
                                  const char **ret_role, const char **ret_scope,
                                  const char **ret_name)
{
    StoreStmt *s = store_prepare(st, a, SQL_USER_BY_NAME);

    *ret_id = 0;
    store_bind_text(s, 1, username);
    switch (store_step(s)) {
    case STORE_ROW:
        *ret_id = store_column_int64(s, 0);
        *ret_role = store_column_text(s, a, 1);
        *ret_scope = store_column_text(s, a, 2);
        *ret_name = store_column_text(s, a, 3);
        store_reset(s);
        return NULL;
    case STORE_DONE:
        store_reset(s);
        return NULL;
    default:
        return store_error(st, a);
    }
}
