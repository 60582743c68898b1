/* impair_none.c - the impairment lab where there is none: Windows (dropping packets would need a
 * packet-filter driver such as WinDivert), POSIX kernels without network namespaces, or a Linux
 * build without libnftables. Every call says so; nothing is pretended. */
#include "compat/impair.h"

#include <stdio.h>

#include "compat/sock.h"

static int none(char *err)
{
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "the impairment lab needs Linux network namespaces and nftables "
                                    "(on Windows, dropping packets needs a filter driver such as WinDivert)");
    return SOCK_UNSUPPORTED;
}

int impair_enter(char *err) { return none(err); }
int impair_active(void) { return 0; }

int impair_sysctl(const char *name, const char *value, char *err)
{
    (void)name, (void)value;
    return none(err);
}

int impair_address(const char *addr, char *err)
{
    (void)addr;
    return none(err);
}

int impair_ethernet(char *err) { return none(err); }

int impair_nft(const char *commands, char *err)
{
    (void)commands;
    return none(err);
}

int impair_conntrack(const char *src, uint16_t sport, const char *dst, uint16_t dport, long *secs_left,
                     char *state, size_t len, char *err)
{
    (void)src, (void)sport, (void)dst, (void)dport, (void)state, (void)len;
    *secs_left = -1;
    return none(err);
}

int impair_nft_counter(const char *spec, long long *packets, char *err)
{
    (void)spec;
    *packets = -1;
    return none(err);
}

const char *impair_watch_hint(char *buf, size_t len)
{
    snprintf(buf, len, "(no private namespace: capture on the loopback interface as usual)");
    return buf;
}
