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
    v    INTEGER NOT NULL,
    PRIMARY KEY (name, code)
) WITHOUT ROWID;
DROP TRIGGER grid_insert_version;
DROP TRIGGER grid_update_version;
DROP TRIGGER grid_delete_version;
DROP TRIGGER building_insert_version;
DROP TRIGGER building_update_version;
DROP TRIGGER building_delete_version;
DROP TRIGGER household_insert_version;
DROP TRIGGER household_update_version;
DROP TRIGGER household_delete_version;
DROP TRIGGER resident_insert_version;
DROP TRIGGER resident_update_version;
DROP TRIGGER resident_delete_version;
DROP TRIGGER resident_tag_insert_version;
DROP TRIGGER resident_tag_update_version;
DROP TRIGGER resident_tag_delete_version;
DROP TRIGGER residence_event_insert_version;
DROP TRIGGER residence_event_update_version;
DROP TRIGGER residence_event_delete_version;

CREATE TRIGGER grid_insert_version AFTER INSERT ON grid BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', NEW.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER grid_update_version AFTER UPDATE ON grid BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
    INSERT INTO data_version_part (name, code, v) SELECT 'registry', NEW.community, 1
        WHERE NEW.community IS NOT OLD.community ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER grid_delete_version AFTER DELETE ON grid BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER building_insert_version AFTER INSERT ON building BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', NEW.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER building_update_version AFTER UPDATE ON building BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
    INSERT INTO data_version_part (name, code, v) SELECT 'registry', NEW.community, 1
        WHERE NEW.community IS NOT OLD.community ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER building_delete_version AFTER DELETE ON building BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER household_insert_version AFTER INSERT ON household BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', NEW.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER household_update_version AFTER UPDATE ON household BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
    INSERT INTO data_version_part (name, code, v) SELECT 'registry', NEW.community, 1
        WHERE NEW.community IS NOT OLD.community ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER household_delete_version AFTER DELETE ON household BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER resident_insert_version AFTER INSERT ON resident BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', NEW.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER resident_update_version AFTER UPDATE ON resident BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
    INSERT INTO data_version_part (name, code, v) SELECT 'registry', NEW.community, 1
        WHERE NEW.community IS NOT OLD.community ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER resident_delete_version AFTER DELETE ON resident BEGIN
    INSERT INTO data_version_part (name, code, v) VALUES ('registry', OLD.community, 1)
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER resident_tag_insert_version AFTER INSERT ON resident_tag BEGIN
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r WHERE r.id = NEW.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER resident_tag_update_version AFTER UPDATE ON resident_tag BEGIN
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r WHERE r.id = OLD.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r
         WHERE r.id = NEW.resident_id AND NEW.resident_id IS NOT OLD.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER resident_tag_delete_version AFTER DELETE ON resident_tag BEGIN
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r WHERE r.id = OLD.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER residence_event_insert_version AFTER INSERT ON residence_event BEGIN
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r WHERE r.id = NEW.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER residence_event_update_version AFTER UPDATE ON residence_event BEGIN
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r WHERE r.id = OLD.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r
         WHERE r.id = NEW.resident_id AND NEW.resident_id IS NOT OLD.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER residence_event_delete_version AFTER DELETE ON residence_event BEGIN
    INSERT INTO data_version_part (name, code, v)
        SELECT 'registry', r.community, 1 FROM resident r WHERE r.id = OLD.resident_id
        ON CONFLICT (name, code) DO UPDATE SET v = v + 1;
END;
