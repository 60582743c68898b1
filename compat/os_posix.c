/* os_posix.c - compat/os.h with pthreads, clock_gettime and getrlimit. */
#define _GNU_SOURCE 1
#include "compat/os.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct os_thread {
    pthread_t tid;
    void (*fn)(void *);
    void *arg;
    /* os_thread_wait's "has it ended?", portable where pthread_timedjoin_np is not */
    pthread_mutex_t lock;
    pthread_cond_t ended_cond;
    int ended;
};

static void *trampoline(void *p)
{
    struct os_thread *t = p;
    t->fn(t->arg);
    pthread_mutex_lock(&t->lock);
    t->ended = 1;
    pthread_cond_broadcast(&t->ended_cond);
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

os_thread *os_thread_start(void (*fn)(void *), void *arg)
{
    struct os_thread *t = malloc(sizeof *t);
    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->ended = 0;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->ended_cond, NULL);
    if (pthread_create(&t->tid, NULL, trampoline, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->ended_cond);
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
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->ended_cond);
    free(t);
}

int os_thread_wait(os_thread *t, int timeout_ms)
{
    struct timespec until;
    int ended;
    if (t == NULL)
        return 1;
    clock_gettime(CLOCK_REALTIME, &until); /* pthread_cond_timedwait's default clock */
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->lock);
    while (!t->ended && pthread_cond_timedwait(&t->ended_cond, &t->lock, &until) == 0)
        ;
    ended = t->ended;
    pthread_mutex_unlock(&t->lock);
    if (!ended)
        return 0;
    os_thread_join(t);
    return 1;
}

struct os_mutex {
    pthread_mutex_t m;
};

os_mutex *os_mutex_new(void)
{
    os_mutex *m = malloc(sizeof *m);
    if (m != NULL && pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

void os_mutex_lock(os_mutex *m) { pthread_mutex_lock(&m->m); }
void os_mutex_unlock(os_mutex *m) { pthread_mutex_unlock(&m->m); }

void os_mutex_free(os_mutex *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

uint64_t os_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
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

void os_ui_language(char *buf, size_t len)
{
    if (len > 0)
        buf[0] = '\0';
}

void os_utf8_console(void) {}

int os_terminal_columns(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0)
        return 0;
    return ws.ws_col;
}

long os_pid(void) { return (long)getpid(); }

long os_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    long n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

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

int os_stay_on_one_cpu(void)
{
#if defined(__linux__)
    cpu_set_t one;
    int cpu = sched_getcpu();
    if (cpu < 0)
        return -1;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof one, &one) == 0 ? cpu : -1; /* 0: this thread */
#else
    return -1;
#endif
}
