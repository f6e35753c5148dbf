-- linli schema 12: a version number for the registry's data, raised in the
-- same transaction as every change to a registry table, so that a server can
-- keep a registry answer (a resident page, a search page, the statistics)
-- for as long as the version it was made under is current, however many
-- other writes (bookings, cases, sessions, the audit log) happen meanwhile.
CREATE TABLE data_version (
    name TEXT PRIMARY KEY,
    v    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO data_version (name, v) VALUES ('registry', 1);

CREATE TRIGGER division_insert_version AFTER INSERT ON division
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER division_update_version AFTER UPDATE ON division
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER division_delete_version AFTER DELETE ON division
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER grid_insert_version AFTER INSERT ON grid
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER grid_update_version AFTER UPDATE ON grid
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER grid_delete_version AFTER DELETE ON grid
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER building_insert_version AFTER INSERT ON building
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER building_update_version AFTER UPDATE ON building
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER building_delete_version AFTER DELETE ON building
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER household_insert_version AFTER INSERT ON household
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER household_update_version AFTER UPDATE ON household
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER household_delete_version AFTER DELETE ON household
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER tag_insert_version AFTER INSERT ON tag
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER tag_update_version AFTER UPDATE ON tag
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER tag_delete_version AFTER DELETE ON tag
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER resident_insert_version AFTER INSERT ON resident
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER resident_update_version AFTER UPDATE ON resident
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER resident_delete_version AFTER DELETE ON resident
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER resident_tag_insert_version AFTER INSERT ON resident_tag
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER resident_tag_update_version AFTER UPDATE ON resident_tag
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER resident_tag_delete_version AFTER DELETE ON resident_tag
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER residence_event_insert_version AFTER INSERT ON residence_event
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER residence_event_update_version AFTER UPDATE ON residence_event
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
CREATE TRIGGER residence_event_delete_version AFTER DELETE ON residence_event
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'registry'; END;
