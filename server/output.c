/* output.c - what a connection sends: straight to the kernel when nothing is queued, else into an
 * evbuffer that exists only while it holds bytes and is drained when the socket turns writable.
 *
 * The cap (--max-outbuf) bounds what one peer that stopped reading can cost us: past it the peer is
 * cut off, because the alternative is to buffer broadcasts for it without limit. */
#include "server/server.h"

#include <stdio.h>

#include <event2/buffer.h>

#include "compat/os.h"

#define FLUSH_ROUNDS 16 /* sends per write event, so one fast reader cannot starve the rest */

size_t srv_conn_pending(const struct srv_conn *c)
{
    return c->out != NULL ? evbuffer_get_length(c->out) : 0;
}

void srv_conn_drop_output(struct srv_conn *c)
{
    if (c->out == NULL)
        return;
    evbuffer_free(c->out);
    c->out = NULL;
    c->srv->n_with_output--;
}

static void count_out(struct srv_conn *c, long n)
{
    c->bytes_out += (uint64_t)n;
    c->srv->bytes_out += (uint64_t)n;
    /* A graceful close waits for a peer that is slow but reading for as long as it keeps reading:
     * the deadline measures silence, not the length of the flush. */
    if (c->state == SRV_DRAINING && n > 0)
        c->drain_deadline_us = os_now_us() + (uint64_t)SRV_DRAIN_MS * 1000u;
}

/* Sends what the kernel takes from the pending output. */
static void flush(struct srv_conn *c)
{
    int round;
    for (round = 0; round < FLUSH_ROUNDS && c->out != NULL; round++) {
        struct evbuffer_iovec v;
        long n;
        if (evbuffer_peek(c->out, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            break;
        n = sock_send(c->fd, v.iov_base, v.iov_len);
        if (n < 0) {
            int code = sock_last_error();
            if (!sock_err_is_retriable(code))
                srv_conn_fail(c, "send", code);
            return;
        }
        evbuffer_drain(c->out, (size_t)n);
        count_out(c, n);
        if ((size_t)n < v.iov_len)
            return; /* the send buffer is full */
    }
}

void srv_conn_on_write(evutil_socket_t fd, short what, void *arg)
{
    struct srv_conn *c = arg;
    (void)fd;
    if (!(what & EV_TIMEOUT))
        flush(c);
    srv_conn_settle(c); /* after a timeout: ends the connection if its drain deadline passed */
}

void srv_conn_send(struct srv_conn *c, const void *data, size_t len)
{
    struct srv *s = c->srv;
    const uint8_t *p = data;
    size_t pending;

    if (c->state == SRV_DEAD || c->shut_wr || len == 0)
        return;
    if (c->out == NULL) {
        long n = sock_send(c->fd, p, len);
        if (n < 0) {
            int code = sock_last_error();
            if (!sock_err_is_retriable(code)) {
                srv_conn_fail(c, "send", code);
                return;
            }
            n = 0;
        }
        count_out(c, n);
        p += n;
        len -= (size_t)n;
        if (len == 0)
            return;
        c->out = evbuffer_new();
        if (c->out == NULL) {
            srv_conn_kill(c, "out of memory for output");
            return;
        }
        s->n_with_output++;
    }
    pending = evbuffer_get_length(c->out);
    if (pending + len > (size_t)s->cfg.max_outbuf) {
        char why[160];
        snprintf(why, sizeof why,
                 "cut off: %lu bytes of output pending, over --max-outbuf %d (peer not reading)",
                 (unsigned long)(pending + len), s->cfg.max_outbuf);
        srv_conn_kill(c, why);
        return;
    }
    if (evbuffer_add(c->out, p, len) != 0) {
        srv_conn_kill(c, "out of memory for output");
        return;
    }
    srv_conn_settle(c);
}
