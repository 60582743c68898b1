/* side_handshake.c - the handshake made by a lesson's own sides (struct lesson.sides_handshake):
 * the client binds and connects without blocking, the server accepts from the run's listener when
 * it chooses, so each can read its end of the connection in the kernel's table while the handshake
 * runs. Also the ports every connection records as facts, however it was made. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

void side_record_ports(struct lesson_side *s)
{
    uint16_t server_port = s->role == SIDE_SERVER ? s->local_port : s->remote_port;
    side_fact_int(s, "server_port", server_port);
    side_fact_int(s, "client_port", s->role == SIDE_CLIENT ? s->local_port : s->remote_port);
    /* Every connection of a run goes to the one listener: its port is also a fact of the run, so
     * the Wireshark filter has it even when every connection's facts carry a prefix. */
    side_fact_prefix(s, "");
    side_fact_int(s, "server_port", server_port);
    side_fact_prefix(s, NULL); /* before the lesson runs: its connection's prefix */
}

uint16_t side_connect_bind(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    int family = sock_host_family(s->remote_addr, err);
    if (family < 0 || sock_bind_local(s->sock, strchr(s->remote_addr, ':') != NULL ? "::" : "0.0.0.0", 0, err) != 0) {
        side_error(s, "bind before connect", err);
        return 0;
    }
    s->local_port = sock_local_port(s->sock);
    side_log(s, "bound to port %u: the SYN will come from it", (unsigned)s->local_port);
    return s->local_port;
}

int side_connect_begin(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    side_step(s, "connect()", "the SYN [S] from this side, the server's SYN-ACK [S.], this side's ACK [.]");
    if (s->local_port == 0 && side_connect_bind(s) == 0)
        return -1;
    if (sock_connect_begin(s->sock, s->remote_addr, s->remote_port, err) != 0) {
        side_error(s, "connect", err);
        return -1;
    }
    sock_local_name(s->sock, s->local_addr, sizeof s->local_addr, &s->local_port); /* the connect chose it */
    side_log(s, "connect() from port %u to %u under way (non-blocking)", (unsigned)s->local_port,
             (unsigned)s->remote_port);
    return 0;
}

int side_connect_result(struct lesson_side *s)
{
    int code = sock_connect_result(s->sock);
    if (code != 0) {
        side_log(s, "connect() failed: %s", sock_err_name(code));
        return code;
    }
    side_learn_names(s);
    side_log(s, "connected from port %u to %u", (unsigned)s->local_port, (unsigned)s->remote_port);
    side_record_ports(s);
    return 0;
}

int side_accept(struct lesson_side *s, int timeout_ms)
{
    char err[SOCK_ERR_LEN];
    sock_t c;
    if (s->listener == SOCK_INVALID || sock_wait(s->listener, 0, timeout_ms) <= 0) {
        side_error(s, "accept", "no connection arrived in time");
        return -1;
    }
    c = sock_accept(s->listener, err);
    if (c == SOCK_INVALID) {
        side_error(s, "accept", err);
        return -1;
    }
    s->sock = c;
    side_learn_names(s);
    side_log(s, "accepted a connection from port %u", (unsigned)s->remote_port);
    side_record_ports(s);
    return 0;
}
