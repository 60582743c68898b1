/* log.c - the server's one-line log on stderr. Each line is formatted first and written with one
 * fwrite, so lines from lesson threads never interleave mid-line. */
#include "server/server.h"

#include <stdarg.h>
#include <stdio.h>

static void emit(const char *prefix, const char *fmt, va_list ap)
{
    char line[768];
    int n = snprintf(line, sizeof line, "%s: %s", SRV_PROG, prefix);
    int m;
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2; /* truncated: keep the newline */
    line[n++] = '\n';
    fwrite(line, 1, (size_t)n, stderr);
    fflush(stderr);
}

void srv_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}

void srv_log_conn(const struct srv *s, uint32_t id, const char *fmt, ...)
{
    char prefix[32];
    va_list ap;
    if (s->cfg.quiet)
        return;
    snprintf(prefix, sizeof prefix, "conn %lu: ", (unsigned long)id);
    va_start(ap, fmt);
    emit(prefix, fmt, ap);
    va_end(ap);
}
