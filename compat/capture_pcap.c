/* capture_pcap.c - capture.h with libpcap on the loopback interface "lo". Immediate mode and a large
 * buffer with a short snap length: a loopback burst of a bulk lesson moves megabytes in
 * milliseconds, and a kernel ring that delivers in blocks, or holds few frames, loses packets. */
#define _DEFAULT_SOURCE 1 /* <pcap/pcap.h> uses the BSD types u_char, u_int, which -std=c11 hides */
#include "compat/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "compat/sock.h"

#define CAPTURE_BUFFER (16 * 1024 * 1024)
#define POLL_TIMEOUT_MS 20

struct capture {
    pcap_t *p;
    capture_fn fn;
    void *arg;
};

static void fail(char *err, const char *what, const char *why)
{
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "capture: %s: %s", what, why);
}

struct capture *capture_start(uint16_t port, int snaplen, char *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "", filter[64];
    struct bpf_program prog;
    struct capture *c = calloc(1, sizeof *c);
    int rc;
    if (c == NULL) {
        fail(err, "start", "out of memory");
        return NULL;
    }
    c->p = pcap_create("lo", ebuf);
    if (c->p == NULL) {
        fail(err, "lo", ebuf);
        free(c);
        return NULL;
    }
    pcap_set_snaplen(c->p, snaplen);
    pcap_set_immediate_mode(c->p, 1);
    pcap_set_buffer_size(c->p, CAPTURE_BUFFER);
    pcap_set_timeout(c->p, POLL_TIMEOUT_MS);
    rc = pcap_activate(c->p);
    if (rc < 0) {
        if (rc == PCAP_ERROR_PERM_DENIED)
            fail(err, "not permitted", "capturing needs root or CAP_NET_RAW (sudo setcap cap_net_raw+ep socklab)");
        else
            fail(err, "lo", pcap_geterr(c->p));
        pcap_close(c->p);
        free(c);
        return NULL;
    }
    snprintf(filter, sizeof filter, "tcp port %u", (unsigned)port);
    if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(c->p, &prog) != 0) {
        fail(err, filter, pcap_geterr(c->p));
        pcap_close(c->p);
        free(c);
        return NULL;
    }
    pcap_freecode(&prog);
    /* Non-blocking, polled: in immediate mode libpcap may wait for a packet past its timeout, and a
     * capture of a lesson that has gone quiet must still come back to be stopped. */
    if (pcap_setnonblock(c->p, 1, ebuf) != 0) {
        fail(err, "non-blocking", ebuf);
        pcap_close(c->p);
        free(c);
        return NULL;
    }
    return c;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct capture *c = (struct capture *)user;
    c->fn(c->arg, (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec, data, h->caplen, h->len);
}

int capture_poll(struct capture *c, capture_fn fn, void *arg)
{
    struct timespec pause = {0, 2 * 1000000L};
    int n;
    c->fn = fn;
    c->arg = arg;
    n = pcap_dispatch(c->p, -1, on_packet, (u_char *)c);
    if (n == 0)
        nanosleep(&pause, NULL); /* nothing now: a short wait, not a spin */
    return n;
}

int capture_linktype(const struct capture *c) { return pcap_datalink(c->p); }
const char *capture_iface(const struct capture *c)
{
    (void)c;
    return "lo";
}

long capture_dropped(struct capture *c)
{
    struct pcap_stat st;
    if (pcap_stats(c->p, &st) != 0)
        return -1;
    return (long)(st.ps_drop + st.ps_ifdrop);
}

void capture_stop(struct capture *c)
{
    if (c == NULL)
        return;
    pcap_close(c->p);
    free(c);
}
