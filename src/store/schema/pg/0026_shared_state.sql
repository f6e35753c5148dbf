-- PostgreSQL twin of src/store/schema/0026_shared_state.sql (the same tables and behaviour in
-- PostgreSQL's types, the triggers as PL/pgSQL functions; see docs/POSTGRESQL.md).
-- linli schema 26: what several `linli serve` processes on one database
-- must share, kept in the database instead of in each process.
--
-- rate_limit: the failures counted against a key (an account and address
-- signing in, a user's whole-number searches that missed, a door's wrong
-- codes, a user's read-aloud syntheses), so that a limit holds however many
-- servers the attempts are spread over. One row per limiter and key
-- ("login" || x'1f' || key); forget_at is when the row stops mattering, so
-- old rows are deleted by one indexed range.
CREATE TABLE rate_limit (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,   -- ms: the fixed window's start
    last_at      BIGINT NOT NULL,   -- ms: the latest failure
    forget_at    BIGINT NOT NULL    -- ms: the row means nothing after this
);
CREATE INDEX rate_limit_forget ON rate_limit (forget_at);

-- The sessions' version: raised in the transaction that ends a session
-- (sign-out, a password change, a disabled account) or changes what a
-- session's user may do, so that a server keeps a session it read for only
-- as long as this row has not moved (session_cache.h). Once per statement
-- that changed something.
-- The triggers' names do not end in "_version": the registry's bulk load
-- disables those.
INSERT INTO data_version (name, v) VALUES ('session', 1);
CREATE FUNCTION session_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET v = v + 1 WHERE name = 'session';
    RETURN NULL;
END $$;
-- a DELETE that removed nothing (a second sign-out, no other session to end) raises nothing
CREATE FUNCTION session_gone_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM gone) THEN
        UPDATE data_version SET v = v + 1 WHERE name = 'session';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER session_delete_stamp AFTER DELETE ON session
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION session_gone_stamp();
-- (a trigger with a column list may not have a transition table)
CREATE TRIGGER app_user_update_stamp
    AFTER UPDATE OF username, display_name, role, scope, household_id, disabled, state ON app_user
    FOR EACH STATEMENT EXECUTE FUNCTION session_stamp();
CREATE TRIGGER app_user_delete_stamp AFTER DELETE ON app_user
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION session_gone_stamp();
