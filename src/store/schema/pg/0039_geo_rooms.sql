-- PostgreSQL twin of src/store/schema/0039_geo_rooms.sql (one statement trigger per table).
-- linli schema 39: booking's function rooms count as facilities of the life
-- circle (issue 19). A room stands at its building's point when the building
-- is placed on the map, else at its community's 社区综合服务站; the walking
-- model reads them with the facilities (lifecircle_store.h), so the 'geo'
-- data version must move whenever a room or a building's point changes.
CREATE TRIGGER room_geo_version AFTER INSERT OR DELETE OR UPDATE OF name, community, building_id ON room
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('geo');
CREATE TRIGGER geo_building_point_geo_version AFTER INSERT OR UPDATE OR DELETE ON geo_building_point
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump('geo');
