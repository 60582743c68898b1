/* capture_win32.c - capture.h on Windows through Npcap, loaded at run time: socklab does not need it
 * to run, only --capture does. Npcap installs wpcap.dll (the libpcap API) in System32\Npcap, and its
 * loopback adapter \Device\NPF_Loopback sees loopback traffic (with a 4-byte BSD loopback header,
 * LINKTYPE_NULL). The few libpcap declarations used are written here: MinGW and MSVC ship no pcap.h,
 * and this ABI has been stable since libpcap 1.0. */
#include "compat/sock_sys.h"

#include <stdio.h>
#include <stdlib.h>

#include "compat/capture.h"

#define LOOPBACK_DEVICE "\\Device\\NPF_Loopback"
#define CAPTURE_BUFFER (16 * 1024 * 1024)
#define POLL_TIMEOUT_MS 20
#define PCAP_ERRBUF_SIZE 256
#define PCAP_NETMASK_UNKNOWN 0xffffffffu

typedef struct pcap pcap_t;
struct pcap_pkthdr {
    struct timeval ts;
    unsigned int caplen, len;
};
struct bpf_program {
    unsigned int bf_len;
    void *bf_insns;
};
struct pcap_stat {
    unsigned int ps_recv, ps_drop, ps_ifdrop;
};
typedef void (*pcap_handler)(unsigned char *, const struct pcap_pkthdr *, const unsigned char *);

static struct {
    HMODULE dll;
    pcap_t *(*create)(const char *, char *);
    int (*set_snaplen)(pcap_t *, int);
    int (*set_immediate_mode)(pcap_t *, int);
    int (*set_buffer_size)(pcap_t *, int);
    int (*set_timeout)(pcap_t *, int);
    int (*activate)(pcap_t *);
    int (*setnonblock)(pcap_t *, int, char *);
    int (*compile)(pcap_t *, struct bpf_program *, const char *, int, unsigned int);
    int (*setfilter)(pcap_t *, struct bpf_program *);
    void (*freecode)(struct bpf_program *);
    int (*dispatch)(pcap_t *, int, pcap_handler, unsigned char *);
    int (*datalink)(pcap_t *);
    int (*stats)(pcap_t *, struct pcap_stat *);
    char *(*geterr)(pcap_t *);
    void (*close)(pcap_t *);
} npcap;

struct capture {
    pcap_t *p;
    capture_fn fn;
    void *arg;
};

/* GetProcAddress gives a FARPROC; casting through void (*)(void) (the type every function pointer
 * may pass through) to each function's real type is what the compilers accept without a warning. */
typedef void (*any_fn)(void);

static any_fn sym(const char *name, int *missing)
{
    FARPROC f = GetProcAddress(npcap.dll, name);
    if (f == NULL)
        *missing = 1;
    return (any_fn)f;
}

static int load_npcap(char *err)
{
    char path[MAX_PATH];
    UINT n;
    int missing = 0;
    if (npcap.dll != NULL)
        return 0;
    n = GetSystemDirectoryA(path, (UINT)sizeof path);
    if (n == 0 || n + 20 >= sizeof path)
        return -1;
    snprintf(path + n, sizeof path - n, "\\Npcap\\wpcap.dll");
    npcap.dll = LoadLibraryA(path);
    if (npcap.dll == NULL) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "capture: needs Npcap (https://npcap.com, with \"loopback support\"): "
                                        "no %s", path);
        return -1;
    }
    npcap.create = (pcap_t * (*)(const char *, char *)) sym("pcap_create", &missing);
    npcap.set_snaplen = (int (*)(pcap_t *, int))sym("pcap_set_snaplen", &missing);
    npcap.set_immediate_mode = (int (*)(pcap_t *, int))sym("pcap_set_immediate_mode", &missing);
    npcap.set_buffer_size = (int (*)(pcap_t *, int))sym("pcap_set_buffer_size", &missing);
    npcap.set_timeout = (int (*)(pcap_t *, int))sym("pcap_set_timeout", &missing);
    npcap.activate = (int (*)(pcap_t *))sym("pcap_activate", &missing);
    npcap.setnonblock = (int (*)(pcap_t *, int, char *))sym("pcap_setnonblock", &missing);
    npcap.compile = (int (*)(pcap_t *, struct bpf_program *, const char *, int, unsigned int))sym("pcap_compile",
                                                                                                   &missing);
    npcap.setfilter = (int (*)(pcap_t *, struct bpf_program *))sym("pcap_setfilter", &missing);
    npcap.freecode = (void (*)(struct bpf_program *))sym("pcap_freecode", &missing);
    npcap.dispatch = (int (*)(pcap_t *, int, pcap_handler, unsigned char *))sym("pcap_dispatch", &missing);
    npcap.datalink = (int (*)(pcap_t *))sym("pcap_datalink", &missing);
    npcap.stats = (int (*)(pcap_t *, struct pcap_stat *))sym("pcap_stats", &missing);
    npcap.geterr = (char *(*)(pcap_t *))sym("pcap_geterr", &missing);
    npcap.close = (void (*)(pcap_t *))sym("pcap_close", &missing);
    if (missing) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "capture: %s lacks the libpcap 1.5 API: update Npcap", path);
        FreeLibrary(npcap.dll);
        npcap.dll = NULL;
        return -1;
    }
    return 0;
}

struct capture *capture_start(uint16_t port, int snaplen, char *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "", filter[64];
    struct bpf_program prog;
    struct capture *c;
    if (load_npcap(err) != 0)
        return NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->p = npcap.create(LOOPBACK_DEVICE, ebuf);
    if (c->p == NULL) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "capture: %s: %s (was Npcap installed with loopback support?)",
                     LOOPBACK_DEVICE, ebuf);
        free(c);
        return NULL;
    }
    npcap.set_snaplen(c->p, snaplen);
    npcap.set_immediate_mode(c->p, 1);
    npcap.set_buffer_size(c->p, CAPTURE_BUFFER);
    npcap.set_timeout(c->p, POLL_TIMEOUT_MS);
    snprintf(filter, sizeof filter, "tcp port %u", (unsigned)port);
    if (npcap.activate(c->p) < 0 || npcap.compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        npcap.setfilter(c->p, &prog) != 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "capture: %s", npcap.geterr(c->p));
        npcap.close(c->p);
        free(c);
        return NULL;
    }
    npcap.freecode(&prog);
    /* Polled, as on Linux (capture_pcap.c says why). */
    if (npcap.setnonblock(c->p, 1, ebuf) != 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "capture: %s", ebuf);
        npcap.close(c->p);
        free(c);
        return NULL;
    }
    return c;
}

static void on_packet(unsigned char *user, const struct pcap_pkthdr *h, const unsigned char *data)
{
    struct capture *c = (struct capture *)user;
    c->fn(c->arg, (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec, data, h->caplen, h->len);
}

int capture_poll(struct capture *c, capture_fn fn, void *arg)
{
    int n;
    c->fn = fn;
    c->arg = arg;
    n = npcap.dispatch(c->p, -1, on_packet, (unsigned char *)c);
    if (n == 0)
        Sleep(2);
    return n;
}

int capture_linktype(const struct capture *c) { return npcap.datalink(c->p); }

const char *capture_iface(const struct capture *c)
{
    (void)c;
    return LOOPBACK_DEVICE;
}

long capture_dropped(struct capture *c)
{
    struct pcap_stat st;
    if (npcap.stats(c->p, &st) != 0)
        return -1;
    return (long)(st.ps_drop + st.ps_ifdrop);
}

void capture_stop(struct capture *c)
{
    if (c == NULL)
        return;
    npcap.close(c->p);
    free(c);
}
