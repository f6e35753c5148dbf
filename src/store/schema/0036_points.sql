-- linli schema 36: points (积分) and partner merchants (合伙人 / 以场地换服务),
-- issue 18. src/points/points.h tells the design.
--
-- A community's rules: points per hour of volunteer service
-- (volunteer_hour) and per attended activity of each kind (attend_volunteer,
-- attend_course, attend_market, attend_sports, attend_civic), each with an
-- optional yearly cap per resident. A community without a row for a rule
-- uses the default in points.h.
CREATE TABLE points_rule (
    community  TEXT NOT NULL REFERENCES division(code),
    rule       TEXT NOT NULL CHECK (rule IN ('volunteer_hour', 'attend_volunteer', 'attend_course',
                                             'attend_market', 'attend_sports', 'attend_civic')),
    points     INTEGER NOT NULL CHECK (points BETWEEN 0 AND 10000),
    yearly_cap INTEGER CHECK (yearly_cap IS NULL OR yearly_cap BETWEEN 1 AND 1000000),
    updated_by INTEGER REFERENCES app_user(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (community, rule)
);

-- A resident's account: balance is the sum of her entries and may never go
-- below zero (the CHECK refuses it, whatever the races: a spend is one
-- conditional UPDATE in the transaction that writes its entry).
CREATE TABLE points_account (
    resident_id INTEGER PRIMARY KEY REFERENCES resident(id),
    community   TEXT NOT NULL REFERENCES division(code),
    balance     INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    updated_at  INTEGER NOT NULL
);
CREATE INDEX points_account_community ON points_account(community, balance);

-- The ledger, append-only (the triggers below refuse UPDATE and DELETE):
-- earn (a rule's award, delta > 0), spend (a redemption, delta < 0), adjust
-- (staff, either sign, with a reason). ref_kind and ref_id name what it
-- is for (activity, volunteer_hours, redemption, adjust). An award is
-- written once per resident, rule and reference.
CREATE TABLE points_entry (
    id            INTEGER PRIMARY KEY,
    resident_id   INTEGER NOT NULL REFERENCES points_account(resident_id),
    community     TEXT NOT NULL REFERENCES division(code),
    kind          TEXT NOT NULL CHECK (kind IN ('earn', 'spend', 'adjust')),
    delta         INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    rule          TEXT NOT NULL DEFAULT '',
    ref_kind      TEXT NOT NULL,
    ref_id        INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES app_user(id),
    created_at    INTEGER NOT NULL,
    CHECK ((kind = 'earn' AND delta > 0) OR (kind = 'spend' AND delta < 0)
           OR (kind = 'adjust' AND delta <> 0 AND reason <> ''))
);
CREATE UNIQUE INDEX points_entry_award ON points_entry(resident_id, ref_kind, ref_id, rule)
    WHERE kind = 'earn';
CREATE INDEX points_entry_resident ON points_entry(resident_id, id);
CREATE INDEX points_entry_community ON points_entry(community, created_at);

CREATE TRIGGER points_entry_no_update BEFORE UPDATE ON points_entry
BEGIN
    SELECT RAISE(ABORT, 'points entries are append-only');
END;
CREATE TRIGGER points_entry_no_delete BEFORE DELETE ON points_entry
BEGIN
    SELECT RAISE(ABORT, 'points entries are append-only');
END;

-- A partner merchant (合伙人): what it is, and what the community gives it
-- in exchange for its services (以场地换服务): space, hours, a free stall at
-- markets.
CREATE TABLE merchant (
    id          INTEGER PRIMARY KEY,
    community   TEXT NOT NULL REFERENCES division(code),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,                 -- 理发, 药店, 餐饮, 培训 …
    address     TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    space_m2    INTEGER NOT NULL DEFAULT 0 CHECK (space_m2 BETWEEN 0 AND 100000),
    space_hours TEXT NOT NULL DEFAULT '',      -- when the space is theirs, as staff word it
    free_stall  INTEGER NOT NULL DEFAULT 0 CHECK (free_stall IN (0, 1)),
    gives_note  TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'ended')),
    created_by  INTEGER REFERENCES app_user(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX merchant_community ON merchant(community, state);

-- What a merchant offers: a service at markets, a discount redeemable with
-- points (cost > 0, with the token its QR code carries), a course taught.
CREATE TABLE merchant_offer (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchant(id),
    kind        TEXT NOT NULL CHECK (kind IN ('market_service', 'discount', 'course')),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    cost        INTEGER CHECK (cost IS NULL OR cost BETWEEN 1 AND 1000000),
    token       TEXT UNIQUE,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((kind = 'discount') = (cost IS NOT NULL AND token IS NOT NULL))
);
CREATE INDEX merchant_offer_merchant ON merchant_offer(merchant_id);

-- A stall at a market (an activity of kind market): the merchant and what
-- it provides there.
CREATE TABLE market_stall (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activity(id),
    merchant_id INTEGER NOT NULL REFERENCES merchant(id),
    provides    TEXT NOT NULL,
    created_by  INTEGER REFERENCES app_user(id),
    created_at  INTEGER NOT NULL,
    UNIQUE (activity_id, merchant_id)
);
CREATE INDEX market_stall_merchant ON market_stall(merchant_id);

-- A redemption of an offer with points: its spend entry and the receipt
-- code the merchant sees on the resident's screen.
CREATE TABLE points_redemption (
    id          INTEGER PRIMARY KEY,
    offer_id    INTEGER NOT NULL REFERENCES merchant_offer(id),
    merchant_id INTEGER NOT NULL REFERENCES merchant(id),
    resident_id INTEGER NOT NULL REFERENCES resident(id),
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    cost        INTEGER NOT NULL CHECK (cost > 0),
    code        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX points_redemption_merchant ON points_redemption(merchant_id, created_at);
CREATE INDEX points_redemption_resident ON points_redemption(resident_id, created_at);
