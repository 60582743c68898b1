/* test_lessons_korean.c - every lesson of the registry has its words in Korean: title, explanation,
 * what to watch (as many items as the English), each platform's behaviour, its charts' titles and its
 * quirks' explanations. A lesson added or changed without them fails here, by name. */
#include <stdio.h>
#include <string.h>

#include "lessons/engine/engine.h"
#include "tests/check.h"

static size_t lines(const char *s)
{
    size_t n = 1;
    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

static void every_lesson_speaks_korean(void)
{
    size_t n, i, bad = 0;
    const struct lesson *const *all = lesson_all(&n);
    for (i = 0; i < n; i++) {
        const char *missing = lesson_missing_korean(all[i]);
        if (missing != NULL) {
            fprintf(stderr, "%s: no Korean for %s\n", all[i]->name, missing);
            bad++;
        } else if (lines(all[i]->watch) != lines(all[i]->ko->watch)) {
            fprintf(stderr, "%s: %zu things to watch in English, %zu in Korean\n", all[i]->name,
                    lines(all[i]->watch), lines(all[i]->ko->watch));
            bad++;
        }
    }
    CHECK_EQ_LONG(bad, 0);
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        {"lessons_every_lesson_speaks_korean", every_lesson_speaks_korean},
        {NULL, NULL},
    };
    return test_main(cases, argc, argv);
}
