-- linli schema 9: counters behind the community statistics
-- (GET /api/v1/stats/community/{code}, GET /api/v1/communities, GET /api/v1/tags).
-- Counting a community's 100,000 residents row by row took over a second and a
-- street's million four; reading these counters takes milliseconds. The
-- triggers below keep them in the same transaction as every write to building,
-- household, resident, resident_tag and tag, whichever code makes it, and a
-- rolled-back write or savepoint takes its counts back with it. Only active
-- residents count.
--
-- Age bands depend on today's date, so residents are counted by birth month;
-- the store folds months into bands when it reads and counts the four months
-- that straddle a band's boundary day by day, through resident_birth_active.
--
-- What the triggers rely on: resident_tag rows are inserted and deleted, never
-- updated (a trigger refuses it); nothing uses INSERT OR REPLACE on resident or
-- resident_tag (SQLite would delete the old row without its DELETE trigger).
--
-- NEEDSWORK: the triggers are SQLite's syntax; a PostgreSQL store needs them
-- as plpgsql functions.

CREATE TABLE community_count (
    community       TEXT PRIMARY KEY,
    buildings       INTEGER NOT NULL DEFAULT 0,
    households      INTEGER NOT NULL DEFAULT 0,
    key_population  INTEGER NOT NULL DEFAULT 0  -- active residents with a key-population tag
) WITHOUT ROWID;

CREATE TABLE resident_count (
    community   TEXT NOT NULL,
    birth_month TEXT NOT NULL,                  -- 'YYYY-MM'
    gender      TEXT NOT NULL,
    n           INTEGER NOT NULL,               -- active residents
    PRIMARY KEY (community, birth_month, gender)
) WITHOUT ROWID;

CREATE TABLE tag_count (
    tag         TEXT NOT NULL,
    community   TEXT NOT NULL,
    n           INTEGER NOT NULL,               -- active residents with the tag
    PRIMARY KEY (tag, community)
) WITHOUT ROWID;

-- the band boundaries: active residents born in one month, by community
CREATE INDEX resident_birth_active ON resident(birth_date, community, status)
    WHERE status = 'active';

-- Existing rows.
INSERT INTO community_count (community, buildings, households, key_population)
SELECT c.community,
       (SELECT count(*) FROM building b WHERE b.community = c.community),
       (SELECT count(*) FROM household h WHERE h.community = c.community),
       (SELECT count(*) FROM resident r WHERE r.community = c.community AND r.status = 'active'
           AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = r.id AND t.key_population = 1))
FROM (SELECT community FROM building UNION SELECT community FROM household
      UNION SELECT community FROM resident) c;

INSERT INTO resident_count (community, birth_month, gender, n)
SELECT community, substr(birth_date, 1, 7), gender, count(*)
FROM resident WHERE status = 'active'
GROUP BY community, substr(birth_date, 1, 7), gender;

INSERT INTO tag_count (tag, community, n)
SELECT rt.tag, r.community, count(*)
FROM resident_tag rt JOIN resident r ON r.id = rt.resident_id
WHERE r.status = 'active'
GROUP BY rt.tag, r.community;

-- Buildings and households.
CREATE TRIGGER building_count_insert AFTER INSERT ON building BEGIN
    INSERT INTO community_count (community, buildings) VALUES (NEW.community, 1)
        ON CONFLICT (community) DO UPDATE SET buildings = buildings + 1;
END;

CREATE TRIGGER building_count_delete AFTER DELETE ON building BEGIN
    UPDATE community_count SET buildings = buildings - 1 WHERE community = OLD.community;
END;

CREATE TRIGGER building_count_move AFTER UPDATE OF community ON building
WHEN OLD.community IS NOT NEW.community BEGIN
    UPDATE community_count SET buildings = buildings - 1 WHERE community = OLD.community;
    INSERT INTO community_count (community, buildings) VALUES (NEW.community, 1)
        ON CONFLICT (community) DO UPDATE SET buildings = buildings + 1;
END;

CREATE TRIGGER household_count_insert AFTER INSERT ON household BEGIN
    INSERT INTO community_count (community, households) VALUES (NEW.community, 1)
        ON CONFLICT (community) DO UPDATE SET households = households + 1;
END;

CREATE TRIGGER household_count_delete AFTER DELETE ON household BEGIN
    UPDATE community_count SET households = households - 1 WHERE community = OLD.community;
END;

CREATE TRIGGER household_count_move AFTER UPDATE OF community ON household
WHEN OLD.community IS NOT NEW.community BEGIN
    UPDATE community_count SET households = households - 1 WHERE community = OLD.community;
    INSERT INTO community_count (community, households) VALUES (NEW.community, 1)
        ON CONFLICT (community) DO UPDATE SET households = households + 1;
END;

-- Residents. A new resident has no tags yet: they arrive through resident_tag.
CREATE TRIGGER resident_count_insert AFTER INSERT ON resident WHEN NEW.status = 'active' BEGIN
    INSERT INTO resident_count (community, birth_month, gender, n)
        VALUES (NEW.community, substr(NEW.birth_date, 1, 7), NEW.gender, 1)
        ON CONFLICT (community, birth_month, gender) DO UPDATE SET n = n + 1;
END;

-- An edit, a move to another household (and perhaps community), a move-out:
-- the old row leaves its counts, the new one joins its own.
CREATE TRIGGER resident_count_update AFTER UPDATE OF status, community, gender, birth_date ON resident
WHEN (OLD.status = 'active' OR NEW.status = 'active')
 AND (OLD.status IS NOT NEW.status OR OLD.community IS NOT NEW.community
      OR OLD.gender IS NOT NEW.gender OR OLD.birth_date IS NOT NEW.birth_date) BEGIN
    UPDATE resident_count SET n = n - 1
     WHERE OLD.status = 'active' AND community = OLD.community
       AND birth_month = substr(OLD.birth_date, 1, 7) AND gender = OLD.gender;
    INSERT INTO resident_count (community, birth_month, gender, n)
        SELECT NEW.community, substr(NEW.birth_date, 1, 7), NEW.gender, 1 WHERE NEW.status = 'active'
        ON CONFLICT (community, birth_month, gender) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER resident_tag_count_update AFTER UPDATE OF status, community ON resident
WHEN (OLD.status = 'active' OR NEW.status = 'active')
 AND (OLD.status IS NOT NEW.status OR OLD.community IS NOT NEW.community) BEGIN
    UPDATE tag_count SET n = n - 1
     WHERE OLD.status = 'active' AND community = OLD.community
       AND tag IN (SELECT rt.tag FROM resident_tag rt WHERE rt.resident_id = OLD.id);
    UPDATE community_count SET key_population = key_population - 1
     WHERE OLD.status = 'active' AND community = OLD.community
       AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                   WHERE rt.resident_id = OLD.id AND t.key_population = 1);
    INSERT INTO tag_count (tag, community, n)
        SELECT rt.tag, NEW.community, 1 FROM resident_tag rt
         WHERE rt.resident_id = NEW.id AND NEW.status = 'active'
        ON CONFLICT (tag, community) DO UPDATE SET n = n + 1;
    INSERT INTO community_count (community, key_population)
        SELECT NEW.community, 1
         WHERE NEW.status = 'active'
           AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = NEW.id AND t.key_population = 1)
        ON CONFLICT (community) DO UPDATE SET key_population = key_population + 1;
END;

-- A deleted resident drops her tags first, through their own trigger, while her
-- row still says where she counted (the foreign key's cascade would come after).
CREATE TRIGGER resident_count_delete BEFORE DELETE ON resident BEGIN
    DELETE FROM resident_tag WHERE resident_id = OLD.id;
    UPDATE resident_count SET n = n - 1
     WHERE OLD.status = 'active' AND community = OLD.community
       AND birth_month = substr(OLD.birth_date, 1, 7) AND gender = OLD.gender;
END;

-- Tags. SQLite runs a row trigger right after its row, so "the first / the last
-- key-population tag of this resident" is what the other rows say at that moment.
CREATE TRIGGER resident_tag_count_insert AFTER INSERT ON resident_tag BEGIN
    INSERT INTO tag_count (tag, community, n)
        SELECT NEW.tag, r.community, 1 FROM resident r
         WHERE r.id = NEW.resident_id AND r.status = 'active'
        ON CONFLICT (tag, community) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER resident_tag_key_population_insert AFTER INSERT ON resident_tag
WHEN (SELECT t.key_population FROM tag t WHERE t.name = NEW.tag) = 1 BEGIN
    INSERT INTO community_count (community, key_population)
        SELECT r.community, 1 FROM resident r
         WHERE r.id = NEW.resident_id AND r.status = 'active'
           AND (SELECT count(*) FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                WHERE rt.resident_id = NEW.resident_id AND t.key_population = 1) = 1
        ON CONFLICT (community) DO UPDATE SET key_population = key_population + 1;
END;

CREATE TRIGGER resident_tag_count_delete AFTER DELETE ON resident_tag BEGIN
    UPDATE tag_count SET n = n - 1
     WHERE tag = OLD.tag
       AND community = (SELECT r.community FROM resident r
                        WHERE r.id = OLD.resident_id AND r.status = 'active');
END;

CREATE TRIGGER resident_tag_key_population_delete AFTER DELETE ON resident_tag
WHEN (SELECT t.key_population FROM tag t WHERE t.name = OLD.tag) = 1 BEGIN
    UPDATE community_count SET key_population = key_population - 1
     WHERE community = (SELECT r.community FROM resident r
                        WHERE r.id = OLD.resident_id AND r.status = 'active')
       AND NOT EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = OLD.resident_id AND t.key_population = 1);
END;

CREATE TRIGGER resident_tag_no_update BEFORE UPDATE ON resident_tag BEGIN
    SELECT RAISE(ABORT, 'resident_tag rows are deleted and inserted, not updated');
END;

-- A tag that becomes (or stops being) a key population: count every community again.
CREATE TRIGGER tag_key_population_update AFTER UPDATE OF key_population ON tag
WHEN OLD.key_population IS NOT NEW.key_population BEGIN
    UPDATE community_count SET key_population = 0;
    INSERT INTO community_count (community, key_population)
        SELECT r.community, count(*) FROM resident r
         WHERE r.status = 'active'
           AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = r.id AND t.key_population = 1)
         GROUP BY r.community
        ON CONFLICT (community) DO UPDATE SET key_population = excluded.key_population;
END;
