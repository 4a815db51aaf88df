/*
 * hc_embed: element-wise helpers over float4[] embeddings for the SQL layer
 * (embedding_cosine_sim / _l2_dist / _vector_add / _vector_sub / _analogy_vec).
 *
 * Unlike the reference, arrays of different lengths are an error
 * (HC_ERR_LENGTH_MISMATCH -> SQLSTATE 22000), never a silent 0. Kept from the
 * reference: empty arrays or a zero norm give cosine 0.0. Sums accumulate in
 * double. Output arrays are caller-owned with room for n floats and may alias
 * an input. Pure, any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_EMBED_H
#define HCDB_ENGINE_HYPERCUBE_HC_EMBED_H

#include <stddef.h>

#include "engine/hypercube/hc_error.h"

hc_status hc_embed_cosine(const float *a, size_t na, const float *b, size_t nb, double *out)
    __attribute__((warn_unused_result));
hc_status hc_embed_l2(const float *a, size_t na, const float *b, size_t nb, double *out)
    __attribute__((warn_unused_result));
/* out = a + b */
hc_status hc_embed_add(const float *a, size_t na, const float *b, size_t nb, float *out)
    __attribute__((warn_unused_result));
/* out = a - b */
hc_status hc_embed_sub(const float *a, size_t na, const float *b, size_t nb, float *out)
    __attribute__((warn_unused_result));
/* out = c + (a - b): "a is to b as out is to c" */
hc_status hc_embed_analogy(const float *a, size_t na, const float *b, size_t nb, const float *c, size_t nc,
                           float *out) __attribute__((warn_unused_result));

#endif
