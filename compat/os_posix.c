/* os_posix.c - compat/os.h with pthreads, clock_gettime and getrlimit. */
#define _GNU_SOURCE 1
#include "compat/os.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct os_thread {
    pthread_t tid;
    void (*fn)(void *);
    void *arg;
};

static void *trampoline(void *p)
{
    struct os_thread *t = p;
    t->fn(t->arg);
    return NULL;
}

os_thread *os_thread_start(void (*fn)(void *), void *arg)
{
    struct os_thread *t = malloc(sizeof *t);
    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->tid, NULL, trampoline, t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void os_thread_join(os_thread *t)
{
    if (t == NULL)
        return;
    pthread_join(t->tid, NULL);
    free(t);
}

uint64_t os_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void os_sleep_ms(int ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ; /* a signal cut the sleep short: sleep the rest */
}

long os_raise_fd_limit(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if ((long)rl.rlim_cur < want) {
        rlim_t target = (rlim_t)want;
        if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
            target = rl.rlim_max;
        rl.rlim_cur = target;
        /* A refused raise (above fs.nr_open, say) leaves the old limit: report that one. */
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
            return -1;
    }
    return (long)rl.rlim_cur;
}

long os_pid(void) { return (long)getpid(); }

long os_rss_bytes(void)
{
    /* statm's second field: resident pages. */
    long pages = -1, size;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &pages) != 2)
        pages = -1;
    fclose(f);
    return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

long os_peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
#ifdef __APPLE__
    return (long)ru.ru_maxrss; /* bytes on macOS */
#else
    return (long)ru.ru_maxrss * 1024L; /* kilobytes on Linux and the BSDs */
#endif
}

uint64_t os_cpu_us(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec +
           (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
}
