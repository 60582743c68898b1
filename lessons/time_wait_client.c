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
};
