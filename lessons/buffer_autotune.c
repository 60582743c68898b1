/* buffer-autotune - the kernel sizing a connection's buffers while it runs, against buffers a
 * program fixed.
 *
 * Two bulk transfers, one after the other, server -> client for TRANSFER_MS each:
 *   default   nothing set: both ends autotune
 *   locked    the client sets SO_RCVBUF before connect(), the server SO_SNDBUF after accept(),
 *             both to LOCKED (which Linux doubles): autotuning is off for both
 *
 * On the wire (server port P, client port C), each connection:
 *   C > P  [S] wscale N   P > C [S.]   C > P [.]     locked: a smaller N (the buffer set before connect)
 *   P > C  [.] [P.] ... (TRANSFER_MS of data)        the client ACKs and reads as fast as it can
 *   C > P  [.] win ...                               default: the advertised window grows as the
 *                                                    receive buffer is autotuned; locked: it stays small
 *   P > C  [F.]                                      end of the stream
 *
 * Both sides sample their socket every SAMPLE_MS: SO_SNDBUF, SO_RCVBUF, SIOCINQ/SIOCOUTQ, and
 * TCP_INFO's rcv_space, snd_cwnd, notsent_bytes, snd_wnd and the time the sender spent limited by
 * the receive window or its own send buffer.
 *
 * The student sees: the default buffers grow while the data flows, bounded by tcp_rmem[2] /
 * tcp_wmem[2]; the locked ones stay flat; rcv_space (the reader's pace, which autotuning acts on)
 * moves either way; and what the lock did to the throughput on this path (on loopback the round
 * trip is so short that even small windows go fast). */
#include "lessons/lesson.h"

#include <string.h>

#define LOCKED 16384
#define TRANSFER_MS 1500
#define SAMPLE_MS 50

static int is_locked(const struct lesson_side *s) { return side_conn(s) == 1; }

static void client_prepare(struct lesson_side *s, sock_t sock)
{
    if (side_conn(s) == 0)
        side_kernel_limits(s, 1, 0); /* each side its own machine's limits */
    if (is_locked(s))
        side_set_buffer(s, sock, SOCK_RCVBUF, LOCKED, "receiver.so_rcvbuf_set");
}

/* Client: the receiver. Reads everything, sampling as it goes. */
static void client(struct lesson_side *s)
{
    struct side_transfer t;
    side_sink(s, 2000, SAMPLE_MS, &t);
    side_fact_int(s, "receiver.bytes", t.bytes);
    side_fact_ms(s, "receiver.ms", t.ms);
    side_fact_num(s, "receiver.mib_per_s", t.mib_per_s);
    side_series_facts(s, "rcvbuf", "receiver.so_rcvbuf");
    side_series_facts(s, "rcv_space", "receiver.rcv_space");
}

/* Server: the sender. Streams for TRANSFER_MS, sampling as it goes. */
static void server(struct lesson_side *s)
{
    struct side_transfer t;
    if (side_conn(s) == 0)
        side_kernel_limits(s, 0, 1);
    if (is_locked(s))
        side_set_buffer(s, side_sock(s), SOCK_SNDBUF, LOCKED, "sender.so_sndbuf_set");
    side_stream(s, 1LL << 40, TRANSFER_MS, SAMPLE_MS, &t);
    side_fact_int(s, "sender.bytes", t.bytes);
    side_series_facts(s, "sndbuf", "sender.so_sndbuf");
    side_series_facts(s, "snd_cwnd", "sender.snd_cwnd");
    side_series_facts(s, "rwnd_limited", "sender.rwnd_limited_ms");
    side_series_facts(s, "sndbuf_limited", "sender.sndbuf_limited_ms");
}

static void check(struct lesson_report *r)
{
    long long v;
    expect_equal(r, "default_all_bytes_arrived", "default.receiver.bytes", "default.sender.bytes");
    expect_equal(r, "locked_all_bytes_arrived", "locked.receiver.bytes", "locked.sender.bytes");
    if (strcmp(report_platform(r), "linux") != 0)
        return; /* Windows: whether a set SO_RCVBUF pins the window is undocumented; reported only */
    expect_less(r, "default_rcvbuf_grew", "default.receiver.so_rcvbuf.first", "default.receiver.so_rcvbuf.max");
    if (report_fact_int(r, "kernel_limits.tcp_rmem.max", &v))
        expect_range(r, "rcvbuf_growth_stops_at_tcp_rmem_max", "default.receiver.so_rcvbuf.max", 0, (double)v);
    if (report_fact_int(r, "kernel_limits.tcp_wmem.default", &v))
        expect_range(r, "sndbuf_grew_past_tcp_wmem_default", "default.sender.so_sndbuf.max", (double)v + 1, 1e308);
    if (report_fact_int(r, "kernel_limits.tcp_wmem.max", &v))
        expect_range(r, "sndbuf_growth_stops_at_tcp_wmem_max", "default.sender.so_sndbuf.max", 0, (double)v);
    expect_equal(r, "locked_rcvbuf_stayed", "locked.receiver.so_rcvbuf.min", "locked.receiver.so_rcvbuf.max");
    expect_equal(r, "locked_sndbuf_stayed", "locked.sender.so_sndbuf.min", "locked.sender.so_sndbuf.max");
}

static const struct lesson_chart charts[] = {
    {"receiver SO_RCVBUF", SIDE_CLIENT, "rcvbuf", "수신 측 SO_RCVBUF"},
    {"receiver rcv_space: read per round trip", SIDE_CLIENT, "rcv_space", "수신 측 rcv_space: 왕복마다 읽은 양"},
    {"sender SO_SNDBUF", SIDE_SERVER, "sndbuf", "송신 측 SO_SNDBUF"},
    {"sender snd_wnd: the window it may fill", SIDE_SERVER, "snd_wnd", "송신 측 snd_wnd: 채울 수 있는 윈도우"},
    {"sender snd_cwnd: congestion window", SIDE_SERVER, "snd_cwnd", "송신 측 snd_cwnd: 혼잡 윈도우"},
    {"sender SIOCOUTQ: unacknowledged + unsent", SIDE_SERVER, "outq", "송신 측 SIOCOUTQ: 확인 안 됨 + 아직 안 보냄"},
    {"sender notsent_bytes: not yet sent", SIDE_SERVER, "notsent", "송신 측 notsent_bytes: 아직 보내지 않음"},
    {"sender time held by the receive window", SIDE_SERVER, "rwnd_limited", "송신 측이 수신 윈도우에 묶인 시간"},
    {"bytes received (slope = throughput)", SIDE_CLIENT, "received", "받은 바이트 (기울기 = 처리량)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "시간에 따른 버퍼 자동 튜닝: 기본 버퍼는 커지고 고정한 버퍼는 그대로, 그리고 처리량",
    .explain = "서버에서 클라이언트로 대량 전송(bulk transfer)을 두 번, 각각 1.5 s 동안 합니다. 첫 번째는 버퍼를 "
               "그대로 두고, 두 번째는 클라이언트가 SO_RCVBUF를(connect 전에), 서버가 SO_SNDBUF를 16 KiB로 "
               "설정합니다. 양쪽 모두 50 ms마다 자신의 소켓을 샘플링합니다 - 버퍼 크기, 큐, 그리고 커널의 TCP_INFO: "
               "rcv_space(읽는 쪽이 한 왕복(round trip) 동안 소비한 양으로, 수신 자동 튜닝(autotuning)을 움직이는 "
               "값), snd_wnd(수신 측이 알리는(advertise) 윈도우), snd_cwnd, notsent_bytes, 그리고 송신 측이 수신 "
               "윈도우(receive window) 때문에 묶여 있던 시간입니다. 기본 버퍼에서는 데이터가 흐르는 동안 커널이 두 "
               "버퍼를 모두 키우며, 상한은 tcp_rmem[2] / tcp_wmem[2]입니다. 고정한(locked) 버퍼는 전혀 움직이지 "
               "않으므로 수신 측은 작은 버퍼가 허용하는 것보다 큰 윈도우를 결코 알릴 수 없습니다 - 자동 튜닝이 "
               "따라갈 속도인 rcv_space는 계속 측정되는데도 말입니다. 이 경로에서 고정이 치른 비용은 차트와 "
               "처리량(throughput) 측정값(fact)이 보여 줍니다. 윈도우는 처리량을 대략 윈도우 / 왕복 시간으로 "
               "제한하는데, 루프백에서는 한 왕복이 마이크로초 단위이므로 여기서의 비용은 실제 네트워크를 거칠 때보다 "
               "훨씬 작습니다.",
    .watch = "클라이언트의 ACK: 윈도우 필드가 첫 번째 연결에서는 커지고 두 번째 연결에서는 작게 유지됨\n"
             "두 SYN의 wscale 옵션: 고정한 연결 쪽이 더 작음\n"
             "각 스트림에서 Statistics > TCP Stream Graphs > Window Scaling: 시간에 따른 수신 윈도우\n"
             "Statistics > Conversations: 두 연결의 바이트 수와 지속 시간",
    .on_linux = "수신 자동 튜닝(tcp_moderate_rcvbuf)은 읽는 쪽이 속도를 따라가는 동안 SO_RCVBUF를 tcp_rmem[2]까지 "
                "키웁니다. 송신 버퍼는 혼잡 윈도우(congestion window)를 따라 tcp_wmem[2]까지 커집니다. SO_RCVBUF나 "
                "SO_SNDBUF를 설정하면 그 버퍼는 설정값의 두 배로 고정됩니다(tcp(7)).",
    .on_windows = "수신 윈도우 자동 튜닝(receive window autotuning)과 동적 송신 버퍼링(dynamic send buffering)은 "
                  "기본으로 켜져 있습니다. SO_SNDBUF를 설정하면 동적 송신 버퍼링이 꺼집니다(Microsoft의 "
                  "SIO_IDEAL_SEND_BACKLOG_QUERY 문서). getsockopt가 자동 튜닝된 크기를 보여 주는지, 설정한 "
                  "SO_RCVBUF가 윈도우를 고정하는지는 문서화되어 있지 않습니다: 레슨은 측정한 값을 보고합니다.",
    .under_wine = "Wine에는 SIO_TCP_INFO가 없습니다: TCP_INFO 시계열은 이 플랫폼에서 측정되지 않는다고 표시됩니다. "
                  "버퍼 크기와 바이트 수는 그래도 측정됩니다.",
};

const struct lesson lesson_buffer_autotune = {
    .name = "buffer-autotune",
    .title = "buffer autotuning over time: default buffers grow, locked ones stay, and the throughput",
    .explain = "Two bulk transfers from the server to the client, 1.5 s each. The first leaves the buffers "
               "alone; for the second the client sets SO_RCVBUF (before connect) and the server SO_SNDBUF to "
               "16 KiB. Both sides sample their socket every 50 ms - the buffer sizes, the queues, and the "
               "kernel's TCP_INFO: rcv_space (how much the reader consumed in a round trip, which drives "
               "receive autotuning), snd_wnd (the window the receiver advertises), snd_cwnd, notsent_bytes and "
               "the time the sender was held back by the receive window. With default buffers the kernel "
               "grows both while the data flows, bounded by tcp_rmem[2] / tcp_wmem[2]; the locked ones never "
               "move, so the receiver can never advertise more than its small buffer allows - even though "
               "rcv_space, the pace autotuning would follow, keeps being measured. The charts and the "
               "throughput facts show what the lock cost on this path. A window limits throughput to about "
               "window / round-trip time, and on loopback a round trip takes microseconds, so the cost here "
               "is far smaller than across a real network.",
    .wireshark = "tcp.port == {port}",
    .watch = "the client's ACKs: their window field grows on the first connection, stays small on the second\n"
             "the wscale option in the two SYNs: smaller for the locked connection\n"
             "Statistics > TCP Stream Graphs > Window Scaling on each stream: the receive window over time\n"
             "Statistics > Conversations: bytes and duration of the two connections",
    .on_linux = "Receive autotuning (tcp_moderate_rcvbuf) grows SO_RCVBUF as the reader keeps up, up to "
                "tcp_rmem[2]; the send buffer grows with the congestion window up to tcp_wmem[2]. Setting "
                "SO_RCVBUF or SO_SNDBUF locks that buffer at twice the value (tcp(7)).",
    .on_windows = "Receive window autotuning and dynamic send buffering are on by default; setting SO_SNDBUF "
                  "turns dynamic send buffering off (Microsoft's SIO_IDEAL_SEND_BACKLOG_QUERY documentation). "
                  "Whether getsockopt shows the autotuned sizes, and whether a set SO_RCVBUF pins the window, "
                  "is not documented: the lesson reports what it measures.",
    .under_wine = "Wine has no SIO_TCP_INFO: the TCP_INFO series read \"not measured on this platform\"; the buffer "
                  "sizes and byte counts are still measured.",
    .closer = SIDE_SERVER,
    .connections = 2,
    .conn_prefix = {"default.", "locked."},
    .duration_hint_ms = 2 * TRANSFER_MS + 500,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .ko = &ko,
};
