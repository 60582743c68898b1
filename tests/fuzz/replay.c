/* replay.c - runs a libFuzzer target's LLVMFuzzerTestOneInput over the files named on the command
 * line, once each: the seed corpus and every crash ever found, replayed by `./lab test` with
 * whatever compiler builds it (gcc, and ASan under ./lab test-asan) - no libFuzzer needed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_INPUT (1L << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    static uint8_t buf[MAX_INPUT];
    int i;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        size_t n;
        if (f == NULL) {
            fprintf(stderr, "%s: cannot open %s\n", argv[0], argv[i]);
            return 1;
        }
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("%d inputs replayed\n", argc - 1);
    return 0;
}
