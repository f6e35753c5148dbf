-- linli schema 25: each community's own profile (社区信息): the office phone,
-- opening hours and address of the 居委会, its 党群服务站, and the duty phone at
-- night. Staff keep it; residents see it on the H5 (the 呼叫居委会 tile dials
-- office_phone) and the assistant answers questions about the community from
-- it. These are public numbers of an office, not personal data: kept as text.

CREATE TABLE community_profile (
    community     TEXT PRIMARY KEY REFERENCES division(code),
    office_phone  TEXT NOT NULL,
    office_hours  TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    station       TEXT NOT NULL DEFAULT '',   -- 党群服务站 / 服务站: name and where
    duty_phone    TEXT NOT NULL DEFAULT '',   -- at night and on holidays; '' none
    updated_by    INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    updated_at    INTEGER NOT NULL,
    CHECK (length(community) = 12)
) WITHOUT ROWID;
