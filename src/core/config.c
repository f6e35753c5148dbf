#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/banned.h"


void config_defaults(Config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->db_path, sizeof(c->db_path), "var/linli.db");
    snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
    c->listen_port = 8080;
    c->threads = 2;
    c->session_ttl_ms = 12LL * 3600 * 1000;
    c->login_max_failures = 5;
    c->login_window_ms = 15LL * 60 * 1000;
    c->search_max_misses = 30;
    c->max_connections_per_ip = 64;
    c->max_connections = 4000;
    c->header_timeout_s = 10;
    c->llm_timeout_ms = 5000;
    c->cases_sweep_ms = 60LL * 1000;
    c->sms_code_ttl_ms = 5LL * 60 * 1000;
    c->sms_resend_ms = 60LL * 1000;
    c->sms_daily_max = 10;
    c->sms_code_attempts = 5;
    c->sms_ip_hourly_max = 30;
}

static bool parse_long(const char *s, long min, long max, long *ret)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *ret = v;
    return true;
}

/* empty (off), or an http:// or https:// URL */
static bool is_http_url(const char *s)
{
    return *s == '\0' || strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static bool copy_string(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (n >= cap)
        return false;
    memcpy(dst, s, n + 1);
    return true;
}

bool config_parse_listen(Config *c, const char *hostport)
{
    const char *colon = strrchr(hostport, ':');
    long port;
    size_t hl;

    if (!colon || colon == hostport)
        return false;
    hl = (size_t)(colon - hostport);
    if (hl >= sizeof(c->listen_host) || !parse_long(colon + 1, 1, 65535, &port))
        return false;
    memcpy(c->listen_host, hostport, hl);
    c->listen_host[hl] = '\0';
    c->listen_port = (int)port;
    return true;
}

bool config_set(Config *c, const char *key, const char *value)
{
    long v;

    if (strcmp(key, "db") == 0)
        return copy_string(c->db_path, sizeof(c->db_path), value);
    if (strcmp(key, "key_file") == 0)
        return copy_string(c->key_path, sizeof(c->key_path), value);
    if (strcmp(key, "web") == 0)
        return copy_string(c->web_dir, sizeof(c->web_dir), value);
    if (strcmp(key, "listen") == 0)
        return config_parse_listen(c, value);
    if (strcmp(key, "threads") == 0) {
        if (!parse_long(value, 1, 64, &v))
            return false;
        c->threads = (int)v;
        return true;
    }
    if (strcmp(key, "session_ttl_minutes") == 0) {
        if (!parse_long(value, 1, 60L * 24 * 30, &v))
            return false;
        c->session_ttl_ms = v * 60 * 1000;
        return true;
    }
    if (strcmp(key, "login_max_failures") == 0) {
        if (!parse_long(value, 1, 1000, &v))
            return false;
        c->login_max_failures = (int)v;
        return true;
    }
    if (strcmp(key, "login_window_minutes") == 0) {
        if (!parse_long(value, 1, 24 * 60, &v))
            return false;
        c->login_window_ms = v * 60 * 1000;
        return true;
    }
    if (strcmp(key, "trusted_proxies") == 0)
        return netaddr_parse_list(value, c->trusted_proxies, NETADDR_MAX_PREFIXES,
                                  &c->n_trusted_proxies);
    if (strcmp(key, "search_max_misses") == 0) {
        if (!parse_long(value, 1, 100000, &v))
            return false;
        c->search_max_misses = (int)v;
        return true;
    }
    if (strcmp(key, "max_connections_per_ip") == 0) {
        if (!parse_long(value, 1, 100000, &v))
            return false;
        c->max_connections_per_ip = (int)v;
        return true;
    }
    if (strcmp(key, "max_connections") == 0) {
        if (!parse_long(value, 16, 1000000, &v))
            return false;
        c->max_connections = (int)v;
        return true;
    }
    if (strcmp(key, "header_timeout_seconds") == 0) {
        if (!parse_long(value, 1, 3600, &v))
            return false;
        c->header_timeout_s = (int)v;
        return true;
    }
    if (strcmp(key, "metrics_public") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return false;
        c->metrics_public = strcmp(value, "true") == 0;
        return true;
    }
    if (strcmp(key, "llm_url") == 0)
        return is_http_url(value) && copy_string(c->llm_url, sizeof(c->llm_url), value);
    if (strcmp(key, "llm_model") == 0)
        return copy_string(c->llm_model, sizeof(c->llm_model), value);
    if (strcmp(key, "llm_api_key") == 0)
        return copy_string(c->llm_api_key, sizeof(c->llm_api_key), value);
    if (strcmp(key, "llm_timeout_ms") == 0) {
        if (!parse_long(value, 10, 120000, &v))
            return false;
        c->llm_timeout_ms = (int)v;
        return true;
    }
    if (strcmp(key, "cases_sweep_ms") == 0) {
        if (!parse_long(value, 100, 3600L * 1000, &v))
            return false;
        c->cases_sweep_ms = v;
        return true;
    }
    if (strcmp(key, "lock_webhook") == 0)
        return is_http_url(value) && copy_string(c->lock_webhook, sizeof(c->lock_webhook), value);
    if (strcmp(key, "sms_webhook_url") == 0)
        return is_http_url(value) &&
               copy_string(c->sms_webhook_url, sizeof(c->sms_webhook_url), value);
    if (strcmp(key, "sms_webhook_secret") == 0)
        return !strpbrk(value, "\r\n") &&
               copy_string(c->sms_webhook_secret, sizeof(c->sms_webhook_secret), value);
    if (strcmp(key, "sms_dev_log") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return false;
        c->sms_dev_log = strcmp(value, "true") == 0;
        return true;
    }
    if (strcmp(key, "sms_code_ttl_seconds") == 0) {
        if (!parse_long(value, 1, 3600, &v))
            return false;
        c->sms_code_ttl_ms = v * 1000;
        return true;
    }
    if (strcmp(key, "sms_resend_seconds") == 0) {
        if (!parse_long(value, 1, 3600, &v))
            return false;
        c->sms_resend_ms = v * 1000;
        return true;
    }
    if (strcmp(key, "sms_daily_max") == 0) {
        if (!parse_long(value, 1, 1000, &v))
            return false;
        c->sms_daily_max = (int)v;
        return true;
    }
    if (strcmp(key, "sms_code_attempts") == 0) {
        if (!parse_long(value, 1, 100, &v))
            return false;
        c->sms_code_attempts = (int)v;
        return true;
    }
    if (strcmp(key, "sms_ip_hourly_max") == 0) {
        if (!parse_long(value, 1, 100000, &v))
            return false;
        c->sms_ip_hourly_max = (int)v;
        return true;
    }
    if (strcmp(key, "cookie_secure") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return false;
        c->cookie_secure = strcmp(value, "true") == 0;
        return true;
    }
    return false;
}

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

bool config_load_file(Config *c, const char *path, char *errbuf, size_t errcap)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int lineno = 0;
    bool ok = true;

    if (!f) {
        snprintf(errbuf, errcap, "cannot open config '%s'", path);
        return false;
    }
    while (fgets(line, sizeof(line), f)) {
        char *s, *eq;

        lineno++;
        s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (!eq) {
            snprintf(errbuf, errcap, "%s:%d: expected 'key = value'", path, lineno);
            ok = false;
            goto out;
        }
        *eq = '\0';
        if (!config_set(c, trim(s), trim(eq + 1))) {
            snprintf(errbuf, errcap, "%s:%d: unknown key or bad value for '%s'", path, lineno, trim(s));
            ok = false;
            goto out;
        }
    }
out:
    fclose(f);
    return ok;
}

bool config_load_env(Config *c, char *errbuf, size_t errcap)
{
    static const char *const vars[][2] = {
        { "LINLI_LLM_URL", "llm_url" },
        { "LINLI_LLM_MODEL", "llm_model" },
        { "LINLI_LLM_API_KEY", "llm_api_key" },
        { "LINLI_LLM_TIMEOUT_MS", "llm_timeout_ms" },
    };

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i][0]);

        if (v && !config_set(c, vars[i][1], v)) {
            snprintf(errbuf, errcap, "bad value in %s", vars[i][0]);
            return false;
        }
    }
    return true;
}

/* A libpq URI, as store_is_postgresql() tells (core cannot include store). */
static bool db_is_postgresql(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

void config_finish(Config *c)
{
    const char *env = getenv("LINLI_KEY");
    size_t n;

    if (c->key_path[0] == '\0' && env && env[0])
        snprintf(c->key_path, sizeof(c->key_path), "%s", env);
    if (!db_is_postgresql(c->db_path)) {
        if (c->key_path[0] == '\0')
            snprintf(c->key_path, sizeof(c->key_path), "%.500s.key", c->db_path);
        snprintf(c->files_base, sizeof(c->files_base), "%s", c->db_path);
        return;
    }
    snprintf(c->files_base, sizeof(c->files_base), "%s", c->key_path);
    n = strlen(c->files_base);
    if (n > 4 && strcmp(c->files_base + n - 4, ".key") == 0)
        c->files_base[n - 4] = '\0';
}
