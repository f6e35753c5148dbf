-- PostgreSQL twin of src/store/schema/0020_case_evidence.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 20: cases closed with evidence, and the reporter's follow-up.
--
--   - 处置完成: the unit says it is done, with a reply to the reporter and
--     photos after the work (required where the category says so). The
--     case stays 'handling' until it is verified; completed_at marks the
--     completion of the current round of handling, and a new round (handle
--     after a return or a reopening) starts without one.
--   - photos belong to the report, a completion, an on-the-spot check or the
--     reporter's 补充, and to the step that attached them.
--   - 催办: a reporter urges her case at most once a Beijing calendar day;
--     the primary key is that limit, so two urges at once cannot both pass.
ALTER TABLE case_category ADD COLUMN after_photos_required BIGINT NOT NULL DEFAULT 0
    CHECK (after_photos_required IN (0, 1));

ALTER TABLE cases ADD COLUMN completed_at BIGINT;
ALTER TABLE cases ADD COLUMN reply TEXT;

ALTER TABLE case_photo ADD COLUMN kind TEXT NOT NULL DEFAULT 'report'
    CHECK (kind IN ('report', 'after', 'verify', 'supplement'));
ALTER TABLE case_photo ADD COLUMN step_id BIGINT REFERENCES case_step(id);

CREATE TABLE case_urge (
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    day         TEXT NOT NULL,               -- 'YYYY-MM-DD', Beijing time
    user_id     BIGINT NOT NULL REFERENCES app_user(id),
    at          BIGINT NOT NULL,
    PRIMARY KEY (case_id, day)
);

-- a newer notice about the same case folds the older unread ones (cases_notify.c)
CREATE INDEX notice_user_link ON notice(user_id, link) WHERE read_at IS NULL;
