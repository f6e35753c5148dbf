-- linli schema 34: activities, courses and markets (issue 18, the core):
-- sign-up with a waitlist, QR sign-in and sign-out per session, ratings.
-- src/activities/activities.h tells the design.
--
-- kind: volunteer 志愿服务, course 公益课程, market 便民集市, sports 文体活动,
-- civic 议事/宣传. taken counts the confirmed sign-ups and may never pass
-- capacity: the CHECK refuses it whatever the races.
CREATE TABLE activity (
    id            INTEGER PRIMARY KEY,
    community     TEXT NOT NULL REFERENCES division(code),
    title         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('volunteer', 'course', 'market', 'sports', 'civic')),
    body          TEXT NOT NULL DEFAULT '',
    place         TEXT NOT NULL DEFAULT '',
    room_id       INTEGER REFERENCES room(id),
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100000),
    taken         INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    waitlist      INTEGER NOT NULL DEFAULT 1 CHECK (waitlist IN (0, 1)),
    walk_in       INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1)),
    age_min       INTEGER,
    age_max       INTEGER,
    tags          TEXT NOT NULL DEFAULT '[]',   -- JSON array of audience tags (老年人, 儿童+家长)
    signup_opens  INTEGER,                      -- NULL: open from publication
    signup_closes INTEGER NOT NULL,
    cancel_until  INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'cancelled')),
    cancel_reason TEXT,
    created_by    INTEGER REFERENCES app_user(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CHECK (end_at > start_at),
    CHECK (taken <= capacity)
);
CREATE INDEX activity_community ON activity(community, start_at);

-- One session of an activity (a one-off activity has one; a course N), with
-- the token its QR code carries and the room booking that holds its time.
CREATE TABLE activity_session (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activity(id),
    seq         INTEGER NOT NULL,
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL,
    token       TEXT NOT NULL UNIQUE,
    booking_id  INTEGER REFERENCES booking(id),
    UNIQUE (activity_id, seq),
    CHECK (end_at > start_at)
);

-- A sign-up of a resident (herself or one of her household, signed up by
-- user_id, who gets the notices). A waitlisted sign-up waits in id order.
CREATE TABLE activity_signup (
    id           INTEGER PRIMARY KEY,
    activity_id  INTEGER NOT NULL REFERENCES activity(id),
    resident_id  INTEGER NOT NULL REFERENCES resident(id),
    user_id      INTEGER NOT NULL REFERENCES app_user(id),
    state        TEXT NOT NULL CHECK (state IN ('confirmed', 'waitlisted', 'cancelled')),
    created_at   INTEGER NOT NULL,
    promoted_at  INTEGER,
    cancelled_at INTEGER,
    cancelled_by INTEGER REFERENCES app_user(id)
);
CREATE UNIQUE INDEX activity_signup_live ON activity_signup(activity_id, resident_id)
    WHERE state <> 'cancelled';
CREATE INDEX activity_signup_resident ON activity_signup(resident_id, state);
CREATE INDEX activity_signup_wait ON activity_signup(activity_id, state, id);

-- Attendance: one row per participant per session, from her sign-in and
-- sign-out (by QR code or by staff); hours can be computed from in_at and
-- out_at. signup_id is NULL for a walk-in.
CREATE TABLE activity_attendance (
    session_id  INTEGER NOT NULL REFERENCES activity_session(id),
    resident_id INTEGER NOT NULL REFERENCES resident(id),
    activity_id INTEGER NOT NULL REFERENCES activity(id),
    signup_id   INTEGER REFERENCES activity_signup(id),
    in_at       INTEGER NOT NULL,
    in_by       INTEGER REFERENCES app_user(id),
    out_at      INTEGER,
    out_by      INTEGER REFERENCES app_user(id),
    PRIMARY KEY (session_id, resident_id),
    CHECK (out_at IS NULL OR out_at >= in_at)
);
CREATE INDEX activity_attendance_activity ON activity_attendance(activity_id, resident_id);
CREATE INDEX activity_attendance_resident ON activity_attendance(resident_id);

CREATE TABLE activity_rating (
    activity_id INTEGER NOT NULL REFERENCES activity(id),
    resident_id INTEGER NOT NULL REFERENCES resident(id),
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, resident_id)
);

-- No-show rule of a community (a community without a row: 3 in 90 days
-- suspend sign-ups for 30 days).
CREATE TABLE activity_policy (
    community     TEXT PRIMARY KEY REFERENCES division(code),
    no_show_limit INTEGER NOT NULL CHECK (no_show_limit BETWEEN 1 AND 100),
    window_days   INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 365),
    suspend_days  INTEGER NOT NULL CHECK (suspend_days BETWEEN 1 AND 365),
    updated_at    INTEGER NOT NULL
);
