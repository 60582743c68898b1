/* lesson_mode.c - --lesson NAME: the server side of a lesson, once per accepted connection.
 *
 * A lesson side is a blocking script (send, sleep, close, watch the kernel's socket table), so each
 * accepted socket goes to its own thread and never onto the event loop. The loop keeps accepting,
 * which lets a lesson of several connections, or several bots at once, be served.
 *
 * Reports go to stdout whole: each thread renders its report into a temporary file and copies it
 * out with one fwrite, which stdio performs under its own stream lock, so two reports finishing at
 * the same moment never interleave and no mutex of ours is needed. */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>

#include "compat/os.h"
#include "lessons/engine/engine.h"

struct lesson_job {
    struct lesson_job *next;
    os_thread *thread;
    const struct lesson *lesson;
    sock_t fd;
    unsigned index;
    int json;
    int passed; /* written by the thread, read after joining it */
};

struct srv_lessons {
    struct lesson_job *jobs, **tail;
    unsigned long accepted;
};

static void print_report(const struct lesson_report *r, int json)
{
    FILE *tmp = tmpfile();
    char *text = NULL;
    long size = -1;

    if (tmp != NULL) {
        if (json)
            report_print_json(tmp, r);
        else
            report_print_text(tmp, r);
        size = ftell(tmp);
        text = size > 0 ? malloc((size_t)size) : NULL;
        rewind(tmp);
        if (text != NULL && fread(text, 1, (size_t)size, tmp) == (size_t)size)
            fwrite(text, 1, (size_t)size, stdout);
        else
            size = -1;
        free(text);
        fclose(tmp);
    }
    if (size < 0) { /* no temporary file (e.g. a read-only temp dir): print directly */
        if (json)
            report_print_json(stdout, r);
        else
            report_print_text(stdout, r);
    }
    fflush(stdout);
}

static void job_main(void *arg)
{
    struct lesson_job *job = arg;
    struct lesson_report *r = lesson_serve_one(job->lesson, job->fd, job->index);
    if (r == NULL) {
        srv_log("lesson %s, connection %u: no report", job->lesson->name, job->index + 1);
        return;
    }
    job->passed = report_passed(r);
    print_report(r, job->json);
    report_free(r);
}

int srv_lessons_init(struct srv *s)
{
    s->lessons = calloc(1, sizeof *s->lessons);
    if (s->lessons == NULL)
        return -1;
    s->lessons->tail = &s->lessons->jobs;
    return 0;
}

void srv_lesson_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                       void *arg)
{
    struct srv *s = arg;
    struct srv_lessons *ls = s->lessons;
    unsigned per_run = s->lesson->connections ? s->lesson->connections : 1;
    struct lesson_job *job;
    char err[SOCK_ERR_LEN];
    (void)l, (void)addr, (void)addrlen;

    if (s->stopping) {
        sock_close(fd);
        return;
    }
    /* The lesson scripts blocking calls; on Windows an accepted socket inherits non-blocking mode
     * from the listener, so make it explicit everywhere. */
    if (sock_set_nonblocking(fd, 0, err) != 0)
        srv_log("lesson connection: %s", err);
    job = calloc(1, sizeof *job);
    if (job == NULL) {
        srv_log("out of memory for a lesson connection: closed it");
        sock_close(fd);
        return;
    }
    job->lesson = s->lesson;
    job->fd = fd;
    job->index = (unsigned)(ls->accepted % per_run);
    job->json = s->cfg.json;
    ls->accepted++;
    s->served++;
    srv_log_conn(s, (uint32_t)ls->accepted, "lesson %s, connection %u of %u, from port %u", s->lesson->name,
                 job->index + 1, per_run, (unsigned)sock_peer_port(fd));
    job->thread = os_thread_start(job_main, job);
    if (job->thread == NULL) {
        srv_log("cannot start a thread for lesson connection %lu: closed it", ls->accepted);
        sock_close(fd);
        free(job);
        return;
    }
    *ls->tail = job;
    ls->tail = &job->next;
}

unsigned srv_lessons_join(struct srv *s, unsigned *runs)
{
    struct srv_lessons *ls = s->lessons;
    unsigned failed = 0;
    *runs = 0;
    if (ls == NULL)
        return 0;
    while (ls->jobs != NULL) {
        struct lesson_job *job = ls->jobs;
        ls->jobs = job->next;
        os_thread_join(job->thread);
        (*runs)++;
        if (!job->passed)
            failed++;
        free(job);
    }
    free(ls);
    s->lessons = NULL;
    return failed;
}
