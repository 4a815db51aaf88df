/*
 * numeric: exact decimals as a magnitude of decimal digits and a scale
 * (value = ±digits × 10^-scale). Decimal digits keep every algorithm here
 * short and obviously exact; the base-10000 layout PostgreSQL uses exists
 * only at the binary I/O boundary and in select_div_scale's estimate, which
 * are reproduced exactly (numeric.c in PostgreSQL 15).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/int.h"
#include "engine/types/numeric.h"

static eng_num *num_alloc(arena *a, int32_t nd)
{
    eng_num *x = arena_alloc(a, sizeof(eng_num) + (size_t)(nd > 0 ? nd : 1));
    if (x) {
        x->kind = NUM_FINITE;
        x->neg = false;
        x->scale = 0;
        x->nd = nd;
    }
    return x;
}

static const eng_num *num_special(arena *a, int kind)
{
    eng_num *x = num_alloc(a, 0);
    if (x)
        x->kind = (uint8_t)kind;
    return x;
}

/* Build from a magnitude with possible leading zeros. */
static eng_num *num_make(arena *a, const uint8_t *d, int32_t nd, int32_t scale, bool neg)
{
    while (nd > 0 && d[0] == 0)
        d++, nd--;
    eng_num *x = num_alloc(a, nd);
    if (!x)
        return NULL;
    memcpy(x->d, d, (size_t)nd);
    x->scale = scale;
    x->neg = nd > 0 && neg;
    return x;
}

static int num_oom_or_overflow(eng_ctx *c, int32_t nd)
{
    if (nd > NUM_MAX_DIGITS) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        return -1;
    }
    return eng__oom(c);
}

const eng_num *eng__num_from_int(arena *a, int64_t v)
{
    uint8_t d[24];
    int n = 0;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char tmp[24];
    int k = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)m);
    for (int i = 0; i < k; i++)
        d[n++] = (uint8_t)(tmp[i] - '0');
    return num_make(a, d, n, 0, v < 0);
}

/* ---- magnitude helpers (most significant digit first) ---------------- */

static int mag_cmp(const uint8_t *a, int na, const uint8_t *b, int nb)
{
    while (na > 0 && *a == 0)
        a++, na--;
    while (nb > 0 && *b == 0)
        b++, nb--;
    if (na != nb)
        return na < nb ? -1 : 1;
    if (na <= 0)
        return 0;
    int r = memcmp(a, b, (size_t)na);
    return r < 0 ? -1 : r > 0;
}

/* out has room for max(na, nb) + 1 digits; returns the digit count. */
static int mag_add(const uint8_t *a, int na, const uint8_t *b, int nb, uint8_t *out)
{
    int n = (na > nb ? na : nb) + 1, carry = 0;
    for (int i = 0; i < n; i++) {
        int da = i < na ? a[na - 1 - i] : 0, db = i < nb ? b[nb - 1 - i] : 0;
        int s = da + db + carry;
        out[n - 1 - i] = (uint8_t)(s % 10);
        carry = s / 10;
    }
    return n;
}

/* a >= b; out has room for na digits. */
static int mag_sub(const uint8_t *a, int na, const uint8_t *b, int nb, uint8_t *out)
{
    int borrow = 0;
    for (int i = 0; i < na; i++) {
        int s = a[na - 1 - i] - (i < nb ? b[nb - 1 - i] : 0) - borrow;
        borrow = s < 0;
        out[na - 1 - i] = (uint8_t)(s + (borrow ? 10 : 0));
    }
    return na;
}

static int mag_mul(const uint8_t *a, int na, const uint8_t *b, int nb, uint8_t *out)
{
    int n = na + nb;
    memset(out, 0, (size_t)n);
    for (int i = na - 1; i >= 0; i--) {
        int carry = 0;
        for (int j = nb - 1; j >= 0; j--) {
            int t = out[i + j + 1] + a[i] * b[j] + carry;
            out[i + j + 1] = (uint8_t)(t % 10);
            carry = t / 10;
        }
        out[i] = (uint8_t)(out[i] + carry);
    }
    return n;
}

/* Schoolbook long division: q (na digits) and r (nb + 1 digits, as rlen). */
static void mag_divmod(const uint8_t *a, int na, const uint8_t *b, int nb, uint8_t *q, uint8_t *r,
                       int *rlen)
{
    int rl = 0;
    for (int i = 0; i < na; i++) {
        r[rl++] = a[i];
        /* drop leading zeros of the running remainder */
        int lead = 0;
        while (lead < rl - 1 && r[lead] == 0)
            lead++;
        if (lead) {
            memmove(r, r + lead, (size_t)(rl - lead));
            rl -= lead;
        }
        int qd = 0;
        while (mag_cmp(r, rl, b, nb) >= 0) {
            uint8_t tmp[NUM_MAX_DIGITS * 2 + 8];
            int tl = mag_sub(r, rl, b, nb, tmp);
            memcpy(r, tmp, (size_t)tl);
            rl = tl;
            qd++;
        }
        q[i] = (uint8_t)qd;
    }
    *rlen = rl;
}

/* Digits of x shifted left by k places (x × 10^k) into out. */
static int mag_shift(const eng_num *x, int k, uint8_t *out)
{
    memcpy(out, x->d, (size_t)x->nd);
    memset(out + x->nd, 0, (size_t)k);
    return x->nd + k;
}

/* ---- rounding and scale ---------------------------------------------- */

/* Round x half away from zero to `scale` fraction digits (scale may be
 * negative, as round(x, -2)); the result's dscale is max(scale, 0). */
static const eng_num *num_round(eng_ctx *c, const eng_num *x, int32_t scale, bool trunc)
{
    if (x->kind != NUM_FINITE)
        return x;
    int32_t rs = scale < 0 ? 0 : scale;
    if (scale >= x->scale) {
        int k = rs - x->scale;
        if (x->nd + k > NUM_MAX_DIGITS) {
            num_oom_or_overflow(c, x->nd + k);
            return NULL;
        }
        eng_num *r = num_alloc(c->mem, x->nd ? x->nd + k : 0);
        if (!r)
            return eng__oom(c), NULL;
        if (x->nd)
            mag_shift(x, k, r->d);
        r->neg = x->neg;
        r->scale = rs;
        return r;
    }
    int drop = x->scale - scale; /* digits removed from the right */
    int keep = x->nd - drop;
    uint8_t buf[NUM_MAX_DIGITS + 8];
    int n = 0;
    bool up = !trunc && keep >= 0 && drop > 0 && keep < x->nd && x->d[keep] >= 5;
    if (keep < 0) {
        keep = 0;
        up = false;
    }
    buf[n++] = 0;
    memcpy(buf + n, x->d, (size_t)keep);
    n += keep;
    if (up) {
        for (int i = n - 1; i >= 0; i--) {
            if (buf[i] == 9) {
                buf[i] = 0;
                continue;
            }
            buf[i]++;
            break;
        }
    }
    /* a negative scale rounds to tens/hundreds: pad zeros back, dscale 0 */
    for (int i = 0; i < -scale && n < NUM_MAX_DIGITS; i++)
        buf[n++] = 0;
    eng_num *r = num_make(c->mem, buf, n, rs, x->neg);
    if (!r)
        eng__oom(c);
    return r;
}

/* ---- text I/O -------------------------------------------------------- */

static const eng_num *parse_special(eng_ctx *c, const char *s, size_t n)
{
    static const struct { const char *w; int kind; } sp[] = {
        {"nan", NUM_NAN},       {"infinity", NUM_PINF}, {"+infinity", NUM_PINF},
        {"-infinity", NUM_NINF}, {"inf", NUM_PINF},     {"+inf", NUM_PINF}, {"-inf", NUM_NINF},
    };
    for (size_t i = 0; i < sizeof(sp) / sizeof(sp[0]); i++)
        if (strlen(sp[i].w) == n && strncasecmp(s, sp[i].w, n) == 0)
            return num_special(c->mem, sp[i].kind);
    return NULL;
}

const eng_num *eng__num_parse(eng_ctx *c, const char *s, size_t n)
{
    size_t b = 0, e = n;
    while (b < e && isspace((unsigned char)s[b]))
        b++;
    while (e > b && isspace((unsigned char)s[e - 1]))
        e--;
    const eng_num *sp = parse_special(c, s + b, e - b);
    if (sp)
        return sp;
    size_t i = b;
    bool neg = false;
    if (i < e && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint8_t *d = arena_alloc(c->mem, e - b + 2);
    if (!d)
        return eng__oom(c), NULL;
    int nd = 0, frac = 0;
    bool seen_dot = false, any = false;
    for (; i < e; i++) {
        if (isdigit((unsigned char)s[i])) {
            d[nd++] = (uint8_t)(s[i] - '0');
            frac += seen_dot;
            any = true;
        } else if (s[i] == '.' && !seen_dot) {
            seen_dot = true;
        } else {
            break;
        }
    }
    long exp = 0;
    if (any && i < e && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        bool eneg = false;
        if (j < e && (s[j] == '+' || s[j] == '-'))
            eneg = s[j++] == '-';
        if (j == e || !isdigit((unsigned char)s[j]))
            goto bad;
        for (; j < e && isdigit((unsigned char)s[j]); j++) {
            exp = exp * 10 + (s[j] - '0');
            if (exp > NUM_MAX_DISPLAY_SCALE)
                goto bad;
        }
        exp = eneg ? -exp : exp;
        i = j;
    }
    if (!any || i != e)
        goto bad;
    long scale = frac - exp;
    if (scale < 0) {
        if (nd - scale > NUM_MAX_DIGITS) {
            num_oom_or_overflow(c, NUM_MAX_DIGITS + 1);
            return NULL;
        }
        uint8_t *d2 = arena_alloc(c->mem, (size_t)(nd - scale) + 1);
        if (!d2)
            return eng__oom(c), NULL;
        memcpy(d2, d, (size_t)nd);
        memset(d2 + nd, 0, (size_t)-scale);
        nd += (int)-scale;
        d = d2;
        scale = 0;
    }
    if (nd > NUM_MAX_DIGITS) {
        num_oom_or_overflow(c, nd);
        return NULL;
    }
    eng_num *x = num_make(c->mem, d, nd, (int32_t)scale, neg);
    if (!x)
        eng__oom(c);
    return x;
bad:
    eng__bad_input(c, "numeric", s, n);
    return NULL;
}

static char *num_to_text(arena *a, const eng_num *x)
{
    if (x->kind == NUM_NAN)
        return arena_strdup(a, "NaN");
    if (x->kind != NUM_FINITE)
        return arena_strdup(a, x->kind == NUM_PINF ? "Infinity" : "-Infinity");
    int ip = x->nd - x->scale; /* integer digits */
    size_t cap = (size_t)(x->nd + x->scale) + 4;
    char *s = arena_alloc(a, cap), *o = s;
    if (!s)
        return NULL;
    if (x->neg)
        *o++ = '-';
    if (ip <= 0)
        *o++ = '0';
    for (int i = 0; i < ip; i++)
        *o++ = (char)('0' + x->d[i]);
    if (x->scale > 0) {
        *o++ = '.';
        for (int k = 0; k < x->scale; k++) {
            int i = ip + k; /* digit index in d */
            *o++ = (char)('0' + (i >= 0 && i < x->nd ? x->d[i] : 0));
        }
    }
    *o = '\0';
    return s;
}

static int num_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *o)
{
    const eng_num *x = eng__num_parse(c, s, n);
    if (!x)
        return -1;
    o->null = false;
    o->num = x;
    if (typmod >= 0)
        return eng__type_numeric.typmod(c, o, typmod, false);
    return 0;
}

static char *num_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *s = num_to_text(c->mem, v->num);
    if (s)
        *len = strlen(s);
    return s;
}

/* ---- binary I/O: PostgreSQL's base-10000 layout ---------------------- */
/*
 * int16 ndigits, int16 weight (of the first base-10000 digit), uint16 sign
 * (0x0000 +, 0x4000 -, 0xC000 NaN, 0xD000 +Inf, 0xF000 -Inf), uint16 dscale,
 * then ndigits int16 digits 0..9999, leading and trailing zero digits
 * stripped.
 */
static uint8_t *num_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    const eng_num *x = v->num;
    int ip = x->nd - x->scale;
    int ipad = ip > 0 ? (4 - ip % 4) % 4 : 0;
    int igroups = ip > 0 ? (ip + ipad) / 4 : 0;
    int fdig = x->scale;
    int fgroups = (fdig + 3) / 4;
    int total = igroups + fgroups;
    int16_t *g = arena_calloc(c->mem, (size_t)total + 1, sizeof(int16_t));
    uint8_t *out = arena_alloc(c->mem, 8 + 2 * (size_t)total);
    if (!g || !out)
        return eng__oom(c), NULL;
    /* digit at decimal exponent k (k >= 0 integer part, k < 0 fraction) */
    for (int i = 0; i < x->nd; i++) {
        int k = ip - 1 - i;
        int gi = k >= 0 ? igroups - 1 - k / 4 : igroups + (-k - 1) / 4;
        int pos = k >= 0 ? k % 4 : 3 - ((-k - 1) % 4);
        static const int pw[4] = {1, 10, 100, 1000};
        g[gi] = (int16_t)(g[gi] + x->d[i] * pw[pos]);
    }
    int first = 0, last = total;
    while (first < last && g[first] == 0)
        first++;
    while (last > first && g[last - 1] == 0)
        last--;
    int nd = last - first;
    int weight = nd ? igroups - 1 - first : 0;
    uint16_t sign = x->kind == NUM_NAN ? 0xC000 : x->kind == NUM_PINF ? 0xD000
                  : x->kind == NUM_NINF ? 0xF000 : x->neg ? 0x4000 : 0;
    if (x->kind != NUM_FINITE)
        nd = 0, weight = 0;
    uint8_t *p = out;
    uint16_t hdr[4] = {(uint16_t)nd, (uint16_t)(int16_t)weight, sign,
                       (uint16_t)(x->kind == NUM_FINITE ? x->scale : 0)};
    for (int i = 0; i < 4; i++, p += 2)
        p[0] = (uint8_t)(hdr[i] >> 8), p[1] = (uint8_t)hdr[i];
    for (int i = 0; i < nd; i++, p += 2)
        p[0] = (uint8_t)((uint16_t)g[first + i] >> 8), p[1] = (uint8_t)g[first + i];
    *len = (size_t)(p - out);
    return out;
}

static int recv_bad(eng_ctx *c, const char *what)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_BINARY_REPRESENTATION, "invalid %s in external \"numeric\" value", what);
    return -1;
}

static int num_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *o)
{
    if (n < 8)
        return eng__recv_len(c, n, 8);
    int nd = (int16_t)((p[0] << 8) | p[1]);
    int weight = (int16_t)((p[2] << 8) | p[3]);
    uint16_t sign = (uint16_t)((p[4] << 8) | p[5]);
    int dscale = (uint16_t)((p[6] << 8) | p[7]);
    if (nd < 0 || nd > 10000)
        return recv_bad(c, "length");
    if (n < 8 + 2 * (size_t)nd)
        return eng__recv_len(c, n, 8 + 2 * (size_t)nd);
    if (n > 8 + 2 * (size_t)nd)
        return eng__recv_len(c, n, 8 + 2 * (size_t)nd);
    o->null = false;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        o->num = num_special(c->mem, sign == 0xC000 ? NUM_NAN : sign == 0xD000 ? NUM_PINF : NUM_NINF);
        return o->num ? 0 : eng__oom(c);
    }
    if (sign != 0 && sign != 0x4000)
        return recv_bad(c, "sign");
    if (dscale > 0x3FFF)
        return recv_bad(c, "scale");
    for (int i = 0; i < nd; i++) {
        int dv = (int16_t)((p[8 + 2 * i] << 8) | p[9 + 2 * i]);
        if (dv < 0 || dv > 9999)
            return recv_bad(c, "digit");
    }
    /* Write the digits as text and reuse the parser: simple and exact.
     * Group i stands for 10000^(weight - i). */
    int lowest = weight - nd + 1 < 0 ? weight - nd + 1 : 0;
    size_t cap = (size_t)((weight > 0 ? weight : 0) + (lowest < 0 ? -lowest : 0) + 2) * 4 + 8;
    char *t = arena_alloc(c->mem, cap), *q = t;
    if (!t)
        return eng__oom(c);
    if (sign == 0x4000)
        *q++ = '-';
    *q++ = '0';
    for (int e = weight > 0 ? weight : 0; e >= lowest; e--) {
        if (e == -1)
            *q++ = '.';
        int i = weight - e;
        int dv = i >= 0 && i < nd ? (int16_t)((p[8 + 2 * i] << 8) | p[9 + 2 * i]) : 0;
        q += sprintf(q, "%04d", dv);
    }
    *q = '\0';
    const eng_num *x = eng__num_parse(c, t, (size_t)(q - t));
    if (!x)
        return -1;
    x = num_round(c, x, dscale, true);
    if (!x)
        return -1;
    o->num = x;
    if (typmod >= 0)
        return eng__type_numeric.typmod(c, o, typmod, false);
    return 0;
}

/* numeric(p,s): typmod = ((p << 16) | (s & 0x7ff)) + 4, as PostgreSQL 15. */
static int num_apply_typmod(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast)
{
    if (typmod < 4)
        return 0;
    int32_t tm = typmod - 4;
    int prec = (tm >> 16) & 0xffff;
    int scale = ((tm & 0x7ff) ^ 1024) - 1024;
    const eng_num *x = v->num;
    if (x->kind != NUM_FINITE) {
        if (x->kind == NUM_NAN)
            return 0;
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        pgw_error_detail(c->err, "A field with precision %d, scale %d cannot hold an infinite value.", prec, scale);
        return -1;
    }
    const eng_num *r = num_round(c, x, scale, false);
    if (!r)
        return -1;
    int maxdigits = prec - scale;
    int intdigits = r->nd - r->scale;
    if (r->nd > 0 && intdigits > maxdigits) {
        pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        pgw_error_detail(c->err, "A field with precision %d, scale %d must round to an absolute value less than %s%d.",
                         prec, scale, maxdigits ? "10^" : "", maxdigits ? maxdigits : 1);
        return -1;
    }
    v->num = r;
    return 0;
}

const eng_type eng__type_numeric = {OID_NUMERIC, "numeric", "numeric", -1, 'N', false,
                                    num_in, num_out, num_recv, num_send, num_apply_typmod};

/* ---- comparison ------------------------------------------------------ */

static int special_rank(const eng_num *x)
{
    return x->kind == NUM_NINF ? -1 : x->kind == NUM_PINF ? 1 : x->kind == NUM_NAN ? 2 : 0;
}

int eng__num_cmp(const eng_num *a, const eng_num *b)
{
    int ra = special_rank(a), rb = special_rank(b);
    if (ra || rb) {
        if (ra == 0 && rb == 0)
            return 0;
        return ra < rb ? -1 : ra > rb;
    }
    if (a->neg != b->neg)
        return a->neg ? -1 : 1;
    /* same sign: compare magnitudes aligned at the decimal point */
    int ia = a->nd - a->scale, ib = b->nd - b->scale;
    int r;
    if (a->nd == 0 || b->nd == 0)
        r = (a->nd > 0) - (b->nd > 0);
    else if (ia != ib)
        r = ia < ib ? -1 : 1;
    else {
        r = 0;
        int n = a->nd > b->nd ? a->nd : b->nd;
        for (int i = 0; i < n && r == 0; i++) {
            int da = i < a->nd ? a->d[i] : 0, db = i < b->nd ? b->d[i] : 0;
            r = da < db ? -1 : da > db;
        }
    }
    return a->neg ? -r : r;
}

double eng__num_to_double(const eng_num *x)
{
    if (x->kind == NUM_NAN)
        return NAN;
    if (x->kind != NUM_FINITE)
        return x->kind == NUM_PINF ? INFINITY : -INFINITY;
    char buf[NUM_MAX_DIGITS + 16];
    int n = 0;
    if (x->neg)
        buf[n++] = '-';
    buf[n++] = '0';
    for (int i = 0; i < x->nd && n < NUM_MAX_DIGITS; i++)
        buf[n++] = (char)('0' + x->d[i]);
    n += snprintf(buf + n, sizeof(buf) - (size_t)n, "e%d", -x->scale);
    return strtod(buf, NULL);
}

/* ---- arithmetic ------------------------------------------------------ */

static const eng_num *num_nan(eng_ctx *c)
{
    const eng_num *x = num_special(c->mem, NUM_NAN);
    if (!x)
        eng__oom(c);
    return x;
}

/* Magnitude of x rescaled to `scale` fraction digits (scale >= x->scale). */
static int aligned(const eng_num *x, int scale, uint8_t *out)
{
    return mag_shift(x, scale - x->scale, out);
}

static const eng_num *num_addsub(eng_ctx *c, const eng_num *a, const eng_num *b, bool sub)
{
    if (a->kind != NUM_FINITE || b->kind != NUM_FINITE) {
        int ka = a->kind, kb = b->kind;
        if (sub && kb != NUM_FINITE && kb != NUM_NAN)
            kb = kb == NUM_PINF ? NUM_NINF : NUM_PINF;
        if (ka == NUM_NAN || kb == NUM_NAN || (ka != NUM_FINITE && kb != NUM_FINITE && ka != kb))
            return num_nan(c);
        return num_special(c->mem, ka != NUM_FINITE ? ka : kb);
    }
    int scale = a->scale > b->scale ? a->scale : b->scale;
    int need = (a->nd > b->nd ? a->nd : b->nd) + scale + 2;
    if (need > NUM_MAX_DIGITS)
        return num_oom_or_overflow(c, need), NULL;
    uint8_t *x = arena_alloc(c->mem, (size_t)need), *y = arena_alloc(c->mem, (size_t)need);
    uint8_t *r = arena_alloc(c->mem, (size_t)need + 1);
    if (!x || !y || !r)
        return eng__oom(c), NULL;
    int nx = aligned(a, scale, x), ny = aligned(b, scale, y), nr;
    bool bneg = sub ? !b->neg : b->neg, neg;
    if (a->neg == bneg) {
        nr = mag_add(x, nx, y, ny, r);
        neg = a->neg;
    } else if (mag_cmp(x, nx, y, ny) >= 0) {
        nr = mag_sub(x, nx, y, ny, r);
        neg = a->neg;
    } else {
        nr = mag_sub(y, ny, x, nx, r);
        neg = bneg;
    }
    eng_num *res = num_make(c->mem, r, nr, scale, neg);
    if (!res)
        eng__oom(c);
    return res;
}

static const eng_num *num_mul(eng_ctx *c, const eng_num *a, const eng_num *b)
{
    if (a->kind != NUM_FINITE || b->kind != NUM_FINITE) {
        if (a->kind == NUM_NAN || b->kind == NUM_NAN)
            return num_nan(c);
        const eng_num *fin = a->kind == NUM_FINITE ? a : b->kind == NUM_FINITE ? b : NULL;
        if (fin && fin->nd == 0)
            return num_nan(c);
        bool neg = (a->kind == NUM_NINF || (a->kind == NUM_FINITE && a->neg)) !=
                   (b->kind == NUM_NINF || (b->kind == NUM_FINITE && b->neg));
        return num_special(c->mem, neg ? NUM_NINF : NUM_PINF);
    }
    if (a->nd + b->nd > NUM_MAX_DIGITS || a->scale + b->scale > NUM_MAX_DISPLAY_SCALE)
        return num_oom_or_overflow(c, NUM_MAX_DIGITS + 1), NULL;
    uint8_t *r = arena_alloc(c->mem, (size_t)(a->nd + b->nd) + 1);
    if (!r)
        return eng__oom(c), NULL;
    int nr = mag_mul(a->d, a->nd, b->d, b->nd, r);
    eng_num *res = num_make(c->mem, r, nr, a->scale + b->scale, a->neg != b->neg);
    if (!res)
        eng__oom(c);
    return res;
}

/* Weight and first digit of x in base 10000, as PostgreSQL stores it. */
static void base10000_lead(const eng_num *x, int *weight, int *first)
{
    *weight = 0;
    *first = 0;
    if (x->nd == 0)
        return;
    int e = x->nd - 1 - x->scale; /* decimal exponent of the leading digit */
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int v = 0;
    for (int k = 4 * w + 3; k >= 4 * w; k--) {
        int i = x->nd - 1 - x->scale - k;
        v = v * 10 + (i >= 0 && i < x->nd ? x->d[i] : 0);
    }
    *weight = w;
    *first = v;
}

/* select_div_scale() from PostgreSQL's numeric.c. */
static int div_scale(const eng_num *a, const eng_num *b)
{
    int w1, f1, w2, f2;
    base10000_lead(a, &w1, &f1);
    base10000_lead(b, &w2, &f2);
    int qweight = w1 - w2;
    if (f1 <= f2)
        qweight--;
    int rscale = NUM_MIN_SIG_DIGITS - qweight * 4;
    if (rscale < a->scale)
        rscale = a->scale;
    if (rscale < b->scale)
        rscale = b->scale;
    if (rscale < 0)
        rscale = 0;
    return rscale > NUM_MAX_DISPLAY_SCALE ? NUM_MAX_DISPLAY_SCALE : rscale;
}

static int num_div_zero(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    return -1;
}

/* a / b rounded (or truncated) to rscale fraction digits. */
static const eng_num *num_div_scaled(eng_ctx *c, const eng_num *a, const eng_num *b, int rscale, bool trunc)
{
    if (b->nd == 0)
        return num_div_zero(c), NULL;
    int e = rscale + b->scale - a->scale;
    int nnum = a->nd + (e > 0 ? e : 0), nden = b->nd + (e < 0 ? -e : 0);
    if (nnum + 2 > NUM_MAX_DIGITS * 2 || nden > NUM_MAX_DIGITS * 2)
        return num_oom_or_overflow(c, NUM_MAX_DIGITS + 1), NULL;
    uint8_t *num = arena_alloc(c->mem, (size_t)nnum + 2), *den = arena_alloc(c->mem, (size_t)nden + 1);
    uint8_t *q = arena_alloc(c->mem, (size_t)nnum + 2), *r = arena_alloc(c->mem, (size_t)nden + 2);
    if (!num || !den || !q || !r)
        return eng__oom(c), NULL;
    mag_shift(a, e > 0 ? e : 0, num);
    mag_shift(b, e < 0 ? -e : 0, den);
    int rl;
    if (nnum == 0) {
        rl = 0;
    } else {
        mag_divmod(num, nnum, den, nden, q, r, &rl);
    }
    int nq = nnum;
    if (!trunc && rl > 0) {
        /* round half away from zero: 2r >= den */
        uint8_t r2[NUM_MAX_DIGITS * 2 + 8];
        int n2 = mag_add(r, rl, r, rl, r2);
        if (mag_cmp(r2, n2, den, nden) >= 0) {
            uint8_t one = 1, *q2 = arena_alloc(c->mem, (size_t)nq + 2);
            if (!q2)
                return eng__oom(c), NULL;
            nq = mag_add(q, nq, &one, 1, q2);
            q = q2;
        }
    }
    eng_num *res = num_make(c->mem, q, nq, rscale, a->neg != b->neg);
    if (!res)
        eng__oom(c);
    return res;
}

static const eng_num *num_div(eng_ctx *c, const eng_num *a, const eng_num *b)
{
    if (a->kind != NUM_FINITE || b->kind != NUM_FINITE) {
        if (a->kind == NUM_NAN || b->kind == NUM_NAN)
            return num_nan(c);
        if (a->kind != NUM_FINITE) {
            if (b->kind != NUM_FINITE)
                return num_nan(c);
            if (b->nd == 0)
                return num_div_zero(c), NULL;
            bool neg = (a->kind == NUM_NINF) != b->neg;
            return num_special(c->mem, neg ? NUM_NINF : NUM_PINF);
        }
        return eng__num_from_int(c->mem, 0); /* finite / ±Infinity */
    }
    return num_div_scaled(c, a, b, div_scale(a, b), false);
}

static const eng_num *num_mod(eng_ctx *c, const eng_num *a, const eng_num *b)
{
    if (a->kind != NUM_FINITE || b->kind != NUM_FINITE) {
        if (a->kind == NUM_NAN || b->kind == NUM_NAN || a->kind != NUM_FINITE)
            return num_nan(c);
        return a; /* finite % ±Infinity = the dividend */
    }
    if (b->nd == 0)
        return num_div_zero(c), NULL;
    const eng_num *q = num_div_scaled(c, a, b, 0, true);
    if (!q)
        return NULL;
    const eng_num *p = num_mul(c, q, b);
    return p ? num_addsub(c, a, p, true) : NULL;
}

/* power_var_int's result scale, then an exact product rounded to it. */
static const eng_num *num_pow_int(eng_ctx *c, const eng_num *base, long n, int exp_scale)
{
    double f = fabs(eng__num_to_double(base));
    double est = f > 0 ? (double)n * log10(f) : 0;
    int rscale = NUM_MIN_SIG_DIGITS - (int)est;
    if (rscale < base->scale)
        rscale = base->scale;
    if (rscale < exp_scale)
        rscale = exp_scale;
    if (rscale < 0)
        rscale = 0;
    if (rscale > NUM_MAX_DISPLAY_SCALE)
        rscale = NUM_MAX_DISPLAY_SCALE;
    long an = n < 0 ? -n : n;
    if ((double)an * (base->nd + 1) > NUM_MAX_DIGITS) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "numeric power with an exponent this large is not supported yet");
        return NULL;
    }
    const eng_num *acc = eng__num_from_int(c->mem, 1), *sq = base;
    for (long k = an; k > 0 && acc && sq; k >>= 1) {
        if (k & 1)
            acc = num_mul(c, acc, sq);
        if (k > 1 && acc)
            sq = num_mul(c, sq, sq);
    }
    if (!acc || !sq)
        return NULL;
    if (n < 0) {
        if (acc->nd == 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined");
            return NULL;
        }
        return num_div_scaled(c, eng__num_from_int(c->mem, 1), acc, rscale, false);
    }
    return num_round(c, acc, rscale, false);
}

static const eng_num *num_pow(eng_ctx *c, const eng_num *a, const eng_num *b)
{
    if (a->kind != NUM_FINITE || b->kind != NUM_FINITE) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "numeric power of NaN or infinity is not supported yet");
        return NULL;
    }
    /* integer exponent? */
    int ip = b->nd - b->scale;
    for (int i = ip > 0 ? ip : 0; i < b->nd; i++) {
        if (b->d[i] != 0) {
            if (a->neg) {
                pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "a negative number raised to a non-integer power yields a complex result");
                return NULL;
            }
            pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "numeric power with a fractional exponent is not supported yet");
            return NULL;
        }
    }
    if (ip > 9) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "numeric power with an exponent this large is not supported yet");
        return NULL;
    }
    long n = 0;
    for (int i = 0; i < ip; i++)
        n = n * 10 + b->d[i];
    if (b->neg)
        n = -n;
    if (a->nd == 0 && n < 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined");
        return NULL;
    }
    return num_pow_int(c, a, n, b->scale);
}

#define NUM_BINOP(NAME, EXPR)                                          \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)   \
    {                                                                  \
        const eng_num *x = a[0].num, *y = a[1].num;                    \
        const eng_num *r = (EXPR);                                     \
        if (!r)                                                        \
            return -1;                                                 \
        o->null = false;                                               \
        o->num = r;                                                    \
        return 0;                                                      \
    }

NUM_BINOP(numeric_add, num_addsub(c, x, y, false))
NUM_BINOP(numeric_sub, num_addsub(c, x, y, true))
NUM_BINOP(numeric_mul, num_mul(c, x, y))
NUM_BINOP(numeric_div, num_div(c, x, y))
NUM_BINOP(numeric_mod, num_mod(c, x, y))
NUM_BINOP(numeric_pow, num_pow(c, x, y))

static int numeric_uminus(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    const eng_num *x = a[0].num;
    eng_num *r = num_alloc(c->mem, x->nd);
    if (!r)
        return eng__oom(c);
    memcpy(r, x, sizeof(*x) + (size_t)x->nd);
    if (x->kind == NUM_PINF || x->kind == NUM_NINF)
        r->kind = x->kind == NUM_PINF ? NUM_NINF : NUM_PINF;
    else if (x->kind == NUM_FINITE)
        r->neg = x->nd > 0 && !x->neg;
    o->null = false;
    o->num = r;
    return 0;
}

static int numeric_abs(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if ((a[0].num->kind == NUM_FINITE && a[0].num->neg) || a[0].num->kind == NUM_NINF)
        return numeric_uminus(c, a, n, o);
    *o = a[0];
    return 0;
}

static int numeric_uplus(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    *o = a[0];
    return 0;
}

static int round_common(eng_ctx *c, const eng_val *a, int n, eng_val *o, bool trunc)
{
    int64_t s = n > 1 ? a[1].i : 0;
    if (s > NUM_MAX_DISPLAY_SCALE)
        s = NUM_MAX_DISPLAY_SCALE;
    if (s < -NUM_MAX_DISPLAY_SCALE)
        s = -NUM_MAX_DISPLAY_SCALE;
    const eng_num *r = num_round(c, a[0].num, (int32_t)s, trunc);
    if (!r)
        return -1;
    o->null = false;
    o->num = r;
    return 0;
}

static int numeric_round(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return round_common(c, a, n, o, false); }
static int numeric_trunc(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return round_common(c, a, n, o, true); }

#define NUM_CMP(NAME, OP)                                              \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)   \
    {                                                                  \
        o->null = false;                                               \
        o->i = eng__num_cmp(a[0].num, a[1].num) OP 0;                  \
        return 0;                                                      \
    }

NUM_CMP(num_eq, ==)
NUM_CMP(num_ne, !=)
NUM_CMP(num_lt, <)
NUM_CMP(num_gt, >)
NUM_CMP(num_le, <=)
NUM_CMP(num_ge, >=)

const eng_num *eng__num_add(eng_ctx *c, const eng_num *a, const eng_num *b) { return num_addsub(c, a, b, false); }
const eng_num *eng__num_sub(eng_ctx *c, const eng_num *a, const eng_num *b) { return num_addsub(c, a, b, true); }
const eng_num *eng__num_mul(eng_ctx *c, const eng_num *a, const eng_num *b) { return num_mul(c, a, b); }
const eng_num *eng__num_round(eng_ctx *c, const eng_num *x, int32_t scale, bool trunc)
{
    return num_round(c, x, scale, trunc);
}
const eng_num *eng__num_div_trunc(eng_ctx *c, const eng_num *a, const eng_num *b)
{
    return num_div_scaled(c, a, b, 0, true);
}

void eng__register_numeric(void)
{
    const uint32_t N = OID_NUMERIC;
    eng__reg("+", true, N, ENG_F_STRICT, numeric_add, 2, N, N);
    eng__reg("-", true, N, ENG_F_STRICT, numeric_sub, 2, N, N);
    eng__reg("*", true, N, ENG_F_STRICT, numeric_mul, 2, N, N);
    eng__reg("/", true, N, ENG_F_STRICT, numeric_div, 2, N, N);
    eng__reg("%", true, N, ENG_F_STRICT, numeric_mod, 2, N, N);
    eng__reg("^", true, N, ENG_F_STRICT, numeric_pow, 2, N, N);
    eng__reg("mod", false, N, ENG_F_STRICT, numeric_mod, 2, N, N);
    eng__reg("power", false, N, ENG_F_STRICT, numeric_pow, 2, N, N);
    eng__reg("-", true, N, ENG_F_STRICT, numeric_uminus, 1, N);
    eng__reg("+", true, N, ENG_F_STRICT, numeric_uplus, 1, N);
    eng__reg("abs", false, N, ENG_F_STRICT, numeric_abs, 1, N);
    eng__reg("round", false, N, ENG_F_STRICT, numeric_round, 1, N);
    eng__reg("round", false, N, ENG_F_STRICT, numeric_round, 2, N, OID_INT4);
    eng__reg("trunc", false, N, ENG_F_STRICT, numeric_trunc, 1, N);
    eng__reg("trunc", false, N, ENG_F_STRICT, numeric_trunc, 2, N, OID_INT4);
    static const char *cmp_names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn cmp_fns[6] = {num_eq, num_ne, num_lt, num_gt, num_le, num_ge};
    for (int k = 0; k < 6; k++)
        eng__reg(cmp_names[k], true, OID_BOOL, ENG_F_STRICT, cmp_fns[k], 2, N, N);
    eng__register_numeric_casts();
}
