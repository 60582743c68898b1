/* close-abortive - SO_LINGER{1,0}: close() sends RST, queued data is thrown away, no TIME_WAIT.
 *
 * On the wire (server port P, client port C):
 *   C > P  [S]  [S.]  [.]            handshake; the client asked for a small receive buffer
 *   C > P  [P.] 1 byte               the client's hello: the server acts only after it
 *   P > C  [.] [P.] ...              the server writes up to BURST bytes (what its kernel takes at
 *                                    once); the client is not reading, so
 *                                    all but its window's worth never leaves the server's send queue
 *   (server sets SO_LINGER{l_onoff=1, l_linger=0} and calls close(): returns at once)
 *   P > C  [R.]                      RST instead of FIN; the queued bytes never leave the server
 *   (client reads later: what had already arrived, then recv() fails with ECONNRESET)
 *   no FIN, no TIME_WAIT on either side
 *
 * The student sees: the peer's recv() reports a reset instead of EOF, fewer bytes arrive than were
 * written, and the kernel's table holds nothing for the connection right after the close. This is
 * the game server kicking a cheater without keeping a TIME_WAIT entry - at the price of the data. */
#include "lessons/lesson.h"

#include <string.h>

#define HELLO 1 /* the client's first byte: the server starts only after it */
#define BURST (256 * 1024)
#define CLIENT_RCVBUF 4096
#define CLIENT_HOLD_MS 300

static void client_prepare(struct lesson_side *s, sock_t sock)
{
    side_set_buffer(s, sock, SOCK_RCVBUF, CLIENT_RCVBUF, "client_rcvbuf");
}

/* Server: write more than the peer can take, then an abortive close. */
static void server(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    side_recv(s, HELLO, 2000); /* act only once the client is surely connected */
    side_fill(s, BURST, 100);
    if (sock_set_linger(side_sock(s), 1, 0, err) != 0)
        side_error(s, "SO_LINGER{1,0}", err);
    side_close(s);
    side_settle(s, 1000);
}

/* Client: wait until the server has closed, then read what there is. */
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
    expect_str(r, "no_fin_wait_after_close", "server_state_after_close", "closed");
    expect_str(r, "peer_saw_reset", "peer_saw", "reset");
    expect_less(r, "queued_data_discarded", "bytes_peer_received", "bytes_written_before_close");
    expect_str(r, "no_time_wait", "time_wait_on", "none");
}

/* Where Wine, which CI runs the Windows build under, is known to differ from Windows. */
static const struct lesson_quirk quirks[] = {
    {"wine", "peer_saw_reset", QUIRK_WINE_RESET_READS_AS_EOF, QUIRK_WINE_RESET_READS_AS_EOF_KO},
    {NULL, NULL, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "SO_LINGER{1,0}: close()가 RST를 보내고 큐의 데이터는 버려짐, TIME_WAIT 없음",
    .explain = "서버는 256 KiB 버스트 가운데 커널이 블로킹 없이 받아 주는 만큼을(루프백에서는 전부, 실제 링크에서는 "
               "그보다 적게: 얼마인지는 bytes_written_before_close가 알려 줍니다) 읽지 않는 클라이언트에게 쓰고, "
               "SO_LINGER를 {l_onoff=1, l_linger=0}으로 설정한 뒤 닫습니다. 서버를 실제로 떠난 것은 클라이언트의 "
               "작은 윈도우(window)만큼인 몇 KiB뿐이고, 나머지는 한 번도 전송되지 않았습니다(never_sent_at_close). "
               "이것이 강제 종료(abortive close, hard close)입니다: 커널은 아직 큐에 있는 모든 것을 버리고, FIN 대신 "
               "RST를 보내고, 연결을 즉시 잊어버리므로 어느 쪽도 TIME_WAIT에 들어가지 않습니다. 클라이언트가 읽으면 "
               "이미 수신 버퍼(receive buffer)에 도착해 있던 데이터를 받고, 그다음 recv()가 리셋(ECONNRESET / "
               "WSAECONNRESET)으로 실패합니다. 깨끗한 EOF는 결코 오지 않습니다. 게임 서버는 TIME_WAIT 항목을 쌓지 "
               "않고 악성 클라이언트를 끊어 낼 때 이 방법을 씁니다. 대가는 서버가 이미 '보낸' 데이터를 상대가 잃을 "
               "수 있다는 점입니다.",
    .watch = "버스트 직후 서버 포트에서 나가는 RST 하나([R.]), 그리고 서버의 FIN은 없음\n"
             "클라이언트의 윈도우가 닫힌 뒤 서버가 쓴 데이터는 패킷으로 한 번도 나가지 않습니다: 데이터 세그먼트를 "
             "모두 더하면 bytes_written_before_close가 아니라 bytes_peer_received가 됩니다\n"
             "클라이언트의 마지막 ACK은 도착한 양보다 적게 확인할 수 있습니다: RST가 왔을 때 클라이언트는 지연 "
             "ACK(delayed ACK)으로 ACK을 미루고 있었습니다(bytes_peer_received는 recv()가 받은 양을 셉니다)\n"
             "RST 뒤로는 아무것도 없습니다: TIME_WAIT에 이르는 교환이 없습니다",
    .on_linux = "close()는 곧바로 반환합니다. RST가 즉시 전송되고 소켓은 소켓 테이블에서 사라집니다(FIN_WAIT도, "
                "TIME_WAIT도 없음). 상대는 RST 전에 수신 큐에 도착한 데이터를 여전히 읽을 수 있고, 그다음 recv()가 "
                "ECONNRESET으로 실패합니다.",
    .on_windows = "linger {1,0}인 closesocket()은 강제 종료(hard close)입니다: RST를 보내고, TIME_WAIT은 없으며, "
                  "상대의 다음 recv는 WSAECONNRESET으로 실패합니다(Microsoft의 closesocket 문서). Wine 8에서는 "
                  "select() 기반 수신 측이 RST를 대신 EOF로 봅니다: Windows가 아니라 Wine의 차이입니다.",
};

const struct lesson lesson_close_abortive = {
    .name = "close-abortive",
    .title = "SO_LINGER{1,0}: close() sends RST, queued data is discarded, no TIME_WAIT",
    .explain = "The server writes as much of a 256 KiB burst as its kernel takes without blocking (all of it on "
               "loopback; less across a real link: bytes_written_before_close says how much) to a client that "
               "is not reading, sets SO_LINGER to {l_onoff=1, l_linger=0} and closes. Only a few KiB - the "
               "client's small window - ever left the server; the rest was never sent (never_sent_at_close). "
               "This is an abortive (hard) close: the kernel throws away everything still queued, sends RST "
               "instead of FIN and forgets the connection at once, so neither side enters TIME_WAIT. When the "
               "client reads, it gets whatever had already reached "
               "its receive buffer and then recv() fails with a reset (ECONNRESET / WSAECONNRESET), never a "
               "clean EOF. Game servers use it to drop abusive clients without piling up TIME_WAIT entries; "
               "the cost is that the peer may lose data the server already 'sent'.",
    .wireshark = "tcp.port == {port} && (tcp.flags.reset == 1 || tcp.flags.fin == 1)",
    .watch = "one RST ([R.]) from the server port right after the burst, and no FIN from the server\n"
             "data the server wrote after the client's window closed never appears on the wire: the data "
             "segments add up to bytes_peer_received, not bytes_written_before_close\n"
             "the client's last ACK may acknowledge less than arrived: it was delaying its ACK when the RST "
             "came (bytes_peer_received counts what recv() got)\n"
             "nothing follows the RST: no TIME_WAIT exchange",
    .on_linux = "close() returns at once; RST is sent immediately and the socket leaves the table (no "
                "FIN_WAIT, no TIME_WAIT). The peer can still read data that reached its receive queue before "
                "the RST, then recv() fails with ECONNRESET.",
    .on_windows = "closesocket() with linger {1,0} is a hard close: RST, no TIME_WAIT, the peer's next recv "
                  "fails with WSAECONNRESET (Microsoft's closesocket documentation). Under Wine 8 a "
                  "select()-based reader sees the RST as EOF instead: a Wine difference, not Windows'.",
    .closer = SIDE_SERVER,
    .duration_hint_ms = 600,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .quirks = quirks,
    .ko = &ko,
};
