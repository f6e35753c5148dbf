/*
 * The SMS gateway: an HTTP webhook (sms_webhook_url) that is POSTed
 * {"phone","text"} and answers 2xx once it has taken the message. The call
 * is made inline with a short timeout, so that the resident is told at once
 * when her code could not be sent (and her limits are given back). Without
 * a gateway, `sms_dev_log = true` (the demo) writes the text to the log;
 * nothing else ever logs a code.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "account/account_register.h"
#include "core/log.h"
#include "core/mask.h"
#include "core/banned.h"

#define SMS_TIMEOUT_MS 4000

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

Error *account_sms_send(Request *req, const char *phone, const char *text)
{
    const Config *cfg = req->app->cfg;
    struct curl_slist *headers = NULL;
    char errbuf[CURL_ERROR_SIZE], status_text[16];
    long status = 0;
    json_t *body;
    char *payload;
    CURL *c;
    CURLcode rc;

    if (!cfg->sms_webhook_url[0]) {
        if (cfg->sms_dev_log) {
            log_warn("sms not sent, no gateway (sms_dev_log)", "rid", req->id, "phone",
                     mask_phone(req->arena, phone), "text", text, NULL);
            return NULL;
        }
        return error_new(req->arena, 503, NULL, "sms_unavailable",
                         "短信服务暂未开通，请联系居委会开通账号");
    }
    pthread_once(&curl_once, curl_start);
    body = json_pack("{s:s, s:s}", "phone", phone, "text", text);
    payload = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    c = curl_easy_init();
    if (!c || !payload) {
        free(payload);
        if (c)
            curl_easy_cleanup(c);
        return error_internal(req->arena, "cannot start the sms request");
    }
    errbuf[0] = '\0';
    headers = curl_slist_append(headers, "Content-Type: application/json");
    if (cfg->sms_webhook_secret[0])
        headers = curl_slist_append(headers, arena_sprintf(req->arena, "X-Linli-Secret: %s",
                                                           cfg->sms_webhook_secret));
    curl_easy_setopt(c, CURLOPT_URL, cfg->sms_webhook_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)SMS_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "linli-sms/1.0");
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else if (!errbuf[0])
        snprintf(errbuf, sizeof(errbuf), "%s", curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    free(payload);
    if (status >= 200 && status < 300)
        return NULL;
    snprintf(status_text, sizeof(status_text), "%ld", status);
    log_warn("sms webhook failed", "rid", req->id, "status", status_text, "error",
             errbuf[0] ? errbuf : "status not 2xx", NULL);
    return error_new(req->arena, 502, NULL, "sms_failed", "验证码短信发送失败，请稍后再试");
}
