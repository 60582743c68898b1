/* side_states.c - the states one side's end of a connection goes through, as that side reads them
 * in the kernel's socket table: noted when they change, with the run's clock, and turned into facts.
 * (The closing lessons read one state at a time with side_kernel_state; this keeps the sequence.) */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

#include "compat/os.h"

/* A server side before accept(): its new connection's entry on the listening port (not the listener,
 * not an older connection's TIME_WAIT). Its addresses are then this side's until side_accept. */
static int find_pending(struct lesson_side *s)
{
    struct sock_entry rows[32];
    size_t n = 0, i;
    uint16_t port = sock_local_port(s->listener);
    if (s->listener == SOCK_INVALID || sock_state_table(&port, 1, rows, sizeof rows / sizeof rows[0], &n, NULL) != 0)
        return 0;
    for (i = 0; i < n && i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].local_port == port && rows[i].state != SOCK_ST_LISTEN && rows[i].state != SOCK_ST_TIME_WAIT) {
            snprintf(s->local_addr, sizeof s->local_addr, "%s", rows[i].local_addr);
            snprintf(s->remote_addr, sizeof s->remote_addr, "%s", rows[i].remote_addr);
            s->local_port = port;
            s->remote_port = rows[i].remote_port;
            return 1;
        }
    return 0;
}

const char *side_state_note(struct lesson_side *s)
{
    enum sock_state st = SOCK_ST_UNKNOWN;
    const char *name;
    int rc;
    if (s->local_port == 0 && s->role == SIDE_SERVER && !find_pending(s))
        return "CLOSED";
    rc = sock_conn_state(s->local_addr, s->local_port, s->remote_addr, s->remote_port, &st, NULL);
    name = rc < 0 ? "unknown" : rc == 0 ? "CLOSED" : sock_state_name(st);
    if (rc < 0 || (s->states.n > 0 && strcmp(s->states.name[s->states.n - 1], name) == 0) ||
        (s->states.n == 0 && rc == 0) || s->states.n >= MAX_NOTED_STATES)
        return name; /* unreadable, unchanged, not there yet, or no room */
    snprintf(s->states.name[s->states.n], sizeof s->states.name[0], "%s", name);
    s->states.at_ms[s->states.n++] = side_now_ms(s);
    side_log(s, "kernel: our end is %s", name);
    return name;
}

const char *side_state_watch(struct lesson_side *s, const char *until, int poll_ms, int max_ms)
{
    double end = side_now_ms(s) + max_ms;
    char key[24];
    const char *st;
    for (;;) {
        st = side_state_note(s);
        snprintf(key, sizeof key, " %s ", st);
        if (strstr(until, key) != NULL || side_now_ms(s) >= end)
            return st;
        os_sleep_ms(poll_ms);
    }
}

void side_state_facts(struct lesson_side *s, const char *key)
{
    char k[FACT_KEY_LEN], list[MAX_NOTED_STATES * 16] = "";
    long at[MAX_NOTED_STATES];
    int i, j, len;
    for (i = 0; i < s->states.n; i++) {
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "", s->states.name[i]);
        at[i] = (long)s->states.at_ms[i];
        if (i + 1 == s->states.n)
            break;
        len = snprintf(k, sizeof k, "%s.", key);
        for (j = 0; s->states.name[i][j] != '\0' && len + 4 < (int)sizeof k; j++) /* "FIN_WAIT1" -> fin_wait1 */
            k[len++] = (char)(s->states.name[i][j] >= 'A' && s->states.name[i][j] <= 'Z' ? s->states.name[i][j] + 32
                                                                                          : s->states.name[i][j]);
        snprintf(k + len, sizeof k - (size_t)len, "_ms");
        side_fact_int(s, k, (long long)(s->states.at_ms[i + 1] - s->states.at_ms[i]));
    }
    snprintf(k, sizeof k, "%s.states", key);
    side_fact_str(s, k, list);
    snprintf(k, sizeof k, "%s.entered_ms", key);
    side_fact_ints(s, k, at, (size_t)s->states.n);
    snprintf(k, sizeof k, "%s_final_state", key);
    side_fact_str(s, k, s->states.n > 0 ? s->states.name[s->states.n - 1] : "unknown");
}
