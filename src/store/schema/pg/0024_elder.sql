-- PostgreSQL twin of src/store/schema/0024_elder.sql (the same tables and behaviour in
-- PostgreSQL's types; see docs/POSTGRESQL.md).
-- linli schema 24: 适老化. A user's preferences, so that 长辈版 follows her
-- to every device she signs in on, and the read-aloud audio cache (tts/tts.h).
CREATE TABLE user_pref (
    user_id     BIGINT PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
    elder_mode  BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);

-- Spoken audio by the hash of voice, rate, format and text; the least
-- recently used rows go once the table holds more than TTS_CACHE_MAX_BYTES.
CREATE TABLE tts_audio (
    key         TEXT PRIMARY KEY,
    mime        TEXT NOT NULL,
    audio       BYTEA NOT NULL,
    bytes       BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL
);
CREATE INDEX tts_audio_used ON tts_audio(used_at);
