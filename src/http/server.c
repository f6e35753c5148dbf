#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/netaddr.h"
#include "core/text.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "http/auth.h"
#include "http/connguard.h"
#include "http/cache.h"
#include "http/csrf.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/static.h"
#include "core/banned.h"

#define MAX_STORES 256

typedef struct Server {
    const Config *cfg;
    const Router *router;
    App app;
    uint32_t rid_prefix;
    atomic_uint_fast64_t rid_counter;
    pthread_mutex_t stores_lock;
    Store *stores[MAX_STORES];
    int n_stores;
    ConnGuard *guard; /* connections per address, and the request head's deadline */
} Server;

static _Thread_local Store *tl_store;

/*
 * Each worker keeps a few request arenas for reuse: a request then costs no
 * malloc for its first 16 KiB, and glibc does not consolidate its heap after
 * every response.
 */
#define ARENA_POOL 8
/* a refused body up to this size is read and dropped, so that the client,
 * still sending, gets the 413 instead of a reset connection */
#define SERVER_DRAIN_MAX (32ull * 1024 * 1024)
static _Thread_local Arena *tl_arenas[ARENA_POOL];
static _Thread_local int tl_n_arenas;

static pthread_key_t arena_pool_key;
static pthread_once_t arena_pool_once = PTHREAD_ONCE_INIT;

static void arena_pool_drain(void *unused)
{
    (void)unused;
    while (tl_n_arenas > 0)
        arena_free(tl_arenas[--tl_n_arenas]);
}

static void arena_pool_init(void)
{
    pthread_key_create(&arena_pool_key, arena_pool_drain);
}

static Arena *request_arena(void)
{
    if (tl_n_arenas > 0)
        return tl_arenas[--tl_n_arenas];
    /* the key's destructor frees the pool when the worker thread ends */
    pthread_once(&arena_pool_once, arena_pool_init);
    pthread_setspecific(arena_pool_key, (void *)1);
    return arena_new(16384);
}

static void request_arena_done(Arena *a)
{
    if (tl_n_arenas < ARENA_POOL) {
        arena_reset(a);
        tl_arenas[tl_n_arenas++] = a;
        return;
    }
    arena_free(a);
}

static Store *thread_store(Server *srv)
{
    const char *errmsg = NULL;

    if (tl_store)
        return tl_store;
    tl_store = store_open(srv->cfg->db_path, &errmsg);
    if (!tl_store) {
        Arena *la = arena_new(0);

        log_error("cannot open database for worker", "db",
                  store_path_for_log(la, srv->cfg->db_path), "error", errmsg, NULL);
        arena_free(la);
        return NULL;
    }
    pthread_mutex_lock(&srv->stores_lock);
    if (srv->n_stores < MAX_STORES)
        srv->stores[srv->n_stores++] = tl_store;
    pthread_mutex_unlock(&srv->stores_lock);
    return tl_store;
}

static void client_ip(Request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "";

    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;

        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, sizeof(buf));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, sizeof(buf));
    }
    /* behind a trusted reverse proxy, the client it names (core/netaddr.h) */
    req->via_proxy = netaddr_match(req->app->cfg->trusted_proxies, req->app->cfg->n_trusted_proxies, buf);
    req->client_ip = netaddr_client(req->arena, arena_strdup(req->arena, buf),
                                    request_header(req, "X-Forwarded-For"),
                                    req->app->cfg->trusted_proxies, req->app->cfg->n_trusted_proxies);
}

/* A JSON object answer as text (for queue(), and so that it can be kept); false if it cannot be. */
static bool json_to_bytes(Request *req, Response *res)
{
    char *s = json_dumps(res->json, JSON_COMPACT);

    json_decref(res->json);
    res->json = NULL;
    if (!s)
        return false;
    response_json_bytes(res, res->status, arena_strdup(req->arena, s), strlen(s));
    free(s);
    return true;
}

static enum MHD_Result queue(Server *srv, Request *req, Response *res)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    static const char internal[] =
        "{\"error\":{\"code\":\"internal\",\"message\":\"" ERROR_INTERNAL_MESSAGE "\",\"field\":null}}";

    (void)srv;
    if (res->json && !json_to_bytes(req, res)) {
        /* a handler built invalid JSON (a NULL string in json_pack): our bug, not the user's */
        log_error("cannot serialise response", "rid", req->id, "path", req->path, NULL);
        response_json_bytes(res, 500, internal, sizeof(internal) - 1);
    }
    if (res->fd >= 0) {
        r = MHD_create_response_from_fd(res->fd_size, res->fd);
        res->fd = -1;
    } else {
        r = MHD_create_response_from_buffer(res->body_len, (void *)res->body, MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (res->content_type)
        MHD_add_response_header(r, "Content-Type", res->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Request-Id", req->id);
    for (int i = 0; i < res->n_headers; i++)
        MHD_add_response_header(r, res->headers[i][0], res->headers[i][1]);
    req->status = res->status ? res->status : 200;
    ret = MHD_queue_response(req->conn, (unsigned)req->status, r);
    MHD_destroy_response(r);
    return ret;
}

static void render_error(Request *req, Response *res, Error *err)
{
    if (err->status >= 500)
        log_error("request failed", "rid", req->id, "path", req->path, "detail",
                  err->detail ? err->detail : "", NULL);
    int n_headers = res->n_headers;
    const char *headers[RESPONSE_MAX_HEADERS][2];

    memcpy(headers, res->headers, sizeof(headers));
    if (res->fd >= 0)
        close(res->fd);
    if (res->json)
        json_decref(res->json);
    response_init(res);
    memcpy(res->headers, headers, sizeof(headers));
    res->n_headers = n_headers; /* Retry-After and the like describe the error */
    res->status = err->status;
    res->json = response_error_json(err, req->id);
}

/* The data version that the answers of ROUTE_CACHED routes depend on. */
#define CACHED_DOMAIN "registry"

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    StrBuf *sb = cls;

    (void)kind;
    strbuf_addc(sb, '\x1f');
    strbuf_adds(sb, key);
    if (value) {
        strbuf_addc(sb, '=');
        strbuf_adds(sb, value);
    }
    return MHD_YES;
}

/* What an answer of a ROUTE_CACHED route depends on besides the data and the day. */
static const char *cache_key(Request *req, size_t *ret_len)
{
    const User *u = req->user;
    StrBuf sb;

    strbuf_init(&sb, req->arena, 8192);
    if (u)
        strbuf_addf(&sb, "%lld\x1e%d\x1e%s\x1e%lld", (long long)u->id, (int)u->role, u->scope,
                    (long long)u->household_id);
    strbuf_addc(&sb, '\x1e');
    strbuf_adds(&sb, req->path);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_arg, &sb);
    return strbuf_finish(&sb, ret_len);
}

/*
 * The registry's version as seen by the user: what her answers may show lies
 * within her scope (a community, a street; everything for an admin), so a
 * change in another community leaves her kept answers current.
 */
static bool cached_version(Request *req, int64_t *ret)
{
    const User *u = req->user;
    const char *lo, *hi;

    auth_scope_bounds(req->arena, u && u->role != ROLE_ADMIN ? u->scope : "", &lo, &hi);
    return store_data_version(req->store, req->arena, CACHED_DOMAIN, lo, hi, ret);
}

/* True when the answer's only header is the Cache-Control every JSON answer has. */
static bool plain_json_answer(const Response *res)
{
    return res->body && res->n_headers == 1 && strcmp(res->headers[0][0], "Cache-Control") == 0;
}

/* 413 naming the limit of this route's body, as the user meets it: a file's, or the request's. */
static Error *body_too_large(Request *req)
{
    long mb = (long)((req->body_file ? ROUTER_FILE_BODY : req->body_max) / (1024 * 1024));

    if (req->body_file)
        return error_too_large(req->arena, arena_sprintf(req->arena, "文件不能超过 %ld MB，请压缩后再上传", mb));
    return error_too_large(req->arena, arena_sprintf(req->arena, "提交的内容过大，请不要超过 %ld MB", mb));
}

static Error *dispatch(Server *srv, Request *req, Response *res)
{
    RouteMatch m;
    const Route *rt = NULL;
    Error *err = NULL;
    const char *key = NULL;
    size_t key_len = 0, body_len = 0;
    const void *body = NULL;
    int64_t version = 0;
    char day[11];

    if (req->body_too_large)
        return body_too_large(req);
    m = router_match(srv->router, req->method, req->path, req, &rt);
    if (m != ROUTE_FOUND && srv->router->fallback_prefix &&
        strncmp(req->path, srv->router->fallback_prefix, strlen(srv->router->fallback_prefix)) == 0) {
        req->status = m == ROUTE_NO_METHOD ? 405 : 404;
        return srv->router->fallback(req, res);
    }
    if (m == ROUTE_NO_METHOD)
        return error_new(req->arena, 405, NULL, "method_not_allowed", "不支持该请求方法");
    if (m == ROUTE_NO_PATH) {
        if ((strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
            static_serve(req, res, srv->cfg->web_dir, req->path))
            return NULL;
        return error_not_found(req->arena, NULL, "找不到该页面或接口");
    }
    req->route = rt;
    err = csrf_check(req);
    if (err)
        return err;
    req->store = thread_store(srv);
    if (!req->store)
        return error_internal(req->arena, "no database connection");
    store_enter(req->store);
    /*
     * A GET runs in one read snapshot, kept for the thread's next GET while
     * nothing commits (store.h); anything else ends a kept one first.
     */
    if (strcmp(req->method, "GET") == 0) {
        err = store_begin_read(req->store, req->arena);
        req->read_tx = err == NULL;
    } else {
        store_end_read(req->store, req->arena);
    }
    if (!err && !(rt->flags & ROUTE_PUBLIC))
        err = auth_authenticate(req);
    if (!err && req->user && req->user->pending && !(rt->flags & (ROUTE_PUBLIC | ROUTE_PENDING)))
        err = error_new(req->arena, 403, NULL, "registration_pending",
                        "您的注册正在等待居委会确认住址，确认后即可使用此功能");
    if (!err && (rt->flags & ROUTE_CACHED) && req->read_tx && cached_version(req, &version)) {
        key = cache_key(req, &key_len);
        date_today(day);
        if (key && cache_get(key, key_len, version, day, req->arena, &body, &body_len)) {
            response_json_bytes(res, 200, body, body_len);
            response_header(res, "X-Cache", "hit");
            goto done;
        }
    }
    if (!err)
        err = rt->handler(req, res);
    /* kept only when the handler neither failed nor wrote (a full view's audit entry) */
    if (key && !err && req->read_tx && res->status == 200 && res->fd < 0) {
        if (res->json)
            json_to_bytes(req, res);
        if (plain_json_answer(res)) {
            cache_put(key, key_len, version, day, res->body, res->body_len);
            response_header(res, "X-Cache", "miss");
        }
    }
done:
    if (req->read_tx)
        store_read_keep(req->store, req->arena, err == NULL);
    else
        store_rollback(req->store); /* a handler that failed mid-transaction leaves nothing behind */
    req->read_tx = false;
    store_leave(req->store);
    return err;
}

/* Ends the snapshots that idle workers keep once a commit makes them stale. */
static void release_stale_snapshots(Server *srv)
{
    pthread_mutex_lock(&srv->stores_lock);
    for (int i = 0; i < srv->n_stores; i++)
        store_release_changed(srv->stores[i]);
    pthread_mutex_unlock(&srv->stores_lock);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    Server *srv = cls;
    Request *req = *con_cls;
    Response res;
    Error *err;

    (void)version;
    if (!req) {
        Arena *a = request_arena();
        const char *clen;
        const Route *rt = NULL;

        const union MHD_ConnectionInfo *sc =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

        /* the head has arrived: the connection is no longer a slow one */
        connguard_headers(srv->guard, sc ? sc->socket_context : NULL);
        req = arena_zalloc(a, sizeof(Request));
        req->arena = a;
        req->conn = conn;
        req->app = &srv->app;
        req->method = arena_strdup(a, method);
        req->path = arena_strdup(a, url);
        req->start_us = time_mono_us();
        snprintf(req->id, sizeof(req->id), "%08x%08x", srv->rid_prefix,
                 (unsigned)atomic_fetch_add(&srv->rid_counter, 1));
        client_ip(req);
        req->body_max = ROUTER_MAX_BODY;
        if (router_match(srv->router, method, url, NULL, &rt) == ROUTE_FOUND) {
            if (rt->flags & (ROUTE_LARGE_BODY | ROUTE_FILE_BODY))
                req->body_max = ROUTER_LARGE_BODY;
            req->body_file = rt->flags & ROUTE_FILE_BODY;
        }
        *con_cls = req;
        clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (clen && strtoull(clen, NULL, 10) > req->body_max) {
            req->body_too_large = true;
            if (strtoull(clen, NULL, 10) <= SERVER_DRAIN_MAX)
                return MHD_YES; /* read and drop it, then answer 413 */
            /* too big even to drop: answer now and let MHD close; a client
             * still sending may see the reset rather than the answer */
            response_init(&res);
            render_error(req, &res, body_too_large(req));
            return queue(srv, req, &res);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;

        if (!req->body_too_large && req->body_len + n > req->body_max)
            req->body_too_large = true;
        if (!req->body_too_large) {
            size_t need = req->body_len + n + 1;

            if (need > req->body_cap) {
                size_t cap = req->body_cap ? req->body_cap : 4096;
                char *nb;

                while (cap < need)
                    cap *= 2;
                nb = arena_alloc(req->arena, cap);
                if (req->body_len)
                    memcpy(nb, req->body, req->body_len);
                req->body = nb;
                req->body_cap = cap;
            }
            memcpy(req->body + req->body_len, upload_data, n);
            req->body_len += n;
            req->body[req->body_len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->status)
        return MHD_YES; /* already answered (413 on Content-Length) */
    response_init(&res);
    err = dispatch(srv, req, &res);
    if (err)
        render_error(req, &res, err);
    return queue(srv, req, &res);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    Request *req = *con_cls;
    char status[8], dur[24];
    int64_t us;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!req)
        return;
    us = time_mono_us() - req->start_us;
    metrics_observe(req->status, us);
    if (log_enabled(LOG_INFO)) {
        snprintf(status, sizeof(status), "%d", req->status);
        snprintf(dur, sizeof(dur), "%lld", (long long)us);
        log_info("request", "rid", req->id, "method", req->method, "path", req->path, "status",
                 status, "us", dur, "user", req->user ? req->user->username : "", NULL);
    }
    request_arena_done(req->arena);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    Server *srv = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *addr =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        *socket_context = connguard_open(srv->guard, addr ? addr->client_addr : NULL,
                                         fd ? fd->connect_fd : -1, time_now_ms());
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        connguard_close(srv->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* As many open files as the system allows this process: every connection is one. */
static void raise_file_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int server_run(const Config *cfg, CryptoKeys *keys, const Router *router)
{
    Server *srv = calloc(1, sizeof(Server));
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    struct MHD_Daemon *d;
    char port[8];
    sigset_t set;
    int sig = 0;
    int rc = 1;

    if (!srv)
        abort();
    srv->cfg = cfg;
    srv->router = router;
    srv->app.cfg = (Config *)cfg;
    srv->app.keys = keys;
    srv->app.login_limit = (RateLimit){ "login", cfg->login_window_ms };
    srv->app.search_limit = (RateLimit){ "search", REGISTRY_SEARCH_WINDOW_MS };
    srv->app.tts_limit = (RateLimit){ "tts", TTS_LIMIT_WINDOW_MS };
    pthread_mutex_init(&srv->stores_lock, NULL);
    srv->rid_prefix = (uint32_t)time_now_ms() ^ (uint32_t)getpid() << 16;
    srv->guard = connguard_new(cfg->max_connections_per_ip, (int64_t)cfg->header_timeout_s * 1000,
                               cfg->trusted_proxies, cfg->n_trusted_proxies);
    raise_file_limit();

    snprintf(port, sizeof(port), "%d", cfg->listen_port);
    if (getaddrinfo(cfg->listen_host, port, &hints, &ai) != 0 || !ai) {
        log_error("cannot resolve listen address", "host", cfg->listen_host, NULL);
        goto out;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                             (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                         0, NULL, NULL, on_access, srv,
                         MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                         MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
                         MHD_OPTION_END);
    if (!d) {
        log_error("cannot listen", "host", cfg->listen_host, "port", port, NULL);
        goto out;
    }
    {
        Arena *la = arena_new(0);

        log_info("serving", "host", cfg->listen_host, "port", port, "db",
                 store_path_for_log(la, cfg->db_path), "web", cfg->web_dir, NULL);
        arena_free(la);
    }
    for (;;) {
        struct timespec tick = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };

        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        release_stale_snapshots(srv);
        connguard_sweep(srv->guard, time_now_ms());
    }
    log_info("stopping", NULL);
    MHD_stop_daemon(d);
    rc = 0;
out:
    if (ai)
        freeaddrinfo(ai);
    for (int i = 0; i < srv->n_stores; i++)
        store_close(srv->stores[i]);
    connguard_free(srv->guard);
    pthread_mutex_destroy(&srv->stores_lock);
    free(srv);
    text_shutdown();
    return rc;
}
