-- linli schema 19: announcements (通知公告) with read receipts per household,
-- and the import log the staff work queue (待办) reads.
--
-- An announcement goes to a division (a community, or a whole street) and
-- may be narrowed to one building, one unit of it, or the households with a
-- resident carrying a tag (老年人 ...). `households` is how many households
-- it reached when it was published: the denominator of "已读 312 / 962 户".
-- A resident's reading is one row per user; a household has read it when
-- any of its members has.

CREATE TABLE announcement (
    id            INTEGER PRIMARY KEY,
    scope         TEXT NOT NULL REFERENCES division(code),  -- 9 (street) or 12 (community) digits
    building_id   INTEGER REFERENCES building(id),
    unit          INTEGER CHECK (unit IS NULL OR unit >= 1), -- 单元 of building_id
    tag           TEXT REFERENCES tag(name),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    pinned        INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    ends_at       INTEGER,                                   -- NULL: shown until withdrawn
    author_id     INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    author_name   TEXT NOT NULL,
    households    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    withdrawn_at  INTEGER,
    CHECK (unit IS NULL OR building_id IS NOT NULL),
    CHECK (length(scope) = 12 OR building_id IS NULL)
);
CREATE INDEX announcement_scope ON announcement(scope, created_at);

CREATE TABLE announcement_read (
    announcement_id INTEGER NOT NULL REFERENCES announcement(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    household_id    INTEGER REFERENCES household(id),        -- NULL: not a resident
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, user_id)
) WITHOUT ROWID;
CREATE INDEX announcement_read_household ON announcement_read(announcement_id, household_id);

-- Pictures and attachments, kept in the database (at most 5 MB each, 9 per
-- announcement): uploaded first, attached when the announcement is published.
CREATE TABLE announcement_file (
    id              INTEGER PRIMARY KEY,
    announcement_id INTEGER REFERENCES announcement(id) ON DELETE CASCADE,
    uploader_id     INTEGER NOT NULL REFERENCES app_user(id),
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    data            BLOB NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX announcement_file_announcement ON announcement_file(announcement_id);

-- Each import of a register through the API: who, what came of it, and the
-- rows that were not imported (JSON, the first 500), until staff mark the
-- errors dealt with.
CREATE TABLE import_log (
    id           INTEGER PRIMARY KEY,
    community    TEXT NOT NULL,
    kind         TEXT NOT NULL,                  -- 'residents'
    file_name    TEXT NOT NULL DEFAULT '',
    user_id      INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    user_name    TEXT NOT NULL,
    total_rows   INTEGER NOT NULL,
    imported     INTEGER NOT NULL,
    rejected     INTEGER NOT NULL,
    errors       TEXT NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolved_by  INTEGER REFERENCES app_user(id) ON DELETE SET NULL
);
CREATE INDEX import_log_community ON import_log(community, id);
CREATE INDEX import_log_open ON import_log(community, id) WHERE rejected > 0 AND resolved_at IS NULL;
