/* user-timeout - a busy connection whose peer vanishes: the sender retransmits with a doubling
 * timeout and, without TCP_USER_TIMEOUT, keeps trying for about a quarter of an hour.
 *
 * The client sends requests of REQ bytes that the server echoes. Four connections:
 *   live          TCP_USER_TIMEOUT LIVE_UT_MS, a pause of LIVE_IDLE_MS, a request: still answered
 *   default       (impairment lab) busy; nftables drops every packet both ways; one more request:
 *                 retransmitted with a doubling RTO - watched WATCH_MS, the give-up point computed
 *   user_timeout  the same with TCP_USER_TIMEOUT UT_MS: ETIMEDOUT, and nothing more on the wire
 *   keepalive     idle, keepalive (KA_IDLE_S, KA_INTVL_S, KA_COUNT) and TCP_USER_TIMEOUT KA_UT_MS:
 *                 probes past KA_COUNT, then the connection dies at the user timeout
 *
 * On the wire (server port P, client port C):
 *   default:      C > P [P.] seq x:x+REQ   the request after the drop, then the same segment again
 *                                          and again, each gap about twice the one before
 *   user_timeout: the same, then silence - no RST: the kernel just forgets the connection
 *   keepalive:    P > C [P.] 1 byte; C > P [.] probes every KA_INTVL_S; C > P [R.]
 *   (the server's kernel hears none of it: its end stays ESTABLISHED)
 *
 * Sampled every SAMPLE_MS on the client: TCP_INFO rto, backoff, total_retrans, probes and the
 * `ss -o` timer: the student sees each timeout fire, and which one decides. */
#include "lessons/lesson.h"

#include <string.h>

#define REQ 1024
#define ROUNDS 8          /* requests answered before the server vanishes */
#define ROUND_MS 40
#define SAMPLE_MS 40
#define WATCH_MS 4500     /* default: the backoff watched, not the quarter of an hour */
#define UT_MS 3000
#define LIVE_UT_MS 1000
#define LIVE_IDLE_MS 1500
#define KA_IDLE_S 1
#define KA_INTVL_S 1
#define KA_COUNT 2        /* keepalive alone: dead at KA_IDLE_S + KA_COUNT x KA_INTVL_S = 3 s */
#define KA_UT_MS 4500
#define GIVE_UP_MS 7000   /* a bound on any wait for the error */
#define RTO_BASE_MS 200   /* TCP_RTO_MIN: the kernel's model of the budget starts from it */

enum { LIVE, DEFAULT, USER_TIMEOUT, KEEPALIVE };

static void set_user_timeout(struct lesson_side *s, int ms)
{
    char err[SOCK_ERR_LEN] = "set (TCP_USER_TIMEOUT; Windows: TCP_MAXRT, whole seconds)";
    int rc = sock_set_user_timeout(side_sock(s), ms, err);
    side_fact_str(s, "user_timeout_set", rc == 0 ? "ok" : sock_err_name(sock_last_error()));
    side_log(s, "user timeout %d ms: %s", ms, err);
}

/* One request of REQ bytes and its echo; the bytes that came back. */
static long round_trip(struct lesson_side *s)
{
    static const char req[REQ];
    char buf[REQ];
    long got = 0, n;
    if (sock_send(side_sock(s), req, REQ) != REQ)
        return 0;
    while (got < REQ && side_wait(s, 0, 2000) == 1 && (n = sock_recv(side_sock(s), buf, REQ - (size_t)got)) > 0)
        got += n;
    side_add_bytes(s, REQ, got);
    return got;
}

static int busy(struct lesson_side *s)
{
    int i;
    for (i = 0; i < ROUNDS && round_trip(s) == REQ; i++)
        side_sleep(s, ROUND_MS);
    side_log(s, "busy: %d requests of %d bytes answered", i, REQ);
    return i == ROUNDS;
}

static int vanish(struct lesson_side *s)
{
    return side_lab_nft(s, "the server vanishes: every packet of this connection is dropped, both ways",
                        "add table inet socklab_user_timeout\n"
                        "add chain inet socklab_user_timeout in { type filter hook input priority 0; policy accept; }\n"
                        "add rule inet socklab_user_timeout in tcp sport %u tcp dport %u drop\n"
                        "add rule inet socklab_user_timeout in tcp sport %u tcp dport %u drop",
                        (unsigned)side_local_port(s), (unsigned)side_remote_port(s),
                        (unsigned)side_remote_port(s), (unsigned)side_local_port(s));
}

/* What the client saw while waiting for the error, in ms after the request (or the last receive). */
struct seen {
    long rtx[32], n;     /* retransmissions: TCP_INFO total_retrans rising (a tail-loss probe too) */
    long first_rto;      /* the first retransmission by timeout: TCP_INFO backoff rising to 1 */
    long rto_at_send, rto_last, backoff_max; /* TCP_INFO rto (ms) and backoff */
};

/* Waits until limit_ms after t0 for the error, sampling every SAMPLE_MS; records what it saw. */
static void watch(struct lesson_side *s, double t0, int limit_ms, const char *since, struct seen *w)
{
    struct sock_tcpinfo ti;
    struct sock_entry e;
    long total = -1, now;
    char byte, key[48], addr[48];
    uint16_t port;
    int code = 0;
    memset(w, 0, sizeof *w);
    w->first_rto = w->rto_at_send = w->rto_last = -1;
    while ((now = (long)(side_now_ms(s) - t0)) < limit_ms) {
        side_sample_timers(s, side_sock(s), NULL, 0);
        if (sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.total_retrans >= 0) {
            if (total >= 0 && ti.total_retrans > total && w->n < 32)
                w->rtx[w->n++] = now;
            if (ti.backoff > 0 && w->first_rto < 0)
                w->first_rto = now;
            total = ti.total_retrans;
            w->rto_last = ti.rto_us / 1000;
            w->rto_at_send = w->rto_at_send < 0 ? w->rto_last : w->rto_at_send;
            w->backoff_max = ti.backoff > w->backoff_max ? ti.backoff : w->backoff_max;
        }
        if (side_wait(s, 0, SAMPLE_MS) == 1) {
            code = sock_recv(side_sock(s), &byte, 1) < 0 ? sock_last_error() : 0;
            break;
        }
    }
    /* the server's end now, from the kernel table (one namespace holds both ends) */
    if (sock_local_name(side_sock(s), addr, sizeof addr, &port) == 0 &&
        sock_conn_entry(side_remote_addr(s), side_remote_port(s), addr, port, &e, NULL) == 1)
        side_fact_str(s, "server_state_at_end", sock_state_name(e.state));
    if (w->n > 0) {
        side_fact_ints(s, "retransmit_ms", w->rtx, (size_t)w->n);
        side_fact_int(s, "rto_at_send_ms", w->rto_at_send);
        side_fact_int(s, "rto_last_ms", w->rto_last);
        side_fact_int(s, "backoff_max", w->backoff_max);
    }
    if (code == 0) {
        side_fact_str(s, "error", "none");
        side_log(s, "no error %.1f s after the %s: the kernel is still retrying", limit_ms / 1000.0, since);
        return;
    }
    snprintf(key, sizeof key, "error_after_%s_ms", since);
    side_fact_str(s, "error", sock_err_name(code));
    side_fact_ms(s, key, (double)now);
    if (w->first_rto >= 0) /* where Linux starts the user timeout's clock */
        side_fact_ms(s, "error_after_first_rto_ms", (double)(now - w->first_rto));
    side_log(s, "recv() failed with %s, %ld ms after the %s%s", sock_err_name(code), now, since,
             w->first_rto >= 0 ? " (see error_after_first_rto_ms)" : "");
}

/* The kernel's give-up point for `default`, computed (tcp_model_timeout in tcp_timer.c): a budget of
 * tcp_retries2 doublings of TCP_RTO_MIN, capped at tcp_rto_max, counted from the first
 * retransmission by timeout; the error comes at the first RTO expiry past it. The expiries are
 * extended from the last measured retransmission and RTO. */
static void compute_default(struct lesson_side *s, const struct seen *w)
{
    long retries2 = 15, rto_max = 120000, thresh = 0, k;
    double budget, t, rto;
    side_fact_setting(s, "tcp_retries2", "net.ipv4.tcp_retries2", &retries2);
    if (!side_fact_setting(s, "tcp_rto_max_ms", "net.ipv4.tcp_rto_max_ms", &rto_max))
        rto_max = 120000; /* before Linux 6.15 a constant */
    while ((RTO_BASE_MS << (thresh + 1)) <= rto_max)
        thresh++;
    budget = retries2 <= thresh ? ((2L << retries2) - 1) * (double)RTO_BASE_MS
                                : ((2L << thresh) - 1) * (double)RTO_BASE_MS + (double)(retries2 - thresh) * rto_max;
    side_fact_num(s, "computed.give_up_budget_s", budget / 1000.0);
    if (w->n == 0 || w->first_rto < 0 || w->rto_last <= 0)
        return;
    for (t = (double)w->rtx[w->n - 1], rto = (double)w->rto_last, k = 0; t - w->first_rto < budget && k < 100; k++) {
        t += rto;
        rto = rto * 2 > rto_max ? rto_max : rto * 2;
    }
    side_fact_num(s, "computed.error_after_send_s", t / 1000.0);
    side_log(s, "computed, not waited for: tcp_retries2 %ld -> a %.1f s budget; ETIMEDOUT at the first RTO "
                "expiry past it, %.0f s (%.1f min) after the send", retries2, budget / 1000.0, t / 1000.0, t / 60000.0);
}

/* Default, user_timeout (busy: the request after the drop goes unanswered) and keepalive (idle:
 * the server's one byte, then nothing). */
static void client_vanishing(struct lesson_side *s, int ut_ms, int idle)
{
    static const char req[REQ];
    char err[SOCK_ERR_LEN];
    const char *path = "none";
    struct seen w;
    double t0;
    if (!side_lab(s)) {
        side_log(s, "skipped: making the server vanish needs the impairment lab");
        side_fact_str(s, "skipped", "needs the impairment lab");
        return;
    }
    if (idle && sock_set_keepalive(side_sock(s), KA_IDLE_S, KA_INTVL_S, KA_COUNT, &path, err) != 0)
        side_error(s, "keepalive", err);
    if (idle)
        side_log(s, "SO_KEEPALIVE: idle %d s, %d s apart, %d probes (alone: dead %d s after the last packet)",
                 KA_IDLE_S, KA_INTVL_S, KA_COUNT, KA_IDLE_S + KA_COUNT * KA_INTVL_S);
    if (ut_ms > 0)
        set_user_timeout(s, ut_ms);
    if (idle ? side_wait(s, 0, 3000) != 1 || sock_recv(side_sock(s), err, 1) != 1 : !busy(s))
        return;
    t0 = side_now_ms(s);
    if (vanish(s) != 0)
        return;
    if (!idle) {
        t0 = side_now_ms(s);
        if (sock_send(side_sock(s), req, REQ) != REQ) {
            side_error(s, "send", sock_err_name(sock_last_error()));
            return;
        }
        side_log(s, "sent a request the server will never see; recv() waits for its answer");
    }
    watch(s, t0, ut_ms > 0 ? GIVE_UP_MS : WATCH_MS, idle ? "last_receive" : "send", &w);
    if (ut_ms == 0)
        compute_default(s, &w);
    if (idle)
        side_series_facts(s, "probes", "probes_unanswered");
}

/* Live: the user timeout set, an idle spell longer than it, and the connection still answers. */
static void client(struct lesson_side *s)
{
    long got;
    if (side_conn(s) != LIVE) {
        client_vanishing(s, side_conn(s) == DEFAULT ? 0 : side_conn(s) == USER_TIMEOUT ? UT_MS : KA_UT_MS,
                         side_conn(s) == KEEPALIVE);
        return;
    }
    set_user_timeout(s, LIVE_UT_MS);
    busy(s);
    side_sleep(s, LIVE_IDLE_MS);
    got = round_trip(s);
    side_fact_int(s, "answered_after_idle", got);
    side_log(s, "after %d ms idle, past the %d ms user timeout: %ld of %d bytes echoed", LIVE_IDLE_MS, LIVE_UT_MS,
             got, REQ);
}

/* Server: echo until a second of silence (the live connection: until the client closes). A vanished
 * connection's end stays open, as a real server's would, for the client to look it up. */
static void server(struct lesson_side *s)
{
    char buf[REQ];
    long n, total = 0;
    if (side_conn(s) == KEEPALIVE && side_lab(s))
        side_send(s, 1, 1000);
    while (side_wait(s, 0, side_conn(s) == LIVE ? LIVE_IDLE_MS + 1500 : 1000) == 1 &&
           (n = sock_recv(side_sock(s), buf, sizeof buf)) > 0 && sock_send(side_sock(s), buf, (size_t)n) == n) {
        side_add_bytes(s, n, n);
        total += n;
    }
    if (side_conn(s) == LIVE || side_lab(s)) /* without the lab the other clients skip their part */
        side_fact_int(s, "server_received", total);
    if (side_conn(s) != LIVE && side_lab(s))
        side_leak(s);
}

static void check(struct lesson_report *r)
{
    int on_linux = strcmp(report_platform(r), "linux") == 0;
    const char *timedout = on_linux ? "ETIMEDOUT" : "WSAETIMEDOUT";
    long long rto0, backoff;
    expect_str(r, "live_user_timeout_set", "live.user_timeout_set", "ok");
    expect_int(r, "live_idle_past_the_user_timeout_still_answered", "live.answered_after_idle", REQ,
               "the request's echo");
    expect_int(r, "live_server_got_every_request", "live.server_received", (ROUNDS + 1) * REQ, "ROUNDS + 1 requests");
    expect_int(r, "default_request_never_reached_the_server", "default.server_received", ROUNDS * REQ,
               "the requests before the drop");
    expect_str(r, "default_no_error_while_watched", "default.error", "none");
    if (report_fact_int(r, "default.rto_at_send_ms", &rto0) && report_fact_int(r, "default.backoff_max", &backoff))
        expect_int(r, "default_rto_doubles_with_each_backoff", "default.rto_last_ms", rto0 << backoff,
                   "the RTO at the send x 2^backoff");
    expect_str(r, "default_server_never_knew", "default.server_state_at_end", "ESTABLISHED");
    expect_str(r, "user_timeout_recv_timed_out", "user_timeout.error", timedout);
    /* counted from the first retransmission by timeout, not from the send */
    expect_range(r, "user_timeout_after_the_set_value", "user_timeout.error_after_first_rto_ms", UT_MS - 200,
                 UT_MS + 150);
    expect_str(r, "user_timeout_server_never_knew", "user_timeout.server_state_at_end", "ESTABLISHED");
    expect_str(r, "keepalive_recv_timed_out", "keepalive.error", timedout);
    /* dead at the first keepalive timer at or past the user timeout; keepalive alone: at 3 s */
    expect_range(r, "keepalive_user_timeout_wins", "keepalive.error_after_last_receive_ms", KA_UT_MS - 50,
                 KA_UT_MS + KA_INTVL_S * 1000 + 300);
    expect_range(r, "keepalive_probes_past_keepcnt", "keepalive.probes_unanswered.max", KA_COUNT + 1,
                 KA_UT_MS / 1000 / KA_INTVL_S + 1);
}

static const struct lesson_chart charts[] = {
    {"retransmission timeout (TCP_INFO rto, ms)", SIDE_CLIENT, "rto", "재전송 타임아웃 (TCP_INFO rto, ms)"},
    {"backoff: doublings so far (TCP_INFO)", SIDE_CLIENT, "backoff", "백오프: 지금까지 두 배가 된 횟수 (TCP_INFO)"},
    {"timer: ms left (ss -o)", SIDE_CLIENT, "timer_left", "타이머: 남은 ms (ss -o)"},
    {"keepalive probes unanswered (TCP_INFO)", SIDE_CLIENT, "probes", "응답받지 못한 keepalive 프로브 (TCP_INFO)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_quirk quirks[] = {
    {"wine", "live_user_timeout_set", "Wine 8 answers TCP_MAXRT with WSAENOPROTOOPT; Windows takes it (seconds)",
     "Wine 8은 TCP_MAXRT에 WSAENOPROTOOPT로 답합니다; Windows는 이 옵션을 받아들입니다(초 단위)"},
    {NULL, NULL, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "TCP_USER_TIMEOUT: 사라진 상대에게 보낸, 확인응답되지 않은 데이터가 약 15분이 아니라 몇 초 만에 실패합니다",
    .explain = "클라이언트는 1 KB 요청을 보내고 서버는 그것을 그대로 돌려보냅니다(에코). TCP_USER_TIMEOUT을 1 s로 두고 "
               "1.5 s 쉬어도 여전히 응답을 받습니다: 사용자 타임아웃(user timeout)이 제한하는 것은 보낸 데이터가 "
               "확인응답(ACK) 없이 머물 수 있는 시간이지, 커넥션이 유휴 상태로 있을 수 있는 시간이 아닙니다. 그다음 "
               "장애 주입 랩(impairment lab)에서, 바쁘게 주고받는 도중에 서버가 사라집니다: 다음 요청은 끝내 "
               "확인응답되지 않고, 클라이언트의 커널은 그것을 몇 번이고 다시 보냅니다 - 먼저 tail-loss probe로, 그다음 "
               "매번 두 배가 되는 재전송 타임아웃(retransmission timeout, RTO)이 만료될 때마다 - 그동안 recv()는 "
               "기다립니다. 기본적으로 Linux는 tcp_retries2로 계산한 시간 한도(약 15분)가 지나야 포기하며, 레슨은 이를 "
               "기다리지 않고 계산합니다. TCP_USER_TIMEOUT을 3 s로 하면 같은 커넥션이 타임아웃에 의한 첫 "
               "재전송으로부터 3 s 뒤에, 아무것도 보내지 않고 ETIMEDOUT으로 실패합니다. 마지막으로, "
               "keepalive(단독으로는 1 s + 1 s 간격의 프로브 2개 뒤에 포기합니다)와 4.5 s 사용자 타임아웃을 함께 둔 "
               "유휴 커넥션: 프로브는 정해진 개수를 넘어 사용자 타임아웃까지 계속됩니다 - 결정하는 것은 사용자 "
               "타임아웃입니다. 이 중 어느 경우에도 서버의 커널은 아무것도 알지 못합니다: 서버 쪽 끝은 ESTABLISHED로 "
               "남습니다.",
    .watch = "live: 요청과 에코, 1.5 s의 쉼, 그리고 즉시 응답받는 요청 하나 더\n"
             "default: 서버의 마지막 에코 뒤에 나가는 클라이언트의 요청; 약 0.2 s 뒤에 같은 세그먼트가 다시(tail-loss "
             "probe), 그다음 두 배씩 늘어나는 간격으로 - 0.2, 0.4, 0.8, 1.6, 3.2 s (Wireshark: TCP Retransmission); "
             "끝내 응답 없음(패킷은 캡처 지점 뒤에서 버려집니다)\n"
             "user_timeout: 같은 재전송, 그다음 아무것도 없음: RST도 없습니다\n"
             "keepalive: 서버의 한 바이트, 그다음 매초 프로브 하나 - TCP_KEEPCNT의 2개보다 많이 - 그리고 그 "
             "바이트로부터 약 5 s 뒤 클라이언트의 RST\n"
             "클라이언트에서 ss -o: timer:(on,1.628ms,3)은 타임아웃에 의한 재전송 3회 뒤, 1 s + 628 ms가 남은 재전송 "
             "타이머입니다(ms 숫자 안에 점이 있습니다)",
    .on_linux = "확인응답되지 않은 데이터는 지수 백오프(exponential backoff)로 재전송됩니다: RTO(최소 200 ms)는 만료될 "
                "때마다 두 배가 되어 tcp_rto_max_ms(120 s)까지 늘어납니다. TCP_USER_TIMEOUT이 없으면, 200 ms에서 "
                "tcp_retries2(15)번 두 배씩 늘렸을 때 걸리는 시간이 지나면 커넥션이 끊깁니다 - 기본값으로 924.6 "
                "s(tcp(7)) - 한도를 넘었는지는 타이머가 만료될 때마다 검사합니다. TCP_USER_TIMEOUT(ms)은 그 한도를 "
                "대신하며, 타임아웃에 의한 첫 재전송부터 셉니다; 소켓의 에러는 ETIMEDOUT이 되고 상대에게는 아무것도 "
                "보내지 않습니다. keepalive와 함께 쓰면 TCP_KEEPCNT도 대신합니다(tcp(7): keepalive보다 우선해 언제 "
                "닫을지를 결정합니다): 그 시간을 넘긴 첫 프로브 시점에 커넥션이 리셋됩니다.",
    .on_windows = "TCP_MAXRT(초 단위; 최신 시스템에서는 밀리초 단위의 TCP_MAXRTMS)가 같은 방식으로 재전송 시간을 "
                  "제한하며, connect의 시간도 제한합니다; 이것이 없으면 레지스트리의 TcpMaxDataRetransmissions가 "
                  "결정합니다. 이렇게 끊긴 커넥션에서는 다음 호출이 WSAETIMEDOUT 또는 WSAECONNABORTED로 "
                  "실패합니다(Winsock 레퍼런스에 둘 다 나옵니다). 서버를 사라지게 하려면 패킷 필터 "
                  "드라이버(WinDivert)가 필요합니다: Windows에서 레슨은 live 부분만 실행합니다.",
    .under_wine = "Wine 8은 TCP_MAXRT에 WSAENOPROTOOPT로 답하고(live 부분은 여전히 유휴 커넥션이 응답받는 것을 보여 "
                  "줍니다; 실패한 옵션은 알려진 차이로 선언되어 있습니다) SIO_TCP_INFO가 없습니다.",
};

const struct lesson lesson_user_timeout = {
    .name = "user-timeout",
    .title = "TCP_USER_TIMEOUT: unacknowledged data to a vanished peer fails in seconds, not a quarter of an hour",
    .explain = "The client sends 1 KB requests that the server echoes. With TCP_USER_TIMEOUT at 1 s it pauses 1.5 s "
               "and is still answered: the user timeout bounds how long sent data may go unacknowledged, not "
               "how long a connection may idle. Then, in the impairment lab, the server vanishes in the middle "
               "of a busy exchange: the next request is never acknowledged and the client's kernel sends it "
               "again and again, a tail-loss probe first, then at each expiry of a retransmission timeout (RTO) "
               "that doubles every time, while recv() waits. By default Linux gives up once a time budget "
               "computed from tcp_retries2 has passed - about a quarter of an hour, which the lesson computes "
               "rather than waits for. With TCP_USER_TIMEOUT 3 s the same connection fails with ETIMEDOUT 3 s "
               "after its first retransmission by timeout, sending nothing. Last, an idle connection with "
               "keepalive (alone it would give up after 1 s + 2 probes 1 s apart) and a 4.5 s user timeout: "
               "the probes go on past their count until the user timeout - it decides. The server's kernel "
               "learns nothing in any of these: its end stays ESTABLISHED.",
    .wireshark = "tcp.port == {port} && (tcp.analysis.retransmission || tcp.analysis.keep_alive || tcp.flags.reset == 1)",
    .watch = "live: requests and echoes, a 1.5 s pause, and one more request answered at once\n"
             "default: after the server's last echo, the client's request; the same segment again about 0.2 s "
             "later (a tail-loss probe), then at gaps that double - 0.2, 0.4, 0.8, 1.6, 3.2 s (Wireshark: TCP "
             "Retransmission); never answered (the drop happens after the capture point)\n"
             "user_timeout: the same retransmissions, then nothing at all: no RST\n"
             "keepalive: the server's byte, then a probe every second, more than the 2 of TCP_KEEPCNT, then the "
             "client's RST about 5 s after the byte\n"
             "ss -o on the client: timer:(on,1.628ms,3) is the retransmission timer with 1 s + 628 ms left (a "
             "dot inside the ms figure) after 3 retransmissions by timeout",
    .on_linux = "Unacknowledged data is retransmitted with exponential backoff: the RTO (at least 200 ms) doubles "
                "at each expiry up to tcp_rto_max_ms (120 s). Without TCP_USER_TIMEOUT the connection is dropped "
                "once the time tcp_retries2 (15) doublings from 200 ms would take has passed - 924.6 s with the "
                "defaults (tcp(7)) - checked at each expiry. TCP_USER_TIMEOUT (ms) replaces that budget, counted "
                "from the first retransmission by timeout; the socket's error becomes ETIMEDOUT and nothing is "
                "sent to the peer. Used with keepalive it also replaces TCP_KEEPCNT (tcp(7): it overrides "
                "keepalive to decide when to close): the connection is reset at the first probe time past it.",
    .on_windows = "TCP_MAXRT (seconds; TCP_MAXRTMS in milliseconds on newer systems) bounds the retransmission "
                  "time the same way, and a connect's too; without it the registry's TcpMaxDataRetransmissions "
                  "decides. A connection dropped this way fails the next call with WSAETIMEDOUT or WSAECONNABORTED "
                  "(the Winsock reference names both). Making the server vanish needs a packet-filter driver "
                  "(WinDivert): on Windows the lesson runs the live part only.",
    .under_wine = "Wine 8 answers TCP_MAXRT with WSAENOPROTOOPT (the live part still shows an idle connection "
                  "answered; the failed option is a declared difference) and has no SIO_TCP_INFO.",
    .lab = LAB_WANTS,
    .closer = SIDE_CLIENT,
    .connections = 4,
    .conn_prefix = {"live.", "default.", "user_timeout.", "keepalive."},
    .duration_hint_ms = 16000,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .quirks = quirks,
    .ko = &ko,
};
