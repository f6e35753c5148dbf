#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/banned.h"


#define KDF_CONTEXT "linli-v1"

struct CryptoKeys {
    uint8_t seal[crypto_secretbox_KEYBYTES];
    uint8_t lookup[crypto_generichash_KEYBYTES];
};

bool crypto_init(void)
{
    return sodium_init() >= 0;
}

static bool read_all(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static bool write_all(int fd, const uint8_t *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

CryptoKeys *crypto_keys_load(const char *path, const char **ret_errmsg)
{
    uint8_t master[crypto_kdf_KEYBYTES];
    CryptoKeys *k = NULL;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            *ret_errmsg = "cannot create key file";
            return NULL;
        }
        crypto_kdf_keygen(master);
        if (!write_all(fd, master, sizeof(master)) || fsync(fd) != 0) {
            close(fd);
            unlink(path);
            *ret_errmsg = "cannot write key file";
            return NULL;
        }
        close(fd);
    } else if (fd < 0) {
        *ret_errmsg = "cannot open key file";
        return NULL;
    } else {
        struct stat st;

        if (fstat(fd, &st) != 0 || st.st_size != (off_t)sizeof(master) ||
            !read_all(fd, master, sizeof(master))) {
            close(fd);
            *ret_errmsg = "key file is damaged (expected 32 bytes)";
            return NULL;
        }
        close(fd);
    }
    k = malloc(sizeof(*k));
    if (!k)
        abort();
    crypto_kdf_derive_from_key(k->seal, sizeof(k->seal), 1, KDF_CONTEXT, master);
    crypto_kdf_derive_from_key(k->lookup, sizeof(k->lookup), 2, KDF_CONTEXT, master);
    sodium_memzero(master, sizeof(master));
    return k;
}

void crypto_keys_free(CryptoKeys *k)
{
    if (!k)
        return;
    sodium_memzero(k, sizeof(*k));
    free(k);
}

void *crypto_seal_bytes(const CryptoKeys *k, Arena *a, const void *plain, size_t n, size_t *ret_len)
{
    size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    uint8_t *out = arena_alloc(a, len);

    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, n, out, k->seal);
    *ret_len = len;
    return out;
}

void *crypto_seal(const CryptoKeys *k, Arena *a, const char *plain, size_t *ret_len)
{
    return crypto_seal_bytes(k, a, plain, strlen(plain), ret_len);
}

void *crypto_open_bytes(const CryptoKeys *k, Arena *a, const void *sealed, size_t len,
                        size_t *ret_n)
{
    const uint8_t *in = sealed;
    size_t n;
    uint8_t *out;

    if (!sealed || len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return NULL;
    n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    out = arena_alloc(a, n + 1);
    if (crypto_secretbox_open_easy(out, in + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, in, k->seal) != 0)
        return NULL;
    out[n] = '\0';
    *ret_n = n;
    return out;
}

char *crypto_open(const CryptoKeys *k, Arena *a, const void *sealed, size_t len)
{
    size_t n;

    return crypto_open_bytes(k, a, sealed, len, &n);
}

void crypto_lookup_hash(const CryptoKeys *k, const char *value, uint8_t out[CRYPTO_HASH_BYTES])
{
    crypto_generichash(out, CRYPTO_HASH_BYTES, (const uint8_t *)value, strlen(value), k->lookup,
                       sizeof(k->lookup));
}

bool crypto_password_hash(const char *password, char *ret_hash, size_t cap)
{
    if (cap < crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_alg(ret_hash, password, strlen(password),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE / 2,
                                 crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool crypto_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void crypto_token_new(char out[CRYPTO_TOKEN_CHARS + 1])
{
    uint8_t raw[32];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, CRYPTO_TOKEN_CHARS + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_token_hash(const char *token, uint8_t out[CRYPTO_HASH_BYTES])
{
    crypto_generichash(out, CRYPTO_HASH_BYTES, (const uint8_t *)token, strlen(token), NULL, 0);
}

void crypto_random_hex(char *out, size_t n_bytes)
{
    uint8_t raw[64];

    if (n_bytes > sizeof(raw))
        n_bytes = sizeof(raw);
    randombytes_buf(raw, n_bytes);
    sodium_bin2hex(out, n_bytes * 2 + 1, raw, n_bytes);
}

void crypto_sha256_hex(const void *p, size_t n, char out[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, p, n);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

void crypto_random_code(char *out, size_t n, const char *alphabet)
{
    uint32_t k = (uint32_t)strlen(alphabet);

    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[randombytes_uniform(k)];
    out[n] = '\0';
}
