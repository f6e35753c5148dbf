-- PostgreSQL twin of src/store/schema/0006_booking_access.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema v5: function rooms, continued.
--
-- Secret links that work without a session: a room's door link (the kiosk
-- tablet by the door and the smart lock use it) and a resident's calendar
-- subscription (calendar clients cannot send a Bearer token). Only the
-- BLAKE2b hash of a token is kept; staff and residents rotate or revoke them.
CREATE TABLE booking_link (
    token_hash  BYTEA PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('door', 'feed')),
    room_id     BIGINT REFERENCES room(id) ON DELETE CASCADE,
    user_id     BIGINT REFERENCES app_user(id),
    created_by  BIGINT NOT NULL REFERENCES app_user(id),
    created_at  BIGINT NOT NULL,
    CHECK ((kind = 'door' AND room_id IS NOT NULL AND user_id IS NULL)
        OR (kind = 'feed' AND user_id IS NOT NULL AND room_id IS NULL))
);
-- one live link per room and per resident: a new one replaces the old
CREATE UNIQUE INDEX booking_link_room ON booking_link(room_id) WHERE kind = 'door';
CREATE UNIQUE INDEX booking_link_user ON booking_link(user_id) WHERE kind = 'feed';

-- Where a room's smart lock hears about access codes (NULL: the global
-- lock_webhook of the configuration, if any).
ALTER TABLE room ADD COLUMN lock_webhook TEXT;

-- Bookings made by staff on behalf of a resident (user_id is hers) or a team.
ALTER TABLE booking ADD COLUMN booked_by BIGINT REFERENCES app_user(id);
ALTER TABLE booking ADD COLUMN team TEXT;
