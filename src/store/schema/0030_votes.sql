-- linli schema 30: deliberation and votes (issue 16): property records, votes,
-- 加装电梯, topics and meetings. src/votes/votes.h
-- tells the design.
--
-- The registry's additions the count needs: who owns each household's
-- exclusive part (专有部分) and its registered area, in integer hundredths
-- of a square metre (never a float in a comparison), or that the developer
-- has not sold it. One owner row per person (by the keyed hash of her ID
-- number), so a buyer of several units is one owner.
CREATE TABLE property_owner (
    id           INTEGER PRIMARY KEY,
    community    TEXT NOT NULL,                -- where she was first registered
    name         TEXT NOT NULL,
    id_hash      BLOB,                         -- keyed hash of the ID number
    id_masked    TEXT,
    resident_id  INTEGER REFERENCES resident(id), -- she lives here: her account votes
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX property_owner_id ON property_owner(id_hash) WHERE id_hash IS NOT NULL;
CREATE UNIQUE INDEX property_owner_resident ON property_owner(resident_id)
    WHERE resident_id IS NOT NULL;

CREATE TABLE household_property (
    household_id INTEGER PRIMARY KEY REFERENCES household(id),
    area_cm2     INTEGER NOT NULL CHECK (area_cm2 > 0),   -- hundredths of a m²
    owner_id     INTEGER REFERENCES property_owner(id),
    unsold       INTEGER NOT NULL DEFAULT 0 CHECK (unsold IN (0, 1)),
    updated_by   INTEGER REFERENCES app_user(id),
    updated_at   INTEGER NOT NULL,
    CHECK ((unsold = 1 AND owner_id IS NULL) OR (unsold = 0 AND owner_id IS NOT NULL))
);
CREATE INDEX household_property_owner ON household_property(owner_id);

-- A vote: an owners' decision (民法典 第二百七十八条) or a residents' poll.
-- Thresholds are fractions of integers; NULL takes art. 278's by matter.
CREATE TABLE vote (
    id              INTEGER PRIMARY KEY,
    community       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('owners', 'poll')),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',  -- the question and its consequences
    scope           TEXT NOT NULL CHECK (scope IN ('community', 'building', 'unit')),
    building_id     INTEGER REFERENCES building(id),
    unit            INTEGER,
    matter          TEXT CHECK (matter IN ('ordinary', 'special')),  -- owners
    per             TEXT CHECK (per IN ('household', 'resident')),   -- poll
    quorum_n        INTEGER, quorum_d INTEGER,
    approval_n      INTEGER, approval_d INTEGER,
    approval_strict INTEGER,
    secret          INTEGER NOT NULL DEFAULT 0,
    changeable      INTEGER NOT NULL DEFAULT 1,
    opens_at        INTEGER NOT NULL,
    closes_at       INTEGER NOT NULL,
    closed_at       INTEGER,
    closed_by       INTEGER REFERENCES app_user(id),
    voters_total    INTEGER NOT NULL DEFAULT 0,   -- the roll: owners or households or residents
    area_total      INTEGER NOT NULL DEFAULT 0,   -- hundredths of a m² (owners)
    voters_in       INTEGER NOT NULL DEFAULT 0,   -- live participation, kept by each first ballot
    area_in         INTEGER NOT NULL DEFAULT 0,
    n_ballots       INTEGER NOT NULL DEFAULT 0,   -- ballots cast, changes included: the chain's length
    chain_head      TEXT NOT NULL DEFAULT '',     -- hex SHA-256 of the last ballot
    result          TEXT,                         -- the count at the close (JSON)
    created_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX vote_community ON vote(community, closes_at);

-- The roll, fixed when the vote opens: for an owners' decision one row per
-- unit in scope (its owner and area), for a poll one per household or
-- resident. voter is 'o:ID' (an owner), 'dev' (the developer's unsold
-- units, one owner), 'h:ID' (a household) or 'r:ID' (a resident).
CREATE TABLE vote_roll (
    vote_id      INTEGER NOT NULL REFERENCES vote(id),
    household_id INTEGER NOT NULL,
    voter        TEXT NOT NULL,
    area_cm2     INTEGER NOT NULL DEFAULT 0,
    unsold       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vote_id, voter, household_id)
);

-- Every ballot, changes included, in the order of the hash chain: hash =
-- SHA-256(prev || the ballot's canonical line), see votes_chain.c.
CREATE TABLE vote_ballot (
    id          INTEGER PRIMARY KEY,
    vote_id     INTEGER NOT NULL REFERENCES vote(id),
    seq         INTEGER NOT NULL,                 -- 1, 2, … within the vote
    voter       TEXT NOT NULL,
    choice      TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    channel     TEXT NOT NULL CHECK (channel IN ('app', 'paper', 'in_person')),
    user_id     INTEGER REFERENCES app_user(id),  -- who cast it (the voter, or staff for paper)
    photo_id    INTEGER,                          -- the signed sheet (paper, in person)
    receipt     TEXT NOT NULL,                    -- the voter's code to look her ballot up
    cast_at     INTEGER NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (vote_id, seq)
);
CREATE UNIQUE INDEX vote_ballot_receipt ON vote_ballot(vote_id, receipt);

-- Each voter's ballot that counts (her last): one row per voter, so two
-- first ballots racing leave one.
CREATE TABLE vote_current (
    vote_id     INTEGER NOT NULL REFERENCES vote(id),
    voter       TEXT NOT NULL,
    ballot_id   INTEGER NOT NULL REFERENCES vote_ballot(id),
    choice      TEXT NOT NULL,
    PRIMARY KEY (vote_id, voter)
);

-- The signed sheet of a paper or in-person ballot (file beside the database).
CREATE TABLE vote_photo (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    uploader_id INTEGER NOT NULL REFERENCES app_user(id),
    created_at  INTEGER NOT NULL
);

-- 加装电梯: an owners' decision of one 单元 with a city's settings, notice
-- and objections resolved before the result is final.
CREATE TABLE lift_settings (
    city        TEXT PRIMARY KEY,      -- the city's division code (6 digits, "310100")
    settings    TEXT NOT NULL,         -- JSON, votes_lift.c
    updated_by  INTEGER REFERENCES app_user(id),
    updated_at  INTEGER NOT NULL
);

CREATE TABLE lift_project (
    id            INTEGER PRIMARY KEY,
    vote_id       INTEGER NOT NULL UNIQUE REFERENCES vote(id),
    community     TEXT NOT NULL,
    building_id   INTEGER NOT NULL REFERENCES building(id),
    unit          INTEGER NOT NULL,
    settings      TEXT NOT NULL,       -- the city's settings when it started (JSON)
    notice_from   TEXT,                -- 公示 from the close, YYYY-MM-DD
    notice_until  TEXT,
    affected      TEXT NOT NULL DEFAULT '[]', -- household ids whose units the lift occupies (JSON)
    final_at      INTEGER,
    final_by      INTEGER REFERENCES app_user(id),
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX lift_project_unit ON lift_project(building_id, unit) WHERE final_at IS NULL;

CREATE TABLE lift_objection (
    id            INTEGER PRIMARY KEY,
    lift_id       INTEGER NOT NULL REFERENCES lift_project(id),
    household_id  INTEGER REFERENCES household(id),
    by_name       TEXT NOT NULL,
    text          TEXT NOT NULL,
    user_id       INTEGER REFERENCES app_user(id),
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER,
    resolved_by   INTEGER REFERENCES app_user(id),
    resolution    TEXT                 -- 协调 notes
);
CREATE INDEX lift_objection_lift ON lift_objection(lift_id);

-- Topics (议题): raised by a resident or staff, supported and commented on,
-- moderated (hidden with a reason, merged into another), moved through
-- 征集 → 协商 → 表决 → 公示 → 实施 → 完结, each step kept in topic_step.
CREATE TABLE topic (
    id            INTEGER PRIMARY KEY,
    community     TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('community', 'building', 'unit')),
    building_id   INTEGER REFERENCES building(id),
    unit          INTEGER,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'collecting'
                  CHECK (state IN ('collecting', 'consulting', 'voting', 'publicity',
                                   'implementing', 'done')),
    hidden_reason TEXT,                        -- hidden by staff when not NULL
    merged_into   INTEGER REFERENCES topic(id),
    supports      INTEGER NOT NULL DEFAULT 0,
    comments      INTEGER NOT NULL DEFAULT 0,
    vote_id       INTEGER REFERENCES vote(id), -- the vote of its 表决 step
    created_by    INTEGER REFERENCES app_user(id),
    author        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX topic_community ON topic(community, updated_at);

CREATE TABLE topic_step (
    id          INTEGER PRIMARY KEY,
    topic_id    INTEGER NOT NULL REFERENCES topic(id),
    kind        TEXT NOT NULL CHECK (kind IN ('raised', 'state', 'hidden', 'shown', 'merged',
                                              'meeting', 'minutes')),
    state       TEXT,                      -- the state it moved to ('state')
    note        TEXT NOT NULL DEFAULT '',
    ref_id      INTEGER,                   -- the topic merged into, the meeting
    user_id     INTEGER REFERENCES app_user(id),
    at          INTEGER NOT NULL
);
CREATE INDEX topic_step_topic ON topic_step(topic_id, id);

CREATE TABLE topic_support (
    topic_id    INTEGER NOT NULL REFERENCES topic(id),
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);

CREATE TABLE topic_comment (
    id            INTEGER PRIMARY KEY,
    topic_id      INTEGER NOT NULL REFERENCES topic(id),
    user_id       INTEGER REFERENCES app_user(id),
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,
    hidden_reason TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX topic_comment_topic ON topic_comment(topic_id, id);

-- Meetings (议事会) of a topic: invited residents from the registry, their
-- attendance, and the minutes and decisions, published to the topic.
CREATE TABLE meeting (
    id          INTEGER PRIMARY KEY,
    topic_id    INTEGER NOT NULL REFERENCES topic(id),
    community   TEXT NOT NULL,
    starts_at   INTEGER NOT NULL,
    place       TEXT NOT NULL,
    minutes     TEXT,
    decisions   TEXT,
    minutes_at  INTEGER,
    created_by  INTEGER REFERENCES app_user(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX meeting_topic ON meeting(topic_id);

CREATE TABLE meeting_participant (
    meeting_id  INTEGER NOT NULL REFERENCES meeting(id),
    resident_id INTEGER NOT NULL REFERENCES resident(id),
    attended_at INTEGER,
    marked_by   INTEGER REFERENCES app_user(id),
    PRIMARY KEY (meeting_id, resident_id)
);
