/* loadgen_die.c - the load generator's one way to give up while running: a line on stderr, exit
 * status 1. Every part calls it, so it sits below them all. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void lg_die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", LG_PROG);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}
