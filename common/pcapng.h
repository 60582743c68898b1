/* pcapng.h - a small pcapng writer: one section, its interfaces, and enhanced packet blocks that may
 * carry comments, which is what lets Wireshark show a lesson's timeline on its packets. libpcap can
 * only write the classic pcap format, which has no comments.
 *
 * Blocks are written in this machine's byte order (the section's byte-order magic tells readers);
 * time stamps are microseconds since 1970 (the default if_tsresol). Format: IETF draft
 * draft-ietf-opsawg-pcapng. */
#ifndef SOCKLAB_PCAPNG_H
#define SOCKLAB_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_LINKTYPE_NULL 0       /* BSD loopback: a 4-byte address family, then IP */
#define PCAPNG_LINKTYPE_ETHERNET 1   /* Linux's lo, as libpcap captures it */

struct pcapng_writer {
    FILE *f;
    unsigned interfaces;
    int failed;          /* a write failed: pcapng_end reports it */
    uint64_t bytes;      /* written so far */
};

/* Starts a section. comment, hardware, os and application may be NULL. 0 or -1. */
int pcapng_begin(struct pcapng_writer *w, FILE *f, const char *comment, const char *hardware, const char *os,
                 const char *application);
/* Describes an interface; returns its id (0, 1, ... in order) or -1. */
int pcapng_interface(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen, const char *name,
                     const char *description);
/* One packet on interface iface, time stamped ts_us, caplen bytes of data kept of origlen on the
 * wire, with ncomments comments (each shown by Wireshark as a packet comment). 0 or -1. */
int pcapng_packet(struct pcapng_writer *w, unsigned iface, uint64_t ts_us, const void *data, uint32_t caplen,
                  uint32_t origlen, const char *const *comments, size_t ncomments);
/* Flushes; 0 when every write succeeded, -1 otherwise. The FILE stays the caller's. */
int pcapng_end(struct pcapng_writer *w);

#endif
