/* os.h - the non-socket platform services socklab needs: threads, a monotonic clock, sleeping,
 * raising the file-descriptor limit and stopping on Ctrl-C. Implemented in os_posix.c / os_win32.c. */
#ifndef SOCKLAB_COMPAT_OS_H
#define SOCKLAB_COMPAT_OS_H

#include <stddef.h>
#include <stdint.h>

typedef struct os_thread os_thread;
/* Starts fn(arg) on a new thread; returns NULL on failure. */
os_thread *os_thread_start(void (*fn)(void *), void *arg);
void os_thread_join(os_thread *t);
/* Waits up to timeout_ms for the thread to end: 1 when it ended (it is then joined and freed, as
 * by os_thread_join), 0 when it still runs. */
int os_thread_wait(os_thread *t, int timeout_ms);

/* A lock between threads (a pthread mutex, a Windows critical section). */
typedef struct os_mutex os_mutex;
os_mutex *os_mutex_new(void); /* NULL on failure */
void os_mutex_lock(os_mutex *m);
void os_mutex_unlock(os_mutex *m);
void os_mutex_free(os_mutex *m);

uint64_t os_now_us(void); /* monotonic */
uint64_t os_wall_us(void); /* the calendar clock (microseconds since 1970), as packet captures stamp */
void os_sleep_ms(int ms);

/* Raises the soft open-files limit towards want (at most to the hard limit); returns the limit now
 * in force, also when the raise was refused (or -1 if it cannot be read). */
long os_raise_fd_limit(long want);

/* The language the system's user interface is set to, as an ISO 639 code ("ko"), in buf; "" where
 * the system has no such setting (POSIX: the locale environment says it, which common/i18n.c reads). */
void os_ui_language(char *buf, size_t len);
/* Makes the console show UTF-8 text (Windows: its output code page); nothing where it already does. */
void os_utf8_console(void);

/* The width of the terminal stdout writes to, in columns; 0 when stdout is not a terminal. */
int os_terminal_columns(void);

/* Process id, for reading this process's own resource use. */
long os_pid(void);

/* Descriptors (Windows: kernel handles) this process holds open now, -1 if unknown. */
long os_open_fds(void);

/* Resident set size of this process in bytes, -1 if unknown. */
long os_rss_bytes(void);

/* The largest resident set size this process has had, in bytes, -1 if unknown. */
long os_peak_rss_bytes(void);

/* CPU time this process has used (user + system, all threads), microseconds; 0 if unknown. */
uint64_t os_cpu_us(void);

/* Keeps the calling thread, and the threads it starts from now on, on the one CPU it runs on now
 * (Linux: sched_setaffinity of this thread; Windows: the process's affinity). Returns that CPU's
 * number, -1 where the platform cannot. */
int os_stay_on_one_cpu(void);

#endif
