/*
 * hc_map: deterministic placement of Unicode codepoints in 4-D.
 *
 * Codepoint -> semantic rank (hc_rank) -> super-Fibonacci spiral point v on
 * the unit 3-sphere (Alexa 2022, Algorithm 1, with the reference's lane order
 * x = r cos a, y = r sin a, z = R cos b, m = R sin b) -> two published forms:
 *   - hc_map_codepoint: the unit-hypercube point (v + 1) / 2 in double, on
 *     the sphere of radius 0.5 around (0.5, 0.5, 0.5, 0.5) to ~1e-16. This is
 *     the reference's value *before* it rounds v to float32.
 *   - hc_map_codepoint_raw: the reference's stored lanes: v rounded to float32
 *     per lane, then quantised to uint32 by floor((v+1)/2 * (2^32-1) + 1/2)
 *     (exact rational arithmetic here; the reference used long double).
 * The two differ by the float32 rounding (~3e-8 in unit units).
 * Same bits on every IEEE-754 build: own sin/cos (hc_trig), sqrt and the four
 * basic operations only. The first call builds a 4.4 MB rank table (~50 ms,
 * under a mutex); every call after that is lock-free. Any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_MAP_H
#define HCDB_ENGINE_HYPERCUBE_HC_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "engine/hypercube/hc_error.h"

#define HC_MAX_CODEPOINT 0x10FFFF
#define HC_NUM_CODEPOINTS 1114112 /* 0 .. 0x10FFFF, surrogates included (the spiral's N) */
#define HC_NUM_ATOMS 1112064      /* codepoints that are characters: all but D800-DFFF */

/* A point of the unit hypercube [0,1]^4, lanes in the reference's order. */
typedef struct hc_point {
    double x, y, z, m;
} hc_point;

/* Status of a codepoint as an input: HC_OK, HC_ERR_CODEPOINT_RANGE or HC_ERR_SURROGATE. */
hc_status hc_check_codepoint(int64_t cp);

/* Builds the rank table now instead of at first use (e.g. at server start). */
hc_status hc_map_init(void) __attribute__((warn_unused_result));

/* The atom point of `cp` in [0,1]^4. Surrogates are not characters: HC_ERR_SURROGATE. */
hc_status hc_map_codepoint(int64_t cp, hc_point *out) __attribute__((warn_unused_result));

/*
 * Batch form: out[i] for cps[i]. Stops at the first bad codepoint, returns its
 * status and stores its index in *bad_index (if not NULL); earlier outputs are set.
 */
hc_status hc_map_codepoints(const int32_t *cps, size_t n, hc_point *out, size_t *bad_index)
    __attribute__((warn_unused_result));

/*
 * The reference's raw uint32 lanes (x, y, z, m). Surrogates are accepted and
 * all map to the reserved point (1,0,0,0) -> (2^32-1, 2^31, 2^31, 2^31), as in
 * the reference; only out-of-range codepoints fail.
 */
hc_status hc_map_codepoint_raw(int64_t cp, uint32_t lanes[4]) __attribute__((warn_unused_result));

/* The dense semantic rank of `cp` among all 1,114,112 codepoints (surrogates included). */
hc_status hc_semantic_rank(int64_t cp, uint32_t *rank) __attribute__((warn_unused_result));

/* The unit-sphere point v (before float32 rounding) of spiral index `rank` (< HC_NUM_CODEPOINTS). */
void hc_spiral_point(uint32_t rank, double v[4]);

/* Reference quantiser: v in [-1,1] -> uint32, round half up; <= -1 -> 0, >= 1 -> 2^32-1, NaN -> 2^31. */
uint32_t hc_quantize_unit(double v);
/* Inverse of the quantiser's scale: u / (2^32-1) * 2 - 1. */
double hc_dequantize_unit(uint32_t u);

#endif
