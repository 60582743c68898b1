/* ladder.c - the rows of a run's ladder diagram (see ladder.h): its captured packets and its timeline
 * events merged by time. Packets are labelled the way Wireshark's Info column labels them (relative
 * Seq/Ack, the window with its scale applied, Len, the SYN's options, SACK edges, and its simplest
 * analysis tags), so the picture reads next to the capture. Long runs of plain data and ACKs become one
 * band that says how many packets it stands for; the count of every packet, drawn or not, adds up to
 * what was captured. */
#include "lessons/engine/ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

#include "common/tcpseg.h"

/* One direction of a drawn connection: its ISN (Wireshark's relative numbers start there), its
 * window scale and the next sequence number it has sent up to. */
struct dir {
    int seen, syn;
    uint32_t base, next;
    int wscale;
};

struct conn {
    uint16_t port;
    struct dir d[2]; /* [0] server to client, [1] client to server */
};

/* Plain packets of one connection waiting to be drawn one by one or as a band. */
struct run {
    struct ladder_row row[LADDER_BUNDLE_MIN];
    unsigned count, line;
    double t_first, t_last;
    unsigned segs[2], acks[2]; /* [0] from the server, [1] from the client */
    unsigned long long bytes[2];
    uint32_t seq_lo[2], seq_hi[2];
};

struct builder {
    struct ladder *lad;
    struct conn conn[LADDER_MAX_CLIENTS];
    struct run run;
    double last_t; /* the end of the last drawn row, -1 before the first */
};

const char *ladder_class_name(enum ladder_class c)
{
    static const char *const names[] = {"syn", "fin", "rst", "zero-window", "data", "ack", "note"};
    return names[c];
}

/* Appends a row, with a labelled break first when the time since the last one is long. Past the
 * row limit, only the counts grow. */
static void emit(struct builder *b, const struct ladder_row *row, double t_end)
{
    struct ladder *lad = b->lad;
    if (lad->n + 2 > LADDER_MAX_ROWS) {
        lad->hidden_packets += row->packets;
        lad->hidden_events += row->kind == LADDER_EVENT;
        return;
    }
    if (b->last_t >= 0 && row->t_ms - b->last_t > LADDER_GAP_MS) {
        struct ladder_row *g = &lad->rows[lad->n++];
        memset(g, 0, sizeof *g);
        g->kind = LADDER_GAP;
        g->cls = LADDER_NOTE;
        g->t_ms = b->last_t;
        snprintf(g->label, sizeof g->label, T("%.1f ms later"), row->t_ms - b->last_t);
    }
    lad->rows[lad->n++] = *row;
    b->last_t = t_end;
}

static void flush_run(struct builder *b)
{
    struct run *u = &b->run;
    struct ladder_row band;
    unsigned i, k;
    size_t used;
    if (u->count == 0)
        return;
    if (u->count < LADDER_BUNDLE_MIN) {
        for (i = 0; i < u->count; i++)
            emit(b, &u->row[i], u->row[i].t_ms);
        u->count = 0;
        return;
    }
    memset(&band, 0, sizeof band);
    band.kind = LADDER_BUNDLE;
    band.cls = LADDER_DATA;
    band.t_ms = u->t_first;
    band.packets = u->count;
    k = u->bytes[1] > u->bytes[0]; /* the band points the way most of the data went */
    band.from = k ? u->line : 0;
    band.to = k ? 0 : u->line;
    used = (size_t)snprintf(band.label, sizeof band.label, T("%u packets in %.1f ms: "), u->count,
                            u->t_last - u->t_first);
    if (u->segs[k] > 0 && used < sizeof band.label)
        used += (size_t)snprintf(band.label + used, sizeof band.label - used, T("%u with data, Seq=%u..%u (%llu bytes); "),
                                 u->segs[k], u->seq_lo[k], u->seq_hi[k], u->bytes[k]);
    if (u->acks[k] > 0 && used < sizeof band.label)
        used += (size_t)snprintf(band.label + used, sizeof band.label - used, T("%u ACKs; "), u->acks[k]);
    if (u->segs[!k] > 0 && used < sizeof band.label)
        used += (size_t)snprintf(band.label + used, sizeof band.label - used, T("%u with data back; "), u->segs[!k]);
    if (u->acks[!k] > 0 && used < sizeof band.label)
        used += (size_t)snprintf(band.label + used, sizeof band.label - used, T("%u ACKs back; "), u->acks[!k]);
    if (used >= 2 && used < sizeof band.label)
        band.label[used - 2] = '\0'; /* the last "; " */
    emit(b, &band, u->t_last);
    u->count = 0;
}

static void add_to_run(struct builder *b, const struct ladder_row *row, unsigned line, int from_client,
                       uint32_t rel_seq, uint32_t len)
{
    struct run *u = &b->run;
    if (u->count > 0 && (u->line != line || row->t_ms - u->t_last > LADDER_BUNDLE_GAP_MS))
        flush_run(b);
    if (u->count == 0) {
        memset(u, 0, sizeof *u);
        u->line = line;
        u->t_first = row->t_ms;
    }
    if (u->count < LADDER_BUNDLE_MIN)
        u->row[u->count] = *row;
    u->count++;
    u->t_last = row->t_ms;
    if (len > 0) {
        if (u->segs[from_client]++ == 0 || rel_seq < u->seq_lo[from_client])
            u->seq_lo[from_client] = rel_seq;
        if (rel_seq + len > u->seq_hi[from_client])
            u->seq_hi[from_client] = rel_seq + len;
        u->bytes[from_client] += len;
    } else {
        u->acks[from_client]++;
    }
}

/* The lifeline of a client port: one of the drawn ones, a new one while there is room, else 0. */
static unsigned line_of(struct builder *b, uint16_t port, int add)
{
    struct ladder *lad = b->lad;
    unsigned i;
    for (i = 1; i < lad->nlines; i++)
        if (b->conn[i - 1].port == port)
            return i;
    if (!add || lad->nlines > LADDER_MAX_CLIENTS)
        return 0;
    memset(&b->conn[lad->nlines - 1], 0, sizeof b->conn[0]);
    b->conn[lad->nlines - 1].port = port;
    snprintf(lad->line_name[lad->nlines], sizeof lad->line_name[0], "client :%u", (unsigned)port);
    return lad->nlines++;
}

/* Wireshark's label for a segment, tracking the connection's relative numbers as it goes. */
static void packet_row(struct ladder_row *row, const struct tcpseg *s, struct conn *cn, int from_client,
                       uint32_t *rel_seq, int *plain)
{
    struct dir *me = &cn->d[from_client], *peer = &cn->d[!from_client];
    char flags[40], tag[40] = "", opts[128] = "";
    unsigned long win = s->window;
    uint32_t end;
    size_t used = 0, i;

    if ((s->flags & TCPSEG_SYN) || !me->seen) {
        me->base = s->seq;
        me->next = s->seq;
        me->seen = 1;
        me->syn = (s->flags & TCPSEG_SYN) != 0;
        me->wscale = me->syn ? s->wscale : -1;
    }
    *rel_seq = s->seq - me->base;
    end = s->seq + s->payload + ((s->flags & (TCPSEG_SYN | TCPSEG_FIN)) ? 1 : 0);
    if (!(s->flags & TCPSEG_SYN) && me->syn && peer->syn && me->wscale >= 0 && peer->wscale >= 0)
        win <<= me->wscale; /* the sender's own announced shift */
    /* the analysis tags a reader meets in Wireshark, by its simplest rules */
    if (!(s->flags & (TCPSEG_SYN | TCPSEG_FIN | TCPSEG_RST)) && s->payload <= 1 && s->seq + 1 == me->next)
        snprintf(tag, sizeof tag, "[TCP Keep-Alive] ");
    else if (s->payload > 0 && (int32_t)(end - me->next) <= 0)
        snprintf(tag, sizeof tag, "[TCP Retransmission] ");
    else if (!(s->flags & (TCPSEG_SYN | TCPSEG_FIN | TCPSEG_RST)) && s->window == 0)
        snprintf(tag, sizeof tag, "[TCP ZeroWindow] ");
    if ((int32_t)(end - me->next) > 0)
        me->next = end;

    if (s->mss >= 0)
        used += (size_t)snprintf(opts + used, sizeof opts - used, " MSS=%d", s->mss);
    if (s->sack_permitted && used < sizeof opts)
        used += (size_t)snprintf(opts + used, sizeof opts - used, " SACK_PERM");
    if (s->timestamps && used < sizeof opts)
        used += (size_t)snprintf(opts + used, sizeof opts - used, " TS");
    if (s->wscale >= 0 && used < sizeof opts)
        used += (size_t)snprintf(opts + used, sizeof opts - used, " WS=%lu", 1UL << (s->wscale & 15));
    for (i = 0; i < s->nsack && used < sizeof opts; i++)
        used += (size_t)snprintf(opts + used, sizeof opts - used, " SLE=%u SRE=%u", s->sack_left[i] - peer->base,
                                 s->sack_right[i] - peer->base);

    tcpseg_flags_text(s->flags, flags, sizeof flags);
    if (s->flags & TCPSEG_ACK)
        snprintf(row->label, sizeof row->label, "%s[%s] Seq=%u Ack=%u Win=%lu Len=%u%s", tag, flags, *rel_seq,
                 peer->seen ? s->ack - peer->base : s->ack, win, s->payload, opts);
    else
        snprintf(row->label, sizeof row->label, "%s[%s] Seq=%u Win=%lu Len=%u%s", tag, flags, *rel_seq, win,
                 s->payload, opts);
    row->cls = (s->flags & TCPSEG_RST)   ? LADDER_RST
               : (s->flags & TCPSEG_SYN) ? LADDER_SYN
               : (s->flags & TCPSEG_FIN) ? LADDER_FIN
               : tag[0] != '\0' && strstr(tag, "ZeroWindow") != NULL ? LADDER_ZERO_WINDOW
               : s->payload > 0 ? LADDER_DATA
                                : LADDER_ACK;
    *plain = tag[0] == '\0' && s->nsack == 0 && (row->cls == LADDER_DATA || row->cls == LADDER_ACK);
}

static void add_packet(struct builder *b, const struct lesson_report *r, size_t i)
{
    struct ladder *lad = b->lad;
    const struct capture_store *c = r->capture;
    uint16_t sport = capture_store_port(c), client;
    struct ladder_row row;
    struct tcpseg s;
    uint64_t ts;
    uint32_t caplen, rel_seq;
    const uint8_t *d = capture_store_packet(c, i, &ts, &caplen);
    unsigned line;
    int from_client, plain;

    if (tcpseg_parse(capture_store_linktype(c), d, caplen, &s) != 0 || (s.sport != sport && s.dport != sport)) {
        lad->unreadable++;
        lad->hidden_packets++;
        return;
    }
    from_client = s.dport == sport;
    client = from_client ? s.sport : s.dport;
    line = line_of(b, client, 1);
    if (line == 0) {
        lad->hidden_packets++;
        return;
    }
    memset(&row, 0, sizeof row);
    row.kind = LADDER_PACKET;
    row.t_ms = (double)((int64_t)(ts - r->t0_wall_us)) / 1000.0;
    row.from = from_client ? line : 0;
    row.to = from_client ? 0 : line;
    row.packets = 1;
    packet_row(&row, &s, &b->conn[line - 1], from_client, &rel_seq, &plain);
    if (plain) {
        add_to_run(b, &row, line, from_client, rel_seq, s.payload);
        return;
    }
    flush_run(b);
    emit(b, &row, row.t_ms);
}

/* A client event belongs on its connection's lifeline: by the port it had, or, logged before its
 * connect, by the port its connection's later events had; with one client drawn, on that one. */
static void add_event(struct builder *b, const struct lesson_report *r, size_t k)
{
    const struct event *e = &r->events[k];
    struct ladder_row row;
    unsigned line = 0;
    size_t j;
    memset(&row, 0, sizeof row);
    if (e->role == SIDE_CLIENT) {
        uint16_t port = e->client_port;
        for (j = 0; port == 0 && j < r->nevents; j++)
            if (r->events[j].role == SIDE_CLIENT && r->events[j].conn == e->conn)
                port = r->events[j].client_port;
        line = port != 0 ? line_of(b, port, 0) : 0;
        if (line == 0 && b->lad->nlines == 2)
            line = 1;
        if (line == 0) {
            b->lad->hidden_events++;
            return;
        }
    }
    flush_run(b);
    row.kind = LADDER_EVENT;
    row.cls = LADDER_NOTE;
    row.t_ms = e->t_ms;
    row.from = row.to = line;
    snprintf(row.label, sizeof row.label, "%s", e->text);
    emit(b, &row, row.t_ms);
}

int ladder_build(struct ladder *lad, const struct lesson_report *r)
{
    struct builder *b;
    size_t np, i = 0, k = 0;
    memset(lad, 0, sizeof *lad);
    if (r->capture == NULL)
        return -1;
    b = malloc(sizeof *b);
    lad->rows = malloc(LADDER_MAX_ROWS * sizeof *lad->rows);
    if (b == NULL || lad->rows == NULL) {
        free(b);
        free(lad->rows);
        lad->rows = NULL;
        return -1;
    }
    memset(b, 0, sizeof *b);
    b->lad = lad;
    b->last_t = -1;
    np = capture_store_count(r->capture);
    lad->packets = np;
    lad->events = r->nevents;
    snprintf(lad->line_name[0], sizeof lad->line_name[0], "server :%u", (unsigned)capture_store_port(r->capture));
    lad->nlines = 1;
    /* the lifelines in the order their connections first appear on the wire */
    for (i = 0; i < np && lad->nlines <= LADDER_MAX_CLIENTS; i++) {
        uint64_t ts;
        uint32_t caplen;
        struct tcpseg s;
        const uint8_t *d = capture_store_packet(r->capture, i, &ts, &caplen);
        uint16_t sport = capture_store_port(r->capture);
        if (tcpseg_parse(capture_store_linktype(r->capture), d, caplen, &s) == 0 &&
            (s.sport == sport) != (s.dport == sport))
            line_of(b, s.sport == sport ? s.dport : s.sport, 1);
    }
    /* packets and events by time; an event at a packet's time comes first (the call, then its packet) */
    for (i = 0; i < np || k < r->nevents;) {
        uint64_t ts = 0;
        uint32_t caplen;
        if (i < np)
            capture_store_packet(r->capture, i, &ts, &caplen);
        if (k < r->nevents && (i >= np || r->t0_wall_us + (uint64_t)(r->events[k].t_ms * 1000.0) <= ts))
            add_event(b, r, k++);
        else
            add_packet(b, r, i++);
    }
    flush_run(b);
    free(b);
    return 0;
}

void ladder_free(struct ladder *lad)
{
    free(lad->rows);
    lad->rows = NULL;
}

void ladder_hidden_text(const struct ladder *lad, char *buf, size_t len)
{
    buf[0] = '\0';
    if (lad->hidden_packets == 0 && lad->hidden_events == 0)
        return;
    snprintf(buf, len,
             T("not drawn: %zu packets and %zu events (connections after the first %d, rows past %d%s)"),
             lad->hidden_packets, lad->hidden_events, LADDER_MAX_CLIENTS, LADDER_MAX_ROWS,
             lad->unreadable > 0 ? T(", packets that are not TCP segments") : "");
}
