/*
 * hc_hilbert: Skilling's transform for n = 4 dimensions, b = 32 bits.
 *
 * The transform itself (axes_to_transpose / transpose_to_axes) is shared by
 * both layouts; they differ only in the pre-XOR and in where bit j of
 * transposed lane d lands in the 128-bit key:
 *   canonical: bit 4j + (3 - d)      upstream: bit 4j + d (after lane ^= 2^31)
 */
#include "engine/hypercube/hc_hilbert.h"

#define HC_DIMS 4
#define HC_BITS 32

/* Skilling, "Programming the Hilbert curve" (AIP Conf. Proc. 707, 2004), AxestoTranspose. */
static void axes_to_transpose(uint32_t x[HC_DIMS])
{
    const uint32_t top = 1u << (HC_BITS - 1);
    for (uint32_t q = top; q > 1; q >>= 1) {
        uint32_t p = q - 1;
        for (int i = 0; i < HC_DIMS; i++) {
            if (x[i] & q) {
                x[0] ^= p; /* invert low bits of lane 0 */
            } else {
                uint32_t t = (x[0] ^ x[i]) & p; /* exchange low bits of lanes 0 and i */
                x[0] ^= t;
                x[i] ^= t;
            }
        }
    }
    for (int i = 1; i < HC_DIMS; i++) /* Gray encode */
        x[i] ^= x[i - 1];
    uint32_t t = 0;
    for (uint32_t q = top; q > 1; q >>= 1)
        if (x[HC_DIMS - 1] & q)
            t ^= q - 1;
    for (int i = 0; i < HC_DIMS; i++)
        x[i] ^= t;
}

/* Skilling's TransposetoAxes: the exact inverse of the above. */
static void transpose_to_axes(uint32_t x[HC_DIMS])
{
    uint32_t t = x[HC_DIMS - 1] >> 1; /* Gray decode by H ^ (H/2) */
    for (int i = HC_DIMS - 1; i > 0; i--)
        x[i] ^= x[i - 1];
    x[0] ^= t;
    for (uint64_t q = 2; q != (uint64_t)1 << HC_BITS; q <<= 1) { /* undo excess work */
        uint32_t p = (uint32_t)q - 1;
        for (int i = HC_DIMS - 1; i >= 0; i--) {
            if (x[i] & (uint32_t)q) {
                x[0] ^= p;
            } else {
                uint32_t u = (x[0] ^ x[i]) & p;
                x[0] ^= u;
                x[i] ^= u;
            }
        }
    }
}

/* Bit j of lane d goes to key bit 4j + slot[d]. */
static hc_hilbert interleave(const uint32_t x[HC_DIMS], const int slot[HC_DIMS])
{
    hc_hilbert h = {0, 0};
    for (int j = 0; j < HC_BITS; j++) {
        for (int d = 0; d < HC_DIMS; d++) {
            uint64_t bit = (x[d] >> j) & 1u;
            int pos = 4 * j + slot[d];
            if (pos >= 64)
                h.hi |= bit << (pos - 64);
            else
                h.lo |= bit << pos;
        }
    }
    return h;
}

static void deinterleave(hc_hilbert h, uint32_t x[HC_DIMS], const int slot[HC_DIMS])
{
    for (int d = 0; d < HC_DIMS; d++)
        x[d] = 0;
    for (int j = 0; j < HC_BITS; j++) {
        for (int d = 0; d < HC_DIMS; d++) {
            int pos = 4 * j + slot[d];
            uint64_t bit = pos >= 64 ? (h.hi >> (pos - 64)) & 1u : (h.lo >> pos) & 1u;
            x[d] |= (uint32_t)bit << j;
        }
    }
}

static const int CANONICAL_SLOT[HC_DIMS] = {3, 2, 1, 0};
static const int UPSTREAM_SLOT[HC_DIMS] = {0, 1, 2, 3};

hc_hilbert hc_hilbert_encode(const uint32_t lanes[4])
{
    uint32_t x[HC_DIMS] = {lanes[0], lanes[1], lanes[2], lanes[3]};
    axes_to_transpose(x);
    return interleave(x, CANONICAL_SLOT);
}

void hc_hilbert_decode(hc_hilbert h, uint32_t lanes[4])
{
    deinterleave(h, lanes, CANONICAL_SLOT);
    transpose_to_axes(lanes);
}

hc_hilbert hc_hilbert_encode_upstream(const uint32_t lanes[4])
{
    uint32_t x[HC_DIMS];
    for (int d = 0; d < HC_DIMS; d++)
        x[d] = lanes[d] ^ 0x80000000u; /* moves the sphere centre to corner 0 */
    axes_to_transpose(x);
    return interleave(x, UPSTREAM_SLOT);
}

void hc_hilbert_decode_upstream(hc_hilbert h, uint32_t lanes[4])
{
    deinterleave(h, lanes, UPSTREAM_SLOT);
    transpose_to_axes(lanes);
    for (int d = 0; d < HC_DIMS; d++)
        lanes[d] ^= 0x80000000u;
}

int hc_hilbert_cmp(hc_hilbert a, hc_hilbert b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

int hc_hilbert_cmp_int64(int64_t lo_a, int64_t hi_a, int64_t lo_b, int64_t hi_b)
{
    return hc_hilbert_cmp(hc_hilbert_from_int64(lo_a, hi_a), hc_hilbert_from_int64(lo_b, hi_b));
}

hc_hilbert hc_hilbert_distance(hc_hilbert a, hc_hilbert b)
{
    if (hc_hilbert_cmp(a, b) < 0) {
        hc_hilbert t = a;
        a = b;
        b = t;
    }
    hc_hilbert d;
    d.lo = a.lo - b.lo;
    d.hi = a.hi - b.hi - (a.lo < b.lo ? 1u : 0u);
    return d;
}
