/*
 * half: IEEE 754 binary16 <-> binary32 conversion for halfvec, in plain C
 * (no F16C needed). float -> half rounds to nearest, ties to even, as the
 * hardware (and pgvector's Float4ToHalfUnchecked) does: magnitudes from
 * 65520 up become infinity, those at or below 2^-25 become (signed) zero,
 * NaN stays NaN. half -> float is exact. Pure functions, any thread.
 */
#ifndef HCDB_ENGINE_TYPES_HALF_H
#define HCDB_ENGINE_TYPES_HALF_H

#include <stdint.h>
#include <string.h>

/* Round m >> s to nearest, ties to even (1 <= s <= 24). */
static inline uint32_t eng__half_rne(uint32_t m, uint32_t s)
{
    uint32_t q = m >> s, r = m & ((1u << s) - 1), half = 1u << (s - 1);
    return q + (r > half || (r == half && (q & 1)));
}

static inline uint16_t eng_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof(x));
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu, e = ax >> 23;
    if (ax > 0x7f800000u) /* NaN: keep it quiet and non-zero */
        return (uint16_t)(sign | 0x7e00);
    if (ax >= 0x477ff000u) /* 65520 and up (infinity too) round to infinity */
        return (uint16_t)(sign | 0x7c00);
    if (ax >= 0x38800000u) /* normal half: rebias the exponent, round 23 -> 10 mantissa bits */
        return (uint16_t)(sign | eng__half_rne(ax - 0x38000000u, 13));
    if (e < 102) /* below 2^-25: rounds to zero */
        return sign;
    /* subnormal half: value = m * 2^(e-150), in units of 2^-24 that is m >> (126 - e) */
    return (uint16_t)(sign | eng__half_rne((ax & 0x7fffffu) | 0x800000u, 126 - e));
}

static inline float eng_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, x;
    if (e == 0) {
        float f = (float)m * 5.9604644775390625e-08f; /* m * 2^-24, exact */
        return sign ? -f : f;
    }
    x = e == 31 ? sign | 0x7f800000u | (m << 13) : sign | ((e + 112) << 23) | (m << 13);
    float f;
    memcpy(&f, &x, sizeof(f));
    return f;
}

#endif
