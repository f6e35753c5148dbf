-- PostgreSQL twin of src/store/schema/0014_data_version_parts.sql (the same tables and behaviour in
-- PostgreSQL's types, the triggers as PL/pgSQL functions; see docs/POSTGRESQL.md).
-- linli schema 14: the registry's data version kept per community as well.
--
-- Schema 12 raised one version for every change to a registry table, so one
-- new resident anywhere in a city made every server forget every kept
-- registry answer. Now a change to a community's grids, buildings,
-- households, residents, their tags or their history raises that community's
-- row in data_version_part instead; the registry's row in data_version is
-- raised only by what every answer may show (divisions, tags). The version
-- an answer is kept under is data_version plus the sum of the parts within
-- the user's scope (store_data_version): every row only ever grows, so the
-- sum changes exactly when something in the scope did. A change that moves a
-- row from one community to another raises both.
CREATE TABLE data_version_part (
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    v    BIGINT NOT NULL,
    PRIMARY KEY (name, code)
);
DROP TRIGGER grid_version ON grid;
DROP TRIGGER building_version ON building;
DROP TRIGGER household_version ON household;
DROP TRIGGER resident_version ON resident;
DROP TRIGGER resident_tag_version ON resident_tag;
DROP TRIGGER residence_event_version ON residence_event;

CREATE FUNCTION data_version_part_bump(n text, c text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO data_version_part AS p (name, code, v) VALUES (n, c, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = p.v + 1
$$;

-- A row of grid, building, household or resident: its community, old and new.
CREATE FUNCTION community_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM data_version_part_bump('registry', OLD.community);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.community IS DISTINCT FROM OLD.community) THEN
        PERFORM data_version_part_bump('registry', NEW.community);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER grid_version AFTER INSERT OR UPDATE OR DELETE ON grid
    FOR EACH ROW EXECUTE FUNCTION community_row_version();
CREATE TRIGGER building_version AFTER INSERT OR UPDATE OR DELETE ON building
    FOR EACH ROW EXECUTE FUNCTION community_row_version();
CREATE TRIGGER household_version AFTER INSERT OR UPDATE OR DELETE ON household
    FOR EACH ROW EXECUTE FUNCTION community_row_version();
CREATE TRIGGER resident_version AFTER INSERT OR UPDATE OR DELETE ON resident
    FOR EACH ROW EXECUTE FUNCTION community_row_version();

-- A row of resident_tag or residence_event: its resident's community.
CREATE FUNCTION resident_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM data_version_part_bump('registry', r.community)
           FROM resident r WHERE r.id = OLD.resident_id;
    END IF;
    IF TG_OP = 'INSERT'
       OR (TG_OP = 'UPDATE' AND NEW.resident_id IS DISTINCT FROM OLD.resident_id) THEN
        PERFORM data_version_part_bump('registry', r.community)
           FROM resident r WHERE r.id = NEW.resident_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER resident_tag_version AFTER INSERT OR UPDATE OR DELETE ON resident_tag
    FOR EACH ROW EXECUTE FUNCTION resident_row_version();
CREATE TRIGGER residence_event_version AFTER INSERT OR UPDATE OR DELETE ON residence_event
    FOR EACH ROW EXECUTE FUNCTION resident_row_version();
