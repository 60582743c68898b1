/* sources.c - how many connections each source address holds, for --max-per-source, and how its
 * connections went (greeted, or ended without a greeting), for shedding (conn.c) to tell a source
 * that opens silent sockets from a player's machine.
 *
 * A hash table of the sources that hold a connection now: an entry is made by a source's first
 * connection and freed with its last, so the table never outgrows the connections. Each counted
 * connection keeps a pointer to its entry (entries do not move when the table grows), so a close
 * costs no lookup. An IPv6 source counts by its /64: one machine is handed a whole /64, and
 * counting single addresses would give it 2^64 allowances. */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

struct srv_source {
    struct srv_source *next; /* in its bucket */
    struct sock_ip key;
    uint32_t count;
    uint32_t greeted, unanswered; /* while the entry lives: as long as the source holds a connection */
};

struct srv_sources {
    struct srv_source **bucket;
    size_t nbucket, n; /* nbucket: a power of two */
};

static struct sock_ip key_of(const struct sock_ip *ip)
{
    struct sock_ip k = *ip;
    if (k.family == 6)
        memset(k.b + 8, 0, 8);
    return k;
}

static size_t hash_of(const struct sock_ip *k) /* FNV-1a */
{
    uint32_t h = 2166136261u;
    size_t i;
    h = (h ^ k->family) * 16777619u;
    for (i = 0; i < (k->family == 4 ? 4u : 16u); i++)
        h = (h ^ k->b[i]) * 16777619u;
    return h;
}

static int grow(struct srv_sources *t)
{
    size_t n = t->nbucket ? 2 * t->nbucket : 64, i;
    struct srv_source **b = calloc(n, sizeof *b);
    if (b == NULL)
        return -1;
    for (i = 0; i < t->nbucket; i++) {
        struct srv_source *e = t->bucket[i], *next;
        for (; e != NULL; e = next) {
            size_t h = hash_of(&e->key) & (n - 1);
            next = e->next;
            e->next = b[h];
            b[h] = e;
        }
    }
    free(t->bucket);
    t->bucket = b;
    t->nbucket = n;
    return 0;
}

struct srv_source *srv_source_take(struct srv *s, const struct sock_ip *ip, int *over)
{
    struct srv_sources *t = s->sources;
    struct srv_source *e;
    struct sock_ip k;
    size_t h;

    *over = 0;
    if (ip->family == 0)
        return NULL;
    if (t == NULL && (t = s->sources = calloc(1, sizeof *t)) == NULL)
        return NULL;
    if (t->n >= t->nbucket && grow(t) != 0 && t->nbucket == 0)
        return NULL;
    k = key_of(ip);
    h = hash_of(&k) & (t->nbucket - 1);
    for (e = t->bucket[h]; e != NULL; e = e->next)
        if (memcmp(&e->key, &k, sizeof k) == 0)
            break;
    if (e != NULL && s->cfg.max_per_source > 0 && e->count >= (uint32_t)s->cfg.max_per_source) {
        *over = 1;
        return NULL;
    }
    if (e == NULL) {
        if ((e = calloc(1, sizeof *e)) == NULL)
            return NULL;
        e->key = k;
        e->next = t->bucket[h];
        t->bucket[h] = e;
        t->n++;
    }
    e->count++;
    return e;
}

void srv_source_drop(struct srv *s, struct srv_source *src)
{
    struct srv_sources *t = s->sources;
    struct srv_source **p;
    if (src == NULL || --src->count > 0)
        return;
    for (p = &t->bucket[hash_of(&src->key) & (t->nbucket - 1)]; *p != NULL; p = &(*p)->next) {
        if (*p == src) {
            *p = src->next;
            t->n--;
            free(src);
            return;
        }
    }
}

void srv_source_greeted(struct srv_source *src)
{
    if (src != NULL)
        src->greeted++;
}

void srv_source_unanswered(struct srv_source *src)
{
    if (src != NULL)
        src->unanswered++;
}

int srv_source_silent(const struct srv_source *src)
{
    return src != NULL && src->unanswered >= SRV_SILENT_MIN && src->unanswered > src->greeted;
}

void srv_sources_free(struct srv *s)
{
    struct srv_sources *t = s->sources;
    size_t i;
    if (t == NULL)
        return;
    for (i = 0; i < t->nbucket; i++) {
        struct srv_source *e = t->bucket[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(t->bucket);
    free(t);
    s->sources = NULL;
}
