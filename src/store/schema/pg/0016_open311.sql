-- PostgreSQL twin of src/store/schema/0016_open311.sql (the same tables and behaviour in
-- PostgreSQL's types; case_photo altered in place; see docs/POSTGRESQL.md).
-- linli schema 16: what Open311 clients send beyond a case's own fields.
--
-- Buildings get a point (WGS-84 degrees; NULL while unknown), so that an
-- Open311 request placed at a building shows lat/long, as map-based
-- aggregators need (FixMyStreet drops requests without coordinates). The
-- `grid` work sets these columns too; they are added here only.
ALTER TABLE building ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE building ADD COLUMN lon DOUBLE PRECISION;

-- One row per case posted through Open311: the spec's optional fields that
-- a server may keep. The e-mail is personal data: sealed (core/crypto) and
-- masked, as a case's phone. address_string is the client's free text;
-- to_place = 1 while staff have still to place a case that came with
-- nothing else (POST /api/v1/cases/{id}/place): until then it stands at the
-- centre of the community's map area and Open311 shows no lat/long for it.
-- SQLite's json_valid(): PostgreSQL 15 has no IS JSON yet.
CREATE FUNCTION linli_json_valid(t text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM t::jsonb;
    RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN false;
END $$;

CREATE TABLE case_open311 (
    case_id        BIGINT PRIMARY KEY REFERENCES cases(id),
    address_string TEXT,
    to_place       BIGINT NOT NULL DEFAULT 0 CHECK (to_place IN (0, 1)),
    placed_by      BIGINT REFERENCES app_user(id),
    placed_at      BIGINT,
    email_enc      BYTEA,
    email_masked   TEXT,
    device_id      TEXT,
    account_id     TEXT,
    attributes     TEXT CHECK (attributes IS NULL OR linli_json_valid(attributes)),
    media_url      TEXT
);
CREATE INDEX case_open311_to_place ON case_open311(case_id) WHERE to_place = 1;

-- A photo sent with an Open311 request has no uploading user: it is attached
-- to its case when the case is created (NULL only for an attached photo).
ALTER TABLE case_photo ALTER COLUMN uploader_id DROP NOT NULL;
ALTER TABLE case_photo ADD CHECK (uploader_id IS NOT NULL OR case_id IS NOT NULL);
