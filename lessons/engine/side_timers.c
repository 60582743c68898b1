/* side_timers.c - what the timer and failure lessons read and change: a connection's timers as
 * TCP_INFO and `ss -o` show them, sampled while they run; the kernel's settings and counters that
 * decide them; and the impairment lab's rules, applied and shown as part of the lesson. */
#include "lessons/engine/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat/impair.h"
#include "compat/os.h"

void side_sample_timers(struct lesson_side *s, sock_t sock, const char *raddr, uint16_t rport)
{
    struct sock_tcpinfo ti;
    struct sock_entry e;
    char laddr[48];
    uint16_t lport = 0;

    memset(&ti, 0xff, sizeof ti); /* every field -1 until read */
    if (sock_tcp_info(sock, &ti, NULL) == 0) {
        if (ti.retransmits >= 0)
            side_sample(s, "retransmits", "count", (double)ti.retransmits);
        if (ti.backoff >= 0)
            side_sample(s, "backoff", "count", (double)ti.backoff);
        if (ti.rto_us >= 0)
            side_sample(s, "rto", "ms", (double)ti.rto_us / 1000.0);
        if (ti.probes >= 0)
            side_sample(s, "probes", "count", (double)ti.probes);
        if (ti.total_retrans >= 0)
            side_sample(s, "total_retrans", "count", (double)ti.total_retrans);
        if (ti.unacked >= 0)
            side_sample(s, "unacked", "segments", (double)ti.unacked);
        if (ti.last_data_recv_ms >= 0)
            side_sample(s, "last_data_recv", "ms", (double)ti.last_data_recv_ms);
    }
    if (raddr == NULL) {
        raddr = s->remote_addr;
        rport = s->remote_port;
    }
    if (sock_local_name(sock, laddr, sizeof laddr, &lport) == 0 &&
        sock_conn_entry(laddr, lport, raddr, rport, &e, NULL) == 1 && e.timer != SOCK_TIMER_UNKNOWN) {
        side_sample(s, "timer_left", "ms", (double)e.timer_ms);
        side_sample(s, "timer_retrans", "count", (double)e.timer_retrans);
    }
}

const char *side_timer(struct lesson_side *s, long *ms_left, long *fired)
{
    struct sock_entry e;
    if (ms_left != NULL)
        *ms_left = -1;
    if (fired != NULL)
        *fired = -1;
    if (sock_conn_entry(s->local_addr, s->local_port, s->remote_addr, s->remote_port, &e, NULL) != 1)
        return "unknown";
    if (ms_left != NULL)
        *ms_left = e.timer_ms;
    if (fired != NULL)
        *fired = e.timer_retrans;
    return sock_timer_name(e.timer);
}

int side_fact_setting(struct lesson_side *s, const char *key, const char *name, long *value)
{
    char err[SOCK_ERR_LEN];
    long v = -1;
    if (sock_kernel_setting(name, &v, err) != 0) {
        side_log(s, "kernel setting %s not read: %s", name, err);
        return 0;
    }
    side_fact_int(s, key, v);
    if (value != NULL)
        *value = v;
    return 1;
}

long long side_counter(struct lesson_side *s, const char *name)
{
    char err[SOCK_ERR_LEN];
    long long v = -1;
    if (sock_kernel_counter(name, &v, err) != 0) {
        side_log(s, "kernel counter %s not read: %s", name, err);
        return -1;
    }
    return v;
}

/* ---- the impairment lab --------------------------------------------------------------------- */

int side_lab(const struct lesson_side *s)
{
    (void)s;
    return impair_active();
}

static void lab_line(struct lesson_side *s, const char *line)
{
    if (s->nlab < MAX_LAB_LINES)
        snprintf(s->lab[s->nlab++], LAB_LINE_LEN, "%.*s", LAB_LINE_LEN - 1, line); /* cut, knowingly */
}

int side_lab_nft(struct lesson_side *s, const char *why, const char *fmt, ...)
{
    char rules[LAB_LINE_LEN], err[SOCK_ERR_LEN], line[LAB_LINE_LEN + 8];
    va_list ap;
    int n;
    side_step(s, why, "from now on the dropped packets show once in the capture, then nothing answers them");
    va_start(ap, fmt);
    n = vsnprintf(rules, sizeof rules, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof rules) { /* a cut rule would be another rule: refuse it */
        side_error(s, "nftables", "the commands are longer than the lab keeps");
        return -1;
    }
    if (impair_nft(rules, err) != 0) {
        side_error(s, "nftables", err);
        return -1;
    }
    /* one line for the report, commands separated as nft -f would read them on one line */
    snprintf(line, sizeof line, "nft: %s", rules);
    for (char *p = line; *p != '\0'; p++)
        if (*p == '\n')
            *p = ';';
    lab_line(s, line);
    side_log(s, "lab: %s (the nftables rules: in the report's lab section)", why);
    return 0;
}

int side_lab_sysctl(struct lesson_side *s, const char *name, const char *value)
{
    char err[SOCK_ERR_LEN], line[LAB_LINE_LEN];
    if (impair_sysctl(name, value, err) != 0) {
        side_error(s, "lab sysctl", err);
        return -1;
    }
    snprintf(line, sizeof line, "sysctl -w %s=%s", name, value);
    lab_line(s, line);
    side_log(s, "lab: sysctl %s=%s (this namespace only)", name, value);
    return 0;
}

int side_lab_ethernet(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN], line[LAB_LINE_LEN];
    int cpu;
    if (impair_ethernet(err) != 0) {
        side_error(s, "lab loopback", err);
        return -1;
    }
    /* Loopback queues each packet on the backlog of the CPU that sent it: a run on two CPUs can
     * deliver its packets out of order, which one wire does not. */
    cpu = os_stay_on_one_cpu();
    snprintf(line, sizeof line, "ip link set lo mtu 1500; ethtool -K lo tso off gso off; %s",
             cpu >= 0 ? "taskset: the run on one CPU" : "(the run could not be kept on one CPU)");
    lab_line(s, line);
    side_log(s, "lab: the loopback carries one MSS-sized segment per packet, in order, as one Ethernet wire does "
                "(MTU 1500, no TSO/GSO%s)", cpu >= 0 ? ", the run on one CPU" : "");
    return 0;
}

long long side_lab_counter(struct lesson_side *s, const char *spec)
{
    char err[SOCK_ERR_LEN];
    long long packets = -1;
    if (impair_nft_counter(spec, &packets, err) != 0) {
        side_error(s, "lab counter", err);
        return -1;
    }
    return packets;
}

int side_lab_address(struct lesson_side *s, const char *addr)
{
    char err[SOCK_ERR_LEN], line[LAB_LINE_LEN];
    if (impair_address(addr, err) != 0) {
        side_error(s, "lab address", err);
        return -1;
    }
    snprintf(line, sizeof line, "ip address add %s/32 dev lo", addr);
    lab_line(s, line);
    side_log(s, "lab: address %s on the loopback (this namespace only)", addr);
    return 0;
}

int side_lab_conntrack(struct lesson_side *s, long *secs_left)
{
    char err[SOCK_ERR_LEN];
    /* conntrack files the connection under its opener's view: the client's addresses first */
    int client = s->role == SIDE_CLIENT;
    int rc = impair_conntrack(client ? s->local_addr : s->remote_addr, client ? s->local_port : s->remote_port,
                              client ? s->remote_addr : s->local_addr, client ? s->remote_port : s->local_port,
                              secs_left, NULL, 0, err);
    if (rc == 1) {
        side_sample(s, "conntrack_left", "s", (double)*secs_left);
        return 1;
    }
    if (rc == 0)
        return 0;
    side_log(s, "the lab's conntrack table not read: %s", err);
    return -1;
}
