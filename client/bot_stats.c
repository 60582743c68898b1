/* bot_stats.c - what the bots measured: sample reservoirs with percentiles, and how each
 * connection ended (reason counts, plus the named errors and ERROR texts behind them). */
#include "client/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const end_names[BOT_END__COUNT] = {
    "done", "eof", "reset", "timeout", "refused", "connect-error", "protocol-error", "error",
};

const char *bot_end_name(enum bot_end why)
{
    return (unsigned)why < BOT_END__COUNT ? end_names[why] : "?";
}

uint64_t bot_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ull;
}

void bot_stats_init(struct bot_stats *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->rng = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
}

void bot_stats_free(struct bot_stats *s)
{
    free(s->connect_us.v);
    free(s->reply_us.v);
    free(s->rtt_us.v);
    free(s->tick_us.v);
    free(s->tick_lat_us.v);
    free(s->lag_us.v);
    free(s->full_rtt_us.v);
    free(s->full_tick_us.v);
    free(s->full_lat_us.v);
    free(s->full_lag_us.v);
    free(s->tick_gap_us.v);
    free(s->full_gap_us.v);
    s->tick_gap_us.v = s->full_gap_us.v = NULL;
    s->connect_us.v = s->reply_us.v = s->rtt_us.v = s->tick_us.v = s->tick_lat_us.v = s->lag_us.v = NULL;
    s->full_rtt_us.v = s->full_tick_us.v = s->full_lat_us.v = s->full_lag_us.v = NULL;
}

/* Reservoir sampling (algorithm R): every offered sample has the same chance to be kept, so the
 * percentiles of a long run describe the whole run, in bounded memory. */
void bot_series_add(struct bot_stats *s, struct bot_series *se, uint64_t value)
{
    uint32_t v = value > 0xffffffffu ? 0xffffffffu : (uint32_t)value;
    se->seen++;
    se->sorted = 0;
    if (se->n < BOT_SAMPLES_MAX) {
        if (se->v == NULL) {
            se->v = malloc(BOT_SAMPLES_MAX * sizeof *se->v);
            if (se->v == NULL)
                return;
        }
        se->v[se->n++] = v;
    } else {
        uint64_t j = bot_rand(&s->rng) % se->seen;
        if (j < BOT_SAMPLES_MAX)
            se->v[j] = v;
    }
}

void bot_series_add2(struct bot_stats *s, struct bot_series *se, struct bot_series *full, uint64_t value)
{
    bot_series_add(s, se, value);
    if (s->full == 1)
        bot_series_add(s, full, value);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

uint32_t bot_series_pct(struct bot_series *se, double p)
{
    size_t rank;
    if (se->n == 0)
        return 0;
    if (!se->sorted) {
        qsort(se->v, se->n, sizeof *se->v, cmp_u32);
        se->sorted = 1;
    }
    /* nearest rank: the smallest value with at least p% of the samples at or below it */
    rank = (size_t)((p / 100.0) * (double)se->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > se->n)
        rank = se->n;
    return se->v[rank - 1];
}

void bot_stats_wrong_server(struct bot_stats *s, const char *why)
{
    if (s->wrong_server[0] == '\0')
        snprintf(s->wrong_server, sizeof s->wrong_server, "%s", why);
}

void bot_stats_end(struct bot_stats *s, enum bot_end why, const char *detail)
{
    size_t i;
    if ((unsigned)why >= BOT_END__COUNT)
        return;
    s->ends[why]++;
    if (detail == NULL || detail[0] == '\0')
        return;
    for (i = 0; i < s->ndetails; i++) {
        if (s->details[i].end == why && strncmp(s->details[i].text, detail, sizeof s->details[i].text - 1) == 0) {
            s->details[i].count++;
            return;
        }
    }
    if (s->ndetails < BOT_DETAILS_MAX) {
        struct bot_detail *d = &s->details[s->ndetails++];
        d->end = why;
        strncpy(d->text, detail, sizeof d->text - 1);
        d->text[sizeof d->text - 1] = '\0';
        d->count = 1;
    }
}
