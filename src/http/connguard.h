#pragma once
/*
 * ConnGuard: keeps slow or greedy clients from starving everyone. It counts
 * the open connections of each address (an IPv6 client owns its /64) and
 * refuses those beyond a limit (trusted proxies are not limited: they carry
 * everyone), and it ends a new connection whose first request head has not
 * arrived within a deadline, however it trickles. Thread-safe.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/netaddr.h"

typedef struct ConnGuard ConnGuard;
typedef struct GuardedConn GuardedConn;

/* @per_ip 0: no limit per address; @header_ms 0: no deadline. */
ConnGuard *connguard_new(int per_ip, int64_t header_ms, const NetPrefix *trusted, int n_trusted);
void connguard_free(ConnGuard *g);

/*
 * A connection from @addr on socket @fd opened at @now_ms. Returns its entry
 * (to pass back below); when @addr already has its limit of connections the
 * socket is shut at once, so the server closes it.
 */
GuardedConn *connguard_open(ConnGuard *g, const struct sockaddr *addr, int fd, int64_t now_ms);

/* @c's request head has arrived: no deadline any more. */
void connguard_headers(ConnGuard *g, GuardedConn *c);

/* @c is closed (before its socket is): forgotten. */
void connguard_close(ConnGuard *g, GuardedConn *c);

/* Shuts the sockets of new connections past their deadline; returns how many. */
int connguard_sweep(ConnGuard *g, int64_t now_ms);

/* Open connections, and connections refused or ended since the start (for /metrics and tests). */
void connguard_counts(ConnGuard *g, int *open, int64_t *refused, int64_t *timed_out);
