-- PostgreSQL twin of src/store/schema/0012_data_version.sql (the same tables and behaviour in
-- PostgreSQL's types, one statement trigger per table; see docs/POSTGRESQL.md).
-- linli schema 12: a version number for the registry's data, raised in the
-- same transaction as every change to a registry table, so that a server can
-- keep a registry answer (a resident page, a search page, the statistics)
-- for as long as the version it was made under is current, however many
-- other writes (bookings, cases, sessions, the audit log) happen meanwhile.
CREATE TABLE data_version (
    name TEXT PRIMARY KEY,
    v    BIGINT NOT NULL
);
INSERT INTO data_version (name, v) VALUES ('registry', 1);

-- One trigger per table, once per statement (SQLite's ran once per row): the
-- version must only grow whenever the data changed, and one step per
-- statement does that with fewer writes to its one hot row.
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET v = v + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END $$;
CREATE TRIGGER division_version AFTER INSERT OR UPDATE OR DELETE ON division
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER grid_version AFTER INSERT OR UPDATE OR DELETE ON grid
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER building_version AFTER INSERT OR UPDATE OR DELETE ON building
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER household_version AFTER INSERT OR UPDATE OR DELETE ON household
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER tag_version AFTER INSERT OR UPDATE OR DELETE ON tag
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER resident_version AFTER INSERT OR UPDATE OR DELETE ON resident
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER resident_tag_version AFTER INSERT OR UPDATE OR DELETE ON resident_tag
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
CREATE TRIGGER residence_event_version AFTER INSERT OR UPDATE OR DELETE ON residence_event
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('registry');
