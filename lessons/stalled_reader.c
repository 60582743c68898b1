/* stalled-reader - the reader stops reading and the writer keeps writing: the window closes, the
 * persist timer probes it, the writer's kernel queue fills, send() fails with EWOULDBLOCK and the
 * application's own buffer grows behind it - until a cap cuts the slow client off, or the reader
 * comes back and everything drains.
 *
 * The server plays a game server pushing FRAME bytes every TICK_MS to a client that does not read,
 * through engine/backpressure.c's app_output (send() first, the rest into an evbuffer). Two connections:
 *   capped    the evbuffer is capped at CAP (socklab-server's default --max-outbuf): past it the
 *             client is cut off with a logged reason; it reads again after STALL_CAPPED_MS
 *   uncapped  no cap: the evbuffer takes all PRODUCE_MS of frames; the client reads after STALL_MS
 * Capped first: malloc keeps freed memory and would hand it out again unseen, so the capped run's
 * RSS reading must not follow a run that grew the heap.
 *
 * On the wire (server port P, client port C), each connection:
 *   P > C  [.] [P.] ...               frames; the client's kernel queues them, nobody reads
 *   C > P  [.] win 0                  the receive buffer is full: a zero window (Linux: on the
 *                                     delayed-ACK timer, ~40 ms after the queue filled)
 *   P > C  [.] (no data, seq - 1)     zero-window probes on the persist timer, the gap doubling
 *   C > P  [.] win 0                  the answer (Linux: at most one per tcp_invalid_ratelimit)
 *   (the server's send queue fills; send() fails with EWOULDBLOCK; its evbuffer grows)
 *   capped:  P > C [F.] queued        the cut-off is a close(): the FIN waits behind the queued data
 *   C > P  [.] win N                  the client reads again: a window update
 *   P > C  [.] [P.] ... [F.]          everything the server's kernel holds flows, then the FIN
 *
 * Sampled every SAMPLE_MS: the client's SIOCINQ and bytes read; the server's snd_wnd, persist
 * backoff and probes (TCP_INFO), SIOCOUTQ, its evbuffer and its RSS growth. The student sees the
 * back-pressure climb from the reader's kernel to the writer's kernel to the writer's own memory -
 * and that only the application can bound that last step. */
#include "lessons/engine/backpressure.h"

#include <string.h>

#include "compat/os.h"

#define FRAME (128 * 1024)
#define TICK_MS 10
#define PRODUCE_MS 1200
#define CAP (1024L * 1024L)
#define STALL_CAPPED_MS 1000
#define STALL_MS 2200 /* past PRODUCE_MS: the writer stops while the reader still sleeps */
#define SAMPLE_MS 25
#define POLL_MS 5
#define MAX_QUEUE_LOGS 4
#define WAIT_LIMIT_MS 6000
#define RSS_SLACK (4L * 1024 * 1024) /* RSS is the process's: threads, samples, lessons run beside */

static const char frame[FRAME]; /* only byte counts matter */

static int is_capped(const struct lesson_side *s) { return side_conn(s) == 0; }

static void server_facts(struct lesson_side *s, const struct peer_watch *w, const struct app_output *o)
{
    int sndbuf = 0;
    if (w->tcp_info)
        side_fact_bool(s, "zero_window_seen", w->zero_seen);
    if (w->has_probes) {
        side_fact_int(s, "persist_backoff_max", w->backoff_max);
        side_fact_int(s, "probes_max", w->probes_max);
    }
    if (w->outq_peak >= 0)
        side_fact_int(s, "sender_queue_peak", w->outq_peak);
    if (sock_get_bufsize(side_sock(s), SOCK_SNDBUF, &sndbuf, NULL) == 0)
        side_fact_int(s, "sender_so_sndbuf", sndbuf);
    side_fact_int(s, "app_buffer_peak", (long long)o->peak);
    side_fact_int(s, "bytes_produced", o->produced);
    side_fact_int(s, "bytes_written", o->written);
    side_fact_bool(s, "send_would_block", o->blocked);
    if (o->blocked) {
        side_fact_int(s, "bytes_before_ewouldblock", o->before_block);
        side_fact_str(s, "send_error", o->block_error);
    }
    if (side_process_shared(s))
        side_log(s, "RSS growth not reported: other lessons run in this process now (run this one alone)");
    else if (w->rss0 >= 0 && w->rss_peak >= 0)
        side_fact_int(s, "server_rss_growth_bytes", w->rss_peak - w->rss0);
    if (is_capped(s)) {
        side_fact_int(s, "app_buffer_cap", CAP);
        side_fact_bool(s, "slow_client_cut", o->cut);
        side_fact_int(s, "bytes_dropped", o->dropped);
    } else if (w->tcp_info) {
        side_fact_bool(s, "window_reopened", w->reopened);
    }
}

/* Server: a frame every TICK_MS for PRODUCE_MS, through the app's output buffer; then flush until
 * the buffer and the kernel's queue are empty. Capped: until the cut-off. */
static void server(struct lesson_side *s)
{
    struct app_output o;
    struct peer_watch w;
    char err[SOCK_ERR_LEN];
    uint64_t start, now, next_frame, next_sample, stop, limit, until;
    int producing = 1, drained_logged = 0;

    if (sock_set_nonblocking(side_sock(s), 1, err) != 0) {
        side_error(s, "non-blocking socket", err);
        return;
    }
    if (app_output_init(&o, s, is_capped(s) ? CAP : 0) != 0)
        return;
    peer_watch_init(&w);
    peer_watch_poll(s, &w, &o, 1);
    peer_watch_start_rss(&w); /* after the first sample made the sample store */
    side_log(s, "producing %d bytes every %d ms for %d ms; output cap: %s", FRAME, TICK_MS, PRODUCE_MS,
             is_capped(s) ? "1 MiB, then cut off" : "none");
    start = now = next_frame = next_sample = os_now_us();
    stop = start + PRODUCE_MS * 1000u;
    limit = start + WAIT_LIMIT_MS * 1000u;
    for (;;) {
        int sample = now >= next_sample;
        if (producing && now >= stop) {
            producing = 0;
            peer_watch_poll(s, &w, &o, 0);
            side_fact_int(s, "app_buffer_at_stop", (long long)app_output_pending(&o));
            if (w.outq >= 0)
                side_fact_int(s, "sender_queue_at_stop", w.outq);
            side_log(s, "stopped producing after %lld bytes: %lu in the evbuffer, %ld in the kernel's send queue, "
                        "RSS +%ld", o.produced, (unsigned long)app_output_pending(&o), w.outq, w.rss_peak - w.rss0);
        }
        while (producing && now >= next_frame) {
            app_output_write(&o, frame, FRAME);
            next_frame += TICK_MS * 1000u;
        }
        app_output_flush(&o);
        peer_watch_poll(s, &w, &o, sample);
        if (sample)
            next_sample += SAMPLE_MS * 1000u;
        if (o.cut || o.failed)
            break;
        if (!producing && app_output_pending(&o) == 0) {
            if (!drained_logged++)
                side_log(s, "the evbuffer is empty again: every byte produced is in the kernel");
            if (w.outq <= 0) /* 0, or -1: this platform cannot tell */
                break;
        }
        if (now >= limit) {
            side_log(s, "gave up after %d ms: %lu bytes still in the evbuffer", WAIT_LIMIT_MS,
                     (unsigned long)app_output_pending(&o));
            break;
        }
        until = producing && next_frame < next_sample ? next_frame : next_sample;
        now = os_now_us();
        if (until > now && app_output_pending(&o) > 0)
            side_wait(s, 1, (int)((until - now + 999) / 1000)); /* wakes when the kernel takes more */
        else if (until > now)
            side_sleep(s, POLL_MS);
        now = os_now_us();
    }
    peer_watch_poll(s, &w, &o, 1);
    server_facts(s, &w, &o);
    side_close(s); /* capped: the cut-off; uncapped: after the drain */
    app_output_free(&o);
}

/* Client: read nothing for a while, logging each step of the receive queue filling; then read to the end. */
static void client(struct lesson_side *s)
{
    int stall = is_capped(s) ? STALL_CAPPED_MS : STALL_MS, logs = 0, rcvbuf = 0;
    uint64_t start = os_now_us(), end = start + (uint64_t)stall * 1000u, next_sample = start, changed = start, now;
    long inq = -1, outq = -1, last = -1, peak = -1;
    struct side_transfer t;

    side_log(s, "not reading for %d ms", stall);
    while ((now = os_now_us()) < end) {
        if (sock_queue_sizes(side_sock(s), &inq, &outq, NULL) == 0 && inq >= 0) {
            if (inq != last) {
                last = inq;
                changed = now;
            }
            if (inq > peak && inq > 0 && logs++ < MAX_QUEUE_LOGS)
                side_log(s, "SIOCINQ: %ld bytes arrived, unread", inq);
            peak = inq > peak ? inq : peak;
        }
        if (now >= next_sample) {
            if (inq >= 0)
                side_sample(s, "inq", "bytes", (double)inq);
            side_sample(s, "received", "bytes", 0);
            next_sample += SAMPLE_MS * 1000u;
        }
        side_sleep(s, POLL_MS);
    }
    if (sock_get_bufsize(side_sock(s), SOCK_RCVBUF, &rcvbuf, NULL) == 0)
        side_fact_int(s, "receiver_so_rcvbuf", rcvbuf);
    if (peak >= 0) {
        side_fact_int(s, "receiver_queue_peak", peak);
        side_fact_int(s, "receiver_queue_at_resume", last);
    }
    side_log(s, "reading again: %ld bytes wait in the receive queue, unchanged for the last %.0f ms", last,
             (double)(now - changed) / 1000.0);
    side_sink(s, 3000, SAMPLE_MS, &t);
    side_fact_int(s, "bytes_read", t.bytes);
    side_fact_str(s, "reader_saw", t.ended);
    side_close(s);
}

static void check(struct lesson_report *r)
{
    long long produced, app, sq, rq, peak;
    int windows = strcmp(report_platform(r), "windows") == 0;

    /* capped: the cut-off bounds memory; what the kernel had already taken still arrives */
    expect_true(r, "capped_window_closed", "capped.zero_window_seen");
    expect_true(r, "capped_slow_client_cut_off", "capped.slow_client_cut");
    expect_range(r, "capped_memory_stayed_flat", "capped.server_rss_growth_bytes", -1e308, (double)(CAP + RSS_SLACK));
    expect_equal(r, "capped_kernel_delivered_what_it_took", "capped.bytes_read", "capped.bytes_written");
    /* uncapped: the whole chain, then the drain */
    expect_true(r, "zero_window_seen", "uncapped.zero_window_seen");
    expect_true(r, "send_would_block", "uncapped.send_would_block");
    expect_str(r, "send_failed_with_ewouldblock", "uncapped.send_error", windows ? "WSAEWOULDBLOCK" : "EWOULDBLOCK");
    expect_range(r, "app_buffer_grew_past_the_cap", "uncapped.app_buffer_peak", (double)CAP + 1, 1e308);
    if (report_fact_int(r, "uncapped.bytes_produced", &produced) && report_fact_int(r, "uncapped.app_buffer_at_stop", &app) &&
        report_fact_int(r, "uncapped.sender_queue_at_stop", &sq) && report_fact_int(r, "uncapped.receiver_queue_at_resume", &rq))
        expect_int(r, "every_byte_in_one_of_three_queues", "uncapped.bytes_produced", app + sq + rq,
                   "app_buffer_at_stop + sender_queue_at_stop + receiver_queue_at_resume");
    else /* no SIOCOUTQ here (Windows): recorded as not measured */
        expect_range(r, "every_byte_in_one_of_three_queues", "uncapped.sender_queue_at_stop", 0, 1e308);
    if (report_fact_int(r, "uncapped.app_buffer_peak", &peak))
        expect_range(r, "memory_grew_with_the_buffer", "uncapped.server_rss_growth_bytes", (double)peak / 2, 1e308);
    expect_less(r, "capped_grew_less_than_uncapped", "capped.server_rss_growth_bytes", "uncapped.server_rss_growth_bytes");
    expect_true(r, "window_reopened", "uncapped.window_reopened");
    expect_equal(r, "app_buffer_drained", "uncapped.bytes_written", "uncapped.bytes_produced");
    expect_equal(r, "nothing_lost", "uncapped.bytes_read", "uncapped.bytes_written");
    expect_str(r, "reader_saw_eof", "uncapped.reader_saw", "eof");
    /* Windows probes too, but SIO_TCP_INFO has no backoff count: not measured there (n/a) */
    expect_range(r, "persist_timer_probed", "uncapped.persist_backoff_max", 1, 1e308);
}

static const struct lesson_chart charts[] = {
    {"receiver SIOCINQ: arrived, not read", SIDE_CLIENT, "inq", "수신 측 SIOCINQ: 도착했지만 읽지 않음"},
    {"sender snd_wnd: the reader's window", SIDE_SERVER, "snd_wnd", "송신 측 snd_wnd: 읽는 쪽의 윈도우"},
    {"sender persist backoff: zero-window probes sent", SIDE_SERVER, "backoff",
     "송신 측 persist backoff: 보낸 제로 윈도우 프로브"},
    {"sender TCP_INFO probes: sent, not yet answered", SIDE_SERVER, "probes",
     "송신 측 TCP_INFO probes: 보냈지만 아직 응답 없음"},
    {"sender SIOCOUTQ: its kernel's send queue (unsent + unacknowledged)", SIDE_SERVER, "outq",
     "송신 측 SIOCOUTQ: 커널의 송신 큐 (아직 안 보냄 + 확인 안 됨)"},
    {"sender notsent_bytes: never sent (the window is shut)", SIDE_SERVER, "notsent",
     "송신 측 notsent_bytes: 한 번도 안 보냄 (윈도우가 닫힘)"},
    {"sender evbuffer: the app's own output buffer", SIDE_SERVER, "app_buffer",
     "송신 측 evbuffer: 앱 자체의 출력 버퍼"},
    {"sender RSS growth", SIDE_SERVER, "rss_growth", "송신 측 RSS 증가량"},
    {"bytes read by the reader", SIDE_CLIENT, "received", "읽는 쪽이 읽은 바이트"},
    {NULL, SIDE_CLIENT, NULL, NULL},
};

static const struct lesson_text ko = {
    .title = "읽기를 멈춘 수신 측: 제로 윈도우, persist 프로브, EWOULDBLOCK, 앱의 버퍼 - 상한이 있을 때와 없을 때",
    .explain = "서버가 읽기를 멈춘 클라이언트에게 10 ms마다 128 KiB를 밀어 넣습니다. 클라이언트의 수신 큐가 가득 "
               "차면 클라이언트는 제로 윈도우(zero window)를 알립니다. 서버의 커널은 persist 타이머(persist timer)에 "
               "따라 제로 윈도우 프로브(zero-window probe)를 보내며 연결을 유지하고, 프로브 사이의 간격은 매번 두 "
               "배로 늘어납니다. 서버의 송신 큐가 차면 send()가 EWOULDBLOCK으로 실패하고, 그때부터 모든 프레임은 "
               "프로그램 자신의 출력 버퍼(libevent evbuffer)에 쌓이는데, 이 버퍼는 프로세스 메모리입니다. 첫 번째 "
               "연결은 socklab-server의 --max-outbuf처럼 이 버퍼의 상한을 1 MiB로 둡니다: 느린 클라이언트는 로그에 "
               "남는 이유와 함께 끊기고, 서버의 메모리는 늘지 않고 평평하게 유지됩니다. 끊는 방법은 close()이므로, "
               "커널이 이미 받아 둔 데이터는 클라이언트가 읽을 때 여전히 클라이언트에 도착합니다. 두 번째 연결에는 "
               "상한이 없습니다: 클라이언트가 다시 읽을 때까지 버퍼와 서버의 RSS가 프레임마다 커지고, 그 뒤 모든 "
               "것이 빠져나가 바이트 수가 일치합니다.",
    .watch = "win 0인 클라이언트의 ACK(Wireshark: [TCP ZeroWindow]). 첫 번째 것은 데이터 뒤 ~40 ms에 나옵니다\n"
             "간격이 두 배씩 늘어나는 서버의 제로 윈도우 프로브: Linux는 프로브를 데이터 없이 시퀀스 번호를 1 "
             "작게(seq - 1) 보내므로 Wireshark는 이를 [TCP Keep-Alive]라고 부릅니다 - "
             "tcp.analysis.zero_window_probe(1바이트를 싣는 프로브)는 여기서 결코 매치되지 않습니다. 프로브만 "
             "보려면: tcp.port == PORT && tcp.analysis.keep_alive\n"
             "서버의 송신 큐(SIOCOUTQ)는 거의 전부가 한 번도 보내지 않은 바이트(notsent_bytes)입니다: 윈도우가 닫혀 "
             "있어 아무것도 나가지 않으므로, 전송 중(in flight)인 데이터는 적습니다\n"
             "응답을 받지 못하는 프로브: 읽는 쪽이 응답 빈도를 제한합니다(Linux: 500 ms)\n"
             "클라이언트가 다시 읽기 시작하면 보내는 윈도우 업데이트(window update), 이어서 데이터 버스트\n"
             "capped(첫 번째) 연결: 서버의 FIN은 데이터 뒤에 큐잉되어, 클라이언트가 그 데이터를 모두 읽은 뒤에야 "
             "도착합니다",
    .on_linux = "수신 측은 윈도우의 오른쪽 끝(right edge)이 움직일 때만 즉시 ACK을 보내는데, 아무도 읽지 않으면 "
                "그렇지 않습니다: 제로 윈도우는 지연 ACK(delayed ACK) 타이머에 맞춰(~40 ms) 나갑니다. persist "
                "타이머의 첫 프로브는 RTO 한 번(최소 200 ms) 뒤에 나가고, 그 뒤 간격이 두 배씩 늘어납니다. "
                "TCP_INFO의 backoff는 프로브 수를 세고, probes는 아직 응답받지 못한 프로브만 셉니다 - 그리고 수신 "
                "측은 이런 윈도우 밖(out-of-window) 세그먼트에 tcp_invalid_ratelimit(500 ms)마다 최대 한 번만 "
                "응답하므로, 마지막 응답 뒤 그보다 빨리 보낸 프로브는 응답을 받지 못합니다. 송신 버퍼는 연결이 열릴 "
                "때 MSS와 혼잡 윈도우(congestion window)로부터 크기가 정해지며(최대 tcp_wmem[2]), 루프백의 MSS는 64 "
                "KiB라서 그 크기는 수 메가바이트가 됩니다. 그래서 쓰는 쪽 커널은 읽는 쪽의 기본 수신 버퍼보다 훨씬 "
                "많은 데이터를 붙잡아 둡니다. 가득 찬 논블로킹 소켓에 대한 send()는 EWOULDBLOCK으로 실패합니다. 제로 "
                "윈도우 뒤에 데이터가 큐에 쌓인 채로 close()하면 데이터는 유지되고(FIN_WAIT1) FIN은 그 데이터 뒤에 "
                "나갑니다.",
    .on_windows = "Windows도 persist 타이머로 제로 윈도우를 프로브하지만, SIO_TCP_INFO에는 probe나 backoff 카운터가 "
                  "없고 SIOCOUTQ도 없습니다: 해당 측정값(fact)은 없으며 그 검사는 n/a로 표시됩니다. 가득 찬 논블로킹 "
                  "send는 WSAEWOULDBLOCK으로 실패합니다. snd_wnd는 SIO_TCP_INFO에서 얻습니다.",
    .under_wine = "Wine에는 SIO_TCP_INFO가 없습니다: 윈도우 측정값(snd_wnd)도 측정되지 않습니다.",
};

const struct lesson lesson_stalled_reader = {
    .name = "stalled-reader",
    .title = "a reader that stops: zero window, persist probes, EWOULDBLOCK, the app's buffer - capped or not",
    .explain = "A server pushes 128 KiB every 10 ms to a client that stops reading. The client's receive queue "
               "fills and it advertises a zero window; the server's kernel keeps the connection alive with "
               "zero-window probes on the persist timer, the gap doubling each time; its send queue fills and "
               "send() fails with EWOULDBLOCK; from then on every frame lands in the program's own output "
               "buffer (a libevent evbuffer), which is process memory. The first connection caps that buffer at "
               "1 MiB like socklab-server's --max-outbuf: the slow client is cut off with a logged reason and "
               "the server's memory stays flat; the cut-off is a close(), so what the kernel had already "
               "accepted still reaches the client when it reads. The second has no cap: the buffer and the "
               "server's RSS grow with every frame until the client reads again, then everything drains and "
               "the byte counts match.",
    .wireshark = "tcp.port == {port} && (tcp.window_size == 0 || tcp.analysis.keep_alive || "
                 "tcp.analysis.window_update)",
    .watch = "the client's ACKs with win 0 (Wireshark: [TCP ZeroWindow]); the first ~40 ms after the data\n"
             "the server's zero-window probes, the gap doubling: Linux sends them without data, one sequence "
             "number back, so Wireshark calls them [TCP Keep-Alive] - tcp.analysis.zero_window_probe (a probe "
             "carrying a byte) never matches here; the probes alone: tcp.port == PORT && tcp.analysis.keep_alive\n"
             "the server's send queue (SIOCOUTQ) is almost all never-sent bytes (notsent_bytes): with the "
             "window shut nothing leaves, so little is in flight\n"
             "a probe that gets no answer: the reader rate-limits its replies (Linux: 500 ms)\n"
             "a window update from the client once it reads again, then a burst of data\n"
             "capped: the server's FIN is queued behind its data and arrives only after the client reads it all",
    .on_linux = "The receiver ACKs at once only when its window's right edge moves, and with nobody reading it "
                "does not: the zero window goes out on the delayed-ACK timer (~40 ms). The persist timer's first probe follows after one RTO (at least "
                "200 ms), then the interval doubles; TCP_INFO backoff counts the probes, while probes counts "
                "only those not yet answered - and the receiver answers such out-of-window segments at most "
                "once per tcp_invalid_ratelimit (500 ms), so a probe sent sooner after the last answer gets "
                "none. The send buffer is sized from the MSS and the congestion window when the connection "
                "opens (up to tcp_wmem[2]); with loopback's 64 KiB MSS that is megabytes, so the writer's "
                "kernel holds far more than the reader's default receive buffer. send() on the full non-blocking socket fails with "
                "EWOULDBLOCK. A close() with data queued behind a zero window keeps the data (FIN_WAIT1) and "
                "sends the FIN after it.",
    .on_windows = "Windows also probes a zero window on a persist timer, but SIO_TCP_INFO has no probe or "
                  "backoff counter and there is no SIOCOUTQ: those facts are absent and their checks read "
                  "n/a. A full non-blocking send fails with WSAEWOULDBLOCK; snd_wnd comes from SIO_TCP_INFO.",
    .under_wine = "Wine has no SIO_TCP_INFO: the window facts (snd_wnd) are not measured either.",
    .closer = SIDE_SERVER,
    .connections = 2,
    .conn_prefix = {"capped.", "uncapped."},
    .duration_hint_ms = STALL_CAPPED_MS + STALL_MS + 600,
    .server = server,
    .client = client,
    .check = check,
    .charts = charts,
    .ko = &ko,
};
