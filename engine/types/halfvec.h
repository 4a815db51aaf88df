/*
 * halfvec: pgvector's `halfvec(n)` type — IEEE binary16 elements, text form
 * `[1,2.5,3]` (each element printed as the shortest float4 text of its half
 * value), binary form int16 dim, int16 0, dim x binary16 big-endian — with
 * the operators and functions of `vector` and the casts between them, as
 * pgvector 0.8 has them.
 *
 * In an eng_val a halfvec is s.p/s.n: dim uint16 halves in host order,
 * s.n = 2*dim (1 <= dim <= 16000), never NaN or infinite; s.p may be
 * unaligned. Read-only after construction; any thread may use it.
 */
#ifndef HCDB_ENGINE_TYPES_HALFVEC_H
#define HCDB_ENGINE_TYPES_HALFVEC_H

#include "engine/types/types.h"

extern const eng_type eng__type_halfvec;

/* halfvec_typmod_in: the (n) of halfvec(n); 0, or -1 with err (22023). */
int eng__halfvec_typmod(const int32_t *mods, int nmods, int32_t *out, pgw_error *err);

#endif
