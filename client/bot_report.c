/* bot_report.c - the summary of a run, for people (a table) or for programs (one JSON object). */
#include "client/bot.h"

#include "common/json.h"

static double elapsed_s(const struct bot_stats *s)
{
    if (s->t_first == 0 || s->t_last <= s->t_first)
        return 0.0;
    return (double)(s->t_last - s->t_first) / 1e6;
}

static double per_s(uint64_t n, double secs)
{
    return secs > 0.0 ? (double)n / secs : 0.0;
}

/* Every bot connected, and every connection ended the way a healthy run ends. */
int bot_report_passed(const struct bot_stats *s, const struct bot_opts *o)
{
    return s->connected == (uint64_t)o->count &&
           s->ends[BOT_END_DONE] + s->ends[BOT_END_EOF] == (uint64_t)o->count;
}

static const char *proto_name(const struct bot_opts *o)
{
    return o->proto == BOT_PROTO_ECHO ? "echo" : "game";
}

static void full_bounds(struct bot_stats *s)
{
    if (s->full == 1) { /* still open when the loop ended (interrupted): close it at the end */
        s->full = 2;
        s->full_t1 = s->t_last;
        s->full_rx1 = s->bytes_received;
        s->full_tx1 = s->bytes_sent;
    }
}

static double full_secs(const struct bot_stats *s)
{
    return s->full == 2 && s->full_t1 > s->full_t0 ? (double)(s->full_t1 - s->full_t0) / 1e6 : 0.0;
}

/* "  label             p50 N us   p99 N us   (note)", nothing without samples. */
static void pct_line(FILE *out, const char *label, struct bot_series *se, const char *note)
{
    if (se->n == 0)
        return;
    fprintf(out, "%-20sp50 %lu us   p99 %lu us", label, (unsigned long)bot_series_pct(se, 50),
            (unsigned long)bot_series_pct(se, 99));
    if (note != NULL)
        fprintf(out, "   (%s)", note);
    fputc('\n', out);
}

/* Why STATE latency has samples or not. */
static const char *latency_status(const struct bot_stats *s, const struct bot_opts *o)
{
    if (!o->same_clock)
        return "not measured: the server is on another host (clocks differ; see the tick interval)";
    if (s->clocks_differ)
        return "not measured: a STATE time stamp was not on this machine's clock";
    return "measured";
}

void bot_report_text(FILE *out, struct bot_stats *s, const struct bot_opts *o)
{
    double secs = elapsed_s(s);
    int e;
    size_t i;
    fprintf(out, "socklab-bot: %d %s bot%s against %s:%u, ", o->count, proto_name(o), o->count == 1 ? "" : "s",
            o->host, (unsigned)o->port);
    if (o->duration_s > 0)
        fprintf(out, "%d s of play each (run took %.2f s)\n", o->duration_s, secs);
    else
        fprintf(out, "playing until the server ended them (run took %.2f s)\n", secs);
    fprintf(out, "  connections       %llu attempted, %llu connected\n", (unsigned long long)s->attempted,
            (unsigned long long)s->connected);
    if (s->connect_us.n > 0)
        fprintf(out, "  connect time      p50 %.3f ms   p99 %.3f ms\n",
                bot_series_pct(&s->connect_us, 50) / 1000.0, bot_series_pct(&s->connect_us, 99) / 1000.0);
    if (s->reply_us.n > 0)
        fprintf(out, "  first reply       p50 %.3f ms   p99 %.3f ms   (connect start to the server's first byte)\n",
                bot_series_pct(&s->reply_us, 50) / 1000.0, bot_series_pct(&s->reply_us, 99) / 1000.0);
    fprintf(out, "  bytes sent        %llu (%.0f B/s)\n", (unsigned long long)s->bytes_sent,
            per_s(s->bytes_sent, secs));
    fprintf(out, "  bytes received    %llu (%.0f B/s)\n", (unsigned long long)s->bytes_received,
            per_s(s->bytes_received, secs));
    if (s->rtt_us.n > 0)
        fprintf(out, "  %-18sp50 %lu us   p99 %lu us   (%llu samples)\n",
                o->proto == BOT_PROTO_ECHO ? "rtt (echo)" : "rtt (PING/PONG)",
                (unsigned long)bot_series_pct(&s->rtt_us, 50), (unsigned long)bot_series_pct(&s->rtt_us, 99),
                (unsigned long long)s->rtt_us.seen);
    else
        fprintf(out, "  rtt               no samples\n");
    if (o->proto == BOT_PROTO_GAME) {
        fprintf(out, "  STATE frames      %llu received\n", (unsigned long long)s->states);
        if (s->tick_us.n > 0)
            fprintf(out, "  tick interval     p50 %lu us   p99 %lu us   jitter %.0f us   ticks missed %llu\n",
                    (unsigned long)bot_series_pct(&s->tick_us, 50), (unsigned long)bot_series_pct(&s->tick_us, 99),
                    s->jitter_n > 0 ? s->jitter_sum_us / (double)s->jitter_n : 0.0,
                    (unsigned long long)s->ticks_skipped);
        pct_line(out, "  tick spacing", &s->tick_gap_us, "between the server's time stamps: its real tick period");
        if (s->tick_lat_us.n > 0 && !s->clocks_differ)
            pct_line(out, "  tick latency", &s->tick_lat_us, "the server's tick to this bot's read");
        else if (s->states > 0)
            fprintf(out, "  tick latency      %s\n", latency_status(s, o));
        pct_line(out, "  bot timer lag", &s->lag_us, "MOVE sent after it was due: the bots' own load");
        if (s->sends_skipped > 0)
            fprintf(out, "  sends skipped     %llu (the bot's output was still queued)\n",
                    (unsigned long long)s->sends_skipped);
    }
    /* a share of a run shorter than the clocks' resolution says nothing */
    if (secs >= 0.1)
        fprintf(out, "  bot CPU           %.2f s in %.2f s (%.0f%% of one core)\n", (double)s->cpu_us / 1e6, secs,
                100.0 * (double)s->cpu_us / 1e6 / secs);
    else
        fprintf(out, "  bot CPU           %.3f s in %.3f s\n", (double)s->cpu_us / 1e6, secs);
    full_bounds(s);
    if (s->full == 2 && o->count > 1) {
        double fs = full_secs(s);
        fprintf(out, "  all %d playing    %.2f s (from %.2f s into the run)\n", o->count, fs,
                (double)(s->full_t0 - s->t_first) / 1e6);
        fprintf(out, "    bytes/s         received %.0f   sent %.0f\n", per_s(s->full_rx1 - s->full_rx0, fs),
                per_s(s->full_tx1 - s->full_tx0, fs));
        pct_line(out, "    rtt", &s->full_rtt_us, NULL);
        pct_line(out, "    tick interval", &s->full_tick_us, NULL);
        pct_line(out, "    tick spacing", &s->full_gap_us, NULL);
        if (!s->clocks_differ)
            pct_line(out, "    tick latency", &s->full_lat_us, NULL);
        pct_line(out, "    bot timer lag", &s->full_lag_us, NULL);
    } else if (o->count > 1 && s->connected < (uint64_t)o->count) {
        fprintf(out, "  all %d playing    never: %llu of %d connected\n", o->count, (unsigned long long)s->connected,
                o->count);
    } else if (o->count > 1) {
        fprintf(out, "  all %d playing    never: a bot stopped before the last one joined%s\n", o->count,
                o->duration_s > 0 ? " (a longer --duration overlaps them)" : "");
    }
    fprintf(out, "  how each connection ended:\n    %-16s %7s  %s\n", "end", "count", "detail");
    for (e = 0; e < BOT_END__COUNT; e++) {
        int shown = 0;
        if (s->ends[e] == 0)
            continue;
        for (i = 0; i < s->ndetails; i++) {
            if (s->details[i].end != (enum bot_end)e)
                continue;
            if (!shown)
                fprintf(out, "    %-16s %7llu  ", bot_end_name((enum bot_end)e), (unsigned long long)s->ends[e]);
            else
                fprintf(out, "    %-16s %7s  ", "", "");
            fprintf(out, "%s x%llu\n", s->details[i].text, (unsigned long long)s->details[i].count);
            shown = 1;
        }
        if (!shown)
            fprintf(out, "    %-16s %7llu\n", bot_end_name((enum bot_end)e), (unsigned long long)s->ends[e]);
    }
    fprintf(out, "  result            %s\n",
            bot_report_passed(s, o) ? "ok: every bot connected and ended done or eof"
                                    : "FAILED: not every bot connected and ended done or eof");
}

static void pct_object(struct json *j, const char *key, struct bot_series *se, double scale)
{
    json_open_object(j, key);
    if (se->n == 0) {
        json_string(j, "p50", NULL);
        json_string(j, "p99", NULL);
    } else {
        json_number(j, "p50", bot_series_pct(se, 50) / scale);
        json_number(j, "p99", bot_series_pct(se, 99) / scale);
    }
    json_int(j, "samples", (long long)se->seen);
    json_close_object(j);
}

void bot_report_json(FILE *out, struct bot_stats *s, const struct bot_opts *o)
{
    struct json j;
    double secs = elapsed_s(s);
    int e;
    size_t i;
    json_init(&j, out);
    json_open_object(&j, NULL);
    json_string(&j, "proto", proto_name(o));
    json_int(&j, "bots", o->count);
    json_int(&j, "attempted", (long long)s->attempted);
    json_int(&j, "connected", (long long)s->connected);
    json_number(&j, "elapsed_s", secs);
    pct_object(&j, "connect_ms", &s->connect_us, 1000.0);
    pct_object(&j, "reply_ms", &s->reply_us, 1000.0);
    pct_object(&j, "rtt_us", &s->rtt_us, 1.0);
    json_int(&j, "bytes_sent", (long long)s->bytes_sent);
    json_int(&j, "bytes_received", (long long)s->bytes_received);
    json_number(&j, "bytes_sent_per_s", per_s(s->bytes_sent, secs));
    json_number(&j, "bytes_received_per_s", per_s(s->bytes_received, secs));
    json_int(&j, "states_received", (long long)s->states);
    pct_object(&j, "tick_interval_us", &s->tick_us, 1.0);
    pct_object(&j, "tick_spacing_us", &s->tick_gap_us, 1.0);
    json_number(&j, "tick_jitter_us", s->jitter_n > 0 ? s->jitter_sum_us / (double)s->jitter_n : 0.0);
    if (s->clocks_differ)
        s->tick_lat_us.n = s->tick_lat_us.seen = 0; /* samples taken before the proof are no better */
    pct_object(&j, "tick_latency_us", &s->tick_lat_us, 1.0);
    json_string(&j, "tick_latency", latency_status(s, o));
    pct_object(&j, "timer_lag_us", &s->lag_us, 1.0);
    full_bounds(s);
    if (s->full == 2) {
        double fs = full_secs(s);
        json_open_object(&j, "all_playing");
        json_number(&j, "seconds", fs);
        json_number(&j, "start_s", (double)(s->full_t0 - s->t_first) / 1e6);
        json_number(&j, "bytes_received_per_s", per_s(s->full_rx1 - s->full_rx0, fs));
        json_number(&j, "bytes_sent_per_s", per_s(s->full_tx1 - s->full_tx0, fs));
        pct_object(&j, "rtt_us", &s->full_rtt_us, 1.0);
        pct_object(&j, "tick_interval_us", &s->full_tick_us, 1.0);
        pct_object(&j, "tick_spacing_us", &s->full_gap_us, 1.0);
        if (s->clocks_differ)
            s->full_lat_us.n = s->full_lat_us.seen = 0;
        pct_object(&j, "tick_latency_us", &s->full_lat_us, 1.0);
        pct_object(&j, "timer_lag_us", &s->full_lag_us, 1.0);
        json_close_object(&j);
    } else {
        json_string(&j, "all_playing", NULL);
    }
    json_number(&j, "bot_cpu_s", (double)s->cpu_us / 1e6);
    if (secs >= 0.1)
        json_number(&j, "bot_cpu_pct", 100.0 * (double)s->cpu_us / 1e6 / secs);
    else
        json_string(&j, "bot_cpu_pct", NULL); /* too short a run for a share */
    json_int(&j, "ticks_missed", (long long)s->ticks_skipped);
    json_int(&j, "moves_sent", (long long)s->moves_sent);
    json_int(&j, "pings_sent", (long long)s->pings_sent);
    json_int(&j, "sends_skipped", (long long)s->sends_skipped);
    json_int(&j, "echo_messages", (long long)s->echo_messages);
    json_open_object(&j, "ends");
    for (e = 0; e < BOT_END__COUNT; e++)
        json_int(&j, bot_end_name((enum bot_end)e), (long long)s->ends[e]);
    json_close_object(&j);
    json_open_array(&j, "end_details");
    for (i = 0; i < s->ndetails; i++) {
        json_open_object(&j, NULL);
        json_string(&j, "end", bot_end_name(s->details[i].end));
        json_string(&j, "detail", s->details[i].text);
        json_int(&j, "count", (long long)s->details[i].count);
        json_close_object(&j);
    }
    json_close_array(&j);
    json_bool(&j, "passed", bot_report_passed(s, o));
    json_close_object(&j);
    json_end(&j);
}
