#pragma once
/*
 * Crypto on libsodium: field encryption at rest (secretbox), keyed hashes for
 * exact-match look-up of encrypted values, argon2id passwords and random
 * session tokens.
 *
 * The master key lives in a file outside the database (mode 0600, created on
 * first run); the encryption key and the look-up key are derived from it with
 * crypto_kdf, so neither is ever stored.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define CRYPTO_HASH_BYTES 32
#define CRYPTO_TOKEN_CHARS 43 /* base64url of 32 random bytes */

typedef struct CryptoKeys CryptoKeys;

/* Initialises libsodium; false if it cannot. Call once at start-up. */
bool crypto_init(void);

/*
 * Loads the master key from @path, creating it (0600) if it does not exist.
 * Returns NULL and sets *ret_errmsg on failure. Free with crypto_keys_free().
 */
CryptoKeys *crypto_keys_load(const char *path, const char **ret_errmsg);
void crypto_keys_free(CryptoKeys *k);

/* Encrypts @plain (NUL-terminated) into nonce || ciphertext, in @a. */
void *crypto_seal(const CryptoKeys *k, Arena *a, const char *plain, size_t *ret_len);
/* Decrypts what crypto_seal made; NULL if it was tampered with. In @a. */
char *crypto_open(const CryptoKeys *k, Arena *a, const void *sealed, size_t len);
/* crypto_seal of @n bytes (a file's). */
void *crypto_seal_bytes(const CryptoKeys *k, Arena *a, const void *plain, size_t n, size_t *ret_len);
/* crypto_open of bytes: *ret_n of them (a NUL follows); NULL if tampered with. */
void *crypto_open_bytes(const CryptoKeys *k, Arena *a, const void *sealed, size_t len,
                        size_t *ret_n);

/* Keyed BLAKE2b of @value into @out (for exact-match search of sealed values). */
void crypto_lookup_hash(const CryptoKeys *k, const char *value, uint8_t out[CRYPTO_HASH_BYTES]);

/* argon2id; @ret_hash receives a NUL-terminated string (crypto_pwhash_STRBYTES). */
bool crypto_password_hash(const char *password, char *ret_hash, size_t cap);
bool crypto_password_verify(const char *hash, const char *password);

/* A new random token (base64url, no padding) in @out, CRYPTO_TOKEN_CHARS + 1 bytes. */
void crypto_token_new(char out[CRYPTO_TOKEN_CHARS + 1]);
/* Unkeyed BLAKE2b of a token, for storing sessions. */
void crypto_token_hash(const char *token, uint8_t out[CRYPTO_HASH_BYTES]);

/*
 * @n random characters of @alphabet (uniformly, without modulo bias) into
 * @out, then a NUL: one-time codes people type.
 */
void crypto_random_code(char *out, size_t n, const char *alphabet);

/* Random hex string of 2*@n_bytes characters in @out. */
void crypto_random_hex(char *out, size_t n_bytes);

/* SHA-256 of @p (@n bytes) as 64 lowercase hex characters and a NUL in @out. */
void crypto_sha256_hex(const void *p, size_t n, char out[65]);
