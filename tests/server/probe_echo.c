/* probe_echo.c - server_probe's echo commands (resets mid-write, a reader that stalls, many
 * connections, running the server out of descriptors) and the client side of a lesson. */
#include "tests/server/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"
#include "lessons/engine/engine.h"

/* ---- echo ------------------------------------------------------------------------------------ */

/* Writes without reading until the server stops taking input: by then its output to us is stuck
 * in its buffers (its reads are paused by backpressure) and its write event is armed. */
static sock_t fill_server(long *sent)
{
    static uint8_t chunk[65536];
    char err[SOCK_ERR_LEN];
    sock_t s = dial();
    memset(chunk, 'r', sizeof chunk);
    *sent = 0;
    sock_set_bufsize(s, SOCK_RCVBUF, 4096, err);
    sock_set_nonblocking(s, 1, err);
    while (*sent < 64L * 1024 * 1024) {
        long n = sock_send(s, chunk, sizeof chunk);
        if (n > 0) {
            *sent += n;
            continue;
        }
        if (n < 0 && !sock_err_is_retriable(sock_last_error()))
            die("send", sock_err_name(sock_last_error()));
        if (sock_wait(s, 1, 300) != 1)
            break;
    }
    return s;
}

int cmd_rst(int rounds)
{
    char err[SOCK_ERR_LEN];
    int round;
    for (round = 0; round < rounds; round++) {
        long sent;
        sock_t s = fill_server(&sent);
        if (sock_set_linger(s, 1, 0, err) != 0)
            die("SO_LINGER", err);
        sock_close(s); /* SO_LINGER {1, 0}: close sends a RST */
        printf("round %d: sent %ld bytes, then RST\n", round + 1, sent);
    }
    return 0;
}

/* Leaves the server with output it cannot deliver for hold_ms (a client that stopped reading). */
int cmd_stuff(int hold_ms)
{
    long sent;
    sock_t s = fill_server(&sent);
    printf("sent %ld bytes; not reading for %d ms\n", sent, hold_ms);
    fflush(stdout);
    os_sleep_ms(hold_ms);
    sock_close(s);
    return 0;
}

static int echo_line(sock_t s, int i, int timeout_ms)
{
    char line[32], back[32];
    size_t len = (size_t)snprintf(line, sizeof line, "conn %d\n", i), got = 0;
    send_all(s, line, len);
    while (got < len) {
        long n;
        if (sock_wait(s, 0, timeout_ms) != 1)
            return -1;
        n = sock_recv(s, back + got, len - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return memcmp(line, back, len) == 0 ? 0 : -1;
}

int cmd_many(int n)
{
    sock_t *s = calloc((size_t)n, sizeof *s);
    uint64_t t0 = os_now_us();
    int i, bad = 0;

    if (s == NULL)
        die("out of memory", NULL);
    need_fds(n);
    for (i = 0; i < n; i++)
        s[i] = dial();
    printf("%d connections open after %lu ms\n", n, (unsigned long)((os_now_us() - t0) / 1000));
    for (i = 0; i < n; i++)
        if (echo_line(s[i], i, TIMEOUT_MS) != 0)
            bad++;
    for (i = 0; i < n; i++)
        sock_close(s[i]);
    printf("%d of %d echoed correctly in %lu ms\n", n - bad, n, (unsigned long)((os_now_us() - t0) / 1000));
    free(s);
    return bad == 0 ? 0 : 1;
}

int cmd_emfile(int n, int hold_ms)
{
    sock_t *s = calloc((size_t)n, sizeof *s), fresh;
    uint64_t deadline;
    int i, served = 0, ok = -1, echoing = 1;

    if (s == NULL)
        die("out of memory", NULL);
    need_fds(n);
    /* One at a time, each echoed before the next: every connection the server holds has spoken,
     * so when its descriptors run out there is none to shed and it must pause its listener. The
     * kernel completes the later handshakes into the backlog whether or not the server accepts. */
    for (i = 0; i < n; i++) {
        s[i] = dial();
        send_all(s[i], "x", 1);
        if (echoing && sock_wait(s[i], 0, 500) != 1)
            echoing = 0; /* the first one not served: the rest will not be either */
    }
    os_sleep_ms(hold_ms);
    for (i = 0; i < n; i++)
        if (sock_wait(s[i], 0, 1) == 1)
            served++;
    printf("%d of %d connections served while the server was out of descriptors\n", served, n);
    for (i = 0; i < n; i++)
        sock_close(s[i]);
    free(s);
    /* The listener comes back within its 100 ms retry once closes free descriptors. */
    deadline = os_now_us() + 5000000u;
    while (ok != 0 && os_now_us() < deadline) {
        fresh = dial();
        ok = echo_line(fresh, 0, 1000);
        sock_close(fresh);
    }
    printf("a new connection %s\n", ok == 0 ? "was served" : "was NOT served");
    return ok == 0 && served < n ? 0 : 1;
}

/* ---- lessons ----------------------------------------------------------------------------------- */

/* The client side of a lesson against socklab-server --lesson NAME (what socklab-bot --lesson does). */
int cmd_lesson(const char *name)
{
    const struct lesson *l = lesson_find(name);
    struct lesson_opts o;
    struct lesson_report *r;
    int passed;

    if (l == NULL)
        die("unknown lesson", name);
    memset(&o, 0, sizeof o);
    o.host = HOST;
    o.port = g_port;
    o.quiet = 1;
    o.session = 1; /* against socklab-server --lesson, as socklab-bot does */
    r = lesson_client_only(l, &o);
    if (r == NULL)
        die("lesson", "no report");
    if (report_refusal(r) != NULL) {
        fprintf(stderr, "server_probe: %s\n", report_refusal(r));
        report_free(r);
        return 2;
    }
    passed = report_passed(r);
    report_print_text(stdout, r);
    report_free(r);
    return passed ? 0 : 1;
}

