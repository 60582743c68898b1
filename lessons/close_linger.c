/* close-linger - SO_LINGER{1,N} while the peer is not reading: a close() that waits.
 *
 * On the wire (server port P, client port C), Linux:
 *   C > P  [S]  [S.]  [.]            handshake; small client receive buffer
 *   C > P  [P.] 1 byte               the client's hello: the server acts only after it
 *   P > C  [.] [P.] ...              the server writes up to BURST bytes (what its kernel takes at
 *                                    once); the client's window fills
 *   (server sets SO_LINGER{1, LINGER_S} on a NON-blocking socket and calls close())
 *   P > C  [.] ...                   zero-window probes while close() sits blocked for LINGER_S s
 *   (close() returns 0 after LINGER_S s; the socket lives on, orphaned, in FIN_WAIT1)
 *   P > C  [.] [P.] ... [FP.]        the client reads at CLIENT_HOLD_MS: the rest of the data, the
 *                                    FIN riding on its last segment
 *   server: TIME_WAIT - no RST anywhere, nothing lost
 *
 * Windows does it differently: a non-blocking closesocket() with linger {1,N} fails at once with
 * WSAEWOULDBLOCK and leaves the socket open; a blocking one waits N s and then closes HARD (RST,
 * queued data lost). The lesson runs the non-blocking close and, on Windows, the blocking one next.
 *
 * The student sees: close() took about LINGER_S seconds on Linux even though the socket was
 * non-blocking (the trap that stalls event loops), and what the peer ended up with. */
#include "lessons/lesson.h"

#include <string.h>

#define HELLO 1 /* the client's first byte: the server starts only after it */
#define BURST (256 * 1024)
#define CLIENT_RCVBUF 4096
#define LINGER_S 2
#define CLIENT_HOLD_MS (LINGER_S * 1000 + 1000) /* the peer reads only after the linger ran out */

static void client_prepare(struct lesson_side *s, sock_t sock)
{
    side_set_buffer(s, sock, SOCK_RCVBUF, CLIENT_RCVBUF, "client_rcvbuf");
}

/* Server: fill the pipe, then close a non-blocking socket with a linger timeout. */
static void server(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    side_recv(s, HELLO, 2000); /* act only once the client is surely connected */
    side_fill(s, BURST, 100); /* leaves the socket non-blocking */
    if (sock_set_linger(side_sock(s), 1, LINGER_S, err) != 0)
        side_error(s, "SO_LINGER{1,N}", err);
    if (side_close(s) != 0) {
        /* Winsock: the non-blocking close refused to wait. Show what a blocking one does. */
        side_fact_prefix(s, "blocking_");
        if (sock_set_nonblocking(side_sock(s), 0, err) != 0)
            side_error(s, "set blocking", err);
        side_close(s);
        side_fact_prefix(s, "");
    }
    side_settle(s, 3000);
}

/* Client: read nothing until the linger time is over, then everything that still comes. */
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
    const double lo = LINGER_S * 1000.0 * 0.9, hi = LINGER_S * 1000.0 + 600.0;
    expect_range(r, "data_was_still_queued", "unsent_at_close", 1, 1e308);
    if (strcmp(report_platform(r), "windows") == 0) {
        expect_str(r, "nonblocking_close_refused", "close_result", "WSAEWOULDBLOCK");
        expect_range(r, "nonblocking_close_did_not_wait", "close_call_ms", 0, 100);
        expect_range(r, "blocking_close_waited_linger", "blocking_close_call_ms", lo, hi);
        expect_str(r, "peer_saw_reset", "peer_saw", "reset");
        expect_less(r, "queued_data_discarded", "bytes_peer_received", "bytes_written_before_close");
        expect_str(r, "no_time_wait", "time_wait_on", "none");
    } else {
        expect_str(r, "close_succeeded", "close_result", "ok");
        expect_range(r, "close_blocked_for_linger", "close_call_ms", lo, hi);
        expect_str(r, "kernel_still_sending", "server_state_after_close", "FIN_WAIT1");
        expect_str(r, "peer_saw_eof", "peer_saw", "eof");
        expect_equal(r, "nothing_lost", "bytes_peer_received", "bytes_written_before_close");
        expect_str(r, "time_wait_on_closer", "time_wait_on", "server");
    }
}

/* Where Wine, which CI runs the Windows build under, is known to differ from Windows. */
#define WINE_LINGER \
    "Wine 8's closesocket is Linux's close(): with SO_LINGER {1,N} on a non-blocking socket " \
    "it blocks N s and then closes gracefully (FIN, TIME_WAIT); Windows fails at once with " \
    "WSAEWOULDBLOCK and a blocking close ends in RST"
#define WINE_LINGER_KO \
    "Wine 8의 closesocket은 Linux의 close()입니다: 논블로킹 소켓에 SO_LINGER {1,N}이면 N s 동안 블로킹된 " \
    "뒤 정상적으로 닫습니다(FIN, TIME_WAIT). Windows는 즉시 WSAEWOULDBLOCK으로 실패하고, 블로킹 close는 " \
    "RST로 끝납니다"

static const struct lesson_quirk quirks[] = {
    {"wine", "nonblocking_close_refused", WINE_LINGER, WINE_LINGER_KO},
    {"wine", "nonblocking_close_did_not_wait", WINE_LINGER, WINE_LINGER_KO},
    {"wine", "blocking_close_waited_linger", WINE_LINGER, WINE_LINGER_KO},
    {"wine", "peer_saw_reset", WINE_LINGER, WINE_LINGER_KO},
    {"wine", "queued_data_discarded", WINE_LINGER, WINE_LINGER_KO},
    {"wine", "no_time_wait", WINE_LINGER, WINE_LINGER_KO},
    {NULL, NULL, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "SO_LINGER{1,N}: 기다리는 close() (Linux: N s 블로킹, Windows: 실패하거나 리셋)",
    .explain = "클라이언트가 읽지 않는 동안 서버는 연결을 데이터로 채우고, SO_LINGER를 {l_onoff=1, l_linger=2}로 "
               "설정한 뒤 논블로킹(non-blocking) 소켓을 닫습니다. 여기서 운영체제마다 동작이 갈립니다. Linux는 "
               "논블로킹 소켓에서도 close()를 최대 2 s 동안 블로킹하고(그동안 이벤트 루프가 멈춥니다), 그 뒤 성공을 "
               "반환하면서 커널이 연결을 FIN_WAIT1에 둔 채 계속 전송합니다: RST는 없고, 클라이언트가 읽기 시작하면 "
               "데이터는 그래도 도착합니다. Windows는 논블로킹 소켓을 블로킹하지 않습니다(closesocket이 "
               "WSAEWOULDBLOCK으로 실패하고 소켓은 열린 채로 남습니다). 블로킹 closesocket은 2 s를 기다린 뒤 연결을 "
               "리셋하고 데이터를 버립니다. 레슨은 지금 실행 중인 플랫폼에서 돌고, 그 플랫폼의 동작을 검사합니다.",
    .watch = "Linux: close()가 블로킹된 동안 서버가 보내는 제로 윈도우 프로브(zero-window probe), RST는 없음, "
             "클라이언트가 읽으면 나머지 데이터와 FIN\n"
             "Linux: FIN은 마지막 데이터 세그먼트에 실려 클라이언트가 읽을 때에야 전송됩니다. 레슨의 클라이언트는 "
             "linger 시간보다 1 s 더 기다리므로, close()가 반환되고 약 1 s 뒤입니다: 유실은 없습니다\n"
             "Windows: 블로킹 closesocket 호출 약 2 s 뒤의 RST, FIN은 없음\n"
             "리포트의 타임라인에 있는 서버의 close 시각을 캡처와 비교해 보십시오",
    .on_linux = "close()는 약 N s 동안 블로킹되고(측정값: close_call_ms) 0을 반환하며, 연결은 데이터가 큐에 남은 채 "
                "FIN_WAIT1에 머뭅니다. 상대는 나중에 모든 데이터를 읽고 그다음 EOF를 받습니다. linger 타임아웃은 "
                "연결을 리셋하지 않습니다.",
    .on_windows = "논블로킹 closesocket()은 즉시 WSAEWOULDBLOCK으로 실패하고, 연결 종료는 시작되지 않습니다. 블로킹 "
                  "closesocket()은 최대 N s를 기다린 뒤 강제로 닫습니다: RST, 큐의 데이터 유실, TIME_WAIT "
                  "없음(Microsoft의 closesocket 문서).",
    .under_wine = "Wine은 Linux처럼 동작합니다: 논블로킹 closesocket()이 N s 동안 블로킹된 뒤 정상적으로 "
                  "닫습니다(아래 검사 항목 참조).",
};

const struct lesson lesson_close_linger = {
    .name = "close-linger",
    .title = "SO_LINGER{1,N}: a close() that waits (Linux: blocks N s; Windows: fails or resets)",
    .explain = "The server fills the connection while the client is not reading, sets SO_LINGER to "
               "{l_onoff=1, l_linger=2} and closes its non-blocking socket. The operating systems disagree "
               "here. Linux blocks close() for up to 2 s even on a non-blocking socket (an event loop freezes "
               "for that long), then returns success while the kernel keeps the connection in FIN_WAIT1 and "
               "keeps sending: no RST, and the data still arrives once the client reads. Windows refuses to "
               "block a non-blocking socket (closesocket fails with WSAEWOULDBLOCK and the socket stays "
               "open); a blocking closesocket waits 2 s and then resets the connection, discarding the "
               "data. The lesson runs whichever platform it is on and checks that platform's behaviour.",
    .wireshark = "tcp.port == {port}",
    .watch = "Linux: zero-window probes from the server while close() is blocked, no RST, then the rest of "
             "the data and a FIN once the client reads\n"
             "Linux: the FIN rides on the last data segment, sent only when the client reads - about 1 s "
             "after close() returned, since the lesson's client waits 1 s past the linger time: nothing is lost\n"
             "Windows: an RST about 2 s after the blocking closesocket call, and no FIN\n"
             "compare the time of the server's close in the report's timeline with the capture",
    .on_linux = "close() blocks ~N s (measured: close_call_ms), returns 0, and the connection stays in "
                "FIN_WAIT1 with its data queued; the peer later reads everything, then EOF. The linger "
                "timeout does not reset the connection.",
    .on_windows = "Non-blocking closesocket() fails with WSAEWOULDBLOCK at once and no disconnect starts; "
                  "a blocking closesocket() waits up to N s and then closes hard: RST, queued data lost, no "
                  "TIME_WAIT (Microsoft's closesocket documentation).",
    .under_wine = "Wine behaves like Linux: a non-blocking closesocket() blocks N s and then closes gracefully (its "
                  "quirks below).",
    .closer = SIDE_SERVER,
    .duration_hint_ms = CLIENT_HOLD_MS + 500,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .quirks = quirks,
    .ko = &ko,
};
