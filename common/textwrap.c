/* textwrap.c - see textwrap.h. Width comes from the code point, not the byte count, so Korean lesson
 * text lines up in columns and wraps where the terminal would. */
#include "common/textwrap.h"

#include <string.h>

/* The ranges terminals draw two columns wide that socklab's texts use: Hangul Jamo, CJK punctuation
 * and ideographs, Hangul compatibility Jamo and syllables, full-width forms. */
static int wide(unsigned long cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6);
}

int text_width_n(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    int w = 0;
    while (p < end && *p != '\0') {
        unsigned long cp = *p;
        int more = 0;
        if (cp >= 0xF0)
            cp &= 0x07, more = 3;
        else if (cp >= 0xE0)
            cp &= 0x0F, more = 2;
        else if (cp >= 0xC0)
            cp &= 0x1F, more = 1;
        p++;
        /* a broken sequence counts each byte as one column rather than swallowing what follows */
        while (more > 0 && p < end && (*p & 0xC0) == 0x80)
            cp = (cp << 6) | (*p++ & 0x3F), more--;
        if (cp >= 0x80 && cp < 0xC0)
            continue; /* a stray continuation byte */
        w += wide(cp) ? 2 : 1;
    }
    return w;
}

int text_width(const char *s) { return text_width_n(s, strlen(s)); }

void text_pad(FILE *out, const char *s, int width)
{
    int w = text_width(s);
    fputs(s, out);
    for (; w < width; w++)
        fputc(' ', out);
}

void text_wrap(FILE *out, const char *text, int indent, int col, int width)
{
    const char *p = text;
    int line_start = 1; /* no word on this line yet (a caller's prefix may be) */
    while (*p != '\0') {
        const char *w = p;
        int len;
        while (*w != '\0' && *w != ' ' && *w != '\n')
            w++;
        len = text_width_n(p, (size_t)(w - p));
        if (!line_start && width > 0 && col + 1 + len > width) {
            fputc('\n', out);
            col = 0;
            line_start = 1;
        }
        if (line_start) {
            if (col == 0) { /* a fresh line; on the first, a caller's prefix stands in for the indent */
                fprintf(out, "%*s", indent, "");
                col = indent;
            }
            line_start = 0;
        } else {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", (int)(w - p), p);
        col += len;
        p = w;
        if (*p == '\n') {
            fputc('\n', out);
            col = 0;
            line_start = 1;
        }
        if (*p != '\0')
            p++;
    }
    if (col > 0)
        fputc('\n', out);
}
