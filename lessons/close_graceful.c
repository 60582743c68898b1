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
             "the server's zero-window probe while the window is shut: a bare ACK, which Wireshark calls "
             "[TCP Keep-Alive] because it carries no data\n"
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
};
