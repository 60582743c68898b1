/* ladder.h - the sequence ("ladder") diagram of a run, as the field notes draw it by hand: a lifeline
 * for the server and one per client connection, each captured packet an arrow from its sender to its
 * receiver with its flags, relative seq/ack, length and window, and each side's timeline events (its
 * system calls, their results, its states) on its own lifeline at their times. Built from the same
 * capture and timeline the pcapng holds, so the picture and the file always agree.
 *
 * ladder.c builds the rows; ladder_text.c draws them in the terminal, ladder_svg.c as SVG. */
#ifndef SOCKLAB_LADDER_H
#define SOCKLAB_LADDER_H

#include "lessons/engine/internal.h"

#define LADDER_MAX_CLIENTS 4 /* lifelines beyond the server's; later connections are counted, not drawn */
#define LADDER_MAX_ROWS 400  /* past it, packets and events are counted, not drawn */
#define LADDER_BUNDLE_MIN 8  /* this many plain data/ACK packets in a row, nothing else between: one band */
#define LADDER_BUNDLE_GAP_MS 2.0 /* ... each within this of the last: a burst, not a delayed ACK's 40 ms stall */
#define LADDER_GAP_MS 50.0   /* a longer quiet time is drawn as a labelled break, not to scale */

enum ladder_kind { LADDER_PACKET, LADDER_BUNDLE, LADDER_EVENT, LADDER_GAP };
/* What colours an arrow: the most telling thing the packet carries. */
enum ladder_class { LADDER_SYN, LADDER_FIN, LADDER_RST, LADDER_ZERO_WINDOW, LADDER_DATA, LADDER_ACK, LADDER_NOTE };

struct ladder_row {
    enum ladder_kind kind;
    enum ladder_class cls;
    double t_ms;        /* since the run started */
    unsigned from, to;  /* lifelines (0: the server); an event sits on `from` */
    unsigned packets;   /* a packet 1, a bundle how many it stands for, else 0 */
    char label[320];
};

struct ladder {
    char line_name[1 + LADDER_MAX_CLIENTS][40]; /* "server :7007", "client :41234" */
    unsigned nlines;
    struct ladder_row *rows;
    size_t n;
    size_t packets;                  /* captured */
    size_t events;                   /* on the timeline */
    size_t hidden_packets;           /* of later connections or past LADDER_MAX_ROWS */
    size_t hidden_events;
    size_t unreadable;               /* not TCP segments: counted among the hidden packets */
};

/* The ladder of r's capture and timeline; -1 when r has no capture or memory ran out. */
int ladder_build(struct ladder *lad, const struct lesson_report *r);
void ladder_free(struct ladder *lad);
/* "packets past the first 4 connections and past 400 rows are not drawn: 12 packets, 3 events". */
void ladder_hidden_text(const struct ladder *lad, char *buf, size_t len);
const char *ladder_class_name(enum ladder_class c);

#endif
