/* capture.c - a lesson's own packets, captured while it runs (--capture), and written as pcapng in
 * which every timeline event is a comment on the first packet at or after it: Wireshark's packet
 * list then tells the story the report tells. The section carries the lesson, platform, start time,
 * facts and display filter; each lesson of a compare is an interface of its own.
 *
 * Storage is bounded (CAPTURE_MAX_PACKETS, CAPTURE_MAX_BYTES): a packet past it is counted and the
 * report says so, never silently lost. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pcapng.h"
#include "compat/capture.h"
#include "compat/os.h"

#define CAPTURE_MAX_PACKETS 2000000u
#define CAPTURE_MAX_BYTES (256u * 1024u * 1024u)
#define CAPTURE_TAIL_MS 300 /* the last ACKs of a close come after both sides returned */

struct packet {
    uint64_t ts_us;
    uint32_t caplen, len;
    size_t off; /* into bytes */
};

struct capture_store {
    struct capture *cap;
    os_mutex *lock;
    os_thread *thread;
    int stop;
    struct packet *p;
    size_t n, cap_n;
    uint8_t *bytes;
    size_t used, cap_bytes;
    size_t not_kept;
    long dropped;
    int linktype, snaplen;
    uint16_t port;
    char iface[64];
};

static void keep(void *arg, uint64_t ts_us, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    struct capture_store *c = arg;
    if (c->n == c->cap_n) {
        size_t n = c->cap_n ? 2 * c->cap_n : 1024;
        struct packet *np = n <= CAPTURE_MAX_PACKETS ? realloc(c->p, n * sizeof *np) : NULL;
        if (np == NULL) {
            c->not_kept++;
            return;
        }
        c->p = np;
        c->cap_n = n;
    }
    if (c->used + caplen > c->cap_bytes) {
        size_t n = c->cap_bytes ? 2 * c->cap_bytes : 1u << 20;
        uint8_t *nb;
        while (n < c->used + caplen)
            n *= 2;
        nb = n <= CAPTURE_MAX_BYTES ? realloc(c->bytes, n) : NULL;
        if (nb == NULL) {
            c->not_kept++;
            return;
        }
        c->bytes = nb;
        c->cap_bytes = n;
    }
    memcpy(c->bytes + c->used, data, caplen);
    c->p[c->n].ts_us = ts_us;
    c->p[c->n].caplen = caplen;
    c->p[c->n].len = len;
    c->p[c->n].off = c->used;
    c->n++;
    c->used += caplen;
}

static int stopping(struct capture_store *c)
{
    int stop;
    os_mutex_lock(c->lock);
    stop = c->stop;
    os_mutex_unlock(c->lock);
    return stop;
}

static void capture_thread(void *arg)
{
    struct capture_store *c = arg;
    while (!stopping(c))
        if (capture_poll(c->cap, keep, c) < 0)
            break;
    capture_poll(c->cap, keep, c); /* whatever arrived meanwhile */
}

int report_capture_start(struct lesson_report *r, uint16_t port, int snaplen, char *err)
{
    struct capture_store *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, SOCK_ERR_LEN, "capture: out of memory");
        return -1;
    }
    c->cap = capture_start(port, snaplen, err);
    c->lock = c->cap != NULL ? os_mutex_new() : NULL;
    if (c->cap == NULL || c->lock == NULL) {
        capture_stop(c->cap);
        free(c);
        return -1;
    }
    c->snaplen = snaplen;
    c->port = port;
    c->linktype = capture_linktype(c->cap);
    snprintf(c->iface, sizeof c->iface, "%s", capture_iface(c->cap));
    c->thread = os_thread_start(capture_thread, c);
    if (c->thread == NULL) {
        snprintf(err, SOCK_ERR_LEN, "capture: cannot start its thread");
        capture_stop(c->cap);
        os_mutex_free(c->lock);
        free(c);
        return -1;
    }
    r->capture = c;
    return 0;
}

void report_capture_finish(struct lesson_report *r)
{
    struct capture_store *c = r->capture;
    if (c == NULL || c->thread == NULL)
        return;
    os_sleep_ms(CAPTURE_TAIL_MS);
    os_mutex_lock(c->lock);
    c->stop = 1;
    os_mutex_unlock(c->lock);
    os_thread_join(c->thread);
    c->thread = NULL;
    c->dropped = capture_dropped(c->cap);
    capture_stop(c->cap);
    c->cap = NULL;
    r->capture_packets = (long)c->n;
    r->capture_dropped = c->dropped;
    r->capture_not_kept = (long)c->not_kept;
    r->capture_snaplen = c->snaplen;
}

void report_capture_free(struct lesson_report *r)
{
    struct capture_store *c = r->capture;
    if (c == NULL)
        return;
    if (c->thread != NULL)
        report_capture_finish(r);
    os_mutex_free(c->lock);
    free(c->p);
    free(c->bytes);
    free(c);
    r->capture = NULL;
}

/* ---- writing ---------------------------------------------------------------------------------- */

/* The section's comment: what a reader of the file needs to line it up with the report. */
static void section_comment(struct lesson_report *const *rs, size_t n, char *buf, size_t len)
{
    const struct fact *fs[MAX_FACTS];
    size_t used = 0, i, k, nf;
    char v[FACT_STR_LEN];
    buf[0] = '\0';
#define ADD(...)                                                                                    \
    do {                                                                                            \
        if (used < len)                                                                             \
            used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__);                          \
    } while (0)
    for (i = 0; i < n; i++) {
        const struct lesson_report *r = rs[i];
        ADD("%ssocklab %s: %s\nplatform: %s%s%s\nstarted: %s (unix %llu.%06llu)\ndisplay filter: ", i ? "\n\n" : "",
            r->lesson->name, r->lesson->title, r->platform, r->runtime ? " under " : "", r->runtime ? r->runtime : "",
            r->start_time, (unsigned long long)(r->t0_wall_us / 1000000u), (unsigned long long)(r->t0_wall_us % 1000000u));
        if (used < len)
            used += strlen(report_filter_text(r, buf + used, len - used));
        ADD("\nresult: %s\nfacts:", report_verdict(r) == VERDICT_PASS   ? "PASS"
                                     : report_verdict(r) == VERDICT_FAIL ? "FAIL"
                                                                         : "NOT EVALUATED HERE");
        nf = facts_ordered(&r->facts, fs, MAX_FACTS);
        for (k = 0; k < nf; k++) {
            fact_format(fs[k], v, sizeof v);
            ADD("\n  %s = %s", fs[k]->key, v);
        }
    }
#undef ADD
}

struct cursor {
    const struct lesson_report *r;
    const struct capture_store *c;
    size_t next;  /* packet */
    size_t event; /* the first event not yet attached */
    int iface;
};

#define MAX_COMMENTS 16

int report_write_pcapng(FILE *out, struct lesson_report *const *rs, size_t n, uint64_t *bytes)
{
    struct pcapng_writer w;
    struct cursor cur[16];
    char *section, desc[160], comments[MAX_COMMENTS][200];
    const char *cp[MAX_COMMENTS];
    size_t i, k = 0;
    int rc = 0;

    if (n > sizeof cur / sizeof cur[0] || (section = malloc(65000)) == NULL)
        return -1;
    section_comment(rs, n, section, 65000);
    rc |= pcapng_begin(&w, out, section, NULL, n > 0 ? rs[0]->platform : NULL, "socklab " SOCKLAB_VERSION);
    free(section);
    for (i = 0; i < n; i++) {
        const struct capture_store *c = rs[i]->capture;
        if (c == NULL)
            continue;
        snprintf(desc, sizeof desc, "loopback, tcp port %u: socklab %s (snap length %d)", (unsigned)c->port,
                 rs[i]->lesson->name, c->snaplen);
        cur[k].r = rs[i];
        cur[k].c = c;
        cur[k].next = cur[k].event = 0;
        cur[k].iface = pcapng_interface(&w, (uint16_t)c->linktype, (uint32_t)c->snaplen, c->iface, desc);
        rc |= cur[k].iface < 0;
        k++;
    }
    for (;;) { /* merge the lessons' packets by time */
        struct cursor *best = NULL;
        const struct packet *p;
        size_t nc = 0, j;
        for (j = 0; j < k; j++)
            if (cur[j].next < cur[j].c->n &&
                (best == NULL || cur[j].c->p[cur[j].next].ts_us < best->c->p[best->next].ts_us))
                best = &cur[j];
        if (best == NULL)
            break;
        p = &best->c->p[best->next];
        /* every event up to this packet's time (or all that remain, on the last packet) */
        while (best->event < best->r->nevents && nc < MAX_COMMENTS) {
            const struct event *e = &best->r->events[best->event];
            uint64_t at = best->r->t0_wall_us + (uint64_t)(e->t_ms * 1000.0);
            int last = best->next + 1 == best->c->n;
            if (at > p->ts_us && !last)
                break;
            snprintf(comments[nc], sizeof comments[nc], "%s%s%s %+.1f ms%s: %s", n > 1 ? best->r->lesson->name : "",
                     n > 1 ? ", " : "", side_role_name(e->role), e->t_ms,
                     at > p->ts_us ? " (after the last packet)" : "", e->text);
            cp[nc] = comments[nc];
            nc++;
            best->event++;
        }
        rc |= pcapng_packet(&w, (unsigned)best->iface, p->ts_us, best->c->bytes + p->off, p->caplen, p->len, cp, nc);
        best->next++;
    }
    rc |= pcapng_end(&w);
    if (bytes != NULL)
        *bytes = w.bytes;
    return rc ? -1 : 0;
}

void report_set_capture_file(struct lesson_report *r, const char *path, uint64_t bytes)
{
    snprintf(r->capture_file, sizeof r->capture_file, "%s", path);
    r->capture_file_bytes = (unsigned long long)bytes;
}

int report_has_capture(const struct lesson_report *r) { return r->capture != NULL; }

size_t capture_store_count(const struct capture_store *c) { return c != NULL ? c->n : 0; }
uint16_t capture_store_port(const struct capture_store *c) { return c->port; }
int capture_store_linktype(const struct capture_store *c) { return c->linktype; }

const uint8_t *capture_store_packet(const struct capture_store *c, size_t i, uint64_t *ts_us, uint32_t *caplen)
{
    *ts_us = c->p[i].ts_us;
    *caplen = c->p[i].caplen;
    return c->bytes + c->p[i].off;
}
