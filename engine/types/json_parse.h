/* json_parse: PostgreSQL's JSON grammar and error details, into a tree of
 * slices of the input (internal to the json module). */
#ifndef HCDB_ENGINE_TYPES_JSON_PARSE_H
#define HCDB_ENGINE_TYPES_JSON_PARSE_H

#include "engine/value.h"

typedef enum { JV_OBJECT, JV_ARRAY, JV_STRING, JV_NUMBER, JV_TRUE, JV_FALSE, JV_NULL } jv_kind;

typedef struct jv {
    jv_kind kind;
    const char *p; /* the value's text in the input, quotes included */
    size_t n;
    int nkids;           /* objects: 2 per member (key, value); arrays: 1 per element */
    struct jv **kids;
} jv;

/* Parses s[0..n); NULL with c->err set (22P02 with PostgreSQL's detail and
 * context, 54001 when nested too deeply); jsonb refuses \u0000 (22P05). */
jv *eng__json_parse(eng_ctx *c, const char *s, size_t n, bool jsonb);
/* The decoded text of a JV_STRING, in c->mem; NULL on out of memory. */
char *eng__json_unescape(eng_ctx *c, const jv *v, size_t *len);

#endif
