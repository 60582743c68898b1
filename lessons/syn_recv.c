/* syn-recv - TCP_DEFER_ACCEPT: the server's kernel holds a finished handshake in SYN_RECV until data
 * arrives. It delays a silent client's accept(); it does not filter it out.
 *
 * The listener gets TCP_DEFER_ACCEPT = DEFER_S before any connection (the kernel reads back what it
 * keeps: whole SYN-ACK retransmission slots). Then two connections, one after the other:
 *   silent  the client connects and sends nothing: its connect() returns at once, its end is
 *           ESTABLISHED, while the server's end stays SYN_RECV in the table; the client's ACK is
 *           dropped; at the end of the deferral the server's kernel sends the SYN-ACK again, the
 *           client ACKs it, and only then does accept() return - with no data to read
 *   early   the client sends EARLY_BYTES after EARLY_MS: accept() returns at that moment, with the
 *           data readable, and no SYN-ACK is sent twice
 * Each client closes once it has seen its connection accepted in the table (or has sent its bytes).
 *
 * On the wire (server port P, client port C):
 *   silent:  C > P [S]   P > C [S.]   C > P [.]        the ACK the server's kernel drops
 *            ... 3 s (the kept deferral) ...
 *            P > C [S.]  C > P [.]                     SYN-ACK again; this ACK creates the socket
 *            C > P [F.]                                the client saw it accepted: it closes
 *   early:   C > P [S]   P > C [S.]   C > P [.]
 *            C > P [P.] EARLY_BYTES at EARLY_MS        accept() returns now, the data already queued
 *
 * While it waits, each client reads the server's end of its connection from the kernel's socket table
 * on the listening port (state, and the SYN-ACK timer as `ss -o` shows it), sampled for the chart.
 * Both sides stamp events with the run's one clock, so the accept times compare with the connects. */
#include "lessons/lesson.h"

#include <string.h>

#define DEFER_S 2
#define EARLY_MS 1500
#define EARLY_BYTES 5
#define POLL_MS 20
#define SAMPLE_EVERY 5      /* table polls per chart point: every 100 ms */
#define SILENT_MAX_MS 8000  /* the silent client's wait for the server, far past the deferral */

static int is_silent(const struct lesson_side *s) { return side_conn(s) == 0; }
static int on_linux(const struct lesson_side *s) { return strcmp(side_platform(s), "linux") == 0; }

static void listener_prepare(struct lesson_side *s, sock_t listener)
{
    char err[SOCK_ERR_LEN];
    int got = -1, rc = sock_set_defer_accept(listener, DEFER_S, &got, err);
    side_fact_prefix(s, "defer_accept.");
    side_fact_int(s, "asked_s", DEFER_S);
    if (rc == 0) {
        side_fact_int(s, "kernel_kept_s", got);
        side_log(s, "listener: TCP_DEFER_ACCEPT %d s asked, the kernel keeps %d s", DEFER_S, got);
    } else {
        side_fact_str(s, "kernel_kept_s", rc == SOCK_UNSUPPORTED ? "unsupported" : "error");
        side_log(s, "listener: no TCP_DEFER_ACCEPT: %s", err);
    }
    if (on_linux(s))
        side_fact_int(s, "drops_before", side_counter(s, "TcpExtTCPDeferAcceptDrop"));
}

/* The server's end of this connection in the kernel's table (read on the listening port). */
static int server_end(struct lesson_side *s, struct sock_entry *out)
{
    struct sock_entry rows[64];
    size_t n = 0, i;
    uint16_t port = side_remote_port(s);
    if (sock_state_table(&port, 1, rows, sizeof rows / sizeof rows[0], &n, NULL) != 0)
        return 0;
    for (i = 0; i < n && i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].local_port == port && rows[i].remote_port == side_local_port(s)) {
            *out = rows[i];
            return 1;
        }
    return 0;
}

/* Client: watch the server's end until `until_ms` (run clock) or, with until_accepted, until it leaves
 * SYN_RECV; records the first state seen, when it left SYN_RECV, and how often its SYN-ACK timer ran out
 * and started again while it stayed SYN_RECV (the table shows the timer, not what it sent). */
static void watch_server_end(struct lesson_side *s, double until_ms, int until_accepted)
{
    struct sock_entry e;
    const char *first = NULL;
    long restarts = 0, last_left = -1;
    unsigned polls = 0;
    double left_at = -1;
    char state[32];
    side_fact_str(s, "client_state", side_kernel_state(s, state, sizeof state));
    while (side_now_ms(s) < until_ms) {
        if (server_end(s, &e)) {
            if (first == NULL) {
                first = sock_state_name(e.state);
                side_log(s, "kernel: our end is %s, the server's end is %s", state, first);
            }
            if (e.state == SOCK_ST_SYN_RECV && e.timer != SOCK_TIMER_UNKNOWN) {
                if (last_left >= 0 && e.timer_ms > last_left + POLL_MS) {
                    restarts++;
                    side_log(s, "kernel: the server's SYN-ACK timer ran out and started again (%ld ms left)",
                             e.timer_ms);
                }
                last_left = e.timer_ms;
                if (polls % SAMPLE_EVERY == 0)
                    side_sample(s, "synrecv_timer_left", "ms", (double)e.timer_ms);
            } else if (e.state != SOCK_ST_SYN_RECV && left_at < 0) {
                left_at = side_now_ms(s);
                side_log(s, "kernel: the server's end is now %s", sock_state_name(e.state));
                if (until_accepted)
                    break;
            }
        }
        polls++;
        side_sleep(s, POLL_MS);
    }
    if (first == NULL) { /* the server's end has gone from the table before the first look */
        side_log(s, "the server's end is not in this machine's socket table");
        return;
    }
    side_fact_str(s, "server_end_seen", first);
    if (strcmp(first, "SYN_RECV") == 0)
        side_fact_int(s, "synack_timer_restarts", restarts);
    if (left_at >= 0)
        side_fact_int(s, "server_end_left_syn_recv_at_ms", (long long)left_at);
}

static void client(struct lesson_side *s)
{
    side_fact_int(s, "connected_at_ms", (long long)side_now_ms(s));
    if (is_silent(s)) {
        side_log(s, "connected; sending nothing");
        watch_server_end(s, side_now_ms(s) + SILENT_MAX_MS, 1);
    } else {
        watch_server_end(s, side_now_ms(s) + EARLY_MS, 0);
        side_fact_int(s, "sent_at_ms", (long long)side_now_ms(s));
        side_send(s, EARLY_BYTES, 1000);
    }
    side_close(s);
}

static void server(struct lesson_side *s)
{
    long inq = -1, outq = -1;
    struct sock_tcpinfo ti;
    side_fact_int(s, "accepted_at_ms", (long long)side_now_ms(s));
    sock_queue_sizes(side_sock(s), &inq, &outq, NULL);
    side_fact_int(s, "data_at_accept", inq);
    side_log(s, "accept() returned; %ld bytes already readable", inq);
    /* the new socket inherits the handshake's retransmission count from its SYN_RECV entry */
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.total_retrans >= 0) {
        side_fact_int(s, "synack_retransmits", ti.total_retrans);
        side_log(s, "TCP_INFO: the SYN-ACK was sent %ld time(s) again", ti.total_retrans);
    }
    if (is_silent(s) && on_linux(s))
        side_fact_int(s, "defer_accept_drops", side_counter(s, "TcpExtTCPDeferAcceptDrop"));
    side_drain(s, SILENT_MAX_MS + 2000, "saw", "server_received");
    side_close(s);
}

/* The deferral the kernel keeps for `asked` seconds: whole SYN-ACK timeouts of 1, 2, 4 ... s. */
static long kept_for(long asked)
{
    long sum = 0, slot = 1;
    while (sum < asked) {
        sum += slot;
        slot *= 2;
    }
    return sum;
}

static void check(struct lesson_report *r)
{
    long long asked = DEFER_S, kept = DEFER_S, conn = 0, sent = 0;
    report_fact_int(r, "defer_accept.asked_s", &asked);
    if (strcmp(report_platform(r), "linux") == 0) {
        report_fact_int(r, "defer_accept.kernel_kept_s", &kept);
        expect_int(r, "kernel_keeps_whole_synack_slots", "defer_accept.kernel_kept_s", kept_for((long)asked),
                   "the asked seconds rounded up to SYN-ACK timeouts 1 + 2 + ...");
        expect_str(r, "silent_client_established_at_once", "silent.client_state", "ESTABLISHED");
        expect_str(r, "silent_server_holds_syn_recv", "silent.server_end_seen", "SYN_RECV");
        /* once at 1 s; twice only if a poll fell between the resent SYN-ACK and the answering ACK */
        expect_range(r, "silent_synack_timer_ran_out_quietly", "silent.synack_timer_restarts", 1, 2);
        expect_int(r, "silent_synack_sent_again", "silent.synack_retransmits", 1, "once, at the end of the deferral");
        expect_less(r, "silent_bare_ack_dropped", "defer_accept.drops_before", "silent.defer_accept_drops");
        if (report_fact_int(r, "silent.connected_at_ms", &conn))
            expect_range(r, "silent_accepted_after_the_deferral", "silent.accepted_at_ms", (double)(conn + kept * 1000 - 50),
                         (double)(conn + kept * 1000 + 700));
        expect_int(r, "silent_accepted_without_data", "silent.data_at_accept", 0, "it delays, it does not filter");
        expect_str(r, "early_server_holds_syn_recv", "early.server_end_seen", "SYN_RECV");
        expect_int(r, "early_synack_sent_once", "early.synack_retransmits", 0, "data came before the deferral ended");
        if (report_fact_int(r, "early.sent_at_ms", &sent))
            expect_range(r, "early_accepted_when_its_data_came", "early.accepted_at_ms", (double)(sent - 1),
                         (double)(sent + 100));
        expect_int(r, "early_accepted_with_its_data", "early.data_at_accept", EARLY_BYTES, "the bytes it sent");
        return;
    }
    /* Windows: no deferral - both accepted at once, before any data */
    expect_str(r, "no_defer_accept_on_windows", "defer_accept.kernel_kept_s", "unsupported");
    if (report_fact_int(r, "silent.connected_at_ms", &conn))
        expect_range(r, "silent_accepted_at_once", "silent.accepted_at_ms", (double)(conn - 50), (double)(conn + 500));
    expect_int(r, "silent_accepted_without_data", "silent.data_at_accept", 0, "nothing was sent");
    expect_str(r, "silent_server_end_established", "silent.server_end_seen", "ESTABLISHED");
    if (report_fact_int(r, "early.connected_at_ms", &conn))
        expect_range(r, "early_accepted_before_its_data", "early.accepted_at_ms", (double)(conn - 50),
                     (double)(conn + EARLY_MS - 500));
}

static const struct lesson_chart charts[] = {
    {"server's SYN_RECV entry: SYN-ACK timer ms left (ss -o)", SIDE_CLIENT, "synrecv_timer_left",
     "서버의 SYN_RECV 엔트리: SYN-ACK 타이머 남은 ms (ss -o)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "TCP_DEFER_ACCEPT: 서버는 데이터가 올 때까지 SYN_RECV로 붙잡아 둡니다; 말 없는 클라이언트는 거부되지 않고 "
             "늦게 accept됩니다",
    .explain = "서버는 리스닝 소켓에 TCP_DEFER_ACCEPT를 2 s로 설정합니다: accept()가 데이터가 도착한 커넥션만 돌려주게 "
               "해서, 스레드가 아무 말 없는 클라이언트를 기다리는 일이 없게 하려는 것입니다. 커널은 이 시간을 SYN-ACK "
               "재전송 타임아웃 단위로 올림하고(1 s, 그다음 1 + 2 = 3 s) 3을 읽어 돌려줍니다. 첫 번째 클라이언트는 "
               "연결한 뒤 아무것도 보내지 않습니다. 그 connect()는 즉시 반환하고 클라이언트 쪽 끝은 ESTABLISHED이지만, "
               "서버 쪽 끝은 커널 테이블에서 SYN_RECV로 남아 있습니다: 클라이언트의 ACK가 버려졌기 "
               "때문입니다(TCPDeferAcceptDrop이 셉니다). 유예 시간이 끝나면 서버의 커널이 SYN-ACK를 다시 보내고, "
               "클라이언트가 이를 ACK하며, 그 ACK가 마침내 소켓을 만듭니다: accept()는 3 s 늦게, 읽을 것이 없는 상태로 "
               "반환합니다. defer-accept는 말 없는 클라이언트를 늦출 뿐, 걸러내지는 않습니다. 두 번째 클라이언트는 1.5 "
               "s 뒤에 5 bytes를 보냅니다: accept()는 바로 그 순간 데이터를 이미 읽을 수 있는 상태로 반환하고, "
               "SYN-ACK는 한 번만 나갑니다. 커널 테이블에서 이 기다림이 보입니다: SYN_RECV 상태인 서버의 엔트리와 그 "
               "SYN-ACK 타이머로, 타이머는 1 s 뒤에 만료되면 그냥 다시 시작하고(ACK가 아니라 데이터를 기다리는 "
               "중이므로), 3 s에 완전히 만료됩니다.",
    .watch = "silent: SYN, SYN-ACK, ACK가 곧바로 - 그다음 3 s 동안 아무것도 없다가, 같은 SYN-ACK가 다시(Wireshark: TCP "
             "Retransmission), 그리고 서버의 소켓을 만드는 클라이언트의 ACK; 클라이언트는 테이블에서 그것을 확인한 뒤 "
             "FIN을 보냅니다\n"
             "early: SYN, SYN-ACK, ACK, 그리고 1.5 s 뒤 클라이언트의 5 bytes; 두 번째 SYN-ACK는 없음\n"
             "기다리는 동안 ss -tno state syn-recv sport = :PORT: 서버의 엔트리, timer:(on,1.720ms,0) = 1 s + 720 ms "
             "남음(점이 ms 숫자 안에 있습니다), 그동안 클라이언트 자신의 끝은 ESTAB",
    .on_linux = "TCP_DEFER_ACCEPT(tcp(7))는 초 단위 값을 받아 SYN-ACK 재전송 타임아웃 단위로 유지합니다; 유예 중에 "
                "오는 데이터 없는 ACK(bare ACK)는 버려지고, 유예가 끝나면 SYN-ACK를 다시 보내 클라이언트의 다음 ACK가 "
                "어쨌든 커넥션을 만들게 합니다(그 ACK마저 잃어버리면 tcp_synack_retries 뒤에 핸드셰이크는 버려집니다). "
                "accept()를 일찍 반환하게 하는 것은 데이터뿐입니다.",
    .on_windows = "Windows에는 TCP_DEFER_ACCEPT가 없습니다: 레슨은 그렇게 알리고, 두 클라이언트 모두 핸드셰이크가 "
                  "끝나자마자 아직 읽을 것이 없는 상태로 accept됩니다 - 그곳에서는 검사 항목들이 이를 확인합니다. 가장 "
                  "가까운 것은 수신 버퍼를 넘겨준 AcceptEx로, 첫 데이터가 도착해야만 완료됩니다(서버가 직접 타임아웃을 "
                  "걸지 않는 한, 말 없는 클라이언트에 대해서는 영영 완료되지 않습니다).",
    .under_wine = "Windows 빌드는 그런 옵션이 없는 Winsock에 요청하므로, 밑의 커널이 Linux의 것이어도 Wine은 여기서 "
                  "Windows처럼 동작합니다.",
};

const struct lesson lesson_syn_recv = {
    .name = "syn-recv",
    .title = "TCP_DEFER_ACCEPT: the server holds SYN_RECV until data comes; a silent client is accepted late, not refused",
    .explain = "The server sets TCP_DEFER_ACCEPT to 2 s on its listening socket: accept() should return a "
               "connection only once it has data, so a thread never waits on a client that says nothing. The "
               "kernel rounds the time up to whole SYN-ACK retransmission timeouts (1 s, then 1 + 2 = 3 s) and "
               "reads back 3. The first client connects and sends nothing. Its connect() returns at once and its "
               "end is ESTABLISHED, but the server's end stays SYN_RECV in the kernel's table: the client's ACK "
               "was dropped (TCPDeferAcceptDrop counts it). When the deferral ends the server's kernel sends the "
               "SYN-ACK again, the client ACKs it, and that ACK finally creates the socket: accept() returns 3 s "
               "late, with nothing to read. Defer-accept delays silent clients; it does not filter them out. The "
               "second client sends 5 bytes after 1.5 s: accept() returns at that moment with the data already "
               "readable, and the SYN-ACK is sent only once. The kernel's table shows the wait: the server's entry "
               "in SYN_RECV with its SYN-ACK timer, which runs out after 1 s and simply starts again (it is "
               "waiting for data, not for an ACK), and runs out for good at 3 s.",
    .wireshark = "tcp.port == {port} && (tcp.flags.syn == 1 || tcp.len > 0 || tcp.flags.fin == 1)",
    .watch = "silent: SYN, SYN-ACK, ACK at once - then 3 s of nothing, then the same SYN-ACK again (Wireshark: "
             "TCP Retransmission) and the client's ACK, which creates the server's socket; the client's FIN "
             "follows once it has seen that in the table\n"
             "early: SYN, SYN-ACK, ACK, and the client's 5 bytes 1.5 s later; no second SYN-ACK\n"
             "ss -tno state syn-recv sport = :PORT during the wait: the server's entry, timer:(on,1.720ms,0) "
             "= 1 s + 720 ms left (the dot sits inside the ms figure), while the client's own end is ESTAB",
    .on_linux = "TCP_DEFER_ACCEPT (tcp(7)) takes seconds and keeps whole SYN-ACK retransmission timeouts; a "
                "bare ACK during the deferral is dropped, and when it ends the SYN-ACK is sent again so that the "
                "client's next ACK creates the connection anyway (if that ACK is lost too, the handshake is "
                "abandoned after tcp_synack_retries). Only data makes accept() return early.",
    .on_windows = "Windows has no TCP_DEFER_ACCEPT: the lesson says so and both clients are accepted as soon as "
                  "their handshake completes, with nothing to read yet - which the checks verify there. The "
                  "nearest thing is AcceptEx with a receive buffer, which completes only when the first data "
                  "arrives (and never for a silent client unless the server times it out itself).",
    .under_wine = "The Windows build asks Winsock, which has no such option, so Wine behaves like Windows here "
                  "even though the kernel underneath is Linux's.",
    .closer = SIDE_CLIENT,
    .connections = 2,
    .conn_prefix = {"silent.", "early."},
    .first_bytes_are_the_lesson = 1,
    .duration_hint_ms = 3 * 1000 + EARLY_MS + 1500,
    .listener_prepare = listener_prepare,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .ko = &ko,
};
