#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/crypto.h"

static void test_crypto_seal_open(void **state)
{
    char path[] = "/tmp/linli-key-XXXXXX";
    int fd = mkstemp(path);
    const char *errmsg = NULL;
    CryptoKeys *k, *k2;
    Arena *a = arena_new(0);
    uint8_t *sealed, h1[CRYPTO_HASH_BYTES], h2[CRYPTO_HASH_BYTES];
    size_t len;

    (void)state;
    close(fd);
    unlink(path);  /* crypto_keys_load creates it */
    assert_true(crypto_init());
    k = crypto_keys_load(path, &errmsg);
    assert_non_null(k);
    sealed = crypto_seal(k, a, "310105195003021230", &len);
    assert_null(memmem(sealed, len, "1950", 4));
    assert_string_equal(crypto_open(k, a, sealed, len), "310105195003021230");
    sealed[len - 1] ^= 1;  /* tampered */
    assert_null(crypto_open(k, a, sealed, len));

    /* the same key file gives the same look-up hash; a different value does not */
    k2 = crypto_keys_load(path, &errmsg);
    crypto_lookup_hash(k, "13912345678", h1);
    crypto_lookup_hash(k2, "13912345678", h2);
    assert_memory_equal(h1, h2, CRYPTO_HASH_BYTES);
    crypto_lookup_hash(k, "13912345679", h2);
    assert_memory_not_equal(h1, h2, CRYPTO_HASH_BYTES);
    crypto_keys_free(k);
    crypto_keys_free(k2);
    unlink(path);
    arena_free(a);
}

static void test_crypto_bad_key_file(void **state)
{
    char path[] = "/tmp/linli-key-XXXXXX";
    int fd = mkstemp(path);
    const char *errmsg = NULL;

    (void)state;
    assert_int_equal(write(fd, "short", 5), 5);
    close(fd);
    assert_null(crypto_keys_load(path, &errmsg));
    assert_non_null(errmsg);
    unlink(path);
}

static void test_crypto_password(void **state)
{
    char hash[128];

    (void)state;
    assert_true(crypto_password_hash("linli2026", hash, sizeof(hash)));
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_true(crypto_password_verify(hash, "linli2026"));
    assert_false(crypto_password_verify(hash, "linli2027"));
}

static void test_crypto_tokens_differ(void **state)
{
    char t1[CRYPTO_TOKEN_CHARS + 1], t2[CRYPTO_TOKEN_CHARS + 1];

    (void)state;
    crypto_token_new(t1);
    crypto_token_new(t2);
    assert_int_equal(strlen(t1), CRYPTO_TOKEN_CHARS);
    assert_string_not_equal(t1, t2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_seal_open),
        cmocka_unit_test(test_crypto_bad_key_file),
        cmocka_unit_test(test_crypto_password),
        cmocka_unit_test(test_crypto_tokens_differ),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
