/* cli.h - argument parsing shared by socklab, socklab-server, socklab-bot and bench/'s tools.
 *
 * getopt_long does not exist with MSVC, so this is a small long-option parser: "--name value",
 * "--name=value" and boolean "--flag". Every bad input ends in one line on stderr,
 * "<prog>: <message>", and exit status 2. */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#include <stddef.h>
#include <stdint.h>

enum cli_kind { CLI_FLAG, CLI_STR, CLI_INT, CLI_PORT, CLI_DOUBLE };

struct cli_opt {
    const char *name;  /* without the dashes: "port" */
    enum cli_kind kind;
    void *target;      /* int* for FLAG/INT, const char** for STR, uint16_t* for PORT, double* for DOUBLE */
    double min, max;   /* range for INT (whole numbers within int's) and DOUBLE (fractions too: 0.01) */
    const char *help;  /* "--port P     server port (0 = ephemeral)" */
};

/* Parses argv[first..argc-1]. Options may come anywhere; the rest are positional arguments,
 * stored in pos[0..*npos-1] (up to max_pos). "--help" prints usage + options and exits 0,
 * "--version" prints "<prog> <version>" and exits 0. */
void cli_parse(const char *prog, const char *usage, const struct cli_opt *opts, int argc, char **argv,
               int first, const char **pos, int max_pos, int *npos);

/* The one of names[0..n) within two letters of word[0..len) (the nearest), for "did you mean";
 * NULL when none is that close. */
const char *cli_closest(const char *const *names, size_t n, const char *word, size_t len);

/* Prints "<prog>: <message>" on stderr and exits 2. The message is T(fmt) (common/i18n.h). */
void cli_fail(const char *prog, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3), noreturn))
#endif
    ;

/* Strict number parsing: the whole string, in range. Return 0 on success. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double min, double max, double *out);
int cli_parse_port(const char *s, uint16_t *out);

#endif
