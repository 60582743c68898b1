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
};
