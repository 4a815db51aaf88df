/*
 * hc_trig: deterministic sin/cos (see hc_trig.h for why they exist).
 *
 * Reduction: x = k*(pi/2) + r with k the nearest integer. pi/2 is split into
 * five doubles of at most 28 significant bits each (PIO2_1..PIO2_5, together
 * ~140 bits), so k*PIO2_j is exact for k < 2^25 and r is obtained as a
 * double-double (hi, lo) through error-free two-sums (Cody & Waite with
 * extra terms). Kernels: Taylor series in z = r^2 on |r| <= pi/4, truncated
 * where the next term is below 2^-90 relative, evaluated in Horner form; the
 * cosine uses the 1 - z/2 split of fdlibm's __kernel_cos to stay near 0.5 ulp.
 */
#include "engine/hypercube/hc_trig.h"

#include <float.h>
#include <stdint.h>

/* Double-precision operations must round to double: no x87 excess precision. */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "hc_trig needs FLT_EVAL_METHOD == 0 (SSE2/NEON double arithmetic)"
#endif

/* A contracted a*b+c (FMA) rounds once instead of twice and would change bits. */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* pi/2 in five pieces of <= 28 bits (computed with mpmath at 400 bits). */
static const double PIO2_1 = 0x1.921fb54000000p+0;
static const double PIO2_2 = 0x1.10b4610000000p-30;
static const double PIO2_3 = 0x1.a626330000000p-58;
static const double PIO2_4 = 0x1.45c06e0000000p-86;
static const double PIO2_5 = 0x1.cd12902000000p-115;
static const double INV_PIO2 = 0x1.45f306dc9c883p-1; /* 2/pi, only used to guess k */

/* (-1)^n / (2n+1)!, n = 1..11, correctly rounded. */
static const double SIN_C[11] = {
    -0x1.5555555555555p-3,  0x1.1111111111111p-7,   -0x1.a01a01a01a01ap-13,
    0x1.71de3a556c734p-19,  -0x1.ae64567f544e4p-26, 0x1.6124613a86d09p-33,
    -0x1.ae7f3e733b81fp-41, 0x1.952c77030ad4ap-49,  -0x1.2f49b46814157p-57,
    0x1.71b8ef6dcf572p-66,  -0x1.761b41316381ap-75,
};
/* (-1)^n / (2n)!, n = 2..11, correctly rounded. */
static const double COS_C[10] = {
    0x1.5555555555555p-5,   -0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-16,
    -0x1.27e4fb7789f5cp-22, 0x1.1eed8eff8d898p-29,  -0x1.93974a8c07c9dp-37,
    0x1.ae7f3e733b81fp-45,  -0x1.6827863b97d97p-53, 0x1.e542ba4020225p-62,
    -0x1.0ce396db7f853p-70,
};

/* Knuth's two-sum: s + e == a + b exactly. */
static inline void two_sum(double a, double b, double *s, double *e)
{
    double sum = a + b;
    double bb = sum - a;
    *e = (a - (sum - bb)) + (b - bb);
    *s = sum;
}

/* x - k*pi/2 as hi + lo; k*PIO2_1 is exact and x - k*PIO2_1 is exact (Sterbenz). */
static void reduce(double x, double k, double *hi, double *lo)
{
    double r = x - k * PIO2_1;
    double err = 0.0;
    const double rest[4] = {PIO2_2, PIO2_3, PIO2_4, PIO2_5};
    for (int j = 0; j < 4; j++) {
        double e;
        two_sum(r, -(k * rest[j]), &r, &e);
        err += e;
    }
    two_sum(r, err, hi, lo);
}

/* sin(r + y) for |r| <= ~pi/4, |y| tiny. */
static double kernel_sin(double r, double y)
{
    double z = r * r;
    double p = SIN_C[10];
    for (int i = 9; i >= 1; i--)
        p = SIN_C[i] + z * p;
    /* sin(r+y) ~ r + r^3*(S1 + z*p) + y*(1 - z/2) */
    double v = z * r;
    return r + ((v * (SIN_C[0] + z * p)) + (y - 0.5 * z * y));
}

/* cos(r + y) for |r| <= ~pi/4, |y| tiny. */
static double kernel_cos(double r, double y)
{
    double z = r * r;
    double q = COS_C[9];
    for (int i = 8; i >= 0; i--)
        q = COS_C[i] + z * q;
    double hz = 0.5 * z;
    double w = 1.0 - hz;
    /* cos(r+y) ~ 1 - z/2 + z^2*q - r*y, with the rounding error of 1 - z/2 added back. */
    return w + (((1.0 - w) - hz) + (z * z * q - r * y));
}

void hc__sincos(double x, double *s, double *c)
{
    double ax = x < 0 ? -x : x;
    double sign = x < 0 ? -1.0 : 1.0;
    double k = (double)(int64_t)(ax * INV_PIO2 + 0.5);
    double hi, lo;
    if (k == 0.0) {
        hi = ax;
        lo = 0.0;
    } else {
        reduce(ax, k, &hi, &lo);
    }
    double sr = kernel_sin(hi, lo), cr = kernel_cos(hi, lo);
    switch ((int64_t)k & 3) {
    case 0:
        *s = sr, *c = cr;
        break;
    case 1:
        *s = cr, *c = -sr;
        break;
    case 2:
        *s = -sr, *c = -cr;
        break;
    default:
        *s = -cr, *c = sr;
        break;
    }
    *s *= sign;
}
