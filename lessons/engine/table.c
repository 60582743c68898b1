/* table.c - `socklab compare`: one row per fact, one column per lesson, so the differences
 * between close modes stand next to each other. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

#include "common/textwrap.h"

#define KEY_W_MIN 30
#define KEY_W_MAX 48 /* dotted keys ("sizes.small.effective.so_rcvbuf") are long */
#define COL_W 24

static int have_key(const char (*keys)[FACT_KEY_LEN], size_t n, const char *k)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return 1;
    return 0;
}

static void rule(FILE *out, size_t n, int key_w)
{
    size_t i;
    for (i = 0; i < (size_t)key_w + n * (COL_W + 1); i++)
        fputc('-', out);
    fputc('\n', out);
}

/* The table of rs[0..n) over keys, one column per lesson. */
static void print_group(FILE *out, struct lesson_report *const *rs, size_t n, const char (*keys)[FACT_KEY_LEN],
                        size_t nkeys, int key_w)
{
    size_t i, k;
    char v[FACT_STR_LEN];
    fprintf(out, "\n");
    text_pad(out, T("fact (measured)"), key_w);
    for (i = 0; i < n; i++)
        fprintf(out, " %-*.*s", COL_W, COL_W, rs[i]->lesson->name);
    fputc('\n', out);
    rule(out, n, key_w);
    for (k = 0; k < nkeys; k++) {
        int any = 0;
        for (i = 0; i < n; i++)
            any |= factset_get(&rs[i]->facts, keys[k]) != NULL;
        if (!any)
            continue;
        fprintf(out, "%-*.*s", key_w, key_w, keys[k]);
        for (i = 0; i < n; i++) {
            const struct fact *f = factset_get(&rs[i]->facts, keys[k]);
            if (f != NULL)
                fact_format(f, v, sizeof v);
            else
                snprintf(v, sizeof v, "-");
            fprintf(out, " %-*.*s", COL_W, COL_W, v);
        }
        fputc('\n', out);
    }
    rule(out, n, key_w);
    text_pad(out, T("checks"), key_w);
    for (i = 0; i < n; i++) {
        size_t p = 0, c;
        for (c = 0; c < rs[i]->nchecks; c++)
            p += rs[i]->checks[c].status == CHECK_PASS;
        snprintf(v, sizeof v, "%s %zu/%zu", report_verdict_word(rs[i]), p, rs[i]->nchecks);
        fprintf(out, " %-*s", COL_W, v);
    }
    fputc('\n', out);
}

void report_print_table(FILE *out, struct lesson_report *const *rs, size_t n, int width)
{
    static char keys[MAX_FACTS * 4][FACT_KEY_LEN];
    static const char *const first[] = {"closer", "linger", "close_call_ms", "close_result", "peer_saw",
                                        "peer_saw_error", "bytes_written_before_close", "bytes_peer_received",
                                        "time_wait_on", "server_state_after_close", "server_final_state",
                                        "client_final_state", "server_port", "client_port"};
    size_t nkeys = 0, i, k, per;
    int key_w = KEY_W_MIN;

    for (k = 0; k < sizeof first / sizeof first[0]; k++)
        snprintf(keys[nkeys++], FACT_KEY_LEN, "%s", first[k]);
    for (i = 0; i < n; i++)
        for (k = 0; k < rs[i]->facts.n && nkeys < sizeof keys / sizeof keys[0]; k++)
            if (!have_key((const char (*)[FACT_KEY_LEN])keys, nkeys, rs[i]->facts.f[k].key))
                snprintf(keys[nkeys++], FACT_KEY_LEN, "%s", rs[i]->facts.f[k].key);

    for (k = 0; k < nkeys; k++)
        key_w = (int)strlen(keys[k]) > key_w ? (int)strlen(keys[k]) : key_w;
    key_w = key_w > KEY_W_MAX ? KEY_W_MAX : key_w;
    /* A terminal narrower than all the columns gets the lessons in groups, each a table of its own. */
    per = n;
    if (width > 0 && (size_t)key_w + n * (COL_W + 1) > (size_t)width) {
        if (width - key_w < COL_W + 1) /* a very narrow terminal: shorter keys, one lesson at a time */
            key_w = width - COL_W - 1 > KEY_W_MIN / 2 ? width - COL_W - 1 : KEY_W_MIN / 2;
        per = (size_t)((width - key_w) / (COL_W + 1));
        per = per < 1 ? 1 : per;
    }
    fprintf(out, "\n%s\n", T("Every value below was measured in this run; the lessons ran at the same time, each on "
                              "its own port."));
    for (i = 0; i < n; i += per)
        print_group(out, rs + i, n - i < per ? n - i : per, (const char (*)[FACT_KEY_LEN])keys, nkeys, key_w);
    for (i = 0; i < n; i++) {
        size_t c;
        /* the filter on a line of its own, never wrapped: it is copied into Wireshark whole */
        fprintf(out, "\n%s (%s)\n  Wireshark: ", rs[i]->lesson->name, rs[i]->platform);
        report_print_filter(out, rs[i]);
        fputc('\n', out);
        for (c = 0; c < rs[i]->nchecks; c++) {
            const struct check *ck = &rs[i]->checks[c];
            char line[CHECK_TEXT_LEN * 2 + 16];
            int col = fprintf(out, "  %-5s %-28s ", check_status_word(ck->status), ck->id);
            snprintf(line, sizeof line, T("%s (observed %s)"), ck->expect, ck->observed);
            /* continuation lines under the expectation, unless that leaves too little room */
            text_wrap(out, line, width <= 0 || col < width - 30 ? col : 8, col, width);
        }
        for (c = 0; c < rs[i]->nerrors; c++)
            fprintf(out, "  ERROR %s\n", rs[i]->errors[c]);
    }
    report_print_charts_side_by_side(out, rs, n, width); /* nothing for lessons without charts */
    for (i = 0; i < n; i++) {
        if (rs[i]->capture_file[0] != '\0') {
            fprintf(out, T("\ncapture: every lesson's packets in %s (%.1f KiB, an interface per lesson), each "
                           "timeline event a packet comment\n"),
                    rs[i]->capture_file, rs[i]->capture_file_bytes / 1024.0);
            break;
        }
    }
    fprintf(out, "\n%s\n%s\n", T("The story of each run, step by step: socklab run LESSON."),
            T("What to look for on the wire: socklab explain LESSON."));
}
