-- linli schema 28: visit photos (走访照片), up to 3 a visit.
--
-- A helper uploads a photo for a person in care (care_id), then sends the
-- visit naming it: visit_id is set in the visit's transaction. A photo no
-- visit took a day after its upload is deleted, row and file (the care
-- photo purge). The file lies in "<db>.files/care/" under file's name.
CREATE TABLE care_photo (
    id          INTEGER PRIMARY KEY,
    care_id     INTEGER NOT NULL REFERENCES care_person(id),
    visit_id    INTEGER REFERENCES care_visit(id),
    uploader_id INTEGER NOT NULL REFERENCES app_user(id),
    file        TEXT NOT NULL UNIQUE,         -- name inside the photo directory
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX care_photo_visit ON care_photo(care_id, visit_id);
CREATE INDEX care_photo_orphan ON care_photo(created_at) WHERE visit_id IS NULL;
