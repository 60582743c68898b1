/* pcapng.c - the pcapng writer described in pcapng.h. Every block is assembled in memory first, so
 * its total length (written at both ends) is known before a byte goes out. */
#include "common/pcapng.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_HARDWARE 2
#define SHB_OS 3
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define MAX_OPTION 65535u /* an option's length field is 16 bits */

struct block {
    unsigned char *p;
    size_t len, cap;
    int failed;
};

static void put(struct block *b, const void *data, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *np;
        while (cap < b->len + n)
            cap *= 2;
        np = realloc(b->p, cap);
        if (np == NULL) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put32(struct block *b, uint32_t v) { put(b, &v, 4); }
static void put16(struct block *b, uint16_t v) { put(b, &v, 2); }

static void pad4(struct block *b)
{
    static const unsigned char zero[4];
    put(b, zero, (4 - b->len % 4) % 4);
}

/* An option: code, length, value padded to 4 bytes. A text longer than an option holds is cut. */
static void option(struct block *b, uint16_t code, const void *value, size_t n)
{
    if (n > MAX_OPTION - 3)
        n = MAX_OPTION - 3;
    put16(b, code);
    put16(b, (uint16_t)n);
    put(b, value, n);
    pad4(b);
}

static void text_option(struct block *b, uint16_t code, const char *text)
{
    if (text != NULL && *text != '\0')
        option(b, code, text, strlen(text));
}

/* Writes a block whose body (everything between the type/length words) is in body. */
static int emit(struct pcapng_writer *w, uint32_t type, struct block *body, int has_options)
{
    uint32_t total;
    if (has_options) { /* opt_endofopt */
        put16(body, OPT_END);
        put16(body, 0);
    }
    total = (uint32_t)body->len + 12;
    if (body->failed || fwrite(&type, 4, 1, w->f) != 1 || fwrite(&total, 4, 1, w->f) != 1 ||
        (body->len > 0 && fwrite(body->p, body->len, 1, w->f) != 1) || fwrite(&total, 4, 1, w->f) != 1)
        w->failed = 1;
    else
        w->bytes += total;
    free(body->p);
    return w->failed ? -1 : 0;
}

int pcapng_begin(struct pcapng_writer *w, FILE *f, const char *comment, const char *hardware, const char *os,
                 const char *application)
{
    struct block b = {NULL, 0, 0, 0};
    int64_t unknown_length = -1;
    memset(w, 0, sizeof *w);
    w->f = f;
    put32(&b, BYTE_ORDER_MAGIC);
    put16(&b, 1); /* version 1.0 */
    put16(&b, 0);
    put(&b, &unknown_length, 8);
    text_option(&b, OPT_COMMENT, comment);
    text_option(&b, SHB_HARDWARE, hardware);
    text_option(&b, SHB_OS, os);
    text_option(&b, SHB_USERAPPL, application);
    return emit(w, BLOCK_SHB, &b, 1);
}

int pcapng_interface(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen, const char *name,
                     const char *description)
{
    struct block b = {NULL, 0, 0, 0};
    put16(&b, linktype);
    put16(&b, 0);
    put32(&b, snaplen);
    text_option(&b, IF_NAME, name);
    text_option(&b, IF_DESCRIPTION, description);
    if (emit(w, BLOCK_IDB, &b, 1) != 0)
        return -1;
    return (int)w->interfaces++;
}

int pcapng_packet(struct pcapng_writer *w, unsigned iface, uint64_t ts_us, const void *data, uint32_t caplen,
                  uint32_t origlen, const char *const *comments, size_t ncomments)
{
    struct block b = {NULL, 0, 0, 0};
    size_t i;
    if (iface >= w->interfaces) {
        w->failed = 1;
        return -1;
    }
    put32(&b, iface);
    put32(&b, (uint32_t)(ts_us >> 32));
    put32(&b, (uint32_t)ts_us);
    put32(&b, caplen);
    put32(&b, origlen);
    put(&b, data, caplen);
    pad4(&b);
    for (i = 0; i < ncomments; i++)
        text_option(&b, OPT_COMMENT, comments[i]);
    return emit(w, BLOCK_EPB, &b, ncomments > 0);
}

int pcapng_end(struct pcapng_writer *w)
{
    if (fflush(w->f) != 0)
        w->failed = 1;
    return w->failed ? -1 : 0;
}
