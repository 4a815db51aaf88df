/*
 * Unit tests for engine/hypercube/hc_reverse: every one of the 1,112,064
 * non-surrogate codepoints round-trips through hc_map_codepoint and the
 * nearest-atom lookup, from the doubles and from the raw lanes; off-sphere
 * points and ties; bad input.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "engine/hypercube/hc_map.h"
#include "engine/hypercube/hc_reverse.h"

/* Sanitizer builds run several times slower: they check every 4th codepoint
 * (still every plane and block), the Release build checks every one. */
#ifdef __SANITIZE_ADDRESS__
enum { ROUND_TRIP_STRIDE = 4 };
#else
enum { ROUND_TRIP_STRIDE = 1 };
#endif

/* How many non-surrogate codepoints the stride visits. */
static size_t visited_codepoints(void)
{
    const int k = ROUND_TRIP_STRIDE;
    return (size_t)(HC_MAX_CODEPOINT / k + 1) - (size_t)(0xDFFF / k - (0xD800 - 1) / k);
}

Test(hc_reverse, round_trip_every_character, .timeout = 240)
{
    cr_assert_eq(hc_reverse_init(), HC_OK);
    size_t n = 0, bad = 0;
    for (int cp = 0; cp <= HC_MAX_CODEPOINT; cp += ROUND_TRIP_STRIDE) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        hc_point p;
        int32_t back = -1;
        cr_assert_eq(hc_map_codepoint(cp, &p), HC_OK);
        cr_assert_eq(hc_codepoint_from_coords(p.x, p.y, p.z, p.m, &back), HC_OK);
        if (back != cp && bad++ < 5)
            cr_log_error("cp %d came back as %d", cp, back);
        n++;
    }
    cr_assert_eq(n, visited_codepoints());
    cr_assert(ROUND_TRIP_STRIDE > 1 || n == HC_NUM_ATOMS);
    cr_assert_eq(bad, 0, "%zu codepoints did not round-trip", bad);
}

Test(hc_reverse, round_trip_raw_lanes_sample)
{
    for (int cp = 0; cp <= HC_MAX_CODEPOINT; cp += 7) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint32_t raw[4];
        int32_t back = -1;
        cr_assert_eq(hc_map_codepoint_raw(cp, raw), HC_OK);
        cr_assert_eq(hc_codepoint_from_raw(raw, &back), HC_OK);
        cr_assert_eq(back, cp);
    }
}

Test(hc_reverse, batch_and_nearby_points)
{
    hc_point pts[3];
    int32_t cps[3];
    cr_assert_eq(hc_map_codepoint('A', &pts[0]), HC_OK);
    cr_assert_eq(hc_map_codepoint(0x4E2D, &pts[1]), HC_OK);
    cr_assert_eq(hc_map_codepoint(0x1F600, &pts[2]), HC_OK);
    pts[1].x += 1e-6; /* a little off the atom still finds it */
    cr_assert_eq(hc_codepoints_from_points(pts, 3, cps, NULL), HC_OK);
    cr_assert_eq(cps[0], 'A');
    cr_assert_eq(cps[1], 0x4E2D);
    cr_assert_eq(cps[2], 0x1F600);
    /* The centre is equidistant-ish from everything; whatever it returns is stable and valid. */
    int32_t c1, c2;
    cr_assert_eq(hc_codepoint_from_coords(0.5, 0.5, 0.5, 0.5, &c1), HC_OK);
    cr_assert_eq(hc_codepoint_from_coords(0.5, 0.5, 0.5, 0.5, &c2), HC_OK);
    cr_assert_eq(c1, c2);
    cr_assert_eq(hc_check_codepoint(c1), HC_OK);
    /* Far outside the cube still has a nearest atom. */
    cr_assert_eq(hc_codepoint_from_coords(100, -100, 3, 0, &c1), HC_OK);
}

Test(hc_reverse, bad_inputs)
{
    int32_t cp;
    cr_assert_eq(hc_codepoint_from_coords(NAN, 0.5, 0.5, 0.5, &cp), HC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(hc_codepoint_from_coords(0.5, INFINITY, 0.5, 0.5, &cp), HC_ERR_INVALID_ARGUMENT);
    hc_point pts[2] = {{0.5, 0.5, 0.5, 0.5}, {0.5, 0.5, NAN, 0.5}};
    int32_t cps[2];
    size_t bad = 9;
    cr_assert_eq(hc_codepoints_from_points(pts, 2, cps, &bad), HC_ERR_INVALID_ARGUMENT);
    cr_assert_eq(bad, 1);
}
