/*
 * datetime_ops: date/time arithmetic (timestamp ± interval, timestamp −
 * timestamp, date ± integer), date_trunc, extract/date_part, age and
 * generate_series over timestamps, following PostgreSQL 15. Values with
 * time zone are worked on in the session's local time, then converted back.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/datetime.h"
#include "engine/types/numeric.h"

#define USECS_PER_HOUR 3600000000LL
#define USECS_PER_SEC 1000000LL

static bool ts_finite(int64_t t) { return t != DT_NOBEGIN && t != DT_NOEND; }

/* Broken-down local time. */
typedef struct tm_f {
    int64_t year;
    int mon, day;
    int64_t tod; /* microseconds since midnight */
} tm_f;

static void split_ts(int64_t t, tm_f *f)
{
    int64_t days = t / USECS_PER_DAY, rem = t % USECS_PER_DAY;
    if (rem < 0)
        rem += USECS_PER_DAY, days--;
    eng__civil_from_days(days, &f->year, &f->mon, &f->day);
    f->tod = rem;
}

static int64_t join_ts(const tm_f *f)
{
    return eng__days_from_civil(f->year, f->mon, f->day) * USECS_PER_DAY + f->tod;
}

static int ts_range_error(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    return -1;
}

static bool ts_in_range(int64_t t)
{
    return t >= MIN_TS_DAYS * USECS_PER_DAY && t < MAX_TS_DAYS * USECS_PER_DAY;
}

/* timestamp_pl_interval on a local time: months (day clamped to the
 * month's end), then days, then microseconds. */
static int add_interval_local(eng_ctx *c, int64_t t, const eng_interval *iv, int sign, int64_t *out)
{
    if (!ts_finite(t)) {
        *out = t;
        return 0;
    }
    if (iv->months) {
        tm_f f;
        split_ts(t, &f);
        int64_t m = f.year * 12 + (f.mon - 1) + (int64_t)sign * iv->months;
        f.year = m >= 0 ? m / 12 : -((-m + 11) / 12);
        f.mon = (int)(m - f.year * 12) + 1;
        int dim = eng__days_in_month(f.year, f.mon);
        if (f.day > dim)
            f.day = dim;
        if (f.year < -300000 || f.year > 300000)
            return ts_range_error(c);
        t = join_ts(&f);
    }
    __int128 r = (__int128)t + (__int128)sign * iv->days * USECS_PER_DAY + (__int128)sign * iv->us;
    if (r < INT64_MIN + 1 || r >= INT64_MAX || !ts_in_range((int64_t)r))
        return ts_range_error(c);
    *out = (int64_t)r;
    return 0;
}

static int ts_iv(eng_ctx *c, const eng_val *a, int sign, bool tz, eng_val *o)
{
    int64_t off = tz ? eng__tz_offset_us(c) : 0, t = a[0].i;
    o->null = false;
    if (add_interval_local(c, ts_finite(t) ? t + off : t, &a[1].iv, sign, &o->i))
        return -1;
    if (ts_finite(o->i))
        o->i -= off;
    return 0;
}

static int ts_pl_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return ts_iv(c, a, 1, false, o); }
static int ts_mi_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return ts_iv(c, a, -1, false, o); }
static int tstz_pl_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return ts_iv(c, a, 1, true, o); }
static int tstz_mi_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return ts_iv(c, a, -1, true, o); }

static int iv_pl_ts(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    eng_val sw[2] = {a[1], a[0]};
    return ts_iv(c, sw, 1, false, o);
}

static int iv_pl_tstz(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    eng_val sw[2] = {a[1], a[0]};
    return ts_iv(c, sw, 1, true, o);
}

static int date_iv(eng_ctx *c, const eng_val *a, int sign, eng_val *o)
{
    eng_val t[2] = {a[0], a[1]};
    int64_t d = a[0].i;
    t[0].i = d == DATE_NOEND ? DT_NOEND : d == DATE_NOBEGIN ? DT_NOBEGIN : d * USECS_PER_DAY;
    return ts_iv(c, t, sign, false, o);
}

static int date_pl_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_iv(c, a, 1, o); }
static int date_mi_iv(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_iv(c, a, -1, o); }

/* timestamp_mi: the difference in microseconds, whole days split off
 * (justify_hours). */
static int ts_mi(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    if (!ts_finite(a[0].i) || !ts_finite(a[1].i)) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite timestamps");
        return -1;
    }
    int64_t d;
    if (__builtin_sub_overflow(a[0].i, a[1].i, &d)) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "interval out of range");
        return -1;
    }
    o->null = false;
    o->iv = (eng_interval){d % USECS_PER_DAY, (int32_t)(d / USECS_PER_DAY), 0};
    return 0;
}

static int date_pm_int(eng_ctx *c, int64_t d, int64_t k, eng_val *o)
{
    o->null = false;
    if (d == DATE_NOEND || d == DATE_NOBEGIN) {
        o->i = d;
        return 0;
    }
    int64_t r = d + k;
    if (r < MIN_TS_DAYS || r >= MAX_DATE_DAYS) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range");
        return -1;
    }
    o->i = r;
    return 0;
}

static int date_pli(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_pm_int(c, a[0].i, a[1].i, o); }
static int int_pl_date(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_pm_int(c, a[1].i, a[0].i, o); }
static int date_mii(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_pm_int(c, a[0].i, -a[1].i, o); }

static int date_mi(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    int64_t x = a[0].i, y = a[1].i;
    if (x == DATE_NOEND || x == DATE_NOBEGIN || y == DATE_NOEND || y == DATE_NOBEGIN) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite dates");
        return -1;
    }
    o->null = false;
    o->i = x - y;
    return 0;
}

/* ---- date_trunc and extract ------------------------------------------ */

/* Up to F_QUARTER: units date_trunc knows (PostgreSQL's deltatktbl); the
 * rest only extract takes. */
typedef enum {
    F_USEC, F_MSEC, F_SEC, F_MIN, F_HOUR, F_DAY, F_WEEK, F_MON, F_YEAR, F_DECADE, F_CENTURY, F_MILLENNIUM,
    F_QUARTER, F_DOW, F_ISODOW, F_DOY, F_EPOCH, F_ISOYEAR, F_UNKNOWN
} dt_field;

/* Fields that keep growing with time: ±Infinity for infinite inputs, the
 * others are NULL there. */
static bool monotonic(dt_field f)
{
    return f == F_YEAR || f == F_DECADE || f == F_CENTURY || f == F_MILLENNIUM || f == F_EPOCH || f == F_ISOYEAR;
}

/* The lower-cased unit text of a date_trunc/extract argument. */
static dt_field field_of(const eng_val *v, char *name, size_t cap)
{
    size_t n = v->s.n < cap - 1 ? v->s.n : cap - 1;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower((unsigned char)v->s.p[i]);
    name[n] = '\0';
    static const struct {
        const char *w;
        dt_field f;
    } extra[] = {{"quarter", F_QUARTER}, {"qtr", F_QUARTER}, {"dow", F_DOW}, {"isodow", F_ISODOW},
                 {"doy", F_DOY},         {"epoch", F_EPOCH}, {"isoyear", F_ISOYEAR}};
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        if (strcmp(extra[i].w, name) == 0)
            return extra[i].f;
    int u = eng__interval_unit(name, n);
    return u < 0 || v->s.n >= cap ? F_UNKNOWN : (dt_field)u;
}

static int unit_error(eng_ctx *c, const char *name, bool known, uint32_t type)
{
    pgw_error_set(c->err, known ? SQLSTATE_FEATURE_NOT_SUPPORTED : SQLSTATE_INVALID_PARAMETER_VALUE,
                  "unit \"%s\" %s for type %s", name, known ? "not supported" : "not recognized",
                  eng_type_sqlname(type));
    return -1;
}

/* Day of week, 0 = Sunday. */
static int dow_of(int64_t days)
{
    int64_t w = (days + 6) % 7; /* 2000-01-01 was a Saturday */
    return (int)(w < 0 ? w + 7 : w);
}

/* First day of ISO week 1 of year y (the Monday on or before Jan 4). */
static int64_t iso_week1(int64_t y)
{
    int64_t jan4 = eng__days_from_civil(y, 1, 4);
    return jan4 - (dow_of(jan4) + 6) % 7;
}

static void iso_week(int64_t days, int64_t *isoyear, int64_t *week)
{
    int64_t y, d0;
    int m, d;
    eng__civil_from_days(days, &y, &m, &d);
    if (days >= iso_week1(y + 1))
        y++;
    else if (days < iso_week1(y))
        y--;
    d0 = iso_week1(y);
    *isoyear = y;
    *week = (days - d0) / 7 + 1;
}

static int trunc_local(eng_ctx *c, dt_field f, int64_t t, int64_t *out)
{
    tm_f x;
    split_ts(t, &x);
    static const int64_t tod_units[] = {1, 1000, USECS_PER_SEC, 60 * USECS_PER_SEC, USECS_PER_HOUR, USECS_PER_DAY};
    if (f <= F_DAY) {
        x.tod -= x.tod % tod_units[f];
        *out = join_ts(&x);
        return 0;
    }
    x.tod = 0;
    if (f == F_WEEK) {
        int64_t days = eng__days_from_civil(x.year, x.mon, x.day);
        *out = (days - (dow_of(days) + 6) % 7) * USECS_PER_DAY;
        return 0;
    }
    x.day = 1;
    if (f == F_QUARTER)
        x.mon = (x.mon - 1) / 3 * 3 + 1;
    else if (f != F_MON) {
        x.mon = 1;
        if (f == F_DECADE)
            x.year = x.year / 10 * 10;
        else if (f == F_CENTURY)
            x.year = x.year > 0 ? (x.year + 99) / 100 * 100 - 99 : x.year;
        else if (f == F_MILLENNIUM)
            x.year = x.year > 0 ? (x.year + 999) / 1000 * 1000 - 999 : x.year;
        else if (f != F_YEAR)
            return 1;
    }
    (void)c;
    *out = join_ts(&x);
    return 0;
}

static int date_trunc_common(eng_ctx *c, const eng_val *a, bool tz, eng_val *o)
{
    char name[64];
    dt_field f = field_of(&a[0], name, sizeof(name));
    uint32_t type = tz ? OID_TIMESTAMPTZ : OID_TIMESTAMP;
    o->null = false;
    if (f > F_QUARTER)
        return unit_error(c, name, false, type);
    int64_t t = a[1].i, off = tz ? eng__tz_offset_us(c) : 0;
    if (!ts_finite(t)) {
        o->i = t;
        return 0;
    }
    if (trunc_local(c, f, t + off, &o->i))
        return unit_error(c, name, true, type);
    o->i -= off;
    return 0;
}

static int f_date_trunc(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_trunc_common(c, a, false, o); }
static int f_date_trunc_tz(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return date_trunc_common(c, a, true, o); }

/* A field's value as an exact decimal: v / 10^scale. */
typedef struct part_val {
    __int128 v;
    int scale;
} part_val;

static int ts_part(dt_field f, int64_t t, int64_t epoch_us, part_val *r)
{
    tm_f x;
    split_ts(t, &x);
    int64_t days = eng__days_from_civil(x.year, x.mon, x.day), iy, wk;
    int64_t sec_us = x.tod % (60 * USECS_PER_SEC);
    r->scale = 0;
    switch (f) {
    case F_USEC: r->v = sec_us; return 0;
    case F_MSEC: r->v = sec_us; r->scale = 3; return 0;
    case F_SEC: r->v = sec_us; r->scale = 6; return 0;
    case F_MIN: r->v = x.tod / (60 * USECS_PER_SEC) % 60; return 0;
    case F_HOUR: r->v = x.tod / USECS_PER_HOUR; return 0;
    case F_DAY: r->v = x.day; return 0;
    case F_MON: r->v = x.mon; return 0;
    case F_QUARTER: r->v = (x.mon - 1) / 3 + 1; return 0;
    case F_YEAR: r->v = x.year > 0 ? x.year : x.year - 1; return 0;
    case F_DECADE: r->v = x.year >= 0 ? x.year / 10 : -((8 - (x.year - 1)) / 10); return 0;
    case F_CENTURY: r->v = x.year > 0 ? (x.year + 99) / 100 : -((99 - (x.year - 1)) / 100); return 0;
    case F_MILLENNIUM: r->v = x.year > 0 ? (x.year + 999) / 1000 : -((999 - (x.year - 1)) / 1000); return 0;
    case F_DOW: r->v = dow_of(days); return 0;
    case F_ISODOW: r->v = dow_of(days) == 0 ? 7 : dow_of(days); return 0;
    case F_DOY: r->v = days - eng__days_from_civil(x.year, 1, 1) + 1; return 0;
    case F_WEEK: iso_week(days, &iy, &wk); r->v = wk; return 0;
    case F_ISOYEAR: iso_week(days, &iy, &wk); r->v = iy > 0 ? iy : iy - 1; return 0;
    case F_EPOCH: r->v = epoch_us; r->scale = 6; return 0;
    default: return 1;
    }
}

static int iv_part(dt_field f, const eng_interval *iv, part_val *r)
{
    r->scale = 0;
    int64_t sec_us = iv->us % (60 * USECS_PER_SEC);
    switch (f) {
    case F_USEC: r->v = sec_us; return 0;
    case F_MSEC: r->v = sec_us; r->scale = 3; return 0;
    case F_SEC: r->v = sec_us; r->scale = 6; return 0;
    case F_MIN: r->v = iv->us / (60 * USECS_PER_SEC) % 60; return 0;
    case F_HOUR: r->v = iv->us / USECS_PER_HOUR; return 0;
    case F_DAY: r->v = iv->days; return 0;
    case F_MON: r->v = iv->months % 12; return 0;
    case F_QUARTER: r->v = iv->months % 12 / 3 + 1; return 0;
    case F_YEAR: r->v = iv->months / 12; return 0;
    case F_DECADE: r->v = iv->months / 120; return 0;
    case F_CENTURY: r->v = iv->months / 1200; return 0;
    case F_MILLENNIUM: r->v = iv->months / 12000; return 0;
    case F_EPOCH:
        r->v = (__int128)(iv->months / 12) * 31557600 * USECS_PER_SEC +
               ((__int128)(iv->months % 12) * 30 + iv->days) * USECS_PER_DAY + iv->us;
        r->scale = 6;
        return 0;
    default: return 1;
    }
}

/* Decimal text of v / 10^scale. */
static size_t part_text(const part_val *p, char *buf)
{
    unsigned __int128 a = p->v < 0 ? -(unsigned __int128)p->v : (unsigned __int128)p->v;
    char digits[48];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(a % 10));
        a /= 10;
    } while (a);
    while (nd <= p->scale)
        digits[nd++] = '0';
    char *o = buf;
    if (p->v < 0)
        *o++ = '-';
    for (int i = nd - 1; i >= 0; i--) {
        *o++ = digits[i];
        if (i == p->scale && i > 0)
            *o++ = '.';
    }
    *o = '\0';
    return (size_t)(o - buf);
}

static int infinite_part(eng_ctx *c, bool mono, bool pos, bool numeric, eng_val *o)
{
    o->null = !mono;
    if (!mono)
        return 0;
    if (!numeric) {
        o->f = pos ? HUGE_VAL : -HUGE_VAL;
        return 0;
    }
    o->num = eng__num_parse(c, pos ? "Infinity" : "-Infinity", pos ? 8 : 9);
    return o->num ? 0 : -1;
}

typedef enum { SRC_TS, SRC_TSTZ, SRC_DATE, SRC_IV } part_src;

static const uint32_t src_type[] = {OID_TIMESTAMP, OID_TIMESTAMPTZ, OID_DATE, OID_INTERVAL};

/* extract (numeric) and date_part (float8) of any source. */
static int part_common(eng_ctx *c, const eng_val *a, part_src src, bool numeric, eng_val *o)
{
    char name[64];
    dt_field f = field_of(&a[0], name, sizeof(name));
    if (f == F_UNKNOWN || (src == SRC_IV && (f == F_DOW || f == F_ISODOW || f == F_DOY || f == F_ISOYEAR)))
        return unit_error(c, name, f != F_UNKNOWN, src_type[src]);
    if (src == SRC_DATE && numeric && f <= F_HOUR)
        return unit_error(c, name, true, OID_DATE);
    part_val p = {0, 0};
    if (src == SRC_IV)
        iv_part(f, &a[1].iv, &p);
    else {
        /* infinite dates are tested before the multiplication, which they would overflow */
        bool inf = src == SRC_DATE ? a[1].i == DATE_NOEND || a[1].i == DATE_NOBEGIN : !ts_finite(a[1].i);
        if (inf) {
            bool pos = src == SRC_DATE ? a[1].i == DATE_NOEND : a[1].i == DT_NOEND;
            return infinite_part(c, monotonic(f), pos, numeric, o);
        }
        int64_t t = src == SRC_DATE ? a[1].i * USECS_PER_DAY : a[1].i;
        int64_t local = src == SRC_TSTZ ? t + eng__tz_offset_us(c) : t;
        ts_part(f, local, t + 946684800LL * USECS_PER_SEC, &p);
        if (src == SRC_DATE && f == F_EPOCH)
            p.v /= USECS_PER_SEC, p.scale = 0;
    }
    char buf[64];
    size_t len = part_text(&p, buf);
    o->null = false;
    if (!numeric) {
        o->f = strtod(buf, NULL);
        return 0;
    }
    o->num = eng__num_parse(c, buf, len);
    return o->num ? 0 : -1;
}

#define PART_FN(NAME, SRC, NUMERIC)                                       \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)      \
    {                                                                     \
        (void)n;                                                          \
        return part_common(c, a, SRC, NUMERIC, o);                        \
    }

PART_FN(extract_ts, SRC_TS, true)
PART_FN(extract_tstz, SRC_TSTZ, true)
PART_FN(extract_date, SRC_DATE, true)
PART_FN(extract_iv, SRC_IV, true)
PART_FN(part_ts, SRC_TS, false)
PART_FN(part_tstz, SRC_TSTZ, false)
PART_FN(part_date, SRC_DATE, false) /* time fields are 0: PostgreSQL casts to timestamp */
PART_FN(part_iv, SRC_IV, false)

/* ---- age ------------------------------------------------------------- */

static void negate_tm(int64_t *f, int n)
{
    for (int i = 0; i < n; i++)
        f[i] = -f[i];
}

/* PostgreSQL's timestamp_age: field-wise difference, borrowing upwards. */
static void age_local(int64_t t1, int64_t t2, eng_interval *r)
{
    tm_f a, b;
    split_ts(t1, &a);
    split_ts(t2, &b);
    /* usec, sec, min, hour, day, mon, year */
    int64_t f[7] = {a.tod % USECS_PER_SEC - b.tod % USECS_PER_SEC,
                    a.tod / USECS_PER_SEC % 60 - b.tod / USECS_PER_SEC % 60,
                    a.tod / (60 * USECS_PER_SEC) % 60 - b.tod / (60 * USECS_PER_SEC) % 60,
                    a.tod / USECS_PER_HOUR - b.tod / USECS_PER_HOUR,
                    a.day - b.day,
                    a.mon - b.mon,
                    a.year - b.year};
    bool neg = t1 < t2;
    if (neg)
        negate_tm(f, 7);
    static const int64_t radix[4] = {USECS_PER_SEC, 60, 60, 24};
    for (int i = 0; i < 4; i++)
        while (f[i] < 0)
            f[i] += radix[i], f[i + 1]--;
    const tm_f *ref = neg ? &a : &b;
    while (f[4] < 0)
        f[4] += eng__days_in_month(ref->year, ref->mon), f[5]--;
    while (f[5] < 0)
        f[5] += 12, f[6]--;
    if (neg)
        negate_tm(f, 7);
    r->months = (int32_t)(f[6] * 12 + f[5]);
    r->days = (int32_t)f[4];
    r->us = ((f[3] * 60 + f[2]) * 60 + f[1]) * USECS_PER_SEC + f[0];
}

static int age_common(eng_ctx *c, int64_t t1, int64_t t2, bool tz, eng_val *o)
{
    if (!ts_finite(t1) || !ts_finite(t2)) {
        pgw_error_set(c->err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite timestamps");
        return -1;
    }
    int64_t off = tz ? eng__tz_offset_us(c) : 0;
    o->null = false;
    age_local(t1 + off, t2 + off, &o->iv);
    return 0;
}

/* Midnight of today's local date, as a local timestamp. */
static int64_t today_local(eng_ctx *c)
{
    int64_t t = (c->env ? c->env->txn_ts : 0) + eng__tz_offset_us(c);
    tm_f x;
    split_ts(t, &x);
    return t - x.tod;
}

static int f_age2(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return age_common(c, a[0].i, a[1].i, false, o); }
static int f_age2tz(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return age_common(c, a[0].i, a[1].i, true, o); }

static int f_age1(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    return age_common(c, today_local(c), a[0].i, false, o);
}

/* ---- generate_series(start, stop, interval) --------------------------- */

/* State words: 0 next value, 3 started, 4 past the end. */
static int series_common(eng_ctx *c, const eng_val *a, int64_t *st, bool *done, bool tz, eng_val *o)
{
    if (!st[3]) {
        eng_interval zero = {0, 0, 0};
        if (eng__interval_cmp(&a[2].iv, &zero) == 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
            return -1;
        }
        st[0] = a[0].i;
        st[3] = 1;
    }
    eng_interval zero = {0, 0, 0};
    bool up = eng__interval_cmp(&a[2].iv, &zero) > 0;
    if (st[4] || (up ? st[0] > a[1].i : st[0] < a[1].i)) {
        *done = true;
        return 0;
    }
    o->null = false;
    o->i = st[0];
    eng_val cur[2] = {{.null = false, .i = st[0]}, a[2]};
    eng_val next;
    if (ts_iv(c, cur, 1, tz, &next)) {
        pgw_error_clear(c->err);
        st[4] = 1;
    } else
        st[0] = next.i;
    return 0;
}

static int series_ts(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    (void)n;
    return series_common(c, a, st, done, false, o);
}

static int series_tstz(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o)
{
    (void)n;
    return series_common(c, a, st, done, true, o);
}

void eng__register_datetime_ops(void)
{
    const uint32_t TS = OID_TIMESTAMP, TZ = OID_TIMESTAMPTZ, IV = OID_INTERVAL, D = OID_DATE;
    eng__reg("+", true, TS, ENG_F_STRICT, ts_pl_iv, 2, TS, IV);
    eng__reg("-", true, TS, ENG_F_STRICT, ts_mi_iv, 2, TS, IV);
    eng__reg("+", true, TS, ENG_F_STRICT, iv_pl_ts, 2, IV, TS);
    eng__reg("+", true, TZ, ENG_F_STRICT, tstz_pl_iv, 2, TZ, IV);
    eng__reg("-", true, TZ, ENG_F_STRICT, tstz_mi_iv, 2, TZ, IV);
    eng__reg("+", true, TZ, ENG_F_STRICT, iv_pl_tstz, 2, IV, TZ);
    eng__reg("+", true, TS, ENG_F_STRICT, date_pl_iv, 2, D, IV);
    eng__reg("-", true, TS, ENG_F_STRICT, date_mi_iv, 2, D, IV);
    eng__reg("-", true, IV, ENG_F_STRICT, ts_mi, 2, TS, TS);
    eng__reg("-", true, IV, ENG_F_STRICT, ts_mi, 2, TZ, TZ);
    eng__reg("+", true, D, ENG_F_STRICT, date_pli, 2, D, OID_INT4);
    eng__reg("+", true, D, ENG_F_STRICT, int_pl_date, 2, OID_INT4, D);
    eng__reg("-", true, D, ENG_F_STRICT, date_mii, 2, D, OID_INT4);
    eng__reg("-", true, OID_INT4, ENG_F_STRICT, date_mi, 2, D, D);
    eng__reg("date_trunc", false, TS, ENG_F_STRICT, f_date_trunc, 2, OID_TEXT, TS);
    eng__reg("date_trunc", false, TZ, ENG_F_STRICT, f_date_trunc_tz, 2, OID_TEXT, TZ);
    eng__reg("extract", false, OID_NUMERIC, ENG_F_STRICT, extract_ts, 2, OID_TEXT, TS);
    eng__reg("extract", false, OID_NUMERIC, ENG_F_STRICT, extract_tstz, 2, OID_TEXT, TZ);
    eng__reg("extract", false, OID_NUMERIC, ENG_F_STRICT, extract_date, 2, OID_TEXT, D);
    eng__reg("extract", false, OID_NUMERIC, ENG_F_STRICT, extract_iv, 2, OID_TEXT, IV);
    eng__reg("date_part", false, OID_FLOAT8, ENG_F_STRICT, part_ts, 2, OID_TEXT, TS);
    eng__reg("date_part", false, OID_FLOAT8, ENG_F_STRICT, part_tstz, 2, OID_TEXT, TZ);
    eng__reg("date_part", false, OID_FLOAT8, ENG_F_STRICT, part_date, 2, OID_TEXT, D);
    eng__reg("date_part", false, OID_FLOAT8, ENG_F_STRICT, part_iv, 2, OID_TEXT, IV);
    eng__reg("age", false, IV, ENG_F_STRICT, f_age2, 2, TS, TS);
    eng__reg("age", false, IV, ENG_F_STRICT, f_age2tz, 2, TZ, TZ);
    eng__reg("age", false, IV, ENG_F_STRICT, f_age1, 1, TS);
    eng__reg_srf("generate_series", TS, ENG_F_STRICT, series_ts, 3, TS, TS, IV);
    eng__reg_srf("generate_series", TZ, ENG_F_STRICT, series_tstz, 3, TZ, TZ, IV);
}
