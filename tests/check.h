/* check.h - the few assertions socklab's C unit tests need; no framework, so the same test
 * programs build with MSVC and run under Wine. A test program takes its case name as argv[1]. */
#ifndef SOCKLAB_TEST_CHECK_H
#define SOCKLAB_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

#define CHECK_EQ_LONG(a, b)                                                              \
    do {                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                              \
        if (a_ != b_) {                                                                  \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
                    #a, a_, #b, b_);                                                     \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

#define CHECK_STR(a, b)                                                                  \
    do {                                                                                 \
        const char *a_ = (a), *b_ = (b);                                                 \
        if (a_ == NULL || strcmp(a_, b_) != 0) {                                         \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    #a, a_ ? a_ : "(null)", b_);                                         \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

struct test_case {
    const char *name;
    void (*fn)(void);
};

/* Runs the case named argv[1]; exit 0 pass, 1 fail, 2 unknown case. */
static inline int test_main(const struct test_case *cases, int argc, char **argv)
{
    const struct test_case *c;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 2;
    }
    for (c = cases; c->name != NULL; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            c->fn();
            printf("PASS: %s\n", c->name);
            return 0;
        }
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}

#endif
