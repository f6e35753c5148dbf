/*
 * The smart-lock hook: when a resident checks in, the room's lock is told
 * which code opens it and for how long, by a JSON POST to a webhook (the
 * room's lock_webhook, else the configured global one).
 *
 * The request that checked her in never waits for the lock: the POST runs
 * on a detached thread of its own with libcurl, with a 5-second timeout,
 * and is retried twice (after 1 and 3 seconds) when it fails or the lock
 * answers anything but 2xx. Each attempt's outcome is one log line with the
 * request id and the booking id, never the code. A lock that missed every
 * attempt can still ask: POST /api/v1/door/{token}/verify.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "booking/booking.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define LOCK_ATTEMPTS 3
#define LOCK_TIMEOUT_MS 5000L

typedef struct LockJob {
    char *url;
    char *body;
    char rid[17];
    char booking[24];
} LockJob;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard(char *p, size_t size, size_t n, void *user)
{
    (void)p;
    (void)user;
    return size * n;
}

/* One POST; the HTTP status, or 0 with @err filled when it did not get one. */
static long post_once(const LockJob *job, char err[CURL_ERROR_SIZE])
{
    struct curl_slist *headers = NULL;
    long status = 0;
    CURL *c = curl_easy_init();
    CURLcode rc;

    err[0] = '\0';
    if (!c) {
        snprintf(err, CURL_ERROR_SIZE, "curl_easy_init failed");
        return 0;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, job->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, job->body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, LOCK_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "linli-lock/1.0");
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else if (!err[0])
        snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return status;
}

static void *lock_thread(void *arg)
{
    static const unsigned backoff_s[LOCK_ATTEMPTS] = { 0, 1, 3 };
    LockJob *job = arg;
    char err[CURL_ERROR_SIZE], status_text[16], attempt_text[4];

    for (int i = 0; i < LOCK_ATTEMPTS; i++) {
        long status;

        if (backoff_s[i])
            sleep(backoff_s[i]);
        status = post_once(job, err);
        snprintf(status_text, sizeof(status_text), "%ld", status);
        snprintf(attempt_text, sizeof(attempt_text), "%d", i + 1);
        if (status >= 200 && status < 300) {
            log_info("lock webhook delivered", "rid", job->rid, "booking", job->booking,
                     "status", status_text, "attempt", attempt_text, NULL);
            goto out;
        }
        log_warn(i + 1 < LOCK_ATTEMPTS ? "lock webhook failed, will retry" : "lock webhook failed",
                 "rid", job->rid, "booking", job->booking, "status", status_text, "attempt",
                 attempt_text, "error", err[0] ? err : "status not 2xx", NULL);
    }
out:
    free(job->url);
    free(job->body);
    free(job);
    return NULL;
}

const char *booking_lock_url(const Request *req, const Room *room)
{
    if (room->lock_webhook && *room->lock_webhook)
        return room->lock_webhook;
    if (req->app && req->app->cfg && req->app->cfg->lock_webhook[0])
        return req->app->cfg->lock_webhook;
    return NULL;
}

void booking_lock_notify(Arena *a, const char *url, const Room *room, const Booking *b,
                         const char *request_id)
{
    int off = room->rules.utc_offset_minutes;
    pthread_attr_t attr;
    pthread_t thread;
    LockJob *job;
    json_t *body;

    if (!url || !b->access_code)
        return;
    pthread_once(&curl_once, curl_start);
    body = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "room", (json_int_t)room->id, "room_name",
                     room->name, "booking_id", (json_int_t)b->id, "code", b->access_code,
                     "valid_from", time_format_rfc3339_at(a, b->checked_in_at, off),
                     "valid_to", time_format_rfc3339_at(a, b->end_ms, off));
    job = calloc(1, sizeof(*job));
    if (!job || !body) {
        free(job);
        json_decref(body);
        log_error("lock webhook not sent: out of memory", "rid", request_id, NULL);
        return;
    }
    job->url = strdup(url);
    job->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    snprintf(job->rid, sizeof(job->rid), "%s", request_id ? request_id : "");
    snprintf(job->booking, sizeof(job->booking), "%lld", (long long)b->id);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (!job->url || !job->body || pthread_create(&thread, &attr, lock_thread, job) != 0) {
        log_error("lock webhook not sent: cannot start thread", "rid", job->rid, "booking",
                  job->booking, NULL);
        free(job->url);
        free(job->body);
        free(job);
    }
    pthread_attr_destroy(&attr);
}
