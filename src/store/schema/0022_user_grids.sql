-- linli schema 22: grid workers' grids (网格). A grid worker is assigned one or more
-- grids of her community from 账号管理; her work queue and her phone's 网格工作台
-- show those grids. None assigned: the whole community, as before.

CREATE TABLE user_grid (
    user_id     INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    grid_id     INTEGER NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, grid_id)
);
CREATE INDEX user_grid_grid ON user_grid(grid_id);
