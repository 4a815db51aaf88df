/*
 * interval: months, days and microseconds kept apart as PostgreSQL does
 * (a month is not a fixed number of days, nor a day of hours across DST).
 * Input takes PostgreSQL's "N unit ..." and "[-]hh:mm[:ss[.frac]]" forms
 * with an optional leading '@' and trailing "ago"; output is IntervalStyle
 * postgres. Comparison uses PostgreSQL's span (30-day months, 24-hour days),
 * so '1 day' = '24 hours' as there.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/datetime.h"

#define USECS_PER_HOUR 3600000000LL
#define USECS_PER_MINUTE 60000000LL
#define USECS_PER_SEC 1000000LL

typedef eng_dt_unit iv_unit;

static const struct {
    const char *name;
    iv_unit unit;
} unit_names[] = {
    {"microsecond", DTU_USEC}, {"microseconds", DTU_USEC}, {"usec", DTU_USEC}, {"usecs", DTU_USEC}, {"us", DTU_USEC},
    {"millisecond", DTU_MSEC}, {"milliseconds", DTU_MSEC}, {"msec", DTU_MSEC}, {"msecs", DTU_MSEC}, {"ms", DTU_MSEC},
    {"second", DTU_SEC},       {"seconds", DTU_SEC},       {"sec", DTU_SEC},   {"secs", DTU_SEC},   {"s", DTU_SEC},
    {"minute", DTU_MIN},       {"minutes", DTU_MIN},       {"min", DTU_MIN},   {"mins", DTU_MIN},   {"m", DTU_MIN},
    {"hour", DTU_HOUR},        {"hours", DTU_HOUR},        {"hr", DTU_HOUR},   {"hrs", DTU_HOUR},   {"h", DTU_HOUR},
    {"day", DTU_DAY},          {"days", DTU_DAY},          {"d", DTU_DAY},     {"week", DTU_WEEK},  {"weeks", DTU_WEEK},
    {"w", DTU_WEEK},           {"month", DTU_MON},         {"months", DTU_MON}, {"mon", DTU_MON},   {"mons", DTU_MON},
    {"year", DTU_YEAR},        {"years", DTU_YEAR},        {"yr", DTU_YEAR},   {"yrs", DTU_YEAR},   {"y", DTU_YEAR},
    {"decade", DTU_DECADE},    {"decades", DTU_DECADE},    {"dec", DTU_DECADE}, {"decs", DTU_DECADE},
    {"century", DTU_CENTURY}, {"centuries", DTU_CENTURY}, {"c", DTU_CENTURY}, {"cent", DTU_CENTURY},
    {"millennium", DTU_MILLENNIUM}, {"millennia", DTU_MILLENNIUM}, {"mil", DTU_MILLENNIUM}, {"mils", DTU_MILLENNIUM},
};

int eng__interval_unit(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof(unit_names) / sizeof(unit_names[0]); i++)
        if (strlen(unit_names[i].name) == n && strncasecmp(unit_names[i].name, w, n) == 0)
            return (int)unit_names[i].unit;
    return -1;
}

/* Adds value v (whole part w, fraction fr, same sign) of unit u; fractions of
 * months and days spill into the smaller fields as PostgreSQL does. */
static void add_unit(eng_interval *iv, iv_unit u, double v)
{
    static const double usecs[] = {1, 1e3, 1e6, 6e7, 3.6e9, 0, 0, 0, 0, 0, 0, 0};
    if (u <= DTU_HOUR) {
        iv->us += (int64_t)llround(v * usecs[u]);
        return;
    }
    double days = 0;
    if (u == DTU_DAY || u == DTU_WEEK)
        days = u == DTU_WEEK ? v * 7 : v;
    else {
        static const double months_per[] = {[DTU_MON] = 1, [DTU_YEAR] = 12, [DTU_DECADE] = 120, [DTU_CENTURY] = 1200,
                                            [DTU_MILLENNIUM] = 12000};
        double m = v * months_per[u];
        int32_t whole = (int32_t)m;
        iv->months += whole;
        days = (m - whole) * 30;
    }
    int32_t wd = (int32_t)days;
    iv->days += wd;
    iv->us += (int64_t)llround((days - wd) * 86400e6);
}

/* "[-]hh:mm[:ss[.frac]]" at p; the sign was read by the caller. */
static bool read_clock(const char **pp, const char *e, int sign, eng_interval *iv)
{
    const char *p = *pp;
    int64_t f[3] = {0, 0, 0};
    int nf = 0;
    double frac = 0;
    while (nf < 3 && p < e && isdigit((unsigned char)*p)) {
        char *end;
        f[nf++] = strtoll(p, &end, 10);
        p = end;
        if (p < e && *p == ':' && nf < 3)
            p++;
        else
            break;
    }
    if (nf < 2)
        return false;
    if (nf == 3 && p < e && *p == '.') {
        char *end;
        frac = strtod(p, &end);
        p = end;
    }
    if (f[1] > 59 || f[2] > 59)
        return false;
    iv->us += sign * (f[0] * USECS_PER_HOUR + f[1] * USECS_PER_MINUTE + f[2] * USECS_PER_SEC + llround(frac * 1e6));
    *pp = p;
    return true;
}

static bool parse_interval(const char *s, size_t n, eng_interval *iv)
{
    char buf[256];
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *p = buf, *e = buf + n;
    memset(iv, 0, sizeof(*iv));
    bool any = false;
    while (p < e && isspace((unsigned char)*p))
        p++;
    if (p < e && *p == '@')
        p++;
    for (;;) {
        while (p < e && isspace((unsigned char)*p))
            p++;
        if (p >= e)
            break;
        if (any && e - p >= 3 && strncasecmp(p, "ago", 3) == 0 && (e - p == 3 || isspace((unsigned char)p[3]))) {
            iv->us = -iv->us, iv->days = -iv->days, iv->months = -iv->months;
            p += 3;
            continue;
        }
        int sign = 1;
        const char *num = p;
        if (*p == '+' || *p == '-')
            sign = *p++ == '-' ? -1 : 1;
        const char *q = p;
        while (q < e && isdigit((unsigned char)*q))
            q++;
        if (q < e && *q == ':') {
            if (!read_clock(&p, e, sign, iv))
                return false;
            any = true;
            continue;
        }
        char *end;
        double v = strtod(num, &end);
        if (end == num || !isfinite(v) || fabs(v) > 2147483647.0 * 12000)
            return false;
        p = end;
        while (p < e && isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (p < e && isalpha((unsigned char)*p))
            p++;
        int u = DTU_SEC;
        if (p > w && (u = eng__interval_unit(w, (size_t)(p - w))) < 0)
            return false;
        add_unit(iv, (iv_unit)u, v);
        any = true;
    }
    return any;
}

static int iv_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    (void)tm;
    o->null = false;
    if (!parse_interval(s, n, &o->iv)) {
        size_t len;
        char *txt = eng__strval(c, s, n, &len);
        pgw_error_set(c->err, SQLSTATE_INVALID_DATETIME_FORMAT, "invalid input syntax for type interval: \"%s\"",
                      txt ? txt : "");
        return -1;
    }
    return 0;
}

/* AddPostgresIntPart: "1 year", "-2 days", "+3 mons" after a negative part. */
static char *add_part(char *o, int64_t v, const char *unit, bool *zero, bool *before)
{
    if (v == 0)
        return o;
    o += sprintf(o, "%s%s%lld %s%s", *zero ? "" : " ", *before && v > 0 ? "+" : "", (long long)v, unit,
                 v != 1 ? "s" : "");
    *before = v < 0;
    *zero = false;
    return o;
}

char *eng__interval_format(eng_ctx *c, const eng_interval *iv, size_t *len)
{
    char buf[160], *o = buf;
    bool zero = true, before = false;
    o = add_part(o, iv->months / 12, "year", &zero, &before);
    o = add_part(o, iv->months % 12, "mon", &zero, &before);
    o = add_part(o, iv->days, "day", &zero, &before);
    int64_t t = iv->us;
    if (zero || t != 0) {
        uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
        uint64_t h = a / USECS_PER_HOUR, mi = a / USECS_PER_MINUTE % 60, sec = a / USECS_PER_SEC % 60,
                 us = a % USECS_PER_SEC;
        o += sprintf(o, "%s%s%02llu:%02llu:%02llu", zero ? "" : " ", t < 0 ? "-" : before ? "+" : "",
                     (unsigned long long)h, (unsigned long long)mi, (unsigned long long)sec);
        if (us) {
            o += sprintf(o, ".%06llu", (unsigned long long)us);
            while (o[-1] == '0')
                o--;
        }
    }
    *o = '\0';
    *len = (size_t)(o - buf);
    return arena_strdup(c->mem, buf);
}

static char *iv_out(eng_ctx *c, const eng_val *v, size_t *len) { return eng__interval_format(c, &v->iv, len); }

static uint8_t *iv_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    uint8_t *p = arena_alloc(c->mem, 16);
    if (!p)
        return NULL;
    uint64_t t = (uint64_t)v->iv.us;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(t >> (56 - 8 * i));
    uint32_t d = (uint32_t)v->iv.days, m = (uint32_t)v->iv.months;
    for (int i = 0; i < 4; i++) {
        p[8 + i] = (uint8_t)(d >> (24 - 8 * i));
        p[12 + i] = (uint8_t)(m >> (24 - 8 * i));
    }
    *len = 16;
    return p;
}

static int iv_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    (void)tm;
    if (eng__recv_len(c, n, 16))
        return -1;
    uint64_t t = 0;
    uint32_t d = 0, m = 0;
    for (int i = 0; i < 8; i++)
        t = t << 8 | p[i];
    for (int i = 0; i < 4; i++) {
        d = d << 8 | p[8 + i];
        m = m << 8 | p[12 + i];
    }
    o->null = false;
    o->iv = (eng_interval){(int64_t)t, (int32_t)d, (int32_t)m};
    return 0;
}

const eng_type eng__type_interval = {OID_INTERVAL, "interval", "interval", 16, 'T', true,
                                     iv_in, iv_out, iv_recv, iv_send, NULL};

/* ---- operators ------------------------------------------------------- */

static __int128 span(const eng_interval *iv)
{
    return ((__int128)iv->months * 30 + iv->days) * (__int128)USECS_PER_DAY + iv->us;
}

int eng__interval_cmp(const eng_interval *a, const eng_interval *b)
{
    __int128 x = span(a), y = span(b);
    return x < y ? -1 : x > y;
}

#define IV_CMP(NAME, OP)                                                 \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)     \
    {                                                                    \
        (void)c, (void)n;                                                \
        o->null = false;                                                 \
        o->i = eng__interval_cmp(&a[0].iv, &a[1].iv) OP 0;               \
        return 0;                                                        \
    }

IV_CMP(iv_eq, ==)
IV_CMP(iv_ne, !=)
IV_CMP(iv_lt, <)
IV_CMP(iv_gt, >)
IV_CMP(iv_le, <=)
IV_CMP(iv_ge, >=)

static int iv_overflow(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "interval out of range");
    return -1;
}

/* a + sign * b, field by field. */
static int iv_addsub(eng_ctx *c, const eng_interval *a, const eng_interval *b, int sign, eng_val *o)
{
    o->null = false;
    eng_interval r;
    if (sign > 0 ? __builtin_add_overflow(a->months, b->months, &r.months) ||
                       __builtin_add_overflow(a->days, b->days, &r.days) || __builtin_add_overflow(a->us, b->us, &r.us)
                 : __builtin_sub_overflow(a->months, b->months, &r.months) ||
                       __builtin_sub_overflow(a->days, b->days, &r.days) || __builtin_sub_overflow(a->us, b->us, &r.us))
        return iv_overflow(c);
    o->iv = r;
    return 0;
}

static int iv_pl(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return iv_addsub(c, &a[0].iv, &a[1].iv, 1, o); }
static int iv_mi(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return iv_addsub(c, &a[0].iv, &a[1].iv, -1, o); }

static int iv_neg(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    eng_interval zero = {0, 0, 0};
    return iv_addsub(c, &zero, &a[0].iv, -1, o);
}

static double tsround(double j) { return rint(j * 1e6) / 1e6; }

/* interval_mul / interval_div: months and days scaled and truncated, their
 * fractions carried down to days and seconds as PostgreSQL does. */
static int iv_scale(eng_ctx *c, const eng_interval *iv, double f, bool divide, eng_val *o)
{
    if (divide && f == 0) {
        pgw_error_set(c->err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
        return -1;
    }
    double m = divide ? iv->months / f : iv->months * f, d = divide ? iv->days / f : iv->days * f;
    if (isnan(m) || isnan(d) || m > INT32_MAX || m < INT32_MIN || d > INT32_MAX || d < INT32_MIN)
        return iv_overflow(c);
    eng_interval r = {0, (int32_t)d, (int32_t)m};
    double month_days = tsround((m - r.months) * 30);
    double sec = tsround((d - r.days + month_days - (int)month_days) * 86400);
    if (fabs(sec) >= 86400) {
        r.days += (int)(sec / 86400);
        sec -= (int)(sec / 86400) * 86400;
    }
    r.days += (int)month_days;
    double t = rint((divide ? (double)iv->us / f : (double)iv->us * f) + sec * 1e6);
    if (isnan(t) || t >= 9223372036854775808.0 || t < -9223372036854775808.0)
        return iv_overflow(c);
    r.us = (int64_t)t;
    o->null = false;
    o->iv = r;
    return 0;
}

static int iv_mul(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return iv_scale(c, &a[0].iv, a[1].f, false, o); }
static int mul_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return iv_scale(c, &a[1].iv, a[0].f, false, o); }
static int iv_div(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return iv_scale(c, &a[0].iv, a[1].f, true, o); }

void eng__register_interval(void)
{
    static const char *names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn fns[6] = {iv_eq, iv_ne, iv_lt, iv_gt, iv_le, iv_ge};
    for (int k = 0; k < 6; k++)
        eng__reg(names[k], true, OID_BOOL, ENG_F_STRICT, fns[k], 2, OID_INTERVAL, OID_INTERVAL);
    eng__reg("+", true, OID_INTERVAL, ENG_F_STRICT, iv_pl, 2, OID_INTERVAL, OID_INTERVAL);
    eng__reg("-", true, OID_INTERVAL, ENG_F_STRICT, iv_mi, 2, OID_INTERVAL, OID_INTERVAL);
    eng__reg("-", true, OID_INTERVAL, ENG_F_STRICT, iv_neg, 1, OID_INTERVAL);
    eng__reg("*", true, OID_INTERVAL, ENG_F_STRICT, iv_mul, 2, OID_INTERVAL, OID_FLOAT8);
    eng__reg("*", true, OID_INTERVAL, ENG_F_STRICT, mul_iv, 2, OID_FLOAT8, OID_INTERVAL);
    eng__reg("/", true, OID_INTERVAL, ENG_F_STRICT, iv_div, 2, OID_INTERVAL, OID_FLOAT8);
}
