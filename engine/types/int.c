/*
 * int: bool, int2, int4, int8 and oid — I/O and arithmetic with
 * PostgreSQL's overflow and division rules (int.c, int8.c, bool.c).
 *
 * Every integer lives in eng_val.i as int64. Cross-width operators
 * (int4 + int8) compute in 64 bits and check the result type's range, which
 * is exactly what PostgreSQL's int48pl and friends do.
 */
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/int.h"

static const char *int_sqlname(uint32_t oid)
{
    return oid == OID_INT2 ? "smallint" : oid == OID_INT4 ? "integer" : "bigint";
}

int eng__int_range_err(eng_ctx *c, uint32_t oid)
{
    pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", int_sqlname(oid));
    return -1;
}

bool eng__int_fits(int64_t v, uint32_t oid)
{
    if (oid == OID_INT2)
        return v >= INT16_MIN && v <= INT16_MAX;
    if (oid == OID_INT4)
        return v >= INT32_MIN && v <= INT32_MAX;
    return true;
}

/* pg_strtoint16/32/64: whitespace, sign, decimal digits, whitespace. */
int eng__int_parse(eng_ctx *c, const char *s, size_t n, uint32_t oid, int64_t *out)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    size_t start = i;
    uint64_t acc = 0;
    bool overflow = false;
    while (i < n && isdigit((unsigned char)s[i])) {
        uint64_t d = (uint64_t)(s[i++] - '0');
        if (acc > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            acc = acc * 10 + d;
    }
    size_t end = i;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (end == start || i != n)
        return eng__bad_input(c, int_sqlname(oid), s, n);
    if (!overflow && acc > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        overflow = true;
    int64_t v = overflow ? 0 : (neg ? (int64_t)(0 - acc) : (int64_t)acc);
    if (overflow || !eng__int_fits(v, oid)) {
        size_t len;
        char *txt = eng__strval(c, s, n, &len);
        if (!txt)
            return eng__oom(c);
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value \"%s\" is out of range for type %s", txt, int_sqlname(oid));
        return -1;
    }
    *out = v;
    return 0;
}

static int int2_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    o->null = false;
    return eng__int_parse(c, s, n, OID_INT2, &o->i);
}

static int int4_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    o->null = false;
    return eng__int_parse(c, s, n, OID_INT4, &o->i);
}

static int int8_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    o->null = false;
    return eng__int_parse(c, s, n, OID_INT8, &o->i);
}

/* oidin: strtoul semantics, so "-1" wraps to 4294967295 as in PostgreSQL. */
static int oid_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    int64_t v;
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i == n)
        return eng__bad_input(c, "oid", s, n);
    if (eng__int_parse(c, s, n, OID_INT8, &v) != 0 || v < -(int64_t)UINT32_MAX || v > UINT32_MAX) {
        if (strcmp(c->err->sqlstate, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE) == 0 ||
            (v < -(int64_t)UINT32_MAX || v > UINT32_MAX)) {
            size_t len;
            char *txt = eng__strval(c, s, n, &len);
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value \"%s\" is out of range for type oid", txt ? txt : "");
            return -1;
        }
        return eng__bad_input(c, "oid", s, n);
    }
    o->null = false;
    o->i = (int64_t)(uint32_t)v;
    return 0;
}

static char *int_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *s = arena_printf(c->mem, "%lld", (long long)v->i);
    if (s)
        *len = strlen(s);
    return s;
}

static uint8_t *int2_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, (uint64_t)v->i, 2, len);
}

static uint8_t *int4_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, (uint64_t)v->i, 4, len);
}

static uint8_t *int8_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, (uint64_t)v->i, 8, len);
}

static int int2_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 2))
        return -1;
    o->null = false;
    o->i = (int16_t)((p[0] << 8) | p[1]);
    return 0;
}

static int int4_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 4))
        return -1;
    o->null = false;
    o->i = (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
    return 0;
}

static int oid_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (int4_recv(c, p, n, tm, o))
        return -1;
    o->i = (uint32_t)o->i;
    return 0;
}

static int int8_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 8))
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    o->null = false;
    o->i = (int64_t)v;
    return 0;
}

/* parse_bool_with_len: unique prefixes of true/false/yes/no, on/off, 1/0. */
bool eng__bool_parse(const char *s, size_t n, bool *out)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return false;
    struct { const char *word; size_t min; bool val; } words[] = {
        {"true", 1, true}, {"false", 1, false}, {"yes", 1, true}, {"no", 1, false},
        {"on", 2, true},   {"off", 2, false},   {"1", 1, true},   {"0", 1, false},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (n >= words[i].min && n <= strlen(words[i].word) && strncasecmp(s, words[i].word, n) == 0) {
            *out = words[i].val;
            return true;
        }
    }
    return false;
}

static int bool_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    bool b;
    if (!eng__bool_parse(s, n, &b))
        return eng__bad_input(c, "boolean", s, n);
    o->null = false;
    o->i = b;
    return 0;
}

static char *bool_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    *len = 1;
    return arena_strdup(c->mem, v->i ? "t" : "f");
}

static uint8_t *bool_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__send_be(c, v->i ? 1 : 0, 1, len);
}

static int bool_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (eng__recv_len(c, n, 1))
        return -1;
    o->null = false;
    o->i = p[0] != 0;
    return 0;
}

const eng_type eng__type_bool = {OID_BOOL, "bool", "boolean", 1, 'B', true,
                                 bool_in, bool_out, bool_recv, bool_send, NULL};
const eng_type eng__type_int2 = {OID_INT2, "int2", "smallint", 2, 'N', false,
                                 int2_in, int_out, int2_recv, int2_send, NULL};
const eng_type eng__type_int4 = {OID_INT4, "int4", "integer", 4, 'N', false,
                                 int4_in, int_out, int4_recv, int4_send, NULL};
const eng_type eng__type_int8 = {OID_INT8, "int8", "bigint", 8, 'N', false,
                                 int8_in, int_out, int8_recv, int8_send, NULL};
const eng_type eng__type_oid = {OID_OID, "oid", "oid", 4, 'N', false,
                                oid_in, int_out, oid_recv, int4_send, NULL};

/* ---- arithmetic ------------------------------------------------------ */

/* The result type of each registered operator decides the range check, so
 * one function per operation and result width. */
#define INT_BINOP(NAME, OID, EXPR)                                                    \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)                  \
    {                                                                                 \
        int64_t x = a[0].i, y = a[1].i, r;                                            \
        if (EXPR)                                                                     \
            return eng__int_range_err(c, OID);                                        \
        if (!eng__int_fits(r, OID))                                                   \
            return eng__int_range_err(c, OID);                                        \
        o->null = false;                                                              \
        o->i = r;                                                                     \
        return 0;                                                                     \
    }

INT_BINOP(int2_pl, OID_INT2, __builtin_add_overflow(x, y, &r))
INT_BINOP(int4_pl, OID_INT4, __builtin_add_overflow(x, y, &r))
INT_BINOP(int8_pl, OID_INT8, __builtin_add_overflow(x, y, &r))
INT_BINOP(int2_mi, OID_INT2, __builtin_sub_overflow(x, y, &r))
INT_BINOP(int4_mi, OID_INT4, __builtin_sub_overflow(x, y, &r))
INT_BINOP(int8_mi, OID_INT8, __builtin_sub_overflow(x, y, &r))
INT_BINOP(int2_mul, OID_INT2, __builtin_mul_overflow(x, y, &r))
INT_BINOP(int4_mul, OID_INT4, __builtin_mul_overflow(x, y, &r))
INT_BINOP(int8_mul, OID_INT8, __builtin_mul_overflow(x, y, &r))

static int div_zero(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    return -1;
}

static int int_div_common(eng_ctx *c, const eng_val *a, eng_val *o, uint32_t oid, bool mod)
{
    int64_t x = a[0].i, y = a[1].i;
    if (y == 0)
        return div_zero(c);
    o->null = false;
    if (y == -1) {
        /* INT_MIN / -1 overflows; INT_MIN % -1 is 0 (PostgreSQL avoids the trap). */
        if (mod) {
            o->i = 0;
            return 0;
        }
        if (x == INT64_MIN || !eng__int_fits(-x, oid))
            return eng__int_range_err(c, oid);
        o->i = -x;
        return 0;
    }
    o->i = mod ? x % y : x / y;
    return eng__int_fits(o->i, oid) ? 0 : eng__int_range_err(c, oid);
}

static int int2_div(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_div_common(c, a, o, OID_INT2, false); }
static int int4_div(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_div_common(c, a, o, OID_INT4, false); }
static int int8_div(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_div_common(c, a, o, OID_INT8, false); }
static int int2_mod(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_div_common(c, a, o, OID_INT2, true); }
static int int4_mod(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_div_common(c, a, o, OID_INT4, true); }
static int int8_mod(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_div_common(c, a, o, OID_INT8, true); }

static int int_neg_common(eng_ctx *c, const eng_val *a, eng_val *o, uint32_t oid)
{
    if (a[0].i == INT64_MIN || !eng__int_fits(-a[0].i, oid))
        return eng__int_range_err(c, oid);
    o->null = false;
    o->i = -a[0].i;
    return 0;
}

static int int2_um(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_neg_common(c, a, o, OID_INT2); }
static int int4_um(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_neg_common(c, a, o, OID_INT4); }
static int int8_um(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return int_neg_common(c, a, o, OID_INT8); }

static int int_up(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    *o = a[0];
    return 0;
}

static int int2_abs(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return a[0].i < 0 ? int2_um(c, a, n, o) : int_up(c, a, n, o);
}

static int int4_abs(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return a[0].i < 0 ? int4_um(c, a, n, o) : int_up(c, a, n, o);
}

static int int8_abs(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    return a[0].i < 0 ? int8_um(c, a, n, o) : int_up(c, a, n, o);
}

#define CMP_FN(NAME, OP)                                              \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)  \
    {                                                                 \
        o->null = false;                                              \
        o->i = a[0].i OP a[1].i;                                      \
        return 0;                                                     \
    }

CMP_FN(int_eq, ==)
CMP_FN(int_ne, !=)
CMP_FN(int_lt, <)
CMP_FN(int_gt, >)
CMP_FN(int_le, <=)
CMP_FN(int_ge, >=)

static int bool_not(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = !a[0].i;
    return 0;
}

/* ---- casts ----------------------------------------------------------- */

static int cast_to_int2(eng_ctx *c, const eng_val *in, eng_val *o)
{
    if (!eng__int_fits(in->i, OID_INT2))
        return eng__int_range_err(c, OID_INT2);
    *o = *in;
    return 0;
}

static int cast_to_int4(eng_ctx *c, const eng_val *in, eng_val *o)
{
    if (!eng__int_fits(in->i, OID_INT4))
        return eng__int_range_err(c, OID_INT4);
    *o = *in;
    return 0;
}

static int cast_to_oid(eng_ctx *c, const eng_val *in, eng_val *o)
{
    if (in->i < INT32_MIN || in->i > UINT32_MAX) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range");
        return -1;
    }
    o->null = false;
    o->i = (uint32_t)in->i;
    return 0;
}

static int cast_same(eng_ctx *c, const eng_val *in, eng_val *o)
{
    *o = *in;
    return 0;
}

static int cast_int4_bool(eng_ctx *c, const eng_val *in, eng_val *o)
{
    o->null = false;
    o->i = in->i != 0;
    return 0;
}

static void reg_arith(void)
{
    static const uint32_t ints[3] = {OID_INT2, OID_INT4, OID_INT8};
    static const eng_fn pl[3] = {int2_pl, int4_pl, int8_pl}, mi[3] = {int2_mi, int4_mi, int8_mi};
    static const eng_fn mul[3] = {int2_mul, int4_mul, int8_mul}, dv[3] = {int2_div, int4_div, int8_div};
    static const char *cmp_names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn cmp_fns[6] = {int_eq, int_ne, int_lt, int_gt, int_le, int_ge};
    for (int l = 0; l < 3; l++) {
        for (int r = 0; r < 3; r++) {
            /* PostgreSQL has cross-type arithmetic for int2/int4/int8 pairs
             * (int24pl, int48mul, ...): result is the wider operand type. */
            int w = l > r ? l : r;
            eng__reg("+", true, ints[w], ENG_F_STRICT, pl[w], 2, ints[l], ints[r]);
            eng__reg("-", true, ints[w], ENG_F_STRICT, mi[w], 2, ints[l], ints[r]);
            eng__reg("*", true, ints[w], ENG_F_STRICT, mul[w], 2, ints[l], ints[r]);
            eng__reg("/", true, ints[w], ENG_F_STRICT, dv[w], 2, ints[l], ints[r]);
            for (int k = 0; k < 6; k++)
                eng__reg(cmp_names[k], true, OID_BOOL, ENG_F_STRICT, cmp_fns[k], 2, ints[l], ints[r]);
        }
    }
    eng__reg("%", true, OID_INT2, ENG_F_STRICT, int2_mod, 2, OID_INT2, OID_INT2);
    eng__reg("%", true, OID_INT4, ENG_F_STRICT, int4_mod, 2, OID_INT4, OID_INT4);
    eng__reg("%", true, OID_INT8, ENG_F_STRICT, int8_mod, 2, OID_INT8, OID_INT8);
    eng__reg("mod", false, OID_INT2, ENG_F_STRICT, int2_mod, 2, OID_INT2, OID_INT2);
    eng__reg("mod", false, OID_INT4, ENG_F_STRICT, int4_mod, 2, OID_INT4, OID_INT4);
    eng__reg("mod", false, OID_INT8, ENG_F_STRICT, int8_mod, 2, OID_INT8, OID_INT8);
    eng__reg("-", true, OID_INT2, ENG_F_STRICT, int2_um, 1, OID_INT2);
    eng__reg("-", true, OID_INT4, ENG_F_STRICT, int4_um, 1, OID_INT4);
    eng__reg("-", true, OID_INT8, ENG_F_STRICT, int8_um, 1, OID_INT8);
    eng__reg("+", true, OID_INT2, ENG_F_STRICT, int_up, 1, OID_INT2);
    eng__reg("+", true, OID_INT4, ENG_F_STRICT, int_up, 1, OID_INT4);
    eng__reg("+", true, OID_INT8, ENG_F_STRICT, int_up, 1, OID_INT8);
    eng__reg("abs", false, OID_INT2, ENG_F_STRICT, int2_abs, 1, OID_INT2);
    eng__reg("abs", false, OID_INT4, ENG_F_STRICT, int4_abs, 1, OID_INT4);
    eng__reg("abs", false, OID_INT8, ENG_F_STRICT, int8_abs, 1, OID_INT8);
    for (int k = 0; k < 6; k++) {
        eng__reg(cmp_names[k], true, OID_BOOL, ENG_F_STRICT, cmp_fns[k], 2, OID_BOOL, OID_BOOL);
        eng__reg(cmp_names[k], true, OID_BOOL, ENG_F_STRICT, cmp_fns[k], 2, OID_OID, OID_OID);
    }
    eng__reg("not", false, OID_BOOL, ENG_F_STRICT, bool_not, 1, OID_BOOL);
}

void eng__register_int(void)
{
    reg_arith();
    eng__reg_cast(OID_INT2, OID_INT4, ENG_CAST_IMPLICIT, cast_same);
    eng__reg_cast(OID_INT2, OID_INT8, ENG_CAST_IMPLICIT, cast_same);
    eng__reg_cast(OID_INT4, OID_INT8, ENG_CAST_IMPLICIT, cast_same);
    eng__reg_cast(OID_INT4, OID_INT2, ENG_CAST_ASSIGN, cast_to_int2);
    eng__reg_cast(OID_INT8, OID_INT2, ENG_CAST_ASSIGN, cast_to_int2);
    eng__reg_cast(OID_INT8, OID_INT4, ENG_CAST_ASSIGN, cast_to_int4);
    eng__reg_cast(OID_INT2, OID_OID, ENG_CAST_IMPLICIT, cast_to_oid);
    eng__reg_cast(OID_INT4, OID_OID, ENG_CAST_IMPLICIT, cast_to_oid);
    eng__reg_cast(OID_INT8, OID_OID, ENG_CAST_IMPLICIT, cast_to_oid);
    eng__reg_cast(OID_OID, OID_INT4, ENG_CAST_ASSIGN, cast_same);
    eng__reg_cast(OID_OID, OID_INT8, ENG_CAST_ASSIGN, cast_same);
    eng__reg_cast(OID_INT4, OID_BOOL, ENG_CAST_EXPLICIT, cast_int4_bool);
    eng__reg_cast(OID_BOOL, OID_INT4, ENG_CAST_EXPLICIT, cast_same);
}
