/*
 * bit: PostgreSQL's bit(n) and bit varying(n) (see bit.h). Input, output,
 * typmod rules and messages follow PostgreSQL 15's varbit.c; the distance
 * functions follow pgvector 0.8's bitvector.c.
 */
#include "engine/types/bit.h"

#include <string.h>

#include "engine/func/registry.h"

/* PostgreSQL's limit on a bit string's declared length: MaxAttrSize (10 MB) in bits. */
#define BIT_MAX_LEN (10 * 1024 * 1024 * 8)

static int bit_len(const eng_val *v)
{
    uint32_t n;
    memcpy(&n, v->s.p, sizeof(n));
    return (int)n;
}

static const uint8_t *bit_data(const eng_val *v)
{
    return (const uint8_t *)v->s.p + sizeof(uint32_t);
}

uint8_t *eng__bit_new(eng_ctx *c, int nbits, eng_val *out)
{
    size_t bytes = ((size_t)nbits + 7) / 8;
    char *p = arena_calloc(c->mem, sizeof(uint32_t) + bytes + 1, 1);
    if (!p) {
        eng__oom(c);
        return NULL;
    }
    uint32_t n = (uint32_t)nbits;
    memcpy(p, &n, sizeof(n));
    out->null = false;
    out->s.p = p;
    out->s.n = sizeof(uint32_t) + bytes;
    return (uint8_t *)p + sizeof(uint32_t);
}

int eng__bit_typmod(const eng_type *t, const int32_t *mods, int nmods, int32_t *out, pgw_error *err)
{
    if (nmods != 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
        return -1;
    }
    if (mods[0] < 1) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "length for type %s must be at least 1", t->name);
        return -1;
    }
    if (mods[0] > BIT_MAX_LEN) {
        pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "length for type %s cannot exceed %d", t->name,
                      BIT_MAX_LEN);
        return -1;
    }
    *out = mods[0];
    return 0;
}

/* The length check of bit(n) (exact) or varbit(n) (at most n) on input and assignment. */
static int check_len(eng_ctx *c, bool varying, int len, int32_t typmod)
{
    if (typmod <= 0 || (varying ? len <= typmod : len == typmod))
        return 0;
    if (varying)
        pgw_error_set(c->err, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION, "bit string too long for type bit varying(%d)",
                      (int)typmod);
    else
        pgw_error_set(c->err, SQLSTATE_STRING_DATA_LENGTH_MISMATCH, "bit string length %d does not match type bit(%d)",
                      len, (int)typmod);
    return -1;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* bit_in / varbit_in: binary digits, or B'...' / X'...' bodies with their b / x prefix. */
static int anybit_in(eng_ctx *c, bool varying, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    bool hex = n > 0 && (s[0] == 'x' || s[0] == 'X');
    if (n > 0 && (hex || s[0] == 'b' || s[0] == 'B'))
        s++, n--;
    if (n > (size_t)BIT_MAX_LEN / (hex ? 4 : 1)) {
        pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "bit string length exceeds the maximum allowed (%d)",
                      BIT_MAX_LEN);
        return -1;
    }
    int len = (int)n * (hex ? 4 : 1);
    if (check_len(c, varying, len, typmod))
        return -1;
    uint8_t *d = eng__bit_new(c, len, out);
    if (!d)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = hex ? hex_digit(s[i]) : s[i] == '0' ? 0 : s[i] == '1' ? 1 : -1;
        if (v < 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "\"%.1s\" is not a valid %s digit", s + i,
                          hex ? "hexadecimal" : "binary");
            return -1;
        }
        if (hex)
            d[i / 2] |= (uint8_t)(v << (i % 2 ? 0 : 4));
        else if (v)
            d[i / 8] |= (uint8_t)(0x80 >> (i % 8));
    }
    return 0;
}

static int bit_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    return anybit_in(c, false, s, n, typmod, out);
}

static int varbit_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    return anybit_in(c, true, s, n, typmod, out);
}

static char *bit_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    int n = bit_len(v);
    char *s = arena_alloc(c->mem, (size_t)n + 1);
    if (!s) {
        eng__oom(c);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        s[i] = bit_data(v)[i / 8] & (0x80 >> (i % 8)) ? '1' : '0';
    s[n] = '\0';
    *len = (size_t)n;
    return s;
}

/* bit_recv: int32 bit count, then the bytes; pad bits are cleared as PostgreSQL does. */
static int anybit_recv(eng_ctx *c, bool varying, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    if (n < 4)
        return eng__recv_len(c, n, 4);
    int32_t len = (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
    if (len < 0 || len > BIT_MAX_LEN) {
        pgw_error_set(c->err, SQLSTATE_INVALID_BINARY_REPRESENTATION, "invalid length in external bit string");
        return -1;
    }
    if (check_len(c, varying, len, typmod) || eng__recv_len(c, n, 4 + ((size_t)len + 7) / 8))
        return -1;
    uint8_t *d = eng__bit_new(c, len, out);
    if (!d)
        return -1;
    memcpy(d, p + 4, ((size_t)len + 7) / 8);
    if (len % 8)
        d[len / 8] &= (uint8_t)(0xff << (8 - len % 8));
    return 0;
}

static int bit_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    return anybit_recv(c, false, p, n, typmod, out);
}

static int varbit_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    return anybit_recv(c, true, p, n, typmod, out);
}

static uint8_t *bit_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    size_t bytes = v->s.n - sizeof(uint32_t);
    uint8_t *p = arena_alloc(c->mem, 4 + bytes);
    if (!p) {
        eng__oom(c);
        return NULL;
    }
    uint32_t n = (uint32_t)bit_len(v);
    p[0] = (uint8_t)(n >> 24), p[1] = (uint8_t)(n >> 16), p[2] = (uint8_t)(n >> 8), p[3] = (uint8_t)n;
    memcpy(p + 4, bit_data(v), bytes);
    *len = 4 + bytes;
    return p;
}

/* bit(bit, len, explicit) / varbit(varbit, len, explicit): an explicit cast truncates (and
 * for bit(n) zero-pads); otherwise a length that does not fit is an error. */
static int anybit_typmod(eng_ctx *c, bool varying, eng_val *v, int32_t typmod, bool explicit_cast)
{
    int len = bit_len(v);
    if (typmod <= 0 || len == typmod || (varying && len < typmod))
        return 0;
    if (!explicit_cast)
        return check_len(c, varying, len, typmod);
    eng_val src = *v;
    uint8_t *d = eng__bit_new(c, typmod, v);
    if (!d)
        return -1;
    int keep = len < typmod ? len : typmod;
    memcpy(d, bit_data(&src), ((size_t)keep + 7) / 8);
    if (keep % 8)
        d[keep / 8] &= (uint8_t)(0xff << (8 - keep % 8));
    return 0;
}

static int bit_typmod_apply(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast)
{
    return anybit_typmod(c, false, v, typmod, explicit_cast);
}

static int varbit_typmod_apply(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast)
{
    return anybit_typmod(c, true, v, typmod, explicit_cast);
}

const eng_type eng__type_bit = {OID_BIT, "bit", "bit", -1, 'V', false,
                                bit_in, bit_out, bit_recv, bit_send, bit_typmod_apply};
const eng_type eng__type_varbit = {OID_VARBIT, "varbit", "bit varying", -1, 'V', true,
                                   varbit_in, bit_out, varbit_recv, bit_send, varbit_typmod_apply};

/* ---- pgvector's distances ------------------------------------------------ */

/* Popcounts over the bytes of a and b: a&b, a^b, a, b. */
typedef struct bit_counts {
    uint64_t both, diff, a, b;
} bit_counts;

static int bit_count(eng_ctx *c, const eng_val *args, bit_counts *k)
{
    if (bit_len(&args[0]) != bit_len(&args[1])) {
        pgw_error_set(c->err, SQLSTATE_DATA_EXCEPTION, "different bit lengths %d and %d", bit_len(&args[0]),
                      bit_len(&args[1]));
        return -1;
    }
    const uint8_t *x = bit_data(&args[0]), *y = bit_data(&args[1]);
    memset(k, 0, sizeof(*k));
    for (size_t i = 0; i < args[0].s.n - sizeof(uint32_t); i++) {
        k->both += (uint64_t)__builtin_popcount(x[i] & y[i]);
        k->diff += (uint64_t)__builtin_popcount(x[i] ^ y[i]);
        k->a += (uint64_t)__builtin_popcount(x[i]);
        k->b += (uint64_t)__builtin_popcount(y[i]);
    }
    return 0;
}

static int f_hamming(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    bit_counts k;
    if (bit_count(c, a, &k))
        return -1;
    o->null = false;
    o->f = (double)k.diff;
    return 0;
}

/* 1 - |a & b| / |a | b|, and 1 when nothing is shared (both empty included), as pgvector. */
static int f_jaccard(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    bit_counts k;
    if (bit_count(c, a, &k))
        return -1;
    o->null = false;
    o->f = k.both == 0 ? 1.0 : 1.0 - (double)k.both / (double)(k.a + k.b - k.both);
    return 0;
}

void eng__register_bit(void)
{
    const uint32_t B = OID_BIT;
    eng__reg("<~>", true, OID_FLOAT8, ENG_F_STRICT, f_hamming, 2, B, B);
    eng__reg("hamming_distance", false, OID_FLOAT8, ENG_F_STRICT, f_hamming, 2, B, B);
    eng__reg("<%>", true, OID_FLOAT8, ENG_F_STRICT, f_jaccard, 2, B, B);
    eng__reg("jaccard_distance", false, OID_FLOAT8, ENG_F_STRICT, f_jaccard, 2, B, B);
    eng__reg_cast(OID_BIT, OID_VARBIT, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_VARBIT, OID_BIT, ENG_CAST_IMPLICIT, NULL);
}
