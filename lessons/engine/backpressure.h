/* backpressure.h - the writer's end of back-pressure, for lessons whose reader stops reading
 * (stalled-reader): an application's own output buffer, and the writer's kernel watched meanwhile.
 * Implemented in backpressure.c on top of lessons/lesson.h, like a lesson. */
#ifndef SOCKLAB_LESSON_BACKPRESSURE_H
#define SOCKLAB_LESSON_BACKPRESSURE_H

#include <stddef.h>

#include "lessons/lesson.h"

/* backpressure.c, app_output: what a libevent program does with output the kernel will not take now - send()
 * while nothing is queued, keep the rest in an evbuffer, flush it when the socket is writable, and
 * with a cap cut the peer off once the buffer would pass it (socklab-server's --max-outbuf policy).
 * Logs the first EWOULDBLOCK, the buffer starting to grow and the cut-off on the timeline. */
struct evbuffer;
struct app_output {
    struct lesson_side *side;
    struct evbuffer *buf;
    long long cap;          /* 0: unbounded */
    long long produced;     /* handed to app_output_write */
    long long written;      /* taken by send() */
    long long before_block; /* written when send() first failed with EWOULDBLOCK */
    long long dropped;      /* let go at the cut-off */
    size_t peak;            /* the evbuffer's largest length */
    int blocked, grew, cut, failed;
    char block_error[32];   /* the name of that first error */
};
int app_output_init(struct app_output *o, struct lesson_side *s, long long cap); /* 0 or -1 */
/* Sends or queues len bytes; -1 when the peer was cut off (now or before) or the send failed. */
int app_output_write(struct app_output *o, const void *data, size_t len);
void app_output_flush(struct app_output *o); /* sends what the kernel takes now */
size_t app_output_pending(const struct app_output *o);
void app_output_free(struct app_output *o);

/* backpressure.c, peer_watch: the writer's kernel's view of a peer that stopped reading, polled as
 * often as the lesson likes (each poll is a TCP_INFO and a SIOCOUTQ). The first zero window, its
 * reopening and each persist-timer probe (a rise of TCP_INFO backoff) are logged when first seen.
 * With sample set, one point of snd_wnd, backoff, probes, outq, notsent, app_buffer (o may be NULL)
 * and rss_growth. Fields this platform cannot measure stay -1 / 0. */
struct peer_watch {
    long outq, outq_peak;       /* SIOCOUTQ at the last poll, largest seen */
    long probes_max, backoff_max;
    long rss0, rss_peak;        /* os_rss_bytes at peer_watch_start_rss, largest since */
    int tcp_info, has_probes;   /* TCP_INFO worked; it has probes and backoff */
    int zero_seen, reopened, probe_logs;
};
void peer_watch_init(struct peer_watch *w);
void peer_watch_start_rss(struct peer_watch *w);
void peer_watch_poll(struct lesson_side *s, struct peer_watch *w, const struct app_output *o, int sample);

#endif
