-- PostgreSQL twin of src/store/schema/0005_assistant_loop.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 5: the assistant's staff loop. A resident may ask for a person (转人工)
-- with her contact; staff turn a group of questions into an entry, or into another
-- phrasing of one, which takes them off the list.

ALTER TABLE assistant_question ADD COLUMN handoff_at BIGINT;      -- 转人工 asked; NULL: not
ALTER TABLE assistant_question ADD COLUMN handoff_name TEXT;       -- how to address her
ALTER TABLE assistant_question ADD COLUMN handoff_phone_enc BYTEA;  -- sealed (core/crypto)
ALTER TABLE assistant_question ADD COLUMN handoff_note TEXT;       -- what she added, or NULL
ALTER TABLE assistant_question ADD COLUMN resolved_at BIGINT;     -- staff dealt with it; NULL: open
ALTER TABLE assistant_question ADD COLUMN resolved_entry TEXT;     -- the entry that now answers it

CREATE INDEX assistant_question_handoff ON assistant_question(community, handoff_at)
    WHERE handoff_at IS NOT NULL;
