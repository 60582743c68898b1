/* conn.c - one connection's life on the event loop: opened (limits.c admitted it), read, the bytes
 * handed to the protocol (s->proto, chosen once by main.c), send, and end either gracefully or at
 * once. Every end of a connection is carried out here; output.c only reports what a send did, and
 * limits.c decides the ends its caps and deadlines call for through srv_conn_kill/finish.
 *
 * Why plain events and not bufferevents: a bufferevent copies every byte through its own buffers
 * and reads a fixed size per callback, which costs most of the bulk throughput. Here a read goes
 * into the loop's one 64 KiB buffer and, usually, straight back out with one send(); only what the
 * kernel does not take is copied into an evbuffer, created on demand and freed once drained.
 * An idle connection is this header plus its read event, in one allocation; the write event, too,
 * is made only while output is pending.
 *
 * Graceful end (srv_conn_finish): flush, shutdown(SHUT_WR), then read and discard until the peer's
 * EOF before close(). Closing with unread input makes the kernel send a RST, which can destroy the
 * ERROR frame we just sent before the peer reads it. Graceful within bounds: at most
 * SRV_DISCARD_MAX bytes are read away (what a client had in flight) and for at most SRV_DRAIN_MS
 * of silence; a peer that keeps sending past that is closed at once.
 *
 * Connections not greeted yet (no HELLO; echo: no byte) are kept in their own list, oldest first,
 * so that limits.c can shed them first and check their deadline apart. */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)
#define SRV_DISCARD_MAX 65536u /* input a closing connection may still read away */

static void on_read(evutil_socket_t fd, short what, void *arg);
static void settle(struct srv_conn *c);

static void check_stop_done(struct srv *s)
{
    if (s->stopping && s->n_with_output == 0)
        event_base_loopbreak(s->base);
}

/* ---- ending -------------------------------------------------------------------------------- */

/* The two lists: `conns` (greeted; order does not matter) and `fresh` (oldest first). */
static void list_unlink(struct srv_conn *c)
{
    struct srv *s = c->srv;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (c->fresh)
        s->fresh = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    else if (c->fresh)
        s->fresh_tail = c->prev;
    c->prev = c->next = NULL;
}

static void list_push_conns(struct srv_conn *c)
{
    struct srv *s = c->srv;
    c->fresh = 0;
    c->prev = NULL;
    c->next = s->conns;
    if (s->conns != NULL)
        s->conns->prev = c;
    s->conns = c;
}

static void list_append_fresh(struct srv_conn *c)
{
    struct srv *s = c->srv;
    c->fresh = 1;
    c->next = NULL;
    c->prev = s->fresh_tail;
    if (s->fresh_tail != NULL)
        s->fresh_tail->next = c;
    else
        s->fresh = c;
    s->fresh_tail = c;
}

static void conn_free(struct srv_conn *c)
{
    struct srv *s = c->srv;
    if (s->proto->conn_gone != NULL)
        s->proto->conn_gone(c);
    if (c->fresh)
        srv_source_unanswered(c->source);
    list_unlink(c);
    srv_source_drop(s, c->source);
    srv_output_drop(c);
    if (c->wev != NULL)
        event_free(c->wev);
    free(c->in);
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

/* Takes the connection off the loop and closes its socket now: a shed or refused connection must
 * give its descriptor back before the next accept of the same burst, or a burst of accepts at the
 * cap would hold a descriptor per connection it pushed out. The struct waits for the reaper, which
 * frees it once the current callback is over. */
static void conn_end(struct srv_conn *c, const char *why)
{
    struct srv *s = c->srv;
    if (c->state == SRV_DEAD)
        return;
    c->state = SRV_DEAD;
    event_del(c->rev);
    if (c->wev != NULL)
        event_del(c->wev);
    sock_close(c->fd);
    c->fd = SOCK_INVALID;
    s->n_live--;
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
    c->discard_left = SRV_DISCARD_MAX;
    c->drain_deadline_us = os_now_us() + (uint64_t)SRV_DRAIN_MS * 1000u;
    settle(c);
}

size_t srv_conn_pending(const struct srv_conn *c) { return srv_output_pending(c); }

void srv_conn_greeted(struct srv_conn *c)
{
    if (!c->fresh)
        return;
    srv_source_greeted(c->source);
    list_unlink(c);
    list_push_conns(c);
    srv_conn_active(c);
}

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
        if (c->shut_wr && c->discard_left == 0) {
            s->counts.cut_short++;
            conn_end(c, "peer kept sending after the server closed its side: closed at once");
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
        /* Discard input until EOF, up to the bound; after EOF the socket stays readable, so stop
         * watching it. */
        want_read = !c->peer_eof && !s->stopping && c->discard_left > 0;
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
    else if (c->state == SRV_DRAINING && c->discard_left < limit)
        limit = c->discard_left;
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
        else
            c->discard_left -= (uint32_t)n;
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
    list_append_fresh(c);
    c->t_active = s->clock_s;
    c->born_ms = srv_clock_ms(s);
    s->n_live++;
    return c;
}

uint32_t srv_clock_ms(const struct srv *s)
{
    return (uint32_t)((os_now_us() - s->t0_us) / 1000u);
}

struct srv_conn *srv_conn_open(struct srv *s, sock_t fd, uint32_t id, struct srv_source *src)
{
    struct srv_conn *c = conn_new(s, fd);
    if (c == NULL)
        return NULL;
    c->id = id;
    c->source = src;
    s->served++;
    /* Game: small frames, answered at once. Echo: a reply is whatever one read returned, rarely a
     * multiple of the MSS, so Nagle would hold each one's tail until the peer's ACK came back (on
     * loopback that cost a 4-connection stream half its throughput). No Nagle for either. */
    sock_set_nodelay(fd, 1, NULL);
    settle(c);
    return c;
}

int srv_conns_init(struct srv *s)
{
    s->proto->read_pause(s, &s->pause_at, &s->resume_at);
    s->rbuf = malloc(SRV_READ_CHUNK);
    s->reaper = event_new(s->base, -1, 0, on_reap, s);
    s->t0_us = os_now_us();
    return s->rbuf != NULL && s->reaper != NULL ? 0 : -1;
}

void srv_conns_stop(struct srv *s)
{
    struct srv_conn *c;
    s->stopping = 1;
    for (c = s->fresh; c != NULL; c = c->next)
        settle(c);
    for (c = s->conns; c != NULL; c = c->next)
        settle(c);
    check_stop_done(s);
}

void srv_conns_free_all(struct srv *s)
{
    struct srv_conn *c;
    while ((c = s->conns != NULL ? s->conns : s->fresh) != NULL) {
        conn_end(c, c->state == SRV_DEAD ? NULL : "server shutting down");
        on_reap(-1, 0, s);
    }
    on_reap(-1, 0, s);
    if (s->reaper != NULL)
        event_free(s->reaper);
    s->reaper = NULL;
    free(s->rbuf);
    s->rbuf = NULL;
}
