-- linli schema 38: analytics (issue 20). The rules of the rule-based
-- community types (老龄化型, 流动人口型 ...): a type holds for a community
-- when every one of its rules holds (indicator op threshold, the
-- indicator's unit: % for shares, ‰ per 1,000 residents). Rules belong to a
-- scope (a code prefix); a scope's classification uses the rules of the
-- nearest scope that has any, the defaults at scope ''. Staff of a street
-- replace its whole set at once (PUT /api/v1/analytics/rules).

CREATE TABLE analytics_rule (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL,                 -- '' (defaults), or a division code
    type        TEXT NOT NULL,
    indicator   TEXT NOT NULL,                 -- analytics_indicators[].key
    op          TEXT NOT NULL CHECK (op IN ('>=', '>', '<=', '<')),
    threshold   REAL NOT NULL,
    sort        INTEGER NOT NULL,
    updated_by  INTEGER,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX analytics_rule_scope ON analytics_rule(scope, sort);

INSERT INTO analytics_rule (scope, type, indicator, op, threshold, sort, updated_at) VALUES
    ('', '老龄化型', 'elderly_65_share', '>=', 20, 1, 0),
    ('', '流动人口型', 'newcomer_share', '>=', 15, 2, 0),
    ('', '新建商品房型', 'avg_floors', '>=', 12, 3, 0),
    ('', '老旧小区型', 'low_rise_share', '>=', 60, 4, 0),
    ('', '老旧小区型', 'elderly_60_share', '>=', 20, 5, 0);

-- 服务清单: per scope and community type, the services of three kinds
-- (basic: 基本公共服务 by government; welfare: 公益服务 by social
-- organisations; market: 便民利民服务 by the market), each with its provider
-- and frequency. Staff build them from the demand the analytics show.
CREATE TABLE analytics_service (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL,
    type        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('basic', 'welfare', 'market')),
    name        TEXT NOT NULL,
    provider    TEXT NOT NULL DEFAULT '',
    frequency   TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (scope, type, kind, name)
);
