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
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,   -- ms: the fixed window's start
    last_at      INTEGER NOT NULL,   -- ms: the latest failure
    forget_at    INTEGER NOT NULL    -- ms: the row means nothing after this
) WITHOUT ROWID;
CREATE INDEX rate_limit_forget ON rate_limit (forget_at);

-- The sessions' version: raised in the transaction that ends a session
-- (sign-out, a password change, a disabled account) or changes what a
-- session's user may do, so that a server keeps a session it read for only
-- as long as this row has not moved (session_cache.h). The triggers' names
-- do not end in "_version": the registry's bulk load drops those.
INSERT INTO data_version (name, v) VALUES ('session', 1);
CREATE TRIGGER session_delete_stamp AFTER DELETE ON session
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'session'; END;
CREATE TRIGGER app_user_update_stamp
    AFTER UPDATE OF username, display_name, role, scope, household_id, disabled, state ON app_user
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'session'; END;
CREATE TRIGGER app_user_delete_stamp AFTER DELETE ON app_user
    BEGIN UPDATE data_version SET v = v + 1 WHERE name = 'session'; END;
