/*
 * vector: pgvector's vector type (see vector.h). Input, output, errors and
 * SQLSTATEs follow pgvector 0.8's src/vector.c; distances go through the
 * kernels of engine/index/dist.h (dist_sql), so SQL and the HNSW index
 * agree on every value.
 */
#include "engine/types/vector.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/index/dist.h"
#include "engine/types/float.h"

static int vec_dim(const eng_val *v)
{
    return (int)(v->s.n / sizeof(float));
}

/* The floats of v, aligned: stored rows may hand out unaligned bytes. */
static const float *vec_x(eng_ctx *c, const eng_val *v)
{
    if (((uintptr_t)v->s.p & (sizeof(float) - 1)) == 0)
        return (const float *)(const void *)v->s.p;
    float *x = arena_alloc(c->mem, v->s.n ? v->s.n : 1);
    if (x)
        memcpy(x, v->s.p, v->s.n);
    else
        eng__oom(c);
    return x;
}

static float *vec_new(eng_ctx *c, int dim, eng_val *out)
{
    float *x = arena_alloc(c->mem, (size_t)dim * sizeof(float));
    if (!x) {
        eng__oom(c);
        return NULL;
    }
    out->null = false;
    out->s.p = (const char *)x;
    out->s.n = (size_t)dim * sizeof(float);
    return x;
}

/* ---- checks (pgvector's CheckDim, CheckExpectedDim, CheckElement) ----- */

static int check_dim(eng_ctx *c, int dim)
{
    if (dim < 1) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "vector must have at least 1 dimension");
        return -1;
    }
    if (dim > VECTOR_MAX_DIM) {
        pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "vector cannot have more than %d dimensions",
                      VECTOR_MAX_DIM);
        return -1;
    }
    return 0;
}

static int check_expected_dim(eng_ctx *c, int32_t typmod, int dim)
{
    if (typmod != -1 && typmod != dim) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "expected %d dimensions, not %d", (int)typmod, dim);
        return -1;
    }
    return 0;
}

static int check_element(eng_ctx *c, float v)
{
    if (isnan(v)) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "NaN not allowed in vector");
        return -1;
    }
    if (isinf(v)) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "infinite value not allowed in vector");
        return -1;
    }
    return 0;
}

static int check_dims(eng_ctx *c, const eng_val *a, const eng_val *b)
{
    if (a->s.n != b->s.n) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "different vector dimensions %d and %d", vec_dim(a),
                      vec_dim(b));
        return -1;
    }
    return 0;
}

int eng__vector_typmod(const int32_t *mods, int nmods, int32_t *out, pgw_error *err)
{
    if (nmods != 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
        return -1;
    }
    if (mods[0] < 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "dimensions for type vector must be at least 1");
        return -1;
    }
    if (mods[0] > VECTOR_MAX_DIM) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "dimensions for type vector cannot exceed %d",
                      VECTOR_MAX_DIM);
        return -1;
    }
    *out = mods[0];
    return 0;
}

/* ---- I/O ------------------------------------------------------------- */

static bool vec_isspace(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static int bad_vector(eng_ctx *c, const char *lit, const char *detail)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type vector: \"%s\"", lit);
    if (detail)
        pgw_error_detail(c->err, "%s", detail);
    return -1;
}

/* vector_in: '[' elements separated by ',' ']', whitespace anywhere
 * between tokens, each element read with strtof like float4in. */
static int vector_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    char *lit = arena_strndup(c->mem, s, n);
    if (!lit)
        return eng__oom(c);
    const char *pt = lit;
    while (vec_isspace(*pt))
        pt++;
    if (*pt != '[')
        return bad_vector(c, lit, "Vector contents must start with \"[\".");
    pt++;
    while (vec_isspace(*pt))
        pt++;
    if (*pt == ']') {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "vector must have at least 1 dimension");
        return -1;
    }
    /* Elements are separated by commas, so there are at most commas + 1. */
    size_t cap = 1;
    for (const char *q = pt; *q; q++)
        cap += *q == ',';
    if (cap > VECTOR_MAX_DIM + 1)
        cap = VECTOR_MAX_DIM + 1;
    float *x = arena_alloc(c->mem, cap * sizeof(float));
    if (!x)
        return eng__oom(c);
    int dim = 0;
    for (;;) {
        if (dim == VECTOR_MAX_DIM) {
            pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "vector cannot have more than %d dimensions",
                          VECTOR_MAX_DIM);
            return -1;
        }
        while (vec_isspace(*pt))
            pt++;
        if (*pt == '\0')
            return bad_vector(c, lit, NULL);
        char *end;
        errno = 0;
        float v = strtof(pt, &end);
        if (end == pt)
            return bad_vector(c, lit, NULL);
        if (errno == ERANGE && isinf(v)) {
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "\"%.*s\" is out of range for type vector",
                          (int)(end - pt), pt);
            return -1;
        }
        if (check_element(c, v))
            return -1;
        x[dim++] = v;
        pt = end;
        while (vec_isspace(*pt))
            pt++;
        if (*pt == ',') {
            pt++;
        } else if (*pt == ']') {
            pt++;
            break;
        } else {
            return bad_vector(c, lit, NULL);
        }
    }
    while (vec_isspace(*pt))
        pt++;
    if (*pt != '\0')
        return bad_vector(c, lit, "Junk after closing right brace.");
    if (check_dim(c, dim) || check_expected_dim(c, typmod, dim))
        return -1;
    out->null = false;
    out->s.p = (const char *)x;
    out->s.n = (size_t)dim * sizeof(float);
    return 0;
}

/* vector_out: shortest round-trip float4 text per element, whatever
 * extra_float_digits says (pgvector uses float_to_shortest_decimal_bufn). */
static char *vector_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    int dim = vec_dim(v);
    /* Each element takes at most 15 bytes ("-1.23456789e-38"), plus ','. */
    char *buf = arena_alloc(c->mem, (size_t)dim * 16 + 3);
    if (!buf) {
        eng__oom(c);
        return NULL;
    }
    char *o = buf;
    *o++ = '[';
    for (int i = 0; i < dim; i++) {
        float f;
        memcpy(&f, v->s.p + (size_t)i * sizeof(float), sizeof(f));
        char tmp[32];
        eng__float_shortest(f, true, tmp);
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

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* vector_recv: int16 dim, int16 unused (0), dim x float4, big-endian. */
static int vector_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    if (n < 4)
        return eng__recv_len(c, n, 4);
    int dim = (int16_t)(((uint16_t)p[0] << 8) | p[1]);
    int unused = (int16_t)(((uint16_t)p[2] << 8) | p[3]);
    if (check_dim(c, dim) || check_expected_dim(c, typmod, dim))
        return -1;
    if (unused != 0) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "expected unused to be 0, not %d", unused);
        return -1;
    }
    if (eng__recv_len(c, n, 4 + (size_t)dim * 4))
        return -1;
    float *x = vec_new(c, dim, out);
    if (!x)
        return -1;
    for (int i = 0; i < dim; i++) {
        uint32_t u = get_be32(p + 4 + (size_t)i * 4);
        memcpy(&x[i], &u, sizeof(float));
        if (check_element(c, x[i]))
            return -1;
    }
    return 0;
}

static uint8_t *vector_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    int dim = vec_dim(v);
    size_t n = 4 + (size_t)dim * 4;
    uint8_t *p = arena_alloc(c->mem, n);
    if (!p) {
        eng__oom(c);
        return NULL;
    }
    p[0] = (uint8_t)(dim >> 8);
    p[1] = (uint8_t)dim;
    p[2] = p[3] = 0;
    for (int i = 0; i < dim; i++) {
        uint32_t u;
        memcpy(&u, v->s.p + (size_t)i * 4, 4);
        uint8_t *q = p + 4 + (size_t)i * 4;
        q[0] = (uint8_t)(u >> 24);
        q[1] = (uint8_t)(u >> 16);
        q[2] = (uint8_t)(u >> 8);
        q[3] = (uint8_t)u;
    }
    *len = n;
    return p;
}

/* The vector(vector, typmod) length-coercion function. */
static int vector_apply_typmod(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast)
{
    (void)explicit_cast;
    return check_expected_dim(c, typmod, vec_dim(v));
}

const eng_type eng__type_vector = {OID_VECTOR, "vector", "vector", -1, 'U', false,
                                   vector_in, vector_out, vector_recv, vector_send, vector_apply_typmod};

/* ---- distances --------------------------------------------------------- */

static int distance(eng_ctx *c, const eng_val *a, dist_metric m, bool negate, eng_val *out)
{
    if (check_dims(c, &a[0], &a[1]))
        return -1;
    const float *x = vec_x(c, &a[0]), *y = vec_x(c, &a[1]);
    if (!x || !y)
        return -1;
    double d = dist_sql(m, x, y, (size_t)vec_dim(&a[0]));
    out->null = false;
    out->f = negate ? -d : d;
    return 0;
}

static int f_l2(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return distance(c, a, DIST_L2, false, o); }
static int f_negip(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return distance(c, a, DIST_IP, false, o); }
static int f_ip(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return distance(c, a, DIST_IP, true, o); }
static int f_cos(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return distance(c, a, DIST_COSINE, false, o); }
static int f_l1(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return distance(c, a, DIST_L1, false, o); }

static int f_dims(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = vec_dim(&a[0]);
    return 0;
}

/* Sum of squares in double, as pgvector's vector_norm and l2_normalize. */
static double norm_d(const eng_val *v)
{
    double s = 0;
    for (int i = 0; i < vec_dim(v); i++) {
        float f;
        memcpy(&f, v->s.p + (size_t)i * 4, 4);
        s += (double)f * (double)f;
    }
    return sqrt(s);
}

static int f_norm(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->f = norm_d(&a[0]);
    return 0;
}

static int f_normalize(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    int dim = vec_dim(&a[0]);
    double norm = norm_d(&a[0]);
    float *r = vec_new(c, dim, o);
    if (!r)
        return -1;
    memcpy(r, a[0].s.p, a[0].s.n);
    if (norm > 0) {
        for (int i = 0; i < dim; i++) {
            r[i] = (float)(r[i] / norm);
            if (isinf(r[i]))
                return eng__float_overflow(c);
        }
    }
    return 0;
}

/* subvector(v, start, count): count elements from the 1-based start, clipped to v as
 * substring clips (pgvector's subvector); nothing left is 22000. */
static int f_subvector(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    int64_t dim = vec_dim(&a[0]), start = a[1].i, count = a[2].i;
    int64_t end = start + count; /* int4 arguments: no int64 overflow */
    if (start < 1)
        start = 1;
    else if (start > dim)
        end = start;
    if (end > dim + 1)
        end = dim + 1;
    if (check_dim(c, (int)(end > start ? end - start : 0)))
        return -1;
    float *r = vec_new(c, (int)(end - start), o);
    if (!r)
        return -1;
    memcpy(r, a[0].s.p + (size_t)(start - 1) * sizeof(float), (size_t)(end - start) * sizeof(float));
    return 0;
}

/* ---- element-wise arithmetic (vector_add / vector_sub / vector_mul) --- */

enum { V_ADD, V_SUB, V_MUL };

static int elementwise(eng_ctx *c, const eng_val *a, int op, eng_val *o)
{
    if (check_dims(c, &a[0], &a[1]))
        return -1;
    int dim = vec_dim(&a[0]);
    const float *x = vec_x(c, &a[0]), *y = vec_x(c, &a[1]);
    float *r = x && y ? vec_new(c, dim, o) : NULL;
    if (!r)
        return -1;
    for (int i = 0; i < dim; i++) {
        r[i] = op == V_ADD ? x[i] + y[i] : op == V_SUB ? x[i] - y[i] : x[i] * y[i];
        if (isinf(r[i]))
            return eng__float_overflow(c);
        if (op == V_MUL && r[i] == 0 && !(x[i] == 0 || y[i] == 0)) {
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
            return -1;
        }
    }
    return 0;
}

static int f_add(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return elementwise(c, a, V_ADD, o); }
static int f_sub(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return elementwise(c, a, V_SUB, o); }
static int f_mul(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return elementwise(c, a, V_MUL, o); }

/* ---- comparison (vector_cmp_internal: elements, then dimensions) ------ */

static int vec_cmp(const eng_val *a, const eng_val *b)
{
    int da = vec_dim(a), db = vec_dim(b), d = da < db ? da : db;
    for (int i = 0; i < d; i++) {
        float x, y;
        memcpy(&x, a->s.p + (size_t)i * 4, 4);
        memcpy(&y, b->s.p + (size_t)i * 4, 4);
        if (x < y)
            return -1;
        if (x > y)
            return 1;
    }
    return da < db ? -1 : da > db ? 1 : 0;
}

#define VCMP_FN(NAME, OP)                                             \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)  \
    {                                                                 \
        o->null = false;                                              \
        o->i = vec_cmp(&a[0], &a[1]) OP 0;                            \
        return 0;                                                     \
    }

VCMP_FN(v_eq, ==)
VCMP_FN(v_ne, !=)
VCMP_FN(v_lt, <)
VCMP_FN(v_gt, >)
VCMP_FN(v_le, <=)
VCMP_FN(v_ge, >=)

void eng__register_vector(void)
{
    const uint32_t V = OID_VECTOR;
    eng__reg("<->", true, OID_FLOAT8, ENG_F_STRICT, f_l2, 2, V, V);
    eng__reg("<#>", true, OID_FLOAT8, ENG_F_STRICT, f_negip, 2, V, V);
    eng__reg("<=>", true, OID_FLOAT8, ENG_F_STRICT, f_cos, 2, V, V);
    eng__reg("<+>", true, OID_FLOAT8, ENG_F_STRICT, f_l1, 2, V, V);
    eng__reg("l2_distance", false, OID_FLOAT8, ENG_F_STRICT, f_l2, 2, V, V);
    eng__reg("inner_product", false, OID_FLOAT8, ENG_F_STRICT, f_ip, 2, V, V);
    eng__reg("vector_negative_inner_product", false, OID_FLOAT8, ENG_F_STRICT, f_negip, 2, V, V);
    eng__reg("cosine_distance", false, OID_FLOAT8, ENG_F_STRICT, f_cos, 2, V, V);
    eng__reg("l1_distance", false, OID_FLOAT8, ENG_F_STRICT, f_l1, 2, V, V);
    eng__reg("vector_dims", false, OID_INT4, ENG_F_STRICT, f_dims, 1, V);
    eng__reg("vector_norm", false, OID_FLOAT8, ENG_F_STRICT, f_norm, 1, V);
    eng__reg("l2_normalize", false, V, ENG_F_STRICT, f_normalize, 1, V);
    eng__reg("subvector", false, V, ENG_F_STRICT, f_subvector, 3, V, OID_INT4, OID_INT4);
    eng__reg("+", true, V, ENG_F_STRICT, f_add, 2, V, V);
    eng__reg("-", true, V, ENG_F_STRICT, f_sub, 2, V, V);
    eng__reg("*", true, V, ENG_F_STRICT, f_mul, 2, V, V);
    static const char *cmp_names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn cmp_fns[6] = {v_eq, v_ne, v_lt, v_gt, v_le, v_ge};
    for (int k = 0; k < 6; k++)
        eng__reg(cmp_names[k], true, OID_BOOL, ENG_F_STRICT, cmp_fns[k], 2, V, V);
}
