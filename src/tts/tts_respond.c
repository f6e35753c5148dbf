/*
 * tts_respond: what every read-aloud route does once it has the text the
 * user may hear. The text is cut to TTS_TEXT_MAX characters, at the end of
 * a sentence when one is near, so no object makes a synthesis run long.
 */
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/timeutil.h"
#include "http/ratelimit.h"
#include "tts/tts.h"
#include "core/banned.h"

static const char *const FORMAT_NAMES[_TTS_FORMAT_MAX] = { "ogg", "wav" };
static const char *const FORMAT_MIMES[_TTS_FORMAT_MAX] = { "audio/ogg", "audio/wav" };

static bool sentence_end(const char *p)
{
    static const char *const ends[] = { "。", "！", "？", "；", "!", "?", ";", "\n" };

    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
        if (strncmp(p, ends[i], strlen(ends[i])) == 0)
            return true;
    return false;
}

/* @text cut to TTS_TEXT_MAX characters; past half of that, just after the last sentence end. */
static const char *cut_text(Arena *a, const char *text)
{
    size_t chars = 0, i = 0, after_end = 0;

    while (text[i] && chars < TTS_TEXT_MAX) {
        bool end = sentence_end(text + i);

        i++;
        while ((text[i] & 0xc0) == 0x80)
            i++;
        chars++;
        if (end)
            after_end = i;
    }
    if (!text[i])
        return text;
    return arena_strndup(a, text, after_end > i / 2 ? after_end : i);
}

static const char *cache_key(Arena *a, TtsFormat f, const char *text)
{
    const char *what = arena_sprintf(a, "%s|%d|%s|%s", TTS_VOICE, TTS_RATE_WPM, FORMAT_NAMES[f], text);
    uint8_t h[CRYPTO_HASH_BYTES];
    char *hex = arena_alloc(a, 2 * CRYPTO_HASH_BYTES + 1);

    crypto_token_hash(what, h); /* an unkeyed BLAKE2b of the string */
    for (size_t i = 0; i < CRYPTO_HASH_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return hex;
}

Error *tts_respond(Request *req, Response *res, const char *text)
{
    const char *fmt = request_query(req, "format");
    TtsFormat f = TTS_OGG;
    const char *key, *limit_key;
    void *audio = NULL;
    size_t len = 0;
    int64_t duration_ms = 0, now = time_now_ms();
    bool blocked = false;
    Error *err;

    if (fmt && strcmp(fmt, "wav") == 0)
        f = TTS_WAV;
    else if (fmt && strcmp(fmt, "ogg") != 0)
        return error_invalid(req->arena, "format", "invalid_format", "朗读音频的格式应为 ogg 或 wav");
    text = cut_text(req->arena, text);
    if (!*text)
        return error_not_found(req->arena, "id", "这条内容没有可以朗读的文字");
    key = cache_key(req->arena, f, text);

    /* the text is read: the cache's writes and a long synthesis hold no snapshot */
    request_end_read(req);
    err = tts_store_get(req->store, req->arena, key, now, &audio, &len);
    if (err)
        return err;
    if (audio) {
        response_header(res, "X-Cache", "hit");
        response_header(res, "Cache-Control", "private, max-age=86400");
        return response_bytes(res, 200, FORMAT_MIMES[f], audio, len);
    }

    limit_key = arena_sprintf(req->arena, "tts:%lld", (long long)req->user->id);
    err = ratelimit_blocked(req->store, req->arena, &req->app->tts_limit, limit_key,
                            TTS_LIMIT_PER_WINDOW, now, &blocked);
    if (err)
        return err;
    if (blocked) {
        response_header(res, "Retry-After", arena_sprintf(req->arena, "%lld",
                                                          (long long)(TTS_LIMIT_WINDOW_MS / 1000)));
        return error_new(req->arena, 429, NULL, "too_many_requests",
                         "朗读次数过多，请10分钟后再试，或让手机自带的朗读功能来读");
    }
    err = tts_synth(req->arena, text, f, req->app->cfg->threads > 2 ? req->app->cfg->threads / 2 : 1,
                    &audio, &len, &duration_ms);
    if (err)
        return err;
    err = ratelimit_fail(req->store, req->arena, &req->app->tts_limit, limit_key, now); /* a synthesis done counts */
    if (!err)
        err = tts_store_put(req->store, req->arena, key, FORMAT_MIMES[f], audio, len, duration_ms,
                        time_now_ms());
    if (err)
        return err;
    response_header(res, "X-Cache", "miss");
    response_header(res, "Cache-Control", "private, max-age=86400");
    return response_bytes(res, 200, FORMAT_MIMES[f], audio, len);
}
