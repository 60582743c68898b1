/* output.c - what a connection sends: straight to the kernel when nothing is queued, else into an
 * evbuffer that exists only while it holds bytes and is drained when the socket turns writable.
 *
 * It only says what happened (sent, queued, over the cap, failed); what that means for the
 * connection - cut off a peer past --max-outbuf, end one whose send failed - is conn.c's to decide,
 * so a connection ends in one place. The cap bounds what one peer that stopped reading can cost
 * us, because the alternative is to buffer broadcasts for it without limit. */
#include "server/server.h"

#include <event2/buffer.h>

#include "compat/os.h"

#define FLUSH_ROUNDS 16 /* sends per write event, so one fast reader cannot starve the rest */

size_t srv_output_pending(const struct srv_conn *c)
{
    return c->out != NULL ? evbuffer_get_length(c->out) : 0;
}

void srv_output_drop(struct srv_conn *c)
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

enum srv_out srv_output_flush(struct srv_conn *c, struct srv_out_why *why)
{
    int round;
    for (round = 0; round < FLUSH_ROUNDS && c->out != NULL; round++) {
        struct evbuffer_iovec v;
        long n;
        if (evbuffer_peek(c->out, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            return SRV_OUT_SENT;
        n = sock_send(c->fd, v.iov_base, v.iov_len);
        if (n < 0) {
            why->code = sock_last_error();
            return sock_err_is_retriable(why->code) ? SRV_OUT_QUEUED : SRV_OUT_FAILED;
        }
        evbuffer_drain(c->out, (size_t)n);
        count_out(c, n);
        if ((size_t)n < v.iov_len)
            return SRV_OUT_QUEUED; /* the send buffer is full */
    }
    return srv_output_pending(c) > 0 ? SRV_OUT_QUEUED : SRV_OUT_SENT;
}

enum srv_out srv_output_write(struct srv_conn *c, const void *data, size_t len, struct srv_out_why *why)
{
    struct srv *s = c->srv;
    const uint8_t *p = data;

    if (c->out == NULL) {
        long n = sock_send(c->fd, p, len);
        if (n < 0) {
            why->code = sock_last_error();
            if (!sock_err_is_retriable(why->code))
                return SRV_OUT_FAILED;
            n = 0;
        }
        count_out(c, n);
        p += n;
        len -= (size_t)n;
        if (len == 0)
            return SRV_OUT_SENT;
        c->out = evbuffer_new();
        if (c->out == NULL)
            return SRV_OUT_NO_MEMORY;
        s->n_with_output++;
    }
    why->wanted = evbuffer_get_length(c->out) + len;
    if (why->wanted > (size_t)s->cfg.max_outbuf)
        return SRV_OUT_OVER_CAP;
    if (evbuffer_add(c->out, p, len) != 0)
        return SRV_OUT_NO_MEMORY;
    return SRV_OUT_QUEUED;
}
