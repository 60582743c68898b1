/* echo.c - --proto echo: every byte read is sent back. The read size is capped so that echoing a
 * read can never push a slow reader's pending output over --max-outbuf: an echo client that does
 * not read is slowed down (backpressure), never cut off. With --close-after-echo a connection ends
 * gracefully once its first read is echoed: the server closes first (churn with TIME_WAIT on the
 * server, the load of the TIME_WAIT lessons). */
#include "server/server.h"

/* Output is pending only when the peer's socket buffer is full, and reading more would only copy it
 * into ours, so reading waits until all of it has gone out. */
static void echo_read_pause(const struct srv *s, size_t *pause_at, size_t *resume_at)
{
    (void)s;
    *pause_at = 1;
    *resume_at = 0;
}

static size_t echo_read_limit(const struct srv_conn *c)
{
    size_t pending = srv_conn_pending(c), cap = (size_t)c->srv->cfg.max_outbuf;
    size_t room = pending < cap ? cap - pending : 0;
    return room < SRV_READ_CHUNK ? room : SRV_READ_CHUNK;
}

/* Echo has no greeting: a first byte is the proof of a client, and input is the activity. */
static void echo_input(struct srv_conn *c, const uint8_t *data, size_t len)
{
    if (c->fresh)
        srv_conn_greeted(c);
    else
        srv_conn_active(c);
    srv_conn_send(c, data, len);
    if (c->srv->cfg.close_after_echo)
        srv_conn_finish(c, "echoed its first read (--close-after-echo)");
}

const struct srv_proto srv_echo_proto = {
    .name = "echo",
    .read_pause = echo_read_pause,
    .read_limit = echo_read_limit,
    .input = echo_input,
    /* no timers on its fast path: the loop's plain millisecond timers cost no extra syscall */
    .precise_timers = 0,
    /* RFC 862 has no greeting and no way to say why a connection ends (farewell NULL); a person
     * typing into nc may pause for minutes */
    .greeting = 0,
    .idle_default_s = 600,
};
