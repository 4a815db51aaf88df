/*
 * hc_map: codepoint -> spiral point (see hc_map.h for the contract).
 *
 * The spiral follows the reference expression by expression, so that each
 * double operation rounds the same way: i = rank + 0.5, s = i / N,
 * alpha = (2*pi*i) / sqrt(2), beta = (2*pi*i) / psi, point
 * (sqrt(s) cos alpha, sqrt(s) sin alpha, sqrt(1-s) cos beta, sqrt(1-s) sin beta),
 * divided by its norm. Only sin/cos come from hc_trig instead of libm.
 */
#include "engine/hypercube/hc_map.h"

#include <float.h>
#include <math.h>

#include "engine/hypercube/hc_rank.h"
#include "engine/hypercube/hc_trig.h"

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "hc_map needs FLT_EVAL_METHOD == 0 (SSE2/NEON double arithmetic)"
#endif
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* acos(-1.0), the double nearest pi, as the reference computes it. */
static const double PI_D = 0x1.921fb54442d18p+1;
/* sqrt(2.0) correctly rounded: the spiral's phi (phi^2 = 2). */
static const double PHI_SF = 0x1.6a09e667f3bcdp+0;
/* psi, the real root of psi^4 = psi + 4 (Alexa's second constant), as the reference writes it. */
static const double PSI_SF = 1.533751168755204288118041;

hc_status hc_check_codepoint(int64_t cp)
{
    if (cp < 0 || cp > HC_MAX_CODEPOINT)
        return HC_ERR_CODEPOINT_RANGE;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return HC_ERR_SURROGATE;
    return HC_OK;
}

hc_status hc_map_init(void)
{
    const uint32_t *t;
    return hc__rank_table(&t);
}

void hc_spiral_point(uint32_t rank, double v[4])
{
    double i = (double)rank + 0.5;
    double s = i / (double)HC_NUM_CODEPOINTS;
    double alpha = 2.0 * PI_D * i / PHI_SF;
    double beta = 2.0 * PI_D * i / PSI_SF;
    double r = sqrt(s), R = sqrt(1.0 - s);
    double sa, ca, sb, cb;
    hc__sincos(alpha, &sa, &ca);
    hc__sincos(beta, &sb, &cb);
    double x = r * ca, y = r * sa, z = R * cb, w = R * sb;
    double norm = sqrt(x * x + y * y + z * z + w * w);
    if (norm > 1e-12) {
        x /= norm, y /= norm, z /= norm, w /= norm;
    }
    v[0] = x, v[1] = y, v[2] = z, v[3] = w;
}

static void to_unit_cube(const double v[4], hc_point *out)
{
    out->x = (v[0] + 1.0) * 0.5;
    out->y = (v[1] + 1.0) * 0.5;
    out->z = (v[2] + 1.0) * 0.5;
    out->m = (v[3] + 1.0) * 0.5;
}

hc_status hc_map_codepoint(int64_t cp, hc_point *out)
{
    hc_status st = hc_check_codepoint(cp);
    if (st != HC_OK)
        return st;
    const uint32_t *rank_of;
    if ((st = hc__rank_table(&rank_of)) != HC_OK)
        return st;
    double v[4];
    hc_spiral_point(rank_of[cp], v);
    to_unit_cube(v, out);
    return HC_OK;
}

hc_status hc_map_codepoints(const int32_t *cps, size_t n, hc_point *out, size_t *bad_index)
{
    const uint32_t *rank_of;
    hc_status st = hc__rank_table(&rank_of);
    if (st != HC_OK)
        return st;
    for (size_t k = 0; k < n; k++) {
        if ((st = hc_check_codepoint(cps[k])) != HC_OK) {
            if (bad_index)
                *bad_index = k;
            return st;
        }
        double v[4];
        hc_spiral_point(rank_of[cps[k]], v);
        to_unit_cube(v, &out[k]);
    }
    return HC_OK;
}

/*
 * floor((v + 1)/2 * (2^32 - 1) + 1/2) exactly. Write A = v * (2^32 - 1) =
 * v*2^32 - v, held exactly as hi + lo by a two-sum; then the value is
 * 2^31 + floor(A / 2), and floor(A/2) follows from floor(hi/2) and the sign
 * of lo (|lo| is below half an ulp of hi, so it only matters when hi/2 is an
 * integer). Exact, so no long double (whose width varies by platform) is needed.
 */
uint32_t hc_quantize_unit(double v)
{
    if (v != v)
        return 0x80000000u;
    if (v <= -1.0)
        return 0;
    if (v >= 1.0)
        return 0xFFFFFFFFu;
    double big = v * 4294967296.0;
    double hi = big - v;
    double bb = hi - big;
    double lo = (big - (hi - bb)) + (-v - bb);
    double fl;
    if (fabs(hi) < 1.0) {
        fl = (hi < 0.0 || (hi == 0.0 && lo < 0.0)) ? -1.0 : 0.0;
    } else {
        double h2 = hi * 0.5, f = floor(h2);
        fl = (h2 - f == 0.0 && lo < 0.0) ? f - 1.0 : f;
    }
    return (uint32_t)(int64_t)(2147483648.0 + fl);
}

double hc_dequantize_unit(uint32_t u)
{
    return (double)u / 4294967295.0 * 2.0 - 1.0;
}

hc_status hc_map_codepoint_raw(int64_t cp, uint32_t lanes[4])
{
    hc_status st = hc_check_codepoint(cp);
    if (st == HC_ERR_SURROGATE) {
        /* The reference's reserved point (1, 0, 0, 0) for every surrogate. */
        lanes[0] = 0xFFFFFFFFu;
        lanes[1] = lanes[2] = lanes[3] = 0x80000000u;
        return HC_OK;
    }
    if (st != HC_OK)
        return st;
    const uint32_t *rank_of;
    if ((st = hc__rank_table(&rank_of)) != HC_OK)
        return st;
    double v[4];
    hc_spiral_point(rank_of[cp], v);
    for (int d = 0; d < 4; d++)
        lanes[d] = hc_quantize_unit((double)(float)v[d]);
    return HC_OK;
}

hc_status hc_semantic_rank(int64_t cp, uint32_t *rank)
{
    if (cp < 0 || cp > HC_MAX_CODEPOINT)
        return HC_ERR_CODEPOINT_RANGE;
    const uint32_t *rank_of;
    hc_status st = hc__rank_table(&rank_of);
    if (st != HC_OK)
        return st;
    *rank = rank_of[cp];
    return HC_OK;
}
