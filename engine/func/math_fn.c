/*
 * math_fn: double precision exp, ln, log, log10, cbrt, sign, pi and the
 * |/ and ||/ operators, with PostgreSQL's errors (2201E for logarithms of
 * zero or negative numbers, 22003 on overflow and underflow).
 */
#include <math.h>

#include "engine/func/registry.h"
#include "engine/types/float.h"

static int log_domain(eng_ctx *c, double x)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_LOG,
                  x == 0 ? "cannot take logarithm of zero" : "cannot take logarithm of a negative number");
    return -1;
}

/* A float8 result: infinite or zero results of finite, non-zero input are
 * out of range as in PostgreSQL's float_overflow/underflow checks. */
static int result(eng_ctx *c, double x, double r, bool zero_ok, eng_val *o)
{
    if (isinf(r) && !isinf(x))
        return eng__float_overflow(c);
    if (r == 0 && !zero_ok) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
        return -1;
    }
    o->null = false;
    o->f = r;
    return 0;
}

static int f_exp(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    double x = a[0].f;
    return result(c, x, exp(x), isnan(x) || isinf(x), o);
}

static int log_common(eng_ctx *c, double x, double (*fn)(double), eng_val *o)
{
    if (x <= 0)
        return log_domain(c, x);
    return result(c, x, fn(x), true, o);
}

static int f_ln(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return log_common(c, a[0].f, log, o); }
static int f_log10(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return log_common(c, a[0].f, log10, o); }

static int f_cbrt(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    return result(c, a[0].f, cbrt(a[0].f), true, o);
}

static int f_sign(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c, (void)n;
    o->null = false;
    o->f = a[0].f > 0 ? 1 : a[0].f < 0 ? -1 : isnan(a[0].f) ? a[0].f : 0;
    return 0;
}

static int f_pi(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c, (void)a, (void)n;
    o->null = false;
    o->f = M_PI;
    return 0;
}

static int f_sqrt_op(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    if (a[0].f < 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number");
        return -1;
    }
    return result(c, a[0].f, sqrt(a[0].f), true, o);
}

void eng__register_math_fn(void)
{
    const uint32_t F = OID_FLOAT8;
    eng__reg("exp", false, F, ENG_F_STRICT, f_exp, 1, F);
    eng__reg("ln", false, F, ENG_F_STRICT, f_ln, 1, F);
    eng__reg("log", false, F, ENG_F_STRICT, f_log10, 1, F);
    eng__reg("log10", false, F, ENG_F_STRICT, f_log10, 1, F);
    eng__reg("cbrt", false, F, ENG_F_STRICT, f_cbrt, 1, F);
    eng__reg("sign", false, F, ENG_F_STRICT, f_sign, 1, F);
    eng__reg("pi", false, F, ENG_F_STRICT, f_pi, 0);
    eng__reg("|/", true, F, ENG_F_STRICT, f_sqrt_op, 1, F);
    eng__reg("||/", true, F, ENG_F_STRICT, f_cbrt, 1, F);
}
