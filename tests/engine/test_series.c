/* test_series.c - the time-series store and the chart arithmetic, without sockets: what the
 * lessons' charts and CSV files are built from. */
#include <stdio.h>
#include <string.h>

#include "lessons/engine/chart.h"
#include "lessons/engine/series.h"
#include "tests/check.h"

static struct series_set set; /* large: not on the stack */

static void group_names(void)
{
    char g[SERIES_NAME_LEN];
    series_group_name("sizes.small.", g, sizeof g);
    CHECK_STR(g, "small");
    series_group_name("with_close_", g, sizeof g);
    CHECK_STR(g, "with_close");
    series_group_name("locked.", g, sizeof g);
    CHECK_STR(g, "locked");
    series_group_name("", g, sizeof g);
    CHECK_STR(g, "");
}

/* A full series keeps its first points and counts the rest; a full set counts series it refused. */
static void drops_are_counted(void)
{
    struct series *s;
    char name[16];
    int i;
    memset(&set, 0, sizeof set);
    s = series_get(&set, "a", SIDE_CLIENT, "rcvbuf", "bytes");
    CHECK(s != NULL);
    CHECK(series_get(&set, "a", SIDE_CLIENT, "rcvbuf", "bytes") == s);
    CHECK(series_get(&set, "a", SIDE_SERVER, "rcvbuf", "bytes") != s);
    for (i = 0; i < SERIES_POINTS + 5; i++)
        series_add(s, i, i * 10.0);
    CHECK_EQ_LONG(s->n, SERIES_POINTS);
    CHECK_EQ_LONG(s->dropped, 5);
    CHECK(s->p[SERIES_POINTS - 1].v == (SERIES_POINTS - 1) * 10.0);
    for (i = 0; i < SERIES_MAX + 3; i++) {
        snprintf(name, sizeof name, "m%d", i);
        series_get(&set, "b", SIDE_CLIENT, name, "bytes");
    }
    CHECK_EQ_LONG(set.n, SERIES_MAX);
    CHECK_EQ_LONG(set.dropped_series, 2 + 3); /* 2 series were already there */
}

static void merge_joins_identities(void)
{
    static struct series_set other;
    memset(&set, 0, sizeof set);
    memset(&other, 0, sizeof other);
    series_add(series_get(&set, "default", SIDE_CLIENT, "rcvbuf", "bytes"), 1, 100);
    series_add(series_get(&other, "default", SIDE_CLIENT, "rcvbuf", "bytes"), 2, 200);
    series_add(series_get(&other, "locked", SIDE_CLIENT, "rcvbuf", "bytes"), 3, 300);
    series_merge(&set, &other);
    CHECK_EQ_LONG(set.n, 2);
    CHECK_EQ_LONG(series_find(&set, "default", SIDE_CLIENT, "rcvbuf")->n, 2);
    CHECK_EQ_LONG(series_find(&set, "locked", SIDE_CLIENT, "rcvbuf")->n, 1);
}

static void nice_steps(void)
{
    CHECK(chart_nice_step(1500, 5) == 500);
    CHECK(chart_nice_step(1000, 5) == 200);
    CHECK(chart_nice_step(8, 4) == 2);
    CHECK(chart_nice_step(0.03, 4) > 0.004 && chart_nice_step(0.03, 4) < 0.011);
    CHECK(chart_nice_step(0, 4) == 1);
    CHECK(chart_nice_step(-5, 4) == 1);
}

static void axis_units(void)
{
    double div;
    char buf[32];
    CHECK_STR(chart_axis_unit(32.0 * 1024 * 1024, "bytes", &div), "MiB");
    CHECK(div == 1024.0 * 1024.0);
    CHECK_STR(chart_axis_unit(500, "bytes", &div), "bytes");
    CHECK_STR(chart_axis_unit(5000, "segments", &div), "segments");
    CHECK(div == 1);
    chart_format_value(131072, "bytes", buf, sizeof buf);
    CHECK_STR(buf, "128.0 KiB");
    chart_format_value(12, "segments", buf, sizeof buf);
    CHECK_STR(buf, "12 segments");
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"series_group_names", group_names},
        {"series_drops_are_counted", drops_are_counted},
        {"series_merge_joins_identities", merge_joins_identities},
        {"chart_nice_steps", nice_steps},
        {"chart_axis_units", axis_units},
        {NULL, NULL},
    };
    return test_main(cases, argc, argv);
}
