/* loadgen_measure.c - what a slice cost: the servers' CPU time (/proc/PID/task/TID/schedstat), the
 * load generator's own, the whole machine's (/proc/stat); the sums over the slices, and the report
 * line bench.sh parses (its keys and formats are that script's contract). */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat/os.h"

/* Nanoseconds the process has spent on a CPU: the first field of each thread's schedstat. */
long long lg_cpu_ns_of(long pid)
{
    char path[64], line[128];
    DIR *d;
    struct dirent *e;
    long long sum = 0;
    int n = 0;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    d = opendir(path);
    if (d == NULL)
        return -1;
    while (n < 4096 && (e = readdir(d)) != NULL) {
        char p[320];
        FILE *f;
        long long v;
        if (e->d_name[0] == '.')
            continue;
        n++;
        snprintf(p, sizeof p, "/proc/%ld/task/%s/schedstat", pid, e->d_name);
        f = fopen(p, "r");
        if (f == NULL)
            continue; /* the thread ended meanwhile */
        if (fgets(line, sizeof line, f) != NULL && sscanf(line, "%lld", &v) == 1)
            sum += v;
        fclose(f);
    }
    closedir(d);
    return sum;
}

long long lg_rss_bytes_of(long pid)
{
    char path[64];
    long long size, pages = -1;
    FILE *f;
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/statm", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%lld %lld", &size, &pages) != 2)
        pages = -1;
    fclose(f);
    return pages < 0 ? -1 : pages * (long long)sysconf(_SC_PAGESIZE);
}

/* CPU time the whole machine was busy (every CPU, every process and the kernel), in seconds:
 * /proc/stat's first line, all but idle and iowait. */
static double machine_busy_s(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
               &v[7]) != 8) {
        fclose(f);
        return -1;
    }
    fclose(f);
    /* user nice system irq softirq steal */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

void lg_snap_take(const struct lg *lg, struct lg_snap *s, int t)
{
    int k;
    s->t = lg_now_ns();
    s->ops = lg->tg[t].ops;
    s->bytes = lg->tg[t].bytes;
    s->errors = lg->tg[t].errors;
    for (k = 0; k < lg->ntg; k++)
        s->cpu_ns[k] = lg_cpu_ns_of(lg->tg[k].pid);
    s->self_us = (double)os_cpu_us();
    s->machine_s = machine_busy_s();
}

/* Adds the slice from a to b to target t's measured sums; say: and prints it on stderr. */
void lg_account(struct lg *lg, int t, const struct lg_snap *a, const struct lg_snap *b, int say)
{
    struct lg_target *g = &lg->tg[t];
    double per_unit = lg->mode->ops_per_unit;
    int k;

    g->slices++;
    g->secs += (double)(b->t - a->t) / 1e9;
    g->m_ops += (double)(b->ops - a->ops);
    g->m_bytes += (double)(b->bytes - a->bytes);
    g->m_errors += b->errors - a->errors;
    if (g->m_cpu_ns >= 0 && a->cpu_ns[t] >= 0 && b->cpu_ns[t] >= 0)
        g->m_cpu_ns += b->cpu_ns[t] - a->cpu_ns[t];
    else
        g->m_cpu_ns = -1;
    for (k = 0; k < lg->ntg; k++)
        if (k != t && a->cpu_ns[k] >= 0 && b->cpu_ns[k] >= 0)
            g->m_others_ns += (double)(b->cpu_ns[k] - a->cpu_ns[k]); /* the idle server, ~0 */
    g->m_self_us += b->self_us - a->self_us;
    if (say) {
        double ops = (double)(b->ops - a->ops) / per_unit;
        fprintf(stderr, "%s: slice %d of target %d: %.3f s, %.1f %s, server CPU %.3f us each\n", LG_PROG, g->slices,
                t + 1, (double)(b->t - a->t) / 1e9, ops, per_unit == 1 ? "ops" : lg->mode->unit,
                ops > 0 && a->cpu_ns[t] >= 0 ? (double)(b->cpu_ns[t] - a->cpu_ns[t]) / 1e3 / ops : -1.0);
    }
    g->m_machine_s = g->m_machine_s >= 0 && a->machine_s >= 0 && b->machine_s >= 0
                         ? g->m_machine_s + (b->machine_s - a->machine_s)
                         : -1;
}

void lg_forget_measured(struct lg_target *g)
{
    g->slices = 0;
    g->secs = g->m_ops = g->m_bytes = g->m_self_us = g->m_machine_s = g->m_others_ns = 0;
    g->m_errors = 0;
    g->m_cpu_ns = 0;
    g->nsamples = 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(const struct lg_target *g, double p)
{
    size_t k;
    if (g->nsamples == 0)
        return -1;
    k = (size_t)(p * (double)g->nsamples + 0.999999); /* nearest rank */
    if (k < 1)
        k = 1;
    if (k > g->nsamples)
        k = g->nsamples;
    return g->samples[k - 1] / 1000.0;
}

void lg_report(struct lg *lg, int t)
{
    const struct lg_mode *m = lg->mode;
    struct lg_target *g = &lg->tg[t];
    double ops = g->m_ops / m->ops_per_unit;
    double div = ops > 0 ? ops : 1, srv_share = -1, load_share = -1, other = -1, per_op = -1, cpu_us = -1;
    if (g->nsamples > 0)
        qsort(g->samples, g->nsamples, sizeof *g->samples, cmp_u32);
    if (g->m_cpu_ns >= 0) {
        cpu_us = (double)g->m_cpu_ns / 1e3;
        per_op = cpu_us / div;
    }
    if (g->secs > 0) {
        load_share = g->m_self_us / 1e6 / g->secs;
        if (g->m_cpu_ns >= 0)
            srv_share = (double)g->m_cpu_ns / 1e9 / g->secs;
        /* What else kept the CPUs busy meanwhile (other programs, kernel threads), in CPUs. */
        if (srv_share >= 0 && g->m_machine_s >= 0)
            other = g->m_machine_s / g->secs - srv_share - load_share - g->m_others_ns / 1e9 / g->secs;
    }
    printf("target=%d port=%ld mode=%s conns=%d size=%d seconds=%.3f slices=%d ops=%.1f rate=%.1f unit=%s "
           "server_cpu_us=%.0f server_cpu_us_per_op=%.3f server_cpu_share=%.3f loadgen_cpu_share=%.3f "
           "other_cpu_share=%.3f p50_us=%.1f p99_us=%.1f errors=%llu",
           t + 1, g->port, m->name, lg->o.conns, m->size_is_chunk ? lg->o.chunk : lg->o.size, g->secs, g->slices,
           ops, g->secs > 0 ? ops / g->secs : 0, m->unit, cpu_us, per_op, srv_share, load_share, other,
           pct_us(g, 0.50), pct_us(g, 0.99), (unsigned long long)g->m_errors);
    if (m->report_tail != NULL)
        m->report_tail(lg);
    printf("\n");
}
