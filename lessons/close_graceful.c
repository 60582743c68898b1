/* close-graceful - a plain close() with data still queued: FIN after the data, nothing lost.
 *
 * On the wire (server port P, client port C):
 *   C > P  [S]  [S.]  [.]            handshake; the client asked for a small receive buffer
 *   C > P  [P.] 1 byte               the client's hello: the server acts only after it
 *   P > C  [.] [P.] ...              the server writes up to BURST bytes (what its kernel takes at
 *                                    once); the client is not reading yet,
 *                                    so its window fills and most of the burst waits in the
 *                                    server's send queue
 *   C > P  [.] win 0                 the client's window is shut (its delayed ACK, ~40 ms later)
 *   (server calls close(): it returns at once; the kernel keeps the queued data)
 *   P > C  [.] len 0                 a zero-window probe on the persist timer (Wireshark: Keep-Alive)
 *   C > P  [.] win N                 the client reads: its window opens
 *   P > C  ... the rest of the data
 *   P > C  [FP.]                     the FIN rides on the last data segment
 *   C > P  [F.]  P > C [.]           the client reads EOF and closes too
 *   server: TIME_WAIT for 60 s (Linux) - the side that closed first holds it
 *
 * The student sees: close() took well under a millisecond although data was still queued, the
 * client still received every byte and then EOF, and the server's port sits in TIME_WAIT. */
#include "lessons/lesson.h"

#define HELLO 1 /* the client's first byte: the server starts only after it */
#define BURST (256 * 1024)
#define CLIENT_RCVBUF 4096 /* small, so the burst cannot all fit in the client's window */
#define CLIENT_HOLD_MS 500 /* the client reads only after the server has closed, and after the
                           * persist timer probed its zero window (its first probe: one RTO, >= 200 ms) */

static void client_prepare(struct lesson_side *s, sock_t sock)
{
    /* Before connect, so the SYN's window scale reflects it. */
    side_set_buffer(s, sock, SOCK_RCVBUF, CLIENT_RCVBUF, "client_rcvbuf");
}

/* Server: write more than the peer can take, then close() plainly. */
static void server(struct lesson_side *s)
{
    side_recv(s, HELLO, 2000); /* act only once the client is surely connected */
    side_fill(s, BURST, 100);
    side_close(s);
    side_settle(s, 3000);
}

/* Client: wait, then read everything to the end, then close in turn. */
static void client(struct lesson_side *s)
{
    side_send(s, HELLO, 1000);
    side_sleep(s, CLIENT_HOLD_MS);
    side_drain(s, 3000, "peer_saw", "bytes_peer_received");
    side_close(s);
    side_settle(s, 1000);
}

static void check(struct lesson_report *r)
{
    expect_str(r, "close_succeeded", "close_result", "ok");
    expect_range(r, "close_did_not_wait", "close_call_ms", 0, 100);
    expect_range(r, "data_was_still_queued", "unsent_at_close", 1, 1e308);
    expect_str(r, "peer_saw_eof", "peer_saw", "eof");
    expect_equal(r, "nothing_lost", "bytes_peer_received", "bytes_written_before_close");
    expect_str(r, "time_wait_on_closer", "time_wait_on", "server");
}

static const struct lesson_text ko = {
    .title = "일반 close(): 큐에 남은 데이터 뒤에 FIN, 유실 없음, 먼저 닫은 쪽에 TIME_WAIT",
    .explain = "서버는 256 KiB 버스트 가운데 커널이 블로킹 없이 받아 주는 만큼을(루프백에서는 전부, 실제 링크에서는 "
               "그보다 적게: 얼마인지는 bytes_written_before_close가 알려 줍니다) 아직 읽지 않는 클라이언트에게 쓴 "
               "뒤, 일반 close()를 호출합니다. close()는 기다리지 않습니다: 큐에 쌓인 바이트를 커널에 맡기고 바로 "
               "반환합니다. 클라이언트의 작은 수신 버퍼(receive buffer)가 차면 클라이언트의 윈도우(window)가 0으로 "
               "떨어지고, 윈도우가 닫혀 있는 동안 서버의 커널은 persist 타이머(persist timer)에 따라 그 윈도우를 "
               "프로브(probe)합니다. 클라이언트가 읽으면 윈도우가 열리고 커널이 나머지를 보냅니다. FIN은 데이터 뒤에 "
               "별도의 세그먼트로 오지 않고 마지막 데이터 세그먼트에 실려 갑니다([FIN, PSH, ACK]). 클라이언트는 모든 "
               "바이트를 읽은 다음 EOF를 받습니다(recv가 0을 반환). 서버가 먼저 닫았으므로 연결의 서버 쪽 끝이 "
               "TIME_WAIT에 들어갑니다.",
    .watch = "버퍼가 가득 차면 클라이언트가 보내는 윈도우 0인 ACK([TCP ZeroWindow])\n"
             "윈도우가 닫혀 있는 동안 서버가 보내는 제로 윈도우 프로브(zero-window probe): 데이터 없이 시퀀스 번호가 "
             "하나 뒤로 간 ACK이어서 Wireshark는 이를 [TCP Keep-Alive]라고 부릅니다\n"
             "서버가 close()를 호출한 뒤에도, 클라이언트의 윈도우가 열리면([TCP Window Update]) 서버 포트에서 데이터 "
             "세그먼트가 계속 나갑니다\n"
             "FIN은 서버의 마지막 데이터 세그먼트에 실려 갑니다([FIN, PSH, ACK]): 그 뒤로 데이터는 없습니다\n"
             "RST는 어디에도 없습니다",
    .on_linux = "close()는 즉시 반환합니다(SO_LINGER 없음). 데이터가 아직 큐에 있는 동안 연결은 FIN_WAIT1이 되고, "
                "이어서 FIN_WAIT2가 되며, 클라이언트의 FIN이 도착하면 60 s 동안 TIME_WAIT에 머뭅니다.",
    .on_windows = "SO_LINGER가 꺼진 closesocket()은 즉시 반환하고, 연결 종료는 백그라운드에서 마무리됩니다(정상 "
                  "종료(graceful close), Microsoft의 closesocket 문서). TIME_WAIT은 TcpTimedWaitDelay만큼 "
                  "지속됩니다(이전 버전에서는 240 s로 문서화되어 있습니다. 직접 측정해 보십시오).",
};

const struct lesson lesson_close_graceful = {
    .name = "close-graceful",
    .title = "plain close(): FIN after the queued data, nothing lost, TIME_WAIT on the closer",
    .explain = "The server writes as much of a 256 KiB burst as its kernel takes without blocking (all of it on "
               "loopback; less across a real link: bytes_written_before_close says how much) to a client that "
               "is not reading yet, then calls a plain close(). close() does not wait: it leaves the queued bytes to the kernel and returns. The "
               "client's small receive buffer fills, its window drops to 0, and while it stays shut the "
               "server's kernel probes it on the persist timer. When the client reads, its window opens and "
               "the kernel sends the rest; the FIN does not come after the data as a segment of its own: it "
               "rides on the last data segment ([FIN, PSH, ACK]). The client reads every byte and then gets "
               "EOF (recv returns 0). Because the server closed first, the server's end of the connection goes "
               "to TIME_WAIT.",
    .wireshark = "tcp.port == {port}",
    .watch = "the client's ACK with a window of 0 ([TCP ZeroWindow]) once its buffer is full\n"
             "the server's zero-window probe while the window is shut: an ACK without data, one sequence number "
             "back, which Wireshark therefore labels [TCP Keep-Alive]\n"
             "data segments from the server port keep flowing after the server's close() call, once the "
             "client's window opens ([TCP Window Update])\n"
             "the FIN rides on the server's last data segment ([FIN, PSH, ACK]): no data after it\n"
             "no RST anywhere",
    .on_linux = "close() returns immediately (no SO_LINGER). The connection goes FIN_WAIT1 while data is still "
                "queued, then FIN_WAIT2, then TIME_WAIT for 60 s once the client's FIN arrives.",
    .on_windows = "closesocket() with SO_LINGER off returns immediately and the close completes in the "
                  "background (a graceful close, Microsoft's closesocket documentation). TIME_WAIT lasts "
                  "TcpTimedWaitDelay (documented 240 s on older versions; measure it).",
    .closer = SIDE_SERVER,
    .duration_hint_ms = 800,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
