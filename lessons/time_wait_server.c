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

const struct lesson lesson_time_wait_server = {
    .name = "time-wait-server",
    .title = "the server closes first (Connection: close): TIME_WAIT lands on the server's port",
    .explain = "One request and one response, and the server closes right after responding, like an HTTP "
               "server sending 'Connection: close'. Now the server is the active closer, so the TIME_WAIT "
               "entry sits on the server's side of the connection (its well-known port, one entry per "
               "client connection), while the client passes through CLOSE_WAIT and LAST_ACK and is gone. A "
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
};
