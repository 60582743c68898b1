/* syn-retries - connect() to a server whose SYNs vanish: the SYN is sent again on a schedule, and
 * connect() fails only when the kernel's budget runs out. No privileges: a full accept queue drops
 * SYNs silently, as a server that is slow to accept() does.
 *
 * The server side opens a second listener, "slow", with a backlog of BACKLOG that never accepts, and
 * a bound socket that does not listen ("closed"), and tells the client both ports over the lesson's
 * connection. The client:
 *   closed  connects to the closed port: an RST answers the SYN (Linux fails at once; Windows sends
 *           the SYN again and fails after about 2 s)
 *   fill    connects BACKLOG + 1 times to the slow port: the server's kernel completes each
 *           handshake and queues it; now its accept queue is full
 *   probe   connects once more with TCP_SYNCNT = SYNCNT (Windows: TCP_MAXRT): the SYN and each
 *           retransmission are dropped (TcpExtListenDrops counts them); the client polls TCP_INFO
 *           every POLL_MS in SYN_SENT and records each retransmission, then the error and when
 * and then half-closes: the server reads its counters again and closes.
 *
 * On the wire (closed port X, slow port S, probe port C; this kernel's tcp_syn_linear_timeouts 4):
 *   > X [S]   X > [R.]                     the closed port: refused at once
 *   > S [S]   S > [S.]   > S [.]   (x 2)   the fillers: handshakes done, never accepted
 *   C > S [S]  at 0, 1, 2, 3, 4, 5 s       the RTO stays 1 s for the linear retransmissions, then
 *   (nothing comes back)                     doubles: the next timer, at 7 s, finds the budget of
 *   connect() fails with ETIMEDOUT at 7 s  TCP_SYNCNT 2 spent, (2^3 - 1) x 1 s
 * The defaults are computed, not waited for: from tcp_syn_retries and tcp_syn_linear_timeouts, the
 * same model that predicts this run's schedule (checked against it) gives the default one. */
#include "lessons/lesson.h"

#include <stdio.h>
#include <string.h>

#define BACKLOG 1
#define SYNCNT 2
#define MAXRT_S 7           /* Windows' bound on the probe, as TCP_SYNCNT 2 gives on Linux */
#define POLL_MS 5
#define SAMPLE_EVERY 20     /* polls per chart point: every 100 ms */
#define PROBE_MAX_MS 10000  /* past Linux's 7 s; where nothing bounds the connect, we stop here */
#define MAX_SYNS 16         /* schedules are listed up to this many SYNs */

static int on_linux(const struct lesson_side *s) { return strcmp(side_platform(s), "linux") == 0; }

/* The kernel's SYN schedule (net/ipv4/tcp_timer.c): the RTO starts at 1 s and stays there for the
 * first `linear` retransmissions, then doubles up to 120 s; at each timer, once the time since the
 * first SYN reaches the budget - what `retries` doubling RTOs add up to, (2^(retries+1) - 1) x 1 s,
 * 120 s for each retry past 6 - the connect fails instead. Returns the SYNs sent, their times (ms)
 * in at[] (up to MAX_SYNS) and when it fails. */
static int syn_schedule(long retries, long linear, long at[MAX_SYNS], long *fail_ms)
{
    long budget = retries <= 6 ? ((2L << retries) - 1) * 1000 : 127000 + (retries - 6) * 120000;
    long t = 0, rto = 1000;
    int n = 1; /* SYNs so far: the first, at 0 */
    at[0] = 0;
    for (;;) {
        t += rto;
        if (t >= budget) {
            *fail_ms = t;
            return n;
        }
        if (n < MAX_SYNS)
            at[n] = t;
        if (n++ > linear) /* that was retransmission n: past the linear ones, back off */
            rto = rto * 2 > 120000 ? 120000 : rto * 2;
    }
}

/* Facts of a schedule: SYN times in whole seconds (the model's are), how many, when connect() fails. */
static void schedule_facts(struct lesson_side *s, const char *prefix, const char *what, long retries, long linear)
{
    long at[MAX_SYNS], fail_ms;
    int n = syn_schedule(retries, linear, at, &fail_ms), i;
    for (i = 0; i < n && i < MAX_SYNS; i++)
        at[i] /= 1000;
    side_fact_prefix(s, prefix);
    side_fact_ints(s, "syn_at_s", at, (size_t)(n < MAX_SYNS ? n : MAX_SYNS));
    side_fact_int(s, "syns", n);
    side_fact_int(s, "fails_at_s", fail_ms / 1000);
    side_log(s, "%s (tcp_syn_retries %ld, linear %ld): %d SYNs, connect() fails after %ld s", what, retries, linear,
             n, fail_ms / 1000);
}

/* ---- server: the slow listener and the closed port; the counters before and after --------------- */

static void server(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN], addr[48], line[64];
    uint16_t port = 0;
    sock_t slow, closed = SOCK_INVALID;
    long long drops = -1, overflows = -1;
    struct sock_entry rows[8];
    size_t n = 0, i;
    sock_local_name(side_sock(s), addr, sizeof addr, &port);
    slow = sock_listen_tcp(addr, 0, BACKLOG, err);
    if (slow == SOCK_INVALID || (closed = sock_tcp_socket(sock_host_family(addr, NULL), err)) == SOCK_INVALID ||
        sock_bind_local(closed, addr, 0, err) != 0) {
        side_error(s, "the slow server's sockets", err);
        goto out;
    }
    port = sock_local_port(slow);
    side_fact_prefix(s, "slow_server.");
    side_fact_int(s, "port", port);
    side_fact_int(s, "backlog", BACKLOG);
    side_fact_int(s, "closed_port", sock_local_port(closed));
    side_log(s, "slow server: listening on %u with a backlog of %d, never accepting; port %u bound, not listening",
             (unsigned)port, BACKLOG, (unsigned)sock_local_port(closed));
    if (on_linux(s)) {
        drops = side_counter(s, "TcpExtListenDrops");
        overflows = side_counter(s, "TcpExtListenOverflows");
    }
    snprintf(line, sizeof line, "ports %u %u\n", (unsigned)port, (unsigned)sock_local_port(closed));
    if (sock_send(side_sock(s), line, strlen(line)) == (long)strlen(line))
        side_add_bytes(s, (long long)strlen(line), 0);
    side_drain(s, PROBE_MAX_MS + 5000, NULL, NULL); /* the client's FIN: it is done */
    if (sock_state_table(&port, 1, rows, sizeof rows / sizeof rows[0], &n, NULL) == 0)
        for (i = 0; i < n && i < sizeof rows / sizeof rows[0]; i++)
            if (rows[i].state == SOCK_ST_LISTEN && rows[i].recv_q >= 0)
                side_fact_int(s, "accept_queue", rows[i].recv_q);
    if (drops >= 0 && overflows >= 0) {
        side_fact_int(s, "listen_drops", side_counter(s, "TcpExtListenDrops") - drops);
        side_fact_int(s, "listen_overflows", side_counter(s, "TcpExtListenOverflows") - overflows);
    }
out:
    if (closed != SOCK_INVALID)
        sock_close(closed);
    if (slow != SOCK_INVALID)
        sock_close(slow);
    side_fact_prefix(s, "");
    side_close(s);
}

/* ---- client: the closed port, the fillers, the probe --------------------------------------------- */

static void closed_port(struct lesson_side *s, const char *host, uint16_t port)
{
    char err[SOCK_ERR_LEN];
    sock_t c = sock_tcp_socket(sock_host_family(host, NULL), err);
    double t0 = side_now_ms(s);
    int code = 0;
    if (c == SOCK_INVALID || sock_connect_begin(c, host, port, err) != 0)
        code = sock_last_error();
    else if (sock_wait(c, 1, 5000) == 1)
        code = sock_connect_result(c);
    side_fact_prefix(s, "closed_port.");
    side_fact_str(s, "error", code != 0 ? sock_err_name(code) : "none");
    side_fact_ms(s, "after_ms", side_now_ms(s) - t0);
    side_log(s, "connect() to port %u, bound but not listening: %s after %.1f ms", (unsigned)port,
             code != 0 ? sock_err_name(code) : "no error", side_now_ms(s) - t0);
    if (c != SOCK_INVALID)
        sock_close(c);
}

/* BACKLOG + 1 connects that the slow server's kernel completes and queues: its accept queue is full. */
static void fill(struct lesson_side *s, const char *host, uint16_t port, sock_t *fillers)
{
    char err[SOCK_ERR_LEN];
    int i, ok = 0;
    for (i = 0; i < BACKLOG + 1; i++) {
        fillers[i] = sock_connect_tcp(host, port, 2000, err);
        if (fillers[i] != SOCK_INVALID)
            ok++;
        else
            side_log(s, "filler %d: %s", i + 1, err);
    }
    side_fact_prefix(s, "fillers.");
    side_fact_int(s, "connected", ok);
    side_log(s, "%d connects completed by the slow server's kernel, none accepted: its accept queue is full", ok);
    side_sleep(s, 50); /* the last filler's ACK reaches the server before the probe's SYN */
}

/* The probe: one more connect, its SYN_SENT watched through TCP_INFO and the socket table. Returns
 * the retransmissions seen (their times since connect() in at[]). */
static size_t probe(struct lesson_side *s, const char *host, uint16_t port, long at[MAX_SYNS])
{
    char err[SOCK_ERR_LEN], laddr[48];
    struct sock_waiter *w = sock_waiter_new();
    sock_t p = sock_tcp_socket(sock_host_family(host, NULL), err);
    long rto[MAX_SYNS], backoff[MAX_SYNS], last = 0;
    size_t n = 0;
    unsigned polls = 0;
    int ready = 0, code = 0, seen = 0, info = 0;
    double t0;
    side_fact_prefix(s, "probe.");
    if (p == SOCK_INVALID || w == NULL) {
        side_error(s, "probe socket", p == SOCK_INVALID ? err : "out of memory");
        goto out;
    }
    if (sock_set_syn_count(p, SYNCNT, err) == 0) {
        side_fact_int(s, "syn_count", SYNCNT);
    } else if (sock_set_user_timeout(p, MAXRT_S * 1000, err) == 0) { /* Windows: TCP_MAXRT */
        side_fact_int(s, "maxrt_s", MAXRT_S);
    } else {
        side_log(s, "probe: no bound on the connect: %s; the lesson stops waiting after %d s", err, PROBE_MAX_MS / 1000);
    }
    t0 = side_now_ms(s);
    if (sock_connect_begin(p, host, port, err) != 0) {
        code = sock_last_error();
        ready = 1;
    }
    while (!ready && side_now_ms(s) - t0 < PROBE_MAX_MS) {
        struct sock_tcpinfo ti;
        struct sock_entry e;
        uint16_t lport = 0;
        int got;
        ready = sock_waiter_wait(w, p, 1, POLL_MS) != 0;
        got = sock_tcp_info(p, &ti, NULL) == 0 && ti.retransmits >= 0;
        info |= got;
        if (got && ti.retransmits > last && n < MAX_SYNS) {
            at[n] = (long)(side_now_ms(s) - t0);
            rto[n] = ti.rto_us / 1000;
            backoff[n] = ti.backoff;
            side_log(s, "probe: SYN retransmission %ld seen at %ld ms (TCP_INFO: rto %ld ms, backoff %ld)",
                     ti.retransmits, at[n], rto[n], backoff[n]);
            last = ti.retransmits;
            n++;
        }
        if (!seen && sock_local_name(p, laddr, sizeof laddr, &lport) == 0 &&
            sock_conn_entry(laddr, lport, host, port, &e, NULL) == 1) {
            seen = 1;
            side_fact_int(s, "client_port", lport);
            side_fact_str(s, "state_while_waiting", sock_state_name(e.state));
        }
        if (polls++ % SAMPLE_EVERY == 0)
            side_sample_timers(s, p, host, port);
    }
    if (ready && code == 0)
        code = sock_connect_result(p);
    side_fact_str(s, "error", code != 0 ? sock_err_name(code) : ready ? "none (connected)" : "none (still waiting)");
    side_fact_int(s, "error_at_ms", (long long)(side_now_ms(s) - t0));
    side_log(s, "probe: connect() %s%s after %.0f ms", ready ? "ended with " : "still waiting, no error",
             code != 0 ? sock_err_name(code) : "", side_now_ms(s) - t0);
    if (info) { /* TCP_INFO counted the retransmissions */
        side_fact_ints(s, "retransmit_at_ms", at, n);
        side_fact_ints(s, "rto_ms", rto, n);
        side_fact_ints(s, "backoff", backoff, n);
        side_fact_int(s, "retransmissions", (long long)n);
        side_fact_int(s, "syns_sent", (long long)n + 1);
    }
out:
    if (p != SOCK_INVALID)
        sock_close(p);
    if (w != NULL)
        sock_waiter_free(w);
    return n;
}

/* This run's schedule by the model (TCP_SYNCNT and the kernel's linear setting), and how far each
 * retransmission seen lagged behind it: the model is the earliest a timer can fire. */
static void compare_with_model(struct lesson_side *s, long linear, const long *at, size_t n)
{
    long model[MAX_SYNS], fail_ms, lo = 0, hi = 0;
    int syns = syn_schedule(SYNCNT, linear, model, &fail_ms);
    size_t i;
    side_fact_prefix(s, "model.");
    side_fact_ints(s, "retransmit_at_ms", model + 1, (size_t)(syns - 1));
    side_fact_int(s, "retransmissions", syns - 1);
    side_fact_int(s, "fails_at_ms", fail_ms);
    side_fact_prefix(s, "probe.");
    for (i = 0; i < n && i + 1 < (size_t)syns; i++) {
        long lag = at[i] - model[i + 1];
        lo = i == 0 || lag < lo ? lag : lo;
        hi = i == 0 || lag > hi ? lag : hi;
    }
    if (i > 0) {
        side_fact_int(s, "min_lag_ms", lo);
        side_fact_int(s, "max_lag_ms", hi);
    }
}

static void client(struct lesson_side *s)
{
    char line[64];
    size_t got = 0, n;
    unsigned slow = 0, closed = 0;
    long retries = -1, linear = -1, at[MAX_SYNS];
    const char *host = side_remote_addr(s);
    sock_t fillers[BACKLOG + 1];
    int i;
    while (got + 1 < sizeof line && (got == 0 || line[got - 1] != '\n') && side_wait(s, 0, 3000) == 1 &&
           sock_recv(side_sock(s), line + got, 1) == 1)
        got++;
    line[got] = '\0';
    side_add_bytes(s, 0, (long long)got);
    if (sscanf(line, "ports %u %u", &slow, &closed) != 2 || slow == 0 || slow > 65535 || closed > 65535) {
        side_error(s, "the server's ports", "no usable \"ports\" line from the server");
        return;
    }
    side_fact_prefix(s, "settings.");
    if (on_linux(s) && side_fact_setting(s, "tcp_syn_retries", "net.ipv4.tcp_syn_retries", &retries) &&
        side_fact_setting(s, "tcp_syn_linear_timeouts", "net.ipv4.tcp_syn_linear_timeouts", &linear)) {
        schedule_facts(s, "default.", "this kernel's defaults", retries, linear);
        schedule_facts(s, "textbook.", "the textbook doubling", retries, 0);
    }
    closed_port(s, host, (uint16_t)closed);
    fill(s, host, (uint16_t)slow, fillers);
    n = probe(s, host, (uint16_t)slow, at);
    if (linear >= 0 && on_linux(s))
        compare_with_model(s, linear, at, n);
    for (i = 0; i < BACKLOG + 1; i++)
        if (fillers[i] != SOCK_INVALID)
            sock_close(fillers[i]);
    side_fact_prefix(s, "");
    sock_shutdown(side_sock(s), SOCK_SHUT_WR, NULL); /* done: the server reads its counters */
    side_drain(s, 3000, "saw", NULL);
}

static void check(struct lesson_report *r)
{
    long long model = 0, fails = 0, syns = 0;
    if (strcmp(report_platform(r), "linux") != 0) {
        expect_str(r, "closed_port_refused", "closed_port.error", "WSAECONNREFUSED");
        expect_range(r, "closed_port_after_syn_retries", "closed_port.after_ms", 1000, 3500);
        expect_range(r, "fillers_connected", "fillers.connected", 1, BACKLOG + 1);
        expect_str(r, "probe_refused_by_full_queue", "probe.error", "WSAECONNREFUSED");
        return;
    }
    expect_str(r, "closed_port_refused", "closed_port.error", "ECONNREFUSED");
    expect_range(r, "closed_port_refused_at_once", "closed_port.after_ms", 0, 100);
    expect_int(r, "fillers_connected", "fillers.connected", BACKLOG + 1, "backlog + 1");
    expect_int(r, "accept_queue_full", "slow_server.accept_queue", BACKLOG + 1,
               "Linux queues one more than the backlog, then drops SYNs");
    expect_str(r, "probe_waits_in_syn_sent", "probe.state_while_waiting", "SYN_SENT");
    if (report_fact_int(r, "model.retransmissions", &model))
        expect_int(r, "probe_retransmissions_as_modelled", "probe.retransmissions", model,
                   "TCP_SYNCNT's budget over this kernel's RTOs");
    expect_range(r, "probe_never_before_the_model", "probe.min_lag_ms", -1, 1e308);
    expect_range(r, "probe_schedule_as_modelled", "probe.max_lag_ms", -1e308, 400);
    expect_str(r, "probe_timed_out", "probe.error", "ETIMEDOUT");
    if (report_fact_int(r, "model.fails_at_ms", &fails))
        expect_range(r, "probe_failed_at_the_budget", "probe.error_at_ms", (double)fails, (double)fails + 600);
    if (report_fact_int(r, "probe.syns_sent", &syns))
        expect_range(r, "every_syn_a_listen_drop", "slow_server.listen_drops", (double)syns, 1e308);
}

static const struct lesson_chart charts[] = {
    {"probe in SYN_SENT: SYN retransmissions (TCP_INFO retransmits)", SIDE_CLIENT, "retransmits",
     "SYN_SENT 상태의 probe: SYN 재전송 횟수 (TCP_INFO retransmits)"},
    {"probe: retransmission timeout (TCP_INFO rto, ms)", SIDE_CLIENT, "rto",
     "probe: 재전송 타임아웃 (TCP_INFO rto, ms)"},
    {"probe: SYN timer ms left (ss -o)", SIDE_CLIENT, "timer_left", "probe: SYN 타이머 남은 ms (ss -o)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_quirk quirks[] = {
    {"wine", "closed_port_after_syn_retries",
     "Wine's sockets are Linux's: the RST fails the connect at once, where Windows' own TCP sends the SYN again "
     "and gives up after about 2 s",
     "Wine의 소켓은 Linux의 소켓입니다: RST를 받으면 connect가 즉시 실패합니다. Windows 자체의 TCP는 SYN을 다시 보내고 "
     "약 2 s 뒤에 포기합니다"},
    {"wine", "probe_refused_by_full_queue",
     "Wine's sockets are Linux's: a SYN to a full accept queue is dropped silently, so the probe waits in "
     "SYN_SENT instead of being refused as Windows documents",
     "Wine의 소켓은 Linux의 소켓입니다: 가득 찬 accept 큐로 가는 SYN은 조용히 버려지므로, probe는 Windows 문서대로 "
     "거부되는 대신 SYN_SENT에서 기다립니다"},
    {NULL, NULL, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "SYN이 사라지는 서버로의 connect(): SYN 재전송, 그리고 한도가 바닥나면 ETIMEDOUT",
    .explain = "accept()가 느린 서버는 accept 큐(accept queue)가 가득 차고, 그러면 Linux는 새 SYN을 아무 말 없이 "
               "버립니다. 레슨은 권한 없이 이 상황을 만듭니다: 서버 측이 backlog 1로 두 번째 리스닝 소켓을 열고 "
               "accept하지 않으며, 클라이언트가 거기에 커넥션 2개를 완성한 뒤(Linux는 backlog + 1개까지 큐에 넣습니다) "
               "TCP_SYNCNT 2로 한 번 더 connect합니다. 그 SYN은 사라지고, 재전송(retransmission)도 모두 "
               "사라집니다(TcpExtListenDrops가 셉니다). 클라이언트는 SYN_SENT 상태에서 TCP_INFO를 폴링하며 재전송을 "
               "하나하나 기록합니다 - 이 커널이 RTO를 1 s로 유지하는 동안은 1 s 간격(tcp_syn_linear_timeouts), "
               "그다음은 2 s - 그리고 connect()는 재시도 2회분의 시간 한도(budget), (2^3 - 1) x 1 s가 다 지났음을 알게 "
               "된 첫 타이머에서 ETIMEDOUT으로 실패합니다. 이번 실행을 예측하는(그리고 실행 결과와 대조해 검사되는) "
               "모델은 이 커널의 tcp_syn_retries와 tcp_syn_linear_timeouts로부터, 아무도 기다리고 싶지 않은 기본 "
               "스케줄(default.*: 몇 분)과 교과서대로 두 배씩 늘어나는 스케줄(textbook.*)도 계산합니다. 아무도 "
               "listen하지 않는 포트로의 connect는 정반대의 경우입니다: 즉시 RST가 옵니다. accept가 느린 서버에 대한 "
               "처방은 클라이언트 쪽에 있습니다: socklab-bot --max-connecting처럼 connect 속도를 조절해, 서버의 첫 "
               "바이트를 기다리는 커넥션이 서버의 backlog가 담을 수 있는 수보다 많아지지 않게 하십시오.",
    .watch = "포트는 실행할 때 정해집니다(보고서의 slow_server.port, slow_server.closed_port)\n"
             "닫힌 포트로 가는 SYN과, 즉시 그에 답하는 RST\n"
             "slow 포트로의 핸드셰이크(handshake) 두 번; 세 번째 SYN은 몇 번이고 다시 나가고(Wireshark: TCP "
             "Retransmission) 돌아오는 것은 없습니다\n"
             "기다리는 동안 ss -tno state syn-sent: timer:(on,480ms,2) = 480 ms 남음, 재전송 2회 (1.480ms라면 1 s + "
             "480 ms입니다: 점이 ms 숫자 안에 있습니다)\n"
             "전후의 nstat -az TcpExtListenDrops: SYN 하나마다 하나씩 늘어납니다",
    .on_linux = "accept 큐(accept queue)에 backlog보다 많은 커넥션이 들어 있는 리스닝 소켓으로 온 SYN은 "
                "버려집니다(TcpExtListenOverflows, TcpExtListenDrops); tcp_abort_on_overflow는 핸드셰이크의 마지막 "
                "ACK를 어떻게 처리하는지만 바꿀 뿐 SYN에는 영향이 없습니다. 클라이언트는 SYN을 다시 보냅니다: RTO는 1 "
                "s에서 시작해 tcp_syn_linear_timeouts번의 재전송 동안(6.x의 설정) 그대로이고, 그 뒤로는 두 배씩 "
                "늘어납니다; connect()는 tcp_syn_retries(또는 TCP_SYNCNT)번 두 배가 되는 RTO들의 합인 한도를 넘긴 첫 "
                "타이머에서 ETIMEDOUT으로 실패합니다. 긴 타이머는 조금 늦게 울리므로, 실제로 기본값으로 실행하면 "
                "모델의 default.fails_at_s보다 약간 뒤에 포기합니다. 닫힌 포트는 RST로 답합니다: 즉시 ECONNREFUSED.",
    .on_windows = "Windows에는 TCP_SYNCNT가 없습니다: TCP_MAXRT가 connect 하나를 초 단위로 제한하고, "
                  "TcpMaxConnectRetransmissions(기본값 2, 첫 RTO 3 s: 약 21 s)는 시스템 전체 설정입니다. Windows "
                  "문서에 따르면 가득 찬 backlog로의 connect는 응답 없이 방치되지 않고 거부되며(WSAECONNREFUSED), "
                  "Windows의 TCP는 RST를 받은 뒤에도 SYN을 다시 보내므로 닫힌 포트조차 약 2 s 뒤에야 실패합니다. "
                  "여기서는 측정하지 않습니다: 그곳에서 무엇을 기대할지는 검사 항목들이 말해 줍니다.",
    .under_wine = "Wine은 소켓을 밑에 있는 Linux 커널에 넘깁니다: 닫힌 포트는 즉시 실패하고, 가득 찬 큐로 가는 SYN은 "
                  "Linux에서처럼 사라집니다. Wine 8은 TCP_MAXRT에 WSAENOPROTOOPT로 답하므로 probe 커넥션의 connect를 "
                  "제한하는 것이 없습니다: 레슨은 10 s 뒤에 기다리기를 그만두고, probe는 소켓 테이블에 여전히 "
                  "SYN_SENT로 남아 있습니다. Wine을 통해서는 TCP_INFO를 쓸 수 없습니다: 재전송 시각이 없습니다.",
};

const struct lesson lesson_syn_retries = {
    .name = "syn-retries",
    .title = "connect() to a server whose SYNs vanish: SYN retransmissions, then ETIMEDOUT when the budget runs out",
    .explain = "A server that is slow to accept() has a full accept queue, and Linux then drops new SYNs without a "
               "word. The lesson stages that without privileges: the server side opens a second listener with a "
               "backlog of 1 that never accepts, the client completes 2 connections to it (Linux queues backlog "
               "+ 1) and connects once more with TCP_SYNCNT 2. That SYN vanishes, and so does each retransmission "
               "(TcpExtListenDrops counts them). Polling TCP_INFO in SYN_SENT, the client records each "
               "retransmission - 1 s apart while this kernel keeps the RTO at 1 s (tcp_syn_linear_timeouts), "
               "then 2 s - and connect() fails with ETIMEDOUT at the first timer that finds the time budget of 2 "
               "retries, (2^3 - 1) x 1 s, spent. The model that predicts this run (and is checked against it) "
               "also gives, from this kernel's tcp_syn_retries and tcp_syn_linear_timeouts, the default schedule "
               "nobody wants to wait for (default.*: minutes) and the textbook doubling (textbook.*). A connect to "
               "a port nobody listens on is the opposite case: an RST at once. For a slow-to-accept server the cure "
               "is on the client: pace the connects, as socklab-bot --max-connecting does, so that no more "
               "connections wait for the server's first byte than its backlog holds.",
    .wireshark = "tcp.flags.syn == 1 || tcp.flags.reset == 1",
    .watch = "the ports are chosen at run time (the report: slow_server.port, slow_server.closed_port)\n"
             "the SYN to the closed port, and the RST that answers it at once\n"
             "two handshakes to the slow port; the third SYN goes out again and again (Wireshark: TCP "
             "Retransmission) and nothing comes back\n"
             "ss -tno state syn-sent during the wait: timer:(on,480ms,2) = 480 ms left, 2 retransmissions "
             "(1.480ms would be 1 s + 480 ms: the dot sits inside the ms figure)\n"
             "nstat -az TcpExtListenDrops before and after: one more for each SYN",
    .on_linux = "A SYN to a listener whose accept queue holds more than its backlog is dropped "
                "(TcpExtListenOverflows, TcpExtListenDrops); tcp_abort_on_overflow changes only what happens to "
                "a handshake's last ACK, not to the SYN. The client sends the SYN again: the RTO starts at 1 s, "
                "stays there for tcp_syn_linear_timeouts retransmissions (a 6.x setting) and then doubles; "
                "connect() fails with ETIMEDOUT at the first timer past the budget of tcp_syn_retries (or "
                "TCP_SYNCNT) doubling RTOs. Long timers fire a little late, so a real default run gives up "
                "somewhat after the model's default.fails_at_s. A closed port answers with an RST: ECONNREFUSED "
                "at once.",
    .on_windows = "No TCP_SYNCNT: TCP_MAXRT bounds a connect in seconds, and TcpMaxConnectRetransmissions (2 by "
                  "default, first RTO 3 s: about 21 s) is system-wide. Windows documents that a connect to a full "
                  "backlog is refused (WSAECONNREFUSED) rather than left unanswered, and its TCP sends the SYN "
                  "again after an RST, so even a closed port fails only after about 2 s. Not measured here: the "
                  "checks say what to expect there.",
    .under_wine = "Wine hands sockets to the Linux kernel underneath: the closed port fails at once and the SYN to "
                  "the full queue vanishes as on Linux. Wine 8 answers TCP_MAXRT with WSAENOPROTOOPT, so nothing "
                  "bounds the probe's connect: the lesson stops waiting after 10 s, the probe still SYN_SENT in "
                  "the socket table. TCP_INFO is not available through Wine: no retransmission times.",
    .closer = SIDE_SERVER,
    .duration_hint_ms = 9000,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .quirks = quirks,
    .ko = &ko,
};
