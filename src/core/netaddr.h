#pragma once
/*
 * Network addresses as the server sees them: the prefixes of trusted
 * reverse proxies ("10.0.0.0/8", "::1"), the client behind them told by
 * X-Forwarded-For, and the key that groups one client's addresses for
 * rate limits (an IPv6 client owns a whole /64).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

typedef struct NetPrefix {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    int bits;         /* prefix length */
} NetPrefix;

#define NETADDR_MAX_PREFIXES 16

/* "192.168.1.7", "10.0.0.0/8", "::1", "fd00::/8" -> @ret; false if malformed. */
bool netaddr_parse_prefix(const char *s, NetPrefix *ret);

/*
 * A comma- or space-separated list of prefixes; false (with nothing
 * written) if one is malformed or there are more than @cap.
 */
bool netaddr_parse_list(const char *s, NetPrefix *ret, int cap, int *ret_n);

/* True if the address text @ip lies in one of @prefixes. */
bool netaddr_match(const NetPrefix *prefixes, int n, const char *ip);

/*
 * The client's address: @peer itself unless @peer is a trusted proxy; then
 * X-Forwarded-For (@xff, may be NULL) read from the right, skipping trusted
 * proxies, the first address that is not one. A malformed entry stops the
 * walk at the last good address (an address a client wrote itself is never
 * believed past a proxy that did not add it).
 */
const char *netaddr_client(Arena *a, const char *peer, const char *xff, const NetPrefix *trusted,
                           int n_trusted);

/* The key of @ip for rate limits: IPv4 as is, IPv6 its /64 ("2001:db8:1:2::/64"). */
const char *netaddr_limit_key(Arena *a, const char *ip);
