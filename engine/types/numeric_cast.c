/*
 * numeric_cast: the casts between numeric and the integer and float types,
 * with PostgreSQL's rounding and range errors.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/int.h"
#include "engine/types/numeric.h"

static int cast_int_num(eng_ctx *c, const eng_val *in, eng_val *o)
{
    o->null = false;
    o->num = eng__num_from_int(c->mem, in->i);
    return o->num ? 0 : eng__oom(c);
}

int eng__num_to_int(eng_ctx *c, const eng_num *x, uint32_t oid, eng_val *o)
{
    if (x->kind != NUM_FINITE) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot convert %s to %s",
                      x->kind == NUM_NAN ? "NaN" : "infinity", eng_type_sqlname(oid));
        return -1;
    }
    const eng_num *r = eng__num_round(c, x, 0, false);
    if (!r)
        return -1;
    if (r->nd > 19)
        return eng__int_range_err(c, oid);
    uint64_t m = 0;
    for (int i = 0; i < r->nd; i++)
        m = m * 10 + r->d[i];
    if (m > (uint64_t)INT64_MAX + (r->neg ? 1u : 0u))
        return eng__int_range_err(c, oid);
    int64_t v = r->neg ? (int64_t)(0 - m) : (int64_t)m;
    if (!eng__int_fits(v, oid))
        return eng__int_range_err(c, oid);
    o->null = false;
    o->i = v;
    return 0;
}


static int cast_num_int2(eng_ctx *c, const eng_val *in, eng_val *o) { return eng__num_to_int(c, in->num, OID_INT2, o); }
static int cast_num_int4(eng_ctx *c, const eng_val *in, eng_val *o) { return eng__num_to_int(c, in->num, OID_INT4, o); }
static int cast_num_int8(eng_ctx *c, const eng_val *in, eng_val *o) { return eng__num_to_int(c, in->num, OID_INT8, o); }

static int cast_num_float8(eng_ctx *c, const eng_val *in, eng_val *o)
{
    o->null = false;
    o->f = eng__num_to_double(in->num);
    if (isinf(o->f) && in->num->kind == NUM_FINITE) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        return -1;
    }
    return 0;
}

static int cast_num_float4(eng_ctx *c, const eng_val *in, eng_val *o)
{
    if (cast_num_float8(c, in, o))
        return -1;
    float f = (float)o->f;
    if (isinf(f) && !isinf(o->f)) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        return -1;
    }
    o->f = f;
    return 0;
}

/* float8_numeric: through %.15g (DBL_DIG), float4 through %.6g (FLT_DIG). */
static int float_to_num(eng_ctx *c, double v, int digits, eng_val *o)
{
    o->null = false;
    if (isnan(v) || isinf(v)) {
        const char *special = isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        o->num = eng__num_parse(c, special, strlen(special));
        return o->num ? 0 : -1;
    }
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*g", digits, v);
    o->num = eng__num_parse(c, buf, strlen(buf));
    return o->num ? 0 : -1;
}

static int cast_float8_num(eng_ctx *c, const eng_val *in, eng_val *o) { return float_to_num(c, in->f, 15, o); }
static int cast_float4_num(eng_ctx *c, const eng_val *in, eng_val *o) { return float_to_num(c, in->f, 6, o); }

void eng__register_numeric_casts(void)
{
    const uint32_t N = OID_NUMERIC;
    uint32_t ints[3] = {OID_INT2, OID_INT4, OID_INT8};
    eng_cast_fn to_int[3] = {cast_num_int2, cast_num_int4, cast_num_int8};
    for (int i = 0; i < 3; i++) {
        eng__reg_cast(ints[i], N, ENG_CAST_IMPLICIT, cast_int_num);
        eng__reg_cast(N, ints[i], ENG_CAST_ASSIGN, to_int[i]);
    }
    eng__reg_cast(N, OID_FLOAT8, ENG_CAST_IMPLICIT, cast_num_float8);
    eng__reg_cast(N, OID_FLOAT4, ENG_CAST_IMPLICIT, cast_num_float4);
    eng__reg_cast(OID_FLOAT8, N, ENG_CAST_ASSIGN, cast_float8_num);
    eng__reg_cast(OID_FLOAT4, N, ENG_CAST_ASSIGN, cast_float4_num);
}
