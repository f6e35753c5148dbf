#pragma once
/*
 * Config: settings from a "key = value" file (# comments), overridable by
 * command-line flags. Unknown keys are an error, so a typo is not silently
 * ignored.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/netaddr.h"

typedef struct Config {
    char db_path[512];
    char key_path[512];      /* master key; default: beside the database, "<db>.key" */
    /*
     * Where the server's own files go: "<files_base>.files/" (case photos).
     * The database file; on PostgreSQL, where there is no file, the key
     * file without its ".key" (so --key /srv/city.key keeps /srv/city.files).
     */
    char files_base[512];
    char listen_host[64];
    int listen_port;
    char web_dir[512];       /* built pages; empty: API only */
    int threads;             /* server worker threads */
    int64_t session_ttl_ms;
    int login_max_failures;  /* per (username, address) before the back-off starts */
    int64_t login_window_ms; /* the longest back-off; failures older than this are forgotten */
    /* reverse proxies whose X-Forwarded-For is believed (none by default) */
    NetPrefix trusted_proxies[NETADDR_MAX_PREFIXES];
    int n_trusted_proxies;
    int search_max_misses;   /* whole phone/ID searches that find nobody, per user and hour */
    bool metrics_public;     /* /metrics without a login (default: an admin's login) */
    int max_connections_per_ip;  /* open connections from one address */
    int max_connections;         /* open connections in all */
    int header_timeout_s;        /* a request's headers must arrive within this */
    bool cookie_secure;      /* set Secure on the session cookie (behind HTTPS) */
    /* the assistant's optional answer generation (OpenAI-compatible chat); off when url is empty */
    char llm_url[512];       /* base URL, e.g. http://127.0.0.1:8000/v1 */
    char llm_model[128];
    char llm_api_key[512];   /* sent as "Authorization: Bearer KEY"; empty: none */
    int llm_timeout_ms;      /* the whole call, connection included */
    char lock_webhook[512];  /* smart locks hear about access codes here; empty: none */
    int64_t cases_sweep_ms;  /* `linli serve` sweeps overdue cases and orphan photos this often */
    /* registration by phone: the SMS gateway, an HTTP webhook POSTed {"phone","text"} */
    char sms_webhook_url[512];    /* empty: no gateway (codes cannot be sent) */
    char sms_webhook_secret[256]; /* sent as "X-Linli-Secret: ..."; empty: none */
    bool sms_dev_log;             /* no gateway: log the code to stderr (demo only) */
    int64_t sms_code_ttl_ms;      /* a code expires after this */
    int64_t sms_resend_ms;        /* a phone's next code no sooner than this */
    int sms_daily_max;            /* codes per phone and (Beijing) day */
    int sms_code_attempts;        /* wrong tries before a code is void */
    int sms_ip_hourly_max;        /* codes requested per client address and hour */
} Config;

void config_defaults(Config *c);

/*
 * Reads @path into @c. On failure returns false and writes a message (with
 * the line number) into @errbuf.
 */
bool config_load_file(Config *c, const char *path, char *errbuf, size_t errcap);

/* Sets one key from text; false if the key is unknown or the value invalid. */
bool config_set(Config *c, const char *key, const char *value);

/*
 * Applies the environment's LINLI_LLM_URL, LINLI_LLM_MODEL, LINLI_LLM_API_KEY
 * and LINLI_LLM_TIMEOUT_MS (over the config file). On a bad value returns
 * false with a message in @errbuf.
 */
bool config_load_env(Config *c, char *errbuf, size_t errcap);

/* "127.0.0.1:8080" -> host and port; false if malformed. */
bool config_parse_listen(Config *c, const char *hostport);

/*
 * Fills key_path, if empty, from the environment's LINLI_KEY, else from
 * db_path ("<db>.key"; not for a PostgreSQL URL, whose key is a file the
 * caller must name), and files_base.
 */
void config_finish(Config *c);
