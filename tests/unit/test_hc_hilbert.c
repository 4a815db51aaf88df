/*
 * Unit tests for engine/hypercube/hc_hilbert: round trips on random points,
 * the Hilbert adjacency property (consecutive keys are neighbouring cells),
 * the coarse-to-fine ordering property, unsigned ordering of the halves, the
 * distance, and the reference's layout against its published vectors.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "engine/hypercube/hc_hilbert.h"

static uint64_t st = 42;
static uint64_t rnd(void)
{
    uint64_t z = (st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

Test(hc_hilbert, round_trip_random_points)
{
    for (int i = 0; i < 200000; i++) {
        uint32_t p[4] = {(uint32_t)rnd(), (uint32_t)rnd(), (uint32_t)rnd(), (uint32_t)rnd()}, q[4];
        if (i < 16) /* corners */
            for (int d = 0; d < 4; d++)
                p[d] = (i >> d) & 1 ? 0xFFFFFFFFu : 0;
        hc_hilbert_decode(hc_hilbert_encode(p), q);
        cr_assert_arr_eq(p, q, sizeof p);
        hc_hilbert_decode_upstream(hc_hilbert_encode_upstream(p), q);
        cr_assert_arr_eq(p, q, sizeof p);
    }
}

static hc_hilbert add(hc_hilbert h, uint64_t v)
{
    uint64_t lo = h.lo + v;
    h.hi += lo < h.lo;
    h.lo = lo;
    return h;
}

Test(hc_hilbert, consecutive_keys_are_adjacent_cells)
{
    hc_hilbert zero = {0, 0};
    uint32_t p[4], q[4];
    hc_hilbert_decode(zero, p);
    cr_assert(p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0, "the curve starts at the origin");
    for (int i = 0; i < 100000; i++) {
        hc_hilbert h = {rnd(), rnd()};
        if (i % 3 == 0)
            h.lo = ~0ull - (rnd() % 4); /* across the lo/hi carry */
        if (h.hi == ~0ull && h.lo == ~0ull)
            continue;
        hc_hilbert_decode(h, p);
        hc_hilbert_decode(add(h, 1), q);
        uint64_t moved = 0;
        int lanes = 0;
        for (int d = 0; d < 4; d++) {
            if (p[d] != q[d]) {
                lanes++;
                moved = p[d] > q[d] ? p[d] - q[d] : q[d] - p[d];
            }
        }
        cr_assert(lanes == 1 && moved == 1, "step %d: %d lanes, moved %llu", i, lanes, (unsigned long long)moved);
    }
}

Test(hc_hilbert, coarse_cells_are_key_ranges)
{
    /* Points sharing the top b bits of every lane share the top 4b bits of the key. */
    for (int i = 0; i < 20000; i++) {
        int b = 1 + (int)(rnd() % 16);
        uint32_t p[4], q[4], mask = ~0u << (32 - b);
        for (int d = 0; d < 4; d++) {
            p[d] = (uint32_t)rnd();
            q[d] = (p[d] & mask) | ((uint32_t)rnd() & ~mask);
        }
        hc_hilbert a = hc_hilbert_encode(p), c = hc_hilbert_encode(q);
        cr_assert_eq(a.hi >> (64 - 4 * b), c.hi >> (64 - 4 * b));
    }
}

Test(hc_hilbert, unsigned_order_and_distance)
{
    hc_hilbert small = {0x7FFFFFFFFFFFFFFFull, 5}, big = {0x8000000000000000ull, 0};
    cr_assert_eq(hc_hilbert_cmp(small, big), -1);
    cr_assert_eq(hc_hilbert_cmp(big, small), 1);
    cr_assert_eq(hc_hilbert_cmp(big, big), 0);
    /* As SQL bigints, big.hi is negative; the comparison must still say small < big. */
    cr_assert_eq(hc_hilbert_cmp_int64((int64_t)small.lo, (int64_t)small.hi, (int64_t)big.lo, (int64_t)big.hi), -1);
    cr_assert_eq(hc_hilbert_cmp_int64(-1, 0, 1, 0), 1); /* lo 0xFFFF... > lo 1 */
    hc_hilbert d = hc_hilbert_distance(small, big);
    cr_assert(d.hi == 0 && d.lo == 0xFFFFFFFFFFFFFFFBull);
    d = hc_hilbert_distance(big, small);
    cr_assert(d.hi == 0 && d.lo == 0xFFFFFFFFFFFFFFFBull);
    for (int i = 0; i < 10000; i++) {
        hc_hilbert a = {rnd(), rnd()}, b = {rnd(), rnd()};
        hc_hilbert ab = hc_hilbert_distance(a, b);
        hc_hilbert lo = hc_hilbert_cmp(a, b) < 0 ? a : b, hi = hc_hilbert_cmp(a, b) < 0 ? b : a;
        hc_hilbert sum = add(lo, ab.lo);
        sum.hi += ab.hi;
        cr_assert_eq(hc_hilbert_cmp(sum, hi), 0);
    }
}

Test(hc_hilbert, upstream_layout_matches_reference_vectors)
{
    const uint32_t A[4] = {2067205376u, 2197509423u, 1615516224u, 4225884415u};
    const uint32_t a[4] = {2217094231u, 2211559263u, 4151394559u, 1381275072u};
    hc_hilbert h = hc_hilbert_encode_upstream(A);
    cr_assert_eq((int64_t)h.lo, 2076392483882546244ll);
    cr_assert_eq((int64_t)h.hi, 4303036484204985516ll);
    h = hc_hilbert_encode_upstream(a);
    cr_assert_eq((int64_t)h.lo, 1833977243634646203ll);
    cr_assert_eq((int64_t)h.hi, -8651307661509708111ll);
    hc_hilbert c = hc_hilbert_encode(A);
    cr_assert(c.hi != hc_hilbert_encode_upstream(A).hi, "the two layouts are different keys");
}
