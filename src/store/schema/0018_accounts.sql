-- linli schema 18: accounts without a command line (issue 12, part 1).
-- linli: foreign-keys-off
--
-- The marker above makes migrate.c run this file with foreign keys off and
-- check them (PRAGMA foreign_key_check) before it commits: app_user is
-- rebuilt to widen its role CHECK by 'reporter' (流动网格员: delivery riders,
-- building leaders who report cases and see only their own), following
-- SQLite's "making other kinds of table schema changes" (lang_altertable.html
-- section 7). With foreign keys on, the DROP would run an implicit DELETE and
-- its ON DELETE CASCADE would empty session, notice and case_unit_user.

CREATE TABLE app_user_new (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,               -- '' while the account waits for activation
    role          TEXT NOT NULL CHECK (role IN ('resident', 'grid_worker', 'staff', 'secretary',
                                                'street_admin', 'property', 'admin', 'reporter')),
    scope         TEXT NOT NULL,               -- code prefix; for residents the community
    household_id  INTEGER REFERENCES household(id),
    display_name  TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    -- new in 18
    state         TEXT NOT NULL DEFAULT 'active'
                  CHECK (state IN ('active',    -- may log in
                                   'inactive',  -- opened by staff, waits for its activation code
                                   'pending')), -- registered by phone, waits for staff to confirm
    resident_id   INTEGER REFERENCES resident(id),  -- a resident's own account: who she is
    shared        INTEGER NOT NULL DEFAULT 0,  -- the household's shared access (opened by staff)
    created_by    INTEGER REFERENCES app_user(id),
    updated_at    INTEGER,
    password_at   INTEGER                      -- when the password was last set
);
INSERT INTO app_user_new (id, username, password_hash, role, scope, household_id, display_name,
                          disabled, created_at, password_at)
    SELECT id, username, password_hash, role, scope, household_id, display_name, disabled,
           created_at, created_at
    FROM app_user;
DROP TABLE app_user;
ALTER TABLE app_user_new RENAME TO app_user;
CREATE INDEX app_user_role ON app_user(role, scope);
CREATE INDEX app_user_household ON app_user(household_id);
-- one own account per resident, one shared access per household
CREATE UNIQUE INDEX app_user_resident ON app_user(resident_id) WHERE resident_id IS NOT NULL;
CREATE UNIQUE INDEX app_user_shared ON app_user(household_id) WHERE shared = 1;

-- One-time codes that let someone set a password: the activation code of an
-- account staff opened, or the code of a reset. Only a keyed hash is kept
-- (the key is outside the database); one code per account at a time.
CREATE TABLE account_code (
    user_id     INTEGER PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
    code_hash   BLOB NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('activate', 'reset')),
    created_by  INTEGER REFERENCES app_user(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- Verification codes sent by SMS for registration by phone, one row per
-- phone (keyed hash). The rate limits live here, so that they hold across
-- restarts and processes.
CREATE TABLE phone_code (
    phone_hash  BLOB PRIMARY KEY,
    code_hash   BLOB NOT NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,   -- wrong tries against this code
    day         TEXT NOT NULL,                -- 'YYYY-MM-DD' (Beijing) of sent_today
    sent_today  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Codes sent per client address and hour (a second limit, so that one
-- address cannot walk through many phones).
CREATE TABLE phone_code_ip (
    ip          TEXT NOT NULL,
    hour        INTEGER NOT NULL,             -- Unix ms / 3600000
    n           INTEGER NOT NULL,
    PRIMARY KEY (ip, hour)
) WITHOUT ROWID;

-- A registration by phone whose phone the registry does not hold: the
-- account exists (state 'pending', so the username is taken) and staff of
-- the community confirm her address (and link her household) or reject it.
CREATE TABLE registration (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    community    TEXT NOT NULL REFERENCES division(code),
    name         TEXT NOT NULL,
    address      TEXT NOT NULL,               -- as she wrote it: building, unit, room
    phone_hash   BLOB NOT NULL,
    phone_enc    BLOB NOT NULL,
    phone_masked TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected')),
    household_id INTEGER REFERENCES household(id),
    decided_by   INTEGER REFERENCES app_user(id),
    decided_at   INTEGER,
    reason       TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX registration_community ON registration(community, status, id);
CREATE UNIQUE INDEX registration_pending_phone ON registration(phone_hash) WHERE status = 'pending';

-- Facts about the database itself; 'demo' = '1' once `linli demo` filled it
-- (the demo passwords are refused everywhere else).
CREATE TABLE app_meta (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
