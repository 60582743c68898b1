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
    {"receiver SO_RCVBUF during the stream", SIDE_CLIENT, "rcvbuf", "수신 측 SO_RCVBUF (스트림 동안)"},
    {"receiver rcv_space: read per round trip", SIDE_CLIENT, "rcv_space", "수신 측 rcv_space: 왕복마다 읽은 양"},
    {"bytes received (slope = throughput)", SIDE_CLIENT, "received", "받은 바이트 (기울기 = 처리량)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "SO_SNDBUF/SO_RCVBUF: 요청한 크기와 실제로 받은 크기, SYN의 윈도우 스케일, 꺼지는 자동 튜닝",
    .explain = "클라이언트는 연결 네 개를 만듭니다. 각 connect() 전에 SO_SNDBUF와 SO_RCVBUF 모두에 버퍼 크기를 "
               "요청하고 - 4 KiB, 아무것도 설정하지 않음(기본값), 1 MiB, 그리고 커널이 허용하는 것보다 큰 64 MiB - "
               "실제로 받은 값을 다시 읽습니다. Linux는 요청을 net.core.rmem_max / wmem_max로 제한한 뒤 두 배로 "
               "늘리므로(늘어난 절반은 커널 자체의 관리 비용(bookkeeping)에 쓰입니다), getsockopt는 setsockopt에 준 "
               "값을 결코 그대로 돌려주지 않습니다. 아무도 튜닝하지 않은 소켓은 tcp_rmem[1] / tcp_wmem[1]에서 시작해 "
               "자동 튜닝(autotuning)됩니다: 송신 버퍼(send buffer)는 연결이 맺어지자마자, 수신 버퍼(receive "
               "buffer)는 데이터가 읽히는 대로 커지며, 상한은 tcp_rmem[2] / tcp_wmem[2]입니다. connect() 전에 설정한 "
               "수신 버퍼는 SYN의 윈도우 스케일(window scale)도 결정하는데, 이 값은 나중에 결코 바뀔 수 없습니다: "
               "작은 버퍼는 작은 스케일을 알리고, 튜닝하지 않은 소켓은 자동 튜닝이 도달할 수 있는 최대 크기에 맞춘 "
               "스케일을 알립니다. 그다음 각 연결은 서버로부터 0.4 s 동안 스트림을 받고, 클라이언트는 50 ms마다 "
               "자신의 SO_RCVBUF와 TCP_INFO를 샘플링합니다. 커지는 것은 튜닝하지 않은 버퍼뿐입니다: SO_RCVBUF를 "
               "설정하면 그 소켓의 수신 자동 튜닝이 꺼집니다. TCP_INFO의 rcv_space는 읽는 쪽이 한 왕복(round "
               "trip)마다 가져가는 양에 대한 커널의 추정치이고 자동 튜닝은 이 값을 보고 움직이는데, 이 값은 "
               "고정된(locked) 소켓에서도 여전히 바뀔 수 있습니다. 실제로 바뀌었는지는 차트가 보여 줍니다.",
    .watch = "각 클라이언트 SYN의 윈도우 스케일 옵션(wscale): 4 KiB 연결에서 가장 작음\n"
             "클라이언트가 보낸 첫 ACK들의 Win 필드에 2^wscale을 곱한 값이 리포트의 client_window_at_accept입니다: "
             "SO_RCVBUF보다 작은데, SO_RCVBUF에는 커널의 오버헤드 몫도 들어 있기 때문입니다\n"
             "Statistics > Conversations: 네 연결이 small, default, large, above_max 순서로 나옴\n"
             "스트림을 보려면 SYN 필터를 빼십시오: small 연결의 윈도우는 계속 아주 작게 유지됩니다",
    .on_linux = "getsockopt는 2 x min(requested, rmem_max / wmem_max)를 반환합니다(socket(7)). 설정하지 않은 소켓은 "
                "tcp_rmem[1] / tcp_wmem[1]에서 시작하고, 송신 버퍼는 connect 시점에, 수신 버퍼는 데이터가 읽히는 "
                "동안 커지며, 상한은 tcp_rmem[2] / tcp_wmem[2]입니다. SO_RCVBUF를 설정하면 크기가 고정되고 수신 자동 "
                "튜닝이 멈춥니다(tcp(7)). 윈도우 스케일에 반영되게 하려면 connect()나 listen() 전에 설정하십시오.",
    .on_windows = "getsockopt는 설정된 값을 그대로 반환합니다. SO_RCVBUF를 설정하지 않으면 수신 윈도우는 자동 "
                  "튜닝되고, SO_SNDBUF를 설정하면 동적 송신 버퍼링(dynamic send buffering)이 꺼집니다(Microsoft의 "
                  "SIO_IDEAL_SEND_BACKLOG_QUERY 문서). 설정한 SO_RCVBUF가 윈도우를 고정하는지는 문서화되어 있지 "
                  "않습니다: 레슨은 측정한 값을 보고합니다. tcp_rmem 같은 sysctl은 없습니다.",
    .under_wine = "Wine은 설정된 값을 기억해 그대로 보고하지만, 그 아래의 Linux 커널은 값을 두 배로 늘립니다(ss -m은 "
                  "두 배가 된 크기를 보여 줍니다).",
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
    .ko = &ko,
};
