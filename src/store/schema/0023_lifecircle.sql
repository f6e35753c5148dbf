-- linli schema 23: the 15-minute life circle. A street network imported
-- from OpenStreetMap (© OpenStreetMap contributors, ODbL): the walkable
-- graph (vertices are OSM nodes, edges undirected with their length), the
-- walkable ways by name, the facilities of the 20 life-circle categories
-- (from OSM, or added by staff) and the residential buildings. An import
-- replaces every row it wrote before; staff's facilities stay.
CREATE TABLE geo_vertex (
    id   INTEGER PRIMARY KEY,          -- OSM node id
    lat  REAL NOT NULL,
    lon  REAL NOT NULL
);
CREATE TABLE geo_edge (
    a       INTEGER NOT NULL,          -- geo_vertex ids, a < b
    b       INTEGER NOT NULL,
    meters  REAL NOT NULL CHECK (meters >= 0),
    PRIMARY KEY (a, b)
);
CREATE TABLE geo_way (
    id       INTEGER PRIMARY KEY,      -- OSM way id
    highway  TEXT NOT NULL,
    name     TEXT
);
CREATE TABLE geo_facility (
    id        INTEGER PRIMARY KEY,
    category  TEXT NOT NULL,           -- "kindergarten", ... (lifecircle.h)
    name      TEXT,
    lat       REAL NOT NULL,
    lon       REAL NOT NULL,
    source    TEXT NOT NULL DEFAULT 'osm' CHECK (source IN ('osm', 'staff')),
    osm_type  TEXT CHECK (osm_type IN ('n', 'w')),
    osm_id    INTEGER,
    status    TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    UNIQUE (osm_type, osm_id, category)
);
CREATE INDEX geo_facility_category ON geo_facility(category, status);
CREATE TABLE geo_building (
    osm_id  INTEGER PRIMARY KEY,       -- OSM way (or node) id
    kind    TEXT NOT NULL,
    name    TEXT,
    lat     REAL NOT NULL,
    lon     REAL NOT NULL
);
CREATE TABLE geo_import (
    id           INTEGER PRIMARY KEY,
    file         TEXT NOT NULL,
    imported_at  INTEGER NOT NULL,
    vertices     INTEGER NOT NULL,
    edges        INTEGER NOT NULL,
    facilities   INTEGER NOT NULL,
    buildings    INTEGER NOT NULL
);
