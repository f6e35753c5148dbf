#pragma once
/*
 * The HTTP server: libmicrohttpd with an epoll thread pool. Each worker
 * thread has its own database connection (opened on its first request), and
 * each request its own arena, created on libmicrohttpd's first call for the
 * request and freed in its completion callback.
 */
#include "core/config.h"
#include "core/crypto.h"
#include "http/router.h"

/*
 * Serves @router until SIGINT or SIGTERM. Returns 0 on a clean stop, 1 if
 * the server could not start (the reason is logged).
 */
int server_run(const Config *cfg, CryptoKeys *keys, const Router *router);
