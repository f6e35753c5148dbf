/*
 * Speech synthesis with the espeak-ng library and its encoding as Ogg Vorbis
 * or WAV. espeak-ng keeps one global synthesiser: it is initialised once and
 * used under synth_lock only. Samples arrive through a callback, which also
 * stops a synthesis past its deadline or its length limit.
 */
#include "tts/tts.h"

#include <espeak-ng/speak_lib.h>
#include <ogg/ogg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <vorbis/vorbisenc.h>

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define AUDIO_MAX_BYTES ((size_t)TTS_AUDIO_MAX_MS / 1000 * TTS_SAMPLE_RATE * 2 + 4096)
#define VORBIS_QUALITY 0.0f /* about 30 kbit/s at 22 kHz mono: clear speech */

static pthread_mutex_t synth_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int synth_queue; /* requests speaking or waiting to */
static pthread_once_t synth_once = PTHREAD_ONCE_INIT;
static bool synth_ready;

typedef struct Pcm {
    int16_t *samples; /* malloc'd */
    size_t n, cap;
    size_t max;
    int64_t deadline_ms;
    bool failed;      /* out of memory */
} Pcm;

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
    Pcm *p = events->user_data;

    if (!wav || n <= 0)
        return 0;
    if (p->n + (size_t)n > p->max || time_now_ms() > p->deadline_ms)
        return 1; /* stop: keep what was spoken */
    if (p->n + (size_t)n > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64 * 1024;
        int16_t *s;

        while (cap < p->n + (size_t)n)
            cap *= 2;
        s = realloc(p->samples, cap * sizeof(*s));
        if (!s) {
            p->failed = true;
            return 1;
        }
        p->samples = s;
        p->cap = cap;
    }
    memcpy(p->samples + p->n, wav, (size_t)n * sizeof(*wav));
    p->n += (size_t)n;
    return 0;
}

static void synth_init(void)
{
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0);

    if (rate != TTS_SAMPLE_RATE)
        return;
    espeak_SetSynthCallback(on_samples);
    if (espeak_SetVoiceByName(TTS_VOICE) != EE_OK)
        return;
    espeak_SetParameter(espeakRATE, TTS_RATE_WPM, 0);
    synth_ready = true;
}

static void put_le(StrBuf *sb, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        strbuf_addc(sb, (char)((v >> (8 * i)) & 0xff));
}

static void encode_wav(StrBuf *sb, const int16_t *s, size_t n)
{
    uint32_t data = (uint32_t)(n * 2);

    strbuf_add(sb, "RIFF", 4);
    put_le(sb, 36 + data, 4);
    strbuf_add(sb, "WAVEfmt ", 8);
    put_le(sb, 16, 4);                   /* fmt chunk size */
    put_le(sb, 1, 2);                    /* PCM */
    put_le(sb, 1, 2);                    /* mono */
    put_le(sb, TTS_SAMPLE_RATE, 4);
    put_le(sb, TTS_SAMPLE_RATE * 2, 4);  /* bytes per second */
    put_le(sb, 2, 2);                    /* block align */
    put_le(sb, 16, 2);                   /* bits per sample */
    strbuf_add(sb, "data", 4);
    put_le(sb, data, 4);
    for (size_t i = 0; i < n; i++)
        put_le(sb, (uint16_t)s[i], 2);
}

static void add_page(StrBuf *sb, const ogg_page *og)
{
    strbuf_add(sb, (const char *)og->header, (size_t)og->header_len);
    strbuf_add(sb, (const char *)og->body, (size_t)og->body_len);
}

/* Moves the blocks the encoder has ready into pages of @os. */
static void vorbis_drain(StrBuf *sb, vorbis_dsp_state *vd, vorbis_block *vb, ogg_stream_state *os)
{
    ogg_packet op;
    ogg_page og;

    while (vorbis_analysis_blockout(vd, vb) == 1) {
        vorbis_analysis(vb, NULL);
        vorbis_bitrate_addblock(vb);
        while (vorbis_bitrate_flushpacket(vd, &op)) {
            ogg_stream_packetin(os, &op);
            while (ogg_stream_pageout(os, &og))
                add_page(sb, &og);
        }
    }
}

static bool encode_ogg(StrBuf *sb, const int16_t *s, size_t n)
{
    vorbis_info vi;
    vorbis_comment vc;
    vorbis_dsp_state vd;
    vorbis_block vb;
    ogg_stream_state os;
    ogg_packet head, comm, code;
    ogg_page og;
    bool ok = false;

    vorbis_info_init(&vi);
    if (vorbis_encode_init_vbr(&vi, 1, TTS_SAMPLE_RATE, VORBIS_QUALITY) != 0) {
        vorbis_info_clear(&vi);
        return false;
    }
    vorbis_comment_init(&vc);
    vorbis_comment_add_tag(&vc, "ENCODER", "linli espeak-ng");
    vorbis_analysis_init(&vd, &vi);
    vorbis_block_init(&vd, &vb);
    ogg_stream_init(&os, 1);

    vorbis_analysis_headerout(&vd, &vc, &head, &comm, &code);
    ogg_stream_packetin(&os, &head);
    ogg_stream_packetin(&os, &comm);
    ogg_stream_packetin(&os, &code);
    while (ogg_stream_flush(&os, &og))
        add_page(sb, &og); /* the audio starts on a page of its own */

    for (size_t i = 0; i < n;) {
        size_t k = n - i < 1024 ? n - i : 1024;
        float **buf = vorbis_analysis_buffer(&vd, (int)k);

        for (size_t j = 0; j < k; j++)
            buf[0][j] = (float)s[i + j] / 32768.0f;
        vorbis_analysis_wrote(&vd, (int)k);
        vorbis_drain(sb, &vd, &vb, &os);
        i += k;
    }
    vorbis_analysis_wrote(&vd, 0);
    vorbis_drain(sb, &vd, &vb, &os);
    while (ogg_stream_flush(&os, &og))
        add_page(sb, &og);
    ok = true;

    ogg_stream_clear(&os);
    vorbis_block_clear(&vb);
    vorbis_dsp_clear(&vd);
    vorbis_comment_clear(&vc);
    vorbis_info_clear(&vi);
    return ok;
}

Error *tts_synth(Arena *a, const char *text, TtsFormat format, int max_queue, void **ret_audio,
                 size_t *ret_len, int64_t *ret_duration_ms)
{
    Pcm pcm = { .max = (size_t)TTS_AUDIO_MAX_MS / 1000 * TTS_SAMPLE_RATE };
    espeak_ERROR rc;
    StrBuf sb;
    const char *out;
    size_t len;
    Error *err = NULL;

    pthread_once(&synth_once, synth_init);
    if (!synth_ready)
        return error_internal(a, "cannot load espeak-ng voice '%s'", TTS_VOICE);

    /* a queue of server threads all waiting here would leave none for anything else */
    if (atomic_fetch_add(&synth_queue, 1) >= max_queue) {
        atomic_fetch_sub(&synth_queue, 1);
        return error_new(a, 503, NULL, "tts_busy", "朗读的人太多，请稍等一会儿再点朗读");
    }
    pthread_mutex_lock(&synth_lock);
    pcm.deadline_ms = time_now_ms() + TTS_DEADLINE_MS; /* from the lock: waiting is not speaking */
    rc = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &pcm);
    pthread_mutex_unlock(&synth_lock);
    atomic_fetch_sub(&synth_queue, 1);

    if (rc != EE_OK || pcm.failed || pcm.n == 0) {
        err = error_internal(a, "espeak-ng synthesis failed (%d, %zu samples)", (int)rc, pcm.n);
        goto out;
    }
    strbuf_init(&sb, a, AUDIO_MAX_BYTES);
    if (format == TTS_WAV)
        encode_wav(&sb, pcm.samples, pcm.n);
    else if (!encode_ogg(&sb, pcm.samples, pcm.n)) {
        err = error_internal(a, "vorbis encoder refused %d Hz mono", TTS_SAMPLE_RATE);
        goto out;
    }
    out = strbuf_finish(&sb, &len);
    if (!out) {
        err = error_internal(a, "audio over %zu bytes", (size_t)AUDIO_MAX_BYTES);
        goto out;
    }
    *ret_audio = (void *)out;
    *ret_len = len;
    *ret_duration_ms = (int64_t)pcm.n * 1000 / TTS_SAMPLE_RATE;
out:
    free(pcm.samples);
    return err;
}
