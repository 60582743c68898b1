/* sock_conn_state_scan.c - sock_conn_entry for kernels whose socket table has no exact lookup:
 * scan the table (filtered by port) for the 4-tuple. Windows' GetTcpTable is a snapshot, so a scan
 * there is as reliable as a lookup. */
#include "compat/sock.h"

#include <string.h>

int sock_conn_entry(const char *laddr, uint16_t lport, const char *raddr, uint16_t rport,
                    struct sock_entry *out, char *err)
{
    struct sock_entry e[128];
    size_t n = 0, i;
    int rc = sock_state_table(&lport, 1, e, 128, &n, err);
    if (rc != 0)
        return rc;
    for (i = 0; i < n && i < 128; i++) {
        if (e[i].local_port == lport && e[i].remote_port == rport && strcmp(e[i].local_addr, laddr) == 0 &&
            strcmp(e[i].remote_addr, raddr) == 0) {
            *out = e[i];
            return 1;
        }
    }
    return 0;
}
