/*
 * types: the built-in SQL types, with PostgreSQL's OIDs, typlen, type
 * categories (for operator resolution) and I/O functions: text input and
 * output, binary receive and send, each byte-identical to PostgreSQL's.
 *
 * The table is static and read-only, so any thread may read it. I/O
 * functions allocate results in ctx->mem and report errors through ctx->err.
 */
#ifndef HCDB_ENGINE_TYPES_TYPES_H
#define HCDB_ENGINE_TYPES_TYPES_H

#include "engine/value.h"

typedef struct eng_type eng_type;

/* Text input: s[0..n) is the text (not NUL-terminated), typmod -1 = none. */
typedef int (*eng_in_fn)(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out);
/* Text output: a NUL-terminated string in c->mem, its length in *len. */
typedef char *(*eng_out_fn)(eng_ctx *c, const eng_val *v, size_t *len);
typedef int (*eng_recv_fn)(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out);
typedef uint8_t *(*eng_send_fn)(eng_ctx *c, const eng_val *v, size_t *len);
/* Fit a value to a typmod (varchar length, numeric precision); explicit is
 * true for an explicit cast (varchar truncates instead of failing). */
typedef int (*eng_typmod_fn)(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast);

struct eng_type {
    uint32_t oid;
    const char *name;     /* pg_type.typname: "int4" */
    const char *sqlname;  /* format_type(): "integer", used in messages */
    int16_t len;          /* pg_type.typlen */
    char category;        /* pg_type.typcategory */
    bool preferred;       /* pg_type.typispreferred */
    eng_in_fn in;
    eng_out_fn out;
    eng_recv_fn recv;
    eng_send_fn send;
    eng_typmod_fn typmod;
};

const eng_type *eng_type_by_oid(uint32_t oid);
/* The i-th built-in type (0-based), NULL past the end: pg_type. */
const eng_type *eng_type_at(int i);
/* By pg_type.typname (case-sensitive, as the parser folds) or NULL. */
const eng_type *eng_type_by_name(const char *name);
/* "integer", "text", "character varying"; "???" for an unknown OID. */
const char *eng_type_sqlname(uint32_t oid);
/* format_type() with a typmod: "character varying(10)", "numeric(5,2)". */
char *eng_type_format(arena *a, uint32_t oid, int32_t typmod);
/* Parse the typmod list of a type name (varchar(10), numeric(5,2)); -1 if none. */
int eng_type_typmod(const eng_type *t, const int32_t *mods, int nmods, int32_t *out, pgw_error *err);

/* ---- casts ----------------------------------------------------------- */

typedef enum { ENG_CAST_IMPLICIT, ENG_CAST_ASSIGN, ENG_CAST_EXPLICIT } eng_cast_ctx;

/* A cast function (src value → dst value); NULL fn = binary-compatible. */
typedef int (*eng_cast_fn)(eng_ctx *c, const eng_val *in, eng_val *out);

/* Find how to cast src → dst in context cc; false if no such cast.
 * *fn is NULL for a no-op (binary-compatible) cast; *via_io is set when
 * the cast goes through the output and input functions. */
bool eng_cast_find(uint32_t src, uint32_t dst, eng_cast_ctx cc, eng_cast_fn *fn, bool *via_io);
/* True when an implicit cast src → dst exists (can_coerce_type). */
bool eng_can_coerce(uint32_t src, uint32_t dst);

/* ---- shared helpers for the I/O modules ------------------------------ */

char *eng__strval(eng_ctx *c, const char *s, size_t n, size_t *len);
/* "invalid input syntax for type %s: \"%s\"" (22P02). */
int eng__bad_input(eng_ctx *c, const char *tname, const char *s, size_t n);
int eng__oom(eng_ctx *c);
uint8_t *eng__send_be(eng_ctx *c, uint64_t v, int bytes, size_t *len);
int eng__recv_len(eng_ctx *c, size_t n, size_t want);

#endif
