/* half-close - shutdown(SHUT_WR / SD_SEND): FIN goes out, the socket still receives.
 *
 * On the wire, connection 1 (half-close):
 *   C > P  [S]  [S.]  [.]
 *   C > P  [P.] REQUEST              the client sends its whole request ...
 *   C > P  [F.]                      ... and shutdown(write): FIN, "I have nothing more to send"
 *   (server reads the request, then recv() returns 0: EOF - and it can still write)
 *   P > C  [.] [P.] ... REPLY        every byte of the reply arrives at the half-closed client
 *   P > C  [F.]   C > P [.]          the server closes; the client, which sent FIN first, holds TIME_WAIT
 *
 * Connection 2 (the contrast: close() instead of shutdown()):
 *   C > P  [P.] REQUEST, [F.]        the same FIN on the wire ...
 *   P > C  [P.] REPLY...             ... but the client's socket is gone, so its kernel answers the
 *   C > P  [R]                       reply's first segment with RST: the server's sending stops
 *                                    part-way, a send() failing with EPIPE
 *
 * The student sees: a FIN only means "no more data from me". shutdown() keeps the receive side
 * open; close() does not, and the same FIN on the wire ends very differently. */
#include "lessons/lesson.h"

#define REQUEST 4096
#define REPLY (64 * 1024)

/* Server: read the request until EOF, then send the reply, then close. */
static void server(struct lesson_side *s)
{
    side_drain(s, 3000, "peer_saw", "bytes_peer_received");
    side_sleep(s, 100); /* connection 2: the client's close() has certainly happened by now */
    side_fact_int(s, "reply_bytes_sent", side_send(s, REPLY, 2000)); /* connection 2: cut short */
    side_close(s);
    side_settle(s, 1000);
}

/* Client: send the request, then half-close (connection 1) or close (connection 2). */
static void client(struct lesson_side *s)
{
    side_send(s, REQUEST, 1000);
    if (side_conn(s) == 0) {
        side_shutdown_write(s);
        side_drain(s, 3000, "reply_saw", "reply_bytes_received");
        side_close(s);
    } else {
        side_close(s);
    }
    side_settle(s, 1000);
}

static void check(struct lesson_report *r)
{
    expect_str(r, "shutdown_succeeded", "shutdown_result", "ok");
    expect_str(r, "peer_saw_eof", "peer_saw", "eof");
    expect_equal(r, "request_complete", "bytes_peer_received", "bytes_written_before_close");
    expect_str(r, "reply_after_eof_sent", "reply_bytes_sent", "65536");
    expect_equal(r, "reply_fully_received", "reply_bytes_received", "reply_bytes_sent");
    expect_str(r, "reply_then_eof", "reply_saw", "eof");
    expect_str(r, "time_wait_on_first_fin", "time_wait_on", "client");
    expect_str(r, "with_close_peer_saw_eof", "with_close_peer_saw", "eof");
    expect_true(r, "with_close_reply_reset", "with_close_send_reset");
    expect_range(r, "with_close_reply_cut_short", "with_close_reply_bytes_sent", 0, REPLY - 1);
    expect_str(r, "with_close_no_time_wait", "with_close_time_wait_on", "none");
}

static const struct lesson_text ko = {
    .title = "shutdown(SHUT_WR): 수신은 계속하면서 FIN 보내기 - close()와 비교",
    .explain = "클라이언트는 4 KiB 요청을 보내고 shutdown(SHUT_WR)을 호출합니다(Windows에서는 SD_SEND). 요청 뒤에 "
               "FIN이 나가지만, 닫히는 것은 클라이언트의 송신 방향뿐입니다(하프 클로즈, half-close). 서버는 요청을 "
               "읽고 EOF를 본 뒤(recv가 0을 반환) 그래도 64 KiB 응답을 보냅니다. 응답은 모두 도착하고, 그 뒤에 "
               "서버의 FIN이 옵니다. 클라이언트는 이렇게 응답을 포기하지 않고도 '요청은 이게 전부'라고 알립니다. 두 "
               "번째 연결은 같은 일을 close()로 합니다: 패킷상으로 FIN은 똑같아 보이지만 클라이언트의 소켓은 이미 "
               "없으므로, 클라이언트의 커널은 응답의 첫 세그먼트에 RST로 답하고 서버의 송신은 도중에 멈춥니다: "
               "응답을 보내는 send() 호출 가운데 하나가 EPIPE로 실패합니다(with_close_reply_bytes_sent는 그 전에 "
               "나간 양을 셉니다).",
    .watch = "연결 1: 요청 직후 클라이언트의 FIN, 그 뒤로도 여러 세그먼트에 걸쳐 클라이언트 쪽으로 흐르는 서버의 "
             "데이터\n"
             "연결 1: 마지막에 서버의 FIN, 그리고 클라이언트의 최종 ACK(TIME_WAIT은 클라이언트가 가집니다)\n"
             "연결 2: 같은 클라이언트 FIN, 이어서 서버 응답의 첫 세그먼트에 클라이언트가 RST로 답함: 응답은 거기서 "
             "멈춤\n"
             "두 연결을 구분하려면 Statistics > Conversations를 사용하십시오",
    .on_linux = "shutdown(SHUT_WR)은 곧바로 반환하고, 소켓은 수신을 계속하면서 FIN_WAIT1/FIN_WAIT2로 갑니다. close() "
                "뒤에 데이터가 도착하면 커널은 RST로 답합니다. 그 RST가 도착하는 즉시 서버의 send()는 EPIPE로 "
                "실패합니다 - 응답을 보내는 도중에(연결이 CLOSE_WAIT 상태에서 리셋되었기 때문입니다).",
    .on_windows = "shutdown(SD_SEND)은 결코 블로킹하지 않으며, 큐에 있는 데이터 뒤에 FIN을 보냅니다. 수신은 "
                  "계속됩니다. 완전히 닫은 상대에게 보내면 WSAECONNRESET/WSAECONNABORTED로 끝납니다.",
};

const struct lesson lesson_half_close = {
    .name = "half-close",
    .title = "shutdown(SHUT_WR): FIN while still receiving - contrasted with close()",
    .explain = "The client sends a 4 KiB request and calls shutdown(SHUT_WR) (SD_SEND on Windows). A FIN goes "
               "out after the request, but only the client's sending direction is closed. The server reads the "
               "request, sees EOF (recv returns 0), and still sends a 64 KiB reply - all of which arrives, "
               "followed by the server's FIN. This is how a client says 'that was my whole request' without "
               "giving up the answer. A second connection does the same with close() instead: the FIN on the "
               "wire looks identical, but the client's socket no longer exists, so its kernel answers the "
               "reply's first segment with RST, and the server's sending stops part-way: one of the send() calls "
               "of the reply fails with EPIPE (with_close_reply_bytes_sent counts what went out before).",
    .wireshark = "tcp.port == {port}",
    .watch = "connection 1: the client's FIN right after its request, then the server's data flowing towards "
             "the client for many segments afterwards\n"
             "connection 1: the server's FIN last, and the client's final ACK (the client holds TIME_WAIT)\n"
             "connection 2: the same client FIN, then the first segment of the server's reply answered by an RST "
             "from the client: the reply stops there\n"
             "use Statistics > Conversations to tell the two connections apart",
    .on_linux = "shutdown(SHUT_WR) returns at once and the socket goes FIN_WAIT1/FIN_WAIT2 while still "
                "receiving. After close() with data arriving, the kernel answers with RST; the server's send() "
                "fails with EPIPE as soon as that RST has arrived - part-way through the reply (the "
                "connection was reset while in CLOSE_WAIT).",
    .on_windows = "shutdown(SD_SEND) never blocks and sends FIN after queued data; receiving continues. A "
                  "send to a peer that closed fully ends in WSAECONNRESET/WSAECONNABORTED.",
    .closer = SIDE_CLIENT,
    .connections = 2,
    .conn_prefix = {"", "with_close_"},
    .duration_hint_ms = 800,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
