/* side_io.c - what a side does with its socket: set buffer sizes, send, fill the send queue, read,
 * drain to the end. Every action is timed, logged on the timeline and counted. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "compat/os.h"

#define IO_CHUNK 16384

static const char pattern[IO_CHUNK]; /* payload; only byte counts matter (read-only, so threads share it) */

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

void side_add_bytes(struct lesson_side *s, long long sent, long long received)
{
    s->bytes_sent += sent;
    s->bytes_received += received;
}

static const char *last_error_name(void) { return sock_err_name(sock_last_error()); }

long side_fill(struct lesson_side *s, long bytes, int stall_ms)
{
    char err[SOCK_ERR_LEN], queue[160];
    long total = 0, outq, notsent;
    int stalls = 0;
    side_step(s, "write more than the peer can take, without blocking",
              "data segments [P.] until the peer's advertised window (win) closes");
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
    side_log(s, "wrote %ld of %ld bytes without blocking; %s", total, bytes,
             side_queue_text(s, queue, sizeof queue, &outq, &notsent));
    return total;
}

long side_send(struct lesson_side *s, long bytes, int timeout_ms)
{
    uint64_t deadline, started;
    long total = 0;
    side_step(s, "send()", "data segments [P.] from this side's port, and the peer's ACKs");
    started = os_now_us();
    deadline = started + (uint64_t)timeout_ms * 1000u; /* after the step: a pause is not the call's time */
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
    if (total == bytes) /* stamped at the send: its bytes can reach the peer before send() returns */
        side_log_at(s, started, "sent %ld bytes", total);
    return total;
}

long side_recv(struct lesson_side *s, long bytes, int timeout_ms)
{
    char sink[IO_CHUNK]; /* read data is counted, never inspected */
    uint64_t deadline;
    long total = 0;
    side_step(s, "recv() what the peer sent", "the ACKs this side sends as it reads (the window opens)");
    deadline = os_now_us() + (uint64_t)timeout_ms * 1000u;
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
    side_step(s, "read until the peer ends", "the peer's last data, then its FIN (EOF) or RST (a reset)");
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

long side_data_segs_out(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    if (sock_tcp_info(s->sock, &ti, NULL) != 0)
        return -1;
    return ti.data_segs_out;
}

void side_set_blocking(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    if (sock_set_nonblocking(s->sock, 0, err) != 0)
        side_error(s, "blocking mode", err);
}
