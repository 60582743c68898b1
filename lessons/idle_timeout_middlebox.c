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
 *                 answers RST - the field notes' load balancer
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
    {"the middlebox's conntrack entry: seconds left", SIDE_CLIENT, "conntrack_left",
     "미들박스의 conntrack 엔트리: 남은 초"},
    {"the client's timer: ms left (ss -o)", SIDE_CLIENT, "timer_left", "클라이언트의 타이머: 남은 ms (ss -o)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "미들박스의 유휴 타임아웃: 중간에서는 플로우가 잊혔는데, 양 끝은 아직 열려 있다고 여깁니다",
    .explain = "현장 노트의 로드 밸런서: 커넥션 풀의 커넥션들이 밤사이 유휴 상태로 있으면 밸런서의 유휴 타임아웃(idle "
               "timeout)이 그것들을 잊어버리고, 양 끝 어느 쪽에도 알리지 않습니다. 장애 주입 랩(impairment lab)은 서버 "
               "앞에 conntrack으로 미들박스(middlebox)를 세웁니다: 미들박스는 established 플로우(flow)를 2 s의 "
               "침묵까지만 기억하고(보고서에 커널 자체의 기본값이 나옵니다; 밸런서들은 분 단위를 씁니다), 중간부터 "
               "플로우를 받아들이지 않으므로 잊어버린 플로우의 패킷은 버립니다. 각 커넥션은 요청을 하나 보내고, 레슨이 "
               "랩의 conntrack 테이블에서 엔트리의 카운트다운을 읽는 동안 2.6 s 쉰 뒤, 요청을 하나 더 보냅니다. "
               "vanished: 요청이 버려지고, 클라이언트의 커널은 두 배씩 늘어나는 타임아웃으로 재전송하며 recv()는 "
               "기다립니다 - 기본값으로는 약 15분 동안(user-timeout 참고) - 그동안 아무것도 듣지 못한 서버는 자기 쪽 "
               "끝을 ESTABLISHED로 유지합니다. user_timeout: 같은 상황에 TCP_USER_TIMEOUT 1.5 s: 약 2 s 뒤 ETIMEDOUT을 "
               "받으니, 이제 다시 연결하면 됩니다. reset: 잊어버린 플로우에 서버의 이름으로 RST를 보내는 미들박스: "
               "즉시 ECONNRESET이 나고, 서버는 여전히 좀비 커넥션을 안고 있습니다. keepalive: 유휴 타임아웃보다 짧은 "
               "간격으로 매초 보내는 프로브가 엔트리를 살려 두어, 침묵 뒤의 요청도 응답을 받습니다. rebalanced: 백엔드 "
               "두 대를 둔 밸런서(DNAT, 새 플로우를 번갈아 배정)가 잊어버린 플로우를 새 플로우로 여기고 다른 백엔드로 "
               "보내면, 그 백엔드의 커널은 들어 본 적 없는 커넥션이므로 RST로 답합니다: 클라이언트에게는 리셋이, 첫 "
               "번째 백엔드에는 좀비 커넥션이 남습니다. 처방: 유휴 타임아웃보다 자주 keepalive를 보내고, "
               "TCP_USER_TIMEOUT으로 기다림에 한도를 두십시오.",
    .watch = "모든 커넥션: 요청과 그 에코, 2.6 s의 침묵, 다음 요청\n"
             "vanished: 그 요청이 몇 번이고 다시, 간격은 두 배씩(TCP Retransmission), 서버로부터는 아무것도 "
             "없음(미들박스는 캡처 지점 뒤에서 버립니다)\n"
             "user_timeout: 같은 모습, 그다음 침묵: 요청 약 2 s 뒤 ETIMEDOUT\n"
             "reset: 요청 후 1밀리초 안에 서버의 이름으로 오는 RST - 미들박스가 보낸 것입니다: 서버 쪽 끝은 여전히 "
             "ESTABLISHED\n"
             "keepalive: 침묵하는 동안 매초 프로브와 그 응답(TCP Keep-Alive, Keep-Alive ACK); 그다음 요청과 그 에코\n"
             "rebalanced: 요청이 다른 백엔드인 127.0.0.2로 나가고(밸런서가 캡처 지점보다 먼저 주소를 바꿔 씁니다), "
             "RST가 서버의 이름으로 돌아옵니다\n"
             "미들박스가 잊어 가는 모습: 랩의 네임스페이스에서 nsenter -t PID -n conntrack -L (또는 cat "
             "/proc/net/nf_conntrack) - 남은 초가 줄어들다가, 패킷이 하나 지날 때마다(keepalive 프로브도 마찬가지로) "
             "다시 채워집니다",
    .on_linux = "nf_conntrack은 established 플로우를 nf_conntrack_tcp_timeout_established초 동안 침묵이 이어지면 "
                "잊습니다. nf_conntrack_tcp_loose가 0이면 중간부터 플로우를 받아들이지 않으므로 다음 패킷은 INVALID가 "
                "되고, `ct state invalid` 규칙이 그 운명을 정합니다(drop, 또는 reject with tcp reset); loose가 "
                "1(기본값)이면 그 패킷이 새 플로우를 시작하고, NAT 규칙이 목적지를 새로 고릅니다. 그러면 클라이언트의 "
                "재전송은 TCP_USER_TIMEOUT이 설정되어 있지 않은 한 tcp_retries2의 한도까지 계속됩니다; keepalive "
                "프로브(TCP_KEEPIDLE, TCP_KEEPINTVL)도 트래픽이므로 엔트리를 갱신합니다. 랩은 이 모두를 하나의 "
                "네트워크 네임스페이스 안, 그 루프백 위에서, 자체 conntrack 테이블(그곳의 /proc/net/nf_conntrack, "
                "레슨이 100 ms마다 읽습니다)로 꾸밉니다.",
    .on_windows = "그런 미들박스 뒤의 Windows 호스트도 똑같은 일을 겪고, 처방도 같습니다: 유휴 타임아웃보다 짧은 "
                  "간격의 SO_KEEPALIVE(SIO_KEEPALIVE_VALS, 또는 TCP_KEEPIDLE/TCP_KEEPINTVL)와 기다림을 제한하는 "
                  "TCP_MAXRT. 미들박스를 꾸미려면 Linux(네트워크 네임스페이스 안의 conntrack)가 필요합니다: Windows의 "
                  "socklab은 그 이유를 들어 이 레슨을 거부합니다; Linux에서 실행하거나, Windows 클라이언트와 서버 "
                  "사이에 실제 로드 밸런서를 두십시오.",
    .under_wine = "실행하지 않습니다: Windows 빌드에는 장애 주입 랩(impairment lab)이 없으므로 socklab이 레슨을 "
                  "거부합니다(CI는 거부와 그 이유를 검사합니다).",
};

const struct lesson lesson_idle_timeout_middlebox = {
    .name = "idle-timeout-middlebox",
    .title = "a middlebox's idle timeout: the flow is forgotten in the middle, both ends still think it is open",
    .explain = "The field notes' load balancer: pooled connections sit idle at night, the balancer's idle timeout "
               "forgets them, and neither end is told. The impairment lab stages the middlebox with conntrack "
               "in front of the server: it remembers an established flow for 2 s of silence (the report shows "
               "the kernel's own default; balancers use minutes) and, adopting no flow mid-stream, drops a "
               "packet of one it forgot. Each connection makes a request, idles 2.6 s while the lesson reads "
               "the entry's countdown from the lab's conntrack table, and makes another. vanished: the request "
               "is dropped, the client's kernel retransmits it with a doubling timeout and recv() waits - by "
               "default for about a quarter of an hour (see user-timeout) - while the server, which hears "
               "nothing, keeps its end ESTABLISHED. user_timeout: the same with TCP_USER_TIMEOUT 1.5 s: "
               "ETIMEDOUT after about 2 s, time to reconnect. reset: a middlebox that answers what it forgot with "
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
    .ko = &ko,
};
