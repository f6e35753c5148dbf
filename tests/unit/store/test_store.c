/*
 * Read snapshots kept across requests (store.h): a kept snapshot is reused
 * only while nothing commits, a commit by another connection or another
 * process is seen by the next read, an idle connection's stale snapshot is
 * released so checkpoints can finish, and a handler's write inside a read
 * follows its outcome.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"

static const char SQL_READ[] = "SELECT v FROM t WHERE id = 1";
static const char SQL_WRITE[] = "UPDATE t SET v = ?1 WHERE id = 1";
static const char SQL_COUNT[] = "SELECT count(*) FROM t";
static const char SQL_INSERT[] = "INSERT INTO t (v) VALUES (?1)";
static const char SQL_CHECKPOINT[] = "PRAGMA wal_checkpoint(PASSIVE)";

typedef struct Fixture {
    char dir[64];
    char path[96];
    Store *a;
    Store *b;
    Arena *arena;
} Fixture;

static int64_t query_int(Store *st, Arena *a, const char *sql)
{
    StoreStmt *s = store_prepare(st, a, sql);
    int64_t v;

    assert_int_equal(store_step(s), STORE_ROW);
    v = store_column_int64(s, 0);
    store_reset(s);
    return v;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(Fixture));
    const char *errmsg = NULL;

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/linli-test-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    f->arena = arena_new(4096);
    f->a = store_open(f->path, &errmsg);
    assert_non_null(f->a);
    assert_null(store_exec(f->a, f->arena,
                           "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);"
                           " INSERT INTO t (v) VALUES (1);"));
    f->b = store_open(f->path, &errmsg);
    assert_non_null(f->b);
    /* a connection's first read maps the WAL-index header and is not kept */
    for (int i = 0; i < 2; i++) {
        Store *st = i ? f->b : f->a;

        assert_null(store_begin_read(st, f->arena));
        assert_int_equal(query_int(st, f->arena, SQL_READ), 1);
        store_read_keep(st, f->arena, true);
        assert_false(store_in_tx(st));
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char cmd[128];

    arena_free(f->arena); /* first: its cleanups hand statements back to the stores */
    store_close(f->a);
    store_close(f->b);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void write_v(Store *st, Arena *a, int64_t v)
{
    StoreStmt *s = store_prepare(st, a, SQL_WRITE);

    store_bind_int64(s, 1, v);
    assert_int_equal(store_step(s), STORE_DONE);
    store_reset(s);
}

/* One "request" on @st: a read in its snapshot, then the snapshot kept. */
static int64_t read_request(Store *st, Arena *a)
{
    int64_t v;

    store_enter(st);
    assert_null(store_begin_read(st, a));
    v = query_int(st, a, SQL_READ);
    store_read_keep(st, a, true);
    store_leave(st);
    return v;
}

static void test_kept_while_nothing_commits(void **state)
{
    Fixture *f = *state;

    assert_int_equal(read_request(f->a, f->arena), 1);
    assert_true(store_in_tx(f->a)); /* kept */
    assert_int_equal(read_request(f->a, f->arena), 1);
    assert_true(store_in_tx(f->a));
    assert_false(store_release_changed(f->a)); /* nothing committed: still good */
    assert_true(store_in_tx(f->a));
}

static void test_commit_by_another_connection_is_seen(void **state)
{
    Fixture *f = *state;

    assert_int_equal(read_request(f->a, f->arena), 1);
    for (int64_t v = 2; v < 50; v++) {
        write_v(f->b, f->arena, v);
        assert_int_equal(read_request(f->a, f->arena), v);
        assert_int_equal(read_request(f->a, f->arena), v);
    }
}

static void test_commit_by_another_process_is_seen(void **state)
{
    Fixture *f = *state;
    pid_t pid;
    int status = 0;

    assert_int_equal(read_request(f->a, f->arena), 1);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *errmsg = NULL;
        Arena *a = arena_new(1024);
        Store *c = store_open(f->path, &errmsg);
        StoreStmt *s;

        if (!c)
            _exit(2);
        s = store_prepare(c, a, SQL_WRITE);
        store_bind_int64(s, 1, 77);
        if (store_step(s) != STORE_DONE)
            _exit(3);
        store_reset(s);
        store_close(c);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(read_request(f->a, f->arena), 77);
}

static void test_stale_snapshot_released_for_checkpoint(void **state)
{
    Fixture *f = *state;
    StoreStmt *s;
    int64_t log_frames, done_frames;

    assert_int_equal(read_request(f->a, f->arena), 1);
    assert_null(store_begin(f->b, f->arena));
    for (int i = 0; i < 500; i++) {
        s = store_prepare(f->b, f->arena, SQL_INSERT);
        store_bind_int64(s, 1, i);
        assert_int_equal(store_step(s), STORE_DONE);
        store_reset(s);
    }
    assert_null(store_commit(f->b, f->arena));

    /* a's old snapshot holds the checkpoint back */
    s = store_prepare(f->b, f->arena, SQL_CHECKPOINT);
    assert_int_equal(store_step(s), STORE_ROW);
    log_frames = store_column_int64(s, 1);
    done_frames = store_column_int64(s, 2);
    store_reset(s);
    assert_true(log_frames > 0);
    assert_true(done_frames < log_frames);

    assert_true(store_release_changed(f->a));
    assert_false(store_in_tx(f->a));
    s = store_prepare(f->b, f->arena, SQL_CHECKPOINT);
    assert_int_equal(store_step(s), STORE_ROW);
    assert_int_equal(store_column_int64(s, 2), store_column_int64(s, 1));
    store_reset(s);
    assert_int_equal(query_int(f->a, f->arena, SQL_COUNT), 501);
}

static void test_in_use_connection_not_released(void **state)
{
    Fixture *f = *state;

    assert_int_equal(read_request(f->a, f->arena), 1);
    write_v(f->b, f->arena, 5);
    store_enter(f->a);
    assert_false(store_release_changed(f->a)); /* its owner holds it */
    store_leave(f->a);
    assert_true(store_release_changed(f->a));
}

static void test_write_inside_read_follows_outcome(void **state)
{
    Fixture *f = *state;

    assert_null(store_begin_read(f->a, f->arena));
    write_v(f->a, f->arena, 9);
    store_read_keep(f->a, f->arena, false); /* the handler failed */
    assert_false(store_in_tx(f->a));
    assert_int_equal(query_int(f->b, f->arena, SQL_READ), 1);

    assert_null(store_begin_read(f->a, f->arena));
    write_v(f->a, f->arena, 10);
    store_read_keep(f->a, f->arena, true);
    assert_false(store_in_tx(f->a));
    assert_int_equal(query_int(f->b, f->arena, SQL_READ), 10);
}

static void test_write_after_kept_read(void **state)
{
    Fixture *f = *state;

    assert_int_equal(read_request(f->a, f->arena), 1);
    assert_null(store_begin(f->a, f->arena)); /* ends the kept snapshot first */
    write_v(f->a, f->arena, 3);
    assert_null(store_commit(f->a, f->arena));
    assert_int_equal(read_request(f->b, f->arena), 3);
    assert_int_equal(read_request(f->a, f->arena), 3);
}

static const char SQL_U_CREATE[] =
    "CREATE TABLE u (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0), ref INTEGER,"
    " name TEXT UNIQUE)";
static const char SQL_U_INSERT[] = "INSERT INTO u (n, ref, name) VALUES (?1, ?2, ?3) RETURNING id";
static const char SQL_U_ADD[] = "UPDATE u SET n = n + ?1 WHERE id = ?2";
static const char SQL_U_NULLS[] = "SELECT count(*) FROM u WHERE ref IS NULL AND name IS NULL";

/* store_bind_list's types, store_run's changes and 409, store_insert's id. */
static void test_bind_run_insert(void **state)
{
    Fixture *f = *state;
    int64_t id1 = 0, id2 = 0, n = -1;
    Error *err;

    assert_null(store_exec(f->a, f->arena, SQL_U_CREATE));
    assert_null(store_insert(f->a, f->arena, SQL_U_INSERT, NULL, NULL, NULL, &id1, "iIt",
                             (int64_t)5, (int64_t)7, "a"));
    assert_null(store_insert(f->a, f->arena, SQL_U_INSERT, NULL, NULL, NULL, &id2, "iIt",
                             (int64_t)1, (int64_t)0, (const char *)NULL)); /* 'I' 0 and 't' NULL bind NULL */
    assert_true(id2 > id1);
    assert_int_equal(query_int(f->a, f->arena, SQL_U_NULLS), 1);
    err = store_insert(f->a, f->arena, SQL_U_INSERT, "name", "taken", "名称已被占用", &id2, "iIt",
                       (int64_t)1, (int64_t)0, "a");
    assert_non_null(err);
    assert_int_equal(err->status, 409);
    assert_string_equal(err->code, "taken");
    assert_string_equal(err->field, "name");
    assert_null(store_run(f->a, f->arena, SQL_U_ADD, NULL, NULL, NULL, &n, "ii", (int64_t)3, id1));
    assert_int_equal(n, 1);
    assert_null(store_run(f->a, f->arena, SQL_U_ADD, NULL, NULL, NULL, &n, "ii", (int64_t)3,
                          (int64_t)999));
    assert_int_equal(n, 0);
    err = store_run(f->a, f->arena, SQL_U_ADD, "n", "negative", "不能为负", NULL, "ii",
                    (int64_t)-100, id1); /* the CHECK fires: a 409 named as asked */
    assert_non_null(err);
    assert_int_equal(err->status, 409);
    assert_string_equal(err->code, "negative");
    err = store_run(f->a, f->arena, SQL_U_ADD, NULL, NULL, NULL, NULL, "ii", (int64_t)-100, id1);
    assert_non_null(err); /* without a conflict code: an internal error */
    assert_int_equal(err->status, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kept_while_nothing_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_by_another_connection_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_by_another_process_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_snapshot_released_for_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_use_connection_not_released, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_inside_read_follows_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_after_kept_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_run_insert, setup, teardown),
    };

    store_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
