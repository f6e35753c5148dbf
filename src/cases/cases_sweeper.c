/*
 * The cases sweeps outside requests. Every cases request sweeps first
 * (cases_sweep in cases_routes.c), but a case must turn overdue and escalate
 * on time when nobody opens the cases pages too: `linli serve` runs a thread
 * that sweeps at once and then every cases_sweep_ms (a minute by default),
 * on a connection of its own. It shares nothing with the request threads
 * but the database: the overdue sweep is one BEGIN IMMEDIATE transaction
 * whose UPDATE escalates only cases not yet escalated, and the photo purge
 * deletes with DELETE ... RETURNING, so a request, this thread and another
 * process (a CLI import) sweeping at once each do a part, never twice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "cases/cases.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/banned.h"

Error *cases_sweep_overdue(Store *st, Arena *a, int64_t now_ms, int64_t *ret_n)
{
    Error *err = store_begin(st, a);

    if (err)
        return err;
    err = cases_store_sweep(st, a, now_ms, ret_n);
    if (!err)
        err = store_commit(st, a);
    if (err)
        store_rollback(st);
    return err;
}

Error *cases_sweep_background(Store *st, Arena *a, const char *files_base, int64_t now_ms)
{
    int64_t n = 0;
    size_t purged = CASES_PHOTO_PURGE_BATCH;
    bool due = false;
    Error *err;

    err = cases_store_sweep_due(st, a, now_ms, &due);
    if (!err && due)
        err = cases_sweep_overdue(st, a, now_ms, &n);
    if (err)
        return err;
    if (n > 0)
        log_info("cases overdue sweep", "cases", arena_sprintf(a, "%lld", (long long)n), NULL);
    /* batch by batch until one comes back short (a purge found nothing to do) */
    while (purged == CASES_PHOTO_PURGE_BATCH) {
        err = cases_store_orphans_due(st, a, now_ms - CASES_PHOTO_ORPHAN_MS, &due);
        if (err || !due)
            return err;
        err = cases_photo_purge(st, a, files_base, now_ms, "", &purged);
        if (err)
            return err;
    }
    return NULL;
}

/* ---- the thread of `linli serve` ---- */

static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool started, stopping;
    const char *db_path;
    const char *files_base; /* the photos' directory is "<files_base>.files/cases" */
    int64_t interval_ms;
    CasesSweepHook hook; /* another module's sweep, or NULL */
    void *hook_ctx;
} sweeper = { .lock = PTHREAD_MUTEX_INITIALIZER };

void cases_serve_also(CasesSweepHook hook, void *ctx)
{
    sweeper.hook = hook;
    sweeper.hook_ctx = ctx;
}

static void *sweeper_main(void *unused)
{
    const char *errmsg = NULL;
    Store *st = store_open(sweeper.db_path, &errmsg);
    Arena *a = arena_new(16384);
    struct timespec at;

    (void)unused;
    if (!st)
        log_error("cannot open database for the cases sweep", "db", sweeper.db_path, "error",
                  errmsg, NULL);
    pthread_mutex_lock(&sweeper.lock);
    while (st && !sweeper.stopping) {
        Error *err;

        pthread_mutex_unlock(&sweeper.lock);
        err = cases_sweep_background(st, a, sweeper.files_base, time_now_ms());
        if (err)
            log_warn("cases sweep failed; retried at the next tick", "error",
                     err->detail ? err->detail : err->message, NULL);
        arena_reset(a);
        if (sweeper.hook) {
            err = sweeper.hook(st, a, time_now_ms(), sweeper.hook_ctx);
            if (err)
                log_warn("sweep failed; retried at the next tick", "error",
                         err->detail ? err->detail : err->message, NULL);
            arena_reset(a);
        }
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_sec += (time_t)(sweeper.interval_ms / 1000);
        at.tv_nsec += (long)(sweeper.interval_ms % 1000) * 1000000L;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&sweeper.lock);
        while (!sweeper.stopping &&
               pthread_cond_timedwait(&sweeper.wake, &sweeper.lock, &at) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&sweeper.lock);
    arena_free(a);
    if (st)
        store_close(st);
    return NULL;
}

void cases_serve_start(const char *db_path, const char *files_base, int64_t interval_ms)
{
    pthread_condattr_t ca;

    sweeper.db_path = db_path;
    sweeper.files_base = files_base;
    sweeper.interval_ms = interval_ms > 0 ? interval_ms : 60000;
    sweeper.stopping = false;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sweeper.wake, &ca);
    pthread_condattr_destroy(&ca);
    sweeper.started = pthread_create(&sweeper.thread, NULL, sweeper_main, NULL) == 0;
    if (!sweeper.started) {
        pthread_cond_destroy(&sweeper.wake);
        log_warn("cannot start the cases sweep thread; cases requests still sweep", NULL);
    }
}

void cases_serve_stop(void)
{
    if (!sweeper.started)
        return;
    pthread_mutex_lock(&sweeper.lock);
    sweeper.stopping = true;
    pthread_cond_signal(&sweeper.wake);
    pthread_mutex_unlock(&sweeper.lock);
    pthread_join(sweeper.thread, NULL);
    pthread_cond_destroy(&sweeper.wake);
    sweeper.started = false;
}
