/* time-wait-server - the server closes first ("Connection: close"), so the server holds TIME_WAIT.
 *
 * On the wire (server port P, client ephemeral port C):
 *   C > P  [S]  [S.]  [.]
 *   C > P  [P.] REQUEST      P > C  [P.] RESPONSE       one request, one response
 *   P > C  [F.]                       the server closes right after responding: the active closer
 *   C > P  [.]  [F.]                  the client reads the response and EOF, then closes
 *   P > C  [.]                        the last ACK; the server's end now waits in TIME_WAIT
 *
 * The student sees: TIME_WAIT on the server's own port, one entry per connection served. An HTTP
 * server that answers "Connection: close" (or keepalive_timeout 0) pays this for every request;
 * keep-alive connections avoid it. */
#include "lessons/lesson.h"

#define REQUEST 100
#define RESPONSE 100

/* Server: answer and close at once. */
static void server(struct lesson_side *s)
{
    side_recv(s, REQUEST, 2000);
    side_send(s, RESPONSE, 1000);
    side_close(s);
    side_settle(s, 2000);
}

/* Client: ask, read the answer to the end, close. */
static void client(struct lesson_side *s)
{
    side_send(s, REQUEST, 1000);
    side_drain(s, 3000, "peer_saw", "bytes_peer_received");
    side_close(s);
    side_settle(s, 1000);
}

static void check(struct lesson_report *r)
{
    expect_str(r, "close_succeeded", "close_result", "ok");
    expect_str(r, "peer_saw_eof", "peer_saw", "eof");
    expect_equal(r, "response_complete", "bytes_peer_received", "bytes_written_before_close");
    expect_str(r, "time_wait_on_server", "time_wait_on", "server");
    expect_str(r, "client_end_gone", "client_final_state", "closed");
}

static const struct lesson_text ko = {
    .title = "서버가 먼저 닫음(Connection: close): TIME_WAIT은 서버의 포트에 남음",
    .explain = "요청 하나와 응답 하나를 주고받고, 서버는 'Connection: close'를 보내는 HTTP 서버처럼 응답 직후 바로 "
               "닫습니다. 이번에는 서버가 먼저 닫는 쪽(active closer)이므로 TIME_WAIT 항목은 연결의 서버 쪽에 "
               "남고(서버가 listen하는 포트에, 클라이언트 연결마다 항목 하나씩), 클라이언트는 "
               "CLOSE_WAIT과 LAST_ACK을 거쳐 사라집니다. 먼저 닫는 바쁜 서버에는 TIME_WAIT 항목이 수천 개씩 "
               "쌓입니다. HTTP keep-alive(연결 재사용)를 쓰면 요청마다 이 비용을 치르지 않습니다.",
    .watch = "첫 FIN은 응답 직후 서버 포트에서 나옵니다\n"
             "클라이언트가 응답과 EOF를 읽고 나면 클라이언트의 FIN이 뒤따릅니다\n"
             "그 뒤 `ss -tan state time-wait sport = :PORT`를 실행하면 서버의 포트가 나옵니다",
    .on_linux = "서버의 소켓은 60 s 동안 TIME_WAIT을 유지합니다. SO_REUSEADDR를 쓰면 재시작한 서버가 그래도 그 "
                "포트에서 listen할 수 있습니다. tcp_tw_reuse(기본값 2: 루프백 전용)는 나가는 연결에만 영향을 줍니다.",
    .on_windows = "TIME_WAIT이 남는 쪽은 같습니다. TIME_WAIT은 TcpTimedWaitDelay만큼 지속됩니다(사용하는 시스템에서 "
                  "측정해 보십시오).",
};

const struct lesson lesson_time_wait_server = {
    .name = "time-wait-server",
    .title = "the server closes first (Connection: close): TIME_WAIT lands on the server's port",
    .explain = "One request and one response, and the server closes right after responding, like an HTTP "
               "server sending 'Connection: close'. Now the server is the active closer, so the TIME_WAIT "
               "entry sits on the server's side of the connection (on its listening port, one entry "
               "per client connection), while the client passes through CLOSE_WAIT and LAST_ACK and is gone. A "
               "busy server that closes first accumulates thousands of TIME_WAIT entries; HTTP keep-alive "
               "(reusing connections) avoids paying this per request.",
    .wireshark = "tcp.port == {port} && tcp.flags.fin == 1",
    .watch = "the first FIN comes from the server port, right after the response\n"
             "the client's FIN follows once it has read the response and EOF\n"
             "afterwards `ss -tan state time-wait sport = :PORT` lists the server's port",
    .on_linux = "The server's socket holds TIME_WAIT for 60 s; SO_REUSEADDR lets a restarted server listen on "
                "the port anyway. tcp_tw_reuse (default 2: loopback only) affects only outgoing connections.",
    .on_windows = "The same placement; TIME_WAIT lasts TcpTimedWaitDelay (measure it on yours).",
    .closer = SIDE_SERVER,
    .duration_hint_ms = 300,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
