/* sock_ip.c - addresses as numbers, the same on every platform: a peer's IP from the socket address
 * accept() gave, its text, and networks in CIDR notation to match it against. The server's
 * allow-list and per-source counts need the bytes of an address, not its text, and only compat
 * may know struct sockaddr_in from struct sockaddr_in6. */
#include "compat/sock_sys.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void sock_ip_of(const struct sockaddr *sa, int len, struct sock_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
        ip->family = 4;
        memcpy(ip->b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6 && len >= (int)sizeof(struct sockaddr_in6)) {
        const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (memcmp(a, v4_mapped, sizeof v4_mapped) == 0) {
            ip->family = 4;
            memcpy(ip->b, a + 12, 4);
        } else {
            ip->family = 6;
            memcpy(ip->b, a, 16);
        }
    }
}

const char *sock_ip_text(const struct sock_ip *ip, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (ip->family == 0 || sys_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->b, buf, len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}

/* A numeric address only: getaddrinfo with AI_NUMERICHOST parses both families everywhere. */
static int parse_ip(const char *text, struct sock_ip *ip)
{
    struct addrinfo hints, *res = NULL;
    int ok;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_NUMERICHOST;
    if (getaddrinfo(text, NULL, &hints, &res) != 0 || res == NULL)
        return -1;
    sock_ip_of(res->ai_addr, (int)res->ai_addrlen, ip);
    ok = ip->family != 0;
    freeaddrinfo(res);
    return ok ? 0 : -1;
}

static int bad(char *err, const char *fmt, ...)
{
    va_list ap;
    if (err != NULL) {
        va_start(ap, fmt);
        vsnprintf(err, SOCK_ERR_LEN, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int sock_cidr_parse(const char *text, struct sock_cidr *out, char *err)
{
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
    unsigned max, i;
    long bits;

    memset(out, 0, sizeof *out);
    if (alen == 0 || alen >= sizeof addr)
        return bad(err, "'%s' is not an address or network (like 192.0.2.0/24)", text);
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    if (parse_ip(addr, &out->net) != 0)
        return bad(err, "'%s' is not a numeric IPv4 or IPv6 address", addr);
    max = out->net.family == 4 ? 32u : 128u;
    bits = (long)max;
    if (slash != NULL) {
        char *end = NULL;
        bits = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > (long)max)
            return bad(err, "'%s': the prefix length must be 0 to %u", text, max);
    }
    out->bits = (unsigned)bits;
    for (i = 0; i < 16; i++) { /* clear the host part, so matching compares whole bytes */
        unsigned keep = out->bits > 8 * i ? out->bits - 8 * i : 0;
        if (keep < 8)
            out->net.b[i] &= (uint8_t)(0xffu << (8 - keep));
    }
    return 0;
}

int sock_cidr_match(const struct sock_cidr *c, const struct sock_ip *ip)
{
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (ip->family != c->net.family)
        return 0;
    if (memcmp(ip->b, c->net.b, full) != 0)
        return 0;
    return rest == 0 || (ip->b[full] & (uint8_t)(0xffu << (8 - rest))) == c->net.b[full];
}
