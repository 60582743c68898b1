/* json.c - the writer described in json.h: two-space indentation, one member per line. */
#include "common/json.h"

#include <math.h>

void json_init(struct json *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->first[0] = 1;
}

static void put_escaped(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (c < 0x20)
                fprintf(out, "\\u%04x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

/* Comma, newline and indentation before a member, then its key. */
static void member(struct json *j, const char *key)
{
    int i;
    if (j->depth > 0) {
        fputs(j->first[j->depth] ? "\n" : ",\n", j->out);
        for (i = 0; i < j->depth; i++)
            fputs("  ", j->out);
    }
    j->first[j->depth] = 0;
    if (key != NULL) {
        put_escaped(j->out, key);
        fputs(": ", j->out);
    }
}

static void open_(struct json *j, const char *key, char c)
{
    member(j, key);
    fputc(c, j->out);
    if (j->depth + 1 < JSON_MAX_DEPTH)
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_(struct json *j, char c)
{
    int i, empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty) {
        fputc('\n', j->out);
        for (i = 0; i < j->depth; i++)
            fputs("  ", j->out);
    }
    fputc(c, j->out);
}

void json_open_object(struct json *j, const char *key) { open_(j, key, '{'); }
void json_close_object(struct json *j) { close_(j, '}'); }
void json_open_array(struct json *j, const char *key) { open_(j, key, '['); }
void json_close_array(struct json *j) { close_(j, ']'); }

void json_string(struct json *j, const char *key, const char *value)
{
    member(j, key);
    if (value == NULL)
        fputs("null", j->out);
    else
        put_escaped(j->out, value);
}

void json_int(struct json *j, const char *key, long long value)
{
    member(j, key);
    fprintf(j->out, "%lld", value);
}

void json_number(struct json *j, const char *key, double value)
{
    member(j, key);
    if (isfinite(value))
        fprintf(j->out, "%.3f", value);
    else
        fputs("null", j->out); /* JSON has no NaN or infinity */
}

void json_bool(struct json *j, const char *key, int value)
{
    member(j, key);
    fputs(value ? "true" : "false", j->out);
}

void json_end(struct json *j)
{
    fputc('\n', j->out);
    fflush(j->out);
}
