/*
 * hc_hilbert: 128-bit Hilbert keys of 4-D points with 32-bit lanes.
 *
 * hc_hilbert_encode/decode are the canonical Hilbert curve (Skilling 2004,
 * "Programming the Hilbert curve": axes -> transpose, lane 0 in the most
 * significant bit of each 4-bit group). Consecutive keys are always
 * face-adjacent cells (one lane changes by one) -- the locality property the
 * reference's layout lost (hypercube-semantics.md §4.2, §9.10). The
 * reference's bit layout (lanes XORed with 2^31, lane 0 in the *least*
 * significant bit of each group) is available as the *_upstream pair for
 * importing upstream keys; the two give different keys for the same point.
 *
 * A key is 128 bits: `hi` holds the coarse bit-planes 31..16, `lo` the fine
 * planes 15..0. Order is (hi, lo) as UNSIGNED integers; SQL carries the halves
 * as signed bigint by two's-complement reinterpretation, so compare with
 * hc_hilbert_cmp_int64, never with signed comparisons. Pure, any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_HILBERT_H
#define HCDB_ENGINE_HYPERCUBE_HC_HILBERT_H

#include <stdint.h>

typedef struct hc_hilbert {
    uint64_t hi; /* bit-planes 31..16 (coarse) */
    uint64_t lo; /* bit-planes 15..0 (fine) */
} hc_hilbert;

hc_hilbert hc_hilbert_encode(const uint32_t lanes[4]);
void hc_hilbert_decode(hc_hilbert h, uint32_t lanes[4]);

/* The reference's layout, bit-exact (for keys stored by upstream). */
hc_hilbert hc_hilbert_encode_upstream(const uint32_t lanes[4]);
void hc_hilbert_decode_upstream(hc_hilbert h, uint32_t lanes[4]);

/* -1, 0, 1 by unsigned (hi, lo). */
int hc_hilbert_cmp(hc_hilbert a, hc_hilbert b);
/* The same order on the signed bigint halves SQL stores. */
int hc_hilbert_cmp_int64(int64_t lo_a, int64_t hi_a, int64_t lo_b, int64_t hi_b);
/* |a - b| as a 128-bit unsigned value. */
hc_hilbert hc_hilbert_distance(hc_hilbert a, hc_hilbert b);

/* Two's-complement views of the halves, for SQL bigint columns. */
static inline hc_hilbert hc_hilbert_from_int64(int64_t lo, int64_t hi)
{
    hc_hilbert h = {(uint64_t)hi, (uint64_t)lo};
    return h;
}

#endif
