/* test_compat_win.c - compat's Windows side (sock_win32.c, sock_win32_views.c, os_win32.c) over
 * loopback, one CTest test per case. Built only for Windows; runs under Wine in the Linux cross
 * build (ctest uses the toolchain's CROSSCOMPILING_EMULATOR). Where Wine 8 differs from Windows the
 * case accepts both and prints which one it saw ("note:" lines), so the log records the difference. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"
#include "compat/sock.h"
#include "tests/check.h"

static char err[SOCK_ERR_LEN];

static int on_wine(void) { return sock_runtime_quirk() != NULL; }

static void setup(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* msvcrt/UCRT have no line buffering (_IOLBF is invalid) */
    CHECK(sock_init(err) == 0);
}

/* A connected pair over 127.0.0.1: *srv is the accepted side. Returns the listener. */
static sock_t pair(sock_t *cli, sock_t *srv)
{
    sock_t l = sock_listen_tcp("127.0.0.1", 0, 8, err);
    uint16_t port;
    CHECK(l != SOCK_INVALID);
    port = sock_local_port(l);
    CHECK(port != 0);
    *cli = sock_connect_tcp("127.0.0.1", port, 3000, err);
    if (*cli == SOCK_INVALID)
        fprintf(stderr, "connect: %s\n", err);
    CHECK(*cli != SOCK_INVALID);
    *srv = sock_accept(l, err);
    CHECK(*srv != SOCK_INVALID);
    CHECK(sock_peer_port(*srv) == sock_local_port(*cli));
    CHECK(sock_peer_port(*cli) == port);
    return l;
}

/* A port that nothing listens on (bound once, then released). */
static uint16_t free_port(void)
{
    sock_t l = sock_listen_tcp("127.0.0.1", 0, 1, err);
    uint16_t port;
    CHECK(l != SOCK_INVALID);
    port = sock_local_port(l);
    sock_close(l);
    return port;
}

static const struct sock_entry *find_entry(const struct sock_entry *e, size_t n, uint16_t lport,
                                           uint16_t rport)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (e[i].local_port == lport && (rport == 0 || e[i].remote_port == rport))
            return &e[i];
    return NULL;
}

static const char *state_of(uint16_t port, uint16_t lport, uint16_t rport)
{
    static struct sock_entry e[64];
    size_t n = 0;
    const struct sock_entry *f;
    CHECK(sock_state_table(&port, 1, e, 64, &n, err) == 0);
    f = find_entry(e, n < 64 ? n : 64, lport, rport);
    return f ? sock_state_name(f->state) : "closed";
}

/* ---- cases ------------------------------------------------------------------------------------ */

static void win_platform(void)
{
    setup();
    CHECK_STR(sock_platform(), "windows");
    printf("note: runtime %s\n", on_wine() ? "wine" : "windows");
    if (on_wine())
        CHECK_STR(sock_runtime_quirk(), "wine");
    sock_cleanup();
}

static void win_errors(void)
{
    char text[128];
    setup();
    CHECK_STR(sock_err_name(WSAECONNRESET), "WSAECONNRESET");
    CHECK_STR(sock_err_name(WSAEWOULDBLOCK), "WSAEWOULDBLOCK");
    CHECK_STR(sock_err_name(12345), "E?12345");
    CHECK(sock_err_is_retriable(WSAEWOULDBLOCK) && sock_err_is_retriable(WSAEINTR) &&
          sock_err_is_retriable(WSAEINPROGRESS) && !sock_err_is_retriable(WSAECONNRESET));
    CHECK(sock_err_is_reset(WSAECONNRESET) && sock_err_is_reset(WSAECONNABORTED) &&
          sock_err_is_reset(WSAENETRESET) && !sock_err_is_reset(WSAEWOULDBLOCK));
    CHECK(sock_err_is_fd_limit(WSAEMFILE) && sock_err_is_fd_limit(WSAENOBUFS) &&
          !sock_err_is_fd_limit(WSAEINVAL));
    /* Formatting a message must not clobber the error the caller is about to read. */
    WSASetLastError(WSAECONNRESET);
    sock_err_text(WSAECONNREFUSED, text, sizeof text);
    printf("note: text for 10061: %s\n", text);
    CHECK(strstr(text, "(WSAECONNREFUSED)") != NULL);
    CHECK(strncmp(text, "Winsock error", 13) != 0 || on_wine()); /* FormatMessage knows WSA codes */
    CHECK_EQ_LONG(sock_last_error(), WSAECONNRESET);
    sock_cleanup();
}

static void win_loopback(void)
{
    sock_t l, c, s;
    char buf[256];
    long inq = -2, outq = -2, n;
    int i;
    setup();
    l = pair(&c, &s);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_LONG(sock_send(c, buf, 100), 100);
    for (i = 0; i < 100; i++) { /* wait until the bytes are queued at the receiver */
        CHECK(sock_queue_sizes(s, &inq, &outq, err) == 0);
        if (inq == 100)
            break;
        os_sleep_ms(10);
    }
    CHECK_EQ_LONG(inq, 100);
    CHECK_EQ_LONG(outq, -1); /* no SIOCOUTQ on Windows */
    CHECK_EQ_LONG(sock_wait(s, 0, 1000), 1);
    n = sock_recv(s, buf, sizeof buf);
    CHECK_EQ_LONG(n, 100);
    CHECK(sock_shutdown(c, SOCK_SHUT_WR, err) == 0);
    CHECK_EQ_LONG(sock_recv(s, buf, sizeof buf), 0); /* orderly EOF */
    /* Non-blocking recv with nothing queued. */
    CHECK(sock_set_nonblocking(c, 1, err) == 0);
    CHECK_EQ_LONG(sock_recv(c, buf, sizeof buf), -1);
    CHECK_STR(sock_err_name(sock_last_error()), "WSAEWOULDBLOCK");
    CHECK(sock_err_is_retriable(sock_last_error()));
    CHECK(sock_set_nonblocking(c, 0, err) == 0);
    CHECK(sock_resolve("127.0.0.1", buf, sizeof buf, err) == 0);
    CHECK_STR(buf, "127.0.0.1");
    CHECK(sock_resolve("localhost", buf, sizeof buf, err) == 0);
    printf("note: localhost resolves to %s\n", buf);
    sock_close(c);
    sock_close(s);
    sock_close(l);
    sock_cleanup();
}

static void shut_later(void *arg)
{
    os_sleep_ms(200);
    (void)sock_shutdown(*(sock_t *)arg, SOCK_SHUT_WR, NULL);
}

static void win_accept_blocking(void)
{
    /* Winsock's accept() copies the listener's non-blocking mode; sock_accept must not. */
    sock_t l, c, s;
    char b;
    uint64_t t0;
    os_thread *th;
    setup();
    l = sock_listen_tcp("127.0.0.1", 0, 4, err);
    CHECK(l != SOCK_INVALID);
    CHECK(sock_set_nonblocking(l, 1, err) == 0);
    c = sock_connect_tcp("127.0.0.1", sock_local_port(l), 3000, err);
    CHECK(c != SOCK_INVALID);
    CHECK_EQ_LONG(sock_wait(l, 0, 2000), 1);
    s = sock_accept(l, err);
    CHECK(s != SOCK_INVALID);
    CHECK_EQ_LONG(sock_send(c, "z", 1), 1);
    CHECK_EQ_LONG(sock_recv(s, &b, 1), 1);
    /* Blocking mode shows as a recv that waits: the client's FIN comes 200 ms later from a
     * thread, and the recv returns 0 (EOF) then, not -1 WSAEWOULDBLOCK at once. */
    t0 = os_now_us();
    th = os_thread_start(shut_later, &c);
    CHECK(th != NULL);
    CHECK_EQ_LONG(sock_recv(s, &b, 1), 0);
    CHECK(os_now_us() - t0 >= 150000);
    os_thread_join(th);
    sock_close(c);
    sock_close(s);
    sock_close(l);
    sock_cleanup();
}

static void win_refused(void)
{
    sock_t c;
    uint16_t port;
    int rc;
    uint64_t t0;
    setup();
    port = free_port();
    t0 = os_now_us();
    c = sock_connect_tcp("127.0.0.1", port, 5000, err);
    printf("note: refused after %.0f ms: %s\n", (double)(os_now_us() - t0) / 1000.0, err);
    CHECK(c == SOCK_INVALID);
    CHECK_STR(sock_err_name(sock_last_error()), "WSAECONNREFUSED");
    CHECK(strstr(err, "connect 127.0.0.1:") != NULL && strstr(err, "(WSAECONNREFUSED)") != NULL);

    c = sock_connect_tcp_start("127.0.0.1", port, err);
    CHECK(c != SOCK_INVALID);
    rc = sock_wait(c, 1, 5000); /* libevent's select backend reports the failure as writable */
    CHECK_EQ_LONG(rc, 1);
    CHECK_STR(sock_err_name(sock_connect_result(c)), "WSAECONNREFUSED");
    sock_close(c);

    c = sock_connect_tcp("no-such-host.invalid", 80, 1000, err);
    CHECK(c == SOCK_INVALID);
    printf("note: bad name: %s\n", err);
    CHECK(strstr(err, "cannot resolve 'no-such-host.invalid'") != NULL);
    sock_cleanup();
}

/* The portable codes are Winsock's own values (SOCK_EPIPE is WSAESHUTDOWN: Winsock has no EPIPE),
 * and a real refusal compares equal to SOCK_ECONNREFUSED. */
static void win_error_codes_compare_portably(void)
{
    sock_t c;
    uint16_t port;
    int code;
    setup();
    CHECK_EQ_LONG(SOCK_EWOULDBLOCK, WSAEWOULDBLOCK);
    CHECK_EQ_LONG(SOCK_EAGAIN, WSAEWOULDBLOCK);
    CHECK_EQ_LONG(SOCK_EINTR, WSAEINTR);
    CHECK_EQ_LONG(SOCK_EINVAL, WSAEINVAL);
    CHECK_EQ_LONG(SOCK_ECONNREFUSED, WSAECONNREFUSED);
    CHECK_EQ_LONG(SOCK_ECONNRESET, WSAECONNRESET);
    CHECK_EQ_LONG(SOCK_ECONNABORTED, WSAECONNABORTED);
    CHECK_EQ_LONG(SOCK_ENETRESET, WSAENETRESET);
    CHECK_EQ_LONG(SOCK_EPIPE, WSAESHUTDOWN);
    CHECK_EQ_LONG(SOCK_ETIMEDOUT, WSAETIMEDOUT);
    CHECK_EQ_LONG(SOCK_EADDRINUSE, WSAEADDRINUSE);
    CHECK_EQ_LONG(SOCK_EADDRNOTAVAIL, WSAEADDRNOTAVAIL);
    CHECK_EQ_LONG(SOCK_ENOBUFS, WSAENOBUFS);
    CHECK_EQ_LONG(SOCK_EMFILE, WSAEMFILE);
    CHECK_EQ_LONG(SOCK_EHOSTUNREACH, WSAEHOSTUNREACH);
    CHECK_EQ_LONG(SOCK_ENETUNREACH, WSAENETUNREACH);
    CHECK_EQ_LONG(SOCK_ENOTCONN, WSAENOTCONN);
    CHECK(sock_err_is_reset(SOCK_EPIPE));

    port = free_port();
    c = sock_connect_tcp("127.0.0.1", port, 5000, err);
    CHECK(c == SOCK_INVALID);
    code = sock_last_error();
    CHECK_EQ_LONG(code, SOCK_ECONNREFUSED);
    CHECK_STR(sock_err_name(code), "WSAECONNREFUSED");
    c = sock_connect_tcp_start("127.0.0.1", port, err);
    CHECK(c != SOCK_INVALID);
    CHECK_EQ_LONG(sock_wait(c, 1, 5000), 1);
    CHECK_EQ_LONG(sock_connect_result(c), SOCK_ECONNREFUSED);
    sock_close(c);
    sock_cleanup();
}

static void win_options(void)
{
    sock_t l, c, s;
    int on = -1, secs = -1, bytes = 0;
    const char *path = NULL;
    setup();
    l = pair(&c, &s);

    CHECK(sock_set_linger(c, 1, 7, err) == 0);
    CHECK(sock_get_linger(c, &on, &secs, err) == 0);
    CHECK(on == 1 && secs == 7);
    CHECK(sock_set_linger(c, 1, 70000, err) == -1);
    CHECK_EQ_LONG(sock_last_error(), WSAEINVAL);
    printf("note: linger range: %s\n", err);
    CHECK(strncmp(err, "setsockopt SO_LINGER", 20) == 0 && strstr(err, "(WSAEINVAL)") != NULL);
    CHECK(sock_set_linger(c, 0, 0, err) == 0);

    CHECK(sock_get_bufsize(c, SOCK_RCVBUF, &bytes, err) == 0);
    printf("note: default SO_RCVBUF %d\n", bytes);
    CHECK(sock_get_bufsize(c, SOCK_SNDBUF, &bytes, err) == 0);
    printf("note: default SO_SNDBUF %d\n", bytes);
    CHECK(sock_set_bufsize(c, SOCK_RCVBUF, 65536, err) == 0);
    CHECK(sock_get_bufsize(c, SOCK_RCVBUF, &bytes, err) == 0);
    CHECK_EQ_LONG(bytes, 65536); /* Windows (and Wine) report what was set; Linux doubles it */

    CHECK(sock_set_nodelay(c, 1, err) == 0);
    CHECK(sock_set_reuseaddr(c, 1, err) == 0);

    CHECK(sock_set_keepalive(c, 7, 2, 3, &path, err) == 0);
    printf("note: keepalive path %s\n", path);
    CHECK(strcmp(path, "TCP_KEEPIDLE/INTVL/CNT") == 0 || strcmp(path, "SIO_KEEPALIVE_VALS") == 0);
    if (on_wine())
        CHECK_STR(path, "SIO_KEEPALIVE_VALS"); /* Wine 8: TCP_KEEP* -> WSAENOPROTOOPT */
    CHECK(sock_set_keepalive(c, 0, 2, 3, &path, err) == -1);

    sock_close(c);
    sock_close(s);
    sock_close(l);
    sock_cleanup();
}

static void win_tcp_info(void)
{
    sock_t l, c, s;
    struct sock_tcpinfo ti;
    int rc;
    setup();
    l = pair(&c, &s);
    CHECK_EQ_LONG(sock_send(c, "hello", 5), 5);
    rc = sock_tcp_info(c, &ti, err);
    if (rc == SOCK_UNSUPPORTED) {
        printf("note: tcp_info unsupported: %s\n", err);
        CHECK(strstr(err, "SIO_TCP_INFO") != NULL);
        CHECK_EQ_LONG(ti.rtt_us, -1);
        CHECK_EQ_LONG(ti.bytes_acked, -1);
    } else {
        CHECK_EQ_LONG(rc, 0);
        printf("note: tcp_info state %s rtt %ld us mss %ld cwnd %ld seg\n", ti.state, ti.rtt_us,
               ti.snd_mss, ti.snd_cwnd);
        CHECK_STR(ti.state, "ESTABLISHED");
        CHECK(ti.snd_mss > 0);
        CHECK_EQ_LONG(ti.rttvar_us, -1);
    }
    sock_close(c);
    sock_close(s);
    sock_close(l);
    sock_cleanup();
}

static void win_state_table(void)
{
    sock_t l, c, s;
    uint16_t sport, cport;
    struct sock_entry e[8];
    size_t n = 0;
    int i;
    const char *st = "";
    setup();
    l = pair(&c, &s);
    sport = sock_local_port(l);
    cport = sock_local_port(c);
    CHECK(sock_state_table(&sport, 1, e, 8, &n, err) == 0);
    CHECK(n >= 3); /* listener + both ends */
    CHECK_STR(state_of(sport, sport, 0), "LISTEN");
    CHECK_STR(state_of(sport, cport, sport), "ESTABLISHED");
    CHECK_STR(state_of(sport, sport, cport), "ESTABLISHED");
    /* max smaller than the match count: count still tells how many there are. */
    CHECK(sock_state_table(&sport, 1, e, 1, &n, err) == 0);
    CHECK(n >= 3);
    CHECK(sock_state_table(NULL, 0, e, 8, &n, err) == 0);
    CHECK(n >= 3);

    /* The client closes first (graceful): it holds TIME_WAIT, the server's end goes away. */
    CHECK(sock_close(c) == 0);
    CHECK_EQ_LONG(sock_recv(s, e, 1), 0);
    CHECK(sock_close(s) == 0);
    for (i = 0; i < 100; i++) {
        st = state_of(sport, cport, sport);
        if (strcmp(st, "TIME_WAIT") == 0)
            break;
        os_sleep_ms(10);
    }
    CHECK_STR(st, "TIME_WAIT");
    sock_close(l);
    sock_cleanup();
}

static void win_abortive(void)
{
    sock_t l, c, s;
    uint16_t sport, cport;
    char b;
    long n;
    int code;
    setup();
    l = pair(&c, &s);
    sport = sock_local_port(l);
    cport = sock_local_port(c);
    CHECK(sock_set_linger(c, 1, 0, err) == 0);
    CHECK(sock_close(c) == 0);
    n = sock_recv(s, &b, 1);
    code = sock_last_error();
    if (n == -1) {
        CHECK(sock_err_is_reset(code));
        printf("note: reset seen as %s\n", sock_err_name(code));
    } else {
        /* Wine 8: an RST that arrived before recv() was called reads as EOF. */
        CHECK_EQ_LONG(n, 0);
        CHECK(on_wine());
        printf("note: reset seen as EOF (Wine 8 loses the RST)\n");
    }
    CHECK_STR(state_of(sport, cport, sport), "closed"); /* no TIME_WAIT after a reset */
    sock_close(s);
    sock_close(l);
    sock_cleanup();
}

struct counter {
    volatile LONG n;
};

static void bump(void *arg)
{
    struct counter *c = arg;
    os_sleep_ms(20);
    InterlockedIncrement(&c->n);
}

static void win_os(void)
{
    struct counter cnt = {0};
    os_thread *a, *b;
    uint64_t t0, t1;
    long rss;
    a = os_thread_start(bump, &cnt);
    b = os_thread_start(bump, &cnt);
    CHECK(a != NULL && b != NULL);
    os_thread_join(a);
    os_thread_join(b);
    CHECK_EQ_LONG(cnt.n, 2);
    t0 = os_now_us();
    os_sleep_ms(50);
    t1 = os_now_us();
    printf("note: sleep 50 ms took %.1f ms\n", (double)(t1 - t0) / 1000.0);
    CHECK(t1 - t0 >= 45000 && t1 - t0 < 2000000);
    CHECK(os_pid() > 0);
    rss = os_rss_bytes();
    printf("note: rss %ld bytes, fd limit %ld\n", rss, os_raise_fd_limit(100000));
    CHECK(rss > 0);
    CHECK(os_raise_fd_limit(100000) >= 100000);
}

#ifndef SOCKLAB_MINIMAL_SDK /* the MSVC-proxy check's (Wine 8) SDK lacks GetTcpTable2 & co. */
/* Not a pass/fail check: how long the socket table takes, per API, on this host. */
static double time_ms(ULONG (*fn)(void), int reps)
{
    uint64_t t0 = os_now_us();
    int i;
    for (i = 0; i < reps; i++)
        CHECK(fn() == NO_ERROR);
    return (double)(os_now_us() - t0) / 1000.0 / reps;
}

#define TABLE_TIMER(name, call, type)                                                        \
    static ULONG name(void)                                                                   \
    {                                                                                         \
        ULONG size = 0, rc;                                                                   \
        type *t = NULL;                                                                       \
        int tries;                                                                            \
        rc = call(NULL, &size, FALSE);                                                        \
        for (tries = 0; tries < 5 && rc == ERROR_INSUFFICIENT_BUFFER; tries++) {              \
            size += 4096;                                                                     \
            free(t);                                                                          \
            t = malloc(size);                                                                 \
            rc = call(t, &size, FALSE);                                                       \
        }                                                                                     \
        free(t);                                                                              \
        return rc == ERROR_NO_DATA ? NO_ERROR : rc;                                           \
    }
TABLE_TIMER(t_basic4, GetTcpTable, MIB_TCPTABLE)
TABLE_TIMER(t_table2, GetTcpTable2, MIB_TCPTABLE2)
TABLE_TIMER(t_basic6, GetTcp6Table, MIB_TCP6TABLE)
TABLE_TIMER(t_table2_6, GetTcp6Table2, MIB_TCP6TABLE2)

static ULONG t_owner_pid(void)
{
    ULONG size = 0, rc;
    void *t = NULL;
    int tries;
    rc = GetExtendedTcpTable(NULL, &size, FALSE, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0);
    for (tries = 0; tries < 5 && rc == ERROR_INSUFFICIENT_BUFFER; tries++) {
        size += 4096;
        free(t);
        t = malloc(size);
        rc = GetExtendedTcpTable(t, &size, FALSE, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0);
    }
    free(t);
    return rc;
}

static ULONG t_compat(void)
{
    static struct sock_entry e[16];
    size_t n;
    uint16_t p = 1;
    return sock_state_table(&p, 1, e, 16, &n, err) == 0 ? NO_ERROR : 1;
}

static void win_table_timing(void)
{
    size_t n = 0;
    setup();
    CHECK(sock_state_table(NULL, 0, NULL, 0, &n, err) == 0);
    printf("note: host TCP sockets (v4+v6): %lu\n", (unsigned long)n);
    printf("note: GetTcpTable %.2f ms, GetTcpTable2 %.2f ms, GetTcp6Table %.2f ms, "
           "GetTcp6Table2 %.2f ms, OWNER_PID_ALL %.2f ms, sock_state_table %.2f ms\n",
           time_ms(t_basic4, 5), time_ms(t_table2, 5), time_ms(t_basic6, 5), time_ms(t_table2_6, 5),
           time_ms(t_owner_pid, 5), time_ms(t_compat, 5));
    sock_cleanup();
}
#else
static void win_table_timing(void) {}
#endif

/* Informational: what sock_wait() costs in sockets on Windows (each libevent event_base makes a
 * loopback TCP socket pair for its notifications). */
static void win_wait_cost(void)
{
    sock_t l, c, s;
    size_t before = 0, after = 0;
    int i;
    uint64_t t0;
    setup();
    l = pair(&c, &s);
    CHECK(sock_state_table(NULL, 0, NULL, 0, &before, err) == 0);
    t0 = os_now_us();
    for (i = 0; i < 20; i++)
        CHECK_EQ_LONG(sock_wait(c, 1, 100), 1);
    printf("note: sock_wait x20: %.2f ms each\n", (double)(os_now_us() - t0) / 1000.0 / 20);
    CHECK(sock_state_table(NULL, 0, NULL, 0, &after, err) == 0);
    printf("note: host TCP table grew by %ld entries over 20 sock_wait calls\n",
           (long)after - (long)before);
    sock_close(c);
    sock_close(s);
    sock_close(l);
    sock_cleanup();
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"win_platform", win_platform},     {"win_errors", win_errors},
        {"win_loopback", win_loopback},     {"win_accept_blocking", win_accept_blocking},
        {"win_refused", win_refused},       {"win_options", win_options},
        {"win_error_codes_compare_portably", win_error_codes_compare_portably},
        {"win_tcp_info", win_tcp_info},     {"win_state_table", win_state_table},
        {"win_abortive", win_abortive},     {"win_os", win_os},
        {"win_table_timing", win_table_timing}, {"win_wait_cost", win_wait_cost},
        {NULL, NULL}};
    return test_main(cases, argc, argv);
}
