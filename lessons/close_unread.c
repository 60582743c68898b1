/* close-unread - closing with unread data in the receive queue sends RST, not FIN (RFC 2525 2.17).
 *
 * On the wire (server port P, client port C):
 *   C > P  [S]  [S.]  [.]            handshake
 *   C > P  [P.] REQUEST bytes        the client sends a request the server will never read
 *   P > C  [P.] RESPONSE bytes       the server answers anyway (like a server that replies with an
 *                                    error before reading the whole request body)
 *   (server calls a plain close() - no SO_LINGER - with REQUEST bytes unread)
 *   P > C  [R.]                      RST instead of FIN: the kernel tells the peer data was lost
 *   no TIME_WAIT on either side
 *
 * The student sees: a plain close() turned into an abortive one only because the application did
 * not read what it had been sent, and the peer's recv() reports a reset. Whether the response that
 * arrived before the RST is still readable differs by platform, so it is measured, not claimed. */
#include "lessons/lesson.h"

#define REQUEST 1024
#define RESPONSE 512
#define CLIENT_HOLD_MS 300

/* Server: wait for the request to arrive, answer without reading it, close. */
static void server(struct lesson_side *s)
{
    if (side_wait(s, 0, 2000) <= 0)
        side_error(s, "wait for request", "no request arrived within 2 s");
    side_sleep(s, 50); /* let the whole request land in the receive queue */
    side_send(s, RESPONSE, 1000);
    side_close(s);
    side_settle(s, 1000);
}

/* Client: send the request, wait until the server has closed, read what there is. */
static void client(struct lesson_side *s)
{
    side_send(s, REQUEST, 1000);
    side_sleep(s, CLIENT_HOLD_MS);
    side_drain(s, 3000, "peer_saw", "bytes_peer_received");
    side_close(s);
    side_settle(s, 1000);
}

static void check(struct lesson_report *r)
{
    expect_str(r, "close_succeeded", "close_result", "ok");
    expect_range(r, "request_was_unread", "unread_at_close", 1, 1e308);
    expect_str(r, "no_fin_wait_after_close", "server_state_after_close", "closed");
    expect_str(r, "peer_saw_reset", "peer_saw", "reset");
    expect_str(r, "no_time_wait", "time_wait_on", "none");
}

/* Where Wine, which CI runs the Windows build under, is known to differ from Windows. */
static const struct lesson_quirk quirks[] = {
    {"wine", "peer_saw_reset", QUIRK_WINE_RESET_READS_AS_EOF, QUIRK_WINE_RESET_READS_AS_EOF_KO},
    {NULL, NULL, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "읽지 않은 수신 데이터가 남은 close()는 FIN 대신 RST를 보냄",
    .explain = "클라이언트가 1 KiB 요청을 보냅니다. 서버는 요청을 읽지 않고 512 bytes로 응답한 뒤 일반 close()를 "
               "호출합니다(SO_LINGER 없음). 수신 큐에 애플리케이션이 한 번도 읽지 않은 데이터가 아직 남아 있으므로 "
               "커널은 FIN을 보내지 않고 연결을 리셋합니다(RFC 2525 2.17절, 'Failure to RST on close with data "
               "pending'). 이렇게 상대에게 데이터가 유실되었음을 알립니다. 그러면 클라이언트의 recv()는 EOF로 끝나지 "
               "않고 리셋으로 실패합니다. '413 Payload Too Large'로 응답하고 요청 본문(body)을 다 읽지 않은 채 닫는 "
               "HTTP 서버가 바로 이 경우입니다: 클라이언트는 그 응답을 끝내 보지 못할 수도 있습니다.",
    .watch = "클라이언트 포트에서 온 요청: 서버의 커널이 ACK으로 확인했지만 한 번도 읽히지 않음\n"
             "서버의 응답, 바로 뒤에 오는 RST([R.]), 그리고 FIN은 없음\n"
             "RST 전에 클라이언트가 응답을 ACK으로 확인했는지 여부(클라이언트는 그 응답을 여전히 읽을 수도 있습니다)",
    .on_linux = "수신 큐가 비어 있지 않으므로 close()는 곧바로 반환하면서 RST를 보냅니다. 소켓은 소켓 테이블에서 "
                "사라집니다(TIME_WAIT 없음). 상대는 RST 전에 수신 큐에 도착한 데이터를 여전히 읽을 수 있고, 그다음 "
                "recv()가 ECONNRESET으로 실패합니다.",
    .on_windows = "읽지 않은 데이터가 있는 closesocket()도 연결을 리셋합니다. 상대의 recv는 WSAECONNRESET으로 "
                  "실패하며, Windows는 RST가 도착하면 받았지만 아직 읽지 않은 데이터를 버릴 수 "
                  "있습니다(bytes_peer_received를 측정해 보십시오).",
};

const struct lesson lesson_close_unread = {
    .name = "close-unread",
    .title = "close() with unread received data sends RST instead of FIN",
    .explain = "The client sends a 1 KiB request. The server answers with 512 bytes without reading the "
               "request, then calls a plain close() - no SO_LINGER. Because its receive queue still holds "
               "data the application never read, the kernel does not send FIN: it resets the connection "
               "(RFC 2525 section 2.17, 'Failure to RST on close with data pending'), telling the peer that "
               "data was lost. The client's recv() then fails with a reset instead of ending in EOF. This is "
               "the HTTP server that replies '413 Payload Too Large' and closes without draining the body: "
               "the client may never see the reply.",
    .wireshark = "tcp.port == {port}",
    .watch = "the request from the client port, acknowledged by the server's kernel but never read\n"
             "the server's response, followed directly by an RST ([R.]) and no FIN\n"
             "whether the client acknowledged the response before the RST (it may still read it)",
    .on_linux = "close() returns at once and sends RST because the receive queue is not empty; the socket "
                "leaves the table (no TIME_WAIT). The peer can still read data that reached its receive "
                "queue before the RST, then recv() fails with ECONNRESET.",
    .on_windows = "closesocket() with unread data also resets the connection; the peer's recv fails with "
                  "WSAECONNRESET, and Windows may discard received-but-unread data when the RST arrives "
                  "(measure bytes_peer_received).",
    .closer = SIDE_SERVER,
    .duration_hint_ms = 500,
    .server = server,
    .client = client,
    .check = check,
    .quirks = quirks,
    .ko = &ko,
};
