/* keepalive - an idle connection whose peer may have vanished: SO_KEEPALIVE probes it, and the
 * probes' answers (or their absence) are all the prober learns.
 *
 * The client (the prober) sets SO_KEEPALIVE with IDLE_S / INTVL_S / COUNT on each connection:
 *   alive     both ends stay idle for ALIVE_MS: every IDLE_S the client sends a probe and the
 *             server's kernel answers it - neither application sees anything; then one byte shows
 *             the connection still carries data
 *   vanished  (impairment lab) the server sends one byte; once the client has read it, nftables
 *             drops every packet of the connection, both ways: to the client, the server vanished
 *
 * On the wire (server port P, client port C):
 *   alive:    C > P [.] seq x-1 len 0          a probe, IDLE_S after the last packet received
 *             P > C [.] ack x                  answered: the idle clock starts again
 *   vanished: P > C [P.] 1 byte   C > P [.]    the last packet the client receives
 *             C > P [.] seq x-1  (COUNT times) probes at IDLE_S, then every INTVL_S: no answer
 *             C > P [R.]                       the client gives up; its recv() fails with ETIMEDOUT
 *   (the server's kernel sees none of it: its end stays ESTABLISHED, waiting for data forever)
 *
 * Sampled every SAMPLE_MS on the client: TCP_INFO probes (unanswered so far) and the socket table's
 * keepalive timer (ms left, as `ss -o` prints it). The student sees the probe schedule, that a live
 * peer's answer resets it, and that a dead peer costs IDLE + COUNT x INTVL to notice. */
#include "lessons/lesson.h"

#include <string.h>

#define IDLE_S 2
#define INTVL_S 1
#define COUNT 3
#define ALIVE_MS 5500      /* two probes and their answers */
#define SAMPLE_MS 100
#define GIVE_UP_MS 12000   /* a bound on the wait for the error, far past IDLE + COUNT x INTVL */
#define SERVER_WAIT_MS 7000 /* the vanished connection's server: longer than the client's wait */

static int is_vanished(const struct lesson_side *s) { return side_conn(s) == 1; }

/* The segments the socket has sent and received so far (TCP_INFO); -1 where not counted. */
static void segs(const struct lesson_side *s, long *out, long *in)
{
    struct sock_tcpinfo ti;
    *out = *in = -1;
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0) {
        *out = ti.segs_out;
        *in = ti.segs_in;
    }
}

static void set_keepalive(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    const char *path = "none";
    if (sock_set_keepalive(side_sock(s), IDLE_S, INTVL_S, COUNT, &path, err) != 0)
        side_error(s, "keepalive", err);
    side_fact_str(s, "keepalive_via", path);
    side_log(s, "SO_KEEPALIVE on: idle %d s, interval %d s, %d probes (%s)", IDLE_S, INTVL_S, COUNT, path);
}

/* Alive: idle for ALIVE_MS, sampling; probes sent = segments out, answers = segments in. */
static void client_alive(struct lesson_side *s)
{
    long out0, in0, out1, in1;
    double t0 = side_now_ms(s);
    const char *timer = "unknown";
    set_keepalive(s);
    segs(s, &out0, &in0);
    while (side_now_ms(s) - t0 < ALIVE_MS) {
        const char *now = side_timer(s, NULL, NULL);
        if (strcmp(now, "unknown") != 0 && strcmp(now, "off") != 0)
            timer = now;
        side_sample_timers(s, side_sock(s), NULL, 0);
        side_sleep(s, SAMPLE_MS);
    }
    segs(s, &out1, &in1);
    side_fact_str(s, "timer_seen", timer);
    if (out0 >= 0 && out1 >= 0) {
        side_fact_int(s, "probes_sent", out1 - out0);
        side_fact_int(s, "probes_answered", in1 - in0);
        side_log(s, "%.1f s idle: %ld keepalive probes sent, %ld answered (TCP_INFO segs_out / segs_in)",
                 ALIVE_MS / 1000.0, out1 - out0, in1 - in0);
    }
    side_send(s, 1, 1000); /* the idle connection still carries data */
    side_close(s);
}

/* Vanished: read the server's byte, make the server vanish, wait for the kernel to give up. */
static void client_vanished(struct lesson_side *s)
{
    char byte;
    double last_rx;
    long n = 0;
    set_keepalive(s);
    if (!side_lab(s)) {
        side_log(s, "skipped: making the peer vanish needs the impairment lab");
        side_fact_str(s, "skipped", "needs the impairment lab");
        return;
    }
    side_set_blocking(s);
    if (side_wait(s, 0, 3000) == 1)
        n = sock_recv(side_sock(s), &byte, 1);
    last_rx = side_now_ms(s);
    side_log(s, "received %ld byte: the last packet from the server that will get here", n);
    if (side_lab_nft(s, "the server vanishes: every packet of this connection is dropped, both ways",
                 "add table inet socklab_keepalive\n"
                 "add chain inet socklab_keepalive in { type filter hook input priority 0; policy accept; }\n"
                 "add rule inet socklab_keepalive in tcp sport %u tcp dport %u drop\n"
                 "add rule inet socklab_keepalive in tcp sport %u tcp dport %u drop",
                 (unsigned)side_local_port(s), (unsigned)side_remote_port(s), (unsigned)side_remote_port(s),
                 (unsigned)side_local_port(s)) != 0)
        return;
    while (side_now_ms(s) - last_rx < GIVE_UP_MS) {
        side_sample_timers(s, side_sock(s), NULL, 0);
        if (side_wait(s, 0, SAMPLE_MS) == 1)
            break;
    }
    n = sock_recv(side_sock(s), &byte, 1);
    if (n < 0) {
        int code = sock_last_error();
        side_fact_str(s, "error", sock_err_name(code));
        side_fact_ms(s, "error_after_last_receive_ms", side_now_ms(s) - last_rx);
        side_log(s, "recv() failed with %s, %.0f ms after the last packet received", sock_err_name(code),
                 side_now_ms(s) - last_rx);
    } else {
        side_log(s, "recv() returned %ld: no error within %d ms", n, GIVE_UP_MS);
        side_fact_str(s, "error", n == 0 ? "none (eof)" : "none");
    }
    side_sample_timers(s, side_sock(s), NULL, 0);
    side_series_facts(s, "probes", "probes_unanswered");
}

static void client(struct lesson_side *s)
{
    if (is_vanished(s))
        client_vanished(s);
    else
        client_alive(s);
}

/* Server: alive, wait for the client's close; vanished, send the one byte and wait for anything. */
static void server(struct lesson_side *s)
{
    char state[32];
    if (!is_vanished(s)) {
        side_drain(s, ALIVE_MS + 3000, "saw", "server_received");
        return;
    }
    if (!side_lab(s))
        return;
    side_send(s, 1, 1000);
    side_drain(s, SERVER_WAIT_MS, "saw", NULL);
    side_fact_str(s, "server_state_at_end", side_kernel_state(s, state, sizeof state));
    side_log(s, "kernel: after %.0f s of silence the server's end is still %s", SERVER_WAIT_MS / 1000.0, state);
}

static void check(struct lesson_report *r)
{
    int on_linux = strcmp(report_platform(r), "linux") == 0;
    expect_range(r, "alive_probes_every_idle_period", "alive.probes_sent", ALIVE_MS / 1000 / IDLE_S,
                 ALIVE_MS / 1000 / IDLE_S + 1);
    expect_equal(r, "alive_every_probe_answered", "alive.probes_answered", "alive.probes_sent");
    expect_int(r, "alive_connection_still_carries_data", "alive.server_received", 1, "the byte sent after the idle time");
    if (on_linux)
        expect_str(r, "alive_keepalive_timer_runs", "alive.timer_seen", "keepalive");
    /* Windows: "WSAENETRESET is returned to any calls in progress" when keep-alive drops a connection */
    expect_str(r, "vanished_recv_timed_out", "vanished.error", on_linux ? "ETIMEDOUT" : "WSAENETRESET");
    /* the kernel gives up IDLE + COUNT x INTVL after the last packet received, at its next timer */
    expect_range(r, "vanished_after_idle_plus_count_intervals", "vanished.error_after_last_receive_ms",
                 (IDLE_S + COUNT * INTVL_S) * 1000.0 - 100, (IDLE_S + COUNT * INTVL_S) * 1000.0 + 900);
    expect_int(r, "vanished_probes_went_unanswered", "vanished.probes_unanswered.max", COUNT, "TCP_KEEPCNT");
    expect_str(r, "vanished_server_never_knew", "vanished.saw", "timeout");
    expect_str(r, "vanished_server_still_established", "vanished.server_state_at_end", "ESTABLISHED");
}

static const struct lesson_chart charts[] = {
    {"keepalive timer: ms left (ss -o)", SIDE_CLIENT, "timer_left", "keepalive 타이머: 남은 ms (ss -o)"},
    {"probes sent and not answered (TCP_INFO)", SIDE_CLIENT, "probes", "보냈지만 응답받지 못한 프로브 (TCP_INFO)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "SO_KEEPALIVE: 유휴 상대에게 프로브를 보냅니다; 사라진 상대를 알아채는 데는 idle + count x interval이 "
             "걸립니다",
    .explain = "클라이언트는 유휴 시간 2 s, 프로브 간격 1 s, 프로브 3개로 SO_KEEPALIVE를 켭니다(TCP_KEEPIDLE, "
               "TCP_KEEPINTVL, TCP_KEEPCNT). 첫 번째 커넥션에서는 양 끝 모두 유휴 상태로 머뭅니다: 2 s마다 "
               "클라이언트의 커널이 keepalive 프로브(probe)를 보내고 - 한 바이트 뒤처진 데이터 없는 ACK로, 상대가 "
               "응답할 수밖에 없는 패킷입니다 - 서버의 커널이 이에 응답합니다; 애플리케이션은 아무것도 보지 못하고, "
               "응답이 올 때마다 유휴 시간을 처음부터 다시 셉니다. 장애 주입 랩(impairment lab, 별도의 네트워크 "
               "네임스페이스)에서 실행하는 두 번째 커넥션에서는 서버가 한 바이트를 보내고, 클라이언트가 그것을 읽고 "
               "나면 nftables가 둘 사이의 모든 패킷을 버립니다: 케이블이 뽑히거나 호스트가 아무 말 없이 죽었을 때처럼 "
               "서버가 사라진 것입니다. 클라이언트의 프로브는 응답을 받지 못하고; 유휴 시간에 3 x 1 s를 더한 시간이 "
               "지나면 커널이 포기하고 RST를 보내며, 블록되어 있던 recv()는 ETIMEDOUT으로 실패합니다. 서버의 커널은 이 "
               "중 아무것도 듣지 못하고 자기 쪽 끝을 ESTABLISHED로 유지합니다 - 자신도 프로브를 보내거나 데이터를 "
               "보내지 않는 한 영영 오지 않을 데이터를 기다리면서. 기본값은 훨씬 느립니다: 유휴 2시간, 간격 75 s, "
               "프로브 9개.",
    .watch = "alive: 클라이언트가 2 s마다 보내는 프로브(Wireshark: TCP Keep-Alive)와 바로 뒤따르는 서버의 "
             "응답(Keep-Alive ACK)\n"
             "vanished: 서버의 한 바이트, 그리고 그로부터 2 s, 3 s, 4 s 뒤의 프로브 3개, 모두 응답 없음(패킷은 캡처 "
             "지점 뒤에서 버려집니다)\n"
             "vanished: 마지막으로 받은 패킷으로부터 약 5 s 뒤에 나가는 클라이언트의 RST\n"
             "클라이언트에서 ss -o: timer:(keepalive,1.004ms,0)은 1 s + 4 ms가 남았다는 뜻이고(ms 숫자 안에 점이 "
             "있습니다), 마지막 숫자는 응답 없이 보낸 프로브 수입니다",
    .on_linux = "프로브는 마지막 패킷을 받고 TCP_KEEPIDLE 뒤에 시작해, 그다음 TCP_KEEPINTVL마다 나갑니다; 응답 없는 "
                "프로브가 TCP_KEEPCNT개가 되면 커넥션은 로컬에서 리셋되고, 블록된 recv()는 ETIMEDOUT으로 "
                "실패합니다(tcp(7)). 프로그램이 SO_KEEPALIVE만 설정하면 시스템 기본값(tcp_keepalive_time 7200 s, intvl "
                "75 s, probes 9)이 적용됩니다.",
    .on_windows = "SO_KEEPALIVE와 TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT(Windows 10 1709+), 또는 "
                  "SIO_KEEPALIVE_VALS(밀리초 단위, Vista부터는 프로브가 항상 10개). 죽은 상대는 WSAENETRESET으로, 그 "
                  "뒤에는 WSAENOTCONN으로 끝납니다. 상대를 사라지게 하려면 패킷 필터 드라이버(WinDivert)가 필요합니다: "
                  "Windows에서 레슨은 alive 부분만 실행합니다.",
    .under_wine = "Wine 8은 TCP_KEEP*에 WSAENOPROTOOPT로 답하고 SIO_KEEPALIVE_VALS를 쓰며, 이를 밑에 있는 Linux 커널에 "
                  "넘깁니다; SIO_TCP_INFO가 없으므로 프로브 수는 세지 않습니다.",
};

const struct lesson lesson_keepalive = {
    .name = "keepalive",
    .title = "SO_KEEPALIVE: probes an idle peer; a vanished one costs idle + count x interval to notice",
    .explain = "The client turns SO_KEEPALIVE on with an idle time of 2 s, probes 1 s apart and 3 probes "
               "(TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). On the first connection both ends stay idle: every "
               "2 s the client's kernel sends a probe - a bare ACK one byte behind, which forces an answer - "
               "and the server's kernel answers it; the applications see nothing, and each answer starts the "
               "idle clock again. On the second connection, run in the impairment lab (a private network "
               "namespace), the server sends one byte and then, once the client has read it, nftables drops "
               "every packet between them: the server has vanished, as when a cable is pulled or a host dies "
               "without a word. The client's probes go unanswered; after the idle time plus 3 x 1 s its kernel "
               "gives up, sends an RST, and the blocked recv() fails with ETIMEDOUT. The server's kernel never "
               "hears any of it and keeps its end ESTABLISHED - waiting for data that will never come unless "
               "it, too, probes or sends. Defaults are far slower: 2 hours idle, 75 s apart, 9 probes.",
    .wireshark = "tcp.port == {port} && (tcp.analysis.keep_alive || tcp.analysis.keep_alive_ack || tcp.flags.reset == 1)",
    .watch = "alive: a probe from the client every 2 s (Wireshark: TCP Keep-Alive) and the server's answer "
             "(Keep-Alive ACK) right after it\n"
             "vanished: the server's one byte, then 3 probes 2 s, 3 s and 4 s after it, none answered (the drop "
             "happens after the capture point)\n"
             "vanished: the client's RST about 5 s after the last packet it received\n"
             "ss -o on the client: timer:(keepalive,1.004ms,0) is 1 s + 4 ms left (a dot inside the ms figure), "
             "its last number the probes sent unanswered",
    .on_linux = "Probes start TCP_KEEPIDLE after the last packet received, then every TCP_KEEPINTVL; after "
                "TCP_KEEPCNT unanswered probes the connection is reset locally and a blocked recv() fails with "
                "ETIMEDOUT (tcp(7)). The system defaults (tcp_keepalive_time 7200 s, intvl 75 s, probes 9) "
                "apply where a program sets only SO_KEEPALIVE.",
    .on_windows = "SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT (Windows 10 1709+), or "
                  "SIO_KEEPALIVE_VALS (milliseconds, and always 10 probes since Vista). A dead peer ends "
                  "in WSAENETRESET, then WSAENOTCONN. Making the peer vanish needs a packet-filter driver "
                  "(WinDivert): on Windows the lesson runs the live part only.",
    .under_wine = "Wine 8 answers TCP_KEEP* with WSAENOPROTOOPT and uses SIO_KEEPALIVE_VALS, which it hands to "
                  "the Linux kernel underneath; it has no SIO_TCP_INFO, so probes are not counted.",
    .lab = LAB_WANTS,
    .closer = SIDE_CLIENT,
    .connections = 2,
    .conn_prefix = {"alive.", "vanished."},
    .duration_hint_ms = ALIVE_MS + SERVER_WAIT_MS + 1500,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .ko = &ko,
};
