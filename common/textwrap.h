/* textwrap.h - text for a terminal: how many columns a UTF-8 string takes (a Hangul syllable takes
 * two, as terminals draw it) and paragraphs wrapped to a width in those columns. */
#ifndef SOCKLAB_TEXTWRAP_H
#define SOCKLAB_TEXTWRAP_H

#include <stdio.h>

/* Terminal columns taken by the first len bytes of s (UTF-8; East Asian wide characters count 2). */
int text_width_n(const char *s, size_t len);
int text_width(const char *s);

/* Prints s and pads it with spaces to width columns (wider text is printed whole). */
void text_pad(FILE *out, const char *s, int width);

/* Prints text word by word, breaking lines before width columns; every line after a break starts
 * with indent spaces; the first continues from column col (the caller has printed that much: a
 * prefix), or starts with the indent when col is 0.
 * A '\n' in text starts a new line. Ends with a newline. width <= 0 means no limit. */
void text_wrap(FILE *out, const char *text, int indent, int col, int width);

#endif
