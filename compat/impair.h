/* impair.h - the impairment lab: a private network namespace for this process, in which a lesson
 * may make a peer vanish (nftables drops or rejects its packets) and change the kernel's TCP
 * settings, without touching the host's network: everything it changes dies with the process, on a
 * normal end, an error or Ctrl-C alike.
 *
 * Linux: impair_linux.c, with libnftables; root gets a new network namespace, a plain user a user
 * namespace around it where the system allows that. Elsewhere impair_none.c says what is missing. */
#ifndef SOCKLAB_COMPAT_IMPAIR_H
#define SOCKLAB_COMPAT_IMPAIR_H

#include <stddef.h>
#include <stdint.h>

/* Moves this whole process into a new network namespace with its loopback up. Must be called
 * before the process starts any thread (a user namespace requires it). 0 when done, -1 when the
 * system refused (err: why, in one line, and what to run instead), SOCK_UNSUPPORTED on platforms
 * without namespaces. */
int impair_enter(char *err);
/* 1 once impair_enter succeeded: the rest below act only then, so they can never touch the host. */
int impair_active(void);
/* Writes a sysctl of the private namespace: name "net.ipv4.tcp_syn_linear_timeouts", value "0". */
int impair_sysctl(const char *name, const char *value, char *err);
/* Gives the namespace's loopback one more IPv4 address, addr/32 (a second call replaces it): an
 * address the kernel does not treat as loopback (127/8 is), for what it treats differently, such
 * as tcp_tw_reuse=2. */
int impair_address(const char *addr, char *err);
/* Makes the namespace's loopback carry packets as an Ethernet link does: an MTU of 1500 and no
 * segmentation offload (TSO, GSO), so TCP hands it one MSS-sized segment per packet - which a rule
 * can then drop one at a time. (Loopback's own MTU is 64 KiB, and with GSO a "packet" is up to 64 KiB
 * of segments.) Affects every connection in the namespace that starts afterwards. */
int impair_ethernet(char *err);
/* Runs nftables commands (the text nft -f reads), in the private namespace. */
int impair_nft(const char *commands, char *err);
/* The lab's connection tracking - the table a stateful middlebox keeps - for the TCP connection
 * that src:sport opened to dst:dport: the whole seconds left before its entry expires, and
 * conntrack's TCP state ("ESTABLISHED"; state may be NULL). 1 found, 0 no entry (expired, never
 * tracked, or conntrack not active in the lab), -1 unreadable, SOCK_UNSUPPORTED without the lab's
 * kernel support; err says why. */
int impair_conntrack(const char *src, uint16_t sport, const char *dst, uint16_t dport, long *secs_left,
                     char *state, size_t len, char *err);
/* The packets a named nftables counter has counted ("inet socklab_sack lost_one": family, table,
 * counter), into *packets. 0, or -1 with err. */
int impair_nft_counter(const char *spec, long long *packets, char *err);
/* The command that watches this namespace's loopback live (tcpdump through nsenter), for people
 * who want to see it while the lesson runs. */
const char *impair_watch_hint(char *buf, size_t len);

#endif
