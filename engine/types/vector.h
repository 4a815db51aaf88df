/*
 * vector: pgvector's `vector(n)` type — float4 elements, text form
 * `[1,2.5,3]`, binary form int16 dim, int16 0, dim x float4 big-endian —
 * with its distance operators and functions, as pgvector 0.8 has them.
 *
 * In an eng_val a vector is s.p/s.n: dim floats in host order, s.n = 4*dim
 * (1 <= dim <= VECTOR_MAX_DIM), never NaN or infinite. s.p may be
 * unaligned (it can point into a stored row image). Read-only after
 * construction; any thread may call these functions on its own eng_ctx.
 */
#ifndef HCDB_ENGINE_TYPES_VECTOR_H
#define HCDB_ENGINE_TYPES_VECTOR_H

#include "engine/types/types.h"

/* pgvector's VECTOR_MAX_DIM: the column limit, not an index limit. */
#define VECTOR_MAX_DIM 16000

extern const eng_type eng__type_vector;

/* vector_typmod_in: the (n) of vector(n); 0, or -1 with err (22023). */
int eng__vector_typmod(const int32_t *mods, int nmods, int32_t *out, pgw_error *err);

/* avg(vector) and avg(halfvec) (type: OID_VECTOR or OID_HALFVEC), as pgvector's
 * vector_accum / vector_avg and halfvec's: add x to the float8 running sums in acc (dim
 * doubles in acc->s, allocated in a at the first row; 22000 when the dimensions change),
 * then the average of n rows as a value of type (22003 when an element overflows). */
int eng__vector_accum(eng_ctx *c, uint32_t type, arena *a, eng_val *acc, const eng_val *x);
int eng__vector_avg(eng_ctx *c, uint32_t type, const eng_val *acc, int64_t n, eng_val *out);

#endif
