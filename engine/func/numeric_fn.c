/*
 * numeric_fn: generate_series over numeric, width_bucket over numeric and
 * double precision, and floor / ceil / sign / div / scale / trim_scale of
 * numeric (exact, numeric results), with PostgreSQL 15's results and errors.
 */
#include <math.h>

#include "engine/func/registry.h"
#include "engine/types/numeric.h"

static int bad_param(eng_ctx *c, const char *msg)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "%s", msg);
    return -1;
}

/* NaN and ±Infinity are refused for each bound and the step, as in numeric.c of PostgreSQL. */
static int series_check(eng_ctx *c, const eng_num *x, const char *what_nan, const char *what_inf)
{
    if (x->kind == NUM_NAN)
        return bad_param(c, what_nan);
    if (x->kind != NUM_FINITE)
        return bad_param(c, what_inf);
    return 0;
}

/* generate_series(start, stop[, step]) for numeric. Row k is start + k * step
 * (start itself for k = 0, so its scale is kept as PostgreSQL's repeated
 * addition keeps it); state words: 0 k, 3 started. */
static int series_num(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    const eng_num *one = NULL;
    if (n < 3 && !(one = eng__num_from_int(c->mem, 1)))
        return eng__oom(c);
    const eng_num *step = n > 2 ? a[2].num : one;
    if (!st[3]) {
        if (series_check(c, a[0].num, "start value cannot be NaN", "start value cannot be infinity") ||
            series_check(c, a[1].num, "stop value cannot be NaN", "stop value cannot be infinity") ||
            series_check(c, step, "step size cannot be NaN", "step size cannot be infinity"))
            return -1;
        if (step->nd == 0)
            return bad_param(c, "step size cannot equal zero");
        st[3] = 1;
    }
    const eng_num *v = a[0].num;
    if (st[0] > 0) {
        const eng_num *k = eng__num_from_int(c->mem, st[0]);
        const eng_num *off = k ? eng__num_mul(c, k, step) : NULL;
        if (!k)
            return eng__oom(c);
        if (!off || !(v = eng__num_add(c, a[0].num, off)))
            return -1;
    }
    int cmp = eng__num_cmp(v, a[1].num);
    if (step->neg ? cmp < 0 : cmp > 0) {
        *done = true;
        return 0;
    }
    st[0]++;
    o->null = false;
    o->num = v;
    return 0;
}

static int bucket_error(eng_ctx *c, const char *msg)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET, "%s", msg);
    return -1;
}

static int bucket_last(eng_ctx *c, int32_t count, eng_val *o)
{
    if (count == INT32_MAX) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
        return -1;
    }
    o->null = false;
    o->i = count + 1;
    return 0;
}

/* width_bucket(operand, bound1, bound2, count) over numeric: exact. */
static int f_width_bucket_num(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const eng_num *x = a[0].num, *b1 = a[1].num, *b2 = a[2].num;
    int32_t count = (int32_t)a[3].i;
    if (count <= 0)
        return bucket_error(c, "count must be greater than zero");
    if (x->kind == NUM_NAN || b1->kind == NUM_NAN || b2->kind == NUM_NAN)
        return bucket_error(c, "operand, lower bound, and upper bound cannot be NaN");
    if (b1->kind != NUM_FINITE || b2->kind != NUM_FINITE)
        return bucket_error(c, "lower and upper bounds must be finite");
    int order = eng__num_cmp(b1, b2);
    if (order == 0)
        return bucket_error(c, "lower bound cannot equal upper bound");
    /* ascending: below b1 is bucket 0, b2 and above count + 1; descending mirrored */
    int below = order < 0 ? eng__num_cmp(x, b1) < 0 : eng__num_cmp(x, b1) > 0;
    int above = order < 0 ? eng__num_cmp(x, b2) >= 0 : eng__num_cmp(x, b2) <= 0;
    if (below) {
        o->null = false;
        o->i = 0;
        return 0;
    }
    if (above)
        return bucket_last(c, count, o);
    const eng_num *cnt = eng__num_from_int(c->mem, count);
    if (!cnt)
        return eng__oom(c);
    const eng_num *num = order < 0 ? eng__num_sub(c, x, b1) : eng__num_sub(c, b1, x);
    const eng_num *den = order < 0 ? eng__num_sub(c, b2, b1) : eng__num_sub(c, b1, b2);
    const eng_num *q = num && den ? eng__num_mul(c, num, cnt) : NULL;
    if (!q || !(q = eng__num_div_trunc(c, q, den)) || eng__num_to_int(c, q, OID_INT4, o))
        return -1;
    o->i += 1;
    return 0;
}

/* width_bucket(operand, bound1, bound2, count) over double precision. */
static int f_width_bucket_f8(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    double x = a[0].f, b1 = a[1].f, b2 = a[2].f;
    int32_t count = (int32_t)a[3].i;
    if (count <= 0)
        return bucket_error(c, "count must be greater than zero");
    if (isnan(x) || isnan(b1) || isnan(b2))
        return bucket_error(c, "operand, lower bound, and upper bound cannot be NaN");
    if (isinf(b1) || isinf(b2))
        return bucket_error(c, "lower and upper bounds must be finite");
    if (b1 == b2)
        return bucket_error(c, "lower bound cannot equal upper bound");
    bool asc = b1 < b2;
    if (asc ? x < b1 : x > b1) {
        o->null = false;
        o->i = 0;
        return 0;
    }
    if (asc ? x >= b2 : x <= b2)
        return bucket_last(c, count, o);
    double span = asc ? b2 - b1 : b1 - b2, off = asc ? x - b1 : b1 - x;
    double frac = isinf(span) ? (off / 2) / (span / 2) : off / span;
    int32_t r = (int32_t)(count * frac);
    if (r >= count) /* the quotient may round up to 1.0 */
        r = count - 1;
    o->null = false;
    o->i = r + 1;
    return 0;
}

static int num_out(eng_ctx *c, const eng_num *x, eng_val *o)
{
    if (!x)
        return pgw_error_is_set(c->err) ? -1 : eng__oom(c);
    o->null = false;
    o->num = x;
    return 0;
}

/* floor (up = false) or ceil: the integer part, moved one toward -inf or
 * +inf when a fraction was cut off. */
static int floor_ceil(eng_ctx *c, const eng_num *x, bool up, eng_val *o)
{
    const eng_num *t = eng__num_round(c, x, 0, true);
    if (!t || x->kind != NUM_FINITE || eng__num_cmp(t, x) == 0 || x->neg == up)
        return num_out(c, t, o);
    const eng_num *one = eng__num_from_int(c->mem, up ? 1 : -1);
    return num_out(c, one ? eng__num_add(c, t, one) : NULL, o);
}

static int f_floor(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return (void)n, floor_ceil(c, a[0].num, false, o); }
static int f_ceil(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return (void)n, floor_ceil(c, a[0].num, true, o); }

static int f_sign(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const eng_num *x = a[0].num;
    if (x->kind == NUM_NAN)
        return num_out(c, x, o);
    int s = x->kind == NUM_PINF ? 1 : x->kind == NUM_NINF ? -1 : x->nd == 0 ? 0 : x->neg ? -1 : 1;
    return num_out(c, eng__num_from_int(c->mem, s), o);
}

/* div(a, b): a / b truncated toward zero. */
static int f_div(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const eng_num *x = a[0].num, *y = a[1].num;
    if (x->kind != NUM_FINITE || y->kind != NUM_FINITE) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "div() of NaN or infinity is not supported yet");
        return -1;
    }
    return num_out(c, eng__num_div_trunc(c, x, y), o);
}

/* scale(x): its digits after the point; NULL for NaN and infinities. */
static int f_scale(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c, (void)n;
    o->null = a[0].num->kind != NUM_FINITE;
    o->i = a[0].num->scale;
    return 0;
}

/* trim_scale(x): x without trailing fractional zeros. */
static int f_trim_scale(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const eng_num *x = a[0].num;
    if (x->kind != NUM_FINITE)
        return num_out(c, x, o);
    int32_t s = x->scale;
    /* d holds the digits with the last `scale` of them after the point */
    while (s > 0 && x->nd - (x->scale - s) > 0 && x->d[x->nd - 1 - (x->scale - s)] == 0)
        s--;
    if (x->nd == 0)
        s = 0;
    return num_out(c, eng__num_round(c, x, s, true), o);
}

void eng__register_numeric_fn(void)
{
    const uint32_t N = OID_NUMERIC, F = OID_FLOAT8, I = OID_INT4;
    eng__reg_srf("generate_series", N, ENG_F_STRICT, series_num, 2, N, N);
    eng__reg_srf("generate_series", N, ENG_F_STRICT, series_num, 3, N, N, N);
    eng__reg("width_bucket", false, I, ENG_F_STRICT, f_width_bucket_num, 4, N, N, N, I);
    eng__reg("width_bucket", false, I, ENG_F_STRICT, f_width_bucket_f8, 4, F, F, F, I);
    eng__reg("floor", false, N, ENG_F_STRICT, f_floor, 1, N);
    eng__reg("ceil", false, N, ENG_F_STRICT, f_ceil, 1, N);
    eng__reg("ceiling", false, N, ENG_F_STRICT, f_ceil, 1, N);
    eng__reg("sign", false, N, ENG_F_STRICT, f_sign, 1, N);
    eng__reg("div", false, N, ENG_F_STRICT, f_div, 2, N, N);
    eng__reg("scale", false, I, ENG_F_STRICT, f_scale, 1, N);
    eng__reg("trim_scale", false, N, ENG_F_STRICT, f_trim_scale, 1, N);
}
