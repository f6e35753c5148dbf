-- linli schema 40: the history of the registry's tags (issue 20), so that
-- GET /api/v1/analytics/key-populations can give each key population's count
-- at the end of each of the last months, not only today's.
--
-- A row says that a resident began (add) or stopped (remove) counting with a
-- tag in a community on a day (Beijing time, as date_today). The triggers
-- write it in the same transaction as every change behind tag_count
-- (0009_registry_counts.sql), whichever code makes it: a tag added to or
-- removed from an active resident, a resident moving out, coming back or
-- changing community, a resident deleted. So the sum of a community's rows up
-- to a day is what tag_count said at that day's end, and up to today it is
-- tag_count itself. A resident who moves out stops counting on the date she
-- moved out (never before her last event with the tag, never after today).
-- No foreign key: a deleted resident's past stays counted in the past.
CREATE TABLE resident_tag_event (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL,
    community   TEXT NOT NULL,
    tag         TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('add', 'remove')),
    date        TEXT NOT NULL              -- 'YYYY-MM-DD'
);
-- covering: the monthly sums read the index alone
CREATE INDEX resident_tag_event_community ON resident_tag_event(community, date, tag, op);
CREATE INDEX resident_tag_event_resident ON resident_tag_event(resident_id, tag);

-- Existing tags: held since the resident was entered; a resident who has moved
-- out held them until then.
INSERT INTO resident_tag_event (resident_id, community, tag, op, date)
SELECT rt.resident_id, r.community, rt.tag, 'add', date(r.created_at / 1000 + 28800, 'unixepoch')
FROM resident_tag rt JOIN resident r ON r.id = rt.resident_id
WHERE r.status = 'active'
   OR (r.moved_out IS NOT NULL AND r.moved_out > date(r.created_at / 1000 + 28800, 'unixepoch'));
INSERT INTO resident_tag_event (resident_id, community, tag, op, date)
SELECT rt.resident_id, r.community, rt.tag, 'remove', r.moved_out
FROM resident_tag rt JOIN resident r ON r.id = rt.resident_id
WHERE r.status = 'moved_out'
  AND r.moved_out IS NOT NULL AND r.moved_out > date(r.created_at / 1000 + 28800, 'unixepoch');

CREATE TRIGGER resident_tag_event_insert AFTER INSERT ON resident_tag BEGIN
    INSERT INTO resident_tag_event (resident_id, community, tag, op, date)
        SELECT NEW.resident_id, r.community, NEW.tag, 'add', date('now', '+8 hours')
          FROM resident r WHERE r.id = NEW.resident_id AND r.status = 'active';
END;

CREATE TRIGGER resident_tag_event_delete AFTER DELETE ON resident_tag BEGIN
    INSERT INTO resident_tag_event (resident_id, community, tag, op, date)
        SELECT OLD.resident_id, r.community, OLD.tag, 'remove', date('now', '+8 hours')
          FROM resident r WHERE r.id = OLD.resident_id AND r.status = 'active';
END;

CREATE TRIGGER resident_tag_event_move AFTER UPDATE OF status, community ON resident
WHEN (OLD.status = 'active' OR NEW.status = 'active')
 AND (OLD.status IS NOT NEW.status OR OLD.community IS NOT NEW.community) BEGIN
    INSERT INTO resident_tag_event (resident_id, community, tag, op, date)
        SELECT OLD.id, OLD.community, rt.tag, 'remove',
               CASE WHEN NEW.status = 'moved_out' AND NEW.moved_out < date('now', '+8 hours')
                    THEN max(NEW.moved_out,
                             coalesce((SELECT max(e.date) FROM resident_tag_event e
                                       WHERE e.resident_id = OLD.id AND e.tag = rt.tag), ''))
                    ELSE date('now', '+8 hours') END
          FROM resident_tag rt WHERE rt.resident_id = OLD.id AND OLD.status = 'active';
    INSERT INTO resident_tag_event (resident_id, community, tag, op, date)
        SELECT NEW.id, NEW.community, rt.tag, 'add', date('now', '+8 hours')
          FROM resident_tag rt WHERE rt.resident_id = NEW.id AND NEW.status = 'active';
END;
