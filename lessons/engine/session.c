/* session.c - the workshop session line: what socklab-bot --lesson and socklab-server --lesson say
 * on each lesson connection before the lesson's own bytes (the format is in engine.h).
 *
 * It exists so that a server which will not run a lesson can say why - it is busy, or it runs
 * another lesson - and the bot reports that as a setup error instead of judging a lesson against a
 * connection that carried nothing. The line names the lesson, a session id shared by the run's
 * connections and which connection of the run this is, so a server can tell runs apart (a later
 * classroom session can group them by it). Both ends read exactly one line and nothing past its
 * newline: the lesson's bytes follow at once and belong to the lesson. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define MAGIC "SOCKLAB-LESSON"
#define MAX_CONNS_NAMED 64 /* a run's connections, as the line may state them */

/* ---- the line ------------------------------------------------------------------------------- */

/* A word of the line: [first, end) of the next run of non-spaces, or -1 when there is none. */
static int next_word(const char *line, size_t len, size_t *pos, char *out, size_t cap)
{
    size_t start, n;
    while (*pos < len && line[*pos] == ' ')
        (*pos)++;
    start = *pos;
    while (*pos < len && line[*pos] != ' ')
        (*pos)++;
    n = *pos - start;
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, line + start, n);
    out[n] = '\0';
    return 0;
}

static int all_of(const char *w, const char *allowed)
{
    for (; *w != '\0'; w++)
        if (strchr(allowed, *w) == NULL)
            return 0;
    return 1;
}

int lesson_session_parse(const char *line, size_t len, struct lesson_session *out, char *why, size_t whylen)
{
    char magic[16], version[8] = "", want[8], conns[16], *slash, *end = NULL;
    size_t pos = 0;
    long i, n;

    memset(out, 0, sizeof *out);
    if (next_word(line, len, &pos, magic, sizeof magic) != 0 || strcmp(magic, MAGIC) != 0) {
        snprintf(why, whylen, "not a lesson session line (" MAGIC " %d LESSON SESSION CONN/CONNS)",
                 LESSON_SESSION_VERSION);
        return -1;
    }
    snprintf(want, sizeof want, "%d", LESSON_SESSION_VERSION);
    if (next_word(line, len, &pos, version, sizeof version) != 0 || strcmp(version, want) != 0) {
        snprintf(why, whylen, "session line version %s; this server speaks %d", version, LESSON_SESSION_VERSION);
        return -1;
    }
    if (next_word(line, len, &pos, out->lesson, sizeof out->lesson) != 0 ||
        !all_of(out->lesson, "abcdefghijklmnopqrstuvwxyz0123456789-") ||
        next_word(line, len, &pos, out->id, sizeof out->id) != 0 ||
        !all_of(out->id, "0123456789abcdefABCDEF") ||
        next_word(line, len, &pos, conns, sizeof conns) != 0 || (slash = strchr(conns, '/')) == NULL) {
        snprintf(why, whylen, "malformed session line");
        return -1;
    }
    i = strtol(conns, &end, 10);
    n = end == slash ? strtol(slash + 1, &end, 10) : 0;
    if (*end != '\0' || i < 1 || n < i || n > MAX_CONNS_NAMED || pos != len) {
        snprintf(why, whylen, "malformed session line");
        return -1;
    }
    out->conn = (unsigned)i;
    out->conns = (unsigned)n;
    return 0;
}

size_t lesson_session_answer(const char *refusal, char *out, size_t cap)
{
    size_t i, n = 0;
    if (cap < 4)
        return 0;
    if (refusal == NULL) {
        memcpy(out, "OK\n", 3);
        return 3;
    }
    memcpy(out, "ERR ", 4);
    n = 4;
    for (i = 0; refusal[i] != '\0' && n + 1 < cap; i++) /* one line, printable */
        out[n++] = (refusal[i] >= 0x20 && refusal[i] < 0x7f) ? refusal[i] : '?';
    out[n++] = '\n';
    return n;
}

/* ---- the client's side ------------------------------------------------------------------------- */

void session_client_init(struct session_client *sc, unsigned conns)
{
    /* Unique enough to tell apart the runs one server sees at once: the clock and the process. */
    uint64_t x = os_now_us() ^ ((uint64_t)os_pid() << 40);
    snprintf(sc->id, sizeof sc->id, "%08lx", (unsigned long)((x ^ (x >> 32)) & 0xffffffffu));
    sc->conns = conns;
}

/* Reads the answer one byte at a time: the lesson's first bytes may follow it at once. */
static int read_answer(struct lesson_side *s, char *line, size_t cap, uint64_t deadline)
{
    size_t n = 0;
    while (n + 1 < cap) {
        uint64_t now = os_now_us();
        long got;
        if (now >= deadline || side_wait(s, 0, (int)((deadline - now) / 1000u) + 1) != 1) {
            snprintf(line, cap, "no answer within %d ms", LESSON_SESSION_TIMEOUT_MS);
            return -1;
        }
        got = sock_recv(s->sock, line + n, 1);
        if (got <= 0) {
            snprintf(line, cap, "%s", got == 0 ? "the server closed the connection without an answer"
                                                : sock_err_name(sock_last_error()));
            return -1;
        }
        if (line[n] == '\n') {
            line[n] = '\0';
            return 0;
        }
        n++;
    }
    snprintf(line, cap, "an answer longer than a line");
    return -1;
}

int session_client_hello(struct lesson_side *s, const struct session_client *sc, char *refusal, size_t len)
{
    char line[LESSON_SESSION_LINE_MAX], answer[LESSON_SESSION_LINE_MAX];
    uint64_t deadline = os_now_us() + (uint64_t)LESSON_SESSION_TIMEOUT_MS * 1000u;
    int n = snprintf(line, sizeof line, MAGIC " %d %s %s %u/%u\n", LESSON_SESSION_VERSION, s->lesson->name, sc->id,
                     s->conn + 1, sc->conns);
    long off = 0;

    while (off < n) { /* a blocking socket: a short send only when the peer is gone */
        long k = sock_send(s->sock, line + off, (size_t)(n - off));
        if (k <= 0) {
            snprintf(refusal, len, "could not send the session line: %s", sock_err_name(sock_last_error()));
            return -1;
        }
        off += k;
    }
    s->session_sent = off;
    if (read_answer(s, answer, sizeof answer, deadline) != 0) {
        snprintf(refusal, len, "the server did not answer the lesson's session line (%s): is it socklab-server "
                 "--lesson, of this version?", answer);
        return -1;
    }
    if (strcmp(answer, "OK") == 0)
        return 0;
    if (strncmp(answer, "ERR ", 4) == 0) {
        snprintf(refusal, len, "the server refused the lesson: %s", answer + 4);
        return strncmp(answer + 4, LESSON_SESSION_BUSY, strlen(LESSON_SESSION_BUSY)) == 0 ? SESSION_BUSY : -1;
    }
    snprintf(refusal, len, "the server answered the session line with '%.60s', not OK or ERR", answer);
    return -1;
}

const char *report_refusal(const struct lesson_report *r)
{
    return r->refusal[0] != '\0' ? r->refusal : NULL;
}
