/* tcpseg.h - reading a captured TCP segment: the link layer (loopback, Ethernet, Linux cooked, raw
 * IP), IPv4 or IPv6, and the TCP header with the options a handshake negotiates and SACK blocks
 * carry. Only what a ladder diagram and its checks need; anything else is "not a TCP segment". */
#ifndef SOCKLAB_TCPSEG_H
#define SOCKLAB_TCPSEG_H

#include <stddef.h>
#include <stdint.h>

/* TCP header flags, as on the wire */
#define TCPSEG_FIN 0x01
#define TCPSEG_SYN 0x02
#define TCPSEG_RST 0x04
#define TCPSEG_PSH 0x08
#define TCPSEG_ACK 0x10
#define TCPSEG_URG 0x20
#define TCPSEG_ECE 0x40
#define TCPSEG_CWR 0x80

#define TCPSEG_MAX_SACK 4

struct tcpseg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;     /* as sent: a window scale (wscale) applies outside SYNs */
    uint32_t payload;    /* data bytes, from the IP length: right even when the capture kept less */
    int mss;             /* the options, -1 where absent */
    int wscale;
    int sack_permitted;  /* 0 or 1 */
    int timestamps;      /* 0 or 1 */
    unsigned nsack;      /* SACK blocks: left and right edges, absolute */
    uint32_t sack_left[TCPSEG_MAX_SACK], sack_right[TCPSEG_MAX_SACK];
};

/* linktype: pcap's LINKTYPE_* (0 BSD loopback, 1 Ethernet, 101 raw IP, 113 Linux cooked, 276 Linux
 * cooked v2). 0 when data holds a TCP segment, filled into seg; -1 otherwise. */
int tcpseg_parse(int linktype, const uint8_t *data, size_t caplen, struct tcpseg *seg);

/* "SYN, ACK" / "FIN, PSH, ACK" / "RST": the flags the way Wireshark's Info column lists them. */
void tcpseg_flags_text(uint8_t flags, char *buf, size_t len);

#endif
