-- linli schema 39: booking's function rooms count as facilities of the life
-- circle (issue 19). A room stands at its building's point when the building
-- is placed on the map, else at its community's 社区综合服务站; the walking
-- model reads them with the facilities (lifecircle_store.h), so the 'geo'
-- data version must move whenever a room or a building's point changes.
CREATE TRIGGER room_insert_geo AFTER INSERT ON room
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'geo'; END;
CREATE TRIGGER room_update_geo AFTER UPDATE OF name, community, building_id ON room
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'geo'; END;
CREATE TRIGGER room_delete_geo AFTER DELETE ON room
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'geo'; END;
CREATE TRIGGER geo_building_point_insert_geo AFTER INSERT ON geo_building_point
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'geo'; END;
CREATE TRIGGER geo_building_point_update_geo AFTER UPDATE ON geo_building_point
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'geo'; END;
CREATE TRIGGER geo_building_point_delete_geo AFTER DELETE ON geo_building_point
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'geo'; END;
