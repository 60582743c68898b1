/* sample.c - a side's time series: points it records, its socket's buffers, queues and TCP_INFO
 * sampled at one moment, and bulk transfers that sample as they go. Every point is a reading
 * taken in this run; what a platform cannot tell is left out, never filled in. */
#include "lessons/engine/internal.h"

#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define BULK_CHUNK 65536

static const char payload[BULK_CHUNK]; /* only byte counts matter; read-only, so threads share it */

static double since_start_ms(const struct lesson_side *s, uint64_t now_us)
{
    return (double)(now_us - s->t0_us) / 1000.0;
}

static void sample_at(struct lesson_side *s, double t_ms, const char *metric, const char *unit, double v)
{
    char group[SERIES_NAME_LEN];
    struct series *ser;
    if (s->series == NULL) {
        s->series = calloc(1, sizeof *s->series);
        if (s->series == NULL) {
            side_error(s, "samples", "out of memory");
            return;
        }
    }
    series_group_name(s->prefix, group, sizeof group);
    ser = series_get(s->series, group, s->role, metric, unit);
    if (ser != NULL)
        series_add(ser, t_ms, v);
}

void side_sample(struct lesson_side *s, const char *metric, const char *unit, double value)
{
    sample_at(s, since_start_ms(s, os_now_us()), metric, unit, value);
}

static void sample_if_known(struct lesson_side *s, double t, const char *metric, const char *unit, long v)
{
    if (v >= 0)
        sample_at(s, t, metric, unit, (double)v);
}

void side_sample_socket(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    long inq = -1, outq = -1;
    int sndbuf = -1, rcvbuf = -1;
    double t = since_start_ms(s, os_now_us());

    if (sock_get_bufsize(s->sock, SOCK_SNDBUF, &sndbuf, NULL) == 0)
        sample_if_known(s, t, "sndbuf", "bytes", sndbuf);
    if (sock_get_bufsize(s->sock, SOCK_RCVBUF, &rcvbuf, NULL) == 0)
        sample_if_known(s, t, "rcvbuf", "bytes", rcvbuf);
    sock_queue_sizes(s->sock, &inq, &outq, NULL); /* each -1 where the platform cannot tell */
    sample_if_known(s, t, "inq", "bytes", inq);
    sample_if_known(s, t, "outq", "bytes", outq);
    /* Fields a platform's TCP_INFO lacks stay -1 (set here too, in case a reader skips them). */
    memset(&ti, 0, sizeof ti);
    ti.rcv_space = ti.snd_cwnd = ti.notsent_bytes = ti.snd_wnd = -1;
    ti.rwnd_limited_us = ti.sndbuf_limited_us = -1;
    if (sock_tcp_info(s->sock, &ti, NULL) == 0) {
        sample_if_known(s, t, "rcv_space", "bytes", ti.rcv_space);
        sample_if_known(s, t, "snd_cwnd", "segments", ti.snd_cwnd);
        sample_if_known(s, t, "notsent", "bytes", ti.notsent_bytes);
        sample_if_known(s, t, "snd_wnd", "bytes", ti.snd_wnd);
        if (ti.rwnd_limited_us >= 0)
            sample_at(s, t, "rwnd_limited", "ms", (double)ti.rwnd_limited_us / 1000.0);
        if (ti.sndbuf_limited_us >= 0)
            sample_at(s, t, "sndbuf_limited", "ms", (double)ti.sndbuf_limited_us / 1000.0);
    }
    sample_at(s, t, "sent", "bytes", (double)s->bytes_sent);
    sample_at(s, t, "received", "bytes", (double)s->bytes_received);
}

void side_series_facts(struct lesson_side *s, const char *metric, const char *key)
{
    char group[SERIES_NAME_LEN], k[FACT_KEY_LEN];
    const struct series *ser = NULL;
    double lo, hi;
    size_t i;
    int as_ms;
    static const char *const names[] = {"first", "min", "max", "last"};
    double v[4];

    series_group_name(s->prefix, group, sizeof group);
    if (s->series != NULL)
        ser = series_find(s->series, group, s->role, metric);
    if (ser == NULL || ser->n == 0) {
        side_log(s, "no samples of %s to sum up", metric);
        return;
    }
    lo = hi = ser->p[0].v;
    for (i = 1; i < ser->n; i++) {
        lo = ser->p[i].v < lo ? ser->p[i].v : lo;
        hi = ser->p[i].v > hi ? ser->p[i].v : hi;
    }
    v[0] = ser->p[0].v;
    v[1] = lo;
    v[2] = hi;
    v[3] = ser->p[ser->n - 1].v;
    as_ms = strcmp(ser->unit, "ms") == 0;
    for (i = 0; i < 4; i++) {
        snprintf(k, sizeof k, "%s.%s", key, names[i]);
        if (as_ms)
            side_fact_num(s, k, v[i]);
        else
            side_fact_int(s, k, (long long)v[i]);
    }
    snprintf(k, sizeof k, "%s.samples", key);
    side_fact_int(s, k, (long long)ser->n);
}

/* The next sampling moment after now, on the grid start + k * step. */
static uint64_t next_tick(uint64_t next, uint64_t now, int sample_ms)
{
    uint64_t step = (uint64_t)sample_ms * 1000u;
    while (next <= now)
        next += step;
    return next;
}

/* A transfer starts: nothing moved yet, and the socket non-blocking (so a full queue is waited for
 * with side_wait, never inside send/recv). 0, or -1 after recording why. */
static int transfer_begin(struct lesson_side *s, struct side_transfer *t, const char *what)
{
    char err[SOCK_ERR_LEN];
    memset(t, 0, sizeof *t);
    t->ended = "error";
    if (sock_set_nonblocking(s->sock, 1, err) != 0) {
        side_error(s, what, err);
        return -1;
    }
    return 0;
}

/* One sample of the socket when one is due (sample_ms > 0); *next moves to the following one. */
static void sample_if_due(struct lesson_side *s, int sample_ms, uint64_t now, uint64_t *next)
{
    if (sample_ms > 0 && now >= *next) {
        side_sample_socket(s);
        *next = next_tick(*next, now, sample_ms);
    }
}

static void finish(struct side_transfer *t, uint64_t start, uint64_t end)
{
    t->ms = (double)(end - start) / 1000.0;
    t->mib_per_s = t->ms > 0 ? (double)t->bytes / (1024.0 * 1024.0) / (t->ms / 1000.0) : 0;
}

void side_stream(struct lesson_side *s, long long max_bytes, int duration_ms, int sample_ms,
                 struct side_transfer *t)
{
    uint64_t start, end, next, now;
    side_step(s, "stream data as fast as the connection takes it",
              "Statistics > TCP Stream Graphs: the window and throughput over time");
    start = next = os_now_us();
    end = start + (uint64_t)duration_ms * 1000u;

    if (transfer_begin(s, t, "stream") != 0)
        return;
    for (;;) {
        long n;
        now = os_now_us();
        sample_if_due(s, sample_ms, now, &next);
        if (now >= end) {
            t->ended = "time limit";
            break;
        }
        if (t->bytes >= max_bytes) {
            t->ended = "byte limit";
            break;
        }
        n = sock_send(s->sock, payload,
                      (size_t)(max_bytes - t->bytes < BULK_CHUNK ? max_bytes - t->bytes : BULK_CHUNK));
        if (n > 0) {
            t->bytes += n;
            s->bytes_sent += n;
        } else if (n < 0 && sock_err_is_retriable(sock_last_error())) {
            /* The send buffer is full: wait for room, but not past the next sample or the end. */
            uint64_t until = sample_ms > 0 && next < end ? next : end;
            int wait_ms = until > now ? (int)((until - now + 999) / 1000) : 1;
            side_wait(s, 1, wait_ms);
        } else {
            int code = sock_last_error();
            t->ended = sock_err_is_reset(code) ? "reset" : "error";
            side_log(s, "send failed after %lld bytes: %s", t->bytes, sock_err_name(code));
            break;
        }
    }
    if (sample_ms > 0)
        side_sample_socket(s); /* the state the transfer ended in */
    finish(t, start, os_now_us());
    side_log(s, "sent %lld bytes in %.0f ms (%.1f MiB/s), stopped by the %s", t->bytes, t->ms, t->mib_per_s,
             t->ended);
}

void side_sink(struct lesson_side *s, int idle_ms, int sample_ms, struct side_transfer *t)
{
    char buf[BULK_CHUNK]; /* read data is counted, never inspected */
    uint64_t start, last_data, next, now;
    side_step(s, "read everything until the peer ends", "the ACKs and their window field as the data flows");
    start = last_data = next = os_now_us();

    if (transfer_begin(s, t, "sink") != 0)
        return;
    for (;;) {
        long n;
        now = os_now_us();
        sample_if_due(s, sample_ms, now, &next);
        if (now >= last_data + (uint64_t)idle_ms * 1000u) {
            t->ended = "timeout";
            break;
        }
        n = sock_recv(s->sock, buf, sizeof buf);
        if (n > 0) {
            t->bytes += n;
            s->bytes_received += n;
            last_data = now;
        } else if (n == 0) {
            t->ended = "eof";
            last_data = now;
            break;
        } else if (sock_err_is_retriable(sock_last_error())) {
            /* Nothing queued: wait for data, but not past the next sample or the idle limit. */
            uint64_t until = last_data + (uint64_t)idle_ms * 1000u;
            if (sample_ms > 0 && next < until)
                until = next;
            side_wait(s, 0, until > now ? (int)((until - now + 999) / 1000) : 1);
        } else {
            int code = sock_last_error();
            t->ended = sock_err_is_reset(code) ? "reset" : "error";
            side_log(s, "recv failed after %lld bytes: %s", t->bytes, sock_err_name(code));
            break;
        }
    }
    if (sample_ms > 0)
        side_sample_socket(s);
    finish(t, start, last_data); /* the idle wait at the end is not transfer time */
    side_log(s, "received %lld bytes in %.0f ms (%.1f MiB/s), then %s", t->bytes, t->ms, t->mib_per_s,
             strcmp(t->ended, "eof") == 0 ? "EOF" : t->ended);
}
