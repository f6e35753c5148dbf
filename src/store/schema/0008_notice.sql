-- linli schema 8: the in-app notice inbox (站内消息). Other modules add a
-- notice inside their own write transaction (notice_add): a waitlist
-- promotion, an approval or rejection, a no-show release, each step of a
-- reporter's case. A user reads only her own.
CREATE TABLE notice (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,          -- "booking.promoted", "case.dispatched" ...
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT,                   -- an H5 route: "/cases/12", "/bookings"
    created_at  INTEGER NOT NULL,
    read_at     INTEGER                 -- NULL: unread
);
CREATE INDEX notice_user ON notice(user_id, created_at);
