/* sock_noviews.c - the kernel views of compat/sock.h on POSIX kernels socklab has no reader for
 * yet (BSDs, macOS): each says so instead of pretending. */
#include "compat/sock.h"

#include <stdio.h>
#include <string.h>

static int unsupported(char *err, const char *what)
{
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "%s: not implemented for this kernel", what);
    return SOCK_UNSUPPORTED;
}

int sock_tcp_info(sock_t s, struct sock_tcpinfo *ti, char *err)
{
    (void)s;
    memset(ti, 0, sizeof *ti);
    return unsupported(err, "TCP_INFO");
}

int sock_queue_sizes(sock_t s, long *inq, long *outq, char *err)
{
    (void)s;
    *inq = -1;
    *outq = -1;
    return unsupported(err, "queue sizes");
}

int sock_state_table(const uint16_t *ports, size_t nports, struct sock_entry *out, size_t max,
                     size_t *count, char *err)
{
    (void)ports;
    (void)nports;
    (void)out;
    (void)max;
    *count = 0;
    return unsupported(err, "socket table");
}

int sock_kernel_limits(struct sock_limits *out, char *err)
{
    out->tcp_rmem[0] = out->tcp_rmem[1] = out->tcp_rmem[2] = -1;
    out->tcp_wmem[0] = out->tcp_wmem[1] = out->tcp_wmem[2] = -1;
    out->rmem_max = out->wmem_max = -1;
    return unsupported(err, "kernel buffer limits");
}

int sock_kernel_setting(const char *name, long *value, char *err)
{
    (void)name;
    *value = -1;
    return unsupported(err, "kernel settings");
}

int sock_kernel_counter(const char *name, long long *value, char *err)
{
    (void)name;
    *value = -1;
    return unsupported(err, "kernel counters");
}
