-- PostgreSQL twin of src/store/schema/0022_user_grids.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 22: grid workers' grids (网格). A grid worker is assigned one or more
-- grids of her community from 账号管理; her work queue and her phone's 网格工作台
-- show those grids. None assigned: the whole community, as before.

CREATE TABLE user_grid (
    user_id     BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    grid_id     BIGINT NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, grid_id)
);
CREATE INDEX user_grid_grid ON user_grid(grid_id);
