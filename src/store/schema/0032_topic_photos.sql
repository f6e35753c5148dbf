-- linli schema 32: photos on topics (议题照片), up to 3 a topic.
--
-- A resident (or staff) uploads a photo, then raises the topic naming it:
-- topic_id is set in the topic's transaction, and only on a photo of hers
-- that no topic has taken yet. The file lies in "<db>.files/topics/" under
-- file's name; it is served to those who may see the topic (a hidden
-- topic's only to its author and staff), an untaken one to its uploader.
CREATE TABLE topic_photo (
    id          INTEGER PRIMARY KEY,
    topic_id    INTEGER REFERENCES topic(id),
    uploader_id INTEGER NOT NULL REFERENCES app_user(id),
    file        TEXT NOT NULL UNIQUE,         -- name inside the photo directory
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX topic_photo_topic ON topic_photo(topic_id, id);
