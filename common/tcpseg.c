/* tcpseg.c - see tcpseg.h. Every read is bounded by caplen: a short or odd capture is "not a
 * segment", never a read past the buffer. */
#include "common/tcpseg.h"

#include <stdio.h>
#include <string.h>

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Where the IP header starts, and its version's ethertype-like tag (4 or 6); -1 if neither. */
static long ip_offset(int linktype, const uint8_t *d, size_t caplen, int *version)
{
    size_t off;
    uint16_t proto;
    switch (linktype) {
    case 0: /* BSD loopback: the address family in the capturing host's order; the IP header says */
        off = 4;
        break;
    case 1: /* Ethernet, with up to two VLAN tags */
        off = 12;
        if (caplen < off + 2)
            return -1;
        proto = be16(d + off);
        while ((proto == 0x8100 || proto == 0x88A8) && off < 20) {
            off += 4;
            if (caplen < off + 2)
                return -1;
            proto = be16(d + off);
        }
        if (proto != 0x0800 && proto != 0x86DD)
            return -1;
        off += 2;
        break;
    case 12:
    case 14:
    case 101: /* raw IP */
        off = 0;
        break;
    case 113: /* Linux cooked: the protocol at 14 */
        if (caplen < 16 || (be16(d + 14) != 0x0800 && be16(d + 14) != 0x86DD))
            return -1;
        off = 16;
        break;
    case 276: /* Linux cooked v2: the protocol first */
        if (caplen < 20 || (be16(d) != 0x0800 && be16(d) != 0x86DD))
            return -1;
        off = 20;
        break;
    default:
        return -1;
    }
    if (caplen < off + 1)
        return -1;
    *version = d[off] >> 4;
    return *version == 4 || *version == 6 ? (long)off : -1;
}

static void options(const uint8_t *o, size_t len, struct tcpseg *s)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = o[i], olen;
        if (kind == 0) /* end of options */
            break;
        if (kind == 1) { /* no-op */
            i++;
            continue;
        }
        if (i + 1 >= len || (olen = o[i + 1]) < 2 || i + olen > len)
            break; /* malformed: keep what was read */
        if (kind == 2 && olen == 4)
            s->mss = be16(o + i + 2);
        else if (kind == 3 && olen == 3)
            s->wscale = o[i + 2];
        else if (kind == 4 && olen == 2)
            s->sack_permitted = 1;
        else if (kind == 8 && olen == 10)
            s->timestamps = 1;
        else if (kind == 5 && (olen - 2) % 8 == 0) {
            size_t b;
            for (b = 0; b < (size_t)(olen - 2) / 8 && s->nsack < TCPSEG_MAX_SACK; b++) {
                s->sack_left[s->nsack] = be32(o + i + 2 + 8 * b);
                s->sack_right[s->nsack] = be32(o + i + 6 + 8 * b);
                s->nsack++;
            }
        }
        i += olen;
    }
}

int tcpseg_parse(int linktype, const uint8_t *d, size_t caplen, struct tcpseg *s)
{
    int version;
    long ip = ip_offset(linktype, d, caplen, &version);
    size_t off, iphl, ipdata, thl;
    if (ip < 0)
        return -1;
    off = (size_t)ip;
    if (version == 4) {
        if (caplen < off + 20 || d[off + 9] != 6 || (be16(d + off + 6) & 0x1FFF) != 0)
            return -1; /* not TCP, or a fragment after the first */
        iphl = (size_t)(d[off] & 0x0F) * 4;
        if (iphl < 20 || be16(d + off + 2) < iphl)
            return -1;
        ipdata = be16(d + off + 2) - iphl;
    } else {
        if (caplen < off + 40 || d[off + 6] != 6)
            return -1; /* extension headers are not followed: socklab's segments carry none */
        iphl = 40;
        ipdata = be16(d + off + 4);
    }
    off += iphl;
    if (caplen < off + 20)
        return -1;
    memset(s, 0, sizeof *s);
    s->mss = s->wscale = -1;
    s->sport = be16(d + off);
    s->dport = be16(d + off + 2);
    s->seq = be32(d + off + 4);
    s->ack = be32(d + off + 8);
    thl = (size_t)(d[off + 12] >> 4) * 4;
    s->flags = d[off + 13];
    s->window = be16(d + off + 14);
    if (thl < 20 || ipdata < thl)
        return -1;
    s->payload = (uint32_t)(ipdata - thl);
    if (thl > 20 && caplen >= off + 20)
        options(d + off + 20, (caplen < off + thl ? caplen - off : thl) - 20, s);
    return 0;
}

void tcpseg_flags_text(uint8_t flags, char *buf, size_t len)
{
    /* Wireshark's order in the Info column */
    static const struct {
        uint8_t bit;
        const char *name;
    } order[] = {{TCPSEG_FIN, "FIN"}, {TCPSEG_SYN, "SYN"}, {TCPSEG_RST, "RST"}, {TCPSEG_PSH, "PSH"},
                 {TCPSEG_ACK, "ACK"}, {TCPSEG_URG, "URG"}, {TCPSEG_ECE, "ECE"}, {TCPSEG_CWR, "CWR"}};
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < sizeof order / sizeof order[0]; i++)
        if ((flags & order[i].bit) && used < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", order[i].name);
}
