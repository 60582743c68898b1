/* buffer-sizes - what SO_SNDBUF / SO_RCVBUF really give you, and what setting them costs.
 *
 * Four connections, one after another; before connect() the client asks for a buffer size
 * (SO_SNDBUF and SO_RCVBUF both) and reads back what the kernel granted:
 *   small       4 KiB
 *   default     nothing set
 *   large       1 MiB
 *   above_max   64 MiB, more than the kernel lets a program set
 *
 * On the wire (server port P, client port C), each connection:
 *   C > P  [S]  win W, wscale N      N is picked from the receive buffer *before* connect(): a small
 *                                    buffer announces a small scale, an unset one the scale for the
 *                                    largest size autotuning could reach (tcp_rmem[2])
 *   P > C  [S.] ... wscale M   C > P [.]
 *   P > C  [.] [P.] ...              the server streams for TRANSFER_MS; the client reads all of it
 *                                    and samples SO_RCVBUF and TCP_INFO every SAMPLE_MS
 *   P > C  [F.] ...                  end of the stream
 *
 * Linux doubles the value asked for (the extra half is for the kernel's bookkeeping) after
 * clamping it to rmem_max / wmem_max; a socket nobody tuned starts at tcp_rmem[1] / tcp_wmem[1] and
 * is then autotuned, bounded by tcp_rmem[2] / tcp_wmem[2] - which may lie above anything setsockopt
 * can ask for. Setting SO_RCVBUF switches that autotuning off for the socket ("locks" it); TCP_INFO's
 * rcv_space, the kernel's estimate of what the reader takes per round trip, still moves. Windows
 * reports what was set.
 *
 * The student sees: requested vs effective sizes, the kernel limits they come from, the window
 * scale each choice put in the SYN, and a locked buffer that stays put while the default grows. */
#include "lessons/lesson.h"

#include <string.h>

#define SMALL 4096L
#define LARGE (1024L * 1024L)
#define ABOVE_MAX (64L * 1024L * 1024L)
#define TRANSFER_MS 400
#define SAMPLE_MS 50

static const long requested[4] = {SMALL, 0, LARGE, ABOVE_MAX}; /* per connection; 0 = not set */

/* SO_SNDBUF and SO_RCVBUF as the kernel reports them now, under <what>.so_sndbuf / .so_rcvbuf. */
static void record_sizes(struct lesson_side *s, sock_t sock, const char *what)
{
    char err[SOCK_ERR_LEN], key[48];
    int snd = 0, rcv = 0;
    if (sock_get_bufsize(sock, SOCK_SNDBUF, &snd, err) != 0 ||
        sock_get_bufsize(sock, SOCK_RCVBUF, &rcv, err) != 0) {
        side_error(s, "getsockopt buffer size", err);
        return;
    }
    snprintf(key, sizeof key, "%s.so_sndbuf", what);
    side_fact_int(s, key, snd);
    snprintf(key, sizeof key, "%s.so_rcvbuf", what);
    side_fact_int(s, key, rcv);
    side_log(s, "%s: SO_SNDBUF %d, SO_RCVBUF %d", what, snd, rcv);
}

/* Client, before connect: ask for this connection's size (or nothing), read back what was granted. */
static void client_prepare(struct lesson_side *s, sock_t sock)
{
    char err[SOCK_ERR_LEN];
    long want = requested[side_conn(s)];
    if (side_conn(s) == 0)
        side_kernel_limits(s, 1, 1); /* the sysctls that decide the sizes, once per run */
    if (want > 0) {
        side_fact_int(s, "requested", want);
        if (sock_set_bufsize(sock, SOCK_SNDBUF, (int)want, err) != 0)
            side_error(s, "SO_SNDBUF", err);
        if (sock_set_bufsize(sock, SOCK_RCVBUF, (int)want, err) != 0)
            side_error(s, "SO_RCVBUF", err);
        side_log(s, "asked for SO_SNDBUF = SO_RCVBUF = %ld before connect()", want);
    } else {
        side_fact_str(s, "requested", "not set");
    }
    record_sizes(s, sock, "effective");
}

/* Client: what connecting changed, the scale its SYN carried, then read the stream, sampling. */
static void client(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    struct side_transfer t;
    record_sizes(s, side_sock(s), "after_connect");
    ti.rcv_wscale = -1;
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.rcv_wscale >= 0) {
        side_fact_int(s, "wscale_sent", ti.rcv_wscale);
        side_log(s, "TCP_INFO: our SYN announced window scale %ld", ti.rcv_wscale);
    }
    side_sink(s, 2000, SAMPLE_MS, &t);
    side_fact_int(s, "transfer.bytes", t.bytes);
    side_fact_num(s, "transfer.mib_per_s", t.mib_per_s);
    side_series_facts(s, "rcvbuf", "transfer.so_rcvbuf");
    side_series_facts(s, "rcv_space", "transfer.rcv_space");
}

/* Server: the scale and window the client announced, as this end applies them; then stream. */
static void server(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    struct side_transfer t;
    ti.snd_wscale = ti.snd_wnd = -1;
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0) {
        if (ti.snd_wscale >= 0)
            side_fact_int(s, "wscale_received", ti.snd_wscale);
        if (ti.snd_wnd >= 0)
            side_fact_int(s, "client_window_at_accept", ti.snd_wnd);
        side_log(s, "TCP_INFO: the client's window scale %ld, its window %ld bytes", ti.snd_wscale, ti.snd_wnd);
    }
    side_stream(s, 1LL << 40, TRANSFER_MS, 0, &t);
    side_fact_int(s, "transfer.bytes_sent", t.bytes);
}

/* sizes.<name>.effective.<opt> = 2 x min(requested, kernel_limits.<limit>) */
static void expect_doubled(struct lesson_report *r, const char *name, const char *opt, long want,
                           const char *limit)
{
    long long max;
    char id[48], key[64], how[48];
    snprintf(key, sizeof key, "kernel_limits.%s", limit);
    if (!report_fact_int(r, key, &max))
        return;
    snprintf(id, sizeof id, "%s_%s_%s", name, opt, want > max ? "clamped_doubled" : "doubled");
    snprintf(key, sizeof key, "sizes.%s.effective.%s", name, opt);
    if (want > max)
        snprintf(how, sizeof how, "2 x %s", limit);
    else
        snprintf(how, sizeof how, "2 x %ld", want);
    expect_int(r, id, key, 2 * (want < max ? want : max), how);
}

static void check(struct lesson_report *r)
{
    long long v;
    expect_equal(r, "all_bytes_arrived", "sizes.default.transfer.bytes", "sizes.default.transfer.bytes_sent");
    if (strcmp(report_platform(r), "linux") != 0) {
        if (strcmp(report_platform(r), "windows") == 0) {
            /* Windows keeps what the program set (Winsock's setsockopt documentation). */
            expect_int(r, "small_rcvbuf_as_set", "sizes.small.effective.so_rcvbuf", SMALL, "as requested");
            expect_int(r, "small_sndbuf_as_set", "sizes.small.effective.so_sndbuf", SMALL, "as requested");
            expect_int(r, "large_rcvbuf_as_set", "sizes.large.effective.so_rcvbuf", LARGE, "as requested");
        }
        return;
    }
    expect_doubled(r, "small", "so_rcvbuf", SMALL, "rmem_max");
    expect_doubled(r, "small", "so_sndbuf", SMALL, "wmem_max");
    expect_doubled(r, "large", "so_rcvbuf", LARGE, "rmem_max");
    expect_doubled(r, "above_max", "so_rcvbuf", ABOVE_MAX, "rmem_max");
    expect_doubled(r, "above_max", "so_sndbuf", ABOVE_MAX, "wmem_max");
    if (report_fact_int(r, "kernel_limits.tcp_rmem.default", &v))
        expect_int(r, "default_rcvbuf_is_tcp_rmem_default", "sizes.default.effective.so_rcvbuf", v, "tcp_rmem[1]");
    if (report_fact_int(r, "kernel_limits.tcp_wmem.default", &v))
        expect_int(r, "default_sndbuf_is_tcp_wmem_default", "sizes.default.effective.so_sndbuf", v, "tcp_wmem[1]");
    expect_less(r, "default_sndbuf_grew_at_connect", "sizes.default.effective.so_sndbuf",
                "sizes.default.after_connect.so_sndbuf");
    expect_less(r, "wscale_follows_rcvbuf", "sizes.small.wscale_sent", "sizes.large.wscale_sent");
    expect_equal(r, "server_applies_client_wscale", "sizes.large.wscale_received", "sizes.large.wscale_sent");
    /* An untuned socket announces the scale for tcp_rmem[2]: larger than a locked 1 MiB's when
     * tcp_rmem[2] is above what that lock gives (2 MiB). */
    if (report_fact_int(r, "kernel_limits.tcp_rmem.max", &v) && v > 2 * LARGE)
        expect_less(r, "default_wscale_sized_for_autotuning", "sizes.large.wscale_sent",
                    "sizes.default.wscale_sent");
    expect_less(r, "small_rcvbuf_small_window", "sizes.small.client_window_at_accept",
                "sizes.default.client_window_at_accept");
    expect_less(r, "default_rcvbuf_autotuned", "sizes.default.transfer.so_rcvbuf.first",
                "sizes.default.transfer.so_rcvbuf.max");
    if (report_fact_int(r, "kernel_limits.tcp_rmem.max", &v))
        expect_range(r, "autotuning_stops_at_tcp_rmem_max", "sizes.default.transfer.so_rcvbuf.max", 0, (double)v);
    expect_equal(r, "small_rcvbuf_locked", "sizes.small.transfer.so_rcvbuf.min",
                 "sizes.small.transfer.so_rcvbuf.max");
    expect_equal(r, "large_rcvbuf_locked", "sizes.large.transfer.so_rcvbuf.min",
                 "sizes.large.transfer.so_rcvbuf.max");
    expect_equal(r, "above_max_rcvbuf_locked", "sizes.above_max.transfer.so_rcvbuf.min",
                 "sizes.above_max.transfer.so_rcvbuf.max");
}

static const struct lesson_chart charts[] = {
    {"receiver SO_RCVBUF during the stream", SIDE_CLIENT, "rcvbuf", NULL},
    {"receiver rcv_space: read per round trip", SIDE_CLIENT, "rcv_space", NULL},
    {"bytes received (slope = throughput)", SIDE_CLIENT, "received", NULL},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

const struct lesson lesson_buffer_sizes = {
    .name = "buffer-sizes",
    .title = "SO_SNDBUF/SO_RCVBUF: asked for vs granted, the SYN's window scale, autotuning switched off",
    .explain = "The client makes four connections. Before each connect() it asks for a buffer size - 4 KiB, "
               "nothing (the default), 1 MiB, and 64 MiB, more than the kernel allows - for both SO_SNDBUF and "
               "SO_RCVBUF, and reads back what it got. Linux clamps the request to net.core.rmem_max / wmem_max "
               "and then doubles it (the extra half pays for the kernel's own bookkeeping), so getsockopt never "
               "returns what setsockopt was given. A socket nobody tuned starts at tcp_rmem[1] / tcp_wmem[1] "
               "and is autotuned: its send buffer grows as soon as the connection is up, its receive buffer as "
               "data is read, up to tcp_rmem[2] / tcp_wmem[2]. The receive buffer set before connect() also "
               "decides the window scale in the SYN, which can never change afterwards: a small buffer "
               "announces a small scale, while an untuned socket announces the scale for the largest size "
               "autotuning could reach. Each connection then carries a 0.4 s stream from the server; the "
               "client samples its SO_RCVBUF and TCP_INFO every 50 ms. Only the untuned buffer grows: setting "
               "SO_RCVBUF switches receive autotuning off for that socket. TCP_INFO's rcv_space - the "
               "kernel's estimate of how much the reader takes per round trip, which autotuning acts on - "
               "may still change on a locked socket; the chart shows whether it did.",
    .wireshark = "tcp.port == {port} && tcp.flags.syn == 1",
    .watch = "the window scale option (wscale) in each client SYN: smallest for the 4 KiB connection\n"
             "the Win field of the client's first ACKs (times 2^wscale) is the report's client_window_at_accept: "
             "less than SO_RCVBUF, which also pays for the kernel's overhead\n"
             "Statistics > Conversations: the four connections in order small, default, large, above_max\n"
             "drop the SYN filter to see the stream: the small connection's window stays tiny",
    .on_linux = "getsockopt returns 2 x min(requested, rmem_max / wmem_max) (socket(7)); an unset socket starts "
                "at tcp_rmem[1] / tcp_wmem[1], its send buffer grows at connect and its receive buffer while "
                "data is read, bounded by tcp_rmem[2] / tcp_wmem[2]. Setting SO_RCVBUF locks the size and stops "
                "receive autotuning (tcp(7)); set it before connect() or listen() for it to shape the window "
                "scale.",
    .on_windows = "getsockopt returns the value that was set; without SO_RCVBUF the receive window is "
                  "autotuned, and setting SO_SNDBUF switches dynamic send buffering off (Microsoft's "
                  "SIO_IDEAL_SEND_BACKLOG_QUERY documentation). Whether a set SO_RCVBUF pins the window is "
                  "not documented: the lesson reports what it measures. There are no tcp_rmem sysctls.",
    .under_wine = "Wine remembers the value set and reports it, while the Linux kernel underneath doubles it (ss -m "
                  "shows the doubled size).",
    .closer = SIDE_SERVER,
    .connections = 4,
    .conn_prefix = {"sizes.small.", "sizes.default.", "sizes.large.", "sizes.above_max."},
    .duration_hint_ms = 4 * (TRANSFER_MS + 100),
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
};
