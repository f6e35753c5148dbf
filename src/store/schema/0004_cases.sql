-- linli schema v4: cases (居民和网格员上报, 联勤联动派单, 跟踪到底) and Open311.
-- Times are Unix milliseconds (INTEGER, UTC); days are 'YYYY-MM-DD' (TEXT).
--
-- The workflow is enforced in the database: every step is one conditional
-- UPDATE of cases ("... WHERE id = ? AND state IN (allowed states)") whose
-- change count the C code checks, in the same write transaction as the
-- case_step row that records it. Two conflicting steps on one case cannot
-- both succeed: the second finds the state already moved on.
--
-- The dashboard reads case_stat, kept by triggers on cases: one row per
-- community, month of creation, unit, category and grid, with the counts
-- the three rates (响应率, 按时办结率, 满意率) are made of.

-- The categories every community starts with; their codes are also the
-- Open311 service_code. Time limits are configuration defaults, not law
-- (see docs/API.md): respond within N working hours, resolve within N
-- working days.
CREATE TABLE case_category_default (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    respond_hours   INTEGER NOT NULL,
    resolve_days    INTEGER NOT NULL,
    sort            INTEGER NOT NULL
);
INSERT INTO case_category_default (code, name, description, respond_hours, resolve_days, sort) VALUES
    ('corridor_clutter', '楼道堆物', '楼道、消防通道内堆放杂物', 4, 5, 1),
    ('illegal_charging', '飞线充电', '私拉电线、楼道内给电动车充电', 2, 3, 2),
    ('group_rental', '群租', '一套房屋分隔出租、人员过多', 8, 13, 3),
    ('noise', '噪音扰民', '装修、商铺、夜间噪音', 4, 5, 4),
    ('sanitation', '环境卫生', '垃圾、污水、卫生死角', 4, 3, 5),
    ('facility_damage', '设施损坏', '门禁、路灯、管道、公共设施损坏', 8, 5, 6),
    ('greenery', '绿化养护', '杂草、树木修剪、绿地损毁', 8, 10, 7),
    ('parking', '停车管理', '乱停车、占用消防通道', 8, 5, 8),
    ('safety_hazard', '安全隐患', '高空坠物、燃气、消防等安全隐患', 2, 3, 9),
    ('elevator', '加装电梯', '加装电梯的咨询与协调', 24, 13, 10),
    ('livelihood', '民生诉求', '生活服务、公共空间等需求', 8, 20, 11),
    ('other', '其他', '其他问题', 8, 13, 12);

CREATE TABLE case_category (
    id              INTEGER PRIMARY KEY,
    community       TEXT NOT NULL REFERENCES division(code),
    code            TEXT NOT NULL CHECK (length(code) BETWEEN 2 AND 40 AND code NOT GLOB '*[^a-z0-9_]*'),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    respond_hours   INTEGER NOT NULL CHECK (respond_hours BETWEEN 1 AND 720),
    resolve_days    INTEGER NOT NULL CHECK (resolve_days BETWEEN 1 AND 365),
    sort            INTEGER NOT NULL DEFAULT 100,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (community, code),
    UNIQUE (community, name)
);
INSERT INTO case_category (community, code, name, description, respond_hours, resolve_days, sort)
    SELECT d.code, c.code, c.name, c.description, c.respond_hours, c.resolve_days, c.sort
    FROM division d, case_category_default c WHERE d.level = 5;
-- every community imported later gets the defaults too
CREATE TRIGGER case_category_seed AFTER INSERT ON division WHEN NEW.level = 5
BEGIN
    INSERT OR IGNORE INTO case_category (community, code, name, description, respond_hours,
                                         resolve_days, sort)
        SELECT NEW.code, code, name, description, respond_hours, resolve_days, sort
        FROM case_category_default;
END;

-- Responsible units (物业, 居委, 城管, 派出所, 街道网格中心 ...) of a community.
CREATE TABLE case_unit (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('property', 'committee', 'city_management', 'police',
                                              'street_grid', 'department', 'other')),
    phone       TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    UNIQUE (community, name)
);

-- The users who work a unit's inbox (property managers, departments): one unit each.
CREATE TABLE case_unit_user (
    user_id     INTEGER PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES case_unit(id) ON DELETE CASCADE
);
CREATE INDEX case_unit_user_unit ON case_unit_user(unit_id);

-- Routing: category x grid -> unit; NULL matches any. The most specific rule wins.
CREATE TABLE case_route (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    category_id INTEGER REFERENCES case_category(id),
    grid_id     INTEGER REFERENCES grid(id),
    unit_id     INTEGER NOT NULL REFERENCES case_unit(id),
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX case_route_key ON case_route(community, coalesce(category_id, 0), coalesce(grid_id, 0));

-- Working-day calendar: the days that differ from "Monday to Friday work":
-- public holidays (working = 0) and make-up working days (调休, working = 1).
CREATE TABLE case_calendar (
    day         TEXT PRIMARY KEY,
    working     INTEGER NOT NULL CHECK (working IN (0, 1)),
    name        TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- 国务院办公厅关于2026年部分节假日安排的通知 (dated 2025-11-04, as
-- published by Xinhua): holidays and the Saturdays/Sundays worked instead.
INSERT INTO case_calendar (day, working, name) VALUES
    ('2026-01-01', 0, '元旦'), ('2026-01-02', 0, '元旦'), ('2026-01-03', 0, '元旦'),
    ('2026-01-04', 1, '元旦调休上班'),
    ('2026-02-14', 1, '春节调休上班'),
    ('2026-02-15', 0, '春节'), ('2026-02-16', 0, '春节'), ('2026-02-17', 0, '春节'),
    ('2026-02-18', 0, '春节'), ('2026-02-19', 0, '春节'), ('2026-02-20', 0, '春节'),
    ('2026-02-21', 0, '春节'), ('2026-02-22', 0, '春节'), ('2026-02-23', 0, '春节'),
    ('2026-02-28', 1, '春节调休上班'),
    ('2026-04-04', 0, '清明节'), ('2026-04-05', 0, '清明节'), ('2026-04-06', 0, '清明节'),
    ('2026-05-01', 0, '劳动节'), ('2026-05-02', 0, '劳动节'), ('2026-05-03', 0, '劳动节'),
    ('2026-05-04', 0, '劳动节'), ('2026-05-05', 0, '劳动节'),
    ('2026-05-09', 1, '劳动节调休上班'),
    ('2026-06-19', 0, '端午节'), ('2026-06-20', 0, '端午节'), ('2026-06-21', 0, '端午节'),
    ('2026-09-20', 1, '国庆节调休上班'),
    ('2026-09-25', 0, '中秋节'), ('2026-09-26', 0, '中秋节'), ('2026-09-27', 0, '中秋节'),
    ('2026-10-01', 0, '国庆节'), ('2026-10-02', 0, '国庆节'), ('2026-10-03', 0, '国庆节'),
    ('2026-10-04', 0, '国庆节'), ('2026-10-05', 0, '国庆节'), ('2026-10-06', 0, '国庆节'),
    ('2026-10-07', 0, '国庆节'),
    ('2026-10-10', 1, '国庆节调休上班');

-- Per-community settings: the duplicate window and the map area (a bounding
-- box in WGS-84 degrees) inside which a reported point must lie.
CREATE TABLE case_setting (
    community        TEXT PRIMARY KEY REFERENCES division(code),
    dup_window_hours INTEGER NOT NULL DEFAULT 72 CHECK (dup_window_hours BETWEEN 1 AND 720),
    min_lat          REAL,
    min_lon          REAL,
    max_lat          REAL,
    max_lon          REAL,
    updated_at       INTEGER NOT NULL,
    CHECK ((min_lat IS NULL AND min_lon IS NULL AND max_lat IS NULL AND max_lon IS NULL) OR
           (min_lat < max_lat AND min_lon < max_lon AND min_lat >= -90 AND max_lat <= 90
            AND min_lon >= -180 AND max_lon <= 180))
);

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    community       TEXT NOT NULL REFERENCES division(code),
    category_id     INTEGER NOT NULL REFERENCES case_category(id),
    description     TEXT NOT NULL,
    building_id     INTEGER REFERENCES building(id),
    unit_no         INTEGER,                      -- 单元 of the building, if given
    grid_id         INTEGER REFERENCES grid(id),
    lat             REAL,
    lon             REAL,
    address         TEXT,
    source          TEXT NOT NULL CHECK (source IN ('app', 'phone', 'in_person', 'open311')),
    reporter_id     INTEGER REFERENCES app_user(id),  -- who may follow and rate it
    logged_by       INTEGER REFERENCES app_user(id),  -- staff who took a phone/in-person report
    contact_ok      INTEGER NOT NULL DEFAULT 0 CHECK (contact_ok IN (0, 1)),
    contact_name    TEXT,
    contact_phone_enc    BLOB,                    -- sealed (core/crypto)
    contact_phone_masked TEXT,
    state           TEXT NOT NULL CHECK (state IN ('accepted', 'dispatched', 'handling', 'verified',
                                                   'closed', 'returned', 'on_hold', 'reopened')),
    prev_state      TEXT,                         -- the state before the last step
    held_state      TEXT,                         -- where resume goes back to
    unit_id         INTEGER REFERENCES case_unit(id),  -- NULL: the community itself
    merged_into     INTEGER REFERENCES cases(id),
    last_reason     TEXT,
    month           INTEGER NOT NULL,             -- yyyymm of created_at in Beijing time
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    respond_due     INTEGER NOT NULL,
    resolve_due     INTEGER NOT NULL,
    responded_at    INTEGER,                      -- first 处置 (handle) step
    closed_at       INTEGER,
    overdue_respond INTEGER NOT NULL DEFAULT 0 CHECK (overdue_respond IN (0, 1)),
    overdue         INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
    escalated_at    INTEGER,                      -- overdue: escalated to the street
    to_secretary    INTEGER NOT NULL DEFAULT 0 CHECK (to_secretary IN (0, 1)),
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    rateable        INTEGER NOT NULL DEFAULT 0 CHECK (rateable IN (0, 1)),
    rating          TEXT CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    rating_comment  TEXT,
    rated_at        INTEGER,
    open311_token   TEXT UNIQUE,
    api_key_id      INTEGER,
    -- the next deadline the overdue sweep must look at, or NULL
    next_due        INTEGER GENERATED ALWAYS AS (
        CASE WHEN state = 'closed' THEN NULL
             WHEN responded_at IS NULL AND overdue_respond = 0 THEN respond_due
             WHEN overdue = 0 THEN resolve_due END) VIRTUAL,
    CHECK (building_id IS NOT NULL OR (lat IS NOT NULL AND lon IS NOT NULL)),
    CHECK (merged_into IS NULL OR merged_into <> id)
);
CREATE INDEX cases_community ON cases(community, id);
CREATE INDEX cases_community_state ON cases(community, state, id);
CREATE INDEX cases_unit ON cases(unit_id, state, id);
CREATE INDEX cases_reporter ON cases(reporter_id, id);
CREATE INDEX cases_category ON cases(category_id, id);
CREATE INDEX cases_created ON cases(community, created_at);
CREATE INDEX cases_dup ON cases(building_id, category_id, created_at);
CREATE INDEX cases_due ON cases(next_due) WHERE next_due IS NOT NULL;
CREATE INDEX cases_overdue ON cases(community, id) WHERE overdue = 1 AND state <> 'closed';
-- the open cases: a small part of the table once it has years of history
CREATE INDEX cases_open ON cases(community, id) WHERE state <> 'closed';

-- Every step: who, when, from which state to which.
CREATE TABLE case_step (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    action      TEXT NOT NULL,                -- report, dispatch, handle, ..., escalate
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor_id    INTEGER REFERENCES app_user(id), -- NULL: the system (routing, overdue sweep)
    actor_name  TEXT NOT NULL,
    unit_id     INTEGER REFERENCES case_unit(id),
    reason      TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX case_step_case ON case_step(case_id, id);

-- Photos: files stored beside the database (never under the web root),
-- uploaded first and attached to a case when it is reported.
CREATE TABLE case_photo (
    id          INTEGER PRIMARY KEY,
    uploader_id INTEGER NOT NULL REFERENCES app_user(id),
    case_id     INTEGER REFERENCES cases(id),
    file        TEXT NOT NULL UNIQUE,         -- name inside the photo directory
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    width       INTEGER,
    height      INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX case_photo_case ON case_photo(case_id);
CREATE INDEX case_photo_uploader ON case_photo(uploader_id, case_id);

-- Open311 API keys of a community; only a hash of each key is kept.
CREATE TABLE case_api_key (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    key_hash    BLOB NOT NULL UNIQUE,
    label       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

-- Dashboard counts, kept by the triggers below.
CREATE TABLE case_stat (
    community     TEXT NOT NULL,
    month         INTEGER NOT NULL,
    unit_id       INTEGER NOT NULL,           -- 0: the community itself
    category_id   INTEGER NOT NULL,
    grid_id       INTEGER NOT NULL,           -- 0: no grid (a map point)
    total         INTEGER NOT NULL DEFAULT 0,
    open          INTEGER NOT NULL DEFAULT 0, -- not closed
    overdue_open  INTEGER NOT NULL DEFAULT 0,
    resp_due      INTEGER NOT NULL DEFAULT 0, -- responded, or past the response deadline
    resp_ok       INTEGER NOT NULL DEFAULT 0, -- responded in time
    res_due       INTEGER NOT NULL DEFAULT 0, -- closed (not merged), or open past the deadline
    res_ok        INTEGER NOT NULL DEFAULT 0, -- closed in time
    rated         INTEGER NOT NULL DEFAULT 0,
    satisfied     INTEGER NOT NULL DEFAULT 0,
    basically     INTEGER NOT NULL DEFAULT 0,
    unsatisfied   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, month, unit_id, category_id, grid_id)
) WITHOUT ROWID;

CREATE TRIGGER cases_stat_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO case_stat VALUES (NEW.community, NEW.month, coalesce(NEW.unit_id, 0),
        NEW.category_id, coalesce(NEW.grid_id, 0), 1,
        NEW.state <> 'closed',
        NEW.overdue = 1 AND NEW.state <> 'closed',
        NEW.responded_at IS NOT NULL OR NEW.overdue_respond = 1,
        coalesce(NEW.responded_at <= NEW.respond_due, 0),
        (NEW.closed_at IS NOT NULL AND NEW.merged_into IS NULL) OR (NEW.overdue = 1 AND NEW.state <> 'closed'),
        coalesce(NEW.closed_at <= NEW.resolve_due AND NEW.merged_into IS NULL, 0),
        NEW.rating IS NOT NULL,
        coalesce(NEW.rating = 'satisfied', 0),
        coalesce(NEW.rating = 'basically_satisfied', 0),
        coalesce(NEW.rating = 'unsatisfied', 0))
    ON CONFLICT DO UPDATE SET total = total + excluded.total, open = open + excluded.open,
        overdue_open = overdue_open + excluded.overdue_open, resp_due = resp_due + excluded.resp_due,
        resp_ok = resp_ok + excluded.resp_ok, res_due = res_due + excluded.res_due,
        res_ok = res_ok + excluded.res_ok, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, basically = basically + excluded.basically,
        unsatisfied = unsatisfied + excluded.unsatisfied;
END;

CREATE TRIGGER cases_stat_update AFTER UPDATE OF state, unit_id, category_id, grid_id, responded_at,
    closed_at, overdue, overdue_respond, rating, merged_into ON cases
BEGIN
    INSERT INTO case_stat VALUES (OLD.community, OLD.month, coalesce(OLD.unit_id, 0),
        OLD.category_id, coalesce(OLD.grid_id, 0), -1,
        -(OLD.state <> 'closed'),
        -(OLD.overdue = 1 AND OLD.state <> 'closed'),
        -(OLD.responded_at IS NOT NULL OR OLD.overdue_respond = 1),
        -coalesce(OLD.responded_at <= OLD.respond_due, 0),
        -((OLD.closed_at IS NOT NULL AND OLD.merged_into IS NULL) OR (OLD.overdue = 1 AND OLD.state <> 'closed')),
        -coalesce(OLD.closed_at <= OLD.resolve_due AND OLD.merged_into IS NULL, 0),
        -(OLD.rating IS NOT NULL),
        -coalesce(OLD.rating = 'satisfied', 0),
        -coalesce(OLD.rating = 'basically_satisfied', 0),
        -coalesce(OLD.rating = 'unsatisfied', 0))
    ON CONFLICT DO UPDATE SET total = total + excluded.total, open = open + excluded.open,
        overdue_open = overdue_open + excluded.overdue_open, resp_due = resp_due + excluded.resp_due,
        resp_ok = resp_ok + excluded.resp_ok, res_due = res_due + excluded.res_due,
        res_ok = res_ok + excluded.res_ok, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, basically = basically + excluded.basically,
        unsatisfied = unsatisfied + excluded.unsatisfied;
    INSERT INTO case_stat VALUES (NEW.community, NEW.month, coalesce(NEW.unit_id, 0),
        NEW.category_id, coalesce(NEW.grid_id, 0), 1,
        NEW.state <> 'closed',
        NEW.overdue = 1 AND NEW.state <> 'closed',
        NEW.responded_at IS NOT NULL OR NEW.overdue_respond = 1,
        coalesce(NEW.responded_at <= NEW.respond_due, 0),
        (NEW.closed_at IS NOT NULL AND NEW.merged_into IS NULL) OR (NEW.overdue = 1 AND NEW.state <> 'closed'),
        coalesce(NEW.closed_at <= NEW.resolve_due AND NEW.merged_into IS NULL, 0),
        NEW.rating IS NOT NULL,
        coalesce(NEW.rating = 'satisfied', 0),
        coalesce(NEW.rating = 'basically_satisfied', 0),
        coalesce(NEW.rating = 'unsatisfied', 0))
    ON CONFLICT DO UPDATE SET total = total + excluded.total, open = open + excluded.open,
        overdue_open = overdue_open + excluded.overdue_open, resp_due = resp_due + excluded.resp_due,
        resp_ok = resp_ok + excluded.resp_ok, res_due = res_due + excluded.res_due,
        res_ok = res_ok + excluded.res_ok, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, basically = basically + excluded.basically,
        unsatisfied = unsatisfied + excluded.unsatisfied;
END;
