/* Speech synthesis (src/tts/tts.c): a Mandarin text becomes audio; no room left is 503 tts_busy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tts/tts.h"

static void speaks_mandarin_as_wav(void **state)
{
    Arena *a = arena_new(0);
    void *audio = NULL;
    size_t len = 0;
    int64_t ms = 0;
    Error *err;

    (void)state;
    err = tts_synth(a, "社区通知：明天上午停水。", TTS_WAV, 1, &audio, &len, &ms);
    assert_null(err);
    assert_true(len > 44);
    assert_memory_equal(audio, "RIFF", 4);
    assert_memory_equal((const char *)audio + 8, "WAVE", 4);
    assert_true(ms > 500);
    arena_free(a);
}

static void speaks_as_ogg(void **state)
{
    Arena *a = arena_new(0);
    void *audio = NULL;
    size_t len = 0;
    int64_t ms = 0;

    (void)state;
    assert_null(tts_synth(a, "请注意用电安全。", TTS_OGG, 1, &audio, &len, &ms));
    assert_memory_equal(audio, "OggS", 4);
    arena_free(a);
}

static void no_room_left_is_busy_at_once(void **state)
{
    Arena *a = arena_new(0);
    void *audio = NULL;
    size_t len = 0;
    int64_t ms = 0;
    Error *err;

    (void)state;
    /* a server whose room for speaking (half its threads) is all taken */
    err = tts_synth(a, "请注意用电安全。", TTS_WAV, 0, &audio, &len, &ms);
    assert_non_null(err);
    assert_int_equal(err->status, 503);
    assert_string_equal(err->code, "tts_busy");
    assert_null(audio);
    /* and the refusal gave its place back: with room, it speaks */
    assert_null(tts_synth(a, "请注意用电安全。", TTS_WAV, 1, &audio, &len, &ms));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(speaks_mandarin_as_wav),
        cmocka_unit_test(speaks_as_ogg),
        cmocka_unit_test(no_room_left_is_busy_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
