/* bot_setup.c - a run that measured nothing about the server is a setup error, not a load result:
 * no connection was ever made (nothing listens there, or nothing answers), or the server speaks
 * another protocol than the bots. Its figures (0 connected, "first reply" from an echo of our own
 * HELLO, "all N playing") would mislead, so the caller prints this one line instead and exits 2. */
#include "client/bot.h"

#include <stdio.h>

#include "common/i18n.h"

static const char *first_detail(const struct bot_stats *s)
{
    size_t i;
    for (i = 0; i < s->ndetails; i++)
        if (s->details[i].end == BOT_END_TIMEOUT || s->details[i].end == BOT_END_CONNECT_ERROR)
            return s->details[i].text;
    return T("no connection was made");
}

const char *bot_setup_error(const struct bot_stats *s, const struct bot_opts *o, char *buf, size_t len)
{
    if (s->wrong_server[0] != '\0')
        snprintf(buf, len, T("the server at %s:%u does not speak %s: %s"), o->host, (unsigned)o->port,
                 o->proto == BOT_PROTO_ECHO ? "echo" : "game", s->wrong_server);
    else if (s->attempted > 0 && s->connected == 0 && s->ends[BOT_END_REFUSED] == s->attempted)
        snprintf(buf, len, T("no server at %s:%u: connection refused (is socklab-server running there, on that "
                             "port?)"), o->host, (unsigned)o->port);
    else if (s->attempted > 0 && s->connected == 0)
        snprintf(buf, len, T("cannot reach %s:%u: %s"), o->host, (unsigned)o->port, first_detail(s));
    else
        return NULL;
    return buf;
}
