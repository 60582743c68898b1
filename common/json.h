/* json.h - a small streaming JSON writer for socklab's reports (stdout stays pure JSON with
 * --json, so `socklab run X --json | jq` always works). Keys and strings are escaped per RFC 8259. */
#ifndef SOCKLAB_JSON_H
#define SOCKLAB_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
    FILE *out;
    int depth;
    int first[JSON_MAX_DEPTH]; /* no member written yet at this depth */
};

void json_init(struct json *j, FILE *out);
/* `key` is the member name inside an object and NULL inside an array or at the top. */
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL -> null */
void json_int(struct json *j, const char *key, long long value);
void json_number(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, int value);
void json_end(struct json *j); /* final newline */

#endif
