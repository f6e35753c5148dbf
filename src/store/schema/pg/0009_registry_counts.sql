-- PostgreSQL twin of src/store/schema/0009_registry_counts.sql (the same tables and behaviour in
-- PostgreSQL's types, the triggers as PL/pgSQL functions; see docs/POSTGRESQL.md).
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
-- On PostgreSQL an AFTER ROW trigger runs at the end of its statement, not
-- right after its row, so the two that ask "is this the resident's first
-- (last) key-population tag?" run BEFORE the row instead, where the rows an
-- earlier part of the same statement wrote are already visible.

CREATE TABLE community_count (
    community       TEXT PRIMARY KEY,
    buildings       BIGINT NOT NULL DEFAULT 0,
    households      BIGINT NOT NULL DEFAULT 0,
    key_population  BIGINT NOT NULL DEFAULT 0  -- active residents with a key-population tag
);

CREATE TABLE resident_count (
    community   TEXT NOT NULL,
    birth_month TEXT NOT NULL,                  -- 'YYYY-MM'
    gender      TEXT NOT NULL,
    n           BIGINT NOT NULL,               -- active residents
    PRIMARY KEY (community, birth_month, gender)
);

CREATE TABLE tag_count (
    tag         TEXT NOT NULL,
    community   TEXT NOT NULL,
    n           BIGINT NOT NULL,               -- active residents with the tag
    PRIMARY KEY (tag, community)
);

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
CREATE FUNCTION community_count_add(c text, n_buildings bigint, n_households bigint,
                                    n_key bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO community_count AS cc (community, buildings, households, key_population)
        VALUES (c, n_buildings, n_households, n_key)
        ON CONFLICT (community) DO UPDATE SET buildings = cc.buildings + excluded.buildings,
            households = cc.households + excluded.households,
            key_population = cc.key_population + excluded.key_population
$$;

CREATE FUNCTION building_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE community_count SET buildings = buildings - 1 WHERE community = OLD.community;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM community_count_add(NEW.community, 1, 0, 0);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER building_count_insert AFTER INSERT ON building
    FOR EACH ROW EXECUTE FUNCTION building_count();
CREATE TRIGGER building_count_delete AFTER DELETE ON building
    FOR EACH ROW EXECUTE FUNCTION building_count();
CREATE TRIGGER building_count_move AFTER UPDATE OF community ON building
    FOR EACH ROW WHEN (OLD.community IS DISTINCT FROM NEW.community)
    EXECUTE FUNCTION building_count();

CREATE FUNCTION household_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE community_count SET households = households - 1 WHERE community = OLD.community;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM community_count_add(NEW.community, 0, 1, 0);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER household_count_insert AFTER INSERT ON household
    FOR EACH ROW EXECUTE FUNCTION household_count();
CREATE TRIGGER household_count_delete AFTER DELETE ON household
    FOR EACH ROW EXECUTE FUNCTION household_count();
CREATE TRIGGER household_count_move AFTER UPDATE OF community ON household
    FOR EACH ROW WHEN (OLD.community IS DISTINCT FROM NEW.community)
    EXECUTE FUNCTION household_count();

-- Residents. A new resident has no tags yet: they arrive through resident_tag.
CREATE FUNCTION resident_count_add(c text, birth_date text, gender text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO resident_count AS rc (community, birth_month, gender, n)
        VALUES (c, substr(birth_date, 1, 7), gender, 1)
        ON CONFLICT (community, birth_month, gender) DO UPDATE SET n = rc.n + 1
$$;

CREATE FUNCTION resident_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM resident_count_add(NEW.community, NEW.birth_date, NEW.gender);
    RETURN NULL;
END $$;
CREATE TRIGGER resident_count_insert AFTER INSERT ON resident
    FOR EACH ROW WHEN (NEW.status = 'active') EXECUTE FUNCTION resident_count_insert();

-- An edit, a move to another household (and perhaps community), a move-out:
-- the old row leaves its counts, the new one joins its own.
CREATE FUNCTION resident_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'active' THEN
        UPDATE resident_count SET n = n - 1
         WHERE community = OLD.community AND birth_month = substr(OLD.birth_date, 1, 7)
           AND gender = OLD.gender;
    END IF;
    IF NEW.status = 'active' THEN
        PERFORM resident_count_add(NEW.community, NEW.birth_date, NEW.gender);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER resident_count_update AFTER UPDATE OF status, community, gender, birth_date
    ON resident FOR EACH ROW
    WHEN ((OLD.status = 'active' OR NEW.status = 'active')
          AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.community IS DISTINCT FROM NEW.community
               OR OLD.gender IS DISTINCT FROM NEW.gender
               OR OLD.birth_date IS DISTINCT FROM NEW.birth_date))
    EXECUTE FUNCTION resident_count_update();

CREATE FUNCTION resident_tag_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'active' THEN
        UPDATE tag_count SET n = n - 1
         WHERE community = OLD.community
           AND tag IN (SELECT rt.tag FROM resident_tag rt WHERE rt.resident_id = OLD.id);
        UPDATE community_count SET key_population = key_population - 1
         WHERE community = OLD.community
           AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = OLD.id AND t.key_population = 1);
    END IF;
    IF NEW.status = 'active' THEN
        INSERT INTO tag_count AS tc (tag, community, n)
            SELECT rt.tag, NEW.community, 1 FROM resident_tag rt WHERE rt.resident_id = NEW.id
            ON CONFLICT (tag, community) DO UPDATE SET n = tc.n + 1;
        IF EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                   WHERE rt.resident_id = NEW.id AND t.key_population = 1) THEN
            PERFORM community_count_add(NEW.community, 0, 0, 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER resident_tag_count_update AFTER UPDATE OF status, community ON resident
    FOR EACH ROW
    WHEN ((OLD.status = 'active' OR NEW.status = 'active')
          AND (OLD.status IS DISTINCT FROM NEW.status
               OR OLD.community IS DISTINCT FROM NEW.community))
    EXECUTE FUNCTION resident_tag_count_update();

-- A deleted resident drops her tags first, through their own trigger, while her
-- row still says where she counted (the foreign key's cascade would come after).
CREATE FUNCTION resident_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM resident_tag WHERE resident_id = OLD.id;
    IF OLD.status = 'active' THEN
        UPDATE resident_count SET n = n - 1
         WHERE community = OLD.community AND birth_month = substr(OLD.birth_date, 1, 7)
           AND gender = OLD.gender;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER resident_count_delete BEFORE DELETE ON resident
    FOR EACH ROW EXECUTE FUNCTION resident_count_delete();

-- Tags.
CREATE FUNCTION resident_tag_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tag_count AS tc (tag, community, n)
        SELECT NEW.tag, r.community, 1 FROM resident r
         WHERE r.id = NEW.resident_id AND r.status = 'active'
        ON CONFLICT (tag, community) DO UPDATE SET n = tc.n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER resident_tag_count_insert AFTER INSERT ON resident_tag
    FOR EACH ROW EXECUTE FUNCTION resident_tag_count_insert();

-- BEFORE the row: her first key-population tag is one when she has none yet
-- (a row that ON CONFLICT DO NOTHING will skip is a key-population tag she
-- has, so it counts nothing either).
CREATE FUNCTION resident_tag_key_population_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT t.key_population FROM tag t WHERE t.name = NEW.tag) = 1
       AND NOT EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = NEW.resident_id AND t.key_population = 1) THEN
        PERFORM community_count_add(r.community, 0, 0, 1)
           FROM resident r WHERE r.id = NEW.resident_id AND r.status = 'active';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER resident_tag_key_population_insert BEFORE INSERT ON resident_tag
    FOR EACH ROW EXECUTE FUNCTION resident_tag_key_population_insert();

CREATE FUNCTION resident_tag_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tag_count SET n = n - 1
     WHERE tag = OLD.tag
       AND community = (SELECT r.community FROM resident r
                        WHERE r.id = OLD.resident_id AND r.status = 'active');
    RETURN NULL;
END $$;
CREATE TRIGGER resident_tag_count_delete AFTER DELETE ON resident_tag
    FOR EACH ROW EXECUTE FUNCTION resident_tag_count_delete();

-- BEFORE the row: her last key-population tag is one no other row of hers
-- matches (rows deleted earlier in the statement are already gone).
CREATE FUNCTION resident_tag_key_population_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT t.key_population FROM tag t WHERE t.name = OLD.tag) = 1
       AND NOT EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = OLD.resident_id AND rt.tag <> OLD.tag
                         AND t.key_population = 1) THEN
        UPDATE community_count SET key_population = key_population - 1
         WHERE community = (SELECT r.community FROM resident r
                            WHERE r.id = OLD.resident_id AND r.status = 'active');
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER resident_tag_key_population_delete BEFORE DELETE ON resident_tag
    FOR EACH ROW EXECUTE FUNCTION resident_tag_key_population_delete();

CREATE FUNCTION resident_tag_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'resident_tag rows are deleted and inserted, not updated'
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER resident_tag_no_update BEFORE UPDATE ON resident_tag
    FOR EACH ROW EXECUTE FUNCTION resident_tag_no_update();

-- A tag that becomes (or stops being) a key population: count every community again.
CREATE FUNCTION tag_key_population_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE community_count SET key_population = 0;
    INSERT INTO community_count (community, key_population)
        SELECT r.community, count(*) FROM resident r
         WHERE r.status = 'active'
           AND EXISTS (SELECT 1 FROM resident_tag rt JOIN tag t ON t.name = rt.tag
                       WHERE rt.resident_id = r.id AND t.key_population = 1)
         GROUP BY r.community
        ON CONFLICT (community) DO UPDATE SET key_population = excluded.key_population;
    RETURN NULL;
END $$;
CREATE TRIGGER tag_key_population_update AFTER UPDATE OF key_population ON tag
    FOR EACH ROW WHEN (OLD.key_population IS DISTINCT FROM NEW.key_population)
    EXECUTE FUNCTION tag_key_population_update();
