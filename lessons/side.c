/* side.c - what one side of a lesson can do and observe: every action is timed, logged on the
 * timeline and measured; nothing here states what *should* happen (that is the checks' job). */
#include "lessons/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat/os.h"

#define IO_CHUNK 16384

static const char pattern[IO_CHUNK]; /* payload; only byte counts matter (read-only, so threads share it) */

void side_init(struct lesson_side *s, const struct lesson *l, enum side_role role, sock_t sock,
               unsigned conn, uint64_t t0_us)
{
    memset(s, 0, sizeof *s);
    s->lesson = l;
    s->role = role;
    s->sock = sock;
    s->conn = conn;
    s->t0_us = t0_us;
    if (sock != SOCK_INVALID)
        side_learn_names(s);
    side_fact_prefix(s, NULL);
}

void side_learn_names(struct lesson_side *s)
{
    sock_local_name(s->sock, s->local_addr, sizeof s->local_addr, &s->local_port);
    sock_peer_name(s->sock, s->remote_addr, sizeof s->remote_addr, &s->remote_port);
}

const char *side_role_name(enum side_role r) { return r == SIDE_SERVER ? "server" : "client"; }

sock_t side_sock(const struct lesson_side *s) { return s->sock; }
enum side_role side_role(const struct lesson_side *s) { return s->role; }
unsigned side_conn(const struct lesson_side *s) { return s->conn; }
int side_process_shared(const struct lesson_side *s) { return s->shared_process; }

const char *side_platform(const struct lesson_side *s)
{
    (void)s;
    return sock_platform();
}

void side_fact_prefix(struct lesson_side *s, const char *prefix)
{
    const struct lesson *l = s->lesson;
    if (prefix == NULL) /* back to this connection's own */
        prefix = s->conn < sizeof l->conn_prefix / sizeof l->conn_prefix[0] && l->conn_prefix[s->conn] != NULL
                     ? l->conn_prefix[s->conn]
                     : "";
    snprintf(s->prefix, sizeof s->prefix, "%s", prefix);
}

void side_log(struct lesson_side *s, const char *fmt, ...)
{
    struct event *e;
    va_list ap;
    if (s->nevents >= MAX_EVENTS)
        return;
    e = &s->events[s->nevents++];
    e->t_ms = (double)(os_now_us() - s->t0_us) / 1000.0;
    e->role = s->role;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}

static void put(struct lesson_side *s, const char *key, struct fact *f)
{
    size_t plen = strlen(s->prefix), klen = strlen(key);
    if (plen + klen >= sizeof f->key) { /* a lesson bug: say so rather than store a cut name */
        side_error(s, "fact key too long", key);
        return;
    }
    memcpy(f->key, s->prefix, plen);
    memcpy(f->key + plen, key, klen + 1);
    factset_put(&s->facts, f);
}

void side_fact_str(struct lesson_side *s, const char *key, const char *value)
{
    struct fact f;
    memset(&f, 0, sizeof f);
    f.type = FACT_STR;
    snprintf(f.s, sizeof f.s, "%s", value);
    put(s, key, &f);
}

void side_fact_int(struct lesson_side *s, const char *key, long long value)
{
    struct fact f;
    memset(&f, 0, sizeof f);
    f.type = FACT_INT;
    f.i = value;
    put(s, key, &f);
}

void side_fact_ms(struct lesson_side *s, const char *key, double ms)
{
    struct fact f;
    memset(&f, 0, sizeof f);
    f.type = FACT_MS;
    f.ms = ms;
    put(s, key, &f);
}

void side_fact_bool(struct lesson_side *s, const char *key, int value)
{
    struct fact f;
    memset(&f, 0, sizeof f);
    f.type = FACT_BOOL;
    f.i = value != 0;
    put(s, key, &f);
}

void side_fact_num(struct lesson_side *s, const char *key, double value)
{
    struct fact f;
    memset(&f, 0, sizeof f);
    f.type = FACT_NUM;
    f.ms = value;
    put(s, key, &f);
}

void side_error(struct lesson_side *s, const char *what, const char *err)
{
    if (s->nerrors < MAX_ERRORS)
        snprintf(s->errors[s->nerrors++], ERROR_LEN, "%.60s: %s", what, err);
    side_log(s, "ERROR %s: %s", what, err);
}

int side_wait(struct lesson_side *s, int want_write, int timeout_ms)
{
    if (s->waiter == NULL)
        s->waiter = sock_waiter_new();
    if (s->waiter == NULL)
        return sock_wait(s->sock, want_write, timeout_ms);
    return sock_waiter_wait(s->waiter, s->sock, want_write, timeout_ms);
}

void side_release(struct lesson_side *s)
{
    sock_waiter_free(s->waiter);
    s->waiter = NULL;
}

void side_set_buffer(struct lesson_side *s, sock_t sock, enum sock_buf which, int bytes, const char *key)
{
    char err[SOCK_ERR_LEN];
    int got = 0;
    const char *name = which == SOCK_SNDBUF ? "SO_SNDBUF" : "SO_RCVBUF";
    if (sock_set_bufsize(sock, which, bytes, err) != 0 || sock_get_bufsize(sock, which, &got, err) != 0) {
        side_error(s, name, err);
        return;
    }
    side_fact_int(s, key, got);
    side_log(s, "set %s to %d: the kernel reports %d", name, bytes, got);
}

void side_sleep(struct lesson_side *s, int ms)
{
    (void)s;
    os_sleep_ms(ms);
}

void side_add_bytes(struct lesson_side *s, long long sent, long long received)
{
    s->bytes_sent += sent;
    s->bytes_received += received;
}

static const char *last_error_name(void) { return sock_err_name(sock_last_error()); }

long side_fill(struct lesson_side *s, long bytes, int stall_ms)
{
    char err[SOCK_ERR_LEN];
    long total = 0, inq, outq;
    int stalls = 0;
    if (sock_set_nonblocking(s->sock, 1, err) != 0) {
        side_error(s, "fill", err);
        return 0;
    }
    while (total < bytes && stalls < 2) {
        size_t want = (size_t)(bytes - total < IO_CHUNK ? bytes - total : IO_CHUNK);
        long n = sock_send(s->sock, pattern, want);
        if (n > 0) {
            total += n;
            stalls = 0;
            continue;
        }
        if (n < 0 && sock_err_is_retriable(sock_last_error())) {
            if (side_wait(s, 1, stall_ms) == 0)
                stalls++; /* the peer's window and our send buffer are both full */
            continue;
        }
        side_log(s, "send failed: %s", last_error_name());
        break;
    }
    s->bytes_sent += total;
    if (sock_queue_sizes(s->sock, &inq, &outq, NULL) == 0 && outq >= 0)
        side_log(s, "wrote %ld of %ld bytes without blocking; %ld not yet acknowledged by the peer", total,
                 bytes, outq);
    else
        side_log(s, "wrote %ld of %ld bytes without blocking", total, bytes);
    return total;
}

long side_send(struct lesson_side *s, long bytes, int timeout_ms)
{
    uint64_t deadline = os_now_us() + (uint64_t)timeout_ms * 1000u;
    long total = 0;
    while (total < bytes && os_now_us() < deadline) {
        size_t want = (size_t)(bytes - total < IO_CHUNK ? bytes - total : IO_CHUNK);
        long n = sock_send(s->sock, pattern, want);
        if (n > 0) {
            total += n;
        } else if (n < 0 && sock_err_is_retriable(sock_last_error())) {
            side_wait(s, 1, 100);
        } else {
            int code = sock_last_error();
            side_log(s, "send after %ld bytes failed: %s", total, sock_err_name(code));
            side_fact_str(s, "send_result", sock_err_name(code));
            side_fact_bool(s, "send_reset", sock_err_is_reset(code));
            break;
        }
    }
    s->bytes_sent += total;
    if (total == bytes)
        side_log(s, "sent %ld bytes", total);
    return total;
}

long side_recv(struct lesson_side *s, long bytes, int timeout_ms)
{
    char sink[IO_CHUNK]; /* read data is counted, never inspected */
    uint64_t deadline = os_now_us() + (uint64_t)timeout_ms * 1000u;
    long total = 0;
    while (total < bytes && os_now_us() < deadline) {
        long n;
        if (side_wait(s, 0, 100) <= 0)
            continue;
        n = sock_recv(s->sock, sink, (size_t)(bytes - total < IO_CHUNK ? bytes - total : IO_CHUNK));
        if (n > 0)
            total += n;
        else if (n == 0 || !sock_err_is_retriable(sock_last_error()))
            break;
    }
    s->bytes_received += total;
    side_log(s, "received %ld bytes", total);
    return total;
}

long side_drain(struct lesson_side *s, int idle_ms, const char *saw_key, const char *bytes_key)
{
    char sink[IO_CHUNK];
    const char *saw = "timeout", *errname = NULL;
    long total = 0;
    char key[FACT_KEY_LEN];
    for (;;) {
        long n;
        int ready = side_wait(s, 0, idle_ms);
        if (ready <= 0)
            break;
        n = sock_recv(s->sock, sink, sizeof sink);
        if (n > 0) {
            total += n;
            continue;
        }
        if (n == 0) {
            saw = "eof";
            break;
        }
        if (sock_err_is_retriable(sock_last_error()))
            continue;
        errname = last_error_name();
        saw = sock_err_is_reset(sock_last_error()) ? "reset" : "error";
        break;
    }
    s->bytes_received += total;
    if (errname != NULL)
        side_log(s, "read %ld bytes, then recv() failed with %s", total, errname);
    else if (strcmp(saw, "eof") == 0)
        side_log(s, "read %ld bytes, then recv() returned 0 (EOF: the peer's FIN)", total);
    else
        side_log(s, "read %ld bytes, then nothing for %d ms", total, idle_ms);
    if (saw_key != NULL) {
        side_fact_str(s, saw_key, saw);
        if (errname != NULL) {
            snprintf(key, sizeof key, "%s_error", saw_key);
            side_fact_str(s, key, errname);
        }
    }
    if (bytes_key != NULL)
        side_fact_int(s, bytes_key, s->bytes_received);
    return total;
}

static void limit_fact(struct lesson_side *s, const char *key, long v)
{
    if (v >= 0) /* -1: this platform has no such limit */
        side_fact_int(s, key, v);
}

void side_kernel_limits(struct lesson_side *s, int receive, int send)
{
    struct sock_limits l;
    char err[SOCK_ERR_LEN];
    if (sock_kernel_limits(&l, err) != 0) {
        side_log(s, "kernel buffer limits not read: %s", err);
        return;
    }
    side_fact_prefix(s, "kernel_limits.");
    if (receive) {
        limit_fact(s, "tcp_rmem.min", l.tcp_rmem[0]);
        limit_fact(s, "tcp_rmem.default", l.tcp_rmem[1]);
        limit_fact(s, "tcp_rmem.max", l.tcp_rmem[2]);
        limit_fact(s, "rmem_max", l.rmem_max);
        side_log(s, "kernel: tcp_rmem %ld %ld %ld, rmem_max %ld (-1: none here)", l.tcp_rmem[0], l.tcp_rmem[1],
                 l.tcp_rmem[2], l.rmem_max);
    }
    if (send) {
        limit_fact(s, "tcp_wmem.min", l.tcp_wmem[0]);
        limit_fact(s, "tcp_wmem.default", l.tcp_wmem[1]);
        limit_fact(s, "tcp_wmem.max", l.tcp_wmem[2]);
        limit_fact(s, "wmem_max", l.wmem_max);
        side_log(s, "kernel: tcp_wmem %ld %ld %ld, wmem_max %ld (-1: none here)", l.tcp_wmem[0], l.tcp_wmem[1],
                 l.tcp_wmem[2], l.wmem_max);
    }
    side_fact_prefix(s, NULL);
}

/* 1 and *st when the kernel still knows this connection, 0 when it is gone, -1 on error. */
static int kernel_state(struct lesson_side *s, enum sock_state *st)
{
    return sock_conn_state(s->local_addr, s->local_port, s->remote_addr, s->remote_port, st, NULL);
}

const char *side_kernel_state(struct lesson_side *s, char *buf, size_t len)
{
    enum sock_state st = SOCK_ST_UNKNOWN;
    int rc = kernel_state(s, &st);
    snprintf(buf, len, "%s", rc < 0 ? "unknown" : rc == 0 ? "closed" : sock_state_name(st));
    return buf;
}

static const char *count_text(long v, char *buf, size_t len)
{
    if (v < 0)
        snprintf(buf, len, "(not measurable here)");
    else
        snprintf(buf, len, "%ld", v);
    return buf;
}

int side_close(struct lesson_side *s)
{
    char state[32], key[FACT_KEY_LEN], linger[24], qa[24], qb[24];
    const char *role = side_role_name(s->role);
    long inq = -1, outq = -1;
    int onoff = 0, secs = 0, rc, code = 0, is_closer = (int)s->role == s->lesson->closer;
    uint64_t t1, t2;
    double ms;

    if (sock_get_linger(s->sock, &onoff, &secs, NULL) == 0)
        snprintf(linger, sizeof linger, onoff ? "{1,%d}" : "off", secs);
    else
        snprintf(linger, sizeof linger, "unknown");
    sock_queue_sizes(s->sock, &inq, &outq, NULL);
    if (is_closer) {
        side_fact_str(s, "closer", role);
        side_fact_str(s, "linger", linger);
        side_fact_int(s, "bytes_written_before_close", s->bytes_sent);
        /* Absent rather than -1 where the platform cannot tell (Windows has no SIOCOUTQ), so the
         * checks that need them say "not measured" instead of failing on a made-up number. */
        if (outq >= 0)
            side_fact_int(s, "unsent_at_close", outq);
        if (inq >= 0)
            side_fact_int(s, "unread_at_close", inq);
    }
    side_log(s, "close() with SO_LINGER %s; %s bytes unacknowledged, %s unread in the receive queue", linger,
             count_text(outq, qa, sizeof qa), count_text(inq, qb, sizeof qb));

    t1 = os_now_us();
    rc = sock_close(s->sock);
    if (rc != 0)
        code = sock_last_error();
    t2 = os_now_us();
    ms = (double)(t2 - t1) / 1000.0;
    if (is_closer) {
        side_fact_ms(s, "close_call_ms", ms);
        side_fact_str(s, "close_result", rc == 0 ? "ok" : sock_err_name(code));
    } else {
        snprintf(key, sizeof key, "%s_close_result", role);
        side_fact_str(s, key, rc == 0 ? "ok" : sock_err_name(code));
    }
    if (rc == 0) {
        s->closed = 1;
        side_log(s, "close() returned ok after %.1f ms", ms);
    } else {
        side_log(s, "close() failed with %s after %.1f ms; the socket stays open", sock_err_name(code), ms);
    }
    side_kernel_state(s, state, sizeof state);
    snprintf(key, sizeof key, "%s_state_after_close", role);
    side_fact_str(s, key, state);
    side_log(s, "kernel: our end of the connection is now %s", state);
    return rc == 0 ? 0 : -1;
}

int side_shutdown_write(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN], state[32];
    uint64_t t1 = os_now_us();
    int rc = sock_shutdown(s->sock, SOCK_SHUT_WR, err);
    double ms = (double)(os_now_us() - t1) / 1000.0;
    side_fact_ms(s, "shutdown_call_ms", ms);
    side_fact_str(s, "shutdown_result", rc == 0 ? "ok" : sock_err_name(sock_last_error()));
    if (rc != 0)
        side_log(s, "shutdown(write) failed: %s", err);
    else
        side_log(s, "shutdown(write) returned after %.2f ms; kernel: now %s", ms,
                 side_kernel_state(s, state, sizeof state));
    return rc;
}

static int is_closing(enum sock_state st)
{
    return st == SOCK_ST_FIN_WAIT1 || st == SOCK_ST_FIN_WAIT2 || st == SOCK_ST_CLOSING ||
           st == SOCK_ST_LAST_ACK || st == SOCK_ST_CLOSE_WAIT || st == SOCK_ST_ESTABLISHED;
}

void side_settle(struct lesson_side *s, int max_ms)
{
    enum sock_state st = SOCK_ST_UNKNOWN;
    char key[FACT_KEY_LEN];
    const char *final = "unknown";
    uint64_t start = os_now_us();
    int rc, polls;
    /* Bounded both ways: at most max_ms, polling every 10 ms. */
    for (polls = 0; polls <= max_ms / 10; polls++) {
        rc = kernel_state(s, &st);
        if (rc < 0)
            break;
        if (rc == 0) {
            final = "closed";
            break;
        }
        final = sock_state_name(st);
        if (!is_closing(st))
            break;
        os_sleep_ms(10);
    }
    snprintf(key, sizeof key, "%s_final_state", side_role_name(s->role));
    side_fact_str(s, key, final);
    if (strcmp(final, "TIME_WAIT") == 0) {
        char where[FACT_STR_LEN];
        snprintf(where, sizeof where, "%s:%u", s->local_addr, (unsigned)s->local_port);
        side_fact_str(s, "time_wait_socket", where);
    }
    side_log(s, "kernel: %u -> %u settled in %s after %.0f ms", (unsigned)s->local_port, (unsigned)s->remote_port,
             strcmp(final, "closed") == 0 ? "no state (gone from the table)" : final,
             (double)(os_now_us() - start) / 1000.0);
}
