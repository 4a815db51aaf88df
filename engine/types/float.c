/*
 * float: float4 and float8 — input, output and arithmetic as PostgreSQL 15
 * does them (float.c). Output with extra_float_digits > 0 is the shortest
 * string that reads back to the same value (PostgreSQL uses Ryu); here the
 * shortest correctly rounded %.*e that round-trips, laid out exactly like
 * PostgreSQL's d2s/f2s: fixed notation for decimal exponents in
 * [-4, 15) (float8) or [-4, 6) (float4), else d.ddde+XX.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/float.h"
#include "engine/types/int.h"

static const char *float_sqlname(bool f4)
{
    return f4 ? "real" : "double precision";
}

int eng__float_overflow(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    return -1;
}

static int float_underflow(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
    return -1;
}

static bool match_special(const char *s, size_t n, double *out)
{
    static const struct { const char *w; double v; } sp[] = {
        {"nan", NAN},       {"infinity", INFINITY},   {"+infinity", INFINITY}, {"-infinity", -INFINITY},
        {"inf", INFINITY},  {"+inf", INFINITY},       {"-inf", -INFINITY},
    };
    for (size_t i = 0; i < sizeof(sp) / sizeof(sp[0]); i++) {
        if (strlen(sp[i].w) == n && strncasecmp(s, sp[i].w, n) == 0) {
            *out = sp[i].v;
            return true;
        }
    }
    return false;
}

/* float8in_internal / float4in: strtod with PostgreSQL's range checks. */
int eng__float_parse(eng_ctx *c, const char *s, size_t n, bool f4, double *out)
{
    size_t b = 0, e = n;
    while (b < e && isspace((unsigned char)s[b]))
        b++;
    while (e > b && isspace((unsigned char)s[e - 1]))
        e--;
    if (b == e || e - b > 1000)
        return eng__bad_input(c, float_sqlname(f4), s, n);
    char tmp[1024];
    memcpy(tmp, s + b, e - b);
    tmp[e - b] = '\0';
    if (match_special(tmp, e - b, out))
        return 0;
    char *end;
    errno = 0;
    double v = f4 ? (double)strtof(tmp, &end) : strtod(tmp, &end);
    if (end == tmp || *end != '\0')
        return eng__bad_input(c, float_sqlname(f4), s, n);
    if (isinf(v) || (errno == ERANGE && v == 0.0)) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "\"%s\" is out of range for type %s", tmp, float_sqlname(f4));
        return -1;
    }
    *out = v;
    return 0;
}

static int float_in_common(eng_ctx *c, const char *s, size_t n, bool f4, eng_val *o)
{
    double v;
    if (eng__float_parse(c, s, n, f4, &v))
        return -1;
    o->null = false;
    o->f = v;
    return 0;
}

static int float4_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    return float_in_common(c, s, n, true, o);
}

static int float8_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    return float_in_common(c, s, n, false, o);
}

static bool roundtrips(const char *txt, double v, bool f4)
{
    if (f4)
        return strtof(txt, NULL) == (float)v;
    return strtod(txt, NULL) == v;
}

/* The shortest digits that read back as v: digits into d, decimal exponent
 * of the first digit into *exp; returns the digit count. */
static int shortest_digits(double v, bool f4, char *d, int *exp)
{
    char tmp[64];
    /* Binary search on the digit count: the nearest p+1-digit decimal is at
     * least as near as the nearest p-digit one (those are p+1-digit decimals
     * too), so once p digits round-trip every longer count does. */
    int lo = 1, hi = f4 ? 9 : 17; /* hi digits always round-trip */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(tmp, sizeof(tmp), "%.*e", mid - 1, v);
        if (roundtrips(tmp, v, f4))
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", lo - 1, v);
    /* tmp is [-]d[.ddd]e±XX */
    const char *q = tmp + (tmp[0] == '-');
    int nd = 0;
    for (; *q && *q != 'e'; q++)
        if (isdigit((unsigned char)*q))
            d[nd++] = *q;
    *exp = atoi(q + 1);
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    d[nd] = '\0';
    return nd;
}

void eng__float_shortest(double v, bool f4, char *out)
{
    char d[32];
    int exp;
    if (v == 0) {
        strcpy(out, signbit(v) ? "-0" : "0");
        return;
    }
    int nd = shortest_digits(v, f4, d, &exp);
    char *o = out;
    if (v < 0)
        *o++ = '-';
    if (exp >= -4 && exp < (f4 ? 6 : 15)) {
        if (exp < 0) {
            o += sprintf(o, "0.");
            for (int i = 0; i < -exp - 1; i++)
                *o++ = '0';
            o += sprintf(o, "%s", d);
        } else if (exp + 1 >= nd) {
            o += sprintf(o, "%s", d);
            for (int i = nd; i < exp + 1; i++)
                *o++ = '0';
        } else {
            o += sprintf(o, "%.*s.%s", exp + 1, d, d + exp + 1);
        }
        *o = '\0';
        return;
    }
    *o++ = d[0];
    if (nd > 1)
        o += sprintf(o, ".%s", d + 1);
    sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

char *eng__float_to_text(arena *a, double v, bool f4, int extra_float_digits)
{
    char buf[64];
    if (isnan(v))
        strcpy(buf, "NaN");
    else if (isinf(v))
        strcpy(buf, v > 0 ? "Infinity" : "-Infinity");
    else if (extra_float_digits > 0)
        eng__float_shortest(v, f4, buf);
    else {
        int ndig = (f4 ? 6 : 15) + extra_float_digits;
        snprintf(buf, sizeof(buf), "%.*g", ndig < 1 ? 1 : ndig, f4 ? (double)(float)v : v);
    }
    return arena_strdup(a, buf);
}

static char *float4_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *s = eng__float_to_text(c->mem, v->f, true, c->env ? c->env->extra_float_digits : 1);
    if (s)
        *len = strlen(s);
    return s;
}

static char *float8_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *s = eng__float_to_text(c->mem, v->f, false, c->env ? c->env->extra_float_digits : 1);
    if (s)
        *len = strlen(s);
    return s;
}

static uint8_t *float4_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    float f = (float)v->f;
    uint32_t u;
    memcpy(&u, &f, 4);
    return eng__send_be(c, u, 4, len);
}

static uint8_t *float8_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    uint64_t u;
    memcpy(&u, &v->f, 8);
    return eng__send_be(c, u, 8, len);
}

static int float4_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 4))
        return -1;
    uint32_t u = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    float f;
    memcpy(&f, &u, 4);
    o->null = false;
    o->f = f;
    return 0;
}

static int float8_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 8))
        return -1;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    o->null = false;
    memcpy(&o->f, &u, 8);
    return 0;
}

const eng_type eng__type_float4 = {OID_FLOAT4, "float4", "real", 4, 'N', false,
                                   float4_in, float4_out, float4_recv, float4_send, NULL};
const eng_type eng__type_float8 = {OID_FLOAT8, "float8", "double precision", 8, 'N', true,
                                   float8_in, float8_out, float8_recv, float8_send, NULL};

/* ---- arithmetic ------------------------------------------------------ */

/* Store r as float4 or float8, with float_overflow/underflow checks:
 * inf from finite inputs overflows, 0 from nonzero inputs underflows. */
static int float_result(eng_ctx *c, double r, bool f4, bool inf_ok, bool zero_ok, eng_val *o)
{
    if (f4)
        r = (float)r;
    if (isinf(r) && !inf_ok)
        return eng__float_overflow(c);
    if (r == 0.0 && !zero_ok)
        return float_underflow(c);
    o->null = false;
    o->f = r;
    return 0;
}

#define FLT_OPS(SUFFIX, F4)                                                                \
    static int fpl##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                \
    {                                                                                      \
        double x = a[0].f, y = a[1].f;                                                     \
        return float_result(c, x + y, F4, isinf(x) || isinf(y), true, o);                  \
    }                                                                                      \
    static int fmi##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                \
    {                                                                                      \
        double x = a[0].f, y = a[1].f;                                                     \
        return float_result(c, x - y, F4, isinf(x) || isinf(y), true, o);                  \
    }                                                                                      \
    static int fmul##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)               \
    {                                                                                      \
        double x = a[0].f, y = a[1].f;                                                     \
        return float_result(c, x * y, F4, isinf(x) || isinf(y), x == 0 || y == 0, o);     \
    }                                                                                      \
    static int fdiv##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)               \
    {                                                                                      \
        double x = a[0].f, y = a[1].f;                                                     \
        if (y == 0.0 && !isnan(x)) {                                                       \
            pgw_error_set(c->err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");          \
            return -1;                                                                     \
        }                                                                                  \
        return float_result(c, x / y, F4, isinf(x), x == 0 || isinf(y), o);                \
    }

FLT_OPS(4, true)
FLT_OPS(8, false)

/* float8_cmp_internal: NaN sorts above everything and equals itself. */
static int fcmp(double x, double y)
{
    if (isnan(x))
        return isnan(y) ? 0 : 1;
    if (isnan(y))
        return -1;
    return x < y ? -1 : x > y ? 1 : 0;
}

#define FCMP_FN(NAME, OP)                                             \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)  \
    {                                                                 \
        o->null = false;                                              \
        o->i = fcmp(a[0].f, a[1].f) OP 0;                             \
        return 0;                                                     \
    }

FCMP_FN(f_eq, ==)
FCMP_FN(f_ne, !=)
FCMP_FN(f_lt, <)
FCMP_FN(f_gt, >)
FCMP_FN(f_le, <=)
FCMP_FN(f_ge, >=)

static int f_um(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->f = -a[0].f;
    return 0;
}

static int f_up(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    *o = a[0];
    return 0;
}

static int f_abs(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->f = fabs(a[0].f);
    return 0;
}

/* dpow, with PostgreSQL's SQL-standard errors (2201F). */
static int f_pow(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    double x = a[0].f, y = a[1].f;
    if (x == 0.0 && y < 0.0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined");
        return -1;
    }
    if (x < 0.0 && floor(y) != y && !isinf(y) && !isnan(y)) {
        pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "a negative number raised to a non-integer power yields a complex result");
        return -1;
    }
    double r = pow(x, y);
    return float_result(c, r, false, isinf(x) || isinf(y), x == 0.0 || isinf(y), o);
}

static int f_round(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->f = rint(a[0].f);
    return 0;
}

static int f_floor(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->f = floor(a[0].f);
    return 0;
}

static int f_ceil(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->f = ceil(a[0].f);
    return 0;
}

static int f_sqrt(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].f < 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number");
        return -1;
    }
    o->null = false;
    o->f = sqrt(a[0].f);
    return 0;
}

static int f_random(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    /* 53 random bits → [0, 1), like pg_prng_double. */
    uint64_t r = ((uint64_t)random() << 31 ^ (uint64_t)random()) & ((1ULL << 53) - 1);
    o->f = (double)r / (double)(1ULL << 53);
    return 0;
}

/* ---- casts ----------------------------------------------------------- */

static int cast_int_float(eng_ctx *c, const eng_val *in, eng_val *o)
{
    o->null = false;
    o->f = (double)in->i;
    return 0;
}

static int cast_int_float4(eng_ctx *c, const eng_val *in, eng_val *o)
{
    o->null = false;
    o->f = (float)in->i;
    return 0;
}

static int float_to_int(eng_ctx *c, double v, uint32_t oid, eng_val *o)
{
    double r = rint(v);
    /* Compare against exact powers of two, as PostgreSQL's FLOAT8_FITS_IN_INT* macros. */
    double lim = oid == OID_INT2 ? 32768.0 : oid == OID_INT4 ? 2147483648.0 : 9223372036854775808.0;
    if (isnan(r) || !(r >= -lim && r < lim))
        return eng__int_range_err(c, oid);
    o->null = false;
    o->i = (int64_t)r;
    return 0;
}

static int cast_float_int2(eng_ctx *c, const eng_val *in, eng_val *o) { return float_to_int(c, in->f, OID_INT2, o); }
static int cast_float_int4(eng_ctx *c, const eng_val *in, eng_val *o) { return float_to_int(c, in->f, OID_INT4, o); }
static int cast_float_int8(eng_ctx *c, const eng_val *in, eng_val *o) { return float_to_int(c, in->f, OID_INT8, o); }

static int cast_f8_f4(eng_ctx *c, const eng_val *in, eng_val *o)
{
    return float_result(c, in->f, true, isinf(in->f), in->f == 0.0, o);
}

static int cast_same(eng_ctx *c, const eng_val *in, eng_val *o)
{
    *o = *in;
    return 0;
}

void eng__register_float(void)
{
    static const uint32_t fl[2] = {OID_FLOAT4, OID_FLOAT8};
    static const char *cmp_names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn cmp_fns[6] = {f_eq, f_ne, f_lt, f_gt, f_le, f_ge};
    for (int l = 0; l < 2; l++) {
        for (int r = 0; r < 2; r++) {
            bool f4 = l == 0 && r == 0;
            uint32_t res = f4 ? OID_FLOAT4 : OID_FLOAT8;
            eng__reg("+", true, res, ENG_F_STRICT, f4 ? fpl4 : fpl8, 2, fl[l], fl[r]);
            eng__reg("-", true, res, ENG_F_STRICT, f4 ? fmi4 : fmi8, 2, fl[l], fl[r]);
            eng__reg("*", true, res, ENG_F_STRICT, f4 ? fmul4 : fmul8, 2, fl[l], fl[r]);
            eng__reg("/", true, res, ENG_F_STRICT, f4 ? fdiv4 : fdiv8, 2, fl[l], fl[r]);
            for (int k = 0; k < 6; k++)
                eng__reg(cmp_names[k], true, OID_BOOL, ENG_F_STRICT, cmp_fns[k], 2, fl[l], fl[r]);
        }
        eng__reg("-", true, fl[l], ENG_F_STRICT, f_um, 1, fl[l]);
        eng__reg("+", true, fl[l], ENG_F_STRICT, f_up, 1, fl[l]);
        eng__reg("abs", false, fl[l], ENG_F_STRICT, f_abs, 1, fl[l]);
    }
    eng__reg("^", true, OID_FLOAT8, ENG_F_STRICT, f_pow, 2, OID_FLOAT8, OID_FLOAT8);
    eng__reg("power", false, OID_FLOAT8, ENG_F_STRICT, f_pow, 2, OID_FLOAT8, OID_FLOAT8);
    eng__reg("round", false, OID_FLOAT8, ENG_F_STRICT, f_round, 1, OID_FLOAT8);
    eng__reg("floor", false, OID_FLOAT8, ENG_F_STRICT, f_floor, 1, OID_FLOAT8);
    eng__reg("ceil", false, OID_FLOAT8, ENG_F_STRICT, f_ceil, 1, OID_FLOAT8);
    eng__reg("ceiling", false, OID_FLOAT8, ENG_F_STRICT, f_ceil, 1, OID_FLOAT8);
    eng__reg("sqrt", false, OID_FLOAT8, ENG_F_STRICT, f_sqrt, 1, OID_FLOAT8);
    eng__reg("random", false, OID_FLOAT8, ENG_F_VOLATILE, f_random, 0);
    uint32_t ints[3] = {OID_INT2, OID_INT4, OID_INT8};
    eng_cast_fn to_int[3] = {cast_float_int2, cast_float_int4, cast_float_int8};
    for (int i = 0; i < 3; i++) {
        eng__reg_cast(ints[i], OID_FLOAT8, ENG_CAST_IMPLICIT, cast_int_float);
        eng__reg_cast(ints[i], OID_FLOAT4, ENG_CAST_IMPLICIT, cast_int_float4);
        eng__reg_cast(OID_FLOAT8, ints[i], ENG_CAST_ASSIGN, to_int[i]);
        eng__reg_cast(OID_FLOAT4, ints[i], ENG_CAST_ASSIGN, to_int[i]);
    }
    eng__reg_cast(OID_FLOAT4, OID_FLOAT8, ENG_CAST_IMPLICIT, cast_same);
    eng__reg_cast(OID_FLOAT8, OID_FLOAT4, ENG_CAST_ASSIGN, cast_f8_f4);
}
