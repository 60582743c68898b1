/* time-wait-exhaustion - a client that opens and closes short connections to one server address
 * runs out of ports: each close leaves TIME_WAIT on the client's port, for 60 s (the field note
 * behind this lesson, and its cures).
 *
 * Each variant is one control connection from the engine; on it the client says which listener to
 * use, then opens connections of its own every PACE_MS for CHURN_MS, each from a port of a range
 * of RANGE ports of its own (IP_LOCAL_PORT_RANGE on Linux 6.3+; elsewhere a bind() to each port in
 * turn), and closes the control connection when done. The first byte of every connection tells the
 * server what to do: 'c' answer, read EOF, close (the client closes first); 's' answer and close
 * (the server closes first); 'p' answer every byte until EOF (a pool: one connection, reused).
 *
 *   exhaust       127.0.0.1, the system's tcp_tw_reuse: connection RANGE + 1 fails (EADDRNOTAVAIL:
 *                 every port of the range is in TIME_WAIT); on loopback the default (2) lets a
 *                 port in TIME_WAIT be reused after tcp_tw_reuse_delay, and connections resume
 *   nonlo_twN     (impairment lab) the same towards a non-loopback address of the lab's loopback,
 *                 with tcp_tw_reuse = 2, 0, 1: 2 means loopback only, so here it is 0 - no reuse
 *   pool          one connection carries as many requests: no TIME_WAIT until its one close
 *   server_first  the server closes first: TIME_WAIT moves to the server's side, the client's
 *                 ports stay free and every connection succeeds
 *
 * On the wire (server port P, client port C):  C > P [S] [S.] [.]  C > P [P.] 1  P > C [P.] 1
 *   client first:  C > P [F.]  P > C [F.]  C > P [.]   C in TIME_WAIT; the failed connects send nothing
 *   server first:  P > C [F.]  C > P [F.]  P > C [.]   P holds TIME_WAIT for (P, C); C is free */
#include "lessons/lesson.h"

#include <string.h>

#define RANGE 20
#define PACE_MS 10
#define CHURN_MS 1500
#define SAMPLE_MS 100
#define POOL_REQUESTS 150
#define NONLO_ADDR "198.18.0.1" /* benchmarking space (RFC 2544): never routed, not loopback */
#define NVARIANTS 6

enum method { BY_RANGE, BY_BIND };
struct variant {
    char code;          /* the first byte of each connection: what the server does */
    const char *reuse;  /* tcp_tw_reuse set in the lab, NULL: the system's, no lab needed */
};
static const struct variant variants[NVARIANTS] = {
    {'c', NULL}, {'c', "2"}, {'c', "0"}, {'c', "1"}, {'p', NULL}, {'s', NULL},
};

/* ---- the client's view of the kernel table ------------------------------------------------ */

/* Entries of connections between the port range and the server port: those on the client's side
 * (any state, and TIME_WAIT only), and the server's TIME_WAIT towards the range. A dump can miss
 * an entry while other sockets of the host come and go: for a fact, the larger of two dumps
 * counts (rounds 2); a chart's point takes one. */
struct tw_count { long in_use, client_tw, server_tw; };
static struct tw_count count_range(uint16_t lo, uint16_t server_port, int rounds)
{
    struct sock_entry e[160];
    uint16_t ports[RANGE];
    struct tw_count best = {-1, -1, -1}, c;
    size_t n, i;
    int round;
    for (i = 0; i < RANGE; i++)
        ports[i] = (uint16_t)(lo + i);
    for (round = 0; round < rounds; round++) {
        if (sock_state_table(ports, RANGE, e, sizeof e / sizeof e[0], &n, NULL) != 0)
            return best;
        memset(&c, 0, sizeof c);
        for (i = 0; i < n && i < sizeof e / sizeof e[0]; i++) {
            int mine = e[i].local_port >= lo && e[i].local_port < lo + RANGE && e[i].remote_port == server_port;
            int theirs = e[i].local_port == server_port && e[i].remote_port >= lo && e[i].remote_port < lo + RANGE;
            c.in_use += mine;
            c.client_tw += mine && e[i].state == SOCK_ST_TIME_WAIT;
            c.server_tw += theirs && e[i].state == SOCK_ST_TIME_WAIT;
        }
        best.in_use = c.in_use > best.in_use ? c.in_use : best.in_use;
        best.client_tw = c.client_tw > best.client_tw ? c.client_tw : best.client_tw;
        best.server_tw = c.server_tw > best.server_tw ? c.server_tw : best.server_tw;
    }
    return best;
}

/* A count as a fact, unless the table could not be read (then the checks on it read "not measured"). */
static void fact_count(struct lesson_side *s, const char *key, long v)
{
    if (v >= 0)
        side_fact_int(s, key, v);
    else
        side_log(s, "%s: the socket table could not be read", key);
}

/* A range of RANGE ports no socket uses now, inside the system's ephemeral range (which
 * IP_LOCAL_PORT_RANGE must lie in), different from run to run and variant to variant. */
static uint16_t pick_range(struct lesson_side *s)
{
    long sys_lo = 49152; /* Windows' dynamic ports, where the system's range is not known */
    uint16_t lo = 0, ports[RANGE];
    size_t i, n, k;
    struct sock_entry e[4];
    if (sock_kernel_setting("net.ipv4.ip_local_port_range", &sys_lo, NULL) != 0)
        sys_lo = 49152;
    for (k = 0; k < 200; k++) {
        lo = (uint16_t)(sys_lo + 1000 + ((side_remote_port(s) + side_conn(s) * 37u + k) % 400u) * RANGE);
        for (i = 0; i < RANGE; i++)
            ports[i] = (uint16_t)(lo + i);
        if (sock_state_table(ports, RANGE, e, 4, &n, NULL) == 0 && n == 0)
            break;
    }
    return lo;
}

/* ---- the client ------------------------------------------------------------------------------ */

struct churn {
    struct sock_waiter *w;
    const char *host;
    uint16_t port, lo;
    enum method how;
    char code;
};

/* Waits for one byte on c (timeout_ms); 1 read, 0 EOF, -1 error or nothing. */
static int read_byte(struct sock_waiter *w, sock_t c, int timeout_ms)
{
    char b;
    long n;
    if (sock_waiter_wait(w, c, 0, timeout_ms) != 1)
        return -1;
    n = sock_recv(c, &b, 1);
    return n == 1 ? 1 : n == 0 ? 0 : -1;
}

/* One connection from the range: 0, or the error code with *call naming the call that failed. */
static int one_connection(struct lesson_side *s, struct churn *ch, int attempt, const char **call, uint16_t *port)
{
    char err[SOCK_ERR_LEN];
    sock_t c = sock_tcp_socket(sock_host_family(ch->host, NULL), err);
    int code = 0;
    *call = "socket";
    if (c == SOCK_INVALID)
        return sock_last_error();
    if (ch->how == BY_RANGE && sock_set_local_port_range(c, ch->lo, (uint16_t)(ch->lo + RANGE - 1), err) != 0) {
        side_log(s, "%s: each connection binds a port of the range instead", err);
        ch->how = BY_BIND;
    }
    if (ch->how == BY_BIND && sock_bind_local(c, ch->host, (uint16_t)(ch->lo + (attempt - 1) % RANGE), err) != 0) {
        code = sock_last_error();
        *call = "bind";
    } else if (sock_connect(c, ch->host, ch->port, 1000, err) != 0) {
        code = sock_last_error();
        *call = "connect";
    } else {
        *port = sock_local_port(c);
        *call = "request";
        if (sock_send(c, &ch->code, 1) != 1 || read_byte(ch->w, c, 1000) != 1)
            code = SOCK_ECONNRESET;
        else if (ch->code == 's' && read_byte(ch->w, c, 1000) != 0) /* the server's FIN first */
            code = SOCK_ETIMEDOUT;
    }
    sock_close(c);
    return code;
}

/* Opens and closes connections every PACE_MS for CHURN_MS: what succeeded, the first failure,
 * and when connections resumed after it. */
static void churn(struct lesson_side *s, struct churn *ch)
{
    double t0 = side_now_ms(s), first_close = -1, failed_at = -1, next_sample = 0, now;
    long ok = 0, failed = 0, ports_used = 0, attempt;
    int resumed = 0;
    uint16_t seen[RANGE];
    size_t i;
    struct tw_count tw;
    /* CHURN_MS, and on a slow platform as long as it takes to run out of ports and beyond */
    for (attempt = 1; ((now = side_now_ms(s) - t0) < CHURN_MS || attempt <= RANGE + 5) && now < 4 * CHURN_MS;
         attempt++) {
        const char *call;
        uint16_t port = 0;
        int code;
        if (now < (attempt - 1) * PACE_MS)
            side_sleep(s, (int)((attempt - 1) * PACE_MS - now));
        code = one_connection(s, ch, (int)attempt, &call, &port);
        if (code == 0) {
            ok++;
            if (first_close < 0)
                first_close = side_now_ms(s) - t0;
            for (i = 0; i < (size_t)ports_used && seen[i] != port; i++)
                ;
            if (i == (size_t)ports_used && ports_used < RANGE)
                seen[ports_used++] = port;
            if (failed > 0 && !resumed) { /* the first success after a failure: a port was reused */
                resumed = 1;
                side_fact_ms(s, "reused_after_ms", side_now_ms(s) - t0 - first_close);
                side_log(s, "connection %ld succeeded again, %.0f ms after the first one closed", attempt,
                         side_now_ms(s) - t0 - first_close);
            }
        } else if (failed++ == 0) {
            failed_at = side_now_ms(s) - t0;
            tw = count_range(ch->lo, ch->port, 2);
            side_fact_int(s, "first_failure_at", attempt);
            side_fact_ms(s, "first_failure_ms", failed_at);
            side_fact_str(s, "error", sock_err_name(code));
            side_fact_bool(s, "out_of_ports", code == SOCK_EADDRNOTAVAIL || code == SOCK_EADDRINUSE || code == SOCK_ENOBUFS);
            side_fact_str(s, "failed_call", call);
            fact_count(s, "time_wait_at_failure", tw.client_tw);
            fact_count(s, "in_use_at_failure", tw.in_use);
            side_log(s, "connection %ld: %s() failed with %s after %.0f ms; %ld of the %d ports in TIME_WAIT",
                     attempt, call, sock_err_name(code), failed_at, tw.client_tw, RANGE);
        }
        if (now >= next_sample) {
            double t = side_now_ms(s);
            tw = count_range(ch->lo, ch->port, 1);
            side_sample(s, "time_wait", "entries", (double)tw.client_tw);
            side_sample(s, "connected", "connections", (double)ok);
            /* where reading the table is slow (Wine parses all of /proc/net/tcp: seconds on a busy
             * host), sampling must not slow the churn */
            t = side_now_ms(s) - t;
            next_sample = now + (t * 4 > SAMPLE_MS ? t * 4 : SAMPLE_MS);
        }
    }
    tw = count_range(ch->lo, ch->port, 2);
    side_fact_int(s, "attempts", attempt - 1);
    side_fact_int(s, "connected", ok);
    side_fact_int(s, "failed", failed);
    if (ch->code == 's')
        side_fact_int(s, "ports_used", ports_used);
    else
        side_fact_bool(s, "resumed", resumed);
    fact_count(s, "time_wait_at_end", tw.client_tw);
    fact_count(s, "server_time_wait_at_end", tw.server_tw);
    side_log(s, "%ld of %ld connections in %.0f ms; TIME_WAIT now: %ld on the client's ports, %ld on the server's",
             ok, attempt - 1, now, tw.client_tw, tw.server_tw);
}

/* A pool: one connection from the range carries POOL_REQUESTS requests, then one close. */
static void pool(struct lesson_side *s, struct churn *ch)
{
    char err[SOCK_ERR_LEN];
    sock_t c = sock_tcp_socket(sock_host_family(ch->host, NULL), err);
    long answered = 0, i;
    double t0;
    struct tw_count tw;
    if (c == SOCK_INVALID || (sock_set_local_port_range(c, ch->lo, (uint16_t)(ch->lo + RANGE - 1), err) != 0 &&
                              sock_bind_local(c, ch->host, ch->lo, err) != 0) ||
        sock_connect(c, ch->host, ch->port, 1000, err) != 0) {
        side_error(s, "pool connection", err);
        if (c != SOCK_INVALID)
            sock_close(c);
        return;
    }
    for (i = 0; i < POOL_REQUESTS; i++) {
        if (sock_send(c, &ch->code, 1) != 1 || read_byte(ch->w, c, 1000) != 1)
            break;
        answered++;
    }
    tw = count_range(ch->lo, ch->port, 2);
    side_fact_int(s, "answered", answered);
    fact_count(s, "time_wait_before_close", tw.client_tw);
    sock_close(c);
    t0 = side_now_ms(s);
    do { /* the server reads EOF and closes: then the one TIME_WAIT is there */
        side_sleep(s, 20);
        tw = count_range(ch->lo, ch->port, 1);
    } while (tw.client_tw == 0 && side_now_ms(s) - t0 < 3000);
    tw = count_range(ch->lo, ch->port, 2);
    fact_count(s, "time_wait_after_close", tw.client_tw);
    side_sample(s, "time_wait", "entries", (double)tw.client_tw);
    side_log(s, "%ld of %d requests answered over one connection; TIME_WAIT in the range: %ld after its close",
             answered, POOL_REQUESTS, tw.client_tw);
}

static void client_variant(struct lesson_side *s)
{
    const struct variant *v = &variants[side_conn(s) % NVARIANTS];
    struct churn ch;
    char how = 'H', answer = 0;
    long range[2];
    ch.host = side_remote_addr(s);
    ch.port = side_remote_port(s);
    ch.code = v->code;
    ch.how = BY_RANGE;
    if (v->reuse != NULL) {
        if (!side_lab(s)) {
            side_log(s, "skipped: setting tcp_tw_reuse and a non-loopback address needs the impairment lab");
            side_fact_str(s, "skipped", "needs the impairment lab");
            return;
        }
        if (side_lab_sysctl(s, "net.ipv4.tcp_tw_reuse", v->reuse) != 0 ||
            (side_conn(s) == 1 && side_lab_address(s, NONLO_ADDR) != 0))
            return;
        how = 'A';
        ch.host = NONLO_ADDR;
    }
    side_set_blocking(s);
    if (sock_send(side_sock(s), &how, 1) != 1 || side_wait(s, 0, 3000) != 1 ||
        sock_recv(side_sock(s), &answer, 1) != 1 || answer != 'y') {
        side_error(s, "control", "the server did not open its listener");
        return;
    }
    if (side_conn(s) == 0) { /* the run's settings, once */
        side_fact_prefix(s, "");
        side_fact_setting(s, "tw_reuse_delay_ms", "net.ipv4.tcp_tw_reuse_delay", NULL);
        side_fact_prefix(s, NULL);
    }
    if (v->code == 'c')
        side_fact_setting(s, "tw_reuse", "net.ipv4.tcp_tw_reuse", NULL);
    ch.lo = pick_range(s);
    range[0] = ch.lo;
    range[1] = ch.lo + RANGE - 1;
    side_fact_ints(s, "port_range", range, 2);
    side_log(s, "to %s:%u from ports %ld-%ld: %s", ch.host, (unsigned)ch.port, range[0], range[1],
             v->code == 'p' ? "one connection, many requests" : v->code == 's' ? "the server closes first"
                                                                               : "the client closes first");
    ch.w = sock_waiter_new();
    if (ch.w == NULL) {
        side_error(s, "waiter", "out of memory");
        return;
    }
    if (v->code == 'p')
        pool(s, &ch);
    else
        churn(s, &ch);
    if (side_conn(s) == 0) {
        side_fact_prefix(s, "");
        side_fact_str(s, "port_choice", ch.how == BY_RANGE ? "IP_LOCAL_PORT_RANGE" : "bind");
        side_fact_int(s, "port_range_per_socket", ch.how == BY_RANGE);
        side_fact_prefix(s, NULL);
    }
    sock_waiter_free(ch.w);
}

/* The variant is over: the client says so with its FIN on the control connection and waits for
 * the server's end of it, so the engine's next control connection cannot reach the listener while
 * the server still accepts this variant's connections there. */
static void client(struct lesson_side *s)
{
    char b;
    client_variant(s);
    sock_shutdown(side_sock(s), SOCK_SHUT_WR, NULL);
    while (side_wait(s, 0, 5000) == 1 && sock_recv(side_sock(s), &b, 1) > 0)
        ;
}

/* ---- the server -------------------------------------------------------------------------------- */

/* Serves one connection as its first byte says; returns the requests answered. */
static long serve(struct sock_waiter *w, sock_t c)
{
    char code = 0, reply = 'r';
    long n = 0;
    if (sock_waiter_wait(w, c, 0, 1000) == 1 && sock_recv(c, &code, 1) == 1 && sock_send(c, &reply, 1) == 1)
        n = 1;
    if (code == 'p')
        while (read_byte(w, c, 1000) == 1 && sock_send(c, &reply, 1) == 1)
            n++;
    else if (code == 'c')
        read_byte(w, c, 1000); /* the client's FIN: EOF, then the server closes second */
    sock_close(c);         /* code 's': at once, the server closes first */
    return n;
}

static void server(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN], how = 0, reply;
    sock_t lis = side_listener(s), own = SOCK_INVALID, c;
    struct sock_waiter *w;
    long served = 0, requests = 0;
    side_set_blocking(s);
    if (side_wait(s, 0, 5000) != 1 || sock_recv(side_sock(s), &how, 1) != 1)
        return; /* a variant the client skipped */
    if (how == 'A') {
        own = sock_listen_tcp(NONLO_ADDR, side_local_port(s), 64, err);
        if (own == SOCK_INVALID)
            side_error(s, "listen on " NONLO_ADDR, err);
        lis = own;
    }
    reply = lis != SOCK_INVALID ? 'y' : 'n';
    w = sock_waiter_new();
    if (sock_send(side_sock(s), &reply, 1) == 1 && w != NULL && lis != SOCK_INVALID) {
        /* Until the client closes the control connection. It does so only once every connection of
         * its own was answered, and before the engine's next control connection reaches the same
         * listener: so the control is checked before each accept. */
        for (;;) {
            int pending = sock_waiter_wait(w, lis, 0, 20) == 1;
            if (side_wait(s, 0, 1) == 1)
                break;
            if (pending && (c = sock_accept(lis, err)) != SOCK_INVALID) {
                long n = serve(w, c);
                served += n > 0;
                requests += n;
            }
        }
    }
    side_fact_int(s, "served", served);
    if (requests != served)
        side_fact_int(s, "requests_served", requests);
    side_log(s, "served %ld connections, %ld requests", served, requests);
    sock_waiter_free(w);
    if (own != SOCK_INVALID)
        sock_close(own);
}

/* Connections resume once a port in TIME_WAIT may be reused: tcp_tw_reuse_delay after the first
 * one closed (the kernel's default 1 s where the setting is not shown). */
static void expect_reuse(struct lesson_report *r, const char *id, const char *prefix, int reused)
{
    char key[64], rid[48];
    long long delay = 1000;
    report_fact_int(r, "tw_reuse_delay_ms", &delay);
    snprintf(key, sizeof key, "%sresumed", prefix);
    if (!reused) {
        expect_false(r, id, key);
        return;
    }
    expect_true(r, id, key);
    snprintf(key, sizeof key, "%sreused_after_ms", prefix);
    snprintf(rid, sizeof rid, "%s_after_the_delay", id);
    expect_range(r, rid, key, (double)delay - 50, (double)delay + 450);
}

static void check(struct lesson_report *r)
{
    int on_linux = strcmp(report_platform(r), "linux") == 0;
    long long by_range = 0, reuse = 0;
    report_fact_int(r, "port_range_per_socket", &by_range);
    expect_int(r, "exhaust_fails_when_the_range_is_used_up", "exhaust.first_failure_at", RANGE + 1,
               "the range's ports + 1");
    expect_range(r, "exhaust_runs_out_of_ports", "exhaust.failed", 1, 1e308);
    expect_true(r, "exhaust_error_says_out_of_ports", "exhaust.out_of_ports");
    if (on_linux)
        expect_str(r, "exhaust_error", "exhaust.error", by_range ? "EADDRNOTAVAIL" : "EADDRINUSE");
    expect_int(r, "exhaust_every_port_in_use", "exhaust.in_use_at_failure", RANGE, "the range's ports");
    expect_int(r, "exhaust_time_wait_on_every_port", "exhaust.time_wait_at_end", RANGE, "the range's ports");
    expect_int(r, "exhaust_no_time_wait_on_the_server", "exhaust.server_time_wait_at_end", 0, "the client closed first");
    expect_equal(r, "exhaust_server_served_each", "exhaust.served", "exhaust.connected");
    /* tcp_tw_reuse applies to connect()'s choice of port, not to bind() */
    if (on_linux && report_fact_int(r, "exhaust.tw_reuse", &reuse))
        expect_reuse(r, "exhaust_loopback_reuses", "exhaust.", by_range && reuse != 0);
    expect_int(r, "nonlo_tw2_fails_alike", "nonlo_tw2.first_failure_at", RANGE + 1, "the range's ports + 1");
    expect_reuse(r, "nonlo_tw2_is_like_0", "nonlo_tw2.", 0);
    expect_reuse(r, "nonlo_tw0_never", "nonlo_tw0.", 0);
    expect_reuse(r, "nonlo_tw1_reuses", "nonlo_tw1.", (int)by_range);
    expect_int(r, "pool_every_request_answered", "pool.answered", POOL_REQUESTS, "one connection, reused");
    expect_int(r, "pool_no_time_wait_while_open", "pool.time_wait_before_close", 0, "no connection closed yet");
    expect_int(r, "pool_one_time_wait_after", "pool.time_wait_after_close", 1, "its one close");
    expect_int(r, "server_first_never_fails", "server_first.failed", 0, "the client's ports stay free");
    expect_range(r, "server_first_more_than_the_range", "server_first.connected", RANGE + 1, 1e308);
    expect_int(r, "server_first_client_holds_none", "server_first.time_wait_at_end", 0, "the server closed first");
    expect_equal(r, "server_first_server_holds_them", "server_first.server_time_wait_at_end", "server_first.ports_used");
    expect_equal(r, "server_first_server_served_each", "server_first.served", "server_first.connected");
}

static const struct lesson_quirk quirks[] = {
    {"wine", "exhaust_runs_out_of_ports",
     "Wine 8 sets SO_REUSEADDR on every TCP socket (Windows lets a port in TIME_WAIT be bound), and Linux then "
     "lets the bound socket connect over its own TIME_WAIT entry: no connection fails. Windows refuses a "
     "connection whose four addresses are still in TIME_WAIT (WSAEADDRINUSE)",
     "Wine 8은 모든 TCP 소켓에 SO_REUSEADDR를 설정하고(Windows는 TIME_WAIT인 포트에 bind를 허용하므로), 그러면 Linux는 "
     "bind된 소켓이 자기 TIME_WAIT 엔트리가 있는데도 connect하도록 허용합니다: 실패하는 커넥션이 없습니다. Windows는 "
     "네 주소가 아직 TIME_WAIT에 있는 커넥션을 거부합니다(WSAEADDRINUSE)"},
    {NULL, NULL, NULL, NULL},
};

static const struct lesson_chart charts[] = {
    {"TIME_WAIT entries on the client's port range (kernel table)", SIDE_CLIENT, "time_wait",
     "클라이언트 포트 범위의 TIME_WAIT 엔트리 수 (커널 테이블)"},
    {"connections made so far", SIDE_CLIENT, "connected", "지금까지 맺은 커넥션 수"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "짧은 커넥션이 클라이언트의 포트를 고갈시킵니다: close마다 TIME_WAIT가 남습니다; tw_reuse, 커넥션 풀, "
             "서버가 먼저 닫기",
    .explain = "클라이언트가 한 서버 주소로 10 ms마다 하나씩 짧은 커넥션을 여는데, 각각 포트가 20개뿐인 범위에서 "
               "포트를 잡습니다(IP_LOCAL_PORT_RANGE; 그 밖의 환경에서는 각 포트에 차례로 bind()). 그래서 전체 임시 "
               "포트(ephemeral port) 범위였다면 수만 개의 커넥션이 걸릴 일이 1초도 안 되어 일어납니다. 클라이언트가 "
               "먼저 닫으므로 close마다 클라이언트의 포트가 60 s 동안 TIME_WAIT에 남고, 21번째 커넥션은 빈 포트를 찾지 "
               "못해 connect()가 아무것도 보내기 전에 EADDRNOTAVAIL로 실패합니다. 처방들을 나란히 봅니다. "
               "tcp_tw_reuse는 connect()가 TIME_WAIT가 된 지 tcp_tw_reuse_delay(1 s)보다 오래된 포트를 가져가게 "
               "합니다: 1은 항상, 0은 하지 않음, 기본값 2는 루프백 주소에서만 - 그래서 127.0.0.1에서는 기본값으로도 "
               "이미 재사용하고, 첫 close로부터 1 s 뒤에 커넥션이 다시 이어집니다. 장애 주입 랩(impairment lab)에서는 "
               "랩의 루프백 장치에 붙인, 루프백이 아닌 주소로 같은 커넥션 반복을 보내, 2가 0처럼 동작하는 모습과 "
               "이어서 0과 1의 모습을 보여 줍니다. 커넥션 풀(connection pool)은 그만큼의 요청을 커넥션 하나로 "
               "보냅니다: 그 한 번의 close 전까지 TIME_WAIT는 없습니다. 그리고 서버가 먼저 닫으면 TIME_WAIT는 서버로 "
               "옮겨 가고(클라이언트 포트당 엔트리 하나), 클라이언트의 포트는 즉시 비며, 모든 커넥션이 성공합니다.",
    .watch = "exhaust: 클라이언트의 포트 20개에서 나간 SYN 20개, 그다음 connect()가 실패하는 동안은 SYN이 "
             "없고(EADDRNOTAVAIL은 회선에 나타나지 않습니다), 첫 close로부터 1 s 뒤에 같은 포트들에서 다시 SYN\n"
             "tcp.flags.fin == 1: 반복 구간에서는 첫 FIN이 클라이언트 포트에서, server_first에서는 서버 포트에서 "
             "나갑니다\n"
             "ss -tan state time-wait: 클라이언트의 범위에 엔트리 20개; server_first에서는 서버 포트에\n"
             "장애 주입 랩에서는 실행이 별도의 네임스페이스 안에 있습니다: 실행이 출력하는 nsenter 명령줄로 "
             "지켜보십시오",
    .on_linux = "TIME_WAIT는 먼저 닫은 쪽에서 60 s(TCP_TIMEWAIT_LEN, 고정) 동안 지속됩니다. 포트가 바닥난 connect()는 "
                "EADDRNOTAVAIL로 실패합니다; IP_LOCAL_PORT_RANGE(Linux 6.3+)는 net.ipv4.ip_local_port_range 안에서 "
                "소켓 하나의 범위를 좁히고, 더 오래된 커널에서는 대신 각 포트에 bind()합니다(EADDRINUSE, 그리고 "
                "tcp_tw_reuse는 bind에는 적용되지 않습니다). net.ipv4.tcp_tw_reuse: 0은 하지 않음, 1은 항상, "
                "2(기본값)는 루프백만, net.ipv4.tcp_tw_reuse_delay(1000 ms) 뒤에; TCP 타임스탬프가 필요하며, 이는 "
                "기본으로 켜져 있습니다. 서버의 TIME_WAIT 엔트리로 더 새로운 타임스탬프를 가진 SYN이 오면 새 커넥션이 "
                "열립니다.",
    .on_windows = "TIME_WAIT는 TcpTimedWaitDelay 동안 지속되며(Microsoft 문서에 따르면 현재 Windows는 120 s, 그 이전은 "
                  "240 s), tcp_tw_reuse나 소켓별 포트 범위는 없습니다: 레슨은 범위의 각 포트에 bind합니다. 포트가 "
                  "바닥나면 bind()나 connect()가 WSAEADDRINUSE로, 또는 동적 범위(49152-65535)가 고갈되면 WSAENOBUFS로 "
                  "실패합니다. 커넥션 풀과, 서버가 먼저 닫는 방법은 똑같이 통합니다.",
    .under_wine = "Wine은 Linux 커널 위에서 돌지만 Windows 프로그램에는 IP_LOCAL_PORT_RANGE가 없으므로 각 포트에 "
                  "bind합니다; 그곳에서는 고갈이 일어나지 않습니다(아래의 차이 참고). tcp_tw_reuse 변형들은 장애 주입 "
                  "랩(impairment lab)이 필요하므로 건너뜁니다.",
};

const struct lesson lesson_time_wait_exhaustion = {
    .name = "time-wait-exhaustion",
    .title = "short connections exhaust a client's ports: each close leaves TIME_WAIT; tw_reuse, a pool, the server closing first",
    .explain = "A client opens short connections to one server address, one every 10 ms, each from a range of "
               "only 20 ports (IP_LOCAL_PORT_RANGE; elsewhere a bind() to each port in turn) so that what takes "
               "tens of thousands of connections with the full ephemeral range happens in a fraction of a "
               "second. The client closes first, so each close leaves the client's port in TIME_WAIT for 60 s; "
               "connection 21 finds no free port and connect() fails with EADDRNOTAVAIL before anything is sent. "
               "The cures, side by side. tcp_tw_reuse lets connect() take a port whose TIME_WAIT is older than "
               "tcp_tw_reuse_delay (1 s): 1 means always, 0 never, and the default 2 only for loopback addresses - "
               "so on 127.0.0.1 the default already reuses, and connections resume 1 s after the first close. "
               "In the impairment lab the same churn towards a non-loopback address of the lab's loopback shows "
               "2 acting as 0, then 0 and 1. A connection pool sends as many requests over one connection: no "
               "TIME_WAIT until its one close. And when the server closes first, TIME_WAIT moves to the server "
               "(one entry per client port), the client's ports are free at once, and every connection succeeds.",
    .wireshark = "tcp.port == {port} && tcp.flags.syn == 1 && tcp.flags.ack == 0",
    .watch = "exhaust: 20 SYNs from the client's 20 ports, then no SYN while connect() fails (EADDRNOTAVAIL never "
             "reaches the wire), then, 1 s after the first close, SYNs again from the same ports\n"
             "tcp.flags.fin == 1: the first FIN from the client's port in the churns, from the server's port in "
             "server_first\n"
             "ss -tan state time-wait: 20 entries on the client's range; in server_first, on the server's port\n"
             "in the impairment lab the run is in a private namespace: watch it with the nsenter line it prints",
    .on_linux = "TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN, fixed) on the side that closed first. connect() out of "
                "ports fails with EADDRNOTAVAIL; IP_LOCAL_PORT_RANGE (Linux 6.3+) narrows one socket's range inside "
                "net.ipv4.ip_local_port_range, and older kernels bind() each port instead (EADDRINUSE, and "
                "tcp_tw_reuse does not apply to bind). net.ipv4.tcp_tw_reuse: 0 never, 1 always, 2 (default) loopback "
                "only, after net.ipv4.tcp_tw_reuse_delay (1000 ms); it needs TCP timestamps, on by default. A SYN "
                "to a server's TIME_WAIT entry with a newer timestamp opens a new connection.",
    .on_windows = "TIME_WAIT lasts TcpTimedWaitDelay (Microsoft documents 120 s for current Windows, 240 s before) and there is no "
                  "tcp_tw_reuse or per-socket port range: the lesson binds each port of its range. Out of ports, "
                  "bind() or connect() fails with WSAEADDRINUSE, or WSAENOBUFS when the dynamic range (49152-65535) "
                  "runs dry. A pool and the server closing first work the same.",
    .under_wine = "Wine runs on the Linux kernel, but a Windows program has no IP_LOCAL_PORT_RANGE, so it binds "
                  "each port; the exhaustion does not happen there (see the difference below). The tcp_tw_reuse "
                  "variants need the impairment lab and are skipped.",
    .closer = SIDE_CLIENT,
    .connections = NVARIANTS,
    .conn_prefix = {"exhaust.", "nonlo_tw2.", "nonlo_tw0.", "nonlo_tw1.", "pool.", "server_first."},
    .lab = LAB_WANTS,
    .one_process = 1,
    .duration_hint_ms = 5 * CHURN_MS + 2000,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .quirks = quirks,
    .ko = &ko,
};
