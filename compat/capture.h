/* capture.h - capturing a lesson's own packets on the loopback interface, with libpcap (Linux) or
 * Npcap's wpcap.dll loaded at run time (Windows: its loopback adapter sees loopback traffic). Where
 * neither is there, or capturing is not permitted, capture_start says so in one line and the lesson
 * runs without a capture.
 *
 * Linux: capture_pcap.c; Windows: capture_win32.c; elsewhere, or without libpcap: capture_none.c. */
#ifndef SOCKLAB_COMPAT_CAPTURE_H
#define SOCKLAB_COMPAT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct capture;

/* One packet: when (microseconds since 1970), caplen bytes kept of len on the wire. */
typedef void (*capture_fn)(void *arg, uint64_t ts_us, const uint8_t *data, uint32_t caplen, uint32_t len);

/* Starts capturing TCP packets to or from `port` on the loopback interface, keeping at most snaplen
 * bytes of each. NULL with err (one line: why, and what would make it work) on failure. */
struct capture *capture_start(uint16_t port, int snaplen, char *err);
/* Hands what arrived since the last call to fn; waits up to about 20 ms when nothing did.
 * Returns the number of packets, -1 on error. */
int capture_poll(struct capture *c, capture_fn fn, void *arg);
/* The link type of the packets (pcapng's LINKTYPE_*), the interface's name and description. */
int capture_linktype(const struct capture *c);
const char *capture_iface(const struct capture *c);
/* Packets the kernel dropped because the capture did not keep up (-1 if unknown). */
long capture_dropped(struct capture *c);
void capture_stop(struct capture *c);

#endif
