/* psh-recv - a byte stream has no message boundaries: what one recv() returns, and what PSH has to
 * do with it.
 *
 * The server writes messages of chosen sizes, one send() call each; the client logs what every
 * recv() returned. Three connections:
 *   paused        100, 1000, 3000, 150000, 200 bytes, PAUSE_MS after each; read with a 256 KiB buffer
 *   back_to_back  700, 1500, 300, 2500, 1000 bytes, no pause, to a reader busy until all 6000 are
 *                 queued, which then reads 2048 bytes at a time
 *   rcvlowat      six writes of 1000 bytes, PAUSE_MS apart, to a reader with SO_RCVLOWAT 3000
 *
 * On the wire (server port P, client port C), one Linux run on loopback:
 *   paused        P > C [P.] 100 ... [P.] 1000 ... [P.] 3000 ...   each small write: one segment, PSH
 *                 P > C [.] 50176  [P.] 50176                      the 150000-byte write: a PSH in the
 *                 C > P [.] win 28 ... [.] win 98                  middle too (Linux pushes once half
 *                 P > C [P.] 49648                                 the peer's largest window went out
 *                                                                  unpushed); the last part waits for
 *                                                                  the reader to make room
 *                 P > C [P.] 200
 *                 recv(): 100, 1000, 3000, 100352, 49648, 200 - the big write in two pieces
 *   back_to_back  P > C [P.] 700 [P.] 1500 [P.] 300 [P.] 2500 [P.] 1000   each ACKed at once, so
 *                 Nagle never waited; recv(): 2048, 2048, 1904 - write 1 and most of write 2 in one
 *   rcvlowat      P > C [P.] 1000 x 6, PAUSE_MS apart; recv(): 3000, 3000 - every segment carried
 *                 PSH, and none woke the reader
 *
 * Windows documents another rule (KB Q126967, NT/2000): a receive completes on a PSH segment, a full
 * buffer, or ~0.5 s after data arrived - unconfirmed for Windows 10/11, so reported, not checked; and
 * Winsock has no SO_RCVLOWAT for TCP (the rcvlowat connection then reads without it).
 *
 * Facts: write_sizes, segments_per_write (server; TCP_INFO data_segs_out, Linux), recv_sizes,
 * recvs_per_write (client) and the counts the checks compare. No psh_segments: the lesson does not
 * capture; tests/lessons/psh_recv.sh counts PSH flags with tcpdump. */
#include "lessons/lesson.h"

#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define PAUSE_MS 80
#define LOWAT 3000
#define BIG_READ (256L * 1024L)
#define SMALL_READ 2048L
#define MAX_WRITES 6
#define MAX_RECVS 24
#define IDLE_MS 3000

static const char payload[150000]; /* the largest write; only sizes matter */

struct plan {
    long writes[MAX_WRITES];
    size_t n;
    int pause_ms;   /* after each write */
    long read_size; /* the client's recv() buffer */
};

static const struct plan plans[3] = {
    {{100, 1000, 3000, 150000, 200}, 5, PAUSE_MS, BIG_READ},
    {{700, 1500, 300, 2500, 1000}, 5, 0, SMALL_READ},
    {{1000, 1000, 1000, 1000, 1000, 1000}, 6, PAUSE_MS, BIG_READ},
};

static const struct plan *plan_of(struct lesson_side *s) { return &plans[side_conn(s) % 3]; }

static long plan_bytes(const struct plan *p)
{
    long sum = 0;
    size_t i;
    for (i = 0; i < p->n; i++)
        sum += p->writes[i];
    return sum;
}

/* Server: each write one blocking send() call; the segments it became, counted after its pause. */
static void server(struct lesson_side *s)
{
    const struct plan *p = plan_of(s);
    long sizes[MAX_WRITES], segs[MAX_WRITES], sent = 0, first, prev, now;
    size_t i;
    side_set_blocking(s);
    first = prev = side_data_segs_out(s);
    for (i = 0; i < p->n; i++) {
        sizes[i] = sock_send(side_sock(s), payload, (size_t)p->writes[i]);
        if (sizes[i] != p->writes[i]) {
            side_error(s, "send", sock_err_name(sock_last_error()));
            return;
        }
        sent += sizes[i];
        side_log(s, "send(%ld bytes) returned %ld", p->writes[i], sizes[i]);
        if (p->pause_ms > 0)
            side_sleep(s, p->pause_ms);
        now = side_data_segs_out(s);
        segs[i] = prev >= 0 && now >= 0 ? now - prev : -1;
        prev = now;
    }
    side_fact_ints(s, "write_sizes", sizes, p->n);
    side_fact_int(s, "writes", (long long)p->n);
    side_fact_int(s, "bytes_sent", sent);
    if (p->pause_ms == 0)
        side_sleep(s, 50); /* let the last of them leave before counting */
    now = side_data_segs_out(s);
    if (first < 0 || now < 0)
        return; /* this platform does not count segments */
    side_fact_int(s, "segments", now - first);
    if (p->pause_ms > 0) /* the pauses tell each write's segments apart */
        side_fact_ints(s, "segments_per_write", segs, p->n);
    side_log(s, "TCP_INFO: %ld data segments for %d writes", now - first, (int)p->n);
}

/* Writes and recvs as byte ranges of the stream: the recvs holding bytes of more than one write, the
 * writes that came in more than one recv, and how many recvs each write took. */
static void compare_boundaries(struct lesson_side *s, const struct plan *p, const long *got, size_t n)
{
    long per_write[MAX_WRITES] = {0}, pos = 0, wstart;
    size_t w, k;
    int spanning = 0, split = 0, writes_in;
    for (k = 0; k < n; pos += got[k++]) {
        for (w = 0, wstart = 0, writes_in = 0; w < p->n; wstart += p->writes[w++]) {
            if (pos < wstart + p->writes[w] && pos + got[k] > wstart) {
                per_write[w]++;
                writes_in++;
            }
        }
        spanning += writes_in > 1;
    }
    for (w = 0; w < p->n; w++)
        split += per_write[w] > 1;
    side_fact_int(s, "recvs_spanning_writes", spanning);
    side_fact_int(s, "writes_split", split);
    side_fact_ints(s, "recvs_per_write", per_write, p->n);
}

/* Client: SO_RCVLOWAT before connecting, for the rcvlowat connection. */
static void client_prepare(struct lesson_side *s, sock_t sock)
{
    char err[SOCK_ERR_LEN];
    int rc;
    if (side_conn(s) != 2)
        return;
    rc = sock_set_rcvlowat(sock, LOWAT, err);
    if (rc == 0) {
        side_fact_int(s, "so_rcvlowat", LOWAT);
        side_log(s, "SO_RCVLOWAT = %d: recv() should wait for that many bytes", LOWAT);
    } else if (rc == SOCK_UNSUPPORTED) {
        side_fact_str(s, "so_rcvlowat", "unsupported");
        side_log(s, "%s; reading without it", err);
    } else {
        side_error(s, "SO_RCVLOWAT", err);
    }
}

/* Client: wait until readable, recv() once, log the size; until EOF. */
static void client(struct lesson_side *s)
{
    const struct plan *p = plan_of(s);
    long got[MAX_RECVS], total = 0, inq = -1, outq;
    char *buf = malloc((size_t)BIG_READ);
    size_t n = 0;
    int waits;
    uint64_t t0;
    if (buf == NULL) {
        side_error(s, "recv buffer", "out of memory");
        return;
    }
    side_set_blocking(s);
    side_fact_int(s, "read_size", p->read_size);
    if (p->pause_ms == 0) { /* busy elsewhere: come back when every write is queued (at most IDLE_MS) */
        for (waits = 0; waits < IDLE_MS / 5; waits++) {
            if (sock_queue_sizes(side_sock(s), &inq, &outq, NULL) != 0 || inq < 0 || inq >= plan_bytes(p))
                break;
            side_sleep(s, 5);
        }
        if (inq >= 0)
            side_fact_int(s, "queued_before_first_recv", inq);
        side_log(s, "%ld bytes queued before the first recv()", inq);
    }
    while (n < MAX_RECVS) {
        long r;
        t0 = os_now_us();
        if (side_wait(s, 0, IDLE_MS) <= 0) {
            side_log(s, "nothing for %d ms", IDLE_MS);
            break;
        }
        r = sock_recv(side_sock(s), buf, (size_t)p->read_size);
        if (r <= 0) {
            side_log(s, "recv() returned %ld: %s", r, r == 0 ? "EOF" : sock_err_name(sock_last_error()));
            break;
        }
        if (n == 0)
            side_fact_ms(s, "first_recv_wait_ms", (double)(os_now_us() - t0) / 1000.0);
        side_log(s, "recv() returned %ld bytes after %.1f ms", r, (double)(os_now_us() - t0) / 1000.0);
        got[n++] = r;
        total += r;
    }
    free(buf);
    side_fact_ints(s, "recv_sizes", got, n);
    side_fact_int(s, "recv_calls", (long long)n);
    side_fact_int(s, "bytes_received", total);
    if (n > 0)
        side_fact_int(s, "first_recv_bytes", got[0]);
    compare_boundaries(s, p, got, n);
}

static void check(struct lesson_report *r)
{
    static const char *const conns[] = {"paused", "back_to_back", "rcvlowat"};
    char id[48], a[48], b[48];
    size_t i;
    for (i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "%s_all_bytes_arrived", conns[i]);
        snprintf(a, sizeof a, "%s.bytes_received", conns[i]);
        snprintf(b, sizeof b, "%s.bytes_sent", conns[i]);
        expect_equal(r, id, a, b);
    }
    expect_int(r, "paused_recv_within_one_write", "paused.recvs_spanning_writes", 0, "the pause after each write");
    expect_less(r, "paused_big_write_several_segments", "paused.writes", "paused.segments");
    expect_range(r, "back_to_back_recv_joins_writes", "back_to_back.recvs_spanning_writes", 1, 1e308);
    expect_range(r, "back_to_back_recv_splits_a_write", "back_to_back.writes_split", 1, 1e308);
    if (strcmp(report_platform(r), "linux") == 0) {
        expect_range(r, "rcvlowat_recv_waits_for_lowat", "rcvlowat.first_recv_bytes", LOWAT, 1e308);
        expect_less(r, "rcvlowat_fewer_recvs_than_writes", "rcvlowat.recv_calls", "rcvlowat.writes");
    }
}

static const struct lesson_text ko = {
    .title = "recv() 한 번이 돌려주는 것: PSH, 쉬는 간격, 연달아 쓰기, 그리고 SO_RCVLOWAT",
    .explain = "TCP가 나르는 것은 메시지가 아니라 바이트 스트림입니다. 서버는 정해 둔 크기의 메시지들을 각각 send() 한 "
               "번으로 쓰고, 클라이언트는 recv()가 매번 돌려준 크기를 기록합니다. 쓸 때마다 쉬면(첫 번째 커넥션) "
               "recv()는 매번 쓰기 한 번 분량을 돌려줍니다: 읽는 쪽은 기다리고 있었고, 그 쓰기가 회선에 올린 것은 모두 "
               "도착해 있었기 때문입니다. 세그먼트보다 큰 쓰기(여기서는 150000 bytes)는 마지막 세그먼트에 PSH가 붙은 "
               "여러 세그먼트로 나가고, Linux에서 recv()는 그것을 여러 조각으로 - 그때까지 도착한 만큼씩 - 넘겨줄 수 "
               "있습니다. 바쁜 읽는 쪽에게 연달아 쓰면(두 번째 커넥션) 다섯 번의 쓰기가 수신 큐(receive queue)에 6000 "
               "bytes 한 덩어리로 쌓이고, 2048 bytes짜리 recv() 버퍼는 그것을 제멋대로 잘라 쓰기 1과 쓰기 2의 대부분을 "
               "하나로 붙입니다. 읽는 쪽이 메시지를 다시 찾도록 도와주는 것은 회선 위에 아무것도 없습니다 - 그래서 "
               "게임 프로토콜은 모든 프레임을 길이로 시작합니다. 세 번째 커넥션은 SO_RCVLOWAT를 3000으로 설정하고, "
               "서버는 80 ms마다 1000 bytes를 씁니다: Linux에서 recv()(그리고 poll/epoll의 읽기 준비 통지)는 모든 "
               "세그먼트에 PSH가 붙어 있었는데도 3000 bytes가 쌓일 때까지 기다립니다. Windows 문서에는 수신이 PSH가 "
               "왔을 때, 버퍼가 찼을 때, 또는 약 0.5 s짜리 타이머가 만료될 때 완료된다고 되어 있으며, TCP용 "
               "SO_RCVLOWAT는 없습니다.",
    .watch = "쉬면서 쓴 각 쓰기의 마지막 세그먼트에 붙은 PSH 플래그([P.]) - 그리고 Linux에서는 150000 bytes 쓰기의 "
             "중간 세그먼트에도 하나\n"
             "PSH 필터를 빼면 큰 쓰기의 세그먼트 중 PSH가 없는 것들이 보입니다\n"
             "back_to_back: 쓰기 하나에 세그먼트 하나, 그리고 읽고 있지 않던 읽는 쪽의 커널이 각각을 즉시 ACK합니다 - "
             "회선 위에서는 쓰기들이 여전히 따로따로인데도 recv()는 그것들을 합쳐 버립니다\n"
             "rcvlowat: 80 ms 간격으로 PSH가 붙은 1000 bytes 세그먼트 여섯 개; 보고서의 recv_sizes와 비교해 보십시오",
    .on_linux = "recv()는 SO_RCVLOWAT bytes(기본값 1)가 쌓이는 즉시 반환합니다 - 버퍼 크기까지, 도착한 만큼을; PSH는 "
                "여기에 아무 역할도 하지 않습니다(tcp_recvmsg). 송신 측은 send()마다 끝에 PSH를 붙이고, 상대의 가장 큰 "
                "윈도우(window)의 절반이 넘게 PSH 없이 나갔을 때에도 붙입니다(tcp.c의 forced_push). SO_RCVLOWAT는 "
                "recv()와 poll/epoll이 그만큼의 bytes(또는 EOF)를 기다리게 합니다.",
    .on_windows = "NT/2000에 대해 문서화된 내용(KB Q126967): 수신은 PSH 세그먼트가 도착할 때, 버퍼가 찼을 때, 또는 "
                  "데이터가 도착하고 약 0.5 s 뒤에 완료됩니다(레지스트리의 IgnorePushBitOnReceives로 바꿀 수 "
                  "있습니다). Windows 10/11에서는 확인되지 않았으므로, 레슨은 측정한 것을 보고합니다. SO_RCVLOWAT는 "
                  "winsock2.h에 정의되어 있지만 TCP에는 구현되어 있지 않습니다: rcvlowat 커넥션은 그것 없이 읽습니다. "
                  "SIO_TCP_INFO에는 세그먼트 수가 없습니다.",
    .under_wine = "recv()는 밑에 있는 Linux 커널을 따릅니다: SO_RCVLOWAT 대기가 없고, 데이터가 도착할 때마다 recv() 한 "
                  "번입니다.",
};

const struct lesson lesson_psh_recv = {
    .name = "psh-recv",
    .title = "what one recv() returns: PSH, pauses, back-to-back writes and SO_RCVLOWAT",
    .explain = "TCP carries a byte stream, not messages. The server writes messages of chosen sizes, one send() "
               "each, and the client logs what every recv() returned. With a pause after each write (first "
               "connection) each recv() returns one write's worth: the reader was waiting, and everything the "
               "write put on the wire had arrived. A write larger than a segment (150000 bytes here) goes out "
               "as several segments with PSH on the last, and on Linux recv() may hand it over in pieces - "
               "whatever had arrived. Written back to back to a reader that is busy (second connection), five "
               "writes sit in the receive queue as one run of 6000 bytes; a 2048-byte recv() buffer cuts it "
               "where it likes, joining write 1 to most of write 2. Nothing on the wire helps the reader find "
               "the messages again - which is why the game protocol starts every frame with its length. The "
               "third connection sets SO_RCVLOWAT to 3000 and the server writes 1000 bytes every 80 ms: on "
               "Linux recv() (and poll/epoll readiness) waits until 3000 bytes are queued, although every "
               "segment carried PSH. Windows documents a receive that completes on PSH, on a full buffer, or "
               "on a ~0.5 s timer, and has no SO_RCVLOWAT for TCP.",
    .wireshark = "tcp.port == {port} && tcp.flags.push == 1",
    .watch = "the PSH flag ([P.]) on the last segment of each paused write - and, on Linux, also on a middle "
             "segment of the 150000-byte write\n"
             "drop the PSH filter to see the big write's segments without it\n"
             "back_to_back: one segment per write, each ACKed at once by the kernel of a reader that was not "
             "reading - the writes are still separate on the wire, and recv() joins them anyway\n"
             "rcvlowat: six pushed 1000-byte segments 80 ms apart; compare with recv_sizes in the report",
    .on_linux = "recv() returns as soon as SO_RCVLOWAT bytes (default 1) are queued - whatever has arrived, up "
                "to the buffer's size; PSH plays no role in it (tcp_recvmsg). The sender sets PSH at the end "
                "of each send() and also whenever more than half the peer's largest window has gone out "
                "unpushed (forced_push in tcp.c). SO_RCVLOWAT makes recv() and poll/epoll wait for that many "
                "bytes (or EOF).",
    .on_windows = "Documented for NT/2000 (KB Q126967): a receive completes when a PSH segment arrives, when "
                  "the buffer is full, or about 0.5 s after data arrived (registry IgnorePushBitOnReceives "
                  "changes it); unconfirmed for Windows 10/11, so the lesson reports what it measures. "
                  "SO_RCVLOWAT is defined in winsock2.h but not implemented for TCP: the rcvlowat connection "
                  "reads without it. SIO_TCP_INFO has no segment counts.",
    .under_wine = "recv() follows the Linux kernel underneath: no SO_RCVLOWAT wait, one recv() per arrival.",
    .closer = SIDE_SERVER,
    .connections = 3,
    .conn_prefix = {"paused.", "back_to_back.", "rcvlowat."},
    .duration_hint_ms = 11 * PAUSE_MS + 100,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
