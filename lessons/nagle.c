/* nagle - small game writes with Nagle's algorithm (the default) and with TCP_NODELAY: how many
 * segments they become, and the round trip of the write-write-read pattern.
 *
 * Two connections run the same script; only the client's TCP_NODELAY differs (nagle: off, nodelay: on).
 *   1. burst: FRAMES MOVE frames of 7 bytes, one send() each, back to back (a game loop flushing its
 *      inputs). The server is busy for BUSY_MS (a game tick), so only its kernel ACKs them; then it
 *      reads them and answers with one STATE frame.
 *   2. write-write-read, REQUESTS times: a PING frame's 3-byte header (length, type) with one send(),
 *      its 8-byte payload (the client's clock) with another, then wait for the PONG.
 *
 * On the wire (server port P, client port C), one Linux run on loopback:
 *   both     C > P [P.] 7   P > C [.]   x 16   a new connection ACKs each segment at once (quick-ack)
 *            C > P [P.] 7                      the 17th: from now on the server delays its ACKs
 *   nagle    ... 40 ms ...  P > C [.]          Nagle held every later frame behind that unacknowledged
 *            C > P [P.] 1281                   small segment; the delayed-ACK timer releases all 183
 *   nodelay  C > P [P.] 7   x 17 more          each frame leaves at once - until 18 segments, the
 *            ... 8 ms ...                      congestion window, are in flight; the other 166 wait.
 *            C > P [P.] 1162                   No ACK came: the sender's own tail-loss-probe timer
 *                                              (TcpExtTCPLossProbes +1) sent them as one segment
 *   nagle    C > P [P.] 3                      a PING header
 *            ... 40 ms ...  P > C [.]          the server's delayed ACK: it waits for the rest of the
 *                                              request, so no answer carries the ACK sooner
 *            C > P [P.] 8   P > C [P.] 11      only now the payload may go; then the PONG
 *   nodelay  C > P [P.] 3  [P.] 8   P > C [P.] 11    tens of microseconds in all
 *
 * Facts per connection (nagle.*, nodelay.*): segments and segments_per_frame (TCP_INFO's
 * data_segs_out around the burst, Linux), segments_in over the same time and segments_beyond_acks
 * (segments out minus segments in: Nagle sends at most one small segment per ACK), after_burst.*
 * (who held the unsent frames), requests, rtt_p50_us, rtt_p99_us, rtt_min_us, segments_per_request.
 * tests/lessons/nagle.sh counts the segments and checks the stall's order on the wire with tcpdump. */
#include "lessons/lesson.h"

#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "compat/os.h"

#define FRAMES 200
#define REQUESTS 20
#define IDLE_MS 3000
#define BUSY_MS 100 /* the server reads nothing for this long after accepting */
#define STALL_MIN_US 20000 /* half of Linux's shortest delayed ACK (TCP_DELACK_MIN, 40 ms) */

/* A frame reader over a blocking socket: whole frames from what recv() returned. */
struct reader {
    uint8_t buf[4096];
    size_t have;
    long recv_calls;
};

/* The next whole frame into *f (valid until the next call): 1, or 0 at EOF / error / IDLE_MS idle. */
static int next_frame(struct lesson_side *s, struct reader *rd, struct proto_frame *f, size_t *used)
{
    for (;;) {
        long n;
        if (*used > 0) { /* drop the frame handed out last time */
            memmove(rd->buf, rd->buf + *used, rd->have - *used);
            rd->have -= *used;
            *used = 0;
        }
        switch (proto_parse(rd->buf, rd->have, f, used)) {
        case PROTO_OK: return 1;
        case PROTO_NEED_MORE: break;
        default: side_error(s, "frame", "the peer sent a malformed frame"); return 0;
        }
        if (side_wait(s, 0, IDLE_MS) <= 0)
            return 0;
        n = sock_recv(side_sock(s), rd->buf + rd->have, sizeof rd->buf - rd->have);
        if (n <= 0)
            return 0;
        rd->have += (size_t)n;
        rd->recv_calls++;
    }
}

/* Segments received so far, each of which may carry an ACK (TCP_INFO; -1 where there is none). */
static long segs_in(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    return sock_tcp_info(side_sock(s), &ti, NULL) == 0 ? ti.segs_in : -1;
}

/* Who holds the frames not yet sent when the burst's last send() returns: Nagle (one small segment
 * in flight) or the congestion window (snd_cwnd segments in flight). TCP_INFO, where the platform has
 * these fields. */
static void after_burst(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    if (sock_tcp_info(side_sock(s), &ti, NULL) != 0)
        return;
    if (ti.unacked >= 0)
        side_fact_int(s, "after_burst.in_flight", ti.unacked);
    if (ti.snd_cwnd >= 0)
        side_fact_int(s, "after_burst.snd_cwnd", ti.snd_cwnd);
    if (ti.notsent_bytes >= 0)
        side_fact_int(s, "after_burst.not_sent", ti.notsent_bytes);
    side_log(s, "last send() returned: %ld segments in flight (congestion window %ld), %ld bytes not sent yet",
             ti.unacked, ti.snd_cwnd, ti.notsent_bytes);
}

static int send_all(struct lesson_side *s, const uint8_t *p, size_t len)
{
    long n = sock_send(side_sock(s), p, len);
    if (n == (long)len)
        return 0;
    side_error(s, "send", sock_err_name(sock_last_error()));
    return -1;
}

/* Server: count the MOVE frames, answer with one STATE; then a PONG for every PING, until EOF. */
static void server(struct lesson_side *s)
{
    struct reader rd;
    struct proto_frame f;
    uint8_t out[32];
    size_t used = 0, len;
    long moves = 0, pongs = 0;
    uint64_t t;
    rd.have = 0;
    rd.recv_calls = 0;
    side_set_blocking(s);
    side_sleep(s, BUSY_MS); /* busy with a game tick: only the kernel ACKs the burst */
    while (moves < FRAMES && next_frame(s, &rd, &f, &used))
        moves += f.type == PROTO_MOVE;
    side_fact_int(s, "frames_received", moves);
    side_fact_int(s, "frames_recv_calls", rd.recv_calls);
    side_log(s, "%ld MOVE frames arrived in %ld recv() calls", moves, rd.recv_calls);
    len = proto_encode_state((uint32_t)moves, 0, NULL, 0, out, sizeof out);
    if (send_all(s, out, len) != 0)
        return;
    while (pongs < REQUESTS && next_frame(s, &rd, &f, &used)) {
        if (proto_decode_ping(&f, &t) != 0)
            continue;
        len = proto_encode_ping(PROTO_PONG, t, out, sizeof out);
        if (send_all(s, out, len) != 0)
            return;
        pongs++;
    }
    side_log(s, "answered %ld PINGs", pongs);
}

static void client_prepare(struct lesson_side *s, sock_t sock)
{
    char err[SOCK_ERR_LEN];
    int on = side_conn(s) == 1;
    if (on && sock_set_nodelay(sock, 1, err) != 0) {
        side_error(s, "TCP_NODELAY", err);
        return;
    }
    side_fact_str(s, "tcp_nodelay", on ? "on" : "off");
}

static int by_value(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted v[0..n). */
static long percentile(const long *v, size_t n, int pct)
{
    size_t rank = (n * (size_t)pct + 99) / 100;
    return v[rank > 0 ? rank - 1 : 0];
}

/* Client: the MOVE burst, then REQUESTS write-write-read round trips. */
static void client(struct lesson_side *s)
{
    struct reader rd;
    struct proto_frame f;
    uint8_t frame[16];
    long rtt[REQUESTS], segs0, segs1, segs2, in0 = -1, in1 = -1;
    size_t used = 0, len, n = 0;
    int i;
    rd.have = 0;
    rd.recv_calls = 0;
    side_set_blocking(s);
    len = proto_encode_move(3, 4, frame, sizeof frame);
    segs0 = side_data_segs_out(s);
    in0 = segs_in(s);
    for (i = 0; i < FRAMES; i++)
        if (send_all(s, frame, len) != 0)
            return;
    after_burst(s);
    if (!next_frame(s, &rd, &f, &used) || f.type != PROTO_STATE) {
        side_error(s, "burst", "no STATE frame after the MOVE burst");
        return;
    }
    segs1 = side_data_segs_out(s);
    in1 = segs_in(s);
    if (in0 >= 0 && in1 >= 0 && segs0 >= 0 && segs1 >= 0) { /* every segment in may carry an ACK */
        side_fact_int(s, "segments_in", in1 - in0);
        side_fact_int(s, "segments_beyond_acks", (segs1 - segs0) - (in1 - in0));
    }
    side_fact_int(s, "frames", FRAMES);
    side_fact_int(s, "frame_bytes", (long long)len);
    if (segs0 >= 0 && segs1 >= 0) {
        side_fact_int(s, "segments", segs1 - segs0);
        side_fact_num(s, "segments_per_frame", (double)(segs1 - segs0) / FRAMES);
        side_log(s, "%d MOVE frames left in %ld data segments", FRAMES, segs1 - segs0);
    }
    while (n < REQUESTS) {
        uint64_t t0 = os_now_us(), t;
        len = proto_encode_ping(PROTO_PING, t0, frame, sizeof frame);
        if (send_all(s, frame, PROTO_HDR_LEN) != 0 || send_all(s, frame + PROTO_HDR_LEN, len - PROTO_HDR_LEN) != 0)
            return;
        if (!next_frame(s, &rd, &f, &used) || proto_decode_ping(&f, &t) != 0 || f.type != PROTO_PONG || t != t0) {
            side_error(s, "request", "no matching PONG");
            return;
        }
        rtt[n++] = (long)(os_now_us() - t0);
    }
    segs2 = side_data_segs_out(s);
    qsort(rtt, n, sizeof rtt[0], by_value);
    side_fact_int(s, "requests", (long long)n);
    side_fact_int(s, "rtt_p50_us", percentile(rtt, n, 50));
    side_fact_int(s, "rtt_p99_us", percentile(rtt, n, 99));
    side_fact_int(s, "rtt_min_us", rtt[0]);
    if (segs1 >= 0 && segs2 >= 0)
        side_fact_num(s, "segments_per_request", (double)(segs2 - segs1) / (double)n);
    side_log(s, "%d write-write-read round trips: median %ld us, slowest %ld us", (int)n, percentile(rtt, n, 50),
             rtt[n - 1]);
}

static void check(struct lesson_report *r)
{
    const char *p = report_platform(r);
    expect_equal(r, "nagle_every_frame_arrived", "nagle.frames_received", "nagle.frames");
    expect_equal(r, "nodelay_every_frame_arrived", "nodelay.frames_received", "nodelay.frames");
    /* Nagle's rule, whatever the timing: a small segment only once the previous one was ACKed */
    expect_range(r, "nagle_one_small_segment_per_ack", "nagle.segments_beyond_acks", -1e308, 1);
    expect_range(r, "nodelay_sent_without_waiting_for_acks", "nodelay.segments_beyond_acks", 2, 1e308);
    expect_less(r, "nodelay_faster_write_write_read", "nodelay.rtt_p50_us", "nagle.rtt_p50_us");
    if (strcmp(p, "linux") == 0 || strcmp(p, "windows") == 0)
        expect_range(r, "nagle_waits_for_delayed_ack", "nagle.rtt_p50_us", STALL_MIN_US, 1e308);
    if (strcmp(p, "linux") == 0) /* Minshall's Nagle: every frame is small, so at most one in flight */
        expect_range(r, "nagle_one_small_segment_in_flight", "nagle.after_burst.in_flight", 0, 1);
}

static const struct lesson_text ko = {
    .title = "Nagle 대 TCP_NODELAY: 작은 쓰기 하나가 몇 개의 세그먼트가 되는지, 그리고 write-write-read 지연",
    .explain = "게임 클라이언트는 작은 프레임을 씁니다. Nagle 알고리즘(Nagle's algorithm, 기본 동작)에서 TCP는 앞서 "
               "보낸 작은 세그먼트가 아직 확인응답(ACK)되지 않은 동안 MSS보다 작은 세그먼트를 붙잡아 두고, ACK가 오면 "
               "모인 바이트를 함께 내보냅니다. 클라이언트는 서버가 게임 틱을 처리하느라 바쁜 동안 7 bytes짜리 MOVE "
               "프레임 200개를 연달아 씁니다. 새 커넥션은 모든 세그먼트를 즉시 ACK하므로(quick-ack) 어느 쪽이든 처음 "
               "프레임들은 하나씩 나갑니다; 그다음 서버의 커널이 ACK를 지연시키기 시작하고, Nagle은 나머지를 다음 "
               "ACK까지 붙잡아 둡니다. TCP_NODELAY는 각 프레임을 즉시 보냅니다 - 단, 혼잡 윈도우(congestion window)에 "
               "여유가 있는 동안만입니다: 윈도우가 차면 이후 프레임들도 기다리며 합쳐지고, ACK가 오거나 (Linux에서는) "
               "송신 측의 tail-loss probe 타이머가 내보낼 때까지 그렇습니다. 이어서 많은 코드가 작성하는 방식대로 요청 "
               "20개를 보냅니다: 헤더를 send() 한 번으로, 페이로드를 또 한 번으로 쓰고 응답을 기다립니다. Nagle에서는 "
               "페이로드가 헤더의 ACK를 기다리는데, 서버는 그 ACK를 지연시킵니다 - 아직 보낼 것이 없고, 요청의 "
               "나머지를 기다리는 중이기 때문입니다 - 그래서 왕복마다 수십 마이크로초가 아니라 지연 ACK(delayed ACK) "
               "타임아웃(Linux에서 약 40 ms)이 걸립니다. TCP_NODELAY를 쓰거나 헤더와 페이로드를 send() 한 번으로 "
               "보내면 이 지연이 사라집니다. Nagle이 세그먼트를 얼마나 줄이는지는 타이밍에 달려 있습니다: ACK가 돌아오는 "
               "것보다 느리게 쓰는 클라이언트(부하가 걸린 CPU, sanitizer 빌드, 한 머신의 봇 서른 개)는 다음 쓰기 전에 "
               "매번 ACK를 받으므로, Nagle도 프레임을 하나씩 따로 보냅니다. 그래서 검사는 각 커넥션의 burst를 그동안 "
               "받은 ACK와 비교합니다: Nagle은 들어온 세그먼트 수보다 데이터 세그먼트가 많아야 하나 더(작은 세그먼트마다 "
               "ACK 하나를 기다렸음), TCP_NODELAY는 그보다 많습니다.",
    .watch = "Statistics > Conversations: 클라이언트에서 서버 방향으로는 nagle 커넥션(첫 번째)이 nodelay 커넥션보다 "
             "데이터 패킷을 적게 보냅니다(클라이언트가 ACK가 돌아오는 것보다 빨리 쓸 때, 즉 한가한 머신에서); 양방향을 합쳐 세면 총계는 거의 같게 나옵니다: 데이터 세그먼트가 적다고 "
             "회선 위의 패킷이 적은 것은 아닙니다(데이터를 비교하려면 필터 tcp.len > 0 && tcp.dstport == PORT)\n"
             "burst: 7 bytes 세그먼트들, 그다음 기다리던 프레임들을 담은 큰 세그먼트 하나\n"
             "nagle write-write-read: 3 bytes 헤더, 약 40 ms 동안 아무것도 없음, 서버의 데이터 없는 ACK(bare ACK), "
             "그다음 8 bytes 페이로드 (View > Time Display Format > Since Previous Displayed Packet; ACK를 보려면 "
             "tcp.len 필터를 빼십시오)\n"
             "nodelay: 헤더와 페이로드가 마이크로초 간격으로, 바로 뒤에 11 bytes PONG",
    .on_linux = "Nagle(RFC 896, Minshall의 변형: 확인응답되지 않은 작은 세그먼트는 최대 하나)은 MSS보다 작은 데이터를 "
                "붙잡아 둡니다; TCP_NODELAY는 이를 끄지만(tcp(7)) 혼잡 윈도우(congestion window)까지 끄지는 않습니다. "
                "지연 ACK(delayed ACK)는 최소 40 ms를 기다립니다(TCP_DELACK_MIN); 새 커넥션은 즉시 "
                "ACK하다가(quick-ack) 요청-응답 트래픽을 보면 지연 ACK로 바꿉니다.",
    .on_windows = "Nagle 규칙은 같습니다; Windows는 기본적으로 ACK를 200 ms 지연시키므로(TcpAckFrequency, "
                  "TcpDelAckTicks) write-write-read 지연이 더 깁니다. SIO_TCP_INFO에는 세그먼트 수가 없습니다: "
                  "그곳에서 segments_per_frame은 측정하지 않고, RTT는 측정합니다.",
    .under_wine = "write-write-read 지연은 Linux의 것(약 40 ms)입니다: Wine은 Linux 커널 위에서 돌고, 응답하는 것은 그 "
                  "커널의 지연 ACK(delayed ACK) 타이머입니다.",
};

const struct lesson lesson_nagle = {
    .name = "nagle",
    .title = "Nagle vs TCP_NODELAY: segments per small write, and the write-write-read stall",
    .explain = "A game client writes small frames. With Nagle's algorithm (the default) TCP holds a segment "
               "smaller than the MSS while a small segment it sent is still unacknowledged; the bytes leave "
               "together when the ACK comes. The client writes 200 MOVE frames of 7 bytes back to back while "
               "the server is busy with a game tick. A new connection ACKs every segment at once (quick-ack), "
               "so the first frames leave one by one either way; then the server's kernel delays its ACKs, and "
               "Nagle keeps the rest until the next ACK. TCP_NODELAY sends each frame at once - but only while "
               "the congestion window has room: when it is full, later frames wait and merge too, until an ACK "
               "or (Linux) the sender's tail-loss-probe timer lets them out. Then 20 requests the way much code "
               "writes them: the header with one send(), the payload with another, then wait for the answer. "
               "With Nagle the payload waits for the ACK of the header, and the server delays that ACK - it "
               "has nothing to send yet, it is waiting for the rest of the request - so every round trip costs "
               "a delayed-ACK timeout (about 40 ms on Linux) instead of tens of microseconds. TCP_NODELAY, or "
               "one send() for header and payload, removes the stall. How many segments Nagle saves depends on "
               "timing: a client that writes slower than its ACKs come back (a loaded CPU, a sanitizer build, "
               "thirty bots on one machine) has each ACK before its next write, and Nagle sends every frame "
               "alone. So the checks hold each connection's burst to the ACKs it received meanwhile: with Nagle "
               "at most one data segment more than the segments that came in (each small segment waited for "
               "one), with TCP_NODELAY more than that.",
    .wireshark = "tcp.port == {port} && tcp.len > 0",
    .watch = "Statistics > Conversations: in the client-to-server direction the nagle connection (the first) "
             "sends fewer data packets than the nodelay one when the client writes faster than its ACKs return (an idle "
             "machine); counting both directions the totals come out "
             "about even: fewer data segments are not fewer packets on the wire (filter tcp.len > 0 && "
             "tcp.dstport == PORT to compare the data)\n"
             "the burst: 7-byte segments, then one large segment holding the frames that waited\n"
             "nagle write-write-read: the 3-byte header, ~40 ms of nothing, the server's bare ACK, then the "
             "8-byte payload (View > Time Display Format > Since Previous Displayed Packet; drop the "
             "tcp.len filter to see the ACK)\n"
             "nodelay: header and payload microseconds apart, the 11-byte PONG right after",
    .on_linux = "Nagle (RFC 896, with Minshall's change: at most one unacknowledged small segment) holds "
                "sub-MSS data; TCP_NODELAY turns it off (tcp(7)) but not the congestion window. A delayed "
                "ACK waits at least 40 ms (TCP_DELACK_MIN); a new connection ACKs at once (quick-ack) and "
                "switches to delayed ACKs once it sees request-reply traffic.",
    .on_windows = "The same Nagle rule; Windows delays ACKs by 200 ms by default (TcpAckFrequency, "
                  "TcpDelAckTicks), so the write-write-read stall is longer. SIO_TCP_INFO has no segment "
                  "counts: segments_per_frame is not measured there, the RTTs are.",
    .under_wine = "The write-write-read stall is Linux's (about 40 ms): Wine runs on the Linux kernel, whose "
                  "delayed-ACK timer answers.",
    .closer = SIDE_CLIENT,
    .connections = 2,
    .conn_prefix = {"nagle.", "nodelay."},
    .duration_hint_ms = REQUESTS * 45 + 2 * BUSY_MS + 100,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
