/*
 * numeric_fn: generate_series over numeric and width_bucket over numeric
 * and double precision, with PostgreSQL 15's results and errors.
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

void eng__register_numeric_fn(void)
{
    const uint32_t N = OID_NUMERIC, F = OID_FLOAT8, I = OID_INT4;
    eng__reg_srf("generate_series", N, ENG_F_STRICT, series_num, 2, N, N);
    eng__reg_srf("generate_series", N, ENG_F_STRICT, series_num, 3, N, N, N);
    eng__reg("width_bucket", false, I, ENG_F_STRICT, f_width_bucket_num, 4, N, N, N, I);
    eng__reg("width_bucket", false, I, ENG_F_STRICT, f_width_bucket_f8, 4, F, F, F, I);
}
