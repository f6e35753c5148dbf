#include "core/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* The address text @s (no prefix) -> family and bytes. */
static bool parse_addr(const char *s, int *ret_family, uint8_t ret_addr[16])
{
    uint8_t buf[16] = { 0 };

    if (inet_pton(AF_INET, s, buf) == 1) {
        memcpy(ret_addr, buf, 16);
        *ret_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, buf) == 1) {
        memcpy(ret_addr, buf, 16);
        *ret_family = AF_INET6;
        return true;
    }
    return false;
}

bool netaddr_parse_prefix(const char *s, NetPrefix *ret)
{
    char text[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    NetPrefix p = { 0 };
    int max;

    if (n == 0 || n >= sizeof(text))
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    if (!parse_addr(text, &p.family, p.addr))
        return false;
    max = p.family == AF_INET ? 32 : 128;
    p.bits = max;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);

        if (end == slash + 1 || *end || bits < 0 || bits > max)
            return false;
        p.bits = (int)bits;
    }
    *ret = p;
    return true;
}

bool netaddr_parse_list(const char *s, NetPrefix *ret, int cap, int *ret_n)
{
    NetPrefix tmp[NETADDR_MAX_PREFIXES];
    int n = 0;

    while (*s) {
        char item[64];
        size_t len = strcspn(s, ", \t");

        if (len == 0) {
            s++;
            continue;
        }
        if (len >= sizeof(item) || n >= cap || n >= NETADDR_MAX_PREFIXES)
            return false;
        memcpy(item, s, len);
        item[len] = '\0';
        if (!netaddr_parse_prefix(item, &tmp[n]))
            return false;
        n++;
        s += len;
    }
    memcpy(ret, tmp, (size_t)n * sizeof(NetPrefix));
    *ret_n = n;
    return true;
}

static bool prefix_covers(const NetPrefix *p, int family, const uint8_t addr[16])
{
    int full = p->bits / 8, rest = p->bits % 8;

    if (p->family != family)
        return false;
    if (memcmp(p->addr, addr, (size_t)full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));

        return (p->addr[full] & mask) == (addr[full] & mask);
    }
    return true;
}

/* An IPv4-mapped IPv6 address ("::ffff:10.0.0.1") as IPv4. */
static void unmap(int *family, uint8_t addr[16])
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    if (*family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        *family = AF_INET;
    }
}

bool netaddr_match(const NetPrefix *prefixes, int n, const char *ip)
{
    uint8_t addr[16];
    int family;

    if (!ip || !parse_addr(ip, &family, addr))
        return false;
    unmap(&family, addr);
    for (int i = 0; i < n; i++)
        if (prefix_covers(&prefixes[i], family, addr))
            return true;
    return false;
}

const char *netaddr_client(Arena *a, const char *peer, const char *xff, const NetPrefix *trusted,
                           int n_trusted)
{
    const char *client = peer;
    const char *end;

    if (!xff || n_trusted == 0 || !netaddr_match(trusted, n_trusted, peer))
        return peer;
    end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        char item[64];
        size_t len;
        int family;
        uint8_t addr[16];

        while (start > xff && start[-1] != ',')
            start--;
        /* trim the item */
        {
            const char *s = start, *e = end;

            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            len = (size_t)(e - s);
            if (len == 0 || len >= sizeof(item))
                break;
            memcpy(item, s, len);
            item[len] = '\0';
        }
        if (!parse_addr(item, &family, addr))
            break;
        client = arena_strdup(a, item);
        if (!netaddr_match(trusted, n_trusted, item))
            break;
        end = start > xff ? start - 1 : start;
    }
    return client;
}

const char *netaddr_limit_key(Arena *a, const char *ip)
{
    uint8_t addr[16];
    char buf[INET6_ADDRSTRLEN];
    int family;

    if (!ip || !parse_addr(ip, &family, addr))
        return ip ? ip : "";
    unmap(&family, addr);
    if (family == AF_INET) {
        inet_ntop(AF_INET, addr, buf, sizeof(buf));
        return arena_strdup(a, buf);
    }
    memset(addr + 8, 0, 8);
    inet_ntop(AF_INET6, addr, buf, sizeof(buf));
    return arena_sprintf(a, "%s/64", buf);
}
