/* common/pcapng.c on its own: the blocks it writes, walked back byte by byte, and (with an output
 * file as argv[2]) a small capture for tshark to read in pcapng_readable_by_tshark. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/pcapng.h"
#include "tests/check.h"

/* An Ethernet frame carrying nothing in particular: only its bytes are compared. */
static const unsigned char frame[60] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0x45};

static long write_sample(FILE *f)
{
    struct pcapng_writer w;
    const char *two[] = {"server: close() with SO_LINGER{1,0} returned after 0.03 ms", "client: recv() failed"};
    CHECK(pcapng_begin(&w, f, "lesson close-abortive", NULL, "linux", "socklab test") == 0);
    CHECK(pcapng_interface(&w, PCAPNG_LINKTYPE_ETHERNET, 256, "lo", "loopback, tcp port 7007") == 0);
    CHECK(pcapng_packet(&w, 0, 1700000000123456ull, frame, 60, 60, two, 2) == 0);
    CHECK(pcapng_packet(&w, 0, 1700000000123999ull, frame, 60, 1514, NULL, 0) == 0);
    CHECK(pcapng_packet(&w, 1, 1, frame, 60, 60, NULL, 0) == -1); /* no interface 1 */
    CHECK(pcapng_end(&w) == -1);                                 /* and the failure is reported */
    return (long)w.bytes;
}

/* memmem is a GNU/BSD extension: not in MSVC's C library. */
static int contains(const unsigned char *buf, size_t len, const char *text)
{
    size_t n = strlen(text), i;
    for (i = 0; i + n <= len; i++)
        if (memcmp(buf + i, text, n) == 0)
            return 1;
    return 0;
}

static uint32_t u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void blocks_walk_back(void)
{
    unsigned char buf[4096];
    FILE *f = tmpfile();
    long size, off = 0;
    uint32_t types[8];
    int n = 0;
    CHECK(f != NULL);
    CHECK(write_sample(f) > 0);
    size = ftell(f);
    rewind(f);
    CHECK(size > 0 && size < (long)sizeof buf);
    CHECK(fread(buf, 1, (size_t)size, f) == (size_t)size);
    fclose(f);
    while (off < size && n < 8) {
        uint32_t len = u32(buf + off + 4);
        CHECK(len % 4 == 0 && len >= 12 && off + (long)len <= size);
        CHECK_EQ_LONG(u32(buf + off + len - 4), len); /* the length at both ends */
        types[n++] = u32(buf + off);
        off += len;
    }
    CHECK_EQ_LONG(off, size);
    CHECK_EQ_LONG(n, 4);
    CHECK_EQ_LONG(types[0], 0x0A0D0D0Au);
    CHECK_EQ_LONG(u32(buf + 8), 0x1A2B3C4Du);
    CHECK_EQ_LONG(types[1], 1);
    CHECK_EQ_LONG(types[2], 6);
    CHECK_EQ_LONG(types[3], 6);
    CHECK(contains(buf, (size_t)size, "client: recv() failed"));
}

static void timestamps_split(void)
{
    unsigned char buf[4096];
    FILE *f = tmpfile();
    long off;
    CHECK(f != NULL);
    write_sample(f);
    rewind(f);
    CHECK(fread(buf, 1, sizeof buf, f) > 0);
    fclose(f);
    off = (long)u32(buf + 4);                           /* past the section header */
    off += (long)u32(buf + off + 4);                    /* and the interface */
    CHECK_EQ_LONG(u32(buf + off + 8), 0);               /* interface id */
    CHECK_EQ_LONG(((uint64_t)u32(buf + off + 12) << 32) | u32(buf + off + 16), 1700000000123456ull);
    CHECK_EQ_LONG(u32(buf + off + 20), 60);             /* captured */
    CHECK_EQ_LONG(u32(buf + off + 24), 60);             /* on the wire */
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {{"pcapng_blocks_walk_back", blocks_walk_back},
                                             {"pcapng_timestamps_split", timestamps_split},
                                             {NULL, NULL}};
    if (argc == 3 && strcmp(argv[1], "write") == 0) { /* for the tshark test */
        FILE *f = fopen(argv[2], "wb");
        if (f == NULL)
            return 1;
        write_sample(f);
        return fclose(f) == 0 ? 0 : 1;
    }
    return test_main(cases, argc, argv);
}
