-- linli schema v2: function rooms (功能室) and their bookings.
-- Times are Unix milliseconds (INTEGER, UTC); minutes of a day are local to
-- the room's utc_offset_minutes (480: Asia/Shanghai).
--
-- No double booking: every active booking (pending, confirmed, checked in)
-- owns one booking_slot row per 5 minutes it covers, written in the same
-- transaction as the booking. The primary key (room_id, slot_start) makes a
-- second booking of any covered 5 minutes fail as a constraint violation,
-- whatever the room's grid is or was. Slots are deleted when a booking is
-- cancelled, rejected or released.

CREATE TABLE room (
    id                      INTEGER PRIMARY KEY,
    community               TEXT NOT NULL REFERENCES division(code),
    name                    TEXT NOT NULL,
    type                    TEXT NOT NULL DEFAULT '',     -- 党员活动室, 书画室 ...
    capacity                INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    facilities              TEXT NOT NULL DEFAULT '[]',   -- JSON array of short strings
    building_id             INTEGER REFERENCES building(id),
    location                TEXT,                         -- "1楼东侧"
    photo                   TEXT,                         -- URL
    open_24h                INTEGER NOT NULL DEFAULT 1 CHECK (open_24h IN (0, 1)),
    slot_minutes            INTEGER NOT NULL DEFAULT 30
                            CHECK (slot_minutes BETWEEN 5 AND 240 AND slot_minutes % 5 = 0
                                   AND 1440 % slot_minutes = 0),
    min_minutes             INTEGER NOT NULL DEFAULT 30,
    max_minutes             INTEGER NOT NULL DEFAULT 240 CHECK (max_minutes <= 1440),
    horizon_days            INTEGER NOT NULL DEFAULT 14 CHECK (horizon_days BETWEEN 1 AND 365),
    weekly_quota            INTEGER NOT NULL DEFAULT 0 CHECK (weekly_quota BETWEEN 0 AND 100),
    needs_approval          INTEGER NOT NULL DEFAULT 0 CHECK (needs_approval IN (0, 1)),
    checkin_before_minutes  INTEGER NOT NULL DEFAULT 15 CHECK (checkin_before_minutes BETWEEN 0 AND 240),
    checkin_after_minutes   INTEGER NOT NULL DEFAULT 15 CHECK (checkin_after_minutes BETWEEN 1 AND 240),
    utc_offset_minutes      INTEGER NOT NULL DEFAULT 480 CHECK (utc_offset_minutes BETWEEN -720 AND 840),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CHECK (min_minutes >= slot_minutes AND min_minutes <= max_minutes
           AND min_minutes % slot_minutes = 0 AND max_minutes % slot_minutes = 0),
    UNIQUE (community, name)
);

-- Opening hours when open_24h = 0: intervals of a weekday (1 Monday .. 7
-- Sunday) in local minutes; a weekday without rows is closed.
CREATE TABLE room_hours (
    room_id     INTEGER NOT NULL REFERENCES room(id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    open_min    INTEGER NOT NULL CHECK (open_min BETWEEN 0 AND 1439),
    close_min   INTEGER NOT NULL CHECK (close_min BETWEEN 1 AND 1440),
    CHECK (open_min < close_min),
    PRIMARY KEY (room_id, weekday, open_min)
) WITHOUT ROWID;

CREATE TABLE room_blackout (
    id          INTEGER PRIMARY KEY,
    room_id     INTEGER NOT NULL REFERENCES room(id) ON DELETE CASCADE,
    start_ms    INTEGER NOT NULL,
    end_ms      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    created_by  INTEGER REFERENCES app_user(id),
    created_at  INTEGER NOT NULL,
    CHECK (end_ms > start_ms)
);
CREATE INDEX room_blackout_room ON room_blackout(room_id, end_ms);

CREATE TABLE booking (
    id              INTEGER PRIMARY KEY,
    room_id         INTEGER NOT NULL REFERENCES room(id),
    community       TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES app_user(id),
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'checked_in',
                                                    'cancelled', 'released', 'rejected')),
    purpose         TEXT,
    checkin_from    INTEGER NOT NULL,             -- the check-in window, fixed at booking time
    checkin_until   INTEGER NOT NULL,
    checked_in_at   INTEGER,
    access_code     TEXT,                         -- given at check-in, valid until end_ms
    no_show         INTEGER NOT NULL DEFAULT 0 CHECK (no_show IN (0, 1)),
    reason          TEXT,                         -- why cancelled, rejected or released
    waitlist_id     INTEGER,                      -- the waitlist entry it came from
    decided_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (end_ms > start_ms AND checkin_until > checkin_from)
);
CREATE INDEX booking_room ON booking(room_id, start_ms);
-- the availability grid reads only this: active bookings, covered
CREATE INDEX booking_room_active ON booking(room_id, start_ms, end_ms, state, user_id)
    WHERE state IN ('pending', 'confirmed', 'checked_in');
CREATE INDEX booking_user ON booking(user_id, start_ms);
CREATE INDEX booking_community ON booking(community, start_ms);
-- bookings whose check-in window may close unused (the no-show sweep)
CREATE INDEX booking_due ON booking(checkin_until) WHERE state IN ('pending', 'confirmed');

CREATE TABLE booking_slot (
    room_id     INTEGER NOT NULL,
    slot_start  INTEGER NOT NULL,                 -- Unix ms, a multiple of 5 minutes
    booking_id  INTEGER NOT NULL REFERENCES booking(id),
    PRIMARY KEY (room_id, slot_start)
) WITHOUT ROWID;

CREATE TABLE waitlist (
    id          INTEGER PRIMARY KEY,
    room_id     INTEGER NOT NULL REFERENCES room(id),
    community   TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    start_ms    INTEGER NOT NULL,
    end_ms      INTEGER NOT NULL,
    purpose     TEXT,
    state       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'promoted', 'cancelled', 'expired')),
    booking_id  INTEGER REFERENCES booking(id),   -- once promoted
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (end_ms > start_ms)
);
CREATE INDEX waitlist_room ON waitlist(room_id, start_ms) WHERE state = 'waiting';
CREATE INDEX waitlist_user ON waitlist(user_id, start_ms);
CREATE UNIQUE INDEX waitlist_once ON waitlist(room_id, user_id, start_ms, end_ms)
    WHERE state = 'waiting';

-- No-show rules of a community; a community without a row uses the defaults.
CREATE TABLE booking_policy (
    community       TEXT PRIMARY KEY REFERENCES division(code),
    no_show_limit   INTEGER NOT NULL CHECK (no_show_limit BETWEEN 1 AND 100),
    window_days     INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 365),
    suspend_days    INTEGER NOT NULL CHECK (suspend_days BETWEEN 1 AND 365),
    updated_at      INTEGER NOT NULL
);

-- A resident suspended from booking after too many no-shows.
CREATE TABLE booking_suspension (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    community   TEXT NOT NULL,
    from_ms     INTEGER NOT NULL,
    until_ms    INTEGER NOT NULL,
    no_shows    INTEGER NOT NULL,
    CHECK (until_ms > from_ms)
);
CREATE INDEX booking_suspension_user ON booking_suspension(user_id, until_ms);
