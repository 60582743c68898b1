/* sack - one lost segment and what the sender sends again, with Selective ACK and without; then a
 * small random loss. The notes' picture: segments 1-5, 4 lost - "the old way resends 4 and 5, SACK
 * only 4". What does this kernel do?
 *
 * In the impairment lab, whose loopback carries one MSS-sized segment per packet as Ethernet does
 * (MTU 1500, no TSO/GSO), the client sends a bulk transfer to the server, four times; before each
 * connection it sets net.ipv4.tcp_sack in the lab (both SYNs then carry SACK-permitted, or neither):
 *   one_sack, one_nosack        ONE_SEGS segments; nftables drops the 4th of the last five once (found
 *                               by its sequence number: the sender's, read with TCP_QUEUE_SEQ)
 *   random_sack, random_nosack  RANDOM_SEGS segments; every data packet is dropped with a chance of
 *                               RANDOM_PER_MILLE / 1000 (numgen random), retransmissions included
 * The sender samples TCP_INFO every millisecond (sacked, lost, retrans, the congestion state) and
 * reads its counts at the end: segments and bytes sent again, D-SACKs, reordering, retransmission
 * timeouts; the lab's counter says how many packets it dropped; the receiver times its longest wait
 * between two reads - the time the loss cost it - and counts out-of-order packets.
 *
 * On the wire (one_sack; C = the sender's port, P the receiver's, relative seq; the 4th of the last
 * five starts at h, the 5th ends at e):
 *   C > P  seq h:h+1448          dropped in the lab (the capture saw it)
 *   C > P  seq h+1448:e          arrives out of order
 *   P > C  ack h, sack 1 {h+1448:e}       a duplicate ACK naming what arrived beyond the hole
 *   C > P  seq h:h+1448          only the hole, milliseconds later (RACK / tail loss probe)
 *   P > C  ack e
 * one_nosack: the duplicate ACK has no SACK block, and one is not the three duplicate ACKs fast
 * retransmit waits for: the retransmission timer (>= 200 ms) sends the hole again - only the hole,
 * the receiver kept the 5th. The notes' "4 and 5" comes after a timeout with several holes, which
 * the random loss shows: the sender goes back to the first hole and sends again what had arrived. */
#include "lessons/lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE_SEGS 200
#define RANDOM_SEGS 1000
#define RANDOM_PER_MILLE 20 /* 1 in 50, as the rule's text says */
#define SAMPLE_MS 1
#define MAX_MS 8000 /* a bound on one transfer, far past a few timeouts */
#define TABLE "inet socklab_sack"

static const char *const names[] = {"one_sack", "one_nosack", "random_sack", "random_nosack"};
static int is_random(const struct lesson_side *s) { return side_conn(s) >= 2; }
static int sack_on(const struct lesson_side *s) { return side_conn(s) % 2 == 0; }
static const char *name(const struct lesson_side *s) { return names[side_conn(s) % 4]; }

/* Once, before any connection: the lab's loopback carries one segment a packet, and a new socket's
 * send buffer takes a whole transfer, so the sender is never held back by it - as a sender with more
 * to send than the network takes. */
static void listener_prepare(struct lesson_side *s, sock_t listener)
{
    (void)listener;
    if (side_lab(s) && side_lab_ethernet(s) == 0)
        side_lab_sysctl(s, "net.ipv4.tcp_wmem", "4096 4194304 4194304");
}

/* Before each connection: SACK on or off for both ends (one namespace: both SYNs then carry
 * SACK-permitted, or neither does). */
static void client_prepare(struct lesson_side *s, sock_t sock)
{
    (void)sock;
    if (side_lab(s))
        side_lab_sysctl(s, "net.ipv4.tcp_sack", sack_on(s) ? "1" : "0");
    else
        side_log(s, "no impairment lab: nothing is dropped, the transfer runs as it is");
}

/* The drop: the 4th of the last five segments once, or each data packet with a small chance. The
 * last five are known by their sequence numbers (the sender's ISN + 1, read in repair mode): the
 * first packet to start in the last two MSS of the transfer is the one before the last, wherever
 * the sender cut its segments (a window that ends mid-segment makes it cut one short). */
static void arrange_loss(struct lesson_side *s, long long total)
{
    char match[160];
    uint32_t snd = 0, rcv = 0, from, to;
    long mss = total / ONE_SEGS;
    if (!side_lab(s))
        return;
    if (is_random(s)) {
        snprintf(match, sizeof match, "tcp flags & (syn|fin|rst) == 0 meta length > 200 numgen random mod 1000 < %d",
                 RANDOM_PER_MILLE);
    } else {
        if (sock_tcp_seq(side_sock(s), &snd, &rcv, NULL) != 0) {
            side_error(s, "the segment to drop", "the sender's sequence number could not be read");
            return;
        }
        from = snd + (uint32_t)(total - 2 * mss);
        to = snd + (uint32_t)total - 1u;
        side_fact_int(s, "drop_from_relative_seq", 1 + total - 2 * mss);
        snprintf(match, sizeof match, from <= to ? "tcp sequence %u-%u numgen inc mod 1000000 0"
                                                 : "tcp sequence { %u-4294967295, 0-%u } numgen inc mod 1000000 0",
                 (unsigned)from, (unsigned)to);
    }
    side_lab_nft(s, is_random(s) ? "a small random loss: each data packet dropped with a chance of 1 in 50"
                                  : "one loss: the 4th of the last five segments, dropped once",
                 "add table " TABLE "\nadd chain " TABLE " in { type filter hook input priority 0; policy accept; }\n"
                 "add counter " TABLE " %s\nadd rule " TABLE " in tcp sport %u tcp dport %u %s counter name %s drop",
                 name(s), (unsigned)side_local_port(s), (unsigned)side_remote_port(s), match, name(s));
}

/* While it recovers, sampled: the most segments SACKed at once (without SACK: counted from
 * duplicate ACKs), deemed lost, being retransmitted; the congestion states seen; bytes acknowledged
 * (the SYN's one too; -1 where TCP_INFO has none). */
struct recovery {
    long sacked, lost, retrans;
    long long acked;
    unsigned states; /* bit n: TCP_CA state n */
};

static void sample(struct lesson_side *s, struct recovery *r)
{
    struct sock_tcpinfo ti;
    if (sock_tcp_info(side_sock(s), &ti, NULL) != 0 || ti.sacked < 0) {
        r->acked = -1;
        return;
    }
    r->sacked = ti.sacked > r->sacked ? ti.sacked : r->sacked;
    r->lost = ti.lost > r->lost ? ti.lost : r->lost;
    r->retrans = ti.retrans > r->retrans ? ti.retrans : r->retrans;
    r->acked = ti.bytes_acked;
    r->states |= ti.ca_state >= 0 && ti.ca_state < 5 ? 1u << ti.ca_state : 0u;
}

static void sender_facts(struct lesson_side *s, const struct recovery *r)
{
    static const char *const ca[] = {"open", "disorder", "cwr", "recovery", "loss"};
    struct sock_tcpinfo ti;
    char text[64] = "";
    long long dropped;
    int i;
    if (sock_tcp_info(side_sock(s), &ti, NULL) != 0 || ti.sacked < 0)
        return;
    side_fact_int(s, "sack_permitted", ti.opt_sack);
    side_fact_int(s, "mss", ti.snd_mss);
    side_fact_int(s, "retransmitted", ti.total_retrans);
    side_fact_int(s, "bytes_retransmitted", ti.bytes_retrans);
    side_fact_int(s, "dsack_dups", ti.dsack_dups);
    side_fact_int(s, "reordering", ti.reordering);
    side_fact_int(s, "reord_seen", ti.reord_seen);
    if (ti.total_rto >= 0) /* Linux 6.7+ */
        side_fact_int(s, "rto_timeouts", ti.total_rto);
    side_fact_int(s, "max_sacked", r->sacked);
    side_fact_int(s, "max_lost", r->lost);
    side_fact_int(s, "max_retrans", r->retrans);
    for (i = 0; i < 5; i++)
        if (r->states & (1u << i))
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", text[0] ? " " : "", ca[i]);
    side_fact_str(s, "ca_states_seen", text);
    side_log(s, "TCP_INFO: %ld segments sent again, %ld D-SACKed, %ld timeouts; sampled at most %ld SACKed, %ld "
                "lost, %ld retransmitting; %s", ti.total_retrans, ti.dsack_dups, ti.total_rto, r->sacked, r->lost,
             r->retrans, text);
    snprintf(text, sizeof text, TABLE " %s", name(s));
    if (!side_lab(s) || (dropped = side_lab_counter(s, text)) < 0)
        return;
    side_fact_int(s, "lab_dropped", dropped);
    side_fact_int(s, "resent_not_lost", ti.total_retrans - dropped);
    side_log(s, "lab: %lld packets dropped; %lld segments sent again that had not been lost", dropped,
             (long long)ti.total_retrans - dropped);
}

/* Client: the sender. One write of the whole transfer (the lab's send buffer takes it at once), then
 * TCP_INFO every SAMPLE_MS until the receiver has acknowledged every byte; then the close. */
static void client(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    struct recovery r = {0, 0, 0, 0, 0};
    long long total, sent = 0;
    long mss = 1448, n;
    char *data;
    double t0;
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.snd_mss > 0)
        mss = ti.snd_mss;
    total = (long long)mss * (is_random(s) ? RANDOM_SEGS : ONE_SEGS);
    if ((data = calloc((size_t)total, 1)) == NULL) {
        side_error(s, "send buffer", "out of memory");
        return;
    }
    arrange_loss(s, total);
    side_set_blocking(s);
    t0 = side_now_ms(s);
    while (sent < total && (n = sock_send(side_sock(s), data + sent, (size_t)(total - sent))) > 0)
        sent += n;
    free(data);
    while (r.acked >= 0 && r.acked < sent && side_now_ms(s) - t0 < MAX_MS) { /* Windows: -1, no wait */
        side_sleep(s, SAMPLE_MS);
        sample(s, &r);
    }
    side_add_bytes(s, sent, 0);
    side_fact_int(s, "sent", sent);
    if (r.acked > 0)
        /* the SYN's byte is not data, nor socklab-bot's session line */
        side_fact_int(s, "acknowledged", r.acked - 1 - side_session_bytes_sent(s));
    side_fact_ms(s, "send_ms", side_now_ms(s) - t0);
    side_log(s, "sent %lld bytes (%lld segments of %ld)%s after %.1f ms", sent, total / mss, mss,
             r.acked >= sent ? ", all acknowledged" : "", side_now_ms(s) - t0);
    sender_facts(s, &r);
    side_close(s);
}

/* Server: the receiver. Reads to EOF, timing the longest wait between two reads: a hole holds back
 * everything after it until it is filled, so that wait is the time the loss cost the application. */
static void server(struct lesson_side *s)
{
    char buf[65536];
    struct sock_tcpinfo ti;
    long long got = 0;
    double first = -1, last = 0, stall = 0;
    for (;;) {
        long n;
        if (side_wait(s, 0, MAX_MS) != 1)
            break;
        n = sock_recv(side_sock(s), buf, sizeof buf);
        if (n < 0 && sock_err_is_retriable(sock_last_error()))
            continue;
        if (n <= 0)
            break;
        if (first >= 0 && side_now_ms(s) - last > stall)
            stall = side_now_ms(s) - last;
        last = side_now_ms(s);
        if (first < 0)
            first = last;
        got += n;
    }
    side_add_bytes(s, 0, got);
    side_fact_int(s, "received", got);
    side_fact_ms(s, "longest_stall_ms", stall);
    side_fact_ms(s, "receive_ms", first >= 0 ? last - first : 0);
    if (sock_tcp_info(side_sock(s), &ti, NULL) == 0 && ti.rcv_ooopack >= 0)
        side_fact_int(s, "out_of_order_packets", ti.rcv_ooopack);
    side_log(s, "received %lld bytes; the longest wait between two reads: %.1f ms", got, stall);
    side_close(s);
}

static void check(struct lesson_report *r)
{
    long long dropped, dups;
    const char *v;
    int i;
    for (i = 0; i < 4; i++) { /* TCP delivers every byte, in order, whatever it lost on the way */
        char id[48], a[48], b[48];
        v = names[i];
        snprintf(id, sizeof id, "%s_delivered_everything", v);
        snprintf(a, sizeof a, "%s.received", v);
        if (!report_fact_int(r, a, &dups)) /* the sender alone (socklab-bot): what the receiver acknowledged */
            snprintf(a, sizeof a, "%s.acknowledged", v);
        snprintf(b, sizeof b, "%s.sent", v);
        expect_equal(r, id, a, b);
    }
    if (!report_fact_int(r, "one_sack.lab_dropped", &dropped))
        return; /* no lab: nothing was lost, and SACK could not be switched */
    expect_int(r, "one_sack_negotiated", "one_sack.sack_permitted", 1, "tcp_sack=1: both SYNs carried it");
    expect_int(r, "one_nosack_not_negotiated", "one_nosack.sack_permitted", 0, "tcp_sack=0");
    expect_int(r, "one_sack_lab_dropped_one", "one_sack.lab_dropped", 1, "the chosen segment, once");
    expect_int(r, "one_nosack_lab_dropped_one", "one_nosack.lab_dropped", 1, "the chosen segment, once");
    if (report_fact_int(r, "one_sack.dsack_dups", &dups)) /* a tail loss probe may resend the last one too */
        expect_int(r, "one_sack_resent_only_the_hole", "one_sack.retransmitted", 1 + dups,
                   "the hole, and any the receiver reported as duplicates (D-SACK)");
    expect_int(r, "one_nosack_resent_only_the_hole", "one_nosack.retransmitted", 1, "the receiver kept the next one");
    expect_int(r, "one_sack_no_timeout", "one_sack.rto_timeouts", 0, "a SACK block shows the loss at once");
    expect_int(r, "one_nosack_recovered_by_timeout", "one_nosack.rto_timeouts", 1, "one duplicate ACK, not three");
    expect_range(r, "one_sack_recovered_in_ms", "one_sack.longest_stall_ms", 0, 100);
    expect_range(r, "one_nosack_waited_for_the_timer", "one_nosack.longest_stall_ms", 200, 1500);
    /* with SACK every retransmission fills a hole the lab made, or the receiver reports it as a
     * duplicate (D-SACK): a tail loss probe that was not needed */
    if (report_fact_int(r, "random_sack.lab_dropped", &dropped) && report_fact_int(r, "random_sack.dsack_dups", &dups))
        expect_int(r, "random_sack_resent_only_holes", "random_sack.retransmitted", dropped + dups,
                   "packets the lab dropped + D-SACKed duplicates");
    if (report_fact_int(r, "random_nosack.lab_dropped", &dropped))
        expect_range(r, "random_nosack_resent_every_loss", "random_nosack.retransmitted", (double)dropped, 1e300);
}

static const struct lesson_text ko = {
    .title = "선택적 ACK(Selective ACK): 잃어버린 세그먼트 하나는 SACK가 있든 없든 그것만 다시 보냅니다; 예전 방식은 "
             "타임아웃 뒤에",
    .explain = "클라이언트는 장애 주입 랩(impairment lab)을 거쳐 서버로 대량 전송(bulk transfer)을 네 번 합니다. 랩의 "
               "루프백은 이더넷 회선 하나처럼 패킷 하나에 MSS 크기의 세그먼트 하나를 순서대로 나릅니다(MTU 1500, "
               "세그멘테이션 오프로드 없음, 실행은 CPU 하나에 고정). 클라이언트는 커넥션마다 그 전에 랩에서 "
               "net.ipv4.tcp_sack를 설정합니다: 1이면 두 SYN 모두 SACK-permitted를 싣고, 0이면 둘 다 싣지 않으며, "
               "협상되었는지는 TCP_INFO가 알려 줍니다. 처음 두 전송(세그먼트 200개)에서는 nftables가 세그먼트 하나를 "
               "한 번 버립니다: 마지막 다섯 개 중 네 번째로, 노트에 나온 그림 - 세그먼트 1부터 5까지 중 4가 유실 - "
               "그대로입니다. 다섯 번째는 순서가 어긋난 채(out of order) 도착하고, 수신 측은 중복 ACK(duplicate "
               "ACK)를 보냅니다. SACK가 있으면 그 ACK에 SACK 블록(SACK block)이 실리고, 블록의 왼쪽과 오른쪽 "
               "경계(left/right edge)가 구멍(hole) 너머에 도착한 바이트를 가리키며, 송신 측은 빠진 세그먼트만 몇 "
               "밀리초 뒤에 타임아웃 없이 다시 보냅니다(RACK과 tail loss probe가 SACK 정보를 보고 동작합니다). SACK가 "
               "없으면 중복 ACK는 '아직 이 바이트를 기다리는 중'이라는 말만 되풀이합니다; 하나뿐인 중복 ACK는 빠른 "
               "재전송(fast retransmit)이 기다리는 세 개가 아니므로 재전송 타이머(retransmission timer, 최소 200 "
               "ms)가 먼저 만료되고 - 그때도 송신 측은 빠진 세그먼트만 다시 보냅니다: Linux의 수신 측이 다섯 번째를 "
               "보관해 두었고, 네 번째에 대한 ACK가 둘 다를 확인하기 때문입니다. 여기서 유실 하나의 대가는 시간이지, "
               "네 번째와 다섯 번째를 두 번씩 보내는 것이 아닙니다. 마지막 두 전송(세그먼트 1000개)에서는 재전송을 "
               "포함한 데이터 패킷 하나하나가 2% 확률로 유실됩니다. SACK가 있으면 송신 측은 랩이 버린 패킷만 정확히 "
               "다시 보내고(여기에 수신 측이 중복이라고 되돌려 알린 것, D-SACK가 더해집니다), 대개 타임아웃 없이 "
               "그렇게 합니다. SACK가 없으면 중복 ACK는 구멍을 한 번에 하나씩만 보여 줍니다; 재전송까지 유실되거나 "
               "유실이 끝부분에 있으면 타이머가 만료되고, 타임아웃 뒤 송신 측은 확인응답되지 않은 모든 것을 "
               "유실로 표시하고 첫 번째 구멍부터 다시 보냅니다 - 처음에는 세그먼트 하나, ACK가 올 때마다 더 많이. ACK는 "
               "수신 측이 보관한 부분을 건너뛰지만 이미 보낸 세그먼트는 되돌릴 수 없으므로, 수신 측이 이미 가진 "
               "세그먼트가 다시 나가는지는 유실이 어디에 떨어졌는지에 달려 있습니다: 어떤 실행에서는 수십 개, 어떤 "
               "실행에서는 하나도 없습니다. 노트의 예전 방식이 아직도 일어나는 곳이 바로 여기입니다: resent_not_lost가 "
               "이번 실행에서 그것을 셉니다(송신 측이 다시 보낸 것에서 랩이 버린 "
               "것을 뺀 값). 그 옆에는 타임아웃 횟수와, 수신 측이 두 번의 읽기 사이에 가장 오래 기다린 시간 - 유실이 "
               "애플리케이션에 치르게 한 시간 - 이 나옵니다. 무작위 실행의 결과는 실행마다 다르지만, 검사 항목은 모든 "
               "실행에서 성립합니다.",
    .watch = "one_sack: 마지막 다섯 세그먼트 중 네 번째(캡처가 본 뒤 랩이 버림), 다섯 번째, SACK 블록이 실린 수신 "
             "측의 중복 ACK - Wireshark의 SLE와 SRE는 다섯 번째 세그먼트의 첫 바이트와 마지막 바이트 + 1 - 그리고 몇 "
             "밀리초 뒤 다시 나가는 네 번째(TCP Retransmission)와 전부를 확인하는 ACK 하나\n"
             "one_nosack: SYN에 SACK_PERM 없음, SACK 블록 없는 중복 ACK, 약 200 ms의 침묵, 다시 나가는 네 번째, "
             "전부를 확인하는 ACK 하나; 다섯 번째가 두 번 나가는 일은 없습니다\n"
             "random_sack: SACK 블록이 최대 세 개까지 실린 중복 ACK; 모든 재전송은 어느 블록도 덮지 않은 구멍을 "
             "채우거나, 수신 측이 중복이라고 되돌려 알린 것(ACK 번호 아래의 D-SACK 블록)입니다\n"
             "random_nosack: 200 ms 이상의 멈춤(재전송 타이머), 그 뒤로 세그먼트가 줄지어 다시 나갑니다 - 그중 어느 "
             "것을 수신 측이 이미 가지고 있었는지 Wireshark는 알 수 없습니다(수신 측은 그것들을 확인응답하지 않은 채 "
             "비순차 큐(out-of-order queue)에 보관해 두었습니다)\n"
             "Statistics > TCP Stream Graphs > Stevens: 구멍, 멈춤, 다시 보낸 세그먼트 묶음",
    .on_linux = "SACK(RFC 2018)는 기본으로 켜져 있고(net.ipv4.tcp_sack=1) 두 SYN 모두 SACK-permitted를 실었을 때만 "
                "쓰입니다; D-SACK(RFC 2883)는 중복을 알립니다. RACK(RFC 8985)과 tail loss probe는 SACK 블록(SACK "
                "block)으로 유실을 감지합니다; SACK가 없으면 Linux는 NewReno(RFC 6582)로 돌아갑니다: "
                "tcp_reordering(3)개의 중복 ACK(duplicate ACK) 뒤에 빠른 재전송(fast retransmit), 그다음은 왕복(round "
                "trip)마다 구멍 하나씩. 재전송 타이머(retransmission timer, 최소 200 ms)가 만료되면 전송 중인(in "
                "flight) 모든 것이 유실로 간주되어 첫 번째 구멍부터 다시 전송됩니다. SACK 블록이 가리킨 것만은 "
                "예외입니다. 수신 측은 어느 경우에나 순서가 어긋난 세그먼트를 보관합니다. TCP_INFO의 sacked, lost, "
                "retrans는 순간의 카운트로, 여기서는 1 ms마다 샘플링합니다: 루프백에서 SACK 복구는 대부분의 샘플보다 "
                "먼저 끝납니다; 마지막의 카운트(total_retrans, dsack_dups, 그리고 Linux 6.7+의 total_rto)는 정확합니다.",
    .on_windows = "Windows는 모든 커넥션에서 SACK를 협상하고 프로그램이 이를 끌 수 없으므로(예전의 SackOpts "
                  "레지스트리 값도 기본값이 켜짐이었습니다) SACK 없는 절반은 그곳에서 재현할 수 없습니다; 패킷을 "
                  "버리려면 필터 드라이버(WinDivert)가 필요하므로, 레슨은 네 번의 전송을 유실 없이 실행하고 모든 "
                  "바이트가 도착했는지 검사합니다. 문서에 따른 것이며 측정하지 않았습니다.",
    .under_wine = "Wine은 소켓을 밑에 있는 Linux 커널에 넘기고, 그 커널은 기본적으로 SACK를 협상합니다; 랩도 "
                  "SIO_TCP_INFO도 없으므로 유실 없는 전송 네 번이고 카운트는 없습니다.",
};

const struct lesson lesson_sack = {
    .name = "sack",
    .title = "Selective ACK: one lost segment is resent alone, with SACK or without; the old way after a timeout",
    .explain = "The client sends a bulk transfer to the server four times through the impairment lab, whose "
               "loopback carries one MSS-sized segment per packet, in order, as one Ethernet wire does (MTU 1500, "
               "no segmentation offload, the run kept on one CPU). Before each connection it sets "
               "net.ipv4.tcp_sack in the lab: with 1 both SYNs carry SACK-permitted, with 0 neither does, and "
               "TCP_INFO tells whether it was negotiated. In the first two transfers (200 segments) nftables drops "
               "one segment once: the 4th of the last five, as in the notes' picture of segments 1 to 5 with 4 "
               "lost. The 5th arrives out of order and the receiver sends a duplicate ACK. With SACK that ACK "
               "carries a SACK block whose left and right edges name the bytes that arrived beyond the hole, and "
               "the sender resends the missing segment alone, milliseconds later, with no timeout (RACK and the "
               "tail loss probe act on SACK information). Without SACK the duplicate ACK only repeats 'still "
               "waiting for this byte'; one is not the three duplicate ACKs fast retransmit waits for, so the "
               "retransmission timer (200 ms at least) runs out first - and then the sender still resends only "
               "the missing segment: Linux's receiver kept the 5th, and the ACK for the 4th covers both. A single "
               "loss costs time here, not the 4th and 5th twice. The last two transfers (1000 segments) lose each "
               "data packet with a chance of 2%, retransmissions included. With SACK the sender resends exactly "
               "the packets the lab dropped (plus any the receiver reports back as duplicates, D-SACK), mostly "
               "without a timeout. Without SACK duplicate ACKs show one hole at a time; when a retransmission is "
               "lost as well, or the loss is at the end, the timer runs out, and after a timeout the sender marks "
               "everything unacknowledged as lost and resends it from the first hole, one segment first and more "
               "with each ACK. An ACK jumps over what the receiver kept, but segments already sent are not called "
               "back, so whether some the receiver already had go out again depends on where the losses fell: in "
               "some runs dozens, in others none. That is where the notes' old way still happens: resent_not_lost "
               "counts them in this run (what the sender resent minus what the lab dropped), beside the timeouts and the receiver's longest wait "
               "between two reads, the time the losses cost the application. The random runs differ from run to "
               "run; the checks hold for every run.",
    .wireshark = "tcp.port == {port} && (tcp.analysis.retransmission || tcp.analysis.fast_retransmission || "
                 "tcp.analysis.duplicate_ack || tcp.options.sack_perm || tcp.options.sack_le)",
    .watch = "one_sack: the 4th of the last five segments (the capture sees it, then the lab drops it), the 5th, the "
             "receiver's duplicate ACK with a SACK block - Wireshark's SLE and SRE, the 5th's first and last byte "
             "+ 1 - and milliseconds later the 4th again (TCP Retransmission) and one ACK for everything\n"
             "one_nosack: no SACK_PERM in the SYNs, a bare duplicate ACK, about 200 ms of silence, the 4th again, "
             "one ACK for everything; the 5th is never sent twice\n"
             "random_sack: duplicate ACKs with up to three SACK blocks; every retransmission fills a hole no block "
             "covered, or is one the receiver reports back as a duplicate (a D-SACK block below the ACK number)\n"
             "random_nosack: pauses of 200 ms and more (the retransmission timer), after which runs of segments go "
             "out again - Wireshark cannot tell which of them the receiver already had (it kept them unacknowledged "
             "in its out-of-order queue)\n"
             "Statistics > TCP Stream Graphs > Stevens: the holes, the pauses and the resent runs",
    .on_linux = "SACK (RFC 2018) is on by default (net.ipv4.tcp_sack=1) and used only when both SYNs carried "
                "SACK-permitted; D-SACK (RFC 2883) reports duplicates. RACK (RFC 8985) and the tail loss probe "
                "detect losses from SACK blocks; without SACK Linux falls back to NewReno (RFC 6582): fast "
                "retransmit after tcp_reordering (3) duplicate ACKs, then one hole per round trip. When the "
                "retransmission timer (at least 200 ms) runs out, everything in flight counts as lost and is sent "
                "again from the first hole, except what SACK blocks named. The receiver keeps out-of-order "
                "segments either way. TCP_INFO's sacked, lost and retrans are momentary counts, sampled here "
                "every millisecond: on loopback a SACK recovery is over before most samples; the counts at the "
                "end (total_retrans, dsack_dups, and from Linux 6.7 total_rto) are exact.",
    .on_windows = "Windows negotiates SACK on every connection and a program cannot turn it off (the old SackOpts "
                  "registry value defaulted to on), so the half without SACK cannot be staged there; dropping "
                  "packets needs a filter driver (WinDivert), so the lesson runs the four transfers without loss "
                  "and checks that every byte arrived. Documented, not measured.",
    .under_wine = "Wine hands the sockets to the Linux kernel underneath, which negotiates SACK by default; there is "
                  "no lab and no SIO_TCP_INFO, so four lossless transfers and no counts.",
    .lab = LAB_WANTS,
    .closer = SIDE_CLIENT,
    .connections = 4,
    .conn_prefix = {"one_sack.", "one_nosack.", "random_sack.", "random_nosack."},
    .duration_hint_ms = 3000,
    .listener_prepare = listener_prepare,
    .client_prepare = client_prepare,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
