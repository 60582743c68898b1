/* registry.c - the one list of lessons. A new lesson is a new file plus one line here. */
#include "lessons/lesson.h"

#include <string.h>

extern const struct lesson lesson_close_graceful;
extern const struct lesson lesson_close_abortive;
extern const struct lesson lesson_close_linger;
extern const struct lesson lesson_close_unread;
extern const struct lesson lesson_half_close;
extern const struct lesson lesson_time_wait_client;
extern const struct lesson lesson_time_wait_server;
extern const struct lesson lesson_buffer_sizes;
extern const struct lesson lesson_buffer_autotune;
extern const struct lesson lesson_stalled_reader;
extern const struct lesson lesson_segmentation;
extern const struct lesson lesson_psh_recv;
extern const struct lesson lesson_nagle;
extern const struct lesson lesson_keepalive;
extern const struct lesson lesson_syn_recv;
extern const struct lesson lesson_syn_retries;
extern const struct lesson lesson_close_wait_leak;
extern const struct lesson lesson_time_wait_exhaustion;
extern const struct lesson lesson_user_timeout;
extern const struct lesson lesson_idle_timeout_middlebox;
extern const struct lesson lesson_handshake;
extern const struct lesson lesson_sack;

static const struct lesson *const lessons[] = {
    &lesson_close_graceful,   &lesson_close_abortive,   &lesson_close_linger, &lesson_close_unread,
    &lesson_half_close,       &lesson_time_wait_client, &lesson_time_wait_server, &lesson_buffer_sizes,
    &lesson_buffer_autotune,  &lesson_stalled_reader,
    &lesson_segmentation,
    &lesson_psh_recv,
    &lesson_nagle,
    &lesson_keepalive,
    &lesson_syn_retries,
    &lesson_syn_recv,
    &lesson_close_wait_leak,
    &lesson_time_wait_exhaustion,
    &lesson_user_timeout,
    &lesson_idle_timeout_middlebox,
    &lesson_handshake,
    &lesson_sack,
};

const struct lesson *const *lesson_all(size_t *count)
{
    *count = sizeof lessons / sizeof lessons[0];
    return lessons;
}

const struct lesson *lesson_find(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof lessons / sizeof lessons[0]; i++)
        if (strcmp(lessons[i]->name, name) == 0)
            return lessons[i];
    return NULL;
}
