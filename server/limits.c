/* limits.c - what a client may make the server hold (README: Security): who gets a connection at
 * all - --max-per-source, --max-conns, and which connection makes room when the server is full or
 * out of descriptors - and how long a connection may keep one without using it: the deadlines.
 *
 * Shedding takes the connections that have not greeted yet (conn.c keeps them in their own list,
 * oldest first): silent sockets must never lock real players out. The deadlines - a greeting
 * (--hello-timeout), a frame begun (--frame-timeout), idleness (--idle-timeout) - are checked by one
 * sweep a second over every connection: activity costs a store of a coarse clock (srv->clock_s),
 * not a timer per connection, and a deadline passes within a second or two of its time. When one
 * passes, the protocol says why (game: ERROR, or BYE for idleness) and the close is graceful.
 *
 * Calls conn.c (to open and end connections) and sources.c; nothing calls back. */
#include "server/server.h"

#include <stdio.h>

#include "compat/os.h"

#define SWEEP_MS 1000

/* ---- room: shedding and admission ------------------------------------------------------------ */

int srv_limits_shed(struct srv *s, const char *why)
{
    uint32_t now = srv_clock_ms(s);
    struct srv_conn *c;
    int looked = 0;
    for (c = s->fresh; c != NULL && looked < SRV_SHED_SCAN; c = c->next, looked++) {
        if (c->state == SRV_DEAD)
            continue; /* shed a moment ago, not reaped yet */
        if (now - c->born_ms < SRV_SHED_GRACE_MS && !srv_source_silent(c->source))
            continue;
        s->counts.shed++;
        srv_conn_kill(c, why);
        return 1;
    }
    return 0;
}

/* A connection over a cap: the protocol's ERROR (game), then a close that is a FIN and not a RST:
 * what already arrived (a HELLO sent with the connect) is read first, since closing on unread
 * bytes would reset the connection and could destroy the ERROR before the peer reads it. */
static void refuse(struct srv *s, sock_t fd, uint32_t id, uint64_t *count, const char *text)
{
    uint8_t frame[256];
    size_t n = s->proto->farewell != NULL ? s->proto->farewell(SRV_FAREWELL_ERROR, text, frame, sizeof frame) : 0;
    (*count)++;
    srv_log_conn(s, id, "refused: %s", text);
    (void)sock_recv(fd, s->rbuf, SRV_READ_CHUNK);
    if (n > 0)
        (void)sock_send(fd, frame, n);
    sock_shutdown(fd, SOCK_SHUT_WR, NULL);
    sock_close(fd);
}

void srv_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                   void *arg)
{
    struct srv *s = arg;
    const struct srv_config *cfg = &s->cfg;
    struct srv_source *src;
    struct sock_ip ip;
    char text[128], ipt[64];
    uint32_t id = ++s->next_id;
    int over;
    (void)l;

    if (s->stopping) {
        sock_close(fd);
        return;
    }
    sock_ip_of(addr, addrlen, &ip);
    src = srv_source_take(s, &ip, &over);
    if (over) {
        snprintf(text, sizeof text, "%s already has %d connections (--max-per-source)",
                 sock_ip_text(&ip, ipt, sizeof ipt), cfg->max_per_source);
        refuse(s, fd, id, &s->counts.refused_source, text);
        return;
    }
    /* Full: the oldest connection that has not greeted yet makes room (srv_limits_shed says which
     * may); only when none may is the newcomer refused. Silent sockets never lock players out. */
    if (cfg->max_conns > 0 && s->n_live >= (size_t)cfg->max_conns &&
        !srv_limits_shed(s, "shed: not greeted yet, and the server is full (--max-conns)")) {
        snprintf(text, sizeof text, "server full: %d connections (--max-conns)", cfg->max_conns);
        srv_source_drop(s, src);
        refuse(s, fd, id, &s->counts.refused_full, text);
        return;
    }
    if (!cfg->quiet) /* the address's text: not for a line nobody prints */
        srv_log_conn(s, id, "accepted from %s port %u", sock_ip_text(&ip, ipt, sizeof ipt),
                     (unsigned)sock_peer_port(fd));
    if (srv_conn_open(s, fd, id, src) == NULL) {
        srv_log("out of memory for a new connection: closed it");
        srv_source_drop(s, src);
        sock_close(fd);
    }
}

/* ---- deadlines ----------------------------------------------------------------------------- */

/* Ends a connection whose deadline passed: the protocol's last words (game: ERROR, or BYE for
 * idleness), then a graceful close. `why` is static: it is logged when the close completes. */
static void expire(struct srv_conn *c, uint64_t *count, enum srv_farewell kind, const char *why, const char *text)
{
    const struct srv_proto *p = c->srv->proto;
    uint8_t frame[256];
    size_t n = p->farewell != NULL ? p->farewell(kind, text, frame, sizeof frame) : 0;
    (*count)++;
    srv_log_conn(c->srv, c->id, "%s", text);
    srv_conn_send(c, frame, n);
    srv_conn_finish(c, why);
}

/* A stamp of clock_s is up to a second old, so a deadline of T seconds passes when the clock has
 * moved on by more than T: between T and T + 2 seconds after the event. */
static int passed(uint32_t now, uint32_t stamp, int limit_s)
{
    return limit_s > 0 && now - stamp > (uint32_t)limit_s;
}

static void check_deadlines(struct srv_conn *c, uint32_t now)
{
    const struct srv_config *cfg = &c->srv->cfg;
    struct srv_counts *n = &c->srv->counts;
    char text[128];

    if (c->state != SRV_OPEN)
        return;
    if (c->fresh && c->srv->proto->greeting && passed(now, c->t_active, cfg->hello_timeout_s)) {
        snprintf(text, sizeof text, "no HELLO within %d s of connecting (--hello-timeout)", cfg->hello_timeout_s);
        expire(c, &n->late_hello, SRV_FAREWELL_ERROR, "no HELLO in time", text);
    } else if (c->in != NULL && passed(now, c->t_partial, cfg->frame_timeout_s)) {
        snprintf(text, sizeof text, "frame not completed within %d s: %u bytes of it came (--frame-timeout)",
                 cfg->frame_timeout_s, (unsigned)c->in_len);
        expire(c, &n->late_frame, SRV_FAREWELL_ERROR, "a frame not completed in time", text);
    } else if (passed(now, c->t_active, cfg->idle_timeout_s)) {
        snprintf(text, sizeof text, "idle for %d s (--idle-timeout)", cfg->idle_timeout_s);
        expire(c, &n->idle, SRV_FAREWELL_IDLE, "idle", text);
    }
}

void srv_limits_sweep(struct srv *s)
{
    struct srv_conn *c, *next;
    s->clock_s = (uint32_t)((os_now_us() - s->t0_us) / 1000000u);
    for (c = s->fresh; c != NULL; c = next) {
        next = c->next; /* ending one never unlinks it (the reaper does), but be plain about it */
        check_deadlines(c, s->clock_s);
    }
    for (c = s->conns; c != NULL; c = next) {
        next = c->next;
        check_deadlines(c, s->clock_s);
    }
    srv_log_flush();
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    (void)fd, (void)what;
    if (!s->stopping) /* shutting down: every connection is closing already */
        srv_limits_sweep(s);
}

int srv_limits_start(struct srv *s)
{
    struct timeval tv;
    tv.tv_sec = SWEEP_MS / 1000;
    tv.tv_usec = (SWEEP_MS % 1000) * 1000;
    s->sweep = event_new(s->base, -1, EV_PERSIST, on_sweep, s);
    return s->sweep != NULL ? event_add(s->sweep, &tv) : -1;
}

void srv_limits_free(struct srv *s)
{
    if (s->sweep != NULL)
        event_free(s->sweep);
    s->sweep = NULL;
    srv_sources_free(s);
}
