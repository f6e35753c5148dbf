-- linli schema 31: a meeting (议事会) books its function room and signs its
-- participants in by QR code.
--
-- room_id and booking_id: the room booked from the meeting, through the
-- booking module in the meeting's own transaction (its slots, its overlap
-- rules); ends_at is the booking's end. checkin_token is the secret in the
-- meeting's sign-in QR code (created with the meeting, or on first use for
-- meetings older than this schema). walk_in marks a resident of the
-- community who signed in without an invitation.
ALTER TABLE meeting ADD COLUMN ends_at INTEGER;
ALTER TABLE meeting ADD COLUMN room_id INTEGER REFERENCES room(id);
ALTER TABLE meeting ADD COLUMN booking_id INTEGER REFERENCES booking(id);
ALTER TABLE meeting ADD COLUMN checkin_token TEXT;
ALTER TABLE meeting_participant ADD COLUMN walk_in INTEGER NOT NULL DEFAULT 0;
