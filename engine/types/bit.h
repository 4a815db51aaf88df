/*
 * bit: PostgreSQL's `bit(n)` and `bit varying(n)` (varbit) types, with
 * pgvector's hamming_distance / <~> and jaccard_distance / <%> on them.
 * Text form is the string of 0 and 1 digits (input also takes B'...' and
 * X'...' forms); binary form int32 bit count, then the bits packed most
 * significant first, big-endian, as bit_send.
 *
 * In an eng_val a bit string is s.p/s.n: a uint32 bit count (little-endian)
 * followed by ceil(count / 8) bytes, the first bit in the high bit of the
 * first byte, pad bits zero. Read-only after construction; any thread.
 */
#ifndef HCDB_ENGINE_TYPES_BIT_H
#define HCDB_ENGINE_TYPES_BIT_H

#include "engine/types/types.h"

extern const eng_type eng__type_bit, eng__type_varbit;

/* A zeroed bit string of nbits bits in c->mem: its data bytes, or NULL after eng__oom. */
uint8_t *eng__bit_new(eng_ctx *c, int nbits, eng_val *out);
/* The typmod of bit(n) / varbit(n): 0, or -1 with err (22023). */
int eng__bit_typmod(const eng_type *t, const int32_t *mods, int nmods, int32_t *out, pgw_error *err);

#endif
