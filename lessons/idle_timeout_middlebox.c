/* idle-timeout-middlebox - a stateful middlebox (a load balancer, a NAT, a firewall) forgets an idle
 * connection; the two ends do not, and learn it only when one of them next sends.
 *
 * The impairment lab stages the middlebox with conntrack: established flows are remembered for
 * CT_TIMEOUT_S of silence (nf_conntrack_tcp_timeout_established), a packet of a flow it no longer
 * knows is "invalid" (nf_conntrack_tcp_loose 0: no pick-up mid-stream), and the middlebox drops
 * invalid packets to the server. Each connection: one request echoed, IDLE_MS of silence (the entry's
 * countdown sampled), then one more request:
 *   vanished      dropped: retransmitted, never answered; the server never knows
 *   user_timeout  the same with TCP_USER_TIMEOUT UT_MS: ETIMEDOUT, the client learns in seconds
 *   reset         the middlebox answers what it does not know with RST: ECONNRESET at once
 *   keepalive     probes every KA_INTVL_S, below the idle timeout, keep the entry alive: answered
 *   rebalanced    a balancer over two backends (DNAT, round robin over new flows) that picks an
 *                 unknown flow up as a new one: the request goes to the other backend, whose kernel
 *                 answers RST - seed 003's load balancer
 *
 * On the wire (server port P, client port C), after IDLE_MS of silence:
 *   vanished:   C > P [P.] request, then the same again, each gap doubling; nothing from P
 *   reset:      C > P [P.] request;  P > C [R] at once (made by the middlebox, not the server)
 *   keepalive:  C > P [.] probe, P > C [.] answer, every KA_INTVL_S; then the request and its echo
 *   rebalanced: C > 127.0.0.2.P [P.] request (the other backend);  P > C [R.]
 *   (in every case but keepalive the server's end stays ESTABLISHED: a zombie)
 *
 * Sampled every SAMPLE_MS on the client: the conntrack entry's seconds left (the lab's
 * /proc/net/nf_conntrack) and the `ss -o` timer. The student sees the middlebox's clock run out. */
#include "lessons/lesson.h"

#include <stdio.h>
#include <string.h>

#define REQ 512
#define CT_TIMEOUT_S 2 /* the middlebox's idle timeout */
#define IDLE_MS 2600   /* each connection idles past it */
#define SAMPLE_MS 100
#define WATCH_MS 2000  /* vanished: the retransmissions watched */
#define UT_MS 1500
#define KA_IDLE_S 1
#define KA_INTVL_S 1
#define KA_COUNT 3
#define SERVER_IDLE_MS (IDLE_MS + 600)
#define TABLE "socklab_idle_timeout_middlebox"

enum { VANISHED, USER_TIMEOUT, RESET, KEEPALIVE, REBALANCED };

/* The middlebox, before any connection: a namespace tracks connections only once a rule asks for
 * conntrack, and a connection it did not see open is one it cannot remember. */
static void middlebox(struct lesson_side *s, sock_t listener)
{
    char secs[16];
    if (!side_lab(s) ||
        side_lab_nft(s, "a stateful middlebox in front of the server: it drops what it does not remember",
                     "add table inet " TABLE "\n"
                     "add chain inet " TABLE " in { type filter hook input priority 0; policy accept; }\n"
                     "add rule inet " TABLE " in tcp dport %u ct state invalid drop",
                     (unsigned)sock_local_port(listener)) != 0)
        return;
    side_fact_prefix(s, "");
    side_fact_setting(s, "kernel_default_idle_timeout_s", "net.netfilter.nf_conntrack_tcp_timeout_established",
                      NULL);
    snprintf(secs, sizeof secs, "%d", CT_TIMEOUT_S);
    side_lab_sysctl(s, "net.netfilter.nf_conntrack_tcp_timeout_established", secs);
    side_lab_sysctl(s, "net.netfilter.nf_conntrack_tcp_loose", "0");
}

/* rebalanced: a balancer in the client's path whose round robin counts this connection's new flows
 * only; it must see the handshake, so it comes before the connect. */
static void client_prepare(struct lesson_side *s, sock_t sock)
{
    char err[SOCK_ERR_LEN];
    unsigned p = side_remote_port(s);
    if (side_conn(s) != REBALANCED || !side_lab(s))
        return;
    if (strcmp(side_remote_addr(s), "127.0.0.1") != 0) { /* the other backend is 127.0.0.2 */
        side_log(s, "rebalanced: skipped, it needs the server on 127.0.0.1 (not %s)", side_remote_addr(s));
        return;
    }
    if (sock_bind_local(sock, "127.0.0.1", 0, err) != 0) {
        side_error(s, "bind", err);
        return;
    }
    side_lab_sysctl(s, "net.netfilter.nf_conntrack_tcp_loose", "1");
    side_lab_nft(s, "a balancer over two backends, 127.0.0.1 (the server) and 127.0.0.2, taking new flows in turn",
                 "add chain inet " TABLE " lb { type nat hook output priority -100; policy accept; }\n"
                 "add rule inet " TABLE " lb tcp sport %u tcp dport %u ct state new "
                 "dnat ip to numgen inc mod 2 map { 0 : 127.0.0.1 . %u, 1 : 127.0.0.2 . %u }",
                 (unsigned)sock_local_port(sock), p, p, p);
}

/* One request of REQ bytes and its echo; the bytes that came back. */
static long round_trip(struct lesson_side *s, int timeout_ms)
{
    static const char req[REQ];
    char buf[REQ];
    long got = 0, n;
    if (sock_send(side_sock(s), req, REQ) != REQ)
        return 0;
    while (got < REQ && side_wait(s, 0, timeout_ms) == 1 && (n = sock_recv(side_sock(s), buf, REQ - (size_t)got)) > 0)
        got += n;
    side_add_bytes(s, REQ, got);
    return got;
}

/* IDLE_MS of silence, sampling the middlebox's entry for this connection. */
static void idle(struct lesson_side *s)
{
    double t0 = side_now_ms(s), gone = -1;
    long left = -1, first = -1;
    int rc = 1;
    while (side_now_ms(s) - t0 < IDLE_MS) {
        if (rc >= 0 && (rc = side_lab_conntrack(s, &left)) == 0 && gone < 0)
            gone = side_now_ms(s) - t0;
        first = first < 0 ? left : first;
        side_sample_timers(s, side_sock(s), NULL, 0);
        side_sleep(s, SAMPLE_MS);
    }
    if (rc < 0)
        return; /* unreadable: logged once, the checks on the entry read n/a */
    side_fact_int(s, "entry_seconds_left_at_start", first);
    if (gone >= 0)
        side_fact_ms(s, "entry_gone_after_idle_ms", gone);
    rc = side_lab_conntrack(s, &left);
    side_fact_bool(s, "entry_present_at_request", rc == 1);
    side_log(s, "%.1f s idle: the middlebox's entry for this connection %s", IDLE_MS / 1000.0,
             rc == 1 ? "is still there (refreshed)" : "is gone");
}

/* The request after the silence, and what came of it within limit_ms. */
static void request(struct lesson_side *s, int limit_ms)
{
    static const char req[REQ];
    struct sock_tcpinfo ti;
    struct sock_entry e;
    char buf[REQ], addr[48];
    const char *answer = "none";
    uint16_t port;
    long retrans0 = -1, got = 0, n;
    double t0 = side_now_ms(s);
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0)
        retrans0 = ti.total_retrans;
    if (sock_send(side_sock(s), req, REQ) != REQ) {
        side_error(s, "send", sock_err_name(sock_last_error()));
        return;
    }
    while (got < REQ && side_now_ms(s) - t0 < limit_ms) {
        side_sample_timers(s, side_sock(s), NULL, 0);
        if (side_wait(s, 0, SAMPLE_MS) != 1)
            continue;
        if ((n = sock_recv(side_sock(s), buf, sizeof buf)) <= 0) {
            answer = n == 0 ? "eof" : sock_err_name(sock_last_error());
            break;
        }
        got += n;
    }
    answer = got == REQ ? "echo" : answer;
    side_fact_str(s, "answer", answer);
    if (strcmp(answer, "none") != 0)
        side_fact_ms(s, "answer_after_ms", side_now_ms(s) - t0);
    if (retrans0 >= 0 && sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.total_retrans >= 0)
        side_fact_int(s, "retransmissions", ti.total_retrans - retrans0);
    side_log(s, "the request after the silence: %s after %.0f ms", answer, side_now_ms(s) - t0);
    /* the server's end now, from the kernel table (one namespace holds both ends) */
    if (sock_local_name(side_sock(s), addr, sizeof addr, &port) == 0 &&
        sock_conn_entry(side_remote_addr(s), side_remote_port(s), addr, port, &e, NULL) == 1)
        side_fact_str(s, "server_state_at_end", sock_state_name(e.state));
}

static void client(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    const char *path = "none";
    unsigned c = side_conn(s);
    if (!side_lab(s))
        return; /* LAB_NEEDS: socklab refuses to run it without the lab */
    if (c == USER_TIMEOUT && sock_set_user_timeout(side_sock(s), UT_MS, err) != 0)
        side_error(s, "TCP_USER_TIMEOUT", err);
    if (c == KEEPALIVE && sock_set_keepalive(side_sock(s), KA_IDLE_S, KA_INTVL_S, KA_COUNT, &path, err) != 0)
        side_error(s, "keepalive", err);
    if (round_trip(s, 2000) != REQ) {
        side_error(s, "first request", "not echoed");
        return;
    }
    idle(s);
    if (c == RESET)
        side_lab_nft(s, "this middlebox answers what it does not remember with an RST, in the server's name",
                     "insert rule inet " TABLE " in tcp sport %u tcp dport %u ct state invalid reject with tcp reset",
                     (unsigned)side_local_port(s), (unsigned)side_remote_port(s));
    request(s, c == VANISHED ? WATCH_MS : 4000);
}

/* Server: echo until SERVER_IDLE_MS of silence or the client's close. The connections whose client
 * has gone stay open, as a real server's would: zombies. */
static void server(struct lesson_side *s)
{
    char buf[REQ];
    long n, total = 0;
    while (side_wait(s, 0, SERVER_IDLE_MS) == 1 && (n = sock_recv(side_sock(s), buf, sizeof buf)) > 0 &&
           sock_send(side_sock(s), buf, (size_t)n) == n) {
        side_add_bytes(s, n, n);
        total += n;
    }
    side_fact_int(s, "server_received", total);
    if (side_conn(s) != KEEPALIVE)
        side_leak(s);
}

static void check(struct lesson_report *r)
{
    int on_linux = strcmp(report_platform(r), "linux") == 0;
    const char *reset = on_linux ? "ECONNRESET" : "WSAECONNRESET";
    expect_range(r, "entry_idle_timeout_as_set", "vanished.entry_seconds_left_at_start", CT_TIMEOUT_S - 1,
                 CT_TIMEOUT_S);
    expect_range(r, "vanished_entry_gone_at_the_idle_timeout", "vanished.entry_gone_after_idle_ms",
                 CT_TIMEOUT_S * 1000 - 200, CT_TIMEOUT_S * 1000 + 500);
    expect_str(r, "vanished_request_never_answered", "vanished.answer", "none");
    expect_range(r, "vanished_request_retransmitted", "vanished.retransmissions", 3, 5); /* 0.2 0.4 0.8 1.6 s */
    expect_int(r, "vanished_server_got_only_the_first_request", "vanished.server_received", REQ, "one request");
    expect_str(r, "vanished_server_never_knew", "vanished.server_state_at_end", "ESTABLISHED");
    expect_str(r, "user_timeout_client_learns", "user_timeout.answer", on_linux ? "ETIMEDOUT" : "WSAETIMEDOUT");
    /* the user timeout counts from the first retransmission by timeout, about 0.4 s after the send */
    expect_range(r, "user_timeout_in_seconds", "user_timeout.answer_after_ms", UT_MS, UT_MS + 900);
    expect_str(r, "reset_client_reset", "reset.answer", reset);
    expect_range(r, "reset_at_once", "reset.answer_after_ms", 0, 100);
    expect_str(r, "reset_server_keeps_a_zombie", "reset.server_state_at_end", "ESTABLISHED");
    expect_true(r, "keepalive_entry_kept_alive", "keepalive.entry_present_at_request");
    expect_str(r, "keepalive_request_answered", "keepalive.answer", "echo");
    expect_int(r, "keepalive_server_got_both_requests", "keepalive.server_received", 2 * REQ, "two requests");
    expect_false(r, "rebalanced_entry_forgotten", "rebalanced.entry_present_at_request");
    expect_str(r, "rebalanced_other_backend_resets", "rebalanced.answer", reset);
    expect_int(r, "rebalanced_server_got_only_the_first_request", "rebalanced.server_received", REQ,
               "one request");
    expect_str(r, "rebalanced_server_keeps_a_zombie", "rebalanced.server_state_at_end", "ESTABLISHED");
}

static const struct lesson_chart charts[] = {
    {"the middlebox's conntrack entry: seconds left", SIDE_CLIENT, "conntrack_left", NULL},
    {"the client's timer: ms left (ss -o)", SIDE_CLIENT, "timer_left", NULL},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

const struct lesson lesson_idle_timeout_middlebox = {
    .name = "idle-timeout-middlebox",
    .title = "a middlebox's idle timeout: the flow is forgotten in the middle, both ends still think it is open",
    .explain = "Seed 003's load balancer: pooled connections sit idle at night, the balancer's idle timeout "
               "forgets them, and neither end is told. The impairment lab stages the middlebox with conntrack "
               "in front of the server: it remembers an established flow for 2 s of silence (the report shows "
               "the kernel's own default; balancers use minutes) and, adopting no flow mid-stream, drops a "
               "packet of one it forgot. Each connection makes a request, idles 2.6 s while the lesson reads "
               "the entry's countdown from the lab's conntrack table, and makes another. vanished: the request "
               "is dropped, the client's kernel retransmits it with a doubling timeout and recv() waits - by "
               "default for about a quarter of an hour (see user-timeout) - while the server, which hears "
               "nothing, keeps its end ESTABLISHED. user_timeout: the same with TCP_USER_TIMEOUT 1.5 s: "
               "ETIMEDOUT within 2 s, time to reconnect. reset: a middlebox that answers what it forgot with "
               "an RST in the server's name: ECONNRESET at once, and the server still keeps its zombie. "
               "keepalive: probes every second, below the idle timeout, keep the entry alive, and the request "
               "after the silence is answered. rebalanced: a balancer over two backends (DNAT, new flows in "
               "turn) takes the forgotten flow for a new one and sends it to the other backend, whose kernel "
               "has never heard of it and answers RST: a reset for the client, a zombie on the first backend. "
               "The cure: keepalive more often than the idle timeout, and TCP_USER_TIMEOUT to bound the wait.",
    .wireshark = "tcp.port == {port} && (tcp.len > 0 || tcp.flags.reset == 1 || tcp.analysis.keep_alive)",
    .watch = "every connection: a request and its echo, 2.6 s of silence, the next request\n"
             "vanished: that request again and again, the gaps doubling (TCP Retransmission), nothing from the "
             "server (the middlebox drops after the capture point)\n"
             "user_timeout: the same, then silence: ETIMEDOUT about 2 s after the request\n"
             "reset: an RST in the server's name within a millisecond of the request - the middlebox's: the "
             "server's end is still ESTABLISHED\n"
             "keepalive: a probe every second and its answer during the silence (TCP Keep-Alive, Keep-Alive "
             "ACK); then the request and its echo\n"
             "rebalanced: the request leaves for 127.0.0.2, the other backend (the balancer rewrites it before "
             "the capture point), and the RST comes back in the server's name\n"
             "the middlebox forgetting: nsenter -t PID -n conntrack -L (or cat /proc/net/nf_conntrack) in the "
             "lab's namespace - the seconds left count down, and each packet, a keepalive probe too, resets them",
    .on_linux = "nf_conntrack forgets an established flow after nf_conntrack_tcp_timeout_established seconds of "
                "silence. With nf_conntrack_tcp_loose 0 it adopts no flow mid-stream, so the next packet is "
                "INVALID and a `ct state invalid` rule decides its fate (drop, or reject with tcp reset); with "
                "loose 1 (the default) the packet starts a new flow, and NAT rules choose its destination anew. "
                "The client's retransmissions then run until tcp_retries2's budget unless TCP_USER_TIMEOUT is "
                "set; keepalive probes (TCP_KEEPIDLE, TCP_KEEPINTVL) are traffic and refresh the entry. The lab "
                "stages it all in one network namespace, on its loopback, with its own conntrack table "
                "(/proc/net/nf_conntrack there, which the lesson reads every 100 ms).",
    .on_windows = "Windows hosts behind such a middlebox fare the same, and the cure is the same: SO_KEEPALIVE "
                  "with an interval below the idle timeout (SIO_KEEPALIVE_VALS, or TCP_KEEPIDLE/TCP_KEEPINTVL) "
                  "and TCP_MAXRT to bound the wait. Staging the middlebox needs Linux (conntrack in a network "
                  "namespace): socklab on Windows refuses this lesson with that reason; run it on Linux, or put "
                  "a real load balancer between a Windows client and server.",
    .under_wine = "Not run: the Windows build has no impairment lab, so socklab refuses the lesson (CI checks "
                  "the refusal and its reason).",
    .lab = LAB_NEEDS,
    .closer = SIDE_CLIENT,
    .connections = 5,
    .conn_prefix = {"vanished.", "user_timeout.", "reset.", "keepalive.", "rebalanced."},
    .duration_hint_ms = 17500,
    .listener_prepare = middlebox,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
};
