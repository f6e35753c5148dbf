-- PostgreSQL twin of src/store/schema/0011_resident_search.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 11: the search box's indexes carry the status, so that a
-- search of active residents (the default) by pinyin initials, name prefix
-- or the phone's last four digits is answered from the index alone, without
-- reading each candidate's row to check that it is still active.
DROP INDEX resident_initials;
DROP INDEX resident_name;
DROP INDEX resident_last4;
CREATE INDEX resident_initials ON resident(community, status, name_initials);
CREATE INDEX resident_name ON resident(community, status, name);
CREATE INDEX resident_last4 ON resident(community, status, phone_last4);
