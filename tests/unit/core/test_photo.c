#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/file.h"
#include "core/photo.h"

/* the smallest PNG (1 × 1) */
static const unsigned char png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
    0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc,
    0xcf, 0xc0, 0x50, 0x0f, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xa9, 0x8c, 0x21, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

/* A fresh "<tmp>/linli-test-photo-XXXXXX" as files base; its photo dir "<base>.files/m". */
static char *temp_base(void)
{
    const char *tmp = getenv("TMPDIR");
    char *base = malloc(512);

    snprintf(base, 512, "%s/linli-test-photo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(base));
    return base;
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_photo_save_checks_size_then_type(void **state)
{
    Arena *a = arena_new(0);
    char *base = temp_base();
    const char *dir = photo_dir(a, base, "m");
    PhotoFile f = { 0 };
    Error *err;

    (void)state;
    assert_string_equal(dir, arena_sprintf(a, "%s.files/m", base));
    /* one byte over the limit: 413 before anything is looked at or written */
    err = photo_save(a, NULL, dir, "photo", png, sizeof(png), sizeof(png) - 1, &f);
    assert_non_null(err);
    assert_int_equal(err->status, 413);
    assert_string_equal(err->code, "photo_too_large");
    assert_string_equal(err->field, "photo");
    assert_null(f.file);
    /* text is not an image, whatever it claims */
    err = photo_save(a, NULL, dir, "photos[0]", "GIF89a? no, just words", 22, 1024, &f);
    assert_non_null(err);
    assert_int_equal(err->status, 415);
    assert_string_equal(err->code, "not_an_image");
    assert_string_equal(err->field, "photos[0]");
    assert_int_equal(files_in(dir), 0);
    /* at the limit exactly: written under a new name, the directory made */
    err = photo_save(a, NULL, dir, "photo", png, sizeof(png), sizeof(png), &f);
    assert_null(err);
    assert_string_equal(f.mime, "image/png");
    assert_int_equal(f.size, (int64_t)sizeof(png));
    assert_int_equal(strlen(f.file), 32 + 4);
    assert_string_equal(f.path, arena_sprintf(a, "%s/%s", dir, f.file));
    assert_int_equal(files_in(dir), 1);
    photo_remove(a, dir, f.file, "", 1);
    assert_int_equal(files_in(dir), 0);
    photo_remove(a, dir, f.file, "", 1); /* already gone: nothing to say */
    rmdir(dir);
    rmdir(arena_sprintf(a, "%s.files", base));
    rmdir(base);
    free(base);
    arena_free(a);
}

/* Sealed (care's photos): the file holds no byte of the picture in the clear, and opens to it. */
static void test_photo_save_sealed(void **state)
{
    Arena *a = arena_new(0);
    char *base = temp_base();
    const char *dir = photo_dir(a, base, "s");
    const char *keypath = arena_sprintf(a, "%s.key", base);
    const char *errmsg = NULL;
    CryptoKeys *k;
    PhotoFile f = { 0 };
    char *data = NULL;
    size_t len = 0, n = 0;
    const unsigned char *plain;

    (void)state;
    assert_true(crypto_init());
    k = crypto_keys_load(keypath, &errmsg);
    assert_non_null(k);
    assert_null(photo_save(a, k, dir, "photo", png, sizeof(png), 1024, &f));
    assert_string_equal(f.mime, "image/png");
    assert_int_equal(f.size, (int64_t)sizeof(png));
    assert_true(file_read_all(a, f.path, 4096, &data, &len, &errmsg));
    assert_true(len > sizeof(png));
    assert_null(memmem(data, len, png + 1, 3)); /* no "PNG" signature in the clear */
    plain = crypto_open_bytes(k, a, data, len, &n);
    assert_non_null(plain);
    assert_int_equal(n, sizeof(png));
    assert_memory_equal(plain, png, sizeof(png));
    data[len - 1] ^= 1; /* one bit changed: refused */
    assert_null(crypto_open_bytes(k, a, data, len, &n));
    photo_remove(a, dir, f.file, "", 1);
    crypto_keys_free(k);
    unlink(keypath);
    rmdir(dir);
    rmdir(arena_sprintf(a, "%s.files", base));
    rmdir(base);
    free(base);
    arena_free(a);
}

static void test_photo_parse_ids(void **state)
{
    Arena *a = arena_new(0);
    int64_t ids[3];
    int n = -1;
    json_t *b;
    Error *err;

    (void)state;
    b = json_loads("{}", 0, NULL);
    assert_null(photo_parse_ids(a, b, 3, ids, &n));
    assert_int_equal(n, 0);
    json_decref(b);
    b = json_loads("{\"photos\": [3, 1, 2]}", 0, NULL);
    assert_null(photo_parse_ids(a, b, 3, ids, &n));
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[2], 2);
    json_decref(b);
    b = json_loads("{\"photos\": [1, 2, 3, 4]}", 0, NULL);
    err = photo_parse_ids(a, b, 3, ids, &n);
    assert_string_equal(err->code, "too_many_photos");
    assert_string_equal(err->field, "photos");
    assert_non_null(strstr(err->message, "3"));
    json_decref(b);
    b = json_loads("{\"photos\": [5, 5]}", 0, NULL);
    err = photo_parse_ids(a, b, 3, ids, &n);
    assert_string_equal(err->code, "duplicate_photo");
    assert_string_equal(err->field, "photos[1]");
    json_decref(b);
    b = json_loads("{\"photos\": [0]}", 0, NULL);
    err = photo_parse_ids(a, b, 3, ids, &n);
    assert_string_equal(err->code, "invalid_type");
    assert_string_equal(err->field, "photos[0]");
    json_decref(b);
    b = json_loads("{\"photos\": \"1,2\"}", 0, NULL);
    err = photo_parse_ids(a, b, 3, ids, &n);
    assert_string_equal(err->field, "photos");
    json_decref(b);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photo_save_checks_size_then_type),
        cmocka_unit_test(test_photo_save_sealed),
        cmocka_unit_test(test_photo_parse_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
