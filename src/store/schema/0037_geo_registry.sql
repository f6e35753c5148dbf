-- linli schema 37: the life circle meets the registry (issue 19, the server
-- side). A registry building gets a point on the map (and, optionally, the
-- imported OSM building it stands on); staff's facilities belong to a
-- community and can be moved, renamed and closed (OSM ones closed too);
-- the distances of the minute bands and the walking speed are settings;
-- the 完整社区 checklist's entered items are kept per community. The
-- 'geo' row of data_version is raised by every change to what the walking
-- model holds (an import, a facility, the settings), so that every server
-- rebuilds its model in memory when, and only when, it changed.
CREATE TABLE geo_building_point (
    building_id   INTEGER PRIMARY KEY REFERENCES building(id),
    community     TEXT NOT NULL,
    lat           REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon           REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    osm_building  INTEGER,                 -- geo_building.osm_id, when it stands on one
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER
);
CREATE INDEX geo_building_point_community ON geo_building_point(community);
ALTER TABLE geo_facility ADD COLUMN community TEXT;      -- a staff facility's community
ALTER TABLE geo_facility ADD COLUMN station INTEGER NOT NULL DEFAULT 0; -- the community's 社区综合服务站
CREATE UNIQUE INDEX geo_facility_station ON geo_facility(community) WHERE station = 1;
ALTER TABLE geo_facility ADD COLUMN updated_at INTEGER;
ALTER TABLE geo_facility ADD COLUMN updated_by INTEGER;
CREATE TABLE geo_setting (
    name   TEXT PRIMARY KEY,
    value  REAL NOT NULL
);
INSERT INTO geo_setting (name, value) VALUES
    ('meters_5', 300), ('meters_10', 500), ('meters_15', 1000), ('walk_m_per_min', 70);
CREATE TABLE geo_checklist (
    community   TEXT NOT NULL,
    item        INTEGER NOT NULL CHECK (item BETWEEN 1 AND 20),
    status      TEXT NOT NULL CHECK (status IN ('met', 'partly', 'unmet', 'unknown')),
    note        TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER,
    PRIMARY KEY (community, item)
);
INSERT INTO data_version (name, v) VALUES ('geo', 1);
