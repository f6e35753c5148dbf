-- PostgreSQL twin of src/store/schema/0010_case_notices.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 10: who a case's notices go to. The overdue sweep tells the
-- street admins over an escalated case's community (cases_notify.c); they
-- are found by role, without reading every account.
CREATE INDEX app_user_role ON app_user(role, scope);
