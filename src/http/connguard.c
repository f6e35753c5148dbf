#include "http/connguard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct GuardedConn {
    GuardedConn *prev, *next;
    uint8_t key[17];   /* family, then 4 (IPv4) or 8 (IPv6 /64) address bytes */
    int fd;
    int64_t deadline;  /* 0: the request head has arrived */
    bool counted;      /* counts against its address (not refused, not a trusted proxy) */
    bool shut;
};

struct ConnGuard {
    pthread_mutex_t lock;
    GuardedConn *head;
    int per_ip;
    int64_t header_ms;
    const NetPrefix *trusted;
    int n_trusted;
    int open;
    int64_t refused, timed_out;
};

ConnGuard *connguard_new(int per_ip, int64_t header_ms, const NetPrefix *trusted, int n_trusted)
{
    ConnGuard *g = calloc(1, sizeof(*g));

    if (!g)
        abort();
    pthread_mutex_init(&g->lock, NULL);
    g->per_ip = per_ip;
    g->header_ms = header_ms;
    g->trusted = trusted;
    g->n_trusted = n_trusted;
    return g;
}

void connguard_free(ConnGuard *g)
{
    if (!g)
        return;
    while (g->head) {
        GuardedConn *c = g->head;

        g->head = c->next;
        free(c);
    }
    pthread_mutex_destroy(&g->lock);
    free(g);
}

/* The key of @sa's address and its text; false for a family other than IPv4/IPv6. */
static bool addr_key(const struct sockaddr *sa, uint8_t key[17], char text[INET6_ADDRSTRLEN])
{
    memset(key, 0, 17);
    if (sa && sa->sa_family == AF_INET) {
        const struct in_addr *a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;

        key[0] = 4;
        memcpy(key + 1, a, 4);
        inet_ntop(AF_INET, a, text, INET6_ADDRSTRLEN);
        return true;
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

        key[0] = 6;
        memcpy(key + 1, a, 8);
        inet_ntop(AF_INET6, a, text, INET6_ADDRSTRLEN);
        return true;
    }
    return false;
}

GuardedConn *connguard_open(ConnGuard *g, const struct sockaddr *addr, int fd, int64_t now_ms)
{
    GuardedConn *c = calloc(1, sizeof(*c));
    char text[INET6_ADDRSTRLEN] = "";
    bool known;
    int same = 0;

    if (!c)
        abort();
    known = addr_key(addr, c->key, text);
    c->fd = fd;
    c->deadline = g->header_ms > 0 ? now_ms + g->header_ms : 0;
    c->counted = known && g->per_ip > 0 && !netaddr_match(g->trusted, g->n_trusted, text);
    pthread_mutex_lock(&g->lock);
    if (c->counted)
        for (GuardedConn *o = g->head; o; o = o->next)
            if (o->counted && memcmp(o->key, c->key, sizeof(c->key)) == 0)
                same++;
    if (c->counted && same >= g->per_ip) {
        c->counted = false;
        c->shut = true;
        c->deadline = 0;
        g->refused++;
        shutdown(fd, SHUT_RDWR);
    }
    c->next = g->head;
    if (g->head)
        g->head->prev = c;
    g->head = c;
    g->open++;
    pthread_mutex_unlock(&g->lock);
    return c;
}

void connguard_headers(ConnGuard *g, GuardedConn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    c->deadline = 0;
    pthread_mutex_unlock(&g->lock);
}

void connguard_close(ConnGuard *g, GuardedConn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    g->open--;
    pthread_mutex_unlock(&g->lock);
    free(c);
}

int connguard_sweep(ConnGuard *g, int64_t now_ms)
{
    int n = 0;

    pthread_mutex_lock(&g->lock);
    for (GuardedConn *c = g->head; c; c = c->next)
        if (!c->shut && c->deadline && now_ms > c->deadline) {
            /* the socket stays open until the server closes it (after connguard_close) */
            shutdown(c->fd, SHUT_RDWR);
            c->shut = true;
            n++;
        }
    g->timed_out += n;
    pthread_mutex_unlock(&g->lock);
    return n;
}

void connguard_counts(ConnGuard *g, int *open, int64_t *refused, int64_t *timed_out)
{
    pthread_mutex_lock(&g->lock);
    *open = g->open;
    *refused = g->refused;
    *timed_out = g->timed_out;
    pthread_mutex_unlock(&g->lock);
}
