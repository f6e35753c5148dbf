/*
 * Optional generation: an OpenAI-compatible chat endpoint (llama.cpp's
 * server, vLLM, a hosted one) rephrases the retrieved answer for the
 * resident's question, strictly from the entry it was given. Off unless a
 * URL is configured. Anything short of a well-formed, non-empty reply in
 * time (connection refused, timeout, a status other than 200, JSON that is
 * not a chat completion) leaves the retrieved answer as it is: the caller
 * answers as if generation were off.
 *
 * libcurl: one easy handle per call, no signals (threads), the whole call
 * bounded by the configured timeout, the reply bounded in size.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/assistant.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/validate.h"
#include "core/banned.h"

#define REPLY_MAX (256 * 1024)    /* bytes of HTTP body read, at most */
#define ANSWER_MAX_CHARS 2000     /* a generated answer longer than this is not used */
#define MAX_TOKENS 600

static const char SYSTEM_PROMPT[] =
    "你是社区的“万象生活助手”，替社区工作人员回答居民的问题。"
    "只能依据下面“资料”中的内容回答：不得添加资料里没有的事实、数字、电话、地址、日期、材料或办理条件，"
    "不得猜测，不得提供资料以外的建议。"
    "资料不足以回答的部分，就说请咨询社区工作人员。"
    "用简洁、亲切的中文直接回答，不要提及“资料”二字，不要使用 Markdown。";

static char url[600];
static char model[128];
static char auth_header[600];
static long timeout_ms;
static bool enabled;

void assistant_generate_configure(const Config *cfg)
{
    size_t n;

    enabled = false;
    if (!cfg || cfg->llm_url[0] == '\0')
        return;
    n = strlen(cfg->llm_url);
    while (n > 0 && cfg->llm_url[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s/chat/completions", (int)n, cfg->llm_url);
    snprintf(model, sizeof(model), "%s", cfg->llm_model);
    auth_header[0] = '\0';
    if (cfg->llm_api_key[0])
        snprintf(auth_header, sizeof(auth_header), "Authorization: Bearer %s", cfg->llm_api_key);
    timeout_ms = cfg->llm_timeout_ms > 0 ? cfg->llm_timeout_ms : 5000;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    enabled = true;
    log_info("assistant generation on", "url", url, "model", model, NULL);
}

void assistant_generate_shutdown(void)
{
    if (enabled)
        curl_global_cleanup();
    enabled = false;
}

bool assistant_generate_enabled(void)
{
    return enabled;
}

typedef struct Reply {
    StrBuf body;
    bool too_big;
} Reply;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    Reply *r = userdata;
    size_t n = size * nmemb;

    strbuf_add(&r->body, ptr, n);
    if (r->body.overflow) {
        r->too_big = true;
        return 0; /* aborts the transfer */
    }
    return n;
}

/* The user message: the entry, then the question. */
static char *user_message(Arena *a, const char *question, const AssistantHit *hit)
{
    return arena_sprintf(a,
                         "资料（条目 %s，栏目：%s）\n问：%s\n答：%s\n\n居民的问题：%s",
                         hit->id, hit->section ? hit->section : "", hit->question, hit->answer,
                         question);
}

/* The reply's choices[0].message.content, trimmed; NULL when malformed or empty. */
static const char *reply_text(Arena *a, const char *body, size_t len, const char **ret_why)
{
    json_t *root = json_loadb(body, len, 0, NULL);
    json_t *choice, *content;
    const char *s, *text = NULL;
    size_t n;

    if (!root) {
        *ret_why = "reply is not JSON";
        return NULL;
    }
    choice = json_array_get(json_object_get(root, "choices"), 0);
    content = json_object_get(json_object_get(choice, "message"), "content");
    if (!json_is_string(content)) {
        *ret_why = "reply has no choices[0].message.content";
        goto out;
    }
    s = json_string_value(content);
    n = json_string_length(content);
    if (strlen(s) != n) {
        *ret_why = "reply content holds NUL";
        goto out;
    }
    while (n > 0 && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    if (n == 0) {
        *ret_why = "reply content is empty";
        goto out;
    }
    text = arena_strndup(a, s, n);
    if (utf8_length(text) > ANSWER_MAX_CHARS) {
        *ret_why = "reply content is too long";
        text = NULL;
    }
out:
    json_decref(root);
    return text;
}

const char *assistant_generate(Arena *a, const char *question, const AssistantHit *hit)
{
    const char *why = NULL, *text = NULL;
    struct curl_slist *headers = NULL;
    Reply reply = { 0 };
    char errbuf[CURL_ERROR_SIZE] = "";
    json_t *req;
    char *payload;
    long status = 0;
    CURLcode rc;
    CURL *c;

    if (!enabled || !hit || !hit->answer)
        return NULL;
    req = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:i, s:i, s:b}",
                    "model", model,
                    "messages",
                    "role", "system", "content", SYSTEM_PROMPT,
                    "role", "user", "content", user_message(a, question, hit),
                    "temperature", 0,
                    "max_tokens", MAX_TOKENS,
                    "stream", 0);
    if (!req)
        return NULL;
    payload = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    c = curl_easy_init();
    if (!payload || !c) {
        why = "out of memory";
        goto out;
    }
    strbuf_init(&reply.body, a, REPLY_MAX);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    if (auth_header[0])
        headers = curl_slist_append(headers, auth_header);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "linli-assistant");
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        why = reply.too_big ? "reply too big" : arena_sprintf(a, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        why = arena_sprintf(a, "status %ld", status);
        goto out;
    }
    text = reply_text(a, reply.body.buf ? reply.body.buf : "", reply.body.len, &why);
out:
    if (!text)
        log_warn("assistant generation failed: the retrieved answer is used", "entry", hit->id,
                 "reason", why ? why : "unknown", NULL);
    curl_slist_free_all(headers);
    if (c)
        curl_easy_cleanup(c);
    free(payload);
    return text;
}
