/* test_tcpseg.c - reading captured TCP segments, from packets built byte by byte: the link layers
 * socklab's captures use, both IP versions, the handshake's options and SACK blocks, and short or
 * foreign packets refused rather than read past their end. */
#include <string.h>

#include "common/tcpseg.h"
#include "tests/check.h"

/* Ethernet (lo), IPv4, TCP SYN from 40000 to 7007, seq 1000, window 65495, with MSS 65495,
 * SACK permitted, timestamps, a no-op and window scale 7: what Linux sends on loopback. */
static const unsigned char syn_v4[] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,                         /* Ethernet, IPv4 */
    0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, /* IPv4: 60 bytes, TCP */
    0x9c, 0x40, 0x1b, 0x5f, 0, 0, 0x03, 0xe8, 0, 0, 0, 0,                   /* ports, seq, ack */
    0xa0, 0x02, 0xff, 0xd7, 0, 0, 0, 0,                                     /* 40-byte header, SYN */
    2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};

static void reads_a_syn_and_its_options(void)
{
    struct tcpseg s;
    char flags[32];
    CHECK(tcpseg_parse(1, syn_v4, sizeof syn_v4, &s) == 0);
    CHECK_EQ_LONG(s.sport, 40000);
    CHECK_EQ_LONG(s.dport, 7007);
    CHECK_EQ_LONG(s.seq, 1000);
    CHECK_EQ_LONG(s.flags, TCPSEG_SYN);
    CHECK_EQ_LONG(s.window, 65495);
    CHECK_EQ_LONG(s.payload, 0);
    CHECK_EQ_LONG(s.mss, 65495);
    CHECK_EQ_LONG(s.wscale, 7);
    CHECK(s.sack_permitted && s.timestamps);
    tcpseg_flags_text(TCPSEG_FIN | TCPSEG_PSH | TCPSEG_ACK, flags, sizeof flags);
    CHECK_STR(flags, "FIN, PSH, ACK");
    /* BSD loopback (Npcap's): a 4-byte family instead of Ethernet */
    {
        unsigned char bsd[sizeof syn_v4 - 10];
        memcpy(bsd, "\x02\0\0\0", 4);
        memcpy(bsd + 4, syn_v4 + 14, sizeof syn_v4 - 14);
        CHECK(tcpseg_parse(0, bsd, sizeof bsd, &s) == 0);
        CHECK_EQ_LONG(s.mss, 65495);
    }
}

static void reads_ipv6_payload_and_sack(void)
{
    /* raw IPv6, TCP ACK with 100 data bytes (only headers kept) and one SACK block 5000..6000 */
    unsigned char p[40 + 32];
    struct tcpseg s;
    memset(p, 0, sizeof p);
    p[0] = 0x60;
    p[4] = 0, p[5] = 32 + 100; /* payload length: TCP header and its data */
    p[6] = 6;
    p[40] = 0x1b, p[41] = 0x5f, p[42] = 0x9c, p[43] = 0x40;
    p[47] = 10;               /* seq 10 */
    p[51] = 20;               /* ack 20 */
    p[52] = 0x80, p[53] = 0x10; /* 32-byte header, ACK */
    p[60] = 1, p[61] = 1, p[62] = 5, p[63] = 10;
    p[64] = 0, p[65] = 0, p[66] = 0x13, p[67] = 0x88; /* 5000 */
    p[68] = 0, p[69] = 0, p[70] = 0x17, p[71] = 0x70; /* 6000 */
    CHECK(tcpseg_parse(101, p, sizeof p, &s) == 0);
    CHECK_EQ_LONG(s.payload, 100); /* from the IP length, though the capture kept none of it */
    CHECK_EQ_LONG(s.nsack, 1);
    CHECK_EQ_LONG(s.sack_left[0], 5000);
    CHECK_EQ_LONG(s.sack_right[0], 6000);
    CHECK_EQ_LONG(s.mss, -1);
}

static void refuses_short_and_foreign_packets(void)
{
    struct tcpseg s;
    unsigned char udp[sizeof syn_v4];
    size_t n;
    for (n = 0; n < 14 + 20 + 20; n++) /* every cut before the end of the TCP header */
        CHECK(tcpseg_parse(1, syn_v4, n, &s) == -1);
    memcpy(udp, syn_v4, sizeof udp);
    udp[14 + 9] = 17;
    CHECK(tcpseg_parse(1, udp, sizeof udp, &s) == -1);
    CHECK(tcpseg_parse(999, syn_v4, sizeof syn_v4, &s) == -1); /* an unknown link type */
    /* options cut by the capture: what was kept is read, nothing past it */
    CHECK(tcpseg_parse(1, syn_v4, sizeof syn_v4 - 6, &s) == 0);
    CHECK_EQ_LONG(s.mss, 65495);
    CHECK_EQ_LONG(s.wscale, -1);
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"tcpseg_reads_a_syn_and_its_options", reads_a_syn_and_its_options},
        {"tcpseg_reads_ipv6_payload_and_sack", reads_ipv6_payload_and_sack},
        {"tcpseg_refuses_short_and_foreign_packets", refuses_short_and_foreign_packets},
        {NULL, NULL},
    };
    return test_main(cases, argc, argv);
}
