/* handshake - the 3-way handshake and the 4-way close, state by state, as each side reads its own
 * end of the connection in the kernel's table; both ISNs; what each SYN carried; a close in three
 * segments or four, and who ends in TIME_WAIT.
 *
 * Each side makes its own half of the handshake (sides_handshake) and reads its row in the socket
 * table after every step and every POLL_MS in between, noting each state when it first sees it.
 * On loopback the handshake takes microseconds, so the impairment lab slows the transient states
 * down by dropping one packet once (nftables, the first match only), and says so:
 *   first   the server's SYN-ACK is dropped: the client stays SYN_SENT and the server SYN_RECV
 *           until a retransmission 1 s later (TCP_TIMEOUT_INIT). The client sends REQUEST bytes, the
 *           server answers RESPONSE bytes, the client closes; the server closes PASSIVE_CLOSE_MS
 *           after the EOF - before its delayed ACK is due, so that ACK rides on its FIN: three
 *           segments. The client's last ACK is dropped: the server stays LAST_ACK until it sends its
 *           FIN again (one RTO, at least 200 ms).
 *   second  the client's ACK ending the handshake is dropped: its connect() is done at once, the
 *           server stays SYN_RECV until it sends its SYN-ACK again (1 s). The server speaks first
 *           (BANNER bytes) and closes; the client's kernel ACKs the FIN by itself (a delayed ACK,
 *           tens of ms), the client closes HOLD_MS later: four segments. The server's last ACK is
 *           dropped: the client stays LAST_ACK for one RTO.
 *
 * On the wire (server port P, client port C; first connection):
 *   C > P [S]  seq ISNc (Wireshark: 0)     mss, sackOK, TS, wscale
 *   P > C [S.] seq ISNs ack ISNc+1           dropped in the lab: the client sees nothing
 *   C > P [S]  (1 s later)   P > C [S.]   C > P [.]      ESTABLISHED on both sides
 *   C > P [P.] REQUEST   P > C [P.] RESPONSE
 *   C > P [F.]   P > C [F.] (the ACK rides on it)   C > P [.] (dropped)   P > C [F.] again   C > P [.]
 * Without the lab (Windows, or no namespace) nothing is slowed: the states that last only
 * microseconds are not seen, and only the ones the applications hold are checked. */
#include "lessons/lesson.h"

#include <stdio.h>
#include <string.h>

#define REQUEST 64
#define RESPONSE 128
#define BANNER 32
#define PASSIVE_CLOSE_MS 10 /* first: the server's close, well inside its delayed-ACK time */
#define HOLD_MS 500         /* second: the client's close, well after its delayed ACK */
#define POLL_MS 1
#define LIST_MS 10          /* the server's look for its new entry in the (slow) listing */
#define STEP_MAX_MS 3000    /* a bound on every wait for a state to change */
#define SETTLE_MS 600       /* first: the client waits while the server's FIN comes again */
#define TABLE "inet socklab_handshake"

static int is_first(const struct lesson_side *s) { return side_conn(s) == 0; }
static const char *role(const struct lesson_side *s) { return side_role(s) == SIDE_CLIENT ? "client" : "server"; }

static void fact(struct lesson_side *s, const char *name, long long v)
{
    char key[48];
    snprintf(key, sizeof key, "%s.%s", role(s), name);
    side_fact_int(s, key, v);
}

/* Right after the handshake, before this side sends anything: both ISNs (the next sequence numbers,
 * read in repair mode, less one; the peer's less the data already received from it), the
 * handshake's retransmissions, what the SYNs carried. Returns this side's ISN (0: not read). */
static uint32_t handshake_facts(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN] = "";
    struct sock_tcpinfo a, b;
    uint32_t snd = 0, rcv = 0, isn = 0;
    int tries;
    for (tries = 0; tries < 3 && isn == 0; tries++) {
        if (sock_tcp_info(side_sock(s), &a, err) != 0 || sock_tcp_seq(side_sock(s), &snd, &rcv, err) != 0 ||
            sock_tcp_info(side_sock(s), &b, err) != 0) {
            side_log(s, "no sequence numbers read here: %s", err);
            break;
        }
        if (a.bytes_received != b.bytes_received)
            continue; /* data arrived between the reads: read again */
        isn = snd - 1u;
        fact(s, "isn", isn);
        fact(s, "peer_isn", (uint32_t)(rcv - 1u - (uint32_t)a.bytes_received));
        side_log(s, "our ISN %u, the peer's %u (TCP_QUEUE_SEQ in repair mode)", (unsigned)isn,
                 (unsigned)(rcv - 1u - (uint32_t)a.bytes_received));
    }
    if (sock_tcp_info(side_sock(s), &a, NULL) != 0 || a.advmss < 0)
        return isn;
    fact(s, "handshake_retransmissions", a.total_retrans);
    /* advmss is what a segment to us may carry once the options every segment repeats are paid for:
     * the SYN's MSS counts from a bare header, so with timestamps (12 bytes a segment) it was 12 more */
    fact(s, "advmss", a.advmss);
    fact(s, "syn_mss", a.advmss + (a.opt_timestamps > 0 ? 12 : 0));
    fact(s, "syn_wscale", a.rcv_wscale);
    fact(s, "peer_wscale", a.snd_wscale);
    fact(s, "sack_permitted", a.opt_sack);
    fact(s, "timestamps", a.opt_timestamps);
    side_log(s, "our SYN carried mss %ld, wscale %ld; the peer's wscale %ld; SACK %s, timestamps %s",
             a.advmss + (a.opt_timestamps > 0 ? 12 : 0), a.rcv_wscale, a.snd_wscale, a.opt_sack ? "on" : "off",
             a.opt_timestamps ? "on" : "off");
    return isn;
}

/* Drops the first packet matching `match` in the lab's input hook, counted by the named counter. */
static void drop_once(struct lesson_side *s, const char *why, const char *counter, const char *match)
{
    if (side_lab(s))
        side_lab_nft(s, why,
                     "add table " TABLE "\nadd chain " TABLE " in { type filter hook input priority 0; policy accept; }\n"
                     "add counter " TABLE " %s\nadd rule " TABLE " in %s numgen inc mod 1000000 0 counter name %s drop",
                     counter, match, counter);
}

/* Just before a side closes: its FIN's sequence number, absolute and as Wireshark shows it (from
 * the ISN); the active closer also has its last ACK - the one for the peer's FIN, which comes right
 * after everything received so far - dropped once. */
static void before_close(struct lesson_side *s, uint32_t isn, const char *counter)
{
    char match[160];
    uint32_t snd = 0, rcv = 0;
    if (isn == 0 || sock_tcp_seq(side_sock(s), &snd, &rcv, NULL) != 0)
        return;
    fact(s, "fin_seq", snd);
    fact(s, "fin_seq_relative", (uint32_t)(snd - isn));
    if (counter == NULL)
        return;
    snprintf(match, sizeof match, "tcp sport %u tcp dport %u tcp ackseq %u tcp flags & (syn|fin|rst) == 0",
             (unsigned)side_local_port(s), (unsigned)side_remote_port(s), (unsigned)(rcv + 1u));
    drop_once(s, "hold LAST_ACK: the closer's last ACK is dropped once", counter, match);
}

/* The passive side after EOF: CLOSE_WAIT until it closes hold_ms later (stretched where the table is
 * slow); whether its kernel ACKed the FIN by itself meanwhile (TCP_INFO segments out) makes the close
 * three segments or four. */
static void passive_close(struct lesson_side *s, uint32_t isn, int hold_ms, int stretch)
{
    struct sock_tcpinfo ti;
    long before = -1, acked_at = -1;
    double eof = side_now_ms(s);
    char key[48];
    snprintf(key, sizeof key, "%s.state_at_eof", role(s));
    side_fact_str(s, key, side_state_note(s));
    /* where one reading of the table takes long (Wine's, on a busy machine: up to a second), hold
     * long enough for the peer, reading as slowly, to see what the hold is for */
    if (stretch && side_now_ms(s) - eof > hold_ms / 5)
        hold_ms = (int)(5 * (side_now_ms(s) - eof));
    fact(s, "held_ms", hold_ms);
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0)
        before = ti.segs_out;
    while (side_now_ms(s) - eof < hold_ms) {
        side_state_note(s);
        if (acked_at < 0 && before >= 0 && sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.segs_out > before)
            acked_at = (long)(side_now_ms(s) - eof);
        side_sleep(s, POLL_MS);
    }
    if (before >= 0) {
        fact(s, "fin_acked_alone_after_ms", acked_at); /* -1: not before the close */
        side_fact_int(s, "close_segments", acked_at >= 0 ? 4 : 3);
        side_log(s, acked_at >= 0 ? "our kernel ACKed the FIN by itself %ld ms after it came: four segments"
                                  : "closing %ld ms after the FIN, before our delayed ACK: it rides on our FIN",
                 acked_at >= 0 ? acked_at : (long)hold_ms);
    }
    before_close(s, isn, NULL);
    side_close(s);
}

/* The packets this connection's two rules dropped (the lab's counters), once it has ended. */
static void dropped_fact(struct lesson_side *s)
{
    long long a, b;
    if (!side_lab(s))
        return;
    a = side_lab_counter(s, is_first(s) ? TABLE " first_synack" : TABLE " second_ack");
    b = side_lab_counter(s, is_first(s) ? TABLE " first_last_ack" : TABLE " second_last_ack");
    if (a >= 0 && b >= 0)
        side_fact_int(s, "lab_dropped", a + b);
}

static void client(struct lesson_side *s)
{
    char match[96];
    uint16_t c = side_connect_bind(s), p = side_remote_port(s);
    uint32_t isn;
    double t0 = side_now_ms(s);
    if (c == 0)
        return;
    snprintf(match, sizeof match, is_first(s) ? "tcp sport %u tcp dport %u tcp flags & (syn|ack) == syn|ack"
                                              : "tcp sport %u tcp dport %u tcp flags & (syn|ack|fin|rst) == ack",
             (unsigned)(is_first(s) ? p : c), (unsigned)(is_first(s) ? c : p));
    drop_once(s, is_first(s) ? "hold SYN_SENT: the server's SYN-ACK is dropped once"
                             : "hold SYN_RECV: the client's ACK ending the handshake is dropped once",
              is_first(s) ? "first_synack" : "second_ack", match);
    if (side_connect_begin(s) != 0)
        return;
    while (side_state_note(s), side_wait(s, 1, POLL_MS) == 0 && side_now_ms(s) - t0 < STEP_MAX_MS)
        ;
    if (side_connect_result(s) != 0)
        return;
    side_state_note(s);
    isn = handshake_facts(s);
    if (is_first(s)) {
        side_send(s, REQUEST, 1000);
        side_recv(s, RESPONSE, STEP_MAX_MS);
        before_close(s, isn, "first_last_ack");
        side_close(s);
        side_state_watch(s, " TIME_WAIT CLOSED ", POLL_MS, STEP_MAX_MS);
        side_sleep(s, SETTLE_MS);
    } else {
        side_drain(s, STEP_MAX_MS, NULL, NULL); /* the banner, then EOF */
        passive_close(s, isn, HOLD_MS, 1);
        side_state_watch(s, " CLOSED ", POLL_MS, STEP_MAX_MS);
    }
    side_state_facts(s, "client");
    dropped_fact(s);
}

static void server(struct lesson_side *s)
{
    struct sock_waiter *w = sock_waiter_new();
    double until = side_now_ms(s) + STEP_MAX_MS + SETTLE_MS + HOLD_MS;
    int found = 0, fin_wait2 = 0;
    uint32_t isn;
    double t0;
    const char *st;
    /* Until accept() can return: this side's new entry, looked for in the (slow) listing, then read */
    while (w != NULL && sock_waiter_wait(w, side_listener(s), 0, found ? POLL_MS : LIST_MS) == 0 &&
           side_now_ms(s) < until)
        found = strcmp(side_state_note(s), "CLOSED") != 0;
    if (w != NULL)
        sock_waiter_free(w);
    if (side_accept(s, 1000) != 0)
        return;
    side_state_note(s);
    isn = handshake_facts(s);
    if (is_first(s)) {
        side_recv(s, REQUEST, STEP_MAX_MS);
        side_send(s, RESPONSE, 1000);
        side_drain(s, STEP_MAX_MS, NULL, NULL); /* EOF */
        passive_close(s, isn, PASSIVE_CLOSE_MS, 0);
        side_state_watch(s, " CLOSED ", POLL_MS, STEP_MAX_MS);
    } else {
        side_send(s, BANNER, 1000);
        before_close(s, isn, "second_last_ack");
        side_close(s);
        /* watched until TIME_WAIT; FIN_WAIT2 lasts the client's hold, longer than even a slow
         * reading of the table takes (Wine's: about 100 ms), so every platform sees it */
        for (t0 = side_now_ms(s); side_now_ms(s) - t0 < HOLD_MS + STEP_MAX_MS; side_sleep(s, POLL_MS)) {
            st = side_state_note(s);
            if (strcmp(st, "TIME_WAIT") == 0 || strcmp(st, "CLOSED") == 0)
                break;
            fin_wait2 |= strcmp(st, "FIN_WAIT2") == 0;
        }
        side_fact_bool(s, "server.fin_wait2_seen", fin_wait2);
    }
    side_state_facts(s, "server");
}

static void check(struct lesson_report *r)
{
    int lab = 0;
    long long d;
    /* portable: the application holds these states, and whoever closes first keeps TIME_WAIT */
    expect_str(r, "first_client_closed_first_holds_time_wait", "first.time_wait_on", "client");
    expect_str(r, "second_server_closed_first_holds_time_wait", "second.time_wait_on", "server");
    expect_str(r, "first_server_close_wait_after_eof", "first.server.state_at_eof", "CLOSE_WAIT");
    expect_str(r, "second_client_close_wait_after_eof", "second.client.state_at_eof", "CLOSE_WAIT");
    expect_true(r, "second_server_fin_wait2_while_client_holds", "second.server.fin_wait2_seen");
    lab = report_fact_int(r, "first.lab_dropped", &d);
    if (!lab)
        return; /* nothing was slowed: the transient states came and went unseen */
    expect_str(r, "first_client_states", "first.client.states", "SYN_SENT ESTABLISHED FIN_WAIT1 TIME_WAIT");
    expect_str(r, "first_server_states", "first.server.states", "SYN_RECV ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
    expect_str(r, "second_client_states", "second.client.states", "ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
    expect_str(r, "second_server_states", "second.server.states",
               "SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT");
    expect_int(r, "first_lab_dropped_two_packets", "first.lab_dropped", 2, "the SYN-ACK and the last ACK, once each");
    expect_int(r, "second_lab_dropped_two_packets", "second.lab_dropped", 2, "the handshake's ACK and the last ACK");
    expect_range(r, "first_syn_sent_one_retransmission", "first.client.syn_sent_ms", 900, 1600);
    expect_range(r, "second_syn_recv_one_synack_timeout", "second.server.syn_recv_ms", 900, 1600);
    expect_range(r, "first_last_ack_until_fin_resent", "first.server.last_ack_ms", 200, 1500);
    expect_range(r, "second_last_ack_until_fin_resent", "second.client.last_ack_ms", 200, 1500);
    expect_int(r, "first_close_in_three_segments", "first.close_segments", 3, "the ACK rode on the FIN");
    expect_int(r, "second_close_in_four_segments", "second.close_segments", 4, "a delayed ACK before the FIN");
    expect_seq_apart(r, "first_isns_differ", "first.client.isn", "first.server.isn", 1);
    expect_seq_apart(r, "client_isns_not_sequential", "first.client.isn", "second.client.isn", 65536);
    expect_seq_apart(r, "server_isns_not_sequential", "first.server.isn", "second.server.isn", 65536);
    expect_equal(r, "server_saw_the_client_isn", "first.server.peer_isn", "first.client.isn");
    expect_equal(r, "client_saw_the_server_isn", "first.client.peer_isn", "first.server.isn");
    expect_equal(r, "both_sides_agree_on_the_client_wscale", "first.client.syn_wscale", "first.server.peer_wscale");
}

const struct lesson lesson_handshake = {
    .name = "handshake",
    .title = "the 3-way handshake and the 4-way close, state by state on each side; both ISNs; a close in three segments",
    .explain = "Two connections are opened and closed while each side reads its own end of the connection in "
               "the kernel's socket table after every step, and every millisecond in between, noting each state "
               "when it first sees it. On loopback a handshake takes microseconds, so the impairment lab slows "
               "the fleeting states down by dropping one packet once (nftables, the first match only) and says "
               "which. In the first connection it drops the server's SYN-ACK: the client stays SYN_SENT and the "
               "server SYN_RECV until a retransmission about 1 s later. In the second it drops the client's ACK "
               "that ends the handshake: the client's connect() is done at once and its end ESTABLISHED, while "
               "the server's stays SYN_RECV until it sends its SYN-ACK again a second later - a connection the "
               "client uses before the server can accept() it. Each side reads both ISNs in the run (the next "
               "sequence numbers, TCP_QUEUE_SEQ in repair mode), and the two sides agree: random 32-bit numbers, "
               "unrelated from one connection to the next, so that an old connection's segments or a guessing "
               "attacker do not fit the new one - Wireshark's seq 0 and 1 are relative to them. TCP_INFO says "
               "what the SYNs carried: MSS, SACK permitted, timestamps, window scale. In the first connection "
               "the client closes first (FIN_WAIT1); the server reads EOF (CLOSE_WAIT) and closes 10 ms later, "
               "before its delayed ACK is due, so that ACK rides on its FIN: three segments, and the client goes "
               "from FIN_WAIT1 straight to TIME_WAIT without FIN_WAIT2. In the second the server sends a banner "
               "and closes first; the client holds CLOSE_WAIT for 500 ms, its kernel ACKs the FIN on its own "
               "after the delayed-ACK time (the server moves to FIN_WAIT2), and the close takes four segments. "
               "In each close the lab drops the last ACK once, so LAST_ACK lasts until the FIN is sent again, "
               "one retransmission timeout (200 ms at least) later. Whoever closed first ends in TIME_WAIT: the "
               "client in the first connection, the server in the second.",
    .wireshark = "tcp.port == {port} && (tcp.flags.syn == 1 || tcp.flags.fin == 1 || tcp.len == 0)",
    .watch = "Edit > Preferences > Protocols > TCP: untick Relative sequence numbers - the SYNs then show the ISNs "
             "the report gives (first.client.isn ...)\n"
             "first: SYN, SYN-ACK (dropped by the lab after the capture saw it); about 1 s later the client's SYN "
             "timer and the server's SYN-ACK timer both run out: SYN and SYN-ACK again (TCP Retransmission), "
             "crossing, and the client's ACKs - the report's handshake_retransmissions count them\n"
             "first: the client's FIN, the server's FIN 10 ms later acknowledging it (no ACK between them), the "
             "client's ACK - dropped, so the server's FIN comes again about 200 ms later and is ACKed again\n"
             "second: the client's ACK of the SYN-ACK, dropped; the SYN-ACK again 1 s later, the ACK again\n"
             "second: the server's FIN, the client's bare ACK about 40 ms later (a delayed ACK), the client's FIN "
             "500 ms after, the last ACK twice\n"
             "nsenter -t PID -n ss -tan in the lab (PID as the run prints it): SYN-SENT and SYN-RECV for a "
             "second, CLOSE-WAIT and FIN-WAIT-2 for 500 ms, LAST-ACK for 200 ms, TIME-WAIT",
    .on_linux = "States as ss names them (SYN-SENT ... TIME-WAIT). A lost SYN or SYN-ACK is sent again after "
                "TCP_TIMEOUT_INIT (1 s), a FIN after the retransmission timeout (at least tcp_rto_min, 200 ms). The "
                "ISN is a keyed hash of the addresses and ports plus a clock (RFC 6528, net/core/secure_seq.c): "
                "unpredictable, and different for every new port pair. TCP_INFO's advmss is the MSS left once the timestamp "
                "option takes its 12 bytes of every segment: the SYN announced 12 more. A received FIN is ACKed late (the delayed "
                "ACK, 40 ms at least), so an application that closes within that time sends one FIN-ACK: three "
                "segments. TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN, compiled in). Reading sequence numbers "
                "(TCP_REPAIR) needs CAP_NET_ADMIN in the connection's network namespace, which the lab gives even "
                "a plain user; elsewhere the ISNs are not read.",
    .on_windows = "GetTcpTable shows the same states. The lab cannot run on Windows (dropping a packet needs a "
                  "filter driver such as WinDivert), so nothing is slowed: only the states the applications hold "
                  "are seen and checked - CLOSE_WAIT, FIN_WAIT2 and TIME_WAIT on the side that closed first (where a "
                  "reading of the table is slow, the client holds CLOSE_WAIT five readings long). "
                  "Windows gives a program no sequence numbers: read the ISNs from a capture. Documented, not "
                  "measured: its delayed ACK is 200 ms, TIME_WAIT 120 s (TcpTimedWaitDelay), its ISNs random.",
    .under_wine = "Wine hands the sockets to the Linux kernel underneath and builds GetTcpTable from it, so the states "
                  "are Linux's; it has no SIO_TCP_INFO and no sequence numbers, so no ISNs, options or segment "
                  "counts.",
    .lab = LAB_WANTS,
    .sides_handshake = 1,
    .closer = SIDE_CLIENT,
    .connections = 2,
    .conn_prefix = {"first.", "second."},
    .duration_hint_ms = 4500,
    .server = server,
    .client = client,
    .check = check,
};
