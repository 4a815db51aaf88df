/*
 * hc_centroid: centroids of compositions (hypercube-semantics.md §4.5).
 *
 * Two rules, named after the reference's:
 *   rule A (sphere mean): dequantise each raw point to [-1,1]^4, project it
 *     onto the unit sphere, average, project the mean back onto the sphere
 *     (unless its squared norm <= 1e-12: then it stays at the centre), and
 *     re-quantise. Used for vocabulary tokens and SQL hypercube_centroid.
 *   rule B (text ingestion, hcdb's composition rule): the arithmetic mean of
 *     the children, pulled toward the centre C by the factor
 *     1 - 1/(depth + 2): C + (mean - C) * (1 - 1/(depth+2)). Depth 1 = token,
 *     2 = sentence, 3 = paragraph, 4 = document.
 * Raw forms work on uint32 lanes (C = 2^31, rounded half up and clamped); the
 * unit forms on hc_point (C = 0.5). Sums are exact (64-bit integers for raw
 * lanes), so the result does not depend on the order of summation beyond
 * what the double mean implies. Pure, any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_CENTROID_H
#define HCDB_ENGINE_HYPERCUBE_HC_CENTROID_H

#include <stddef.h>
#include <stdint.h>

#include "engine/hypercube/hc_error.h"
#include "engine/hypercube/hc_map.h"

/* Rule A on raw lanes. n == 0: HC_ERR_EMPTY_INPUT (SQL: NULL). */
hc_status hc_centroid_sphere_raw(const uint32_t (*pts)[4], size_t n, uint32_t out[4])
    __attribute__((warn_unused_result));
/* Rule B on raw lanes; depth >= 0. */
hc_status hc_centroid_text_raw(const uint32_t (*pts)[4], size_t n, int depth, uint32_t out[4])
    __attribute__((warn_unused_result));
/* Rule B on unit-cube points; depth >= 0. */
hc_status hc_centroid_text(const hc_point *pts, size_t n, int depth, hc_point *out)
    __attribute__((warn_unused_result));

#endif
