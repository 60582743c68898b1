/* log.c - the server's one-line log on stderr. Each line is formatted first and written with one
 * fwrite, so lines from lesson threads never interleave mid-line.
 *
 * Per-connection lines pass a token bucket: a burst of LOG_BURST, then LOG_RATE a second. Whoever
 * can open connections could otherwise make the server write lines as fast as it accepts (3000
 * garbage connections, 9000 lines), costing CPU and filling a terminal or a disk. The lines left
 * out are counted, and srv_log_flush - called once a second by the sweep, and at shutdown - says
 * how many in one line. Those lines come only from the loop's thread; lesson threads use srv_log,
 * which is never limited (its lines are few and each one matters). */
#include "server/server.h"

#include <stdarg.h>
#include <stdio.h>

#include "compat/os.h"

#define LOG_BURST 100
#define LOG_RATE 20 /* lines a second once the burst is spent */

static struct {
    double tokens;
    uint64_t t_us;        /* when the tokens were counted */
    unsigned long held;   /* lines left out since the last summary */
    uint64_t held_since;  /* when the first of them was */
    int started;
} lim;

static void emit(const char *prefix, const char *fmt, va_list ap)
{
    char line[1024];
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

void srv_log_flush(void)
{
    if (lim.held == 0)
        return;
    srv_log("log: %lu per-connection lines left out in the last %.1f s (more than %d a second; --quiet "
            "silences them, --stats counts what the limits did)",
            lim.held, (double)(os_now_us() - lim.held_since) / 1e6, LOG_RATE);
    lim.held = 0;
}

static int take_token(void)
{
    uint64_t now = os_now_us();
    if (!lim.started) {
        lim.started = 1;
        lim.tokens = LOG_BURST;
    } else {
        lim.tokens += (double)(now - lim.t_us) * LOG_RATE / 1e6;
        if (lim.tokens > LOG_BURST)
            lim.tokens = LOG_BURST;
    }
    lim.t_us = now;
    if (lim.tokens >= 1.0) {
        lim.tokens -= 1.0;
        return 1;
    }
    if (lim.held++ == 0)
        lim.held_since = now;
    return 0;
}

void srv_log_conn(const struct srv *s, uint32_t id, const char *fmt, ...)
{
    char prefix[32];
    va_list ap;
    if (s->cfg.quiet || !take_token())
        return;
    snprintf(prefix, sizeof prefix, "conn %lu: ", (unsigned long)id);
    va_start(ap, fmt);
    emit(prefix, fmt, ap);
    va_end(ap);
}
