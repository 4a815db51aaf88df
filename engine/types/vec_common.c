/*
 * vec_common: the shared body of pgvector's vector and halfvec (see
 * vec_common.h). Input, output, errors and SQLSTATEs follow pgvector 0.8's
 * src/vector.c and src/halfvec.c; distances go through the float kernels of
 * engine/index/dist.h (dist_sql) on the elements widened to float, as
 * pgvector computes halfvec distances in float, so SQL and the HNSW index
 * agree on every value.
 */
#include "engine/types/vec_common.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/array.h"
#include "engine/types/bit.h"
#include "engine/types/float.h"
#include "engine/types/numeric.h"

int eng__veck_dim(const eng_veckind *k, const eng_val *v)
{
    return (int)(v->s.n / k->esize);
}

char *eng__veck_new(eng_ctx *c, const eng_veckind *k, int dim, eng_val *out)
{
    char *x = arena_alloc(c->mem, (size_t)(dim ? dim : 1) * k->esize);
    if (!x) {
        eng__oom(c);
        return NULL;
    }
    out->null = false;
    out->s.p = x;
    out->s.n = (size_t)dim * k->esize;
    return x;
}

const float *eng__veck_floats(eng_ctx *c, const eng_veckind *k, const eng_val *v)
{
    if (k->esize == sizeof(float) && ((uintptr_t)v->s.p & (sizeof(float) - 1)) == 0)
        return (const float *)(const void *)v->s.p;
    int dim = eng__veck_dim(k, v);
    float *x = arena_alloc(c->mem, (size_t)(dim ? dim : 1) * sizeof(float));
    if (!x) {
        eng__oom(c);
        return NULL;
    }
    for (int i = 0; i < dim; i++)
        x[i] = k->get(v->s.p + (size_t)i * k->esize);
    return x;
}

/* ---- checks (pgvector's CheckDim, CheckExpectedDim, CheckElement) ----- */

static int check_dim(eng_ctx *c, const eng_veckind *k, int dim)
{
    if (dim < 1) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "%s must have at least 1 dimension", k->tname);
        return -1;
    }
    if (dim > ENG_VEC_MAX_DIM) {
        pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "%s cannot have more than %d dimensions", k->tname,
                      ENG_VEC_MAX_DIM);
        return -1;
    }
    return 0;
}

int eng__veck_check_expected(eng_ctx *c, int32_t typmod, int dim)
{
    if (typmod != -1 && typmod != dim) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "expected %d dimensions, not %d", (int)typmod, dim);
        return -1;
    }
    return 0;
}

static int check_dims(eng_ctx *c, const eng_veckind *k, const eng_val *a, const eng_val *b)
{
    if (a->s.n != b->s.n) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "different %s dimensions %d and %d", k->tname,
                      eng__veck_dim(k, a), eng__veck_dim(k, b));
        return -1;
    }
    return 0;
}

int eng__veck_typmod(const eng_veckind *k, const int32_t *mods, int nmods, int32_t *out, pgw_error *err)
{
    if (nmods != 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
        return -1;
    }
    if (mods[0] < 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "dimensions for type %s must be at least 1", k->tname);
        return -1;
    }
    if (mods[0] > ENG_VEC_MAX_DIM) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "dimensions for type %s cannot exceed %d", k->tname,
                      ENG_VEC_MAX_DIM);
        return -1;
    }
    *out = mods[0];
    return 0;
}

int eng__veck_put(eng_ctx *c, const eng_veckind *k, char *x, int i, float v, const char *tok, size_t toklen)
{
    float r = k->round(v);
    if (isinf(r) && !isinf(v)) {
        char tmp[32];
        if (!tok) {
            eng__float_shortest(v, true, tmp);
            tok = tmp;
            toklen = strlen(tmp);
        }
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "\"%.*s\" is out of range for type %s",
                      (int)toklen, tok, k->tname);
        return -1;
    }
    if (isnan(r)) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "NaN not allowed in %s", k->tname);
        return -1;
    }
    if (isinf(r)) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "infinite value not allowed in %s", k->tname);
        return -1;
    }
    k->set(x + (size_t)i * k->esize, r);
    return 0;
}

/* ---- I/O ------------------------------------------------------------- */

static bool vec_isspace(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static int bad_text(eng_ctx *c, const eng_veckind *k, const char *lit, const char *detail)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type %s: \"%s\"", k->tname,
                  lit);
    if (detail)
        pgw_error_detail(c->err, "%s", detail);
    return -1;
}

static int too_many(eng_ctx *c, const eng_veckind *k)
{
    pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "%s cannot have more than %d dimensions", k->tname,
                  ENG_VEC_MAX_DIM);
    return -1;
}

/* One element at *pt with strtof (as float4in), stored as x[dim]; advances *pt. */
static int parse_elem(eng_ctx *c, const eng_veckind *k, const char *lit, const char **pt, char *x, int dim)
{
    char *end;
    errno = 0;
    float v = strtof(*pt, &end);
    if (end == *pt)
        return bad_text(c, k, lit, NULL);
    if (errno == ERANGE && isinf(v)) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "\"%.*s\" is out of range for type %s",
                      (int)(end - *pt), *pt, k->tname);
        return -1;
    }
    if (eng__veck_put(c, k, x, dim, v, *pt, (size_t)(end - *pt)))
        return -1;
    *pt = end;
    return 0;
}

/* vector_in / halfvec_in: '[' elements separated by ',' ']', whitespace
 * anywhere between tokens. */
int eng__veck_in(eng_ctx *c, const eng_veckind *k, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    char *lit = arena_strndup(c->mem, s, n);
    if (!lit)
        return eng__oom(c);
    const char *pt = lit;
    while (vec_isspace(*pt))
        pt++;
    if (*pt != '[')
        return bad_text(c, k, lit, "Vector contents must start with \"[\".");
    pt++;
    while (vec_isspace(*pt))
        pt++;
    if (*pt == ']')
        return check_dim(c, k, 0);
    /* Elements are separated by commas, so there are at most commas + 1. */
    size_t cap = 1;
    for (const char *q = pt; *q; q++)
        cap += *q == ',';
    if (cap > ENG_VEC_MAX_DIM + 1)
        cap = ENG_VEC_MAX_DIM + 1;
    char *x = arena_alloc(c->mem, cap * k->esize);
    if (!x)
        return eng__oom(c);
    int dim = 0;
    for (;;) {
        if (dim == ENG_VEC_MAX_DIM)
            return too_many(c, k);
        while (vec_isspace(*pt))
            pt++;
        if (*pt == '\0')
            return bad_text(c, k, lit, NULL);
        if (parse_elem(c, k, lit, &pt, x, dim))
            return -1;
        dim++;
        while (vec_isspace(*pt))
            pt++;
        if (*pt == ',') {
            pt++;
        } else if (*pt == ']') {
            pt++;
            break;
        } else {
            return bad_text(c, k, lit, NULL);
        }
    }
    while (vec_isspace(*pt))
        pt++;
    if (*pt != '\0')
        return bad_text(c, k, lit, "Junk after closing right brace.");
    if (check_dim(c, k, dim) || eng__veck_check_expected(c, typmod, dim))
        return -1;
    out->null = false;
    out->s.p = x;
    out->s.n = (size_t)dim * k->esize;
    return 0;
}

/* vector_out / halfvec_out: shortest round-trip float4 text per element,
 * whatever extra_float_digits says (pgvector uses float_to_shortest_decimal_bufn). */
char *eng__veck_out(eng_ctx *c, const eng_veckind *k, const eng_val *v, size_t *len)
{
    int dim = eng__veck_dim(k, v);
    /* Each element takes at most 15 bytes ("-1.23456789e-38"), plus ','. */
    char *buf = arena_alloc(c->mem, (size_t)dim * 16 + 3);
    if (!buf) {
        eng__oom(c);
        return NULL;
    }
    char *o = buf;
    *o++ = '[';
    for (int i = 0; i < dim; i++) {
        char tmp[32];
        eng__float_shortest(k->get(v->s.p + (size_t)i * k->esize), true, tmp);
        if (i)
            *o++ = ',';
        size_t l = strlen(tmp);
        memcpy(o, tmp, l);
        o += l;
    }
    *o++ = ']';
    *o = '\0';
    *len = (size_t)(o - buf);
    return buf;
}

/* recv: int16 dim, int16 unused (0), dim elements of esize bytes, big-endian. */
int eng__veck_recv(eng_ctx *c, const eng_veckind *k, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    if (n < 4)
        return eng__recv_len(c, n, 4);
    int dim = (int16_t)(((uint16_t)p[0] << 8) | p[1]);
    int unused = (int16_t)(((uint16_t)p[2] << 8) | p[3]);
    if (check_dim(c, k, dim) || eng__veck_check_expected(c, typmod, dim))
        return -1;
    if (unused != 0) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "expected unused to be 0, not %d", unused);
        return -1;
    }
    if (eng__recv_len(c, n, 4 + (size_t)dim * k->esize))
        return -1;
    char *x = eng__veck_new(c, k, dim, out);
    if (!x)
        return -1;
    for (int i = 0; i < dim; i++) {
        char host[4];
        for (size_t b = 0; b < k->esize; b++) /* big-endian to little-endian host order */
            host[b] = (char)p[4 + (size_t)i * k->esize + k->esize - 1 - b];
        if (eng__veck_put(c, k, x, i, k->get(host), NULL, 0))
            return -1;
    }
    return 0;
}

uint8_t *eng__veck_send(eng_ctx *c, const eng_veckind *k, const eng_val *v, size_t *len)
{
    int dim = eng__veck_dim(k, v);
    size_t n = 4 + (size_t)dim * k->esize;
    uint8_t *p = arena_alloc(c->mem, n);
    if (!p) {
        eng__oom(c);
        return NULL;
    }
    p[0] = (uint8_t)(dim >> 8);
    p[1] = (uint8_t)dim;
    p[2] = p[3] = 0;
    for (int i = 0; i < dim; i++)
        for (size_t b = 0; b < k->esize; b++)
            p[4 + (size_t)i * k->esize + b] = (uint8_t)v->s.p[(size_t)i * k->esize + k->esize - 1 - b];
    *len = n;
    return p;
}

int eng__veck_convert(eng_ctx *c, const eng_veckind *from, const eng_veckind *to, const eng_val *in, eng_val *out)
{
    int dim = eng__veck_dim(from, in);
    char *x = eng__veck_new(c, to, dim, out);
    if (!x)
        return -1;
    for (int i = 0; i < dim; i++)
        if (eng__veck_put(c, to, x, i, from->get(in->s.p + (size_t)i * from->esize), NULL, 0))
            return -1;
    return 0;
}

/* ---- distances and functions ------------------------------------------- */

int eng__veck_distance(eng_ctx *c, const eng_veckind *k, const eng_val *a, dist_metric m, bool negate, eng_val *o)
{
    if (check_dims(c, k, &a[0], &a[1]))
        return -1;
    const float *x = eng__veck_floats(c, k, &a[0]), *y = x ? eng__veck_floats(c, k, &a[1]) : NULL;
    if (!y)
        return -1;
    double d = dist_sql(m, x, y, (size_t)eng__veck_dim(k, &a[0]));
    o->null = false;
    o->f = negate ? -d : d;
    return 0;
}

int eng__veck_dims(eng_ctx *c, const eng_veckind *k, const eng_val *a, eng_val *o)
{
    (void)c;
    o->null = false;
    o->i = eng__veck_dim(k, &a[0]);
    return 0;
}

/* Sum of squares in double, as pgvector's vector_norm, l2_norm and l2_normalize. */
static double norm_d(const eng_veckind *k, const eng_val *v)
{
    double s = 0;
    for (int i = 0; i < eng__veck_dim(k, v); i++) {
        double f = k->get(v->s.p + (size_t)i * k->esize);
        s += f * f;
    }
    return sqrt(s);
}

int eng__veck_norm(eng_ctx *c, const eng_veckind *k, const eng_val *a, eng_val *o)
{
    (void)c;
    o->null = false;
    o->f = norm_d(k, &a[0]);
    return 0;
}

int eng__veck_normalize(eng_ctx *c, const eng_veckind *k, const eng_val *a, eng_val *o)
{
    int dim = eng__veck_dim(k, &a[0]);
    double norm = norm_d(k, &a[0]);
    char *r = eng__veck_new(c, k, dim, o);
    if (!r)
        return -1;
    memcpy(r, a[0].s.p, a[0].s.n);
    if (norm > 0) {
        for (int i = 0; i < dim; i++) {
            float v = k->round((float)(k->get(r + (size_t)i * k->esize) / norm));
            if (isinf(v))
                return eng__float_overflow(c);
            k->set(r + (size_t)i * k->esize, v);
        }
    }
    return 0;
}

/* subvector(v, start, count): count elements from the 1-based start, clipped to v as
 * substring clips (pgvector's subvector); nothing left is 22000. */
int eng__veck_subvector(eng_ctx *c, const eng_veckind *k, const eng_val *a, eng_val *o)
{
    int64_t dim = eng__veck_dim(k, &a[0]), start = a[1].i, count = a[2].i;
    int64_t end = start + count; /* int4 arguments: no int64 overflow */
    if (start < 1)
        start = 1;
    else if (start > dim)
        end = start;
    if (end > dim + 1)
        end = dim + 1;
    if (check_dim(c, k, (int)(end > start ? end - start : 0)))
        return -1;
    char *r = eng__veck_new(c, k, (int)(end - start), o);
    if (!r)
        return -1;
    memcpy(r, a[0].s.p + (size_t)(start - 1) * k->esize, (size_t)(end - start) * k->esize);
    return 0;
}

/* binary_quantize: bit i is set when element i is positive (pgvector's binary_quantize). */
int eng__veck_quantize(eng_ctx *c, const eng_veckind *k, const eng_val *a, eng_val *o)
{
    int dim = eng__veck_dim(k, &a[0]);
    uint8_t *bits = eng__bit_new(c, dim, o);
    if (!bits)
        return -1;
    for (int i = 0; i < dim; i++)
        if (k->get(a[0].s.p + (size_t)i * k->esize) > 0)
            bits[i / 8] |= (uint8_t)(0x80 >> (i % 8));
    return 0;
}

/* vector_add / vector_sub / vector_mul (and halfvec's): computed in float, rounded to the
 * element type, then overflow (and for *, underflow to zero) checked as pgvector does. */
int eng__veck_arith(eng_ctx *c, const eng_veckind *k, const eng_val *a, int op, eng_val *o)
{
    if (check_dims(c, k, &a[0], &a[1]))
        return -1;
    int dim = eng__veck_dim(k, &a[0]);
    char *r = eng__veck_new(c, k, dim, o);
    if (!r)
        return -1;
    for (int i = 0; i < dim; i++) {
        float x = k->get(a[0].s.p + (size_t)i * k->esize), y = k->get(a[1].s.p + (size_t)i * k->esize);
        float v = k->round(op == 0 ? x + y : op == 1 ? x - y : x * y);
        if (isinf(v))
            return eng__float_overflow(c);
        if (op == 2 && v == 0 && !(x == 0 || y == 0)) {
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
            return -1;
        }
        k->set(r + (size_t)i * k->esize, v);
    }
    return 0;
}

/* vector_cmp_internal: elements, then dimensions. op: = <> < > <= >=. */
int eng__veck_cmp(eng_ctx *c, const eng_veckind *k, const eng_val *a, int op, eng_val *o)
{
    (void)c;
    int da = eng__veck_dim(k, &a[0]), db = eng__veck_dim(k, &a[1]), d = da < db ? da : db, r = 0;
    for (int i = 0; i < d && !r; i++) {
        float x = k->get(a[0].s.p + (size_t)i * k->esize), y = k->get(a[1].s.p + (size_t)i * k->esize);
        r = x < y ? -1 : x > y ? 1 : 0;
    }
    if (!r)
        r = da < db ? -1 : da > db ? 1 : 0;
    static const int want[6][3] = {{0, 1, 0}, {1, 0, 1}, {1, 0, 0}, {0, 0, 1}, {1, 1, 0}, {0, 1, 1}};
    o->null = false;
    o->i = want[op][r + 1];
    return 0;
}

/* ---- casts to and from arrays (pgvector's array_to_vector, vector_to_float4) ---- */

/* One array element as float4, by the array's element type. */
static float elem_float(uint32_t elem, const eng_val *v)
{
    switch (elem) {
    case OID_INT4:
        return (float)v->i;
    case OID_NUMERIC:
        return (float)eng__num_to_double(v->num);
    default: /* float4, float8 */
        return (float)v->f;
    }
}

int eng__veck_from_array(eng_ctx *c, const eng_veckind *k, uint32_t elem, const eng_val *in, eng_val *out)
{
    eng_array a;
    if (eng_array_unpack(c, eng_array_of(elem), in, &a) || check_dim(c, k, a.n))
        return -1;
    char *x = eng__veck_new(c, k, a.n, out);
    if (!x)
        return -1;
    for (int i = 0; i < a.n; i++) {
        if (a.v[i].null) {
            pgw_error_set(c->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "array must not contain nulls");
            return -1;
        }
        if (eng__veck_put(c, k, x, i, elem_float(elem, &a.v[i]), NULL, 0))
            return -1;
    }
    return 0;
}

int eng__veck_to_float4s(eng_ctx *c, const eng_veckind *k, const eng_val *in, eng_val *out)
{
    int dim = eng__veck_dim(k, in);
    eng_val *e = arena_calloc(c->mem, (size_t)dim + 1, sizeof(eng_val));
    if (!e)
        return eng__oom(c);
    for (int i = 0; i < dim; i++)
        e[i].f = k->get(in->s.p + (size_t)i * k->esize);
    return eng_array_pack(c, eng_array_of(OID_FLOAT4), e, dim, out);
}

void eng__veck_register(const eng_veckind *k, const char *norm_name, const eng_veck_fns *f)
{
    const uint32_t V = k->oid;
    static const char *const ops[DIST_METRIC_COUNT] = {"<->", "<#>", "<=>", "<+>"};
    static const char *const names[DIST_METRIC_COUNT] = {"l2_distance", NULL, "cosine_distance", "l1_distance"};
    for (int m = 0; m < DIST_METRIC_COUNT; m++) {
        eng__reg(ops[m], true, OID_FLOAT8, ENG_F_STRICT, f->dist[m], 2, V, V);
        eng__reg(names[m] ? names[m] : "vector_negative_inner_product", false, OID_FLOAT8, ENG_F_STRICT, f->dist[m],
                 2, V, V);
    }
    eng__reg("inner_product", false, OID_FLOAT8, ENG_F_STRICT, f->ip, 2, V, V);
    eng__reg("vector_dims", false, OID_INT4, ENG_F_STRICT, f->dims, 1, V);
    eng__reg(norm_name, false, OID_FLOAT8, ENG_F_STRICT, f->norm, 1, V);
    eng__reg("l2_normalize", false, V, ENG_F_STRICT, f->normalize, 1, V);
    eng__reg("subvector", false, V, ENG_F_STRICT, f->subvector, 3, V, OID_INT4, OID_INT4);
    eng__reg("binary_quantize", false, OID_BIT, ENG_F_STRICT, f->quantize, 1, V);
    static const uint32_t elems[4] = {OID_INT4, OID_FLOAT4, OID_FLOAT8, OID_NUMERIC};
    for (int i = 0; i < 4; i++)
        eng__reg_cast(eng_array_of(elems[i]), V, ENG_CAST_ASSIGN, f->from_arr[i]);
    eng__reg_cast(V, eng_array_of(OID_FLOAT4), ENG_CAST_IMPLICIT, f->to_float4s);
    static const char *const arith[3] = {"+", "-", "*"};
    for (int i = 0; i < 3; i++)
        eng__reg(arith[i], true, V, ENG_F_STRICT, f->arith[i], 2, V, V);
    static const char *const cmp[6] = {"=", "<>", "<", ">", "<=", ">="};
    for (int i = 0; i < 6; i++)
        eng__reg(cmp[i], true, OID_BOOL, ENG_F_STRICT, f->cmp[i], 2, V, V);
}
