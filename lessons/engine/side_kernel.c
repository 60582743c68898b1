/* side_kernel.c - closing a side's socket, and what the kernel says about the connection: its
 * state in the socket table (before, during and after the close) and the buffer limits. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "compat/os.h"

static void limit_fact(struct lesson_side *s, const char *key, long v)
{
    if (v >= 0) /* -1: this platform has no such limit */
        side_fact_int(s, key, v);
}

/* One direction's limits: tcp_Xmem.{min,default,max} and Xmem_max ("r" receive, "w" send). */
static void direction_limits(struct lesson_side *s, char x, const long mem[3], long mem_max)
{
    static const char *const names[3] = {"min", "default", "max"};
    char key[32];
    int i;
    for (i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "tcp_%cmem.%s", x, names[i]);
        limit_fact(s, key, mem[i]);
    }
    snprintf(key, sizeof key, "%cmem_max", x);
    limit_fact(s, key, mem_max);
    side_log(s, "kernel: tcp_%cmem %ld %ld %ld, %cmem_max %ld (-1: none here)", x, mem[0], mem[1], mem[2], x,
             mem_max);
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
    if (receive)
        direction_limits(s, 'r', l.tcp_rmem, l.rmem_max);
    if (send)
        direction_limits(s, 'w', l.tcp_wmem, l.wmem_max);
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
    char state[32], key[FACT_KEY_LEN], linger[24], qb[24], queue[160];
    const char *role = side_role_name(s->role);
    long inq = -1, outq = -1, notsent = -1;
    int onoff = 0, secs = 0, rc, code = 0, is_closer = (int)s->role == s->lesson->closer;
    uint64_t t1, t2;
    double ms;

    if (sock_get_linger(s->sock, &onoff, &secs, NULL) == 0)
        snprintf(linger, sizeof linger, onoff ? "{1,%d}" : "off", secs);
    else
        snprintf(linger, sizeof linger, "unknown");
    side_step(s, "close() the socket",
              onoff && secs == 0 ? "an RST [R.] at once (SO_LINGER{1,0}): queued data is thrown away"
              : onoff            ? "close() may wait up to the linger time for its data to be acknowledged "
                                   "(the timer runs during this pause too); then a FIN [F.]"
                                 : "a FIN [F.] after any queued data - or an RST [R.] if received data is unread");
    side_queue_text(s, queue, sizeof queue, &outq, &notsent);
    sock_queue_sizes(s->sock, &inq, &outq, NULL);
    if (is_closer) {
        side_fact_str(s, "closer", role);
        side_fact_str(s, "linger", linger);
        side_fact_int(s, "bytes_written_before_close", s->bytes_sent);
        /* Absent rather than -1 where the platform cannot tell (Windows has no SIOCOUTQ), so the
         * checks that need them say "not measured" instead of failing on a made-up number. */
        if (outq >= 0) /* SIOCOUTQ: not yet acknowledged, whether it left or not (the name is the contract's) */
            side_fact_int(s, "unsent_at_close", outq);
        if (notsent >= 0 && outq >= 0 && notsent <= outq) {
            side_fact_int(s, "never_sent_at_close", notsent);
            side_fact_int(s, "in_flight_at_close", outq - notsent);
        }
        if (inq >= 0)
            side_fact_int(s, "unread_at_close", inq);
    }
    side_log(s, "close() with SO_LINGER %s; %s; %s unread in the receive queue", linger, queue,
             count_text(inq, qb, sizeof qb));

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
    uint64_t t1;
    int rc;
    double ms;
    side_step(s, "shutdown(SHUT_WR)", "a FIN from this side only: the other direction stays open");
    t1 = os_now_us();
    rc = sock_shutdown(s->sock, SOCK_SHUT_WR, err);
    ms = (double)(os_now_us() - t1) / 1000.0;
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
