/* segmentation - who cuts the byte stream into MSS-sized segments: TCP, the NIC, or nobody.
 *
 * The server writes TRANSFER bytes in send() calls of WRITE_SIZE, then shuts down its sending half;
 * the client reads to EOF and closes. Each side then reads TCP_INFO: the MSS and the segments TCP
 * itself counted.
 *
 * On the wire, as scripts/netns-lab.sh segmentation captures it on three hosts in network
 * namespaces joined by veth pairs (MTU 1500, MSS 1448 with timestamps), server A -> router W ->
 * client B:
 *   A's veth       P > C  [.] length 7240, 14480, 21720, ... 65160, 376
 *                  super-segments: TCP builds GSO packets of up to 45 x 1448 bytes for the device
 *                  (veth offers TSO) to cut; 376 is the tail of a 64 KiB write (65536 = 45 x 1448
 *                  + 376), often sent on its own
 *   W, from A      the very same packets: a veth pair hands a super-segment across unsplit, so two
 *                  namespaces joined by one veth show big segments on both ends and never the cut
 *   W, to B        P > C  [.] length 1448, 1448, ...   TSO off on this veth: the kernel segments in
 *                                                      software, as a NIC does - this is the wire
 *   B's veth       GRO off: length 1448 each, what arrived.
 *                  GRO on:  length 14480, 65160, ... again: the capture taps after GRO, which
 *                           merged them
 *
 * TCP_INFO sees none of this: segs_out / segs_in count MSS-sized segments (a 45-MSS GSO packet
 * counts 45), so bytes / data_segs_out is at most the MSS on every path, loopback included.
 *
 * The student sees: the MSS both ends use, the write sizes, TCP's own segment counts - and from
 * the script, a segment-size histogram at each capture point, with the receiver's GRO off and on. */
#include "lessons/lesson.h"

#define TRANSFER (4L * 1024L * 1024L)
#define WRITE_SIZE 65536L
#define IDLE_MS 3000

static const char payload[WRITE_SIZE]; /* only byte counts matter */

/* TCP_INFO's MSS and segment counts for this side, under <prefix>.* */
static void record_segments(struct lesson_side *s, long long bytes, int sender)
{
    char err[SOCK_ERR_LEN];
    struct sock_tcpinfo ti;
    long segs, mss;
    int rc = sock_tcp_info(side_sock(s), &ti, err);
    if (rc != 0) {
        side_log(s, "no TCP_INFO here: %s", err);
        return;
    }
    mss = sender ? ti.snd_mss : ti.rcv_mss;
    segs = sender ? ti.data_segs_out : ti.data_segs_in;
    if (mss > 0)
        side_fact_int(s, sender ? "sender.snd_mss" : "receiver.rcv_mss", mss);
    if (!sender && ti.advmss > 0) /* what this end announced: no segment may carry more */
        side_fact_int(s, "receiver.advmss", ti.advmss);
    if (segs < 0)
        return; /* the platform does not count segments (Windows) */
    side_fact_int(s, sender ? "sender.data_segs_out" : "receiver.data_segs_in", segs);
    side_fact_int(s, sender ? "sender.segs_out" : "receiver.segs_in", sender ? ti.segs_out : ti.segs_in);
    if (sender && ti.total_retrans >= 0)
        side_fact_int(s, "sender.total_retrans", ti.total_retrans); /* a capture shows these bytes twice */
    if (segs > 0)
        side_fact_num(s, sender ? "sender.bytes_per_data_segment" : "receiver.bytes_per_data_segment",
                      (double)bytes / (double)segs);
    side_log(s, "TCP_INFO: MSS %ld, %ld data segments for %lld bytes", mss, segs, bytes);
    /* loopback's MTU is 64 KiB: no segment is cut, so the super-segment story needs two hosts */
    if (sender && mss > 9000)
        side_log(s, "MSS %ld: a loopback-sized MTU, nothing larger than the MSS to see here; for the MSS and "
                    "super-segment story run scripts/netns-lab.sh segmentation (root)", mss);
}

/* Server: TRANSFER bytes in WRITE_SIZE writes, FIN, wait for the client's FIN (so every byte was
 * sent and acknowledged), then count. */
static void server(struct lesson_side *s)
{
    long long sent = 0;
    long calls = 0, largest = 0, smallest = WRITE_SIZE;
    while (sent < TRANSFER) {
        long n = sock_send(side_sock(s), payload, (size_t)WRITE_SIZE);
        if (n > 0) {
            sent += n;
            calls++;
            largest = n > largest ? n : largest;
            smallest = n < smallest ? n : smallest;
        } else if (n < 0 && sock_err_is_retriable(sock_last_error())) {
            if (side_wait(s, 1, IDLE_MS) <= 0)
                break;
        } else {
            side_log(s, "send failed after %lld bytes: %s", sent, sock_err_name(sock_last_error()));
            break;
        }
    }
    side_log(s, "wrote %lld bytes in %ld send() calls of up to %ld bytes", sent, calls, WRITE_SIZE);
    side_fact_int(s, "sender.bytes_sent", sent);
    side_fact_int(s, "sender.write_size", WRITE_SIZE);
    side_fact_int(s, "sender.send_calls", calls);
    side_fact_int(s, "sender.largest_send_return", largest);
    side_fact_int(s, "sender.smallest_send_return", smallest);
    side_shutdown_write(s);
    side_drain(s, IDLE_MS, NULL, NULL);
    record_segments(s, sent, 1);
}

/* Client: read everything, count, close. */
static void client(struct lesson_side *s)
{
    long got = side_drain(s, IDLE_MS, "receiver.ended", "receiver.bytes_received");
    record_segments(s, got, 0);
}

static void check(struct lesson_report *r)
{
    long long mss;
    expect_str(r, "stream_ended_with_eof", "receiver.ended", "eof");
    expect_equal(r, "all_bytes_arrived", "receiver.bytes_received", "sender.bytes_sent");
    expect_equal(r, "both_ends_use_one_mss", "receiver.rcv_mss", "sender.snd_mss");
    /* TCP counts MSS-sized segments whatever sizes the device and the capture saw; on a path where
     * it counted GSO packets, bytes per segment would be far above the MSS. */
    if (report_fact_int(r, "sender.snd_mss", &mss)) {
        expect_range(r, "tcp_counts_mss_sized_segments_out", "sender.bytes_per_data_segment", 1, (double)mss);
        expect_range(r, "tcp_counts_mss_sized_segments_in", "receiver.bytes_per_data_segment", 1, (double)mss);
    } else if (report_fact_int(r, "receiver.advmss", &mss) || report_fact_int(r, "receiver.rcv_mss", &mss)) {
        /* the client side alone: rcv_mss is only the receiver's running guess of the sender's MSS
         * (the largest segment seen lately: 32768 in some runs while 40000-byte averages came in
         * under load), so the bound is the MSS the receiver announced, which no segment exceeds */
        expect_range(r, "tcp_counts_mss_sized_segments_in", "receiver.bytes_per_data_segment", 1, (double)mss);
    }
}

static const struct lesson_text ko = {
    .title = "TSO/GSO와 GRO: 캡처에는 MSS보다 큰 세그먼트가 보이지만, 회선에는 MSS 크기의 세그먼트가 흐릅니다",
    .explain = "서버는 4 MiB를 64 KiB씩 send()로 쓰고, 클라이언트는 그것을 모두 읽습니다. 양 끝은 같은 MSS를 "
               "쓰며(TCP_INFO snd_mss / rcv_mss: 타임스탬프를 쓰는 MTU 1500에서 1448 bytes), TCP는 보낸 것을 MSS "
               "크기의 세그먼트(segment) 단위로 셉니다. 그러나 Linux는 장치에 MSS 크기의 패킷을 넘기지 않습니다: "
               "GSO/TSO로 최대 64 KiB의 슈퍼 세그먼트(super-segment)를 만들고, 자르는 일은 NIC에 맡기거나(TSO) "
               "소프트웨어에서 마지막 순간까지 미룹니다(GSO). 송신 측 캡처는 그 분할보다 앞에서 패킷을 잡으므로, 1500 "
               "bytes 링크에서도 'length 65160'을 보여 줍니다. scripts/netns-lab.sh segmentation (root)은 이 레슨을 세 "
               "개의 네트워크 네임스페이스(network namespace) - veth 쌍으로 이어진 서버 A, 라우터 W, 클라이언트 B - 에 "
               "걸쳐 실행하고, 네 지점에서 tcpdump로 캡처해 지점마다 세그먼트 크기 히스토그램을 출력합니다. A의 veth: "
               "슈퍼 세그먼트. A 쪽에서 받는 W의 veth: 같은 패킷들입니다. veth 쌍은 회선(wire)이 아니어서 슈퍼 "
               "세그먼트를 통째로 건네주기 때문입니다 - 네임스페이스 두 개와 veth 하나로는 잘리는 모습을 결코 볼 수 "
               "없습니다. B로 보내는 W의 veth는 TSO가 꺼져 있어, 커널이 그곳에서 NIC처럼 소프트웨어로 세그먼트를 "
               "자릅니다: 그 캡처가 곧 회선이며, MSS를 넘는 것은 없습니다. B의 캡처는 GSO의 수신 측 짝인 GRO에 달려 "
               "있고, 스크립트가 ethtool -K로 이를 켜고 끕니다: 끄면 B에는 도착한 MSS 크기의 조각들이 보이고, 켜면 "
               "GRO가 캡처 지점보다 먼저 그것들을 다시 슈퍼 세그먼트로 합쳐 놓아, 송신 측만큼 큰 경우도 많습니다. "
               "루프백(socklab run segmentation)에서는 MTU가 64 KiB이고 MSS가 수십 KiB입니다: 그곳에서는 어떤 것도 "
               "MSS보다 크지 않으므로 슈퍼 세그먼트 이야기에는 scripts/netns-lab.sh segmentation이 필요합니다. 레슨 "
               "자체의 사실(fact)들은 루프백에서도 성립하며, 타임라인도 그렇게 알려 줍니다.",
    .watch = "데이터 세그먼트의 tcp.len을 실행이 출력한 MSS(sender.snd_mss)와 비교합니다: 송신 측 캡처에서는 훨씬 큰 "
             "것이 많습니다 - 그 크기 그대로 회선을 지나간 적은 한 번도 없습니다\n"
             "GRO(Linux)나 RSC(Windows)를 켠 수신 측 캡처: 다시 큽니다. 끄면: 최대 MSS까지입니다\n"
             "SYN의 MSS 옵션(1460)과 꽉 찬 세그먼트의 tcp.len(1448: 12 bytes는 타임스탬프 몫)\n"
             "각 캡처에서 Statistics > Packet Lengths: 스크립트가 출력하는 히스토그램",
    .on_linux = "GSO는 기본적으로 모든 장치에서 켜져 있고, TSO는 장치가 제공하는 곳이면 어디서나 켜져 있습니다(veth는 "
                "제공합니다). 캡처(AF_PACKET)는 보내는 패킷을 소프트웨어 GSO 뒤, NIC의 TSO 앞에서 잡고, 받는 패킷은 "
                "GRO 뒤에서 잡으므로, 빠른 커넥션에서는 양 끝 모두 MSS보다 큰 세그먼트를 보여 줄 수 있습니다. ethtool "
                "-K DEV tso off / gro off는 캡처에 보이는 것을 바꿀 뿐, TCP가 세는 것은 바꾸지 않습니다: TCP_INFO "
                "segs_out / segs_in은 MSS 크기의 세그먼트를 셉니다(GSO 패킷 하나는 그 gso_segs만큼으로 셉니다).",
    .on_windows = "Large Send Offload(LSO, Get-NetAdapterLso)는 Windows의 TSO이고, Receive Segment Coalescing(RSC, "
                  "Get-NetAdapterRsc)은 Windows의 GRO입니다: RSC는 인터럽트 한 번에 들어온 패킷들을 큰 패킷 하나로 "
                  "합쳐 스택에 넘깁니다. Npcap은 NIC 드라이버 위에 있는 필터 드라이버이므로, LSO가 켜져 있는 동안 송신 "
                  "측 Wireshark에는 MSS보다 큰 세그먼트가, RSC가 켜져 있는 동안 수신 측에는 합쳐진 세그먼트가 "
                  "보입니다. Disable-NetAdapterLso / Disable-NetAdapterRsc(관리자 권한)를 실행하면 양쪽 모두 MSS "
                  "크기의 세그먼트를 보여 줍니다. SIO_TCP_INFO에는 세그먼트 수가 없으므로 그곳에서는 그 사실(fact)들을 "
                  "측정하지 않습니다.",
    .under_wine = "Wine에는 SIO_TCP_INFO가 없습니다: 바이트 수와 MSS만 측정합니다.",
};

const struct lesson lesson_segmentation = {
    .name = "segmentation",
    .title = "TSO/GSO and GRO: captures show segments larger than the MSS, the wire carries MSS-sized ones",
    .explain = "The server writes 4 MiB in 64 KiB send() calls; the client reads it all. Both ends use one MSS "
               "(TCP_INFO snd_mss / rcv_mss: 1448 bytes on an MTU of 1500 with timestamps) and TCP counts what "
               "it sent in MSS-sized segments. But Linux does not hand the device MSS-sized packets: with "
               "GSO/TSO it builds super-segments of up to 64 KiB and leaves the cutting to the NIC (TSO) or to "
               "the last moment in software (GSO). A capture on the sender taps before that cut, so it shows "
               "'length 65160' on a 1500-byte link. scripts/netns-lab.sh segmentation (root) runs this lesson "
               "across three network namespaces - server A, router W, client B, joined by veth pairs - with "
               "tcpdump at four points, and prints a segment-size histogram for each. A's veth: "
               "super-segments. W's veth from A: the same packets, because a veth pair is not a wire and "
               "passes a super-segment across whole - two namespaces and one veth never show the cut. W's veth "
               "to B has TSO off, so the kernel segments there in software as a NIC would: that capture is the "
               "wire, nothing above the MSS. B's capture depends on GRO, the receive-side mirror of GSO, which "
               "the script switches with ethtool -K: off, B sees the MSS-sized pieces that arrived; on, GRO has "
               "merged them into super-segments again before the capture point, often as large as the "
               "sender's. On loopback (socklab run segmentation) the MTU is 64 KiB and the MSS tens of KiB: "
               "nothing is ever larger than the MSS there, so the super-segment story needs "
               "scripts/netns-lab.sh segmentation; the lesson's own facts hold on loopback too, and its "
               "timeline says so.",
    .wireshark = "tcp.port == {port} && tcp.len > 0",
    .watch = "tcp.len of the data segments against the MSS the run printed (sender.snd_mss): on the sender's "
             "capture many are far larger - they never were on a wire as such\n"
             "on the receiver's capture with GRO (Linux) or RSC (Windows) on: large again; with it off: at most "
             "the MSS\n"
             "the SYN's MSS option (1460) vs a full segment's tcp.len (1448: 12 bytes go to the timestamps)\n"
             "Statistics > Packet Lengths on each capture: the histogram the script prints",
    .on_linux = "GSO is on for every device by default, and TSO wherever the device offers it (veth does). A "
                "capture (AF_PACKET) taps a sent packet after software GSO but before the NIC's TSO, and a "
                "received one after GRO, so both ends of a fast connection can show segments larger than the "
                "MSS. ethtool -K DEV tso off / gro off changes what a capture shows, not what TCP counts: "
                "TCP_INFO segs_out / segs_in count MSS-sized segments (a GSO packet counts as its gso_segs).",
    .on_windows = "Large Send Offload (LSO, Get-NetAdapterLso) is Windows' TSO, and Receive Segment Coalescing "
                  "(RSC, Get-NetAdapterRsc) its GRO: RSC combines the packets of one interrupt into one large "
                  "packet for the stack. Npcap is a filter driver above the NIC's driver, so Wireshark on the "
                  "sender shows segments larger than the MSS while LSO is on, and on the receiver coalesced ones "
                  "while RSC is on; Disable-NetAdapterLso / Disable-NetAdapterRsc (admin) make both show "
                  "MSS-sized segments. SIO_TCP_INFO has no segment counts, so those facts are not measured there.",
    .under_wine = "Wine has no SIO_TCP_INFO: only bytes and the MSS are measured.",
    .closer = SIDE_SERVER,
    .duration_hint_ms = 500,
    .server = server,
    .client = client,
    .check = check,
    .ko = &ko,
};
