/* test_bot_stats.c - socklab-bot's statistics (client/bot_stats.c): percentiles, the bounded
 * reservoir, and the grouping of end reasons with their details. */
#include "client/bot.h"
#include "tests/check.h"

static void bot_percentile_nearest_rank(void)
{
    struct bot_stats s;
    uint64_t v;
    bot_stats_init(&s, 1);
    CHECK_EQ_LONG(bot_series_pct(&s.rtt_us, 50), 0); /* no samples */
    for (v = 100; v >= 1; v--) /* 1..100, offered out of order */
        bot_series_add(&s, &s.rtt_us, v);
    CHECK_EQ_LONG(bot_series_pct(&s.rtt_us, 50), 50);
    CHECK_EQ_LONG(bot_series_pct(&s.rtt_us, 99), 99);
    CHECK_EQ_LONG(bot_series_pct(&s.rtt_us, 100), 100);
    CHECK_EQ_LONG(bot_series_pct(&s.rtt_us, 0), 1);
    bot_series_add(&s, &s.rtt_us, 1000); /* adding after a sort re-sorts */
    CHECK_EQ_LONG(bot_series_pct(&s.rtt_us, 100), 1000);
    bot_stats_free(&s);
}

static void bot_reservoir_bounded(void)
{
    struct bot_stats s;
    uint64_t i, n = 3u * BOT_SAMPLES_MAX;
    uint32_t p50;
    bot_stats_init(&s, 42);
    for (i = 0; i < n; i++)
        bot_series_add(&s, &s.tick_us, i % 1000u); /* uniform 0..999 */
    CHECK_EQ_LONG(s.tick_us.n, BOT_SAMPLES_MAX);
    CHECK_EQ_LONG(s.tick_us.seen, n);
    p50 = bot_series_pct(&s.tick_us, 50);
    CHECK(p50 > 450 && p50 < 550); /* a fair sample of the whole run */
    bot_series_add(&s, &s.connect_us, 0x1ffffffffull); /* clamped, not wrapped */
    CHECK_EQ_LONG(bot_series_pct(&s.connect_us, 100), 0xffffffffu);
    bot_stats_free(&s);
}

static void bot_end_details_grouped(void)
{
    struct bot_stats s;
    int i;
    bot_stats_init(&s, 7);
    bot_stats_end(&s, BOT_END_RESET, "ECONNRESET");
    bot_stats_end(&s, BOT_END_RESET, "EPIPE");
    bot_stats_end(&s, BOT_END_RESET, "ECONNRESET");
    bot_stats_end(&s, BOT_END_DONE, NULL);
    CHECK_EQ_LONG(s.ends[BOT_END_RESET], 3);
    CHECK_EQ_LONG(s.ends[BOT_END_DONE], 1);
    CHECK_EQ_LONG(s.ndetails, 2);
    CHECK_STR(s.details[0].text, "ECONNRESET");
    CHECK_EQ_LONG(s.details[0].count, 2);
    for (i = 0; i < 100; i++) { /* many distinct texts: counted, detail table stays bounded */
        char t[32];
        snprintf(t, sizeof t, "text %d", i);
        bot_stats_end(&s, BOT_END_PROTOCOL_ERROR, t);
    }
    CHECK_EQ_LONG(s.ends[BOT_END_PROTOCOL_ERROR], 100);
    CHECK_EQ_LONG(s.ndetails, BOT_DETAILS_MAX);
    CHECK_STR(bot_end_name(BOT_END_CONNECT_ERROR), "connect-error");
    bot_stats_free(&s);
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"bot_percentile_nearest_rank", bot_percentile_nearest_rank},
        {"bot_reservoir_bounded", bot_reservoir_bounded},
        {"bot_end_details_grouped", bot_end_details_grouped},
        {NULL, NULL},
    };
    return test_main(cases, argc, argv);
}
