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

static const struct lesson_text ko = {
    .title = "3-way 핸드셰이크와 4-way 종료, 양쪽의 상태를 하나하나; 두 ISN; 세그먼트 세 개로 끝나는 종료",
    .explain = "커넥션 두 개를 열고 닫는 동안, 양쪽은 각자 커널의 소켓 테이블(socket table)에서 커넥션의 자기 쪽 끝을 "
               "단계마다, 그리고 그 사이에도 1 ms마다 읽고, 각 상태를 처음 본 순간을 기록합니다. 루프백에서 "
               "핸드셰이크(handshake)는 마이크로초 만에 끝나므로, 장애 주입 랩(impairment lab)이 패킷 하나를 한 번 "
               "버려서(nftables, 첫 번째 일치만) 잠깐 지나가는 상태들을 늦추고, 어느 패킷을 버렸는지 알려 줍니다. 첫 "
               "번째 커넥션에서는 서버의 SYN-ACK를 버립니다: 약 1 s 뒤 재전송(retransmission)이 있을 때까지 "
               "클라이언트는 SYN_SENT, 서버는 SYN_RECV에 머뭅니다. 두 번째 커넥션에서는 핸드셰이크를 끝내는 "
               "클라이언트의 ACK를 버립니다: 클라이언트의 connect()는 즉시 끝나고 그 끝은 ESTABLISHED이지만, 서버 쪽 "
               "끝은 1초 뒤 SYN-ACK를 다시 보낼 때까지 SYN_RECV에 머뭅니다 - 서버가 accept()하기도 전에 클라이언트가 "
               "이미 보낼 수 있는 커넥션입니다. 양쪽은 실행 중에 두 ISN(Initial Sequence Number)을 모두 읽고(다음 시퀀스 번호, "
               "repair 모드의 TCP_QUEUE_SEQ), 두 쪽의 값은 일치합니다: 외부에서 예측할 수 없는 32비트 숫자로, 한 "
               "커넥션과 다음 커넥션 사이에 멀리 떨어져 있어서 이전 커넥션의 세그먼트나 번호를 추측하는 공격자가 새 커넥션에 들어맞지 "
               "않습니다 - Wireshark의 seq 0과 1은 이 ISN에 대한 상대값입니다. TCP_INFO는 SYN에 무엇이 실려 있었는지 "
               "알려 줍니다: MSS, SACK permitted, 타임스탬프(timestamps), 윈도우 스케일(window scale). 첫 번째 "
               "커넥션에서는 클라이언트가 먼저 닫고(FIN_WAIT1), 서버는 EOF를 읽고(CLOSE_WAIT) 10 ms 뒤에 닫습니다. "
               "지연 ACK(delayed ACK)를 보낼 때가 되기 전이므로 그 ACK는 서버의 FIN에 실려 갑니다: 세그먼트 세 "
               "개이고, 클라이언트는 FIN_WAIT2 없이 FIN_WAIT1에서 곧바로 TIME_WAIT로 갑니다. 두 번째 커넥션에서는 "
               "서버가 배너를 보내고 먼저 닫습니다. 클라이언트는 500 ms 동안 CLOSE_WAIT를 유지하고, 그동안 "
               "클라이언트의 커널이 지연 ACK 시간이 지난 뒤 스스로 FIN을 ACK하며(서버는 FIN_WAIT2로 넘어갑니다), "
               "종료에는 세그먼트 네 개가 듭니다. 두 종료 모두에서 랩은 마지막 ACK를 한 번 버리므로, LAST_ACK는 "
               "재전송 타임아웃(retransmission timeout, 최소 200 ms) 한 번이 지나 FIN이 다시 나갈 때까지 이어집니다. "
               "먼저 닫은 쪽이 TIME_WAIT로 끝납니다: 첫 번째 커넥션에서는 클라이언트, 두 번째에서는 서버입니다.",
    .watch = "Edit > Preferences > Protocols > TCP: Relative sequence numbers의 체크를 해제합니다 - 그러면 SYN에 "
             "보고서가 알려 주는 ISN(first.client.isn ...)이 보입니다\n"
             "first: SYN, SYN-ACK(캡처가 본 뒤 랩이 버림); 약 1 s 뒤 클라이언트의 SYN 타이머와 서버의 SYN-ACK "
             "타이머가 모두 만료됩니다: SYN과 SYN-ACK가 다시(TCP Retransmission) 엇갈려 나가고, 클라이언트의 ACK들이 "
             "뒤따릅니다 - 보고서의 handshake_retransmissions가 이를 셉니다\n"
             "first: 클라이언트의 FIN, 10 ms 뒤 그것을 확인응답하는 서버의 FIN(둘 사이에 ACK 없음), 클라이언트의 ACK "
             "- 이 ACK가 버려지므로 약 200 ms 뒤 서버의 FIN이 다시 오고 다시 ACK됩니다\n"
             "second: SYN-ACK에 대한 클라이언트의 ACK, 버려짐; 1 s 뒤 SYN-ACK가 다시, ACK도 다시\n"
             "second: 서버의 FIN, 약 40 ms 뒤 클라이언트의 데이터 없는 ACK(지연 ACK, delayed ACK), 500 ms 뒤 "
             "클라이언트의 FIN, 마지막 ACK 두 번\n"
             "랩 안에서 nsenter -t PID -n ss -tan(PID는 실행이 출력하는 값): SYN-SENT와 SYN-RECV가 1초 동안, "
             "CLOSE-WAIT와 FIN-WAIT-2가 500 ms 동안, LAST-ACK가 200 ms 동안, 그리고 TIME-WAIT",
    .on_linux = "상태 이름은 ss가 부르는 대로입니다(SYN-SENT ... TIME-WAIT). 잃어버린 SYN이나 SYN-ACK는 "
                "TCP_TIMEOUT_INIT(1 s) 뒤에, FIN은 재전송 타임아웃(retransmission timeout, 최소 TCP_RTO_MIN, 200 ms) "
                "뒤에 다시 전송됩니다. ISN은 주소와 포트에 대한 키 해시(keyed hash)에 시계 값을 더한 것으로(RFC 6528, "
                "net/core/secure_seq.c), 예측할 수 없고 새 포트 쌍마다 다릅니다. TCP_INFO의 advmss는 타임스탬프 "
                "옵션이 모든 세그먼트에서 12 bytes를 차지하고 남은 MSS입니다: SYN은 이보다 12 큰 값을 알렸습니다. "
                "받은 FIN은 늦게 ACK되므로(지연 ACK(delayed ACK), 최소 40 ms), 그 시간 안에 닫는 애플리케이션은 "
                "FIN-ACK 하나를 보냅니다: 세그먼트 세 개. TIME_WAIT는 60 s 동안 지속됩니다(TCP_TIMEWAIT_LEN, 컴파일 "
                "시 고정). 시퀀스 번호를 읽으려면(TCP_REPAIR) 커넥션의 네트워크 네임스페이스(network namespace)에서 "
                "CAP_NET_ADMIN이 필요한데, 랩은 일반 사용자에게도 이를 줍니다; 그 밖의 곳에서는 ISN을 읽지 않습니다.",
    .on_windows = "GetTcpTable도 같은 상태를 보여 줍니다. 랩은 Windows에서 실행할 수 없으므로(패킷을 버리려면 "
                  "WinDivert 같은 필터 드라이버가 필요합니다) 아무것도 늦춰지지 않습니다: 애플리케이션이 붙잡고 있는 "
                  "상태만 보이고 검사됩니다 - 나중에 닫은 쪽의 CLOSE_WAIT, 그리고 먼저 닫은 쪽의 FIN_WAIT2와 TIME_WAIT(테이블을 한 번 "
                  "읽는 데 오래 걸리는 곳에서는 클라이언트가 CLOSE_WAIT를 다섯 번 읽는 시간만큼 유지합니다). "
                  "Windows는 프로그램에 시퀀스 번호를 주지 않습니다: ISN은 캡처에서 읽으십시오. 문서에 따른 것이며 "
                  "측정하지 않았습니다: 지연 ACK(delayed ACK)는 200 ms, TIME_WAIT는 120 s(TcpTimedWaitDelay), ISN은 "
                  "무작위입니다.",
    .under_wine = "Wine은 소켓을 밑에 있는 Linux 커널에 넘기고 GetTcpTable도 그 커널에서 만들어 내므로, 상태는 "
                  "Linux의 것입니다; SIO_TCP_INFO도 시퀀스 번호도 없으므로 ISN, 옵션, 세그먼트 수는 없습니다.",
};

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
               "client could already send on before the server can accept() it. Each side reads both ISNs in the run (the next "
               "sequence numbers, TCP_QUEUE_SEQ in repair mode), and the two sides agree: 32-bit numbers no "
               "outsider can predict, far apart from one connection to the next, so that an old connection's segments or a guessing "
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
                "TCP_TIMEOUT_INIT (1 s), a FIN after the retransmission timeout (at least TCP_RTO_MIN, 200 ms). The "
                "ISN is a keyed hash of the addresses and ports plus a clock (RFC 6528, net/core/secure_seq.c): "
                "unpredictable, and different for every new port pair. TCP_INFO's advmss is the MSS left once the timestamp "
                "option takes its 12 bytes of every segment: the SYN announced 12 more. A received FIN is ACKed late (the delayed "
                "ACK, 40 ms at least), so an application that closes within that time sends one FIN-ACK: three "
                "segments. TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN, compiled in). Reading sequence numbers "
                "(TCP_REPAIR) needs CAP_NET_ADMIN in the connection's network namespace, which the lab gives even "
                "a plain user; elsewhere the ISNs are not read.",
    .on_windows = "GetTcpTable shows the same states. The lab cannot run on Windows (dropping a packet needs a "
                  "filter driver such as WinDivert), so nothing is slowed: only the states the applications hold "
                  "are seen and checked - CLOSE_WAIT on the side that closed second, FIN_WAIT2 and TIME_WAIT on the "
                  "side that closed first (where a "
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
    .ko = &ko,
};
