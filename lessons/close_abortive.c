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
};
