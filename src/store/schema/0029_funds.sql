-- linli schema 29: 自治金, community funds (issue 17). A yearly fund per
-- community in budget lines; applications by a resident team or by staff,
-- each with a budget table; the approval chain (居委会 review, 议事会
-- opinion, street approval above an amount); milestones, spending against
-- the approved items with receipts; close, evaluation, 公示. src/funds/funds.h
-- tells the design. Money is integer fen everywhere.
--
-- The money invariants are CHECK constraints on running totals that every
-- approval and spending line raises in the same transaction (funds_store.c):
-- a line's approvals never pass its budget, a project's spending never
-- passes its approval. Whatever the races, the database refuses the row.

-- One fund per community and year; the street sets or approves its lines.
CREATE TABLE fund_budget (
    id              INTEGER PRIMARY KEY,
    community       TEXT NOT NULL REFERENCES division(code),
    year            INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    street_min_fen  INTEGER NOT NULL DEFAULT 500000 CHECK (street_min_fen >= 0), -- above: the street approves
    change_pct      INTEGER NOT NULL DEFAULT 10 CHECK (change_pct BETWEEN 0 AND 100), -- item overrun without re-approval
    note            TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (community, year)
);

-- A budget line (环境改善, 文体活动, 为老服务, 应急 …) and its running totals.
CREATE TABLE fund_line (
    id              INTEGER PRIMARY KEY,
    budget_id       INTEGER NOT NULL REFERENCES fund_budget(id),
    community       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    name            TEXT NOT NULL,
    budget_fen      INTEGER NOT NULL CHECK (budget_fen >= 0),
    approved_fen    INTEGER NOT NULL DEFAULT 0 CHECK (approved_fen >= 0), -- projects approved on it
    spent_fen       INTEGER NOT NULL DEFAULT 0 CHECK (spent_fen >= 0),
    returned_fen    INTEGER NOT NULL DEFAULT 0 CHECK (returned_fen >= 0), -- unspent at close
    CHECK (approved_fen <= budget_fen),
    CHECK (spent_fen + returned_fen <= approved_fen),
    UNIQUE (budget_id, name)
);
CREATE INDEX fund_line_scope ON fund_line(year, community);

-- A resident team (楼组, 兴趣小组, 志愿队): its lead is a resident of the registry.
CREATE TABLE fund_team (
    id              INTEGER PRIMARY KEY,
    community       TEXT NOT NULL REFERENCES division(code),
    name            TEXT NOT NULL,
    lead_resident_id INTEGER NOT NULL REFERENCES resident(id),
    members         INTEGER NOT NULL DEFAULT 1 CHECK (members BETWEEN 1 AND 10000),
    note            TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL,
    UNIQUE (community, name)
);
CREATE INDEX fund_team_lead ON fund_team(lead_resident_id);

-- An application, from draft to closed. state:
--   draft → review (居委会) → council (议事会 opinion) → street (above
--   street_min_fen) → approved → closed; returned (back to the applicant,
--   who edits and submits again), rejected (final); change: an approved
--   project's change of its budget table waits for re-approval.
CREATE TABLE fund_application (
    id              INTEGER PRIMARY KEY,
    budget_id       INTEGER NOT NULL REFERENCES fund_budget(id),
    line_id         INTEGER NOT NULL REFERENCES fund_line(id),
    community       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    team_id         INTEGER REFERENCES fund_team(id),      -- NULL: applied by staff
    applicant_id    INTEGER NOT NULL REFERENCES app_user(id),
    title           TEXT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    beneficiaries   TEXT NOT NULL DEFAULT '',
    starts_on       TEXT,                                   -- 'YYYY-MM-DD'
    ends_on         TEXT,
    total_fen       INTEGER NOT NULL DEFAULT 0 CHECK (total_fen >= 0), -- the budget table's sum
    state           TEXT NOT NULL DEFAULT 'draft'
                    CHECK (state IN ('draft', 'review', 'council', 'street', 'returned', 'rejected',
                                     'approved', 'change', 'closed')),
    approved_fen    INTEGER NOT NULL DEFAULT 0 CHECK (approved_fen >= 0),
    spent_fen       INTEGER NOT NULL DEFAULT 0 CHECK (spent_fen >= 0),
    returned_fen    INTEGER NOT NULL DEFAULT 0 CHECK (returned_fen >= 0),
    change_json     TEXT,                                   -- a change waiting for re-approval
    final_report    TEXT,
    submitted_at    INTEGER,
    approved_at     INTEGER,
    closed_at       INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (spent_fen + returned_fen <= approved_fen)
);
CREATE INDEX fund_application_scope ON fund_application(year, community, state);
-- covers the ledger's sums by line (funds_store.c)
CREATE INDEX fund_application_line ON fund_application(line_id, state, approved_fen, spent_fen,
                                                      returned_fen);
CREATE INDEX fund_application_applicant ON fund_application(applicant_id);

-- The budget table: quantity × unit price = amount, exactly.
CREATE TABLE fund_item (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES fund_application(id),
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    unit_fen        INTEGER NOT NULL CHECK (unit_fen >= 0),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
    spent_fen       INTEGER NOT NULL DEFAULT 0 CHECK (spent_fen >= 0),
    CHECK (amount_fen = quantity * unit_fen),
    UNIQUE (application_id, position)
);

-- Every step of the chain, and the execution's: who, what, why.
CREATE TABLE fund_step (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES fund_application(id),
    kind            TEXT NOT NULL CHECK (kind IN ('submit', 'review', 'council', 'street', 'change',
                                                  'change_review', 'close')),
    decision        TEXT CHECK (decision IN ('approve', 'return', 'reject')),
    reason          TEXT NOT NULL DEFAULT '',
    amount_fen      INTEGER,
    meeting_on      TEXT,                                   -- 议事会: the meeting's date
    attendees       INTEGER,                                -- 议事会: members present
    actor_id        INTEGER REFERENCES app_user(id),
    actor_name      TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX fund_step_application ON fund_step(application_id, id);

CREATE TABLE fund_milestone (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES fund_application(id),
    title           TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    report          TEXT,
    reported_at     INTEGER,
    reported_by     INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX fund_milestone_application ON fund_milestone(application_id);

-- Attachments, photos and receipts (image or PDF by their content).
CREATE TABLE fund_file (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER REFERENCES fund_application(id),
    milestone_id    INTEGER REFERENCES fund_milestone(id),
    kind            TEXT NOT NULL CHECK (kind IN ('attachment', 'photo', 'receipt')),
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    data            BLOB NOT NULL,
    uploader_id     INTEGER NOT NULL REFERENCES app_user(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX fund_file_application ON fund_file(application_id);

-- Money spent, against one approved item, with its receipt.
CREATE TABLE fund_spending (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES fund_application(id),
    item_id         INTEGER NOT NULL REFERENCES fund_item(id),
    line_id         INTEGER NOT NULL REFERENCES fund_line(id),
    community       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    spent_on        TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    receipt_id      INTEGER REFERENCES fund_file(id),
    created_by      INTEGER REFERENCES app_user(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX fund_spending_application ON fund_spending(application_id);
CREATE INDEX fund_spending_scope ON fund_spending(year, community);
CREATE INDEX fund_spending_line ON fund_spending(line_id, amount_fen); -- the ledger's sums

-- Residents' evaluation of a closed project, one per account.
CREATE TABLE fund_evaluation (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES fund_application(id),
    user_id         INTEGER NOT NULL REFERENCES app_user(id),
    score           INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment         TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    UNIQUE (application_id, user_id)
);
