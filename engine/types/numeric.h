/*
 * numeric: exact decimal arithmetic with PostgreSQL's numeric semantics
 * (result scales, rounding half away from zero, NaN and ±Infinity, the
 * base-10000 binary format). Values are immutable once built.
 */
#ifndef HCDB_ENGINE_TYPES_NUMERIC_H
#define HCDB_ENGINE_TYPES_NUMERIC_H

#include "engine/types/types.h"

enum { NUM_FINITE, NUM_NAN, NUM_PINF, NUM_NINF };

/* Limits: PostgreSQL's display scale limit, and a digit budget that keeps
 * the quadratic algorithms here fast (PostgreSQL allows 131072 digits
 * before the point; beyond NUM_MAX_DIGITS hcdb reports 22003). */
#define NUM_MAX_DISPLAY_SCALE 1000
#define NUM_MIN_SIG_DIGITS 16
#define NUM_MAX_DIGITS 4000

struct eng_num {
    uint8_t kind;   /* NUM_FINITE, NUM_NAN, NUM_PINF, NUM_NINF */
    bool neg;       /* never true for zero */
    int32_t scale;  /* dscale: digits shown after the decimal point */
    int32_t nd;     /* number of digits in d; 0 for zero */
    uint8_t d[];    /* magnitude, most significant digit first, no leading zeros */
};

extern const eng_type eng__type_numeric;

const eng_num *eng__num_from_int(arena *a, int64_t v);
/* numeric_in on s[0..n); NULL with err filled on bad input. */
const eng_num *eng__num_parse(eng_ctx *c, const char *s, size_t n);
int eng__num_cmp(const eng_num *a, const eng_num *b);
double eng__num_to_double(const eng_num *x);
/* Arithmetic as the SQL operators do it; NULL with c->err filled on error. */
const eng_num *eng__num_add(eng_ctx *c, const eng_num *a, const eng_num *b);
const eng_num *eng__num_sub(eng_ctx *c, const eng_num *a, const eng_num *b);
const eng_num *eng__num_mul(eng_ctx *c, const eng_num *a, const eng_num *b);
/* x rounded half away from zero (or truncated) to `scale` fraction digits. */
const eng_num *eng__num_round(eng_ctx *c, const eng_num *x, int32_t scale, bool trunc);
/* a / b truncated to an integer; both finite. */
const eng_num *eng__num_div_trunc(eng_ctx *c, const eng_num *a, const eng_num *b);
/* x cast to int2/int4/int8 (oid), 22003 when out of range. */
int eng__num_to_int(eng_ctx *c, const eng_num *x, uint32_t oid, eng_val *out);
/* numeric_cast.c: the casts to and from the integer and float types (registry). */
void eng__register_numeric_casts(void);

#endif
