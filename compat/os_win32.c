/* os_win32.c - compat/os.h on Windows: CRT threads, QueryPerformanceCounter, Sleep and the process
 * memory counters. The POSIX twin is os_posix.c. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef PSAPI_VERSION
#define PSAPI_VERSION 2 /* GetProcessMemoryInfo = K32GetProcessMemoryInfo in kernel32: no psapi.lib */
#endif
#include <windows.h>
#include <psapi.h>
#include <process.h>

#include <limits.h>
#include <stdlib.h>

#include "compat/os.h"

struct os_thread {
    HANDLE handle;
    void (*fn)(void *);
    void *arg;
};

/* _beginthreadex, not a bare CreateThread: Microsoft's CRT documentation asks threads that call CRT
 * functions (lessons print, allocate, format) to be started by the CRT, which then sets up and frees
 * its per-thread data. It returns the same kind of thread HANDLE. */
static unsigned __stdcall trampoline(void *p)
{
    struct os_thread *t = p;
    t->fn(t->arg);
    return 0;
}

os_thread *os_thread_start(void (*fn)(void *), void *arg)
{
    struct os_thread *t = malloc(sizeof *t);
    uintptr_t h;
    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    h = _beginthreadex(NULL, 0, trampoline, t, 0, NULL);
    if (h == 0) {
        free(t);
        return NULL;
    }
    t->handle = (HANDLE)h;
    return t;
}

void os_thread_join(os_thread *t)
{
    if (t == NULL)
        return;
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    free(t);
}

int os_thread_wait(os_thread *t, int timeout_ms)
{
    if (t == NULL)
        return 1;
    if (WaitForSingleObject(t->handle, timeout_ms < 0 ? 0 : (DWORD)timeout_ms) != WAIT_OBJECT_0)
        return 0;
    CloseHandle(t->handle);
    free(t);
    return 1;
}

struct os_mutex {
    CRITICAL_SECTION cs;
};

os_mutex *os_mutex_new(void)
{
    os_mutex *m = malloc(sizeof *m);
    if (m != NULL)
        InitializeCriticalSection(&m->cs);
    return m;
}

void os_mutex_lock(os_mutex *m) { EnterCriticalSection(&m->cs); }
void os_mutex_unlock(os_mutex *m) { LeaveCriticalSection(&m->cs); }

void os_mutex_free(os_mutex *m)
{
    if (m == NULL)
        return;
    DeleteCriticalSection(&m->cs);
    free(m);
}

uint64_t os_wall_us(void)
{
    FILETIME ft;
    ULARGE_INTEGER t;
    GetSystemTimeAsFileTime(&ft); /* 100 ns units since 1601 */
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    return (t.QuadPart - 116444736000000000ull) / 10u;
}

uint64_t os_now_us(void)
{
    static LARGE_INTEGER freq; /* constant after boot; racing first calls store the same value */
    LARGE_INTEGER now;
    uint64_t f, c;
    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq); /* never fails on Windows XP and later */
    QueryPerformanceCounter(&now);
    f = (uint64_t)freq.QuadPart;
    c = (uint64_t)now.QuadPart;
    /* Split so c * 1e6 cannot overflow (at 10 MHz it would after ~21 days of uptime). */
    return (c / f) * 1000000u + (c % f) * 1000000u / f;
}

void os_sleep_ms(int ms)
{
    /* Granularity is the system timer tick (often 15.6 ms, 1 ms when some process raised it with
     * timeBeginPeriod): lessons must not rely on finer sleeps. */
    if (ms > 0)
        Sleep((DWORD)ms);
}

long os_raise_fd_limit(long want)
{
    /* Windows has no RLIMIT_NOFILE: a SOCKET is a kernel handle, not a CRT file descriptor
     * (_setmaxstdio only concerns FILE* streams), and a process may hold about 2^24 handles before
     * memory runs out. So there is nothing to raise; report that ceiling. */
    const long handle_ceiling = 16L * 1024 * 1024;
    (void)want;
    return handle_ceiling;
}

void os_ui_language(char *buf, size_t len)
{
    wchar_t name[LOCALE_NAME_MAX_LENGTH];
    size_t i;
    if (len == 0)
        return;
    buf[0] = '\0';
    /* "ko-KR" -> "ko": the language part of the user's UI language */
    if (LCIDToLocaleName(MAKELCID(GetUserDefaultUILanguage(), SORT_DEFAULT), name, LOCALE_NAME_MAX_LENGTH, 0) == 0)
        return;
    for (i = 0; i + 1 < len && name[i] >= L'a' && name[i] <= L'z'; i++)
        buf[i] = (char)name[i];
    buf[i] = '\0';
}

void os_utf8_console(void) { SetConsoleOutputCP(CP_UTF8); }

int os_terminal_columns(void)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info))
        return 0; /* not a console: a file or a pipe */
    return info.srWindow.Right - info.srWindow.Left + 1;
}

long os_pid(void) { return (long)GetCurrentProcessId(); }

#ifdef SOCKLAB_MINIMAL_SDK
/* Wine 8's winbase.h lacks this prototype (Windows XP SP1+); only the MSVC-proxy check uses it. */
BOOL WINAPI GetProcessHandleCount(HANDLE process, PDWORD count);
#endif

long os_open_fds(void)
{
    DWORD n = 0;
    /* every kernel object the process holds, sockets among them: the nearest to an fd count. A
     * running process always holds some; Wine 8 succeeds with 0, which is "unknown", not a count. */
    return GetProcessHandleCount(GetCurrentProcess(), &n) && n > 0 ? (long)n : -1;
}

long os_rss_bytes(void)
{
    PROCESS_MEMORY_COUNTERS pmc;
    pmc.cb = (DWORD)sizeof pmc;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &pmc, (DWORD)sizeof pmc))
        return -1;
    /* long is 32 bits on Windows (LLP64): clamp rather than wrap above 2 GiB. */
    return pmc.WorkingSetSize > (SIZE_T)LONG_MAX ? LONG_MAX : (long)pmc.WorkingSetSize;
}

long os_peak_rss_bytes(void)
{
    PROCESS_MEMORY_COUNTERS pmc;
    pmc.cb = (DWORD)sizeof pmc;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &pmc, (DWORD)sizeof pmc))
        return -1;
    return pmc.PeakWorkingSetSize > (SIZE_T)LONG_MAX ? LONG_MAX : (long)pmc.PeakWorkingSetSize;
}

uint64_t os_cpu_us(void)
{
    FILETIME created, exited, kernel, user;
    ULARGE_INTEGER k, u;
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        return 0;
    k.LowPart = kernel.dwLowDateTime;
    k.HighPart = kernel.dwHighDateTime;
    u.LowPart = user.dwLowDateTime;
    u.HighPart = user.dwHighDateTime;
    return (k.QuadPart + u.QuadPart) / 10u; /* 100 ns units */
}

int os_stay_on_one_cpu(void)
{
    /* New threads take the process's affinity, not their creator's: set the process's. */
    DWORD cpu = GetCurrentProcessorNumber();
    if (cpu >= 8 * sizeof(DWORD_PTR) || !SetProcessAffinityMask(GetCurrentProcess(), (DWORD_PTR)1 << cpu))
        return -1;
    return (int)cpu;
}
