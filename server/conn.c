/* conn.c - one connection's life on the event loop: accept, read, hand the bytes to the protocol
 * (s->proto, chosen once by main.c), send, and end either gracefully or at once. Every end of a
 * connection is decided here; output.c only reports what a send did.
 *
 * Why plain events and not bufferevents: a bufferevent copies every byte through its own buffers
 * and reads a fixed size per callback, which costs most of the bulk throughput. Here a read goes
 * into the loop's one 64 KiB buffer and, usually, straight back out with one send(); only what the
 * kernel does not take is copied into an evbuffer, created on demand and freed once drained.
 * An idle connection is this header plus its read event, in one allocation; the write event, too,
 * is made only while output is pending.
 *
 * Graceful end (srv_conn_finish): flush, shutdown(SHUT_WR), then keep reading and discarding until
 * the peer's EOF before close(). Closing with unread input makes the kernel send a RST, which can
 * destroy the ERROR frame we just sent before the peer reads it. */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

static void on_read(evutil_socket_t fd, short what, void *arg);
static void settle(struct srv_conn *c);

static void check_stop_done(struct srv *s)
{
    if (s->stopping && s->n_with_output == 0)
        event_base_loopbreak(s->base);
}

/* ---- ending -------------------------------------------------------------------------------- */

static void conn_free(struct srv_conn *c)
{
    struct srv *s = c->srv;
    if (s->proto->conn_gone != NULL)
        s->proto->conn_gone(c);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    s->n_live--;
    srv_output_drop(c);
    if (c->wev != NULL)
        event_free(c->wev);
    free(c->in);
    sock_close(c->fd);
    free(c);
}

static void on_reap(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    struct srv_conn *c;
    (void)fd, (void)what;
    while ((c = s->reap) != NULL) {
        s->reap = c->reap_next;
        conn_free(c);
    }
}

/* Takes the connection off the loop; the reaper frees it once the current callback is over. */
static void conn_end(struct srv_conn *c, const char *why)
{
    struct srv *s = c->srv;
    if (c->state == SRV_DEAD)
        return;
    c->state = SRV_DEAD;
    event_del(c->rev);
    if (c->wev != NULL)
        event_del(c->wev);
    c->reading = c->writing = 0;
    if (why != NULL)
        srv_log_conn(s, c->id, "closed: %s (in %llu B, out %llu B)", why, (unsigned long long)c->bytes_in,
                     (unsigned long long)c->bytes_out);
    srv_output_drop(c);
    c->reap_next = s->reap;
    s->reap = c;
    event_active(s->reaper, EV_TIMEOUT, 0);
    check_stop_done(s);
}

void srv_conn_kill(struct srv_conn *c, const char *why)
{
    conn_end(c, why);
}

/* A failed recv/send: a reset is how many peers say goodbye, so it is logged plainly. */
static void conn_fail(struct srv_conn *c, const char *call, int code)
{
    char why[192], text[128];
    if (c->srv->cfg.quiet) { /* the reason would only be formatted for a line nobody prints */
        conn_end(c, NULL);
        return;
    }
    if (sock_err_is_reset(code))
        snprintf(why, sizeof why, "peer reset the connection (%s: %s)", call, sock_err_name(code));
    else
        snprintf(why, sizeof why, "%s failed: %s", call, sock_err_text(code, text, sizeof text));
    conn_end(c, why);
}

void srv_conn_finish(struct srv_conn *c, const char *why)
{
    if (c->state != SRV_OPEN)
        return;
    c->state = SRV_DRAINING;
    c->end_why = why;
    c->drain_deadline_us = os_now_us() + (uint64_t)SRV_DRAIN_MS * 1000u;
    settle(c);
}

size_t srv_conn_pending(const struct srv_conn *c) { return srv_output_pending(c); }

/* ---- sending ------------------------------------------------------------------------------- */

/* A peer whose pending output would pass --max-outbuf: cut off, with the figures in the log. */
static void cut_off(struct srv_conn *c, size_t wanted)
{
    char text[160];
    snprintf(text, sizeof text, "cut off: %lu bytes of output pending, over --max-outbuf %d (peer not reading)",
             (unsigned long)wanted, c->srv->cfg.max_outbuf);
    conn_end(c, text);
}

/* What a send that did not go out whole means for the connection. */
static void send_outcome(struct srv_conn *c, enum srv_out r, const struct srv_out_why *why)
{
    if (r == SRV_OUT_QUEUED)
        settle(c); /* the write event, and read backpressure */
    else if (r == SRV_OUT_OVER_CAP)
        cut_off(c, why->wanted);
    else if (r == SRV_OUT_FAILED)
        conn_fail(c, "send", why->code);
    else if (r == SRV_OUT_NO_MEMORY)
        conn_end(c, "out of memory for output");
}

/* Hot: every STATE to every player passes here, so the usual case (the kernel took it all) is a
 * test and a call, and the rest is out of line. */
void srv_conn_send(struct srv_conn *c, const void *data, size_t len)
{
    struct srv_out_why why;
    enum srv_out r;
    if (c->state == SRV_DEAD || c->shut_wr || len == 0)
        return;
    r = srv_output_write(c, data, len, &why);
    if (r != SRV_OUT_SENT)
        send_outcome(c, r, &why);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct srv_conn *c = arg;
    struct srv_out_why why;
    (void)fd;
    if (!(what & EV_TIMEOUT) && srv_output_flush(c, &why) == SRV_OUT_FAILED) {
        conn_fail(c, "send", why.code);
        return;
    }
    settle(c); /* after a timeout: ends the connection if its drain deadline passed */
}

/* ---- events -------------------------------------------------------------------------------- */

static void arm(struct event *ev, uint8_t *armed, int want, const struct timeval *tv)
{
    if (want && (!*armed || tv != NULL)) {
        event_add(ev, tv);
        *armed = 1;
    } else if (!want && *armed) {
        event_del(ev);
        *armed = 0;
    }
}

/* Re-arms the connection's events after its state or output changed. */
static void settle(struct srv_conn *c)
{
    struct srv *s = c->srv;
    size_t pending;
    int want_read;
    struct timeval tv, *tvp = NULL;

    if (c->state == SRV_DEAD)
        return;
    pending = srv_output_pending(c);
    if (pending == 0)
        srv_output_drop(c);
    if (c->state == SRV_DRAINING) {
        uint64_t now = os_now_us(), left;
        if (pending == 0 && !c->shut_wr) {
            /* After the peer's EOF nothing more can arrive, so the close() below sends the same FIN
             * by itself: one system call less per connection the client closes. */
            if (!c->peer_eof)
                sock_shutdown(c->fd, SOCK_SHUT_WR, NULL); /* fails only if the peer is gone: EOF will say */
            c->shut_wr = 1;
        }
        if (c->shut_wr && c->peer_eof) {
            conn_end(c, c->end_why);
            return;
        }
        if (now >= c->drain_deadline_us) {
            conn_end(c, "peer did not finish the close in time");
            return;
        }
        if (s->stopping && pending == 0) {
            conn_end(c, c->end_why); /* shutting down: no waiting for the peer's EOF */
            return;
        }
        left = c->drain_deadline_us - now;
        tv.tv_sec = (long)(left / 1000000u);
        tv.tv_usec = (long)(left % 1000000u);
        tvp = &tv;
        /* Discard input until EOF; after EOF the socket stays readable, so stop watching it. */
        want_read = !c->peer_eof && !s->stopping;
    } else {
        /* Backpressure with hysteresis: stop reading while the peer is not taking our output. */
        if (!c->paused && pending >= s->pause_at)
            c->paused = 1;
        else if (c->paused && pending <= s->resume_at)
            c->paused = 0;
        want_read = !c->paused && !s->stopping;
    }
    arm(c->rev, &c->reading, want_read, tvp);
    /* The write event exists only while output is pending, like the buffer: an idle connection
     * costs one event, not two. */
    if (pending > 0 && c->wev == NULL) {
        c->wev = event_new(s->base, c->fd, EV_WRITE | EV_PERSIST, on_write, c);
        if (c->wev == NULL) {
            conn_end(c, "out of memory for output");
            return;
        }
    }
    if (c->wev != NULL) {
        arm(c->wev, &c->writing, pending > 0, tvp);
        if (pending == 0) { /* freeing it in its own callback is allowed (libevent 2.1) */
            event_free(c->wev);
            c->wev = NULL;
        }
    }
    check_stop_done(s);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct srv_conn *c = arg;
    struct srv *s = c->srv;
    size_t limit = SRV_READ_CHUNK;
    long n;
    (void)fd;

    if (what & EV_TIMEOUT) {
        settle(c); /* the drain deadline passed: settle ends it */
        return;
    }
    if (c->state == SRV_OPEN && s->proto->read_limit != NULL)
        limit = s->proto->read_limit(c);
    if (limit == 0) { /* a 0-byte recv would look like EOF */
        settle(c);
        return;
    }
    n = sock_recv(c->fd, s->rbuf, limit);
    if (n > 0) {
        c->bytes_in += (uint64_t)n;
        s->bytes_in += (uint64_t)n;
        if (c->state == SRV_OPEN)
            s->proto->input(c, s->rbuf, (size_t)n);
    } else if (n == 0) {
        c->peer_eof = 1;
        srv_conn_finish(c, "peer closed");
    } else {
        int code = sock_last_error();
        if (!sock_err_is_retriable(code)) {
            conn_fail(c, "recv", code);
            return;
        }
    }
    settle(c);
}

/* ---- accepting ------------------------------------------------------------------------------ */

static struct srv_conn *conn_new(struct srv *s, sock_t fd)
{
    size_t head = ALIGN16(sizeof(struct srv_conn)), ev = ALIGN16(event_get_struct_event_size());
    uint8_t *mem = calloc(1, head + ev);
    struct srv_conn *c = (struct srv_conn *)mem;
    if (mem == NULL)
        return NULL;
    c->srv = s;
    c->fd = fd;
    c->rev = (struct event *)(mem + head);
    if (event_assign(c->rev, s->base, fd, EV_READ | EV_PERSIST, on_read, c) != 0) {
        free(mem);
        return NULL;
    }
    c->next = s->conns;
    if (s->conns != NULL)
        s->conns->prev = c;
    s->conns = c;
    s->n_live++;
    return c;
}

void srv_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                   void *arg)
{
    struct srv *s = arg;
    struct srv_conn *c;
    (void)l, (void)addr, (void)addrlen;

    c = s->stopping ? NULL : conn_new(s, fd);
    if (c == NULL) {
        if (!s->stopping)
            srv_log("out of memory for a new connection: closed it");
        sock_close(fd);
        return;
    }
    c->id = ++s->next_id;
    s->served++;
    /* Game: small frames, answered at once. Echo: a reply is whatever one read returned, rarely a
     * multiple of the MSS, so Nagle would hold each one's tail until the peer's ACK came back (on
     * loopback that cost a 4-connection stream half its throughput). No Nagle for either. */
    sock_set_nodelay(fd, 1, NULL);
    if (!s->cfg.quiet) /* getpeername is a system call: not for a line nobody prints */
        srv_log_conn(s, c->id, "accepted from port %u", (unsigned)sock_peer_port(fd));
    settle(c);
}

int srv_conns_init(struct srv *s)
{
    s->proto->read_pause(s, &s->pause_at, &s->resume_at);
    s->rbuf = malloc(SRV_READ_CHUNK);
    s->reaper = event_new(s->base, -1, 0, on_reap, s);
    return s->rbuf != NULL && s->reaper != NULL ? 0 : -1;
}

void srv_conns_stop(struct srv *s)
{
    struct srv_conn *c;
    s->stopping = 1;
    for (c = s->conns; c != NULL; c = c->next)
        settle(c);
    check_stop_done(s);
}

void srv_conns_free_all(struct srv *s)
{
    while (s->conns != NULL) {
        conn_end(s->conns, s->conns->state == SRV_DEAD ? NULL : "server shutting down");
        on_reap(-1, 0, s);
    }
    on_reap(-1, 0, s);
    if (s->reaper != NULL)
        event_free(s->reaper);
    s->reaper = NULL;
    free(s->rbuf);
    s->rbuf = NULL;
}
