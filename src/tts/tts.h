#pragma once
/*
 * Read aloud (语音朗读): Mandarin speech for the text of an object the user
 * may see (an announcement, a notice, an assistant answer), for phones whose
 * browser has no Chinese voice.
 *
 * Speech comes from the espeak-ng library (voice "cmn"), linked rather than
 * spawned: a call costs no process, and the synthesis callback can stop it
 * at a deadline. The library keeps one global state and is not thread-safe,
 * so tts_synth() holds a mutex around it; a request that waits for it waits
 * at most TTS_DEADLINE_MS per caller ahead of it. Half the server's threads
 * at most (one at least) may be speaking or waiting to: a request beyond
 * that is refused (503) rather than tie up another thread.
 *
 * Audio is Ogg Vorbis (about a tenth of WAV) or, for webviews that cannot
 * play Ogg (iOS), WAV. Both are kept in the table tts_audio, keyed by a hash
 * of voice, format and text, at most TTS_CACHE_MAX_BYTES in all (the least
 * recently used go first). Only syntheses count against a user's limit
 * (TTS_LIMIT_PER_WINDOW per TTS_LIMIT_WINDOW_MS); cached audio is free.
 *
 * Routes (in the modules that own the text):
 *   GET /api/v1/announcements/{id}/audio
 *   GET /api/v1/notices/{id}/audio
 *   GET /api/v1/assistant/answers/{entry_id}/audio
 * each with ?format=ogg (default) or wav, answering the audio with
 * X-Cache: hit or miss.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "http/ratelimit.h"
#include "http/request.h"
#include "http/response.h"

#define TTS_VOICE "cmn"
#define TTS_RATE_WPM 190                  /* syllables a minute for cmn: slower than news (about 250) */
#define TTS_SAMPLE_RATE 22050             /* what espeak-ng produces, Hz */
#define TTS_TEXT_MAX 1200                 /* characters read; longer text is cut at a sentence */
#define TTS_DEADLINE_MS 15000             /* one synthesis, wall clock */
#define TTS_AUDIO_MAX_MS (10 * 60 * 1000) /* audio of one text */
#define TTS_CACHE_MAX_BYTES (32LL * 1024 * 1024)
#define TTS_LIMIT_PER_WINDOW 30           /* syntheses per user */

typedef enum TtsFormat {
    TTS_OGG,
    TTS_WAV,
    _TTS_FORMAT_MAX
} TtsFormat;

/*
 * Speaks @text (UTF-8) in Mandarin into @ret_audio (allocated in @a, @ret_len
 * bytes) in @format, and its length in @ret_duration_ms. Thread-safe (one
 * synthesis at a time). 503 when @max_queue are running or waiting; 500 if
 * the voice cannot be loaded or nothing was spoken; a synthesis past
 * TTS_DEADLINE_MS keeps what was spoken by then.
 */
Error *tts_synth(Arena *a, const char *text, TtsFormat format, int max_queue, void **ret_audio,
                 size_t *ret_len, int64_t *ret_duration_ms);

/*
 * The handlers' one call: answers @text as audio in the format ?format=
 * asks for, from the cache or freshly spoken (then cached). 422 for an
 * unknown format, 429 when the user has spoken too much lately, 503 when
 * others are being spoken for (tts_synth).
 */
Error *tts_respond(Request *req, Response *res, const char *text);

/* ---- tts_store.c ---- */

/* The cached audio for @key, touching its use time; *ret_audio NULL if none. */
Error *tts_store_get(Store *st, Arena *a, const char *key, int64_t now_ms, void **ret_audio,
                     size_t *ret_len);
/* Keeps @audio under @key, then drops the least recently used beyond TTS_CACHE_MAX_BYTES. */
Error *tts_store_put(Store *st, Arena *a, const char *key, const char *mime, const void *audio,
                     size_t len, int64_t duration_ms, int64_t now_ms);
