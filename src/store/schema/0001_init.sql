-- linli schema v1: divisions, registry, accounts, audit.
-- Times are Unix milliseconds (INTEGER); dates are 'YYYY-MM-DD' (TEXT).

CREATE TABLE division (
    code        TEXT PRIMARY KEY,          -- GB/T 2260 + 统计用区划代码: 2, 4, 6, 9 or 12 digits
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5), -- 1 province .. 5 community
    parent_code TEXT REFERENCES division(code)
);
CREATE INDEX division_parent ON division(parent_code);

CREATE TABLE grid (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (community, name)
);

CREATE TABLE building (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    grid_id     INTEGER REFERENCES grid(id),
    name        TEXT NOT NULL,
    units       INTEGER NOT NULL CHECK (units BETWEEN 1 AND 50),
    floors      INTEGER NOT NULL CHECK (floors BETWEEN 1 AND 200),
    created_at  INTEGER NOT NULL,
    UNIQUE (community, name)
);

CREATE TABLE household (
    id          INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES building(id),
    community   TEXT NOT NULL,
    unit        INTEGER NOT NULL CHECK (unit >= 1),
    floor       INTEGER NOT NULL,
    room        TEXT NOT NULL,
    area_m2     REAL CHECK (area_m2 IS NULL OR area_m2 > 0),
    created_at  INTEGER NOT NULL,
    UNIQUE (building_id, unit, room)
);
CREATE INDEX household_community ON household(community);

CREATE TABLE tag (
    name            TEXT PRIMARY KEY,
    key_population  INTEGER NOT NULL DEFAULT 0,  -- counted on the dashboard as 重点人群
    builtin         INTEGER NOT NULL DEFAULT 0,
    sort            INTEGER NOT NULL DEFAULT 100
);
INSERT INTO tag (name, key_population, builtin, sort) VALUES
    ('独居老人', 1, 1, 1), ('高龄', 1, 1, 2), ('认知障碍高风险', 1, 1, 3), ('残疾', 1, 1, 4),
    ('低保', 1, 1, 5), ('困难家庭', 1, 1, 6), ('优抚对象', 1, 1, 7), ('失业', 1, 1, 8),
    ('儿童', 1, 1, 9), ('孕产妇', 1, 1, 10), ('党员', 0, 1, 11), ('志愿者', 0, 1, 12),
    ('楼组长', 0, 1, 13);

CREATE TABLE resident (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES household(id),
    building_id   INTEGER NOT NULL REFERENCES building(id),
    community     TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_initials TEXT NOT NULL,               -- pinyin initials, "zs" for 张三
    gender        TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date    TEXT NOT NULL,
    id_hash       BLOB,                        -- keyed hash of the ID number, for exact match
    id_enc        BLOB,                        -- sealed ID number
    id_masked     TEXT,
    phone_hash    BLOB,
    phone_enc     BLOB,
    phone_masked  TEXT,
    phone_last4   TEXT,
    relation      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moved_out')),
    moved_in      TEXT,
    moved_out     TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX resident_id_active ON resident(id_hash) WHERE status = 'active';
CREATE INDEX resident_community ON resident(community, status);
CREATE INDEX resident_household ON resident(household_id);
CREATE INDEX resident_building ON resident(building_id);
CREATE INDEX resident_initials ON resident(community, name_initials);
CREATE INDEX resident_name ON resident(community, name);
CREATE INDEX resident_last4 ON resident(community, phone_last4);
CREATE INDEX resident_phone ON resident(phone_hash);

CREATE TABLE resident_tag (
    resident_id INTEGER NOT NULL REFERENCES resident(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL REFERENCES tag(name),
    PRIMARY KEY (resident_id, tag)
) WITHOUT ROWID;
CREATE INDEX resident_tag_tag ON resident_tag(tag, resident_id);

CREATE TABLE residence_event (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES resident(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('move_in', 'move_out', 'transfer')),
    household_id INTEGER REFERENCES household(id),
    date         TEXT NOT NULL,
    reason       TEXT,
    actor_id     INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX residence_event_resident ON residence_event(resident_id);

CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('resident', 'grid_worker', 'staff', 'secretary',
                                                'street_admin', 'property', 'admin')),
    scope         TEXT NOT NULL,               -- code prefix; for residents the community
    household_id  INTEGER REFERENCES household(id),
    display_name  TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE session (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_user ON session(user_id);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,                 -- resident.view_full, resident.update, ...
    object_type TEXT NOT NULL,
    object_id   INTEGER,
    community   TEXT,
    detail      TEXT,                          -- JSON; never personal data values
    ip          TEXT
);
CREATE INDEX audit_community ON audit(community, id);
CREATE INDEX audit_object ON audit(object_type, object_id);
