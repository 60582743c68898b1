/* probe.h - server_probe: a small client that drives socklab-server the way the server tests need.
 * The commands are listed in probe.c; probe_game.c and probe_echo.c implement them. */
#ifndef SOCKLAB_TESTS_PROBE_H
#define SOCKLAB_TESTS_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "common/proto.h"
#include "compat/sock.h"

#define HOST "127.0.0.1"
#define TIMEOUT_MS 5000

extern uint16_t g_port; /* the server under test */

void die(const char *what, const char *detail); /* prints and exits 1 */
sock_t dial(void);
sock_t dial_from(const char *src); /* from a source address (NULL: any); probe_limits.c */
void need_fds(int n);              /* room for n sockets of our own */
void send_all(sock_t s, const void *buf, size_t len);
void send_frame(sock_t s, size_t len, const uint8_t *frame); /* len 0 (did not encode) dies */

/* Frames from a socket, with a deadline. */
struct reader {
    sock_t s;
    uint8_t buf[4 * PROTO_MAX_FRAME];
    size_t len, skip;
};

enum { R_FRAME = 1, R_EOF = 0, R_RESET = -1, R_TIMEOUT = -2, R_BAD = -3 };

/* One frame within timeout_ms (0: only what is there now, on a non-blocking socket). */
int read_frame(struct reader *r, struct proto_frame *f, int timeout_ms);
/* Reads frames until one of `type` arrives, skipping STATE and CHAT; dies on anything else. */
void expect_frame(struct reader *r, uint8_t type, struct proto_frame *f);

/* probe_game.c */
int cmd_hello(void);
int cmd_oversize(void);
int cmd_garbage(unsigned long seed, long bytes, int hello_first);
int cmd_rules(void);
int cmd_rooms(int n);
int cmd_slowroom(long mb);
int cmd_flood(int ms);

/* probe_limits.c */
int cmd_linger(const char *mode, int wait_ms);
int cmd_silent(int n, int hold_ms, const char *src);
int cmd_player(const char *src);
int cmd_onebyte(int n, int hold_ms);
int cmd_rateflood(const char *kind, int ms);
int cmd_churn(int n);

/* probe_echo.c */
int cmd_rst(int rounds);
int cmd_stuff(int hold_ms);
int cmd_many(int n);
int cmd_emfile(int n, int hold_ms);
int cmd_lesson(const char *name);

#endif
