/*
 * Unit tests for engine/hypercube/hc_map (+ hc_rank, hc_trig): pinned
 * placements, the sphere invariant, determinism, distinctness, speed of the
 * batch path, and bad inputs. Pinned doubles were produced by this code and
 * cross-checked against a Python/glibc re-derivation of the reference
 * (identical for these four; over all 4,456,448 lanes the float32-rounded
 * values agree with that re-derivation everywhere). Raw lanes for A, a, 0,
 * space and U+D800 are the reference note's own test vectors.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/hypercube/hc_map.h"
#include "engine/hypercube/hc_rank.h"

typedef struct pin {
    int cp;
    double p[4];
    uint32_t raw[4];
} pin;

static const pin PINS[] = {
    {65, {0x1.ecdc3405ab7eap-2, 0x1.05f6aa5d43cd6p-1, 0x1.812b49247ecb5p-2, 0x1.f7c3c18aeb4cfp-1},
     {2067205376u, 2197509423u, 1615516224u, 4225884415u}},
    {32768, {0x1.19081343b8c7cp-1, 0x1.10e285c26271p-1, 0x1.f7a81b12d07b9p-1, 0x1.8d4633bdb6f28p-2},
     {2357463455u, 2289124063u, 4224978303u, 1666288864u}},
    {0, {0x1.ffcad0ad5521ep-2, 0x1.0022ef0f3a802p-1, 0x1.14b356007c9c9p-2, 0x1.e35d40b257bb8p-1},
     {2146612267u, 2148628359u, 1160566144u, 4054753407u}},
    {0x10FFFF, {0x1.66de9e0365982p-1, 0x1.219709084f46ap-1, 0x1.2e7a74ebf7672p-1, 0x1.cb32e91b61e4p-5},
     {3010416383u, 2429256831u, 2537372287u, 240752512u}},
};

Test(hc_map, pinned_points)
{
    for (size_t i = 0; i < sizeof PINS / sizeof PINS[0]; i++) {
        hc_point p;
        uint32_t raw[4];
        cr_assert_eq(hc_map_codepoint(PINS[i].cp, &p), HC_OK);
        cr_assert(p.x == PINS[i].p[0] && p.y == PINS[i].p[1] && p.z == PINS[i].p[2] && p.m == PINS[i].p[3],
                  "cp %d: got (%a, %a, %a, %a)", PINS[i].cp, p.x, p.y, p.z, p.m);
        cr_assert_eq(hc_map_codepoint_raw(PINS[i].cp, raw), HC_OK);
        cr_assert_arr_eq(raw, PINS[i].raw, sizeof raw);
    }
}

Test(hc_map, reference_test_vectors)
{
    static const struct {
        int cp;
        uint32_t rank, raw[4];
    } V[] = {
        {'A', 2161, {2067205376u, 2197509423u, 1615516224u, 4225884415u}},
        {'a', 2162, {2217094231u, 2211559263u, 4151394559u, 1381275072u}},
        {'0', 2115, {2217441735u, 2085333548u, 1509522560u, 4195881727u}},
        {' ', 2113, {2055587032u, 2164904955u, 4291435263u, 2067429096u}},
        {0xD800, 65, {4294967295u, 2147483648u, 2147483648u, 2147483648u}},
    };
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        uint32_t rank, raw[4];
        cr_assert_eq(hc_semantic_rank(V[i].cp, &rank), HC_OK);
        if (V[i].cp != 0xD800)
            cr_assert_eq(rank, V[i].rank, "rank of %d", V[i].cp);
        cr_assert_eq(hc_map_codepoint_raw(V[i].cp, raw), HC_OK);
        cr_assert_arr_eq(raw, V[i].raw, sizeof raw, "raw lanes of %d", V[i].cp);
    }
    static const struct {
        int cp;
        uint32_t rank;
    } R[] = {{'B', 2157}, {'b', 2158}, {'O', 2125}, {'o', 2126}};
    for (size_t i = 0; i < 4; i++) {
        uint32_t rank;
        cr_assert_eq(hc_semantic_rank(R[i].cp, &rank), HC_OK);
        cr_assert_eq(rank, R[i].rank);
    }
    for (int cp = 0; cp < 12; cp++) { /* the first twelve ranks are U+0000..U+000B */
        uint32_t rank;
        cr_assert_eq(hc_semantic_rank(cp, &rank), HC_OK);
        cr_assert_eq(rank, (uint32_t)cp);
    }
}

Test(hc_map, ranks_are_a_permutation)
{
    unsigned char *seen = calloc(HC_NUM_CODEPOINTS, 1);
    for (int cp = 0; cp <= HC_MAX_CODEPOINT; cp++) {
        uint32_t r;
        cr_assert_eq(hc_semantic_rank(cp, &r), HC_OK);
        cr_assert_lt(r, HC_NUM_CODEPOINTS);
        cr_assert_eq(seen[r], 0);
        seen[r] = 1;
    }
    free(seen);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

Test(hc_map, every_atom_on_the_half_sphere_and_distinct)
{
    hc_point *all = malloc(sizeof *all * HC_NUM_CODEPOINTS);
    uint64_t *keys = malloc(sizeof *keys * HC_NUM_ATOMS);
    size_t n = 0;
    for (int cp = 0; cp <= HC_MAX_CODEPOINT; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        hc_point p;
        cr_assert_eq(hc_map_codepoint(cp, &p), HC_OK);
        double dx = p.x - 0.5, dy = p.y - 0.5, dz = p.z - 0.5, dm = p.m - 0.5;
        double r = sqrt(dx * dx + dy * dy + dz * dz + dm * dm);
        cr_assert(fabs(r - 0.5) < 1e-12, "cp %d at radius %.17g", cp, r);
        cr_assert(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1 && p.z >= 0 && p.z <= 1 && p.m >= 0 && p.m <= 1);
        uint32_t raw[4];
        cr_assert_eq(hc_map_codepoint_raw(cp, raw), HC_OK);
        keys[n++] = ((uint64_t)raw[0] << 32) ^ ((uint64_t)raw[1] << 21) ^ ((uint64_t)raw[2] << 10) ^ raw[3];
        all[cp] = p;
    }
    /* Distinct: sort raw-lane fingerprints; equal fingerprints must then differ in the doubles. */
    qsort(keys, n, sizeof *keys, cmp_u64);
    size_t dups = 0;
    for (size_t i = 1; i < n; i++)
        dups += keys[i] == keys[i - 1];
    cr_assert_eq(dups, 0, "%zu raw fingerprints collide", dups);
    free(all), free(keys);
}

Test(hc_map, deterministic_bitwise)
{
    for (int cp = 0; cp <= HC_MAX_CODEPOINT; cp += 97) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        hc_point a, b;
        cr_assert_eq(hc_map_codepoint(cp, &a), HC_OK);
        cr_assert_eq(hc_map_codepoint(cp, &b), HC_OK);
        cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
        int32_t one = cp;
        hc_point c;
        cr_assert_eq(hc_map_codepoints(&one, 1, &c, NULL), HC_OK);
        cr_assert_eq(memcmp(&a, &c, sizeof a), 0);
    }
}

/* The batch form gives bit-for-bit what one call per codepoint gives (its
 * speed is measured in bench/hypercube, never asserted here). */
Test(hc_map, batch_equals_one_by_one)
{
    cr_assert_eq(hc_map_init(), HC_OK);
    enum { N = 100000 };
    int32_t *cps = malloc(sizeof *cps * N);
    hc_point *out = malloc(sizeof *out * N);
    cr_assert(cps && out);
    for (int i = 0; i < N; i++)
        cps[i] = (int32_t)(((uint32_t)i * 2654435761u) % 0xD800u);
    cr_assert_eq(hc_map_codepoints(cps, N, out, NULL), HC_OK);
    int mismatches = 0;
    for (int i = 0; i < N; i++) {
        hc_point one;
        cr_assert_eq(hc_map_codepoint(cps[i], &one), HC_OK);
        mismatches += memcmp(&one, &out[i], sizeof(one)) != 0;
    }
    free(cps);
    free(out);
    cr_assert_eq(mismatches, 0, "%d of %d batch results differ", mismatches, N);
}

Test(hc_map, bad_codepoints)
{
    hc_point p;
    uint32_t raw[4], r;
    cr_assert_eq(hc_map_codepoint(-1, &p), HC_ERR_CODEPOINT_RANGE);
    cr_assert_eq(hc_map_codepoint(0x110000, &p), HC_ERR_CODEPOINT_RANGE);
    cr_assert_eq(hc_map_codepoint(INT64_MIN, &p), HC_ERR_CODEPOINT_RANGE);
    cr_assert_eq(hc_map_codepoint(0xD800, &p), HC_ERR_SURROGATE);
    cr_assert_eq(hc_map_codepoint(0xDFFF, &p), HC_ERR_SURROGATE);
    cr_assert_eq(hc_map_codepoint_raw(-5, raw), HC_ERR_CODEPOINT_RANGE);
    cr_assert_eq(hc_map_codepoint_raw(0xDC00, raw), HC_OK); /* reserved point, as the reference */
    cr_assert_eq(hc_semantic_rank(0x110000, &r), HC_ERR_CODEPOINT_RANGE);
    int32_t cps[3] = {65, 0xD912, 66};
    hc_point out[3];
    size_t bad = 99;
    cr_assert_eq(hc_map_codepoints(cps, 3, out, &bad), HC_ERR_SURROGATE);
    cr_assert_eq(bad, 1);
    cr_assert_str_eq(hc_status_sqlstate(HC_ERR_CODEPOINT_RANGE), "22003");
    cr_assert_str_eq(hc_status_sqlstate(HC_ERR_SURROGATE), "22023");
    cr_assert_str_eq(hc_status_sqlstate(HC_ERR_LENGTH_MISMATCH), "22000");
    cr_assert_str_eq(hc_status_sqlstate(HC_ERR_NOMEM), "53200");
    cr_assert_str_neq(hc_status_message(HC_ERR_SURROGATE), "");
}

Test(hc_map, quantiser_edges)
{
    cr_assert_eq(hc_quantize_unit(-1.0), 0u);
    cr_assert_eq(hc_quantize_unit(-2.0), 0u);
    cr_assert_eq(hc_quantize_unit(1.0), 0xFFFFFFFFu);
    cr_assert_eq(hc_quantize_unit(0.0), 0x80000000u); /* 2147483647.5 rounds half up */
    cr_assert_eq(hc_quantize_unit(-0x1p-60), 0x7FFFFFFFu);
    cr_assert_eq(hc_quantize_unit(0x1p-60), 0x80000000u);
    cr_assert_eq(hc_quantize_unit(NAN), 0x80000000u);
    for (uint32_t u = 0; u < 4000000000u; u += 999983u) /* quantise(dequantise(u)) == u */
        cr_assert_eq(hc_quantize_unit(hc_dequantize_unit(u)), u, "u = %u", u);
}
