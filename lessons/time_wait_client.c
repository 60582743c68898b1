/* time-wait-client - the client closes first, so the client holds TIME_WAIT.
 *
 * On the wire (server port P, client ephemeral port C):
 *   C > P  [S]  [S.]  [.]
 *   C > P  [P.] REQUEST      P > C  [P.] RESPONSE       one request, one response
 *   C > P  [F.]                       the client is done and closes first: the active closer
 *   P > C  [.]  [F.]                  the server reads EOF and closes in turn (the passive closer)
 *   C > P  [.]                        the last ACK; the client's end now waits in TIME_WAIT
 *
 * The student sees: TIME_WAIT sits on the client's ephemeral port, not on the server. This is the
 * usual, harmless case - until one client makes thousands of short connections to the same server
 * and runs out of ephemeral ports (TIME_WAIT port exhaustion). */
#include "lessons/lesson.h"

#define REQUEST 100
#define RESPONSE 100

/* Server: answer, then wait for the client to close, then close too. */
static void server(struct lesson_side *s)
{
    side_recv(s, REQUEST, 2000);
    side_send(s, RESPONSE, 1000);
    side_drain(s, 3000, "peer_saw", "bytes_peer_received");
    side_close(s);
    side_settle(s, 1000);
}

/* Client: ask, read the answer, close first. */
static void client(struct lesson_side *s)
{
    side_send(s, REQUEST, 1000);
    side_recv(s, RESPONSE, 2000);
    side_close(s);
    side_settle(s, 2000);
}

static void check(struct lesson_report *r)
{
    expect_str(r, "close_succeeded", "close_result", "ok");
    expect_str(r, "peer_saw_eof", "peer_saw", "eof");
    expect_equal(r, "request_complete", "bytes_peer_received", "bytes_written_before_close");
    expect_str(r, "time_wait_on_client", "time_wait_on", "client");
    expect_str(r, "server_end_gone", "server_final_state", "closed");
}

static const struct lesson_text ko = {
    .title = "클라이언트가 먼저 닫음: TIME_WAIT은 클라이언트의 임시 포트에 남음",
    .explain = "요청 하나와 응답 하나를 주고받은 뒤 클라이언트가 먼저 닫습니다. 첫 FIN을 보내는 쪽이 먼저 닫는 "
               "쪽(active closer)이며, 이 연결에서 늦게 도착한 세그먼트가 같은 네 주소(양쪽의 IP와 포트)를 쓰는 새 "
               "연결의 것으로 오인되지 않도록 연결을 TIME_WAIT에 유지해야 합니다(2 x MSL: Linux에서 60 s). 두 번째로 "
               "닫은 서버는 CLOSE_WAIT과 LAST_ACK을 거쳐, 최종 ACK이 도착하는 즉시 사라집니다. TIME_WAIT 항목은 "
               "클라이언트의 임시 포트(ephemeral port)에 있습니다. 한 서버로 짧은 연결을 많이 여는 클라이언트가 "
               "포트를 고갈시킬 수 있는 이유가 이것입니다.",
    .watch = "첫 FIN은 클라이언트의 (임시) 포트에서 나옵니다\n"
             "서버가 EOF를 읽은 뒤 서버의 FIN이 뒤따릅니다\n"
             "클라이언트의 최종 ACK. 그 뒤 `ss -tan state time-wait`을 실행하면 클라이언트의 포트가 나옵니다",
    .on_linux = "클라이언트의 소켓은 60 s 동안 TIME_WAIT을 유지합니다(TCP_TIMEWAIT_LEN, 고정값). 서버의 소켓은 "
                "LAST_ACK 뒤에 소켓 테이블에서 사라집니다.",
    .on_windows = "TIME_WAIT이 남는 쪽은 같습니다. TIME_WAIT은 TcpTimedWaitDelay만큼 지속되고(이전 Windows에서는 240 "
                  "s로 문서화되어 있습니다. 사용하는 시스템에서 측정해 보십시오), 동적 포트 범위(dynamic port "
                  "range)는 기본 16,384개 포트입니다.",
};

const struct lesson lesson_time_wait_client = {
    .name = "time-wait-client",
    .title = "the client closes first: TIME_WAIT lands on the client's ephemeral port",
    .explain = "One request and one response, then the client closes first. The side that sends the first "
               "FIN is the active closer and must keep the connection in TIME_WAIT (2 x MSL: 60 s on Linux) "
               "so that late segments of this connection cannot be mistaken for a new one with the same four "
               "addresses. The server, which closed second, passes through CLOSE_WAIT and LAST_ACK and is "
               "gone as soon as the final ACK arrives. The TIME_WAIT entry is on the client's ephemeral port, "
               "which is why clients that open many short connections to one server can run out of ports.",
    .wireshark = "tcp.port == {port} && tcp.flags.fin == 1",
    .watch = "the first FIN comes from the client's (ephemeral) port\n"
             "the server's FIN follows after the server read EOF\n"
             "the final ACK from the client; afterwards `ss -tan state time-wait` lists the client's port",
    .on_linux = "The client's socket holds TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN, fixed); the server's socket "
                "leaves the table after LAST_ACK.",
    .on_windows = "The same placement; TIME_WAIT lasts TcpTimedWaitDelay (documented 240 s on older Windows, "
                  "measure it on yours), and the dynamic port range is 16,384 ports by default.",
    .closer = SIDE_CLIENT,
    .duration_hint_ms = 300,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
