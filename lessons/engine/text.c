/* text.c - a lesson run's report as text: the timeline, the facts, the charts, the checks and the
 * Wireshark display filter with this run's port in it. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

const char *report_filter_text(const struct lesson_report *r, char *buf, size_t len)
{
    const struct fact *p = factset_get(&r->facts, "server_port");
    const char *w = r->lesson->wireshark, *at = strstr(w, "{port}");
    if (at != NULL && p != NULL)
        snprintf(buf, len, "%.*s%lld%s", (int)(at - w), w, p->i, at + 6);
    else
        snprintf(buf, len, "%s", w);
    return buf;
}

void report_print_filter(FILE *out, const struct lesson_report *r)
{
    char buf[512];
    fputs(report_filter_text(r, buf, sizeof buf), out);
}

void report_print_text(FILE *out, const struct lesson_report *r)
{
    const struct fact *fs[MAX_FACTS];
    size_t i, n, passed = 0, failed = 0, known = 0, width = 34;
    char v[FACT_STR_LEN];

    fprintf(out, "\n%s: %s\n", r->lesson->name, lesson_title(r->lesson));
    fprintf(out, T("platform: %s%s%s; started %s\n\n"), r->platform, r->runtime ? T(" under ") : "",
            r->runtime ? r->runtime : "", r->start_time);
    fprintf(out, "%s\n", T("timeline (measured in this run)"));
    for (i = 0; i < r->nevents; i++)
        fprintf(out, "  %8.1f ms  %-6s  %s\n", r->events[i].t_ms, side_role_name(r->events[i].role),
                r->events[i].text);
    fprintf(out, "\n%s\n", T("facts"));
    n = facts_ordered(&r->facts, fs, MAX_FACTS);
    for (i = 0; i < n; i++)
        width = strlen(fs[i]->key) > width ? strlen(fs[i]->key) : width;
    for (i = 0; i < n; i++) {
        fact_format(fs[i], v, sizeof v);
        fprintf(out, "  %-*s %s\n", (int)width, fs[i]->key, v);
    }
    report_print_charts(out, r);
    fprintf(out, T("\nchecks (%s)\n"), r->platform);
    for (i = 0; i < r->nchecks; i++) {
        const struct check *c = &r->checks[i];
        fprintf(out, T("  %s  %-28s expect %-40s observed %s\n"), check_status_word(c->status), c->id, c->expect,
                c->observed);
        if (c->status == CHECK_KNOWN_DIFF)
            fprintf(out, T("        known %s difference: %s\n"), r->runtime, c->why);
        passed += c->status == CHECK_PASS;
        failed += c->status == CHECK_FAIL;
        known += c->status == CHECK_KNOWN_DIFF;
    }
    for (i = 0; i < r->nerrors; i++)
        fprintf(out, "  ERROR %s\n", r->errors[i]);
    if (r->lab_watch[0] != '\0' || r->nlab > 0) {
        fprintf(out, T("\nimpairment lab (a private network namespace of this run; watch it live: %s)\n"),
                r->lab_watch[0] != '\0' ? r->lab_watch : "-");
        for (i = 0; i < r->nlab; i++)
            fprintf(out, "  %s\n", r->lab[i]);
    }
    if (r->capture_file[0] != '\0')
        fprintf(out, T("\ncapture: %ld packets (snap length %d bytes), in %s (%.1f KiB), every timeline event a "
                       "packet comment; %ld dropped by the kernel%s\n"),
                r->capture_packets, r->capture_snaplen, r->capture_file, r->capture_file_bytes / 1024.0,
                r->capture_dropped, r->capture_not_kept > 0 ? T(", some not kept (storage full)") : "");
    else if (r->capture != NULL)
        fprintf(out, T("\ncapture: %ld packets (snap length %d bytes), kept for the ladder diagram; %ld dropped by "
                       "the kernel%s\n"),
                r->capture_packets, r->capture_snaplen, r->capture_dropped,
                r->capture_not_kept > 0 ? T(", some not kept (storage full)") : "");
    else if (r->capture_note[0] != '\0')
        fprintf(out, T("\ncapture: none (%s)\n"), r->capture_note);
    fprintf(out, "\n%s ", T("Wireshark display filter:"));
    report_print_filter(out, r);
    if (known > 0)
        fprintf(out, T("\nresult: %s (%zu passed, %zu failed, %zu known %s differences, %zu not evaluated here)\n"),
                report_verdict_word(r), passed, failed, known, r->runtime,
                r->nchecks - passed - failed - known);
    else
        fprintf(out, T("\nresult: %s (%zu passed, %zu failed, %zu not evaluated here)\n"),
                report_verdict_word(r), passed, failed, r->nchecks - passed - failed);
}
