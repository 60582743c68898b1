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
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
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
    if (unshare(CLONE_NEWNET | (as_user ? CLONE_NEWUSER : 0)) != 0) {
        snprintf(err, SOCK_ERR_LEN,
                 "impairment lab: this system refuses a private network namespace (%s)%s", strerror(errno),
                 as_user ? ": run as root, or allow unprivileged user namespaces "
                           "(sysctl user.max_user_namespaces, kernel.apparmor_restrict_unprivileged_userns)"
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
