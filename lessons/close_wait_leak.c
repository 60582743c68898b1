/* close-wait-leak - a server that reads EOF and never closes: its end of every connection sits in
 * CLOSE_WAIT, with no timer, for as long as the process lives (the service of the field note behind
 * this lesson, with a client that reconnects whenever a connection ends).
 *
 * Eight connections, one after another (server port P, client port C):
 *   orphaned     C > P [P.] request, [F.]   the client close()s; the server reads the request and EOF,
 *                                           and does nothing: P stays CLOSE_WAIT, no timer. The
 *                                           client's end, orphaned (no descriptor), is FIN_WAIT2 on a
 *                                           timer - TCP_LINGER2 (LINGER2_S here; tcp_fin_timeout by
 *                                           default) - and then gone. Later the server writes:
 *                P > C [P.] 1 byte   C > P [R]   its first send() succeeds; the kernel that no longer
 *                                           knows C answers RST; the second send() fails (EPIPE)
 *   half_closed  C > P [P.] request, [F.]   shutdown(SHUT_WR) only, the descriptor kept: FIN_WAIT2
 *                                           with no timer at all, longer than an orphan lives
 *   loop x 5     C > P [P.] request, [F.]   a reconnect loop: each connection leaves one more CLOSE_WAIT
 *                                           and one more descriptor in the server process
 *   fixed        C > P [F.]   P > C [F.]    the fix: the server closes on EOF - no CLOSE_WAIT left,
 *                                           and the descriptor count does not grow
 *
 * The server counts CLOSE_WAIT entries on its port in the kernel's socket table and its own open
 * descriptors after each connection of the loop; the client reads its FIN_WAIT2 timer (`ss -o`). */
#include "lessons/lesson.h"

#include <string.h>

#include "compat/os.h"

#define LINGER2_S 2          /* TCP_LINGER2: how long an orphaned FIN_WAIT2 may live */
#define REQUEST 100
#define WATCH_MS 100         /* how often a side reads the table while it waits */
#define SEND_AFTER_EOF_MS (LINGER2_S * 1000 + 800) /* the orphan is surely gone by then */
#define HALF_HOLD_MS (LINGER2_S * 1000 + 800)      /* longer than an orphan lives */
#define RECONNECT_MS 250     /* the reconnect loop's pause between connections */
#define FIRST_LOOP 2
#define LOOP_CONNS 5
#define FIXED (FIRST_LOOP + LOOP_CONNS)
#define HOLD_AT_END_MS 800   /* the leak stays visible to ss before the run ends and it is closed */

/* The run's leaked connections and the loop's measurements: each server side sees only its own
 * connection, so the pile-up is told across them (the server sides run one after another on one
 * thread, the first one starting afresh). */
static uint16_t leaked_ports[LESSON_MAX_CONNS];
static unsigned nleaked;
static long loop_close_wait[LOOP_CONNS], loop_fds[LOOP_CONNS];

/* CLOSE_WAIT entries in the kernel's socket table on the server's port, of the connections this
 * server accepted (a reconnecting client's next connection may already wait, unaccepted, in
 * CLOSE_WAIT too). A dump can miss an entry while other sockets of the host come and go: the
 * larger count of two dumps is kept. */
static long close_wait_on(uint16_t port)
{
    struct sock_entry e[64];
    size_t n, i, k;
    long best = -1, c;
    int round;
    for (round = 0; round < 2; round++) {
        if (sock_state_table(&port, 1, e, sizeof e / sizeof e[0], &n, NULL) != 0)
            return -1;
        for (i = 0, c = 0; i < n && i < sizeof e / sizeof e[0]; i++)
            for (k = 0; k < nleaked; k++)
                c += e[i].state == SOCK_ST_CLOSE_WAIT && e[i].local_port == port && e[i].remote_port == leaked_ports[k];
        best = c > best ? c : best;
    }
    return best;
}

static void set_fin_wait2_timeout(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    int rc = sock_set_fin_wait2_timeout(side_sock(s), LINGER2_S, err);
    side_fact_str(s, "linger2", rc == 0 ? "set" : rc == SOCK_UNSUPPORTED ? "unsupported" : "failed");
    if (rc == 0)
        side_log(s, "TCP_LINGER2 = %d s: an orphan of this socket leaves FIN_WAIT2 after that", LINGER2_S);
    else
        side_log(s, "TCP_LINGER2 not set: %s", err);
}

/* The state and timer of this side's end now, as facts <what>_state / <what>_timer (+ _timer_ms). */
static void record_end(struct lesson_side *s, const char *what)
{
    char state[32], key[48];
    long left = -1;
    const char *timer = side_timer(s, &left, NULL);
    side_kernel_state(s, state, sizeof state);
    snprintf(key, sizeof key, "%s_state", what);
    side_fact_str(s, key, state);
    snprintf(key, sizeof key, "%s_timer", what);
    side_fact_str(s, key, timer);
    if (strcmp(timer, "off") != 0 && strcmp(timer, "unknown") != 0) {
        snprintf(key, sizeof key, "%s_timer_ms", what);
        side_fact_int(s, key, left);
    }
    side_log(s, "kernel: %s, timer %s (%ld ms left)", state, timer, left);
}

/* Client, orphaned: close, then watch the orphan reach FIN_WAIT2 and count down until it is gone. */
static void client_orphaned(struct lesson_side *s)
{
    double closed_at, now;
    char state[32];
    int fin_wait2 = 0;
    set_fin_wait2_timeout(s);
    side_fact_setting(s, "tcp_fin_timeout_s", "net.ipv4.tcp_fin_timeout", NULL);
    side_send(s, REQUEST, 1000);
    side_close(s);
    closed_at = side_now_ms(s);
    for (now = closed_at; now - closed_at < SEND_AFTER_EOF_MS - 300; now = side_now_ms(s)) { /* before the send */
        long left = -1;
        const char *timer = side_timer(s, &left, NULL);
        if (strcmp(side_kernel_state(s, state, sizeof state), "closed") == 0)
            break;
        /* FIN_WAIT1 until the server's kernel ACKs the FIN: it delays that ACK, expecting its
         * application's close() to send a FIN the ACK can ride on */
        if (!fin_wait2 && strcmp(state, "FIN_WAIT2") == 0) {
            fin_wait2 = 1;
            side_fact_ms(s, "fin_acked_after_ms", now - closed_at);
            record_end(s, "orphan");
        }
        if (strcmp(timer, "timewait") == 0)
            side_sample(s, "timer_left", "ms", (double)left);
        side_sleep(s, fin_wait2 ? WATCH_MS : 5);
    }
    if (!fin_wait2)
        record_end(s, "orphan");
    side_fact_bool(s, "orphan_gone", strcmp(state, "closed") == 0);
    if (strcmp(state, "closed") == 0) {
        side_fact_ms(s, "orphan_gone_after_ms", now - closed_at);
        side_log(s, "kernel: the orphan left FIN_WAIT2 and the table %.0f ms after close()", now - closed_at);
    }
    /* wait out the server's late send, so its RST belongs to this connection's story */
    side_sleep(s, (int)(SEND_AFTER_EOF_MS + 600 - (side_now_ms(s) - closed_at)));
}

/* Client, half-closed: shutdown(SHUT_WR) and keep the descriptor: FIN_WAIT2 with no timer. */
static void client_half_closed(struct lesson_side *s)
{
    set_fin_wait2_timeout(s); /* it does not apply: this socket is not an orphan */
    side_send(s, REQUEST, 1000);
    side_shutdown_write(s);
    side_sleep(s, HALF_HOLD_MS);
    record_end(s, "held");
    side_close(s); /* now an orphan: the timer starts */
    side_sleep(s, 20);
    record_end(s, "after_close");
}

static void client(struct lesson_side *s)
{
    unsigned c = side_conn(s);
    if (c == 0) {
        client_orphaned(s);
    } else if (c == 1) {
        client_half_closed(s);
    } else {
        set_fin_wait2_timeout(s);
        side_send(s, REQUEST, 1000);
        side_close(s);
        side_sleep(s, RECONNECT_MS); /* quiet while the server counts */
        if (c == FIXED)
            side_settle(s, 1000);
    }
}

/* Server, orphaned: never close; after the client's end is gone, send twice. */
static void server_late_send(struct lesson_side *s)
{
    char b = 'x';
    long n;
    side_sleep(s, SEND_AFTER_EOF_MS);
    record_end(s, "before_send");
    n = sock_send(side_sock(s), &b, 1);
    side_fact_str(s, "first_send", n == 1 ? "ok" : sock_err_name(sock_last_error()));
    if (n == 1)
        side_add_bytes(s, 1, 0);
    side_log(s, "first send() after %d ms: %s", SEND_AFTER_EOF_MS, n == 1 ? "ok, 1 byte queued" : "failed");
    side_sleep(s, 200); /* the peer's answer */
    n = sock_send(side_sock(s), &b, 1);
    side_fact_str(s, "second_send", n == 1 ? "ok" : sock_err_name(sock_last_error()));
    side_fact_bool(s, "second_send_reset", n < 0 && sock_err_is_reset(sock_last_error()));
    side_log(s, "second send(): %s", n == 1 ? "ok" : sock_err_name(sock_last_error()));
}

static void server(struct lesson_side *s)
{
    unsigned c = side_conn(s);
    long cw, fds;
    if (c == 0)
        nleaked = 0; /* a new run */
    side_drain(s, 3000, "server_saw", NULL);
    /* Descriptors are counted while the client is quiet: from just after its close() (which reads
     * the kernel's table through a socket of its own) until RECONNECT_MS later, when it opens its
     * next socket. Not while other lessons share the process (socklab compare): theirs come and go. */
    side_sleep(s, 50);
    fds = side_process_shared(s) ? -1 : os_open_fds();
    if (c == FIXED) {
        side_close(s); /* the fix */
        fds = side_process_shared(s) ? -1 : os_open_fds();
        side_settle(s, 1000);
    } else {
        side_leak(s); /* the bug: EOF read, close() never called */
        leaked_ports[nleaked++] = side_remote_port(s);
        record_end(s, "server");
        if (c == 0)
            server_late_send(s);
        if (c < FIRST_LOOP)
            return;
    }
    /* -1 where the table or the descriptors cannot be read: then no fact, and the checks on it
     * read "not measured" */
    cw = close_wait_on(side_local_port(s));
    if (cw >= 0)
        side_sample(s, "close_wait", "entries", (double)cw);
    if (fds >= 0)
        side_sample(s, "fds", "descriptors", (double)fds);
    side_log(s, "kernel: %ld of this server's connections in CLOSE_WAIT on port %u; the process holds %ld "
             "descriptors", cw, (unsigned)side_local_port(s), fds);
    if (c < FIXED) {
        loop_close_wait[c - FIRST_LOOP] = cw;
        loop_fds[c - FIRST_LOOP] = fds;
        if (cw >= 0) {
            side_fact_ints(s, "close_wait_on_port", loop_close_wait, c - FIRST_LOOP + 1);
            side_fact_int(s, "close_wait_after_loop", cw);
        }
        if (fds >= 0) {
            side_fact_ints(s, "fds", loop_fds, c - FIRST_LOOP + 1);
            side_fact_int(s, "fds_after_loop", fds);
            side_fact_int(s, "fds_added", fds - loop_fds[0]);
        }
        return;
    }
    if (cw >= 0)
        side_fact_int(s, "close_wait_on_port", cw);
    if (fds >= 0)
        side_fact_int(s, "fds", fds);
    side_sleep(s, HOLD_AT_END_MS);
}

static void check(struct lesson_report *r)
{
    int on_linux = strcmp(report_platform(r), "linux") == 0;
    expect_str(r, "orphaned_server_read_eof", "orphaned.server_saw", "eof");
    expect_str(r, "orphaned_server_stays_close_wait", "orphaned.server_state", "CLOSE_WAIT");
    expect_str(r, "orphaned_client_fin_wait2", "orphaned.orphan_state", "FIN_WAIT2");
    if (on_linux) {
        expect_str(r, "close_wait_has_no_timer", "orphaned.server_timer", "off");
        expect_str(r, "orphan_fin_wait2_timer", "orphaned.orphan_timer", "timewait");
        expect_range(r, "orphan_gone_after_linger2", "orphaned.orphan_gone_after_ms", LINGER2_S * 1000 - 200,
                     LINGER2_S * 1000 + 700);
        expect_str(r, "half_closed_fin_wait2_has_no_timer", "half_closed.held_timer", "off");
        expect_str(r, "half_closed_timer_starts_at_close", "half_closed.after_close_timer", "timewait");
    }
    /* the server's end outlives the client's: still CLOSE_WAIT when it finally writes */
    expect_str(r, "close_wait_outlives_the_peer", "orphaned.before_send_state", "CLOSE_WAIT");
    expect_str(r, "late_first_send_succeeds", "orphaned.first_send", "ok");
    if (on_linux)
        expect_str(r, "late_second_send_fails_epipe", "orphaned.second_send", "EPIPE");
    else
        expect_true(r, "late_second_send_fails", "orphaned.second_send_reset");
    expect_str(r, "half_closed_still_fin_wait2", "half_closed.held_state", "FIN_WAIT2");
    /* every leaked connection still open: the half-closed one and each of the loop's */
    expect_int(r, "loop_piles_up_close_wait", "loop.close_wait_after_loop", LOOP_CONNS + 1,
               "the loop's connections + the half-closed one");
    expect_int(r, "loop_one_descriptor_per_connection", "loop.fds_added", LOOP_CONNS - 1,
               "one per connection after the loop's first");
    expect_str(r, "fixed_server_end_gone", "fixed.server_final_state", "closed");
    expect_equal(r, "fixed_leaves_no_close_wait", "fixed.close_wait_on_port", "loop.close_wait_after_loop");
    expect_equal(r, "fixed_leaves_no_descriptor", "fixed.fds", "loop.fds_after_loop");
}

static const struct lesson_chart charts[] = {
    {"CLOSE_WAIT entries on the server's port", SIDE_SERVER, "close_wait", "서버 포트의 CLOSE_WAIT 엔트리 수"},
    {"descriptors the server process holds", SIDE_SERVER, "fds", "서버 프로세스가 쥐고 있는 디스크립터 수"},
    {"orphaned FIN_WAIT2: timer ms left (ss -o)", SIDE_CLIENT, "timer_left",
     "고아가 된 FIN_WAIT2: 타이머 남은 ms (ss -o)"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "닫지 않는 서버: 타이머 없는 CLOSE_WAIT가 쌓이고, 클라이언트의 FIN_WAIT2는 타임아웃됩니다",
    .explain = "서버는 클라이언트의 요청을 읽고 이어서 EOF를 읽지만 - close()를 끝내 호출하지 않습니다. 서버 쪽 끝은 "
               "CLOSE_WAIT입니다: 커널은 클라이언트의 FIN에 ACK를 보냈고, 애플리케이션이 닫기를 기다립니다. 이를 "
               "타임아웃시키는 것은 없습니다: CLOSE_WAIT에는 타이머가 없고, 프로세스가 디스크립터를 쥐고 있는 한 "
               "계속됩니다. close()를 호출한 클라이언트 쪽 끝은 오지 않을 FIN을 기다리는 FIN_WAIT2 상태의 고아 "
               "소켓(orphan)이 되고, 커널은 TCP_LINGER2(여기서는 2 s; 기본값은 tcp_fin_timeout, 60 s) 뒤에 그것을 "
               "없앱니다. shutdown(SHUT_WR)만 호출하고 디스크립터를 유지한 클라이언트는 타이머가 전혀 없는 FIN_WAIT2에 "
               "머뭅니다. 서버가 마침내 그런 커넥션에 쓰면, 첫 send()는 성공하고, 그 커넥션을 더는 모르는 클라이언트의 "
               "커널이 RST로 답하며, 두 번째 send()는 실패합니다. 커넥션이 끝날 때마다 다시 연결하는 클라이언트는 이 "
               "버그를 누수로 바꿉니다: 커넥션마다 CLOSE_WAIT 엔트리 하나와 디스크립터 하나가 서버 프로세스에 더 남고, "
               "결국 디스크립터 한도에 닿습니다. 마지막 커넥션은 해결책을 보여 줍니다: 서버가 EOF를 읽자마자 닫으면 "
               "아무것도 남지 않습니다.",
    .watch = "각 커넥션: 클라이언트의 요청과 FIN; 서버의 커널은 지연 ACK(delayed ACK)만큼 쉰 뒤에야 FIN에 "
             "ACK합니다(CLOSE_WAIT에서는 애플리케이션의 close()가 FIN을 보내고 ACK가 거기에 실려 가기를 기대합니다) - "
             "그리고 실행이 끝날 때까지 서버의 FIN은 없습니다(fixed 커넥션: 즉시)\n"
             "orphaned: 클라이언트의 FIN으로부터 약 2.8 s 뒤 서버의 1 byte, 그리고 그에 답하는 클라이언트 포트의 RST\n"
             "ss -tano state close-wait '( sport = :{port} )': 누수된 커넥션마다 한 줄, 타이머는 없음\n"
             "ss -tano state fin-wait-2: 클라이언트의 고아 소켓에 붙은 timer:(timewait,1.920ms,0)은 1 s + 920 ms가 "
             "남았다는 뜻입니다(ms 숫자 안에 점이 있습니다); half-closed 커넥션에는 타이머가 없습니다",
    .on_linux = "CLOSE_WAIT에는 타이머가 없습니다: close()를 호출하거나 프로세스가 끝날 때까지 계속됩니다. 고아가 된 "
                "FIN_WAIT2는 TCP_LINGER2초 동안, 그것이 없으면 net.ipv4.tcp_fin_timeout(60 s) 동안 살아 있습니다; ss는 "
                "그것을 timewait 타이머와 함께 보여 줍니다. 아직 디스크립터가 있는 FIN_WAIT2 소켓에는 타이머가 "
                "없습니다. 상대가 사라진 CLOSE_WAIT 커넥션에서 send는 한 번 성공하고, RST를 불러오며, 다음 send는 "
                "EPIPE로 실패합니다.",
    .on_windows = "상태도 같고 누수도 같습니다(GetTcpTable에 CLOSE_WAIT 행이 보이고, 프로세스의 핸들 수가 늘어납니다). "
                  "Windows에는 TCP_LINGER2가 없습니다: 고아가 된 FIN_WAIT2는 시스템 전체에 적용되는 레지스트리 값 "
                  "TcpFinWait2Delay만큼 유지됩니다. 상대의 RST 뒤의 send는 WSAECONNRESET 또는 WSAECONNABORTED로 "
                  "실패합니다.",
    .under_wine = "Wine은 Linux 커널 위에서 돌지만 Windows 프로그램에는 TCP_LINGER2가 없습니다: 고아 소켓은 "
                  "tcp_fin_timeout(60 s) 동안 살아 있을 것이므로, 서버의 늦은 바이트는 여전히 FIN_WAIT2인 그것을 만나 "
                  "RST를 불러오고; 두 번째 send는 WSAECONNRESET으로 실패합니다. 테이블에는 타이머가 없고, Wine 8은 "
                  "핸들 수를 보고하지 않으므로 그곳에서는 디스크립터를 세지 않습니다.",
};

const struct lesson lesson_close_wait_leak = {
    .name = "close-wait-leak",
    .title = "a server that never closes: CLOSE_WAIT with no timer piles up, the client's FIN_WAIT2 times out",
    .explain = "The server reads the client's request and then EOF - and never calls close(). Its end of the "
               "connection is CLOSE_WAIT: the kernel has acknowledged the client's FIN and waits for the "
               "application to close. Nothing times it out: CLOSE_WAIT has no timer and lasts as long as the "
               "process holds the descriptor. The client's end, once it called close(), is an orphan in "
               "FIN_WAIT2 waiting for a FIN that never comes; the kernel drops it after TCP_LINGER2 (set to 2 s "
               "here; tcp_fin_timeout, 60 s, by default). A client that only called shutdown(SHUT_WR) and kept "
               "its descriptor stays in FIN_WAIT2 with no timer at all. When the server finally writes on such "
               "a connection, its first send() succeeds, the client's kernel - which no longer knows the "
               "connection - answers RST, and the second send() fails. A client that reconnects whenever a "
               "connection ends turns the bug into a leak: each connection leaves one more CLOSE_WAIT entry "
               "and one more descriptor in the server process, until it hits its descriptor limit. The last "
               "connection shows the fix: the server closes as soon as it reads EOF, and nothing is left.",
    .wireshark = "tcp.port == {port} && (tcp.flags.fin == 1 || tcp.flags.reset == 1 || tcp.len > 0)",
    .watch = "each connection: the client's request and FIN; the server's kernel ACKs the FIN only after a "
             "delayed-ACK pause (in CLOSE_WAIT it expects its application's close() to send a FIN the ACK can "
             "ride on) - and no FIN from the server until the run ends (the fixed connection: at once)\n"
             "orphaned: about 2.8 s after the client's FIN, 1 byte from the server, answered by an RST from "
             "the client's port\n"
             "ss -tano state close-wait '( sport = :{port} )': one row per leaked connection, and no timer\n"
             "ss -tano state fin-wait-2: timer:(timewait,1.920ms,0) on the client's orphans is 1 s + 920 ms "
             "left (a dot inside the ms figure); the half-closed one has no timer",
    .on_linux = "CLOSE_WAIT has no timer: it lasts until close() or the process's end. An orphaned FIN_WAIT2 "
                "lives TCP_LINGER2 seconds, else net.ipv4.tcp_fin_timeout (60 s); ss shows it with a timewait "
                "timer. A FIN_WAIT2 socket that still has its descriptor has no timer. A send on a CLOSE_WAIT "
                "connection whose peer is gone succeeds once, draws an RST, and the next send fails with EPIPE.",
    .on_windows = "The same states and the same leak (GetTcpTable shows CLOSE_WAIT rows; the process's handle "
                  "count grows). Windows has no TCP_LINGER2: an orphaned FIN_WAIT2 lasts the system-wide "
                  "TcpFinWait2Delay registry value. A send after the peer's RST fails with WSAECONNRESET or "
                  "WSAECONNABORTED.",
    .under_wine = "Wine runs on the Linux kernel, but a Windows program has no TCP_LINGER2: the orphan would "
                  "live tcp_fin_timeout (60 s), so the server's late byte still finds it in FIN_WAIT2 and draws "
                  "its RST; the second send fails with WSAECONNRESET. The table has no timers, and Wine 8 "
                  "reports no handle count, so descriptors are not counted there.",
    .closer = SIDE_CLIENT,
    .connections = FIXED + 1,
    .conn_prefix = {"orphaned.", "half_closed.", "loop.", "loop.", "loop.", "loop.", "loop.", "fixed."},
    /* the server keeps earlier connections' sockets open until the run ends: one process holds them */
    .one_process = 1,
    .duration_hint_ms = SEND_AFTER_EOF_MS + 600 + HALF_HOLD_MS + LOOP_CONNS * (RECONNECT_MS + 50) + 1500,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .ko = &ko,
};
