/* test_textwrap.c - terminal columns of UTF-8 text and wrapping to a width: what lines up the
 * compare table and the Korean lesson text. */
#include <stdio.h>
#include <string.h>

#include "common/textwrap.h"
#include "tests/check.h"

/* What text_wrap printed, through a temporary file (fmemopen does not exist with MSVC). */
static void wrapped(char *buf, size_t len, const char *text, int indent, int col, int width)
{
    FILE *f = tmpfile();
    size_t n;
    CHECK(f != NULL);
    text_wrap(f, text, indent, col, width);
    rewind(f);
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void width_counts_hangul_as_two(void)
{
    CHECK_EQ_LONG(text_width("close"), 5);
    CHECK_EQ_LONG(text_width("\xeb\x8b\xab\xea\xb8\xb0"), 4);              /* "닫기": two syllables */
    CHECK_EQ_LONG(text_width("FIN \xec\xa0\x84\xec\x86\xa1"), 8);          /* "FIN 전송" */
    CHECK_EQ_LONG(text_width("\xe2\x96\x81\xe2\x96\x88"), 2);              /* sparkline blocks: one each */
    CHECK_EQ_LONG(text_width("\xc3\xa9"), 1);                              /* "é" */
    CHECK_EQ_LONG(text_width("\xea\xb8"), 1);                              /* a cut-off sequence */
    CHECK_EQ_LONG(text_width_n("\xeb\x8b\xab\xea\xb8\xb0", 3), 2);         /* the first syllable */
}

static void wrap_breaks_before_the_width(void)
{
    char out[256];
    wrapped(out, sizeof out, "aaa bbb ccc ddd", 2, 0, 10);
    CHECK_STR(out, "  aaa bbb\n  ccc ddd\n");
    wrapped(out, sizeof out, "one\ntwo", 0, 0, 0);
    CHECK_STR(out, "one\ntwo\n");
    /* Hangul words wrap by their columns, not their bytes: 4 words of 4 columns in 12 */
    wrapped(out, sizeof out, "\xeb\x8b\xab\xea\xb8\xb0 \xeb\x8b\xab\xea\xb8\xb0 \xeb\x8b\xab\xea\xb8\xb0", 0, 0, 10);
    CHECK_STR(out, "\xeb\x8b\xab\xea\xb8\xb0 \xeb\x8b\xab\xea\xb8\xb0\n\xeb\x8b\xab\xea\xb8\xb0\n");
}

static void wrap_continues_a_prefix(void)
{
    char out[256];
    /* the caller printed 6 columns ("  PASS"); continuation lines start at column 8 */
    wrapped(out, sizeof out, "x = 1 (observed 1)", 8, 6, 16);
    CHECK_STR(out, "x = 1\n        (observed\n        1)\n");
    /* a word longer than the width stays whole on its own line */
    wrapped(out, sizeof out, "a verylongword b", 0, 0, 5);
    CHECK_STR(out, "a\nverylongword\nb\n");
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"text_width_counts_hangul_as_two_columns", width_counts_hangul_as_two},
        {"text_wrap_breaks_before_the_width", wrap_breaks_before_the_width},
        {"text_wrap_continues_after_a_prefix", wrap_continues_a_prefix},
        {NULL, NULL},
    };
    return test_main(cases, argc, argv);
}
