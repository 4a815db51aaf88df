/*
 * half: binary16 <-> binary32 conversion against the compiler's own _Float16
 * (IEEE round to nearest, ties to even): every one of the 65,536 halves, the
 * boundaries of the half range, and a million pseudo-random floats.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/types/half.h"

static uint16_t hw_half(float f)
{
    _Float16 h = (_Float16)f;
    uint16_t u;
    memcpy(&u, &h, sizeof(u));
    return u;
}

Test(half, every_half_widens_exactly_and_round_trips)
{
    for (uint32_t u = 0; u <= 0xffff; u++) {
        _Float16 h;
        uint16_t bits = (uint16_t)u;
        memcpy(&h, &bits, sizeof(h));
        float want = (float)h, got = eng_half_to_float(bits);
        if (isnan(want)) {
            cr_assert(isnan(got), "%04x", u);
            cr_assert(isnan(eng_half_to_float(eng_float_to_half(got))), "%04x", u);
            continue;
        }
        cr_assert(memcmp(&want, &got, sizeof(float)) == 0, "%04x: %g != %g", u, (double)want, (double)got);
        cr_assert_eq(eng_float_to_half(got), bits, "%04x", u);
    }
}

Test(half, rounding_at_the_edges)
{
    static const float cases[] = {65504.0f, 65519.99f, 65520.0f, 1e9f, INFINITY, 2049.0f, 2051.0f,
                                  6.1035156e-05f, 6.0975552e-05f, 5.9604645e-08f, 2.9802322e-08f,
                                  2.9802326e-08f, 1e-9f, 0.0f, 0.1f, 0.6f, 1.0009765625f, 1.00146484375f};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(eng_float_to_half(cases[i]), hw_half(cases[i]), "%.9g", (double)cases[i]);
        cr_assert_eq(eng_float_to_half(-cases[i]), hw_half(-cases[i]), "-%.9g", (double)cases[i]);
    }
    cr_assert_eq(eng_float_to_half(65520.0f), 0x7c00); /* out of range becomes infinity: halfvec reports it */
    cr_assert_eq(eng_float_to_half(2049.0f), 0x6800);  /* tie: to the even 2048 */
    cr_assert_eq(eng_float_to_half(2051.0f), 0x6802);  /* tie: to the even 2052 */
}

Test(half, random_floats_match_the_hardware)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 1000000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint32_t u = (uint32_t)s;
        /* Mostly exponents near the half range, where rounding happens. */
        if (i % 2)
            u = (u & 0x807fffffu) | ((uint32_t)(96 + (s >> 40) % 50) << 23);
        float f;
        memcpy(&f, &u, sizeof(f));
        if (isnan(f))
            continue;
        cr_assert_eq(eng_float_to_half(f), hw_half(f), "%08x", u);
    }
}
