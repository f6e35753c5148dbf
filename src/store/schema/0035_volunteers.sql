-- linli schema 35: volunteers, their teams, posts (岗位) in activities and
-- the service-hours ledger (issue 18). src/volunteers/volunteers.h tells the
-- design.
--
-- A volunteer is a resident of the community (one row per resident) with
-- her skills and availability. minutes is her balance: the sum of her
-- confirmed ledger entries, moved in the same transaction as they are, and
-- never below zero (the CHECK refuses it whatever the races).
CREATE TABLE volunteer (
    id           INTEGER PRIMARY KEY,
    community    TEXT NOT NULL REFERENCES division(code),
    resident_id  INTEGER NOT NULL UNIQUE REFERENCES resident(id),
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    skills       TEXT NOT NULL DEFAULT '[]',   -- JSON array of skill codes
    skills_other TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '[]',   -- JSON array: weekday_morning … weekend_evening
    minutes      INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    created_by   INTEGER REFERENCES app_user(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX volunteer_community ON volunteer(community, status);

-- A team (志愿队) of a community; lead = 1 marks its leads.
CREATE TABLE volunteer_team (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (community, name)
);
CREATE TABLE volunteer_team_member (
    team_id      INTEGER NOT NULL REFERENCES volunteer_team(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteer(id),
    lead         INTEGER NOT NULL DEFAULT 0 CHECK (lead IN (0, 1)),
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX volunteer_team_member_volunteer ON volunteer_team_member(volunteer_id);

-- A post (岗位) of an activity: taken counts its volunteers and may never
-- pass needed, as activity.taken and capacity.
CREATE TABLE activity_post (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activity(id),
    name        TEXT NOT NULL,
    needed      INTEGER NOT NULL CHECK (needed BETWEEN 1 AND 1000),
    taken       INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    created_at  INTEGER NOT NULL,
    UNIQUE (activity_id, name),
    CHECK (taken <= needed)
);
-- A volunteer on a post: one post per volunteer per activity.
CREATE TABLE activity_post_volunteer (
    post_id      INTEGER NOT NULL REFERENCES activity_post(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteer(id),
    activity_id  INTEGER NOT NULL REFERENCES activity(id),
    assigned_by  INTEGER REFERENCES app_user(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (post_id, volunteer_id),
    UNIQUE (activity_id, volunteer_id)
);

-- The hours ledger, append-only. An entry from attendance (a volunteer on
-- a post signed in and out of a session) is pending until a lead of her
-- team or staff confirm or reject it; a correction (±minutes, with its
-- reason and who made it) is confirmed when written. Only the state of a
-- pending entry changes, once, with who and when; minutes, volunteer and
-- the rest never change and no entry is deleted (the triggers refuse).
-- kind: the activity's kind, or 'other' for a correction without one.
CREATE TABLE volunteer_hours (
    id           INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES volunteer(id),
    community    TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('attendance', 'correction')),
    activity_id  INTEGER REFERENCES activity(id),
    session_id   INTEGER REFERENCES activity_session(id),
    post_id      INTEGER REFERENCES activity_post(id),
    kind         TEXT NOT NULL,
    served_at    INTEGER NOT NULL,                -- when the service was (its sign-in)
    minutes      INTEGER NOT NULL CHECK (minutes <> 0),
    reason       TEXT NOT NULL DEFAULT '',
    corrects_id  INTEGER REFERENCES volunteer_hours(id),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'rejected')),
    created_by   INTEGER REFERENCES app_user(id),
    created_at   INTEGER NOT NULL,
    reviewed_by  INTEGER REFERENCES app_user(id),
    reviewed_at  INTEGER,
    review_note  TEXT NOT NULL DEFAULT '',
    CHECK (source = 'attendance' OR (state = 'confirmed' AND reason <> '')),
    CHECK (source = 'correction' OR (minutes > 0 AND session_id IS NOT NULL))
);
CREATE UNIQUE INDEX volunteer_hours_session ON volunteer_hours(session_id, volunteer_id)
    WHERE source = 'attendance';
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours(volunteer_id, id);
CREATE INDEX volunteer_hours_community ON volunteer_hours(community, state);

CREATE TRIGGER volunteer_hours_no_delete BEFORE DELETE ON volunteer_hours BEGIN
    SELECT RAISE(ABORT, 'volunteer_hours is append-only: add a correction instead');
END;
CREATE TRIGGER volunteer_hours_no_update BEFORE UPDATE ON volunteer_hours
WHEN OLD.state <> 'pending' OR NEW.state NOT IN ('confirmed', 'rejected')
  OR NEW.reviewed_by IS NULL OR NEW.reviewed_at IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.volunteer_id IS NOT OLD.volunteer_id
  OR NEW.community IS NOT OLD.community OR NEW.source IS NOT OLD.source
  OR NEW.activity_id IS NOT OLD.activity_id OR NEW.session_id IS NOT OLD.session_id
  OR NEW.post_id IS NOT OLD.post_id OR NEW.kind IS NOT OLD.kind
  OR NEW.served_at IS NOT OLD.served_at OR NEW.minutes IS NOT OLD.minutes
  OR NEW.reason IS NOT OLD.reason OR NEW.corrects_id IS NOT OLD.corrects_id
  OR NEW.created_by IS NOT OLD.created_by OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'volunteer_hours is append-only: only a pending entry is confirmed or rejected, once');
END;

-- A certificate of hours (志愿服务时长证明) as issued: its code is in the
-- QR code, and GET /api/v1/volunteers/certificates/{code} shows these totals.
CREATE TABLE volunteer_certificate (
    code         TEXT PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES volunteer(id),
    minutes      INTEGER NOT NULL,
    totals       TEXT NOT NULL,                   -- JSON: [{year, kind, minutes}]
    issued_by    INTEGER REFERENCES app_user(id),
    issued_at    INTEGER NOT NULL
);
CREATE INDEX volunteer_certificate_volunteer ON volunteer_certificate(volunteer_id);
