-- linli schema 27: care of the elderly (issue 15). People in care, their
-- GB/T 42195-2022 ability assessments, a community risk grade, helpers
-- paired with them (结对), visits (走访), daily 平安 checks, days away and
-- the overdue sweep's alerts. src/care/care.h tells the design.
--
-- Health and care data are sealed at rest (core/crypto, as the registry
-- seals ID numbers and phones) in the *_enc columns: reasons, risk tags and
-- notes, assessment items and results, grade reasons, visit checklists and
-- notes. In clear stay only what lists filter and count by: the living
-- situation, the ability level (0-4) and the risk grade (1-3).

-- One row per care episode: opened, and perhaps closed (moved, care home,
-- deceased). A resident opened again gets a new row; the old stays.
CREATE TABLE care_person (
    id              INTEGER PRIMARY KEY,
    resident_id     INTEGER NOT NULL REFERENCES resident(id),
    community       TEXT NOT NULL,
    building_id     INTEGER NOT NULL REFERENCES building(id),
    living          TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (living IN ('alone', 'with_spouse', 'with_family', 'with_carer',
                                      'other', 'unknown')),    -- 'alone': marked 独居 by staff
    data_enc        BLOB NOT NULL,       -- sealed {"reasons":[…],"tags":[…],"note":"…"}
    ability_level   INTEGER CHECK (ability_level BETWEEN 0 AND 4), -- the last assessment's; NULL: none
    grade_computed  INTEGER NOT NULL DEFAULT 3 CHECK (grade_computed BETWEEN 1 AND 3),
    grade           INTEGER NOT NULL DEFAULT 3 CHECK (grade BETWEEN 1 AND 3), -- override or computed
    grade_enc       BLOB,                -- sealed [{"rule","grade"}]: why grade_computed
    grade_override  INTEGER CHECK (grade_override BETWEEN 1 AND 3),
    override_enc    BLOB,                -- sealed reason of the override
    override_by     INTEGER REFERENCES app_user(id),
    override_at     INTEGER,
    daily_check     INTEGER NOT NULL DEFAULT 0,  -- the grade's rhythm wants a daily 平安 check
    visit_days      INTEGER NOT NULL DEFAULT 30, -- the grade's rhythm: a visit every N days
    last_visit_at   INTEGER,
    visit_due_at    INTEGER NOT NULL,            -- (last visit, else opened) + visit_days
    last_check_day  TEXT,                        -- 'YYYY-MM-DD' (Beijing) of the last check
    opened_at       INTEGER NOT NULL,
    opened_by       INTEGER REFERENCES app_user(id),
    closed_at       INTEGER,
    closed_by       INTEGER REFERENCES app_user(id),
    close_reason    TEXT CHECK (close_reason IN ('moved', 'care_home', 'deceased', 'other')),
    close_note      TEXT,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX care_person_open ON care_person(resident_id) WHERE closed_at IS NULL;
CREATE INDEX care_person_community ON care_person(community, closed_at);
CREATE INDEX care_person_due ON care_person(visit_due_at) WHERE closed_at IS NULL;

-- Every assessment is kept; the newest sets care_person.ability_level.
CREATE TABLE care_assessment (
    id              INTEGER PRIMARY KEY,
    care_id         INTEGER NOT NULL REFERENCES care_person(id),
    community       TEXT NOT NULL,
    assessed_at     INTEGER NOT NULL,
    assessor_id     INTEGER REFERENCES app_user(id),
    assessor_name   TEXT NOT NULL,
    final_level     INTEGER NOT NULL CHECK (final_level BETWEEN 0 AND 4),
    data_enc        BLOB NOT NULL,       -- sealed {"input":…,"result":…,"rules":…}
    created_at      INTEGER NOT NULL
);
CREATE INDEX care_assessment_person ON care_assessment(care_id, assessed_at);

-- A community's settings (JSON, care_rules.c): age threshold, grade rules,
-- visit rhythm per grade, check hour, escalation limits, assessment rules.
CREATE TABLE care_settings (
    community       TEXT PRIMARY KEY,
    settings        TEXT NOT NULL,
    updated_by      INTEGER REFERENCES app_user(id),
    updated_at      INTEGER NOT NULL
);

-- 结对: a helper (an account) and a person in care.
CREATE TABLE care_pair (
    id              INTEGER PRIMARY KEY,
    care_id         INTEGER NOT NULL REFERENCES care_person(id),
    user_id         INTEGER NOT NULL REFERENCES app_user(id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('volunteer', 'grid_worker', 'neighbour', 'relative')),
    created_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL,
    ended_by        INTEGER REFERENCES app_user(id),
    ended_at        INTEGER
);
CREATE UNIQUE INDEX care_pair_active ON care_pair(care_id, user_id) WHERE ended_at IS NULL;
CREATE INDEX care_pair_user ON care_pair(user_id, ended_at);

-- 走访: in person or by phone; due_at is when it was due, so on time = visited_at <= due_at.
CREATE TABLE care_visit (
    id              INTEGER PRIMARY KEY,
    care_id         INTEGER NOT NULL REFERENCES care_person(id),
    community       TEXT NOT NULL,
    helper_id       INTEGER NOT NULL REFERENCES app_user(id),
    helper_name     TEXT NOT NULL,
    visited_at      INTEGER NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('in_person', 'phone')),
    concern         INTEGER NOT NULL DEFAULT 0,  -- a checklist item was not 'ok'
    data_enc        BLOB NOT NULL,       -- sealed {"checklist":{…},"notes":"…","needs":[…]}
    case_ids        TEXT NOT NULL DEFAULT '[]',  -- cases opened from its needs
    due_at          INTEGER NOT NULL,
    on_time         INTEGER NOT NULL,
    month           INTEGER NOT NULL,            -- yyyymm of visited_at, Beijing
    created_at      INTEGER NOT NULL
);
CREATE INDEX care_visit_person ON care_visit(care_id, visited_at);
CREATE INDEX care_visit_month ON care_visit(community, month);

-- 平安打卡: one a day at most (the key decides).
CREATE TABLE care_check (
    care_id         INTEGER NOT NULL REFERENCES care_person(id),
    day             TEXT NOT NULL,               -- 'YYYY-MM-DD', Beijing
    at              INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES app_user(id),
    by_kind         TEXT NOT NULL CHECK (by_kind IN ('self', 'relative')),
    PRIMARY KEY (care_id, day)
);

-- Days away (住院, 外出): no check or visit alarm fires on them.
CREATE TABLE care_away (
    id              INTEGER PRIMARY KEY,
    care_id         INTEGER NOT NULL REFERENCES care_person(id),
    from_day        TEXT NOT NULL,
    to_day          TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('hospital', 'travel', 'other')),
    created_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL,
    cancelled_at    INTEGER,
    CHECK (from_day <= to_day)
);
CREATE INDEX care_away_person ON care_away(care_id, to_day);

-- What the overdue sweep raised: one row per (person, kind, day), so that
-- sweeps racing each other, on one server or several, and after restarts,
-- notify each alert once (INSERT … ON CONFLICT DO NOTHING RETURNING).
-- kind: check (helpers), check_staff, check_secretary, visit (helpers and
-- staff), visit_secretary; day: the missed check's day or the visit's due day.
CREATE TABLE care_alert (
    id              INTEGER PRIMARY KEY,
    care_id         INTEGER NOT NULL REFERENCES care_person(id),
    kind            TEXT NOT NULL CHECK (kind IN ('check', 'check_staff', 'check_secretary',
                                                  'visit', 'visit_secretary')),
    day             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (care_id, kind, day)
);
CREATE INDEX care_alert_recent ON care_alert(care_id, created_at);
