/* game.h - the game mode's state, shared by game.c (frames from one client) and room.c (rooms and
 * the STATE tick). */
#ifndef SOCKLAB_SERVER_GAME_H
#define SOCKLAB_SERVER_GAME_H

#include "common/proto.h"
#include "server/server.h"

struct srv_room {
    uint32_t id;
    size_t count;
    struct srv_conn **players; /* room_size slots */
};

/* A connection's game state, created by HELLO (so echo and pre-HELLO connections pay nothing). */
struct srv_player {
    struct srv_room *room;
    size_t slot; /* index in room->players */
    uint64_t chat_tat_us, move_tat_us; /* the CHAT and MOVE rate limits (game.c) */
    int16_t x, y;
    char name[PROTO_NAME_MAX + 1];
};

/* A rate limit with its numbers worked out once (game.c: no division per frame). per_s 0: none. */
struct srv_rate {
    uint64_t iv_us, burst_us; /* the time a frame pays for; the debt a burst may run up */
    int per_s;
    const char *what, *option; /* "PING", "--ping-rate": for the ERROR that closes a flooder */
};

struct srv_game {
    struct event *tick;
    uint32_t tick_no;
    uint64_t period_us, due_us; /* the tick's period; when the next one should start */
    struct srv_room **rooms;
    size_t n_rooms, cap_rooms, n_players;
    uint32_t next_room_id;
    struct proto_player *snapshot; /* room_size entries, filled per room per tick */
    struct srv_rate chat_rate, ping_rate, move_rate;
    uint8_t frame[PROTO_MAX_FRAME];  /* one encoded frame (STATE, CHAT) sent to a whole room */
};

struct srv_room *srv_room_join(struct srv *s, struct srv_conn *c);
void srv_room_leave(struct srv *s, struct srv_conn *c);
/* Appends one already-encoded frame to every open player of the room. */
void srv_room_send(struct srv_room *r, const uint8_t *frame, size_t len);
void srv_rooms_tick(evutil_socket_t fd, short what, void *arg);
void srv_rooms_free(struct srv_game *g);

#endif
