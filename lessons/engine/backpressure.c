/* backpressure.c - the writer's end of back-pressure, for lessons whose reader stops reading.
 *
 * app_output: what a libevent program does with output the kernel will not take now - send()
 * straight away while nothing is queued, keep the rest in its own evbuffer, flush that when the
 * socket turns writable, and, when a cap is set, cut the peer off once the buffer would pass it
 * (socklab-server's output.c and --max-outbuf). The first short send(), the first EWOULDBLOCK and
 * the cut-off are logged on the timeline when they happen.
 *
 * peer_watch: what the writer's kernel says about the peer while that happens - the window it
 * advertises, the persist timer's probes and backoff (TCP_INFO), the send queue (SIOCOUTQ) - and
 * the process's RSS; each turn of the story is logged the first time it is seen. */
#include "lessons/engine/backpressure.h"

#include <string.h>

#include <event2/buffer.h>

#include "compat/os.h"

#define MAX_PROBE_LOGS 8

int app_output_init(struct app_output *o, struct lesson_side *s, long long cap)
{
    memset(o, 0, sizeof *o);
    o->side = s;
    o->cap = cap;
    o->buf = evbuffer_new();
    if (o->buf == NULL) {
        side_error(s, "evbuffer_new", "out of memory");
        return -1;
    }
    return 0;
}

void app_output_free(struct app_output *o)
{
    if (o->buf != NULL)
        evbuffer_free(o->buf);
    o->buf = NULL;
}

size_t app_output_pending(const struct app_output *o) { return o->buf != NULL ? evbuffer_get_length(o->buf) : 0; }

/* The kernel's send queue at this moment, for the log line of the first EWOULDBLOCK. */
static void log_would_block(struct app_output *o, int code)
{
    long inq = -1, outq = -1;
    struct sock_tcpinfo ti;
    memset(&ti, 0, sizeof ti);
    ti.notsent_bytes = -1;
    sock_queue_sizes(side_sock(o->side), &inq, &outq, NULL);
    sock_tcp_info(side_sock(o->side), &ti, NULL);
    side_log(o->side, "send() failed with %s after %lld bytes: the kernel's send queue is full (SIOCOUTQ %ld, "
                      "notsent %ld; -1: not measurable here)",
             sock_err_name(code), o->written, outq, ti.notsent_bytes);
}

/* One send(); the bytes it took, 0 when the socket would block, -1 when it failed for good. */
static long send_some(struct app_output *o, const void *p, size_t len)
{
    long n = sock_send(side_sock(o->side), p, len);
    int code;
    if (n >= 0) {
        o->written += n;
        side_add_bytes(o->side, n, 0);
        return n;
    }
    code = sock_last_error();
    if (sock_err_is_retriable(code)) {
        if (!o->blocked) {
            o->blocked = 1;
            o->before_block = o->written;
            snprintf(o->block_error, sizeof o->block_error, "%s", sock_err_name(code));
            log_would_block(o, code);
        }
        return 0;
    }
    o->failed = 1;
    side_log(o->side, "send() failed with %s: the connection is gone", sock_err_name(code));
    return -1;
}

void app_output_flush(struct app_output *o)
{
    for (;;) {
        struct evbuffer_iovec v;
        long n;
        if (o->failed || o->buf == NULL || evbuffer_peek(o->buf, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            return;
        n = send_some(o, v.iov_base, v.iov_len);
        if (n <= 0)
            return;
        evbuffer_drain(o->buf, (size_t)n);
        if ((size_t)n < v.iov_len)
            return; /* the send buffer is full */
    }
}

int app_output_write(struct app_output *o, const void *data, size_t len)
{
    const char *p = data;
    size_t pending = app_output_pending(o);
    if (o->cut || o->failed || o->buf == NULL)
        return -1;
    o->produced += (long long)len;
    if (pending == 0) { /* nothing queued: straight to the kernel */
        long n = send_some(o, p, len);
        if (n < 0)
            return -1;
        if ((size_t)n < len && !o->grew) {
            o->grew = 1;
            side_log(o->side, "send() took %ld of %lu bytes; the rest starts the application's own output "
                              "buffer (an evbuffer)", n, (unsigned long)len);
        }
        p += n;
        len -= (size_t)n;
        if (len == 0)
            return 0;
    }
    if (o->cap > 0 && (long long)(pending + len) > o->cap) {
        o->cut = 1;
        o->dropped = (long long)(pending + len);
        side_log(o->side, "cut off: %lu bytes of output pending, over the cap of %lld (peer not reading)",
                 (unsigned long)(pending + len), o->cap);
        evbuffer_drain(o->buf, pending); /* the program lets go of what it held for this peer */
        return -1;
    }
    if (evbuffer_add(o->buf, p, len) != 0) {
        side_error(o->side, "evbuffer_add", "out of memory");
        o->failed = 1;
        return -1;
    }
    if (!o->grew) {
        o->grew = 1;
        side_log(o->side, "the application's own output buffer (an evbuffer) starts to grow: %lu bytes",
                 (unsigned long)len);
    }
    pending += len;
    if (pending > o->peak)
        o->peak = pending;
    return 0;
}

void peer_watch_init(struct peer_watch *w)
{
    memset(w, 0, sizeof *w);
    w->outq = w->outq_peak = w->probes_max = w->rss0 = w->rss_peak = -1;
}

void peer_watch_start_rss(struct peer_watch *w) { w->rss0 = w->rss_peak = os_rss_bytes(); }

void peer_watch_poll(struct lesson_side *s, struct peer_watch *w, const struct app_output *o, int sample)
{
    struct sock_tcpinfo ti;
    long inq = -1, rss = os_rss_bytes();
    memset(&ti, 0, sizeof ti);
    ti.snd_wnd = ti.probes = ti.backoff = ti.notsent_bytes = -1;
    w->outq = -1;
    sock_queue_sizes(side_sock(s), &inq, &w->outq, NULL);
    w->outq_peak = w->outq > w->outq_peak ? w->outq : w->outq_peak;
    w->rss_peak = rss > w->rss_peak ? rss : w->rss_peak;
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0) {
        w->tcp_info = 1;
        w->has_probes = ti.probes >= 0 && ti.backoff >= 0;
        if ((ti.snd_wnd == 0 || ti.probes > 0) && !w->zero_seen) {
            w->zero_seen = 1;
            side_log(s, "TCP_INFO: the peer advertises a zero window (snd_wnd %ld, probes %ld); SIOCOUTQ %ld",
                     ti.snd_wnd, ti.probes, w->outq);
        } else if (w->zero_seen && !w->reopened && ti.snd_wnd > 0) {
            w->reopened = 1;
            side_log(s, "TCP_INFO: the window is open again: snd_wnd %ld", ti.snd_wnd);
        }
        w->probes_max = ti.probes > w->probes_max ? ti.probes : w->probes_max;
        if (ti.backoff > w->backoff_max) {
            w->backoff_max = ti.backoff;
            if (w->probe_logs++ < MAX_PROBE_LOGS)
                side_log(s, "persist timer: a zero-window probe went out, backoff now %ld (probes %ld, snd_wnd %ld)",
                         ti.backoff, ti.probes, ti.snd_wnd);
        }
    }
    if (!sample)
        return;
    if (ti.snd_wnd >= 0)
        side_sample(s, "snd_wnd", "bytes", (double)ti.snd_wnd);
    if (ti.backoff >= 0)
        side_sample(s, "backoff", "probes", (double)ti.backoff);
    if (ti.probes >= 0)
        side_sample(s, "probes", "probes", (double)ti.probes);
    if (w->outq >= 0)
        side_sample(s, "outq", "bytes", (double)w->outq);
    if (ti.notsent_bytes >= 0)
        side_sample(s, "notsent", "bytes", (double)ti.notsent_bytes);
    if (o != NULL)
        side_sample(s, "app_buffer", "bytes", (double)app_output_pending(o));
    if (rss >= 0 && w->rss0 >= 0 && !side_process_shared(s)) /* shared: others' memory, not ours */
        side_sample(s, "rss_growth", "bytes", (double)(rss - w->rss0));
}
