/* sock_common.c - the parts of compat/sock.h that are the same on every platform. */
#include "compat/sock.h"

const char *sock_state_name(enum sock_state st)
{
    switch (st) {
    case SOCK_ST_ESTABLISHED: return "ESTABLISHED";
    case SOCK_ST_SYN_SENT: return "SYN_SENT";
    case SOCK_ST_SYN_RECV: return "SYN_RECV";
    case SOCK_ST_FIN_WAIT1: return "FIN_WAIT1";
    case SOCK_ST_FIN_WAIT2: return "FIN_WAIT2";
    case SOCK_ST_TIME_WAIT: return "TIME_WAIT";
    case SOCK_ST_CLOSE: return "CLOSE";
    case SOCK_ST_CLOSE_WAIT: return "CLOSE_WAIT";
    case SOCK_ST_LAST_ACK: return "LAST_ACK";
    case SOCK_ST_LISTEN: return "LISTEN";
    case SOCK_ST_CLOSING: return "CLOSING";
    case SOCK_ST_UNKNOWN: break;
    }
    return "UNKNOWN";
}
