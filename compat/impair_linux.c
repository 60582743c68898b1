/* impair_linux.c - the impairment lab on Linux: unshare(2) a network namespace for the whole
 * process (inside a user namespace when not root), bring its loopback up, and change it with
 * nftables (libnftables, the library nft itself is built on) and its own sysctls. Nothing here is
 * ever undone by hand: the namespace, its rules and its settings vanish with the process. */
#define _GNU_SOURCE 1
#include "compat/impair.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <nftables/libnftables.h>

#include "compat/sock.h"

static int entered, as_user;

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
    size_t len = strlen(text);
    if (fd < 0)
        return -1;
    if (write(fd, text, len) != (ssize_t)len)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* A new namespace starts with its loopback down. */
static int loopback_up(char *err)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;
    if (fd < 0) {
        snprintf(err, SOCK_ERR_LEN, "impairment lab: socket: %s", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    if (rc != 0)
        snprintf(err, SOCK_ERR_LEN, "impairment lab: bringing lo up: %s", strerror(errno));
    close(fd);
    return rc;
}

int impair_enter(char *err)
{
    char local[SOCK_ERR_LEN], map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (err == NULL)
        err = local;
    if (entered)
        return 0;
    as_user = geteuid() != 0;
    /* The user namespace first, mapped, and only then the network namespace: the new network
     * namespace gives its /proc/net files (nf_conntrack among them) to its user namespace's root,
     * which has no identity - and the files no reader - while the map is still empty. */
    if (unshare(as_user ? CLONE_NEWUSER : CLONE_NEWNET) != 0) {
        /* within SOCK_ERR_LEN whole: the advice is the part that must not be cut */
        snprintf(err, SOCK_ERR_LEN, "impairment lab: no private network namespace (%.30s)%s", strerror(errno),
                 as_user ? ": run as root, or allow user namespaces "
                           "(user.max_user_namespaces, kernel.apparmor_restrict_unprivileged_userns)"
                         : "");
        return -1;
    }
    /* In a user namespace this process is root: map it to the user who started it. */
    if (as_user) {
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        if (write_file("/proc/self/setgroups", "deny") != 0 || write_file("/proc/self/uid_map", map) != 0) {
            snprintf(err, SOCK_ERR_LEN, "impairment lab: user namespace map: %s", strerror(errno));
            return -1;
        }
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map) != 0) {
            snprintf(err, SOCK_ERR_LEN, "impairment lab: user namespace map: %s", strerror(errno));
            return -1;
        }
        if (unshare(CLONE_NEWNET) != 0) {
            snprintf(err, SOCK_ERR_LEN, "impairment lab: a network namespace in the user namespace: %s",
                     strerror(errno));
            return -1;
        }
    }
    if (loopback_up(err) != 0)
        return -1;
    entered = 1;
    return 0;
}

int impair_active(void) { return entered; }

static int outside(char *err, const char *what)
{
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "%s: refused outside the lab's private namespace (the host's stays as it is)",
                 what);
    return -1;
}

int impair_sysctl(const char *name, const char *value, char *err)
{
    char path[128];
    size_t i, n;
    if (!entered)
        return outside(err, name);
    if (strncmp(name, "net.", 4) != 0 || strlen(name) > 100 || strstr(name, "..") != NULL) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "%.60s: only net.* settings belong to a network namespace", name);
        return -1;
    }
    n = (size_t)snprintf(path, sizeof path, "/proc/sys/%s", name);
    for (i = 10; i < n; i++)
        if (path[i] == '.')
            path[i] = '/';
    if (write_file(path, value) != 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "sysctl %.80s=%.20s: %s", name, value, strerror(errno));
        return -1;
    }
    return 0;
}

int impair_address(const char *addr, char *err)
{
    struct ifreq ifr;
    struct sockaddr_in sin;
    int fd, rc = -1;
    if (!entered)
        return outside(err, "address");
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "address '%.60s': not an IPv4 address", addr);
        return -1;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "address: socket: %s", strerror(errno));
        return -1;
    }
    /* An alias label (lo:lab) adds the address beside 127.0.0.1 instead of replacing it. */
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo:lab");
    memcpy(&ifr.ifr_addr, &sin, sizeof sin);
    if (ioctl(fd, SIOCSIFADDR, &ifr) == 0) {
        inet_pton(AF_INET, "255.255.255.255", &sin.sin_addr);
        memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
        rc = ioctl(fd, SIOCSIFNETMASK, &ifr);
    }
    if (rc != 0 && err != NULL)
        snprintf(err, SOCK_ERR_LEN, "address %s/32 on lo: %s", addr, strerror(errno));
    close(fd);
    return rc;
}

int impair_ethernet(char *err)
{
    struct ifreq ifr;
    struct ethtool_value ev;
    static const struct { unsigned cmd; const char *name; } offloads[] = {
        {ETHTOOL_STSO, "TSO"}, {ETHTOOL_SGSO, "GSO"}};
    size_t i;
    int fd, rc = 0;
    if (!entered)
        return outside(err, "loopback MTU and offloads");
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "loopback: socket: %s", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    ifr.ifr_mtu = 1500;
    if (ioctl(fd, SIOCSIFMTU, &ifr) != 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "loopback MTU 1500: %s", strerror(errno));
        rc = -1;
    }
    for (i = 0; rc == 0 && i < sizeof offloads / sizeof offloads[0]; i++) {
        memset(&ev, 0, sizeof ev);
        ev.cmd = offloads[i].cmd;
        ev.data = 0;
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        ifr.ifr_data = (char *)&ev;
        if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) {
            if (err != NULL)
                snprintf(err, SOCK_ERR_LEN, "loopback: %s off: %s", offloads[i].name, strerror(errno));
            rc = -1;
        }
    }
    close(fd);
    return rc;
}

/* Runs commands in a fresh libnftables context; its text output (if any) into out. */
static int nft_run(const char *commands, char *out, size_t outlen, char *err)
{
    struct nft_ctx *nft;
    int rc;
    if (!entered)
        return outside(err, "nft");
    nft = nft_ctx_new(NFT_CTX_DEFAULT);
    if (nft == NULL) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "nft: cannot make a libnftables context");
        return -1;
    }
    nft_ctx_buffer_output(nft);
    nft_ctx_buffer_error(nft);
    rc = nft_run_cmd_from_buffer(nft, commands);
    if (rc != 0 && err != NULL) {
        const char *e = nft_ctx_get_error_buffer(nft);
        size_t len = strcspn(e != NULL ? e : "", "\n");
        snprintf(err, SOCK_ERR_LEN, "nft: %.*s", (int)(len < 160 ? len : 160), e != NULL ? e : "failed");
    }
    if (rc == 0 && out != NULL) {
        const char *o = nft_ctx_get_output_buffer(nft);
        snprintf(out, outlen, "%s", o != NULL ? o : "");
    }
    nft_ctx_free(nft);
    return rc == 0 ? 0 : -1;
}

/* An address as bytes, for comparing texts that may spell it differently (conntrack writes IPv6
 * in full, "0000:...:0001"). 4 or 16, or 0 when it is no address. */
static size_t addr_bytes(const char *text, unsigned char out[16])
{
    if (inet_pton(AF_INET, text, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, text, out) == 1)
        return 16;
    return 0;
}

/* The value of "key=" in the first tuple of a conntrack line (the original direction, the one
 * the opener sent), copied into buf. */
static int tuple_field(const char *line, const char *key, char *buf, size_t len)
{
    const char *p = strstr(line, key);
    size_t n;
    if (p == NULL)
        return -1;
    p += strlen(key);
    n = strcspn(p, " \n");
    if (n == 0 || n >= len)
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

int impair_conntrack(const char *src, uint16_t sport, const char *dst, uint16_t dport, long *secs_left,
                     char *state, size_t len, char *err)
{
    unsigned char want_src[16], want_dst[16], a[16];
    size_t nsrc = addr_bytes(src, want_src), ndst = addr_bytes(dst, want_dst);
    char line[512], l3[8], l4[8], st[32], field[64];
    unsigned l3num, l4num;
    long left;
    int found = 0;
    FILE *f;
    *secs_left = -1;
    if (!entered)
        return outside(err, "conntrack");
    if (nsrc == 0 || ndst == 0) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "conntrack: '%.60s' or '%.60s' is not an address", src, dst);
        return -1;
    }
    /* this process's network namespace, the lab's, whichever thread reads it */
    f = fopen("/proc/self/net/nf_conntrack", "r");
    if (f == NULL) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "conntrack: /proc/self/net/nf_conntrack: %s%s", strerror(errno),
                     errno == ENOENT ? " (a kernel without CONFIG_NF_CONNTRACK_PROCFS)" : "");
        return errno == ENOENT ? SOCK_UNSUPPORTED : -1;
    }
    /* "ipv4 2 tcp 6 <seconds left> <state> src=... dst=... sport=... dport=... src=... (reply) ..." */
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%7s %u %7s %u %ld %31s", l3, &l3num, l4, &l4num, &left, st) != 6 || l4num != 6)
            continue;
        if (tuple_field(line, "sport=", field, sizeof field) != 0 || atol(field) != (long)sport ||
            tuple_field(line, "dport=", field, sizeof field) != 0 || atol(field) != (long)dport ||
            tuple_field(line, "src=", field, sizeof field) != 0 || addr_bytes(field, a) != nsrc ||
            memcmp(a, want_src, nsrc) != 0 || tuple_field(line, "dst=", field, sizeof field) != 0 ||
            addr_bytes(field, a) != ndst || memcmp(a, want_dst, ndst) != 0)
            continue;
        *secs_left = left;
        if (state != NULL && len > 0)
            snprintf(state, len, "%s", st);
        found = 1;
    }
    fclose(f);
    return found;
}

int impair_nft(const char *commands, char *err) { return nft_run(commands, NULL, 0, err); }

int impair_nft_counter(const char *spec, long long *packets, char *err)
{
    char cmd[192], out[512];
    const char *p;
    *packets = -1;
    snprintf(cmd, sizeof cmd, "list counter %s", spec);
    if (nft_run(cmd, out, sizeof out, err) != 0)
        return -1;
    p = strstr(out, "packets ");
    if (p == NULL || sscanf(p, "packets %lld", packets) != 1) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "nft: no packet count in \"%.80s\"", out);
        return -1;
    }
    return 0;
}

const char *impair_watch_hint(char *buf, size_t len)
{
    /* Root can enter any network namespace. A plain user could enter the user namespace too, but
     * tcpdump then fails to drop its privileges (setgroups is denied there): root it is. */
    snprintf(buf, len, "%snsenter -t %ld -n tcpdump -i lo -nn", as_user ? "sudo " : "", (long)getpid());
    return buf;
}
