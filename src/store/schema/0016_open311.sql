-- linli schema 16: what Open311 clients send beyond a case's own fields.
--
-- Buildings get a point (WGS-84 degrees; NULL while unknown), so that an
-- Open311 request placed at a building shows lat/long, as map-based
-- aggregators need (FixMyStreet drops requests without coordinates). The
-- `grid` work sets these columns too; they are added here only.
ALTER TABLE building ADD COLUMN lat REAL;
ALTER TABLE building ADD COLUMN lon REAL;

-- One row per case posted through Open311: the spec's optional fields that
-- a server may keep. The e-mail is personal data: sealed (core/crypto) and
-- masked, as a case's phone. address_string is the client's free text;
-- to_place = 1 while staff have still to place a case that came with
-- nothing else (POST /api/v1/cases/{id}/place): until then it stands at the
-- centre of the community's map area and Open311 shows no lat/long for it.
CREATE TABLE case_open311 (
    case_id        INTEGER PRIMARY KEY REFERENCES cases(id),
    address_string TEXT,
    to_place       INTEGER NOT NULL DEFAULT 0 CHECK (to_place IN (0, 1)),
    placed_by      INTEGER REFERENCES app_user(id),
    placed_at      INTEGER,
    email_enc      BLOB,
    email_masked   TEXT,
    device_id      TEXT,
    account_id     TEXT,
    attributes     TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
    media_url      TEXT
);
CREATE INDEX case_open311_to_place ON case_open311(case_id) WHERE to_place = 1;

-- A photo sent with an Open311 request has no uploading user: it is attached
-- to its case when the case is created. SQLite cannot drop NOT NULL, so the
-- table is rebuilt with uploader_id nullable (NULL only for an attached photo).
CREATE TABLE case_photo_new (
    id          INTEGER PRIMARY KEY,
    uploader_id INTEGER REFERENCES app_user(id),  -- NULL: sent by an Open311 client
    case_id     INTEGER REFERENCES cases(id),
    file        TEXT NOT NULL UNIQUE,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    width       INTEGER,
    height      INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK (uploader_id IS NOT NULL OR case_id IS NOT NULL)
);
INSERT INTO case_photo_new (id, uploader_id, case_id, file, mime, size, width, height, created_at)
    SELECT id, uploader_id, case_id, file, mime, size, width, height, created_at FROM case_photo;
DROP TABLE case_photo;
ALTER TABLE case_photo_new RENAME TO case_photo;
CREATE INDEX case_photo_case ON case_photo(case_id);
CREATE INDEX case_photo_uploader ON case_photo(uploader_id, case_id);
