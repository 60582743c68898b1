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
};
